/*
 * zio-bzip2.c -- bzip2 streams through libbz2.
 *
 * libbz2 has no reset, so a following stream (bzip2 -c a b > ab.bz2) gets a
 * fresh decoder. Each block and the whole stream carry a CRC-32.
 */
#include <bzlib.h>
#include <stdint.h>
#include <stdlib.h>

#include "zio-int.h"

static void *bzip2_init(void);
static int bzip2_restart(void *st);
static enum zio_step bzip2_step(void *st, struct zio_xfer *x);
static void bzip2_end(void *st);

const struct zio_codec zio_codec_bzip2 = {
	.init = bzip2_init,
	.restart = bzip2_restart,
	.step = bzip2_step,
	.end = bzip2_end,
};

static void *
bzip2_init(void)
{
	bz_stream *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	/* small = 0: the fast decoder, at most about 3.7 MB for 900k blocks. */
	if (BZ2_bzDecompressInit(s, 0, 0) != BZ_OK) {
		free(s);
		return NULL;
	}
	return s;
}

static int
bzip2_restart(void *st)
{
	bz_stream *s = st;

	BZ2_bzDecompressEnd(s);
	*s = (bz_stream){ 0 };
	return BZ2_bzDecompressInit(s, 0, 0) == BZ_OK ? 0 : -1;
}

static enum zio_step
bzip2_step(void *st, struct zio_xfer *x)
{
	bz_stream *s = st;
	int rc;

	s->next_in = (char *)(uintptr_t)x->in; /* libbz2 never writes it */
	s->avail_in = (unsigned int)x->in_len;
	s->next_out = (char *)x->out;
	s->avail_out = (unsigned int)x->out_len;
	rc = BZ2_bzDecompress(s);
	x->in_used = x->in_len - s->avail_in;
	x->out_made = x->out_len - s->avail_out;
	switch (rc) {
	case BZ_OK:
		return ZIO_STEP_MORE;
	case BZ_STREAM_END:
		return ZIO_STEP_END;
	case BZ_DATA_ERROR:
		x->why = "data integrity error";
		x->corrupt = true;
		return ZIO_STEP_ERR;
	case BZ_DATA_ERROR_MAGIC:
		x->why = "bad stream header";
		x->corrupt = true;
		return ZIO_STEP_ERR;
	case BZ_MEM_ERROR:
		x->why = "out of memory";
		return ZIO_STEP_ERR;
	default:
		x->why = "internal libbz2 error";
		return ZIO_STEP_ERR;
	}
}

static void
bzip2_end(void *st)
{
	BZ2_bzDecompressEnd(st);
	free(st);
}
