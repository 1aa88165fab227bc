/*
 * cli.c -- the options table, getopt_long glue and --help text.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "out.h"
#include "rules.h"
#include "tunables.h"
#include "xmalloc.h"

enum {
	OPT_FILTER = 256,
	OPT_TIMEOUT,
	OPT_RULES,
	OPT_NO_DEFAULT_RULES,
	OPT_LIST_RULES,
	OPT_CHECK_RULES,
	OPT_LIST_EVIDENCE,
	OPT_MAX_FLOWS,
	OPT_MAX_PORTS,
	OPT_MAX_MEMORY,
	OPT_FINDINGS,
	OPT_EXPLAIN,
	OPT_FILES_FROM,
	OPT_PER_FILE,
	OPT_SUMMARY,
	OPT_BASELINE,
	OPT_FAIL_ON,
	OPT_EMIT_EVIDENCE,
	OPT_DB,
	OPT_EXPORT_CSV,
};

struct cli_option {
	const char *name;
	int has_arg;
	int val;
	const char *arg;	/* argument name for --help, NULL if none */
	const char *help;
};

static const struct cli_option options[] = {
	{ "format", required_argument, 'f', "FMT",
	    "output format: text (default), csv, json, xml (nmap -oX), "
	    "grep (nmap -oG)" },
	{ "output", required_argument, 'o', "FILE",
	    "write results to FILE instead of standard output" },
	{ "findings", required_argument, OPT_FINDINGS, "FILE",
	    "also write the findings to FILE as CSV" },
	{ "explain", optional_argument, OPT_EXPLAIN, "[=HOST[:PORT]]",
	    "instead of the report: each port's probes and replies, the rule "
	    "that chose its state and its findings" },
	{ "files-from", required_argument, OPT_FILES_FROM, "FILE",
	    "also read the captures listed in FILE, one path a line "
	    "(- for standard input)" },
	{ "per-file", no_argument, OPT_PER_FILE, NULL,
	    "one report per capture, labelled with its path, instead of one "
	    "time-ordered stream" },
	{ "jobs", required_argument, 'j', "N",
	    "with --per-file, analyse N captures at once (same output as -j 1)" },
	{ "summary", no_argument, OPT_SUMMARY, NULL,
	    "end with a run summary: captures, packets, probes, hosts, ports "
	    "per state, findings per severity" },
	{ "baseline", required_argument, OPT_BASELINE, "FILE",
	    "compare with an earlier CSV or XML result, or a CSV policy; print "
	    "the differences and exit 1 when there are any" },
	{ "fail-on", required_argument, OPT_FAIL_ON, "SEVERITY",
	    "exit 2 when a finding of SEVERITY (info, low, medium, high) or "
	    "above is raised" },
	{ "emit-evidence", required_argument, OPT_EMIT_EVIDENCE, "FILE",
	    "instead of the report, write the run's evidence to FILE for a "
	    "later 'portsleuth merge' (map step of a split analysis)" },
	{ "db", required_argument, OPT_DB, "FILE",
	    "also store the run in the SQLite database FILE (created if "
	    "missing): captures, port rows, findings; captures already in it "
	    "are skipped" },
	{ "export-csv", required_argument, OPT_EXPORT_CSV, "DIR",
	    "with --db and no capture: write each table of the database to "
	    "DIR as CSV, with schema.sql and load.sql for PostgreSQL, and exit" },
	{ "filter", required_argument, OPT_FILTER, "EXPR",
	    "only read packets matching the BPF expression (tcpdump syntax)" },
	{ "timeout", required_argument, OPT_TIMEOUT, "TIME",
	    "reply window after a probe's last try, e.g. 10s, 500ms "
	    "(default 10s: nmap's --max-rtt-timeout ceiling)" },
	{ "rules", required_argument, OPT_RULES, "FILE",
	    "load rules from FILE after the defaults (repeatable); "
	    "same-named rules replace earlier ones" },
	{ "no-default-rules", no_argument, OPT_NO_DEFAULT_RULES, NULL,
	    "do not load the installed default rules" },
	{ "list-rules", no_argument, OPT_LIST_RULES, NULL,
	    "print the loaded rules in evaluation order and exit" },
	{ "check-rules", required_argument, OPT_CHECK_RULES, "FILE",
	    "validate a rule file; print file:line:col: errors; exit" },
	{ "list-evidence", no_argument, OPT_LIST_EVIDENCE, NULL,
	    "print the evidence names rules can use, per scope, and exit" },
	{ "max-memory", required_argument, OPT_MAX_MEMORY, "SIZE",
	    "memory for the tables that grow with the input, e.g. 512M, 2G "
	    "(default: half the machine's memory; 0: no limit); past it new "
	    "ports and hosts are "
	    "dropped with a warning and the results marked partial" },
	{ "max-flows", required_argument, OPT_MAX_FLOWS, "N",
	    "pairing table slots (default: 262144, fewer when --max-memory "
	    "is below 192M, doubling when full within an eighth of "
	    "--max-memory); probes beyond are dropped and the results marked "
	    "partial" },
	{ "max-ports", required_argument, OPT_MAX_PORTS, "N",
	    "most port records kept (default 16777216, and as many as "
	    "--max-memory allows)" },
	{ "verbose", no_argument, 'v', NULL,
	    "print decode and pairing counters on standard error" },
	{ "quiet", no_argument, 'q', NULL, "print no warnings" },
	{ "help", no_argument, 'h', NULL, "show this help and exit" },
	{ "version", no_argument, 'V', NULL, "show the version and exit" },
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

/* "  LEFT  help words..." wrapped at 79 columns under a 29-column gutter. */
static void
wrap(FILE *fp, const char *left, const char *help)
{
	const char *w = help, *end;
	size_t col;

	fprintf(fp, "  %-26s", left);
	col = 2 + (strlen(left) > 26 ? strlen(left) : 26);
	if (strlen(left) > 26) {
		fputc('\n', fp);
		fprintf(fp, "%28s", "");
		col = 28;
	}
	while (*w != '\0') {
		end = strchr(w, ' ');
		if (end == NULL)
			end = w + strlen(w);
		if (col + 1 + (size_t)(end - w) > 79) {
			fprintf(fp, "\n%28s", "");
			col = 28;
		}
		fprintf(fp, " %.*s", (int)(end - w), w);
		col += 1 + (size_t)(end - w);
		w = *end ? end + 1 : end;
	}
	fputc('\n', fp);
}

void
cli_usage(FILE *fp)
{
	size_t i;
	char left[64];

	fprintf(fp, "usage: portsleuth [options] CAPTURE...\n"
	    "       portsleuth merge [options] EVIDENCE...\n"
	    "Read pcap/pcapng captures (\"-\" for standard input; several "
	    "files are\nmerged by time) and report, per probed port, the "
	    "state and reason nmap\nwould have printed, and what filters it. "
	    "'merge' reads evidence files written\nby --emit-evidence instead, "
	    "as one run over their captures.\n\nOptions:\n");
	for (i = 0; i < NOPTIONS; i++) {
		const struct cli_option *o = &options[i];

		if (o->val < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->val,
			    o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			    o->arg && o->arg[0] != '[' ? " " : "",
			    o->arg ? o->arg : "");
		wrap(fp, left, o->help);
	}
	fprintf(fp, "\nExit status: 0 ok, 64 usage error, 65 input not a "
	    "capture, truncated or corrupt\n(partial results written), 66 "
	    "cannot open input, 70 internal error, 73 cannot\ncreate output, "
	    "74 write error, 75 --db file locked, 78 bad rule file. See\n"
	    "portsleuth(1) and portsleuth-rules(5).\n");
}

/* "10s", "500ms", "2m", "1.5s"; a bare number is milliseconds. */
static int
parse_duration(const char *s, uint64_t *ns)
{
	char *end;
	double v;
	double mult = 1e6;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || v < 0)
		return -1;
	if (strcmp(end, "ms") == 0 || *end == '\0')
		mult = 1e6;
	else if (strcmp(end, "s") == 0)
		mult = 1e9;
	else if (strcmp(end, "m") == 0)
		mult = 60e9;
	else if (strcmp(end, "us") == 0)
		mult = 1e3;
	else
		return -1;
	if (v * mult > 1e18)
		return -1;
	*ns = (uint64_t)(v * mult);
	return 0;
}

