/*
 * check_decode.c -- unit tests for the packet decoder (decode.h).
 *
 * Every packet is a byte array written out here (addresses from the
 * documentation ranges, RFC 5737 / RFC 3849). TCase "valid" covers each
 * link type and protocol path, "truncated" cuts the capture inside every
 * header, "malformed" feeds lengths and fields that contradict each other.
 * Each test asserts decoded values, not only the status.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <pcap/dlt.h>

#include "addr.h"
#include "decode.h"

#define MACS	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, \
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02
#define V4_A	0xc0, 0x00, 0x02, 0x01		/* 192.0.2.1 (scanner) */
#define V4_B	0xc6, 0x33, 0x64, 0x02		/* 198.51.100.2 (target) */
#define V6_A	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
#define V6_B	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2

/* TCP SYN 54321 -> 80, seq 0x01020304, win 64240, Linux option layout. */
#define TCP_SYN	0xd4, 0x31, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, \
		0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0, \
		0x00, 0x00, 0x00, 0x00, \
		0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, \
		0x00, 0x0a, 0xbc, 0xde, 0x00, 0x00, 0x00, 0x00, \
		0x01, 0x03, 0x03, 0x07

/* IPv4 total 60, id 0x1234, DF, TTL 64, TOS 0x10 + TCP_SYN. */
static const uint8_t ip4_syn[] = {
	0x45, 0x10, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06,
	0x00, 0x00, V4_A, V4_B, TCP_SYN,
};

/* IPv6 class 0x12, payload 40, hop limit 64 + TCP_SYN. */
static const uint8_t ip6_syn[] = {
	0x61, 0x20, 0x00, 0x00, 0x00, 0x28, 0x06, 0x40, V6_A, V6_B, TCP_SYN,
};

/* IPv4 total 32 + UDP 40000 -> 53, length 12, 4 payload bytes. */
static const uint8_t ip4_udp[] = {
	0x45, 0x00, 0x00, 0x20, 0x00, 0x07, 0x00, 0x00, 0x40, 0x11,
	0x00, 0x00, V4_A, V4_B,
	0x9c, 0x40, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 'a', 'b', 'c', 'd',
};

static const uint8_t eth_ip4[] = { MACS, 0x08, 0x00 };
static const uint8_t eth_ip6[] = { MACS, 0x86, 0xdd };

static uint8_t buf[2048];

/* Concatenate a link header and a packet into buf; returns the length. */
static uint32_t
mk(const uint8_t *hdr, size_t hlen, const uint8_t *ip, size_t iplen)
{
	if (hlen != 0)
		memcpy(buf, hdr, hlen);
	if (iplen != 0)
		memcpy(buf + hlen, ip, iplen);
	return (uint32_t)(hlen + iplen);
}

static enum decode_status
dec(int dlt, uint32_t len, struct decoded *d)
{
	return decode_packet(dlt, buf, len, len, d);
}

static void
assert_addr(const struct addr *a, const char *want)
{
	char s[ADDR_STRLEN];

	ck_assert_str_eq(addr_str(a, s), want);
}

/* Everything decode_packet() must get out of ip4_syn. */
static void
assert_syn4(const struct decoded *d)
{
	static const uint8_t layout[] = { 2, 4, 8, 1, 3 };

	ck_assert_uint_eq(d->ip_ver, 4);
	assert_addr(&d->src, "192.0.2.1");
	assert_addr(&d->dst, "198.51.100.2");
	ck_assert_uint_eq(d->ttl, 64);
	ck_assert_uint_eq(d->ip_id, 0x1234);
	ck_assert(d->df);
	ck_assert_uint_eq(d->tos, 0x10);
	ck_assert_uint_eq(d->proto, 6);
	ck_assert_uint_eq(d->sport, 54321);
	ck_assert_uint_eq(d->dport, 80);
	ck_assert_uint_eq(d->tcp.flags, TH_SYN);
	ck_assert_uint_eq(d->tcp.seq, 0x01020304);
	ck_assert_uint_eq(d->tcp.ack, 0);
	ck_assert_uint_eq(d->tcp.win, 64240);
	ck_assert_uint_eq(d->tcp.payload, 0);
	ck_assert_uint_eq(d->tcp.nopt, sizeof(layout));
	ck_assert_mem_eq(d->tcp.opt_kind, layout, sizeof(layout));
	ck_assert_uint_eq(d->tcp.mss, 1460);
	ck_assert_uint_eq(d->tcp.wscale, 7);
	ck_assert(d->tcp.sack_ok);
	ck_assert(d->tcp.has_ts);
	ck_assert_uint_eq(d->tcp.tsval, 0x000abcde);
	ck_assert(!d->icmp_error);
}

static void
assert_syn6(const struct decoded *d)
{
	ck_assert_uint_eq(d->ip_ver, 6);
	assert_addr(&d->src, "2001:db8::1");
	assert_addr(&d->dst, "2001:db8::2");
	ck_assert_uint_eq(d->ttl, 64);
	ck_assert_uint_eq(d->tos, 0x12);
	ck_assert_uint_eq(d->ip_id, 0);
	ck_assert_uint_eq(d->proto, 6);
	ck_assert_uint_eq(d->sport, 54321);
	ck_assert_uint_eq(d->dport, 80);
	ck_assert_uint_eq(d->tcp.seq, 0x01020304);
	ck_assert_uint_eq(d->tcp.mss, 1460);
	ck_assert_uint_eq(d->tcp.wscale, 7);
}

/* Host-order 16 bits, as libpcap hands NFLOG TLV headers over. */
static void
put_h16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * NFLOG record in buf: AF header, NFULA_PACKET_HDR (1), NFULA_PREFIX (10,
 * 9 bytes padded to 12), NFULA_PAYLOAD (9) holding the packet at 28.
 */
static uint32_t
nflog_frame(uint8_t family, const uint8_t *ip, size_t iplen)
{
	memset(buf, 0, 28);
	buf[0] = family;
	put_h16(buf + 4, 8);
	put_h16(buf + 6, 1);
	buf[8] = 0x08, buf[10] = 3;
	put_h16(buf + 12, 9);
	put_h16(buf + 14, 10);
	memcpy(buf + 16, "abcd", 5);
	put_h16(buf + 24, (uint16_t)(4 + iplen));
	put_h16(buf + 26, 9);
	memcpy(buf + 28, ip, iplen);
	return (uint32_t)(28 + iplen);
}

/* --- valid ------------------------------------------------------------ */

START_TEST(valid_ether_syn4)
{
	struct decoded d;

	ck_assert_int_eq(dec(DLT_EN10MB, mk(eth_ip4, sizeof(eth_ip4),
	    ip4_syn, sizeof(ip4_syn)), &d), DEC_OK);
	assert_syn4(&d);
	ck_assert_uint_eq(d.vlan, 0);
	ck_assert_uint_eq(d.caplen, 74);
	ck_assert_uint_eq(d.wirelen, 74);
}
END_TEST

