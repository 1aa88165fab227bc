/*
 * fuzz-merge.c -- libFuzzer harness: several capture files merged by
 * reader.c (reader_open() over paths, reader_next()), checked against a
 * reference merge, then analysed.
 *
 * Input layout: byte 0 picks options, the rest is split at each
 * FUZZ_MERGE_SEP ("\n--PSM--\n") into up to FUZZ_MERGE_MAX files, each
 * written to a memfd and named by /proc/self/fd/N (files may be compressed:
 * reader.c opens them through zio). Byte 0: bits 0-1 a BPF filter (none,
 * "tcp", "udp or icmp or icmp6", "ip6"), bit 2 the first file comes
 * through a pipe on standard input as "-", bit 3 "-" is given a second time
 * (an error the reader reports and skips), bit 4 a missing path is added,
 * bit 5 a directory is added, bit 6 the smallest tables and a 64 KiB
 * memory budget for the analysis.
 *
 * The reference opens each file on its own (zio_open() and libpcap with the
 * same precision and filter), reads every record, and merges by taking,
 * each time, the file whose next record has the smallest (time, index).
 * reader_next() must give the same sequence: input, record number, time,
 * lengths and bytes; the same inputs must be skipped (reader_skipped());
 * reader_partial() must say whether a file ended in a read error;
 * reader_bytes() must add up. The packets then go through an analyzer, and
 * the results are checked and written like fuzz-capture's.
 *
 * With FUZZ_MERGE_SEEDS=DIR in the environment the harness first writes
 * seeds there: pairs and triples of the small sample captures (the split
 * halves of s01 among them), a compressed member, a missing-file option.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* memfd_create(), memmem() */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "analyzer.h"
#include "decode.h"
#include "fuzz.h"
#include "reader.h"
#include "results.h"
#include "zio.h"

#define FUZZ_MERGE_SEP "\n--PSM--\n"
#define FUZZ_MERGE_MAX 6
/* More than the 16-byte records of a max_len input can hold. */
#define REF_MAX_RECORDS 65536u

/* One record of the reference: where it came from and a digest. */
struct ref_rec {
	uint64_t ts_ns;
	uint32_t caplen, wirelen;
	uint32_t digest;
};

struct ref_file {
	bool opened;		/* zio and libpcap accepted it */
	bool read_error;	/* it ended with PCAP_ERROR */
	int dlt;
	size_t n, pos;
	struct ref_rec *recs;
};

static const char *const filters[] = { NULL, "tcp", "udp or icmp or icmp6",
	"ip6" };
static int memfds[FUZZ_MERGE_MAX];
static char mempaths[FUZZ_MERGE_MAX][64];

static void fail(const char *what, size_t i);
static uint32_t digest(const uint8_t *p, uint32_t n);
static void ref_read(struct ref_file *rf, const char *path,
    const char *filter);
static void write_seeds(const char *dir);

static void
fail(const char *what, size_t i)
{
	fprintf(stderr, "fuzz-merge: %s (%zu)\n", what, i);
	abort();
}

