/*
 * pair.c -- probe/response pairing (semantics.md sections 3, 4 and 6).
 */
#include <stdlib.h>
#include <string.h>

#include "pair.h"
#include "evfile.h"
#include "flow.h"
#include "tunables.h"
#include "xmalloc.h"

struct pairing {
	struct pair_opts o;
	struct verdict *v;
	struct hosts *hosts;
	struct evidence *ev;
	struct flow_table *flows;
	struct pair_stats st;
	struct tally *unsolicited; /* per destination: stray SYN-ACK/RST */
	struct tally *backscatter; /* per source: stray SYN-ACKs */
	uint64_t now;		/* capture clock: latest timestamp seen */
	uint64_t max_rtt_ns;	/* longest RTT of a paired reply */
	uint64_t limit_ns;	/* expiry used by sweeps (shorter when full) */
	uint64_t next_squeeze;	/* capture time of the next allowed squeeze */
	struct explain_log *explain; /* NULL unless --explain */
	uint32_t input;		/* current packet: capture file */
	uint64_t number;	/* current packet: number in that file */
	uint64_t next_sweep;	/* capture time of the next expiry sweep */
	struct evw *log;	/* --emit-evidence, or NULL */
	bool log_this;		/* the current packet goes to the log */
	/* no_reply_label(): per kind and IPv4 (0) / IPv6 (1) */
	struct label none[PK_COUNT][2];
	uint8_t none_known[PK_COUNT][2]; /* 0: not asked, 1: none[], 2: no rule */
	struct label none_odd;	/* the same for a kind past PK_COUNT */
};

/* flow_entry.logbits: what the evidence log knows of an entry. */
enum {
	LB_DATA_LO = 1,		/* lo side's payload logged since a reset */
	LB_DATA_HI = 2,
	LB_DIVERGED = 4,	/* unlogged segments moved last_ns past sync_ns */
};

/* Where a packet stands relative to its flow entry. */
struct ctx {
	const struct decoded *d;
	uint64_t ts;
	const struct pair_ahead *a; /* its flow key, hash and known hosts */
};

static void track_tcp(struct pairing *p, struct ctx *c);
static void track_udp(struct pairing *p, struct ctx *c);
static void track_icmp(struct pairing *p, const struct decoded *d,
    uint64_t ts, const struct pair_ahead *a);
static inline struct flow_entry *find_live(struct pairing *p, struct ctx *c);
static bool expire_one(void *arg, struct flow_entry *e);
static void squeeze(struct pairing *p);
static inline void release(struct pairing *p, struct flow_entry *e,
    bool ended);
static const struct label *no_reply_label(struct pairing *p, uint8_t kind,
    bool v4);
static void new_probe(struct pairing *p, struct ctx *c, uint8_t kind);
static void answer(struct pairing *p, struct flow_entry *e,
    const struct decoded *d, uint64_t ts, struct reply_in *in);
static bool is_prober(const struct flow_entry *e, bool src_is_lo);
static inline uint8_t tcp_probe_kind(const struct decoded *d);
static bool udp_reply_shaped(const struct decoded *d);
static bool may_open_probe(const struct decoded *d);
static bool is_v4(const struct addr *a);
static bool not_a_probe_target(const struct addr *dst);
static inline void note(struct pairing *p, const struct flow_entry *e,
    uint8_t what, const struct decoded *d, uint64_t ts);
static void note_add(struct pairing *p, const struct flow_entry *e,
    uint8_t what, const struct decoded *d, uint64_t ts);
static inline bool stale(const struct pairing *p, const struct flow_entry *e,
    uint64_t ts);
static inline struct flow_entry *unless_stale(struct pairing *p,
    struct flow_entry *e, uint64_t ts, bool reply);
static void conn_reset(struct pairing *p, struct flow_entry *e,
    const struct decoded *d);
static void sync_entry(struct pairing *p, struct flow_entry *e);
static inline void refile(struct pairing *p, struct flow_entry *e);
static inline void touch(struct pairing *p, struct flow_entry *e,
    uint64_t ts);
static inline void clock_run(struct pairing *p);
static void clock_sweep(struct pairing *p);

/* Capture time between expiry sweeps (the grid of clock_run()). */
static uint64_t
sweep_step(const struct pairing *p)
{
	uint64_t step = p->o.timeout_ns / TUN_SWEEPS_PER_TIMEOUT;

	return step != 0 ? step : 1;
}

struct pairing *
pair_new(const struct pair_opts *o, struct verdict *v, struct hosts *h,
    struct evidence *ev)
{
	struct pairing *p = xcalloc(1, sizeof(*p));

