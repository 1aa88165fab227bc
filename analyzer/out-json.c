/*
 * out-json.c -- JSON Lines: one "port" object per row, then one "summary"
 * object, each on its own line (jq -c friendly, streamable).
 *
 * Keys come in a fixed order and without whitespace so output is byte-for-
 * byte reproducible; every string value goes through out_json_string()
 * (or out_buf_json(), the same escaping into the output buffer).
 * Counters are integers; rtt_ms is a number with at most three decimals;
 * absent values are null. Times are capture times, ISO 8601 UTC.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "out.h"
#include "xmalloc.h"


static int json_write(
    FILE *fp, const struct results *res, const struct out_opts *opts);
static void json_key(FILE *fp, const char *key);
static void json_u64(FILE *fp, const char *key, uint64_t v);
static void json_str(FILE *fp, const char *key, const char *s);
static void json_time(FILE *fp, const char *key, uint64_t ns, bool have);
static void buf_name(struct out_buf *ob, const char *s);
static char *put_addr(char *p, const struct addr *a);
static char *put_rtt(char *p, double ms);
static char *put_time(char *p, uint64_t ns);
static char *put_row_fields(char *p, const struct port_row *r);
static char *put_verdict(char *p, const struct kind_verdict *k, size_t i);
static void json_row(struct out_buf *ob, const struct port_row *r,
    const char *label);
static void json_summary(FILE *fp, const struct run_summary *s,
    const char *label);
static void buf_str(struct out_buf *ob, const char *key, const char *s);
static void buf_addr(struct out_buf *ob, const char *key,
    const struct addr *a);
static void json_finding(struct out_buf *ob, const struct finding *f,
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
json_time(FILE *fp, const char *key, uint64_t ns, bool have)
{
	char buf[OUT_ISO_BUF];

	if (have)
		out_iso_time(ns, buf, sizeof(buf));
	json_str(fp, key, have ? buf : NULL);
}

/* ,"key": then a string that needs no escaping (a name, an address). */
static char *
put_key(char *p, const char *key)
{
	size_t n = strlen(key);

	*p++ = ',';
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	return p;
}

/* "name": a vocabulary name through its out_fmt_*() writer. */
static char *
put_vocab(char *p, char *(*fmt)(char *, unsigned), unsigned v)
{
	*p++ = '"';
	p = fmt(p, v);
	*p++ = '"';
	return p;
}

/*
 * A literal at p (n: its length, a constant, so the copy is inlined);
 * PUT_KEY(p, "host") writes ,"host": -- every object opens with "type",
 * so a key is never first.
 */
static inline char *
put_lit(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define PUT_LIT(p, lit) put_lit((p), lit, sizeof(lit) - 1)
#define PUT_KEY(p, key) PUT_LIT((p), ",\"" key "\":")

#define NAME_MAX_PLAIN 40	/* longer names go through the escaper */

/*
 * A name (a rule, a service, a finding id: usually plain ASCII) as
 * "name", copied while checked; anything that needs escaping, NULL or a
 * long name goes through out_buf_json() instead.
 */
static void
buf_name(struct out_buf *ob, const char *s)
{
	char *p = out_buf_room(ob, NAME_MAX_PLAIN + 2), *q = p + 1;
	size_t i;

	for (i = 0; s != NULL && i < NAME_MAX_PLAIN; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\0') {
			q[i] = '"';
			*p = '"';
			ob->p = q + i + 1;
			return;
		}
		if (ch < 0x20 || ch == '"' || ch == '\\' || ch >= 0x7f)
			break;
		q[i] = (char)ch;
	}
	out_buf_json(ob, s);
}

/* "address", or null without one. */
static char *
put_addr(char *p, const struct addr *a)
{
	if (a == NULL)
		return PUT_LIT(p, "null");
	*p++ = '"';
	p = out_fmt_addr(p, a);
	*p++ = '"';
	return p;
}

/* Three decimals, trailing zeros dropped: 0.5, 12.345, 3 (integral). */
static char *
put_rtt(char *p, double ms)
{
	char *e;

	if (!(ms >= 0 && ms < 1e12))
		return PUT_LIT(p, "null");
	e = out_fmt_ms3(p, ms);
	while (e > p && e[-1] == '0')
		e--;
	if (e > p && e[-1] == '.')
		e--;
	return e;
}

static char *
put_time(char *p, uint64_t ns)
{
	*p++ = '"';
	p = out_fmt_time(p, ns);
	*p++ = '"';
	return p;
}

#define ROW_ROOM (3 * ADDR_STRLEN + 2 * OUT_ISO_BUF + 320)

/* The row's fields from "host" to "last_seen" at p. */
static char *
put_row_fields(char *p, const struct port_row *r)
{
	p = put_addr(PUT_KEY(p, "host"), &r->host);
	p = PUT_KEY(p, "proto");
	*p++ = '"';
	p = out_fmt_proto(p, r->proto);
	*p++ = '"';
	p = out_fmt_u64(PUT_KEY(p, "port"), r->port);
	p = put_vocab(PUT_KEY(p, "state"), out_fmt_state, r->state);
	p = put_vocab(PUT_KEY(p, "reason"), out_fmt_reason, r->reason);
	p = out_fmt_u64(PUT_KEY(p, "reason_ttl"), r->reason_ttl);
	p = put_addr(PUT_KEY(p, "reason_ip"), r->has_reason_ip ?
	    &r->reason_ip : NULL);
	p = put_addr(PUT_KEY(p, "scanner"), &r->scanner);
	p = out_fmt_u64(PUT_KEY(p, "probes"), r->probes);
	p = out_fmt_u64(PUT_KEY(p, "responses"), r->responses);
	p = put_rtt(PUT_KEY(p, "rtt_ms"), r->rtt_ms);
	p = put_time(PUT_KEY(p, "first_seen"), r->first_ns);
	return put_time(PUT_KEY(p, "last_seen"), r->last_ns);
}

