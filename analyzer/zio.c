/*
 * zio.c -- plain or compressed input behind a stdio stream (see zio.h).
 *
 * A glibc cookie stream over a file descriptor. zio_open() reads the first
 * bytes (the magic) into the cookie's input buffer and replays them, so pipes
 * work as well as files. For compressed input it also decodes the first few
 * bytes at once (into ahead[], replayed by the first read), so a corrupt or
 * truncated header fails the open rather than the first read. Decoding
 * itself is zio-decode.c's, with one zio-*.c file per library.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* fopencookie() */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "zio-int.h"
#include "zio.h"

/*
 * Compressed bytes asked of each read(2): big enough that system calls cost
 * nothing next to decoding, small enough that the thousands of inputs a
 * merged run may hold open at once stay affordable.
 */
#define ZIO_INBUF (64u << 10)

static ssize_t zio_sysread(struct zio *z, void *buf, size_t n);
static ssize_t zio_plain(struct zio *z, unsigned char *out, size_t size);
static ssize_t zio_cookie_read(void *cookie, char *buf, size_t size);
static int zio_cookie_seek(void *cookie, off64_t *pos, int whence);
static int zio_cookie_close(void *cookie);
static void zio_free(struct zio *z);

static const struct zio_codec *const zio_codecs[] = {
	[ZIO_PLAIN] = NULL,
	[ZIO_GZIP] = &zio_codec_gzip,
	[ZIO_BZIP2] = &zio_codec_bzip2,
	[ZIO_XZ] = &zio_codec_xz,
	[ZIO_ZSTD] = &zio_codec_zstd,
};

static const char *const zio_names[] = {
	[ZIO_PLAIN] = "plain",
	[ZIO_GZIP] = "gzip",
	[ZIO_BZIP2] = "bzip2",
	[ZIO_XZ] = "xz",
	[ZIO_ZSTD] = "zstd",
};

/* Record why the stream cannot go on; reads fail with errnum from now. */
void
zio_fail(struct zio *z, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(z->msg, sizeof(z->msg), fmt, ap);
	va_end(ap);
	z->failed = true;
	z->fail_errno = errnum;
	if (z->info != NULL)
		memcpy(z->info->error, z->msg, sizeof(z->info->error));
}

static ssize_t
zio_sysread(struct zio *z, void *buf, size_t n)
{
	ssize_t r;
	int e;

	do {
		r = read(z->fd, buf, n);
	} while (r == -1 && errno == EINTR);
	if (r == -1) {
		e = errno;
		zio_fail(z, e, "read error at byte %llu: %s",
		    (unsigned long long)z->in_read, strerror(e));
		z->read_failed = true;
		return -1;
	}
	z->in_read += (uint64_t)r;
	if (z->info != NULL)
		z->info->in_bytes = z->in_read;
	return r;
}

/* Read until want (<= in_cap) input bytes are buffered or the file ends. */
int
zio_fill(struct zio *z, size_t want)
{
	ssize_t n;

	if (z->in_pos > 0) {
		memmove(z->in, z->in + z->in_pos, z->in_len - z->in_pos);
		z->in_len -= z->in_pos;
		z->in_pos = 0;
	}
	while (z->in_len < want && !z->in_eof) {
		n = zio_sysread(z, z->in + z->in_len, z->in_cap - z->in_len);
		if (n == -1)
			return -1;
		if (n == 0)
			z->in_eof = true;
		z->in_len += (size_t)n;
	}
	return 0;
}

