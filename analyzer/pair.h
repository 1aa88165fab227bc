/*
 * pair.h -- the pairing stage: decoded packets in, evidence records out.
 *
 * For each TCP/UDP packet it decides, per exchange, whether it opens contact
 * (a probe: SYN, NULL, FIN, Xmas, ACK, Maimon, other flag mixes, a UDP
 * datagram), repeats one (a retransmission on the same 5-tuple), answers one
 * (SYN-ACK, RST, bare SYN, UDP from the probed port, checked against RFC 793
 * sequence rules) or belongs to a connection. ICMP/ICMPv6 errors are paired
 * through the header they quote. Each answered or timed-out try becomes a
 * label (verdict.h) applied to the port's evidence record (evidence.h).
 *
 * Borrowed: the verdict, hosts and evidence objects (owned by the caller).
 * Owned: the flow table. No allocation per packet. Capture time is the clock.
 */
#ifndef PORTSLEUTH_PAIR_H
#define PORTSLEUTH_PAIR_H

#include <stdint.h>

#include "decode.h"
#include "evfile.h"
#include "evidence.h"
#include "explain.h"
#include "flow.h"
#include "hosts.h"
#include "tally.h"
#include "verdict.h"

struct pair_opts {
	uint64_t timeout_ns;	/* --timeout: reply window after the last try */
	uint64_t idle_ns;	/* connection idle expiry */
	uint32_t flow_slots;	/* pairing table slots to start with */
	uint32_t flow_max_slots; /* it may double up to this (0: no growth) */
	struct budget *budget;	/* pays for the tallies; NULL: none */
};

struct pair_stats {
	uint64_t probes;	/* tries (first sends and retransmissions) */
	uint64_t retransmits;	/* tries after the first on a 5-tuple */
	uint64_t paired;	/* replies paired with a probe */
	uint64_t dup_replies;	/* repeated replies to an answered probe */
	uint64_t unsolicited_synack; /* SYN-ACKs matching no probe */
	uint64_t unsolicited_rst; /* RSTs matching no probe */
	uint64_t unsolicited_udp; /* UDP that looks like a reply to nothing */
	uint64_t seq_mismatch;	/* replies on a probe's 5-tuple failing RFC 793 */
	uint64_t late;		/* replies after the timeout */
	uint64_t icmp_errors;	/* ICMP/ICMPv6 errors seen */
	uint64_t unmatched_icmp; /* ICMP errors quoting no known probe */
	uint64_t nat_matched;	/* ICMP errors whose quote names a rewritten
				   destination (NAT, anonymised capture) */
	uint64_t ignored_replies; /* replies no rule labels (e.g. ICMP 3/4) */
	uint64_t midstream;	/* connections picked up mid-stream */
	uint64_t table_drops;	/* probes dropped: pairing table full */
	uint64_t squeezes;	/* early expiry sweeps of a full table */
	uint64_t record_drops;	/* probes dropped: --max-ports or memory */
	uint64_t timed_out;	/* probes unanswered within the timeout */
	uint64_t pending_at_end; /* probes still waiting when input ended */
	uint64_t uncounted;	/* unsolicited replies whose hosts found no
				   room (host cap or memory budget) */
};

struct pairing;

struct pairing *pair_new(const struct pair_opts *o, struct verdict *v,
    struct hosts *h, struct evidence *ev);
void pair_free(struct pairing *p);

/* Record --explain events of the ports log->filter selects (borrowed). */
void pair_set_explain(struct pairing *p, struct explain_log *log);

/*
 * --emit-evidence: write what a replay needs to `log` (borrowed): the
 * packets that can change pairing state, keepalives, clock ticks.
 */
void pair_set_log(struct pairing *p, struct evw *log);

/*
 * Merge: one record of an evidence file. A packet record is tracked as
 * pair_packet() would, except that expiry runs only on tick records.
 */
void pair_replay(struct pairing *p, const struct evrec *r);

/* One decoded packet (DEC_OK) captured at ts_ns. */
void pair_packet(struct pairing *p, const struct decoded *d, uint64_t ts_ns);

/*
 * What pair_packet() works out first for a packet, done a few packets
 * before it (analyzer.c keeps the queue) so that the table memory it will
 * touch is in cache by then: pair_ahead() when the packet is decoded (its
 * flow key, and a prefetch of the key's index slot), pair_ahead_more() a
 * packet later (a prefetch of the entry, or for a packet that will open a
 * probe, of its hosts' port record slot). Only values that cannot go stale:
 * the key and its hash, and host indexes, which never change.
 */
struct pair_ahead {
	struct flow_key key;	/* the flow key the packet looks up */
	uint32_t hash;		/* flow_key_hash(&key) */
	bool keyed;		/* key is set (TCP, UDP, ICMP error quoting
				   ports) */
	bool src_is_lo;		/* flow_key_make()'s a_is_lo for the key */
	uint32_t scanner;	/* index of the source host, 0: not known */
	uint32_t target;	/* index of the destination host, 0: not known */
	uint8_t kind;		/* with both: the probe kind it would open */
	uint64_t ev_hash;	/* and the hash of that port record's key */
	uint32_t input;		/* where the packet comes from (--explain): */
	uint64_t number;	/* set by the caller after pair_ahead() */
};

void pair_ahead(struct pairing *p, const struct decoded *d,
    struct pair_ahead *a);
void pair_ahead_more(struct pairing *p, const struct decoded *d,
    struct pair_ahead *a);
/* pair_packet() given the packet's pair_ahead() (and perhaps _more()). */
void pair_packet_ahead(struct pairing *p, const struct decoded *d,
    uint64_t ts_ns, const struct pair_ahead *a);

/* End of input: every waiting probe becomes a no-response. */
void pair_finish(struct pairing *p);

/*
 * After pair_finish(): free the pending-probe table, which nothing needs
 * any more; the counters and tallies stay readable. No packet may follow.
 */
void pair_drop_table(struct pairing *p);

const struct pair_stats *pair_stats(const struct pairing *p);

/*
 * Replies that matched no probe, per destination host index: SYN-ACKs and
 * RSTs (count, distinct sources). Backscatter of spoofed floods shows here.
 */
const struct tally *pair_unsolicited(const struct pairing *p);
/* The same SYN-ACKs per source (distinct destinations). */
const struct tally *pair_backscatter(const struct pairing *p);

#endif
