/*
 * zio-int.h -- the inside of zio: the stream state shared by zio.c (opening,
 * reading the file, the stdio side) and zio-decode.c (driving a decoder
 * across members), and the interface of the decoders (zio-gzip.c,
 * zio-bzip2.c, zio-xz.c, zio-zstd.c). Each decoder wraps one library behind
 * the same four calls and only turns input into output; member boundaries,
 * trailing garbage, truncation and the messages are decided in zio-decode.c,
 * the same for all four.
 */
#ifndef PORTSLEUTH_ZIO_INT_H
#define PORTSLEUTH_ZIO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "zio.h"

/* Memory caps for hostile headers (see zio.h); each about 128 MiB. */
#define ZIO_XZ_MEMLIMIT (128u << 20)
#define ZIO_ZSTD_WINDOWLOG_MAX 27

/* Bytes that decide the format: xz's magic is the longest. */
#define ZIO_MAGIC 6

/* Decompressed bytes decoded by zio_open() to check the header. */
#define ZIO_AHEAD 16

/* Largest single read or decode step (the libraries count in unsigned int). */
#define ZIO_STEP_MAX (1u << 30)

/* One decoding step. in_len and out_len never exceed INT_MAX. */
struct zio_xfer {
	const unsigned char *in; /* compressed bytes available */
	size_t in_len;
	unsigned char *out;	/* room for decompressed bytes */
	size_t out_len;
	bool finish;		/* no input will follow in[] */
	size_t in_used;		/* set by the decoder */
	size_t out_made;	/* set by the decoder */
	const char *why;	/* on ZIO_STEP_ERR: the library's reason */
	bool corrupt;		/* on ZIO_STEP_ERR: bad data, not a limit */
};

enum zio_step {
	ZIO_STEP_MORE,		/* go on (with more input if none was used) */
	ZIO_STEP_END,		/* a member, stream or frame ended cleanly */
	ZIO_STEP_ERR,		/* fatal; why (and corrupt) say what happened */
};

struct zio_codec {
	bool pad4;		/* zero bytes in fours may follow (xz) */
	void *(*init)(void);	/* decoder state, NULL if out of memory */
	int (*restart)(void *st); /* ready for the next member: 0 or -1 */
	enum zio_step (*step)(void *st, struct zio_xfer *x);
	void (*end)(void *st);		/* release the state */
};

extern const struct zio_codec zio_codec_gzip;
extern const struct zio_codec zio_codec_bzip2;
extern const struct zio_codec zio_codec_xz;
extern const struct zio_codec zio_codec_zstd;

/* One open stream: the cookie behind the FILE *. */
struct zio {
	int fd;
	bool own_fd;		/* false for standard input */
	enum zio_kind kind;
	const struct zio_codec *codec; /* NULL for ZIO_PLAIN */
	void *st;		/* decoder state */
	struct zio_info *info;	/* borrowed, may be NULL */
	unsigned char *in;	/* input buffer: in[in_pos, in_len) unused */
	size_t in_pos, in_len, in_cap;
	bool in_eof;		/* read(2) returned 0 */
	uint64_t in_read;	/* bytes read from fd */
	uint64_t in_used;	/* compressed bytes consumed by the decoder */
	uint64_t out_off;	/* bytes handed to stdio (for ftell) */
	unsigned char head[ZIO_MAGIC]; /* the input buffer of plain streams */
	unsigned char ahead[ZIO_AHEAD]; /* decoded by zio_open() */
	size_t ahead_pos, ahead_len;
	bool between;		/* a member ended, the next not yet begun */
	bool done;		/* compressed input ended cleanly */
	bool failed;		/* sticky: every read fails from now on */
	bool read_failed;	/* ... because read(2) failed (else: data) */
	int fail_errno;
	char msg[sizeof(((struct zio_info *)0)->error)]; /* why it failed */
};

/* zio.c */
void zio_fail(struct zio *z, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int zio_fill(struct zio *z, size_t want);
enum zio_kind zio_sniff(const unsigned char *p, size_t n);

/* zio-decode.c */
ssize_t zio_decode(struct zio *z, unsigned char *out, size_t size);

#endif
