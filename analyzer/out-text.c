/*
 * out-text.c -- nmap-style normal output (nmap output.cc printportoutput
 * with --reason): per target host a header, the scanners that probed it,
 * a "Not shown:" line for every non-open state with TUN_COLLAPSE_MIN or
 * more ports (unless verbose), then a PORT STATE SERVICE REASON table.
 *
 * Like nmap >= 7.92, "Not shown" has one entry per (state, proto, reason),
 * entries of a state ordered by count, states ordered by their total:
 * "Not shown: 65021 filtered tcp ports (no-response), 511 filtered tcp
 * ports (admin-prohibited)". Rows must be in results_sort() order.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "tunables.h"
#include "xmalloc.h"

#define PROTO_SLOTS  3              /* tcp, udp, anything else */
#define REASON_SLOTS (RS_COUNT + 1) /* the last one: out-of-range value */
#define PORT_BUF     24             /* "65535/unknown" */
#define REASON_BUF   128            /* "dest-unreach from <IPv6> ttl 255" */
#define SCANNERS_FEW 16             /* distinct scanners collected before
                                       sorting every row's instead */

struct text_host {
	size_t lo, hi;                  /* rows [lo, hi) are this host's */
	uint32_t nstate[PS_COUNT];      /* rows per state */
	bool hide[PS_COUNT];            /* state collapsed into "Not shown" */
	size_t nshown;                  /* rows printed in the table */
	size_t wport, wstate, wservice; /* column widths */
};

static int text_write(
    FILE *fp, const struct results *res, const struct out_opts *opts);
static unsigned state_idx(uint8_t s);
static unsigned proto_idx(uint8_t p);
static const char *proto_str(uint8_t p);
static const char *service_str(const struct port_row *r);
static size_t port_text(const struct port_row *r, char *buf, size_t len);
static size_t reason_text(const struct port_row *r, char *buf, size_t len);
static void host_scan(
    const struct results *res, size_t lo, int verbose, struct text_host *h);
static int addr_qcmp(const void *a, const void *b);
static size_t sorted_scanners(const struct results *res,
    const struct text_host *h, struct addr *s);
static void put_cell(FILE *fp, const char *s, size_t width);
static void put_safe(FILE *fp, const char *s);
static void print_finding(FILE *fp, const struct finding *f);
static void print_host_findings(FILE *fp, const struct results *res,
    const struct addr *host, bool *done);
static void print_scanners(FILE *fp, const struct results *res,
    const struct text_host *h, struct addr **scratch, size_t *cap);
static void print_not_shown(
    FILE *fp, const struct results *res, const struct text_host *h);
static void print_table(
    FILE *fp, const struct results *res, const struct text_host *h);

static const char *const proto_names[PROTO_SLOTS] = { "tcp", "udp", "unknown" };

const struct out_ops out_text_ops = {
	.name = "text",
	.desc = "nmap-style port tables with reasons (default)",
	.write = text_write,
};

static unsigned
state_idx(uint8_t s)
{
	return s < PS_COUNT ? s : PS_UNKNOWN;
}

static unsigned
proto_idx(uint8_t p)
{
	return p == 6 ? 0 : p == 17 ? 1 : 2;
}

static const char *
proto_str(uint8_t p)
{
	return proto_names[proto_idx(p)];
}

static const char *
service_str(const struct port_row *r)
{
	return r->service != NULL ? r->service : "unknown";
}

static size_t
port_text(const struct port_row *r, char *buf, size_t len)
{
	int n =
	    snprintf(buf, len, "%u/%s", (unsigned)r->port, proto_str(r->proto));

	return n < 0 ? 0 : (size_t)n;
}

/* nmap port_reason_str() plus " ttl N" when a reply had a TTL. */
static size_t
reason_text(const struct port_row *r, char *buf, size_t len)
{
	char ip[ADDR_STRLEN];
	int n;

	n = snprintf(buf, len, "%s%s%s", reason_name(r->reason),
	    r->has_reason_ip ? " from " : "",
	    r->has_reason_ip ? addr_str(&r->reason_ip, ip) : "");
	if (n >= 0 && (size_t)n < len && r->reason_ttl != 0)
		n += snprintf(buf + n, len - (size_t)n, " ttl %u",
		    (unsigned)r->reason_ttl);
	return n < 0 ? 0 : (size_t)n;
}

