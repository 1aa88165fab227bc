/*
 * main.c -- portsleuth: wire the stages, map failures to exit statuses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"
#include "baseline.h"
#include "batch.h"
#include "db.h"
#include "inputs.h"
#include "cli.h"
#include "evfile.h"
#include "log.h"
#include "merge.h"
#include "out.h"
#include "rulebook.h"
#include "rules.h"
#include "services.h"
#include "xmalloc.h"

/* Exit statuses (sysexits.h values; documented in portsleuth(1)). */
enum exit_status {
	EXIT_OK = 0,
	EXIT_DIFFERS = 1,	/* --baseline: the results differ */
	EXIT_FINDINGS = 2,	/* --fail-on: a finding at that severity */
	EXIT_USAGE = 64,	/* bad option or argument */
	EXIT_DATAERR = 65,	/* input not a capture, or truncated/corrupt */
	EXIT_NOINPUT = 66,	/* input missing or unreadable */
	EXIT_SOFTWARE = 70,	/* internal error, out of memory */
	EXIT_CANTCREAT = 73,	/* cannot create the output file */
	EXIT_IOERR = 74,	/* write error */
	EXIT_TEMPFAIL = 75,	/* --db: locked by another run */
	EXIT_CONFIG = 78,	/* bad rule file */
};

static void
diag_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

static int
check_rules(const char *file)
{
	struct ruleset *rs;
	int errors;

	rs = rulebook_load(true, &file, 1, diag_stderr, NULL, &errors);
	if (rs == NULL)
		return EXIT_CONFIG;
	printf("%s: %zu rules, no errors\n", file, ruleset_count(rs));
	ruleset_free(rs);
	return EXIT_OK;
}

static void
list_rules(const struct ruleset *rs)
{
	size_t i;

	for (i = 0; i < ruleset_count(rs); i++) {
		const struct rule *r = ruleset_get(rs, i);

		printf("# %s:%u\n", r->file, r->line);
		rule_print(r, NULL, stdout);
	}
}

/* What the done() callback of the batch needs, and what it found. */
struct run {
	const struct cli *c;
	const struct out_ops *fmt;
	FILE *out, *findings;
	struct explain_log *explain;
	struct baseline *baseline;
	struct run_summary total;	/* over every job */
	bool write_error, differs, fail;
	enum job_status worst;
	size_t jobs_ok;			/* jobs that read something */
	char first_error[512];
	struct job emitted;		/* --emit-evidence: the job, no results */
};

/* Severity order of job outcomes, for the exit status. */
static int
job_weight(enum job_status s)
{
	static const int w[] = { [JOB_OK] = 0, [JOB_PARTIAL] = 1,
		[JOB_BADDATA] = 2, [JOB_NOINPUT] = 3, [JOB_BADFILTER] = 4 };

	return w[s];
}

static void
add_summary(struct run_summary *t, const struct run_summary *s)
{
	size_t i;

	t->captures += s->captures;
	t->packets += s->packets;
	t->bytes += s->bytes;
	t->decoded += s->decoded;
	t->malformed += s->malformed;
	t->probes += s->probes;
	t->paired += s->paired;
	t->unsolicited += s->unsolicited;
	t->late += s->late;
	t->unmatched_icmp += s->unmatched_icmp;
	t->table_drops += s->table_drops;
	t->flow_drops += s->flow_drops;
	t->record_drops += s->record_drops;
	t->uncounted += s->uncounted;
	t->phase_drops += s->phase_drops;
	t->records += s->records;
	t->memory_full |= s->memory_full;
	if (s->memory_limit > t->memory_limit)
		t->memory_limit = s->memory_limit;
	t->hosts += s->hosts;
	for (i = 0; i < PS_COUNT; i++)
		t->ports_by_state[i] += s->ports_by_state[i];
	for (i = 0; i < 4; i++)
		t->findings_by_severity[i] += s->findings_by_severity[i];
	if (s->packets > 0 && (t->first_ns == 0 || s->first_ns < t->first_ns))
		t->first_ns = s->first_ns;
	if (s->last_ns > t->last_ns)
		t->last_ns = s->last_ns;
	t->partial |= s->partial;
}

/* The options a job's report is written with. */
static void
job_out_opts(const struct cli *c, const struct job *j, size_t index,
    struct out_opts *oo)
{
	memset(oo, 0, sizeof(*oo));
	oo->verbose = c->verbose;
	oo->input_label = j->label;
	oo->continued = index > 0;
}

/* batch render(): the job's report, formatted in its worker thread. */
static int
job_render(void *ctx, const struct job *j, size_t index, FILE *fp)
{
	const struct run *r = ctx;
	struct out_opts oo;

	if (j->status != JOB_OK && j->status != JOB_PARTIAL)
		return 0;
	job_out_opts(r->c, j, index, &oo);
	return r->fmt->write(fp, &j->res, &oo);
}