enum zio_kind
zio_sniff(const unsigned char *p, size_t n)
{
	/* gzip: ID1 ID2 and CM 8 (deflate), the only method defined. */
	if (n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8)
		return ZIO_GZIP;
	/* bzip2: "BZh" and the block size '1'..'9'. */
	if (n >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' &&
	    p[3] >= '1' && p[3] <= '9')
		return ZIO_BZIP2;
	if (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
		return ZIO_XZ;
	/* zstd frame 0xfd2fb528, or skippable frame 0x184d2a5?, LE. */
	if (n >= 4 && ((p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f &&
	    p[3] == 0xfd) || ((p[0] & 0xf0) == 0x50 && p[1] == 0x2a &&
	    p[2] == 0x4d && p[3] == 0x18)))
		return ZIO_ZSTD;
	return ZIO_PLAIN;
}

static ssize_t
zio_plain(struct zio *z, unsigned char *out, size_t size)
{
	size_t n = z->in_len - z->in_pos;
	ssize_t r;

	if (n > 0) {
		if (n > size)
			n = size;
		memcpy(out, z->in + z->in_pos, n);
		z->in_pos += n;
		return (ssize_t)n;
	}
	if (z->in_eof)
		return 0;
	if ((r = zio_sysread(z, out, size)) == -1)
		errno = z->fail_errno;
	else if (r == 0)
		z->in_eof = true;
	return r;
}

static ssize_t
zio_cookie_read(void *cookie, char *buf, size_t size)
{
	struct zio *z = cookie;
	unsigned char *out = (unsigned char *)buf;
	ssize_t n;
	size_t k;

	if (size == 0)
		return 0;
	if (size > ZIO_STEP_MAX)
		size = ZIO_STEP_MAX;
	if (z->ahead_pos < z->ahead_len) {
		k = z->ahead_len - z->ahead_pos;
		if (k > size)
			k = size;
		memcpy(out, z->ahead + z->ahead_pos, k);
		z->ahead_pos += k;
		n = (ssize_t)k;
	} else if (z->failed) {
		errno = z->fail_errno;
		return -1;
	} else if (z->codec == NULL)
		n = zio_plain(z, out, size);
	else
		n = zio_decode(z, out, size);
	if (n > 0)
		z->out_off += (uint64_t)n;
	return n;
}

/* Only telling the position (ftell) is supported. */
static int
zio_cookie_seek(void *cookie, off64_t *pos, int whence)
{
	struct zio *z = cookie;

	if ((whence == SEEK_CUR && *pos == 0) ||
	    (whence == SEEK_SET && *pos >= 0 && (uint64_t)*pos == z->out_off)) {
		*pos = (off64_t)z->out_off;
		return 0;
	}
	errno = ESPIPE;
	return -1;
}

static int
zio_cookie_close(void *cookie)
{
	struct zio *z = cookie;
	int rc = 0;

	if (z->own_fd) {
		rc = close(z->fd);
		z->own_fd = false;
	}
	zio_free(z);
	return rc;
}

static void
zio_free(struct zio *z)
{
	if (z->st != NULL)
		z->codec->end(z->st);
	if (z->in != z->head)
		free(z->in);
	if (z->own_fd)
		close(z->fd);
	free(z);
}

FILE *
zio_open(const char *path, struct zio_info *info, char *err, size_t errlen)
{
	static const cookie_io_functions_t io = {
		.read = zio_cookie_read,
		.write = NULL,
		.seek = zio_cookie_seek,
		.close = zio_cookie_close,
	};
	struct zio *z;
	struct stat st;
	ssize_t n;
	FILE *fp;
	int e;

	if (info != NULL)
		memset(info, 0, sizeof(*info));
	if ((z = calloc(1, sizeof(*z))) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	z->info = info;
	z->in = z->head;
	z->in_cap = sizeof(z->head);
	if (strcmp(path, "-") == 0)
		z->fd = STDIN_FILENO;
	else if ((z->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		goto fail_errno;
	else
		z->own_fd = true;
	if (fstat(z->fd, &st) == -1)
		goto fail_errno;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail_errno;
	}
	if (zio_fill(z, ZIO_MAGIC) == -1)
		goto fail_msg;
	z->kind = zio_sniff(z->in, z->in_len);
	if (info != NULL)
		info->kind = z->kind;
	if (z->kind != ZIO_PLAIN) {
		z->codec = zio_codecs[z->kind];
		if ((z->in = malloc(ZIO_INBUF)) == NULL ||
		    (z->st = z->codec->init()) == NULL) {
			errno = ENOMEM;
			goto fail_errno;
		}
		memcpy(z->in, z->head, z->in_len);
		z->in_cap = ZIO_INBUF;
		if ((n = zio_decode(z, z->ahead, sizeof(z->ahead))) == -1)
			goto fail_msg;
		z->ahead_len = (size_t)n;
	}
	if ((fp = fopencookie(z, "r", io)) == NULL)
		goto fail_errno;
	return fp;

fail_errno:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	e = errno;
	zio_free(z);
	errno = e;
	return NULL;
fail_msg:
	snprintf(err, errlen, "%s: %s", path, z->msg);
	e = z->read_failed || z->fail_errno == ENOMEM ? z->fail_errno : EINVAL;
	zio_free(z);
	errno = e;
	return NULL;
}

int
zio_is_capture(const char *path, char *err, size_t errlen)
{
	unsigned char m[4];
	struct zio_info info;
	struct stat st;
	size_t n;
	FILE *fp;

	if (strcmp(path, "-") == 0) {
		snprintf(err, errlen, "-: standard input cannot be sniffed");
		return -1;
	}
	if (stat(path, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", path, strerror(EISDIR));
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		return 0;	/* a FIFO or device: opening it could block */
	if ((fp = zio_open(path, &info, err, errlen)) == NULL)
		return -1;
	n = fread(m, 1, sizeof(m), fp);
	if (n < sizeof(m) && ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, info.error);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return zio_capture_magic(m, n);
}

int
zio_capture_magic(const void *buf, size_t len)
{
	static const uint32_t magic[] = {
		0xa1b2c3d4,	/* pcap, microseconds */
		0xa1b23c4d,	/* pcap, nanoseconds */
		0xa1b2cd34,	/* pcap, Kuznetzov's patched format */
		0x0a0d0d0a,	/* pcapng section header block */
	};
	const unsigned char *p = buf;
	uint32_t be, le;
	size_t i;

	if (len < 4)
		return 0;
	be = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
	for (i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
		if (be == magic[i] || le == magic[i])
			return 1;
	return 0;
}

const char *
zio_kind_name(enum zio_kind k)
{
	if ((size_t)k >= sizeof(zio_names) / sizeof(zio_names[0]))
		return "unknown";
	return zio_names[k];
}
