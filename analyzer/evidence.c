/*
 * evidence.c -- the per-port evidence store and nmap's reply precedence.
 */
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "hosts.h"
#include "tunables.h"
#include "xmalloc.h"

struct evidence {
	struct port_ev *recs;	/* dense, index = id */
	uint32_t count, cap, max;
	uint32_t *slots;	/* tag | (id + 1), 0 = empty */
	uint32_t nslots;	/* power of two, load <= 1/2 */
	uint32_t idmask;	/* bits of a slot that hold id + 1; the others
				   hold hash bits, so probing past other keys
				   rarely touches their records */
	struct phase *phases;	/* log of the ports that changed state */
	size_t nphases, phases_cap;
};

static uint32_t *evidence_slot(const struct evidence *ev,
    const struct port_key *key);
static void evidence_rehash(struct evidence *ev, uint32_t nslots);
static uint64_t key_hash(const struct port_key *key);
static uint32_t slot_value(const struct evidence *ev,
    const struct port_key *key, uint32_t id);
static void evidence_close_round(struct evidence *ev, uint32_t id);
static void evidence_log_phase(struct evidence *ev, uint32_t id,
    uint8_t state, uint8_t reason, uint64_t ts);

struct evidence *
evidence_new(uint32_t max_records)
{
	struct evidence *ev = xcalloc(1, sizeof(*ev));

	ev->max = max_records;
	ev->idmask = UINT32_MAX;
	while (ev->idmask >> 1 >= max_records && ev->idmask > 1)
		ev->idmask >>= 1;
	ev->nslots = 1024;
	ev->slots = xcalloc(ev->nslots, sizeof(*ev->slots));
	return ev;
}

void
evidence_free(struct evidence *ev)
{
	if (ev == NULL)
		return;
	free(ev->recs);
	free(ev->slots);
	free(ev->phases);
	free(ev);
}

static bool
key_eq(const struct port_key *a, const struct port_key *b)
{
	return a->scanner == b->scanner && a->target == b->target &&
	    a->port == b->port && a->proto == b->proto && a->kind == b->kind;
}

static uint64_t
key_hash(const struct port_key *key)
{
	uint64_t h;

	h = (uint64_t)key->scanner * 0x9e3779b97f4a7c15ull;
	h ^= ((uint64_t)key->target << 32 | (uint64_t)key->port << 16 |
	    (uint64_t)key->proto << 8 | key->kind) * 0xc2b2ae3d27d4eb4full;
	h ^= h >> 31;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 29;
	return h;
}

/* What the index stores for record id: its hash tag and id + 1. */
static uint32_t
slot_value(const struct evidence *ev, const struct port_key *key, uint32_t id)
{
	return ((uint32_t)(key_hash(key) >> 32) & ~ev->idmask) | (id + 1);
}

static uint32_t *
evidence_slot(const struct evidence *ev, const struct port_key *key)
{
	uint32_t mask = ev->nslots - 1, tag, s;
	uint64_t h;
	uint32_t i;

	h = key_hash(key);
	i = (uint32_t)h & mask;
	tag = (uint32_t)(h >> 32) & ~ev->idmask;
	while ((s = ev->slots[i]) != 0 && ((s & ~ev->idmask) != tag ||
	    !key_eq(&ev->recs[(s & ev->idmask) - 1].key, key)))
		i = (i + 1) & mask;
	return &ev->slots[i];
}

static void
evidence_rehash(struct evidence *ev, uint32_t nslots)
{
	uint32_t i;

	free(ev->slots);
	ev->nslots = nslots;
	ev->slots = xcalloc(nslots, sizeof(*ev->slots));
	for (i = 0; i < ev->count; i++)
		*evidence_slot(ev, &ev->recs[i].key) = slot_value(ev,
		    &ev->recs[i].key, i);
}

uint32_t
evidence_find(const struct evidence *ev, const struct port_key *key)
{
	uint32_t s = *evidence_slot(ev, key);

	return s == 0 ? EV_NONE : (s & ev->idmask) - 1;
}

uint32_t
evidence_get(struct evidence *ev, const struct port_key *key)
{
	uint32_t *s = evidence_slot(ev, key);
	struct port_ev *r;

	if (*s != 0)
		return (*s & ev->idmask) - 1;
	if (ev->count >= ev->max)
		return EV_NONE;
	if (ev->count == ev->cap) {
		ev->cap = ev->cap ? ev->cap * 2 : 256;
		ev->recs = xreallocarray(ev->recs, ev->cap, sizeof(*r));
	}
	r = &ev->recs[ev->count];
	memset(r, 0, sizeof(*r));
	r->key = *key;
	r->rtt_us = UINT32_MAX;
	ev->count++;
	if ((uint64_t)ev->count * 2 > ev->nslots)
		evidence_rehash(ev, ev->nslots * 2);
	else
		*s = slot_value(ev, key, ev->count - 1);
	return ev->count - 1;
}

struct port_ev *
evidence_at(struct evidence *ev, uint32_t id)
{
	return &ev->recs[id];
}

const struct port_ev *
evidence_at_const(const struct evidence *ev, uint32_t id)
{
	return &ev->recs[id];
}

