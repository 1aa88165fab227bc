/*
 * check_out.c -- unit tests for results_sort(), the row iterator, the
 * findings lookup, service_name() and the text, CSV and JSON writers.
 * Results are built by hand, written to memory streams (open_memstream)
 * and compared with exact expected text.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <check.h>
#include <csv.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "out.h"
#include "results.h"
#include "services.h"
#include "xmalloc.h"

/* 2026-11-01T14:41:28.589477123Z */
#define T0 1793544088589477123ull

#include "results-fixture.h"

struct csv_count {
	size_t fields, records, bad; /* bad: records without 16 fields */
	int saw_comma_svc;
};

static void fixture(struct results *r);
static char *render(
    const struct out_ops *ops, const struct results *res, int verbose, int *rc);
static void csv_cb_field(void *s, size_t len, void *data);
static void csv_cb_record(int c, void *data);
static Suite *out_suite(void);

/* Rows deliberately out of order; results_sort() runs last. */
static void
fixture(struct results *r)
{
	struct port_row *w;
	uint16_t p;

	memset(r, 0, sizeof(*r));
	/* Scanner order must beat the state tie-break: open < filtered. */
	w = add_row(r, "2001:db8::1", 6, 22, PS_OPEN, RS_SYN_ACK, 64);
	ck_assert_int_eq(addr_parse(&w->scanner, "2001:db8::99"), 0);
	add_row(r, "2001:db8::1", 6, 22, PS_FILTERED, RS_NO_RESPONSE, 0);
	w = add_row(r, "192.0.2.10", 17, 161, PS_OPEN, RS_UDP_RESPONSE, 63);
	w->service = "my,svc";
	w = add_row(r, "192.0.2.10", 17, 53, PS_CLOSED, RS_PORT_UNREACH, 254);
	w->service = "domain";
	w->has_reason_ip = true;
	ck_assert_int_eq(addr_parse(&w->reason_ip, "198.51.100.1"), 0);
	w->kinds[0].has_reason_ip = true;
	w->kinds[0].reason_ip = w->reason_ip;
	for (p = 1000; p < 1030; p++)
		add_row(r, "192.0.2.10", 6, p, PS_FILTERED, RS_NO_RESPONSE, 0);
	w = add_row(r, "192.0.2.10", 6, 80, PS_CLOSED, RS_RESET, 64);
	w->service = "http";
	w->probes = w->responses = 2;
	w->rtt_ms = 2.5;
	w->nkinds = 2;
	w->kinds[1] = w->kinds[0];
	w->kinds[1].kind = PK_XMAS;
	w = add_row(r, "192.0.2.10", 6, 22, PS_OPEN, RS_SYN_ACK, 64);
	w->service = "ssh";
	w->rtt_ms = 0.412;
	w->last_ns = T0 + 524000;
	w->kinds[0].rule = "syn-ack-open";
	w = add_row(r, "192.0.2.9", 6, 443, PS_OPEN, RS_SYN_ACK, 128);
	w->service = "bad\x1b[31m";
	w->rtt_ms = 3;
	r->summary.captures = 1;
	r->summary.packets = 1234;
	r->summary.bytes = 99999;
	r->summary.decoded = 1200;
	r->summary.malformed = 3;
	r->summary.probes = 41;
	r->summary.paired = 8;
	r->summary.unsolicited = 2;
	r->summary.late = 1;
	r->summary.hosts = 3;
	r->summary.first_ns = T0 - 1000000000;
	r->summary.last_ns = T0 + 1000000000;
	results_sort(r);
}