START_TEST(valid_ether_syn6)
{
	struct decoded d;

	ck_assert_int_eq(dec(DLT_EN10MB, mk(eth_ip6, sizeof(eth_ip6),
	    ip6_syn, sizeof(ip6_syn)), &d), DEC_OK);
	assert_syn6(&d);
}
END_TEST

START_TEST(valid_vlan)
{
	static const uint8_t q[] = { MACS, 0x81, 0x00, 0x20, 0x2a, 0x08, 0x00 };
	static const uint8_t qinq[] = { MACS, 0x88, 0xa8, 0x00, 0x64,
		0x81, 0x00, 0x00, 0xc8, 0x08, 0x00 };
	static const uint8_t q9100[] = { MACS, 0x91, 0x00, 0x0f, 0xff,
		0x81, 0x00, 0x00, 0x05, 0x86, 0xdd };
	struct decoded d;

	ck_assert_int_eq(dec(DLT_EN10MB, mk(q, sizeof(q), ip4_syn,
	    sizeof(ip4_syn)), &d), DEC_OK);
	ck_assert_uint_eq(d.vlan, 42);	/* PCP 1 is not part of the VID */
	assert_syn4(&d);
	ck_assert_int_eq(dec(DLT_EN10MB, mk(qinq, sizeof(qinq), ip4_syn,
	    sizeof(ip4_syn)), &d), DEC_OK);
	ck_assert_uint_eq(d.vlan, 100);	/* outermost of 100/200 */
	assert_syn4(&d);
	ck_assert_int_eq(dec(DLT_EN10MB, mk(q9100, sizeof(q9100), ip6_syn,
	    sizeof(ip6_syn)), &d), DEC_OK);
	ck_assert_uint_eq(d.vlan, 4095);
	assert_syn6(&d);
}
END_TEST

START_TEST(valid_mpls)
{
	/* Two labels, the second with bottom-of-stack set. */
	static const uint8_t m[] = { MACS, 0x88, 0x47,
		0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x3f };
	static const uint8_t m6[] = { MACS, 0x88, 0x48, 0x00, 0x03, 0x01,
		0x3f };
	struct decoded d;

	ck_assert_int_eq(dec(DLT_EN10MB, mk(m, sizeof(m), ip4_syn,
	    sizeof(ip4_syn)), &d), DEC_OK);
	assert_syn4(&d);
	ck_assert_int_eq(dec(DLT_EN10MB, mk(m6, sizeof(m6), ip6_syn,
	    sizeof(ip6_syn)), &d), DEC_OK);
	assert_syn6(&d);
}
END_TEST

START_TEST(valid_sll)
{
	static const uint8_t sll[] = { 0x00, 0x00, 0x00, 0x01, 0x00, 0x06,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x08, 0x00 };
	static const uint8_t sll_vlan[] = { 0x00, 0x04, 0x00, 0x01, 0x00, 0x06,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x81, 0x00,
		0x00, 0x07, 0x08, 0x00 };
	struct decoded d;

	ck_assert_int_eq(dec(DLT_LINUX_SLL, mk(sll, sizeof(sll), ip4_syn,
	    sizeof(ip4_syn)), &d), DEC_OK);
	assert_syn4(&d);
	ck_assert_int_eq(dec(DLT_LINUX_SLL, mk(sll_vlan, sizeof(sll_vlan),
	    ip4_syn, sizeof(ip4_syn)), &d), DEC_OK);
	ck_assert_uint_eq(d.vlan, 7);
	assert_syn4(&d);
}
END_TEST

START_TEST(valid_sll2)
{
	static const uint8_t sll2[] = { 0x86, 0xdd, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x02, 0x00, 0x01, 0x04, 0x06, 0x02, 0x00, 0x00, 0x00,
		0x00, 0x01, 0x00, 0x00 };
	struct decoded d;

	ck_assert_int_eq(dec(DLT_LINUX_SLL2, mk(sll2, sizeof(sll2), ip6_syn,
	    sizeof(ip6_syn)), &d), DEC_OK);
	assert_syn6(&d);
}
END_TEST

START_TEST(valid_raw)
{
	static const int v4dlts[] = { DLT_RAW, 12, 14, 101, DLT_IPV4 };
	static const int v6dlts[] = { DLT_RAW, 12, 14, 101, DLT_IPV6 };
	struct decoded d;
	size_t i;

	for (i = 0; i < sizeof(v4dlts) / sizeof(v4dlts[0]); i++) {
		ck_assert_int_eq(dec(v4dlts[i], mk(NULL, 0, ip4_syn,
		    sizeof(ip4_syn)), &d), DEC_OK);
		assert_syn4(&d);
	}
	for (i = 0; i < sizeof(v6dlts) / sizeof(v6dlts[0]); i++) {
		ck_assert_int_eq(dec(v6dlts[i], mk(NULL, 0, ip6_syn,
		    sizeof(ip6_syn)), &d), DEC_OK);
		assert_syn6(&d);
	}
}
END_TEST

START_TEST(valid_null_loop)
{
	static const uint8_t le4[] = { 2, 0, 0, 0 }, be4[] = { 0, 0, 0, 2 };
	static const uint8_t v6af[][4] = { { 24, 0, 0, 0 }, { 28, 0, 0, 0 },
		{ 0, 0, 0, 30 }, { 10, 0, 0, 0 } };
	struct decoded d;
	size_t i;

	ck_assert_int_eq(dec(DLT_NULL, mk(le4, 4, ip4_syn, sizeof(ip4_syn)),
	    &d), DEC_OK);
	assert_syn4(&d);
	ck_assert_int_eq(dec(DLT_NULL, mk(be4, 4, ip4_syn, sizeof(ip4_syn)),
	    &d), DEC_OK);
	assert_syn4(&d);
	for (i = 0; i < sizeof(v6af) / sizeof(v6af[0]); i++) {
		ck_assert_int_eq(dec(DLT_NULL, mk(v6af[i], 4, ip6_syn,
		    sizeof(ip6_syn)), &d), DEC_OK);
		assert_syn6(&d);
	}
	ck_assert_int_eq(dec(DLT_LOOP, mk(be4, 4, ip4_syn, sizeof(ip4_syn)),
	    &d), DEC_OK);
	assert_syn4(&d);
	ck_assert_int_eq(dec(DLT_LOOP, mk(v6af[2], 4, ip6_syn,
	    sizeof(ip6_syn)), &d), DEC_OK);
	assert_syn6(&d);
}
END_TEST

