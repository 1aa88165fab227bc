/*
 * gen-scan.c -- deterministic generator of large, realistic scan captures
 * for the benchmark of issue #5 (pcap, Ethernet, microsecond timestamps).
 *
 * What it writes, at about -r packets per second of capture time:
 * - SYN scans in nmap's shape by three IPv4 scanners and one IPv6 scanner:
 *   hosts are scanned in groups of 256 with a shuffled list of 1000 ports,
 *   every first try leaves from one source port and each retry from the
 *   next one with a new sequence number (nmap encodes the try number in the
 *   source port). A firewall profile per host decides each port: open
 *   (SYN-ACK, then the scanner's kernel resets), closed (RST-ACK), silently
 *   dropped (retried after a timeout), rejected by the host (ICMP 3/3, a
 *   Linux REJECT quoting the whole probe; ICMPv6 1/4) or by its router
 *   (ICMP 3/13 quoting the IP header and 8 bytes: ports and sequence; ICMPv6
 *   1/1). Some errors and replies are lost (rate limits), so nmap retries.
 * - About -e percent of the packets are ordinary TCP connections with
 *   payload: handshake with Linux options, a request, a response in
 *   full-sized segments with delayed ACKs, and a FIN exchange.
 *
 * Everything comes from a seeded PRNG and from hashes of (seed, scanner,
 * host, port), so given -n, -s, -r and -e the output is the same bytes on
 * every run. Pending packets wait in a fixed-size min-heap ordered by
 * capture time and frames are built in place in one output buffer: nothing
 * is allocated per packet and memory does not grow with -n.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tests/wire.h"

/* Bump when the bytes for a given (-n, -s, -r, -e) change: caches key on it. */
#define GEN_VERSION "1"

#define START_SEC         1704067200u /* 2024-01-01T00:00:00Z */
#define SNAPLEN           262144u
#define LINKTYPE_ETHERNET 1u
#define NPORTS            1000u  /* ports per host: nmap's default count */
#define GROUP             256u   /* hosts probed together (nmap's hostgroup) */
#define SCAN_HOSTS        16128u /* targets per scanner: 64 /24s of 252 hosts */
#define NSCANNERS         4u     /* three IPv4 and one IPv6 */
#define HEAP_CAP          (1u << 16) /* pending events (~1000 in use) */
#define OUT_BUF           (4u << 20) /* flushed when nearly full */
#define MAX_RECORD        2048u  /* largest record header plus frame we build */
#define SEG_MSS           1448u  /* payload per segment: MSS 1460 minus TS */
#define POOL_SIZE         65536u /* bytes payloads are copied from */
#define MIN_FRAME         60u    /* Ethernet minimum without FCS: pad to it */

enum ev_kind {
	EV_PROBE,       /* scanner SYN, try number `tries` */
	EV_SYNACK,      /* open port */
	EV_SCAN_RST,    /* scanner's kernel resets the half-open conn */
	EV_RSTACK,      /* closed port */
	EV_ICMP_HOST,   /* 3/3 (v6: 1/4) from the target */
	EV_ICMP_ROUTER, /* 3/13 (v6: 1/1) from the target's router */
	EV_CONN,        /* one step of an ordinary connection */
};

enum fate {
	FATE_OPEN,
	FATE_CLOSED,
	FATE_DROP,
	FATE_REJECT_HOST,
	FATE_REJECT_ROUTER,
	FATE_COUNT,
};

enum conn_step {
	CS_SYN,
	CS_SYNACK,
	CS_ACK,
	CS_REQ,
	CS_DATA,
	CS_DACK,
	CS_FIN_C,
	CS_FIN_S,
	CS_LAST,
};

struct event {
	uint64_t t;            /* capture time (ns since START_SEC) */
	uint32_t order;        /* push counter: equal times keep push order */
	uint32_t a, b;         /* prober/client, target/server (v4, or v6 id) */
	uint32_t seq_a, seq_b; /* next sequence numbers of a and b */
	uint32_t left;         /* conn: response bytes still to send */
	uint32_t rtt_us;       /* round trip between a and b */
	uint16_t pa, pb;       /* ports of a and b */
	uint8_t kind;          /* enum ev_kind */
	uint8_t step;          /* probe: enum fate; conn: enum conn_step */
	uint8_t v6;            /* addresses are IPv6 ids */
	uint8_t tries;         /* probe: tries sent so far */
	uint8_t ntries;        /* probe: tries until one is answered */
	uint8_t ttl;           /* probe: TTL as sent; conn: base TTL */
	uint8_t hops;          /* routers between the capture point and b */
	uint8_t segs;          /* conn: data segments since the last ACK */
	uint8_t rttl;          /* TTL of b's replies as captured */
};

