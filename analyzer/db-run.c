/*
 * db-run.c -- --db around a batch: identify the inputs, skip the stored
 * ones, analyse the rest, store each job's results in one run.
 *
 * The write lock is taken before the inputs are looked up, so two runs
 * given the same new capture cannot both store it, and a run that cannot
 * get the lock fails before it analyses anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "xmalloc.h"

/* One input of a kept job. */
struct db_input {
	const char *path;	/* borrowed from the job */
	struct capid id;
	bool storable;		/* identified: a capture we can store */
};

struct db_batch {
	struct db *db;
	const char *file;	/* --db FILE */
	struct db_run_info info;
	struct job *jobs;	/* the jobs that run (copies) */
	size_t njobs;
	const char **paths;	/* their inputs, job after job */
	struct db_input *in;	/* the same, identified */
	size_t *first;		/* job j: in[first[j] .. + jobs[j].npaths) */
	batch_done_fn done;	/* the caller's */
	void *ctx;
	int64_t run;		/* runs.id once something is stored, else 0 */
	uint32_t stored, skipped;
	bool failed;		/* storing failed: roll back at the end */
	char err[1024];
};

static int identify(struct db_batch *b, const struct job *jobs, size_t njobs,
    uint64_t *bytes);
static bool seen(const struct db_batch *b, size_t n, const struct capid *id,
    const char **path);
static void store_done(void *ctx, struct job *j, size_t index);
static int store_job(struct db_batch *b, const struct job *j, size_t index);

/* Already in this run's inputs? */
static bool
seen(const struct db_batch *b, size_t n, const struct capid *id,
    const char **path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b->in[i].storable && b->in[i].id.size == id->size &&
		    memcmp(b->in[i].id.sha256, id->sha256, SHA256_LEN) == 0) {
			*path = b->in[i].path;
			return true;
		}
	return false;
}

/*
 * Build the jobs to run: each input hashed; stored ones and repeats left
 * out with a notice; inputs that cannot be read stay, so the analysis
 * reports them as it always does. 0, or -1 (DB_USAGE) for stdin/pipes.
 */
static int
identify(struct db_batch *b, const struct job *jobs, size_t njobs,
    uint64_t *bytes)
{
	size_t j, k, n = 0, total = 0;
	int64_t cap, run;
	enum capid_status cs;
	struct db_input *x;
	const char *other;
	char err[1024];
	int found;

	for (j = 0; j < njobs; j++)
		total += jobs[j].npaths;
	b->paths = xcalloc(total + 1, sizeof(*b->paths));
	b->in = xcalloc(total + 1, sizeof(*b->in));
	b->first = xcalloc(njobs + 1, sizeof(*b->first));
	b->jobs = xcalloc(njobs + 1, sizeof(*b->jobs));
	for (j = 0; j < njobs; j++) {
		size_t start = n;

		for (k = 0; k < jobs[j].npaths; k++) {
			x = &b->in[n];
			x->path = jobs[j].paths[k];
			cs = capid_file(x->path, &x->id, err, sizeof(err));
			if (cs == CAPID_NOT_FILE) {
				log_error("%s: %s: only files can be stored "
				    "(their content identifies them); save "
				    "the capture to a file first", b->file,
				    err);
				return -1;
			}
			x->storable = cs == CAPID_OK;
			if (x->storable) {
				found = db_capture_find(b->db, &x->id, &cap,
				    &run, b->err, sizeof(b->err));
				if (found < 0)
					return -2;
				if (found) {
					log_warn("%s: already in %s (capture "
					    "%lld, run %lld): skipped", x->path,
					    b->file, (long long)cap,
					    (long long)run);
					b->skipped++;
					continue;
				}
				if (seen(b, n, &x->id, &other)) {
					log_warn("%s: same content as %s: "
					    "skipped", x->path, other);
					b->skipped++;
					continue;
				}
				*bytes += x->id.size;
			}
			b->paths[n++] = x->path;
		}
		if (n == start)
			continue;
		b->jobs[b->njobs] = jobs[j];
		b->jobs[b->njobs].paths = b->paths + start;
		b->jobs[b->njobs].npaths = n - start;
		b->first[b->njobs++] = start;
	}
	return 0;
}