START_TEST(valid_nflog)
{
	struct decoded d;

	ck_assert_int_eq(dec(DLT_NFLOG, nflog_frame(2, ip4_syn,
	    sizeof(ip4_syn)), &d), DEC_OK);
	assert_syn4(&d);
	ck_assert_int_eq(dec(DLT_NFLOG, nflog_frame(10, ip6_syn,
	    sizeof(ip6_syn)), &d), DEC_OK);
	assert_syn6(&d);
	/* A record without a payload TLV is a log entry, not IP. */
	ck_assert_int_eq(dec(DLT_NFLOG, 24, &d), DEC_SKIP_NOT_IP);
	/* Families other than AF_INET/AF_INET6 (here AF_BRIDGE). */
	nflog_frame(7, ip4_syn, sizeof(ip4_syn));
	ck_assert_int_eq(dec(DLT_NFLOG, 88, &d), DEC_SKIP_NOT_IP);
}
END_TEST

START_TEST(valid_ip4_options)
{
	/* IHL 7: router alert (RFC 2113) and NOP, EOL padding. */
	uint8_t p[68];
	struct decoded d;

	memcpy(p, ip4_syn, 20);
	p[0] = 0x47;
	p[3] = 68;
	memcpy(p + 20, "\x94\x04\x00\x00\x01\x00\x00\x00", 8);
	memcpy(p + 28, ip4_syn + 20, 40);
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	assert_syn4(&d);
}
END_TEST

START_TEST(valid_ip6_ext)
{
	/* hop-by-hop, destination options, routing, atomic fragment, TCP. */
	static const uint8_t p[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x34, 0x00, 0x40, V6_B, V6_A,
		60, 0, 0x01, 0x04, 0, 0, 0, 0,
		43, 0, 0x01, 0x04, 0, 0, 0, 0,
		44, 0, 0, 0, 0, 0, 0, 0,
		6, 0, 0x00, 0x00, 0, 0, 0, 1,
		0x01, 0xbb, 0xc3, 0x50, 0, 0, 0, 9, 0x01, 0x02, 0x03, 0x05,
		0x50, 0x12, 0xff, 0xff, 0, 0, 0, 0,
	};
	/* AH (len 4: 24 bytes) then UDP with 4 payload bytes. */
	static const uint8_t ah[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x24, 51, 0x40, V6_A, V6_B,
		17, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x9c, 0x40, 0x00, 0x35, 0x00, 0x0c, 0, 0, 'a', 'b', 'c', 'd',
	};
	struct decoded d;

	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert_uint_eq(d.proto, 6);
	assert_addr(&d.src, "2001:db8::2");
	ck_assert_uint_eq(d.sport, 443);
	ck_assert_uint_eq(d.dport, 50000);
	ck_assert_uint_eq(d.tcp.flags, TH_SYN | TH_ACK);
	ck_assert_uint_eq(d.tcp.ack, 0x01020305);
	ck_assert_uint_eq(d.tcp.nopt, 0);
	ck_assert_uint_eq(d.tcp.wscale, 0xff);
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, ah, sizeof(ah)), &d),
	    DEC_OK);
	ck_assert_uint_eq(d.proto, 17);
	ck_assert_uint_eq(d.dport, 53);
	ck_assert_uint_eq(d.udp_payload, 4);
}
END_TEST

START_TEST(valid_ip6_ext_bound)
{
	/* Exactly 16 destination option headers still decode; 17 do not. */
	struct decoded d;
	uint32_t n, i;

	for (n = 16; n <= 17; n++) {
		memcpy(buf, ip6_syn, 40);
		buf[6] = 60;
		for (i = 0; i < n; i++) {
			memset(buf + 40 + i * 8, 0, 8);
			buf[40 + i * 8] = i + 1 < n ? 60 : 17;
		}
		memcpy(buf + 40 + n * 8, ip4_udp + 20, 12);
		buf[5] = (uint8_t)(n * 8 + 12);
		ck_assert_int_eq(dec(DLT_RAW, 40 + n * 8 + 12, &d),
		    n == 16 ? DEC_OK : DEC_BAD_IP6_EXT);
	}
}
END_TEST

START_TEST(valid_tcp_options)
{
	/* NOP, NOP, unknown kind 30 len 4, EOL: EOL ends the walk. */
	uint8_t p[60];
	static const uint8_t layout[] = { 1, 1, 30, 0 };
	struct decoded d;

	memcpy(p, ip4_syn, sizeof(p));
	memcpy(p + 40, "\x01\x01\x1e\x04\xff\xff\x00\x02\x04\x05\xb4\x00"
	    "\x00\x00\x00\x00\x00\x00\x00\x00", 20);
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.nopt, 4);
	ck_assert_mem_eq(d.tcp.opt_kind, layout, 4);
	ck_assert_uint_eq(d.tcp.mss, 0);	/* after EOL: not an option */
	ck_assert_uint_eq(d.tcp.wscale, 0xff);
	ck_assert(!d.tcp.sack_ok && !d.tcp.has_ts);

	/* 40 NOPs: only DEC_MAX_TCPOPT kinds are kept. */
	memcpy(buf, ip4_syn, 20);
	buf[3] = 80;
	memcpy(buf + 20, ip4_syn + 20, 20);
	buf[32] = 0xf0;
	memset(buf + 40, 1, 40);
	ck_assert_int_eq(dec(DLT_RAW, 80, &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.nopt, DEC_MAX_TCPOPT);
	ck_assert_uint_eq(d.tcp.opt_kind[DEC_MAX_TCPOPT - 1], 1);
}
END_TEST

START_TEST(valid_tcp_payload)
{
	/* RST-ACK with 20 payload bytes (tcpdump tcp_rst_data style). */
	uint8_t p[60];
	struct decoded d;

	memcpy(p, ip4_syn, sizeof(p));
	p[32] = 0x50;
	p[33] = TH_RST | TH_ACK;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.flags, TH_RST | TH_ACK);
	ck_assert_uint_eq(d.tcp.payload, 20);
	ck_assert_uint_eq(d.tcp.nopt, 0);
	ck_assert_int_eq(decode_l4(p + 20, 40, &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.payload, 20);
}
END_TEST

START_TEST(valid_udp)
{
	uint8_t p[sizeof(ip4_udp)];
	struct decoded d;

	ck_assert_int_eq(dec(DLT_EN10MB, mk(eth_ip4, sizeof(eth_ip4),
	    ip4_udp, sizeof(ip4_udp)), &d), DEC_OK);
	ck_assert_uint_eq(d.proto, 17);
	ck_assert_uint_eq(d.sport, 40000);
	ck_assert_uint_eq(d.dport, 53);
	ck_assert_uint_eq(d.udp_payload, 4);
	ck_assert_uint_eq(d.ip_id, 7);
	ck_assert(!d.df);
	/* A UDP length above what IP carries is cut to the IP length. */
	memcpy(p, ip4_udp, sizeof(p));
	p[25] = 200;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert_uint_eq(d.udp_payload, 4);
	/* A shorter UDP length wins over the IP length. */
	p[25] = 9;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert_uint_eq(d.udp_payload, 1);
}
END_TEST

