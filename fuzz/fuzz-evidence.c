/*
 * fuzz-evidence.c -- libFuzzer harness: evidence files (evfile.h,
 * doc/evidence-format.md) through both paths of `portsleuth merge`:
 * merge_report() (evset_open/evset_next, analyzer_replay(), default rules,
 * results) and merge_emit() (one merged evidence file), whose output is
 * then read back.
 *
 * Input: a 6-byte prefix, then the bytes of 1 to 3 files.
 *
 *   byte 0  bits 0-1  files: 1, 2, 3, or 3 with the first given again
 *           bits 2-3  what each file's bytes are:
 *             0  whole files, used as they are (magic, version, footer and
 *                checksum checks; nearly every mutation stops there)
 *             1  files without their footer: the harness finds the trailer
 *                (the last 'E' from which a whole trailer parses to the
 *                end; if none, it appends one as in mode 3) and appends a
 *                footer with its offset and the right CRC-32
 *             2  records only: the harness writes the header (--timeout
 *                from bits 4-5) and appends a trailer and the footer
 *             3  header and records: the harness appends trailer and footer
 *           bits 4-5  mode 2's --timeout: 10 s, 0, 7 ns, 2^64 - 1 ns
 *           bit 6     the harness's trailers are extreme: 2^63 packets
 *                     (two files sum to 0 in 64 bits), other counters near
 *                     2^64, 255 decode counters, 2^32 - 1 captures, partial
 *           bit 7     the harness's trailers list two inputs: a path with
 *                     a NUL byte (size all ones) and one of 4096 bytes
 *   byte 1  bit 0     small tables: 16 flow slots, 16 ports, 64 KiB budget
 *   bytes 2-3, 4-5    where the files are cut (little-endian offsets into
 *                     the rest, clamped to its length, in either order)
 *
 * A harness trailer has the time span of the records (a walk over them
 * that stops at the first record it cannot size), one packet per 'P'
 * record and one input. The files are written to a private temporary
 * directory, $TMPDIR/fuzz-evidence.PID.XXXXXX (evidence is read by path,
 * with fseeko), removed at exit; after a crash (libFuzzer exits without
 * atexit handlers) the next harness process removes it.
 *
 * Oracles (abort, a real bug):
 * - merge_report() and merge_emit() fail alike (same job status) or
 *   succeed alike;
 * - a failure prints exactly one line, "portsleuth: PATH: ... byte N ...",
 *   naming one of the files and an offset within it; a success prints
 *   nothing (the harness points stdio's stderr at a memory stream around
 *   each call: glibc lets the variable be assigned, and sanitizer reports,
 *   written to file descriptor 2 directly, still reach the terminal);
 * - a failed merge_emit() leaves no output file; a successful one leaves a
 *   file that evset_open() accepts, that merge_report() turns into the
 *   same results (status, summary, every row, every finding), and that
 *   merge_emit() copies byte for byte (a merged file merged alone is
 *   itself);
 * - the packet, capture and malformed counts of a merge are at least those
 *   of any trailer the harness wrote (sums do not wrap around).
 * Results are checked and written like the other harnesses'
 * (fuzz_write_all()).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* open_memstream() */
#endif
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "addr.h"
#include "analyzer.h"
#include "batch.h"
#include "evfile.h"
#include "fuzz.h"
#include "merge.h"
#include "results.h"

#define PREFIX_LEN   6
#define MAX_FILES    3
#define HDR_LEN      24
#define TRAILER_MIN  43		/* 'E' .. decode count, input count */
#define MAX_PATH_LEN 4096u
#define E_CANDIDATES 64		/* 'E' bytes tried, from the end */

static const uint64_t timeouts[4] = { 10000000000ull, 0, 7, UINT64_MAX };

static char dir[PATH_MAX];
static char in_path[MAX_FILES][PATH_MAX + 32];
static char out_path[PATH_MAX + 32], out2_path[PATH_MAX + 32];

static const char *const file_names[] = { "in0.psev", "in1.psev",
	"in2.psev", "out.psev", "out2.psev" };

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static _Noreturn void
fail(const char *what, long v)
{
	fprintf(stderr, "fuzz-evidence: %s (%ld)\n", what, v);
	abort();
}

static void
b_put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->n + n)
			cap *= 2;
		if ((b->p = realloc(b->p, cap)) == NULL)
			fail("out of memory", (long)cap);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void
