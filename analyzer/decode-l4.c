/*
 * decode-l4.c -- TCP (RFC 9293), UDP (RFC 768), ICMP (RFC 792) and ICMPv6
 * (RFC 4443) headers, including the TCP options a scan fingerprint needs
 * and the packet an ICMP error quotes.
 *
 * `len` is what was captured of the IP payload, `wire` what the IP header
 * says it holds (decode-int.h): a snap length may cut TCP options, which
 * are then walked as far as they go, but not the fixed headers.
 */
#include <stddef.h>

#include "decode.h"
#include "decode-int.h"
#include "pkt.h"

/*
 * ICMP error types and where their RFC 4884 "length of original datagram"
 * field sits (byte offset in the ICMP header, 0: the type has none) and
 * the unit it counts in.
 */
struct l4_icmp_error {
	uint8_t type;
	uint8_t len_off;
	uint8_t len_unit;
};

static enum decode_status l4_tcp(struct pkt *, uint32_t, struct decoded *);
static enum decode_status l4_udp(struct pkt *, uint32_t, struct decoded *);
static enum decode_status l4_icmp(struct pkt *p, struct decoded *out,
    const struct l4_icmp_error *errs, size_t nerrs);
static void l4_tcp_options(const uint8_t *o, uint32_t n, struct tcp_info *t);
static void l4_tcp_record(struct tcp_info *t, uint8_t kind);

/* RFC 792 errors; RFC 4884 5: byte 5 in 32-bit words for 3, 11, 12. */
static const struct l4_icmp_error l4_icmp4_errors[] = {
	{ 3, 5, 4 },  /* destination unreachable */
	{ 4, 0, 0 },  /* source quench (RFC 6633: deprecated) */
	{ 5, 0, 0 },  /* redirect: bytes 4-7 are the gateway */
	{ 11, 5, 4 }, /* time exceeded */
	{ 12, 5, 4 }, /* parameter problem: byte 4 is the pointer */
};

/* RFC 4443 errors; RFC 4884 5: byte 4 in 64-bit words for 1 and 3. */
static const struct l4_icmp_error l4_icmp6_errors[] = {
	{ 1, 4, 8 }, /* destination unreachable */
	{ 2, 0, 0 }, /* packet too big: bytes 4-7 are the MTU */
	{ 3, 4, 8 }, /* time exceeded */
	{ 4, 0, 0 }, /* parameter problem: bytes 4-7 are the pointer */
};

enum decode_status
decode_l4(const uint8_t *data, uint32_t len, struct decoded *out)
{
	return decode_l4_wire(data, len, len, out);
}

enum decode_status
decode_l4_wire(
    const uint8_t *data, uint32_t len, uint32_t wire, struct decoded *out)
{
	struct pkt p;

	pkt_init(&p, data, len);
	if (wire < len)
		wire = len;
	/* A switch, not a table of function pointers: the decoders inline. */
	switch (out->proto) {
	case 6:
		return l4_tcp(&p, wire, out);
	case 17:
		return l4_udp(&p, wire, out);
	case 1:
		return l4_icmp(&p, out, l4_icmp4_errors,
		    sizeof(l4_icmp4_errors) / sizeof(l4_icmp4_errors[0]));
	case 58:
		return l4_icmp(&p, out, l4_icmp6_errors,
		    sizeof(l4_icmp6_errors) / sizeof(l4_icmp6_errors[0]));
	default:
		return DEC_SKIP_OTHER_PROTO;
	}
}

/*
 * TCP header (RFC 9293 3.1), 20 bytes plus options:
 *   sport[2] dport[2] seq[4] ack[4] | offset:4 res:4 | flags | window[2] |
 *   checksum[2] urgent[2] | options[offset*4 - 20]
 */