START_TEST(valid_icmp_echo)
{
	static const uint8_t p[] = {
		0x45, 0x00, 0x00, 0x1c, 0, 1, 0, 0, 0x40, 0x01, 0, 0, V4_A,
		V4_B, 0x08, 0x00, 0, 0, 0x12, 0x34, 0x00, 0x01,
	};
	struct decoded d;

	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert_uint_eq(d.proto, 1);
	ck_assert_uint_eq(d.icmp_type, 8);
	ck_assert_uint_eq(d.icmp_code, 0);
	ck_assert(!d.icmp_error);
	ck_assert(!d.q.valid);
	ck_assert_uint_eq(d.sport, 0);
	ck_assert_uint_eq(d.dport, 0);
}
END_TEST

/* ICMP port unreachable from the target quoting ip4_syn's first 8 bytes. */
static const uint8_t icmp_unreach[] = {
	0x45, 0xc0, 0x00, 0x38, 0x00, 0x63, 0x00, 0x00, 0x40, 0x01, 0, 0,
	V4_B, V4_A,
	0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x45, 0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00, 0x3f, 0x06, 0, 0,
	V4_A, V4_B,
	0xd4, 0x31, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04,
};

START_TEST(valid_icmp_quote_syn)
{
	struct decoded d;

	ck_assert_int_eq(dec(DLT_EN10MB, mk(eth_ip4, sizeof(eth_ip4),
	    icmp_unreach, sizeof(icmp_unreach)), &d), DEC_OK);
	assert_addr(&d.src, "198.51.100.2");
	ck_assert_uint_eq(d.icmp_type, 3);
	ck_assert_uint_eq(d.icmp_code, 3);
	ck_assert(d.icmp_error);
	ck_assert_uint_eq(d.sport, 0);
	ck_assert(d.q.valid);
	ck_assert_uint_eq(d.q.ip_ver, 4);
	assert_addr(&d.q.src, "192.0.2.1");
	assert_addr(&d.q.dst, "198.51.100.2");
	ck_assert_uint_eq(d.q.proto, 6);
	ck_assert_uint_eq(d.q.ttl, 63);
	ck_assert_uint_eq(d.q.ip_id, 0x1234);
	ck_assert_uint_eq(d.q.l4_len, 8);
	ck_assert(d.q.has_ports);
	ck_assert_uint_eq(d.q.sport, 54321);
	ck_assert_uint_eq(d.q.dport, 80);
	ck_assert(d.q.has_seq);
	ck_assert_uint_eq(d.q.seq, 0x01020304);
}
END_TEST

START_TEST(valid_icmp_quote_kinds)
{
	uint8_t p[sizeof(icmp_unreach)];
	struct decoded d;

	/* UDP quote: ports, no sequence number. */
	memcpy(p, icmp_unreach, sizeof(p));
	p[37] = 17;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert(d.q.has_ports && !d.q.has_seq);
	ck_assert_uint_eq(d.q.dport, 80);
	/* Quoted ICMP echo: its type, no ports. */
	p[37] = 1;
	p[48] = 8;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert_uint_eq(d.q.icmp_type, 8);
	ck_assert(!d.q.has_ports);
	/* Quoted later fragment: IP header only, no transport bytes. */
	memcpy(p, icmp_unreach, sizeof(p));
	p[34] = 0x00;
	p[35] = 0x03;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert(d.q.valid);
	ck_assert_uint_eq(d.q.l4_len, 0);
	ck_assert(!d.q.has_ports);
	/*
	 * Quoted UDP probe (total 28) followed by 12 bytes that are not
	 * part of it (a pre-RFC 4884 extension): the quoted length cuts.
	 */
	memcpy(buf, icmp_unreach, sizeof(icmp_unreach));
	buf[3] = 56 + 12;
	buf[31] = 28, buf[37] = 17;
	memset(buf + 56, 0x20, 12);
	ck_assert_int_eq(dec(DLT_RAW, 56 + 12, &d), DEC_OK);
	ck_assert(d.q.has_ports);
	ck_assert_uint_eq(d.q.l4_len, 8);
	/* Redirect: bytes 4-7 are a gateway (10.1.2.3), not RFC 4884. */
	memcpy(p, icmp_unreach, sizeof(p));
	p[20] = 5;
	memcpy(p + 24, "\x0a\x01\x02\x03", 4);
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert(d.q.has_seq);
	ck_assert_uint_eq(d.q.l4_len, 8);
}
END_TEST

START_TEST(valid_icmp_rfc4884)
{
	/*
	 * Time exceeded with an RFC 4884 length of 32 words: 128 bytes of
	 * original datagram (IPv4 total 512 + UDP, cut), then an extension
	 * header and an MPLS object (RFC 4950) that are not quote.
	 */
	static const uint8_t ext[] = { 0x20, 0, 0, 0, 0, 8, 1, 1,
		0x00, 0x01, 0x01, 0x01 };
	struct decoded d;
	uint32_t n;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, icmp_unreach, 20);
	buf[2] = 0, buf[3] = 20 + 8 + 128 + sizeof(ext);
	buf[20] = 11, buf[21] = 0, buf[25] = 32;
	memcpy(buf + 28, ip4_udp, 28);
	buf[30] = 0x02, buf[31] = 0x00;
	memset(buf + 56, 0xaa, 100);
	memcpy(buf + 156, ext, sizeof(ext));
	n = 156 + sizeof(ext);
	ck_assert_int_eq(dec(DLT_RAW, n, &d), DEC_OK);
	ck_assert(d.icmp_error && d.q.valid);
	ck_assert_uint_eq(d.icmp_type, 11);
	ck_assert_uint_eq(d.q.proto, 17);
	ck_assert_uint_eq(d.q.dport, 53);
	ck_assert_uint_eq(d.q.l4_len, 108);
	/* Without the length the extension is read as quote. */
	buf[25] = 0;
	ck_assert_int_eq(dec(DLT_RAW, n, &d), DEC_OK);
	ck_assert_uint_eq(d.q.l4_len, 108 + sizeof(ext));
}
END_TEST

