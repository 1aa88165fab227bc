/*
 * fuzz-common.c -- process-wide setup shared by the harnesses: where the
 * default rules are, a quiet log, one /dev/null stream, the writers.
 *
 * The rules directory is, in order: $PORTSLEUTH_RULES_DIR, FUZZ_SRCDIR/rules
 * (compiled in by run-fuzz.sh), then ../rules and ../../rules from the
 * harness binary. rulebook.c reads $PORTSLEUTH_RULES_DIR, so it is set.
 */
#include <dirent.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <sanitizer/asan_interface.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "fuzz.h"
#include "log.h"
#include "out.h"
#include "portstate.h"
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
	fprintf(stderr,
	    "fuzz: rules directory not found; set "
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
	default_rules = rulebook_load(false, NULL, 0, diag_stderr, NULL, &nerr);
	if (default_rules == NULL) {
		fprintf(stderr,
		    "fuzz: %d error(s) in the default rules of "
		    "%s\n",
		    nerr, rules_dir);
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

char *
fuzz_copy_guarded(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);

	if (buf == NULL)
		abort();
	if (size > 0)
		memcpy(buf, data, size);
	buf[size] = '\0';
	ASAN_POISON_MEMORY_REGION(buf + size, 1);
	return buf;
}

void
fuzz_free_guarded(char *buf, size_t size)
{
	ASAN_UNPOISON_MEMORY_REGION(buf + size, 1);
	free(buf);
}

static void
broken(const char *what, size_t i)
{
	fprintf(
	    stderr, "fuzz: results invariant broken: %s (item %zu)\n", what, i);
	abort();
}

/* Row order of results.h: host, protocol, port, scanner. */
static int
row_key_cmp(const struct port_row *x, const struct port_row *y)
{
	int c;

	if ((c = addr_cmp(&x->host, &y->host)) != 0)
		return c;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return addr_cmp(&x->scanner, &y->scanner);
}

/* One row's fields are in range. */
static void
check_row(const struct port_row *r, size_t i)
{
	size_t k;

	if (r->state >= PS_COUNT || (r->proto != 6 && r->proto != 17))
		broken("row state or protocol out of range", i);
	if (r->nkinds == 0 || r->nkinds > PK_COUNT)
		broken("row nkinds out of range", i);
	for (k = 0; k < r->nkinds; k++) {
		if (r->kinds[k].kind >= PK_COUNT ||
		    r->kinds[k].state >= PS_COUNT ||
		    (k > 0 && r->kinds[k - 1].kind >= r->kinds[k].kind))
			broken("row kinds out of range or order", i);
	}
	if (r->nflags > RESULTS_MAX_FLAGS)
		broken("row nflags out of range", i);
	for (k = 0; k < r->nflags; k++)
		if (r->flags[k] == NULL)
			broken("row flag NULL", i);
}

void
fuzz_check_results(const struct results *res)
{
	const struct run_summary *s = &res->summary;
	uint64_t nstate = 0, nsev = 0, hosts = 0;
	const struct port_row *rows;
	struct port_row prev;
	struct row_iter it;
	size_t i = 0, j, k, n;

	memset(&prev, 0, sizeof(prev));

	results_iter_init(&it, res);
	while ((n = results_iter_host(&it, &rows)) > 0) {
		hosts++;
		for (j = 0; j < n; j++, i++) {
			const struct port_row *r = &rows[j];

			if (i > 0 && row_key_cmp(&prev, r) >= 0)
				broken("rows out of order or duplicate row key",
				    i);
			if (j > 0 && !addr_eq(&rows[0].host, &r->host))
				broken("a host's rows name another host", i);
			check_row(r, i);
			prev = *r;
		}
	}
	results_iter_done(&it);
	if (i != res->nrows)
		broken("rows walked differ from nrows", i);
	for (k = 0; k < PS_COUNT; k++)
		nstate += s->ports_by_state[k];
	if (nstate != res->nrows)
		broken("summary ports_by_state does not add up to the rows",
		    res->nrows);
	if (hosts != s->hosts)
		broken("summary hosts is not the number of row hosts",
		    (size_t)s->hosts);
	for (i = 0; i < res->nfindings; i++) {
		const struct finding *f = &res->findings[i];

		if (f->id == NULL || f->rule == NULL || f->message == NULL ||
		    f->evidence == NULL)
			broken("finding with a NULL string", i);
		if (f->severity >= SEV_COUNT || f->scope >= RULE_SCOPE_COUNT)
			broken("finding severity or scope out of range", i);
		if (i > 0 && res->findings[i - 1].has_host < f->has_host)
			broken("host findings not first", i);
		if (i > 0 && f->has_host && res->findings[i - 1].has_host &&
		    addr_cmp(&res->findings[i - 1].host, &f->host) > 0)
			broken("host findings not sorted by host", i);
	}
	for (k = 0; k < 4; k++)
		nsev += s->findings_by_severity[k];
	if (nsev != res->nfindings)
		broken("summary findings_by_severity does not add up",
		    res->nfindings);
	if (s->table_drops > 0 && !s->partial)
		broken("table drops without partial", 0);
	if (results_limited(s) && !s->partial)
		broken("a limit reached without partial", 0);
	if (s->table_drops != s->flow_drops + s->record_drops)
		broken("table_drops is not flow_drops + record_drops", 0);
}

void
fuzz_write_all(const struct results *res)
{
	struct out_opts oo;
	size_t i;

	fuzz_check_results(res);
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
	(void)out_csv_findings(devnull, res, NULL, true);
	(void)out_csv_findings(devnull, res, "fuzz.pcap", false);
	(void)out_summary_text(devnull, &res->summary);
	(void)fflush(devnull);
}

#define MAX_SAMPLES 64

static struct fuzz_sample samples[MAX_SAMPLES];
static size_t nsamples;
static bool samples_loaded;

static void
load_sample(const char *path, const char *name)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	struct fuzz_sample *s;
	pcap_t *pc;

	if (nsamples == MAX_SAMPLES)
		return;
	pc = pcap_open_offline_with_tstamp_precision(
	    path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (pc == NULL)
		return;
	s = &samples[nsamples];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->dlt = pcap_datalink(pc);
	while (pcap_next_ex(pc, &h, &bytes) == 1) {
		struct fuzz_sample_pkt *p;

		s->pkts = realloc(s->pkts, (s->n + 1) * sizeof(*s->pkts));
		if (s->pkts == NULL)
			abort();
		p = &s->pkts[s->n++];
		p->data = malloc(h->caplen ? h->caplen : 1);
		if (p->data == NULL)
			abort();
		memcpy(p->data, bytes, h->caplen);
		p->caplen = h->caplen;
		p->wirelen = h->len;
		p->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull +
		    (uint64_t)h->ts.tv_usec;
	}
	pcap_close(pc);
	if (s->n > 0 && decode_link_supported(s->dlt))
		nsamples++;
}

static int
is_capture_name(const struct dirent *de)
{
	return strstr(de->d_name, ".pcap") != NULL;
}

static int
cmp_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

const struct fuzz_sample *
fuzz_samples(size_t max_bytes, size_t *n)
{
	const char *dir = getenv("FUZZ_SAMPLES_DIR");
	struct dirent **de;
	char path[PATH_MAX];
	struct stat st;
	int i, nde;

	if (samples_loaded) {
		*n = nsamples;
		return samples;
	}
	samples_loaded = true;
#ifdef FUZZ_SRCDIR
	if (dir == NULL)
		dir = FUZZ_SRCDIR "/samples";
#endif
	nde = dir != NULL ? scandir(dir, &de, is_capture_name, cmp_name) : -1;
	for (i = 0; i < nde; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, de[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (size_t)st.st_size <= max_bytes)
			load_sample(path, de[i]->d_name);
		free(de[i]);
	}
	if (nde >= 0)
		free(de);
	*n = nsamples;
	return samples;
}

void
fuzz_sample_run(
    const struct fuzz_sample *s, const struct ruleset *rs, struct results *res)
{
	struct analyzer_opts ao;
	struct reader_packet rp;
	struct analyzer *a;
	size_t i;

	fuzz_analyzer_opts(&ao);
	a = analyzer_new(&ao, rs);
	memset(&rp, 0, sizeof(rp));
	for (i = 0; i < s->n; i++) {
		rp.data = s->pkts[i].data;
		rp.caplen = s->pkts[i].caplen;
		rp.wirelen = s->pkts[i].wirelen;
		rp.ts_ns = s->pkts[i].ts_ns;
		rp.dlt = s->dlt;
		rp.number = i + 1;
		analyzer_packet(a, &rp);
	}
	analyzer_finish(a, false, res);
	res->summary.captures = 1;	/* res owns the analyzer now */
}
