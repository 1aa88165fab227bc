/*
 * decode-ip.c -- IPv4 (RFC 791) and IPv6 (RFC 8200) headers, the IPv6
 * extension header chain, and the IP packet quoted inside ICMP errors
 * (RFC 792, RFC 4443).
 *
 * Lengths narrow on the way down: the IP total/payload length cuts both
 * the captured bytes (Ethernet padding, "etherleak") and the wire length
 * passed to the transport stage. A length field above the captured bytes
 * is a snap length, not an error.
 */
#include <stddef.h>
#include <string.h>

#include "decode.h"
#include "decode-int.h"
#include "pkt.h"

static uint32_t ip_min(uint32_t a, uint32_t b);
static inline enum decode_status ip_v4(
    const uint8_t *h, uint32_t len, uint32_t wire, struct decoded *out)
    __attribute__((always_inline));	/* the common path */
static enum decode_status ip_v6(
    const uint8_t *data, uint32_t len, uint32_t wire, struct decoded *out)
    __attribute__((noinline));
_Static_assert(sizeof(struct quoted) >= sizeof(struct frag_info),
    "clearing the quote clears the fragment description that shares it");

/* What ip_v6_ext() found of a fragment header. */
struct v6_frag {
	uint16_t word;	/* offset:13 res:2 M:1; 0 without a fragment header */
	uint8_t next;	/* its next header */
	uint32_t id;
	uint32_t at;	/* the cursor's offset just after it */
};

static enum decode_status ip_v6_ext(struct pkt *p, uint8_t *nh,
    struct v6_frag *f);
static enum decode_status ip_first_frag(enum decode_status st);
static enum decode_status ip_fragment(struct decoded *out, uint32_t id,
    uint32_t offset, bool more, uint8_t next, const uint8_t *data,
    uint32_t len, uint32_t wire);
static enum decode_status ip_fragment4(struct decoded *out, const uint8_t *h,
    uint32_t hlen, uint32_t len, uint32_t wire) __attribute__((noinline));
static inline enum decode_status ip_transport(const uint8_t *data,
    uint32_t len, uint32_t wire, struct decoded *out);
static void ip_quote_v4(struct pkt *p, struct quoted *q);
static void ip_quote_v6(struct pkt *p, struct quoted *q);
static void ip_quote_l4(struct pkt *p, struct quoted *q);

enum decode_status
decode_ip(const uint8_t *data, uint32_t len, struct decoded *out)
{
	return decode_ip_wire(data, len, DEC_WIRE_UNKNOWN, out);
}

enum decode_status
decode_ip_wire(
    const uint8_t *data, uint32_t len, uint32_t wire, struct decoded *out)
{
	uint8_t ver;

	if (data == NULL || len == 0)
		return DEC_BAD_IP4;
	if (wire < len)
		wire = len;
	ver = data[0] >> 4;
	if (ver == 4)
		return ip_v4(data, len, wire, out);
	if (ver == 6)
		return ip_v6(data, len, wire, out);
	return DEC_SKIP_NOT_IP;
}

static uint32_t
ip_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * IPv4 header (RFC 791 3.1), 20 bytes plus options:
 *   ver:4 ihl:4 | tos | total length[2] | id[2] | flags:3 frag offset:13 |
 *   ttl | proto | checksum[2] | src[4] | dst[4] | options[ihl*4 - 20]
 * `len` bytes at h (at least 1), `wire` >= len.
 */