/* One verdict object, but its rule, at p (i: its index in the row). */
static char *
put_verdict(char *p, const struct kind_verdict *k, size_t i)
{
	if (i > 0)
		*p++ = ',';
	p = put_vocab(PUT_LIT(p, "{\"probe\":"), out_fmt_kind, k->kind);
	p = put_vocab(PUT_KEY(p, "state"), out_fmt_state, k->state);
	p = put_vocab(PUT_KEY(p, "reason"), out_fmt_reason, k->reason);
	p = out_fmt_u64(PUT_KEY(p, "reason_ttl"), k->reason_ttl);
	p = put_addr(PUT_KEY(p, "reason_ip"), k->has_reason_ip ?
	    &k->reason_ip : NULL);
	p = out_fmt_u64(PUT_KEY(p, "tries"), k->tries);
	p = out_fmt_u64(PUT_KEY(p, "replies"), k->replies);
	return PUT_KEY(p, "rule");
}

/*
 * One port object, formatted by hand into the buffer (the same bytes as
 * the json_* helpers write): names, numbers, addresses and times need no
 * escaping; the label, service, rule and finding ids go through it.
 */
static void
json_row(struct out_buf *ob, const struct port_row *r, const char *label)
{
	size_t i;
	char *p;

	p = PUT_LIT(out_buf_room(ob, ROW_ROOM), "{\"type\":\"port\"");
	if (label != NULL) {
		ob->p = PUT_KEY(p, "capture");
		out_buf_json(ob, label);
		p = out_buf_room(ob, ROW_ROOM);
	}
	ob->p = PUT_KEY(put_row_fields(p, r), "service");
	buf_name(ob, r->service);
	ob->p = PUT_KEY(out_buf_room(ob, 32), "verdicts");
	out_buf_putc(ob, '[');
	for (i = 0; i < r->nkinds && i < PK_COUNT; i++) {
		ob->p = put_verdict(out_buf_room(ob, ADDR_STRLEN + 300),
		    &r->kinds[i], i);
		buf_name(ob, r->kinds[i].rule);
		out_buf_putc(ob, '}');
	}
	ob->p = PUT_LIT(out_buf_room(ob, 32), "],\"findings\":[");
	for (i = 0; i < r->nflags; i++) {
		if (i > 0)
			out_buf_putc(ob, ',');
		buf_name(ob, r->flags[i]);
	}
	ob->p = PUT_LIT(out_buf_room(ob, 8), "]}\n");
}

/* {"type":"finding",...}: the ports as "tcp/22" strings, evidence as is. */
/* ,"key": and s through the escaper (NULL: null). */
static void
buf_str(struct out_buf *ob, const char *key, const char *s)
{
	ob->p = put_key(out_buf_room(ob, 64), key);
	out_buf_json(ob, s);
}

static void
buf_addr(struct out_buf *ob, const char *key, const struct addr *a)
{
	char buf[ADDR_STRLEN];

	buf_str(ob, key, a != NULL ? out_addr(a, buf) : NULL);
}

static void
json_finding(struct out_buf *ob, const struct finding *f, const char *label)
{
	const char *p, *q;

	out_buf_puts(ob, "{\"type\":\"finding\"");
	if (label != NULL)
		buf_str(ob, "capture", label);
	buf_str(ob, "id", f->id);
	buf_str(ob, "severity", out_severity_name(f->severity));
	buf_addr(ob, "host", f->has_host ? &f->host : NULL);
	if (f->has_source)
		buf_addr(ob, "source", &f->source);
	out_buf_puts(ob, ",\"ports\":[");
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
			out_buf_putc(ob, ',');
		buf_name(ob, one);
	}
	out_buf_putc(ob, ']');
	ob->p = out_fmt_u64(PUT_KEY(out_buf_room(ob, 64), "count"), f->count);
	buf_str(ob, "message", f->message);
	buf_str(ob, "rule", f->rule);
	ob->p = PUT_KEY(out_buf_room(ob, 64), "evidence");
	out_buf_puts(ob, f->evidence != NULL ? f->evidence : "{}");
	out_buf_puts(ob, "}\n");
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
	const char *label = opts != NULL ? opts->input_label : NULL;
	struct out_buf *ob = xmalloc(sizeof(*ob));
	const struct port_row *rows;
	struct row_iter it;
	size_t i, n;

	out_buf_init(ob, fp);
	results_iter_init(&it, res);
	while (!ob->error && (n = results_iter_host(&it, &rows)) > 0)
		for (i = 0; i < n && !ob->error; i++)
			json_row(ob, &rows[i], label);
	results_iter_done(&it);
	for (i = 0; i < res->nfindings && !ob->error; i++)
		json_finding(ob, &res->findings[i], label);
	out_buf_flush(ob);
	free(ob);
	json_summary(fp, &res->summary, label);
	if (fflush(fp) == EOF || ferror(fp))
		return -1;
	return 0;
}
