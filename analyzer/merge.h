/*
 * merge.h -- `portsleuth merge`: evidence files (evfile.h) in, one result
 * or one merged evidence file out.
 *
 * merge_report() replays the records of every file, in capture-time order,
 * through a fresh analyzer and builds its results into j->res as a run over
 * the original captures would have; merge_emit() writes the same records
 * to one new evidence file instead (a step of a reduce tree). Errors (a
 * missing, foreign or damaged file, different --timeout) are reported on
 * stderr naming the file and byte offset; the job's status says which
 * (JOB_NOINPUT: cannot open; JOB_BADDATA: not usable evidence). Nothing is
 * produced from damaged evidence.
 */
#ifndef PORTSLEUTH_MERGE_H
#define PORTSLEUTH_MERGE_H

#include <stddef.h>

#include "analyzer.h"
#include "batch.h"
#include "rules.h"

void merge_report(const char *const *paths, size_t n,
    const struct analyzer_opts *ao, const struct ruleset *rs, struct job *j);

/* 0; -1 when out cannot be created, -2 on a write error (printed). */
int merge_emit(const char *const *paths, size_t n, const char *out,
    struct job *j);

#endif
