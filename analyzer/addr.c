/*
 * addr.c -- 16-byte addresses (IPv4-mapped for IPv4).
 */
#include <arpa/inet.h>
#include <string.h>

#include "addr.h"

static const uint8_t v4_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0xff, 0xff };

bool
addr_is_v4(const struct addr *a)
{
	return memcmp(a->b, v4_prefix, sizeof(v4_prefix)) == 0;
}

int
addr_cmp(const struct addr *a, const struct addr *b)
{
	return memcmp(a->b, b->b, sizeof(a->b));
}

const char *
addr_str(const struct addr *a, char buf[ADDR_STRLEN])
{
	if (addr_is_v4(a))
		inet_ntop(AF_INET, a->b + 12, buf, ADDR_STRLEN);
	else
		inet_ntop(AF_INET6, a->b, buf, ADDR_STRLEN);
	return buf;
}

int
addr_parse(struct addr *a, const char *s)
{
	uint8_t buf[16];

	if (inet_pton(AF_INET, s, buf) == 1) {
		addr_from_v4(a, buf);
		return 0;
	}
	if (inet_pton(AF_INET6, s, buf) == 1) {
		addr_from_v6(a, buf);
		return 0;
	}
	return -1;
}
