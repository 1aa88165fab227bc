/*
 * decode.h -- link, IPv4/IPv6, TCP, UDP, ICMP/ICMPv6 into one flat record.
 *
 * decode_packet() reads the bytes libpcap hands over (borrowed, never kept)
 * through the bounds-checked cursor of pkt.h and fills a caller-supplied
 * struct decoded: values only, no allocation, and no pointer into the
 * packet but that of an undecodable fragment (struct frag_info).
 * It never fails hard: the return value says how far decoding got and why it
 * stopped; callers count the statuses (decode_status_name() names them) and
 * use the packet only when it is DEC_OK.
 *
 * Addresses are 16-byte IPv4-mapped/IPv6 (addr.h). Lengths are clamped down
 * the layers: min(caplen, wire len), then the IP total/payload length, then
 * the UDP length. ICMP errors also decode the quoted IP header and the first
 * transport bytes of the packet they quote (often only 8).
 */
#ifndef PORTSLEUTH_DECODE_H
#define PORTSLEUTH_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

/* Why decoding stopped. DEC_OK and the DEC_SKIP_* values are not malformed. */
enum decode_status {
	DEC_OK = 0,
	DEC_SKIP_NOT_IP,	/* ARP, LLDP, other ethertypes */
	DEC_SKIP_FRAGMENT,	/* IP fragment without a whole transport
				   header (struct frag_info) */
	DEC_SKIP_OTHER_PROTO,	/* IP payload is not TCP/UDP/ICMP/ICMPv6 */
	DEC_BAD_LINK,		/* link header truncated or nonsensical */
	DEC_BAD_LINKTYPE,	/* link type not supported by the decoder */
	DEC_BAD_IP4,		/* IPv4 header truncated, IHL < 5, total < IHL */
	DEC_BAD_IP6,		/* IPv6 header truncated or payload length bad */
	DEC_BAD_IP6_EXT,	/* extension header chain truncated or too long */
	DEC_BAD_TCP,		/* TCP header truncated or data offset < 5 */
	DEC_BAD_UDP,		/* UDP header truncated or length < 8 */
	DEC_BAD_ICMP,		/* ICMP/ICMPv6 header truncated */
	DEC_STATUS_COUNT
};

/* TCP flag bits (RFC 793, RFC 3168). */
enum {
	TH_FIN = 0x01,
	TH_SYN = 0x02,
	TH_RST = 0x04,
	TH_PSH = 0x08,
	TH_ACK = 0x10,
	TH_URG = 0x20,
	TH_ECE = 0x40,
	TH_CWR = 0x80,
};

/* Most TCP options recorded in order (kinds), enough for every real SYN. */
#define DEC_MAX_TCPOPT 12

struct tcp_info {
	uint8_t flags;		/* TH_* bits */
	uint32_t seq, ack;
	uint16_t win;
	uint32_t payload;	/* payload bytes (clamped to what IP says) */
	uint8_t nopt;		/* options recorded in opt_kind */
	uint8_t opt_kind[DEC_MAX_TCPOPT]; /* option kinds in wire order */
	uint16_t mss;		/* MSS option value, 0 if absent */
	uint8_t wscale;		/* window scale shift, 0xff if absent */
	bool sack_ok;		/* SACK-permitted present */
	bool has_ts;		/* timestamps present */
	uint32_t tsval;
};

/* The packet an ICMP error quotes (RFC 792 / RFC 4443). */
struct quoted {
	bool valid;		/* quoted IP header complete */
	uint8_t ip_ver;		/* 4 or 6 */
	struct addr src, dst;
	uint8_t proto;		/* quoted transport protocol */
	uint8_t ttl;		/* quoted TTL / hop limit */
	uint16_t ip_id;		/* quoted IPv4 ID (0 for IPv6) */
	uint16_t l4_len;	/* transport bytes quoted (often 8) */
	bool has_ports;		/* >= 4 transport bytes: sport, dport */
	bool has_seq;		/* TCP with >= 8 bytes: seq */
	uint16_t sport, dport;
	uint32_t seq;		/* quoted TCP sequence number */
	uint8_t icmp_type;	/* when the quoted packet is ICMP itself */
};

/*
 * An IP fragment that could not be decoded on its own (DEC_SKIP_FRAGMENT):
 * a later fragment, or a first one too short for its transport header
 * (nmap -f). `data` is the one pointer in struct decoded: it points into
 * the frame given to decode_packet() and is valid only as long as that
 * frame is; defrag_add() copies what it needs at once.
 */
struct frag_info {
	const uint8_t *data;	/* the fragment's data, as captured */
	uint32_t len;		/* bytes captured at data */
	uint32_t wire_len;	/* the data's length on the wire */
	uint32_t offset;	/* bytes: where the data go in the datagram */
	uint32_t id;		/* IPv4 identification / IPv6 fragment ID */
	uint8_t next;		/* IPv4 protocol; IPv6 the fragment header's
				   next header (more extension headers may
				   follow it in the datagram) */
	bool more;		/* more fragments follow */
};

struct decoded {
	uint32_t caplen, wirelen;
	uint8_t ip_ver;		/* 4 or 6 */
	struct addr src, dst;
	uint8_t ttl;		/* TTL or hop limit */
	uint16_t ip_id;		/* IPv4 identification; IPv6: 0 */
	bool df;		/* IPv4 don't-fragment bit */
	uint8_t tos;		/* IPv4 TOS / IPv6 traffic class */
	uint16_t vlan;		/* outermost 802.1Q VID, 0 if untagged */
	uint8_t proto;		/* transport protocol (6, 17, 1, 58) */
	uint16_t sport, dport;	/* TCP/UDP ports; 0 for ICMP */
	struct tcp_info tcp;	/* valid when proto == 6 */
	uint32_t udp_payload;	/* valid when proto == 17 */
	uint8_t icmp_type, icmp_code; /* valid when proto == 1 or 58 */
	bool icmp_error;	/* ICMP error type carrying a quote */
	union {			/* a fragment quotes nothing it could decode */
		struct quoted q; /* valid when icmp_error && q.valid */
		struct frag_info frag; /* set only with DEC_SKIP_FRAGMENT */
	};
};

/*
 * Decode one frame of link type `dlt` (a DLT_* value as returned by
 * pcap_datalink()). `caplen` bytes are available at `data`; `wirelen` is the
 * original length. Fills *out (zeroed first) and returns a status.
 */
enum decode_status decode_packet(int dlt, const uint8_t *data, uint32_t caplen,
    uint32_t wirelen, struct decoded *out);

/*
 * The transport layer of a datagram put back together from its fragments
 * (defrag.h): `len` bytes of its fragmentable part at `data` (the part
 * after the IPv4 header, or after the IPv6 fragment header: starting with
 * header `next`), `wire` bytes long in all. *out holds the IP fields of its
 * fragments (as decode_packet() left them); the transport fields are
 * decoded afresh. Returns the status decode_packet() would have.
 */
enum decode_status decode_datagram(const uint8_t *data, uint32_t len,
    uint32_t wire, uint8_t next, struct decoded *out);

/* True when decode_packet() understands this link type. */
bool decode_link_supported(int dlt);

/* Short stable name of a status ("ip4-truncated", ...) for counters. */
const char *decode_status_name(enum decode_status st);

/* Internal stage entry points (one per file), exposed for unit tests. */
enum decode_status decode_ip(const uint8_t *data, uint32_t len,
    struct decoded *out);
enum decode_status decode_l4(const uint8_t *data, uint32_t len,
    struct decoded *out);

#endif
