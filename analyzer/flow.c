/*
 * flow.c -- the pairing table: a pool of entries, an open-addressing index
 * over it (linear probing, backward-shift deletion: no tombstones to age)
 * and a timing wheel of circular lists that orders entries for expiry.
 */
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "flow.h"
#include "tunables.h"
#include "xmalloc.h"

#define FLOW_NIL UINT32_MAX	/* "no entry" pool index */
#define WHEEL_MAX (1u << 15)	/* most wheel slots (wslot is 16 bits) */

struct flow_table {
	struct flow_entry *pool; /* entries; an entry keeps its index */
	uint32_t pool_cap;	/* entries allocated (= limit) */
	uint32_t top;		/* pool[0, top) have been handed out */
	uint32_t free_head;	/* freed entries, linked through wnext */
	uint64_t *slots;	/* index: hash << 32 | (pool index + 1), 0 empty */
	uint32_t mask;		/* nslots - 1 */
	uint32_t count;
	uint32_t limit;		/* max entries (load cap) */
	uint32_t max_slots;	/* growth bound (the starting size: none) */
	struct budget *budget;	/* pays for growth (borrowed) */
	uint32_t *wheel;	/* per slot: first entry of a circular list */
	uint32_t wmask;		/* wheel slots - 1 */
	uint64_t step;		/* ns a bucket covers */
	uint64_t wpos;		/* first bucket flow_expire() has not emptied */
	uint32_t miss_slot;	/* the empty slot the last failed lookup */
	uint32_t miss_hash;	/* (of this hash) stopped at, valid while */
	bool miss_valid;	/* the index has not changed since */
};

static inline uint64_t be64(const uint8_t *b);
static inline uint32_t flow_hash(const struct flow_key *k);
static inline void key_make(struct flow_key *k, const struct addr *a,
    uint16_t pa, const struct addr *b, uint16_t pb, uint8_t proto,
    bool *a_is_lo);
static bool flow_key_eq(const struct flow_key *a, const struct flow_key *b);
static uint32_t slot_of(const struct flow_table *t, uint32_t idx,
    uint32_t h);
static inline void index_put(uint64_t *slots, uint32_t mask, uint32_t h,
    uint32_t idx);
static bool grow(struct flow_table *t);
static struct flow_entry *insert_full(struct flow_table *t,
    const struct flow_key *k, uint32_t h) __attribute__((noinline));
static inline struct flow_entry *insert_room(struct flow_table *t,
    const struct flow_key *k, uint32_t h);
static inline void wheel_link(struct flow_table *t, struct flow_entry *e,
    uint32_t s);
static inline void wheel_unlink(struct flow_table *t,
    struct flow_entry *e);
static void prefetch_entry(const struct flow_entry *e);

static uint32_t
load_cap(uint32_t nslots)
{
	return (uint32_t)((uint64_t)nslots * TUN_FLOW_LOAD_PCT / 100);
}

struct flow_table *
flow_new(uint32_t slots)
{
	struct flow_table *t = xcalloc(1, sizeof(*t));
	uint32_t n = 16;

	while (n < slots && n < (1u << 30))
		n <<= 1;
	t->slots = xcalloc(n, sizeof(*t->slots));
	t->mask = n - 1;
	t->limit = t->pool_cap = load_cap(n);
	t->max_slots = n;
	t->pool = xcalloc(t->pool_cap, sizeof(*t->pool));
	t->free_head = FLOW_NIL;
	flow_set_clock(t, 1, 1);
	return t;
}

void
flow_free(struct flow_table *t)
{
	if (t == NULL)
		return;
	free(t->pool);
	free(t->slots);
	free(t->wheel);
	free(t);
}

void
flow_set_growth(struct flow_table *t, uint32_t max_slots, struct budget *b)
{
	t->max_slots = max_slots > t->mask + 1 ? max_slots : t->mask + 1;
	t->budget = b;
}

void
flow_set_clock(struct flow_table *t, uint64_t step, uint64_t span)
{
	uint64_t want = span / (step ? step : 1) + 2;
	uint32_t n = 64, i;

	while (n < want && n < WHEEL_MAX)
		n <<= 1;
	free(t->wheel);
	t->wheel = xreallocarray(NULL, n, sizeof(*t->wheel));
	for (i = 0; i < n; i++)
		t->wheel[i] = FLOW_NIL;
	t->wmask = n - 1;
	t->step = step ? step : 1;
	t->wpos = 0;
}

