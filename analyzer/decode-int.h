/*
 * decode-int.h -- internals shared by decode-link.c, decode-ip.c and
 * decode-l4.c; not part of the decode.h contract.
 *
 * The stages pass two lengths down: `len`, the bytes captured from here on
 * (already clamped by every outer length field), and `wire`, the bytes the
 * packet had on the wire from here on (>= len). Header checks use `len`;
 * payload sizes use `wire`, so a snap length does not shrink a TCP payload
 * that seq/ack pairing needs. Nothing here allocates or keeps a pointer.
 */
#ifndef PORTSLEUTH_DECODE_INT_H
#define PORTSLEUTH_DECODE_INT_H

#include <stdint.h>

#include "decode.h"

/* Deepest 802.1Q/802.1ad tag stack accepted (QinQ is 2; real nets <= 3). */
#define DEC_MAX_VLAN 8
/* Deepest MPLS label stack popped before giving up (RFC 3032). */
#define DEC_MAX_MPLS 16
/* Most IPv6 extension headers walked: ends looping or garbage chains. */
#define DEC_MAX_IP6_EXT 16

/* Wire length when only the captured bytes are known: trust the headers. */
#define DEC_WIRE_UNKNOWN UINT32_MAX

/* IPv4 or IPv6 header, then transport (decode-ip.c). */
enum decode_status decode_ip_wire(
    const uint8_t *data, uint32_t len, uint32_t wire, struct decoded *out);

/*
 * The packet quoted by an ICMP/ICMPv6 error (decode-ip.c): IP header, IPv6
 * extension headers, first transport bytes. Truncation is normal and only
 * clears q->valid or the has_* flags; it never fails.
 */
void decode_ip_quote(const uint8_t *data, uint32_t len, struct quoted *q);

/* TCP, UDP, ICMP or ICMPv6 as out->proto says (decode-l4.c). */
enum decode_status decode_l4_wire(
    const uint8_t *data, uint32_t len, uint32_t wire, struct decoded *out);

#endif
