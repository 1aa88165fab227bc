/*
 * budget.h -- the memory budget of one analysis (--max-memory).
 *
 * The structures that grow with the input take bytes from the budget before
 * they add an item: evidence records (each with the result row the end of
 * the run builds from it, reserved up front: rows are built one host at a
 * time, but one host may hold every record), interned hosts, the
 * unsolicited-reply tallies, the phase log and the --explain log. The
 * pairing table is charged when it is made and, when it may grow, checks
 * budget_fits() before each doubling (a full table is not an error, so
 * nothing is refused). Costs are per item and pessimistic (each hash
 * index at its lowest load, each doubling array at its largest slack;
 * TUN_COST_* in tunables.h), so the bytes taken bound what the structures
 * hold whatever their growth steps.
 *
 * A request that does not fit is refused: the caller drops the item instead
 * of growing (a new port record, a new host, a new pair of a tally, an
 * event) and the budget counts the refusal per user, so the run can say
 * once what was dropped and mark its results partial. What is already held
 * is never evicted: the first items of a flood keep their place.
 *
 * A budget belongs to one analysis (one thread); limit 0 means no limit.
 * Users hold a borrowed pointer, NULL meaning "not budgeted". Nothing here
 * allocates.
 */
#ifndef PORTSLEUTH_BUDGET_H
#define PORTSLEUTH_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

enum budget_user {
	BU_FLOWS = 0,		/* pairing table (made, then each doubling) */
	BU_RECORDS,		/* port records and their result rows */
	BU_HOSTS,		/* interned addresses */
	BU_TALLIES,		/* unsolicited-reply counters */
	BU_PHASES,		/* state-change log */
	BU_EXPLAIN,		/* --explain events */
	BU_COUNT,
};

struct budget {
	uint64_t limit;		/* bytes; 0: unlimited */
	uint64_t used;		/* bytes taken */
	uint64_t taken[BU_COUNT]; /* bytes taken per user */
	uint64_t refused[BU_COUNT]; /* requests refused per user */
};

void budget_init(struct budget *b, uint64_t limit);

/*
 * Take bytes for user u: true when they fit (always with b NULL or no
 * limit), false (and one refusal counted) when they do not.
 */
bool budget_take(struct budget *b, enum budget_user u, uint64_t bytes);

/* Would bytes fit now? (Nothing taken, no refusal counted.) */
bool budget_fits(const struct budget *b, uint64_t bytes);

/* Take bytes that must be had (a fixed table): never refused, counted. */
void budget_charge(struct budget *b, enum budget_user u, uint64_t bytes);

/* Requests refused over every user. */
uint64_t budget_refusals(const struct budget *b);

/* "port records", "hosts", ... for messages. */
const char *budget_user_name(enum budget_user u);

#endif
