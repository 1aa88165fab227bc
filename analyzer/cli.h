/*
 * cli.h -- command-line options: one table gives getopt_long its options
 * and --help its text, so the two cannot drift apart.
 *
 * cli_parse() fills struct cli and returns CLI_RUN, CLI_EXIT (help or
 * version printed) or CLI_ERROR (message in err). Borrowed strings point
 * into argv; the argument arrays are owned and freed by cli_free().
 */
#ifndef PORTSLEUTH_CLI_H
#define PORTSLEUTH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_action {
	ACT_ANALYZE = 0,
	ACT_LIST_RULES,		/* --list-rules */
	ACT_CHECK_RULES,	/* --check-rules FILE */
	ACT_LIST_EVIDENCE,	/* --list-evidence */
	ACT_MERGE,		/* portsleuth merge EVIDENCE... */
	ACT_DB_EXPORT,		/* --db FILE --export-csv DIR */
};

struct cli {
	enum cli_action action;
	const char *format;	/* -f */
	const char *output;	/* -o, NULL = stdout */
	const char *findings_file; /* --findings: findings as CSV */
	bool explain;		/* --explain given */
	const char *explain_arg; /* its HOST[:PORT], NULL for all */
	const char *filter;	/* --filter */
	uint64_t timeout_ns;	/* --timeout */
	uint32_t max_flows;	/* --max-flows; 0: derived from max_memory */
	bool timeout_set;	/* --timeout given */
	const char *emit;	/* --emit-evidence FILE */
	uint32_t max_ports;	/* --max-ports */
	uint64_t max_memory;	/* --max-memory in bytes; 0: no limit */
	bool no_default_rules;	/* --no-default-rules */
	const char **rule_files; /* --rules (repeatable) */
	size_t nrule_files;
	const char *check_file;	/* --check-rules */
	int verbose;		/* -v count */
	bool quiet;		/* -q */
	const char **inputs;	/* capture files, "-" = stdin */
	size_t ninputs;
	const char **lists;	/* --files-from (repeatable) */
	size_t nlists;
	bool per_file;		/* --per-file */
	unsigned jobs;		/* -j */
	bool summary;		/* --summary */
	const char *baseline;	/* --baseline */
	int fail_on;		/* --fail-on: enum severity, -1 off */
	const char *db;		/* --db: store the run in this SQLite file */
	const char *export_dir;	/* --export-csv */
};

enum cli_result {
	CLI_RUN = 0,
	CLI_EXIT,
	CLI_ERROR,
};

enum cli_result cli_parse(int argc, char **argv, struct cli *c, char *err,
    size_t errlen);
void cli_free(struct cli *c);
void cli_usage(FILE *fp);

#endif
