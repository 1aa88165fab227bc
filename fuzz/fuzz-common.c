/*
 * fuzz-common.c -- process-wide setup shared by the harnesses: where the
 * default rules are, a quiet log, one /dev/null stream, the writers.
 *
 * The rules directory is, in order: $PORTSLEUTH_RULES_DIR, FUZZ_SRCDIR/rules
 * (compiled in by run-fuzz.sh), then ../rules and ../../rules from the
 * harness binary. rulebook.c reads $PORTSLEUTH_RULES_DIR, so it is set.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"
#include "out.h"
#include "rulebook.h"

static FILE *devnull;
static const struct ruleset *default_rules;
static char rules_dir[PATH_MAX];

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
try_dir(const char *base, const char *suffix)
{
	int n = snprintf(rules_dir, sizeof(rules_dir), "%s%s", base, suffix);

	return n > 0 && (size_t)n < sizeof(rules_dir) && is_dir(rules_dir);
}

static void
find_rules_dir(const char *argv0)
{
	const char *env = getenv("PORTSLEUTH_RULES_DIR");
	char exe[PATH_MAX], *slash;

	if (env != NULL && env[0] != '\0' && try_dir(env, ""))
		return;
#ifdef FUZZ_SRCDIR
	if (try_dir(FUZZ_SRCDIR, "/rules"))
		return;
#endif
	if (argv0 != NULL && realpath(argv0, exe) != NULL &&
	    (slash = strrchr(exe, '/')) != NULL) {
		*slash = '\0';
		if (try_dir(exe, "/../rules") || try_dir(exe, "/../../rules"))
			return;
	}
	fprintf(stderr, "fuzz: rules directory not found; set "
	    "PORTSLEUTH_RULES_DIR\n");
	abort();
}

void
fuzz_setup(const char *argv0)
{
	if (devnull != NULL)
		return;
	log_level = -1;
	find_rules_dir(argv0);
	setenv("PORTSLEUTH_RULES_DIR", rules_dir, 1);
	if ((devnull = fopen("/dev/null", "w")) == NULL) {
		perror("fuzz: /dev/null");
		abort();
	}
}

const char *
fuzz_rules_dir(void)
{
	return rules_dir;
}

FILE *
fuzz_devnull(void)
{
	return devnull;
}

void
fuzz_diag_null(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static void
diag_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "fuzz: %s\n", msg);
}

const struct ruleset *
fuzz_default_rules(void)
{
	int nerr = 0;

	if (default_rules != NULL)
		return default_rules;
	default_rules = rulebook_load(false, NULL, 0, diag_stderr, NULL,
	    &nerr);
	if (default_rules == NULL) {
		fprintf(stderr, "fuzz: %d error(s) in the default rules of "
		    "%s\n", nerr, rules_dir);
		abort();
	}
	return default_rules;
}

void
fuzz_analyzer_opts(struct analyzer_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ns = FUZZ_TIMEOUT_NS;
	o->flow_slots = FUZZ_FLOW_SLOTS;
	o->max_ports = FUZZ_MAX_PORTS;
}

void
fuzz_write_all(const struct results *res)
{
	struct out_opts oo;
	size_t i;

	memset(&oo, 0, sizeof(oo));
	oo.input_label = "fuzz.pcap";
	for (i = 0; out_formats[i] != NULL; i++) {
		oo.verbose = 0;
		(void)out_formats[i]->write(devnull, res, &oo);
		if (strcmp(out_formats[i]->name, "text") == 0) {
			oo.verbose = 2;
			(void)out_formats[i]->write(devnull, res, &oo);
		}
	}
	(void)out_csv_findings(devnull, res);
	(void)fflush(devnull);
}
