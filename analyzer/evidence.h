/*
 * evidence.h -- per-(scanner, target, proto, port, probe kind) facts.
 *
 * One compact record per port and probe kind: tries, replies, the verdict of
 * the current round and what decided it, timings. A "round" is one attempt
 * to learn the port's state: tries that follow each other while unanswered
 * (retransmissions, nmap's retries). A probe sent after the round got its
 * answer starts a new round (a later scan, a new connection attempt); the
 * record keeps the latest round's verdict and counts state changes, so the
 * row shows the port's last known state.
 *
 * Within a round, replies combine with nmap's precedence
 * (ultrascan_port_pspec_update, semantics.md 5.3). Records live in one dense
 * array (index = record id) with an open-addressing index; the store grows
 * by doubling up to a cap and never shrinks. Hosts are interned indexes.
 * With a memory budget (budget.h), each new record and phase-log entry is
 * paid for first; one the budget refuses is not created (EV_NONE, or a
 * phase counted in evidence_phase_drops()).
 *
 * Memory: a record is stored packed in evidence_record_size() bytes (60):
 * times as 48-bit offsets, the verdict and the deciding reply's shape as
 * indexes into small tables of distinct values, counters in 16 bits; what
 * few ports have (state changes, half-open handshakes, resets after data,
 * traceroute hops, retry answers, large counts, times out of range) goes to
 * a side table. The index adds 4 bytes a slot at load 3/8 to 3/4. A struct
 * port_ev is the unpacked form of one record: evidence_at() returns the
 * store's single working copy, which stays valid, and is written back,
 * until another record is asked for; evidence_read() copies one out. The
 * updates below change the packed record in place when they can (no rare
 * field involved), so the pairing stage rarely unpacks.
 */
#ifndef PORTSLEUTH_EVIDENCE_H
#define PORTSLEUTH_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portstate.h"

#define EV_NONE UINT32_MAX	/* "no record" index */

struct port_key {
	uint32_t scanner;	/* host index of the prober */
	uint32_t target;	/* host index of the probed host */
	uint16_t port;
	uint8_t proto;		/* 6 or 17 */
	uint8_t kind;		/* enum probe_kind */
};

/* A verdict for one reply, as chosen by a rule. */
struct label {
	uint8_t state;		/* enum port_state */
	uint8_t reason;		/* enum reason */
	uint8_t rank;		/* conclusiveness across kinds */
	uint16_t rule;		/* index of the deciding rule */
};

/* What one reply looked like (kept for the deciding reply). */
struct reply_facts {
	uint8_t kind;		/* enum reply_kind */
	uint8_t ttl;		/* reply TTL / hop limit */
	uint8_t icmp_type, icmp_code; /* ICMP errors */
	uint8_t nopt;		/* TCP options in the reply */
	bool retry;		/* answered a retry, the first try went unanswered */
	uint16_t win;		/* TCP window */
	uint16_t ipid;		/* IPv4 ID */
	uint32_t sig;		/* TCP option layout hash (0: none) */
	uint32_t src;		/* host index of the reply source */
	uint32_t rtt_us;
	uint64_t ts_ns;
};

/* One record, unpacked (see above for how it is stored). */
struct port_ev {
	struct port_key key;	/* 12 bytes */
	uint32_t tries;		/* all tries, all rounds */
	uint64_t first_ns;	/* first try of any round */
	uint64_t last_ns;	/* last try or reply */
	uint64_t round_ns;	/* first try of the current round */
	uint64_t phase_ns;	/* first try of the current run of one state */
	uint32_t replies;	/* all paired replies */
	uint32_t reason_src;	/* host index of the deciding reply's source */
	uint32_t rtt_us;	/* RTT of the deciding reply, UINT32_MAX none */
	uint32_t reply_sig;	/* option layout hash of the deciding reply */
	uint16_t reply_win;	/* TCP window of the deciding reply */
	uint16_t reply_ipid;	/* IPv4 ID of the deciding reply */
	uint16_t rule;		/* rule that chose the state */
	uint16_t changes;	/* state changes between rounds */
	uint16_t halfopen;	/* SYN-ACKs the prober never acknowledged or reset */
	uint16_t retry_answers;	/* direct replies that only a retry drew */
	uint16_t round_probes;	/* distinct probes in the current round
				   (stored saturated at 255) */
	uint16_t after_data_rst; /* connections reset right after prober data */
	uint8_t state, reason, rank, reason_ttl;
	uint8_t reply_kind;	/* enum reply_kind of the deciding reply */
	uint8_t icmp_type, icmp_code; /* of the deciding reply if ICMP */
	uint8_t reply_nopt;	/* TCP options in the deciding reply */
	uint8_t prev_state;	/* verdict of the previous round */
	uint8_t prev_reason;
	uint8_t round_done;	/* current round has its verdict */
	uint8_t conn_ttl;	/* TTL of the target's own handshake reply */
	uint8_t reset_ttl;	/* TTL of the reset that followed prober data */
	uint8_t hop_ttl;	/* trace: highest probe TTL answered by a router */
	uint8_t silent_ttl;	/* trace: highest probe TTL left unanswered */
	uint32_t hop_src;	/* trace: that router (host index) */
};

/* A state a port showed from a time on (kept only for ports that change). */
struct phase {
	uint32_t id;		/* evidence record */
	uint8_t state, reason;
	uint64_t ts_ns;		/* first try of the phase */
};

struct evidence;
struct budget;

