/*
 * zio-decode.c -- drive a decoder over the input buffer of a zio stream:
 * refill, step, find member boundaries, and turn every way a compressed
 * stream can go wrong into one sticky failure with a message (see zio.h).
 */
#include <errno.h>
#include <string.h>

#include "zio-int.h"

/* Decode steps in a row without progress before we call the decoder stuck. */
#define ZIO_STALLS 8

static int zio_next_member(struct zio *z);

/* After a member ended: 1 if another follows (decoder reset), 0 at EOF. */
static int
zio_next_member(struct zio *z)
{
	const char *name = zio_kind_name(z->kind);
	size_t zeros = 0;

	for (;;) {
		if (z->in_len - z->in_pos < ZIO_MAGIC &&
		    zio_fill(z, ZIO_MAGIC) == -1)
			return -1;
		if (!z->codec->pad4 || z->in_pos == z->in_len ||
		    z->in[z->in_pos] != 0)
			break;
		z->in_pos++;	/* xz stream padding */
		z->in_used++;
		zeros++;
	}
	if (zeros % 4 != 0) {
		zio_fail(z, EIO, "corrupt %s stream padding at compressed "
		    "byte %llu", name, (unsigned long long)z->in_used);
		return -1;
	}
	if (z->in_len == z->in_pos)
		return 0;
	if (zio_sniff(z->in + z->in_pos, z->in_len - z->in_pos) != z->kind) {
		zio_fail(z, EIO, "trailing garbage after %s stream at "
		    "compressed byte %llu", name,
		    (unsigned long long)z->in_used);
		return -1;
	}
	if (z->codec->restart(z->st) == -1) {
		zio_fail(z, ENOMEM, "%s decoder: out of memory", name);
		return -1;
	}
	return 1;
}

/*
 * Decode into out[0, size): the number of bytes made (short when input has
 * to be waited for and something was made already), 0 at the end, -1 with
 * errno once failed. Data made before a failure is returned first.
 */
ssize_t
zio_decode(struct zio *z, unsigned char *out, size_t size)
{
	const char *name = zio_kind_name(z->kind);
	struct zio_xfer x;
	enum zio_step rc;
	size_t got = 0, avail;
	int stalls = 0, more;

	while (got < size && !z->done && !z->failed) {
		if (z->between) {
			if ((more = zio_next_member(z)) == -1)
				break;
			z->between = false;
			if (more == 0) {
				z->done = true;
				break;
			}
		}
		avail = z->in_len - z->in_pos;
		if (avail == 0 && !z->in_eof) {
			if (got > 0 || zio_fill(z, 1) == -1)
				break;	/* deliver before waiting for input */
			continue;
		}
		memset(&x, 0, sizeof(x));
		x.in = z->in + z->in_pos;
		x.in_len = avail;
		x.out = out + got;
		x.out_len = size - got < ZIO_STEP_MAX ? size - got :
		    ZIO_STEP_MAX;
		x.finish = z->in_eof;
		rc = z->codec->step(z->st, &x);
		z->in_pos += x.in_used;
		z->in_used += x.in_used;
		got += x.out_made;
		stalls = x.in_used == 0 && x.out_made == 0 ? stalls + 1 : 0;
		if (rc == ZIO_STEP_ERR) {
			if (x.corrupt)
				zio_fail(z, EIO, "corrupt %s stream at "
				    "compressed byte %llu (%s)", name,
				    (unsigned long long)z->in_used, x.why);
			else
				zio_fail(z, EIO, "%s stream at compressed "
				    "byte %llu: %s", name,
				    (unsigned long long)z->in_used, x.why);
		} else if (rc == ZIO_STEP_END) {
			z->between = true;
		} else if (x.in_used == 0 && x.out_made == 0) {
			if (z->in_eof)
				zio_fail(z, EIO, "truncated %s stream (ends "
				    "at compressed byte %llu)", name,
				    (unsigned long long)z->in_used);
			else if (got > 0)
				break;
			else if (avail < z->in_cap)
				zio_fill(z, avail + 1);
		}
		if (stalls >= ZIO_STALLS && !z->failed)
			zio_fail(z, EIO, "%s decoder stuck at compressed "
			    "byte %llu", name, (unsigned long long)z->in_used);
	}
	if (got > 0)
		return (ssize_t)got;
	if (z->failed) {
		errno = z->fail_errno;
		return -1;
	}
	return 0;
}
