/*
 * analyzer.h -- the pipeline behind one run: packets from the reader are
 * decoded, paired and turned into evidence; at the end the rules judge the
 * evidence and the results build sorted rows from it, one host at a time.
 *
 * reader -> decode -> pair (flow table) -> evidence -> rules -> results.
 * The analyzer owns its stages and borrows the rule set. Per packet it
 * allocates nothing; decode failures are counted by kind (analyzer_malformed)
 * and never stop the run. The tables that grow with the input are paid for
 * from a memory budget of o->max_memory bytes (budget.h): past it, new
 * ports, hosts and counts are dropped, counted in the summary, and the
 * results are marked partial.
 */
#ifndef PORTSLEUTH_ANALYZER_H
#define PORTSLEUTH_ANALYZER_H

#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "evfile.h"
#include "explain.h"
#include "reader.h"
#include "results.h"
#include "rules.h"

struct analyzer_opts {
	uint64_t timeout_ns;	/* --timeout */
	uint32_t flow_slots;	/* --max-flows; 0: derived from max_memory */
	uint32_t max_ports;	/* --max-ports */
	uint64_t max_memory;	/* this analysis' share of --max-memory
				   (budget.h); 0: no limit */
};

struct analyzer;

struct analyzer *analyzer_new(const struct analyzer_opts *o,
    const struct ruleset *rs);
void analyzer_free(struct analyzer *a);

/*
 * One packet. Pairing runs a few packets behind (TUN_PAIR_AHEAD, so that
 * it finds its table memory in cache); every call below that looks at the
 * pairing, analyzer_free() included, first pairs what is still waiting.
 */
void analyzer_packet(struct analyzer *a, const struct reader_packet *pkt);

/*
 * End of input: settle waiting probes, run the rules and fill *out (owned
 * by the caller, released with results_free()): summary and findings now,
 * rows on demand, one host at a time. The results take the analyzer over:
 * do not free it afterwards (results_free() does); it stays readable (e.g.
 * for analyzer_explain()) until then. `partial` marks input that could not
 * be read completely.
 */
void analyzer_finish(struct analyzer *a, bool partial, struct results *out);

/* --emit-evidence: log what a merge needs to `log` (borrowed). */
void analyzer_set_log(struct analyzer *a, struct evw *log);

/* The packet counters of the run so far (for an evidence file). */
void analyzer_totals(const struct analyzer *a, struct ev_totals *t);

/*
 * Merge: replay one evidence record; analyzer_add_totals() adds the packet
 * counters of the files replayed, in place of analyzer_packet()'s.
 */
void analyzer_replay(struct analyzer *a, const struct evrec *r);
void analyzer_add_totals(struct analyzer *a, const struct ev_totals *t);

/* Count of packets that stopped decoding with status st. */
uint64_t analyzer_decode_count(const struct analyzer *a,
    enum decode_status st);

/* --explain: record the events of the ports log->filter selects. */
void analyzer_set_explain(struct analyzer *a, struct explain_log *log);

/* --explain: print each selected row's records and events. */
void analyzer_explain(const struct analyzer *a, const struct results *res,
    const struct explain_log *log, FILE *fp);

/*
 * The pairing table size analyzer_new() starts with for o (--max-flows, or
 * derived: then it may grow, see tunables.h).
 */
uint32_t analyzer_flow_slots(const struct analyzer_opts *o);

/* -v diagnostics: decode and pairing counters, one line each. */
void analyzer_log_counters(struct analyzer *a);

#endif
