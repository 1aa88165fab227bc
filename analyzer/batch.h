/*
 * batch.h -- running analyses: one job per capture set (all inputs merged
 * by time, or one job per file with --per-file), on N worker threads,
 * results handed back to the caller in job order so output does not depend
 * on the thread count. A progress line on stderr (when asked) shows files
 * done, bytes, packets per second and an ETA.
 *
 * Jobs are owned by the caller; each job's results are valid during the
 * done() callback and freed after it. The rule set is shared read-only.
 * At most `threads` jobs are running or waiting for delivery at a time
 * (a job starts only when it is among the next `threads` to deliver), so
 * with ao.max_memory set to --max-memory / threads the run stays within
 * --max-memory however the jobs' lengths differ.
 *
 * Formatting a report costs a good share of the analysis, so with a
 * render() callback a job that is not the next to deliver when its
 * analysis ends is formatted in its worker, into an unnamed temporary file
 * in $TMPDIR (else /tmp): done() (on the caller's thread, in job order)
 * then only copies job.report out. Reports waiting their turn are on disk,
 * not in memory, so --max-memory still bounds the run; the next job's is
 * formatted by done() at once (with one thread, every job's). When no temporary file can be made or written, job.report is NULL
 * and done() formats the report itself. render() must be thread-safe (the
 * writers are).
 */
#ifndef PORTSLEUTH_BATCH_H
#define PORTSLEUTH_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer.h"
#include "explain.h"
#include "results.h"
#include "rules.h"

enum job_status {
	JOB_OK = 0,
	JOB_PARTIAL,		/* an input was skipped, truncated or corrupt */
	JOB_NOINPUT,		/* no input of the job could be opened */
	JOB_BADDATA,		/* no input was a readable capture */
	JOB_BADFILTER,		/* the BPF filter does not compile */
};

struct job {
	const char *const *paths; /* borrowed */
	size_t npaths;
	const char *label;	/* per-file: the capture's path; else NULL */
	enum job_status status;
	char error[512];	/* JOB_BADFILTER: the message */
	struct results res;	/* valid during done() */
	struct analyzer *a;	/* when explaining: the job's analysis, owned
				   by res, valid during done() */
	struct ev_totals totals; /* with batch_opts.log: packet counters */
	FILE *report;		/* render()'s output, rewound, valid during
				   done(); NULL: done() formats it */
};

/* Format job j (index in the job list) into fp; 0 or -1. */
typedef int (*batch_render_fn)(void *ctx, const struct job *j, size_t index,
    FILE *fp);

struct batch_opts {
	struct analyzer_opts ao;
	const char *filter;
	unsigned threads;	/* >= 1 */
	bool progress;		/* draw a progress line on stderr */
	bool counters;		/* -v: log decode and pairing counters */
	struct explain_log *explain; /* one job only; NULL: off */
	uint64_t total_bytes;	/* for the ETA; 0 if unknown */
	struct evw *log;	/* --emit-evidence (one job only); NULL: off */
	batch_render_fn render;	/* NULL: done() formats the report itself */
	void *render_ctx;
};

typedef void (*batch_done_fn)(void *ctx, struct job *j, size_t index);

void batch_run(struct job *jobs, size_t n, const struct batch_opts *o,
    const struct ruleset *rs, batch_done_fn done, void *ctx);

#endif