struct scanner {
	uint32_t addr;  /* v4 address (or v6 id) */
	uint32_t net;   /* 10.N.0.0: targets of this scanner */
	uint16_t sport; /* first-try source port */
	uint8_t v6;
	uint8_t weight;         /* share of scan probes, percent */
	uint64_t next;          /* probes started so far */
	uint16_t ports[NPORTS]; /* shuffled port list */
};

struct gen {
	uint64_t seed;
	uint64_t rng;      /* splitmix64 state */
	uint64_t npackets; /* -n */
	uint32_t rate;     /* -r: packets per second of capture time */
	uint32_t conn_pct; /* -e: percent of packets in connections */
	FILE *fp;
	const char *path;
	uint8_t *out; /* OUT_BUF bytes */
	size_t used;
	uint64_t emitted, bytes;
	uint64_t planned_all, planned_conn; /* packets of started sessions */
	uint64_t next_start;                /* when the next session starts */
	uint32_t order;
	struct event *heap; /* HEAP_CAP events */
	uint32_t nheap, peak_heap;
	struct scanner sc[NSCANNERS];
	uint8_t pool[POOL_SIZE];
	uint64_t fates[FATE_COUNT], conns, retries;
};

/* nmap's most scanned ports lead the list; the rest are drawn at random. */
static const uint16_t common_ports[] = { 21, 22, 23, 25, 53, 80, 110, 111, 135,
	139, 143, 443, 445, 993, 995, 1723, 3306, 3389, 5900, 8080, 113, 199,
	554, 587, 8888, 1025, 256 };

/* Likelihood (per 10000) that a common port is open on a host. */
static const struct {
	uint16_t port;
	uint16_t per10k;
} open_odds[] = { { 22, 4000 }, { 80, 3500 }, { 443, 3000 }, { 25, 1000 },
	{ 445, 1000 }, { 139, 800 }, { 135, 800 }, { 3389, 800 }, { 21, 800 },
	{ 8080, 600 }, { 3306, 500 }, { 53, 500 }, { 111, 400 }, { 23, 300 } };

/* Server ports of ordinary connections. */
static const uint16_t conn_ports[] = { 443, 443, 443, 80, 80, 22, 8080, 993 };

static void usage(void) __attribute__((noreturn));
static void die(const char *what, const char *detail) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr,
	    "usage: gen-scan [-n packets] [-s seed] [-r pps] [-e pct] "
	    "[-q] -o file|-\n"
	    "       gen-scan -V\n"
	    "  -n  packets to write (default 1000000)\n"
	    "  -s  seed (default 1)\n"
	    "  -r  packets per second of capture time (default 20000)\n"
	    "  -e  percent of packets in ordinary connections (default 10)\n"
	    "  -V  print the generator version (output format key) and exit\n");
	exit(2);
}

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "gen-scan: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	exit(1);
}

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* Stable per-(scanner, host, port) randomness, independent of packet order. */
static uint64_t
hash4(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
	return mix64(
	    seed ^ mix64(a ^ mix64(b ^ mix64(c ^ 0x9e3779b97f4a7c15ull))));
}

static uint64_t
rnd(struct gen *g)
{
	g->rng += 0x9e3779b97f4a7c15ull;
	return mix64(g->rng);
}

/* Uniform in [0, n) (Lemire's multiply-shift; the bias is negligible). */
static uint32_t
rnd_below(struct gen *g, uint32_t n)
{
	return (uint32_t)(((rnd(g) >> 32) * (uint64_t)n) >> 32);
}

/*
 * IPv6 addresses are made from a v4-shaped id so that scanners, hosts and
 * routers share one numbering: 10.4.5.7 becomes 2001:db8:a04:500::7.
 */
static void
v6_addr(uint8_t *p, uint32_t id)
{
	memset(p, 0, 16);
	p[0] = 0x20;
	p[1] = 0x01;
	p[2] = 0x0d;
	p[3] = 0xb8;
	wire_be32(p + 4, id & 0xffffff00u);
	p[15] = (uint8_t)id;
}

/* Locally administered MACs derived from the IP ids. */
static size_t
put_eth(uint8_t *f, uint32_t src, uint32_t dst, uint32_t type)
{
	f[0] = 0x02;
	f[1] = 0x00;
	wire_be32(f + 2, dst);
	f[6] = 0x02;
	f[7] = 0x00;
	wire_be32(f + 8, src);
	wire_be16(f + 12, type);
	return 14;
}

/* RFC 791 header without options; returns its length (20). */
static size_t
put_ip4(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl,
    uint16_t id, bool df, size_t l4len)
{
	p[0] = 0x45;
	p[1] = 0;
	wire_be16(p + 2, (uint32_t)(20 + l4len));
	wire_be16(p + 4, id);
	wire_be16(p + 6, df ? 0x4000u : 0);
	p[8] = ttl;
	p[9] = proto;
	p[10] = p[11] = 0;
	wire_be32(p + 12, src);
	wire_be32(p + 16, dst);
	wire_be16(p + 10, wire_csum_fold(wire_csum_add(0, p, 20)));
	return 20;
}

