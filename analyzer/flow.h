/*
 * flow.h -- the pairing table: one entry per probe 5-tuple (prober address
 * and port, target address and port, protocol) while it waits for, or has
 * just had, its reply; also completed and mid-stream connections, so their
 * segments are not mistaken for probes.
 *
 * Fixed capacity, allocated once: a power-of-two slot array with linear
 * probing and backward-shift deletion, load capped at TUN_FLOW_LOAD_PCT.
 * Keys are canonical (the lower address/port endpoint first) so a packet
 * finds its entry whichever way it travels; the entry remembers which side
 * probed. Nothing here allocates after flow_new(). Time is capture time.
 */
#ifndef PORTSLEUTH_FLOW_H
#define PORTSLEUTH_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

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
	uint32_t hash;		/* flow_hash(key), kept for cheap moves */
	uint8_t used;		/* slot in use */
	uint8_t prober_lo;	/* the prober is key.lo */
	uint8_t state;		/* enum flow_state */
	uint8_t kind;		/* enum probe_kind */
	uint8_t flags;		/* TCP flags of the probe */
	uint8_t ttl;		/* probe TTL */
	uint8_t reply_ttl;	/* TTL of the target's first reply */
	uint8_t prober_data;	/* conn: the prober has sent payload */
	uint8_t logbits;	/* --emit-evidence bookkeeping (pair.c) */
	uint16_t tries;		/* tries on this 5-tuple */
	uint32_t seq, ack;	/* probe sequence / ack numbers */
	uint32_t payload;	/* probe payload bytes */
	uint32_t port_ev;	/* evidence record, EV_NONE until known */
	uint64_t first_ns;	/* first try */
	uint64_t last_ns;	/* last try (or last packet for conns) */
	uint64_t reply_ns;	/* first paired reply */
	uint64_t sync_ns;	/* --emit-evidence: last_ns a replay knows */
};

struct flow_table;

/* slots: capacity, rounded up to a power of two. */
struct flow_table *flow_new(uint32_t slots);
void flow_free(struct flow_table *t);

/* Canonical key for a packet from (a, pa) to (b, pb). *a_is_lo tells which. */
void flow_key_make(struct flow_key *k, const struct addr *a, uint16_t pa,
    const struct addr *b, uint16_t pb, uint8_t proto, bool *a_is_lo);

struct flow_entry *flow_lookup(struct flow_table *t, const struct flow_key *k);

/*
 * Insert a fresh zeroed entry for k (which must not be present); NULL when
 * the table is at its load cap.
 */
struct flow_entry *flow_insert(struct flow_table *t, const struct flow_key *k);

/* Remove an entry returned by lookup/insert (invalidates pointers). */
void flow_remove(struct flow_table *t, struct flow_entry *e);

uint32_t flow_count(const struct flow_table *t);
uint32_t flow_capacity(const struct flow_table *t);

/*
 * Visit up to `budget` slots from an internal cursor (wrapping around),
 * calling fn on each entry; when fn returns true the entry is removed.
 * Removal by backward shift may move an entry into an already visited slot;
 * it is then seen on the next pass, which is harmless for expiry.
 */
typedef bool (*flow_visit_fn)(void *ctx, struct flow_entry *e);
void flow_sweep(struct flow_table *t, uint32_t budget, flow_visit_fn fn,
    void *ctx);

/* Call fn on every entry, then empty the table (end of input). */
void flow_drain(struct flow_table *t, void (*fn)(void *ctx,
    struct flow_entry *e), void *ctx);

#endif
