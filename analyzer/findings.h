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

#include <stdbool.h>
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
	uint64_t start_ns;	/* first packet of the capture */
	/* Set by findings_host() for the host at hand: */
	const uint32_t *ids;	/* record ids, grouped by row */
	const uint32_t *row_first; /* row i: ids[row_first[i]..row_first[i+1]) */
	const uint32_t *best;	/* row i: the record that decided its verdict */
};

/* One target host's rows, in output order, with the records behind them. */
struct findings_host {
	struct port_row *rows;	/* n rows of one host; flags are added */
	size_t n;
	const uint32_t *ids;	/* as in findings_input */
	const uint32_t *row_first; /* n + 1 entries */
	const uint32_t *best;	/* n entries */
	bool *hidden;		/* n entries, set: rows a hide rule removes */
	const struct port_ev *recs; /* the records of ids, unpacked, or NULL
				   (then read when needed) */
};

/* Most records of one host worth unpacking at once (findings_host.recs). */
#define FINDINGS_RECS_MAX 65536u

/* Capture-wide pairing counters the capture scope reads. */
struct pair_counts {
	uint64_t unsolicited_synack;
	uint64_t unsolicited_rst;
	uint64_t icmp_errors;
};

/* Schema of a scope other than "reply" (static). */
const struct ev_schema *findings_schema(enum rule_scope s);

/*
 * Evaluating the rules runs in three steps, so rows can be built, judged
 * and dropped one host at a time: findings_new() (in is copied; its
 * evidence, hosts and tallies must outlive the run), findings_host() once
 * per target host in output order, then findings_end(), which adds the
 * findings about addresses that were never probed and the capture-wide
 * ones, sorts out->findings and frees the state. Findings are appended to
 * out (and counted in out->summary.findings_by_severity); the caller counts
 * the rows that are not hidden.
 */
struct fctx;
struct fctx *findings_new(const struct ruleset *rs,
    const struct findings_input *in, struct results *out);
void findings_host(struct fctx *f, const struct findings_host *h);
void findings_end(struct fctx *f, const struct pair_counts *pc);

#endif