START_TEST(valid_icmp6_adminprohib)
{
	/* ICMPv6 1/1 from the target quoting all of ip6_syn. */
	static const uint8_t hdr[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x58, 58, 0x40, V6_B, V6_A,
		0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct decoded d;

	memcpy(buf, eth_ip6, sizeof(eth_ip6));
	memcpy(buf + 14, hdr, sizeof(hdr));
	memcpy(buf + 14 + sizeof(hdr), ip6_syn, sizeof(ip6_syn));
	ck_assert_int_eq(dec(DLT_EN10MB, 14 + sizeof(hdr) + sizeof(ip6_syn),
	    &d), DEC_OK);
	ck_assert_uint_eq(d.proto, 58);
	ck_assert_uint_eq(d.icmp_type, 1);
	ck_assert_uint_eq(d.icmp_code, 1);
	ck_assert(d.icmp_error && d.q.valid);
	ck_assert_uint_eq(d.q.ip_ver, 6);
	assert_addr(&d.q.src, "2001:db8::1");
	assert_addr(&d.q.dst, "2001:db8::2");
	ck_assert_uint_eq(d.q.proto, 6);
	ck_assert_uint_eq(d.q.ttl, 64);
	ck_assert_uint_eq(d.q.l4_len, 40);
	ck_assert_uint_eq(d.q.sport, 54321);
	ck_assert_uint_eq(d.q.dport, 80);
	ck_assert(d.q.has_seq);
	ck_assert_uint_eq(d.q.seq, 0x01020304);
}
END_TEST

START_TEST(valid_icmp6_quote_ext)
{
	/*
	 * Unreachable with an RFC 4884 length of 16 (64-bit words): 128
	 * bytes of a quoted IPv6 packet with a destination options header
	 * and UDP, then 8 bytes of extension.
	 */
	struct decoded d;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, ip6_syn, 40);
	buf[4] = 0, buf[5] = 8 + 128 + 8, buf[6] = 58;
	buf[40] = 1, buf[41] = 4, buf[44] = 16;
	memcpy(buf + 48, ip6_syn, 40);
	buf[52] = 0x01, buf[53] = 0x90, buf[54] = 60;
	buf[88] = 17;
	memcpy(buf + 96, ip4_udp + 20, 8);
	memset(buf + 104, 0x55, 72);
	memset(buf + 176, 0x20, 8);
	ck_assert_int_eq(dec(DLT_RAW, 184, &d), DEC_OK);
	ck_assert(d.q.valid);
	ck_assert_uint_eq(d.q.proto, 17);
	ck_assert_uint_eq(d.q.sport, 40000);
	ck_assert_uint_eq(d.q.dport, 53);
	ck_assert_uint_eq(d.q.l4_len, 80);
	buf[44] = 0;
	ck_assert_int_eq(dec(DLT_RAW, 184, &d), DEC_OK);
	ck_assert_uint_eq(d.q.l4_len, 88);
	/* A quoted non-first fragment has no transport header. */
	buf[88] = 44;
	buf[96] = 17, buf[98] = 0x01, buf[99] = 0x00;
	ck_assert_int_eq(dec(DLT_RAW, 184, &d), DEC_OK);
	ck_assert(d.q.valid && !d.q.has_ports);
	ck_assert_uint_eq(d.q.l4_len, 0);
}
END_TEST

START_TEST(valid_ip_len_below_caplen)
{
	/* Ethernet minimum-size padding after a 40-byte IPv4/TCP RST. */
	uint8_t p[46];
	struct decoded d;

	memset(p, 0xee, sizeof(p));
	memcpy(p, ip4_syn, 40);
	p[3] = 40;
	p[32] = 0x50;
	p[33] = TH_RST;
	ck_assert_int_eq(dec(DLT_EN10MB, mk(eth_ip4, sizeof(eth_ip4), p,
	    sizeof(p)), &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.payload, 0);
	ck_assert_uint_eq(d.tcp.nopt, 0);
	ck_assert_uint_eq(d.tcp.flags, TH_RST);
	/* UDP: IP total 30 says 2 payload bytes though UDP says 4. */
	memcpy(p, ip4_udp, sizeof(ip4_udp));
	p[3] = 30;
	ck_assert_int_eq(dec(DLT_EN10MB, mk(eth_ip4, sizeof(eth_ip4), p,
	    sizeof(p)), &d), DEC_OK);
	ck_assert_uint_eq(d.udp_payload, 2);
}
END_TEST

START_TEST(valid_fragments)
{
	uint8_t p[sizeof(ip4_syn)];
	struct decoded d;

	/* First fragment (MF, offset 0) with a whole TCP header decodes. */
	memcpy(p, ip4_syn, sizeof(p));
	p[6] = 0x20;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	assert_addr(&d.dst, "198.51.100.2");
	ck_assert_uint_eq(d.dport, 80);
	ck_assert(!d.df);
	/* nmap -f: first fragment with 8 TCP bytes is only a fragment. */
	p[3] = 28;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, 28), &d),
	    DEC_SKIP_FRAGMENT);
	/* Non-first fragments: addresses, no transport. */
	p[6] = 0x00, p[7] = 0x01;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, 28), &d),
	    DEC_SKIP_FRAGMENT);
	assert_addr(&d.src, "192.0.2.1");
	ck_assert_uint_eq(d.sport, 0);
	p[6] = 0x50, p[7] = 0x00;	/* DF and the offset's top bit */
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, 28), &d),
	    DEC_SKIP_FRAGMENT);
	ck_assert(d.df);
	/* IPv6 fragment header with offset 1 (8 bytes). */
	memcpy(buf, ip6_syn, 40);
	buf[5] = 8 + 16, buf[6] = 44;
	memset(buf + 40, 0, 24);
	buf[40] = 6, buf[43] = 0x08;
	ck_assert_int_eq(dec(DLT_RAW, 64, &d), DEC_SKIP_FRAGMENT);
	ck_assert_uint_eq(d.proto, 6);
	ck_assert_uint_eq(d.sport, 0);
}
END_TEST

START_TEST(valid_skips)
{
	static const uint8_t arp[] = { MACS, 0x08, 0x06, 0, 1, 8, 0, 6, 4 };
	static const uint8_t af7[] = { 7, 0, 0, 0 };
	uint8_t p[sizeof(ip4_syn)];
	struct decoded d;

	ck_assert_int_eq(dec(DLT_EN10MB, mk(arp, sizeof(arp), NULL, 0), &d),
	    DEC_SKIP_NOT_IP);
	ck_assert_int_eq(dec(DLT_NULL, mk(af7, 4, ip4_syn, sizeof(ip4_syn)),
	    &d), DEC_SKIP_NOT_IP);
	memcpy(p, ip4_syn, sizeof(p));
	p[9] = 47;	/* GRE */
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d),
	    DEC_SKIP_OTHER_PROTO);
	ck_assert_uint_eq(d.proto, 47);
	assert_addr(&d.dst, "198.51.100.2");
	p[9] = 58;	/* ICMPv6 does not travel in IPv4 */
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d),
	    DEC_SKIP_OTHER_PROTO);
	memcpy(buf, ip6_syn, sizeof(ip6_syn));
	buf[6] = 59;	/* No Next Header */
	ck_assert_int_eq(dec(DLT_RAW, sizeof(ip6_syn), &d),
	    DEC_SKIP_OTHER_PROTO);
	ck_assert_uint_eq(d.proto, 59);
	buf[6] = 60;	/* destination options, then mobility (135) */
	buf[40] = 135, buf[41] = 0;
	ck_assert_int_eq(dec(DLT_RAW, sizeof(ip6_syn), &d),
	    DEC_SKIP_OTHER_PROTO);
	ck_assert_uint_eq(d.proto, 135);
}
END_TEST

