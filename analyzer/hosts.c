/*
 * hosts.c -- address interning: open addressing over indexes into a dense
 * array of addresses, linear probing, load kept under 1/2; in front of it a
 * small direct-mapped cache of recently interned indexes (a fixed 4 KiB).
 */
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "hosts.h"
#include "tunables.h"
#include "xmalloc.h"


struct hosts {
	struct addr *addrs;	/* addrs[i-1] for index i */
	uint32_t count, cap;	/* used / allocated entries of addrs */
	uint32_t *slots;	/* 0 = empty, else index */
	uint32_t nslots;	/* power of two */
	uint32_t max;
	struct budget *budget;	/* borrowed; NULL: not budgeted */
	uint32_t recent[TUN_HOSTS_RECENT]; /* recently interned indexes by
				   recent_slot() (0: none) */
};

static void hosts_rehash(struct hosts *h, uint32_t nslots);
static uint32_t addr_hash(const struct addr *a);
static uint32_t recent_slot(const struct addr *a);
static uint32_t *hosts_slot(const struct hosts *h, const struct addr *a);
static uint32_t lookup_table(struct hosts *h, const struct addr *a,
    uint32_t *r) __attribute__((noinline));

uint64_t
hosts_hash_bytes(const void *p, size_t n, uint64_t seed)
{
	const uint8_t *b = p;
	uint64_t x = 0xcbf29ce484222325ull ^ seed;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= b[i];
		x *= 0x100000001b3ull;
	}
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	return x;
}

struct hosts *
hosts_new(uint32_t max_hosts)
{
	struct hosts *h = xcalloc(1, sizeof(*h));

	h->max = max_hosts;
	h->nslots = 256;
	h->slots = xcalloc(h->nslots, sizeof(*h->slots));
	return h;
}

void
hosts_set_budget(struct hosts *h, struct budget *b)
{
	h->budget = b;
}

void
hosts_free(struct hosts *h)
{
	if (h == NULL)
		return;
	free(h->addrs);
	free(h->slots);
	free(h);
}

/* Two 64-bit words, multiply-xorshift: addresses are fixed-size. */
static uint32_t
addr_hash(const struct addr *a)
{
	uint64_t w[2], h;

	memcpy(w, a->b, 16);
	h = w[0] * 0x9e3779b97f4a7c15ull ^ w[1] * 0xc2b2ae3d27d4eb4full;
	h ^= h >> 32;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 29;
	return (uint32_t)h;
}

static uint32_t *
hosts_slot(const struct hosts *h, const struct addr *a)
{
	uint32_t mask = h->nslots - 1;
	uint32_t i = addr_hash(a) & mask;

	while (h->slots[i] != 0 && !addr_eq(&h->addrs[h->slots[i] - 1], a))
		i = (i + 1) & mask;
	return &h->slots[i];
}

static void
hosts_rehash(struct hosts *h, uint32_t nslots)
{
	uint32_t i;

	free(h->slots);
	h->nslots = nslots;
	h->slots = xcalloc(nslots, sizeof(*h->slots));
	for (i = 1; i <= h->count; i++)
		*hosts_slot(h, &h->addrs[i - 1]) = i;
}


/*
 * Cache slot of a: one multiply-shift of the address's low 64 bits (where
 * IPv4 addresses and IPv6 interface IDs differ).
 */
static uint32_t
recent_slot(const struct addr *a)
{
	uint64_t w;

	memcpy(&w, a->b + 8, 8);
	return (uint32_t)((w * 0x9e3779b97f4a7c15ull) >> 54) &
	    (TUN_HOSTS_RECENT - 1);
}

/*
 * A packet's addresses are mostly those of recent packets (scanners, the
 * hosts being scanned): a direct-mapped cache of recent indexes is asked
 * before the table. Indexes never change, so cached ones stay valid.
 */
uint32_t
hosts_intern(struct hosts *h, const struct addr *a)
{
	uint32_t *s, *r = &h->recent[recent_slot(a)];

	if (*r != 0 && addr_eq(&h->addrs[*r - 1], a))
		return *r;
	s = hosts_slot(h, a);
	if (*s != 0)
		return *r = *s;
	if (h->count >= h->max ||
	    !budget_take(h->budget, BU_HOSTS, TUN_COST_HOST))
		return 0;
	if (h->count == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->addrs = xreallocarray(h->addrs, h->cap, sizeof(*h->addrs));
	}
	h->addrs[h->count++] = *a;
	*r = h->count;
	if ((uint64_t)h->count * 2 > h->nslots) {
		hosts_rehash(h, h->nslots * 2);
		return h->count;
	}
	*s = h->count;
	return h->count;
}

uint32_t
hosts_find(const struct hosts *h, const struct addr *a)
{
	return *hosts_slot(h, a);
}

/* hosts_intern() of a known host: the same cache in front of the table. */
uint32_t
hosts_lookup(struct hosts *h, const struct addr *a)
{
	uint32_t *r = &h->recent[recent_slot(a)];

	if (*r != 0 && addr_eq(&h->addrs[*r - 1], a))
		return *r;
	return lookup_table(h, a, r);
}

/* hosts_lookup() past the cache (kept out of line: the hit is a leaf). */
static uint32_t
lookup_table(struct hosts *h, const struct addr *a, uint32_t *r)
{
	return *r = *hosts_slot(h, a);
}

uint32_t
hosts_intern_hint(struct hosts *h, const struct addr *a, uint32_t hint)
{
	if (hint != 0 && hint <= h->count &&
	    addr_eq(&h->addrs[hint - 1], a))
		return hint;
	return hosts_intern(h, a);
}

const struct addr *
hosts_addr(const struct hosts *h, uint32_t i)
{
	return &h->addrs[i - 1];
}

uint32_t
hosts_count(const struct hosts *h)
{
	return h->count;
}
