/*
 * check_zio.c -- unit tests for the compressed-input module: every codec
 * round-trips through zio_open() from a file and from a pipe on standard
 * input, concatenated members read as one stream, truncated, corrupt and
 * trailing-garbage streams fail the read with a message, the capture
 * sniffer, and libpcap reading a compressed sample capture.
 *
 * The compressed inputs are made here with the libraries themselves; sample
 * captures are found under $SRCDIR (exported by make check) or ".".
 */
#include <bzlib.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "zio.h"

struct buf {
	unsigned char *p;
	size_t n;
};

static struct buf sample(size_t n, uint32_t seed);
static struct buf squeeze(enum zio_kind k, const struct buf *in);
static void cat(struct buf *dst, const void *p, size_t n);
static char *temp_file(const struct buf *b);
static struct buf read_all(FILE *fp);
static struct buf slurp(const char *path);
static struct buf big_capture(unsigned reps);
static const char *sample_path(const char *name);
static pid_t feed_stdin(const struct buf *b, int *saved);
static void unfeed_stdin(pid_t pid, int saved);
static int count_packets(FILE *fp, int *last_rc, char *perr, size_t perrlen);

/* Text with numbers mixed with random runs: compresses, but not to nothing. */
static struct buf
sample(size_t n, uint32_t seed)
{
	struct buf b = { malloc(n + 1), n };
	size_t i = 0, k;
	int len;

	ck_assert_ptr_nonnull(b.p);
	while (i < n) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 4 == 0) {
			for (k = 0; k < 200 && i < n; k++) {
				seed = seed * 1103515245u + 12345u;
				b.p[i++] = (unsigned char)(seed >> 24);
			}
			continue;
		}
		len = snprintf((char *)b.p + i, n + 1 - i,
		    "line %u: tcp 192.0.2.%u:%u > 198.51.100.7:%u flags S\n",
		    (unsigned)i, seed % 254 + 1, (seed >> 8) % 65536,
		    (seed >> 4) % 1024);
		i += (size_t)len < n - i ? (size_t)len : n - i;
	}
	return b;
}

/* Compress in with codec k (ZIO_PLAIN: copy). */
static struct buf
squeeze(enum zio_kind k, const struct buf *in)
{
	struct buf out = { NULL, 0 };
	unsigned int blen;
	size_t cap, pos = 0;
	z_stream zs;
	ZSTD_CCtx *cc;

	switch (k) {
	case ZIO_PLAIN:
		out.p = malloc(in->n + 1);
		memcpy(out.p, in->p, in->n);
		out.n = in->n;
		break;
	case ZIO_GZIP:
		memset(&zs, 0, sizeof(zs));
		ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8,
		    Z_DEFAULT_STRATEGY), Z_OK);
		cap = deflateBound(&zs, (uLong)in->n);
		out.p = malloc(cap);
		zs.next_in = in->p;
		zs.avail_in = (uInt)in->n;
		zs.next_out = out.p;
		zs.avail_out = (uInt)cap;
		ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
		out.n = zs.total_out;
		deflateEnd(&zs);
		break;
	case ZIO_BZIP2:
		cap = in->n + in->n / 100 + 601;
		out.p = malloc(cap);
		blen = (unsigned int)cap;
		ck_assert_int_eq(BZ2_bzBuffToBuffCompress((char *)out.p, &blen,
		    (char *)in->p, (unsigned int)in->n, 9, 0, 0), BZ_OK);
		out.n = blen;
		break;
	case ZIO_XZ:
		cap = lzma_stream_buffer_bound(in->n);
		out.p = malloc(cap);
		ck_assert_int_eq(lzma_easy_buffer_encode(3, LZMA_CHECK_CRC64,
		    NULL, in->p, in->n, out.p, &pos, cap), LZMA_OK);
		out.n = pos;
		break;
	case ZIO_ZSTD:
		cap = ZSTD_compressBound(in->n);
		out.p = malloc(cap);
		cc = ZSTD_createCCtx();
		/* As the zstd program does: a checksum on every frame. */
		ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
		out.n = ZSTD_compress2(cc, out.p, cap, in->p, in->n);
		ck_assert(!ZSTD_isError(out.n));
		ZSTD_freeCCtx(cc);
		break;
	}
	ck_assert_ptr_nonnull(out.p);
	return out;
}

