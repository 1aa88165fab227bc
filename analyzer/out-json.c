/*
 * out-json.c -- JSON Lines: one "port" object per row, then one "summary"
 * object, each on its own line (jq -c friendly, streamable).
 *
 * Keys come in a fixed order and without whitespace so output is byte-for-
 * byte reproducible; every string value goes through out_json_string().
 * Counters are integers; rtt_ms is a number with at most three decimals;
 * absent values are null. Times are capture times, ISO 8601 UTC.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "out.h"


static int json_write(
    FILE *fp, const struct results *res, const struct out_opts *opts);
static void json_key(FILE *fp, const char *key);
static void json_u64(FILE *fp, const char *key, uint64_t v);
static void json_str(FILE *fp, const char *key, const char *s);
static void json_addr(FILE *fp, const char *key, const struct addr *a);
static void json_time(FILE *fp, const char *key, uint64_t ns, bool have);
static void json_rtt(FILE *fp, const char *key, double ms);
static void json_row(FILE *fp, const struct port_row *r, const char *label);
static void json_summary(FILE *fp, const struct run_summary *s,
    const char *label);
static void json_finding(FILE *fp, const struct finding *f,
    const char *label);

const struct out_ops out_json_ops = {
	.name = "json",
	.desc = "JSON Lines: one object per probed port, then a summary",
	.write = json_write,
};

/* Writes ,"key": -- every object opens with "type", so never first. */
static void
json_key(FILE *fp, const char *key)
{
	fprintf(fp, ",\"%s\":", key);
}

static void
json_u64(FILE *fp, const char *key, uint64_t v)
{
	json_key(fp, key);
	fprintf(fp, "%" PRIu64, v);
}

static void
json_str(FILE *fp, const char *key, const char *s)
{
	json_key(fp, key);
	out_json_string(fp, s);
}

static void
json_addr(FILE *fp, const char *key, const struct addr *a)
{
	char buf[ADDR_STRLEN];

	json_str(fp, key, a != NULL ? out_addr(a, buf) : NULL);
}


static void
json_time(FILE *fp, const char *key, uint64_t ns, bool have)
{
	char buf[OUT_ISO_BUF];

	if (have)
		out_iso_time(ns, buf, sizeof(buf));
	json_str(fp, key, have ? buf : NULL);
}

/* Three decimals, trailing zeros dropped: 0.5, 12.345, 3 (integral). */
static void
json_rtt(FILE *fp, const char *key, double ms)
{
	char buf[32];
	size_t n;

	json_key(fp, key);
	if (!(ms >= 0 && ms < 1e12)) { /* none (< 0), NaN, absurd */
		fputs("null", fp);
		return;
	}
	n = (size_t)snprintf(buf, sizeof(buf), "%.3f", ms);
	while (n > 0 && buf[n - 1] == '0')
		n--;
	if (n > 0 && buf[n - 1] == '.')
		n--;
	fwrite(buf, 1, n, fp);
}


static void
json_row(FILE *fp, const struct port_row *r, const char *label)
{
	const struct kind_verdict *k;
	size_t i;

	fputs("{\"type\":\"port\"", fp);
	if (label != NULL)
		json_str(fp, "capture", label);
	json_addr(fp, "host", &r->host);
	json_str(fp, "proto", out_proto_name(r->proto));
	json_u64(fp, "port", r->port);
	json_str(fp, "state", port_state_name(r->state));
	json_str(fp, "reason", reason_name(r->reason));
	json_u64(fp, "reason_ttl", r->reason_ttl);
	json_addr(fp, "reason_ip", r->has_reason_ip ? &r->reason_ip : NULL);
	json_addr(fp, "scanner", &r->scanner);
	json_u64(fp, "probes", r->probes);
	json_u64(fp, "responses", r->responses);
	json_rtt(fp, "rtt_ms", r->rtt_ms);
	json_time(fp, "first_seen", r->first_ns, true);
	json_time(fp, "last_seen", r->last_ns, true);
	json_str(fp, "service", r->service);
	fputs(",\"verdicts\":[", fp);
	for (i = 0; i < r->nkinds && i < PK_COUNT; i++) {
		k = &r->kinds[i];
		fputs(i > 0 ? ",{\"probe\":" : "{\"probe\":", fp);
		out_json_string(fp, probe_kind_name(k->kind));
		json_str(fp, "state", port_state_name(k->state));
		json_str(fp, "reason", reason_name(k->reason));
		json_u64(fp, "reason_ttl", k->reason_ttl);
		json_addr(
		    fp, "reason_ip", k->has_reason_ip ? &k->reason_ip : NULL);
		json_u64(fp, "tries", k->tries);
		json_u64(fp, "replies", k->replies);
		json_str(fp, "rule", k->rule);
		putc('}', fp);
	}
	fputs("],\"findings\":[", fp);
	for (i = 0; i < r->nflags; i++) {
		if (i > 0)
			putc(',', fp);
		out_json_string(fp, r->flags[i]);
	}
	fputs("]}\n", fp);
}

