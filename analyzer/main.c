/*
 * main.c -- portsleuth: wire the stages, map failures to exit statuses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "cli.h"
#include "log.h"
#include "out.h"
#include "reader.h"
#include "rulebook.h"
#include "rules.h"
#include "services.h"

/* Exit statuses (sysexits.h values; documented in portsleuth(1)). */
enum exit_status {
	EXIT_OK = 0,
	EXIT_USAGE = 64,	/* bad option or argument */
	EXIT_DATAERR = 65,	/* input not a capture, or truncated/corrupt */
	EXIT_NOINPUT = 66,	/* input missing or unreadable */
	EXIT_SOFTWARE = 70,	/* internal error, out of memory */
	EXIT_CANTCREAT = 73,	/* cannot create the output file */
	EXIT_IOERR = 74,	/* write error */
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

static int
reader_status(enum reader_error e)
{
	switch (e) {
	case READER_ERR_OPEN:
		return EXIT_NOINPUT;
	case READER_ERR_FILTER:
		return EXIT_USAGE;
	default:
		return EXIT_DATAERR;
	}
}

static int
write_findings(const char *path, const struct results *res)
{
	FILE *fp = fopen(path, "w");
	int rc;

	if (fp == NULL) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	rc = out_csv_findings(fp, res);
	if (fclose(fp) != 0)
		rc = -1;
	if (rc != 0)
		log_error("%s: write error: %s", path, strerror(errno));
	return rc;
}

static int
analyze(const struct cli *c, const struct ruleset *rs)
{
	struct analyzer_opts ao;
	struct analyzer *a;
	struct reader *rd;
	struct reader_packet pkt;
	struct results res;
	struct out_opts oo;
	enum reader_error why;
	struct explain_log ex;
	char err[512];
	FILE *out = stdout;
	bool partial;
	int rc = 0;

	rd = reader_open(c->inputs, c->ninputs, c->filter, &why, err,
	    sizeof(err));
	if (rd == NULL) {
		log_error("%s", err);
		return reader_status(why);
	}
	if (c->output != NULL && (out = fopen(c->output, "w")) == NULL) {
		log_error("%s: %s", c->output, strerror(errno));
		reader_close(rd);
		return EXIT_CANTCREAT;
	}
	ao.timeout_ns = c->timeout_ns;
	ao.flow_slots = c->max_flows;
	ao.max_ports = c->max_ports;
	a = analyzer_new(&ao, rs);
	memset(&ex, 0, sizeof(ex));
	if (c->explain) {
		if (explain_parse(c->explain_arg, &ex.filter) != 0) {
			log_error("bad --explain '%s' (HOST, HOST:PORT or "
			    "[IPV6]:PORT)", c->explain_arg);
			analyzer_free(a);
			reader_close(rd);
			if (out != stdout)
				fclose(out);
			return EXIT_USAGE;
		}
		analyzer_set_explain(a, &ex);
	}
	while (reader_next(rd, &pkt) == 1)
		analyzer_packet(a, &pkt);
	partial = reader_partial(rd);
	analyzer_finish(a, partial, &res);
	res.summary.captures = (uint32_t)c->ninputs;
	if (c->verbose)
		analyzer_log_counters(a);
	if (res.summary.table_drops > 0)
		log_warn("state tables full: %llu probes dropped, results are "
		    "partial (raise --max-flows / --max-ports)",
		    (unsigned long long)res.summary.table_drops);
	memset(&oo, 0, sizeof(oo));
	oo.verbose = c->verbose;
	if (c->explain)
		analyzer_explain(a, &res, &ex, out);
	else
		rc = out_find(c->format)->write(out, &res, &oo);
	if (fflush(out) != 0)
		rc = -1;
	if (rc != 0)
		log_error("%s: write error: %s", c->output ? c->output :
		    "standard output", strerror(errno));
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		log_error("%s: %s", c->output, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && c->findings_file != NULL)
		rc = write_findings(c->findings_file, &res);
	results_free(&res);
	explain_free(&ex);
	analyzer_free(a);
	reader_close(rd);
	if (rc != 0)
		return EXIT_IOERR;
	return partial ? EXIT_DATAERR : EXIT_OK;
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
	} else
		status = analyze(&c, rs);
	ruleset_free(rs);
	services_free();
	cli_free(&c);
	return status;
}
