/*
 * flow.h -- the pairing table: one entry per probe 5-tuple (prober address
 * and port, target address and port, protocol) while it waits for, or has
 * just had, its reply; also completed and mid-stream connections, so their
 * segments are not mistaken for probes.
 *
 * Entries live in a pool and keep their place while they live (removing
 * one moves no other); an index of power-of-two slots (linear probing,
 * backward-shift deletion) finds them, load capped at TUN_FLOW_LOAD_PCT.
 * The table starts at the capacity asked for and, when flow_set_growth()
 * allows, doubles when full up to a bound, paying the memory budget first
 * (budget.h, BU_FLOWS); otherwise an insert into a full table fails.
 * Keys are canonical (the lower address/port endpoint first) so a packet
 * finds its entry whichever way it travels; the entry remembers which side
 * probed.
 *
 * Expiry: each entry is filed in a timing wheel under a due time (capture
 * ns) its owner gives with flow_due(); flow_expire(now) visits the entries
 * filed under times before `now` (and perhaps a few later ones), so its
 * cost follows the entries that come due, not the table's size.
 *
 * Nothing here allocates per entry: the pool, index and wheel are made by
 * flow_new() and replaced only when the table doubles. Time is capture time.
 */
#ifndef PORTSLEUTH_FLOW_H
#define PORTSLEUTH_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

struct budget;

struct flow_key {
	struct addr lo, hi;	/* canonical order: (lo, plo) < (hi, phi) */
	uint16_t plo, phi;
	uint8_t proto;
};

enum flow_state {
	FL_PROBE = 1,		/* probe sent, waiting for a reply */
	FL_ANSWERED,		/* reply paired; kept to absorb duplicates */
	FL_SYNACK,		/* SYN answered by SYN-ACK: may become a conn */
	FL_CONN,		/* established or mid-stream: not a probe */
};

struct flow_entry {
	struct flow_key key;
	uint8_t used;		/* pool entry in use */
	uint8_t prober_lo;	/* the prober is key.lo */
	uint8_t state;		/* enum flow_state */
	uint8_t kind;		/* enum probe_kind */
	uint8_t flags;		/* TCP flags of the probe */
	uint8_t ttl;		/* probe TTL */
	uint8_t reply_ttl;	/* TTL of the target's first reply */
	uint8_t replied;	/* a reply was paired */
	uint8_t prober_data;	/* conn: the prober has sent payload */
	uint8_t logbits;	/* --emit-evidence bookkeeping (pair.c) */
	uint16_t tries;		/* tries on this 5-tuple */
	uint16_t wslot;		/* flow.c: wheel slot, FLOW_NO_SLOT unfiled */
	uint32_t seq, ack;	/* probe sequence / ack numbers */
	uint32_t payload;	/* probe payload bytes */
	uint32_t port_ev;	/* evidence record, EV_NONE until known */
	uint32_t hash;		/* flow.c: hash of key */
	uint32_t wnext, wprev;	/* flow.c: wheel slot list (pool indexes) */
	uint64_t first_ns;	/* first try */
	uint64_t last_ns;	/* last try (or last packet for conns) */
	uint64_t sync_ns;	/* --emit-evidence: last_ns a replay knows */
};

#define FLOW_NO_SLOT UINT16_MAX

struct flow_table;

/* slots: capacity, rounded up to a power of two (fixed until growth is set). */
struct flow_table *flow_new(uint32_t slots);
void flow_free(struct flow_table *t);

/*
 * Let a full table double, up to max_slots slots, each doubling first
 * taking its slots' cost (TUN_COST_FLOW_SLOT) from b (borrowed; NULL: no
 * budget). A doubling the budget cannot pay is not made (nothing refused
 * is counted: the table just stays full).
 */
void flow_set_growth(struct flow_table *t, uint32_t max_slots,
    struct budget *b);

/*
 * The wheel's resolution: one bucket per `step` ns, enough buckets to see
 * `span` ns ahead (later due times are visited early and filed again).
 * Only on an empty table.
 */
void flow_set_clock(struct flow_table *t, uint64_t step, uint64_t span);

/* Canonical key for a packet from (a, pa) to (b, pb). *a_is_lo tells which. */
void flow_key_make(struct flow_key *k, const struct addr *a, uint16_t pa,
    const struct addr *b, uint16_t pb, uint8_t proto, bool *a_is_lo);

struct flow_entry *flow_lookup(struct flow_table *t, const struct flow_key *k);

/*
 * The hash of k, and lookup and insert given it (a packet that looks its
 * key up and then inserts it hashes once; an insert right after a failed
 * lookup of the same hash, the table unchanged, reuses where it stopped).
 */
uint32_t flow_key_hash(const struct flow_key *k);
struct flow_entry *flow_lookup_hashed(struct flow_table *t,
    const struct flow_key *k, uint32_t h);
struct flow_entry *flow_insert_hashed(struct flow_table *t,
    const struct flow_key *k, uint32_t h);

/*
 * flow_key_make(), then the key's hash (returned) and flow_prefetch_slot()
 * of it: what a packet does first, in one call.
 */
uint32_t flow_key_ahead(const struct flow_table *t, struct flow_key *k,
    const struct addr *a, uint16_t pa, const struct addr *b, uint16_t pb,
    uint8_t proto, bool *a_is_lo);

/*
 * Cache hints for a lookup of hash h coming soon: its home index slot, and
 * (once that slot has had time to arrive) the entry the index files under
 * h. flow_prefetch_entry() is true when there is such an entry; it reads
 * only the index, and nothing changes.
 */
void flow_prefetch_slot(const struct flow_table *t, uint32_t h);
bool flow_prefetch_entry(const struct flow_table *t, uint32_t h);

/*
 * Insert a fresh zeroed entry for k (which must not be present), not yet
 * filed for expiry (flow_due); NULL when the table is full and may not
 * grow. May move the pool: other entry pointers are invalid after it.
 */
struct flow_entry *flow_insert(struct flow_table *t, const struct flow_key *k);

/* Remove an entry returned by lookup/insert (other entries stay put). */
void flow_remove(struct flow_table *t, struct flow_entry *e);

uint32_t flow_count(const struct flow_table *t);
/* Entries the table holds before it must grow or refuse. */
uint32_t flow_capacity(const struct flow_table *t);
/* Index slots now (what the budget paid for). */
uint32_t flow_slots(const struct flow_table *t);

/*
 * File e to be visited by the first flow_expire() whose `now` is past due
 * (refiling moves it; an earlier filing that still comes first is kept).
 */
void flow_due(struct flow_table *t, struct flow_entry *e, uint64_t due);

/*
 * Visit, in order of their buckets (filing order within one), at least
 * every entry filed under a due time before now; when fn returns true the
 * entry is removed. A visited entry is unfiled while fn runs: fn files it
 * again with flow_due() (if it does not, it is filed for the next bucket).
 */
typedef bool (*flow_visit_fn)(void *ctx, struct flow_entry *e);
void flow_expire(struct flow_table *t, uint64_t now, flow_visit_fn fn,
    void *ctx);

/* Visit every entry in pool order; remove those for which fn is true. */
void flow_walk(struct flow_table *t, flow_visit_fn fn, void *ctx);

/* Call fn on every entry (pool order), then empty the table (end of input). */
void flow_drain(struct flow_table *t, void (*fn)(void *ctx,
    struct flow_entry *e), void *ctx);

#endif