static char *
render_opts(const struct out_ops *ops, const struct results *res,
    const struct out_opts *opts, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	*rc = ops->write(fp, res, opts);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

static char *
render(
    const struct out_ops *ops, const struct results *res, int verbose, int *rc)
{
	struct out_opts o = { .verbose = verbose };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	*rc = ops->write(fp, res, &o);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

/* --per-file: every format says which capture a report is of. */
START_TEST(labelled_output)
{
	struct results r;
	struct out_opts o = { .input_label = "dir/a,b.pcap" };
	char *s;
	int rc;

	fixture(&r);
	s = render_opts(&out_csv_ops, &r, &o, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(s, ",findings,capture\n"));
	ck_assert_ptr_nonnull(strstr(s, ",\"dir/a,b.pcap\"\n"));
	free(s);
	o.continued = true;
	s = render_opts(&out_csv_ops, &r, &o, &rc);
	ck_assert_ptr_null(strstr(s, "host,proto,port"));
	free(s);
	s = render_opts(&out_json_ops, &r, &o, &rc);
	ck_assert_ptr_nonnull(strstr(s,
	    "{\"type\":\"port\",\"capture\":\"dir/a,b.pcap\",\"host\":"));
	ck_assert_ptr_nonnull(strstr(s,
	    "{\"type\":\"summary\",\"capture\":\"dir/a,b.pcap\","));
	free(s);
	s = render_opts(&out_text_ops, &r, &o, &rc);
	ck_assert(strncmp(s, "== dir/a,b.pcap ==\n", 19) == 0);
	free(s);
	results_free(&r);
}
END_TEST

START_TEST(sort_order)
{
	static const char *const want[][2] = {
		{ "192.0.2.9", "443" },
		{ "192.0.2.10", "22" },
		{ "192.0.2.10", "80" },
		{ "192.0.2.10", "1000" },
	};
	struct results r;
	char a[ADDR_STRLEN], p[8];
	size_t i;

	fixture(&r);
	ck_assert_uint_eq(r.nrows, 37);
	for (i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%u", r.rows[i].port);
		ck_assert_str_eq(addr_str(&r.rows[i].host, a), want[i][0]);
		ck_assert_str_eq(p, want[i][1]);
		ck_assert_uint_eq(r.rows[i].proto, 6);
	}
	ck_assert_uint_eq(r.rows[32].port, 1029);
	ck_assert_uint_eq(r.rows[33].proto, 17); /* udp after tcp */
	ck_assert_uint_eq(r.rows[33].port, 53);
	ck_assert_uint_eq(r.rows[34].port, 161);
	/* IPv6 last; same port ordered by scanner, IPv4 scanner first. */
	ck_assert_str_eq(addr_str(&r.rows[35].host, a), "2001:db8::1");
	ck_assert_str_eq(addr_str(&r.rows[35].scanner, a), "198.51.100.7");
	ck_assert_str_eq(addr_str(&r.rows[36].scanner, a), "2001:db8::99");
	results_free(&r);
	ck_assert_ptr_null(r.rows);
	ck_assert_uint_eq(r.nrows, 0);
}
END_TEST

/* The array form walks host by host, in the sorted order. */
START_TEST(iter_array)
{
	static const size_t want[] = { 1, 34, 2 };
	const struct port_row *rows;
	struct row_iter it;
	struct results r;
	size_t n, i, k = 0, total = 0;

	fixture(&r);
	results_iter_init(&it, &r);
	while ((n = results_iter_host(&it, &rows)) > 0) {
		ck_assert_uint_lt(k, 3);
		ck_assert_uint_eq(n, want[k]);
		for (i = 1; i < n; i++)
			ck_assert(addr_eq(&rows[i].host, &rows[0].host));
		ck_assert_ptr_eq(rows, r.rows + total);
		total += n;
		k++;
	}
	ck_assert_uint_eq(k, 3);
	ck_assert_uint_eq(total, r.nrows);
	ck_assert_uint_eq(results_iter_host(&it, &rows), 0);
	results_iter_done(&it);
	results_free(&r);
}
END_TEST

/* A row source: groups built on demand, empty ones skipped, freed once. */
static int src_freed;

static size_t
src_group(const void *ctx, size_t g, struct port_row *rows,
    struct kind_verdict *kinds)
{
	static const size_t count[] = { 2, 0, 3 };
	size_t i;

	(void)ctx;
	for (i = 0; i < count[g]; i++) {
		memset(&rows[i], 0, sizeof(rows[i]));
		ck_assert_int_eq(addr_parse(&rows[i].host,
		    g == 0 ? "192.0.2.1" : "192.0.2.3"), 0);
		rows[i].port = (uint16_t)(100 * g + i);
		rows[i].kinds = &kinds[i];
	}
	return count[g];
}

static void
src_free(void *ctx)
{
	(void)ctx;
	src_freed++;
}

START_TEST(iter_source)
{
	struct row_source *src = xcalloc(1, sizeof(*src));
	const struct port_row *rows;
	struct row_iter a, b;
	struct results r;

	memset(&r, 0, sizeof(r));
	src->ngroups = 3;
	src->max_rows = src->max_kinds = 3;
	src->group = src_group;
	src->free = src_free;
	r.src = src;
	r.nrows = 5;
	results_iter_init(&a, &r);
	results_iter_init(&b, &r);	/* independent walks */
	ck_assert_uint_eq(results_iter_host(&a, &rows), 2);
	ck_assert_uint_eq(rows[1].port, 1);
	ck_assert_uint_eq(results_iter_host(&b, &rows), 2);
	ck_assert_uint_eq(results_iter_host(&a, &rows), 3); /* 1 was empty */
	ck_assert_uint_eq(rows[2].port, 202);
	ck_assert_uint_eq(results_iter_host(&a, &rows), 0);
	results_iter_done(&a);
	results_iter_done(&b);
	src_freed = 0;
	results_free(&r);
	ck_assert_int_eq(src_freed, 1);
	ck_assert_ptr_null(r.src);
}
END_TEST

/* A host's findings by binary search; other hosts' and host-less ones not. */
START_TEST(findings_of_host)
{
	static const char *const hosts[] = { "192.0.2.1", "192.0.2.1",
		"192.0.2.5", "2001:db8::1", NULL, NULL };
	struct finding f[6];
	struct results r;
	struct addr a;
	size_t i, lo, hi;

	memset(&r, 0, sizeof(r));
	memset(f, 0, sizeof(f));
	for (i = 0; i < 6; i++)
		if (hosts[i] != NULL) {
			f[i].has_host = true;
			ck_assert_int_eq(addr_parse(&f[i].host, hosts[i]), 0);
		}
	r.findings = f;
	r.nfindings = 6;
	ck_assert_int_eq(addr_parse(&a, "192.0.2.1"), 0);
	results_findings_of(&r, &a, &lo, &hi);
	ck_assert_uint_eq(lo, 0);
	ck_assert_uint_eq(hi, 2);
	ck_assert_int_eq(addr_parse(&a, "2001:db8::1"), 0);
	results_findings_of(&r, &a, &lo, &hi);
	ck_assert_uint_eq(lo, 3);
	ck_assert_uint_eq(hi, 4);
	ck_assert_int_eq(addr_parse(&a, "192.0.2.3"), 0); /* none */
	results_findings_of(&r, &a, &lo, &hi);
	ck_assert_uint_eq(lo, hi);
	ck_assert_uint_eq(lo, 2);
}
END_TEST

START_TEST(text_report)
{
	struct results r;
	char *s, *a, *b, *c;
	int rc;

	fixture(&r);
	s = render(&out_text_ops, &r, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(s,
	    "portsleuth report for 192.0.2.10\n"
	    "Probed by: 198.51.100.7\n"
	    "Not shown: 30 filtered tcp ports (no-response)\n"
	    "PORT    STATE  SERVICE REASON\n"
	    "22/tcp  open   ssh     syn-ack ttl 64\n"
	    "80/tcp  closed http    reset ttl 64\n"
	    "53/udp  closed domain  port-unreach from 198.51.100.1 ttl 254\n"
	    "161/udp open   my,svc  udp-response ttl 63\n\n"));
	/* Control bytes from the services file never reach the terminal. */
	ck_assert_ptr_nonnull(
	    strstr(s, "443/tcp open  bad?[31m syn-ack ttl 128\n"));
	ck_assert_ptr_nonnull(strstr(s,
	    "Probed by: 198.51.100.7, 2001:db8::99\n"
	    "PORT   STATE    SERVICE REASON\n"
	    "22/tcp filtered unknown no-response\n"
	    "22/tcp open     unknown syn-ack ttl 64\n"));
	a = strstr(s, "report for 192.0.2.9\n");
	b = strstr(s, "report for 192.0.2.10\n");
	c = strstr(s, "report for 2001:db8::1\n");
	ck_assert(a != NULL && b != NULL && c != NULL && a < b && b < c);
	ck_assert_ptr_null(strstr(s, "1000/tcp"));
	ck_assert_ptr_nonnull(a = strstr(s, "\n\n3 hosts"));
	ck_assert_str_eq(a + 2,
	    "3 hosts, 37 ports probed; read 1234 packets from 1 capture(s)\n");
	free(s);
	r.summary.partial = true;
	s = render(&out_text_ops, &r, 1, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_null(strstr(s, "Not shown"));
	ck_assert_ptr_nonnull(strstr(s,
	    "80/tcp   closed   http    reset ttl 64\n"
	    "1000/tcp filtered unknown no-response\n"));
	ck_assert_ptr_nonnull(strstr(s, "1029/tcp filtered unknown "));
	ck_assert_ptr_nonnull(strstr(s,
	    "capture(s)\nWARNING: partial "
	    "results (input truncated or state table full)\n"));
	free(s);
	results_free(&r);
}
END_TEST

/* 25 ports of a state are listed, 26 collapse (nmap: more than 25). */
START_TEST(text_collapse)
{
	struct results r;
	char *s;
	int rc, i, n = 25 + _i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < n; i++)
		add_row(&r, "10.0.0.1", 6, (uint16_t)(i + 1), PS_FILTERED,
		    RS_NO_RESPONSE, 0);
	s = render(&out_text_ops, &r, 0, &rc);
	ck_assert_int_eq(rc, 0);
	if (n == 25) {
		ck_assert_ptr_null(strstr(s, "Not shown"));
		ck_assert_ptr_nonnull(strstr(s, "\n25/tcp filtered "));
	} else {
		ck_assert_ptr_nonnull(strstr(s,
		    "Probed by: 198.51.100.7\n"
		    "All 26 scanned ports on 10.0.0.1 are in ignored states.\n"
		    "Not shown: 26 filtered tcp ports (no-response)\n\n"));
		ck_assert_ptr_null(strstr(s, "PORT"));
	}
	free(s);
	results_free(&r);
}
END_TEST

/* Several states and reasons: nmap >= 7.92 lists each (state, reason). */
START_TEST(text_collapse_reasons)
{
	struct results r;
	char *s;
	int rc, i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < 70; i++)
		add_row(&r, "10.0.0.1", 6, (uint16_t)(100 + i),
		    i < 40 ? PS_CLOSED : PS_FILTERED,
		    i < 40       ? RS_RESET
			: i < 42 ? RS_HOST_PROHIBITED
				 : RS_NO_RESPONSE,
		    i < 40       ? 64
			: i < 42 ? 254
				 : 0);
	add_row(&r, "10.0.0.1", 6, 22, PS_OPEN, RS_SYN_ACK, 64);
	results_sort(&r);
	s = render(&out_text_ops, &r, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(s,
	    "\nNot shown: 40 closed tcp ports "
	    "(reset), 28 filtered tcp ports (no-response), 2 filtered tcp "
	    "ports (host-prohibited)\nPORT   STATE SERVICE REASON\n"
	    "22/tcp open  unknown syn-ack ttl 64\n\n"));
	free(s);
	results_free(&r);
}
END_TEST

START_TEST(empty_results)
{
	struct results r;
	char *s;
	int rc;

	memset(&r, 0, sizeof(r));
	s = render(&out_text_ops, &r, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(s,
	    "0 hosts, 0 ports probed; read 0 packets from "
	    "0 capture(s)\n");
	free(s);
	s = render(&out_json_ops, &r, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(s,
	    ",\"first_seen\":null,"
	    "\"last_seen\":null,\"partial\":false}\n"));
	ck_assert_ptr_null(strstr(s, "\"port\""));
	free(s);
}
END_TEST

static void
csv_cb_field(void *s, size_t len, void *data)
{
	struct csv_count *c = data;

	c->fields++;
	if (len == 6 && memcmp(s, "my,svc", 6) == 0)
		c->saw_comma_svc = 1;
}

static void
csv_cb_record(int ch, void *data)
{
	struct csv_count *c = data;

	(void)ch;
	if (c->fields != 16)
		c->bad++;
	c->records++;
	c->fields = 0;
}

START_TEST(csv_output)
{
	static const char hdr[] =
	    "host,proto,port,state,reason,reason_ttl,"
	    "reason_ip,scanner,probes,responses,rtt_ms,first_seen,last_seen,"
	    "service,kinds,findings\n192.0.2.9,tcp,443,";
	struct results r;
	struct csv_parser p;
	struct csv_count cnt = { 0 };
	char *s;
	int rc;

	fixture(&r);
	s = render(&out_csv_ops, &r, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert(strncmp(s, hdr, strlen(hdr)) == 0);
	ck_assert_ptr_nonnull(strstr(s,
	    "\n192.0.2.10,tcp,22,open,syn-ack,64,,"
	    "198.51.100.7,1,1,0.412,2026-11-01T14:41:28.589477Z,"
	    "2026-11-01T14:41:28.590001Z,ssh,syn=open/syn-ack,\n"));
	ck_assert_ptr_nonnull(strstr(s,
	    "\n192.0.2.10,tcp,80,closed,reset,64,,"
	    "198.51.100.7,2,2,2.500,2026-11-01T14:41:28.589477Z,"
	    "2026-11-01T14:41:28.589477Z,http,"
	    "syn=closed/reset;xmas=closed/reset,\n"));
	ck_assert_ptr_nonnull(strstr(s,
	    "\n192.0.2.10,udp,53,closed,"
	    "port-unreach,254,198.51.100.1,198.51.100.7,1,1,,"));
	ck_assert_ptr_nonnull(strstr(s,
	    ",tcp,1000,filtered,no-response,0,,"
	    "198.51.100.7,1,0,,2026-11-01T14:41:28.589477Z,"
	    "2026-11-01T14:41:28.589477Z,,syn=filtered/no-response,\n"));
	ck_assert_ptr_nonnull(strstr(s, ",\"my,svc\",udp=open/udp-response,\n"));
	/* libcsv reads it back: 16 fields in each of 38 records. */
	ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
	ck_assert_uint_eq(
	    csv_parse(&p, s, strlen(s), csv_cb_field, csv_cb_record, &cnt),
	    strlen(s));
	ck_assert_int_eq(csv_fini(&p, csv_cb_field, csv_cb_record, &cnt), 0);
	csv_free(&p);
	ck_assert_uint_eq(cnt.records, 38);
	ck_assert_uint_eq(cnt.bad, 0);
	ck_assert_int_eq(cnt.saw_comma_svc, 1);
	free(s);
	r.rows[0].service = "a\"b";
	r.rows[1].service = " lead";
	s = render(&out_csv_ops, &r, 0, &rc);
	ck_assert_ptr_nonnull(strstr(s, ",\"a\"\"b\",syn=open/syn-ack,\n"));
	ck_assert_ptr_nonnull(strstr(s, ",\" lead\",syn=open/syn-ack,\n"));
	free(s);
	results_free(&r);
}
END_TEST

START_TEST(json_output)
{
	struct results r;
	char *s, *q;
	size_t lines = 0;
	int rc;

	fixture(&r);
	s = render(&out_json_ops, &r, 0, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(s,
	    "\n{\"type\":\"port\",\"host\":"
	    "\"192.0.2.10\",\"proto\":\"tcp\",\"port\":22,\"state\":\"open\","
	    "\"reason\":\"syn-ack\",\"reason_ttl\":64,\"reason_ip\":null,"
	    "\"scanner\":\"198.51.100.7\",\"probes\":1,\"responses\":1,"
	    "\"rtt_ms\":0.412,\"first_seen\":\"2026-11-01T14:41:28.589477Z\","
	    "\"last_seen\":\"2026-11-01T14:41:28.590001Z\",\"service\":\"ssh\","
	    "\"verdicts\":[{\"probe\":\"syn\",\"state\":\"open\",\"reason\":"
	    "\"syn-ack\",\"reason_ttl\":64,\"reason_ip\":null,\"tries\":1,"
	    "\"replies\":1,\"rule\":\"syn-ack-open\"}],\"findings\":[]}\n"));
	ck_assert_ptr_nonnull(strstr(s, "\"port\":80,\"state\":\"closed\","));
	ck_assert_ptr_nonnull(strstr(s, "\"rtt_ms\":2.5,"));
	ck_assert_ptr_nonnull(strstr(s, "\"rtt_ms\":3,"));
	ck_assert_ptr_nonnull(strstr(s,
	    "\"rule\":\"test-rule\"},{\"probe\":"
	    "\"xmas\",\"state\":\"closed\",\"reason\":\"reset\","));
	ck_assert_ptr_nonnull(strstr(s,
	    "\"port\":53,\"state\":\"closed\","
	    "\"reason\":\"port-unreach\",\"reason_ttl\":254,\"reason_ip\":"
	    "\"198.51.100.1\",\"scanner\":\"198.51.100.7\",\"probes\":1,"
	    "\"responses\":1,\"rtt_ms\":null,"));
	ck_assert_ptr_nonnull(strstr(s, "\"service\":\"my,svc\","));
	ck_assert_ptr_nonnull(strstr(s, "\"service\":\"bad\\u001b[31m\","));
	ck_assert_ptr_nonnull(strstr(s,
	    "\"port\":1000,\"state\":\"filtered\""
	    ",\"reason\":\"no-response\",\"reason_ttl\":0,"
	    "\"reason_ip\":null,"));
	ck_assert_ptr_nonnull(strstr(s, "\"service\":null,\"verdicts\""));
	ck_assert_ptr_nonnull(strstr(s,
	    "}\n{\"type\":\"summary\",\"captures\":"
	    "1,\"packets\":1234,\"bytes\":99999,\"decoded\":1200,\"malformed\":"
	    "3,\"probes\":41,\"paired\":8,\"unsolicited\":2,\"late\":1,"
	    "\"unmatched_icmp\":0,\"table_drops\":0,\"hosts\":3,"
	    "\"findings\":{\"info\":0,\"low\":0,\"medium\":0,\"high\":0},"
	    "\"ports\":"
	    "{\"open\":4,\"closed\":2,\"filtered\":31,\"unfiltered\":0,"
	    "\"open|filtered\":0,\"closed|filtered\":0},\"first_seen\":"
	    "\"2026-11-01T14:41:27.589477Z\",\"last_seen\":"
	    "\"2026-11-01T14:41:29.589477Z\",\"partial\":false}\n"));
	for (q = s; *q != '\0'; q++) {
		ck_assert(q == s || q[-1] != '\n' || *q == '{');
		lines += *q == '\n';
	}
	ck_assert_uint_eq(lines, 38);
	free(s);
	results_free(&r);
}
END_TEST

START_TEST(json_escape)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "q\"b\\s/", "\"q\\\"b\\\\s/\"" },
		{ "\x01\x1f\b\f\n\r\t\x7f",
		    "\"\\u0001\\u001f\\b\\f\\n\\r\\t\x7f\"" },
		{ "\xc3\xa9 \xf0\x9f\x98\x80",
		    "\"\xc3\xa9 \xf0\x9f\x98\x80\"" },
		{ "a\xff", "\"a\\u00ff\"" },
		{ "\xc3", "\"\\u00c3\"" },
		{ "\xc0\xaf", "\"\\u00c0\\u00af\"" },
		{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },
		{ "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"" },
		{ "\xe2\x82z", "\"\\u00e2\\u0082z\"" },
		{ "\xe0\x9f\xbf", "\"\\u00e0\\u009f\\u00bf\"" },
		{ "\xe0\xa0\x80", "\"\xe0\xa0\x80\"" },
		{ "\xf0\x8f\xbf\xbf", "\"\\u00f0\\u008f\\u00bf\\u00bf\"" },
		{ "\xf5\x80\x80\x80", "\"\\u00f5\\u0080\\u0080\\u0080\"" },
		{ "", "\"\"" },
		{ NULL, "null" },
	};
	char *buf;
	size_t i, len;
	FILE *fp;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf = NULL;
		fp = open_memstream(&buf, &len);
		ck_assert_ptr_nonnull(fp);
		ck_assert_int_eq(out_json_string(fp, cases[i].in), 0);
		fclose(fp);
		ck_assert_str_eq(buf, cases[i].out);
		free(buf);
	}
}
END_TEST