static int
parse_count(const char *s, uint32_t min, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min ||
	    v > 0x7fffffffull || s[0] == '-')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* "512M", "2G", "64MiB", "1048576" (bytes); K, M, G, T are powers of 1024. */
static int
parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	const char *u;
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	if (*end != '\0') {
		int ch = end[0] & ~0x20;

		if (ch == 0 || (u = strchr(units, ch)) == NULL)
			return -1;
		shift = 10 * (int)(u - units + 1);
		end++;
		if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0)
			end += strlen(end);
		if (*end != '\0')
			return -1;
	}
	if (v > (UINT64_MAX >> 1) >> shift)
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int
cli_set(struct cli *c, int val, const char *arg, char *err, size_t errlen)
{
	uint32_t n;

	switch (val) {
	case 'f':
		if (out_find(arg) == NULL) {
			snprintf(err, errlen, "unknown output format '%s' "
			    "(text, csv, json, xml, grep)", arg);
			return -1;
		}
		c->format = arg;
		return 0;
	case 'o':
		c->output = arg;
		return 0;
	case OPT_FILTER:
		c->filter = arg;
		return 0;
	case OPT_FINDINGS:
		c->findings_file = arg;
		return 0;
	case OPT_EMIT_EVIDENCE:
		c->emit = arg;
		return 0;
	case OPT_FILES_FROM:
		c->lists = xreallocarray(c->lists, c->nlists + 1,
		    sizeof(*c->lists));
		c->lists[c->nlists++] = arg;
		return 0;
	case OPT_PER_FILE:
		c->per_file = true;
		return 0;
	case 'j':
		if (parse_count(arg, 1, &n) != 0 || n > 256) {
			snprintf(err, errlen, "bad -j '%s' (1 to 256)", arg);
			return -1;
		}
		c->jobs = n;
		return 0;
	case OPT_SUMMARY:
		c->summary = true;
		return 0;
	case OPT_BASELINE:
		c->baseline = arg;
		return 0;
	case OPT_FAIL_ON:
		if ((c->fail_on = severity_from_name(arg)) < 0) {
			snprintf(err, errlen, "bad --fail-on '%s' (info, low, "
			    "medium, high)", arg);
			return -1;
		}
		return 0;
	case OPT_DB:
		c->db = arg;
		return 0;
	case OPT_EXPORT_CSV:
		c->action = ACT_DB_EXPORT;
		c->export_dir = arg;
		return 0;
	case OPT_EXPLAIN:
		c->explain = true;
		c->explain_arg = arg;
		return 0;
	case OPT_TIMEOUT:
		if (parse_duration(arg, &c->timeout_ns) != 0 ||
		    c->timeout_ns == 0) {
			snprintf(err, errlen, "bad --timeout '%s' (e.g. 10s, "
			    "500ms)", arg);
			return -1;
		}
		c->timeout_set = true;
		return 0;
	case OPT_RULES:
		c->rule_files = xreallocarray(c->rule_files,
		    c->nrule_files + 1, sizeof(*c->rule_files));
		c->rule_files[c->nrule_files++] = arg;
		return 0;
	case OPT_NO_DEFAULT_RULES:
		c->no_default_rules = true;
		return 0;
	case OPT_LIST_RULES:
		c->action = ACT_LIST_RULES;
		return 0;
	case OPT_CHECK_RULES:
		c->action = ACT_CHECK_RULES;
		c->check_file = arg;
		return 0;
	case OPT_LIST_EVIDENCE:
		c->action = ACT_LIST_EVIDENCE;
		return 0;
	case OPT_MAX_FLOWS:
	case OPT_MAX_PORTS:
		if (parse_count(arg, 16, val == OPT_MAX_FLOWS ? &c->max_flows :
		    &c->max_ports) != 0) {
			snprintf(err, errlen, "bad --%s '%s' (a number >= 16)",
			    val == OPT_MAX_FLOWS ? "max-flows" : "max-ports",
			    arg);
			return -1;
		}
		return 0;
	case OPT_MAX_MEMORY:
		if (parse_size(arg, &c->max_memory) != 0 ||
		    (c->max_memory != 0 && c->max_memory < TUN_MIN_MEMORY)) {
			snprintf(err, errlen, "bad --max-memory '%s' (e.g. 512M, "
			    "2G; at least %lluM, or 0 for no limit)", arg,
			    (unsigned long long)(TUN_MIN_MEMORY >> 20));
			return -1;
		}
		return 0;
	case 'v':
		c->verbose++;
		return 0;
	case 'q':
		c->quiet = true;
		return 0;
	default:
		snprintf(err, errlen, "try 'portsleuth --help'");
		return -1;
	}
}