static uint32_t
digest(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u, i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* Read one file the way reader.c opens it, without the merge. */
static void
ref_read(struct ref_file *rf, const char *path, const char *filter)
{
	char ebuf[PCAP_ERRBUF_SIZE], err[256];
	struct bpf_program prog;
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_t *pc;
	FILE *fp;
	int rc;

	memset(rf, 0, sizeof(*rf));
	if ((fp = zio_open(path, NULL, err, sizeof(err))) == NULL)
		return;
	pc = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (pc == NULL) {
		fclose(fp);
		return;
	}
	rf->dlt = pcap_datalink(pc);
	if (!decode_link_supported(rf->dlt)) {
		pcap_close(pc);
		return;
	}
	if (filter != NULL) {
		if (pcap_compile(pc, &prog, filter, 1,
		    PCAP_NETMASK_UNKNOWN) != 0)
			fail("a fixed filter does not compile", 0);
		if (pcap_setfilter(pc, &prog) != 0)
			fail("cannot set a fixed filter", 0);
		pcap_freecode(&prog);
	}
	rf->opened = true;
	rf->recs = malloc(REF_MAX_RECORDS * sizeof(*rf->recs));
	if (rf->recs == NULL)
		fail("out of memory", 0);
	while ((rc = pcap_next_ex(pc, &h, &bytes)) == 1) {
		struct ref_rec *r;

		if (rf->n == REF_MAX_RECORDS)
			fail("more records than the reference holds", rf->n);
		r = &rf->recs[rf->n++];

		r->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull +
		    (uint64_t)h->ts.tv_usec;
		r->caplen = h->caplen;
		r->wirelen = h->len;
		r->digest = digest(bytes, h->caplen);
	}
	rf->read_error = rc == PCAP_ERROR;
	pcap_close(pc);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("FUZZ_MERGE_SEEDS");
	size_t i;

	fuzz_setup(*argc > 0 ? (*argv)[0] : NULL);
	(void)fuzz_default_rules();
	for (i = 0; i < FUZZ_MERGE_MAX; i++) {
		if ((memfds[i] = memfd_create("fuzz-merge", MFD_CLOEXEC)) == -1)
			fail("memfd_create failed", i);
		snprintf(mempaths[i], sizeof(mempaths[i]), "/proc/self/fd/%d",
		    memfds[i]);
	}
	if (seeds != NULL && seeds[0] != '\0')
		write_seeds(seeds);
	return 0;
}

static void
fill(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			fail("write failed", n);
		}
		p += w;
		n -= (size_t)w;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = FUZZ_MERGE_SEP;
	const char *paths[FUZZ_MERGE_MAX + 3], *filter;
	struct ref_file ref[FUZZ_MERGE_MAX + 3];
	const uint8_t *part[FUZZ_MERGE_MAX], *p, *end, *s;
	size_t plen[FUZZ_MERGE_MAX], nparts = 0, npaths, i, best, skipped;
	struct reader_packet pkt;
	struct analyzer_opts ao;
	struct results res;
	enum reader_error why;
	struct analyzer *a;
	struct reader *rd;
	uint64_t bytes = 0;
	bool stdin_used = false, any_error = false;
	char err[512];
	int pfd[2] = { -1, -1 }, saved = -1;
	uint8_t opt;

	if (size < 1)
		return 0;
	opt = data[0];
	filter = filters[opt & 3];
	p = data + 1;
	end = data + size;
	while (nparts < FUZZ_MERGE_MAX) {
		s = nparts + 1 < FUZZ_MERGE_MAX ?
		    memmem(p, (size_t)(end - p), sep, sizeof(sep) - 1) : NULL;
		part[nparts] = p;
		plen[nparts] = s != NULL ? (size_t)(s - p) : (size_t)(end - p);
		nparts++;
		if (s == NULL)
			break;
		p = s + sizeof(sep) - 1;
	}
	npaths = 0;
	for (i = 0; i < nparts; i++) {
		if (ftruncate(memfds[i], 0) != 0 ||
		    lseek(memfds[i], 0, SEEK_SET) != 0)
			fail("cannot reset a memfd", i);
		fill(memfds[i], part[i], plen[i]);
		paths[npaths++] = mempaths[i];
	}
	if ((opt & 4) && plen[0] <= 65536) {
		/* The first file through a pipe on standard input. */
		if (pipe2(pfd, O_CLOEXEC) != 0)
			fail("pipe2 failed", 0);
		fill(pfd[1], part[0], plen[0]);
		close(pfd[1]);
		saved = dup(STDIN_FILENO);
		if (saved < 0 || dup2(pfd[0], STDIN_FILENO) < 0)
			fail("dup2 failed", 0);
		close(pfd[0]);
		paths[0] = "-";
		stdin_used = true;
	}
	/* The reference reads the memfds, before the reader does. */
	for (i = 0; i < npaths; i++)
		ref_read(&ref[i], mempaths[i], filter);
	if (stdin_used && (opt & 8)) {
		paths[npaths] = "-";
		memset(&ref[npaths], 0, sizeof(ref[npaths]));
		npaths++;
	}
	if (opt & 16) {
		paths[npaths] = "/nonexistent/fuzz-merge.pcap";
		memset(&ref[npaths], 0, sizeof(ref[npaths]));
		npaths++;
	}
	if (opt & 32) {
		paths[npaths] = "/";
		memset(&ref[npaths], 0, sizeof(ref[npaths]));
		npaths++;
	}
	skipped = 0;
	for (i = 0; i < npaths; i++) {
		if (!ref[i].opened)
			skipped++;
		any_error |= ref[i].read_error;
	}

	err[0] = '\0';
	rd = reader_open(paths, npaths, filter, &why, err, sizeof(err));
	if (rd == NULL)
		fail("reader_open failed with a valid filter", npaths);
	if (reader_skipped(rd) != skipped)
		fail("reader skipped other inputs than the reference",
		    reader_skipped(rd));
	fuzz_analyzer_opts(&ao);
	if (opt & 64) {
		ao.flow_slots = 16;
		ao.max_ports = 16;
		ao.max_memory = 1u << 16;
	}
	a = analyzer_new(&ao, fuzz_default_rules());
	for (;;) {
		/* Reference: the smallest (time, index) next record. */
		best = npaths;
		for (i = 0; i < npaths; i++) {
			if (!ref[i].opened || ref[i].pos >= ref[i].n)
				continue;
			if (best == npaths || ref[i].recs[ref[i].pos].ts_ns <
			    ref[best].recs[ref[best].pos].ts_ns)
				best = i;
		}
		if (reader_next(rd, &pkt) != 1) {
			if (best != npaths)
				fail("the reader ended before the reference",
				    best);
			break;
		}
		if (best == npaths)
			fail("the reader returned a packet past the reference",
			    pkt.input);
		{
			const struct ref_rec *r = &ref[best].recs[ref[best].pos];

			ref[best].pos++;
			if (pkt.input != best || pkt.number != ref[best].pos ||
			    pkt.ts_ns != r->ts_ns || pkt.caplen != r->caplen ||
			    pkt.wirelen != r->wirelen ||
			    pkt.dlt != ref[best].dlt ||
			    (pkt.caplen > 0 && pkt.data == NULL) ||
			    digest(pkt.data, pkt.caplen) != r->digest)
				fail("the merge differs from the reference",
				    best);
		}
		bytes += pkt.caplen;
		analyzer_packet(a, &pkt);
	}
	if (reader_bytes(rd) != bytes)
		fail("reader_bytes does not add up", (size_t)bytes);
	if (reader_partial(rd) != any_error)
		fail("reader_partial disagrees with the reference", 0);
	analyzer_finish(a, reader_partial(rd) || reader_skipped(rd) > 0, &res);
	res.summary.captures = (uint32_t)(npaths - reader_skipped(rd));
	fuzz_write_all(&res);
	results_free(&res);	/* and the analyzer it owns */
	reader_close(rd);
	if (saved >= 0) {
		if (dup2(saved, STDIN_FILENO) < 0)
			fail("cannot restore standard input", 0);
		close(saved);
	}
	for (i = 0; i < npaths; i++)
		free(ref[i].recs);
	return 0;
}