uint32_t
evidence_count(const struct evidence *ev)
{
	return ev->count;
}

static void
evidence_log_phase(struct evidence *ev, uint32_t id, uint8_t state,
    uint8_t reason, uint64_t ts)
{
	struct phase *p;

	if (ev->nphases >= TUN_MAX_PHASES)
		return;
	if (ev->nphases == ev->phases_cap) {
		ev->phases_cap = ev->phases_cap ? ev->phases_cap * 2 : 64;
		ev->phases = xreallocarray(ev->phases, ev->phases_cap,
		    sizeof(*ev->phases));
	}
	p = &ev->phases[ev->nphases++];
	p->id = id;
	p->state = state;
	p->reason = reason;
	p->ts_ns = ts;
}

/*
 * A round ended: count a change when its verdict differs from the last
 * round's. The phase log gets the old phase too on a port's first change.
 */
static void
evidence_close_round(struct evidence *ev, uint32_t id)
{
	struct port_ev *r = &ev->recs[id];

	if (r->prev_state == PS_UNKNOWN) {
		r->phase_ns = r->round_ns;
	} else if (r->state != r->prev_state) {
		if (r->changes == 0)
			evidence_log_phase(ev, id, r->prev_state,
			    r->prev_reason, r->phase_ns);
		evidence_log_phase(ev, id, r->state, r->reason, r->round_ns);
		r->changes++;
		r->phase_ns = r->round_ns;
	}
	r->prev_state = r->state;
	r->prev_reason = r->reason;
}

const struct phase *
evidence_phases(const struct evidence *ev, size_t *n)
{
	*n = ev->nphases;
	return ev->phases;
}

void
evidence_probe_start(struct evidence *ev, uint32_t id, uint64_t ts)
{
	struct port_ev *r = &ev->recs[id];

	if (r->round_done) {
		evidence_close_round(ev, id);
		r->round_done = 0;
		r->round_ns = 0;
		r->round_probes = 0;
	}
	if (r->round_ns == 0)
		r->round_ns = ts;
	r->round_probes++;
}

void
evidence_tries(struct evidence *ev, uint32_t id, uint32_t tries,
    uint64_t first_ns, uint64_t last_ns)
{
	struct port_ev *r = &ev->recs[id];

	r->tries += tries;
	if (r->first_ns == 0 || first_ns < r->first_ns)
		r->first_ns = first_ns;
	if (last_ns > r->last_ns)
		r->last_ns = last_ns;
}

/*
 * nmap scan_engine.cc ultrascan_port_pspec_update(), semantics.md 5.3.
 * "Silence means open" kinds are NULL/FIN/Xmas/Maimon/UDP.
 */
bool
evidence_takes(enum port_state cur, enum port_state next, enum probe_kind k)
{
	bool nrmo = probe_kind_silence_means_open(k);

	switch (cur) {
	case PS_UNKNOWN:
	case PS_OPEN_FILTERED:
	case PS_CLOSED_FILTERED:
		return true;
	case PS_OPEN:
		return nrmo;
	case PS_CLOSED:
		return !(nrmo || next == PS_FILTERED);
	case PS_FILTERED:
		return !(nrmo && next == PS_OPEN);
	case PS_UNFILTERED:
		return next == PS_OPEN || next == PS_CLOSED;
	default:
		return true;
	}
}

static void
evidence_set(struct port_ev *r, const struct label *l,
    const struct reply_facts *f)
{
	r->state = l->state;
	r->reason = l->reason;
	r->rank = l->rank;
	r->rule = l->rule;
	if (f == NULL) {
		r->reason_ttl = 0;
		r->reason_src = 0;
		r->rtt_us = UINT32_MAX;
		r->reply_kind = RK_NONE;
		return;
	}
	r->reason_ttl = f->ttl;
	r->reason_src = f->src;
	r->rtt_us = f->rtt_us;
	r->reply_kind = f->kind;
	r->icmp_type = f->icmp_type;
	r->icmp_code = f->icmp_code;
	r->reply_win = f->win;
	r->reply_ipid = f->ipid;
	r->reply_sig = f->sig;
	r->reply_nopt = f->nopt;
}

void
evidence_reply(struct evidence *ev, uint32_t id, const struct label *l,
    const struct reply_facts *f)
{
	struct port_ev *r = &ev->recs[id];
	bool answered_before = r->round_done && r->reason != RS_NO_RESPONSE;

	r->replies++;
	if (f->retry && f->kind != RK_ICMP && !answered_before &&
	    r->retry_answers < UINT16_MAX)
		r->retry_answers++;
	if (f->ts_ns > r->last_ns)
		r->last_ns = f->ts_ns;
	if (!answered_before ||
	    evidence_takes(r->state, l->state, r->key.kind))
		evidence_set(r, l, f);
	r->round_done = 1;
}

void
evidence_settle(struct evidence *ev, uint32_t id, const struct label *none)
{
	struct port_ev *r = &ev->recs[id];

	if (r->round_done)
		return;
	evidence_set(r, none, NULL);
	r->round_done = 1;
}

void
evidence_finish(struct evidence *ev)
{
	uint32_t i;

	for (i = 0; i < ev->count; i++)
		evidence_close_round(ev, i);
}
