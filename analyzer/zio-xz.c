/*
 * zio-xz.c -- .xz streams through liblzma.
 *
 * Each stream ends with ZIO_STEP_END and zio.c starts the next one, after
 * the stream padding (pad4), as it does for the other formats; liblzma's own
 * LZMA_CONCATENATED would call trailing garbage "truncated" or "corrupt".
 * The memory limit turns a hostile dictionary size into an error, not an
 * allocation.
 */
#include <lzma.h>
#include <stdlib.h>

#include "zio-int.h"

static void *xz_init(void);
static int xz_restart(void *st);
static enum zio_step xz_step(void *st, struct zio_xfer *x);
static void xz_end(void *st);

const struct zio_codec zio_codec_xz = {
	.pad4 = true,
	.init = xz_init,
	.restart = xz_restart,
	.step = xz_step,
	.end = xz_end,
};

static void *
xz_init(void)
{
	lzma_stream *s = malloc(sizeof(*s));

	if (s == NULL)
		return NULL;
	*s = (lzma_stream)LZMA_STREAM_INIT;
	if (lzma_stream_decoder(s, ZIO_XZ_MEMLIMIT, 0) != LZMA_OK) {
		free(s);
		return NULL;
	}
	return s;
}

static int
xz_restart(void *st)
{
	/* Reinitialising reuses the memory when the options allow. */
	return lzma_stream_decoder(st, ZIO_XZ_MEMLIMIT, 0) == LZMA_OK ? 0 : -1;
}

static enum zio_step
xz_step(void *st, struct zio_xfer *x)
{
	lzma_stream *s = st;
	lzma_ret rc;

	s->next_in = x->in;
	s->avail_in = x->in_len;
	s->next_out = x->out;
	s->avail_out = x->out_len;
	rc = lzma_code(s, x->finish ? LZMA_FINISH : LZMA_RUN);
	x->in_used = x->in_len - s->avail_in;
	x->out_made = x->out_len - s->avail_out;
	switch (rc) {
	case LZMA_OK:
	case LZMA_BUF_ERROR:	/* no progress possible: not fatal */
		return ZIO_STEP_MORE;
	case LZMA_STREAM_END:
		return ZIO_STEP_END;
	case LZMA_FORMAT_ERROR:
		x->why = "not in xz format";
		x->corrupt = true;
		return ZIO_STEP_ERR;
	case LZMA_OPTIONS_ERROR:
		x->why = "unsupported options";
		x->corrupt = true;
		return ZIO_STEP_ERR;
	case LZMA_DATA_ERROR:
		x->why = "compressed data is corrupt";
		x->corrupt = true;
		return ZIO_STEP_ERR;
	case LZMA_MEMLIMIT_ERROR:
		x->why = "needs more than the 128 MiB memory limit";
		return ZIO_STEP_ERR;
	case LZMA_MEM_ERROR:
		x->why = "out of memory";
		return ZIO_STEP_ERR;
	default:
		x->why = "internal liblzma error";
		return ZIO_STEP_ERR;
	}
}

static void
xz_end(void *st)
{
	lzma_end(st);
	free(st);
}
