/*
 * decode-link.c -- link-layer headers in front of IP, and decode_packet().
 *
 * One table maps a DLT (pcap_datalink()) to a header decoder; each decoder
 * finds where the IP packet starts and hands the rest to decode-ip.c. The
 * common link types skip the table search and the call through a pointer
 * (decode_packet() switches on them), so their decoders inline. The
 * layouts follow the libpcap link-type registry (linktypes.html):
 * Ethernet II with IEEE 802.1Q / 802.1ad tags and MPLS (RFC 3032) label
 * stacks, Linux cooked v1/v2, raw IP, BSD null/loopback and Linux NFLOG.
 */
#include <string.h>

#include <pcap/dlt.h>

#include "decode.h"
#include "decode-int.h"
#include "pkt.h"

/* LINKTYPE_RAW, which <pcap/dlt.h> does not name, and header sizes. */
#define LINK_LINKTYPE_RAW 101 /* LINKTYPE_RAW as stored in files */
#define LINK_SLL_LEN      16  /* Linux cooked v1 header */
#define LINK_SLL2_LEN     20  /* Linux cooked v2 header */

/* What a link header says follows: a given IP version, or "look". */
enum link_ip_kind {
	LINK_IP_GUESS = 0,
	LINK_IP_V4 = 4,
	LINK_IP_V6 = 6,
};

typedef enum decode_status link_fn(struct pkt *, uint32_t, struct decoded *);

struct link_type {
	int dlt;
	link_fn *fn;
};

static const struct link_type *link_lookup(int dlt);
static inline enum decode_status link_ip(
    struct pkt *p, uint32_t wire, enum link_ip_kind kind, struct decoded *out);
static enum decode_status link_ethertype(
    struct pkt *p, uint16_t type, uint32_t wire, struct decoded *out);
static enum decode_status link_af(
    struct pkt *p, uint32_t af, uint32_t wire, struct decoded *out);
static enum decode_status link_ether(struct pkt *, uint32_t, struct decoded *);
static enum decode_status link_sll(struct pkt *, uint32_t, struct decoded *);
static enum decode_status link_sll2(struct pkt *, uint32_t, struct decoded *);
static enum decode_status link_raw(struct pkt *, uint32_t, struct decoded *);
static enum decode_status link_ipv4(struct pkt *, uint32_t, struct decoded *);
static enum decode_status link_ipv6(struct pkt *, uint32_t, struct decoded *);
static enum decode_status link_mpls(struct pkt *, uint32_t, struct decoded *);
static enum decode_status link_null(struct pkt *, uint32_t, struct decoded *);
static enum decode_status link_loop(struct pkt *, uint32_t, struct decoded *);
static enum decode_status link_nflog(struct pkt *, uint32_t, struct decoded *);

/*
 * First match wins. DLT_RAW is 12 or 14 depending on the OS and files may
 * carry LINKTYPE_RAW (101); on OpenBSD 12 is DLT_LOOP, which sits first.
 */
static const struct link_type link_types[] = {
	{ DLT_EN10MB, link_ether },
	{ DLT_LINUX_SLL, link_sll },
	{ DLT_LINUX_SLL2, link_sll2 },
	{ DLT_NULL, link_null },
	{ DLT_LOOP, link_loop },
	{ DLT_RAW, link_raw },
	{ 12, link_raw },
	{ 14, link_raw },
	{ LINK_LINKTYPE_RAW, link_raw },
	{ DLT_IPV4, link_ipv4 },
	{ DLT_IPV6, link_ipv6 },
	{ DLT_NFLOG, link_nflog },
};

static const char *const decode_status_names[DEC_STATUS_COUNT] = {
	[DEC_OK] = "ok",
	[DEC_SKIP_NOT_IP] = "skip-not-ip",
	[DEC_SKIP_FRAGMENT] = "skip-fragment",
	[DEC_SKIP_OTHER_PROTO] = "skip-other-proto",
	[DEC_BAD_LINK] = "bad-link",
	[DEC_BAD_LINKTYPE] = "bad-linktype",
	[DEC_BAD_IP4] = "bad-ip4",
	[DEC_BAD_IP6] = "bad-ip6",
	[DEC_BAD_IP6_EXT] = "bad-ip6-ext",
	[DEC_BAD_TCP] = "bad-tcp",
	[DEC_BAD_UDP] = "bad-udp",
	[DEC_BAD_ICMP] = "bad-icmp",
};

enum decode_status
decode_packet(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
    struct decoded *out)
{
	const struct link_type *lt;
	struct pkt p;
	uint32_t len;

	memset(out, 0, sizeof(*out));
	out->caplen = caplen;
	out->wirelen = wirelen;

	/* A record claiming more captured than wire bytes is cut back. */
	len = caplen < wirelen ? caplen : wirelen;
	if (data == NULL || len == 0)
		return DEC_BAD_LINK;
	pkt_init(&p, data, len);
	if (dlt == DLT_EN10MB)	/* the common case: no search, no pointer call */
		return link_ether(&p, wirelen, out);
	if ((lt = link_lookup(dlt)) == NULL)
		return DEC_BAD_LINKTYPE;
	return lt->fn(&p, wirelen, out);
}