/* A report a worker formatted (batch.h), copied to out; 0 or -1. */
static int
copy_report(FILE *report, FILE *out)
{
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), report)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			return -1;
	return ferror(report) || fflush(out) == EOF ? -1 : 0;
}

static void
job_done(void *ctx, struct job *j, size_t index)
{
	struct run *r = ctx;
	const struct cli *c = r->c;
	struct out_opts oo;
	char lim[512];
	size_t i;

	(void)index;
	if (job_weight(j->status) > job_weight(r->worst))
		r->worst = j->status;
	if (j->status == JOB_BADFILTER) {
		if (r->first_error[0] == '\0')
			snprintf(r->first_error, sizeof(r->first_error), "%s",
			    j->error);
		return;
	}
	if (j->status == JOB_NOINPUT || j->status == JOB_BADDATA)
		return;
	r->jobs_ok++;
	add_summary(&r->total, &j->res.summary);
	results_limits_text(&j->res.summary, lim, sizeof(lim));
	if (lim[0] != '\0')
		log_warn("%s%s%s", j->label ? j->label : "",
		    j->label ? ": " : "", lim);
	for (i = 0; i < j->res.nfindings; i++)
		if (c->fail_on >= 0 && j->res.findings[i].severity >= c->fail_on)
			r->fail = true;
	if (r->baseline != NULL && baseline_compare(r->baseline, &j->res,
	    r->out) != 0)
		r->differs = true;
	job_out_opts(c, j, index, &oo);
	if (r->explain != NULL)
		analyzer_explain(j->a, &j->res, r->explain, r->out);
	else if (r->baseline == NULL && j->report != NULL) {
		if (copy_report(j->report, r->out) != 0)
			r->write_error = true;
	} else if (r->baseline == NULL &&
	    r->fmt->write(r->out, &j->res, &oo) != 0)
		r->write_error = true;
	if (r->findings != NULL && out_csv_findings(r->findings, &j->res,
	    j->label, index == 0) != 0)
		r->write_error = true;
}

/* Expand the inputs; 0 or an exit status. */
static int
collect(const struct cli *c, struct inputs *in)
{
	char err[512];
	size_t i;

	for (i = 0; i < c->ninputs; i++)
		if (inputs_add(in, c->inputs[i], err, sizeof(err)) != 0) {
			log_error("%s", err);
			return EXIT_NOINPUT;
		}
	for (i = 0; i < c->nlists; i++)
		if (inputs_add_list(in, c->lists[i], err, sizeof(err)) != 0) {
			log_error("%s", err);
			return EXIT_NOINPUT;
		}
	if (in->not_captures > 0)
		log_verbose("%zu files in directories are not %s: skipped",
		    in->not_captures, in->evidence ? "evidence" : "captures");
	if (in->n == 0) {
		log_error("no %s files found in the inputs given",
		    in->evidence ? "evidence" : "capture");
		return EXIT_NOINPUT;
	}
	return 0;
}

static FILE *
open_out(const char *path, FILE *dflt)
{
	FILE *fp;

	if (path == NULL)
		return dflt;
	if ((fp = fopen(path, "w")) == NULL)
		log_error("%s: %s", path, strerror(errno));
	return fp;
}

static bool
close_out(FILE *fp, const char *path)
{
	bool bad = fflush(fp) != 0 || ferror(fp);

	if (fp != stdout && fclose(fp) != 0)
		bad = true;
	if (bad)
		log_error("%s: write error: %s", path ? path :
		    "standard output", strerror(errno));
	return bad;
}

/* The exit status of a finished run (precedence in portsleuth(1)). */
static int
run_status(const struct run *r)
{
	if (r->write_error)
		return EXIT_IOERR;
	if (r->worst == JOB_BADFILTER)
		return EXIT_USAGE;
	if (r->jobs_ok == 0)
		return r->worst == JOB_NOINPUT ? EXIT_NOINPUT : EXIT_DATAERR;
	if (r->worst != JOB_OK)
		return EXIT_DATAERR;
	if (r->differs)
		return EXIT_DIFFERS;
	return r->fail ? EXIT_FINDINGS : EXIT_OK;
}

