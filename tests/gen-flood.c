/*
 * gen-flood.c -- a SYN flood from spoofed sources as a pcap stream on
 * standard output, for the memory tests of issue #6 (tests/memory.sh) and
 * the benchmark (bench/run-bench.sh): pipe it into "portsleuth -" instead
 * of writing a multi-gigabyte file.
 *
 * usage: gen-flood [-n PACKETS] [-s SEED] [-t TARGETS] [-6 PERCENT]
 *                  [-b PERCENT] [-r PPS] [-k PORTS]
 *
 * What it writes (Ethernet, microsecond timestamps, -r packets per second
 * of capture time, default 100000):
 * - first a small real scan: 192.0.2.1 probes ports 1..PORTS (-k, default
 *   100) of 198.51.100.1 with SYNs; 22 and 80 answer SYN-ACK (open), the
 *   others RST-ACK (closed). These come first, so they keep their place
 *   whatever limit the flood reaches later;
 * - then PACKETS (-n, default 1000000) flood packets: SYNs, each from a
 *   distinct source address (a bijection of the packet number, so no
 *   source repeats within 2^32 packets; -6 PERCENT of them IPv6 from
 *   2001:db8:f::/48, default 5) to one of TARGETS (-t, default 4) targets
 *   198.51.100.1.. (2001:db8::1.. for IPv6), destination ports walking
 *   1..65535 per target; and, with -b PERCENT (default 0), SYN-ACK
 *   backscatter: unsolicited SYN-ACKs from distinct sources (port 80 or
 *   443) to 203.0.113.1..TARGETS, as a victim of spoofing sees them.
 *
 * Everything comes from the packet number and -s SEED (default 1): the
 * same options give the same bytes. Frames are built in one buffer and
 * written with one stdio buffer: nothing is allocated per packet and
 * memory does not grow with -n.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire.h"

#define START_SEC 1704067200u	/* 2024-01-01T00:00:00Z */
#define FRAME_MAX 128u

struct gen {
	uint64_t n;		/* flood packets */
	uint32_t seed;
	uint32_t targets;
	uint32_t pct6;		/* IPv6 share of the flood SYNs */
	uint32_t pct_bs;	/* backscatter share of the flood */
	uint32_t pps;
	uint32_t ports;		/* real scan: ports probed first */
	uint64_t t_us;		/* capture clock, us since START_SEC */
	uint64_t step_ns;	/* per packet */
	uint64_t frac_ns;	/* clock remainder below 1 us */
};

static uint32_t perm32(uint32_t x);
static uint32_t mix(uint64_t i, uint32_t seed, uint32_t salt);
static void emit(struct gen *g, const uint8_t *frame, uint32_t len);
static uint32_t frame_tcp4(uint8_t *f, uint32_t src, uint32_t dst,
    uint16_t sp, uint16_t dp, uint8_t flags, uint32_t seq, uint32_t ack);
static uint32_t frame_tcp6(uint8_t *f, const uint8_t src[16],
    const uint8_t dst[16], uint16_t sp, uint16_t dp, uint8_t flags,
    uint32_t seq, uint32_t ack);
static void usage(void);

/* A bijection of 32-bit integers (Wellons' lowbias32: each step inverts). */
static uint32_t
perm32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

/* Pseudo-random value of packet i for one purpose (salt). */
static uint32_t
mix(uint64_t i, uint32_t seed, uint32_t salt)
{
	return perm32((uint32_t)i ^ perm32((uint32_t)(i >> 32) ^ seed ^
	    perm32(salt)));
}

