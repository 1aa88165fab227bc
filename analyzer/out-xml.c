/*
 * out-xml.c -- nmap-compatible XML (-oX, xmloutputversion 1.05), valid
 * against the nmap.dtd Debian installs (package nmap-common), read by
 * ndiff and rendered by nmap.xsl.
 *
 * Layout follows nmap output.cc: nmaprun, scaninfo per scan type, one host
 * per target with status/address/hostnames/ports/hostscript/times, then
 * postscript and runstats. Differences forced by the data or the DTD:
 * - scanner="nmap": the DTD allows no other value; args and the leading
 *   comment say portsleuth.
 * - Several scanners of one (host, proto, port) give one <port>: the row
 *   that got a reply, else the first (xmlw_pick()).
 * - Every host is "up" (nothing would be printed for a down host): reason
 *   and TTL of its first own reply, or "user-set" (like -Pn) when only
 *   silence or other hosts' ICMP came back.
 * - <service> only when the services database names the port, as nmap
 *   does for ports missing from nmap-services.
 * - Findings are one script, "portsleuth", under the host's <hostscript>
 *   (the rest under <postscript>): one output line per finding and an NSE
 *   table of details each (see xml_scripts() for why only one).
 * - All times are capture times in UTC, never the wall clock.
 * A non-open state with TUN_COLLAPSE_MIN or more ports goes into
 * <extraports> (one per state, one <extrareasons> per reason and proto,
 * same order as the text writer's "Not shown"), unless verbose.
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
#include "xmlw.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

#define XML_STYLESHEET "file:///usr/share/nmap/nmap.xsl"
#define PORT_BITS      65536u
#define MIN_RTO_US     100000u /* nmap --min-rtt-timeout default */

/* A growing string. */
struct sbuf {
	char *s; /* NUL-terminated once anything was added */
	size_t len, cap;
};

/* A growing "1-21,23,80" list; ports must come in ascending order. */
struct ranges {
	struct sbuf buf;
	uint32_t count;  /* ports added */
	uint32_t lo, hi; /* pending run, valid when count > 0 */
};

static int xml_write(
    FILE *fp, const struct results *res, const struct out_opts *opts);
static void sbuf_add(struct sbuf *b, const char *s);
static void ranges_reset(struct ranges *rg);
static void ranges_flush(struct ranges *rg);
static void ranges_add(struct ranges *rg, uint32_t port);
static const char *ranges_str(struct ranges *rg);
static char *args_text(const struct out_opts *opts);
static void xml_header(
    struct xmlw *w, const struct results *res, const char *args, int verbose);
static void xml_scaninfo(struct xmlw *w, const struct results *res);
static void xml_status(
    struct xmlw *w, const struct results *res, const struct xmlw_host *h);
static void xml_extraports(struct xmlw *w, const struct results *res,
    const struct xmlw_host *h, const bool hide[PS_COUNT]);
static void xml_port(struct xmlw *w, const struct port_row *r);
static void xml_times(struct xmlw *w, const struct xmlw_host *h);
static void xml_elem(struct xmlw *w, const char *key, const char *text);
static void xml_finding(struct xmlw *w, const struct finding *f);
static bool finding_for(const struct results *res, size_t i,
    const struct addr *host, const bool *done);
static void xml_scripts(struct xmlw *w, const struct results *res,
    const char *elem, const struct addr *host, bool *done);
static void xml_host(struct xmlw *w, const struct results *res,
    const struct xmlw_host *h, int verbose, bool *done);
static void xml_runstats(
    struct xmlw *w, const struct results *res, uint32_t nhosts);

const struct out_ops out_xml_ops = {
	.name = "xml",
	.desc = "nmap-compatible XML (nmap.dtd; ndiff, nmap.xsl)",
	.write = xml_write,
};

/* nmap scan types (scaninfo type=) by probe kind; NULL: nmap has none. */
static const char *const scan_types[PK_COUNT] = {
	[PK_SYN] = "syn",
	[PK_CONNECT] = "connect",
	[PK_ACK] = "ack",
	[PK_NULL] = "null",
	[PK_FIN] = "fin",
	[PK_XMAS] = "xmas",
	[PK_MAIMON] = "maimon",
	[PK_UDP] = "udp",
};

