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
#define FUZZ_MAX_PORTS 4096u
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

/* Run every writer (text at both verbosities) and the findings CSV. */
void fuzz_write_all(const struct results *res);

#endif
