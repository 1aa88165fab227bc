/*
 * budget.c -- byte accounting for --max-memory (see budget.h).
 */
#include <string.h>

#include "budget.h"
#include "evidence.h"
#include "explain.h"
#include "flow.h"
#include "results.h"
#include "tunables.h"

/* The costs of tunables.h must cover the structures they pay for. */
_Static_assert(TUN_COST_RECORD >= sizeof(struct port_ev) + 4 * 4 +
    sizeof(struct port_row) + sizeof(struct kind_verdict) + 8 + 14,
    "TUN_COST_RECORD below a record and its result row");
_Static_assert(TUN_COST_HOST >= 2 * sizeof(struct addr) + 4 * 4 + 1,
    "TUN_COST_HOST below a host");
_Static_assert(TUN_COST_TALLY_PAIR >= 4 * sizeof(uint64_t),
    "TUN_COST_TALLY_PAIR below a set slot at load 1/4");
_Static_assert(TUN_COST_TALLY_ROW >= 2 * 2 * sizeof(uint32_t),
    "TUN_COST_TALLY_ROW below a doubled row");
_Static_assert(TUN_COST_PHASE >= 3 * sizeof(struct phase),
    "TUN_COST_PHASE below a phase entry");
_Static_assert(TUN_COST_EXPLAIN >= 2 * sizeof(struct explain_event) + 4,
    "TUN_COST_EXPLAIN below an event");
_Static_assert(TUN_COST_FLOW_SLOT >= sizeof(struct flow_entry),
    "TUN_COST_FLOW_SLOT below a pairing table slot");

static const char *const budget_names[BU_COUNT] = {
	[BU_FLOWS] = "pairing table",
	[BU_RECORDS] = "port records",
	[BU_HOSTS] = "hosts",
	[BU_TALLIES] = "unsolicited-reply counters",
	[BU_PHASES] = "state-change log",
	[BU_EXPLAIN] = "explain events",
};

void
budget_init(struct budget *b, uint64_t limit)
{
	memset(b, 0, sizeof(*b));
	b->limit = limit;
}

bool
budget_take(struct budget *b, enum budget_user u, uint64_t bytes)
{
	if (b == NULL)
		return true;
	if (b->limit != 0 && (bytes > b->limit || b->used > b->limit - bytes)) {
		b->refused[u]++;
		return false;
	}
	b->used += bytes;
	b->taken[u] += bytes;
	return true;
}

bool
budget_fits(const struct budget *b, uint64_t bytes)
{
	return b == NULL || b->limit == 0 ||
	    (bytes <= b->limit && b->used <= b->limit - bytes);
}

void
budget_charge(struct budget *b, enum budget_user u, uint64_t bytes)
{
	if (b == NULL)
		return;
	b->used += bytes;
	b->taken[u] += bytes;
}

uint64_t
budget_refusals(const struct budget *b)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < BU_COUNT; i++)
		n += b->refused[i];
	return n;
}

const char *
budget_user_name(enum budget_user u)
{
	return (unsigned)u < BU_COUNT ? budget_names[u] : "?";
}
