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
 */
#ifndef PORTSLEUTH_EVIDENCE_H
#define PORTSLEUTH_EVIDENCE_H

#include <stdbool.h>
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

/* What one try's reply looked like (for the record's reason fields). */
struct reply_facts {
	uint8_t ttl;		/* reply TTL / hop limit */
	uint32_t src;		/* host index of the reply source */
	uint32_t rtt_us;
	uint64_t ts_ns;
};

struct port_ev {
	struct port_key key;	/* 12 bytes */
	uint64_t first_ns;	/* first try of any round */
	uint64_t last_ns;	/* last try or reply */
	uint64_t round_ns;	/* first try of the current round */
	uint32_t tries;		/* all tries, all rounds */
	uint32_t replies;	/* all paired replies */
	uint32_t reason_src;	/* host index of the deciding reply's source */
	uint32_t rtt_us;	/* RTT of the deciding reply, UINT32_MAX none */
	uint16_t rule;		/* rule that chose the state */
	uint16_t changes;	/* state changes between rounds */
	uint8_t state, reason, rank, reason_ttl;
	uint8_t prev_state;	/* verdict of the previous round */
	uint8_t round_done;	/* current round has its verdict */
	uint64_t change_ns;	/* start of the last round that changed state */
};

struct evidence;

struct evidence *evidence_new(uint32_t max_records);
void evidence_free(struct evidence *ev);

/* Record for key, created if new; EV_NONE when the cap is reached. */
uint32_t evidence_get(struct evidence *ev, const struct port_key *key);
/* Record for key or EV_NONE. */
uint32_t evidence_find(const struct evidence *ev, const struct port_key *key);
struct port_ev *evidence_at(struct evidence *ev, uint32_t id);
const struct port_ev *evidence_at_const(const struct evidence *ev,
    uint32_t id);
uint32_t evidence_count(const struct evidence *ev);

/*
 * A new probe (first try) is sent at ts: starts a new round when the current
 * one already has its verdict (a reply, or every try timed out).
 */
void evidence_probe_start(struct evidence *ev, uint32_t id, uint64_t ts);

/* Credit `tries` tries sent between first_ns and last_ns. */
void evidence_tries(struct evidence *ev, uint32_t id, uint32_t tries,
    uint64_t first_ns, uint64_t last_ns);

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

/* nmap's precedence: may `next` replace `cur` for a probe of kind k? */
bool evidence_takes(enum port_state cur, enum port_state next,
    enum probe_kind k);

#endif