static inline enum decode_status
ip_v4(const uint8_t *h, uint32_t len, uint32_t wire, struct decoded *out)
{
	uint16_t total, frag;
	uint32_t hlen;
	enum decode_status st;

	if (len < 20)
		return DEC_BAD_IP4;
	out->tos = h[1];
	total = pkt_get_be16(h + 2);
	out->ip_id = pkt_get_be16(h + 4);
	frag = pkt_get_be16(h + 6);
	out->ttl = h[8];
	out->proto = h[9];
	out->ip_ver = 4;
	addr_from_v4(&out->src, h + 12);
	addr_from_v4(&out->dst, h + 16);
	out->df = (frag & 0x4000) != 0;

	hlen = (uint32_t)(h[0] & 0x0f) * 4;
	if (hlen < 20 || hlen > len)
		return DEC_BAD_IP4;
	/*
	 * A zero total length comes from TCP segmentation offload on the
	 * capturing host (tcpdump print-ip.c does the same): use the frame.
	 */
	if (total != 0) {
		if (total < hlen)
			return DEC_BAD_IP4;
		wire = ip_min(wire, total);
	} else if (wire == DEC_WIRE_UNKNOWN)
		wire = len;
	/*
	 * Only the first fragment (offset 0, MF or not) has the L4 header.
	 * wire >= hlen here: wire >= len >= hlen and total >= hlen.
	 */
	if ((frag & 0x1fff) != 0)
		goto fragment;
	if ((frag & 0x2000) == 0) /* not fragmented: a tail call */
		return ip_transport(h + hlen, ip_min(len, wire) - hlen,
		    wire - hlen, out);
	st = ip_transport(h + hlen, ip_min(len, wire) - hlen, wire - hlen, out);
	if (ip_first_frag(st) != DEC_SKIP_FRAGMENT)
		return st;
fragment:
	return ip_fragment4(out, h, hlen, ip_min(len, wire) - hlen,
	    wire - hlen);
}

/*
 * IPv6 header (RFC 8200 3), 40 bytes:
 *   ver:4 class:8 flow:20 | payload length[2] | next header | hop limit |
 *   src[16] | dst[16], then extension headers (RFC 8200 4).
 */
static enum decode_status
ip_v6(const uint8_t *data, uint32_t len, uint32_t wire, struct decoded *out)
{
	const uint8_t *h;
	uint32_t l4wire;
	uint16_t plen;
	uint8_t nh;
	struct pkt p, pl;
	struct v6_frag f;
	enum decode_status st;

	pkt_init(&p, data, len);
	if ((h = pkt_take(&p, 40)) == NULL)
		return DEC_BAD_IP6;
	plen = pkt_get_be16(h + 4);
	nh = h[6];
	out->ttl = h[7];
	out->ip_ver = 6;
	out->tos = (uint8_t)(pkt_get_be32(h) >> 20);
	addr_from_v6(&out->src, h + 8);
	addr_from_v6(&out->dst, h + 24);
	out->proto = nh;

	/*
	 * Payload length 0: a jumbogram (RFC 2675) or offload; the rest of
	 * the frame is the payload.
	 */
	if (wire == DEC_WIRE_UNKNOWN)
		wire = plen != 0 ? 40 + (uint32_t)plen : len;
	wire -= 40;
	if (plen != 0)
		wire = ip_min(wire, plen);
	pl = pkt_sub(&p, wire);
	st = ip_v6_ext(&pl, &nh, &f);
	out->proto = nh;
	if (st != DEC_OK)
		return st;
	if ((f.word & 0xfff8) != 0)
		goto fragment;
	l4wire = wire - pkt_offset(&pl);
	st = ip_transport(pkt_cur(&pl), pkt_remaining(&pl), l4wire, out);
	if ((f.word & 1) == 0 || ip_first_frag(st) != DEC_SKIP_FRAGMENT)
		return st;
fragment:
	return ip_fragment(out, f.id, f.word & 0xfff8u, (f.word & 1) != 0,
	    f.next, pl.base + f.at, pl.len - f.at, wire - f.at);
}

/*
 * Walk IPv6 extension headers (RFC 8200 4.3-4.6, AH RFC 4302 2.2), leaving
 * the cursor on the upper-layer header and *nh naming it. Anything that is
 * not a walkable extension header ends the chain: upper layers, No Next
 * Header (59), ESP (50), Mobility (135, RFC 6275) and unknown values; the
 * caller treats those as other protocols. *f describes a fragment header
 * (f->word 0 without one); a non-zero offset stops the walk at the
 * fragment header's next header. Returns DEC_BAD_IP6_EXT when the chain is
 * truncated or longer than DEC_MAX_IP6_EXT headers.
 */