struct evidence *evidence_new(uint32_t max_records);
void evidence_free(struct evidence *ev);
/* Pay for records and phases from b (borrowed; NULL: no budget). */
void evidence_set_budget(struct evidence *ev, struct budget *b);

/* Record for key, created if new; EV_NONE at the cap or the budget's end. */
uint32_t evidence_get(struct evidence *ev, const struct port_key *key);
/*
 * A hint: evidence_get(key) will come soon (a cache prefetch of its index
 * slot). Returns the key's hash, for evidence_get_hashed().
 */
uint64_t evidence_prefetch_key(const struct evidence *ev,
    const struct port_key *key);
/* evidence_get() given h, evidence_prefetch_key()'s hash of key. */
uint32_t evidence_get_hashed(struct evidence *ev, const struct port_key *key,
    uint64_t h);
/* Record for key or EV_NONE (not after evidence_drop_index()). */
uint32_t evidence_find(const struct evidence *ev, const struct port_key *key);
/*
 * Free the key index once no more lookups will come (records stay); the
 * next evidence_get() rebuilds it.
 */
void evidence_drop_index(struct evidence *ev);
/*
 * Record id for reading and changing, valid until another record is asked
 * for (evidence_at, evidence_get, or any call naming another id).
 */
struct port_ev *evidence_at(struct evidence *ev, uint32_t id);
/* A copy of record id. */
void evidence_read(const struct evidence *ev, uint32_t id,
    struct port_ev *out);
/*
 * The fields of a record that make its output row (a port_row and its
 * kind_verdict): what evidence_row() reads, without a full unpack.
 */
struct ev_row {
	struct port_key key;
	uint32_t tries, replies;
	uint64_t first_ns, last_ns;
	uint32_t reason_src;
	uint32_t rtt_us;	/* UINT32_MAX: none */
	uint16_t rule;
	uint8_t state, reason, rank, reason_ttl;
};

/* Record id's row fields (as evidence_read() would give them). */
void evidence_row(const struct evidence *ev, uint32_t id,
    struct ev_row *out);
/* The row fields of an unpacked record. */
void evidence_row_of(const struct port_ev *r, struct ev_row *out);
/* The key of record id (valid until the next evidence_get()). */
const struct port_key *evidence_key(const struct evidence *ev, uint32_t id);
/*
 * Record id's target (host index, 1-based) when it is decided (has tries
 * and a verdict: it makes a row), else 0.
 */
uint32_t evidence_decided_target(const struct evidence *ev, uint32_t id);
/* A hint: record id will be read soon (a cache prefetch; no effect else). */
void evidence_prefetch(const struct evidence *ev, uint32_t id);
uint32_t evidence_count(const struct evidence *ev);
/* Bytes of one stored record (the side table and index not counted). */
size_t evidence_record_size(void);

/* Memory the store holds, for -v. */
struct evidence_mem {
	uint32_t records;	/* records stored */
	uint32_t rare;		/* of them with a side-table entry */
	size_t bytes;		/* records, index (its largest size), side
				   table and tables */
};
void evidence_mem(const struct evidence *ev, struct evidence_mem *m);

/*
 * A new probe (first try) is sent at ts: starts a new round when the current
 * one already has its verdict (a reply, or every try timed out).
 */
void evidence_probe_start(struct evidence *ev, uint32_t id, uint64_t ts);

/* Credit `tries` tries sent between first_ns and last_ns. */
void evidence_tries(struct evidence *ev, uint32_t id, uint32_t tries,
    uint64_t first_ns, uint64_t last_ns);

/*
 * Port facts the pairing stage notes (instead of writing struct port_ev
 * fields through evidence_at(), which unpacks the record):
 * a SYN-ACK the prober neither acknowledged nor reset; a TTL-limited probe
 * left unanswered (ttl); a router answering one (ttl, its host index); the
 * target side resetting a connection after the prober's data, with the TTL
 * of its handshake reply and of the reset.
 */
void evidence_halfopen(struct evidence *ev, uint32_t id);
void evidence_trace_silent(struct evidence *ev, uint32_t id, uint8_t ttl);
void evidence_trace_hop(struct evidence *ev, uint32_t id, uint8_t ttl,
    uint32_t src);
void evidence_reset_after_data(struct evidence *ev, uint32_t id,
    uint8_t conn_ttl, uint8_t reset_ttl);
/*
 * Would a reply now answer a retry? The flow entry made `tries` tries, the
 * last at last_ns; a retry is a try at least TUN_RETRY_GAP_MS after the
 * round began, on this entry or another probe of the round.
 */
bool evidence_answers_retry(struct evidence *ev, uint32_t id, uint32_t tries,
    uint64_t last_ns);

/* Apply a reply's label with nmap's precedence. */
void evidence_reply(struct evidence *ev, uint32_t id, const struct label *l,
    const struct reply_facts *f);

/*
 * A probe of the current round got no reply (timed out, or the capture
 * ended): the round takes the kind's no-response label unless a reply
 * already decided it.
 */
void evidence_settle(struct evidence *ev, uint32_t id, const struct label *none);

/* End of run: close every record's last round (counts state changes). */
void evidence_finish(struct evidence *ev);

/* The phase log (states of ports that changed), in order of record. */
const struct phase *evidence_phases(const struct evidence *ev, size_t *n);
/* State changes the phase log had no room for (TUN_MAX_PHASES, budget). */
uint64_t evidence_phase_drops(const struct evidence *ev);

/* nmap's precedence: may `next` replace `cur` for a probe of kind k? */
bool evidence_takes(enum port_state cur, enum port_state next,
    enum probe_kind k);

#endif