static void
sbuf_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		b->cap = b->cap * 2 + n + 64;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static void
ranges_reset(struct ranges *rg)
{
	rg->buf.len = 0;
	rg->count = 0;
}

static void
ranges_flush(struct ranges *rg)
{
	char one[24];
	int n;

	if (rg->count == 0)
		return;
	if (rg->lo == rg->hi)
		n = snprintf(one, sizeof(one), "%s%" PRIu32,
		    rg->buf.len > 0 ? "," : "", rg->lo);
	else
		n = snprintf(one, sizeof(one), "%s%" PRIu32 "-%" PRIu32,
		    rg->buf.len > 0 ? "," : "", rg->lo, rg->hi);
	if (n > 0)
		sbuf_add(&rg->buf, one);
}

static void
ranges_add(struct ranges *rg, uint32_t port)
{
	if (rg->count > 0 && port == rg->hi + 1) {
		rg->hi = port;
	} else if (rg->count == 0 || port > rg->hi) {
		ranges_flush(rg);
		rg->lo = rg->hi = port;
	} else {
		return; /* duplicate */
	}
	rg->count++;
}

/* Flushes the pending run; the string stays owned by rg. */
static const char *
ranges_str(struct ranges *rg)
{
	ranges_flush(rg);
	rg->count = 0; /* flushed: a later add starts a new run */
	return rg->buf.len > 0 ? rg->buf.s : "";
}

/* nmap's args= is the command line; we know the format and the inputs. */
static char *
args_text(const struct out_opts *opts)
{
	const char *label = opts != NULL ? opts->input_label : NULL;

	if (label == NULL || *label == '\0')
		return xstrdup("portsleuth -f xml");
	return xasprintf("portsleuth -f xml %s", label);
}

static void
xml_header(
    struct xmlw *w, const struct results *res, const char *args, int verbose)
{
	const struct run_summary *sum = &res->summary;
	char when[XMLW_TIME_BUF], *c;
	bool have = sum->packets > 0;

	xmlw_raw(w,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!DOCTYPE nmaprun>\n"
	    "<?xml-stylesheet href=\"" XML_STYLESHEET
	    "\" type=\"text/xsl\"?>\n");
	if (have)
		xmlw_ctime(sum->first_ns, when);
	c = xasprintf("portsleuth " PACKAGE_VERSION " scan initiated %s as: %s",
	    have ? when : "(no packets)", args);
	xmlw_comment(w, c);
	free(c);
	xmlw_newline(w);
	xmlw_open_start(w, "nmaprun");
	xmlw_attr(w, "scanner", "nmap"); /* nmap.dtd: scanner (nmap) */
	xmlw_attr(w, "args", args);
	if (have) {
		xmlw_attrf(w, "start", "%" PRIu64, sum->first_ns / 1000000000u);
		xmlw_attr(w, "startstr", when);
	}
	xmlw_attr(w, "version", PACKAGE_VERSION);
	xmlw_attr(w, "xmloutputversion", "1.05");
	xmlw_close_start(w);
	xmlw_newline(w);
	xml_scaninfo(w, res);
	xmlw_open_start(w, "verbose");
	xmlw_attrf(w, "level", "%d", verbose > 0 ? verbose : 0);
	xmlw_close_empty(w);
	xmlw_newline(w);
	xmlw_open_start(w, "debugging");
	xmlw_attr(w, "level", "0");
	xmlw_close_empty(w);
	xmlw_newline(w);
}

