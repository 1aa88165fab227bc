/*
 * hosts.h -- interned addresses: each distinct address gets a small index
 * (1-based; 0 means "none") so per-port records stay compact.
 *
 * The table owns copies of the addresses and grows by doubling when a new
 * address arrives (amortised; lookups of known hosts allocate nothing).
 * hosts_intern() returns 0 when the --max-hosts style cap is reached, or
 * when the memory budget (budget.h), if one is set, refuses a new host.
 */
#ifndef PORTSLEUTH_HOSTS_H
#define PORTSLEUTH_HOSTS_H

#include <stdint.h>

#include "addr.h"

struct hosts;
struct budget;

struct hosts *hosts_new(uint32_t max_hosts);
void hosts_free(struct hosts *h);
/* Pay for each new host from b (borrowed; NULL: no budget). */
void hosts_set_budget(struct hosts *h, struct budget *b);
/* Index of addr, adding it if new; 0 if the table is at its cap. */
uint32_t hosts_intern(struct hosts *h, const struct addr *a);
/*
 * hosts_intern(), trying index hint first (0: no hint): a caller that
 * knows which host a packet most likely names skips the lookup.
 */
uint32_t hosts_intern_hint(struct hosts *h, const struct addr *a,
    uint32_t hint);
/* Index of addr or 0 if unknown. */
uint32_t hosts_find(const struct hosts *h, const struct addr *a);
/* The same, through (and filling) hosts_intern()'s cache of recent hosts. */
uint32_t hosts_lookup(struct hosts *h, const struct addr *a);
/* Address of index i (1..hosts_count). */
const struct addr *hosts_addr(const struct hosts *h, uint32_t i);
uint32_t hosts_count(const struct hosts *h);

/* 64-bit hash of bytes (FNV-1a folded with a fixed seed; deterministic). */
uint64_t hosts_hash_bytes(const void *p, size_t n, uint64_t seed);

#endif