bool
decode_link_supported(int dlt)
{
	return link_lookup(dlt) != NULL;
}

const char *
decode_status_name(enum decode_status st)
{
	if ((unsigned int)st >= DEC_STATUS_COUNT)
		return "unknown";
	return decode_status_names[st];
}

static const struct link_type *
link_lookup(int dlt)
{
	size_t i;

	for (i = 0; i < sizeof(link_types) / sizeof(link_types[0]); i++) {
		if (link_types[i].dlt == dlt)
			return &link_types[i];
	}
	return NULL;
}

/*
 * Hand the rest of the frame to the IP stage. `wire` counts the frame's
 * bytes on the wire from the cursor's start. A header that names the IP
 * version must agree with the version nibble (RFC 791 / RFC 8200).
 */
static inline enum decode_status
link_ip(
    struct pkt *p, uint32_t wire, enum link_ip_kind kind, struct decoded *out)
{
	const uint8_t *h;
	uint8_t ver;

	/* One byte checked here; the IP stage checks its header's length. */
	if (!pkt_need(p, 1)) {
		if (kind == LINK_IP_V4)
			return DEC_BAD_IP4;
		return kind == LINK_IP_V6 ? DEC_BAD_IP6 : DEC_BAD_LINK;
	}
	h = p->base + pkt_offset(p);
	ver = h[0] >> 4;
	if (kind == LINK_IP_V4 && ver != 4)
		return DEC_BAD_IP4;
	if (kind == LINK_IP_V6 && ver != 6)
		return DEC_BAD_IP6;
	if (ver != 4 && ver != 6)
		return DEC_SKIP_NOT_IP;
	return decode_ip_wire(h, pkt_remaining(p), wire - pkt_offset(p), out);
}

static enum decode_status
link_ipv4(struct pkt *p, uint32_t wire, struct decoded *out)
{
	return link_ip(p, wire, LINK_IP_V4, out);
}

static enum decode_status
link_ipv6(struct pkt *p, uint32_t wire, struct decoded *out)
{
	return link_ip(p, wire, LINK_IP_V6, out);
}

static enum decode_status
link_raw(struct pkt *p, uint32_t wire, struct decoded *out)
{
	return link_ip(p, wire, LINK_IP_GUESS, out);
}

/*
 * Ethertype dispatch, shared by Ethernet and Linux cooked captures. Tags
 * (IEEE 802.1Q 0x8100, 802.1ad 0x88a8, legacy QinQ 0x9100) are 2 bytes of
 * TCI (PCP:3 DEI:1 VID:12) then the next ethertype; only the outermost VID
 * is kept, the depth is bounded.
 */
static enum decode_status
link_ethertype(struct pkt *p, uint16_t type, uint32_t wire, struct decoded *out)
{
	const uint8_t *tag;
	unsigned int depth;

	for (depth = 0; type == 0x8100 || type == 0x88a8 || type == 0x9100;
	     depth++) {
		if (depth == DEC_MAX_VLAN)
			return DEC_BAD_LINK;
		if ((tag = pkt_take(p, 4)) == NULL)
			return DEC_BAD_LINK;
		type = pkt_get_be16(tag + 2);
		if (depth == 0)
			out->vlan = pkt_get_be16(tag) & 0x0fff;
	}
	/* Ethertypes that carry IP (IEEE 802.3 / IANA ethertype registry). */
	switch (type) {
	case 0x0800:
		return link_ip(p, wire, LINK_IP_V4, out);
	case 0x86dd:
		return link_ip(p, wire, LINK_IP_V6, out);
	case 0x8847: /* MPLS unicast (RFC 5332) */
	case 0x8848: /* MPLS multicast */
		return link_mpls(p, wire, out);
	default:
		return DEC_SKIP_NOT_IP; /* ARP, LLDP, 802.3 length + LLC, ... */
	}
}

/*
 * MPLS label stack entries (RFC 3032 2.1): label:20 TC:3 S:1 TTL:8. Pop to
 * the bottom of stack; no ethertype follows, so the payload is guessed from
 * the IP version nibble (RFC 4385 pseudowire control words start with 0).
 */
static enum decode_status
link_mpls(struct pkt *p, uint32_t wire, struct decoded *out)
{
	unsigned int n;
	uint32_t lse;

	for (n = 0; n < DEC_MAX_MPLS; n++) {
		lse = pkt_be32(p);
		if (p->bad)
			return DEC_BAD_LINK;
		if (lse & 0x100)
			return link_ip(p, wire, LINK_IP_GUESS, out);
	}
	return DEC_BAD_LINK;
}

/*
 * Ethernet II (IEEE 802.3): dst[6] src[6] type[2]. Untagged IP, the
 * common frame, goes straight to link_ip() as link_ethertype() would.
 */
