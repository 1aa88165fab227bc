/*
 * fuzz-rules.c -- libFuzzer harness: bytes as a rule file through the
 * lexer, parser and evaluator, against the real evidence schemas.
 *
 * Per input:
 *   1. ruleset_load_buffer() into a fresh set built on the schemas of every
 *      scope, as a run uses them (rulebook_schemas());
 *   2. every loaded rule: rule_print() (own and NULL schema), rule_matches(),
 *      rule_format_message() at several buffer sizes, rule_fields_used(),
 *      over four value vectors sized exactly to the scope (zeros, ones,
 *      extremes with NaN/inf, minus ones), and ruleset_first() per scope;
 *   3. oracles on an input without errors: loading it again replaces every
 *      rule in place (same count, no errors); printing the set and loading
 *      the print gives no errors and prints the same text (round trip);
 *      a message rendered into a short buffer is a prefix of the full one
 *      and the returned length is the full length;
 *   4. an input without errors is also loaded on top of the default rules
 *      (as --rules FILE is) and one small sample capture, chosen by the
 *      input's length, is replayed through an analyzer with that set, so
 *      hostile label, finding and hide rules reach verdicts and findings.
 * An oracle failure prints what differs and aborts.
 *
 * With FUZZ_RULES_DICT=FILE in the environment the harness first writes a
 * libFuzzer dictionary (keywords, operators, every field and value name).
 */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "fuzz.h"
#include "portstate.h"
#include "reader.h"
#include "results.h"
#include "rulebook.h"
#include "rules.h"

#define SAMPLE_MAX_BYTES 32768 /* replay only small captures: speed */
#define NVECTORS         4

static const struct ev_schema *schemas;
static char *defaults[8]; /* default rule files, in name order */
static size_t defaults_len[8], ndefaults;
static const struct fuzz_sample *samples;
static size_t nsamples;

static char *
slurp(const char *path, size_t max, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;

	if (fp == NULL)
		return NULL;
	buf = malloc(max + 1);
	if (buf == NULL)
		abort();
	*len = fread(buf, 1, max, fp);
	fclose(fp);
	return buf;
}

static int
cmp_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
is_rules(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 6 && strcmp(de->d_name + n - 6, ".rules") == 0;
}

/* The default rule files as rulebook.c would read them, kept in memory. */
static void
load_defaults(void)
{
	struct dirent **de;
	char path[4096];
	int i, n;

	n = scandir(fuzz_rules_dir(), &de, is_rules, cmp_name);
	for (i = 0; i < n; i++) {
		if (ndefaults < sizeof(defaults) / sizeof(defaults[0])) {
			snprintf(path, sizeof(path), "%s/%s", fuzz_rules_dir(),
			    de[i]->d_name);
			defaults[ndefaults] =
			    slurp(path, 1u << 20, &defaults_len[ndefaults]);
			if (defaults[ndefaults] != NULL)
				ndefaults++;
		}
		free(de[i]);
	}
	if (n >= 0)
		free(de);
}

static void
dict_word(FILE *fp, const char *w)
{
	fputc('"', fp);
	for (; *w != '\0'; w++)
		if (*w == '"' || *w == '\\')
			fprintf(fp, "\\%c", *w);
		else
			fputc(*w, fp);
	fputs("\"\n", fp);
}

static void
dict_list(FILE *fp, const char *const *v)
{
	for (; *v != NULL; v++)
		dict_word(fp, *v);
}

