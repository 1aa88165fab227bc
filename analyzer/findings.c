/*
 * findings.c -- evidence of the port, host, path and capture scopes, rule
 * evaluation, and grouping of matches into findings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings-int.h"
#include "out.h"
#include "rules-int.h"	/* the condition nodes, for the fields they read */
#include "tunables.h"
#include "xmalloc.h"

#define MAX_ROUTERS 16
#define TEXT 64			/* room for an address or a short string */

/* A growable string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

/* A router (ICMP error source) seen on a host's path, by hop distance. */
struct router {
	int hops;
	uint32_t addr;
};

/* Port-scope matches of one rule for one host, merged into one finding. */
struct group {
	const struct rule *rule;
	struct ev_value first[P_COUNT]; /* first row's values (strings owned) */
	struct sbuf ports;
	uint32_t count;
};

/*
 * What a row's values are computed from (port_values() reads nothing
 * else), as plain integers. Rows of one host mostly repeat a few
 * combinations of the facts the port rules' fields come from (state,
 * reason, reply kind, TTL...): their matches are remembered by those facts
 * (the words holding them, masked to their bytes), compared bit for bit.
 */
struct row_facts {
	double rtt_ms;
	uint64_t first_ns, last_ns;
	uint32_t tries, replies;
	uint32_t reason_src;	/* host index of the deciding reply's source */
	uint32_t halfopen, retry_answers, after_data_rst; /* over records */
	uint32_t hop_src;	/* trace record's router (host index) */
	uint16_t port, reply_win, reply_ipid, changes;
	uint8_t proto, state, reason;
	uint8_t kind, reply_kind, reply_ttl, from_target, reply_nopt;
	uint8_t icmp_type, icmp_code, icmp_v6;
	uint8_t conn_ttl, reset_ttl; /* last record reset after data */
	uint8_t hop_ttl, silent_ttl, trace_reached; /* trace record */
	uint8_t kind_state[PK_COUNT]; /* per probe kind, PS_UNKNOWN if none */
};

#define FACT_WORDS (sizeof(struct row_facts) / sizeof(uint64_t))
_Static_assert(sizeof(struct row_facts) % sizeof(uint64_t) == 0,
    "row facts are whole words");

#define MEMO_SLOTS TUN_FINDINGS_MEMO_SLOTS
#define MEMO_PROBES TUN_FINDINGS_MEMO_PROBES

struct memo_ent {
	uint64_t hash;
	uint32_t gen;		/* fctx.memo_gen when filled; 0 never */
};

struct fctx {
	struct findings_input in; /* ids, row_first, best: the current host's */
	const struct ruleset *rs;
	struct results *out;	/* findings and summary; no rows */
	struct port_row *rows;	/* the current host's rows */
	bool *is_target;	/* per host index: probed (has rows) */
	const struct rule **rules[RULE_SCOPE_COUNT];
	size_t nrules[RULE_SCOPE_COUNT];
	bool *hidden;		/* per row */
	struct phase *phases;	/* phase log sorted by (record, time) */
	size_t nphases;
	size_t findings_cap;
	size_t host_first;	/* first finding of the current subject host */
	/* the host being processed */
	struct ev_value hv[H_COUNT];
	char host_text[ADDR_STRLEN];
	struct router routers[MAX_ROUTERS];
	size_t nrouters;
	struct group *groups;	/* one per port-scope finding rule */
	uint64_t *sigs;		/* host_values(): SYN-ACK signatures */
	size_t sigs_cap;
	bool need[P_COUNT];	/* fields the port rules' conditions read */
	bool need_records;	/* some of them: is_record_field() */
	/* Memo of the port rules' matches by the facts their fields read. */
	bool memo_on;
	uint32_t memo_gen;	/* entries of older hosts are stale */
	size_t nkey, key[FACT_WORDS]; /* facts words with a masked member */
	uint64_t key_mask[FACT_WORDS]; /* their masks, by key index */
	struct memo_ent *memo;
	uint64_t *memo_val;	/* MEMO_SLOTS x nkey */
	uint64_t *memo_match;	/* MEMO_SLOTS x words */
	/* The previous row's key and matches (neighbours often share them). */
	uint64_t last_key[FACT_WORDS];
	uint32_t last_gen;	/* memo_gen when set; 0 never */
	uint64_t *last_match;	/* words */
	struct row_facts *rule_facts; /* per port rule: the facts it reads */
	uint64_t *finding_bits;	/* words: the port rules that are findings */
	uint64_t *hide_bits;	/* words: the live hide rules (f->hides) */
	/* The current host's records, unpacked (findings_host.recs), or NULL. */
	const struct port_ev *recs;
	size_t words;		/* 64-bit words of one row's rule matches */
	uint64_t *match;	/* the current host's rows' finding matches */
	size_t match_cap;
	size_t *hides;		/* the hide rules (port rule indexes) that */
	size_t nhides;		/* may match a row of the current host */
};

static void sb_add(struct sbuf *b, const char *s);
static bool is_record_field(size_t i);
static bool facts_mask(size_t field, struct row_facts *m);
static void row_facts(const struct fctx *f, size_t row, struct row_facts *fa,
    bool records);
static void record_facts(const struct fctx *f, size_t row,
    struct row_facts *fa);