/* RFC 8200 fixed header; returns its length (40). */
static size_t
put_ip6(uint8_t *p, uint32_t src, uint32_t dst, uint8_t nh, uint8_t hlim,
    uint32_t flow, size_t l4len)
{
	wire_be32(p, 0x60000000u | (flow & 0xfffffu));
	wire_be16(p + 4, (uint32_t)l4len);
	p[6] = nh;
	p[7] = hlim;
	v6_addr(p + 8, src);
	v6_addr(p + 24, dst);
	return 40;
}

/* Pseudo-header sum (RFC 793 / RFC 8200 8.1) for an L4 checksum. */
static uint64_t
pseudo_sum(const uint8_t *ip, bool v6, uint8_t proto, size_t l4len)
{
	uint64_t s;

	if (v6)
		s = wire_csum_add(0, ip + 8, 32);
	else
		s = wire_csum_add(0, ip + 12, 8);
	return s + proto + (uint32_t)l4len;
}

/*
 * TCP segment (RFC 793) at p: header with `opt` options, then `plen` bytes
 * of payload already copied at p + 20 + optlen. Returns header + payload.
 */
static size_t
put_tcp(uint8_t *p, const uint8_t *ip, bool v6, uint16_t sport, uint16_t dport,
    uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opt,
    size_t optlen, size_t plen)
{
	size_t hl = 20 + optlen, n = hl + plen;

	wire_be16(p, sport);
	wire_be16(p + 2, dport);
	wire_be32(p + 4, seq);
	wire_be32(p + 8, ack);
	p[12] = (uint8_t)(hl / 4 << 4);
	p[13] = flags;
	wire_be16(p + 14, win);
	p[16] = p[17] = 0;
	p[18] = p[19] = 0;
	if (optlen)
		memcpy(p + 20, opt, optlen);
	wire_be16(p + 16, wire_csum_fold(wire_csum_add(pseudo_sum(ip, v6, 6, n), p, n)));
	return n;
}

#define TH_FIN 0x01u
#define TH_SYN 0x02u
#define TH_RST 0x04u
#define TH_PSH 0x08u
#define TH_ACK 0x10u

/* nmap's SYN probe carries MSS only; Linux SYNs carry the full set. */
static const uint8_t opt_nmap[] = { 2, 4, 0x05, 0xb4 };
static const uint8_t opt_synack[] = { 2, 4, 0x05, 0xb4 };

static size_t
opt_linux_syn(uint8_t *o, uint32_t tsval, uint32_t tsecr)
{
	/* MSS 1460, SACK permitted, timestamps, NOP, window scale 7. */
	static const uint8_t head[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10 };

	memcpy(o, head, sizeof(head));
	wire_be32(o + 8, tsval);
	wire_be32(o + 12, tsecr);
	o[16] = 1;
	o[17] = 3;
	o[18] = 3;
	o[19] = 7;
	return 20;
}

static size_t
opt_ts(uint8_t *o, uint32_t tsval, uint32_t tsecr)
{
	o[0] = 1;
	o[1] = 1;
	o[2] = 8;
	o[3] = 10;
	wire_be32(o + 4, tsval);
	wire_be32(o + 8, tsecr);
	return 12;
}

/* The probe of e as it left the scanner: IP header + TCP into p. */
static size_t
build_probe(const struct event *e, uint8_t *p, uint8_t ttl)
{
	uint16_t id = (uint16_t)(e->seq_a ^ e->seq_a >> 16);
	size_t n;

	if (e->v6)
		n = put_ip6(p, e->a, e->b, 6, ttl, 0, 24);
	else
		n = put_ip4(p, e->a, e->b, 6, ttl, id, false, 24);
	return n +
	    put_tcp(p + n, p, e->v6, e->pa, e->pb, e->seq_a, 0, TH_SYN, 1024,
		opt_nmap, sizeof(opt_nmap), 0);
}

/* An IP packet from src to dst with an L4 part built by the caller. */
static size_t
put_ip(uint8_t *p, bool v6, uint32_t src, uint32_t dst, uint8_t proto,
    uint8_t ttl, uint16_t id, bool df, size_t l4len)
{
	if (v6)
		return put_ip6(p, src, dst, proto, ttl, 0, l4len);
	return put_ip4(p, src, dst, proto, ttl, id, df, l4len);
}

/*
 * ICMP or ICMPv6 destination unreachable (RFC 792, RFC 4443) from src to
 * the scanner, quoting `qlen` bytes of the probe as it arrived (TTL lowered
 * by the hops it crossed; routers recompute the header checksum).
 */