static void
write_dict(const char *path)
{
	static const char *const words[] = {
		"rule",
		"scope",
		"priority",
		"when",
		"label",
		"reason",
		"rank",
		"finding",
		"severity",
		"message",
		"hide",
		"and",
		"or",
		"not",
		"in",
		"true",
		"false",
		"min",
		"max",
		"abs",
		"==",
		"!=",
		"<=",
		">=",
		"&&",
		"||",
		"{",
		"}",
		"(",
		")",
		";",
		",",
		"<",
		">",
		"+",
		"-",
		"*",
		"/",
		"%",
		"!",
		"#",
		"\"",
		"\\\"",
		"\\n",
		"\\t",
		"\\u",
		"{count}",
		"{ports}",
		"{host}",
		"0.5",
		"-1",
		"1e308",
		"rule r { scope port; when ",
		"; finding f severity high "
		"message \"",
		"rule r { scope reply; label open reason ",
		NULL,
	};
	FILE *fp = fopen(path, "w");
	size_t i;
	int s;

	if (fp == NULL) {
		perror(path);
		return;
	}
	dict_list(fp, words);
	for (s = 0; s < RULE_SCOPE_COUNT; s++) {
		dict_word(fp, rule_scope_name((enum rule_scope)s));
		for (i = 0; i < schemas[s].nfields; i++) {
			const struct ev_field *f = &schemas[s].fields[i];

			dict_word(fp, f->name);
			if (f->type == EV_ENUM)
				dict_list(fp, f->values);
		}
	}
	for (s = 0; s < SEV_COUNT; s++)
		dict_word(fp, severity_name((enum severity)s));
	dict_list(fp, port_state_names);
	for (s = 0; s < RS_COUNT; s++)
		dict_word(fp, reason_name((enum reason)s));
	fclose(fp);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dict = getenv("FUZZ_RULES_DICT");

	fuzz_setup(*argc > 0 ? (*argv)[0] : NULL);
	schemas = rulebook_schemas();
	if (dict != NULL && dict[0] != '\0')
		write_dict(dict);
	load_defaults();
	samples = fuzz_samples(SAMPLE_MAX_BYTES, &nsamples);
	return 0;
}

static size_t
enum_count(const struct ev_field *f)
{
	size_t n = 0;

	while (f->values != NULL && f->values[n] != NULL)
		n++;
	return n;
}

/* Vector k of scope s: 0 zeros, 1 ones, 2 extremes, 3 minus ones. */
static void
fill_values(const struct ev_schema *s, int k, struct ev_value *v)
{
	static const double extreme[] = { NAN, INFINITY, -1e308, 4294967296.5,
		-0.0, 1e-300 };
	size_t i, ne;

	for (i = 0; i < s->nfields; i++) {
		const struct ev_field *f = &s->fields[i];

		v[i].num = 0;
		v[i].str = NULL;
		switch (f->type) {
		case EV_NUM:
			v[i].num = k == 0 ? 0
			    : k == 1      ? 1
			    : k == 3
			    ? -1
			    : extreme[i %
				  (sizeof(extreme) / sizeof(extreme[0]))];
			break;
		case EV_BOOL:
			v[i].num = k == 0 || k == 3 ? 0 : 1;
			break;
		case EV_ENUM:
			ne = enum_count(f);
			v[i].num = k == 0 || ne == 0 ? 0
			    : k == 1                 ? 1 % ne
						     : (double)(ne - 1);
			break;
		case EV_STR:
			v[i].str = k == 0 ? NULL
			    : k == 1      ? ""
			    : k == 2      ? "{host}%s%n\x01\"\\\n}{"
					  : "x";
			break;
		}
	}
}

static void
check_message(const struct rule *r, const struct ev_value *v)
{
	static char full[65536], part[64];
	size_t n, m, cut;

	n = rule_format_message(r, v, full, sizeof(full));
	if (n < sizeof(full) && strlen(full) != n) {
		fprintf(stderr,
		    "fuzz-rules: rule %s: rule_format_message "
		    "returned %zu for %zu characters\n",
		    r->name, n, strlen(full));
		abort();
	}
	for (cut = 0; cut <= sizeof(part); cut += 7) {
		memset(part, 'Z', sizeof(part));
		m = rule_format_message(r, v, part, cut);
		if (m != n) {
			fprintf(stderr,
			    "fuzz-rules: rule %s: length %zu with "
			    "a %zu-byte buffer, %zu with a large one\n",
			    r->name, m, cut, n);
			abort();
		}
		if (cut > 0 && n < sizeof(full) &&
		    (strlen(part) != (n < cut ? n : cut - 1) ||
			strncmp(part, full, strlen(part)) != 0)) {
			fprintf(stderr,
			    "fuzz-rules: rule %s: message cut to "
			    "%zu bytes is not a prefix of the full one\n",
			    r->name, cut);
			abort();
		}
	}
}