/* Record header (host order, as the magic says) and frame; advance time. */
static void
emit(struct gen *g, const uint8_t *frame, uint32_t len)
{
	uint32_t h[4];

	h[0] = START_SEC + (uint32_t)(g->t_us / 1000000u);
	h[1] = (uint32_t)(g->t_us % 1000000u);
	h[2] = len;
	h[3] = len;
	if (fwrite(h, sizeof(h), 1, stdout) != 1 ||
	    fwrite(frame, len, 1, stdout) != 1) {
		if (errno == EPIPE)
			exit(0);
		perror("gen-flood: write");
		exit(1);
	}
	g->frac_ns += g->step_ns;
	g->t_us += g->frac_ns / 1000u;
	g->frac_ns %= 1000u;
}

/* Ethernet + IPv4 + TCP (20-byte headers), checksums right. */
static uint32_t
frame_tcp4(uint8_t *f, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
    uint8_t flags, uint32_t seq, uint32_t ack)
{
	uint8_t *ip = f + 14, *tcp = f + 34, ph[12];
	uint64_t sum;

	memset(f, 0, 54);
	f[0] = 0x02;
	f[6] = 0x02;
	f[11] = 1;
	f[12] = 0x08;
	ip[0] = 0x45;
	wire_be16(ip + 2, 40);
	wire_be16(ip + 4, (uint16_t)seq);
	ip[8] = 64;
	ip[9] = 6;
	wire_be32(ip + 12, src);
	wire_be32(ip + 16, dst);
	wire_be16(ip + 10, wire_csum_fold(wire_csum_add(0, ip, 20)));
	wire_be16(tcp, sp);
	wire_be16(tcp + 2, dp);
	wire_be32(tcp + 4, seq);
	wire_be32(tcp + 8, ack);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	wire_be16(tcp + 14, 1024);
	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = 6;
	wire_be16(ph + 10, 20);
	sum = wire_csum_add(wire_csum_add(0, ph, 12), tcp, 20);
	wire_be16(tcp + 16, wire_csum_fold(sum));
	return 54;
}

/* Ethernet + IPv6 + TCP (20-byte header), checksum right. */
static uint32_t
frame_tcp6(uint8_t *f, const uint8_t src[16], const uint8_t dst[16],
    uint16_t sp, uint16_t dp, uint8_t flags, uint32_t seq, uint32_t ack)
{
	uint8_t *ip = f + 14, *tcp = f + 54, ph[40];
	uint64_t sum;

	memset(f, 0, 74);
	f[0] = 0x02;
	f[6] = 0x02;
	f[11] = 1;
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	wire_be16(ip + 4, 20);
	ip[6] = 6;
	ip[7] = 64;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	wire_be16(tcp, sp);
	wire_be16(tcp + 2, dp);
	wire_be32(tcp + 4, seq);
	wire_be32(tcp + 8, ack);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	wire_be16(tcp + 14, 1024);
	memset(ph, 0, sizeof(ph));
	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	wire_be32(ph + 32, 20);
	ph[39] = 6;
	sum = wire_csum_add(wire_csum_add(0, ph, 40), tcp, 20);
	wire_be16(tcp + 16, wire_csum_fold(sum));
	return 74;
}

static void
usage(void)
{
	fprintf(stderr, "usage: gen-flood [-n PACKETS] [-s SEED] [-t TARGETS] "
	    "[-6 PERCENT] [-b PERCENT] [-r PPS] [-k PORTS] > flood.pcap\n");
	exit(64);
}