static void record_values(const struct fctx *f, const struct row_facts *fa,
    struct ev_value *v, char text[][TEXT], const bool *need);
static void host_values(struct fctx *f, size_t lo, size_t hi,
    const bool *skip);
static void port_values(struct fctx *f, size_t row,
    const struct row_facts *fa, struct ev_value *v, char text[][TEXT],
    const bool *need);
static void run_paths(struct fctx *f, size_t lo, size_t hi);
static void cond_fields(const struct rule *r, bool *used, size_t nfields);
static void match_row(struct fctx *f, size_t row, struct row_facts *fa,
    struct ev_value *v, char text[][TEXT], uint64_t *m);
static void group_start(struct group *g, const struct rule *r,
    const struct ev_value *v);
static void group_add(struct group *g, const char *port, size_t k);
static void memo_setup(struct fctx *f);
static void memo_key(struct fctx *f);
static void eval_rules(const struct fctx *f, const struct ev_value *v,
    uint64_t *m);
static uint64_t memo_hash(const struct fctx *f, const uint64_t *key);
static bool memo_find(const struct fctx *f, const uint64_t *key,
    uint64_t *m);
static void memo_put(struct fctx *f, const uint64_t *key, const uint64_t *m);
static void live_hides(struct fctx *f, const struct ev_value *v);
static bool split_hidden(const struct fctx *f, uint64_t *m);
static const char *port_text(const struct port_row *pr, char buf[TEXT]);
static void emit(struct fctx *f, const struct rule *r,
    const struct ev_value *v, const struct ev_schema *sc,
    const struct addr *host, const struct addr *source, const char *ports,
    uint32_t count);

static void
sb_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

/*
 * The record at position j of in->ids: from the host's unpacked copies when
 * it has them, else unpacked into buf.
 */
static inline const struct port_ev *
rec_at(const struct fctx *f, size_t j, struct port_ev *buf)
{
	if (f->recs != NULL)
		return &f->recs[j];
	evidence_read(f->in.ev, f->in.ids[j], buf);
	return buf;
}

/* The record that decided row i's verdict (inline: three passes per row). */
static inline const struct port_ev *
best_rec(const struct fctx *f, size_t row, struct port_ev *buf)
{
	const struct findings_input *in = &f->in;
	size_t j;

	for (j = in->row_first[row]; j + 1 < in->row_first[row + 1] &&
	    in->ids[j] != in->best[row]; j++)
		;
	return rec_at(f, j, buf);
}

static uint32_t
target_of(const struct fctx *f, size_t row)
{
	return evidence_key(f->in.ev, f->in.best[row])->target;
}

/*
 * Mark the fields rule r's condition reads (not its message: messages are
 * rendered from complete values, for a finding's first row only).
 */
static void
cond_fields(const struct rule *r, bool *used, size_t nfields)
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

static const char *
host_str(const struct fctx *f, uint32_t h, char buf[ADDR_STRLEN])
{
	if (h == 0) {
		buf[0] = '\0';
		return buf;
	}
	return addr_str(hosts_addr(f->in.hosts, h), buf);
}

/* iptables-style names of ICMP errors (what a REJECT rule sends). */
static const char *
icmp_name(bool v6, unsigned type, unsigned code, char buf[TEXT])
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

static bool
is_time_exceeded(bool v6, unsigned type)
{
	return v6 ? type == 3 : type == 11;
}

static bool
is_udp_port_unreach(bool v6, unsigned type, unsigned code)
{
	return v6 ? type == 1 && code == 4 : type == 3 && code == 3;
}

/* Most common value of a histogram using entries [0, n), -1 when empty. */
static int
mode_of(const uint32_t hist[256], int n)
{
	int i, best = -1;

	for (i = 0; i < n; i++)
		if (hist[i] > 0 && (best < 0 || hist[i] > hist[best]))
			best = i;
	return best;
}

static const char *
router_at(const struct fctx *f, int hops, char buf[ADDR_STRLEN])
{
	size_t i;

	for (i = 0; i < f->nrouters; i++)
		if (f->routers[i].hops == hops)
			return host_str(f, f->routers[i].addr, buf);
	buf[0] = '\0';
	return buf;
}

