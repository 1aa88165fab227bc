/*
 * fuzz-zio.c -- libFuzzer harness: bytes as an input file of any kind
 * (gzip, bzip2, xz, zstd, concatenated members, trailing garbage, plain)
 * through zio_open() and zio_is_capture(), read back through the stdio
 * stream the way libpcap reads it, then, when they start a capture, handed
 * to libpcap as reader.c does.
 *
 * The bytes go to a memfd opened by path (/proc/self/fd/N) or, for inputs
 * whose last byte is odd, through a pipe on standard input as "-" (the
 * non-seekable path: the magic is read ahead and replayed). Reads use
 * varying sizes (from a hash of the input) mixed with fgetc() and ftell().
 * Oracles: zio_open() fails only with "path: reason"; ftell() is the count
 * of bytes read; once a read fails, info.error holds a reason and every
 * later read fails too; a read never returns more than asked; the first
 * four decompressed bytes decide zio_is_capture() as zio_capture_magic()
 * says. Output is capped at FUZZ_ZIO_MAX_OUT bytes per input, so a
 * decompression bomb costs time, not a timeout.
 *
 * With FUZZ_ZIO_SEEDS=DIR in the environment the harness first writes
 * seeds there, compressed with the libraries themselves: a small capture
 * in each format, two members or frames back to back, an empty member,
 * trailing garbage and zero padding, xz stream padding, a zstd skippable
 * frame, truncated streams.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* memfd_create(), F_SETPIPE_SZ */
#endif
#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "decode.h"
#include "fuzz.h"
#include "zio.h"

#define FUZZ_ZIO_MAX_OUT (8u << 20)
#define SEED_MAX (1u << 20)

static int memfd = -1;
static char mempath[64];
static unsigned char *outbuf;

static void fail(const char *what);
static void write_all(int fd, const uint8_t *p, size_t n);
static void check_stream(const char *path, const uint8_t *data, size_t size);
static void check_sniff(const char *path, const uint8_t *data, size_t size);
static void write_seeds(const char *dir);

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz-zio: %s\n", what);
	abort();
}

static void
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			fail("write to the memfd or pipe failed");
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Read the whole stream with varied calls and check the invariants. */
static void
check_stream(const char *path, const uint8_t *data, size_t size)
{
	struct zio_info info;
	char err[256];
	uint32_t h = 2166136261u, in_hash = 2166136261u;
	uint32_t out_hash = 2166136261u;
	size_t total = 0, want, got, i;
	FILE *fp;
	long pos;
	int c;

	for (i = 0; i < size && i < 64; i++)
		h = (h ^ data[i]) * 16777619u;
	err[0] = '\0';
	fp = zio_open(path, &info, err, sizeof(err));
	if (fp == NULL) {
		if (strncmp(err, path, strlen(path)) != 0 ||
		    strncmp(err + strlen(path), ": ", 2) != 0 ||
		    err[strlen(path) + 2] == '\0')
			fail("zio_open failed without \"path: reason\"");
		return;
	}
	if (h & 1)	/* as reader.c does: a large buffer set up front */
		setvbuf(fp, NULL, _IOFBF, 1u << 16);
	while (total < FUZZ_ZIO_MAX_OUT) {
		h = h * 1103515245u + 12345u;
		if ((h >> 16) % 8 == 0) {
			if ((c = fgetc(fp)) == EOF)
				break;
			outbuf[0] = (unsigned char)c;
			got = 1;
		} else {
			want = 1 + (h >> 8) % ((h >> 28) < 8 ? 64u : 70000u);
			got = fread(outbuf, 1, want, fp);
			if (got > want)
				fail("fread returned more than asked");
		}
		for (i = 0; i < got; i++)
			out_hash = (out_hash ^ outbuf[i]) * 16777619u;
		total += got;
		if ((h >> 4) % 16 == 0) {
			pos = ftell(fp);
			if (pos < 0 || (size_t)pos != total)
				fail("ftell is not the number of bytes read");
		}
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		if (info.error[0] == '\0' ||
		    memchr(info.error, '\0', sizeof(info.error)) == NULL)
			fail("a read failed without a reason in info.error");
		clearerr(fp);
		if (fread(outbuf, 1, 16, fp) != 0 || !ferror(fp))
			fail("a read after a failure succeeded");
	} else if (total < FUZZ_ZIO_MAX_OUT && info.error[0] != '\0')
		fail("info.error set but the stream ended cleanly");
	if (info.kind != ZIO_PLAIN && info.kind != ZIO_GZIP &&
	    info.kind != ZIO_BZIP2 && info.kind != ZIO_XZ &&
	    info.kind != ZIO_ZSTD)
		fail("info.kind out of range");
	for (i = 0; i < size; i++)
		in_hash = (in_hash ^ data[i]) * 16777619u;
	if (info.kind == ZIO_PLAIN && total < FUZZ_ZIO_MAX_OUT &&
	    !ferror(fp) && (total != size || out_hash != in_hash))
		fail("a plain stream did not read back its bytes");
	fclose(fp);
}