START_TEST(valid_tso_and_jumbo)
{
	uint8_t p[sizeof(ip4_syn)];
	struct decoded d;

	/* IPv4 total length 0 (offload): the frame length counts. */
	memcpy(p, ip4_syn, sizeof(p));
	p[2] = p[3] = 0;
	p[32] = 0x50;
	ck_assert_int_eq(decode_packet(DLT_RAW, p, 60, 3000, &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.payload, 3000 - 40);
	/* IPv6 payload length 0: the rest of the frame. */
	memcpy(buf, ip6_syn, sizeof(ip6_syn));
	buf[4] = buf[5] = 0;
	ck_assert_int_eq(dec(DLT_RAW, sizeof(ip6_syn) + 10, &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.payload, 10);
}
END_TEST

START_TEST(valid_link_table)
{
	static const int yes[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
		DLT_RAW, 12, 14, 101, DLT_IPV4, DLT_IPV6, DLT_NULL, DLT_LOOP,
		DLT_NFLOG };
	static const int no[] = { 9, 105, 127, 160, -1, 100000 };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(decode_link_supported(yes[i]), "dlt %d", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!decode_link_supported(no[i]), "dlt %d", no[i]);
}
END_TEST

START_TEST(valid_status_names)
{
	int i, j;

	ck_assert_str_eq(decode_status_name(DEC_OK), "ok");
	ck_assert_str_eq(decode_status_name(DEC_STATUS_COUNT), "unknown");
	for (i = 0; i < DEC_STATUS_COUNT; i++) {
		ck_assert_ptr_nonnull(decode_status_name(i));
		ck_assert_str_ne(decode_status_name(i), "unknown");
		for (j = 0; j < i; j++)
			ck_assert_str_ne(decode_status_name(i),
			    decode_status_name(j));
	}
}
END_TEST

/* --- truncated -------------------------------------------------------- */

START_TEST(trunc_record)
{
	struct decoded d;

	mk(eth_ip4, sizeof(eth_ip4), ip4_syn, sizeof(ip4_syn));
	ck_assert_int_eq(decode_packet(DLT_EN10MB, buf, 0, 74, &d),
	    DEC_BAD_LINK);
	ck_assert_uint_eq(d.wirelen, 74);
	ck_assert_int_eq(decode_packet(DLT_EN10MB, NULL, 74, 74, &d),
	    DEC_BAD_LINK);
	/* caplen above wire length: min(caplen, len) = 54 cuts options. */
	ck_assert_int_eq(decode_packet(DLT_EN10MB, buf, 74, 54, &d),
	    DEC_BAD_TCP);
	ck_assert_uint_eq(d.caplen, 74);
}
END_TEST

START_TEST(trunc_link)
{
	static const struct {
		int dlt;
		uint32_t len;
		const uint8_t *hdr;
		size_t hlen;
	} cut[] = {
		{ DLT_EN10MB, 13, eth_ip4, sizeof(eth_ip4) },
		{ DLT_EN10MB, 17, (const uint8_t *)"\2\0\0\0\0\1\2\0\0\0\0\2"
		    "\x81\x00\x00\x2a\x08\x00", 18 },
		{ DLT_EN10MB, 17, (const uint8_t *)"\2\0\0\0\0\1\2\0\0\0\0\2"
		    "\x88\x47\x00\x01\x01\x40", 18 },
		{ DLT_LINUX_SLL, 15, (const uint8_t *)"\0\0\0\1\0\6\2\0\0\0"
		    "\0\1\0\0\x08\x00", 16 },
		{ DLT_LINUX_SLL2, 19, (const uint8_t *)"\x08\x00\0\0\0\0\0\2"
		    "\0\1\0\6\2\0\0\0\0\1\0\0", 20 },
		{ DLT_NULL, 3, (const uint8_t *)"\2\0\0\0", 4 },
		{ DLT_LOOP, 2, (const uint8_t *)"\0\0\0\2", 4 },
	};
	struct decoded d;
	size_t i;

	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		mk(cut[i].hdr, cut[i].hlen, ip4_syn, sizeof(ip4_syn));
		ck_assert_msg(dec(cut[i].dlt, cut[i].len, &d) == DEC_BAD_LINK,
		    "case %zu", i);
		/* The same header, complete, leads to the SYN. */
		ck_assert_msg(dec(cut[i].dlt, (uint32_t)(cut[i].hlen +
		    sizeof(ip4_syn)), &d) == DEC_OK, "case %zu", i);
		assert_syn4(&d);
	}
	/* NFLOG cut in its header, in a TLV header, in the payload. */
	nflog_frame(2, ip4_syn, sizeof(ip4_syn));
	ck_assert_int_eq(dec(DLT_NFLOG, 3, &d), DEC_BAD_LINK);
	ck_assert_int_eq(dec(DLT_NFLOG, 26, &d), DEC_BAD_LINK);
	ck_assert_int_eq(dec(DLT_NFLOG, 14, &d), DEC_BAD_LINK);
	ck_assert_int_eq(dec(DLT_NFLOG, 38, &d), DEC_BAD_IP4);
	ck_assert_int_eq(decode_packet(DLT_NFLOG, buf, 74, 88, &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.mss, 1460);
	ck_assert_uint_eq(d.tcp.nopt, 2);
	/* Ethertype IPv4 / IPv6 with nothing after it. */
	ck_assert_int_eq(dec(DLT_EN10MB, mk(eth_ip4, 14, NULL, 0), &d),
	    DEC_BAD_IP4);
	ck_assert_int_eq(dec(DLT_EN10MB, mk(eth_ip6, 14, NULL, 0), &d),
	    DEC_BAD_IP6);
}
END_TEST

START_TEST(trunc_ip)
{
	uint8_t p[68];
	struct decoded d;
	uint32_t n;

	for (n = 1; n < 20; n++)
		ck_assert_int_eq(dec(DLT_EN10MB, mk(eth_ip4, 14, ip4_syn, n),
		    &d), DEC_BAD_IP4);
	/* IHL 7 with the options cut. */
	memcpy(p, ip4_syn, 20);
	p[0] = 0x47;
	memset(p + 20, 1, 8);
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, 24), &d), DEC_BAD_IP4);
	for (n = 1; n < 40; n++)
		ck_assert_int_eq(dec(DLT_EN10MB, mk(eth_ip6, 14, ip6_syn, n),
		    &d), DEC_BAD_IP6);
	/* IPv6 with a hop-by-hop header cut after 6 of its 8 bytes. */
	memcpy(buf, ip6_syn, 40);
	buf[6] = 0;
	memset(buf + 40, 0, 6);
	buf[40] = 6;
	ck_assert_int_eq(dec(DLT_RAW, 46, &d), DEC_BAD_IP6_EXT);
	assert_addr(&d.src, "2001:db8::1");
}
END_TEST