static enum decode_status
link_ether(struct pkt *p, uint32_t wire, struct decoded *out)
{
	const uint8_t *h;
	uint16_t type;

	if ((h = pkt_take(p, 14)) == NULL)
		return DEC_BAD_LINK;
	type = pkt_get_be16(h + 12);
	if (type == 0x0800)
		return link_ip(p, wire, LINK_IP_V4, out);
	if (type == 0x86dd)
		return link_ip(p, wire, LINK_IP_V6, out);
	return link_ethertype(p, type, wire, out);
}

/*
 * Linux cooked v1 (LINKTYPE_LINUX_SLL): pkttype[2] hatype[2] halen[2]
 * addr[8] protocol[2]. The protocol is an ethertype for IP.
 */
static enum decode_status
link_sll(struct pkt *p, uint32_t wire, struct decoded *out)
{
	const uint8_t *h;

	if ((h = pkt_take(p, LINK_SLL_LEN)) == NULL)
		return DEC_BAD_LINK;
	return link_ethertype(p, pkt_get_be16(h + 14), wire, out);
}

/*
 * Linux cooked v2 (LINKTYPE_LINUX_SLL2): protocol[2] reserved[2]
 * ifindex[4] hatype[2] pkttype[1] halen[1] addr[8].
 */
static enum decode_status
link_sll2(struct pkt *p, uint32_t wire, struct decoded *out)
{
	const uint8_t *h;

	if ((h = pkt_take(p, LINK_SLL2_LEN)) == NULL)
		return DEC_BAD_LINK;
	return link_ethertype(p, pkt_get_be16(h), wire, out);
}

/*
 * BSD address family of a null/loop header. AF_INET is 2 everywhere;
 * AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (Darwin) or 10 (Linux).
 * A value above 16 bits was written in the other byte order: swap it.
 */
static enum decode_status
link_af(struct pkt *p, uint32_t af, uint32_t wire, struct decoded *out)
{
	if (af > 0xffff)
		af = (af >> 24) | ((af >> 8) & 0xff00) |
		    ((af << 8) & 0xff0000) | (af << 24);
	switch (af) {
	case 2:
		return link_ip(p, wire, LINK_IP_V4, out);
	case 10:
	case 24:
	case 28:
	case 30:
		return link_ip(p, wire, LINK_IP_V6, out);
	default:
		return DEC_SKIP_NOT_IP;
	}
}

/* DLT_NULL: 4-byte family in the capturing host's byte order. */
static enum decode_status
link_null(struct pkt *p, uint32_t wire, struct decoded *out)
{
	uint32_t af;

	af = pkt_le32(p);
	if (p->bad)
		return DEC_BAD_LINK;
	return link_af(p, af, wire, out);
}

/* DLT_LOOP (OpenBSD): the same family, in network byte order. */
static enum decode_status
link_loop(struct pkt *p, uint32_t wire, struct decoded *out)
{
	uint32_t af;

	af = pkt_be32(p);
	if (p->bad)
		return DEC_BAD_LINK;
	return link_af(p, af, wire, out);
}

/*
 * Linux NFLOG (LINKTYPE_NFLOG): family[1] version[1] resource_id[2], then
 * TLVs of length[2] type[2] value, each padded to 4 bytes. Length and type
 * are in host byte order (libpcap swaps them for files written on a host of
 * the other order). NFULA_PAYLOAD (9) holds the IP packet.
 */
static enum decode_status
link_nflog(struct pkt *p, uint32_t wire, struct decoded *out)
{
	enum link_ip_kind kind;
	struct pkt val;
	uint16_t tlen, ttype;
	uint32_t vwire, pad;
	uint8_t family;

	family = pkt_u8(p);
	pkt_skip(p, 3);
	if (p->bad)
		return DEC_BAD_LINK;
	if (family == 2)
		kind = LINK_IP_V4;
	else if (family == 10)
		kind = LINK_IP_V6;
	else
		return DEC_SKIP_NOT_IP;

	while (pkt_remaining(p) > 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		tlen = pkt_be16(p);
		ttype = pkt_be16(p);
#else
		tlen = pkt_le16(p);
		ttype = pkt_le16(p);
#endif
		if (p->bad || tlen < 4)
			return DEC_BAD_LINK;
		/* A snap length may cut the payload TLV: take what is there. */
		val = pkt_sub(p, (uint32_t)tlen - 4);
		if (ttype == 9) {
			vwire = wire - (pkt_offset(p) - val.len);
			if (vwire > (uint32_t)tlen - 4)
				vwire = (uint32_t)tlen - 4;
			return link_ip(&val, vwire, kind, out);
		}
		if (val.len < (uint32_t)tlen - 4)
			return DEC_BAD_LINK;
		pad = (4u - (tlen & 3u)) & 3u;
		if (pkt_remaining(p) < pad)
			break;
		pkt_skip(p, pad);
	}
	return DEC_SKIP_NOT_IP; /* no payload: a log-only record */
}