static void
exercise(const struct ruleset *rs)
{
	struct ev_value *v[RULE_SCOPE_COUNT][NVECTORS];
	size_t i, n = ruleset_count(rs);
	bool *used;
	int s, k;

	for (s = 0; s < RULE_SCOPE_COUNT; s++)
		for (k = 0; k < NVECTORS; k++) {
			/* Exactly nfields long: ASan sees any field index
			 * past the scope's schema. */
			v[s][k] = malloc(schemas[s].nfields * sizeof(**v[s]));
			if (v[s][k] == NULL && schemas[s].nfields > 0)
				abort();
			fill_values(&schemas[s], k, v[s][k]);
		}
	for (i = 0; i < n; i++) {
		const struct rule *r = ruleset_get(rs, i);
		const struct ev_schema *sc = &schemas[r->scope];

		rule_print(r, sc, fuzz_devnull());
		rule_print(r, NULL, fuzz_devnull());
		used = calloc(sc->nfields ? sc->nfields : 1, sizeof(*used));
		if (used == NULL)
			abort();
		rule_fields_used(r, used, sc->nfields);
		free(used);
		for (k = 0; k < NVECTORS; k++) {
			(void)rule_matches(r, v[r->scope][k]);
			check_message(r, v[r->scope][k]);
		}
	}
	for (s = 0; s < RULE_SCOPE_COUNT; s++)
		for (k = 0; k < NVECTORS; k++) {
			(void)ruleset_first(rs, (enum rule_scope)s, v[s][k]);
			free(v[s][k]);
		}
}

static char *
print_set(const struct ruleset *rs, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	size_t i;

	if (fp == NULL)
		abort();
	for (i = 0; i < ruleset_count(rs); i++)
		rule_print(ruleset_get(rs, i), NULL, fp);
	fclose(fp);
	return buf;
}

static void
diag_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "fuzz-rules: reparse: %s\n", msg);
}

/* Printing is canonical: what rule_print() writes reads back the same. */
static void
check_round_trip(const struct ruleset *rs)
{
	struct ruleset *again;
	char *p1, *p2;
	size_t l1, l2;
	int nerr;

	p1 = print_set(rs, &l1);
	again = ruleset_new(schemas);
	nerr = ruleset_load_buffer(
	    again, "printed.rules", p1, l1, fuzz_diag_null, NULL);
	if (nerr != 0) {
		(void)ruleset_load_buffer(
		    again, "printed.rules", p1, l1, diag_stderr, NULL);
		fprintf(stderr,
		    "fuzz-rules: printed rules do not load back "
		    "(%d errors):\n%s",
		    nerr, p1);
		abort();
	}
	p2 = print_set(again, &l2);
	if (l1 != l2 || memcmp(p1, p2, l1) != 0 ||
	    ruleset_count(again) != ruleset_count(rs)) {
		fprintf(stderr,
		    "fuzz-rules: printed rules do not print back "
		    "the same:\n--- first\n%s--- second\n%s",
		    p1, p2);
		abort();
	}
	free(p1);
	free(p2);
	ruleset_free(again);
}

/* The set as a run with --rules FILE builds it, over one sample capture. */
static void
replay(const char *buf, size_t len)
{
	struct results res;
	struct ruleset *rs;
	size_t i;
	int nerr = 0;

	if (nsamples == 0 || ndefaults == 0)
		return;
	rs = ruleset_new(schemas);
	for (i = 0; i < ndefaults; i++)
		nerr += ruleset_load_buffer(rs, "default.rules", defaults[i],
		    defaults_len[i], fuzz_diag_null, NULL);
	if (nerr != 0)
		abort();
	if (ruleset_load_buffer(
		rs, "fuzz.rules", buf, len, fuzz_diag_null, NULL) != 0) {
		/* Clashes with the defaults (a scope change by name, ...). */
		ruleset_free(rs);
		return;
	}
	fuzz_sample_run(&samples[len % nsamples], rs, &res);
	fuzz_write_all(&res);
	results_free(&res); /* before the set: findings borrow its strings */
	ruleset_free(rs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct ruleset *rs;
	size_t n;
	int nerr;

	rs = ruleset_new(schemas);
	nerr = ruleset_load_buffer(
	    rs, "fuzz.rules", buf, size, fuzz_diag_null, NULL);
	n = ruleset_count(rs);
	exercise(rs);
	if (nerr == 0 && n > 0) {
		if (ruleset_load_buffer(rs, "fuzz.rules", buf, size,
			fuzz_diag_null, NULL) != 0 ||
		    ruleset_count(rs) != n) {
			fprintf(stderr,
			    "fuzz-rules: loading the same rules "
			    "twice fails or changes the count (%zu -> %zu)\n",
			    n, ruleset_count(rs));
			abort();
		}
		exercise(rs);
		check_round_trip(rs);
	}
	ruleset_free(rs);
	if (nerr == 0 && n > 0)
		replay(buf, size);
	return 0;
}