static size_t
build_unreach(const struct event *e, uint8_t *p, uint32_t src, uint8_t ttl,
    uint8_t code, uint8_t qttl, size_t qlen)
{
	uint8_t q[64];
	size_t ih = e->v6 ? 40 : 20, l4 = 8 + qlen, n;
	uint8_t *icmp = p + ih;

	build_probe(e, q, qttl);
	n = put_ip(p, e->v6, src, e->a, e->v6 ? 58 : 1, ttl,
	    (uint16_t)(e->seq_a * 7u), false, l4);
	icmp[0] = e->v6 ? 1 : 3;
	icmp[1] = code;
	icmp[2] = icmp[3] = 0;
	memset(icmp + 4, 0, 4);
	memcpy(icmp + 8, q, qlen);
	wire_be16(icmp + 2,
	    wire_csum_fold(
		wire_csum_add(e->v6 ? pseudo_sum(p, true, 58, l4) : 0, icmp, l4)));
	return n + l4;
}

static void
flush_out(struct gen *g)
{
	if (g->used && fwrite(g->out, 1, g->used, g->fp) != g->used)
		die(g->path, strerror(errno));
	g->used = 0;
}

/* Append one record of frame length n (already built at the record slot). */
static void
commit(struct gen *g, uint64_t t, size_t n)
{
	uint8_t *rec = g->out + g->used;
	uint64_t us = t / 1000u;

	if (n < MIN_FRAME) {
		memset(rec + 16 + n, 0, MIN_FRAME - n);
		n = MIN_FRAME;
	}
	wire_le32(rec, (uint32_t)(START_SEC + us / 1000000u));
	wire_le32(rec + 4, (uint32_t)(us % 1000000u));
	wire_le32(rec + 8, (uint32_t)n);
	wire_le32(rec + 12, (uint32_t)n);
	g->used += 16 + n;
	g->bytes += 16 + n;
	g->emitted++;
	if (OUT_BUF - g->used < MAX_RECORD)
		flush_out(g);
}

/* Frame slot of the next record (after its 16-byte header). */
static uint8_t *
slot(struct gen *g)
{
	return g->out + g->used + 16;
}

static void
heap_push(struct gen *g, const struct event *e)
{
	uint32_t i = g->nheap++;
	struct event *h = g->heap;

	h[i] = *e;
	h[i].order = g->order++;
	while (i > 0) {
		uint32_t up = (i - 1) / 2;
		struct event t;

		if (h[up].t < h[i].t ||
		    (h[up].t == h[i].t && h[up].order < h[i].order))
			break;
		t = h[up];
		h[up] = h[i];
		h[i] = t;
		i = up;
	}
	if (g->nheap > g->peak_heap)
		g->peak_heap = g->nheap;
}

static bool
ev_less(const struct event *x, const struct event *y)
{
	return x->t < y->t || (x->t == y->t && x->order < y->order);
}

static void
heap_pop(struct gen *g, struct event *out)
{
	struct event *h = g->heap;
	uint32_t i = 0;

	*out = h[0];
	h[0] = h[--g->nheap];
	for (;;) {
		uint32_t l = 2 * i + 1, m = i;
		struct event t;

		if (l < g->nheap && ev_less(&h[l], &h[m]))
			m = l;
		if (l + 1 < g->nheap && ev_less(&h[l + 1], &h[m]))
			m = l + 1;
		if (m == i)
			break;
		t = h[m];
		h[m] = h[i];
		h[i] = t;
		i = m;
	}
}

/* Schedule the follow-up of e after `delay` ns. */
static void
later(struct gen *g, struct event *e, uint8_t kind, uint64_t delay)
{
	e->kind = kind;
	e->t += delay;
	heap_push(g, e);
}

/* Round trip plus a little jitter, in ns. */
static uint64_t
rtt_ns(struct gen *g, const struct event *e)
{
	uint64_t r = (uint64_t)e->rtt_us * 1000u;

	return r + rnd_below(g, (uint32_t)(r / 8u + 1u));
}

/* RFC 7323 TSval: a millisecond clock with a per-connection offset. */
static uint32_t
tsval(const struct event *e)
{
	return (uint32_t)(e->t / 1000000u) + e->a * 2654435761u + e->pa;
}