/* Outputs of a run that writes a report; 0 or an exit status. */
static int
run_open(const struct cli *c, struct run *r, struct explain_log *ex)
{
	char err[512];

	memset(r, 0, sizeof(*r));
	if (c->explain && explain_parse(c->explain_arg, &ex->filter) != 0) {
		log_error("bad --explain '%s' (HOST, HOST:PORT or [IPV6]:PORT)",
		    c->explain_arg);
		return EXIT_USAGE;
	}
	if (c->baseline != NULL &&
	    (r->baseline = baseline_load(c->baseline, err, sizeof(err))) ==
	    NULL) {
		log_error("%s", err);
		return EXIT_NOINPUT;
	}
	r->c = c;
	r->fmt = out_find(c->format);
	r->explain = c->explain ? ex : NULL;
	if (c->emit != NULL)
		return 0;	/* evidence instead of a report */
	r->out = open_out(c->output, stdout);
	r->findings = open_out(c->findings_file, NULL);
	if (r->out == NULL || (c->findings_file != NULL && r->findings ==
	    NULL)) {
		if (r->out != NULL && r->out != stdout)
			fclose(r->out);
		baseline_free(r->baseline);
		r->baseline = NULL;
		return EXIT_CANTCREAT;
	}
	return 0;
}

/* Summary, baseline leftovers, closing; the run's exit status. */
static int
run_close(const struct cli *c, struct run *r)
{
	if (r->out != NULL) {
		if (c->summary && r->jobs_ok > 0 &&
		    out_summary_text(r->out, &r->total) != 0)
			r->write_error = true;
		if (r->baseline != NULL)
			r->differs |= baseline_missing(r->baseline, r->out) != 0;
		r->write_error |= close_out(r->out, c->output);
	}
	if (r->findings != NULL)
		r->write_error |= close_out(r->findings, c->findings_file);
	baseline_free(r->baseline);
	return run_status(r);
}

/* --emit-evidence: the log of the run's single job. */
static struct evw *
emit_open(const struct cli *c)
{
	char err[512];
	struct evw *w = evw_open(c->emit, c->timeout_ns, err, sizeof(err));

	if (w == NULL)
		log_error("%s", err);
	return w;
}

static void
emit_close(struct evw *w, const struct job *j, const struct inputs *in,
    struct run *r)
{
	char err[512];
	struct stat st;
	size_t i;

	if (j->status == JOB_BADFILTER || j->status == JOB_NOINPUT ||
	    j->status == JOB_BADDATA) {
		evw_abort(w);
		return;
	}
	for (i = 0; i < in->n; i++)
		evw_input(w, in->paths[i], stat(in->paths[i], &st) == 0 &&
		    S_ISREG(st.st_mode) ? (uint64_t)st.st_size : UINT64_MAX);
	if (evw_close(w, &j->totals, err, sizeof(err)) != 0) {
		log_error("%s", err);
		r->write_error = true;
	}
}

static void
emit_done(void *ctx, struct job *j, size_t index)
{
	struct run *r = ctx;

	(void)index;
	r->worst = j->status;
	if (j->status == JOB_BADFILTER)
		snprintf(r->first_error, sizeof(r->first_error), "%s",
		    j->error);
	else if (j->status != JOB_NOINPUT && j->status != JOB_BADDATA)
		r->jobs_ok++;
	r->emitted = *j;
	memset(&r->emitted.res, 0, sizeof(r->emitted.res));
}

/* --db outcome over the run's own exit status. */
static int
db_exit(enum db_status st, int status)
{
	static const int code[] = { [DB_OK] = EXIT_OK,
		[DB_NOTHING] = EXIT_OK, [DB_USAGE] = EXIT_USAGE,
		[DB_CANTCREAT] = EXIT_CANTCREAT, [DB_LOCKED] = EXIT_TEMPFAIL,
		[DB_IOERR] = EXIT_IOERR, [DB_NOINPUT] = EXIT_NOINPUT,
		[DB_DATAERR] = EXIT_DATAERR };

	return st == DB_OK ? status : code[st];
}

