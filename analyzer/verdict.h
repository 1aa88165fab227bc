/*
 * verdict.h -- from one try and its reply to a label (state, reason, rank),
 * through the rules of scope "reply".
 *
 * The reply-scope evidence schema (probe, reply, icmp.type, icmp.code,
 * icmp.v6, from_target, window, ip) is defined here and handed to the rule
 * set. verdict_label() evaluates the first matching rule and memoises the
 * answer per distinct input (the inputs are a handful of small integers), so
 * the per-packet cost is one table probe. The memo table is allocated once;
 * when it is full, answers are computed without being stored.
 */
#ifndef PORTSLEUTH_VERDICT_H
#define PORTSLEUTH_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "evidence.h"
#include "portstate.h"
#include "rules.h"

/* The facts about one reply that rules of scope "reply" may read. */
struct reply_in {
	uint8_t kind;		/* enum probe_kind */
	uint8_t reply;		/* enum reply_kind */
	int16_t icmp_type;	/* -1 when not ICMP */
	int16_t icmp_code;
	bool icmp_v6;
	bool from_target;
	uint16_t window;	/* TCP window of the reply */
	uint8_t ip;		/* 4 or 6 */
};

/* Schema of scope "reply" (borrowed by the rule set). */
extern const struct ev_schema verdict_reply_schema;

struct verdict;

struct verdict *verdict_new(const struct ruleset *rs);
void verdict_free(struct verdict *v);

/*
 * Label for one reply (or RK_NONE: no reply). Returns false when no rule
 * matches: the reply is ignored, as nmap ignores e.g. ICMP 3/4.
 */
bool verdict_label(struct verdict *v, const struct reply_in *in,
    struct label *out);

/* Name of the rule with index i (for output), "" if none. */
const char *verdict_rule_name(const struct verdict *v, uint16_t i);
/* How many rules verdict_rule_name() names (0..count-1). */
uint16_t verdict_rule_count(const struct verdict *v);

#endif