/* Default --max-memory: half the physical memory (TUN_MAX_MEMORY if unknown). */
static uint64_t
default_max_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	uint64_t half;

	if (pages <= 0 || size <= 0)
		return TUN_MAX_MEMORY;
	half = (uint64_t)pages * (uint64_t)size / 2;
	return half < TUN_MIN_MEMORY ? TUN_MIN_MEMORY : half;
}

/* Options that cannot go together. */
static int
cli_check(const struct cli *c, char *err, size_t errlen)
{
	const char *clash = NULL;

	if (c->action == ACT_MERGE) {
		if (c->ninputs == 0 && c->nlists == 0)
			clash = "merge needs evidence files";
		else if (c->filter != NULL || c->timeout_set)
			clash = "--filter and --timeout apply when evidence is "
			    "made (--emit-evidence), not to merge";
		else if (c->per_file || c->db != NULL)
			clash = "merge makes one report (no --per-file, --db)";
	}
	if (c->emit != NULL && (c->per_file || c->explain || c->output ||
	    c->findings_file || c->baseline || c->summary || c->fail_on >= 0 ||
	    c->db != NULL))
		clash = "--emit-evidence writes evidence instead of a report: "
		    "no --per-file, --explain, -o, --findings, --baseline, "
		    "--summary, --fail-on or --db with it";
	else if (c->action == ACT_MERGE && c->explain)
		clash = "--explain needs the packets: run it on the captures";
	if (clash == NULL)
		return 0;
	snprintf(err, errlen, "%s", clash);
	return -1;
}