/* zio_is_capture() agrees with the first bytes zio_open() delivers. */
static void
check_sniff(const char *path, const uint8_t *data, size_t size)
{
	struct zio_info info;
	char err[256];
	unsigned char m[4];
	size_t n;
	FILE *fp;
	int r, want;

	(void)data;
	(void)size;
	err[0] = '\0';
	r = zio_is_capture(path, err, sizeof(err));
	fp = zio_open(path, &info, err, sizeof(err));
	if (fp == NULL) {
		if (r != -1)
			fail("zio_is_capture decided a file zio_open refuses");
		return;
	}
	n = fread(m, 1, sizeof(m), fp);
	if (n < sizeof(m) && ferror(fp))
		want = -1;
	else
		want = zio_capture_magic(m, n);
	if (r != want)
		fail("zio_is_capture disagrees with the stream's first bytes");
	if (want == 1) {
		/* Hand the rest to libpcap as reader.c does. */
		char ebuf[PCAP_ERRBUF_SIZE];
		struct pcap_pkthdr *hdr;
		const u_char *bytes;
		pcap_t *pc;
		FILE *fp2;
		int k = 0;

		fclose(fp);
		if ((fp2 = zio_open(path, &info, err, sizeof(err))) == NULL)
			fail("zio_open failed on a second open");
		pc = pcap_fopen_offline_with_tstamp_precision(fp2,
		    PCAP_TSTAMP_PRECISION_NANO, ebuf);
		if (pc == NULL) {
			fclose(fp2);
			return;
		}
		while (k++ < 100000 && pcap_next_ex(pc, &hdr, &bytes) == 1)
			if (hdr->caplen > 0 && bytes == NULL)
				fail("libpcap returned a record without data");
		pcap_close(pc);
		return;
	}
	fclose(fp);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("FUZZ_ZIO_SEEDS");

	fuzz_setup(*argc > 0 ? (*argv)[0] : NULL);
	if ((memfd = memfd_create("fuzz-zio", MFD_CLOEXEC)) == -1)
		fail("memfd_create failed");
	snprintf(mempath, sizeof(mempath), "/proc/self/fd/%d", memfd);
	if ((outbuf = malloc(70000)) == NULL)
		fail("out of memory");
	if (seeds != NULL && seeds[0] != '\0')
		write_seeds(seeds);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int p[2], saved;

	if (ftruncate(memfd, 0) != 0 || lseek(memfd, 0, SEEK_SET) != 0)
		fail("cannot reset the memfd");
	write_all(memfd, data, size);
	if (size > 0 && (data[size - 1] & 1) && size <= (1u << 20)) {
		/* Standard input, a pipe holding all the bytes. */
		if (pipe2(p, O_CLOEXEC) != 0)
			fail("pipe2 failed");
		if (size > 65536 && fcntl(p[1], F_SETPIPE_SZ, (int)size) < 0)
			fail("cannot grow the pipe");
		write_all(p[1], data, size);
		close(p[1]);
		saved = dup(STDIN_FILENO);
		if (saved < 0 || dup2(p[0], STDIN_FILENO) < 0)
			fail("dup2 failed");
		close(p[0]);
		check_stream("-", data, size);
		if (dup2(saved, STDIN_FILENO) < 0)
			fail("cannot restore standard input");
		close(saved);
	} else
		check_stream(mempath, data, size);
	check_sniff(mempath, data, size);
	return 0;
}

/* ---- seeds ---- */

static void
seed(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "wb")) == NULL)
		return;
	if (n > 0)
		fwrite(p, 1, n, fp);
	fclose(fp);
}

