/*
 * check_flow.c -- unit tests for the pairing table, evidence precedence and
 * the pairing stage, on hand-built decoded packets and the default rules.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "flow.h"
#include "hosts.h"
#include "pair.h"
#include "rulebook.h"
#include "verdict.h"

static struct addr
v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct addr x;
	uint8_t q[4] = { a, b, c, d };

	addr_from_v4(&x, q);
	return x;
}

/* ---- flow table ---- */

START_TEST(flow_lookup_both_directions)
{
	struct flow_table *t = flow_new(64);
	struct flow_key k1, k2;
	struct addr s = v4(192, 0, 2, 1), d = v4(192, 0, 2, 2);
	bool lo1, lo2;
	struct flow_entry *e;

	flow_key_make(&k1, &s, 40000, &d, 80, 6, &lo1);
	flow_key_make(&k2, &d, 80, &s, 40000, 6, &lo2);
	ck_assert(lo1 != lo2);
	ck_assert_int_eq(memcmp(&k1, &k2, sizeof(k1)), 0);
	e = flow_insert(t, &k1);
	ck_assert_ptr_nonnull(e);
	e->seq = 1234;
	ck_assert_ptr_eq(flow_lookup(t, &k2), e);
	ck_assert_uint_eq(flow_count(t), 1);
	flow_remove(t, e);
	ck_assert_ptr_null(flow_lookup(t, &k1));
	ck_assert_uint_eq(flow_count(t), 0);
	flow_free(t);
}
END_TEST

START_TEST(flow_full_and_backshift)
{
	struct flow_table *t = flow_new(64);
	struct flow_key k;
	struct addr s = v4(192, 0, 2, 1), d = v4(192, 0, 2, 2);
	uint32_t i, cap = flow_capacity(t);
	bool lo;

	ck_assert_uint_eq(cap, 44); /* 64 slots at 70% */
	for (i = 0; i < cap; i++) {
		flow_key_make(&k, &s, (uint16_t)(1000 + i), &d, 80, 6, &lo);
		ck_assert_ptr_nonnull(flow_insert(t, &k));
	}
	flow_key_make(&k, &s, 9999, &d, 80, 6, &lo);
	ck_assert_ptr_null(flow_insert(t, &k));
	/* Remove every other entry; all the rest must still be found. */
	for (i = 0; i < cap; i += 2) {
		flow_key_make(&k, &s, (uint16_t)(1000 + i), &d, 80, 6, &lo);
		flow_remove(t, flow_lookup(t, &k));
	}
	for (i = 0; i < cap; i++) {
		flow_key_make(&k, &s, (uint16_t)(1000 + i), &d, 80, 6, &lo);
		if (i % 2)
			ck_assert_ptr_nonnull(flow_lookup(t, &k));
		else
			ck_assert_ptr_null(flow_lookup(t, &k));
	}
	ck_assert_uint_eq(flow_count(t), cap / 2);
	flow_free(t);
}
END_TEST

/* The canonical order is addr_cmp()'s, then the port's. */
START_TEST(flow_key_order_is_addr_cmp)
{
	struct addr a[5];
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct flow_key k;
	size_t i, j;
	bool lo;

	a[0] = v4(192, 0, 2, 1);
	a[1] = v4(192, 0, 2, 200);
	a[2] = v4(10, 255, 0, 1);
	addr_from_v6(&a[3], v6);
	v6[15] = 1;
	addr_from_v6(&a[4], v6);
	for (i = 0; i < 5; i++)
		for (j = 0; j < 5; j++) {
			int c = addr_cmp(&a[i], &a[j]);

			flow_key_make(&k, &a[i], 80, &a[j], 443, 6, &lo);
			ck_assert(lo == (c < 0 || c == 0));
			ck_assert(addr_eq(&k.lo, lo ? &a[i] : &a[j]));
			ck_assert_uint_eq(k.plo, lo ? 80 : 443);
			flow_key_make(&k, &a[i], 443, &a[j], 80, 6, &lo);
			ck_assert(lo == (c < 0));
		}
}
END_TEST

/*
 * An insert right after a failed lookup of its key reuses the slot the
 * lookup stopped at, unless the index changed in between.
 */