/* One <scaninfo> per scan type seen, listing every port it probed. */
static void
xml_scaninfo(struct xmlw *w, const struct results *res)
{
	uint8_t *bits[PK_COUNT] = { NULL };
	struct ranges rg;
	const struct port_row *rows, *r;
	struct row_iter it;
	size_t i, j, n;
	unsigned k, p;

	results_iter_init(&it, res);
	while ((n = results_iter_host(&it, &rows)) > 0)
		for (i = 0; i < n; i++) {
			r = &rows[i];
			for (j = 0; j < r->nkinds && j < PK_COUNT; j++) {
				k = r->kinds[j].kind;
				if (k >= PK_COUNT || scan_types[k] == NULL)
					continue;
				if (bits[k] == NULL)
					bits[k] = xcalloc(PORT_BITS / 8, 1);
				bits[k][r->port / 8] |=
				    (uint8_t)(1u << (r->port % 8));
			}
		}
	results_iter_done(&it);
	memset(&rg, 0, sizeof(rg));
	for (k = 0; k < PK_COUNT; k++) {
		if (bits[k] == NULL)
			continue;
		ranges_reset(&rg);
		for (p = 0; p < PORT_BITS; p++)
			if (bits[k][p / 8] & (1u << (p % 8)))
				ranges_add(&rg, p);
		xmlw_open_start(w, "scaninfo");
		xmlw_attr(w, "type", scan_types[k]);
		xmlw_attr(w, "protocol",
		    probe_kind_is_tcp((enum probe_kind)k) ? "tcp" : "udp");
		xmlw_attrf(w, "numservices", "%" PRIu32, rg.count);
		xmlw_attr(w, "services", ranges_str(&rg));
		xmlw_close_empty(w);
		xmlw_newline(w);
		free(bits[k]);
	}
	free(rg.buf.s);
}

static void
xml_status(struct xmlw *w, const struct results *res, const struct xmlw_host *h)
{
	const struct port_row *r, *by = NULL;
	size_t i, k, next;

	for (i = h->lo; i < h->hi && by == NULL; i = next) {
		k = xmlw_pick(res, h, i, &next);
		if (k == (size_t)-1)
			continue;
		r = &res->rows[k];
		if (r->responses > 0 && r->reason != RS_NO_RESPONSE &&
		    !r->has_reason_ip)
			by = r;
	}
	xmlw_open_start(w, "status");
	xmlw_attr(w, "state", "up");
	xmlw_attr(w, "reason",
	    by != NULL ? reason_name(by->reason) : reason_name(RS_USER_SET));
	xmlw_attrf(w, "reason_ttl", "%u", by != NULL ? by->reason_ttl : 0u);
	xmlw_close_empty(w);
}

static void
xml_extraports(struct xmlw *w, const struct results *res,
    const struct xmlw_host *h, const bool hide[PS_COUNT])
{
	struct out_reason_group g[2 * (RS_COUNT + 1)];
	bool done[PS_COUNT] = { false };
	struct ranges rg;
	const struct port_row *r;
	size_t i, k, next, ng, n;
	unsigned s, best;

	memset(&rg, 0, sizeof(rg));
	for (;;) {
		best = PS_COUNT;
		for (s = 0; s < PS_COUNT; s++)
			if (hide[s] && !done[s] &&
			    (best == PS_COUNT ||
				h->nstate[s] > h->nstate[best]))
				best = s;
		if (best == PS_COUNT)
			break;
		done[best] = true;
		memset(g, 0, sizeof(g));
		for (i = h->lo; i < h->hi; i = next) {
			k = xmlw_pick(res, h, i, &next);
			if (k == (size_t)-1 ||
			    xmlw_state(res->rows[k].state) != best)
				continue;
			r = &res->rows[k];
			n = (r->proto == 17 ? RS_COUNT + 1 : 0) +
			    (r->reason < RS_COUNT ? r->reason : RS_COUNT);
			g[n].count++;
			g[n].proto = r->proto;
			g[n].reason =
			    r->reason < RS_COUNT ? r->reason : RS_COUNT;
		}
		for (i = ng = 0; i < 2 * (RS_COUNT + 1); i++)
			if (g[i].count > 0)
				g[ng++] = g[i];
		qsort(g, ng, sizeof(g[0]), out_reason_group_cmp);
		xmlw_open_start(w, "extraports");
		xmlw_attr(w, "state", port_state_name(best));
		xmlw_attrf(w, "count", "%" PRIu32, h->nstate[best]);
		xmlw_close_start(w);
		xmlw_newline(w);
		for (n = 0; n < ng; n++) {
			ranges_reset(&rg);
			for (i = h->lo; i < h->hi; i = next) {
				k = xmlw_pick(res, h, i, &next);
				if (k == (size_t)-1)
					continue;
				r = &res->rows[k];
				if (xmlw_state(r->state) == best &&
				    r->proto == g[n].proto &&
				    (r->reason < RS_COUNT
					    ? r->reason
					    : RS_COUNT) == g[n].reason)
					ranges_add(&rg, r->port);
			}
			xmlw_open_start(w, "extrareasons");
			xmlw_attr(w, "reason", reason_name(g[n].reason));
			xmlw_attrf(w, "count", "%" PRIu32, g[n].count);
			xmlw_attr(w, "proto", out_proto_name((uint8_t)g[n].proto));
			xmlw_attr(w, "ports", ranges_str(&rg));
			xmlw_close_empty(w);
			xmlw_newline(w);
		}
		xmlw_end(w);
		xmlw_newline(w);
	}
	free(rg.buf.s);
}