b_le(struct buf *b, uint64_t v, int bytes)
{
	uint8_t x[8];
	int i;

	for (i = 0; i < bytes; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	b_put(b, x, (size_t)bytes);
}

static uint64_t
le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Does p[0..n) hold exactly one trailer record? */
static int
trailer_at(const uint8_t *p, size_t n)
{
	size_t pos;
	uint64_t nin, i, len;

	if (n < TRAILER_MIN || p[0] != 'E')
		return 0;
	pos = 39 + (size_t)p[38] * 8;
	if (pos + 4 > n)
		return 0;
	nin = le(p + pos, 4);
	pos += 4;
	for (i = 0; i < nin; i++) {
		if (pos + 2 > n)
			return 0;
		len = le(p + pos, 2);
		pos += 2;
		if (len > MAX_PATH_LEN || len + 8 > n - pos)
			return 0;
		pos += len + 8;
	}
	return pos == n;
}

/* Offset of the trailer in p[0..n), or n when none is found. */
static size_t
find_trailer(const uint8_t *p, size_t n)
{
	size_t i, tries = 0;

	if (n < HDR_LEN + TRAILER_MIN)
		return n;
	for (i = n - TRAILER_MIN + 1; i-- > HDR_LEN && tries < E_CANDIDATES;) {
		if (p[i] != 'E')
			continue;
		tries++;
		if (trailer_at(p + i, n - i))
			return i;
	}
	return n;
}

/* Time span and packet count of the records of p[0..n), as far as sized. */
static void
walk(const uint8_t *p, size_t n, uint64_t *first, uint64_t *last,
    uint64_t *npkt)
{
	size_t pos = 0, len;
	uint64_t ts;

	*first = *last = *npkt = 0;
	while (pos < n) {
		switch (p[pos]) {
		case 'H':
			len = 17;
			break;
		case 'P':
			if (n - pos < 27)
				return;
			if (p[pos + 22] == 6) {
				if (n - pos < 46)
					return;
				len = 46 + (size_t)p[pos + 45];
			} else {
				len = p[pos + 22] == 17 ? 31 : 46;
			}
			break;
		case 'K':
			len = 22;
			break;
		case 'T':
			len = 9;
			break;
		default:
			return;
		}
		if (len > n - pos)
			return;
		if (p[pos] != 'H') {
			ts = le(p + pos + 1, 8);
			if (*first == 0 || ts < *first)
				*first = ts;
			if (ts > *last)
				*last = ts;
			*npkt += p[pos] == 'P';
		}
		pos += len;
	}
}

/* Largest counters of the trailers the harness wrote for this input. */
static uint64_t max_packets;
static uint32_t max_captures;
static bool extreme_used;	/* decode counters near 2^64 */

/* A trailer for the records rec[0..n) of file idx. */
static void
synth_trailer(struct buf *b, uint8_t opt, size_t idx, const uint8_t *rec,
    size_t n)
{
	bool extreme = opt & 64;
	uint64_t first, last, npkt;
	char name[64];
	int k, ndec = extreme ? 255 : DEC_STATUS_COUNT;

	walk(rec, n, &first, &last, &npkt);
	if (extreme) {
		npkt = UINT64_MAX / 2 + 1;
		extreme_used = true;
	}
	if (npkt > max_packets)
		max_packets = npkt;
	max_captures = extreme ? UINT32_MAX : max_captures ? max_captures : 1;
	b_le(b, 'E', 1);
	b_le(b, npkt, 8);
	b_le(b, extreme ? UINT64_MAX - idx : n, 8);
	b_le(b, first, 8);
	b_le(b, last, 8);
	b_le(b, extreme ? UINT32_MAX : 1, 4);
	b_le(b, extreme, 1);
	b_le(b, (uint64_t)ndec, 1);
	for (k = 0; k < ndec; k++)
		b_le(b, extreme ? UINT64_MAX - (uint64_t)k :
		    k == 0 ? npkt : 0, 8);
	if (opt & 128) {
		static char longp[MAX_PATH_LEN];

		b_le(b, 2, 4);
		k = snprintf(name, sizeof(name), "in%cput-%zu.pcap", '\0',
		    idx);
		b_le(b, (uint64_t)k, 2);
		b_put(b, name, (size_t)k);
		b_le(b, UINT64_MAX, 8);
		memset(longp, 'a' + (int)idx, sizeof(longp));
		b_le(b, sizeof(longp), 2);
		b_put(b, longp, sizeof(longp));
		b_le(b, 0, 8);
	} else {
		b_le(b, 1, 4);
		k = snprintf(name, sizeof(name), "fuzz-%zu.pcap", idx);
		b_le(b, (uint64_t)k, 2);
		b_put(b, name, (size_t)k);
		b_le(b, n, 8);
	}
}

static void
footer(struct buf *b, size_t trailer)
{
	uLong crc = crc32(crc32(0, Z_NULL, 0), b->p, (uInt)b->n);

	b_le(b, trailer, 8);
	b_le(b, crc, 4);
	b_put(b, "PSEN", 4);
}

/* The file for part p[0..n) of the input, as the mode says. */
static void
build(struct buf *b, uint8_t opt, size_t idx, const uint8_t *p, size_t n)
{
	size_t t;

	b->n = 0;
	switch ((opt >> 2) & 3) {
	case 0:
		b_put(b, p, n);
		return;
	case 1:
		b_put(b, p, n);
		t = find_trailer(p, n);
		if (t == n)
			synth_trailer(b, opt, idx, n > HDR_LEN ? p + HDR_LEN :
			    p, n > HDR_LEN ? n - HDR_LEN : 0);
		break;
	case 2:
		b_put(b, "PSLTEVID", 8);
		b_le(b, EVFILE_VERSION, 4);
		b_le(b, 0, 4);
		b_le(b, timeouts[(opt >> 4) & 3], 8);
		b_put(b, p, n);
		t = b->n;
		synth_trailer(b, opt, idx, p, n);
		break;
	default:
		b_put(b, p, n);
		t = n;
		synth_trailer(b, opt, idx, n > HDR_LEN ? p + HDR_LEN : p,
		    n > HDR_LEN ? n - HDR_LEN : 0);
		break;
	}
	footer(b, t);
}

static void
write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *fp = fopen(path, "wb");

	if (fp == NULL || fwrite(p, 1, n, fp) != n || fclose(fp) != 0)
		fail("cannot write a temporary file", errno);
}

