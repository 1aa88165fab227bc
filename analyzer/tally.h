/*
 * tally.h -- counters keyed by a small integer (a host index), each with a
 * count of events and of distinct partners (e.g. per victim address: how many
 * unsolicited SYN-ACKs, from how many distinct sources).
 *
 * Grows by doubling as new keys and pairs appear, up to a cap on distinct
 * pairs; past the cap, counts still grow but distinct counts stop (and
 * tally_saturated() says so). With a memory budget (budget.h), new pairs
 * and row growth are paid for first: a refused pair saturates the tally, a
 * refused row drops the event (tally_dropped()). Owns its memory.
 */
#ifndef PORTSLEUTH_TALLY_H
#define PORTSLEUTH_TALLY_H

#include <stdbool.h>
#include <stdint.h>

struct tally;
struct budget;

struct tally *tally_new(uint32_t max_pairs);
void tally_free(struct tally *t);
/* Pay for growth from b (borrowed; NULL: no budget). */
void tally_set_budget(struct tally *t, struct budget *b);
/* One event for key with partner sub (both non-zero host indexes). */
void tally_add(struct tally *t, uint32_t key, uint32_t sub);
uint32_t tally_count(const struct tally *t, uint32_t key);
uint32_t tally_distinct(const struct tally *t, uint32_t key);
/* Keys seen are 1..tally_max_key(). */
uint32_t tally_max_key(const struct tally *t);
bool tally_saturated(const struct tally *t);
/* Events not counted because their key found no room. */
uint64_t tally_dropped(const struct tally *t);

#endif