START_TEST(trunc_l4)
{
	struct decoded d;
	uint32_t n;

	/* Inside the fixed TCP header: bad. */
	for (n = 20; n < 40; n++)
		ck_assert_int_eq(decode_packet(DLT_RAW, ip4_syn, n, 60, &d),
		    DEC_BAD_TCP);
	/* Inside the options (snap length): decoded, options so far. */
	ck_assert_int_eq(decode_packet(DLT_RAW, ip4_syn, 46, 60, &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.nopt, 2);
	ck_assert_uint_eq(d.tcp.mss, 1460);
	ck_assert(d.tcp.sack_ok);
	ck_assert(!d.tcp.has_ts);
	ck_assert_uint_eq(d.tcp.wscale, 0xff);
	ck_assert_uint_eq(d.tcp.payload, 0);
	/* IP total above caplen: payload comes from the IP length. */
	memcpy(buf, ip4_syn, 40);
	buf[2] = 0x05, buf[3] = 0xdc;
	buf[32] = 0x50;
	ck_assert_int_eq(decode_packet(DLT_RAW, buf, 40, 1500, &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.payload, 1460);
	/* decode_ip() alone knows no wire length: it trusts the header. */
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(decode_ip(buf, 40, &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.payload, 1460);
	memcpy(buf, ip6_syn, 60);
	buf[4] = 0x03, buf[5] = 0xe8;
	buf[52] = 0x50;
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(decode_ip(buf, 60, &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.payload, 980);
	/* With the frame's length known, a bogus payload length loses. */
	ck_assert_int_eq(decode_packet(DLT_RAW, buf, 60, 60, &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.payload, 0);
	for (n = 20; n < 28; n++)
		ck_assert_int_eq(decode_packet(DLT_RAW, ip4_udp, n, 32, &d),
		    DEC_BAD_UDP);
	ck_assert_int_eq(decode_packet(DLT_RAW, ip4_udp, 28, 32, &d), DEC_OK);
	ck_assert_uint_eq(d.udp_payload, 4);
	for (n = 20; n < 28; n++)
		ck_assert_int_eq(decode_packet(DLT_RAW, icmp_unreach, n, 56,
		    &d), DEC_BAD_ICMP);
}
END_TEST

START_TEST(trunc_icmp_quote)
{
	struct decoded d;
	uint32_t n;

	/* Quote shorter than an IPv4 header: an error, but no quote. */
	for (n = 28; n < 48; n++) {
		ck_assert_int_eq(decode_packet(DLT_RAW, icmp_unreach, n, 56,
		    &d), DEC_OK);
		ck_assert(d.icmp_error);
		ck_assert(!d.q.valid);
		ck_assert(!d.q.has_ports);
	}
	/* 2 transport bytes: header valid, no ports. */
	ck_assert_int_eq(decode_packet(DLT_RAW, icmp_unreach, 50, 56, &d),
	    DEC_OK);
	ck_assert(d.q.valid && !d.q.has_ports);
	ck_assert_uint_eq(d.q.l4_len, 2);
	/* 4 bytes: ports; 8 are needed for the sequence number. */
	ck_assert_int_eq(decode_packet(DLT_RAW, icmp_unreach, 52, 56, &d),
	    DEC_OK);
	ck_assert(d.q.has_ports && !d.q.has_seq);
	ck_assert_uint_eq(d.q.dport, 80);
	/* The IP total length of the quoting packet cuts the quote too. */
	memcpy(buf, icmp_unreach, sizeof(icmp_unreach));
	buf[3] = 54;
	ck_assert_int_eq(dec(DLT_RAW, sizeof(icmp_unreach), &d), DEC_OK);
	ck_assert(d.q.has_ports && !d.q.has_seq);
	/* Quoted IPv6 header cut and quoted extension chain cut. */
	memcpy(buf, ip6_syn, 40);
	buf[5] = 8 + 46, buf[6] = 58;
	memcpy(buf + 40, "\x03\x00\x00\x00\x00\x00\x00\x00", 8);
	memcpy(buf + 48, ip6_syn, 40);
	buf[54] = 0;
	memset(buf + 88, 0, 6);
	ck_assert_int_eq(dec(DLT_RAW, 94, &d), DEC_OK);
	ck_assert(d.icmp_error && !d.q.valid);
	ck_assert_int_eq(dec(DLT_RAW, 70, &d), DEC_OK);
	ck_assert(d.icmp_error && !d.q.valid);
	ck_assert_uint_eq(d.icmp_type, 3);
}
END_TEST

/* --- malformed -------------------------------------------------------- */

START_TEST(bad_ip4_fields)
{
	uint8_t p[sizeof(ip4_syn)];
	struct decoded d;
	uint8_t ihl;

	memcpy(p, ip4_syn, sizeof(p));
	for (ihl = 0; ihl < 5; ihl++) {
		p[0] = (uint8_t)(0x40 | ihl);
		ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d),
		    DEC_BAD_IP4);
	}
	p[0] = 0x45;
	p[3] = 19;	/* total below the header */
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d),
	    DEC_BAD_IP4);
	/* Total 30 below caplen cuts the TCP header: bad TCP. */
	p[3] = 30;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d),
	    DEC_BAD_TCP);
	/* Link header and version nibble disagree. */
	ck_assert_int_eq(dec(DLT_EN10MB, mk(eth_ip4, 14, ip6_syn,
	    sizeof(ip6_syn)), &d), DEC_BAD_IP4);
	ck_assert_int_eq(dec(DLT_EN10MB, mk(eth_ip6, 14, ip4_syn,
	    sizeof(ip4_syn)), &d), DEC_BAD_IP6);
	ck_assert_int_eq(dec(DLT_IPV4, mk(NULL, 0, ip6_syn, sizeof(ip6_syn)),
	    &d), DEC_BAD_IP4);
	ck_assert_int_eq(dec(DLT_NULL, mk((const uint8_t *)"\x1e\0\0\0", 4,
	    ip4_syn, sizeof(ip4_syn)), &d), DEC_BAD_IP6);
	/* Raw link, version 5: not IP at all. */
	p[0] = 0x55;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d),
	    DEC_SKIP_NOT_IP);
	ck_assert_int_eq(dec(160, mk(NULL, 0, ip4_syn, sizeof(ip4_syn)), &d),
	    DEC_BAD_LINKTYPE);
}
END_TEST

