/*
 * findings-row.c -- port rows for the finding rules: each row's facts
 * (the integers its values come from), its values, and which port rules
 * (findings and live hide rules) hold for it. Rows of one host mostly
 * repeat a few combinations of facts, so the matches are remembered by
 * the facts the loaded rules read (any rule file: a rule reading a field
 * facts do not decide turns the memo off).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings-ctx.h"
#include "out.h"
#include "rules-int.h"	/* the condition nodes, for the fields they read */
#include "xmalloc.h"

static bool facts_mask(size_t field, struct row_facts *m);
static void record_facts(const struct fctx *f, size_t row,
    struct row_facts *fa);
static void record_values(const struct fctx *f, const struct row_facts *fa,
    struct ev_value *v, char text[][TEXT], const bool *need);
static void eval_rules(const struct fctx *f, const struct ev_value *v,
    uint64_t *m);
static uint64_t memo_hash(const struct fctx *f, const uint64_t *key);
static bool memo_find(const struct fctx *f, const uint64_t *key,
    uint64_t *m);
static void memo_put(struct fctx *f, const uint64_t *key, const uint64_t *m);

/*
 * Mark the fields rule r's condition reads (not its message: messages are
 * rendered from complete values, for a finding's first row only).
 */
void
fnd_cond_fields(const struct rule *r, bool *used, size_t nfields)
{
	const struct rule_expr *e = r->when;
	uint32_t i;

	for (i = 0; e != NULL && i < e->n; i++) {
		const struct rx_node *n = &e->node[i];

		if ((n->op == RX_FIELD || n->op == RX_BFIELD ||
		    n->op == RX_SFIELD) && n->field < nfields)
			used[n->field] = true;
	}
}

const char *
fnd_host_str(const struct fctx *f, uint32_t h, char buf[ADDR_STRLEN])
{
	if (h == 0) {
		buf[0] = '\0';
		return buf;
	}
	return addr_str(hosts_addr(f->in.hosts, h), buf);
}

/* iptables-style names of ICMP errors (what a REJECT rule sends). */
const char *
fnd_icmp_name(bool v6, unsigned type, unsigned code, char buf[TEXT])
{
	static const char *const v4[16] = {
		"icmp-net-unreachable", "icmp-host-unreachable",
		"icmp-proto-unreachable", "icmp-port-unreachable",
		"icmp-frag-needed", "icmp-source-route-failed",
		"icmp-net-unknown", "icmp-host-unknown", "icmp-host-isolated",
		"icmp-net-prohibited", "icmp-host-prohibited",
		"icmp-net-tos-unreachable", "icmp-host-tos-unreachable",
		"icmp-admin-prohibited", "icmp-host-precedence-violation",
		"icmp-precedence-cutoff",
	};
	static const char *const v6n[8] = {
		"icmp6-no-route", "icmp6-adm-prohibited", "icmp6-beyond-scope",
		"icmp6-addr-unreachable", "icmp6-port-unreachable",
		"icmp6-policy-fail", "icmp6-reject-route", "icmp6-source-route",
	};

	if (!v6 && type == 3 && code < 16)
		return v4[code];
	if (v6 && type == 1 && code < 8)
		return v6n[code];
	if (!v6 && type == 11)
		return "icmp-time-exceeded";
	if (v6 && type == 3)
		return "icmp6-time-exceeded";
	snprintf(buf, TEXT, "%s-%u/%u", v6 ? "icmp6" : "icmp", type, code);
	return buf;
}

static const char *
router_at(const struct fctx *f, int hops, char buf[ADDR_STRLEN])
{
	size_t i;

	for (i = 0; i < f->nrouters; i++)
		if (f->routers[i].hops == hops)
			return fnd_host_str(f, f->routers[i].addr, buf);
	buf[0] = '\0';
	return buf;
}