START_TEST(flow_insert_after_lookup)
{
	struct flow_table *t = flow_new(64);
	struct flow_key k;
	struct addr s = v4(192, 0, 2, 1), d = v4(192, 0, 2, 2);
	uint32_t i, h;
	bool lo;

	for (i = 0; i < 30; i++) {
		flow_key_make(&k, &s, (uint16_t)(1000 + i), &d, 80, 6, &lo);
		ck_assert_ptr_nonnull(flow_insert(t, &k));
	}
	for (i = 30; i < 44; i++) {
		flow_key_make(&k, &s, (uint16_t)(1000 + i), &d, 80, 6, &lo);
		h = flow_key_hash(&k);
		ck_assert_ptr_null(flow_lookup_hashed(t, &k, h));
		if (i % 2 == 0) {
			/* Removing an entry may empty a slot before it. */
			struct flow_key r;

			flow_key_make(&r, &s, (uint16_t)(1000 + i - 30), &d,
			    80, 6, &lo);
			flow_remove(t, flow_lookup(t, &r));
		}
		ck_assert_ptr_nonnull(flow_insert_hashed(t, &k, h));
	}
	for (i = 0; i < 44; i++) {
		flow_key_make(&k, &s, (uint16_t)(1000 + i), &d, 80, 6, &lo);
		if (i < 14 && i % 2 == 0)
			ck_assert_ptr_null(flow_lookup(t, &k));
		else
			ck_assert_ptr_nonnull(flow_lookup(t, &k));
	}
	flow_free(t);
}
END_TEST

static bool
expire_odd(void *ctx, struct flow_entry *e)
{
	(void)ctx;
	return e->key.plo % 2 == 1 || e->key.phi % 2 == 1;
}

START_TEST(flow_walk_removes_selected)
{
	struct flow_table *t = flow_new(256);
	struct flow_key k;
	struct addr s = v4(192, 0, 2, 1), d = v4(192, 0, 2, 2);
	uint32_t i;
	bool lo;

	for (i = 0; i < 100; i++) {
		flow_key_make(&k, &s, (uint16_t)(2000 + i), &d, 80, 6, &lo);
		flow_insert(t, &k);
	}
	flow_walk(t, expire_odd, NULL);
	ck_assert_uint_eq(flow_count(t), 50);
	flow_walk(t, expire_odd, NULL);
	ck_assert_uint_eq(flow_count(t), 50);
	flow_free(t);
}
END_TEST

static bool
expire_all(void *ctx, struct flow_entry *e)
{
	uint32_t *n = ctx;

	(void)e;
	(*n)++;
	return true;
}

/* The wheel brings entries once their due time has passed, not before. */
START_TEST(flow_expire_by_due_time)
{
	struct flow_table *t = flow_new(256);
	struct flow_key k;
	struct addr s = v4(192, 0, 2, 1), d = v4(192, 0, 2, 2);
	uint32_t i, n = 0;
	bool lo;

	flow_set_clock(t, 10, 1000);
	for (i = 0; i < 100; i++) {
		flow_key_make(&k, &s, (uint16_t)(2000 + i), &d, 80, 6, &lo);
		flow_due(t, flow_insert(t, &k), 100 + 10 * i);
	}
	flow_expire(t, 95, expire_all, &n);
	ck_assert_uint_eq(n, 0);
	flow_expire(t, 600, expire_all, &n);
	ck_assert_uint_lt(n, 52);
	ck_assert_uint_ge(n, 50);
	flow_expire(t, 5000, expire_all, &n);
	ck_assert_uint_eq(n, 100);
	ck_assert_uint_eq(flow_count(t), 0);
	flow_free(t);
}
END_TEST

/* A table allowed to grow takes more than its first capacity. */
START_TEST(flow_grows_when_allowed)
{
	struct flow_table *t = flow_new(64);
	struct flow_key k;
	struct addr s = v4(192, 0, 2, 1), d = v4(192, 0, 2, 2);
	uint32_t i, cap = flow_capacity(t);
	bool lo;

	flow_set_growth(t, 256, NULL);
	for (i = 0; i < cap * 3; i++) {
		flow_key_make(&k, &s, (uint16_t)(1000 + i), &d, 80, 6, &lo);
		ck_assert_ptr_nonnull(flow_insert(t, &k));
	}
	for (i = 0; i < cap * 3; i++) {
		flow_key_make(&k, &s, (uint16_t)(1000 + i), &d, 80, 6, &lo);
		ck_assert_ptr_nonnull(flow_lookup(t, &k));
	}
	ck_assert_uint_eq(flow_slots(t), 256);
	for (;; i++) {
		flow_key_make(&k, &s, (uint16_t)(1000 + i), &d, 80, 6, &lo);
		if (flow_insert(t, &k) == NULL)
			break;
	}
	ck_assert_uint_eq(flow_count(t), flow_capacity(t));
	flow_free(t);
}
END_TEST