/* Every writer reports a full disk, unbuffered or at the final flush. */
START_TEST(write_errors)
{
	struct results r;
	struct out_opts o = { 0 };
	size_t i;
	FILE *fp;

	fixture(&r);
	for (i = 0; out_formats[i] != NULL; i++) {
		fp = fopen("/dev/full", "w");
		ck_assert_ptr_nonnull(fp);
		if (_i == 0)
			setvbuf(fp, NULL, _IONBF, 0);
		ck_assert_msg(out_formats[i]->write(fp, &r, &o) == -1,
		    "%s writer ignored a write error", out_formats[i]->name);
		fclose(fp);
	}
	fp = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(fp);
	setvbuf(fp, NULL, _IONBF, 0);
	ck_assert_int_eq(out_json_string(fp, "x"), -1);
	fclose(fp);
	results_free(&r);
}
END_TEST

START_TEST(writer_table)
{
	ck_assert_ptr_eq(out_find("text"), &out_text_ops);
	ck_assert_ptr_eq(out_find("csv"), &out_csv_ops);
	ck_assert_ptr_eq(out_find("json"), &out_json_ops);
	ck_assert_ptr_eq(out_find("xml"), &out_xml_ops);
	ck_assert_ptr_eq(out_find("grep"), &out_grep_ops);
	ck_assert_ptr_null(out_find("xml "));
	ck_assert_ptr_null(out_find(NULL));
	ck_assert_ptr_nonnull(out_formats[4]);
	ck_assert_ptr_null(out_formats[5]);
}
END_TEST