/* Find the host's row range, count states, decide collapsing and widths. */
static void
host_scan(
    const struct results *res, size_t lo, int verbose, struct text_host *h)
{
	char buf[PORT_BUF];
	const struct port_row *r;
	size_t i, n;
	unsigned s;

	memset(h, 0, sizeof(*h));
	h->lo = lo;
	for (i = lo; i < res->nrows; i++) {
		if (!addr_eq(&res->rows[i].host, &res->rows[lo].host))
			break;
		h->nstate[state_idx(res->rows[i].state)]++;
	}
	h->hi = i;
	for (s = 0; s < PS_COUNT; s++)
		h->hide[s] = verbose <= 0 && s != PS_OPEN &&
		    h->nstate[s] >= TUN_COLLAPSE_MIN;
	h->wport = strlen("PORT");
	h->wstate = strlen("STATE");
	h->wservice = strlen("SERVICE");
	for (i = h->lo; i < h->hi; i++) {
		r = &res->rows[i];
		s = state_idx(r->state);
		if (h->hide[s])
			continue;
		h->nshown++;
		if ((n = port_text(r, buf, sizeof(buf))) > h->wport)
			h->wport = n;
		if ((n = strlen(port_state_name(s))) > h->wstate)
			h->wstate = n;
		if ((n = strlen(service_str(r))) > h->wservice)
			h->wservice = n;
	}
}

static int
addr_qcmp(const void *a, const void *b)
{
	return addr_cmp(a, b);
}

/*
 * Writes s padded to width, printable ASCII only: service names come from
 * a file, and a stray escape sequence must not reach a terminal.
 */
static void
put_cell(FILE *fp, const char *s, size_t width)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		putc(*s >= 0x20 && *s < 0x7f ? *s : '?', fp);
	for (; n < width; n++)
		putc(' ', fp);
}

/*
 * The scanners of h's rows into s (room for every row), sorted; returns
 * how many (duplicates may remain, adjacent). A host is probed by few
 * scanners: they are collected without repeats and only those sorted;
 * past SCANNERS_FEW, every row's scanner is sorted.
 */
static size_t
sorted_scanners(const struct results *res, const struct text_host *h,
    struct addr *s)
{
	size_t i, j, n = h->hi - h->lo, nd = 0, last = 0;

	for (i = 0; i < n; i++) {
		const struct addr *a = &res->rows[h->lo + i].scanner;

		if (nd > 0 && addr_eq(&s[last], a))
			continue;
		for (j = 0; j < nd && !addr_eq(&s[j], a); j++)
			;
		if (j < nd) {
			last = j;
			continue;
		}
		if (nd == SCANNERS_FEW)
			break;
		s[nd] = *a;
		last = nd++;
	}
	if (i < n) {
		for (i = 0; i < n; i++)
			s[i] = res->rows[h->lo + i].scanner;
		nd = n;
	}
	if (nd > 1)
		qsort(s, nd, sizeof(*s), addr_qcmp);
	return nd;
}

static void
print_scanners(FILE *fp, const struct results *res, const struct text_host *h,
    struct addr **scratch, size_t *cap)
{
	char buf[ADDR_STRLEN];
	size_t i, n = h->hi - h->lo;

	if (n > *cap) {
		*scratch = xreallocarray(*scratch, n, sizeof(**scratch));
		*cap = n;
	}
	n = sorted_scanners(res, h, *scratch);
	fputs("Probed by:", fp);
	for (i = 0; i < n; i++) {
		if (i > 0 && addr_eq(&(*scratch)[i], &(*scratch)[i - 1]))
			continue;
		fprintf(fp, "%s %s", i > 0 ? "," : "",
		    addr_str(&(*scratch)[i], buf));
	}
	putc('\n', fp);
}