static enum decode_status
ip_v6_ext(struct pkt *p, uint8_t *nh, struct v6_frag *f)
{
	unsigned int n;
	uint8_t next, hlen;

	f->word = 0;
	for (n = 0;; n++) {
		switch (*nh) {
		case 0:  /* hop-by-hop options */
		case 43: /* routing */
		case 44: /* fragment */
		case 51: /* authentication header */
		case 60: /* destination options */
			break;
		default:
			return DEC_OK;
		}
		if (n == DEC_MAX_IP6_EXT)
			return DEC_BAD_IP6_EXT;
		next = pkt_u8(p);
		hlen = pkt_u8(p);
		if (*nh == 44) {
			/* nh res | offset:13 res:2 M:1 | id[4]; 8 bytes */
			f->word = pkt_be16(p);
			f->id = pkt_be32(p);
			f->next = next;
			f->at = pkt_offset(p);
			if (!p->bad && (f->word & 0xfff8) != 0) {
				*nh = next;
				return DEC_OK;
			}
		} else if (*nh == 51) {
			/* AH length counts 4-byte units minus 2 */
			pkt_skip(p, ((uint32_t)hlen + 2) * 4 - 2);
		} else {
			/* options and routing count 8-byte units minus 1 */
			pkt_skip(p, (uint32_t)hlen * 8 + 6);
		}
		if (p->bad)
			return DEC_BAD_IP6_EXT;
		*nh = next;
	}
}

/*
 * A first fragment (offset 0, more to come) whose transport header does
 * not fit in it -- nmap -f splits even the TCP header -- is a fragment,
 * not a malformed packet: without reassembly it cannot be decoded.
 */
static enum decode_status
ip_first_frag(enum decode_status st)
{
	if (st == DEC_BAD_TCP || st == DEC_BAD_UDP || st == DEC_BAD_ICMP)
		return DEC_SKIP_FRAGMENT;
	return st;
}

/* An IPv4 fragment: header h of hlen bytes, then len (wire) data bytes. */
static enum decode_status
ip_fragment4(struct decoded *out, const uint8_t *h, uint32_t hlen,
    uint32_t len, uint32_t wire)
{
	uint16_t frag = pkt_get_be16(h + 6);

	return ip_fragment(out, out->ip_id, (uint32_t)(frag & 0x1fff) * 8,
	    (frag & 0x2000) != 0, out->proto, h + hlen, len, wire);
}

/*
 * A fragment decode_datagram() may decode once defrag.h has the rest: its
 * data (`len` bytes captured at `data`, `wire` on the wire).
 */
static enum decode_status
ip_fragment(struct decoded *out, uint32_t id, uint32_t offset, bool more,
    uint8_t next, const uint8_t *data, uint32_t len, uint32_t wire)
{
	struct frag_info *f = &out->frag;

	f->data = data;
	f->len = len;
	f->wire_len = wire;
	f->offset = offset;
	f->id = id;
	f->next = next;
	f->more = more;
	return DEC_SKIP_FRAGMENT;
}

/*
 * The fragmentable part of a reassembled datagram: for IPv6 the extension
 * headers after the fragment header, then (either version) the transport.
 * A fragment header inside it is not walked again: one level only.
 */
enum decode_status
decode_datagram(const uint8_t *data, uint32_t len, uint32_t wire,
    uint8_t next, struct decoded *out)
{
	struct pkt p;
	struct v6_frag f;
	enum decode_status st;

	out->sport = out->dport = 0;
	memset(&out->tcp, 0, sizeof(out->tcp));
	out->udp_payload = 0;
	out->icmp_type = out->icmp_code = 0;
	out->icmp_error = false;
	memset(&out->q, 0, sizeof(out->q));	/* and frag, in its union */
	out->proto = next;
	if (len > wire)
		len = wire;
	if (out->ip_ver == 6) {
		pkt_init(&p, data, len);
		st = ip_v6_ext(&p, &out->proto, &f);
		if (st != DEC_OK)
			return st;
		if (f.word != 0) /* a fragment header inside a fragment */
			return DEC_BAD_IP6_EXT;
		return ip_transport(pkt_cur(&p), pkt_remaining(&p),
		    wire - pkt_offset(&p), out);
	}
	return ip_transport(data, len, wire, out);
}

/*
 * Hand TCP, UDP and the version's ICMP to decode-l4.c; ICMPv6 over IPv4
 * or ICMP over IPv6 is junk, like any other protocol here.
 */