/* 8 bytes as a big-endian number: words compare as memcmp() orders bytes. */
static inline uint64_t
be64(const uint8_t *b)
{
	return (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 |
	    (uint64_t)b[2] << 40 | (uint64_t)b[3] << 32 |
	    (uint64_t)b[4] << 24 | (uint64_t)b[5] << 16 |
	    (uint64_t)b[6] << 8 | b[7];
}

void
flow_key_make(struct flow_key *k, const struct addr *a, uint16_t pa,
    const struct addr *b, uint16_t pb, uint8_t proto, bool *a_is_lo)
{
	key_make(k, a, pa, b, pb, proto, a_is_lo);
}

/* The order is addr_cmp()'s (memcmp), then the port's. */
static inline void
key_make(struct flow_key *k, const struct addr *a, uint16_t pa,
    const struct addr *b, uint16_t pb, uint8_t proto, bool *a_is_lo)
{
	uint64_t a0 = be64(a->b), b0 = be64(b->b);
	uint64_t a1 = be64(a->b + 8), b1 = be64(b->b + 8);
	bool lo = a0 != b0 ? a0 < b0 : a1 != b1 ? a1 < b1 : pa <= pb;

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
static inline uint32_t
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

/* Index slot holding pool entry idx (hash h). */
static uint32_t
slot_of(const struct flow_table *t, uint32_t idx, uint32_t h)
{
	uint32_t i = h & t->mask;

	while ((uint32_t)t->slots[i] != idx + 1)
		i = (i + 1) & t->mask;
	return i;
}

static inline void
index_put(uint64_t *slots, uint32_t mask, uint32_t h, uint32_t idx)
{
	uint32_t i = h & mask;

	while (slots[i] != 0)
		i = (i + 1) & mask;
	slots[i] = (uint64_t)h << 32 | (idx + 1);
}

uint32_t
flow_key_hash(const struct flow_key *k)
{
	return flow_hash(k);
}

uint32_t
flow_key_ahead(const struct flow_table *t, struct flow_key *k,
    const struct addr *a, uint16_t pa, const struct addr *b, uint16_t pb,
    uint8_t proto, bool *a_is_lo)
{
	uint32_t h;

	key_make(k, a, pa, b, pb, proto, a_is_lo);
	h = flow_hash(k);
	__builtin_prefetch(&t->slots[h & t->mask]);
	return h;
}

struct flow_entry *
flow_lookup(struct flow_table *t, const struct flow_key *k)
{
	return flow_lookup_hashed(t, k, flow_hash(k));
}

struct flow_entry *
flow_lookup_hashed(struct flow_table *t, const struct flow_key *k, uint32_t h)
{
	uint32_t i = h & t->mask;
	uint64_t s;

	while ((s = t->slots[i]) != 0) {
		if ((uint32_t)(s >> 32) == h &&
		    flow_key_eq(&t->pool[(uint32_t)s - 1].key, k))
			return &t->pool[(uint32_t)s - 1];
		i = (i + 1) & t->mask;
	}
	/* An insert of this hash that follows goes to slot i. */
	t->miss_slot = i;
	t->miss_hash = h;
	t->miss_valid = true;
	return NULL;
}

/* Both cache lines an entry may span. */
static void
prefetch_entry(const struct flow_entry *e)
{
	__builtin_prefetch(e);
	__builtin_prefetch((const char *)e + sizeof(*e) - 1);
}

void
flow_prefetch_slot(const struct flow_table *t, uint32_t h)
{
	__builtin_prefetch(&t->slots[h & t->mask]);
}

bool
flow_prefetch_entry(const struct flow_table *t, uint32_t h)
{
	uint32_t i = h & t->mask;
	uint64_t s;

	while ((s = t->slots[i]) != 0) {
		if ((uint32_t)(s >> 32) == h) {
			prefetch_entry(&t->pool[(uint32_t)s - 1]);
			return true;
		}
		i = (i + 1) & t->mask;
	}
	return false;
}

/*
 * Double the index and the pool when growth is allowed and the budget
 * pays for the new slots. Pool indexes stay; only the index is rebuilt.
 */
static bool
grow(struct flow_table *t)
{
	uint32_t n = t->mask + 1, i;
	uint64_t *slots;

	if (n >= t->max_slots || n >= (1u << 30) ||
	    !budget_fits(t->budget, (uint64_t)n * TUN_COST_FLOW_SLOT))
		return false;
	budget_charge(t->budget, BU_FLOWS, (uint64_t)n * TUN_COST_FLOW_SLOT);
	slots = xcalloc((size_t)n * 2, sizeof(*slots));
	for (i = 0; i < n; i++)
		if (t->slots[i] != 0)
			index_put(slots, n * 2 - 1, (uint32_t)(t->slots[i] >> 32),
			    (uint32_t)t->slots[i] - 1);
	free(t->slots);
	t->slots = slots;
	t->miss_valid = false;
	t->mask = n * 2 - 1;
	t->limit = load_cap(n * 2);
	t->pool = xreallocarray(t->pool, t->limit, sizeof(*t->pool));
	memset(t->pool + t->pool_cap, 0,
	    (size_t)(t->limit - t->pool_cap) * sizeof(*t->pool));
	t->pool_cap = t->limit;
	return true;
}

struct flow_entry *
flow_insert(struct flow_table *t, const struct flow_key *k)
{
	return flow_insert_hashed(t, k, flow_hash(k));
}

struct flow_entry *
flow_insert_hashed(struct flow_table *t, const struct flow_key *k, uint32_t h)
{
	if (t->count >= t->limit)
		return insert_full(t, k, h);
	return insert_room(t, k, h);
}

/* A full table: grow first (the common insert stays a leaf). */
static struct flow_entry *
insert_full(struct flow_table *t, const struct flow_key *k, uint32_t h)
{
	return grow(t) ? insert_room(t, k, h) : NULL;
}

/* flow_insert_hashed() into a table with room. */
static inline struct flow_entry *
insert_room(struct flow_table *t, const struct flow_key *k, uint32_t h)
{
	uint32_t idx;
	struct flow_entry *e;

	if (t->free_head != FLOW_NIL) {
		idx = t->free_head;
		t->free_head = t->pool[idx].wnext;
		if (t->free_head != FLOW_NIL) /* the next insert's entry */
			prefetch_entry(&t->pool[t->free_head]);
	} else {
		idx = t->top++;
	}
	if (t->miss_valid && t->miss_hash == h)
		t->slots[t->miss_slot] = (uint64_t)h << 32 | (idx + 1);
	else
		index_put(t->slots, t->mask, h, idx);
	t->miss_valid = false;
	e = &t->pool[idx];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->hash = h;
	e->used = 1;
	e->wslot = FLOW_NO_SLOT;
	t->count++;
	return e;
}

/* Backward-shift deletion (Knuth 6.4 algorithm R) in the index. */
void
flow_remove(struct flow_table *t, struct flow_entry *e)
{
	uint32_t idx = (uint32_t)(e - t->pool);
	uint32_t i = slot_of(t, idx, e->hash), j = i, home;

	wheel_unlink(t, e);
	e->used = 0;
	e->wnext = t->free_head;
	t->free_head = idx;
	t->count--;
	t->miss_valid = false;
	t->slots[i] = 0;
	for (;;) {
		j = (j + 1) & t->mask;
		if (t->slots[j] == 0)
			return;
		home = (uint32_t)(t->slots[j] >> 32) & t->mask;
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		t->slots[i] = t->slots[j];
		t->slots[j] = 0;
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

uint32_t
flow_slots(const struct flow_table *t)
{
	return t->mask + 1;
}

/* --- the expiry wheel ---------------------------------------------------- */

/* Append e to wheel slot s (its circular list: head's wprev is the tail). */
static inline void
wheel_link(struct flow_table *t, struct flow_entry *e, uint32_t s)
{
	uint32_t idx = (uint32_t)(e - t->pool), head = t->wheel[s], tail;

	e->wslot = (uint16_t)s;
	if (head == FLOW_NIL) {
		t->wheel[s] = e->wnext = e->wprev = idx;
		return;
	}
	tail = t->pool[head].wprev;
	e->wnext = head;
	e->wprev = tail;
	t->pool[tail].wnext = idx;
	t->pool[head].wprev = idx;
}

static inline void
wheel_unlink(struct flow_table *t, struct flow_entry *e)
{
	uint32_t idx = (uint32_t)(e - t->pool), s = e->wslot;

	if (s == FLOW_NO_SLOT)
		return;
	e->wslot = FLOW_NO_SLOT;
	if (e->wnext == idx) {
		t->wheel[s] = FLOW_NIL;
		return;
	}
	t->pool[e->wprev].wnext = e->wnext;
	t->pool[e->wnext].wprev = e->wprev;
	if (t->wheel[s] == idx)
		t->wheel[s] = e->wnext;
}

/*
 * Bucket due / step, no earlier than the first one not yet emptied; its
 * wheel slot comes round no later than that bucket does.
 */
void
flow_due(struct flow_table *t, struct flow_entry *e, uint64_t due)
{
	uint64_t b = due / t->step;
	uint32_t s;

	if (b < t->wpos)
		b = t->wpos;
	s = (uint32_t)(b & t->wmask);
	if (e->wslot == s)
		return;
	wheel_unlink(t, e);
	wheel_link(t, e, s);
}

/*
 * Empty the buckets from wpos to the one holding now (at most the whole
 * wheel once): each slot's list is taken off first, so entries filed again
 * (possibly in the same slot) are not seen twice in one pass of a slot.
 * Entries still due later stay filed; the bucket of now is kept as wpos.
 */
void
flow_expire(struct flow_table *t, uint64_t now, flow_visit_fn fn, void *ctx)
{
	uint64_t target = now / t->step, n, k;
	uint32_t s, idx, last, next;
	struct flow_entry *e;
	const struct flow_entry *n1;

	if (target < t->wpos)
		return;
	n = target - t->wpos + 1;
	if (n > (uint64_t)t->wmask + 1)
		n = (uint64_t)t->wmask + 1;
	for (k = 0; k < n; k++) {
		s = (uint32_t)((t->wpos + k) & t->wmask);
		if ((idx = t->wheel[s]) == FLOW_NIL)
			continue;
		t->wheel[s] = FLOW_NIL;
		last = t->pool[idx].wprev;
		prefetch_entry(&t->pool[t->pool[idx].wnext]);
		for (;;) {
			e = &t->pool[idx];
			next = e->wnext;
			/*
			 * The sweep's entries lie all over the pool and each
			 * visit is short: the next one's entry came a visit
			 * ago; now ask for the index slot its removal will
			 * look at and the entry after it. (Written out here:
			 * gcc drops a call that only prefetches.)
			 */
			if (idx != last) {
				n1 = &t->pool[next];
				__builtin_prefetch(&t->slots[n1->hash &
				    t->mask]);
				prefetch_entry(&t->pool[n1->wnext]);
			}
			e->wslot = FLOW_NO_SLOT;
			if (fn(ctx, e))
				flow_remove(t, e);
			else if (e->wslot == FLOW_NO_SLOT)
				flow_due(t, e, (target + 1) * t->step);
			if (idx == last)
				break;
			idx = next;
		}
	}
	t->wpos = target;
}

void
flow_walk(struct flow_table *t, flow_visit_fn fn, void *ctx)
{
	uint32_t i;

	for (i = 0; i < t->top; i++)
		if (t->pool[i].used && fn(ctx, &t->pool[i]))
			flow_remove(t, &t->pool[i]);
}

void
flow_drain(struct flow_table *t, void (*fn)(void *ctx, struct flow_entry *e),
    void *ctx)
{
	uint32_t i;

	for (i = 0; i < t->top; i++)
		if (t->pool[i].used) {
			fn(ctx, &t->pool[i]);
			t->pool[i].used = 0;
		}
	memset(t->slots, 0, ((size_t)t->mask + 1) * sizeof(*t->slots));
	t->miss_valid = false;
	for (i = 0; i <= t->wmask; i++)
		t->wheel[i] = FLOW_NIL;
	t->top = 0;
	t->free_head = FLOW_NIL;
	t->count = 0;
}