	p->o = *o;
	p->v = v;
	p->hosts = h;
	p->ev = ev;
	p->flows = flow_new(o->flow_slots);
	flow_set_growth(p->flows, o->flow_max_slots, o->budget);
	flow_set_clock(p->flows, sweep_step(p) / TUN_WHEEL_BUCKETS_PER_SWEEP,
	    o->idle_ns);
	p->limit_ns = o->timeout_ns;
	p->unsolicited = tally_new(1u << 20);
	p->backscatter = tally_new(1u << 20);
	tally_set_budget(p->unsolicited, o->budget);
	tally_set_budget(p->backscatter, o->budget);
	return p;
}

void
pair_free(struct pairing *p)
{
	if (p == NULL)
		return;
	flow_free(p->flows);
	tally_free(p->unsolicited);
	tally_free(p->backscatter);
	free(p);
}

const struct pair_stats *
pair_stats(const struct pairing *p)
{
	return &p->st;
}

const struct tally *
pair_unsolicited(const struct pairing *p)
{
	return p->unsolicited;
}

const struct tally *
pair_backscatter(const struct pairing *p)
{
	return p->backscatter;
}

static void
count_unsolicited(struct pairing *p, const struct decoded *d)
{
	uint32_t dst = hosts_intern(p->hosts, &d->dst);
	uint32_t src = hosts_intern(p->hosts, &d->src);

	if (dst == 0 || src == 0) {
		p->st.uncounted++;
		return;
	}
	tally_add(p->unsolicited, dst, src);
	if (d->tcp.flags & TH_SYN)
		tally_add(p->backscatter, src, dst);
}

/* Hash of a TCP option layout (kinds in order, MSS, window scale). */
static uint32_t
option_sig(const struct tcp_info *t)
{
	uint32_t h = 2166136261u;
	uint8_t i;

	if (t->nopt == 0)
		return 0;
	for (i = 0; i < t->nopt; i++)
		h = (h ^ t->opt_kind[i]) * 16777619u;
	h = (h ^ t->mss) * 16777619u;
	h = (h ^ t->wscale) * 16777619u;
	return h ? h : 1;
}

static bool
is_prober(const struct flow_entry *e, bool src_is_lo)
{
	return e->prober_lo == src_is_lo;
}

void
pair_set_explain(struct pairing *p, struct explain_log *log)
{
	p->explain = log;
}

void
pair_set_log(struct pairing *p, struct evw *log)
{
	p->log = log;
}

/* An --explain event for e's port, when the filter selects it. */
static inline void
note(struct pairing *p, const struct flow_entry *e, uint8_t what,
    const struct decoded *d, uint64_t ts)
{
	if (p->explain != NULL && e->port_ev != EV_NONE)
		note_add(p, e, what, d, ts);
}

static void
note_add(struct pairing *p, const struct flow_entry *e, uint8_t what,
    const struct decoded *d, uint64_t ts)
{
	struct explain_event x;
	const struct port_key *k;

	k = evidence_key(p->ev, e->port_ev);
	if (!explain_matches(&p->explain->filter,
	    hosts_addr(p->hosts, k->target), k->port))
		return;
	memset(&x, 0, sizeof(x));
	x.record = e->port_ev;
	x.what = what;
	x.ts_ns = ts;
	if (d != NULL) {
		x.input = p->input;
		x.number = p->number;
		x.src = hosts_intern(p->hosts, &d->src);
		x.sport = d->sport;
		x.dport = d->dport;
		x.flags = d->proto == 6 ? d->tcp.flags : 0;
		x.ttl = d->ttl;
		x.icmp_type = d->icmp_type;
		x.icmp_code = d->icmp_code;
	}
	explain_add(p->explain, &x);
}