START_TEST(services_lookup)
{
	const char *a, *b;
	struct servent *se;
	uint16_t port;
	int i;

	ck_assert_ptr_null(service_name(22, 1));
	if (access("/etc/services", R_OK) != 0) {
		ck_assert_ptr_null(service_name(22, 6));
		return;
	}
	a = service_name(22, 6);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a, "ssh");
	ck_assert_ptr_eq(service_name(22, 6), a);
	a = service_name(53, 6);
	b = service_name(53, 17);
	ck_assert(a != NULL && b != NULL);
	if (strcmp(a, b) == 0) /* interned: one string for both */
		ck_assert_ptr_eq(a, b);
	services_free();
	ck_assert_str_eq(service_name(80, 6), "http");
	/* The one-pass load agrees with getservbyport(), port by port. */
	for (port = 1; port <= 2048; port++)
		for (i = 0; i < 2; i++) {
			se = getservbyport(htons(port), i ? "udp" : "tcp");
			a = service_name(port, i ? 17 : 6);
			ck_assert_msg(se == NULL
				? a == NULL
				: a != NULL && strcmp(a, se->s_name) == 0,
			    "port %u", port);
		}
	services_free();
}
END_TEST

/* The hand-made number formatters agree with printf at every digit count. */
START_TEST(number_formats)
{
	static const uint64_t v[] = { 0, 9, 10, 99, 100, 999, 1000, 9999,
		10000, 12345, 65535, 99999, 100000, 4294967295u,
		18446744073709551615u };
	static const double ms[] = { 0, 0.001, 0.999, 1, 9.999, 99.9995,
		0.0005, 0.0015, 1.2345, 9999.999, 10000, 10000.001, 4294967.295,
		999999999.999, 999999999999.5 };
	char got[32], want[32], *e;
	uint64_t x;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		e = out_fmt_u64(got, v[i]);
		*e = '\0';
		snprintf(want, sizeof(want), "%llu", (unsigned long long)v[i]);
		ck_assert_str_eq(got, want);
	}
	for (x = 1; x < 200000; x = x * 3 + 1) {
		e = out_fmt_u64(got, x);
		*e = '\0';
		snprintf(want, sizeof(want), "%llu", (unsigned long long)x);
		ck_assert_str_eq(got, want);
	}
	e = out_fmt_ms3(got, 17.627);
	*e = '\0';
	ck_assert_str_eq(got, "17.627");
	for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		e = out_fmt_ms3(got, ms[i]);
		*e = '\0';
		snprintf(want, sizeof(want), "%.3f", ms[i]);
		ck_assert_str_eq(got, want);
	}
	for (x = 0; x < 20000000000ull; x = x * 3 + 7) {	/* RTTs in us */
		e = out_fmt_ms3(got, (double)x / 1000.0);
		*e = '\0';
		snprintf(want, sizeof(want), "%.3f", (double)x / 1000.0);
		ck_assert_str_eq(got, want);
	}
	e = out_fmt_time(got, 1704067235930429000ull);
	*e = '\0';
	ck_assert_str_eq(got, "2024-01-01T00:00:35.930429Z");
}
END_TEST