/* "open@0.15s,closed@7.24s" for record id, relative to the capture start. */
static void
phases_text(const struct fctx *f, uint32_t id, char *buf, size_t len)
{
	size_t lo = 0, hi = f->nphases, n = 0;
	int w;

	buf[0] = '\0';
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (f->phases[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < f->nphases && f->phases[lo].id == id; lo++) {
		const struct phase *p = &f->phases[lo];
		double t = p->ts_ns >= f->in.start_ns ?
		    (double)(p->ts_ns - f->in.start_ns) / 1e9 : 0;

		w = snprintf(buf + n, len - n, "%s%s@%.2fs", n ? "," : "",
		    port_state_name(p->state), t);
		if (w < 0 || (size_t)w >= len - n)
			return;
		n += (size_t)w;
	}
}

/* "tcp/22": a row's item in a finding's port list. */
const char *
fnd_port_text(const struct port_row *pr, char buf[TEXT])
{
	char *p = buf;

	memcpy(p, pr->proto == 6 ? "tcp/" : "udp/", 4);
	p = out_fmt_u64(p + 4, pr->port);
	*p = '\0';
	return buf;
}

#define NEED(fld) (need == NULL || need[fld])

/*
 * The row fields that add up or pick from all of a row's records, not only
 * its deciding one: per-kind states, half-open handshakes, retry answers,
 * resets after data and the traceroute hops.
 */
bool
fnd_is_record_field(size_t i)
{
	switch (i) {
	case P_HALFOPEN:
	case P_RETRY_ANSWERS:
	case P_AFTER_DATA_RST:
	case P_CONN_TTL:
	case P_RESET_TTL:
	case P_RESET_HOPS:
	case P_RESET_ROUTER:
	case P_TRACE_HOP_TTL:
	case P_TRACE_SILENT_TTL:
	case P_TRACE_ROUTER:
	case P_TRACE_REACHED:
		return true;
	default:
		return i >= P_KIND_STATE && i < P_KIND_STATE + PK_COUNT;
	}
}

#define FACT(m, member) memset(&(m)->member, 0xff, sizeof((m)->member))

/*
 * Mark in m the facts that row field `field` is computed from (as
 * fnd_port_values() does). False when the facts do not decide it (the phase
 * log and scanner texts): rules reading it cannot be memoised.
 */
static bool
facts_mask(size_t field, struct row_facts *m)
{
	switch (field) {
	case P_PROTO:
		FACT(m, proto);
		break;
	case P_PORT:
		FACT(m, port);
		break;
	case P_PORTS:
		FACT(m, proto);
		FACT(m, port);
		break;
	case P_STATE:
		FACT(m, state);
		break;
	case P_REASON:
		FACT(m, reason);
		break;
	case P_PROBE:
		FACT(m, kind);
		break;
	case P_TRIES:
		FACT(m, tries);
		break;
	case P_REPLIES:
		FACT(m, replies);
		break;
	case P_REPLY:
		FACT(m, reply_kind);
		break;
	case P_REPLY_TTL:
		FACT(m, reply_ttl);
		break;
	case P_REPLY_HOPS:
	case P_HOP_ROUTER:	/* and the host's routers */
	case P_SYNACKS_AT_HOPS:	/* and the host's SYN-ACKs */
		FACT(m, reply_kind);
		FACT(m, reply_ttl);
		break;
	case P_FROM_TARGET:
		FACT(m, from_target);
		break;
	case P_DECOY:
		FACT(m, decoy);
		break;
	case P_REPLY_SOURCE:
		FACT(m, reason_src);
		break;
	case P_REPLY_WINDOW:
		FACT(m, reply_win);
		break;
	case P_REPLY_OPTIONS:
		FACT(m, reply_nopt);
		break;
	case P_REPLY_IPID:
		FACT(m, reply_ipid);
		break;
	case P_ICMP_TYPE:
		FACT(m, reply_kind);
		FACT(m, icmp_type);
		break;
	case P_ICMP_CODE:
		FACT(m, reply_kind);
		FACT(m, icmp_code);
		break;
	case P_ICMP_V6:
		FACT(m, icmp_v6);
		break;
	case P_ICMP_NAME:
		FACT(m, reply_kind);
		FACT(m, icmp_type);
		FACT(m, icmp_code);
		FACT(m, icmp_v6);
		break;
	case P_RTT:
		FACT(m, rtt_ms);
		break;
	case P_CHANGES:
		FACT(m, changes);
		break;
	case P_HALFOPEN:
		FACT(m, halfopen);
		break;
	case P_RETRY_ANSWERS:
		FACT(m, retry_answers);
		break;
	case P_AFTER_DATA_RST:
		FACT(m, after_data_rst);
		break;
	case P_CONN_TTL:
		FACT(m, conn_ttl);
		break;
	case P_RESET_TTL:
		FACT(m, reset_ttl);
		break;
	case P_RESET_HOPS:
	case P_RESET_ROUTER:	/* and the host's routers */
		FACT(m, after_data_rst);
		FACT(m, reset_ttl);
		break;
	case P_TRACE_HOP_TTL:
		FACT(m, hop_ttl);
		break;
	case P_TRACE_SILENT_TTL:
		FACT(m, silent_ttl);
		break;
	case P_TRACE_ROUTER:
		FACT(m, hop_src);
		break;
	case P_TRACE_REACHED:
		FACT(m, trace_reached);
		break;
	case P_COUNT_ITEMS:	/* 1 on every row */
		break;
	case P_FIRST_S:
		FACT(m, first_ns);
		break;
	case P_LAST_S:
		FACT(m, last_ns);
		break;
	default:
		if (field < P_KIND_STATE || field >= P_KIND_STATE + PK_COUNT)
			return false;	/* P_PHASES, P_SCANNER */
		m->kind_state[field - P_KIND_STATE] = 0xff;
	}
	return true;
}

/*
 * The facts of row: those of its deciding record and, with records (else
 * they are left as they were), the ones over all its records.
 */
void
fnd_row_facts(const struct fctx *f, size_t row, struct row_facts *fa,
    bool records)
{
	const struct port_row *pr = &f->rows[row];
	struct port_ev bv;
	const struct port_ev *b = best_rec(f, row, &bv);

	fa->rtt_ms = pr->rtt_ms;
	fa->first_ns = pr->first_ns;
	fa->last_ns = pr->last_ns;
	fa->tries = pr->probes;
	fa->replies = pr->responses;
	fa->port = pr->port;
	fa->proto = pr->proto;
	fa->state = pr->state;
	fa->reason = pr->reason;
	fa->kind = b->key.kind;
	fa->reply_kind = b->reply_kind;
	fa->reply_ttl = b->reason_ttl;
	fa->reason_src = b->reason_src;
	fa->from_target = b->reason_src == b->key.target;
	fa->reply_win = b->reply_win;
	fa->reply_nopt = b->reply_nopt;
	fa->reply_ipid = b->reply_ipid;
	fa->icmp_type = b->icmp_type;
	fa->icmp_code = b->icmp_code;
	fa->icmp_v6 = b->reply_kind == RK_ICMP && !addr_is_v4(&pr->host);
	fa->changes = b->changes;
	fa->decoy = f->decoy[row];
	if (records)
		record_facts(f, row, fa);
}

/* The facts of row over all its records (fnd_is_record_field()). */
static void
record_facts(const struct fctx *f, size_t row, struct row_facts *fa)
{
	const struct findings_input *in = &f->in;
	struct port_ev rv;
	size_t j;

	memset(fa->kind_state, PS_UNKNOWN, sizeof(fa->kind_state));
	fa->halfopen = fa->retry_answers = fa->after_data_rst = 0;
	fa->conn_ttl = fa->reset_ttl = 0;
	fa->hop_ttl = fa->silent_ttl = fa->trace_reached = 0;
	fa->hop_src = 0;
	for (j = in->row_first[row]; j < in->row_first[row + 1]; j++) {
		const struct port_ev *r = rec_at(f, j, &rv);

		fa->kind_state[r->key.kind] = r->state;
		fa->halfopen += r->halfopen;
		fa->retry_answers += r->retry_answers;
		if (r->after_data_rst > 0) {
			fa->after_data_rst += r->after_data_rst;
			fa->conn_ttl = r->conn_ttl;
			fa->reset_ttl = r->reset_ttl;
		}
		if (r->key.kind == PK_TRACE) {
			fa->hop_ttl = r->hop_ttl;
			fa->silent_ttl = r->silent_ttl;
			fa->hop_src = r->hop_src;
			fa->trace_reached = r->reason_src == r->key.target &&
			    r->reply_kind != RK_NONE && r->reply_kind != RK_ICMP;
		}
	}
}

/* The record fields (see fnd_is_record_field()) from facts fa into v. */
static void
record_values(const struct fctx *f, const struct row_facts *fa,
    struct ev_value *v, char text[][TEXT], const bool *need)
{
	bool reset = fa->after_data_rst > 0;
	size_t k;

	for (k = 0; k < PK_COUNT; k++)
		v[P_KIND_STATE + k].num = fa->kind_state[k];
	v[P_HALFOPEN].num = fa->halfopen;
	v[P_RETRY_ANSWERS].num = fa->retry_answers;
	v[P_AFTER_DATA_RST].num = fa->after_data_rst;
	v[P_CONN_TTL].num = fa->conn_ttl;
	v[P_RESET_TTL].num = fa->reset_ttl;
	v[P_RESET_HOPS].num = reset ? fnd_hops(fa->reset_ttl) : -1;
	v[P_RESET_ROUTER].str = reset && NEED(P_RESET_ROUTER) ? router_at(f,
	    fnd_hops(fa->reset_ttl), text[7]) : "";
	v[P_TRACE_HOP_TTL].num = fa->hop_ttl;
	v[P_TRACE_SILENT_TTL].num = fa->silent_ttl;
	v[P_TRACE_ROUTER].str = NEED(P_TRACE_ROUTER) ?
	    fnd_host_str(f, fa->hop_src, text[8]) : "";
	v[P_TRACE_REACHED].num = fa->trace_reached;
}

/*
 * Values of one row, v[0..P_HOST), from its facts fa (the caller has
 * copied f->hv, the host's values, into v + P_HOST); text[] holds the
 * strings they point to. With need (rule conditions' fields), only what
 * some condition reads is computed: the text fields nobody reads are left
 * empty (formatting addresses for every row was most of the findings'
 * cost), the record fields and times stale when no condition reads any.
 * Also with need, v is not cleared first, and the .str of number fields is
 * left as it was (the caller zeroes v once).
 */
void
fnd_port_values(struct fctx *f, size_t row, const struct row_facts *fa,
    struct ev_value *v, char text[][TEXT], const bool *need)
{
	const struct findings_input *in = &f->in;
	const struct port_row *pr = &f->rows[row];
	bool icmp = fa->reply_kind == RK_ICMP;

	if (need == NULL)
		memset(v, 0, sizeof(*v) * P_HOST); /* v + P_HOST: the caller's */
	v[P_PROTO].num = fa->proto == 17;
	v[P_PORT].num = fa->port;
	v[P_STATE].num = fa->state;
	v[P_REASON].num = fa->reason;
	v[P_PROBE].num = fa->kind;
	v[P_TRIES].num = fa->tries;
	v[P_REPLIES].num = fa->replies;
	v[P_REPLY].num = fa->reply_kind;
	v[P_REPLY_TTL].num = fa->reply_ttl;
	v[P_REPLY_HOPS].num = fa->reply_kind == RK_NONE ? -1 :
	    fnd_hops(fa->reply_ttl);
	v[P_FROM_TARGET].num = fa->from_target;
	v[P_DECOY].num = fa->decoy;
	v[P_REPLY_SOURCE].str = NEED(P_REPLY_SOURCE) ?
	    fnd_host_str(f, fa->reason_src, text[0]) : "";
	v[P_REPLY_WINDOW].num = fa->reply_win;
	v[P_REPLY_OPTIONS].num = fa->reply_nopt;
	v[P_REPLY_IPID].num = fa->reply_ipid;
	v[P_HOP_ROUTER].str = NEED(P_HOP_ROUTER) ?
	    router_at(f, (int)v[P_REPLY_HOPS].num, text[1]) : "";
	v[P_SYNACKS_AT_HOPS].num = v[P_REPLY_HOPS].num >= 0 &&
	    v[P_REPLY_HOPS].num < 256 ?
	    f->synack_h[(int)v[P_REPLY_HOPS].num] : 0;
	v[P_ICMP_TYPE].num = icmp ? fa->icmp_type : -1;
	v[P_ICMP_CODE].num = icmp ? fa->icmp_code : -1;
	v[P_ICMP_V6].num = fa->icmp_v6;
	v[P_ICMP_NAME].str = icmp && NEED(P_ICMP_NAME) ?
	    fnd_icmp_name(fa->icmp_v6, fa->icmp_type, fa->icmp_code, text[2]) : "";
	v[P_RTT].num = fa->rtt_ms;
	v[P_SCANNER].str = NEED(P_SCANNER) ? addr_str(&pr->scanner, text[3]) :
	    "";
	v[P_PORTS].str = NEED(P_PORTS) ? fnd_port_text(pr, text[4]) : "";
	v[P_COUNT_ITEMS].num = 1;
	v[P_CHANGES].num = fa->changes;
	v[P_PHASES].str = "";
	if (fa->changes > 0 && NEED(P_PHASES)) {
		phases_text(f, in->best[row], text[5], TEXT * 2);
		v[P_PHASES].str = text[5];
	}
	v[P_FIRST_S].num = fa->first_ns > in->start_ns ?
	    (double)(fa->first_ns - in->start_ns) / 1e9 : 0;
	v[P_LAST_S].num = fa->last_ns > in->start_ns ?
	    (double)(fa->last_ns - in->start_ns) / 1e9 : 0;
	if (need == NULL || f->need_records)
		record_values(f, fa, v, text, need);
}

/*
 * The port rules that hold for row (the finding rules and the live hide
 * rules), as bits of m (f->words). fa: the facts of the host's previous
 * row, replaced by this row's. The rules run on the row's values (into v)
 * unless the memo knows facts like these, as far as the rules read them.
 */
void
fnd_match_row(struct fctx *f, size_t row, struct row_facts *fa,
    struct ev_value *v, char text[][TEXT], uint64_t *m)
{
	uint64_t *last = f->last_key, w, diff = 0;
	const uint64_t *mask = f->key_mask;
	const size_t *key = f->key;
	size_t k, n = f->nkey;

	fnd_row_facts(f, row, fa, f->need_records);
	if (!f->memo_on) {
		fnd_port_values(f, row, fa, v, text, f->need);
		eval_rules(f, v, m);
		return;
	}
	/* The key (masked facts words) replaces the previous row's. */
	for (k = 0; k < n; k++) {
		memcpy(&w, (const char *)fa + key[k] * sizeof(w), sizeof(w));
		w &= mask[k];
		diff |= w ^ last[k];
		last[k] = w;
	}
	if (diff != 0 || f->last_gen != f->memo_gen) {
		if (!memo_find(f, last, f->last_match)) {
			fnd_port_values(f, row, fa, v, text, f->need);
			eval_rules(f, v, f->last_match);
			memo_put(f, last, f->last_match);
		}
		f->last_gen = f->memo_gen;
	}
	for (k = 0; k < f->words; k++)
		m[k] = f->last_match[k];
}

/* The port rules (findings, live hides) that hold with values v, in m. */
static void
eval_rules(const struct fctx *f, const struct ev_value *v, uint64_t *m)
{
	const struct rule *const *pr = f->rules[RULE_SCOPE_PORT];
	size_t k;

	memset(m, 0, f->words * sizeof(*m));
	for (k = 0; k < f->nrules[RULE_SCOPE_PORT]; k++)
		if (pr[k]->outcome == RULE_FINDING && rule_matches(pr[k], v))
			m[k / 64] |= 1ull << (k % 64);
	for (k = 0; k < f->nhides; k++)
		if (rule_matches(pr[f->hides[k]], v))
			m[f->hides[k] / 64] |= 1ull << (f->hides[k] % 64);
}

static uint64_t
memo_hash(const struct fctx *f, const uint64_t *key)
{
	uint64_t h = 0;
	size_t k;

	for (k = 0; k < f->nkey; k++)
		h = (h ^ key[k]) * 0x9e3779b97f4a7c15ull;
	return h ^ h >> 29;
}

/* m: the remembered matches of key (f->nkey words); false if none. */
static bool
memo_find(const struct fctx *f, const uint64_t *key, uint64_t *m)
{
	uint64_t h = memo_hash(f, key);
	size_t slot, probe;

	for (probe = 0; probe < MEMO_PROBES; probe++) {
		slot = (size_t)(h + probe) & (MEMO_SLOTS - 1);
		if (f->memo[slot].gen != f->memo_gen)
			return false;
		if (f->memo[slot].hash == h && memcmp(f->memo_val +
		    slot * f->nkey, key, f->nkey * sizeof(*key)) == 0) {
			memcpy(m, f->memo_match + slot * f->words,
			    f->words * sizeof(*m));
			return true;
		}
	}
	return false;
}

/* Remember the matches m of key, if a slot near its hash is free. */
static void
memo_put(struct fctx *f, const uint64_t *key, const uint64_t *m)
{
	uint64_t h = memo_hash(f, key);
	size_t slot, probe;

	for (probe = 0; probe < MEMO_PROBES; probe++) {
		slot = (size_t)(h + probe) & (MEMO_SLOTS - 1);
		if (f->memo[slot].gen == f->memo_gen)
			continue;
		f->memo[slot].gen = f->memo_gen;
		f->memo[slot].hash = h;
		memcpy(f->memo_val + slot * f->nkey, key, f->nkey *
		    sizeof(*key));
		memcpy(f->memo_match + slot * f->words, m, f->words *
		    sizeof(*m));
		return;
	}
}

/*
 * Each port rule's facts: those its condition's row fields come from
 * (host.* fields are constant within a host: the memo forgets each
 * host's). The memo is off when a field read is not decided by facts.
 */
void
fnd_memo_setup(struct fctx *f)
{
	size_t np = f->nrules[RULE_SCOPE_PORT], i, k;
	bool used[P_COUNT];

	f->rule_facts = xcalloc(np + 1, sizeof(*f->rule_facts));
	f->memo_on = true;
	for (k = 0; k < np; k++) {
		memset(used, 0, sizeof(used));
		fnd_cond_fields(f->rules[RULE_SCOPE_PORT][k], used, P_COUNT);
		for (i = 0; i < P_HOST; i++)
			if (used[i] && !facts_mask(i, &f->rule_facts[k]))
				f->memo_on = false;
	}
	if (!f->memo_on)
		return;
	f->memo = xcalloc(MEMO_SLOTS, sizeof(*f->memo));
	f->memo_val = xcalloc(MEMO_SLOTS * FACT_WORDS, sizeof(uint64_t));
	f->memo_match = xcalloc(MEMO_SLOTS * f->words, sizeof(uint64_t));
	f->last_match = xcalloc(f->words, sizeof(uint64_t));
}

/*
 * The memo key for the current host: the words of the row facts that the
 * finding rules and the live hide rules read, masked to those facts.
 */
void
fnd_memo_key(struct fctx *f)
{
	const struct rule *const *pr = f->rules[RULE_SCOPE_PORT];
	uint64_t mask[FACT_WORDS], w;
	size_t i, k;

	memset(mask, 0, sizeof(mask));
	for (k = 0; k < f->nrules[RULE_SCOPE_PORT]; k++) {
		if (pr[k]->outcome != RULE_FINDING &&
		    !(f->hide_bits[k / 64] >> (k % 64) & 1))
			continue;
		for (i = 0; i < FACT_WORDS; i++) {
			memcpy(&w, (const char *)&f->rule_facts[k] +
			    i * sizeof(w), sizeof(w));
			mask[i] |= w;
		}
	}
	f->nkey = 0;
	for (i = 0; i < FACT_WORDS; i++)
		if (mask[i] != 0) {
			f->key[f->nkey] = i;
			f->key_mask[f->nkey++] = mask[i];
		}
}

/*
 * f->hides, f->hide_bits: the hide rules that can match some row of the
 * host whose values v + P_HOST holds (NULL: none). A rule whose host.*
 * test fails cannot.
 */
void
fnd_live_hides(struct fctx *f, const struct ev_value *v)
{
	const struct rule *const *pr = f->rules[RULE_SCOPE_PORT];
	size_t k;

	f->nhides = 0;
	memset(f->hide_bits, 0, f->words * sizeof(*f->hide_bits));
	for (k = 0; v != NULL && k < f->nrules[RULE_SCOPE_PORT]; k++)
		if (pr[k]->outcome == RULE_HIDE &&
		    !rule_fails_from(pr[k], P_HOST, v)) {
			f->hides[f->nhides++] = k;
			f->hide_bits[k / 64] |= 1ull << (k % 64);
		}
}

/* Does m (a row's matches) hold a hide rule? Then keep only findings. */
bool
fnd_split_hidden(const struct fctx *f, uint64_t *m)
{
	size_t w;
	bool hide = false;

	for (w = 0; w < f->words; w++) {
		hide |= (m[w] & f->hide_bits[w]) != 0;
		m[w] &= f->finding_bits[w];
	}
	return hide;
}
