/*
 * addr.h -- IP addresses as 16 bytes.
 *
 * IPv4 addresses are stored IPv4-mapped (::ffff:a.b.c.d, RFC 4291 2.5.5.2)
 * so every address has one size, compares with memcmp, and sorts IPv4
 * before IPv6. Pure value type: no allocation, no errors.
 */
#ifndef PORTSLEUTH_ADDR_H
#define PORTSLEUTH_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct addr {
	uint8_t b[16];
};

/* Longest text form plus NUL (INET6_ADDRSTRLEN). */
#define ADDR_STRLEN 46

bool addr_is_v4(const struct addr *a);
int addr_cmp(const struct addr *a, const struct addr *b);

/* From wire bytes: inline, as the decoder sets two a packet. */
static inline void
addr_from_v4(struct addr *a, const uint8_t v4[4])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };

	memcpy(a->b, prefix, sizeof(prefix));
	memcpy(a->b + 12, v4, 4);
}

static inline void
addr_from_v6(struct addr *a, const uint8_t v6[16])
{
	memcpy(a->b, v6, 16);
}

/* Equal addresses: inline, two 64-bit compares (hot in the hash tables). */
static inline bool
addr_eq(const struct addr *a, const struct addr *b)
{
	uint64_t x[2], y[2];

	memcpy(x, a->b, 16);
	memcpy(y, b->b, 16);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* Canonical text (dotted quad, or RFC 5952 compressed IPv6) into buf. */
const char *addr_str(const struct addr *a, char buf[ADDR_STRLEN]);
/* Parse text; returns 0 or -1. */
int addr_parse(struct addr *a, const char *s);

#endif