static enum decode_status
l4_tcp(struct pkt *p, uint32_t wire, struct decoded *out)
{
	struct tcp_info *t = &out->tcp;
	const uint8_t *h;
	uint32_t hlen;

	t->wscale = 0xff;
	if ((h = pkt_take(p, 20)) == NULL)
		return DEC_BAD_TCP;
	out->sport = pkt_get_be16(h);
	out->dport = pkt_get_be16(h + 2);
	t->seq = pkt_get_be32(h + 4);
	t->ack = pkt_get_be32(h + 8);
	t->flags = h[13];
	t->win = pkt_get_be16(h + 14);
	hlen = (uint32_t)(h[12] >> 4) * 4;
	if (hlen < 20 || hlen > wire)
		return DEC_BAD_TCP;
	t->payload = wire - hlen;
	/* Options as far as they were captured (a snap length may cut them). */
	hlen -= 20;
	if (hlen > pkt_remaining(p))
		hlen = pkt_remaining(p);
	l4_tcp_options(pkt_cur(p), hlen, t);
	return DEC_OK;
}

/*
 * TCP options (RFC 9293 3.2): EOL (0) and NOP (1) are one byte, the rest
 * kind, length (covering kind and length), value. Walked only over the n
 * captured bytes of the options area at o; a length below 2 or past the
 * end stops the walk and keeps what was recorded. MSS (RFC 9293), window
 * scale and timestamps (RFC 7323), SACK-permitted (RFC 2018).
 */
static void
l4_tcp_options(const uint8_t *o, uint32_t n, struct tcp_info *t)
{
	uint32_t i = 0, olen;
	uint8_t kind;

	while (i < n) {
		kind = o[i++];
		if (kind == 0 || kind == 1) {
			l4_tcp_record(t, kind);
			if (kind == 0)
				return; /* EOL: the rest is padding */
			continue;
		}
		if (i == n)
			return;
		olen = o[i++];
		if (olen < 2 || olen - 2 > n - i)
			return;
		l4_tcp_record(t, kind);
		if (kind == 2 && olen == 4)
			t->mss = pkt_get_be16(o + i);
		else if (kind == 3 && olen == 3)
			t->wscale = o[i];
		else if (kind == 4 && olen == 2)
			t->sack_ok = true;
		else if (kind == 8 && olen == 10) {
			t->has_ts = true;
			t->tsval = pkt_get_be32(o + i);
		}
		i += olen - 2;
	}
}

static void
l4_tcp_record(struct tcp_info *t, uint8_t kind)
{
	if (t->nopt < DEC_MAX_TCPOPT)
		t->opt_kind[t->nopt++] = kind;
}

/*
 * UDP header (RFC 768): sport[2] dport[2] length[2] checksum[2]. The
 * length covers the header; the payload is cut to what IP carries.
 */
static enum decode_status
l4_udp(struct pkt *p, uint32_t wire, struct decoded *out)
{
	const uint8_t *h;
	uint16_t ulen;

	if ((h = pkt_take(p, 8)) == NULL)
		return DEC_BAD_UDP;
	out->sport = pkt_get_be16(h);
	out->dport = pkt_get_be16(h + 2);
	ulen = pkt_get_be16(h + 4);
	if (ulen < 8)
		return DEC_BAD_UDP;
	out->udp_payload = (ulen < wire ? ulen : wire) - 8;
	return DEC_OK;
}

/*
 * ICMP and ICMPv6 share the first 8 bytes: type, code, checksum[2] and 4
 * type-specific bytes; errors quote the offending packet after them. With
 * a non-zero RFC 4884 length the quote is exactly that long (padded) and
 * an extension structure follows (e.g. RFC 4950 MPLS labels): it is not
 * part of the quote.
 */
static enum decode_status
l4_icmp(struct pkt *p, struct decoded *out, const struct l4_icmp_error *errs,
    size_t nerrs)
{
	const struct l4_icmp_error *e = NULL;
	const uint8_t *h;
	uint32_t qlen, orig;
	size_t i;

	if ((h = pkt_take(p, 8)) == NULL)
		return DEC_BAD_ICMP;
	out->icmp_type = h[0];
	out->icmp_code = h[1];
	for (i = 0; i < nerrs; i++) {
		if (errs[i].type == out->icmp_type)
			e = &errs[i];
	}
	if (e == NULL)
		return DEC_OK;
	out->icmp_error = true;
	qlen = pkt_remaining(p);
	if (e->len_off != 0) {
		orig = (uint32_t)h[e->len_off] * e->len_unit;
		if (orig != 0 && orig < qlen)
			qlen = orig;
	}
	decode_ip_quote(pkt_cur(p), qlen, &out->q);
	return DEC_OK;
}