enum cli_result
cli_parse(int argc, char **argv, struct cli *c, char *err, size_t errlen)
{
	struct option longopts[NOPTIONS + 1];
	char shortopts[3 * NOPTIONS + 2], *sp = shortopts;
	size_t i;
	int ch;

	memset(c, 0, sizeof(*c));
	if (argc > 1 && strcmp(argv[1], "merge") == 0) {
		c->action = ACT_MERGE;
		argc--;
		argv++;		/* "merge" stands in for the program name */
	}
	c->format = "text";
	c->timeout_ns = (uint64_t)TUN_PROBE_TIMEOUT_MS * 1000000ull;
	c->max_flows = 0;	/* derived from --max-memory */
	c->max_ports = TUN_MAX_PORTS;
	c->max_memory = default_max_memory();
	c->jobs = 1;
	c->fail_on = -1;
	*sp++ = '+';
	for (i = 0; i < NOPTIONS; i++) {
		longopts[i].name = options[i].name;
		longopts[i].has_arg = options[i].has_arg;
		longopts[i].flag = NULL;
		longopts[i].val = options[i].val;
		if (options[i].val < 256) {
			*sp++ = (char)options[i].val;
			if (options[i].has_arg == required_argument)
				*sp++ = ':';
		}
	}
	*sp = '\0';
	longopts[NOPTIONS].name = NULL;	/* the table's terminator */
	longopts[NOPTIONS].has_arg = 0;
	longopts[NOPTIONS].flag = NULL;
	longopts[NOPTIONS].val = 0;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (ch == 'h') {
			cli_usage(stdout);
			return CLI_EXIT;
		}
		if (ch == 'V') {
			printf("portsleuth %s\n", PACKAGE_VERSION);
			return CLI_EXIT;
		}
		if (ch == '?' || ch == ':') {
			if (optopt != 0)
				snprintf(err, errlen, "bad option '-%c' or "
				    "missing argument; try 'portsleuth --help'",
				    optopt);
			else
				snprintf(err, errlen, "bad option '%s' or "
				    "missing argument; try 'portsleuth --help'",
				    argv[optind - 1]);
			return CLI_ERROR;
		}
		if (cli_set(c, ch, optarg, err, errlen) != 0)
			return CLI_ERROR;
	}
	c->ninputs = (size_t)(argc - optind);
	c->inputs = xcalloc(c->ninputs + 1, sizeof(*c->inputs));
	for (i = 0; i < c->ninputs; i++)
		c->inputs[i] = argv[optind + (int)i];
	if (c->action == ACT_ANALYZE && c->ninputs == 0 && c->nlists == 0) {
		snprintf(err, errlen, "no capture file given (use - for "
		    "standard input); try 'portsleuth --help'");
		return CLI_ERROR;
	}
	if (cli_check(c, err, errlen) != 0)
		return CLI_ERROR;
	if (c->action == ACT_DB_EXPORT && (c->db == NULL || c->ninputs > 0 ||
	    c->nlists > 0)) {
		snprintf(err, errlen, "--export-csv DIR needs --db FILE and "
		    "no capture");
		return CLI_ERROR;
	}
	/* -j N analyses share --max-memory; each has its own table. */
	if (c->max_memory != 0 && c->max_flows != 0 &&
	    (uint64_t)c->max_flows * TUN_COST_FLOW_SLOT >
	    c->max_memory / 2 / (c->per_file ? c->jobs : 1)) {
		snprintf(err, errlen, "--max-flows %u needs %lluM, more than "
		    "half of --max-memory%s: raise --max-memory", c->max_flows,
		    (unsigned long long)(((uint64_t)c->max_flows *
		    TUN_COST_FLOW_SLOT) >> 20) + 1,
		    c->per_file && c->jobs > 1 ? " / -j" : "");
		return CLI_ERROR;
	}
	if (c->ninputs > TUN_MAX_INPUTS) {
		snprintf(err, errlen, "too many capture files (at most %u)",
		    TUN_MAX_INPUTS);
		return CLI_ERROR;
	}
	return CLI_RUN;
}

void
cli_free(struct cli *c)
{
	free(c->rule_files);
	free(c->inputs);
	free(c->lists);
	c->lists = NULL;
	c->rule_files = NULL;
	c->inputs = NULL;
}
