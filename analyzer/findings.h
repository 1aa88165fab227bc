/*
 * findings.h -- diagnosis: from port records to findings, through rules.
 *
 * After pairing, this stage computes the evidence of every scope -- per port
 * row (its verdicts, the deciding reply's TTL, hop distance, window, option
 * layout, ICMP type, state changes, half-open handshakes, resets after
 * data, traceroute hops), per host (ports per state, SYN-ACK signatures,
 * hop-distance baseline, ICMP error rate, unsolicited replies, floods), per
 * path (an ICMP error source and the target it speaks for) and per capture
 * -- and evaluates the rules of scopes port, host, path and capture.
 *
 * A port-scope rule that matches several rows of one host gives one finding
 * listing their ports, and marks those rows' verdicts (port_row.flags).
 * A rule whose outcome is "hide" removes the rows it matches (e.g. the
 * spoofed sources of a SYN flood). Schemas are static and borrowed by the
 * rule set. Memory: findings are owned by the results.
 */
#ifndef PORTSLEUTH_FINDINGS_H
#define PORTSLEUTH_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "evidence.h"
#include "hosts.h"
#include "results.h"
#include "rules.h"
#include "tally.h"

struct findings_input {
	const struct evidence *ev;
	const struct hosts *hosts;
	const struct tally *unsolicited; /* per destination host index */
	const struct tally *backscatter; /* stray SYN-ACKs per source */
	const uint32_t *ids;	/* record ids, grouped by row */
	const uint32_t *row_first; /* row i: ids[row_first[i]..row_first[i+1]) */
	const uint32_t *best;	/* row i: the record that decided its verdict */
	uint64_t start_ns;	/* first packet of the capture */
};

/* Capture-wide pairing counters the capture scope reads. */
struct pair_counts {
	uint64_t unsolicited_synack;
	uint64_t unsolicited_rst;
	uint64_t icmp_errors;
};

/* Schema of a scope other than "reply" (static). */
const struct ev_schema *findings_schema(enum rule_scope s);

/*
 * Evaluate the finding and hide rules over out->rows (built by the caller),
 * append findings to out, drop hidden rows, update the summary counters.
 */
void findings_run(const struct ruleset *rs, const struct findings_input *in,
    const struct pair_counts *pc, struct results *out);

#endif
