/*
 * rulebook.c -- default rule discovery and rule-set assembly.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rulebook.h"
#include "findings.h"
#include "verdict.h"
#include "xmalloc.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/portsleuth"
#endif

/* Filled on first use: the schemas are not constant expressions. */
static struct ev_schema schemas[RULE_SCOPE_COUNT];

static void
schemas_init(void)
{
	int s;

	schemas[RULE_SCOPE_REPLY] = verdict_reply_schema;
	for (s = RULE_SCOPE_PORT; s < RULE_SCOPE_COUNT; s++)
		schemas[s] = *findings_schema((enum rule_scope)s);
}

const struct ev_schema *
rulebook_schemas(void)
{
	schemas_init();
	return schemas;
}
static char default_dir[PATH_MAX];

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *
rulebook_default_dir(void)
{
	const char *env = getenv("PORTSLEUTH_RULES_DIR");
	char exe[PATH_MAX - 16];
	ssize_t n;
	char *slash;

	if (default_dir[0] != '\0')
		return default_dir;
	if (env != NULL && env[0] != '\0') {
		snprintf(default_dir, sizeof(default_dir), "%s", env);
		return default_dir;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(default_dir, sizeof(default_dir),
			    "%s/../rules", exe);
			if (is_dir(default_dir)) {
				char *real = realpath(default_dir, NULL);

				if (real != NULL) {
					snprintf(default_dir,
					    sizeof(default_dir), "%s", real);
					free(real);
				}
				return default_dir;
			}
		}
	}
	snprintf(default_dir, sizeof(default_dir), "%s", PKGDATADIR);
	return is_dir(default_dir) ? default_dir : NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
has_rules_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 6 && strcmp(name + n - 6, ".rules") == 0;
}

/* Load every *.rules file of dir in name order. */
static int
load_dir(struct ruleset *rs, const char *dir, rules_diag_fn diag, void *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, *msg;
	size_t n = 0, i;
	int errors = 0;

	if (d == NULL) {
		msg = xasprintf("%s: cannot read rules directory", dir);
		diag(ctx, msg);
		free(msg);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!has_rules_suffix(de->d_name))
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	if (n == 0) {
		msg = xasprintf("%s: no *.rules files", dir);
		diag(ctx, msg);
		free(msg);
		errors = 1;
	}
	for (i = 0; i < n; i++) {
		errors += ruleset_load_file(rs, names[i], diag, ctx);
		free(names[i]);
	}
	free(names);
	return errors;
}

struct ruleset *
rulebook_load(bool no_defaults, const char *const *files, size_t nfiles,
    rules_diag_fn diag, void *ctx, int *nerrors)
{
	struct ruleset *rs;
	const char *dir;
	size_t i;
	int errors = 0;

	schemas_init();
	rs = ruleset_new(schemas);
	if (!no_defaults) {
		dir = rulebook_default_dir();
		if (dir == NULL) {
			char *msg = xasprintf("%s: default rules not found "
			    "(set PORTSLEUTH_RULES_DIR)", PKGDATADIR);

			diag(ctx, msg);
			free(msg);
			errors++;
		} else
			errors += load_dir(rs, dir, diag, ctx);
	}
	for (i = 0; i < nfiles; i++)
		errors += ruleset_load_file(rs, files[i], diag, ctx);
	*nerrors = errors;
	if (errors > 0) {
		ruleset_free(rs);
		return NULL;
	}
	return rs;
}

static const char *const type_names[] = { "number", "bool", "enum",
	"string" };

void
rulebook_list_evidence(FILE *fp)
{
	int s;
	size_t i;
	const char *const *v;

	schemas_init();
	for (s = 0; s < RULE_SCOPE_COUNT; s++) {
		fprintf(fp, "scope %s:\n", rule_scope_name((enum rule_scope)s));
		if (schemas[s].nfields == 0)
			fprintf(fp, "  (no evidence yet)\n");
		for (i = 0; i < schemas[s].nfields; i++) {
			const struct ev_field *f = &schemas[s].fields[i];

			fprintf(fp, "  %-28s %-7s %s", f->name,
			    type_names[f->type], f->doc);
			if (f->type == EV_ENUM) {
				fprintf(fp, " (");
				for (v = f->values; *v != NULL; v++)
					fprintf(fp, "%s%s", v == f->values ?
					    "" : " ", *v);
				fprintf(fp, ")");
			}
			fputc('\n', fp);
		}
	}
}
