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
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "xmalloc.h"


#define KINDS_BUF 1024 /* PK_COUNT x "tcp-other=closed|filtered/..." */
#define NAME_MAX_PLAIN 40 /* buf_name(): longer names take buf_field() */

static int out_csv_write(
    FILE *fp, const struct results *res, const struct out_opts *opts);
static bool needs_quotes(const char *s, size_t n);
static void out_csv_field(FILE *fp, const char *s, bool first);
static void buf_field(struct out_buf *ob, const char *s, size_t n);
static void buf_name(struct out_buf *ob, const char *s);
struct host_text;
static void out_csv_row(struct out_buf *ob, const struct port_row *r,
    const struct host_text *host, const char *label);

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
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return true;
	return n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t');
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

/* ",field": bare, or through libcsv when it needs quoting. */
static void
buf_field(struct out_buf *ob, const char *s, size_t n)
{
	out_buf_putc(ob, ',');
	if (!needs_quotes(s, n)) {
		out_buf_put(ob, s, n);
		return;
	}
	out_buf_flush(ob);
	csv_fwrite(ob->fp, s, n);
}

/*
 * ",name" (NULL: ","): a short name without specials is copied while
 * checked; anything else goes through buf_field().
 */
static void
buf_name(struct out_buf *ob, const char *s)
{
	char *p = out_buf_room(ob, NAME_MAX_PLAIN + 1), *q = p + 1;
	size_t i;

	*p = ',';
	if (s == NULL) {
		ob->p = q;
		return;
	}
	for (i = 0; i < NAME_MAX_PLAIN && s[i] != '\0'; i++) {
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			break;
		q[i] = s[i];
	}
	if (s[i] == '\0' && (i == 0 || (s[0] != ' ' && s[0] != '\t' &&
	    s[i - 1] != ' ' && s[i - 1] != '\t'))) {
		ob->p = q + i;
		return;
	}
	buf_field(ob, s, strlen(s));
}

/* The text of the host all rows of a group share, formatted once. */
struct host_text {
	char s[ADDR_STRLEN];
	size_t n;
};

/*
 * One row, formatted by hand into the buffer: addresses, numbers, names
 * and times never need quoting; the service, the finding ids and the
 * label might, so they go through buf_field().
 */
static void
out_csv_row(struct out_buf *ob, const struct port_row *r,
    const struct host_text *host, const char *label)
{
	char text[KINDS_BUF], *p;
	size_t i, n;

	p = out_buf_room(ob, 3 * ADDR_STRLEN + 2 * OUT_ISO_BUF + 160);
	if (host->n <= 16)	/* IPv4: one fixed-size copy */
		memcpy(p, host->s, 16);
	else
		memcpy(p, host->s, host->n);
	p += host->n;
	*p++ = ',';
	p = out_fmt_proto(p, r->proto);
	*p++ = ',';
	p = out_fmt_u64(p, r->port);
	*p++ = ',';
	p = out_fmt_state(p, r->state);
	*p++ = ',';
	p = out_fmt_reason(p, r->reason);
	*p++ = ',';
	p = out_fmt_u64(p, r->reason_ttl);
	*p++ = ',';
	if (r->has_reason_ip)
		p = out_fmt_addr(p, &r->reason_ip);
	*p++ = ',';
	p = out_fmt_addr(p, &r->scanner);
	*p++ = ',';
	p = out_fmt_u64(p, r->probes);
	*p++ = ',';
	p = out_fmt_u64(p, r->responses);
	*p++ = ',';
	if (r->rtt_ms >= 0 && r->rtt_ms < 1e12) /* also rejects NaN */
		p = out_fmt_ms3(p, r->rtt_ms);
	*p++ = ',';
	p = out_fmt_time(p, r->first_ns);
	*p++ = ',';
	p = out_fmt_time(p, r->last_ns);
	ob->p = p;
	buf_name(ob, r->service);
	/* "syn=open/syn-ack;xmas=closed/reset": names only, no quoting. */
	p = out_buf_room(ob, PK_COUNT * 64 + 1);
	*p++ = ',';
	for (i = 0; i < r->nkinds && i < PK_COUNT; i++) {
		const struct kind_verdict *k = &r->kinds[i];

		if (i > 0)
			*p++ = ';';
		p = out_fmt_kind(p, k->kind);
		*p++ = '=';
		p = out_fmt_state(p, k->state);
		*p++ = '/';
		p = out_fmt_reason(p, k->reason);
	}
	ob->p = p;
	/* "silent-drop;icmp-reject": the findings that concern this row. */
	for (i = n = 0; i < r->nflags && n < sizeof(text) - 1; i++) {
		size_t k = strlen(r->flags[i]);

		if (i > 0)
			text[n++] = ';';
		if (k > sizeof(text) - 1 - n)
			k = sizeof(text) - 1 - n; /* cut as snprintf() did */
		memcpy(text + n, r->flags[i], k);
		n += k;
	}
	if (n > 0)
		buf_field(ob, text, n);
	else
		out_buf_putc(ob, ',');
	if (label != NULL)
		buf_field(ob, label, strlen(label));
	out_buf_putc(ob, '\n');
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
	const char *label = opts != NULL ? opts->input_label : NULL;
	const struct port_row *rows;
	struct host_text host;
	struct row_iter it;
	struct out_buf *ob;
	size_t i, n;
	int err;

	if (opts == NULL || !opts->continued) {
		for (i = 0; out_csv_header[i] != NULL; i++)
			out_csv_field(fp, out_csv_header[i], i == 0);
		if (label != NULL)
			out_csv_field(fp, "capture", false);
		putc('\n', fp);
	}
	ob = xmalloc(sizeof(*ob));
	out_buf_init(ob, fp);
	results_iter_init(&it, res);
	while (!ob->error && (n = results_iter_host(&it, &rows)) > 0) {
		host.n = (size_t)(out_fmt_addr(host.s, &rows[0].host) - host.s);
		for (i = 0; i < n && !ob->error; i++)
			out_csv_row(ob, &rows[i], &host, label);
	}
	results_iter_done(&it);
	err = out_buf_flush(ob);
	free(ob);
	if (err != 0 || fflush(fp) == EOF || ferror(fp))
		return -1;
	return 0;
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
