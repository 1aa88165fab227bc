/*
 * flow.c -- fixed-size open-addressing table of probe 5-tuples
 * (linear probing, backward-shift deletion: no tombstones to age).
 */
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "tunables.h"
#include "xmalloc.h"

struct flow_table {
	struct flow_entry *slots;
	uint64_t *occ;		/* bit i: slots[i].used, so sweeps skip empties */
	uint32_t *hashes;	/* hashes[i] = slots[i].hash: probing reads this
				   dense array, not the 96-byte entries */
	uint32_t mask;		/* nslots - 1 */
	uint32_t count;
	uint32_t limit;		/* max entries (load cap) */
	uint32_t cursor;	/* sweep position */
};

static uint32_t flow_hash(const struct flow_key *k);
static bool flow_key_eq(const struct flow_key *a, const struct flow_key *b);
static bool slot_used(const struct flow_table *t, uint32_t i);

struct flow_table *
flow_new(uint32_t slots)
{
	struct flow_table *t = xcalloc(1, sizeof(*t));
	uint32_t n = 16;

	while (n < slots && n < (1u << 30))
		n <<= 1;
	t->slots = xcalloc(n, sizeof(*t->slots));
	t->occ = xcalloc(n / 64 + 1, sizeof(*t->occ));
	t->hashes = xcalloc(n, sizeof(*t->hashes));
	t->mask = n - 1;
	t->limit = (uint32_t)((uint64_t)n * TUN_FLOW_LOAD_PCT / 100);
	return t;
}

void
flow_free(struct flow_table *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	free(t->occ);
	free(t->hashes);
	free(t);
}

void
flow_key_make(struct flow_key *k, const struct addr *a, uint16_t pa,
    const struct addr *b, uint16_t pb, uint8_t proto, bool *a_is_lo)
{
	int c = addr_cmp(a, b);
	bool lo = c < 0 || (c == 0 && pa <= pb);

	memset(k, 0, sizeof(*k));
	k->lo = lo ? *a : *b;
	k->hi = lo ? *b : *a;
	k->plo = lo ? pa : pb;
	k->phi = lo ? pb : pa;
	k->proto = proto;
	*a_is_lo = lo;
}

/*
 * Multiply-xorshift over the key's 64-bit words, then a full avalanche
 * (splitmix64's finalizer): every key bit reaches the low bits the slot
 * index uses, so probes that differ only in a port spread over the table.
 */
static uint32_t
flow_hash(const struct flow_key *k)
{
	uint64_t w[4], h;

	memcpy(w, k->lo.b, 16);
	memcpy(w + 2, k->hi.b, 16);
	h = w[0] * 0x9e3779b97f4a7c15ull ^ w[1] * 0xc2b2ae3d27d4eb4full ^
	    w[2] * 0x165667b19e3779f9ull ^ w[3] * 0xd6e8feb86659fd93ull ^
	    ((uint64_t)k->plo << 32 | (uint64_t)k->phi << 16 | k->proto);
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return (uint32_t)h;
}

static bool
flow_key_eq(const struct flow_key *a, const struct flow_key *b)
{
	return a->plo == b->plo && a->phi == b->phi && a->proto == b->proto &&
	    addr_eq(&a->lo, &b->lo) && addr_eq(&a->hi, &b->hi);
}

static bool
slot_used(const struct flow_table *t, uint32_t i)
{
	return t->occ[i >> 6] >> (i & 63) & 1;
}

struct flow_entry *
flow_lookup(struct flow_table *t, const struct flow_key *k)
{
	uint32_t h = flow_hash(k), i = h & t->mask;

	while (slot_used(t, i)) {
		if (t->hashes[i] == h && flow_key_eq(&t->slots[i].key, k))
			return &t->slots[i];
		i = (i + 1) & t->mask;
	}
	return NULL;
}

struct flow_entry *
flow_insert(struct flow_table *t, const struct flow_key *k)
{
	uint32_t i, h;
	struct flow_entry *e;

	if (t->count >= t->limit)
		return NULL;
	h = flow_hash(k);
	i = h & t->mask;
	while (slot_used(t, i))
		i = (i + 1) & t->mask;
	e = &t->slots[i];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->hash = h;
	e->used = 1;
	t->hashes[i] = h;
	t->occ[i >> 6] |= 1ull << (i & 63);
	t->count++;
	return e;
}

/* Backward-shift deletion (Knuth 6.4 algorithm R). */
void
flow_remove(struct flow_table *t, struct flow_entry *e)
{
	uint32_t i = (uint32_t)(e - t->slots), j = i, home;

	t->slots[i].used = 0;
	t->occ[i >> 6] &= ~(1ull << (i & 63));
	t->count--;
	for (;;) {
		j = (j + 1) & t->mask;
		if (!slot_used(t, j))
			return;
		home = t->hashes[j] & t->mask;
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t->slots[i] = t->slots[j];
		t->hashes[i] = t->hashes[j];
		t->occ[i >> 6] |= 1ull << (i & 63);
		t->slots[j].used = 0;
		t->occ[j >> 6] &= ~(1ull << (j & 63));
		i = j;
	}
}

uint32_t
flow_count(const struct flow_table *t)
{
	return t->count;
}

uint32_t
flow_capacity(const struct flow_table *t)
{
	return t->limit;
}

/*
 * Every slot counts against the budget, used or not, as one step of the
 * cursor; runs of empty slots are stepped over a bitmap word at a time
 * instead of touching the entries (a sweep reads the whole table).
 */
void
flow_sweep(struct flow_table *t, uint32_t budget, flow_visit_fn fn, void *ctx)
{
	uint32_t n, stop = budget < t->mask + 1 ? budget : t->mask + 1;

	/*
	 * Nothing to visit, and a full pass would leave the cursor where it
	 * is: skip the slots (a merge can replay one tick per 9 bytes).
	 */
	if (t->count == 0 && budget > t->mask)
		return;
	for (n = 0; n < stop;) {
		uint32_t c = t->cursor, skip;
		uint64_t w = t->occ[c >> 6] >> (c & 63);

		if ((w & 1) == 0) {
			skip = w == 0 ? 64 - (c & 63) :
			    (uint32_t)__builtin_ctzll(w);
			if (skip > stop - n)
				skip = stop - n;
			n += skip;
			t->cursor = (c + skip) & t->mask;
			continue;
		}
		n++;
		if (fn(ctx, &t->slots[c])) {
			flow_remove(t, &t->slots[c]);
			continue; /* the shifted-in entry sits at cursor now */
		}
		t->cursor = (c + 1) & t->mask;
	}
}

void
flow_drain(struct flow_table *t, void (*fn)(void *ctx, struct flow_entry *e),
    void *ctx)
{
	uint32_t i;

	for (i = 0; i <= t->mask; i++)
		if (t->slots[i].used) {
			fn(ctx, &t->slots[i]);
			t->slots[i].used = 0;
		}
	memset(t->occ, 0, ((t->mask + 1) / 64 + 1) * sizeof(*t->occ));
	t->count = 0;
}