/* {"type":"finding",...}: the ports as "tcp/22" strings, evidence as is. */
static void
json_finding(FILE *fp, const struct finding *f, const char *label)
{
	const char *p, *q;

	fputs("{\"type\":\"finding\"", fp);
	if (label != NULL)
		json_str(fp, "capture", label);
	json_str(fp, "id", f->id);
	json_str(fp, "severity", out_severity_name(f->severity));
	json_addr(fp, "host", f->has_host ? &f->host : NULL);
	if (f->has_source)
		json_addr(fp, "source", &f->source);
	fputs(",\"ports\":[", fp);
	for (p = f->ports; p != NULL && *p != '\0'; p = *q ? q + 1 : q) {
		char one[32];
		size_t n;

		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		n = (size_t)(q - p) < sizeof(one) ? (size_t)(q - p) :
		    sizeof(one) - 1;
		memcpy(one, p, n);
		one[n] = '\0';
		if (p != f->ports)
			putc(',', fp);
		out_json_string(fp, one);
	}
	putc(']', fp);
	json_u64(fp, "count", f->count);
	json_str(fp, "message", f->message);
	json_str(fp, "rule", f->rule);
	json_key(fp, "evidence");
	fputs(f->evidence != NULL ? f->evidence : "{}", fp);
	fputs("}\n", fp);
}

static void
json_summary(FILE *fp, const struct run_summary *s, const char *label)
{
	unsigned st;

	fputs("{\"type\":\"summary\"", fp);
	if (label != NULL)
		json_str(fp, "capture", label);
	json_u64(fp, "captures", s->captures);
	json_u64(fp, "packets", s->packets);
	json_u64(fp, "bytes", s->bytes);
	json_u64(fp, "decoded", s->decoded);
	json_u64(fp, "malformed", s->malformed);
	json_u64(fp, "probes", s->probes);
	json_u64(fp, "paired", s->paired);
	json_u64(fp, "unsolicited", s->unsolicited);
	json_u64(fp, "late", s->late);
	json_u64(fp, "unmatched_icmp", s->unmatched_icmp);
	json_u64(fp, "table_drops", s->table_drops);
	if (results_limited(s)) {
		/* Only when a limit was reached: what it cost. */
		json_u64(fp, "flow_drops", s->flow_drops);
		json_u64(fp, "record_drops", s->record_drops);
		json_u64(fp, "uncounted", s->uncounted);
		json_u64(fp, "phase_drops", s->phase_drops);
		json_u64(fp, "records", s->records);
		json_u64(fp, "max_memory", s->memory_limit);
		fprintf(fp, ",\"memory_full\":%s", s->memory_full != 0 ?
		    "true" : "false");
	}
	json_u64(fp, "hosts", s->hosts);
	fputs(",\"findings\":{", fp);
	for (st = 0; st < 4; st++) {
		if (st > 0)
			putc(',', fp);
		out_json_string(fp, out_severity_name((uint8_t)st));
		fprintf(fp, ":%" PRIu32, s->findings_by_severity[st]);
	}
	putc('}', fp);
	fputs(",\"ports\":{", fp);
	for (st = PS_UNKNOWN + 1; st < PS_COUNT; st++) {
		if (st > PS_UNKNOWN + 1)
			putc(',', fp);
		out_json_string(fp, port_state_name(st));
		fprintf(fp, ":%" PRIu32, s->ports_by_state[st]);
	}
	putc('}', fp);
	/* No packet read: there is no capture time span to report. */
	json_time(fp, "first_seen", s->first_ns, s->packets > 0);
	json_time(fp, "last_seen", s->last_ns, s->packets > 0);
	fprintf(fp, ",\"partial\":%s}\n", s->partial ? "true" : "false");
}

static int
json_write(FILE *fp, const struct results *res, const struct out_opts *opts)
{
	size_t i;

	const char *label = opts != NULL ? opts->input_label : NULL;

	for (i = 0; i < res->nrows && !ferror(fp); i++)
		json_row(fp, &res->rows[i], label);
	for (i = 0; i < res->nfindings && !ferror(fp); i++)
		json_finding(fp, &res->findings[i], label);
	json_summary(fp, &res->summary, label);
	if (fflush(fp) == EOF || ferror(fp))
		return -1;
	return 0;
}