static unsigned long long
number(const char *s, unsigned long long max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max || s[0] == '-')
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	static char obuf[1 << 20];
	uint32_t hdr[6] = { 0xa1b2c3d4u, 2 | 4u << 16, 0, 0, 262144, 1 };
	const uint32_t scanner = 0xc0000201u;	/* 192.0.2.1 */
	const uint32_t target0 = 0xc6336401u;	/* 198.51.100.1 */
	const uint32_t victim0 = 0xcb007101u;	/* 203.0.113.1 */
	uint8_t f[FRAME_MAX], s6[16], d6[16];
	struct gen g;
	uint64_t i;
	uint32_t p, len, r, t, seq;
	uint16_t dp;
	int ch;

	memset(&g, 0, sizeof(g));
	g.n = 1000000;
	g.seed = 1;
	g.targets = 4;
	g.pct6 = 5;
	g.pps = 100000;
	g.ports = 100;
	while ((ch = getopt(argc, argv, "n:s:t:6:b:r:k:")) != -1) {
		switch (ch) {
		case 'n': g.n = number(optarg, 1ull << 40); break;
		case 's': g.seed = (uint32_t)number(optarg, UINT32_MAX); break;
		case 't': g.targets = (uint32_t)number(optarg, 250); break;
		case '6': g.pct6 = (uint32_t)number(optarg, 100); break;
		case 'b': g.pct_bs = (uint32_t)number(optarg, 100); break;
		case 'r': g.pps = (uint32_t)number(optarg, 1000000000); break;
		case 'k': g.ports = (uint32_t)number(optarg, 65535); break;
		default: usage();
		}
	}
	if (optind != argc || g.targets == 0 || g.pps == 0)
		usage();
	if (isatty(STDOUT_FILENO)) {
		fprintf(stderr, "gen-flood: writes a capture: redirect or pipe "
		    "standard output\n");
		return 64;
	}
	g.step_ns = 1000000000ull / g.pps;
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	if (fwrite(hdr, sizeof(hdr), 1, stdout) != 1)
		return 1;

	/* The real scan: each probe, then its answer 1 ms later. */
	for (p = 1; p <= g.ports; p++) {
		seq = mix(p, g.seed, 1);
		len = frame_tcp4(f, scanner, target0, 40000, (uint16_t)p, 0x02,
		    seq, 0);
		emit(&g, f, len);
		g.t_us += 1000;
		len = frame_tcp4(f, target0, scanner, (uint16_t)p, 40000,
		    p == 22 || p == 80 ? 0x12 : 0x14, mix(p, g.seed, 2),
		    seq + 1);
		emit(&g, f, len);
	}
	g.t_us += 1000000;

	memset(s6, 0, sizeof(s6));
	memset(d6, 0, sizeof(d6));
	s6[0] = 0x20, s6[1] = 0x01, s6[2] = 0x0d, s6[3] = 0xb8, s6[5] = 0x0f;
	d6[0] = 0x20, d6[1] = 0x01, d6[2] = 0x0d, d6[3] = 0xb8;
	for (i = 0; i < g.n; i++) {
		r = mix(i, g.seed, 3);
		t = (uint32_t)(i % g.targets);
		seq = mix(i, g.seed, 4);
		if (r % 100 < g.pct_bs) {
			/* Backscatter: a server answers a SYN it never got
			 * from the victim. Sources are a bijection of i too. */
			len = frame_tcp4(f, perm32((uint32_t)i ^ 0x5bd1e995u ^
			    g.seed), victim0 + t, (r >> 8) & 1 ? 443 : 80,
			    (uint16_t)(1024 + (seq >> 16) % 60000), 0x12, seq,
			    mix(i, g.seed, 5));
		} else {
			dp = (uint16_t)(1 + (i / g.targets) % 65535);
			if ((r >> 8) % 100 < g.pct6) {
				wire_be32(s6 + 8, mix(i, g.seed, 6));
				wire_be32(s6 + 12, perm32((uint32_t)i ^ g.seed));
				d6[15] = (uint8_t)(1 + t);
				len = frame_tcp6(f, s6, d6,
				    (uint16_t)(1024 + (seq >> 16) % 60000), dp,
				    0x02, seq, 0);
			} else
				len = frame_tcp4(f, perm32((uint32_t)i ^
				    g.seed), target0 + t,
				    (uint16_t)(1024 + (seq >> 16) % 60000), dp,
				    0x02, seq, 0);
		}
		emit(&g, f, len);
	}
	if (fflush(stdout) != 0) {
		if (errno == EPIPE)
			return 0;
		perror("gen-flood: write");
		return 1;
	}
	return 0;
}
