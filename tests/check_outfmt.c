/*
 * check_outfmt.c -- unit tests for the nmap-compatible writers: XML
 * (out-xml.c, with the xmlw.c streaming writer) and grepable (out-grep.c).
 *
 * Results are built by hand and written to memory streams; tests compare
 * exact lines, escaping and collapsing. The "tools" case writes the XML to
 * a temporary directory and runs the real programs when they are
 * installed (Debian packages libxml2-utils, nmap, ndiff, xsltproc):
 * xmllint --dtdvalid against nmap.dtd, ndiff (same file: exit 0, one port
 * changed: exit 1) and xsltproc with nmap.xsl. Missing tools are skipped
 * with a note on stdout.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "out.h"
#include "results.h"
#include "xmalloc.h"
#include "xmlw.h"

/* 2026-11-01T14:41:28.589477123Z, a Sunday */
#define T0 1793544088589477123ull

#include "results-fixture.h"

#define NMAP_DTD "/usr/share/nmap/nmap.dtd"
#define NMAP_XSL "/usr/share/nmap/nmap.xsl"
#define XMLLINT  "/usr/bin/xmllint"
#define NDIFF    "/usr/bin/ndiff"
#define XSLTPROC "/usr/bin/xsltproc"

/* A host finding whose message needs every kind of escaping. */
#define NASTY_MSG "say \"hi\" & <bye> 'x'\x01\x1b\ttab\r"

static struct finding *add_finding(
    struct results *r, const char *host, const char *id, const char *msg);
static void fixture(struct results *r);
static char *render(
    const struct out_ops *ops, const struct results *res, int verbose, int *rc);
static char *xmlw_render(void (*fn)(struct xmlw *), int *rc);
static void misuse_end(struct xmlw *w);
static void misuse_attr(struct xmlw *w);
static void misuse_open(struct xmlw *w);
static void comment_dashes(struct xmlw *w);
static int have_tool(const char *path, const char *what);
static int have_file(const char *path, const char *what);
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void write_xml(const struct results *res, const char *path);
static long file_size(const char *path);
static Suite *outfmt_suite(void);

static struct finding *
add_finding(
    struct results *r, const char *host, const char *id, const char *msg)
{
	struct finding *f;

