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

#define ISO_BUF   40   /* "2026-11-01T14:41:28.589477Z" */
#define KINDS_BUF 1024 /* PK_COUNT x "tcp-other=closed|filtered/..." */

static int out_csv_write(
    FILE *fp, const struct results *res, const struct out_opts *opts);
static bool needs_quotes(const char *s, size_t n);
static void out_csv_field(FILE *fp, const char *s, bool first);
static const char *proto_name(uint8_t p);
static void out_csv_u64(FILE *fp, uint64_t v);
static void iso_time(uint64_t ns, char *buf, size_t len);
static void kinds_text(const struct port_row *r, char *buf, size_t len);
static void out_csv_row(FILE *fp, const struct port_row *r);

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

static const char *
proto_name(uint8_t p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : "unknown";
}

/* Capture time (ns since the epoch) as UTC with microseconds. */
static void
iso_time(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;
	size_t n;

	if (gmtime_r(&t, &tm) == NULL ||
	    (n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(
	    buf + n, len - n, ".%06uZ", (unsigned)(ns % 1000000000u / 1000u));
}

/* "syn=open/syn-ack;xmas=closed/reset" */
static void
kinds_text(const struct port_row *r, char *buf, size_t len)
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

static void
out_csv_row(FILE *fp, const struct port_row *r)
{
	char a[ADDR_STRLEN], t[ISO_BUF], kinds[KINDS_BUF], rtt[32];

	out_csv_field(fp, addr_str(&r->host, a), true);
	out_csv_field(fp, proto_name(r->proto), false);
	out_csv_u64(fp, r->port);
	out_csv_field(fp, port_state_name(r->state), false);
	out_csv_field(fp, reason_name(r->reason), false);
	out_csv_u64(fp, r->reason_ttl);
	out_csv_field(
	    fp, r->has_reason_ip ? addr_str(&r->reason_ip, a) : "", false);
	out_csv_field(fp, addr_str(&r->scanner, a), false);
	out_csv_u64(fp, r->probes);
	out_csv_u64(fp, r->responses);
	rtt[0] = '\0';
	if (r->rtt_ms >= 0 && r->rtt_ms < 1e12) /* also rejects NaN */
		snprintf(rtt, sizeof(rtt), "%.3f", r->rtt_ms);
	out_csv_field(fp, rtt, false);
	iso_time(r->first_ns, t, sizeof(t));
	out_csv_field(fp, t, false);
	iso_time(r->last_ns, t, sizeof(t));
	out_csv_field(fp, t, false);
	out_csv_field(fp, r->service != NULL ? r->service : "", false);
	kinds_text(r, kinds, sizeof(kinds));
	out_csv_field(fp, kinds, false);
	putc('\n', fp);
}

static int
out_csv_write(FILE *fp, const struct results *res, const struct out_opts *opts)
{
	size_t i;

	(void)opts;
	for (i = 0; out_csv_header[i] != NULL; i++)
		out_csv_field(fp, out_csv_header[i], i == 0);
	putc('\n', fp);
	for (i = 0; i < res->nrows && !ferror(fp); i++)
		out_csv_row(fp, &res->rows[i]);
	if (fflush(fp) == EOF || ferror(fp))
		return -1;
	return 0;
}