static int
analyze(const struct cli *c, const struct ruleset *rs)
{
	struct inputs in;
	struct batch_opts bo;
	struct explain_log ex;
	struct job *jobs;
	struct run r;
	size_t i, njobs;
	int status;
	enum db_status dbst = DB_OK;

	memset(&in, 0, sizeof(in));
	memset(&ex, 0, sizeof(ex));
	if ((status = collect(c, &in)) != 0) {
		inputs_free(&in);
		return status;
	}
	if ((status = run_open(c, &r, &ex)) != 0) {
		inputs_free(&in);
		return status;
	}
	njobs = c->per_file && !c->explain ? in.n : 1;
	if (njobs > 1 && strcmp(c->format, "xml") == 0 && c->baseline == NULL) {
		log_error("-f xml writes one document per run: with "
		    "--per-file, run once per capture (or use csv, json)");
		r.write_error = false;
		(void)run_close(c, &r);
		inputs_free(&in);
		return EXIT_USAGE;
	}
	memset(&bo, 0, sizeof(bo));
	if (c->emit != NULL && (bo.log = emit_open(c)) == NULL) {
		inputs_free(&in);
		return EXIT_CANTCREAT;
	}
	jobs = xcalloc(njobs, sizeof(*jobs));
	for (i = 0; i < njobs; i++) {
		jobs[i].paths = (const char *const *)(njobs == 1 ? in.paths :
		    in.paths + i);
		jobs[i].npaths = njobs == 1 ? in.n : 1;
		jobs[i].label = c->per_file && njobs > 1 ? in.paths[i] : NULL;
	}
	bo.ao.timeout_ns = c->timeout_ns;
	bo.ao.flow_slots = c->max_flows;
	bo.ao.max_ports = c->max_ports;
	/* Analyses running at once share --max-memory. */
	bo.ao.max_memory = c->max_memory / (njobs > 1 && c->jobs > 1 ?
	    (c->jobs < njobs ? c->jobs : njobs) : 1);
	bo.filter = c->filter;
	bo.threads = c->jobs;
	bo.explain = r.explain;
	bo.progress = !c->quiet && isatty(STDERR_FILENO);
	bo.counters = c->verbose > 0;
	bo.total_bytes = in.bytes;
	if (r.explain == NULL && r.baseline == NULL && njobs > 1) {
		bo.render = job_render; /* reports formatted in the workers */
		bo.render_ctx = &r;
	}
	(void)service_name(0, 6); /* fill the shared table before threads */
	if (bo.log != NULL)
		batch_run(jobs, njobs, &bo, rs, emit_done, &r);
	else if (c->db != NULL)
		dbst = db_batch_run(c, jobs, njobs, &bo, rs, job_done, &r);
	else
		batch_run(jobs, njobs, &bo, rs, job_done, &r);
	if (bo.log != NULL)
		emit_close(bo.log, &r.emitted, &in, &r);
	if (r.first_error[0] != '\0')
		log_error("%s", r.first_error);
	status = db_exit(dbst, run_close(c, &r));
	free(jobs);
	explain_free(&ex);
	inputs_free(&in);
	return status;
}

/* portsleuth merge: evidence files in, a report or merged evidence out. */
static int
merge(const struct cli *c, const struct ruleset *rs)
{
	struct analyzer_opts ao;
	struct explain_log ex;
	struct inputs in;
	struct job j;
	struct run r;
	int status;

	memset(&ex, 0, sizeof(ex));
	memset(&j, 0, sizeof(j));
	memset(&in, 0, sizeof(in));
	in.evidence = true;
	if ((status = collect(c, &in)) != 0 ||
	    (status = run_open(c, &r, &ex)) != 0) {
		inputs_free(&in);
		return status;
	}
	if (c->emit != NULL) {
		status = merge_emit((const char *const *)in.paths, in.n,
		    c->emit, &j);
		inputs_free(&in);
		if (status != 0)
			return status == -1 ? EXIT_CANTCREAT : EXIT_IOERR;
		emit_done(&r, &j, 0);
		return run_close(c, &r);
	}
	memset(&ao, 0, sizeof(ao));
	ao.flow_slots = c->max_flows;
	ao.max_ports = c->max_ports;
	ao.max_memory = c->max_memory;
	merge_report((const char *const *)in.paths, in.n, &ao, rs, &j);
	job_done(&r, &j, 0);
	results_free(&j.res);
	inputs_free(&in);
	return run_close(c, &r);
}

int
main(int argc, char **argv)
{
	struct cli c;
	struct ruleset *rs;
	char err[512];
	int errors, status;

	switch (cli_parse(argc, argv, &c, err, sizeof(err))) {
	case CLI_EXIT:
		cli_free(&c);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_IOERR;
	case CLI_ERROR:
		log_error("%s", err);
		cli_free(&c);
		return EXIT_USAGE;
	case CLI_RUN:
		break;
	}
	log_level = c.quiet ? -1 : c.verbose;
	if (c.action == ACT_LIST_EVIDENCE) {
		rulebook_list_evidence(stdout);
		cli_free(&c);
		return EXIT_OK;
	}
	if (c.action == ACT_DB_EXPORT) {
		status = db_exit(db_export_csv(c.db, c.export_dir), EXIT_OK);
		cli_free(&c);
		return status;
	}
	if (c.action == ACT_CHECK_RULES) {
		status = check_rules(c.check_file);
		cli_free(&c);
		return status;
	}
	rs = rulebook_load(c.no_default_rules, c.rule_files, c.nrule_files,
	    diag_stderr, NULL, &errors);
	if (rs == NULL) {
		log_error("%d error%s in rule files", errors,
		    errors == 1 ? "" : "s");
		cli_free(&c);
		return EXIT_CONFIG;
	}
	if (c.action == ACT_LIST_RULES) {
		list_rules(rs);
		status = EXIT_OK;
	} else if (c.action == ACT_MERGE)
		status = merge(&c, rs);
	else
		status = analyze(&c, rs);
	ruleset_free(rs);
	services_free();
	cli_free(&c);
	return status;
}