	r->findings =
	    xreallocarray(r->findings, r->nfindings + 1, sizeof(*r->findings));
	f = &r->findings[r->nfindings++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->rule = "test-finding";
	f->severity = 2;
	if (host != NULL) {
		f->has_host = true;
		ck_assert_int_eq(addr_parse(&f->host, host), 0);
	}
	f->message = xstrdup(msg);
	return f;
}

/*
 * 192.0.2.10: tcp 22 open, 80 closed, 1000-1029 filtered (collapsed),
 *   8080 filtered admin-prohibited from a router; udp 53 closed from a
 *   router, 161 open "my/svc"; RTTs 1 and 3 ms; two findings.
 * 192.0.2.9: tcp 443 filtered, no reply at all (status user-set).
 * 2001:db8::1: tcp 443 probed by two scanners (one got a SYN-ACK), udp 500
 *   open|filtered.
 * One capture-wide finding.
 */
static void
fixture(struct results *r)
{
	struct port_row *w;
	struct finding *f;
	uint16_t p;

	memset(r, 0, sizeof(*r));
	w = add_row(r, "192.0.2.10", 6, 22, PS_OPEN, RS_SYN_ACK, 64);
	w->service = "ssh";
	w->rtt_ms = 1;
	w->first_ns = T0 + 2000000000ull;
	w = add_row(r, "192.0.2.10", 6, 80, PS_CLOSED, RS_RESET, 64);
	w->service = "http";
	w->rtt_ms = 3;
	w->last_ns = T0 + 3500000000ull;
	for (p = 1000; p < 1030; p++)
		add_row(r, "192.0.2.10", 6, p, PS_FILTERED, RS_NO_RESPONSE, 0);
	w = add_row(
	    r, "192.0.2.10", 6, 8080, PS_FILTERED, RS_ADMIN_PROHIBITED, 254);
	w->has_reason_ip = true;
	ck_assert_int_eq(addr_parse(&w->reason_ip, "198.51.100.1"), 0);
	w = add_row(r, "192.0.2.10", 17, 53, PS_CLOSED, RS_PORT_UNREACH, 254);
	w->service = "domain";
	w->has_reason_ip = true;
	ck_assert_int_eq(addr_parse(&w->reason_ip, "198.51.100.1"), 0);
	w = add_row(r, "192.0.2.10", 17, 161, PS_OPEN, RS_UDP_RESPONSE, 63);
	w->service = "my/svc";
	add_row(r, "192.0.2.9", 6, 443, PS_FILTERED, RS_NO_RESPONSE, 0);
	/* Same port, two scanners: the IPv4 one (sorted first) got nothing. */
	add_row(r, "2001:db8::1", 6, 443, PS_FILTERED, RS_NO_RESPONSE, 0);
	w = add_row(r, "2001:db8::1", 6, 443, PS_OPEN, RS_SYN_ACK, 57);
	ck_assert_int_eq(addr_parse(&w->scanner, "2001:db8::99"), 0);
	w->service = "https";
	w = add_row(
	    r, "2001:db8::1", 17, 500, PS_OPEN_FILTERED, RS_NO_RESPONSE, 0);
	w->kinds[0].kind = PK_UDP;
	f = add_finding(r, "192.0.2.10", "icmp-reject", NASTY_MSG);
	f->ports = xstrdup("tcp/8080,udp/53");
	f->has_source = true;
	ck_assert_int_eq(addr_parse(&f->source, "198.51.100.1"), 0);
	f->count = 2;
	f->evidence = xstrdup("{\"n\":2}");
	/* A second one: Debian's ndiff 7.93 fails on two host scripts. */
	f = add_finding(r, "192.0.2.10", "silent-drop", "30 ports silent");
	f->severity = 1;
	f->count = 30;
	/* Capture-wide: "--" for comments, a bad byte, valid UTF-8. */
	f = add_finding(r, NULL, "late-replies", "a -- b \xff caf\xc3\xa9");
	f->severity = 0;
	r->summary.captures = 1;
	r->summary.packets = 1000;
	r->summary.hosts = 3;
	r->summary.first_ns = T0;
	r->summary.last_ns = T0 + 3504999999ull; /* 3.50 s */
	results_sort(r);
}

static char *
render(
    const struct out_ops *ops, const struct results *res, int verbose, int *rc)
{
	struct out_opts o = { .verbose = verbose, .input_label = "t.pcap" };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	*rc = ops->write(fp, res, &o);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

static char *
xmlw_render(void (*fn)(struct xmlw *), int *rc)
{
	struct xmlw w;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	xmlw_init(&w, fp);
	fn(&w);
	*rc = xmlw_finish(&w);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

START_TEST(xml_document)
{
	struct results r;
	char *s;
	int rc;

	fixture(&r);
	s = render(&out_xml_ops, &r, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(
	    strstr(s,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<!DOCTYPE nmaprun>\n"
		"<?xml-stylesheet href=\"file:///usr/share/nmap/nmap.xsl\" "
		"type=\"text/xsl\"?>\n"
		"<!-- portsleuth 0.1.0 scan initiated Sun Nov  1 14:41:28 2026 "
		"as: portsleuth -f xml t.pcap -->\n"
		"<nmaprun scanner=\"nmap\" args=\"portsleuth -f xml t.pcap\" "
		"start=\"1793544088\" startstr=\"Sun Nov  1 14:41:28 2026\" "
		"version=\"0.1.0\" xmloutputversion=\"1.05\">\n"
		"<scaninfo type=\"syn\" protocol=\"tcp\" numservices=\"34\" "
		"services=\"22,80,443,1000-1029,8080\"/>\n"
		"<scaninfo type=\"udp\" protocol=\"udp\" numservices=\"3\" "
		"services=\"53,161,500\"/>\n"
		"<verbose level=\"0\"/>\n"
		"<debugging level=\"0\"/>\n") == s,
	    "%s", s);
	/* A host nothing answered: up as with -Pn. */
	ck_assert_ptr_nonnull(strstr(s,
	    "<host starttime=\"1793544088\" endtime=\"1793544088\">"
	    "<status state=\"up\" reason=\"user-set\" reason_ttl=\"0\"/>\n"
	    "<address addr=\"192.0.2.9\" addrtype=\"ipv4\"/>\n"
	    "<hostnames/>\n"
	    "<ports><port protocol=\"tcp\" portid=\"443\"><state "
	    "state=\"filtered\" reason=\"no-response\" reason_ttl=\"0\"/>"
	    "</port>\n"
	    "</ports>\n"
	    "</host>\n"));
	/* Collapsed state, reason_ip, no <service> without a name. */
	ck_assert_ptr_nonnull(strstr(s,
	    "<host starttime=\"1793544088\" endtime=\"1793544092\">"
	    "<status state=\"up\" reason=\"syn-ack\" reason_ttl=\"64\"/>\n"
	    "<address addr=\"192.0.2.10\" addrtype=\"ipv4\"/>\n"
	    "<hostnames/>\n"
	    "<ports><extraports state=\"filtered\" count=\"31\">\n"
	    "<extrareasons reason=\"no-response\" count=\"30\" proto=\"tcp\" "
	    "ports=\"1000-1029\"/>\n"
	    "<extrareasons reason=\"admin-prohibited\" count=\"1\" "
	    "proto=\"tcp\" ports=\"8080\"/>\n"
	    "</extraports>\n"
	    "<port protocol=\"tcp\" portid=\"22\"><state state=\"open\" "
	    "reason=\"syn-ack\" reason_ttl=\"64\"/><service name=\"ssh\" "
	    "method=\"table\" conf=\"3\"/></port>\n"
	    "<port protocol=\"tcp\" portid=\"80\"><state state=\"closed\" "
	    "reason=\"reset\" reason_ttl=\"64\"/><service name=\"http\" "
	    "method=\"table\" conf=\"3\"/></port>\n"
	    "<port protocol=\"udp\" portid=\"53\"><state state=\"closed\" "
	    "reason=\"port-unreach\" reason_ttl=\"254\" "
	    "reason_ip=\"198.51.100.1\"/><service name=\"domain\" "
	    "method=\"table\" conf=\"3\"/></port>\n"
	    "<port protocol=\"udp\" portid=\"161\"><state state=\"open\" "
	    "reason=\"udp-response\" reason_ttl=\"63\"/><service "
	    "name=\"my/svc\" method=\"table\" conf=\"3\"/></port>\n"
	    "</ports>\n"
	    "<hostscript><script id=\"portsleuth\" output=\"[medium] "
	    "icmp-reject: say &quot;hi&quot; &amp; &lt;bye&gt; &apos;x&apos;"
	    "\\x01\\x1B&#9;tab&#13;&#10;[low] silent-drop: 30 ports silent\">\n"
	    "<table><elem key=\"id\">icmp-reject</elem>"
	    "<elem key=\"severity\">medium</elem>"
	    "<elem key=\"message\">say \"hi\" &amp; &lt;bye&gt; 'x'\\x01\\x1B"
	    "\ttab&#13;</elem>"
	    "<elem key=\"rule\">test-finding</elem>"
	    "<elem key=\"count\">2</elem>"
	    "<elem key=\"ports\">tcp/8080,udp/53</elem>"
	    "<elem key=\"source\">198.51.100.1</elem>"
	    "<elem key=\"evidence\">{\"n\":2}</elem></table>\n"
	    "<table><elem key=\"id\">silent-drop</elem>"
	    "<elem key=\"severity\">low</elem>"
	    "<elem key=\"message\">30 ports silent</elem>"
	    "<elem key=\"rule\">test-finding</elem>"
	    "<elem key=\"count\">30</elem></table>\n"
	    "</script></hostscript>\n"
	    "<times srtt=\"2000\" rttvar=\"1000\" to=\"100000\"/>\n"
	    "</host>\n"));
	/* IPv6; the scanner that got the SYN-ACK wins over the first row. */
	ck_assert_ptr_nonnull(strstr(s,
	    "<status state=\"up\" reason=\"syn-ack\" reason_ttl=\"57\"/>\n"
	    "<address addr=\"2001:db8::1\" addrtype=\"ipv6\"/>\n"
	    "<hostnames/>\n"
	    "<ports><port protocol=\"tcp\" portid=\"443\"><state "
	    "state=\"open\" reason=\"syn-ack\" reason_ttl=\"57\"/><service "
	    "name=\"https\" method=\"table\" conf=\"3\"/></port>\n"
	    "<port protocol=\"udp\" portid=\"500\"><state "
	    "state=\"open|filtered\" reason=\"no-response\" "
	    "reason_ttl=\"0\"/></port>\n"
	    "</ports>\n"
	    "</host>\n"));
	ck_assert_ptr_null(strstr(s, "portid=\"1000\""));
	/* The capture-wide finding, then the end of the document. */
	ck_assert_msg(
	    strstr(s,
		"<postscript><script id=\"portsleuth\" output=\"[info] "
		"late-replies: a -- b \\xFF caf\xc3\xa9\">\n"
		"<table><elem key=\"id\">late-replies</elem>"
		"<elem key=\"severity\">info</elem>"
		"<elem key=\"message\">a -- b \\xFF caf\xc3\xa9</elem>"
		"<elem key=\"rule\">test-finding</elem>"
		"<elem key=\"count\">0</elem></table>\n"
		"</script></postscript>\n"
		"<runstats><finished time=\"1793544092\" "
		"timestr=\"Sun Nov  1 14:41:32 2026\" summary=\"portsleuth "
		"done "
		"at Sun Nov  1 14:41:32 2026; 3 IP addresses (3 hosts up) "
		"scanned in 3.50 seconds\" elapsed=\"3.50\" exit=\"success\"/>"
		"<hosts up=\"3\" down=\"0\" total=\"3\"/>\n"
		"</runstats>\n"
		"</nmaprun>\n") != NULL,
	    "%s", s);
	free(s);
	results_free(&r);
}
END_TEST

/* -v lists every port; the hosts' order is the rows' order. */
START_TEST(xml_verbose)
{
	struct results r;
	char *s, *a, *b, *c;
	int rc;

	fixture(&r);
	s = render(&out_xml_ops, &r, 1, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_null(strstr(s, "<extraports"));
	ck_assert_ptr_nonnull(strstr(s, "<verbose level=\"1\"/>"));
	ck_assert_ptr_nonnull(strstr(s,
	    "<port protocol=\"tcp\" portid=\"1029\"><state state=\"filtered\" "
	    "reason=\"no-response\" reason_ttl=\"0\"/></port>\n"));
	ck_assert_ptr_nonnull(strstr(s,
	    "<port protocol=\"tcp\" portid=\"8080\"><state state=\"filtered\" "
	    "reason=\"admin-prohibited\" reason_ttl=\"254\" "
	    "reason_ip=\"198.51.100.1\"/></port>\n"));
	a = strstr(s, "addr=\"192.0.2.9\"");
	b = strstr(s, "addr=\"192.0.2.10\"");
	c = strstr(s, "addr=\"2001:db8::1\"");
	ck_assert(a != NULL && b != NULL && c != NULL && a < b && b < c);
	free(s);
	results_free(&r);
}
END_TEST

START_TEST(xml_empty)
{
	struct results r;
	char *s;
	int rc;

	memset(&r, 0, sizeof(r));
	s = render(&out_xml_ops, &r, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(s,
	    "<!-- portsleuth 0.1.0 scan initiated (no packets) as: "
	    "portsleuth -f xml t.pcap -->\n"
	    "<nmaprun scanner=\"nmap\" args=\"portsleuth -f xml t.pcap\" "
	    "version=\"0.1.0\" xmloutputversion=\"1.05\">\n"
	    "<verbose level=\"0\"/>\n"
	    "<debugging level=\"0\"/>\n"
	    "<runstats><finished time=\"0\" summary=\"portsleuth done; 0 IP "
	    "addresses (0 hosts up) scanned in 0.00 seconds\" "
	    "elapsed=\"0.00\" exit=\"success\"/>"
	    "<hosts up=\"0\" down=\"0\" total=\"0\"/>\n"
	    "</runstats>\n"
	    "</nmaprun>\n"));
	ck_assert_ptr_null(strstr(s, "<host "));
	ck_assert_ptr_null(strstr(s, "script"));
	free(s);
	r.summary.packets = 1;
	r.summary.partial = true;
	s = render(&out_xml_ops, &r, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(s, " exit=\"error\" errormsg=\"partial "));
	free(s);
}
END_TEST

static void
misuse_end(struct xmlw *w)
{
	xmlw_start(w, "a");
	xmlw_end(w);
	xmlw_end(w);
}

static void
misuse_attr(struct xmlw *w)
{
	xmlw_start(w, "a");
	xmlw_attr(w, "x", "1");
	xmlw_end(w);
}

static void
misuse_open(struct xmlw *w)
{
	xmlw_start(w, "a");
	xmlw_open_start(w, "b");
	xmlw_close_start(w);
	xmlw_end(w);
}

static void
comment_dashes(struct xmlw *w)
{
	xmlw_comment(w, "-x--y---z- <a&b>");
	xmlw_start(w, "a");
	xmlw_text(w, "1 < 2 & \"q\" 'a'\n\x7f\xef\xbf\xbe\xf0\x9f\x98\x80");
	xmlw_open_start(w, "b");
	xmlw_attrf(w, "long", "%0200d", 7);
	xmlw_close_empty(w);
	xmlw_end(w);
}

START_TEST(xmlw_writer)
{
	char *s, want[512];
	int rc;

	s = xmlw_render(misuse_end, &rc);
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(s, "<a></a>");
	free(s);
	s = xmlw_render(misuse_attr, &rc);
	ck_assert_int_eq(rc, -1);
	free(s);
	s = xmlw_render(misuse_open, &rc);
	ck_assert_int_eq(rc, -1);
	free(s);
	s = xmlw_render(comment_dashes, &rc);
	ck_assert_int_eq(rc, 0);
	snprintf(want, sizeof(want),
	    "<!-- -x-&#45;y-&#45;-z- &lt;a&amp;b&gt; -->"
	    "<a>1 &lt; 2 &amp; \"q\" 'a'\n\\x7F\\xEF\\xBF\\xBE"
	    "\xf0\x9f\x98\x80<b long=\"%0200d\"/></a>",
	    7);
	ck_assert_str_eq(s, want);
	free(s);
}
END_TEST

START_TEST(grep_output)
{
	struct results r;
	char *s;
	int rc;

	fixture(&r);
	s = render(&out_grep_ops, &r, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(s,
	    "# portsleuth 0.1.0 scan initiated Sun Nov  1 14:41:28 2026 as: "
	    "portsleuth -f grep t.pcap\n"
	    "Host: 192.0.2.9 ()\tStatus: Up\n"
	    "Host: 192.0.2.9 ()\tPorts: 443/filtered/tcp/////\n"
	    "Host: 192.0.2.10 ()\tStatus: Up\n"
	    "Host: 192.0.2.10 ()\tPorts: 22/open/tcp//ssh///, "
	    "80/closed/tcp//http///, 53/closed/udp//domain///, "
	    "161/open/udp//my|svc///\tIgnored State: filtered (31)\n"
	    "Host: 2001:db8::1 ()\tStatus: Up\n"
	    "Host: 2001:db8::1 ()\tPorts: 443/open/tcp//https///, "
	    "500/open|filtered/udp/////\n"
	    "# portsleuth done at Sun Nov  1 14:41:32 2026 -- 3 IP addresses "
	    "(3 hosts up) scanned in 3.50 seconds\n");
	free(s);
	results_free(&r);
}
END_TEST

START_TEST(grep_collapse)
{
	struct results r;
	char *s;
	uint16_t p;
	int rc;

	fixture(&r);
	s = render(&out_grep_ops, &r, 1, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_null(strstr(s, "Ignored State"));
	ck_assert_ptr_nonnull(
	    strstr(s, ", 1029/filtered/tcp/////, 8080/filtered/tcp/////, "));
	free(s);
	results_free(&r);
	/* Every port ignored: no Ports field; one host, singular words. */
	memset(&r, 0, sizeof(r));
	for (p = 1; p <= 26; p++)
		add_row(&r, "192.0.2.1", 6, p, PS_CLOSED, RS_RESET, 64);
	r.summary.packets = 52;
	r.summary.first_ns = T0;
	r.summary.last_ns = T0 + 4000000ull;
	s = render(&out_grep_ops, &r, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(s,
	    "Host: 192.0.2.1 ()\tStatus: Up\n"
	    "Host: 192.0.2.1 ()\tIgnored State: closed (26)\n"
	    "# portsleuth done at Sun Nov  1 14:41:28 2026 -- 1 IP address "
	    "(1 host up) scanned in 0.00 seconds\n"));
	free(s);
	results_free(&r);
}
END_TEST

/* Both writers report a full disk, unbuffered or at the final flush. */
START_TEST(write_errors)
{
	static const struct out_ops *const ops[] = { &out_xml_ops,
		&out_grep_ops };
	struct results r;
	struct out_opts o = { 0 };
	size_t i;
	FILE *fp;

	if (access("/dev/full", W_OK) != 0) {
		printf("check_outfmt: no /dev/full, write errors not tested\n");
		return;
	}
	fixture(&r);
	for (i = 0; i < 2; i++) {
		fp = fopen("/dev/full", "w");
		ck_assert_ptr_nonnull(fp);
		if (_i == 0)
			setvbuf(fp, NULL, _IONBF, 0);
		ck_assert_msg(ops[i]->write(fp, &r, &o) == -1,
		    "%s writer ignored a write error", ops[i]->name);
		fclose(fp);
	}
	results_free(&r);
}
END_TEST

static int
have_tool(const char *path, const char *what)
{
	if (access(path, X_OK) == 0)
		return 1;
	printf("check_outfmt: %s not installed, %s skipped\n", path, what);
	return 0;
}

static int
have_file(const char *path, const char *what)
{
	if (access(path, R_OK) == 0)
		return 1;
	printf("check_outfmt: no %s (Debian package nmap-common), %s "
	       "skipped\n",
	    path, what);
	return 0;
}

/* Runs a shell command; its exit status, or -1 when it did not exit. */
static int
run(const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	int st;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	st = system(cmd);
	free(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void
write_xml(const struct results *res, const char *path)
{
	struct out_opts o = { .verbose = 0, .input_label = "t.pcap" };
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(out_xml_ops.write(fp, res, &o), 0);
	ck_assert_int_eq(fclose(fp), 0);
}

static long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/*
 * The real programs: xmllint validates against nmap.dtd, ndiff reads the
 * file (no warnings) and sees a changed port, nmap.xsl renders it.
 */
START_TEST(nmap_tools)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], a[4200], b[4200], e[4200], o[4200], h[4200];
	struct results r, empty;

	snprintf(dir, sizeof(dir), "%s/check_outfmt.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a.xml", dir);
	snprintf(b, sizeof(b), "%s/b.xml", dir);
	snprintf(e, sizeof(e), "%s/empty.xml", dir);
	snprintf(o, sizeof(o), "%s/out.txt", dir);
	snprintf(h, sizeof(h), "%s/report.html", dir);
	fixture(&r);
	write_xml(&r, a);
	r.rows[0].state = PS_CLOSED; /* 192.0.2.9 443/tcp: filtered before */
	r.rows[0].reason = RS_RESET;
	write_xml(&r, b);
	memset(&empty, 0, sizeof(empty));
	write_xml(&empty, e);

	if (have_tool(XMLLINT, "DTD validation") &&
	    have_file(NMAP_DTD, "DTD validation"))
		ck_assert_int_eq(run("%s --noout --dtdvalid %s '%s' '%s' '%s'",
				     XMLLINT, NMAP_DTD, a, b, e),
		    0);
	if (have_tool(NDIFF, "ndiff")) {
		ck_assert_int_eq(
		    run("%s '%s' '%s' >'%s' 2>&1", NDIFF, a, a, o), 0);
		ck_assert_int_eq(file_size(o), 0); /* no diff, no warning */
		ck_assert_int_eq(
		    run("%s '%s' '%s' >'%s' 2>&1", NDIFF, a, b, o), 1);
		ck_assert_int_eq(run("grep -q '^-443/tcp *filtered' '%s' && "
				     "grep -q '^+443/tcp *closed' '%s'",
				     o, o),
		    0);
		ck_assert_int_eq(
		    run("%s '%s' '%s' >/dev/null 2>&1", NDIFF, e, e), 0);
	}
	if (have_tool(XSLTPROC, "nmap.xsl rendering") &&
	    have_file(NMAP_XSL, "nmap.xsl rendering")) {
		ck_assert_int_eq(run("%s -o '%s' %s '%s' 2>/dev/null", XSLTPROC,
				     h, NMAP_XSL, a),
		    0);
		ck_assert_int_gt(file_size(h), 0);
		ck_assert_int_eq(run("grep -q '192.0.2.10' '%s'", h), 0);
	}
	run("rm -rf '%s'", dir);
	results_free(&r);
}
END_TEST

static Suite *
outfmt_suite(void)
{
	Suite *s = suite_create("outfmt");
	TCase *tc = tcase_create("valid");

	tcase_add_test(tc, xml_document);
	tcase_add_test(tc, xml_verbose);
	tcase_add_test(tc, xml_empty);
	tcase_add_test(tc, xmlw_writer);
	tcase_add_test(tc, grep_output);
	tcase_add_test(tc, grep_collapse);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, write_errors, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("tools");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, nmap_tools);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(outfmt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed;
}