static void
print_not_shown(FILE *fp, const struct results *res, const struct text_host *h)
{
	uint32_t cnt[PROTO_SLOTS][REASON_SLOTS];
	struct out_reason_group g[PROTO_SLOTS * REASON_SLOTS];
	bool done[PS_COUNT] = { false };
	const struct port_row *r;
	size_t i, ng;
	unsigned s, best, p, rs;
	bool first = true;

	for (;;) {
		/* Next hidden state: most ports first, ties in enum order. */
		best = PS_COUNT;
		for (s = 0; s < PS_COUNT; s++)
			if (h->hide[s] && !done[s] &&
			    (best == PS_COUNT ||
				h->nstate[s] > h->nstate[best]))
				best = s;
		if (best == PS_COUNT)
			break;
		done[best] = true;
		memset(cnt, 0, sizeof(cnt));
		for (i = h->lo; i < h->hi; i++) {
			r = &res->rows[i];
			if (state_idx(r->state) != best)
				continue;
			rs = r->reason < RS_COUNT ? r->reason : RS_COUNT;
			cnt[proto_idx(r->proto)][rs]++;
		}
		ng = 0;
		for (p = 0; p < PROTO_SLOTS; p++)
			for (rs = 0; rs < REASON_SLOTS; rs++)
				if (cnt[p][rs] > 0) {
					g[ng].count = cnt[p][rs];
					g[ng].proto = p;
					g[ng].reason = rs;
					ng++;
				}
		qsort(g, ng, sizeof(g[0]), out_reason_group_cmp);
		for (i = 0; i < ng; i++) {
			/* nmap: "port" only when the whole state has one. */
			fprintf(fp, "%s%" PRIu32 " %s %s %s (%s)",
			    first ? "Not shown: " : ", ", g[i].count,
			    port_state_name(best), proto_names[g[i].proto],
			    h->nstate[best] == 1 ? "port" : "ports",
			    reason_name(g[i].reason));
			first = false;
		}
	}
	if (!first)
		putc('\n', fp);
}

static void
print_table(FILE *fp, const struct results *res, const struct text_host *h)
{
	char pbuf[PORT_BUF], rbuf[REASON_BUF];
	const struct port_row *r;
	size_t i;
	unsigned s;

	put_cell(fp, "PORT", h->wport + 1);
	put_cell(fp, "STATE", h->wstate + 1);
	put_cell(fp, "SERVICE", h->wservice + 1);
	fputs("REASON\n", fp);
	for (i = h->lo; i < h->hi; i++) {
		r = &res->rows[i];
		s = state_idx(r->state);
		if (h->hide[s])
			continue;
		port_text(r, pbuf, sizeof(pbuf));
		reason_text(r, rbuf, sizeof(rbuf));
		put_cell(fp, pbuf, h->wport + 1);
		put_cell(fp, port_state_name(s), h->wstate + 1);
		put_cell(fp, service_str(r), h->wservice + 1);
		fputs(rbuf, fp);
		putc('\n', fp);
	}
}

/* Text from rules and captures: printable ASCII only, the rest as '?'. */
static void
put_safe(FILE *fp, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		putc(*s >= 0x20 && *s < 0x7f ? *s : '?', fp);
}

static void
print_finding(FILE *fp, const struct finding *f)
{
	fprintf(fp, "  [%s] %s: ", out_severity_name(f->severity), f->id);
	put_safe(fp, f->message);
	putc('\n', fp);
}

/* Findings about host (sorted by host): from *next on, while they match. */
static void
print_host_findings(FILE *fp, const struct results *res,
    const struct addr *host, bool *done)
{
	size_t i, lo, hi;
	bool any = false;

	results_findings_of(res, host, &lo, &hi);
	for (i = lo; i < hi; i++) {
		const struct finding *f = &res->findings[i];

		if (done[i])
			continue;
		if (!any)
			fputs("Findings:\n", fp);
		any = true;
		print_finding(fp, f);
		done[i] = true;
	}
}