static void
cat(struct buf *dst, const void *p, size_t n)
{
	dst->p = realloc(dst->p, dst->n + n + 1);
	ck_assert_ptr_nonnull(dst->p);
	if (n > 0)
		memcpy(dst->p + dst->n, p, n);
	dst->n += n;
}

/* A new temporary file holding b; the caller unlinks and frees the path. */
static char *
temp_file(const struct buf *b)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	FILE *fp;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	path = malloc(strlen(dir) + 32);
	sprintf(path, "%s/check_zio-XXXXXX", dir);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(b->p, 1, b->n, fp), b->n);
	ck_assert_int_eq(fclose(fp), 0);
	return path;
}

/* Everything fp gives until its first short read. */
static struct buf
read_all(FILE *fp)
{
	struct buf b = { NULL, 0 };
	unsigned char chunk[7000];	/* odd size: reads straddle members */
	size_t n;

	do {
		n = fread(chunk, 1, sizeof(chunk), fp);
		cat(&b, chunk, n);
	} while (n == sizeof(chunk));
	return b;
}

static struct buf
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct buf b;

	ck_assert_msg(fp != NULL, "%s: %s", path, strerror(errno));
	b = read_all(fp);
	ck_assert(!ferror(fp));
	fclose(fp);
	return b;
}

/* s01 with its records repeated reps times: 62 * reps packets. */
static struct buf
big_capture(unsigned reps)
{
	struct buf s = slurp(sample_path("s01_syn_hostfw.pcap"));
	struct buf b = { NULL, 0 };
	unsigned i;

	cat(&b, s.p, 24);
	for (i = 0; i < reps; i++)
		cat(&b, s.p + 24, s.n - 24);
	free(s.p);
	return b;
}

static const char *
sample_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("SRCDIR");

	snprintf(path, sizeof(path), "%s/samples/%s",
	    dir != NULL && *dir != '\0' ? dir : ".", name);
	return path;
}

/*
 * Make standard input a pipe fed with b by a child process, a byte, then
 * two, then the rest in pieces, pausing in between so the reader sees short
 * reads while it looks for the magic.
 */
static pid_t
feed_stdin(const struct buf *b, int *saved)
{
	int fds[2];
	size_t off = 0, n;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		while (off < b->n) {
			n = off == 0 ? 1 : off == 1 ? 2 : 4093;
			if (n > b->n - off)
				n = b->n - off;
			if (write(fds[1], b->p + off, n) != (ssize_t)n)
				_exit(1);
			off += n;
			if (off <= 3)
				usleep(20000);
		}
		_exit(0);
	}
	close(fds[1]);
	*saved = dup(STDIN_FILENO);
	ck_assert_int_ge(*saved, 0);
	ck_assert_int_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	return pid;
}

