/*
 * sha256.h -- SHA-256 (FIPS 180-4), to identify capture files by content.
 *
 * A small, dependency-free implementation: streaming (init, any number of
 * updates of any length, final) plus a hex formatter. The context is a plain
 * struct owned by the caller; nothing is allocated and nothing can fail.
 * Not constant-time and not meant for secrets: it names files.
 */
#ifndef PORTSLEUTH_SHA256_H
#define PORTSLEUTH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32		/* digest bytes */
#define SHA256_HEX_LEN 65	/* 64 hex digits and a NUL */

struct sha256 {
	uint32_t h[8];		/* chaining value */
	uint64_t bytes;		/* message length so far */
	uint8_t block[64];	/* partial block */
	size_t nblock;		/* bytes used in block */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Pads, writes the digest; the context must be re-initialised to reuse. */
void sha256_final(struct sha256 *c, uint8_t digest[SHA256_LEN]);

/* One-shot digest of a buffer. */
void sha256(const void *data, size_t len, uint8_t digest[SHA256_LEN]);

/* Lowercase hex, NUL-terminated. */
void sha256_hex(const uint8_t digest[SHA256_LEN], char hex[SHA256_HEX_LEN]);

#endif
