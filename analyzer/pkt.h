/*
 * pkt.h -- bounds-checked cursor over borrowed packet bytes.
 *
 * A struct pkt views `len` bytes at `base` (owned by libpcap, never kept)
 * with a read offset. Every accessor checks the remaining length before it
 * touches memory; once data runs out it returns 0, sets the sticky `bad`
 * flag and parks the offset at the end, so a decoder reads a whole header
 * and checks `bad` once (STYLE.md section 2, after tcpdump's GET_* macros
 * without the longjmp). Lengths are compared, never pointer + n, and
 * multi-byte values are assembled from bytes as uint32_t before shifting,
 * so there is no alignment, aliasing or signed-shift trouble.
 *
 * Fixed-size headers are read the tcpdump way (ND_TCHECK_LEN, then
 * EXTRACT_*): pkt_take() checks and consumes the whole header at once and
 * returns a pointer to it (NULL and bad when it does not fit); the pkt_get_*
 * loads then read it at constant offsets below the length taken. That is
 * one length check per header instead of one per field.
 */
#ifndef PORTSLEUTH_PKT_H
#define PORTSLEUTH_PKT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct pkt {
	const uint8_t *base; /* first byte of the view (borrowed) */
	uint32_t len;        /* bytes in the view */
	uint32_t off;        /* read offset, always <= len */
	bool bad;            /* a read ran past the end */
};

static inline void
pkt_init(struct pkt *p, const uint8_t *base, uint32_t len)
{
	p->base = base;
	p->len = base == NULL ? 0 : len;
	p->off = 0;
	p->bad = false;
}

static inline uint32_t
pkt_remaining(const struct pkt *p)
{
	return p->len - p->off;
}

static inline uint32_t
pkt_offset(const struct pkt *p)
{
	return p->off;
}

/* Mark the cursor overrun: later reads fail too. */
static inline void
pkt_fail(struct pkt *p)
{
	p->off = p->len;
	p->bad = true;
}

/* True when n more bytes can be read; otherwise marks the cursor bad. */
static inline bool
pkt_need(struct pkt *p, uint32_t n)
{
	if (pkt_remaining(p) < n) {
		pkt_fail(p);
		return false;
	}
	return true;
}

/* Pointer to the current byte, for handing the rest to another stage. */
static inline const uint8_t *
pkt_cur(const struct pkt *p)
{
	return p->base == NULL ? NULL : p->base + p->off;
}

/* Next byte without consuming it (0 and bad when there is none). */
static inline uint8_t
pkt_peek_u8(struct pkt *p)
{
	if (!pkt_need(p, 1))
		return 0;
	return p->base[p->off];
}

static inline uint8_t
pkt_u8(struct pkt *p)
{
	if (!pkt_need(p, 1))
		return 0;
	return p->base[p->off++];
}

static inline uint16_t
pkt_be16(struct pkt *p)
{
	const uint8_t *b;

	if (!pkt_need(p, 2))
		return 0;
	b = p->base + p->off;
	p->off += 2;
	return (uint16_t)(((uint32_t)b[0] << 8) | (uint32_t)b[1]);
}

static inline uint16_t
pkt_le16(struct pkt *p)
{
	const uint8_t *b;

	if (!pkt_need(p, 2))
		return 0;
	b = p->base + p->off;
	p->off += 2;
	return (uint16_t)(((uint32_t)b[1] << 8) | (uint32_t)b[0]);
}

static inline uint32_t
pkt_be32(struct pkt *p)
{
	const uint8_t *b;

	if (!pkt_need(p, 4))
		return 0;
	b = p->base + p->off;
	p->off += 4;
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
	    ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}

/* Little-endian 32 bits: the BSD null link header is in host order. */
static inline uint32_t
pkt_le32(struct pkt *p)
{
	const uint8_t *b;

	if (!pkt_need(p, 4))
		return 0;
	b = p->base + p->off;
	p->off += 4;
	return ((uint32_t)b[3] << 24) | ((uint32_t)b[2] << 16) |
	    ((uint32_t)b[1] << 8) | (uint32_t)b[0];
}

/*
 * Check and consume the next n bytes: a pointer to them, or NULL with the
 * cursor bad when fewer remain. Only offsets below n may be read from it.
 */
static inline const uint8_t *
pkt_take(struct pkt *p, uint32_t n)
{
	const uint8_t *b;

	if (!pkt_need(p, n))
		return NULL;
	b = p->base + p->off;
	p->off += n;
	return b;
}

/* Unchecked loads inside a span pkt_take() (or pkt_need()) has checked. */
static inline uint16_t
pkt_get_be16(const uint8_t *b)
{
	return (uint16_t)(((uint32_t)b[0] << 8) | (uint32_t)b[1]);
}

static inline uint32_t
pkt_get_be32(const uint8_t *b)
{
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
	    ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}

static inline void
pkt_skip(struct pkt *p, uint32_t n)
{
	if (pkt_need(p, n))
		p->off += n;
}

/* Copy n bytes out; on overrun dst is zero-filled and the cursor is bad. */
static inline void
pkt_bytes(struct pkt *p, void *dst, uint32_t n)
{
	if (!pkt_need(p, n)) {
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, p->base + p->off, n);
	p->off += n;
}

/*
 * Child cursor over the next n bytes, clamped to what remains (a length
 * field larger than the capture is normal with a snap length). The parent
 * moves past the bytes handed out; a bad parent yields a bad, empty child.
 */
static inline struct pkt
pkt_sub(struct pkt *p, uint32_t n)
{
	struct pkt c;
	uint32_t rem = pkt_remaining(p);

	if (n > rem)
		n = rem;
	pkt_init(&c, pkt_cur(p), n);
	c.bad = p->bad;
	p->off += n;
	return c;
}

#endif