static void
unfeed_stdin(pid_t pid, int saved)
{
	int status;

	dup2(saved, STDIN_FILENO);
	close(saved);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Hand fp to libpcap as reader.c does; packets read, last pcap_next_ex(). */
static int
count_packets(FILE *fp, int *last_rc, char *perr, size_t perrlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	char *vbuf = malloc(1u << 20);
	pcap_t *p;
	int n = 0, rc;

	setvbuf(fp, vbuf, _IOFBF, 1u << 20);
	ebuf[0] = '\0';
	p = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	ck_assert_msg(p != NULL, "libpcap: %s", ebuf);
	while ((rc = pcap_next_ex(p, &h, &d)) == 1)
		n++;
	*last_rc = rc;
	snprintf(perr, perrlen, "%s", pcap_geterr(p));
	pcap_close(p);		/* fcloses fp */
	free(vbuf);
	return n;
}

/* ---- valid ---- */

START_TEST(roundtrip)
{
	enum zio_kind k = (enum zio_kind)_i;
	struct buf s = sample(1536u << 10, 1), c = squeeze(k, &s), r;
	char *path = temp_file(&c), err[256];
	struct zio_info info;
	FILE *fp;

	fp = zio_open(path, &info, err, sizeof(err));
	ck_assert_msg(fp != NULL, "%s", err);
	ck_assert_int_eq(info.kind, k);
	r = read_all(fp);
	ck_assert_msg(!ferror(fp), "%s", info.error);
	ck_assert(feof(fp));
	ck_assert_str_eq(info.error, "");
	ck_assert_uint_eq(r.n, s.n);
	ck_assert(memcmp(r.p, s.p, s.n) == 0);
	ck_assert_uint_eq(info.in_bytes, c.n);
	ck_assert_int_eq(fclose(fp), 0);
	unlink(path);
	free(path);
	free(s.p);
	free(c.p);
	free(r.p);
}
END_TEST

/* Sizes around the magic length and the bytes decoded ahead at open. */
START_TEST(roundtrip_small)
{
	static const size_t sizes[] = { 0, 1, 2, 5, 6, 7, 15, 16, 17, 100 };
	enum zio_kind k;
	struct buf s, c, r;
	char *path, err[256];
	struct zio_info info;
	size_t i;
	FILE *fp;

	for (k = ZIO_PLAIN; k <= ZIO_ZSTD; k++)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			s = sample(sizes[i], (uint32_t)i);
			c = squeeze(k, &s);
			path = temp_file(&c);
			fp = zio_open(path, &info, err, sizeof(err));
			ck_assert_msg(fp != NULL, "%s", err);
			ck_assert_int_eq(info.kind, k);
			r = read_all(fp);
			ck_assert_msg(!ferror(fp), "%s %zu: %s",
			    zio_kind_name(k), sizes[i], info.error);
			ck_assert_uint_eq(r.n, s.n);
			ck_assert(s.n == 0 || memcmp(r.p, s.p, s.n) == 0);
			fclose(fp);
			unlink(path);
			free(path);
			free(s.p);
			free(c.p);
			free(r.p);
		}
}
END_TEST

/* Rotated logs: cat a.gz b.gz > ab.gz, with an empty member between. */
START_TEST(concatenated)
{
	enum zio_kind k = (enum zio_kind)_i;
	static unsigned char nothing[1];
	struct buf a = sample(100000, 2), e = { nothing, 0 };
	struct buf b = sample(300000, 3), whole = { NULL, 0 }, c = { NULL, 0 };
	struct buf ca = squeeze(k, &a), ce = squeeze(k, &e);
	struct buf cb = squeeze(k, &b), r;
	static const unsigned char skippable[] = {
		0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'x', 'y', 'z',
	};
	char *path, err[256];
	struct zio_info info;
	FILE *fp;

	/* zstd: a skippable frame first; xz: stream padding in between. */
	if (k == ZIO_ZSTD)
		cat(&c, skippable, sizeof(skippable));
	cat(&c, ca.p, ca.n);
	cat(&c, ce.p, ce.n);
	if (k == ZIO_XZ)
		cat(&c, "\0\0\0\0", 4);
	cat(&c, cb.p, cb.n);
	if (k == ZIO_XZ)
		cat(&c, "\0\0\0\0\0\0\0\0", 8);
	cat(&whole, a.p, a.n);
	cat(&whole, b.p, b.n);
	path = temp_file(&c);
	fp = zio_open(path, &info, err, sizeof(err));
	ck_assert_msg(fp != NULL, "%s", err);
	ck_assert_int_eq(info.kind, k);
	r = read_all(fp);
	ck_assert_msg(!ferror(fp), "%s", info.error);
	ck_assert_uint_eq(r.n, whole.n);
	ck_assert(memcmp(r.p, whole.p, whole.n) == 0);
	fclose(fp);
	unlink(path);
	free(path);
	free(a.p);
	free(b.p);
	free(ca.p);
	free(ce.p);
	free(cb.p);
	free(c.p);
	free(whole.p);
	free(r.p);
}
END_TEST

START_TEST(stdin_pipe)
{
	enum zio_kind k = (enum zio_kind)_i;
	struct buf s = sample(400000, 4), c = squeeze(k, &s), r;
	struct zio_info info;
	char err[256];
	int saved;
	pid_t pid;
	FILE *fp;

	pid = feed_stdin(&c, &saved);
	fp = zio_open("-", &info, err, sizeof(err));
	ck_assert_msg(fp != NULL, "%s", err);
	ck_assert_int_eq(info.kind, k);
	r = read_all(fp);
	ck_assert_msg(!ferror(fp), "%s", info.error);
	ck_assert_uint_eq(r.n, s.n);
	ck_assert(memcmp(r.p, s.p, s.n) == 0);
	ck_assert_int_eq(fclose(fp), 0);
	/* Standard input itself is left open. */
	ck_assert_int_ne(fcntl(STDIN_FILENO, F_GETFD), -1);
	unfeed_stdin(pid, saved);
	free(s.p);
	free(c.p);
	free(r.p);
}
END_TEST