static int
cmp_sig(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Host evidence over rows [lo, hi) of one target host, less skip[]. */
static void
host_values(struct fctx *f, size_t lo, size_t hi, const bool *skip)
{
	const struct findings_input *in = &f->in;
	struct ev_value *v = f->hv;
	uint32_t target = target_of(f, lo);
	uint32_t synack_h[256], rst_h[256], direct_h[256], icmp_h[256];
	uint32_t tcp_rows = 0, tries = 0, nsig = 0, cur_port = 0, cur_src = 0;
	uint32_t best_src = 0, best_syns = 0, cur_syns = 0;
	uint64_t first = UINT64_MAX, last = 0, *sigs;
	double span;
	size_t i, j;
	int hops, top = 0;	/* histogram entries [0, top) used */

	memset(v, 0, sizeof(f->hv));
	memset(synack_h, 0, sizeof(synack_h));
	memset(rst_h, 0, sizeof(rst_h));
	memset(direct_h, 0, sizeof(direct_h));
	memset(icmp_h, 0, sizeof(icmp_h));
	f->nrouters = 0;
	if (hi - lo > f->sigs_cap) {
		f->sigs_cap = (hi - lo) * 2;
		f->sigs = xreallocarray(f->sigs, f->sigs_cap, sizeof(*f->sigs));
	}
	sigs = f->sigs;
	v[H_ADDR].str = host_str(f, target, f->host_text);
	v[H_FLOOD_PORT].num = -1;
	for (i = lo; i < hi; i++) {
		const struct port_row *row = &f->rows[i];
		struct port_ev bv, rv;
		const struct port_ev *b;
		bool own;
		int h = 0;	/* hop distance of a reply */
		uint32_t halfopen = 0;

		if (skip != NULL && skip[i])
			continue;
		b = best_rec(f, i, &bv);
		own = b->reason_src == target;
		if (b->reply_kind != RK_NONE) {
			h = fnd_hops(b->reason_ttl);
			if (h >= top)
				top = h + 1;
		}
		v[H_PORTS].num++;
		if (row->state == PS_OPEN)
			v[H_OPEN].num++;
		else if (row->state == PS_CLOSED)
			v[H_CLOSED].num++;
		else if (row->state == PS_FILTERED)
			v[H_FILTERED].num++;
		else if (row->state == PS_UNFILTERED)
			v[H_UNFILTERED].num++;
		else if (row->state == PS_OPEN_FILTERED)
			v[H_OPEN_FILTERED].num++;
		else if (row->state == PS_CLOSED_FILTERED)
			v[H_CLOSED_FILTERED].num++;
		if (row->reason == RS_NO_RESPONSE)
			v[H_SILENT].num++;
		if (row->proto == 17) {
			v[H_UDP_PORTS].num++;
			if (row->reason == RS_NO_RESPONSE)
				v[H_UDP_SILENT].num++;
		} else
			tcp_rows++;
		tries += row->probes;
		if (row->first_ns < first)
			first = row->first_ns;
		if (row->last_ns > last)
			last = row->last_ns;
		for (j = in->row_first[i]; j < in->row_first[i + 1]; j++) {
			const struct port_ev *r = in->ids[j] == in->best[i] ? b :
			    rec_at(f, j, &rv);

			v[H_RETRY_ANSWERS].num += r->retry_answers;
			halfopen += r->halfopen;
		}
		if (b->reply_kind == RK_ICMP) {
			if (own) {
				v[H_ICMP_TARGET].num++;
				icmp_h[h]++;
			} else {
				v[H_ICMP_OTHER].num++;
				if (f->nrouters < MAX_ROUTERS) {
					f->routers[f->nrouters].hops = h;
					f->routers[f->nrouters++].addr =
					    b->reason_src;
				}
			}
			if (own)
				v[H_ANSWERED].num++;
		} else if (b->reply_kind != RK_NONE && own) {
			v[H_ANSWERED].num++;
			if (b->reply_kind == RK_SYNACK) {
				synack_h[h]++;
				sigs[nsig++] = (uint64_t)b->reason_ttl << 48 |
				    (uint64_t)b->reply_win << 32 | b->reply_sig;
			}
			if (b->reply_kind == RK_RST)
				rst_h[h]++;
			else
				direct_h[h]++;
		}
		if (b->reply_kind == RK_SYNACK)
			v[H_SYNACK].num++;
		/* Half-open sources per port (rows are sorted by port). */
		if (row->port != cur_port || row->proto != 6) {
			cur_port = row->port;
			cur_src = cur_syns = 0;
		}
		if (row->proto == 6 && halfopen > 0) {
			cur_src++;
			cur_syns += row->probes;
			if (cur_src > best_src) {
				best_src = cur_src;
				best_syns = cur_syns;
				v[H_FLOOD_PORT].num = row->port;
			}
		}
	}
	qsort(sigs, nsig, sizeof(*sigs), cmp_sig);
	for (i = 0; i < nsig; i++)
		if (i == 0 || sigs[i] != sigs[i - 1])
			v[H_SYNACK_SIGS].num++;
	v[H_SYNACK_SHARE].num = tcp_rows ? v[H_SYNACK].num / tcp_rows : 0;
	v[H_SYNACK_HOPS].num = mode_of(synack_h, top);
	v[H_RST_HOPS].num = mode_of(rst_h, top);
	/* The host's own distance: replies that surely are its own first. */
	hops = mode_of(direct_h, top);
	if (hops < 0)
		hops = mode_of(rst_h, top);
	if (hops < 0)
		hops = mode_of(icmp_h, top);
	v[H_HOPS].num = hops;
	span = last > first ? (double)(last - first) / 1e9 : 0;
	v[H_SPAN].num = span;
	v[H_ICMP_RATE].num = v[H_ICMP_TARGET].num / (span > 1 ? span : 1);
	v[H_PROBE_RATE].num = tries / (span > 0.001 ? span : 0.001);
	v[H_UNSOLICITED].num = tally_count(in->unsolicited, target);
	v[H_UNSOL_SOURCES].num = tally_distinct(in->unsolicited, target);
	v[H_UNSOL_SENT].num = tally_count(in->backscatter, target);
	v[H_UNSOL_DESTS].num = tally_distinct(in->backscatter, target);
	v[H_FLOOD_SOURCES].num = best_src;
	v[H_FLOOD_SYNS].num = best_syns;
}

static int
cmp_phase(const void *a, const void *b)
{
	const struct phase *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->ts_ns < y->ts_ns ? -1 : x->ts_ns > y->ts_ns;
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
static const char *
port_text(const struct port_row *pr, char buf[TEXT])
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
static bool
is_record_field(size_t i)
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
 * port_values() does). False when the facts do not decide it (the phase
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
		FACT(m, reply_kind);
		FACT(m, reply_ttl);
		break;
	case P_FROM_TARGET:
		FACT(m, from_target);
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
static void
row_facts(const struct fctx *f, size_t row, struct row_facts *fa,
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
	if (records)
		record_facts(f, row, fa);
}

/* The facts of row over all its records (is_record_field()). */
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

/* The record fields (see is_record_field()) from facts fa into v. */
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
	    host_str(f, fa->hop_src, text[8]) : "";
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
static void
port_values(struct fctx *f, size_t row, const struct row_facts *fa,
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
	v[P_REPLY_SOURCE].str = NEED(P_REPLY_SOURCE) ?
	    host_str(f, fa->reason_src, text[0]) : "";
	v[P_REPLY_WINDOW].num = fa->reply_win;
	v[P_REPLY_OPTIONS].num = fa->reply_nopt;
	v[P_REPLY_IPID].num = fa->reply_ipid;
	v[P_HOP_ROUTER].str = NEED(P_HOP_ROUTER) ?
	    router_at(f, (int)v[P_REPLY_HOPS].num, text[1]) : "";
	v[P_ICMP_TYPE].num = icmp ? fa->icmp_type : -1;
	v[P_ICMP_CODE].num = icmp ? fa->icmp_code : -1;
	v[P_ICMP_V6].num = fa->icmp_v6;
	v[P_ICMP_NAME].str = icmp && NEED(P_ICMP_NAME) ?
	    icmp_name(fa->icmp_v6, fa->icmp_type, fa->icmp_code, text[2]) : "";
	v[P_RTT].num = fa->rtt_ms;
	v[P_SCANNER].str = NEED(P_SCANNER) ? addr_str(&pr->scanner, text[3]) :
	    "";
	v[P_PORTS].str = NEED(P_PORTS) ? port_text(pr, text[4]) : "";
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

/* A string value, abbreviated like a message's (rule_text_abbrev()). */
static void
json_text(FILE *fp, const char *s)
{
	size_t more, k = rule_text_abbrev(s, &more);
	char *t;

	if (k == strlen(s)) {
		out_json_string(fp, s);
		return;
	}
	t = more > 0 ? xasprintf("%.*s and %zu more", (int)k, s, more) :
	    xasprintf("%.*s...", (int)k, s);
	out_json_string(fp, t);
	free(t);
}

static void
json_value(FILE *fp, const struct ev_field *fl, const struct ev_value *v)
{
	switch (fl->type) {
	case EV_BOOL:
		fputs(v->num != 0 ? "true" : "false", fp);
		break;
	case EV_ENUM:
		out_json_string(fp, fl->values[(size_t)v->num]);
		break;
	case EV_STR:
		json_text(fp, v->str ? v->str : "");
		break;
	default:
		if (v->num == (double)(long long)v->num)
			fprintf(fp, "%lld", (long long)v->num);
		else
			fprintf(fp, "%.6g", v->num);
	}
}

/* Append one finding built from rule r and the values v. */
static void
emit(struct fctx *f, const struct rule *r, const struct ev_value *v,
    const struct ev_schema *sc, const struct addr *host,
    const struct addr *source, const char *ports, uint32_t count)
{
	struct results *out = f->out;
	struct finding *fd;
	bool *used = xcalloc(sc->nfields, sizeof(*used));
	size_t i, n, len = 0;
	char *buf = NULL, msg[1024]; /* most messages: formatted once */
	FILE *fp;
	bool first = true;

	/* One finding per id and subject: the first matching rule wins. */
	for (i = f->host_first; i < out->nfindings; i++) {
		const struct finding *o = &out->findings[i];

		if (strcmp(o->id, r->finding_id) == 0 &&
		    o->has_source == (source != NULL) &&
		    (source == NULL || addr_eq(&o->source, source))) {
			free(used);
			return;
		}
	}
	if (out->nfindings == f->findings_cap) {
		f->findings_cap = f->findings_cap ? f->findings_cap * 2 : 16;
		out->findings = xreallocarray(out->findings, f->findings_cap,
		    sizeof(*out->findings));
	}
	fd = &out->findings[out->nfindings++];
	memset(fd, 0, sizeof(*fd));
	fd->id = r->finding_id;
	fd->rule = r->name;
	fd->severity = (uint8_t)r->severity;
	fd->scope = (uint8_t)r->scope;
	if (host != NULL) {
		fd->has_host = true;
		fd->host = *host;
	}
	if (source != NULL) {
		fd->has_source = true;
		fd->source = *source;
	}
	fd->count = count;
	fd->ports = ports != NULL && ports[0] != '\0' ? xstrdup(ports) : NULL;
	n = rule_format_message(r, v, msg, sizeof(msg));
	fd->message = xmalloc(n + 1);
	if (n < sizeof(msg))
		memcpy(fd->message, msg, n + 1);
	else
		rule_format_message(r, v, fd->message, n + 1);
	rule_fields_used(r, used, sc->nfields);
	fp = open_memstream(&buf, &len);
	if (fp == NULL) {
		fd->evidence = xstrdup("{}");
		free(used);
		return;
	}
	fputc('{', fp);
	for (i = 0; i < sc->nfields; i++) {
		if (!used[i])
			continue;
		fprintf(fp, "%s", first ? "" : ",");
		first = false;
		out_json_string(fp, sc->fields[i].name);
		fputc(':', fp);
		json_value(fp, &sc->fields[i], &v[i]);
	}
	fputc('}', fp);
	fclose(fp);
	fd->evidence = buf;
	free(used);
	if (r->severity < SEV_COUNT)
		out->summary.findings_by_severity[r->severity]++;
}

static void
flag_row(struct port_row *row, const char *id)
{
	uint8_t i;

	for (i = 0; i < row->nflags; i++)
		if (strcmp(row->flags[i], id) == 0)
			return;
	if (row->nflags < RESULTS_MAX_FLAGS)
		row->flags[row->nflags++] = id;
}

/* The group's first row: its values quote in the finding's message. */
static void
group_start(struct group *g, const struct rule *r, const struct ev_value *v)
{
	size_t i;

	g->rule = r;
	memcpy(g->first, v, sizeof(g->first));
	for (i = 0; i < P_COUNT; i++)
		if (g->first[i].str != NULL)
			g->first[i].str = xstrdup(g->first[i].str);
	g->ports.len = 0;
	if (g->ports.s != NULL)
		g->ports.s[0] = '\0';
}

/* One more row (port: "tcp/22", k bytes) in the group. */
static void
group_add(struct group *g, const char *port, size_t k)
{
	struct sbuf *b = &g->ports;

	g->count++;
	/* Rows come sorted by port: skip the same port from another scanner. */
	if (b->len >= k && memcmp(b->s + b->len - k, port, k) == 0 &&
	    (b->len == k || b->s[b->len - k - 1] == ','))
		return;
	if (b->len + k + 2 > b->cap) {
		b->cap = (b->len + k + 2) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	if (b->len > 0)
		b->s[b->len++] = ',';
	memcpy(b->s + b->len, port, k + 1);
	b->len += k;
}

static void
group_flush(struct fctx *f, struct group *g, const struct addr *host)
{
	size_t i;

	if (g->count == 0)
		return;
	const char *own = g->first[P_PORTS].str;

	g->first[P_PORTS].str = g->ports.s;
	g->first[P_COUNT_ITEMS].num = g->count;
	emit(f, g->rule, g->first, findings_schema(RULE_SCOPE_PORT), host, NULL,
	    g->ports.s, g->count);
	g->first[P_PORTS].str = own;
	for (i = 0; i < P_COUNT; i++)
		free((char *)(uintptr_t)g->first[i].str);
	g->count = 0;
}

/* One ICMP error source speaking for a target. */
struct path {
	uint32_t src;
	int hops;
	uint32_t errors, rejects, time_exceeded;
	char types[16][TEXT];	/* distinct rejection type names */
	size_t ntypes;
	struct sbuf ports;
};

static void
path_add_type(struct path *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->ntypes; i++)
		if (strcmp(p->types[i], name) == 0)
			return;
	if (p->ntypes < 16)
		snprintf(p->types[p->ntypes++], TEXT, "%s", name);
}

static int
cmp_text(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void
path_eval(struct fctx *f, struct path *p, uint32_t target)
{
	struct ev_value v[A_COUNT];
	char src[ADDR_STRLEN], where[TEXT];
	struct sbuf types = { NULL, 0, 0 };
	size_t i;
	int before, th = (int)f->hv[H_HOPS].num;

	memset(v, 0, sizeof(v));
	qsort(p->types, p->ntypes, TEXT, cmp_text);
	sb_add(&types, "");
	for (i = 0; i < p->ntypes; i++) {
		if (i > 0)
			sb_add(&types, ",");
		sb_add(&types, p->types[i]);
	}
	before = p->src == target ? 0 : th >= 0 ? th - p->hops : -1;
	if (p->src == target)
		snprintf(where, sizeof(where), "target host itself");
	else if (before > 0)
		snprintf(where, sizeof(where), "router, %d hop%s before target",
		    before, before == 1 ? "" : "s");
	else
		snprintf(where, sizeof(where), "another address on the path");
	v[A_SOURCE].str = host_str(f, p->src, src);
	v[A_TARGET].str = f->host_text;
	v[A_FROM_TARGET].num = p->src == target;
	v[A_HOPS].num = p->hops;
	v[A_TARGET_HOPS].num = th;
	v[A_BEFORE].num = before;
	v[A_ERRORS].num = p->errors;
	v[A_REJECTS].num = p->rejects;
	v[A_TIME_EXCEEDED].num = p->time_exceeded;
	v[A_TYPES].str = types.s;
	v[A_WHERE].str = where;
	v[A_PORTS].str = p->ports.s ? p->ports.s : "";
	v[A_COUNT_ITEMS].num = p->rejects;
	for (i = 0; i < f->nrules[RULE_SCOPE_PATH]; i++) {
		const struct rule *r = f->rules[RULE_SCOPE_PATH][i];

		if (r->outcome == RULE_FINDING && rule_matches(r, v))
			emit(f, r, v, findings_schema(RULE_SCOPE_PATH),
			    hosts_addr(f->in.hosts, target),
			    hosts_addr(f->in.hosts, p->src), v[A_PORTS].str,
			    p->rejects);
	}
	free(types.s);
}

/* Path evidence: ICMP error sources of the rows [lo, hi) of one host. */
static void
run_paths(struct fctx *f, size_t lo, size_t hi)
{
	struct path *paths = NULL;
	size_t npaths = 0, i, k;
	uint32_t target = target_of(f, lo);

	for (i = lo; i < hi; i++) {
		const struct port_row *row = &f->rows[i];
		struct port_ev bv;
		const struct port_ev *b = best_rec(f, i, &bv);
		char name[TEXT], port[TEXT];
		struct path *p;
		bool v6;

		if (b->reply_kind != RK_ICMP || b->key.kind == PK_TRACE ||
		    f->hidden[i])
			continue;
		v6 = !addr_is_v4(&row->host);
		for (k = 0; k < npaths && paths[k].src != b->reason_src; k++)
			;
		if (k == npaths) {
			paths = xreallocarray(paths, npaths + 1, sizeof(*paths));
			memset(&paths[npaths], 0, sizeof(*paths));
			paths[npaths].src = b->reason_src;
			paths[npaths].hops = fnd_hops(b->reason_ttl);
			npaths++;
		}
		p = &paths[k];
		p->errors++;
		if (is_time_exceeded(v6, b->icmp_type)) {
			p->time_exceeded++;
			continue;
		}
		if (row->proto == 17 && b->reason_src == target &&
		    is_udp_port_unreach(v6, b->icmp_type, b->icmp_code))
			continue; /* what a closed UDP port says anyway */
		p->rejects++;
		path_add_type(p, icmp_name(v6, b->icmp_type, b->icmp_code,
		    name));
		if (p->ports.len > 0)
			sb_add(&p->ports, ",");
		sb_add(&p->ports, port_text(row, port));
	}
	for (k = 0; k < npaths; k++) {
		path_eval(f, &paths[k], target);
		free(paths[k].ports.s);
	}
	free(paths);
}

/*
 * The port rules that hold for row (the finding rules and the live hide
 * rules), as bits of m (f->words). fa: the facts of the host's previous
 * row, replaced by this row's. The rules run on the row's values (into v)
 * unless the memo knows facts like these, as far as the rules read them.
 */
static void
match_row(struct fctx *f, size_t row, struct row_facts *fa,
    struct ev_value *v, char text[][TEXT], uint64_t *m)
{
	uint64_t *last = f->last_key, w, diff = 0;
	const uint64_t *mask = f->key_mask;
	const size_t *key = f->key;
	size_t k, n = f->nkey;

	row_facts(f, row, fa, f->need_records);
	if (!f->memo_on) {
		port_values(f, row, fa, v, text, f->need);
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
			port_values(f, row, fa, v, text, f->need);
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
static void
memo_setup(struct fctx *f)
{
	size_t np = f->nrules[RULE_SCOPE_PORT], i, k;
	bool used[P_COUNT];

	f->rule_facts = xcalloc(np + 1, sizeof(*f->rule_facts));
	f->memo_on = true;
	for (k = 0; k < np; k++) {
		memset(used, 0, sizeof(used));
		cond_fields(f->rules[RULE_SCOPE_PORT][k], used, P_COUNT);
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
static void
memo_key(struct fctx *f)
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
static void
live_hides(struct fctx *f, const struct ev_value *v)
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
static bool
split_hidden(const struct fctx *f, uint64_t *m)
{
	size_t w;
	bool hide = false;

	for (w = 0; w < f->words; w++) {
		hide |= (m[w] & f->hide_bits[w]) != 0;
		m[w] &= f->finding_bits[w];
	}
	return hide;
}

/*
 * Port and host rules over rows [lo, hi) of one host. Hide rules run first
 * on every row; the rest see host evidence of the rows that stay, except
 * the flood fields, which are about the hidden rows by nature. While no
 * row is hidden the finding rules run in the same pass (the host evidence
 * is final then); only a host with hidden rows takes a second pass. Rows
 * are grouped into findings afterwards, in row order.
 */
static void
run_host(struct fctx *f, size_t lo, size_t hi)
{
	const struct rule *const *pr = f->rules[RULE_SCOPE_PORT];
	size_t np = f->nrules[RULE_SCOPE_PORT];
	struct ev_value v[P_COUNT], flood[3];
	struct row_facts fa;
	char text[10][TEXT], port[TEXT];
	const struct addr *host = &f->rows[lo].host;
	size_t i, k, w, plen;
	uint64_t bits;
	bool any = false, full;

	f->host_first = f->out->nfindings;
	memset(v, 0, sizeof(*v) * P_HOST); /* port_values() relies on it */
	memset(&fa, 0, sizeof(fa));	/* and the memo key (unread facts) */
	if ((hi - lo) * f->words > f->match_cap) {
		f->match_cap = (hi - lo) * f->words * 2;
		f->match = xreallocarray(f->match, f->match_cap,
		    sizeof(*f->match));
	}
	host_values(f, lo, hi, NULL);
	memcpy(v + P_HOST, f->hv, sizeof(f->hv));
	live_hides(f, v);
	memo_key(f);
	f->memo_gen++;
	for (i = lo; i < hi; i++) {
		uint64_t *m = f->match + (i - lo) * f->words;

		match_row(f, i, &fa, v, text, m);
		if (split_hidden(f, m)) {
			f->hidden[i] = true;
			any = true;
		}
	}
	if (any) {
		memcpy(flood, f->hv + H_FLOOD_PORT, sizeof(flood));
		host_values(f, lo, hi, f->hidden);
		memcpy(f->hv + H_FLOOD_PORT, flood, sizeof(flood));
		memcpy(v + P_HOST, f->hv, sizeof(f->hv));
		live_hides(f, NULL);	/* rows are hidden by now */
		memo_key(f);
		f->memo_gen++;
		for (i = lo; i < hi; i++) {
			if (f->hidden[i])
				continue;
			match_row(f, i, &fa, v, text,
			    f->match + (i - lo) * f->words);
		}
	}
	for (i = lo; i < hi; i++) {
		const uint64_t *m = f->match + (i - lo) * f->words;

		if (f->hidden[i])
			continue;
		for (w = 0; w < f->words && m[w] == 0; w++)
			;
		if (w == f->words)
			continue;
		full = false;
		port_text(&f->rows[i], port);
		plen = strlen(port);
		for (; w < f->words; w++)
			for (bits = m[w]; bits != 0; bits &= bits - 1) {
				k = w * 64 + (size_t)__builtin_ctzll(bits);
				if (f->groups[k].count == 0 && !full) {
					/* A finding's message quotes its first
					   row. */
					row_facts(f, i, &fa, true);
					port_values(f, i, &fa, v, text, NULL);
					full = true;
				}
				if (f->groups[k].count == 0)
					group_start(&f->groups[k], pr[k], v);
				group_add(&f->groups[k], port, plen);
				flag_row(&f->rows[i], pr[k]->finding_id);
			}
	}
	for (k = 0; k < np; k++)
		group_flush(f, &f->groups[k], host);
	for (k = 0; k < f->nrules[RULE_SCOPE_HOST]; k++) {
		const struct rule *r = f->rules[RULE_SCOPE_HOST][k];

		if (r->outcome == RULE_FINDING && rule_matches(r, f->hv))
			emit(f, r, f->hv, findings_schema(RULE_SCOPE_HOST), host,
			    NULL, NULL, 0);
	}
	run_paths(f, lo, hi);
}

/* Addresses that got unsolicited replies but were never probed. */
static void
run_victims(struct fctx *f, const bool *is_target)
{
	const struct tally *u = f->in.unsolicited, *b = f->in.backscatter;
	uint32_t h, max = tally_max_key(u);
	size_t k;

	if (tally_max_key(b) > max)
		max = tally_max_key(b);
	if (max > hosts_count(f->in.hosts))
		max = hosts_count(f->in.hosts);
	for (h = 1; h <= max; h++) {
		if (is_target[h] ||
		    (tally_count(u, h) == 0 && tally_count(b, h) == 0))
			continue;
		memset(f->hv, 0, sizeof(f->hv));
		f->host_first = f->out->nfindings;
		f->hv[H_ADDR].str = host_str(f, h, f->host_text);
		f->hv[H_HOPS].num = f->hv[H_SYNACK_HOPS].num = -1;
		f->hv[H_RST_HOPS].num = f->hv[H_FLOOD_PORT].num = -1;
		f->hv[H_UNSOLICITED].num = tally_count(u, h);
		f->hv[H_UNSOL_SOURCES].num = tally_distinct(u, h);
		f->hv[H_UNSOL_SENT].num = tally_count(b, h);
		f->hv[H_UNSOL_DESTS].num = tally_distinct(b, h);
		for (k = 0; k < f->nrules[RULE_SCOPE_HOST]; k++) {
			const struct rule *r = f->rules[RULE_SCOPE_HOST][k];

			if (r->outcome == RULE_FINDING && rule_matches(r, f->hv))
				emit(f, r, f->hv,
				    findings_schema(RULE_SCOPE_HOST),
				    hosts_addr(f->in.hosts, h), NULL, NULL, 0);
		}
	}
}

static void
run_capture(struct fctx *f, const struct pair_counts *pc)
{
	const struct run_summary *s = &f->out->summary;
	struct ev_value v[C_COUNT];
	size_t k;
	uint32_t h;

	memset(v, 0, sizeof(v));
	f->host_first = f->out->nfindings;
	v[C_PACKETS].num = (double)s->packets;
	v[C_MALFORMED].num = (double)s->malformed;
	v[C_UNSOL_SYNACK].num = (double)pc->unsolicited_synack;
	v[C_UNSOL_RST].num = (double)pc->unsolicited_rst;
	v[C_LATE].num = (double)s->late;
	v[C_UNMATCHED_ICMP].num = (double)s->unmatched_icmp;
	v[C_DROPS].num = (double)s->table_drops;
	v[C_SPAN].num = s->last_ns > s->first_ns ?
	    (double)(s->last_ns - s->first_ns) / 1e9 : 0;
	v[C_PARTIAL].num = s->partial;
	v[C_ICMP_ERRORS].num = (double)pc->icmp_errors;
	v[C_ICMP_RATE].num = v[C_ICMP_ERRORS].num /
	    (v[C_SPAN].num > 1 ? v[C_SPAN].num : 1);
	for (h = 1; h <= tally_max_key(f->in.backscatter); h++)
		if (tally_count(f->in.backscatter, h) > 0)
			v[C_UNSOL_SOURCES].num++;
	for (k = 0; k < f->nrules[RULE_SCOPE_CAPTURE]; k++) {
		const struct rule *r = f->rules[RULE_SCOPE_CAPTURE][k];

		if (r->outcome == RULE_FINDING && rule_matches(r, v))
			emit(f, r, v, findings_schema(RULE_SCOPE_CAPTURE), NULL,
			    NULL, NULL, 0);
	}
}

/* Host findings by host, then path findings, then capture-wide ones. */
static int
cmp_finding(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	int c;

	if (x->has_host != y->has_host)
		return x->has_host ? -1 : 1;
	if (x->has_host && (c = addr_cmp(&x->host, &y->host)) != 0)
		return c;
	if (x->scope != y->scope)
		return x->scope < y->scope ? -1 : 1;
	if ((c = strcmp(x->id, y->id)) != 0)
		return c;
	if (x->has_source != y->has_source)
		return x->has_source ? 1 : -1;
	return x->has_source ? addr_cmp(&x->source, &y->source) : 0;
}

struct fctx *
findings_new(const struct ruleset *rs, const struct findings_input *in,
    struct results *out)
{
	struct fctx *f = xcalloc(1, sizeof(*f));
	size_t i, n = ruleset_count(rs);
	const struct phase *ph;

	f->in = *in;
	f->rs = rs;
	f->out = out;
	for (i = 0; i < RULE_SCOPE_COUNT; i++)
		f->rules[i] = xcalloc(n + 1, sizeof(*f->rules[i]));
	for (i = 0; i < n; i++) {
		const struct rule *r = ruleset_get(rs, i);

		f->rules[r->scope][f->nrules[r->scope]++] = r;
	}
	f->groups = xcalloc(f->nrules[RULE_SCOPE_PORT] + 1, sizeof(*f->groups));
	f->hides = xcalloc(f->nrules[RULE_SCOPE_PORT] + 1, sizeof(*f->hides));
	f->words = f->nrules[RULE_SCOPE_PORT] / 64 + 1;
	f->finding_bits = xcalloc(f->words, sizeof(*f->finding_bits));
	f->hide_bits = xcalloc(f->words, sizeof(*f->hide_bits));
	for (i = 0; i < f->nrules[RULE_SCOPE_PORT]; i++)
		if (f->rules[RULE_SCOPE_PORT][i]->outcome == RULE_FINDING)
			f->finding_bits[i / 64] |= 1ull << (i % 64);
	for (i = 0; i < f->nrules[RULE_SCOPE_PORT]; i++)
		cond_fields(f->rules[RULE_SCOPE_PORT][i], f->need, P_COUNT);
	for (i = 0; i < P_HOST; i++)
		f->need_records |= f->need[i] && is_record_field(i);
	memo_setup(f);
	ph = evidence_phases(in->ev, &f->nphases);
	f->phases = xcalloc(f->nphases + 1, sizeof(*f->phases));
	if (f->nphases > 0) {
		memcpy(f->phases, ph, f->nphases * sizeof(*ph));
		qsort(f->phases, f->nphases, sizeof(*f->phases), cmp_phase);
	}
	f->is_target = xcalloc(hosts_count(in->hosts) + 2,
	    sizeof(*f->is_target));
	return f;
}

void
findings_host(struct fctx *f, const struct findings_host *h)
{
	if (h->n == 0)
		return;
	f->rows = h->rows;
	f->in.ids = h->ids;
	f->in.row_first = h->row_first;
	f->in.best = h->best;
	f->hidden = h->hidden;
	f->recs = h->recs;
	memset(f->hidden, 0, h->n * sizeof(*f->hidden));
	f->is_target[target_of(f, 0)] = true;
	run_host(f, 0, h->n);
	f->rows = NULL;
	f->hidden = NULL;
}

void
findings_end(struct fctx *f, const struct pair_counts *pc)
{
	struct results *out = f->out;
	size_t i;

	run_victims(f, f->is_target);
	run_capture(f, pc);
	if (out->nfindings > 0)
		qsort(out->findings, out->nfindings, sizeof(*out->findings),
		    cmp_finding);
	for (i = 0; i < f->nrules[RULE_SCOPE_PORT]; i++)
		free(f->groups[i].ports.s);
	for (i = 0; i < RULE_SCOPE_COUNT; i++)
		free(f->rules[i]);
	free(f->groups);
	free(f->hides);
	free(f->match);
	free(f->memo);
	free(f->memo_val);
	free(f->memo_match);
	free(f->last_match);
	free(f->rule_facts);
	free(f->finding_bits);
	free(f->hide_bits);
	free(f->phases);
	free(f->sigs);
	free(f->is_target);
	free(f);
}