static uint8_t *
slurp(const char *path, size_t *n)
{
	struct buf b = { NULL, 0, 0 };
	uint8_t chunk[65536];
	FILE *fp = fopen(path, "rb");
	size_t k;

	if (fp == NULL)
		fail("cannot read the merged file back", errno);
	while ((k = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		b_put(&b, chunk, k);
	fclose(fp);
	*n = b.n;
	return b.p;
}

/* Remove the harness's files and directory d. */
static void
remove_dir(const char *d)
{
	char p[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < sizeof(file_names) / sizeof(file_names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", d, file_names[i]);
		unlink(p);
	}
	rmdir(d);
}

static void
cleanup(void)
{
	remove_dir(dir);
}

/* The directories of harness processes that no longer run (crashed). */
static void
remove_stale(const char *tmp)
{
	static const char pfx[] = "fuzz-evidence.";
	char p[PATH_MAX], *end;
	struct dirent *de;
	DIR *dp;
	long pid;

	if ((dp = opendir(tmp)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (strncmp(de->d_name, pfx, sizeof(pfx) - 1) != 0)
			continue;
		pid = strtol(de->d_name + sizeof(pfx) - 1, &end, 10);
		if (pid <= 0 || *end != '.' || kill((pid_t)pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", tmp, de->d_name) <
		    (int)sizeof(p))
			remove_dir(p);
	}
	closedir(dp);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	size_t i;

	fuzz_setup(*argc > 0 ? (*argv)[0] : NULL);
	(void)fuzz_default_rules();
	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	remove_stale(tmp);
	snprintf(dir, sizeof(dir), "%s/fuzz-evidence.%ld.XXXXXX", tmp,
	    (long)getpid());
	if (mkdtemp(dir) == NULL)
		fail("mkdtemp failed", errno);
	for (i = 0; i < MAX_FILES; i++)
		snprintf(in_path[i], sizeof(in_path[i]), "%s/in%zu.psev", dir,
		    i);
	snprintf(out_path, sizeof(out_path), "%s/out.psev", dir);
	snprintf(out2_path, sizeof(out2_path), "%s/out2.psev", dir);
	atexit(cleanup);
	return 0;
}

static bool
failed(enum job_status st)
{
	return st != JOB_OK && st != JOB_PARTIAL;
}

/* ---- what the merge prints on stderr ---- */

static FILE *saved_stderr, *cap_fp;
static char *cap_buf;
static size_t cap_len;

static void
capture_begin(void)
{
	if ((cap_fp = open_memstream(&cap_buf, &cap_len)) == NULL)
		fail("open_memstream failed", errno);
	saved_stderr = stderr;
	stderr = cap_fp;
}

/* The text printed since capture_begin() (owned by the caller). */
static char *
capture_end(void)
{
	stderr = saved_stderr;
	if (fclose(cap_fp) != 0)
		fail("cannot close the memory stream", errno);
	return cap_buf;
}

static uint64_t
file_size(const char *path)
{
	FILE *fp = fopen(path, "rb");
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0)
		fail("cannot size a temporary file", errno);
	fclose(fp);
	return (uint64_t)n;
}

static _Noreturn void
bad_message(const char *text, const char *what, long v)
{
	fprintf(stderr, "fuzz-evidence: printed: \"%s\"\n", text);
	fail(what, v);
}

/* One line naming one of paths[] and a byte offset within it, or nothing. */
static void
check_message(char *text, bool bad, const char *const *paths, size_t n)
{
	static const char pfx[] = "portsleuth: ";
	const char *nl = strchr(text, '\n'), *p, *at;
	unsigned long long off;
	size_t i, len = 0;

	if (!bad && text[0] != '\0')
		bad_message(text, "a good merge printed something", 0);
	if (bad && (nl == NULL || nl[1] != '\0' ||
	    strncmp(text, pfx, sizeof(pfx) - 1) != 0))
		bad_message(text, "the error is not one portsleuth: line", 0);
	if (bad) {
		p = text + sizeof(pfx) - 1;
		for (i = 0; i < n; i++) {
			len = strlen(paths[i]);
			if (strncmp(p, paths[i], len) == 0 && p[len] == ':')
				break;
		}
		if (i == n)
			bad_message(text, "the error names no input", 0);
		if ((at = strstr(p + len, " byte ")) == NULL)
			bad_message(text, "the error gives no byte offset", 0);
		off = strtoull(at + 6, NULL, 10);
		if (off > file_size(paths[i]))
			bad_message(text, "the error's byte offset is past the "
			    "end of the file", (long)off);
	}
	free(text);
}

/* The rows of x and y, walked host by host, must agree. */
static void
same_rows(const struct results *x, const struct results *y)
{
	const struct port_row *rx, *ry;
	struct row_iter ix, iy;
	size_t nx, ny, i, at = 0;

	results_iter_init(&ix, x);
	results_iter_init(&iy, y);
	while ((nx = results_iter_host(&ix, &rx)) > 0) {
		ny = results_iter_host(&iy, &ry);
		if (ny != nx)
			fail("merged file: another host's rows", (long)at);
		for (i = 0; i < nx; i++, at++) {
			const struct port_row *r = &rx[i], *s = &ry[i];

			if (!addr_eq(&r->host, &s->host) ||
			    !addr_eq(&r->scanner, &s->scanner) ||
			    r->proto != s->proto || r->port != s->port ||
			    r->state != s->state || r->reason != s->reason ||
			    r->probes != s->probes ||
			    r->responses != s->responses ||
			    r->first_ns != s->first_ns ||
			    r->last_ns != s->last_ns)
				fail("merged file: other row", (long)at);
		}
	}
	if (results_iter_host(&iy, &ry) != 0)
		fail("merged file: more rows", (long)at);
	results_iter_done(&ix);
	results_iter_done(&iy);
}

/* Results of the inputs (x) and of their merged file (y) must agree. */
static void
same_results(const struct job *x, const struct job *y)
{
	const struct run_summary *a = &x->res.summary, *b = &y->res.summary;
	size_t i;

	if (x->status != y->status)
		fail("merged file: other job status", (long)y->status);
	if (a->captures != b->captures || a->packets != b->packets ||
	    a->bytes != b->bytes || a->decoded != b->decoded ||
	    a->malformed != b->malformed || a->first_ns != b->first_ns ||
	    a->last_ns != b->last_ns || a->partial != b->partial ||
	    a->probes != b->probes || a->paired != b->paired ||
	    a->unsolicited != b->unsolicited || a->late != b->late ||
	    a->unmatched_icmp != b->unmatched_icmp ||
	    a->table_drops != b->table_drops || a->hosts != b->hosts ||
	    memcmp(a->ports_by_state, b->ports_by_state,
	    sizeof(a->ports_by_state)) != 0)
		fail("merged file: other summary", 0);
	if (x->res.nrows != y->res.nrows)
		fail("merged file: other number of rows", (long)y->res.nrows);
	same_rows(&x->res, &y->res);
	if (x->res.nfindings != y->res.nfindings)
		fail("merged file: other number of findings",
		    (long)y->res.nfindings);
	for (i = 0; i < x->res.nfindings; i++) {
		const struct finding *f = &x->res.findings[i];
		const struct finding *g = &y->res.findings[i];

		if (strcmp(f->id, g->id) != 0 || f->severity != g->severity ||
		    f->count != g->count || strcmp(f->message, g->message) != 0)
			fail("merged file: other finding", (long)i);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *paths[MAX_FILES + 1], *one[1];
	size_t nfiles, npaths, cut[MAX_FILES + 1], rlen, i, n1, n2;
	struct analyzer_opts ao;
	struct job j1, j2, j3, j4;
	struct buf b = { NULL, 0, 0 };
	const uint8_t *rest;
	uint8_t opt, *m1, *m2;
	struct evset *s;
	bool cannot_open = false;
	char err[512];
	int rc;

	if (size < PREFIX_LEN)
		return 0;
	opt = data[0];
	nfiles = (opt & 3) == 0 ? 1 : (opt & 3) == 1 ? 2 : 3;
	rest = data + PREFIX_LEN;
	rlen = size - PREFIX_LEN;
	cut[0] = 0;
	cut[nfiles] = rlen;
	{
		size_t a = le(data + 2, 2), c = le(data + 4, 2), t;

		a = a < rlen ? a : rlen;
		c = c < rlen ? c : rlen;
		if (a > c) {
			t = a;
			a = c;
			c = t;
		}
		if (nfiles == 2)
			cut[1] = a;
		if (nfiles == 3) {
			cut[1] = a;
			cut[2] = c;
		}
	}
	max_packets = 0;
	max_captures = 0;
	extreme_used = false;
	for (i = 0; i < nfiles; i++) {
		build(&b, opt, i, rest + cut[i], cut[i + 1] - cut[i]);
		write_file(in_path[i], b.p, b.n);
		paths[i] = in_path[i];
	}
	free(b.p);
	npaths = nfiles;
	if ((opt & 3) == 3)
		paths[npaths++] = in_path[0];

	fuzz_analyzer_opts(&ao);
	if (data[1] & 1) {
		ao.flow_slots = 16;
		ao.max_ports = 16;
		ao.max_memory = 1u << 16;
	}
	memset(&j1, 0, sizeof(j1));
	capture_begin();
	merge_report(paths, npaths, &ao, fuzz_default_rules(), &j1);
	check_message(capture_end(), failed(j1.status), paths, npaths);
	if (!failed(j1.status)) {
		fuzz_write_all(&j1.res);
		/* Sums of counters must not wrap around. */
		if (j1.res.summary.packets < max_packets ||
		    j1.res.summary.captures < max_captures)
			fail("the packet or capture count wrapped around", 0);
		if (extreme_used && j1.res.summary.malformed != UINT64_MAX)
			fail("the malformed count wrapped around", 0);
	}

	unlink(out_path);
	memset(&j2, 0, sizeof(j2));
	capture_begin();
	rc = merge_emit(paths, npaths, out_path, &j2);
	check_message(capture_end(), failed(j2.status) || rc != 0, paths,
	    npaths);
	if (failed(j1.status) != failed(j2.status) ||
	    (failed(j1.status) && j1.status != j2.status))
		fail("merge_report and merge_emit disagree on the input",
		    (long)j2.status);
	if (failed(j2.status) || rc != 0) {
		if (rc != 0 && !failed(j2.status))
			fail("merge_emit could not write its output", rc);
		if (access(out_path, F_OK) == 0)
			fail("merge_emit left an output from bad evidence", 0);
		results_free(&j1.res);
		return 0;
	}
	if (access(out_path, F_OK) != 0)
		fail("merge_emit succeeded without an output", errno);

	one[0] = out_path;
	err[0] = '\0';
	if ((s = evset_open(one, 1, &cannot_open, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz-evidence: %s\n", err);
		fail("the merged file is not valid evidence", 0);
	}
	evset_close(s);
	memset(&j3, 0, sizeof(j3));
	merge_report(one, 1, &ao, fuzz_default_rules(), &j3);
	if (failed(j3.status))
		fail("the merged file does not replay", (long)j3.status);
	same_results(&j1, &j3);

	unlink(out2_path);
	memset(&j4, 0, sizeof(j4));
	if (merge_emit(one, 1, out2_path, &j4) != 0 || failed(j4.status))
		fail("the merged file does not merge", (long)j4.status);
	m1 = slurp(out_path, &n1);
	m2 = slurp(out2_path, &n2);
	if (n1 != n2 || memcmp(m1, m2, n1) != 0)
		fail("the merged file merged alone is not itself", (long)n2);
	free(m1);
	free(m2);
	results_free(&j1.res);
	results_free(&j3.res);
	return 0;
}