/* A compressed capture on standard input goes through libpcap too. */
START_TEST(stdin_pcap)
{
	struct buf s = slurp(sample_path("s01_syn_hostfw.pcap"));
	struct buf c = squeeze(ZIO_XZ, &s);
	char err[256], perr[PCAP_ERRBUF_SIZE];
	int saved, rc;
	pid_t pid;
	FILE *fp;

	pid = feed_stdin(&c, &saved);
	fp = zio_open("-", NULL, err, sizeof(err));
	ck_assert_msg(fp != NULL, "%s", err);
	ck_assert_int_eq(count_packets(fp, &rc, perr, sizeof(perr)), 62);
	ck_assert_int_eq(rc, PCAP_ERROR_BREAK);
	unfeed_stdin(pid, saved);
	free(s.p);
	free(c.p);
}
END_TEST

START_TEST(ftell_decompressed)
{
	struct buf s = sample(200000, 5), c = squeeze(ZIO_ZSTD, &s);
	char *path = temp_file(&c), err[256], chunk[1000];
	FILE *fp;

	fp = zio_open(path, NULL, err, sizeof(err));
	ck_assert_msg(fp != NULL, "%s", err);
	ck_assert_int_eq(ftell(fp), 0);
	ck_assert_uint_eq(fread(chunk, 1, sizeof(chunk), fp), sizeof(chunk));
	ck_assert_int_eq(ftell(fp), 1000);
	ck_assert_uint_eq(fread(chunk, 1, 17, fp), 17);
	ck_assert_int_eq(ftell(fp), 1017);
	fclose(fp);
	unlink(path);
	free(path);
	free(s.p);
	free(c.p);
}
END_TEST

START_TEST(pcap_compressed)
{
	enum zio_kind k = (enum zio_kind)_i;
	struct buf s = slurp(sample_path("s01_syn_hostfw.pcap"));
	struct buf c = squeeze(k, &s), r;
	char *path = temp_file(&c), err[256], perr[PCAP_ERRBUF_SIZE];
	struct zio_info info;
	FILE *fp;
	int rc;

	ck_assert_uint_eq(s.n, 5016);
	fp = zio_open(path, &info, err, sizeof(err));
	ck_assert_msg(fp != NULL, "%s", err);
	r = read_all(fp);
	ck_assert(!ferror(fp));
	ck_assert_uint_eq(r.n, s.n);
	ck_assert(memcmp(r.p, s.p, s.n) == 0);
	fclose(fp);
	fp = zio_open(path, &info, err, sizeof(err));
	ck_assert_msg(fp != NULL, "%s", err);
	ck_assert_int_eq(count_packets(fp, &rc, perr, sizeof(perr)), 62);
	ck_assert_msg(rc == PCAP_ERROR_BREAK, "libpcap: %s", perr);
	ck_assert_str_eq(info.error, "");
	ck_assert_int_eq(zio_is_capture(path, err, sizeof(err)), 1);
	unlink(path);
	free(path);
	free(s.p);
	free(c.p);
	free(r.p);
}
END_TEST

START_TEST(capture_magic)
{
	static const unsigned char yes[][4] = {
		{ 0xa1, 0xb2, 0xc3, 0xd4 }, { 0xd4, 0xc3, 0xb2, 0xa1 },
		{ 0xa1, 0xb2, 0x3c, 0x4d }, { 0x4d, 0x3c, 0xb2, 0xa1 },
		{ 0xa1, 0xb2, 0xcd, 0x34 }, { 0x34, 0xcd, 0xb2, 0xa1 },
		{ 0x0a, 0x0d, 0x0d, 0x0a },
	};
	static const unsigned char no[][4] = {
		{ 0xa1, 0xb2, 0xc3, 0xd5 }, { 0x1f, 0x8b, 0x08, 0x00 },
		{ 'B', 'Z', 'h', '9' }, { 0x0a, 0x0d, 0x0d, 0x0b },
		{ 0, 0, 0, 0 }, { 'l', 'i', 'n', 'e' },
	};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		ck_assert_int_eq(zio_capture_magic(yes[i], 4), 1);
		ck_assert_int_eq(zio_capture_magic(yes[i], 3), 0);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_int_eq(zio_capture_magic(no[i], 4), 0);
	ck_assert_int_eq(zio_capture_magic(NULL, 0), 0);
}
END_TEST

