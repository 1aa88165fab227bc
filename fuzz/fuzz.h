/*
 * fuzz.h -- helpers shared by the libFuzzer harnesses (fuzz-*.c).
 *
 * The harnesses link against the analyzer sources, never against main.c.
 * Everything here runs once per process (LLVMFuzzerInitialize), so the
 * per-input paths stay allocation-light and deterministic.
 */
#ifndef PORTSLEUTH_FUZZ_H
#define PORTSLEUTH_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer.h"
#include "results.h"
#include "rules.h"

/* The libFuzzer entry points (declared for -Wmissing-prototypes). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small tables: hostile inputs must hit the limits, not the allocator. */
#define FUZZ_FLOW_SLOTS 1024u
#define FUZZ_MAX_PORTS  4096u
#define FUZZ_TIMEOUT_NS 10000000000ull

/* Quiet logging, PORTSLEUTH_RULES_DIR set (env, build dir or argv[0]). */
void fuzz_setup(const char *argv0);

/* The source tree's rules/ directory in use (after fuzz_setup). */
const char *fuzz_rules_dir(void);

/* A stream on /dev/null for the writers and rule_print(). */
FILE *fuzz_devnull(void);

/* Diagnostic callback that drops every message. */
void fuzz_diag_null(void *ctx, const char *msg);

/* The default rule set (rulebook_load), loaded once; aborts on errors. */
const struct ruleset *fuzz_default_rules(void);

/* analyzer_opts with the small fuzzing tables. */
void fuzz_analyzer_opts(struct analyzer_opts *o);

/*
 * Abort when the results break what results.h promises: rows in order
 * without duplicate keys, values in range, summary counters that add up.
 */
void fuzz_check_results(const struct results *res);

/* A capture held in memory: packets copied to buffers of exact size. */
struct fuzz_sample_pkt {
	uint8_t *data;
	uint32_t caplen, wirelen;
	uint64_t ts_ns;
};

struct fuzz_sample {
	char name[64];
	int dlt;
	size_t n;
	struct fuzz_sample_pkt *pkts;
};

/*
 * The sample captures of at most max_bytes each, in name order, from
 * $FUZZ_SAMPLES_DIR or FUZZ_SRCDIR/samples; loaded once (the first call's
 * max_bytes holds). *n gets their number.
 */
const struct fuzz_sample *fuzz_samples(size_t max_bytes, size_t *n);

/* Run one sample through a fresh analyzer using rs; results into *res. */
void fuzz_sample_run(
    const struct fuzz_sample *s, const struct ruleset *rs, struct results *res);

/*
 * A copy of the input followed by one NUL byte that ASan poisons: code
 * reading past the end is still reported, while libFuzzer's strcmp-family
 * hooks (not instrumented; they scan up to n bytes or a NUL whatever the
 * comparison needs) stop there instead of faulting on the next page.
 */
char *fuzz_copy_guarded(const uint8_t *data, size_t size);
void fuzz_free_guarded(char *buf, size_t size);

/* Check, then run every writer (text at two verbosities), findings CSV. */
void fuzz_write_all(const struct results *res);

#endif
