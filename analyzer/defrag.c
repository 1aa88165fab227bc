/*
 * defrag.c -- a fixed set-associative table of datagrams in pieces.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "defrag.h"
#include "tunables.h"
#include "xmalloc.h"

#define WAYS 4u
#define SETS (TUN_DEFRAG_SLOTS / WAYS)
#define UNITS (TUN_DEFRAG_HEAD / 8u) /* fragment offsets count 8 bytes */
#define TIMEOUT_NS ((uint64_t)TUN_DEFRAG_TIMEOUT_MS * 1000000u)

_Static_assert((SETS & (SETS - 1)) == 0, "sets: a power of two");
_Static_assert(UNITS <= 32, "one bit a unit of the head in a uint32_t");

struct dgram {
	struct decoded ip;	/* IP fields: the first fragment's, once seen */
	uint64_t first_ns;	/* when its first piece came */
	uint32_t end;		/* its length, once the last piece came */
	uint32_t have;		/* 8-byte units of the head present */
	uint8_t next;		/* the header its fragmentable part starts with */
	bool used, got_first, got_last;
	uint8_t head[TUN_DEFRAG_HEAD];
};

struct defrag {
	struct dgram slot[TUN_DEFRAG_SLOTS];
	uint64_t done, dropped;
};

struct defrag *
defrag_new(void)
{
	return xcalloc(1, sizeof(struct defrag));
}

void
defrag_free(struct defrag *t)
{
	free(t);
}

uint64_t
defrag_done(const struct defrag *t)
{
	return t->done;
}

uint64_t
defrag_dropped(const struct defrag *t)
{
	return t->dropped;
}

/* RFC 791: IPv4 fragments of a datagram share the protocol too. */
static bool
same(const struct dgram *g, const struct decoded *d)
{
	return g->ip.ip_ver == d->ip_ver && g->ip.frag.id == d->frag.id &&
	    addr_eq(&g->ip.src, &d->src) && addr_eq(&g->ip.dst, &d->dst) &&
	    (d->ip_ver == 6 || g->ip.proto == d->proto);
}

static uint32_t
set_of(const struct decoded *d)
{
	uint64_t h = d->frag.id * 0x9E3779B97F4A7C15ull, w;
	int i;

	for (i = 0; i < 16; i += 8) {
		memcpy(&w, d->src.b + i, 8);
		h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
		memcpy(&w, d->dst.b + i, 8);
		h = (h ^ w) * 0x94D049BB133111EBull;
	}
	return (uint32_t)(h >> 32) & (SETS - 1);
}

/* Way g starts afresh with fragment d, seen at ts_ns. */
static void
start(struct dgram *g, const struct decoded *d, uint64_t ts_ns)
{
	memset(g, 0, offsetof(struct dgram, head));
	g->used = true;
	g->ip = *d;
	g->first_ns = ts_ns;
}

/*
 * The datagram d belongs to: its own way, else a free one, else the
 * oldest (an expired one if any; counted as dropped).
 */
static struct dgram *
find(struct defrag *t, const struct decoded *d, uint64_t ts_ns)
{
	struct dgram *set = &t->slot[set_of(d) * WAYS], *g, *victim = NULL;
	unsigned i;

	for (i = 0; i < WAYS; i++)
		if (set[i].used && same(&set[i], d))
			return &set[i];
	for (i = 0; i < WAYS; i++) {
		g = &set[i];
		if (!g->used) {
			victim = g;
			break;
		}
		if (victim == NULL || g->first_ns < victim->first_ns)
			victim = g;
	}
	if (victim->used)
		t->dropped++;
	start(victim, d, ts_ns);
	return victim;
}

/* Copy what the head holds of fragment f and mark the units it fills. */
static void
store(struct dgram *g, const struct frag_info *f)
{
	uint32_t n, lim, u;

	if (f->offset >= TUN_DEFRAG_HEAD)
		return;
	n = f->len;
	if (n > TUN_DEFRAG_HEAD - f->offset)
		n = TUN_DEFRAG_HEAD - f->offset;
	memcpy(g->head + f->offset, f->data, n);
	lim = f->offset + n;
	/* A unit only part filled counts where the datagram or head ends. */
	if (lim % 8 != 0 && (lim == TUN_DEFRAG_HEAD ||
	    (!f->more && f->len == f->wire_len && n == f->len)))
		lim += 8 - lim % 8;
	for (u = f->offset / 8; u < lim / 8 && u < UNITS; u++)
		g->have |= 1u << u;
}

static bool
complete(const struct dgram *g)
{
	uint32_t need, units;

	if (!g->got_first || !g->got_last)
		return false;
	need = g->end < TUN_DEFRAG_HEAD ? g->end : TUN_DEFRAG_HEAD;
	units = (need + 7) / 8;
	return units >= 32 ? g->have == UINT32_MAX :
	    (g->have & ((1u << units) - 1)) == (1u << units) - 1;
}

enum decode_status
defrag_add(struct defrag *t, uint64_t ts_ns, struct decoded *d)
{
	const struct frag_info *f = &d->frag;
	struct dgram *g = find(t, d, ts_ns);

	if (ts_ns > g->first_ns && ts_ns - g->first_ns > TIMEOUT_NS) {
		t->dropped++;	/* the rest came too late: start again */
		start(g, d, ts_ns);
	}
	if (f->offset == 0) {
		g->ip = *d;
		g->next = f->next;
		g->got_first = true;
	}
	if (!f->more && !g->got_last) {
		g->end = f->offset + f->wire_len;
		g->got_last = true;
	}
	store(g, f);
	if (!complete(g))
		return DEC_SKIP_FRAGMENT;
	*d = g->ip;
	g->used = false;
	t->done++;
	return decode_datagram(g->head, g->end < TUN_DEFRAG_HEAD ? g->end :
	    TUN_DEFRAG_HEAD, g->end, g->next, d);
}
