/*
 * zio-zstd.c -- Zstandard frames (RFC 8878) through libzstd.
 *
 * The streaming decoder moves on to the next frame by itself, skippable
 * frames included; a return of 0 means a frame is complete and flushed.
 * Windows above 2^ZIO_ZSTD_WINDOWLOG_MAX bytes (zstd --long=31) are refused.
 */
#include <zstd.h>
#include <zstd_errors.h>

#include "zio-int.h"

static void *zstd_init(void);
static int zstd_restart(void *st);
static enum zio_step zstd_step(void *st, struct zio_xfer *x);
static void zstd_end(void *st);

const struct zio_codec zio_codec_zstd = {
	.init = zstd_init,
	.restart = zstd_restart,
	.step = zstd_step,
	.end = zstd_end,
};

static void *
zstd_init(void)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();

	if (d == NULL)
		return NULL;
	if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax,
	    ZIO_ZSTD_WINDOWLOG_MAX))) {
		ZSTD_freeDCtx(d);
		return NULL;
	}
	return d;
}

static int
zstd_restart(void *st)
{
	(void)st;		/* the decoder starts the next frame itself */
	return 0;
}

static enum zio_step
zstd_step(void *st, struct zio_xfer *x)
{
	ZSTD_inBuffer in = { x->in, x->in_len, 0 };
	ZSTD_outBuffer out = { x->out, x->out_len, 0 };
	size_t rc;

	rc = ZSTD_decompressStream(st, &out, &in);
	x->in_used = in.pos;
	x->out_made = out.pos;
	if (ZSTD_isError(rc)) {
		x->why = ZSTD_getErrorName(rc);
		switch (ZSTD_getErrorCode(rc)) {
		case ZSTD_error_memory_allocation:
		case ZSTD_error_frameParameter_windowTooLarge:
			x->corrupt = false;
			break;
		default:
			x->corrupt = true;
			break;
		}
		return ZIO_STEP_ERR;
	}
	return rc == 0 ? ZIO_STEP_END : ZIO_STEP_MORE;
}

static void
zstd_end(void *st)
{
	ZSTD_freeDCtx(st);
}