static void
xml_port(struct xmlw *w, const struct port_row *r)
{
	char ip[ADDR_STRLEN];

	xmlw_open_start(w, "port");
	xmlw_attr(w, "protocol", out_proto_name(r->proto));
	xmlw_attrf(w, "portid", "%u", (unsigned)r->port);
	xmlw_close_start(w);
	xmlw_open_start(w, "state");
	xmlw_attr(w, "state", port_state_name(xmlw_state(r->state)));
	xmlw_attr(w, "reason", reason_name(r->reason));
	xmlw_attrf(w, "reason_ttl", "%u", (unsigned)r->reason_ttl);
	if (r->has_reason_ip)
		xmlw_attr(w, "reason_ip", addr_str(&r->reason_ip, ip));
	xmlw_close_empty(w);
	if (r->service != NULL) {
		xmlw_open_start(w, "service");
		xmlw_attr(w, "name", r->service);
		xmlw_attr(w, "method", "table");
		xmlw_attr(w, "conf", "3");
		xmlw_close_empty(w);
	}
	xmlw_end(w);
	xmlw_newline(w);
}

/*
 * <times> in microseconds like nmap's timing: the RTTs' mean and mean
 * deviation stand in for srtt/rttvar, and the timeout is nmap's
 * srtt + 4 * rttvar, at least --min-rtt-timeout. Omitted without RTTs.
 */
static void
xml_times(struct xmlw *w, const struct xmlw_host *h)
{
	uint64_t srtt, rttvar, to;

	if (h->nrtt == 0)
		return;
	srtt = (uint64_t)(h->rtt_mean_ms * 1000 + 0.5);
	rttvar = (uint64_t)(h->rtt_dev_ms * 1000 + 0.5);
	to = srtt + 4 * rttvar;
	if (to < MIN_RTO_US)
		to = MIN_RTO_US;
	xmlw_open_start(w, "times");
	xmlw_attrf(w, "srtt", "%" PRIu64, srtt);
	xmlw_attrf(w, "rttvar", "%" PRIu64, rttvar);
	xmlw_attrf(w, "to", "%" PRIu64, to);
	xmlw_close_empty(w);
	xmlw_newline(w);
}

/* NSE structured output: <elem key="...">text</elem>. */
static void
xml_elem(struct xmlw *w, const char *key, const char *text)
{
	xmlw_open_start(w, "elem");
	xmlw_attr(w, "key", key);
	xmlw_close_start(w);
	xmlw_text(w, text);
	xmlw_end(w);
}