static inline enum decode_status
ip_transport(const uint8_t *data, uint32_t len, uint32_t wire,
    struct decoded *out)
{
	/* decode_l4_wire() skips every protocol but these four itself. */
	if ((out->proto == 1 && out->ip_ver != 4) ||	/* ICMP */
	    (out->proto == 58 && out->ip_ver != 6))	/* ICMPv6 */
		return DEC_SKIP_OTHER_PROTO;
	return decode_l4_wire(data, len, wire, out);
}

/*
 * The packet an ICMP error quotes: often only the IP header and 8 bytes
 * (RFC 792), up to 576 (RFC 1812) or 1280 bytes (RFC 4443). Its length
 * fields describe the original packet, so they exceed the quote; they are
 * only used to cut a quote that carries more than the packet it names.
 */
void
decode_ip_quote(const uint8_t *data, uint32_t len, struct quoted *q)
{
	struct pkt p;
	uint8_t ver;

	memset(q, 0, sizeof(*q));
	pkt_init(&p, data, len);
	ver = pkt_peek_u8(&p) >> 4;
	if (p.bad)
		return;
	if (ver == 4)
		ip_quote_v4(&p, q);
	else if (ver == 6)
		ip_quote_v6(&p, q);
}

static void
ip_quote_v4(struct pkt *p, struct quoted *q)
{
	uint8_t src[4], dst[4], b0;
	uint16_t total, frag;
	uint32_t hlen, avail;
	struct pkt l4;

	b0 = pkt_u8(p);
	pkt_skip(p, 1);
	total = pkt_be16(p);
	q->ip_id = pkt_be16(p);
	frag = pkt_be16(p);
	q->ttl = pkt_u8(p);
	q->proto = pkt_u8(p);
	pkt_skip(p, 2);
	pkt_bytes(p, src, 4);
	pkt_bytes(p, dst, 4);
	hlen = (uint32_t)(b0 & 0x0f) * 4;
	if (p->bad || hlen < 20)
		return;
	pkt_skip(p, hlen - 20);
	if (p->bad)
		return;
	q->ip_ver = 4;
	addr_from_v4(&q->src, src);
	addr_from_v4(&q->dst, dst);
	q->valid = true;
	if ((frag & 0x1fff) != 0)
		return; /* later fragment: no transport header quoted */
	avail = pkt_remaining(p);
	if (total >= hlen && total - hlen < avail)
		avail = total - hlen;
	l4 = pkt_sub(p, avail);
	ip_quote_l4(&l4, q);
}

static void
ip_quote_v6(struct pkt *p, struct quoted *q)
{
	uint8_t src[16], dst[16], nh;
	uint16_t plen;
	struct pkt pl;
	struct v6_frag f;

	pkt_skip(p, 4);
	plen = pkt_be16(p);
	nh = pkt_u8(p);
	q->ttl = pkt_u8(p);
	pkt_bytes(p, src, 16);
	pkt_bytes(p, dst, 16);
	if (p->bad)
		return;
	q->ip_ver = 6;
	addr_from_v6(&q->src, src);
	addr_from_v6(&q->dst, dst);
	pl = pkt_sub(p, plen != 0 ? plen : pkt_remaining(p));
	/*
	 * A quote cut inside the extension chain names no transport
	 * protocol: the header is incomplete, so the quote is not valid.
	 */
	if (ip_v6_ext(&pl, &nh, &f) != DEC_OK)
		return;
	q->proto = nh;
	q->valid = true;
	if ((f.word & 0xfff8) == 0)
		ip_quote_l4(&pl, q);
}

/*
 * First transport bytes of the quote. Ports are the first 4 bytes of TCP,
 * UDP, DCCP, SCTP and UDP-Lite; the TCP sequence number follows them.
 */
static void
ip_quote_l4(struct pkt *p, struct quoted *q)
{
	uint32_t rem = pkt_remaining(p);

	q->l4_len = (uint16_t)ip_min(rem, UINT16_MAX);
	switch (q->proto) {
	case 6:
	case 17:
	case 33:
	case 132:
	case 136:
		if (rem < 4)
			break;
		q->sport = pkt_be16(p);
		q->dport = pkt_be16(p);
		q->has_ports = true;
		if (q->proto == 6 && rem >= 8) {
			q->seq = pkt_be32(p);
			q->has_seq = true;
		}
		break;
	case 1:
	case 58:
		if (rem >= 1)
			q->icmp_type = pkt_u8(p);
		break;
	default:
		break;
	}
}