static void
emit_probe(struct gen *g, struct event *e)
{
	uint8_t *f = slot(g);
	size_t n = put_eth(f, e->a, e->b, e->v6 ? 0x86dd : 0x0800);

	commit(g, e->t, n + build_probe(e, f + n, e->ttl));
	if (e->tries > 0)
		g->retries++;
	e->tries++;
	if (e->tries < e->ntries) {
		/* nmap: timeout of max(100 ms, srtt + 4 rttvar), new sport. */
		e->pa = (uint16_t)(e->pa + 1u);
		e->seq_a = (uint32_t)rnd(g);
		e->ttl = (uint8_t)(37u + rnd_below(g, 23));
		later(g, e, EV_PROBE,
		    100000000u + 4u * rtt_ns(g, e) + rnd_below(g, 150000000u));
		return;
	}
	switch (e->step) {
	case FATE_OPEN:
		later(g, e, EV_SYNACK, rtt_ns(g, e));
		break;
	case FATE_CLOSED:
		later(g, e, EV_RSTACK, rtt_ns(g, e));
		break;
	case FATE_REJECT_HOST:
		later(g, e, EV_ICMP_HOST, rtt_ns(g, e));
		break;
	case FATE_REJECT_ROUTER:
		later(g, e, EV_ICMP_ROUTER, rtt_ns(g, e) * 3u / 4u);
		break;
	default:
		break; /* dropped: silence */
	}
}

static void
emit_scan_reply(struct gen *g, struct event *e)
{
	uint8_t *f = slot(g);
	uint32_t router = (e->b & 0xffffff00u) | 1u;
	bool v6 = e->v6;
	size_t n, ih = v6 ? 40 : 20;
	uint16_t id = (uint16_t)rnd(g);

	switch (e->kind) {
	case EV_SYNACK:
		n = put_eth(f, e->b, e->a, v6 ? 0x86dd : 0x0800);
		n += put_ip(f + n, v6, e->b, e->a, 6, e->rttl, id, true, 24);
		n += put_tcp(f + n, f + 14, v6, e->pb, e->pa, e->seq_b,
		    e->seq_a + 1u, TH_SYN | TH_ACK,
		    e->rttl > 128      ? 65535
			: e->rttl > 64 ? 8192
				       : 64240,
		    opt_synack, sizeof(opt_synack), 0);
		commit(g, e->t, n);
		later(g, e, EV_SCAN_RST, 20000u + rnd_below(g, 40000u));
		return;
	case EV_SCAN_RST:
		n = put_eth(f, e->a, e->b, v6 ? 0x86dd : 0x0800);
		n += put_ip(f + n, v6, e->a, e->b, 6, 64, id, true, 20);
		n += put_tcp(f + n, f + 14, v6, e->pa, e->pb, e->seq_a + 1u, 0,
		    TH_RST, 0, NULL, 0, 0);
		break;
	case EV_RSTACK:
		n = put_eth(f, e->b, e->a, v6 ? 0x86dd : 0x0800);
		n += put_ip(f + n, v6, e->b, e->a, 6, e->rttl, id, true, 20);
		n += put_tcp(f + n, f + 14, v6, e->pb, e->pa, 0, e->seq_a + 1u,
		    TH_RST | TH_ACK, 0, NULL, 0, 0);
		break;
	case EV_ICMP_HOST:
		/* Linux quotes the whole probe (up to 576 bytes in all). */
		n = put_eth(f, e->b, e->a, v6 ? 0x86dd : 0x0800);
		n += build_unreach(e, f + n, e->b, e->rttl, v6 ? 4 : 3,
		    (uint8_t)(e->ttl - e->hops), ih + 24);
		break;
	default:
		/* Routers quote the IP header and 8 bytes (v6: all of it). */
		n = put_eth(f, router, e->a, v6 ? 0x86dd : 0x0800);
		n += build_unreach(e, f + n, router,
		    (uint8_t)(255u - e->hops + 1u), v6 ? 1 : 13,
		    (uint8_t)(e->ttl - e->hops + 1u), v6 ? ih + 24 : ih + 8);
		break;
	}
	commit(g, e->t, n);
}

