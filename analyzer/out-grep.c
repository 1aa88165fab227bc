/*
 * out-grep.c -- nmap's grepable output (-oG): a header comment, per host a
 * "Status: Up" line and a "Ports:" line, and a closing comment.
 *
 *   Host: 192.0.2.10 ()<TAB>Ports: 22/open/tcp//ssh///, ...<TAB>Ignored
 *   State: filtered (30)
 *
 * A port is port/state/proto/owner/service/rpc/version/ (output.cc
 * printportoutput); owner, rpc and version are always empty here and '/'
 * in the service name becomes '|'. Grepable output has room for one
 * ignored state only (nmap skips the field when there are more), so the
 * non-open state with the most ports, if it has TUN_COLLAPSE_MIN or more,
 * is the ignored one and every other port is listed; verbose lists all.
 * When every port is in the ignored state the "Ports:" field is left out.
 * Ports, hosts and times are chosen as in out-xml.c (see xmlw.h); findings
 * have no place in this format. Times are capture times in UTC.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "out.h"
#include "tunables.h"
#include "xmlw.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

static int grep_write(
    FILE *fp, const struct results *res, const struct out_opts *opts);
static void put_text(FILE *fp, const char *s, bool slash);
static unsigned ignored_state(const struct xmlw_host *h, int verbose);
static void grep_host(FILE *fp, const struct results *res,
    const struct xmlw_host *h, int verbose);

const struct out_ops out_grep_ops = {
	.name = "grep",
	.desc = "nmap grepable format: one Ports: line per host",
	.write = grep_write,
};

/*
 * Printable ASCII only (one record a line, tabs separate fields); in a
 * field of the port list (slash) '/', the separator, becomes '|'.
 */
static void
put_text(FILE *fp, const char *s, bool slash)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (slash && *s == '/')
			putc('|', fp);
		else
			putc(*s >= 0x20 && *s < 0x7f ? *s : '?', fp);
	}
}

/* The state to collapse, or PS_COUNT for none. */
static unsigned
ignored_state(const struct xmlw_host *h, int verbose)
{
	unsigned s, best = PS_COUNT;

	if (verbose > 0)
		return PS_COUNT;
	for (s = 0; s < PS_COUNT; s++)
		if (s != PS_OPEN && h->nstate[s] >= TUN_COLLAPSE_MIN &&
		    (best == PS_COUNT || h->nstate[s] > h->nstate[best]))
			best = s;
	return best;
}

static void
grep_host(
    FILE *fp, const struct results *res, const struct xmlw_host *h, int verbose)
{
	const struct port_row *r;
	char buf[ADDR_STRLEN];
	unsigned ign = ignored_state(h, verbose);
	size_t i, k, next;
	bool first = true;

	addr_str(&res->rows[h->lo].host, buf);
	fprintf(fp, "Host: %s ()\tStatus: Up\n", buf);
	fprintf(fp, "Host: %s ()", buf);
	for (i = h->lo; i < h->hi; i = next) {
		k = xmlw_pick(res, h, i, &next);
		if (k == (size_t)-1)
			continue;
		r = &res->rows[k];
		if (xmlw_state(r->state) == ign)
			continue;
		fputs(first ? "\tPorts: " : ", ", fp);
		first = false;
		fprintf(fp, "%u/%s/%s//", (unsigned)r->port,
		    port_state_name(xmlw_state(r->state)),
		    out_proto_name(r->proto));
		put_text(fp, r->service, true);
		fputs("///", fp);
	}
	if (ign != PS_COUNT)
		fprintf(fp, "\tIgnored State: %s (%" PRIu32 ")",
		    port_state_name(ign), h->nstate[ign]);
	putc('\n', fp);
}

static int
grep_write(FILE *fp, const struct results *res, const struct out_opts *opts)
{
	const struct run_summary *sum = &res->summary;
	const char *label = opts != NULL ? opts->input_label : NULL;
	int verbose = opts != NULL ? opts->verbose : 0;
	char when[XMLW_TIME_BUF];
	struct xmlw_host h;
	uint32_t nhosts = 0;
	uint64_t span, cs;
	bool have = sum->packets > 0;
	const struct port_row *rows;
	struct row_iter it;
	struct results view;
	size_t n;

	if (have)
		xmlw_ctime(sum->first_ns, when);
	fprintf(fp,
	    "# portsleuth " PACKAGE_VERSION " scan initiated %s as: "
	    "portsleuth -f grep",
	    have ? when : "(no packets)");
	if (label != NULL && *label != '\0') {
		putc(' ', fp);
		put_text(fp, label, false);
	}
	putc('\n', fp);
	results_iter_init(&it, res);
	while (!ferror(fp) && (n = results_iter_host(&it, &rows)) > 0) {
		results_host_view(res, rows, n, &view);
		xmlw_host_scan(&view, 0, &h);
		if (h.nports == 0)
			continue;
		grep_host(fp, &view, &h, verbose);
		nhosts++;
	}
	results_iter_done(&it);
	span = have && sum->last_ns > sum->first_ns
	    ? sum->last_ns - sum->first_ns
	    : 0;
	cs = (span + 5000000u) / 10000000u;
	if (have)
		xmlw_ctime(sum->last_ns, when);
	fprintf(fp,
	    "# portsleuth done%s%s -- %" PRIu32 " IP address%s (%" PRIu32
	    " host%s up) scanned in %" PRIu64 ".%02" PRIu64 " seconds\n",
	    have ? " at " : "", have ? when : "", nhosts,
	    nhosts == 1 ? "" : "es", nhosts, nhosts == 1 ? "" : "s", cs / 100,
	    cs % 100);
	if (fflush(fp) == EOF || ferror(fp))
		return -1;
	return 0;
}