/* out_fmt_time() as gmtime() and printf() write it. */
static void
want_time(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06uZ",
	    (unsigned)(ns % 1000000000u / 1000u));
}

/* Times in sequence (the formatter remembers the last day and second). */
START_TEST(time_formats)
{
	static const uint64_t v[] = { 0, 999, 1000, 999999999, 1000000000,
		1000000001, 59999999999ull, 60000000000ull, 86399999999000ull,
		86400000000000ull, 86399999999000ull, 951782399999999000ull,
		951782400000000000ull, 951868800000000000ull,
		1704067235930429000ull, 1704067235999999999ull,
		1704067236000000000ull, 1704067235000000000ull,
		1704067299000000000ull, 1704067235000000001ull,
		1704153635000000000ull, 1704067235999999000ull,
		4102444800000000000ull, 18446744073709551615ull };
	char got[OUT_ISO_BUF], want[OUT_ISO_BUF], *e;
	uint64_t x;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		e = out_fmt_time(got, v[i]);
		*e = '\0';
		want_time(v[i], want, sizeof(want));
		ck_assert_str_eq(got, want);
	}
	for (x = 1; x < 18000000000000000000ull / 7; x = x * 7 + 12345) {
		e = out_fmt_time(got, x);
		*e = '\0';
		want_time(x, want, sizeof(want));
		ck_assert_str_eq(got, want);
	}
}
END_TEST

static Suite *
out_suite(void)
{
	Suite *s = suite_create("out");
	TCase *tc = tcase_create("valid");

	tcase_add_test(tc, sort_order);
	tcase_add_test(tc, number_formats);
	tcase_add_test(tc, time_formats);
	tcase_add_test(tc, iter_array);
	tcase_add_test(tc, iter_source);
	tcase_add_test(tc, findings_of_host);
	tcase_add_test(tc, text_report);
	tcase_add_loop_test(tc, text_collapse, 0, 2);
	tcase_add_test(tc, text_collapse_reasons);
	tcase_add_test(tc, empty_results);
	tcase_add_test(tc, csv_output);
	tcase_add_test(tc, labelled_output);
	tcase_add_test(tc, json_output);
	tcase_add_test(tc, json_escape);
	tcase_add_test(tc, writer_table);
	tcase_add_test(tc, services_lookup);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, write_errors, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(out_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed;
}
