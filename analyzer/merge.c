/*
 * merge.c -- replay or concatenate evidence files in capture-time order.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "merge.h"

/* Open the set, or set the job's status and say why. */
static struct evset *
open_set(const char *const *paths, size_t n, struct job *j)
{
	char err[512];
	bool cannot_open = false;
	struct evset *s = evset_open(paths, n, &cannot_open, err, sizeof(err));

	if (s == NULL) {
		log_error("%s", err);
		j->status = cannot_open ? JOB_NOINPUT : JOB_BADDATA;
	}
	return s;
}

void
merge_report(const char *const *paths, size_t n,
    const struct analyzer_opts *ao, const struct ruleset *rs, struct job *j)
{
	struct analyzer_opts o = *ao;
	struct analyzer *a;
	struct evset *s;
	struct evrec r;
	char err[512];
	int rc;

	memset(&j->res, 0, sizeof(j->res));
	if ((s = open_set(paths, n, j)) == NULL)
		return;
	o.timeout_ns = evset_timeout(s);
	a = analyzer_new(&o, rs);
	analyzer_add_totals(a, evset_totals(s));
	while ((rc = evset_next(s, &r, err, sizeof(err))) == 1)
		analyzer_replay(a, &r);
	if (rc < 0) {
		log_error("%s", err);
		j->status = JOB_BADDATA;
	} else {
		analyzer_finish(a, evset_totals(s)->partial, &j->res);
		j->res.summary.captures = evset_totals(s)->captures;
		j->status = j->res.summary.partial ? JOB_PARTIAL : JOB_OK;
		a = NULL;	/* the results own it */
	}
	analyzer_free(a);
	evset_close(s);
}

int
merge_emit(const char *const *paths, size_t n, const char *out,
    struct job *j)
{
	struct evset *s;
	struct evw *w;
	struct evrec r;
	char err[512];
	size_t i;
	int rc;

	memset(&j->res, 0, sizeof(j->res));
	if ((s = open_set(paths, n, j)) == NULL)
		return 0;
	if ((w = evw_open(out, evset_timeout(s), err, sizeof(err))) == NULL) {
		log_error("%s", err);
		evset_close(s);
		return -1;
	}
	while ((rc = evset_next(s, &r, err, sizeof(err))) == 1)
		evw_record(w, &r);
	if (rc < 0) {
		log_error("%s", err);
		j->status = JOB_BADDATA;
		evw_abort(w);
		evset_close(s);
		return 0;
	}
	for (i = 0; i < evset_ninputs(s); i++)
		evw_input(w, evset_input(s, i)->path, evset_input(s, i)->size);
	j->status = evset_totals(s)->partial ? JOB_PARTIAL : JOB_OK;
	rc = evw_close(w, evset_totals(s), err, sizeof(err));
	if (rc != 0) {
		log_error("%s", err);
		rc = -2;
	}
	evset_close(s);
	return rc;
}