START_TEST(is_capture)
{
	static unsigned char short_magic[] = { 0xa1, 0xb2 };
	struct buf text = sample(5000, 6), tiny = { short_magic, 2 };
	struct buf empty = { short_magic, 0 };
	struct buf ct = squeeze(ZIO_BZIP2, &text);
	char *ptext = temp_file(&text), *pct = temp_file(&ct);
	char *ptiny = temp_file(&tiny), *pempty = temp_file(&empty);
	char err[512], dir[] = "/tmp/check_zio-dir-XXXXXX", missing[600];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(zio_is_capture(sample_path("s01_syn_hostfw.pcap"),
	    err, sizeof(err)), 1);
	ck_assert_int_eq(zio_is_capture(
	    sample_path("s04_fin_hostfw_pcapng.pcapng"), err, sizeof(err)), 1);
	ck_assert_int_eq(zio_is_capture(
	    sample_path("s14_vlan_maimon_nano.pcap"), err, sizeof(err)), 1);
	ck_assert_int_eq(zio_is_capture(ptext, err, sizeof(err)), 0);
	ck_assert_int_eq(zio_is_capture(pct, err, sizeof(err)), 0);
	ck_assert_int_eq(zio_is_capture(ptiny, err, sizeof(err)), 0);
	ck_assert_int_eq(zio_is_capture(pempty, err, sizeof(err)), 0);
	ck_assert_int_eq(zio_is_capture("/dev/null", err, sizeof(err)), 0);
	ck_assert_int_eq(zio_is_capture(dir, err, sizeof(err)), -1);
	ck_assert_str_eq(err + strlen(dir), ": Is a directory");
	ck_assert(strncmp(err, dir, strlen(dir)) == 0);
	snprintf(missing, sizeof(missing), "%s/nope.pcap", dir);
	ck_assert_int_eq(zio_is_capture(missing, err, sizeof(err)), -1);
	ck_assert(strncmp(err, missing, strlen(missing)) == 0);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	ck_assert_int_eq(zio_is_capture("-", err, sizeof(err)), -1);
	ck_assert_int_eq(zio_is_capture(missing, NULL, 0), -1);
	rmdir(dir);
	unlink(ptext);
	unlink(pct);
	unlink(ptiny);
	unlink(pempty);
	free(ptext);
	free(pct);
	free(ptiny);
	free(pempty);
	free(text.p);
	free(ct.p);
}
END_TEST

START_TEST(kind_names)
{
	ck_assert_str_eq(zio_kind_name(ZIO_PLAIN), "plain");
	ck_assert_str_eq(zio_kind_name(ZIO_GZIP), "gzip");
	ck_assert_str_eq(zio_kind_name(ZIO_BZIP2), "bzip2");
	ck_assert_str_eq(zio_kind_name(ZIO_XZ), "xz");
	ck_assert_str_eq(zio_kind_name(ZIO_ZSTD), "zstd");
	ck_assert_str_eq(zio_kind_name((enum zio_kind)99), "unknown");
}
END_TEST

/* 64 MiB of zeros through a 1 MiB buffer: memory must not follow. */
START_TEST(bomb_bounded)
{
	size_t n = 64u << 20, total = 0, got;
	struct buf s = { calloc(1, n), n }, c = squeeze(ZIO_GZIP, &s);
	char *path = temp_file(&c), err[256];
	unsigned char *chunk;
	struct rusage before, after;
	FILE *fp;

	free(s.p);
	chunk = malloc(1u << 20);
	fp = zio_open(path, NULL, err, sizeof(err));
	ck_assert_msg(fp != NULL, "%s", err);
	getrusage(RUSAGE_SELF, &before);
	while ((got = fread(chunk, 1, 1u << 20, fp)) > 0)
		total += got;
	getrusage(RUSAGE_SELF, &after);
	ck_assert(!ferror(fp));
	ck_assert_uint_eq(total, n);
	ck_assert_int_lt(after.ru_maxrss - before.ru_maxrss, 16 * 1024);
	fclose(fp);
	unlink(path);
	free(path);
	free(c.p);
	free(chunk);
}
END_TEST