static int
text_write(FILE *fp, const struct results *res, const struct out_opts *opts)
{
	const struct run_summary *sum = &res->summary;
	struct text_host h;
	struct addr *scratch = NULL;
	const struct port_row *rows;
	struct row_iter it;
	struct results view;
	size_t lo, n, cap = 0;
	char buf[ADDR_STRLEN];
	int verbose = opts != NULL ? opts->verbose : 0;
	bool *done = calloc(res->nfindings + 1, sizeof(*done));
	bool any = false;

	if (done == NULL)
		return -1;
	if (opts != NULL && opts->input_label != NULL) {
		fputs("== ", fp);
		put_safe(fp, opts->input_label);
		fputs(" ==\n", fp);
	}
	results_iter_init(&it, res);
	while (!ferror(fp) && (n = results_iter_host(&it, &rows)) > 0) {
		results_host_view(res, rows, n, &view);
		host_scan(&view, 0, verbose, &h);
		fprintf(fp, "portsleuth report for %s\n",
		    addr_str(&rows[0].host, buf));
		print_scanners(fp, &view, &h, &scratch, &cap);
		if (h.nshown == 0)
			fprintf(fp,
			    "All %zu scanned ports on %s are in "
			    "ignored states.\n",
			    h.hi - h.lo, buf);
		print_not_shown(fp, &view, &h);
		if (h.nshown > 0)
			print_table(fp, &view, &h);
		print_host_findings(fp, res, &rows[0].host, done);
		putc('\n', fp);
	}
	results_iter_done(&it);
	for (lo = 0; lo < res->nfindings; lo++) {
		if (done[lo])
			continue;
		if (!any)
			fputs("Other findings:\n", fp);
		any = true;
		print_finding(fp, &res->findings[lo]);
	}
	if (any)
		putc('\n', fp);
	free(done);
	free(scratch);
	fprintf(fp,
	    "%" PRIu32 " hosts, %zu ports probed; read %" PRIu64
	    " packets from %" PRIu32 " capture(s)\n",
	    sum->hosts, res->nrows, sum->packets, sum->captures);
	if (sum->partial)
		fputs("WARNING: partial results (input truncated or state "
		      "table full)\n",
		    fp);
	if (fflush(fp) == EOF || ferror(fp))
		return -1;
	return 0;
}

int
out_summary_text(FILE *fp, const struct run_summary *s)
{
	unsigned st;

	fprintf(fp, "Summary: %" PRIu32 " capture(s), %" PRIu64 " packets "
	    "(%" PRIu64 " bytes, %" PRIu64 " malformed), %" PRIu64
	    " probes, %" PRIu32 " hosts\n", s->captures, s->packets, s->bytes,
	    s->malformed, s->probes, s->hosts);
	fputs("Ports:", fp);
	for (st = PS_UNKNOWN + 1; st < PS_COUNT; st++)
		fprintf(fp, " %s %" PRIu32 "%s", port_state_name(st),
		    s->ports_by_state[st], st + 1 < PS_COUNT ? "," : "\n");
	fprintf(fp, "Findings: high %" PRIu32 ", medium %" PRIu32 ", low %"
	    PRIu32 ", info %" PRIu32 "\n", s->findings_by_severity[3],
	    s->findings_by_severity[2], s->findings_by_severity[1],
	    s->findings_by_severity[0]);
	if (s->packets > 0) {
		char a[OUT_ISO_BUF], b[OUT_ISO_BUF];

		out_iso_time(s->first_ns, a, sizeof(a));
		out_iso_time(s->last_ns, b, sizeof(b));
		fprintf(fp, "Time span: %s to %s (%.3f s)\n", a, b,
		    (double)(s->last_ns - s->first_ns) / 1e9);
	}
	if (s->partial)
		fputs("Partial: yes (an input was skipped, truncated or "
		    "corrupt, or a table was full)\n", fp);
	if (results_limited(s)) {
		char lim[512];

		results_limits_text(s, lim, sizeof(lim));
		fprintf(fp, "Limits: %s\n", lim);
	}
	return ferror(fp) ? -1 : 0;
}