/* ---- nmap precedence (semantics.md 5.3) ---- */

START_TEST(precedence_table)
{
	ck_assert(evidence_takes(PS_UNKNOWN, PS_OPEN, PK_SYN));
	ck_assert(!evidence_takes(PS_OPEN, PS_CLOSED, PK_SYN));
	ck_assert(evidence_takes(PS_OPEN, PS_CLOSED, PK_UDP));
	ck_assert(!evidence_takes(PS_CLOSED, PS_FILTERED, PK_SYN));
	ck_assert(!evidence_takes(PS_CLOSED, PS_OPEN, PK_FIN));
	ck_assert(evidence_takes(PS_CLOSED, PS_OPEN, PK_SYN));
	ck_assert(!evidence_takes(PS_FILTERED, PS_OPEN, PK_UDP));
	ck_assert(evidence_takes(PS_FILTERED, PS_OPEN, PK_SYN));
	ck_assert(evidence_takes(PS_UNFILTERED, PS_CLOSED, PK_ACK));
	ck_assert(!evidence_takes(PS_UNFILTERED, PS_FILTERED, PK_ACK));
	ck_assert(evidence_takes(PS_OPEN_FILTERED, PS_CLOSED, PK_UDP));
}
END_TEST

/* ---- pairing on hand-built packets ---- */

struct rig {
	struct ruleset *rs;
	struct verdict *v;
	struct hosts *h;
	struct evidence *ev;
	struct pairing *p;
};