/* ---- truncated ---- */

START_TEST(truncated_mid)
{
	enum zio_kind k = (enum zio_kind)_i;
	/* bzip2 needs more than one 900 kB block for the cut to fall late. */
	struct buf s = sample(k == ZIO_BZIP2 ? 2u << 20 : 600000, 7);
	struct buf c = squeeze(k, &s), r;
	size_t cuts[2] = { c.n / 4 * 3, c.n - 1 }, i;
	char *path, err[256], want[64], again[16];
	struct zio_info info;
	FILE *fp;

	snprintf(want, sizeof(want), "truncated %s stream", zio_kind_name(k));
	for (i = 0; i < 2; i++) {
		c.n = cuts[i];
		path = temp_file(&c);
		fp = zio_open(path, &info, err, sizeof(err));
		ck_assert_msg(fp != NULL, "%s", err);
		errno = 0;
		r = read_all(fp);
		ck_assert(ferror(fp));
		ck_assert_int_eq(errno, EIO);
		ck_assert_msg(strstr(info.error, want) == info.error, "%s",
		    info.error);
		/* What came before the cut is intact. */
		ck_assert_uint_le(r.n, s.n);
		ck_assert(r.n == 0 || memcmp(r.p, s.p, r.n) == 0);
		/* The failure sticks. */
		clearerr(fp);
		ck_assert_uint_eq(fread(again, 1, sizeof(again), fp), 0);
		ck_assert(ferror(fp));
		fclose(fp);
		unlink(path);
		free(path);
		free(r.p);
	}
	free(s.p);
	free(c.p);
}
END_TEST

/*
 * Cut inside the header: the open itself fails, naming the file (as it does
 * when bzip2 or zstd are cut inside their first block: nothing decodes).
 */
START_TEST(truncated_header)
{
	enum zio_kind k = (enum zio_kind)_i;
	struct buf s = sample(10000, 8), c = squeeze(k, &s);
	char *path, err[256];
	struct zio_info info;

	c.n = 8;
	path = temp_file(&c);
	ck_assert_ptr_null(zio_open(path, &info, err, sizeof(err)));
	ck_assert(strncmp(err, path, strlen(path)) == 0);
	ck_assert_msg(strstr(err, "truncated") != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(err, zio_kind_name(k)));
	ck_assert_int_eq(zio_is_capture(path, err, sizeof(err)), -1);
	unlink(path);
	free(path);
	free(s.p);
	free(c.p);
}
END_TEST

START_TEST(pcap_truncated)
{
	enum zio_kind k = (enum zio_kind)_i;
	struct buf s = big_capture(300), c = squeeze(k, &s);
	char *path, err[256], perr[PCAP_ERRBUF_SIZE];
	struct zio_info info;
	int n, rc;
	FILE *fp;

	c.n = c.n / 10 * 9;
	path = temp_file(&c);
	fp = zio_open(path, &info, err, sizeof(err));
	ck_assert_msg(fp != NULL, "%s", err);
	n = count_packets(fp, &rc, perr, sizeof(perr));
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, 62 * 300);
	ck_assert_int_eq(rc, PCAP_ERROR);
	ck_assert_msg(strstr(perr, "error reading dump file") != NULL, "%s",
	    perr);
	ck_assert_msg(strstr(info.error, "truncated") == info.error, "%s",
	    info.error);
	unlink(path);
	free(path);
	free(s.p);
	free(c.p);
}
END_TEST

/* ---- malformed ---- */

START_TEST(corrupt_mid)
{
	enum zio_kind k = (enum zio_kind)_i;
	struct buf s = sample(600000, 9), c = squeeze(k, &s), r;
	char *path, err[256], want[64], *end;
	struct zio_info info;
	unsigned long long at;
	FILE *fp;

	memset(c.p + c.n / 2, 0x55, 64);
	path = temp_file(&c);
	fp = zio_open(path, &info, err, sizeof(err));
	ck_assert_msg(fp != NULL, "%s", err);
	errno = 0;
	r = read_all(fp);
	ck_assert(ferror(fp));
	ck_assert_int_eq(errno, EIO);
	snprintf(want, sizeof(want), "corrupt %s stream at compressed byte ",
	    zio_kind_name(k));
	ck_assert_msg(strncmp(info.error, want, strlen(want)) == 0, "%s",
	    info.error);
	at = strtoull(info.error + strlen(want), &end, 10);
	ck_assert_uint_le(at, c.n);
	ck_assert_str_eq(end + strcspn(end, ")"), ")");
	fclose(fp);
	unlink(path);
	free(path);
	free(s.p);
	free(c.p);
	free(r.p);
}
END_TEST