/* Store one finished job; 0 or -1 (b->err set). */
static int
store_job(struct db_batch *b, const struct job *j, size_t index)
{
	const struct db_input *x = b->in + b->first[index];
	int64_t cap, single = 0;
	size_t i, nstore = 0;

	for (i = 0; i < j->npaths; i++)
		nstore += x[i].storable;
	if (nstore == 0)
		return 0;
	if (b->run == 0 &&
	    (b->run = db_run_add(b->db, &b->info, b->err, sizeof(b->err))) < 0)
		return -1;
	for (i = 0; i < j->npaths; i++) {
		if (!x[i].storable)
			continue;
		if ((cap = db_capture_add(b->db, b->run, x[i].path, &x[i].id,
		    b->err, sizeof(b->err))) < 0)
			return -1;
		b->stored++;
		single = cap;
	}
	/* Rows name their capture only when they come from one. */
	return db_results_add(b->db, b->run, nstore == 1 ? single : 0, &j->res,
	    b->err, sizeof(b->err));
}

static void
store_done(void *ctx, struct job *j, size_t index)
{
	struct db_batch *b = ctx;

	if (!b->failed && (j->status == JOB_OK || j->status == JOB_PARTIAL) &&
	    store_job(b, j, index) != 0) {
		log_error("%s; nothing of this run is stored", b->err);
		b->failed = true;
	}
	b->done(b->ctx, j, index);
}

enum db_status
db_batch_run(const struct cli *c, struct job *jobs, size_t njobs,
    const struct batch_opts *bo, const struct ruleset *rs,
    batch_done_fn done, void *ctx)
{
	struct db_batch b;
	struct batch_opts o = *bo;
	enum db_status st;
	uint64_t bytes = 0;
	int rc;

	memset(&b, 0, sizeof(b));
	b.file = c->db;
	b.done = done;
	b.ctx = ctx;
	b.info.per_file = c->per_file;
	b.info.timeout_ns = c->timeout_ns;
	b.info.filter = c->filter;
	b.info.default_rules = !c->no_default_rules;
	b.info.rule_files = c->rule_files;
	b.info.nrule_files = c->nrule_files;
	b.info.max_flows = c->max_flows;
	b.info.max_ports = c->max_ports;
	if ((b.db = db_open(c->db, true, &st, b.err, sizeof(b.err))) == NULL) {
		log_error("%s", b.err);
		return st;
	}
	if ((st = db_begin(b.db, b.err, sizeof(b.err))) != DB_OK) {
		log_error("%s", b.err);
		db_close(b.db);
		return st;
	}
	rc = identify(&b, jobs, njobs, &bytes);
	if (rc == -2)
		log_error("%s", b.err);
	if (rc == 0 && b.njobs == 0) {
		log_warn("%s: every capture given is already stored (%u "
		    "skipped): nothing analysed or stored", c->db,
		    (unsigned)b.skipped);
		st = DB_NOTHING;
	} else if (rc == 0) {
		o.total_bytes = bytes;
		batch_run(b.jobs, b.njobs, &o, rs, store_done, &b);
		st = DB_OK;
		if (b.failed)
			st = DB_IOERR;
		else if (b.run > 0) {
			st = db_commit(b.db, b.run, b.stored, b.skipped,
			    b.err, sizeof(b.err));
			if (st != DB_OK)
				log_error("%s; nothing of this run is stored",
				    b.err);
			else
				log_verbose("%s: run %lld stored: %u "
				    "captures, %u skipped", c->db,
				    (long long)b.run, (unsigned)b.stored,
				    (unsigned)b.skipped);
		}
	} else
		st = rc == -1 ? DB_USAGE : DB_IOERR;
	db_rollback(b.db);
	db_close(b.db);
	free(b.paths);
	free(b.in);
	free(b.first);
	free(b.jobs);
	return st;
}
