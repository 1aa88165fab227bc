/*
 * batch.c -- worker threads over jobs, in-order delivery, progress line.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "reader.h"
#include "xmalloc.h"

struct batch {
	struct job *jobs;
	size_t n;
	const struct batch_opts *o;
	const struct ruleset *rs;
	atomic_size_t next;	/* next job to take */
	atomic_uint_fast64_t packets, bytes;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool *finished;		/* per job, under lock */
	size_t ndone;		/* jobs finished, under lock */
	size_t delivered;	/* jobs handed to done(), under lock */
	size_t ahead;		/* jobs that may run past the next delivery */
};

/* One job's packet loop: where reader_run() hands the packets. */
struct job_loop {
	struct batch *b;
	struct analyzer *a;
	struct reader *rd;
	uint64_t n;		/* packets so far */
	uint64_t last_bytes;	/* reader_bytes() at the last progress add */
};

static void run_job(struct batch *b, struct job *j, size_t index);
static void job_packet(void *ctx, const struct reader_packet *pkt);
static bool next_to_deliver(struct batch *b, size_t index);
static FILE *spool_file(void);
static void render_job(struct batch *b, struct job *j, size_t index);
static void *worker(void *arg);
static void progress(struct batch *b, double elapsed, bool last);

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An unnamed temporary file in $TMPDIR (else /tmp), or NULL. */
static FILE *
spool_file(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	FILE *fp;
	int fd;

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof(path), "%s/portsleuth-XXXXXX",
	    dir) >= sizeof(path) || (fd = mkstemp(path)) < 0)
		return NULL;
	unlink(path);
	if ((fp = fdopen(fd, "w+")) == NULL)
		close(fd);
	return fp;
}

/* The job's report, formatted into a temporary file on this thread. */
static void
render_job(struct batch *b, struct job *j, size_t index)
{
	FILE *fp = spool_file();

	if (fp == NULL)
		return;		/* done() formats it, then */
	if (b->o->render(b->o->render_ctx, j, index, fp) != 0 ||
	    fflush(fp) == EOF || ferror(fp) || fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);	/* a full disk: done() formats it */
		return;
	}
	j->report = fp;
}

/* Analyze one packet; every 64Ki packets, tell the progress line. */
static void
job_packet(void *ctx, const struct reader_packet *pkt)
{
	struct job_loop *l = ctx;

	analyzer_packet(l->a, pkt);
	if ((++l->n & 0xffff) == 0) {
		atomic_fetch_add(&l->b->packets, 0x10000);
		atomic_fetch_add(&l->b->bytes, reader_bytes(l->rd) -
		    l->last_bytes);
		l->last_bytes = reader_bytes(l->rd);
	}
}

/* Read, analyze and finish one job. */
static void
run_job(struct batch *b, struct job *j, size_t index)
{
	struct reader *rd;
	struct job_loop loop;
	enum reader_error why;
	struct analyzer *a;

	memset(&j->res, 0, sizeof(j->res));
	j->report = NULL;
	rd = reader_open(j->paths, j->npaths, b->o->filter, &why, j->error,
	    sizeof(j->error));
	if (rd == NULL) {
		j->status = JOB_BADFILTER;
		return;
	}
	a = analyzer_new(&b->o->ao, b->rs);
	if (b->o->explain != NULL)
		analyzer_set_explain(a, b->o->explain);
	if (b->o->log != NULL)
		analyzer_set_log(a, b->o->log);
	loop.b = b;
	loop.a = a;
	loop.rd = rd;
	loop.n = 0;
	loop.last_bytes = 0;
	reader_run(rd, job_packet, &loop);
	atomic_fetch_add(&b->packets, loop.n & 0xffff);
	atomic_fetch_add(&b->bytes, reader_bytes(rd) - loop.last_bytes);
	/*
	 * Evidence needs no results: its records do not depend on whether
	 * this run's own tables had room (a probe they dropped leaves its
	 * packets logged), so only unreadable input makes it partial.
	 */
	if (b->o->log == NULL)
		analyzer_finish(a, reader_partial(rd) || reader_skipped(rd) > 0,
		    &j->res);
	j->res.summary.captures = (uint32_t)(j->npaths - reader_skipped(rd));
	analyzer_totals(a, &j->totals);
	j->totals.captures = j->res.summary.captures;
	j->totals.partial = reader_partial(rd) || reader_skipped(rd) > 0;
	if (reader_skipped(rd) == j->npaths && j->npaths > 0)
		j->status = why == READER_ERR_OPEN ? JOB_NOINPUT : JOB_BADDATA;
	else if (reader_partial(rd) || reader_skipped(rd) > 0 ||
	    j->res.summary.partial)
		j->status = JOB_PARTIAL;
	else
		j->status = JOB_OK;
	reader_close(rd);
	if (b->o->counters)
		analyzer_log_counters(a);
	if (b->o->log != NULL)
		analyzer_free(a);	/* else the results own it */
	else if (b->o->explain != NULL)
		j->a = a;
	if (b->o->render != NULL && !next_to_deliver(b, index))
		render_job(b, j, index);
}

