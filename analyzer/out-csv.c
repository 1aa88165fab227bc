/*
 * out-csv.c -- one CSV record per port row (RFC 4180), for spreadsheets.
 *
 * Fields that need quoting (a comma, quote, CR/LF, or surrounding blanks)
 * go through libcsv's csv_fwrite(), which always quotes; the others are
 * written bare so the header and plain rows stay readable. Quoting is
 * thereby never hand-rolled. Times are capture times, ISO 8601 UTC.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <csv.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "out.h"


static int out_csv_write(
    FILE *fp, const struct results *res, const struct out_opts *opts);
static bool needs_quotes(const char *s, size_t n);
static void out_csv_field(FILE *fp, const char *s, bool first);
static void out_csv_u64(FILE *fp, uint64_t v);
static void out_csv_row(FILE *fp, const struct port_row *r,
    const char *label);

const struct out_ops out_csv_ops = {
	.name = "csv",
	.desc = "one CSV record per probed port, with a header",
	.write = out_csv_write,
};

static const char *const out_csv_header[] = {
	"host",
	"proto",
	"port",
	"state",
	"reason",
	"reason_ttl",
	"reason_ip",
	"scanner",
	"probes",
	"responses",
	"rtt_ms",
	"first_seen",
	"last_seen",
	"service",
	"kinds",
	"findings",
	NULL,
};

/* RFC 4180 specials, and blanks that readers would trim. */
static bool
needs_quotes(const char *s, size_t n)
{
	if (strpbrk(s, ",\"\r\n") != NULL)
		return true;
	return n > 0 &&
	    (strchr(" \t", s[0]) != NULL || strchr(" \t", s[n - 1]) != NULL);
}

static void
out_csv_field(FILE *fp, const char *s, bool first)
{
	size_t n = strlen(s);

	if (!first)
		putc(',', fp);
	if (needs_quotes(s, n))
		csv_fwrite(fp, s, n);
	else
		fwrite(s, 1, n, fp);
}

static void
out_csv_u64(FILE *fp, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	out_csv_field(fp, buf, false);
}



/* "syn=open/syn-ack;xmas=closed/reset" */
void
out_kinds_text(const struct port_row *r, char *buf, size_t len)
{
	const struct kind_verdict *k;
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < r->nkinds && i < PK_COUNT; i++) {
		k = &r->kinds[i];
		n = snprintf(buf + off, len - off, "%s%s=%s/%s",
		    i > 0 ? ";" : "", probe_kind_name(k->kind),
		    port_state_name(k->state), reason_name(k->reason));
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

/* "silent-drop;icmp-reject": the findings that concern this row. */
void
out_flags_text(const struct port_row *r, char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < r->nflags; i++) {
		n = snprintf(buf + off, len - off, "%s%s", i ? ";" : "",
		    r->flags[i]);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

static void
out_csv_row(FILE *fp, const struct port_row *r, const char *label)
{
	char a[ADDR_STRLEN], t[OUT_ISO_BUF], kinds[OUT_KINDS_BUF], rtt[32];

	out_csv_field(fp, out_addr(&r->host, a), true);
	out_csv_field(fp, out_proto_name(r->proto), false);
	out_csv_u64(fp, r->port);
	out_csv_field(fp, port_state_name(r->state), false);
	out_csv_field(fp, reason_name(r->reason), false);
	out_csv_u64(fp, r->reason_ttl);
	out_csv_field(
	    fp, r->has_reason_ip ? addr_str(&r->reason_ip, a) : "", false);
	out_csv_field(fp, out_addr(&r->scanner, a), false);
	out_csv_u64(fp, r->probes);
	out_csv_u64(fp, r->responses);
	rtt[0] = '\0';
	if (r->rtt_ms >= 0 && r->rtt_ms < 1e12) /* also rejects NaN */
		snprintf(rtt, sizeof(rtt), "%.3f", r->rtt_ms);
	out_csv_field(fp, rtt, false);
	out_iso_time(r->first_ns, t, sizeof(t));
	out_csv_field(fp, t, false);
	out_iso_time(r->last_ns, t, sizeof(t));
	out_csv_field(fp, t, false);
	out_csv_field(fp, r->service != NULL ? r->service : "", false);
	out_kinds_text(r, kinds, sizeof(kinds));
	out_csv_field(fp, kinds, false);
	out_flags_text(r, kinds, sizeof(kinds));
	out_csv_field(fp, kinds, false);
	if (label != NULL)
		out_csv_field(fp, label, false);
	putc('\n', fp);
}

static const char *const findings_header[] = { "id", "severity", "host",
	"source", "ports", "count", "message", "rule", NULL };

int
out_csv_findings(FILE *fp, const struct results *res, const char *label,
    bool header)
{
	char a[ADDR_STRLEN], n[24];
	size_t i;

	for (i = 0; header && findings_header[i] != NULL; i++)
		out_csv_field(fp, findings_header[i], i == 0);
	if (header && label != NULL)
		out_csv_field(fp, "capture", false);
	if (header)
		putc('\n', fp);
	for (i = 0; i < res->nfindings && !ferror(fp); i++) {
		const struct finding *f = &res->findings[i];

		out_csv_field(fp, f->id, true);
		out_csv_field(fp, out_severity_name(f->severity), false);
		out_csv_field(fp, f->has_host ? addr_str(&f->host, a) : "",
		    false);
		out_csv_field(fp, f->has_source ? addr_str(&f->source, a) : "",
		    false);
		out_csv_field(fp, f->ports != NULL ? f->ports : "", false);
		snprintf(n, sizeof(n), "%u", (unsigned)f->count);
		out_csv_field(fp, n, false);
		out_csv_field(fp, f->message, false);
		out_csv_field(fp, f->rule, false);
		if (label != NULL)
			out_csv_field(fp, label, false);
		putc('\n', fp);
	}
	return ferror(fp) ? -1 : 0;
}

static int
out_csv_write(FILE *fp, const struct results *res, const struct out_opts *opts)
{
	size_t i;

	const char *label = opts != NULL ? opts->input_label : NULL;

	if (opts == NULL || !opts->continued) {
		for (i = 0; out_csv_header[i] != NULL; i++)
			out_csv_field(fp, out_csv_header[i], i == 0);
		if (label != NULL)
			out_csv_field(fp, "capture", false);
		putc('\n', fp);
	}
	for (i = 0; i < res->nrows && !ferror(fp); i++)
		out_csv_row(fp, &res->rows[i], label);
	if (fflush(fp) == EOF || ferror(fp))
		return -1;
	return 0;
}