/* ---- seeds ---- */

static size_t
slurp(const char *path, uint8_t *buf, size_t max)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (fp == NULL)
		return 0;
	n = fread(buf, 1, max, fp);
	fclose(fp);
	return n;
}

static void
seed(const char *dir, const char *name, uint8_t opt, const char *const *files,
    size_t nfiles, bool gzip_last)
{
	static uint8_t buf[1 << 16], z[1 << 16];
	char path[4096];
	size_t i, n;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "wb")) == NULL)
		return;
	fputc(opt, fp);
	for (i = 0; i < nfiles; i++) {
		if (i > 0)
			fputs(FUZZ_MERGE_SEP, fp);
		n = slurp(files[i], buf, sizeof(buf));
		if (gzip_last && i + 1 == nfiles) {
			z_stream zs;

			memset(&zs, 0, sizeof(zs));
			if (deflateInit2(&zs, 9, Z_DEFLATED, 31, 8,
			    Z_DEFAULT_STRATEGY) == Z_OK) {
				zs.next_in = buf;
				zs.avail_in = (uInt)n;
				zs.next_out = z;
				zs.avail_out = sizeof(z);
				if (deflate(&zs, Z_FINISH) == Z_STREAM_END) {
					fwrite(z, 1, zs.total_out, fp);
					deflateEnd(&zs);
					continue;
				}
				deflateEnd(&zs);
			}
		}
		fwrite(buf, 1, n, fp);
	}
	fclose(fp);
}

static void
write_seeds(const char *dir)
{
#ifdef FUZZ_SRCDIR
	static const char *const names[] = { "s01_syn_hostfw.pcap",
		"s07_syn_netfw.pcap", "s05_udp_hostfw.pcap",
		"s17_state_change.pcap", "s03_ack_netfw.pcap" };
	const char *files[3];
	char p[5][4096], h1[4096], h2[4096];
	size_t i;

	for (i = 0; i < 5; i++)
		snprintf(p[i], sizeof(p[i]), "%s/samples/%s", FUZZ_SRCDIR,
		    names[i]);
	snprintf(h1, sizeof(h1), "%s/samples/split/s01_part1.pcap",
	    FUZZ_SRCDIR);
	snprintf(h2, sizeof(h2), "%s/samples/split/s01_part2.pcap",
	    FUZZ_SRCDIR);
	files[0] = h2;
	files[1] = h1;
	seed(dir, "split-halves", 0, files, 2, false);
	seed(dir, "split-halves-stdin", 4 | 64, files, 2, false);
	files[0] = p[0];
	files[1] = p[1];
	files[2] = p[2];
	seed(dir, "three", 1, files, 3, false);
	seed(dir, "three-gz", 2 | 16, files, 3, true);
	files[0] = p[3];
	files[1] = p[4];
	seed(dir, "two-dash-twice", 4 | 8 | 32, files, 2, false);
	seed(dir, "one", 3, files, 1, false);
#else
	(void)dir;
	(void)seed;
#endif
}