/* addr_is_v4() without the call (the compiler expands the memcmp). */
static bool
is_v4(const struct addr *a)
{
	static const uint8_t v4_prefix[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	return memcmp(a->b, v4_prefix, sizeof(v4_prefix)) == 0;
}

/* Multicast and broadcast destinations are never port probes. */
static bool
not_a_probe_target(const struct addr *dst)
{
	if (is_v4(dst))
		return dst->b[12] >= 224 || (dst->b[12] == 0) ||
		    (dst->b[12] == 255 && dst->b[13] == 255 &&
		    dst->b[14] == 255 && dst->b[15] == 255);
	return dst->b[0] == 0xff;
}

/*
 * Probe kind from the opening segment's flags (semantics.md 4.1-4.6). A SYN
 * from a full kernel stack (connect(): MSS plus SACK/timestamps/window scale,
 * and DF on IPv4) is a connect probe; TTL-limited probes test the path.
 */
static inline uint8_t
tcp_probe_kind(const struct decoded *d)
{
	const struct tcp_info *t = &d->tcp;
	uint8_t f = t->flags & (TH_SYN | TH_ACK | TH_FIN | TH_PSH | TH_URG);
	bool full;

	if (d->ttl <= TUN_TRACE_TTL_MAX && (f == TH_SYN || f == TH_ACK))
		return PK_TRACE;
	switch (f) {
	case TH_SYN:
		full = t->mss != 0 &&
		    (t->sack_ok || t->has_ts || t->wscale != 0xff) &&
		    (d->ip_ver == 6 || d->df);
		return full ? PK_CONNECT : PK_SYN;
	case TH_ACK:
		return PK_ACK;
	case 0:
		return PK_NULL;
	case TH_FIN:
		return PK_FIN;
	case TH_FIN | TH_PSH | TH_URG:
		return PK_XMAS;
	case TH_FIN | TH_ACK:
		return PK_MAIMON;
	default:
		return PK_TCP_OTHER;
	}
}

/*
 * The label of a probe of `kind` left unanswered (NULL: no rule gives one).
 * It depends on nothing else, so each is asked of the rules once.
 */
static const struct label *
no_reply_label(struct pairing *p, uint8_t kind, bool v4)
{
	struct reply_in in;
	int ip = v4 ? 0 : 1;

	if (kind < PK_COUNT && p->none_known[kind][ip] != 0)
		return p->none_known[kind][ip] == 1 ? &p->none[kind][ip] : NULL;
	memset(&in, 0, sizeof(in));
	in.kind = kind;
	in.reply = RK_NONE;
	in.icmp_type = in.icmp_code = -1;
	in.ip = v4 ? 4 : 6;
	if (kind >= PK_COUNT) /* not a kind new_probe() gives: not cached */
		return verdict_label(p->v, &in, &p->none_odd) ?
		    &p->none_odd : NULL;
	p->none_known[kind][ip] = verdict_label(p->v, &in,
	    &p->none[kind][ip]) ? 1 : 2;
	return p->none_known[kind][ip] == 1 ? &p->none[kind][ip] : NULL;
}

/* Credit an entry's outstanding tries; a waiting probe becomes no-response. */
static inline void
release(struct pairing *p, struct flow_entry *e, bool ended)
{
	const struct label *l;

	if (e->port_ev == EV_NONE || e->state == FL_CONN)
		return;
	if (e->tries)
		evidence_tries(p->ev, e->port_ev, e->tries, e->first_ns,
		    e->last_ns);
	e->tries = 0;
	if (e->state == FL_SYNACK) /* SYN-ACK never acknowledged nor reset */
		evidence_halfopen(p->ev, e->port_ev);
	if (e->state != FL_PROBE)
		return;
	if (e->kind == PK_TRACE)
		evidence_trace_silent(p->ev, e->port_ev, e->ttl);
	if (ended)
		p->st.pending_at_end++;
	else
		p->st.timed_out++;
	note(p, e, ended ? EX_END : EX_TIMEOUT, NULL,
	    ended ? p->now : e->last_ns + p->o.timeout_ns);
	if ((l = no_reply_label(p, e->kind, is_v4(&e->key.lo))) != NULL)
		evidence_settle(p->ev, e->port_ev, l);
}

/*
 * File e under the capture time after which a sweep must look at it: when
 * it expires or, with --emit-evidence, when a replay (which knows only
 * sync_ns) would expire it.
 */
static inline void
refile(struct pairing *p, struct flow_entry *e)
{
	uint64_t limit = e->state == FL_CONN ? p->o.idle_ns : p->o.timeout_ns;
	uint64_t t = e->last_ns;

	if ((e->logbits & LB_DIVERGED) && e->sync_ns < t)
		t = e->sync_ns;
	flow_due(p->flows, e, t > UINT64_MAX - limit ? UINT64_MAX : t + limit);
}

/* e saw a packet (or a keepalive) at ts. */
static inline void
touch(struct pairing *p, struct flow_entry *e, uint64_t ts)
{
	e->last_ns = ts;
	refile(p, e);
}

/*
 * A sweep's look at e (the wheel brings those due by now; a squeeze, every
 * entry): retire it once it has expired, else file it again.
 */
static bool
expire_one(void *arg, struct flow_entry *e)
{
	struct pairing *p = arg;
	uint64_t limit = p->limit_ns;

	if (e->state == FL_CONN && limit == p->o.timeout_ns)
		limit = p->o.idle_ns;
	/*
	 * A merge's keepalive record can carry a time the replayed clock
	 * has not reached yet (its segment was not logged): not idle.
	 */
	if (e->last_ns >= p->now || p->now - e->last_ns <= limit) {
		if (p->now > e->sync_ns && p->now - e->sync_ns > limit)
			sync_entry(p, e); /* a replay must not expire it */
		refile(p, e);
		return false;
	}
	release(p, e, false);
	return true;
}

/*
 * The table is full and may not grow. nmap itself gives up on a probe
 * after an adaptive timeout of a few RTTs, so under pressure expire what is
 * older than max(4 x the longest RTT seen, 1 s) (never more than
 * --timeout), in one walk over every entry at most every half of that much
 * capture time; between walks a new probe that does not fit is dropped and
 * counted.
 */
static void
squeeze(struct pairing *p)
{
	uint64_t lim = 4 * p->max_rtt_ns;

	if (p->now < p->next_squeeze)
		return;
	if (lim < 1000000000ull)
		lim = 1000000000ull;
	if (lim > p->o.timeout_ns)
		lim = p->o.timeout_ns;
	p->limit_ns = lim;
	flow_walk(p->flows, expire_one, p);
	p->limit_ns = p->o.timeout_ns;
	p->next_squeeze = p->now > UINT64_MAX - lim / 2 ? UINT64_MAX :
	    p->now + lim / 2;
	p->st.squeezes++;
}

/*
 * Has e expired by capture time ts? Judged by the packet's own time, so a
 * capture whose clock steps back does not age entries it still needs.
 */
static inline bool
stale(const struct pairing *p, const struct flow_entry *e, uint64_t ts)
{
	uint64_t limit = e->state == FL_CONN ? p->o.idle_ns : p->o.timeout_ns;

	return ts > e->last_ns && ts - e->last_ns > limit;
}

/*
 * e, or NULL after retiring it when it has expired by time ts; a reply
 * (`reply`) to a probe that waited too long is counted as late.
 */
static inline struct flow_entry *
unless_stale(struct pairing *p, struct flow_entry *e, uint64_t ts,
    bool reply)
{
	if (e == NULL || !stale(p, e, ts))
		return e;
	if (reply && e->state == FL_PROBE)
		p->st.late++;
	release(p, e, false);
	flow_remove(p->flows, e);
	return NULL;
}

/* The packet's entry, after retiring it if it has expired. */
static inline struct flow_entry *
find_live(struct pairing *p, struct ctx *c)
{
	struct flow_entry *e = flow_lookup_hashed(p->flows, &c->a->key, c->a->hash);

	return unless_stale(p, e, c->ts, e != NULL &&
	    !is_prober(e, c->a->src_is_lo));
}

static void
new_probe(struct pairing *p, struct ctx *c, uint8_t kind)
{
	const struct decoded *d = c->d;
	struct port_key pk;
	struct flow_entry *e;

	/* pair_ahead_more() found the target only for a probe target. */
	if (c->a->target == 0 && not_a_probe_target(&d->dst))
		return;
	memset(&pk, 0, sizeof(pk));
	pk.scanner = c->a->scanner != 0 ? c->a->scanner :
	    hosts_intern(p->hosts, &d->src);
	pk.target = c->a->target != 0 ? c->a->target :
	    hosts_intern(p->hosts, &d->dst);
	pk.port = d->dport;
	pk.proto = d->proto;
	pk.kind = kind;
	if (pk.scanner == 0 || pk.target == 0) {
		p->st.record_drops++;
		return;
	}
	e = flow_insert_hashed(p->flows, &c->a->key, c->a->hash);
	if (e == NULL) {
		squeeze(p);
		e = flow_insert_hashed(p->flows, &c->a->key, c->a->hash);
	}
	if (e == NULL) {
		p->st.table_drops++;
		return;
	}
	e->port_ev = pk.scanner == c->a->scanner &&
	    pk.target == c->a->target && kind == c->a->kind ?
	    evidence_get_hashed(p->ev, &pk, c->a->ev_hash) :
	    evidence_get(p->ev, &pk);
	if (e->port_ev == EV_NONE) {
		flow_remove(p->flows, e);
		p->st.record_drops++;
		return;
	}
	evidence_probe_start(p->ev, e->port_ev, c->ts);
	e->prober_lo = c->a->src_is_lo;
	e->state = FL_PROBE;
	e->kind = kind;
	e->ttl = d->ttl;
	e->tries = 1;
	e->first_ns = c->ts;
	touch(p, e, c->ts);
	if (d->proto == 6) {
		e->flags = d->tcp.flags;
		e->seq = d->tcp.seq;
		e->ack = d->tcp.ack;
		e->payload = d->tcp.payload;
	} else {
		e->payload = d->udp_payload;
	}
	p->st.probes++;
	note(p, e, EX_PROBE, d, c->ts);
}

/* Label a reply and apply it to the probe's record. */
static void
answer(struct pairing *p, struct flow_entry *e, const struct decoded *d,
    uint64_t ts, struct reply_in *in)
{
	struct reply_facts f;
	struct label l;

	in->kind = e->kind;
	in->ip = d->ip_ver;
	if (e->state != FL_PROBE && e->replied) {
		p->st.dup_replies++;
		if (in->reply == RK_SYNACK || in->reply == RK_UDP)
			return; /* retransmitted answer: nothing new */
	}
	if (!verdict_label(p->v, in, &l)) {
		p->st.ignored_replies++;
		return;
	}
	p->st.paired++;
	note(p, e, in->reply == RK_ICMP ? EX_ICMP : EX_REPLY, d, ts);
	memset(&f, 0, sizeof(f));
	f.retry = evidence_answers_retry(p->ev, e->port_ev, e->tries,
	    e->last_ns);
	if (e->tries)
		evidence_tries(p->ev, e->port_ev, e->tries, e->first_ns,
		    e->last_ns);
	e->tries = 0;
	f.kind = in->reply;
	f.ttl = d->ttl;
	f.ipid = d->ip_id;
	if (in->reply == RK_ICMP) {
		f.icmp_type = (uint8_t)in->icmp_type;
		f.icmp_code = (uint8_t)in->icmp_code;
	} else if (d->proto == 6) {
		f.win = d->tcp.win;
		f.nopt = d->tcp.nopt;
		f.sig = option_sig(&d->tcp);
	}
	/* Most replies come from the probed host itself. */
	f.src = hosts_intern_hint(p->hosts, &d->src,
	    evidence_key(p->ev, e->port_ev)->target);
	f.ts_ns = ts;
	if (e->kind == PK_TRACE && in->reply == RK_ICMP && !in->from_target)
		evidence_trace_hop(p->ev, e->port_ev, e->ttl, f.src);
	f.rtt_us = ts >= e->last_ns ?
	    (uint32_t)((ts - e->last_ns) / 1000 > UINT32_MAX - 1 ?
	    UINT32_MAX - 1 : (ts - e->last_ns) / 1000) : 0;
	if ((uint64_t)f.rtt_us * 1000u > p->max_rtt_ns)
		p->max_rtt_ns = (uint64_t)f.rtt_us * 1000u;
	evidence_reply(p->ev, e->port_ev, &l, &f);
	if (!e->replied) {
		e->replied = 1;
		e->reply_ttl = d->ttl;
	}
	e->state = in->reply == RK_SYNACK ? FL_SYNACK : FL_ANSWERED;
	touch(p, e, ts);
}

/* RFC 793 reply rules (semantics.md 3, 6.1): does this segment answer e? */
static uint8_t
tcp_reply_kind(const struct flow_entry *e, const struct tcp_info *t,
    bool *valid)
{
	uint32_t expect_ack = e->seq + e->payload +
	    ((e->flags & TH_SYN) ? 1u : 0u) + ((e->flags & TH_FIN) ? 1u : 0u);

	if (t->flags & TH_RST) {
		if (e->flags & TH_ACK)
			*valid = t->seq == e->ack;
		else
			*valid = (t->flags & TH_ACK) && t->ack == expect_ack;
		return RK_RST;
	}
	if ((t->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) {
		*valid = (e->flags & TH_SYN) && t->ack == e->seq + 1;
		return RK_SYNACK;
	}
	if (t->flags & TH_SYN) {
		*valid = (e->flags & (TH_SYN | TH_ACK)) == TH_SYN;
		return RK_SYN;
	}
	*valid = false;
	return RK_NONE;
}

/* A packet from the prober's side of an existing entry. */
static void
tcp_from_prober(struct pairing *p, struct ctx *c, struct flow_entry *e)
{
	const struct tcp_info *t = &c->d->tcp;
	bool syn = (t->flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN;

	if (syn && t->seq != e->seq) {
		/* A new connection attempt reusing the 5-tuple. */
		release(p, e, false);
		flow_remove(p->flows, e);
		new_probe(p, c, tcp_probe_kind(c->d));
		return;
	}
	if (e->state == FL_CONN) {
		touch(p, e, c->ts);
		if (t->payload > 0)
			e->prober_data = 1;
		return;
	}
	if ((t->flags & ~(TH_PSH | TH_ECE | TH_CWR)) == e->flags &&
	    t->seq == e->seq) {
		e->tries++; /* retransmission of the probe */
		touch(p, e, c->ts);
		p->st.probes++;
		p->st.retransmits++;
		note(p, e, EX_RETRY, c->d, c->ts);
		return;
	}
	if (e->state == FL_SYNACK && !(t->flags & TH_SYN)) {
		/* The prober acknowledged (connect) or reset (raw scan). */
		e->state = FL_ANSWERED;
		if (!(t->flags & TH_RST)) {
			release(p, e, false);
			e->state = FL_CONN; /* handshake completed */
			e->prober_data = t->payload > 0;
		}
		touch(p, e, c->ts);
	}
}

/*
 * The target side reset a connection after the prober sent data. A reset
 * whose TTL differs from the target's own handshake reply was made by
 * something else on the path (DPI, IPS): count it on the port.
 */
static void
conn_reset(struct pairing *p, struct flow_entry *e, const struct decoded *d)
{
	if (e->port_ev == EV_NONE || e->reply_ttl == 0 ||
	    d->ttl == e->reply_ttl)
		return;
	evidence_reset_after_data(p->ev, e->port_ev, e->reply_ttl, d->ttl);
	e->prober_data = 0; /* one count per request */
}

/* A packet from the target's side of an existing entry. */
static void
tcp_from_target(struct pairing *p, struct ctx *c, struct flow_entry *e)
{
	const struct tcp_info *t = &c->d->tcp;
	struct reply_in in;
	bool valid;

	if (e->state == FL_CONN) {
		touch(p, e, c->ts);
		if ((t->flags & TH_RST) && e->prober_data)
			conn_reset(p, e, c->d);
		return;
	}
	memset(&in, 0, sizeof(in));
	in.reply = tcp_reply_kind(e, t, &valid);
	if (in.reply == RK_NONE) {
		if (e->state == FL_PROBE && !(e->flags & TH_SYN)) {
			/* The "probe" was a segment of a live connection. */
			e->state = FL_CONN;
			e->tries = 0;
			touch(p, e, c->ts);
			p->st.midstream++;
		}
		return;
	}
	if (!valid) {
		p->st.seq_mismatch++;
		return;
	}
	in.icmp_type = in.icmp_code = -1;
	in.from_target = true;
	in.window = t->win;
	answer(p, e, c->d, c->ts, &in);
}

static void
track_tcp(struct pairing *p, struct ctx *c)
{
	const struct tcp_info *t = &c->d->tcp;
	struct flow_entry *e = find_live(p, c);

	if (e != NULL) {
		if (is_prober(e, c->a->src_is_lo))
			tcp_from_prober(p, c, e);
		else
			tcp_from_target(p, c, e);
		return;
	}
	if (t->flags & TH_RST) {
		p->st.unsolicited_rst++;
		count_unsolicited(p, c->d);
		return;
	}
	if ((t->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) {
		p->st.unsolicited_synack++;
		count_unsolicited(p, c->d);
		return;
	}
	if (!(t->flags & TH_SYN) && (t->payload > 0 || t->has_ts)) {
		/*
		 * Data or a timestamped segment outside any known connection:
		 * the capture started mid-stream. Scanners' non-SYN probes
		 * carry neither.
		 */
		e = flow_insert_hashed(p->flows, &c->a->key, c->a->hash);
		if (e != NULL) {
			e->port_ev = EV_NONE;
			e->state = FL_CONN;
			e->prober_lo = c->a->src_is_lo;
			touch(p, e, c->ts);
			p->st.midstream++;
		}
		return;
	}
	new_probe(p, c, c->a->target != 0 ? c->a->kind :
	    tcp_probe_kind(c->d)); /* pair_ahead_more() knew it */
}

/* Looks like a server's answer (well-known port to ephemeral port). */
static bool
udp_reply_shaped(const struct decoded *d)
{
	return d->sport != 0 && d->sport < 1024 && d->dport >= 32768;
}

static void
track_udp(struct pairing *p, struct ctx *c)
{
	struct flow_entry *e = find_live(p, c);
	struct reply_in in;

	if (e == NULL) {
		if (udp_reply_shaped(c->d))
			p->st.unsolicited_udp++;
		else
			new_probe(p, c, PK_UDP);
		return;
	}
	if (is_prober(e, c->a->src_is_lo)) {
		if (e->state == FL_PROBE) {
			e->tries++;
			p->st.probes++;
			p->st.retransmits++;
			note(p, e, EX_RETRY, c->d, c->ts);
		} else {
			release(p, e, false);
			e->state = FL_CONN; /* the conversation goes on */
		}
		touch(p, e, c->ts);
		return;
	}
	if (e->state != FL_PROBE) {
		touch(p, e, c->ts);
		return;
	}
	memset(&in, 0, sizeof(in));
	in.reply = RK_UDP;
	in.icmp_type = in.icmp_code = -1;
	in.from_target = true;
	answer(p, e, c->d, c->ts, &in);
}

/* ICMP/ICMPv6 errors: pair through the quoted header (semantics.md 6.2). */
static void
track_icmp(struct pairing *p, const struct decoded *d, uint64_t ts,
    const struct pair_ahead *a)
{
	const struct quoted *q = &d->q;
	struct flow_key key;
	struct flow_entry *e;
	struct reply_in in;
	bool q_src_is_lo = a->src_is_lo;

	if (!d->icmp_error)
		return;
	p->st.icmp_errors++;
	if (!q->valid || !q->has_ports || (q->proto != 6 && q->proto != 17) ||
	    !addr_eq(&d->dst, &q->src)) {
		p->st.unmatched_icmp++;
		return;
	}
	e = flow_lookup_hashed(p->flows, &a->key, a->hash);
	if (e == NULL && !addr_eq(&d->src, &q->dst)) {
		/*
		 * The quote names another destination than the probe had:
		 * NAT (RFC 5508) or an anonymised capture rewrote one side.
		 * When the error comes from the probed host itself, its
		 * 5-tuple with the outer source as target still finds it.
		 */
		flow_key_make(&key, &q->src, q->sport, &d->src, q->dport,
		    q->proto, &q_src_is_lo);
		e = flow_lookup(p->flows, &key);
		if (e != NULL)
			p->st.nat_matched++;
	}
	e = unless_stale(p, e, ts, true);
	if (e == NULL || !is_prober(e, q_src_is_lo) || e->state == FL_CONN ||
	    (q->proto == 6 && q->has_seq && q->seq != e->seq)) {
		p->st.unmatched_icmp++;
		return;
	}
	memset(&in, 0, sizeof(in));
	in.reply = RK_ICMP;
	in.icmp_type = d->icmp_type;
	in.icmp_code = d->icmp_code;
	in.icmp_v6 = d->proto == 58;
	in.from_target = addr_eq(&d->src, &q->dst) ||
	    addr_eq(&d->src, e->prober_lo ? &e->key.hi : &e->key.lo);
	answer(p, e, d, ts, &in);
}

/*
 * --emit-evidence: the log catches up with an entry whose last_ns moved on
 * unlogged segments (a keepalive record), before anything depends on it.
 */
static void
sync_entry(struct pairing *p, struct flow_entry *e)
{
	if (p->log == NULL || e == NULL || !(e->logbits & LB_DIVERGED))
		return;
	evw_keepalive(p->log, &e->key, e->last_ns);
	e->logbits &= (uint8_t)~LB_DIVERGED;
}

/* Sync the entries an ICMP error may pair with (as track_icmp finds them). */
static void
sync_quoted(struct pairing *p, const struct decoded *d)
{
	const struct quoted *q = &d->q;
	struct flow_key key;
	bool lo;

	if (!q->valid || !q->has_ports)
		return;
	flow_key_make(&key, &q->src, q->sport, &q->dst, q->dport, q->proto,
	    &lo);
	sync_entry(p, flow_lookup(p->flows, &key));
	flow_key_make(&key, &q->src, q->sport, &d->src, q->dport, q->proto,
	    &lo);
	sync_entry(p, flow_lookup(p->flows, &key));
}

/*
 * --emit-evidence: can this packet change nothing but a live connection's
 * clock (a segment of an established connection or UDP conversation
 * without SYN/FIN/RST, past the first payload of its side)? Those are left
 * out of the log; last_ns then runs ahead of what a replay knows (sync_ns)
 * until a keepalive catches up. Everything else is logged, after syncing.
 */
static bool
quiet_segment(struct pairing *p, const struct decoded *d, uint64_t ts)
{
	struct flow_key k;
	struct flow_entry *e;
	bool lo;
	uint8_t side;

	if (d->proto != 6 && d->proto != 17) {
		if (!d->icmp_error)
			return true;	/* pairing ignores it */
		sync_quoted(p, d);
		return false;
	}
	flow_key_make(&k, &d->src, d->sport, &d->dst, d->dport, d->proto, &lo);
	if ((e = flow_lookup(p->flows, &k)) == NULL)
		return false;
	side = lo ? LB_DATA_LO : LB_DATA_HI;
	if (stale(p, e, ts) || (d->proto == 6 &&
	    ((d->tcp.flags & (TH_SYN | TH_FIN | TH_RST)) ||
	    e->state != FL_CONN)) || (d->proto == 17 &&
	    e->state != FL_CONN && (e->state != FL_ANSWERED ||
	    is_prober(e, lo))) || ((d->proto == 17 || d->tcp.payload > 0) &&
	    !(e->logbits & side))) {
		if (d->proto == 6 && (d->tcp.flags & TH_RST))
			e->logbits &= (uint8_t)~(LB_DATA_LO | LB_DATA_HI);
		else if (d->proto == 17 || d->tcp.payload > 0)
			e->logbits |= side;
		sync_entry(p, e);
		return false;
	}
	if (!(e->logbits & LB_DIVERGED)) {
		e->sync_ns = e->last_ns;
		e->logbits |= LB_DIVERGED;
	}
	return true;
}

/*
 * The flow key a packet looks up: its own 5-tuple, or for an ICMP error
 * the one it quotes (track_icmp() looks that up first).
 */
void
pair_ahead(struct pairing *p, const struct decoded *d, struct pair_ahead *a)
{
	const struct quoted *q = &d->q;

	a->keyed = false;
	a->src_is_lo = false;	/* track_icmp() reads it for every error */
	a->scanner = a->target = 0;
	if (d->proto == 6 || d->proto == 17) {
		a->hash = flow_key_ahead(p->flows, &a->key, &d->src, d->sport,
		    &d->dst, d->dport, d->proto, &a->src_is_lo);
	} else if (d->icmp_error && q->valid && q->has_ports) {
		a->hash = flow_key_ahead(p->flows, &a->key, &q->src, q->sport,
		    &q->dst, q->dport, q->proto, &a->src_is_lo);
	} else {
		return;
	}
	a->keyed = true;
}

/*
 * Could this packet open a probe if no entry has its key (track_tcp() and
 * track_udp() without an entry)? Nearly: a guess only decides a prefetch.
 */
static bool
may_open_probe(const struct decoded *d)
{
	if (not_a_probe_target(&d->dst))
		return false;
	if (d->proto == 17)
		return !udp_reply_shaped(d);
	return d->proto == 6 && !(d->tcp.flags & TH_RST) &&
	    (d->tcp.flags & (TH_SYN | TH_ACK)) != (TH_SYN | TH_ACK);
}

/*
 * The index slot pair_ahead() prefetched has arrived: prefetch the entry
 * it names or, for a packet that will open a probe, its port record's
 * index slot (when both hosts are known already).
 */
void
pair_ahead_more(struct pairing *p, const struct decoded *d,
    struct pair_ahead *a)
{
	struct port_key pk;

	if (!a->keyed || flow_prefetch_entry(p->flows, a->hash) ||
	    !may_open_probe(d))
		return;
	if ((a->scanner = hosts_lookup(p->hosts, &d->src)) == 0 ||
	    (a->target = hosts_lookup(p->hosts, &d->dst)) == 0)
		return;
	memset(&pk, 0, sizeof(pk));
	pk.scanner = a->scanner;
	pk.target = a->target;
	pk.port = d->dport;
	pk.proto = d->proto;
	pk.kind = a->kind = d->proto == 6 ? tcp_probe_kind(d) : PK_UDP;
	a->ev_hash = evidence_prefetch_key(p->ev, &pk);
}

/* Track one packet; the clock is the caller's. */
static void
pair_track(struct pairing *p, const struct decoded *d, uint64_t ts_ns,
    const struct pair_ahead *a)
{
	struct ctx c;

	if (ts_ns > p->now)
		p->now = ts_ns;
	p->input = a->input;
	p->number = a->number;
	p->log_this = p->log != NULL && !quiet_segment(p, d, ts_ns);
	if (d->proto == 1 || d->proto == 58) {
		track_icmp(p, d, ts_ns, a);
	} else {
		c.d = d;
		c.ts = ts_ns;
		c.a = a;
		if (d->proto == 6)
			track_tcp(p, &c);
		else if (d->proto == 17)
			track_udp(p, &c);
	}
	if (p->log_this)
		evw_packet(p->log, d, ts_ns);
}

/*
 * The expiry clock. Every 1/TUN_SWEEPS_PER_TIMEOUT of the timeout in
 * capture time, on a grid fixed in absolute time (so a capture cut in
 * pieces sweeps at the same moments as the whole), a sweep retires every
 * entry that has expired: the table never holds much more than a timeout's
 * worth of probes. The wheel brings the sweep only the entries filed as
 * due (refile()), so its cost follows them, not the table's size.
 */
static inline void
clock_run(struct pairing *p)
{
	if (p->now >= p->next_sweep)
		clock_sweep(p);
}

/* clock_run() at a grid point: sweep, and find the next point. */
static void
clock_sweep(struct pairing *p)
{
	uint64_t step;

	step = sweep_step(p); /* a division: not on every packet */
	if (p->next_sweep != 0)
		flow_expire(p->flows, p->now, expire_one, p);
	if (p->log != NULL)
		evw_tick(p->log, p->now);
	/* The next grid point; past 2^64 ns (evidence can say so): never. */
	p->next_sweep = p->now / step < UINT64_MAX / step ?
	    (p->now / step + 1) * step : UINT64_MAX;
}

void
pair_packet_ahead(struct pairing *p, const struct decoded *d, uint64_t ts_ns,
    const struct pair_ahead *a)
{
	pair_track(p, d, ts_ns, a);
	/* After the packet, so a late reply still finds its probe. */
	clock_run(p);
}

void
pair_packet(struct pairing *p, const struct decoded *d, uint64_t ts_ns)
{
	struct pair_ahead a;

	pair_ahead(p, d, &a);
	a.input = 0;
	a.number = 0;
	pair_packet_ahead(p, d, ts_ns, &a);
}

void
pair_replay(struct pairing *p, const struct evrec *r)
{
	struct pair_ahead a;
	struct flow_entry *e;

	switch (r->type) {
	case EVR_PACKET:
		pair_ahead(p, &r->d, &a);
		a.input = 0;
		a.number = 0;
		pair_track(p, &r->d, r->ts, &a);
		break;
	case EVR_KEEPALIVE:
		e = flow_lookup(p->flows, &r->key);
		if (e != NULL && (e->state == FL_CONN ||
		    e->state == FL_ANSWERED) && r->ts > e->last_ns)
			touch(p, e, r->ts);
		break;
	case EVR_TICK:
		if (r->ts > p->now)
			p->now = r->ts;
		clock_run(p);
		break;
	default:
		break;
	}
}

static void
release_ended(void *arg, struct flow_entry *e)
{
	release(arg, e, true);
}

void
pair_finish(struct pairing *p)
{
	flow_drain(p->flows, release_ended, p);
}

void
pair_drop_table(struct pairing *p)
{
	flow_free(p->flows);
	p->flows = NULL;
}