START_TEST(bad_ip6_chain)
{
	struct decoded d;
	uint32_t i;

	/* A chain of destination options that never ends. */
	memcpy(buf, ip6_syn, 40);
	buf[4] = 0x01, buf[5] = 0x00, buf[6] = 60;
	for (i = 0; i < 32; i++) {
		memset(buf + 40 + i * 8, 0, 8);
		buf[40 + i * 8] = 60;
	}
	ck_assert_int_eq(dec(DLT_RAW, 40 + 256, &d), DEC_BAD_IP6_EXT);
	/* A header claiming more than the payload length holds. */
	buf[4] = 0, buf[5] = 24, buf[40] = 17, buf[41] = 3;
	ck_assert_int_eq(dec(DLT_RAW, 40 + 256, &d), DEC_BAD_IP6_EXT);
	/* Self-referencing routing header inside an IPv6 payload. */
	buf[6] = 43, buf[40] = 43, buf[41] = 0;
	ck_assert_int_eq(dec(DLT_RAW, 40 + 24, &d), DEC_BAD_IP6_EXT);
}
END_TEST

START_TEST(bad_l4_fields)
{
	uint8_t p[sizeof(ip4_syn)];
	struct decoded d;
	uint8_t off;

	memcpy(p, ip4_syn, sizeof(p));
	for (off = 0; off < 5; off++) {
		p[32] = (uint8_t)(off << 4);
		ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d),
		    DEC_BAD_TCP);
	}
	/* Data offset 15 (60 bytes) but IP says 40 bytes of TCP. */
	p[32] = 0xf0;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d),
	    DEC_BAD_TCP);
	/* Option length 1 stops the walk; what came before is kept. */
	memcpy(p, ip4_syn, sizeof(p));
	p[46] = 8, p[47] = 1;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.nopt, 2);
	ck_assert(d.tcp.sack_ok && !d.tcp.has_ts);
	/* Option length past the header: same. */
	p[47] = 30;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.nopt, 2);
	ck_assert_uint_eq(d.tcp.mss, 1460);
	/* MSS with a wrong length is recorded as a kind, not a value. */
	memcpy(p, ip4_syn, sizeof(p));
	p[41] = 3;
	p[43] = 1;
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.opt_kind[0], 2);
	ck_assert_uint_eq(d.tcp.mss, 0);
	/* Window scale with length 4: kind kept, no shift value. */
	memcpy(p, ip4_syn, sizeof(p));
	memcpy(p + 56, "\x03\x04\x07\x00", 4);
	ck_assert_int_eq(dec(DLT_RAW, mk(NULL, 0, p, sizeof(p)), &d), DEC_OK);
	ck_assert_uint_eq(d.tcp.nopt, 4);
	ck_assert_uint_eq(d.tcp.opt_kind[3], 3);
	ck_assert_uint_eq(d.tcp.wscale, 0xff);
	ck_assert(d.tcp.has_ts);
	/* UDP length below its header. */
	memcpy(buf, ip4_udp, sizeof(ip4_udp));
	for (off = 0; off < 8; off++) {
		buf[25] = off;
		ck_assert_int_eq(dec(DLT_RAW, sizeof(ip4_udp), &d),
		    DEC_BAD_UDP);
	}
}
END_TEST

START_TEST(bad_link_fields)
{
	struct decoded d;
	uint32_t i;

	/* More VLAN tags than any network stacks. */
	memcpy(buf, eth_ip4, 12);
	for (i = 0; i < 10; i++)
		memcpy(buf + 12 + i * 4, "\x81\x00\x00\x01", 4);
	memcpy(buf + 52, "\x08\x00", 2);
	memcpy(buf + 54, ip4_syn, sizeof(ip4_syn));
	ck_assert_int_eq(dec(DLT_EN10MB, 54 + sizeof(ip4_syn), &d),
	    DEC_BAD_LINK);
	/* An MPLS stack without bottom-of-stack. */
	memcpy(buf + 12, "\x88\x47", 2);
	for (i = 0; i < 40; i++)
		memcpy(buf + 14 + i * 4, "\x00\x01\x00\x40", 4);
	ck_assert_int_eq(dec(DLT_EN10MB, 174, &d), DEC_BAD_LINK);
	/* NFLOG TLV length below its own header. */
	memcpy(buf, "\2\0\0\0", 4);
	put_h16(buf + 4, 2);
	put_h16(buf + 6, 9);
	ck_assert_int_eq(dec(DLT_NFLOG, 64, &d), DEC_BAD_LINK);
	/* Garbage quote: version 0. */
	memcpy(buf, icmp_unreach, sizeof(icmp_unreach));
	buf[28] = 0x05;
	ck_assert_int_eq(dec(DLT_RAW, sizeof(icmp_unreach), &d), DEC_OK);
	ck_assert(d.icmp_error && !d.q.valid);
	/* Quoted IHL below 5. */
	buf[28] = 0x44;
	ck_assert_int_eq(dec(DLT_RAW, sizeof(icmp_unreach), &d), DEC_OK);
	ck_assert(!d.q.valid);
}
END_TEST

static Suite *
decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_test(tc, valid_ether_syn4);
	tcase_add_test(tc, valid_ether_syn6);
	tcase_add_test(tc, valid_vlan);
	tcase_add_test(tc, valid_mpls);
	tcase_add_test(tc, valid_sll);
	tcase_add_test(tc, valid_sll2);
	tcase_add_test(tc, valid_raw);
	tcase_add_test(tc, valid_null_loop);
	tcase_add_test(tc, valid_nflog);
	tcase_add_test(tc, valid_ip4_options);
	tcase_add_test(tc, valid_ip6_ext);
	tcase_add_test(tc, valid_ip6_ext_bound);
	tcase_add_test(tc, valid_tcp_options);
	tcase_add_test(tc, valid_tcp_payload);
	tcase_add_test(tc, valid_udp);
	tcase_add_test(tc, valid_icmp_echo);
	tcase_add_test(tc, valid_icmp_quote_syn);
	tcase_add_test(tc, valid_icmp_quote_kinds);
	tcase_add_test(tc, valid_icmp_rfc4884);
	tcase_add_test(tc, valid_icmp6_adminprohib);
	tcase_add_test(tc, valid_icmp6_quote_ext);
	tcase_add_test(tc, valid_ip_len_below_caplen);
	tcase_add_test(tc, valid_fragments);
	tcase_add_test(tc, valid_skips);
	tcase_add_test(tc, valid_tso_and_jumbo);
	tcase_add_test(tc, valid_link_table);
	tcase_add_test(tc, valid_status_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("truncated");
	tcase_add_test(tc, trunc_record);
	tcase_add_test(tc, trunc_link);
	tcase_add_test(tc, trunc_ip);
	tcase_add_test(tc, trunc_l4);
	tcase_add_test(tc, trunc_icmp_quote);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_test(tc, bad_ip4_fields);
	tcase_add_test(tc, bad_ip6_chain);
	tcase_add_test(tc, bad_l4_fields);
	tcase_add_test(tc, bad_link_fields);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int nfail;

	sr = srunner_create(decode_suite());
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