/* Damage right after the magic: the open fails, naming file and format. */
START_TEST(corrupt_header)
{
	enum zio_kind k = (enum zio_kind)_i;
	struct buf s = sample(10000, 10), c = squeeze(k, &s);
	static const size_t at[] = { [ZIO_GZIP] = 3, [ZIO_BZIP2] = 4,
	    [ZIO_XZ] = 7, [ZIO_ZSTD] = 4 };
	char *path, err[256];

	c.p[at[k]] ^= 0xff;
	path = temp_file(&c);
	ck_assert_ptr_null(zio_open(path, NULL, err, sizeof(err)));
	ck_assert(strncmp(err, path, strlen(path)) == 0);
	ck_assert_msg(strstr(err, ": corrupt ") != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(err, zio_kind_name(k)));
	unlink(path);
	free(path);
	free(s.p);
	free(c.p);
}
END_TEST

START_TEST(trailing_garbage)
{
	enum zio_kind k = (enum zio_kind)_i;
	struct buf s = sample(50000, 11), c = squeeze(k, &s), r;
	char *path, err[256];
	struct zio_info info;
	FILE *fp;

	cat(&c, "garbage!", 8);
	path = temp_file(&c);
	fp = zio_open(path, &info, err, sizeof(err));
	ck_assert_msg(fp != NULL, "%s", err);
	r = read_all(fp);
	ck_assert(ferror(fp));
	ck_assert_uint_eq(r.n, s.n);
	ck_assert(memcmp(r.p, s.p, s.n) == 0);
	snprintf(err, sizeof(err), "trailing garbage after %s stream at "
	    "compressed byte %zu", zio_kind_name(k), c.n - 8);
	ck_assert_str_eq(info.error, err);
	fclose(fp);
	unlink(path);
	free(path);
	free(s.p);
	free(c.p);
	free(r.p);
}
END_TEST

START_TEST(xz_bad_padding)
{
	struct buf s = sample(5000, 13), c = squeeze(ZIO_XZ, &s), r;
	char *path, err[256];
	struct zio_info info;
	FILE *fp;

	cat(&c, "\0\0\0\0\0\0", 6);
	path = temp_file(&c);
	fp = zio_open(path, &info, err, sizeof(err));
	ck_assert_msg(fp != NULL, "%s", err);
	r = read_all(fp);
	ck_assert(ferror(fp));
	ck_assert_uint_eq(r.n, s.n);
	snprintf(err, sizeof(err), "corrupt xz stream padding at compressed "
	    "byte %zu", c.n);
	ck_assert_str_eq(info.error, err);
	fclose(fp);
	unlink(path);
	free(path);
	free(s.p);
	free(c.p);
	free(r.p);
}
END_TEST

START_TEST(open_errors)
{
	char dir[] = "/tmp/check_zio-dir-XXXXXX", path[600], err[700];
	static unsigned char hello[] = "hello";
	struct buf b = { hello, 5 };
	char *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/missing.pcap.gz", dir);
	ck_assert_ptr_null(zio_open(path, NULL, err, sizeof(err)));
	ck_assert_str_eq(err + strlen(path), ": No such file or directory");
	ck_assert(strncmp(err, path, strlen(path)) == 0);
	ck_assert_ptr_null(zio_open(dir, NULL, err, sizeof(err)));
	ck_assert(strncmp(err, dir, strlen(dir)) == 0);
	ck_assert_str_eq(err + strlen(dir), ": Is a directory");
	f = temp_file(&b);
	if (geteuid() != 0) {	/* root reads anything */
		chmod(f, 0);
		ck_assert_ptr_null(zio_open(f, NULL, err, sizeof(err)));
		ck_assert_str_eq(err + strlen(f), ": Permission denied");
	}
	unlink(f);
	free(f);
	rmdir(dir);
}
END_TEST

