/*
 * zio-gzip.c -- gzip (RFC 1952) members through zlib's inflate.
 *
 * inflate() checks each member's CRC-32 and length trailer, so corruption
 * anywhere in a member is caught by its end at the latest.
 */
#include <stdlib.h>

#define ZLIB_CONST	/* next_in is const */
#include <zlib.h>

#include "zio-int.h"

static void *gzip_init(void);
static int gzip_restart(void *st);
static enum zio_step gzip_step(void *st, struct zio_xfer *x);
static void gzip_end(void *st);

const struct zio_codec zio_codec_gzip = {
	.init = gzip_init,
	.restart = gzip_restart,
	.step = gzip_step,
	.end = gzip_end,
};

static void *
gzip_init(void)
{
	z_stream *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	/* 15 + 16: largest window, gzip wrapper only (no zlib, no raw). */
	if (inflateInit2(s, 15 + 16) != Z_OK) {
		free(s);
		return NULL;
	}
	return s;
}

static int
gzip_restart(void *st)
{
	return inflateReset(st) == Z_OK ? 0 : -1;
}

static enum zio_step
gzip_step(void *st, struct zio_xfer *x)
{
	z_stream *s = st;
	int rc;

	s->next_in = x->in;
	s->avail_in = (uInt)x->in_len;
	s->next_out = x->out;
	s->avail_out = (uInt)x->out_len;
	rc = inflate(s, Z_NO_FLUSH);
	x->in_used = x->in_len - s->avail_in;
	x->out_made = x->out_len - s->avail_out;
	switch (rc) {
	case Z_OK:
	case Z_BUF_ERROR:	/* no progress possible: not fatal */
		return ZIO_STEP_MORE;
	case Z_STREAM_END:
		return ZIO_STEP_END;
	case Z_DATA_ERROR:
		x->why = s->msg != NULL ? s->msg : "invalid data";
		x->corrupt = true;
		return ZIO_STEP_ERR;
	case Z_NEED_DICT:
		x->why = "needs a preset dictionary";
		x->corrupt = true;
		return ZIO_STEP_ERR;
	case Z_MEM_ERROR:
		x->why = "out of memory";
		return ZIO_STEP_ERR;
	default:
		x->why = "internal zlib error";
		return ZIO_STEP_ERR;
	}
}

static void
gzip_end(void *st)
{
	inflateEnd(st);
	free(st);
}
