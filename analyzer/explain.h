/*
 * explain.h -- --explain [HOST[:PORT]]: for each matching port, the probes
 * and replies behind its verdict (packet number, time, flags, TTL), the
 * rule that chose its state and the findings that concern it.
 *
 * The pairing stage records events only for ports the filter selects, in a
 * log bounded by TUN_EXPLAIN_EVENTS and, when the log has one, by a memory
 * budget (budget.h; older events are kept, the overflow is counted and
 * reported). Events name their evidence record; explain_print()
 * walks the result rows (a row_iter) and prints each one's records and events.
 */
#ifndef PORTSLEUTH_EXPLAIN_H
#define PORTSLEUTH_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"

struct budget;

struct explain_filter {
	bool all;		/* no HOST given: every port */
	struct addr host;
	bool has_port;
	uint16_t port;
};

enum explain_what {
	EX_PROBE = 0,		/* first try of a probe */
	EX_RETRY,		/* retransmission on the same 5-tuple */
	EX_REPLY,		/* TCP/UDP reply paired with the probe */
	EX_ICMP,		/* ICMP error paired through its quote */
	EX_TIMEOUT,		/* no reply within --timeout */
	EX_END,			/* still waiting when the input ended */
};

struct explain_event {
	uint32_t record;	/* evidence record */
	uint32_t input;		/* capture file index */
	uint64_t number;	/* packet number within that file, 0 none */
	uint64_t ts_ns;
	uint32_t src;		/* host index of the sender */
	uint16_t sport, dport;
	uint8_t what;		/* enum explain_what */
	uint8_t flags;		/* TCP flags */
	uint8_t ttl;
	uint8_t icmp_type, icmp_code;
};

struct explain_log {
	struct explain_filter filter;
	struct explain_event *ev;
	size_t n, cap;
	uint64_t dropped;	/* events past the bound */
	struct budget *budget;	/* pays for events (borrowed); NULL: none */
};

/* "HOST", "HOST:PORT", "[V6]:PORT" or NULL/"" for all; 0 or -1. */
int explain_parse(const char *arg, struct explain_filter *f);
bool explain_matches(const struct explain_filter *f, const struct addr *host,
    uint16_t port);
void explain_add(struct explain_log *log, const struct explain_event *e);
void explain_free(struct explain_log *log);

#endif