/*
 * An xz block header asking for a 4 GiB dictionary (LZMA2 property 40, CRC
 * fixed up) is refused by the memory limit, not allocated.
 */
START_TEST(xz_memlimit)
{
	struct buf s = sample(1000, 12), c = squeeze(ZIO_XZ, &s);
	size_t hsize = ((size_t)c.p[12] + 1) * 4, i;
	char *path, err[256];
	uint32_t crc;

	for (i = 14; i + 2 < 12 + hsize - 4; i++)
		if (c.p[i] == 0x21 && c.p[i + 1] == 1)
			break;
	ck_assert_uint_lt(i + 2, 12 + hsize - 4);
	c.p[i + 2] = 40;
	crc = lzma_crc32(c.p + 12, hsize - 4, 0);
	for (i = 0; i < 4; i++)
		c.p[12 + hsize - 4 + i] = (unsigned char)(crc >> (8 * i));
	path = temp_file(&c);
	ck_assert_ptr_null(zio_open(path, NULL, err, sizeof(err)));
	ck_assert_msg(strstr(err, "memory limit") != NULL, "%s", err);
	unlink(path);
	free(path);
	free(s.p);
	free(c.p);
}
END_TEST

/* A zstd frame declaring a 2 GiB window is refused; 128 MiB is fine. */
START_TEST(zstd_window)
{
	unsigned char frame[] = {
		0x28, 0xb5, 0x2f, 0xfd, /* magic */
		0x00,			/* no content size, not 1 segment */
		21 << 3,		/* window log 10 + 21 */
		0x09, 0x00, 0x00,	/* last block, raw, 1 byte */
		'A',
	};
	struct buf b = { frame, sizeof(frame) }, r;
	char *path, err[256];
	FILE *fp;

	path = temp_file(&b);
	ck_assert_ptr_null(zio_open(path, NULL, err, sizeof(err)));
	ck_assert_msg(strstr(err, "zstd stream at compressed byte") != NULL,
	    "%s", err);
	ck_assert_ptr_null(strstr(err, "corrupt"));
	unlink(path);
	free(path);
	frame[5] = 17 << 3;	/* window log 27 */
	path = temp_file(&b);
	fp = zio_open(path, NULL, err, sizeof(err));
	ck_assert_msg(fp != NULL, "%s", err);
	r = read_all(fp);
	ck_assert(!ferror(fp));
	ck_assert_uint_eq(r.n, 1);
	ck_assert_int_eq(r.p[0], 'A');
	fclose(fp);
	unlink(path);
	free(path);
	free(r.p);
}
END_TEST

static Suite *
zio_suite(void)
{
	Suite *s = suite_create("zio");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, roundtrip, ZIO_PLAIN, ZIO_ZSTD + 1);
	tcase_add_test(tc, roundtrip_small);
	tcase_add_loop_test(tc, concatenated, ZIO_GZIP, ZIO_ZSTD + 1);
	tcase_add_loop_test(tc, stdin_pipe, ZIO_PLAIN, ZIO_ZSTD + 1);
	tcase_add_test(tc, stdin_pcap);
	tcase_add_test(tc, ftell_decompressed);
	tcase_add_loop_test(tc, pcap_compressed, ZIO_PLAIN, ZIO_ZSTD + 1);
	tcase_add_test(tc, capture_magic);
	tcase_add_test(tc, is_capture);
	tcase_add_test(tc, kind_names);
	tcase_add_test(tc, bomb_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("truncated");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, truncated_mid, ZIO_GZIP, ZIO_ZSTD + 1);
	tcase_add_loop_test(tc, truncated_header, ZIO_GZIP, ZIO_ZSTD + 1);
	tcase_add_loop_test(tc, pcap_truncated, ZIO_GZIP, ZIO_ZSTD + 1);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, corrupt_mid, ZIO_GZIP, ZIO_ZSTD + 1);
	tcase_add_loop_test(tc, corrupt_header, ZIO_GZIP, ZIO_ZSTD + 1);
	tcase_add_loop_test(tc, trailing_garbage, ZIO_GZIP, ZIO_ZSTD + 1);
	tcase_add_test(tc, xz_bad_padding);
	tcase_add_test(tc, open_errors);
	tcase_add_test(tc, xz_memlimit);
	tcase_add_test(tc, zstd_window);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(zio_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