/* Compress in[0..n) as kind k into out (room SEED_MAX); its length. */
static size_t
squeeze(enum zio_kind k, const unsigned char *in, size_t n, unsigned char *out)
{
	unsigned int blen = SEED_MAX;
	size_t pos = 0;
	z_stream zs;

	switch (k) {
	case ZIO_GZIP:
		memset(&zs, 0, sizeof(zs));
		if (deflateInit2(&zs, 9, Z_DEFLATED, 31, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			return 0;
		zs.next_in = (unsigned char *)(uintptr_t)in;
		zs.avail_in = (uInt)n;
		zs.next_out = out;
		zs.avail_out = SEED_MAX;
		if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
			deflateEnd(&zs);
			return 0;
		}
		pos = zs.total_out;
		deflateEnd(&zs);
		return pos;
	case ZIO_BZIP2:
		if (BZ2_bzBuffToBuffCompress((char *)out, &blen,
		    (char *)(uintptr_t)in, (unsigned int)n, 1, 0, 0) != BZ_OK)
			return 0;
		return blen;
	case ZIO_XZ:
		if (lzma_easy_buffer_encode(1, LZMA_CHECK_CRC32, NULL, in, n,
		    out, &pos, SEED_MAX) != LZMA_OK)
			return 0;
		return pos;
	case ZIO_ZSTD:
		pos = ZSTD_compress(out, SEED_MAX, in, n, 3);
		return ZSTD_isError(pos) ? 0 : pos;
	default:
		return 0;
	}
}

/* A small capture: the smallest sample, or a minimal pcap. */
static size_t
small_capture(unsigned char *buf)
{
	static const unsigned char minimal[] = {
		0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 1, 0, 0, 0,
	};
	char path[4096];
	size_t n = 0;
	FILE *fp;

#ifdef FUZZ_SRCDIR
	snprintf(path, sizeof(path), "%s/samples/s07_syn_netfw.pcap",
	    FUZZ_SRCDIR);
	if ((fp = fopen(path, "rb")) != NULL) {
		n = fread(buf, 1, SEED_MAX / 4, fp);
		fclose(fp);
	}
#else
	(void)path;
	(void)fp;
#endif
	if (n < sizeof(minimal)) {
		memcpy(buf, minimal, sizeof(minimal));
		n = sizeof(minimal);
	}
	return n;
}

static void
write_seeds(const char *dir)
{
	static const char *const names[] = { "plain", "gz", "bz2", "xz", "zst" };
	static const unsigned char skippable[] = {
		0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'a', 'b', 'c',
	};
	/* Frame header: no flags, window descriptor 0x90 (2^28); one raw
	 * last block of 5 bytes. */
	static const unsigned char big_window_zstd[] = {
		0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x90, 0x29, 0x00, 0x00,
		'h', 'e', 'l', 'l', 'o',
	};
	unsigned char *cap = malloc(SEED_MAX), *z = malloc(SEED_MAX);
	unsigned char *two = malloc(2 * SEED_MAX + 64);
	char name[64];
	size_t ncap, nz, nz2, k;

	if (cap == NULL || z == NULL || two == NULL)
		fail("out of memory");
	ncap = small_capture(cap);
	seed(dir, "plain.pcap", cap, ncap);
	for (k = ZIO_GZIP; k <= ZIO_ZSTD; k++) {
		if ((nz = squeeze((enum zio_kind)k, cap, ncap, z)) == 0)
			continue;
		snprintf(name, sizeof(name), "capture.pcap.%s", names[k]);
		seed(dir, name, z, nz);
		/* Two members back to back, the second a short text. */
		memcpy(two, z, nz);
		nz2 = squeeze((enum zio_kind)k, (const unsigned char *)"tail\n",
		    5, two + nz);
		snprintf(name, sizeof(name), "two.%s", names[k]);
		seed(dir, name, two, nz + nz2);
		/* An empty member first. */
		nz2 = squeeze((enum zio_kind)k, cap, 0, two);
		memcpy(two + nz2, z, nz);
		snprintf(name, sizeof(name), "empty-first.%s", names[k]);
		seed(dir, name, two, nz2 + nz);
		/* Trailing garbage, zero padding, a truncated stream. */
		memcpy(two, z, nz);
		memcpy(two + nz, "garbage!", 8);
		snprintf(name, sizeof(name), "garbage.%s", names[k]);
		seed(dir, name, two, nz + 8);
		memset(two + nz, 0, 8);
		snprintf(name, sizeof(name), "padded.%s", names[k]);
		seed(dir, name, two, nz + 8);
		snprintf(name, sizeof(name), "truncated.%s", names[k]);
		seed(dir, name, z, nz * 2 / 3);
		/* Header only. */
		snprintf(name, sizeof(name), "header.%s", names[k]);
		seed(dir, name, z, nz < 24 ? nz : 24);
	}
	if ((nz = squeeze(ZIO_ZSTD, cap, ncap, z)) > 0) {
		memcpy(two, skippable, sizeof(skippable));
		memcpy(two + sizeof(skippable), z, nz);
		seed(dir, "skippable-first.zst", two, sizeof(skippable) + nz);
	}
	/* Windows above the 128 MiB caps: zstd 2^28, xz LZMA2 4 GiB. */
	seed(dir, "window28.zst", big_window_zstd, sizeof(big_window_zstd));
	if ((nz = squeeze(ZIO_XZ, cap, ncap, z)) > 24 && z[12] < 64) {
		size_t hs = ((size_t)z[12] + 1) * 4, i;
		uint32_t crc;

		for (i = 12 + 2; i + 2 < 12 + hs - 4; i++)
			if (z[i] == 0x21 && z[i + 1] == 0x01) {
				z[i + 2] = 40;
				crc = (uint32_t)crc32(0, z + 12, (uInt)(hs - 4));
				z[12 + hs - 4] = (unsigned char)crc;
				z[12 + hs - 3] = (unsigned char)(crc >> 8);
				z[12 + hs - 2] = (unsigned char)(crc >> 16);
				z[12 + hs - 1] = (unsigned char)(crc >> 24);
				seed(dir, "dict4g.xz", z, nz);
				break;
			}
	}
	seed(dir, "text", "not a capture\n", 14);
	seed(dir, "empty", "", 0);
	free(cap);
	free(z);
	free(two);
}