/* One packet of an ordinary connection, client a <-> server b. */
static void
emit_conn(struct gen *g, struct event *e)
{
	uint8_t *f = slot(g), opt[20];
	bool v6 = e->v6, from_c;
	size_t n, optlen, plen = 0, ih = v6 ? 40 : 20;
	uint8_t flags, ttl, next = CS_LAST;
	uint32_t seq, ack, tsv = tsval(e);
	uint64_t delay = 0;
	uint16_t win;

	switch (e->step) {
	case CS_SYN:
	case CS_SYNACK:
		from_c = e->step == CS_SYN;
		optlen = opt_linux_syn(opt, tsv, from_c ? 0 : tsv - 3u);
		flags = from_c ? TH_SYN : TH_SYN | TH_ACK;
		next = from_c ? CS_SYNACK : CS_ACK;
		delay = from_c ? rtt_ns(g, e) : 30000u;
		break;
	case CS_ACK:
	case CS_DACK:
	case CS_LAST:
		from_c = true;
		optlen = opt_ts(opt, tsv, tsv - 3u);
		flags = TH_ACK;
		next = e->step == CS_ACK ? CS_REQ
		    : e->step == CS_DACK ? (e->left ? CS_DATA : CS_FIN_C)
					 : CS_LAST + 1;
		delay = 40000u;
		e->segs = 0;
		break;
	case CS_REQ:
		from_c = true;
		optlen = opt_ts(opt, tsv, tsv - 3u);
		flags = TH_PSH | TH_ACK;
		plen = 80u + (e->seq_b ^ e->pa) % 600u;
		next = CS_DATA;
		delay = rtt_ns(g, e);
		break;
	case CS_DATA:
		from_c = false;
		optlen = opt_ts(opt, tsv, tsv - 3u);
		plen = e->left < SEG_MSS ? e->left : SEG_MSS;
		e->left -= (uint32_t)plen;
		flags = e->left ? TH_ACK : TH_PSH | TH_ACK;
		e->segs++;
		next = e->segs >= 2 || e->left == 0 ? CS_DACK : CS_DATA;
		delay = 12000u + rnd_below(g, 8000u);
		break;
	case CS_FIN_C:
	case CS_FIN_S:
		from_c = e->step == CS_FIN_C;
		optlen = opt_ts(opt, tsv, tsv - 3u);
		flags = TH_FIN | TH_ACK;
		next = from_c ? CS_FIN_S : CS_LAST;
		delay = from_c ? rtt_ns(g, e) : 30000u;
		break;
	default:
		return;
	}
	seq = from_c ? e->seq_a : e->seq_b;
	ack = flags & TH_ACK ? (from_c ? e->seq_b : e->seq_a) : 0;
	ttl = from_c ? e->ttl : e->rttl;
	win = flags & TH_SYN ? 64240 : 502;
	n = put_eth(f, from_c ? e->a : e->b, from_c ? e->b : e->a,
	    v6 ? 0x86dd : 0x0800);
	if (plen)
		memcpy(f + n + ih + 20 + optlen,
		    g->pool + rnd_below(g, POOL_SIZE - SEG_MSS), plen);
	n += put_ip(f + n, v6, from_c ? e->a : e->b, from_c ? e->b : e->a, 6,
	    ttl, (uint16_t)rnd(g), true, 20 + optlen + plen);
	n += put_tcp(f + n, f + 14, v6, from_c ? e->pa : e->pb,
	    from_c ? e->pb : e->pa, seq, ack, flags, win, opt, optlen, plen);
	commit(g, e->t, n);
	if (from_c)
		e->seq_a +=
		    (uint32_t)plen + (flags & (TH_SYN | TH_FIN) ? 1u : 0u);
	else
		e->seq_b +=
		    (uint32_t)plen + (flags & (TH_SYN | TH_FIN) ? 1u : 0u);
	if (next <= CS_LAST) {
		e->step = next;
		later(g, e, EV_CONN, delay);
	}
}

/* Per-host firewall profile and path, from the host hash. */
static enum fate
port_fate(const struct gen *g, uint32_t k, uint32_t h, uint16_t port)
{
	uint64_t hh = hash4(g->seed, k, h, 0x10000u);
	uint64_t ph = hash4(g->seed, k, h, port);
	uint32_t odds = 20, profile = (uint32_t)(hh % 100u), r;
	size_t i;

	for (i = 0; i < sizeof(open_odds) / sizeof(open_odds[0]); i++)
		if (open_odds[i].port == port)
			odds = open_odds[i].per10k;
	if (ph % 10000u < odds)
		return FATE_OPEN;
	r = (uint32_t)(ph >> 32) % 100u;
	if (profile < 35) /* no firewall: the kernel resets */
		return FATE_CLOSED;
	if (profile < 65) /* DROP policy; identd is often reset */
		return port == 113 ? FATE_CLOSED : FATE_DROP;
	if (profile < 80) /* iptables REJECT (icmp-port-unreachable) */
		return FATE_REJECT_HOST;
	if (profile < 95) /* router ACL for part of the ports */
		return r < 60 ? FATE_REJECT_ROUTER : FATE_CLOSED;
	return r < 40 ? FATE_CLOSED : r < 70 ? FATE_DROP : FATE_REJECT_HOST;
}

