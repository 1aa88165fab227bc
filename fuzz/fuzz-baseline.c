/*
 * fuzz-baseline.c -- libFuzzer harness: bytes as a --baseline file
 * (portsleuth or nmap XML, a result CSV or a policy CSV) through
 * baseline_parse(), then compared with real results.
 *
 * At start the small sample captures are analysed once with the default
 * rules; their results, plus an empty one, are what baselines are compared
 * with. Per input: parse; on success compare with the results chosen by
 * the input's length and with the next ones (as --per-file compares every
 * capture), then list what the baseline had and no result showed.
 *
 * The bytes are parsed from a copy followed by a poisoned NUL (see
 * fuzz_copy_guarded()): the XML scanner calls strncmp() on the unterminated
 * buffer, which is fine for libc but not for libFuzzer's comparison hook.
 *
 * With FUZZ_BASELINE_SEEDS=DIR in the environment the harness first writes
 * each sample's results there as XML and CSV (seeds in the formats a
 * baseline is normally made of).
 */
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "fuzz.h"
#include "out.h"
#include "results.h"

#define SAMPLE_MAX_BYTES 32768
#define MAX_RESULTS      33

static struct results res[MAX_RESULTS]; /* res[0]: no rows at all */
static size_t nres;

static void
write_seeds(
    const char *dir, const struct fuzz_sample *s, const struct results *r)
{
	const char *const fmts[] = { "xml", "csv" };
	const struct out_ops *ops;
	struct out_opts oo;
	char path[4096];
	FILE *fp;
	size_t i;

	memset(&oo, 0, sizeof(oo));
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		if ((ops = out_find(fmts[i])) == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/result-%s.%s", dir, s->name,
		    fmts[i]);
		if ((fp = fopen(path, "w")) == NULL)
			continue;
		(void)ops->write(fp, r, &oo);
		fclose(fp);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("FUZZ_BASELINE_SEEDS");
	const struct fuzz_sample *s;
	size_t i, n;

	fuzz_setup(*argc > 0 ? (*argv)[0] : NULL);
	s = fuzz_samples(SAMPLE_MAX_BYTES, &n);
	memset(&res[0], 0, sizeof(res[0]));
	nres = 1;
	for (i = 0; i < n && nres < MAX_RESULTS; i++) {
		fuzz_sample_run(&s[i], fuzz_default_rules(), &res[nres]);
		if (seeds != NULL && seeds[0] != '\0')
			write_seeds(seeds, &s[i], &res[nres]);
		nres++;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baseline *b;
	char err[512], *buf;
	size_t first = size % nres;

	err[0] = '\0';
	buf = fuzz_copy_guarded(data, size);
	b = baseline_parse("fuzz.baseline", buf, size, err, sizeof(err));
	fuzz_free_guarded(buf, size);
	if (b == NULL) {
		if (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL) {
			fprintf(stderr,
			    "fuzz-baseline: baseline_parse failed "
			    "without a message\n");
			abort();
		}
		return 0;
	}
	(void)baseline_compare(b, &res[first], fuzz_devnull());
	(void)baseline_compare(b, &res[(first + 1) % nres], fuzz_devnull());
	(void)baseline_compare(b, &res[0], fuzz_devnull());
	(void)baseline_missing(b, fuzz_devnull());
	baseline_free(b);
	return 0;
}