/*
 * Is job index the next one done() gets? Then the caller's thread formats
 * it as soon as it can, and spooling it would only add a copy.
 */
static bool
next_to_deliver(struct batch *b, size_t index)
{
	bool next;

	pthread_mutex_lock(&b->lock);
	next = b->delivered == index;
	pthread_mutex_unlock(&b->lock);
	return next;
}

static void *
worker(void *arg)
{
	struct batch *b = arg;
	size_t i;

	while ((i = atomic_fetch_add(&b->next, 1)) < b->n) {
		/*
		 * Results are delivered in job order: a job does not start
		 * until it is among the next `ahead`, so finished results
		 * waiting behind a long job cannot pile up (memory stays
		 * within the threads' shares of --max-memory).
		 */
		pthread_mutex_lock(&b->lock);
		while (i - b->delivered >= b->ahead)
			pthread_cond_wait(&b->cond, &b->lock);
		pthread_mutex_unlock(&b->lock);
		run_job(b, &b->jobs[i], i);
		pthread_mutex_lock(&b->lock);
		b->finished[i] = true;
		b->ndone++;
		pthread_cond_broadcast(&b->cond);
		pthread_mutex_unlock(&b->lock);
	}
	return NULL;
}

static void
progress(struct batch *b, double elapsed, bool last)
{
	uint64_t p = atomic_load(&b->packets), by = atomic_load(&b->bytes);
	double pps = elapsed > 0 ? (double)p / elapsed : 0;
	char eta[32] = "";

	if (last) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (b->o->total_bytes > 0 && by > 0 && by < b->o->total_bytes)
		snprintf(eta, sizeof(eta), ", ETA %.0fs", elapsed *
		    (double)(b->o->total_bytes - by) / (double)by);
	fprintf(stderr, "\r\033[K%zu/%zu %s, %.1f MB, %.0f packets/s%s",
	    b->ndone, b->n, b->n == 1 && b->jobs[0].npaths > 1 ? "runs" :
	    "captures", (double)by / 1e6, pps, eta);
	fflush(stderr);
}

void
batch_run(struct job *jobs, size_t n, const struct batch_opts *o,
    const struct ruleset *rs, batch_done_fn done, void *ctx)
{
	struct batch b;
	pthread_t *tid;
	unsigned t, nt = o->threads ? o->threads : 1;
	size_t i;
	double start = now_s();
	struct timespec wake;
	bool drew = false;

	if (nt > n && n > 0)
		nt = (unsigned)n;
	memset(&b, 0, sizeof(b));
	b.jobs = jobs;
	b.n = n;
	b.o = o;
	b.rs = rs;
	atomic_init(&b.next, 0);
	atomic_init(&b.packets, 0);
	atomic_init(&b.bytes, 0);
	b.finished = xcalloc(n + 1, sizeof(*b.finished));
	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.cond, NULL);
	b.ahead = nt;
	tid = xcalloc(nt, sizeof(*tid));
	for (t = 0; t < nt; t++)
		if (pthread_create(&tid[t], NULL, worker, &b) != 0) {
			nt = t;	/* run with the threads we got */
			break;
		}
	if (nt == 0) {
		b.ahead = SIZE_MAX;	/* every job runs before delivery */
		worker(&b);
	}
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&b.lock);
		while (!b.finished[i]) {
			clock_gettime(CLOCK_REALTIME, &wake);
			wake.tv_nsec += 500000000;
			if (wake.tv_nsec >= 1000000000) {
				wake.tv_sec++;
				wake.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&b.cond, &b.lock, &wake);
			if (o->progress && now_s() - start > 1) {
				progress(&b, now_s() - start, false);
				drew = true;
			}
		}
		pthread_mutex_unlock(&b.lock);
		if (drew) {
			progress(&b, 0, true);
			drew = false;
		}
		done(ctx, &jobs[i], i);
		results_free(&jobs[i].res);
		if (jobs[i].report != NULL)
			fclose(jobs[i].report);
		jobs[i].report = NULL;
		jobs[i].a = NULL;	/* freed with the results */
		pthread_mutex_lock(&b.lock);
		b.delivered = i + 1;
		pthread_cond_broadcast(&b.cond);
		pthread_mutex_unlock(&b.lock);
	}
	for (t = 0; t < nt; t++)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&b.lock);
	pthread_cond_destroy(&b.cond);
	free(tid);
	free(b.finished);
}