/* Start the next probe of a scanner; returns the packets it will produce. */
static uint32_t
start_probe(struct gen *g, struct scanner *s, uint32_t k)
{
	struct event e;
	uint64_t i = s->next++, hh;
	uint64_t per_group = (uint64_t)GROUP * NPORTS, group = i / per_group;
	uint32_t within = (uint32_t)(i % per_group), h, lost, pk = 0;
	uint16_t port = s->ports[within / GROUP];
	enum fate f;

	h = (uint32_t)((group * GROUP + within % GROUP) % SCAN_HOSTS);
	hh = hash4(g->seed, k, h, 0x10000u);
	f = port_fate(g, k, h, port);
	memset(&e, 0, sizeof(e));
	e.t = g->next_start;
	e.kind = EV_PROBE;
	e.v6 = s->v6;
	e.a = s->addr;
	e.b = s->net | (h / 252u) << 8 | (2u + h % 252u);
	e.pa = s->sport;
	e.pb = port;
	e.seq_a = (uint32_t)rnd(g);
	e.seq_b = (uint32_t)rnd(g);
	e.ttl = (uint8_t)(37u + rnd_below(g, 23));
	e.hops = (uint8_t)(2u + (hh >> 8) % 12u);
	e.rttl = (uint8_t)(((hh >> 16) % 100u < 70          ? 64u
				   : (hh >> 16) % 100u < 95 ? 128u
							    : 255u) -
	    e.hops);
	/* 0.15 to 50 ms, most hosts near the low end. */
	e.rtt_us = 150u +
	    (uint32_t)(((hh >> 24) % 1000u) * ((hh >> 24) % 1000u) / 20u);
	e.step = (uint8_t)f;
	/* Lost replies and rate-limited ICMP make nmap try again. */
	lost = rnd_below(g, 100);
	switch (f) {
	case FATE_DROP:
		e.ntries = lost < 5 ? 1 : lost < 85 ? 2 : 3;
		pk = e.ntries;
		break;
	case FATE_REJECT_HOST:
	case FATE_REJECT_ROUTER:
		e.ntries = lost < 10 ? 2 : 1;
		pk = e.ntries + 1u;
		break;
	case FATE_OPEN:
		e.ntries = lost < 2 ? 2 : 1;
		pk = e.ntries + 2u;
		break;
	default:
		e.ntries = lost < 2 ? 2 : 1;
		pk = e.ntries + 1u;
		break;
	}
	g->fates[f]++;
	heap_push(g, &e);
	return pk;
}

/* Start an ordinary connection; returns the packets it will produce. */
static uint32_t
start_conn(struct gen *g)
{
	struct event e;
	uint32_t c = rnd_below(g, 4096), s = rnd_below(g, 512), segs;
	uint32_t big = rnd_below(g, 100);

	memset(&e, 0, sizeof(e));
	e.t = g->next_start;
	e.kind = EV_CONN;
	e.step = CS_SYN;
	e.v6 = rnd_below(g, 100) < 10;
	e.a = 0xc0a80000u | (c / 250u) << 8 | (2u + c % 250u); /* 192.168/16 */
	e.b = 0xac100000u | (s / 250u) << 8 | (2u + s % 250u); /* 172.16/12 */
	e.pa = (uint16_t)(32768u + rnd_below(g, 28232));
	e.pb = conn_ports[rnd_below(
	    g, sizeof(conn_ports) / sizeof(conn_ports[0]))];
	e.seq_a = (uint32_t)rnd(g);
	e.seq_b = (uint32_t)rnd(g);
	e.ttl = 64;
	e.hops = (uint8_t)(1u + rnd_below(g, 10));
	e.rttl = (uint8_t)(64u - e.hops);
	e.rtt_us = 300u + rnd_below(g, 40000);
	/* Mostly page loads, a quarter downloads of up to ~200 KB. */
	e.left = big < 75 ? 200u + rnd_below(g, 30000)
			  : 30000u + rnd_below(g, 170000);
	segs = (e.left + SEG_MSS - 1) / SEG_MSS;
	g->conns++;
	heap_push(g, &e);
	return 3u + 1u + segs + (segs + 1u) / 2u + 3u;
}

/* Start a session at next_start and move next_start on by its share. */
static void
start_session(struct gen *g)
{
	uint32_t pk, w = rnd_below(g, 100), k;

	if (g->planned_conn * 100u < g->planned_all * g->conn_pct) {
		pk = start_conn(g);
		g->planned_conn += pk;
	} else {
		for (k = 0; k + 1 < NSCANNERS && w >= g->sc[k].weight; k++)
			w -= g->sc[k].weight;
		pk = start_probe(g, &g->sc[k], k);
	}
	g->planned_all += pk;
	/* Exponential-ish gaps, mean pk / rate seconds. */
	g->next_start += (uint64_t)pk * 1000000000u / g->rate *
	    (500u + rnd_below(g, 1000)) / 1000u;
}

