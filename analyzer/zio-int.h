/*
 * zio-int.h -- the interface between zio.c and its decoders (zio-gzip.c,
 * zio-bzip2.c, zio-xz.c, zio-zstd.c). Each decoder wraps one library behind
 * the same four calls; zio.c does the file reading, buffering, member
 * boundaries, error messages and the stdio side.
 */
#ifndef PORTSLEUTH_ZIO_INT_H
#define PORTSLEUTH_ZIO_INT_H

#include <stdbool.h>
#include <stddef.h>

/* Memory caps for hostile headers (see zio.h); each about 128 MiB. */
#define ZIO_XZ_MEMLIMIT (128u << 20)
#define ZIO_ZSTD_WINDOWLOG_MAX 27

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
	void *(*init)(void);		/* decoder state, NULL if out of memory */
	int (*restart)(void *st);	/* ready for the next member: 0 or -1 */
	enum zio_step (*step)(void *st, struct zio_xfer *x);
	void (*end)(void *st);		/* release the state */
};

extern const struct zio_codec zio_codec_gzip;
extern const struct zio_codec zio_codec_bzip2;
extern const struct zio_codec zio_codec_xz;
extern const struct zio_codec zio_codec_zstd;

#endif
