/*
 * tally.c -- per-key counters with distinct-partner counts (a hash set of
 * (key, partner) pairs, linear probing, load under 1/2).
 */
#include <stdlib.h>

#include "budget.h"
#include "tally.h"
#include "tunables.h"
#include "xmalloc.h"

struct row {
	uint32_t count, distinct;
};

struct tally {
	struct row *rows;	/* indexed by key */
	uint32_t nrows;
	uint32_t max_key;	/* largest key added */
	uint64_t *set;		/* (key << 32 | sub), 0 = empty */
	uint32_t nset, used, max;
	bool saturated;
	uint64_t dropped;	/* events not counted: no room for their key */
	struct budget *budget;	/* borrowed; NULL: not budgeted */
};

static void set_grow(struct tally *t);
static uint32_t set_slot(const struct tally *t, uint64_t v);
static bool rows_grow(struct tally *t, uint32_t key);

struct tally *
tally_new(uint32_t max_pairs)
{
	struct tally *t = xcalloc(1, sizeof(*t));

	t->max = max_pairs;
	t->nset = 256;
	t->set = xcalloc(t->nset, sizeof(*t->set));
	return t;
}

void
tally_free(struct tally *t)
{
	if (t == NULL)
		return;
	free(t->rows);
	free(t->set);
	free(t);
}

static uint32_t
slot_of(uint64_t v, uint32_t n)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdull;
	v ^= v >> 33;
	return (uint32_t)v & (n - 1);
}

/* The slot holding v, or the empty slot where it belongs. */
static uint32_t
set_slot(const struct tally *t, uint64_t v)
{
	uint32_t i = slot_of(v, t->nset);

	while (t->set[i] != 0 && t->set[i] != v)
		i = (i + 1) & (t->nset - 1);
	return i;
}

static void
set_grow(struct tally *t)
{
	uint64_t *old = t->set;
	uint32_t i, n = t->nset;

	t->nset *= 2;
	t->set = xcalloc(t->nset, sizeof(*t->set));
	for (i = 0; i < n; i++)
		if (old[i] != 0)
			t->set[set_slot(t, old[i])] = old[i];
	free(old);
}

/* Room for rows up to key; false when the budget refuses it. */
static bool
rows_grow(struct tally *t, uint32_t key)
{
	uint32_t n = t->nrows ? t->nrows : 64;

	if (key >= 1u << 31)
		return false;	/* more hosts than any table holds */
	while (n <= key)
		n *= 2;
	if (!budget_take(t->budget, BU_TALLIES,
	    (uint64_t)(n - t->nrows) * TUN_COST_TALLY_ROW))
		return false;
	t->rows = xreallocarray(t->rows, n, sizeof(*t->rows));
	for (; t->nrows < n; t->nrows++)
		t->rows[t->nrows].count = t->rows[t->nrows].distinct = 0;
	return true;
}

void
tally_add(struct tally *t, uint32_t key, uint32_t sub)
{
	uint64_t v = (uint64_t)key << 32 | sub;
	uint32_t i;

	if (key == 0)
		return;
	if (key >= t->nrows && !rows_grow(t, key)) {
		t->dropped++;
		return;
	}
	t->rows[key].count++;
	if (key > t->max_key)
		t->max_key = key;
	if (t->used >= t->max) {
		t->saturated = true;
		return;
	}
	i = set_slot(t, v);
	if (t->set[i] == v)
		return;
	if (!budget_take(t->budget, BU_TALLIES, TUN_COST_TALLY_PAIR)) {
		t->saturated = true;
		return;
	}
	if ((uint64_t)(t->used + 1) * 2 > t->nset) {
		set_grow(t);
		i = set_slot(t, v);
	}
	t->set[i] = v;
	t->used++;
	t->rows[key].distinct++;
}

uint32_t
tally_count(const struct tally *t, uint32_t key)
{
	return key < t->nrows ? t->rows[key].count : 0;
}

uint32_t
tally_distinct(const struct tally *t, uint32_t key)
{
	return key < t->nrows ? t->rows[key].distinct : 0;
}

uint32_t
tally_max_key(const struct tally *t)
{
	return t->max_key;
}

bool
tally_saturated(const struct tally *t)
{
	return t->saturated;
}

uint64_t
tally_dropped(const struct tally *t)
{
	return t->dropped;
}

void
tally_set_budget(struct tally *t, struct budget *b)
{
	t->budget = b;
}