/* One finding as an NSE table: id, severity, message and the details. */
static void
xml_finding(struct xmlw *w, const struct finding *f)
{
	char buf[ADDR_STRLEN], num[16];

	xmlw_start(w, "table");
	xml_elem(w, "id", f->id != NULL ? f->id : "");
	xml_elem(w, "severity", out_severity_name(f->severity));
	xml_elem(w, "message", f->message != NULL ? f->message : "");
	if (f->rule != NULL)
		xml_elem(w, "rule", f->rule);
	snprintf(num, sizeof(num), "%" PRIu32, f->count);
	xml_elem(w, "count", num);
	if (f->ports != NULL)
		xml_elem(w, "ports", f->ports);
	if (f->has_source)
		xml_elem(w, "source", addr_str(&f->source, buf));
	if (f->evidence != NULL)
		xml_elem(w, "evidence", f->evidence);
	xmlw_end(w);
	xmlw_newline(w);
}

/*
 * Whether finding i goes into the script about host (NULL: every finding
 * not written yet).
 */
static bool
finding_for(const struct results *res, size_t i, const struct addr *host,
    const bool *done)
{
	const struct finding *f = &res->findings[i];

	if (done[i])
		return false;
	return host == NULL || (f->has_host && addr_eq(&f->host, host));
}

/*
 * <elem> (hostscript or postscript) holding one script, "portsleuth",
 * with the findings about host, or every finding not written yet when host
 * is NULL; nothing when there are none. One script, not one per finding:
 * ndiff 7.93 (Debian 12) sorts a host's scripts and fails on two or more
 * (nmap issue #2930). The output is one "[severity] id: message" line per
 * finding, like the text writer; tables carry the details.
 */
static void
xml_scripts(struct xmlw *w, const struct results *res, const char *elem,
    const struct addr *host, bool *done)
{
	struct sbuf out;
	const struct finding *f;
	size_t i, lo = 0, hi = res->nfindings;

	if (host != NULL)
		results_findings_of(res, host, &lo, &hi);
	memset(&out, 0, sizeof(out));
	for (i = lo; i < hi; i++) {
		if (!finding_for(res, i, host, done))
			continue;
		f = &res->findings[i];
		if (out.len > 0)
			sbuf_add(&out, "\n");
		sbuf_add(&out, "[");
		sbuf_add(&out, out_severity_name(f->severity));
		sbuf_add(&out, "] ");
		sbuf_add(&out, f->id != NULL ? f->id : "?");
		sbuf_add(&out, ": ");
		sbuf_add(&out, f->message != NULL ? f->message : "");
	}
	if (out.len == 0)
		return;
	xmlw_start(w, elem);
	xmlw_open_start(w, "script");
	xmlw_attr(w, "id", "portsleuth");
	xmlw_attr(w, "output", out.s);
	xmlw_close_start(w);
	xmlw_newline(w);
	for (i = lo; i < hi; i++) {
		if (!finding_for(res, i, host, done))
			continue;
		xml_finding(w, &res->findings[i]);
		done[i] = true;
	}
	xmlw_end(w); /* script */
	xmlw_end(w);
	xmlw_newline(w);
	free(out.s);
}

static void
xml_host(struct xmlw *w, const struct results *res, const struct xmlw_host *h,
    int verbose, bool *done)
{
	const struct addr *host = &res->rows[h->lo].host;
	char buf[ADDR_STRLEN];
	bool hide[PS_COUNT];
	size_t i, k, next;
	unsigned s;

	for (s = 0; s < PS_COUNT; s++)
		hide[s] = verbose <= 0 && s != PS_OPEN &&
		    h->nstate[s] >= TUN_COLLAPSE_MIN;
	xmlw_open_start(w, "host");
	xmlw_attrf(w, "starttime", "%" PRIu64, h->first_ns / 1000000000u);
	xmlw_attrf(w, "endtime", "%" PRIu64, h->last_ns / 1000000000u);
	xmlw_close_start(w);
	xml_status(w, res, h);
	xmlw_newline(w);
	xmlw_open_start(w, "address");
	xmlw_attr(w, "addr", addr_str(host, buf));
	xmlw_attr(w, "addrtype", addr_is_v4(host) ? "ipv4" : "ipv6");
	xmlw_close_empty(w);
	xmlw_newline(w);
	xmlw_open_start(w, "hostnames");
	xmlw_close_empty(w);
	xmlw_newline(w);
	xmlw_start(w, "ports");
	xml_extraports(w, res, h, hide);
	for (i = h->lo; i < h->hi; i = next) {
		k = xmlw_pick(res, h, i, &next);
		if (k != (size_t)-1 && !hide[xmlw_state(res->rows[k].state)])
			xml_port(w, &res->rows[k]);
	}
	xmlw_end(w);
	xmlw_newline(w);
	xml_scripts(w, res, "hostscript", host, done);
	xml_times(w, h);
	xmlw_end(w);
	xmlw_newline(w);
}