static void
setup(struct gen *g)
{
	static const uint32_t addrs[NSCANNERS] = { 0xc6336407u, 0xc6336417u,
		0xcb007105u, 0xc6336407u };
	static const uint8_t weights[NSCANNERS] = { 40, 30, 22, 8 };
	uint8_t used[65536 / 8];
	uint32_t k, i, n;

	g->rng = mix64(g->seed ^ 0x5ca9u);
	for (i = 0; i < POOL_SIZE; i += 8) {
		uint64_t x = rnd(g);

		memcpy(g->pool + i, &x, 8);
	}
	for (k = 0; k < NSCANNERS; k++) {
		struct scanner *s = &g->sc[k];

		s->addr = addrs[k];
		s->v6 = k == NSCANNERS - 1;
		s->net = 0x0a000000u | (k + 1u) << 16;
		s->weight = weights[k];
		s->sport = (uint16_t)(40000u + rnd_below(g, 20000));
		memset(used, 0, sizeof(used));
		n = 0;
		for (i = 0; i < sizeof(common_ports) / sizeof(common_ports[0]);
		     i++) {
			s->ports[n++] = common_ports[i];
			used[common_ports[i] / 8] |=
			    (uint8_t)(1u << common_ports[i] % 8);
		}
		while (n < NPORTS) {
			uint32_t p = 1u + rnd_below(g, 65535);

			if (used[p / 8] & (1u << p % 8))
				continue;
			used[p / 8] |= (uint8_t)(1u << p % 8);
			s->ports[n++] = (uint16_t)p;
		}
		for (i = NPORTS - 1; i > 0; i--) { /* nmap shuffles ports */
			uint32_t j = rnd_below(g, i + 1);
			uint16_t t = s->ports[i];

			s->ports[i] = s->ports[j];
			s->ports[j] = t;
		}
	}
}

static void
write_header(struct gen *g)
{
	uint8_t *p = g->out;

	wire_le32(p, 0xa1b2c3d4u);
	p[4] = 2;
	p[5] = 0;
	p[6] = 4;
	p[7] = 0;
	memset(p + 8, 0, 8);
	wire_le32(p + 16, SNAPLEN);
	wire_le32(p + 20, LINKTYPE_ETHERNET);
	g->used = 24;
	g->bytes = 24;
}

static uint64_t
parse_num(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		die("bad number for", what);
	return (uint64_t)v;
}

int
main(int argc, char **argv)
{
	static struct gen gs;
	struct gen *g = &gs;
	struct event e;
	bool quiet = false;
	int c;

	g->npackets = 1000000;
	g->seed = 1;
	g->rate = 20000;
	g->conn_pct = 10;
	while ((c = getopt(argc, argv, "n:s:r:e:o:qV")) != -1) {
		switch (c) {
		case 'n':
			g->npackets = parse_num(optarg, "-n");
			break;
		case 's':
			g->seed = parse_num(optarg, "-s");
			break;
		case 'r':
			g->rate = (uint32_t)parse_num(optarg, "-r");
			break;
		case 'e':
			g->conn_pct = (uint32_t)parse_num(optarg, "-e");
			break;
		case 'o':
			g->path = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'V':
			printf("gen-scan %s\n", GEN_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (g->path == NULL || optind != argc || g->rate == 0 ||
	    g->conn_pct > 90)
		usage();
	if (strcmp(g->path, "-") == 0)
		g->fp = stdout;
	else if ((g->fp = fopen(g->path, "wb")) == NULL)
		die(g->path, strerror(errno));
	setvbuf(g->fp, NULL, _IONBF, 0); /* we buffer whole records */
	g->out = malloc(OUT_BUF);
	g->heap = malloc(HEAP_CAP * sizeof(*g->heap));
	if (g->out == NULL || g->heap == NULL)
		die("out of memory", NULL);
	setup(g);
	write_header(g);
	while (g->emitted < g->npackets) {
		if (g->nheap == 0 ||
		    (g->nheap < HEAP_CAP - 1 && g->heap[0].t > g->next_start)) {
			start_session(g);
			continue;
		}
		heap_pop(g, &e);
		if (e.t > g->next_start)
			g->next_start =
			    e.t; /* heap was full: keep time monotonic */
		if (e.kind == EV_PROBE)
			emit_probe(g, &e);
		else if (e.kind == EV_CONN)
			emit_conn(g, &e);
		else
			emit_scan_reply(g, &e);
	}
	flush_out(g);
	if (g->fp != stdout ? fclose(g->fp) != 0 : fflush(g->fp) != 0)
		die(g->path, strerror(errno));
	if (!quiet)
		fprintf(stderr,
		    "gen-scan: %llu packets, %llu bytes, "
		    "%.1f s of capture; probes open %llu closed %llu "
		    "dropped %llu host-reject %llu router-reject %llu, "
		    "retries %llu, connections %llu, peak events %u\n",
		    (unsigned long long)g->emitted,
		    (unsigned long long)g->bytes, (double)g->next_start / 1e9,
		    (unsigned long long)g->fates[FATE_OPEN],
		    (unsigned long long)g->fates[FATE_CLOSED],
		    (unsigned long long)g->fates[FATE_DROP],
		    (unsigned long long)g->fates[FATE_REJECT_HOST],
		    (unsigned long long)g->fates[FATE_REJECT_ROUTER],
		    (unsigned long long)g->retries,
		    (unsigned long long)g->conns, g->peak_heap);
	free(g->out);
	free(g->heap);
	return 0;
}