static void
quiet(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

static void
rig_init(struct rig *r)
{
	struct pair_opts o = { .timeout_ns = 10000000000ull,
	    .idle_ns = 300000000000ull, .flow_slots = 1024, .budget = NULL };
	const char *dir = getenv("RULESDIR");
	int errors;

	if (dir != NULL)
		setenv("PORTSLEUTH_RULES_DIR", dir, 1);
	r->rs = rulebook_load(false, NULL, 0, quiet, NULL, &errors);
	ck_assert_ptr_nonnull(r->rs);
	r->v = verdict_new(r->rs);
	r->h = hosts_new(1000);
	r->ev = evidence_new(1000);
	r->p = pair_new(&o, r->v, r->h, r->ev);
}

static void
rig_free(struct rig *r)
{
	pair_free(r->p);
	evidence_free(r->ev);
	hosts_free(r->h);
	verdict_free(r->v);
	ruleset_free(r->rs);
}

static struct decoded
tcp(struct addr s, uint16_t sp, struct addr d, uint16_t dp, uint8_t flags,
    uint32_t seq, uint32_t ack, uint8_t ttl)
{
	struct decoded x;

	memset(&x, 0, sizeof(x));
	x.ip_ver = 4;
	x.src = s;
	x.dst = d;
	x.ttl = ttl;
	x.proto = 6;
	x.sport = sp;
	x.dport = dp;
	x.tcp.flags = flags;
	x.tcp.seq = seq;
	x.tcp.ack = ack;
	x.tcp.win = 1024;
	x.tcp.wscale = 0xff;
	return x;
}

static const struct port_ev *
record(struct rig *r, struct addr s, struct addr d, uint16_t port,
    uint8_t kind)
{
	struct port_key k = { hosts_find(r->h, &s), hosts_find(r->h, &d), port,
		6, kind };
	uint32_t id = evidence_find(r->ev, &k);

	ck_assert_uint_ne(id, EV_NONE);
	return evidence_at(r->ev, id);
}

START_TEST(pair_syn_synack_rst_silence)
{
	struct rig r;
	struct addr s = v4(192, 0, 2, 1), t = v4(192, 0, 2, 9);
	struct decoded d;
	const struct port_ev *e;

	rig_init(&r);
	d = tcp(s, 5000, t, 22, TH_SYN, 100, 0, 50);
	pair_packet(r.p, &d, 1000000000ull);
	d = tcp(t, 22, s, 5000, TH_SYN | TH_ACK, 7, 101, 64);
	pair_packet(r.p, &d, 1001000000ull);
	d = tcp(s, 5000, t, 23, TH_SYN, 100, 0, 50);
	pair_packet(r.p, &d, 1002000000ull);
	d = tcp(t, 23, s, 5000, TH_RST | TH_ACK, 0, 101, 63);
	pair_packet(r.p, &d, 1003000000ull);
	d = tcp(s, 5000, t, 24, TH_SYN, 100, 0, 50);
	pair_packet(r.p, &d, 1004000000ull);
	/* An RST with the wrong ack number answers nothing. */
	d = tcp(t, 24, s, 5000, TH_RST | TH_ACK, 0, 999, 63);
	pair_packet(r.p, &d, 1005000000ull);
	pair_finish(r.p);
	evidence_finish(r.ev);
	e = record(&r, s, t, 22, PK_SYN);
	ck_assert_uint_eq(e->state, PS_OPEN);
	ck_assert_uint_eq(e->reason, RS_SYN_ACK);
	ck_assert_uint_eq(e->reason_ttl, 64);
	ck_assert_uint_eq(e->rtt_us, 1000);
	e = record(&r, s, t, 23, PK_SYN);
	ck_assert_uint_eq(e->state, PS_CLOSED);
	ck_assert_uint_eq(e->reason, RS_RESET);
	e = record(&r, s, t, 24, PK_SYN);
	ck_assert_uint_eq(e->state, PS_FILTERED);
	ck_assert_uint_eq(e->reason, RS_NO_RESPONSE);
	ck_assert_uint_eq(pair_stats(r.p)->seq_mismatch, 1);
	rig_free(&r);
}
END_TEST

START_TEST(pair_retries_and_late_reply)
{
	struct rig r;
	struct addr s = v4(192, 0, 2, 1), t = v4(192, 0, 2, 9);
	struct decoded d;
	const struct port_ev *e;

	rig_init(&r);
	/* Two tries (nmap retry: new source port), second one answered. */
	d = tcp(s, 5000, t, 80, TH_SYN, 100, 0, 50);
	pair_packet(r.p, &d, 1000000000ull);
	d = tcp(s, 5001, t, 80, TH_SYN, 100, 0, 50);
	pair_packet(r.p, &d, 2000000000ull);
	d = tcp(t, 80, s, 5001, TH_SYN | TH_ACK, 7, 101, 64);
	pair_packet(r.p, &d, 2000500000ull);
	/* Port 81: the reply comes 20 s later, past the 10 s timeout. */
	d = tcp(s, 5000, t, 81, TH_SYN, 100, 0, 50);
	pair_packet(r.p, &d, 3000000000ull);
	d = tcp(t, 81, s, 5000, TH_SYN | TH_ACK, 7, 101, 64);
	pair_packet(r.p, &d, 23000000000ull);
	pair_finish(r.p);
	evidence_finish(r.ev);
	e = record(&r, s, t, 80, PK_SYN);
	ck_assert_uint_eq(e->state, PS_OPEN);
	ck_assert_uint_eq(e->tries, 2);
	e = record(&r, s, t, 81, PK_SYN);
	ck_assert_uint_eq(e->state, PS_FILTERED);
	ck_assert_uint_eq(pair_stats(r.p)->late, 1);
	rig_free(&r);
}
END_TEST

START_TEST(pair_icmp_through_quote)
{
	struct rig r;
	struct addr s = v4(198, 51, 100, 1), t = v4(192, 0, 2, 9);
	struct addr rtr = v4(198, 51, 100, 254);
	struct decoded d;
	const struct port_ev *e;

	rig_init(&r);
	d = tcp(s, 5000, t, 25, TH_SYN, 4242, 0, 50);
	pair_packet(r.p, &d, 1000000000ull);
	memset(&d, 0, sizeof(d));
	d.ip_ver = 4;
	d.src = rtr;
	d.dst = s;
	d.ttl = 255;
	d.proto = 1;
	d.icmp_type = 3;
	d.icmp_code = 13;
	d.icmp_error = true;
	d.q.valid = d.q.has_ports = d.q.has_seq = true;
	d.q.src = s;
	d.q.dst = t;
	d.q.proto = 6;
	d.q.sport = 5000;
	d.q.dport = 25;
	d.q.seq = 4242;
	pair_packet(r.p, &d, 1001000000ull);
	pair_finish(r.p);
	evidence_finish(r.ev);
	e = record(&r, s, t, 25, PK_SYN);
	ck_assert_uint_eq(e->state, PS_FILTERED);
	ck_assert_uint_eq(e->reason, RS_ADMIN_PROHIBITED);
	ck_assert_uint_eq(e->reason_ttl, 255);
	ck_assert_uint_eq(e->reason_src, hosts_find(r.h, &rtr));
	rig_free(&r);
}
END_TEST

START_TEST(pair_state_change_rounds)
{
	struct rig r;
	struct addr s = v4(192, 0, 2, 1), t = v4(192, 0, 2, 9);
	struct decoded d;
	const struct port_ev *e;
	uint16_t sp;

	rig_init(&r);
	/* open, then closed, then silent: the last round wins. */
	d = tcp(s, 5000, t, 8000, TH_SYN, 100, 0, 50);
	pair_packet(r.p, &d, 1000000000ull);
	d = tcp(t, 8000, s, 5000, TH_SYN | TH_ACK, 7, 101, 64);
	pair_packet(r.p, &d, 1001000000ull);
	d = tcp(s, 5001, t, 8000, TH_SYN, 300, 0, 50);
	pair_packet(r.p, &d, 5000000000ull);
	d = tcp(t, 8000, s, 5001, TH_RST | TH_ACK, 0, 301, 64);
	pair_packet(r.p, &d, 5001000000ull);
	for (sp = 5002; sp < 5005; sp++) {
		d = tcp(s, sp, t, 8000, TH_SYN, 500, 0, 50);
		pair_packet(r.p, &d, 9000000000ull + sp * 1000000ull);
	}
	pair_finish(r.p);
	evidence_finish(r.ev);
	e = record(&r, s, t, 8000, PK_SYN);
	ck_assert_uint_eq(e->state, PS_FILTERED);
	ck_assert_uint_eq(e->reason, RS_NO_RESPONSE);
	ck_assert_uint_eq(e->changes, 2);
	ck_assert_uint_eq(e->tries, 5);
	rig_free(&r);
}
END_TEST

START_TEST(pair_unsolicited_synack_no_record)
{
	struct rig r;
	struct addr s = v4(203, 0, 113, 5), t = v4(198, 51, 100, 7);
	struct decoded d;

	rig_init(&r);
	d = tcp(s, 80, t, 3333, TH_SYN | TH_ACK, 1, 2, 50);
	pair_packet(r.p, &d, 1000000000ull);
	d = tcp(t, 3333, s, 80, TH_RST, 2, 0, 64);
	pair_packet(r.p, &d, 1000100000ull);
	pair_finish(r.p);
	ck_assert_uint_eq(pair_stats(r.p)->unsolicited_synack, 1);
	ck_assert_uint_eq(pair_stats(r.p)->unsolicited_rst, 1);
	ck_assert_uint_eq(evidence_count(r.ev), 0);
	rig_free(&r);
}
END_TEST

static Suite *
flow_suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, flow_lookup_both_directions);
	tcase_add_test(tc, flow_full_and_backshift);
	tcase_add_test(tc, flow_key_order_is_addr_cmp);
	tcase_add_test(tc, flow_insert_after_lookup);
	tcase_add_test(tc, flow_walk_removes_selected);
	tcase_add_test(tc, flow_expire_by_due_time);
	tcase_add_test(tc, flow_grows_when_allowed);
	tcase_add_test(tc, precedence_table);
	suite_add_tcase(s, tc);
	tc = tcase_create("pairing");
	tcase_add_test(tc, pair_syn_synack_rst_silence);
	tcase_add_test(tc, pair_retries_and_late_reply);
	tcase_add_test(tc, pair_icmp_through_quote);
	tcase_add_test(tc, pair_state_change_rounds);
	tcase_add_test(tc, pair_unsolicited_synack_no_record);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(flow_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
