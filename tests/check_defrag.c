/*
 * check_defrag.c -- unit tests for IP fragment reassembly (defrag.h) and
 * the fragment description decode_packet() gives it (decode.h).
 *
 * Probes are split the way nmap -f splits them: 8 bytes of transport a
 * piece but the last, so no piece holds the TCP flags and the first holds
 * only the ports and sequence number. Addresses from RFC 5737 / RFC 3849.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <pcap/dlt.h>

#include "addr.h"
#include "decode.h"
#include "defrag.h"
#include "tunables.h"

#define V4_A	0xc0, 0x00, 0x02, 0x01		/* 192.0.2.1 (scanner) */
#define V4_B	0xc6, 0x33, 0x64, 0x02		/* 198.51.100.2 (target) */
#define V6_A	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
#define V6_B	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2

/* TCP SYN 54321 -> 80, seq 0x01020304, MSS 1460, 40 bytes with options. */
static const uint8_t syn[] = {
	0xd4, 0x31, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04,
	0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
	0x04, 0x02, 0x08, 0x0a, 0x00, 0x0a, 0xbc, 0xde,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

static const uint8_t ip4_hdr[] = {
	0x45, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x31, 0x06,
	0x00, 0x00, V4_A, V4_B,
};

static const uint8_t ip6_hdr[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 44, 0x31, V6_A, V6_B,
};

static uint8_t frame[512];

#define SEC 1000000000ull

/*
 * An IPv4 fragment of datagram `id` carrying syn[from, from + n) at
 * offset `from` (a multiple of 8), decoded as a raw-IP frame into *d.
 */
static enum decode_status
frag4(uint16_t id, uint32_t from, uint32_t n, bool more, struct decoded *d)
{
	uint32_t len = 20 + n;
	uint16_t word = (uint16_t)(from / 8) | (more ? 0x2000 : 0);

	memcpy(frame, ip4_hdr, 20);
	frame[2] = (uint8_t)(len >> 8), frame[3] = (uint8_t)len;
	frame[4] = (uint8_t)(id >> 8), frame[5] = (uint8_t)id;
	frame[6] = (uint8_t)(word >> 8), frame[7] = (uint8_t)word;
	memcpy(frame + 20, syn + from, n);
	return decode_packet(DLT_RAW, frame, len, len, d);
}

/* The same over IPv6: a fragment header (next header TCP) before the data. */
static enum decode_status
frag6(uint32_t id, uint32_t from, uint32_t n, bool more, struct decoded *d)
{
	uint32_t plen = 8 + n;
	uint16_t word = (uint16_t)(from | (more ? 1u : 0u));
	uint8_t *f = frame + 40;

	memcpy(frame, ip6_hdr, 40);
	frame[4] = (uint8_t)(plen >> 8), frame[5] = (uint8_t)plen;
	f[0] = 6, f[1] = 0;
	f[2] = (uint8_t)(word >> 8), f[3] = (uint8_t)word;
	f[4] = (uint8_t)(id >> 24), f[5] = (uint8_t)(id >> 16);
	f[6] = (uint8_t)(id >> 8), f[7] = (uint8_t)id;
	memcpy(f + 8, syn + from, n);
	return decode_packet(DLT_RAW, frame, 40 + plen, 40 + plen, d);
}

typedef enum decode_status (*frag_fn)(uint32_t id, uint32_t from, uint32_t n,
    bool more, struct decoded *d);

static enum decode_status
frag4_fn(uint32_t id, uint32_t from, uint32_t n, bool more, struct decoded *d)
{
	return frag4((uint16_t)id, from, n, more, d);
}

/* Decode piece (from, n) of datagram id and file it at ts. */
static enum decode_status
add(struct defrag *t, frag_fn fn, uint32_t id, uint32_t from, uint32_t n,
    bool more, uint64_t ts, struct decoded *d)
{
	ck_assert_int_eq(fn(id, from, n, more, d), DEC_SKIP_FRAGMENT);
	return defrag_add(t, ts, d);
}

static void
assert_syn(const struct decoded *d, const char *src)
{
	char s[ADDR_STRLEN];

	ck_assert_str_eq(addr_str(&d->src, s), src);
	ck_assert_uint_eq(d->proto, 6);
	ck_assert_uint_eq(d->sport, 54321);
	ck_assert_uint_eq(d->dport, 80);
	ck_assert_uint_eq(d->tcp.flags, 0x02);
	ck_assert_uint_eq(d->tcp.seq, 0x01020304);
	ck_assert_uint_eq(d->tcp.mss, 1460);
	ck_assert_uint_eq(d->tcp.payload, 0);
	ck_assert_uint_eq(d->ttl, 0x31);
}

START_TEST(decode_describes_fragments)
{
	struct decoded d;

	/* nmap -f's first piece: ports and sequence number, no flags. */
	ck_assert_int_eq(frag4(0x4242, 0, 8, true, &d), DEC_SKIP_FRAGMENT);
	ck_assert_uint_eq(d.frag.id, 0x4242);
	ck_assert_uint_eq(d.frag.offset, 0);
	ck_assert(d.frag.more);
	ck_assert_uint_eq(d.frag.next, 6);
	ck_assert_uint_eq(d.frag.len, 8);
	ck_assert_uint_eq(d.frag.wire_len, 8);
	ck_assert(d.frag.data == frame + 20);
	/* A later piece. */
	ck_assert_int_eq(frag4(7, 16, 24, false, &d), DEC_SKIP_FRAGMENT);
	ck_assert_uint_eq(d.frag.offset, 16);
	ck_assert(!d.frag.more);
	ck_assert_uint_eq(d.frag.len, 24);
	ck_assert_int_eq(memcmp(d.frag.data, syn + 16, 24), 0);
	/* IPv6: the data start after the fragment header. */
	ck_assert_int_eq(frag6(0xa1b2c3d4, 8, 8, true, &d),
	    DEC_SKIP_FRAGMENT);
	ck_assert_uint_eq(d.frag.id, 0xa1b2c3d4);
	ck_assert_uint_eq(d.frag.offset, 8);
	ck_assert_uint_eq(d.frag.next, 6);
	ck_assert(d.frag.data == frame + 48);
	ck_assert_int_eq(frag6(9, 0, 8, true, &d), DEC_SKIP_FRAGMENT);
	ck_assert_uint_eq(d.frag.offset, 0);
	ck_assert(d.frag.data == frame + 48);
	/* A first piece with the whole TCP header is decoded as it is. */
	ck_assert_int_eq(frag4(8, 0, 40, true, &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.flags, 0x02);
}
END_TEST

/* One piece to file and what defrag_add() must say to it. */
struct piece {
	uint32_t id, from, n;
	bool more;
	enum decode_status want;	/* DEC_OK: the SYN, decoded whole */
};

/* File the IPv4 pieces in order, all at time SEC. */
static void
feed(struct defrag *t, const struct piece *p, size_t n)
{
	struct decoded d;
	size_t i;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(add(t, frag4_fn, p[i].id, p[i].from, p[i].n,
		    p[i].more, SEC, &d), p[i].want);
		if (p[i].want == DEC_OK)
			assert_syn(&d, "192.0.2.1");
	}
}

START_TEST(in_order_v4)
{
	static const struct piece p[] = {
		{ 1, 0, 8, true, DEC_SKIP_FRAGMENT },
		{ 1, 8, 8, true, DEC_SKIP_FRAGMENT },
		{ 1, 16, 24, false, DEC_OK },
		/* The slot is free again: the same pieces start afresh. */
		{ 1, 0, 8, true, DEC_SKIP_FRAGMENT },
	};
	struct defrag *t = defrag_new();

	feed(t, p, sizeof(p) / sizeof(p[0]));
	ck_assert_uint_eq(defrag_done(t), 1);
	ck_assert_uint_eq(defrag_dropped(t), 0);
	defrag_free(t);
}
END_TEST

START_TEST(reordered_and_interleaved)
{
	static const struct piece p[] = {
		/* Datagram 2's last piece first, 3 interleaved with it. */
		{ 2, 16, 24, false, DEC_SKIP_FRAGMENT },
		{ 3, 0, 8, true, DEC_SKIP_FRAGMENT },
		{ 2, 8, 8, true, DEC_SKIP_FRAGMENT },
		{ 3, 8, 32, false, DEC_OK },
		{ 2, 0, 8, true, DEC_OK },
		/* A piece sent twice (overlap) changes nothing. */
		{ 4, 0, 16, true, DEC_SKIP_FRAGMENT },
		{ 4, 8, 8, true, DEC_SKIP_FRAGMENT },
		{ 4, 16, 24, false, DEC_OK },
	};
	struct defrag *t = defrag_new();

	feed(t, p, sizeof(p) / sizeof(p[0]));
	ck_assert_uint_eq(defrag_done(t), 3);
	defrag_free(t);
}
END_TEST

START_TEST(v6_fragment_header)
{
	struct defrag *t = defrag_new();
	struct decoded d;

	ck_assert_int_eq(add(t, frag6, 0xfeed, 0, 8, true, SEC, &d),
	    DEC_SKIP_FRAGMENT);
	ck_assert_int_eq(add(t, frag6, 0xfeed, 8, 32, false, SEC, &d),
	    DEC_OK);
	assert_syn(&d, "2001:db8::1");
	ck_assert_uint_eq(d.ip_ver, 6);
	defrag_free(t);
}
END_TEST

START_TEST(incomplete_never_decodes)
{
	struct defrag *t = defrag_new();
	struct decoded d;

	/* The middle piece is lost: the target never saw a SYN either. */
	ck_assert_int_eq(add(t, frag4_fn, 5, 0, 8, true, SEC, &d),
	    DEC_SKIP_FRAGMENT);
	ck_assert_int_eq(add(t, frag4_fn, 5, 16, 24, false, SEC, &d),
	    DEC_SKIP_FRAGMENT);
	/* Its last piece again, past the timeout: it starts afresh. */
	ck_assert_int_eq(add(t, frag4_fn, 5, 8, 8, true,
	    SEC + (TUN_DEFRAG_TIMEOUT_MS + 1) * 1000000ull, &d),
	    DEC_SKIP_FRAGMENT);
	ck_assert_uint_eq(defrag_done(t), 0);
	ck_assert_uint_eq(defrag_dropped(t), 1);
	defrag_free(t);
}
END_TEST

START_TEST(bounded_under_a_flood)
{
	struct defrag *t = defrag_new();
	struct decoded d;
	uint32_t id;

	/* Far more unfinished datagrams than slots: the oldest give way. */
	for (id = 0; id < 16 * TUN_DEFRAG_SLOTS; id++)
		ck_assert_int_eq(add(t, frag4_fn, id, 0, 8, true, SEC + id,
		    &d), DEC_SKIP_FRAGMENT);
	ck_assert_uint_ge(defrag_dropped(t), 15 * TUN_DEFRAG_SLOTS);
	/* A piece far past the kept head is counted, not stored. */
	frag4(0xffff, 16, 24, true, &d);
	frame[6] = 0x20 | 0x1f, frame[7] = 0xf8; /* offset 8184 units */
	ck_assert_int_eq(decode_packet(DLT_RAW, frame, 44, 44, &d),
	    DEC_SKIP_FRAGMENT);
	ck_assert_uint_eq(d.frag.offset, 8184 * 8);
	ck_assert_int_eq(defrag_add(t, 2 * SEC, &d), DEC_SKIP_FRAGMENT);
	/* A datagram sent whole afterwards still completes. */
	ck_assert_int_eq(add(t, frag4_fn, 0x7777, 0, 8, true, 3 * SEC, &d),
	    DEC_SKIP_FRAGMENT);
	ck_assert_int_eq(add(t, frag4_fn, 0x7777, 8, 32, false, 3 * SEC, &d),
	    DEC_OK);
	assert_syn(&d, "192.0.2.1");
	defrag_free(t);
}
END_TEST

START_TEST(payload_past_the_head)
{
	static uint8_t big[TUN_DEFRAG_HEAD + 200];
	struct defrag *t = defrag_new();
	struct decoded d;
	uint32_t rest = sizeof(big) - 8;

	/* A SYN with a large payload: only the head is kept, the length is. */
	memcpy(big, syn, sizeof(syn));
	memcpy(frame, ip4_hdr, 20);
	frame[2] = 0, frame[3] = 28, frame[5] = 9, frame[6] = 0x20;
	memcpy(frame + 20, big, 8);
	ck_assert_int_eq(decode_packet(DLT_RAW, frame, 28, 28, &d),
	    DEC_SKIP_FRAGMENT);
	ck_assert_int_eq(defrag_add(t, SEC, &d), DEC_SKIP_FRAGMENT);
	frame[2] = (uint8_t)((20 + rest) >> 8), frame[3] = (uint8_t)(20 + rest);
	frame[6] = 0, frame[7] = 1;
	memcpy(frame + 20, big + 8, rest);
	ck_assert_int_eq(decode_packet(DLT_RAW, frame, 20 + rest, 20 + rest,
	    &d), DEC_SKIP_FRAGMENT);
	ck_assert_int_eq(defrag_add(t, SEC, &d), DEC_OK);
	ck_assert_uint_eq(d.dport, 80);
	ck_assert_uint_eq(d.tcp.payload, sizeof(big) - 40);
	defrag_free(t);
}
END_TEST

static Suite *
defrag_suite(void)
{
	Suite *s = suite_create("defrag");
	TCase *tc = tcase_create("reassembly");

	tcase_add_test(tc, decode_describes_fragments);
	tcase_add_test(tc, in_order_v4);
	tcase_add_test(tc, reordered_and_interleaved);
	tcase_add_test(tc, v6_fragment_header);
	tcase_add_test(tc, incomplete_never_decodes);
	tcase_add_test(tc, bounded_under_a_flood);
	tcase_add_test(tc, payload_past_the_head);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int nfail;

	sr = srunner_create(defrag_suite());
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
