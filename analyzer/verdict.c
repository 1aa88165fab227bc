/*
 * verdict.c -- reply-scope schema and memoised rule evaluation.
 */
#include <stdlib.h>
#include <string.h>

#include "verdict.h"
#include "xmalloc.h"

enum {
	F_PROBE,
	F_REPLY,
	F_ICMP_TYPE,
	F_ICMP_CODE,
	F_ICMP_V6,
	F_FROM_TARGET,
	F_WINDOW,
	F_IP,
	F_COUNT
};

static const struct ev_field reply_fields[F_COUNT] = {
	[F_PROBE] = { "probe", EV_ENUM, probe_kind_names,
	    "what the prober sent" },
	[F_REPLY] = { "reply", EV_ENUM, reply_kind_names,
	    "what came back (none: nothing before the timeout)" },
	[F_ICMP_TYPE] = { "icmp.type", EV_NUM, NULL,
	    "ICMP/ICMPv6 type of the reply, -1 if not ICMP" },
	[F_ICMP_CODE] = { "icmp.code", EV_NUM, NULL,
	    "ICMP/ICMPv6 code of the reply, -1 if not ICMP" },
	[F_ICMP_V6] = { "icmp.v6", EV_BOOL, NULL,
	    "the ICMP reply is ICMPv6" },
	[F_FROM_TARGET] = { "from_target", EV_BOOL, NULL,
	    "the reply's source address is the probed target" },
	[F_WINDOW] = { "window", EV_NUM, NULL,
	    "TCP window of the reply, 0 otherwise" },
	[F_IP] = { "ip", EV_NUM, NULL, "IP version of the probe, 4 or 6" },
};

const struct ev_schema verdict_reply_schema = { reply_fields, F_COUNT };

#define MEMO_SLOTS 65536u
#define MEMO_EMPTY UINT64_MAX
#define NO_RULE UINT16_MAX

struct memo {
	uint64_t key;
	uint16_t rule;		/* index into rules[], NO_RULE: no match */
};

struct verdict {
	const struct ruleset *rs;
	const struct rule **rules; /* reply-scope rules, evaluation order */
	uint16_t nrules;
	struct memo *memo;
};

static uint64_t memo_key(const struct reply_in *in);
static uint16_t verdict_eval(const struct verdict *v,
    const struct reply_in *in);

struct verdict *
verdict_new(const struct ruleset *rs)
{
	struct verdict *v = xcalloc(1, sizeof(*v));
	size_t i, n = ruleset_count(rs);

	v->rs = rs;
	v->rules = xcalloc(n ? n : 1, sizeof(*v->rules));
	for (i = 0; i < n && v->nrules < NO_RULE - 1; i++) {
		const struct rule *r = ruleset_get(rs, i);

		if (r->scope == RULE_SCOPE_REPLY)
			v->rules[v->nrules++] = r;
	}
	v->memo = xmalloc(MEMO_SLOTS * sizeof(*v->memo));
	for (i = 0; i < MEMO_SLOTS; i++)
		v->memo[i].key = MEMO_EMPTY;
	return v;
}

void
verdict_free(struct verdict *v)
{
	if (v == NULL)
		return;
	free(v->rules);
	free(v->memo);
	free(v);
}

/* Pack every input into 64 bits: the memo key is exact, not a hash. */
static uint64_t
memo_key(const struct reply_in *in)
{
	return (uint64_t)in->kind | (uint64_t)in->reply << 4 |
	    (uint64_t)(uint16_t)in->icmp_type << 8 |
	    (uint64_t)(uint16_t)in->icmp_code << 24 |
	    (uint64_t)in->icmp_v6 << 40 | (uint64_t)in->from_target << 41 |
	    (uint64_t)(in->ip == 6) << 42 | (uint64_t)in->window << 43;
}

static uint16_t
verdict_eval(const struct verdict *v, const struct reply_in *in)
{
	struct ev_value val[F_COUNT];
	uint16_t i;

	memset(val, 0, sizeof(val));
	val[F_PROBE].num = in->kind;
	val[F_REPLY].num = in->reply;
	val[F_ICMP_TYPE].num = in->icmp_type;
	val[F_ICMP_CODE].num = in->icmp_code;
	val[F_ICMP_V6].num = in->icmp_v6;
	val[F_FROM_TARGET].num = in->from_target;
	val[F_WINDOW].num = in->window;
	val[F_IP].num = in->ip;
	for (i = 0; i < v->nrules; i++)
		if (rule_matches(v->rules[i], val))
			return i;
	return NO_RULE;
}

bool
verdict_label(struct verdict *v, const struct reply_in *in,
    struct label *out)
{
	uint64_t key = memo_key(in);
	uint64_t h = key * 0x9e3779b97f4a7c15ull;
	uint32_t i = (uint32_t)(h >> 40) & (MEMO_SLOTS - 1);
	uint32_t probes;
	uint16_t ri = NO_RULE;
	bool found = false;
	const struct rule *r;

	for (probes = 0; probes < 16; probes++) {
		struct memo *m = &v->memo[(i + probes) & (MEMO_SLOTS - 1)];

		if (m->key == key) {
			ri = m->rule;
			found = true;
			break;
		}
		if (m->key == MEMO_EMPTY) {
			ri = verdict_eval(v, in);
			m->key = key;
			m->rule = ri;
			found = true;
			break;
		}
	}
	if (!found)
		ri = verdict_eval(v, in);
	if (ri == NO_RULE)
		return false;
	r = v->rules[ri];
	out->state = (uint8_t)r->state;
	out->reason = (uint8_t)r->reason;
	out->rank = (uint8_t)(r->rank < 0 ? 0 : r->rank > 255 ? 255 : r->rank);
	out->rule = ri;
	return true;
}

const char *
verdict_rule_name(const struct verdict *v, uint16_t i)
{
	return i < v->nrules ? v->rules[i]->name : "";
}

uint16_t
verdict_rule_count(const struct verdict *v)
{
	return v->nrules;
}