static void
xml_runstats(struct xmlw *w, const struct results *res, uint32_t nhosts)
{
	const struct run_summary *sum = &res->summary;
	char when[XMLW_TIME_BUF], elapsed[32], *s;
	bool have = sum->packets > 0;
	uint64_t span = have && sum->last_ns > sum->first_ns
	    ? sum->last_ns - sum->first_ns
	    : 0;
	uint64_t cs;

	/* nmap's "%.2f" seconds, rounded to the nearest centisecond. */
	cs = (span + 5000000u) / 10000000u;
	snprintf(elapsed, sizeof(elapsed), "%" PRIu64 ".%02" PRIu64, cs / 100,
	    cs % 100);
	if (have)
		xmlw_ctime(sum->last_ns, when);
	s = xasprintf("portsleuth done%s%s; %" PRIu32 " IP address%s (%" PRIu32
		      " host%s up) scanned in %s seconds",
	    have ? " at " : "", have ? when : "", nhosts,
	    nhosts == 1 ? "" : "es", nhosts, nhosts == 1 ? "" : "s", elapsed);
	xmlw_start(w, "runstats");
	xmlw_open_start(w, "finished");
	xmlw_attrf(
	    w, "time", "%" PRIu64, have ? sum->last_ns / 1000000000u : 0);
	if (have)
		xmlw_attr(w, "timestr", when);
	xmlw_attr(w, "summary", s);
	xmlw_attr(w, "elapsed", elapsed);
	/* Partial input: the run is not a clean one (exit status 65). */
	xmlw_attr(w, "exit", sum->partial ? "error" : "success");
	if (sum->partial)
		xmlw_attr(w, "errormsg",
		    "partial results (input truncated or state table full)");
	xmlw_close_empty(w);
	xmlw_open_start(w, "hosts");
	xmlw_attrf(w, "up", "%" PRIu32, nhosts);
	xmlw_attr(w, "down", "0");
	xmlw_attrf(w, "total", "%" PRIu32, nhosts);
	xmlw_close_empty(w);
	xmlw_newline(w);
	xmlw_end(w);
	xmlw_newline(w);
	free(s);
}

static int
xml_write(FILE *fp, const struct results *res, const struct out_opts *opts)
{
	struct xmlw w;
	struct xmlw_host h;
	int verbose = opts != NULL ? opts->verbose : 0;
	char *args = args_text(opts);
	bool *done = xcalloc(res->nfindings + 1, sizeof(*done));
	uint32_t nhosts = 0;
	const struct port_row *rows;
	struct row_iter it;
	struct results view;
	size_t n;

	xmlw_init(&w, fp);
	xml_header(&w, res, args, verbose);
	results_iter_init(&it, res);
	while (!ferror(fp) && (n = results_iter_host(&it, &rows)) > 0) {
		results_host_view(res, rows, n, &view);
		xmlw_host_scan(&view, 0, &h);
		if (h.nports == 0)
			continue; /* neither tcp nor udp: nothing nmap shows */
		xml_host(&w, &view, &h, verbose, done);
		nhosts++;
	}
	results_iter_done(&it);
	xml_scripts(&w, res, "postscript", NULL, done);
	xml_runstats(&w, res, nhosts);
	xmlw_end(&w); /* nmaprun */
	xmlw_newline(&w);
	free(done);
	free(args);
	return xmlw_finish(&w);
}
