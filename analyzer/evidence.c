/*
 * evidence.c -- the per-port evidence store and nmap's reply precedence.
 *
 * Records are kept packed (struct ev_rec, 60 bytes): times as 48-bit
 * offsets from the store's first time, the verdict and the previous one as
 * indexes into a table of distinct labels, the deciding reply's shape (kind,
 * ICMP type and code, TCP window, options) as an index into a table of
 * distinct shapes, counters in 16 bits. What does not fit, and what only a
 * few ports have (state changes, half-open handshakes, resets after data,
 * traceroute hops, retry answers, counts above 65534, times out of range),
 * lives in a side table of rare fields keyed by record id.
 *
 * Callers see a record as a struct port_ev: one record at a time is
 * unpacked into the store's view, changed there, and packed back when
 * another record is asked for (or the store is read as a whole).
 */
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "evidence.h"
#include "hosts.h"
#include "tunables.h"
#include "xmalloc.h"

#define T_FAR 0xffffffffffffull	/* 48-bit time: the exact value is rare */
#define C_SAT 0xffffu		/* 16-bit counter: the exact count is rare */
#define RF_ROUND_DONE 0x01u	/* ev_rec.flags */
#define RF_RARE 0x02u		/* the record has a rare entry */
#define REHASH_AHEAD 16u	/* evidence_rehash(): keys hashed ahead */

enum { T_FIRST, T_LAST, T_ROUND, T_PHASE, T_COUNT };


/* A packed record: 60 bytes (evidence_record_size()). */
struct ev_rec {
	struct port_key key;	/* 12 */
	uint32_t tlo[T_COUNT];	/* times, 48 bits: 0 unset, else ns - base + 1 */
	uint16_t thi[T_COUNT];	/* (T_FAR: see the rare entry) */
	uint16_t tries, replies; /* C_SAT: see the rare entry */
	uint16_t label;		/* state, reason, rank, rule: labels[] */
	uint16_t prev_label;	/* prev_state, prev_reason: labels[] */
	uint16_t ipid;		/* reply_ipid */
	uint16_t shape;		/* shapes[]; C_SAT: see the rare entry */
	uint32_t rtt_us;
	uint32_t reason_src;
	uint8_t reason_ttl;
	uint8_t round_probes;	/* saturates at 255: only "> 1" is asked */
	uint8_t flags;		/* RF_* */
	uint8_t pad;
};

_Static_assert(sizeof(struct ev_rec) == 60, "struct ev_rec is 60 bytes");

/* Fields few records have, or values too large for struct ev_rec. */
struct ev_rare {
	uint32_t id;		/* the record */
	uint32_t tries, replies; /* when C_SAT */
	uint32_t shape;		/* when C_SAT */
	uint64_t t[T_COUNT];	/* when T_FAR */
	uint32_t hop_src;
	uint16_t changes, halfopen, retry_answers, after_data_rst;
	uint8_t conn_ttl, reset_ttl, hop_ttl, silent_ttl;
};

/* The deciding reply's look, shared by the many ports that got the same. */
struct shape {
	uint32_t sig;
	uint16_t win;
	uint8_t kind, icmp_type, icmp_code, nopt;
};

/* A small open-addressing index over a dense array: slot = index + 1. */
struct ixmap {
	uint32_t *slots;
	uint32_t nslots;	/* power of two, load <= 1/2 */
};

struct evidence {
	struct ev_rec *recs;	/* dense, index = id */
	uint32_t count, cap, max;
	uint32_t *slots;	/* tag | (id + 1), 0 = empty */
	uint32_t nslots;	/* power of two, load <= 3/4 (probing compares
				   tags in this array: long runs are cheap) */
	uint32_t nslots_max;	/* largest index so far (for evidence_mem) */
	uint32_t idmask;	/* bits of a slot that hold id + 1; the others
				   hold hash bits, so probing past other keys
				   rarely touches their records */
	struct phase *phases;	/* log of the ports that changed state */
	size_t nphases, phases_cap;
	uint64_t phase_drops;	/* entries the log had no room for */
	struct budget *budget;	/* borrowed; NULL: not budgeted */
	uint64_t base;		/* time of packed offset 1 (first time seen) */
	bool have_base;
	struct label *labels;	/* distinct labels; [0] all zero */
	uint32_t nlabels, labels_cap;
	struct ixmap label_ix;
	uint16_t label_memo[TUN_LABEL_MEMO]; /* by rule: a recent label's index */
	struct shape *shapes;	/* distinct reply shapes; [0] all zero */
	uint32_t nshapes, shapes_cap;
	struct ixmap shape_ix;
	struct ev_rare *rare;	/* rare entries, in order of creation */
	uint32_t nrare, rare_cap;
	struct ixmap rare_ix;
	struct port_ev view;	/* the record being worked on, unpacked */
	uint32_t view_id;	/* its id, EV_NONE when none */
};

static inline uint32_t *evidence_slot(const struct evidence *ev,
    const struct port_key *key, uint64_t h);
static void evidence_rehash(struct evidence *ev, uint32_t nslots);
static void probe_start_rest(struct evidence *ev, uint32_t id, uint64_t ts)
    __attribute__((noinline));
static void tries_view(struct evidence *ev, uint32_t id, uint32_t tries,
    uint64_t first_ns, uint64_t last_ns) __attribute__((noinline));
static uint16_t label_find(struct evidence *ev, const struct label *lp);
static inline void rehash_put(uint32_t *slots, uint32_t mask, uint32_t tags,
    uint64_t h, uint32_t id);
static uint64_t key_hash(const struct port_key *key);
static uint32_t slot_value(const struct evidence *ev, uint64_t h,
    uint32_t id);
static void evidence_close_round(struct evidence *ev, struct port_ev *r,
    uint32_t id);
static void evidence_log_phase(struct evidence *ev, uint32_t id,
    uint8_t state, uint8_t reason, uint64_t ts);
static struct port_ev *view(struct evidence *ev, uint32_t id);
static void flush(struct evidence *ev);
static void pack(struct evidence *ev, uint32_t id, const struct port_ev *r);
static void unpack(const struct evidence *ev, uint32_t id,
    struct port_ev *r);
static uint32_t ix_find(const struct ixmap *m, uint64_t h,
    bool (*eq)(const struct evidence *, uint32_t, const void *),
    const struct evidence *ev, const void *x, uint32_t **slot);
static void ix_grow(struct ixmap *m, uint32_t need, uint32_t have,
    uint64_t (*hash)(const struct evidence *, uint32_t),
    const struct evidence *ev);

static uint64_t
mix(uint64_t h)
{
	h ^= h >> 31;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 29;
	return h;
}

/* --- small indexes (labels, shapes, rare entries) -------------------- */

/* Index of the entry equal to x, or UINT32_MAX with *slot its free slot. */
static uint32_t
ix_find(const struct ixmap *m, uint64_t h,
    bool (*eq)(const struct evidence *, uint32_t, const void *),
    const struct evidence *ev, const void *x, uint32_t **slot)
{
	uint32_t mask = m->nslots - 1, i = (uint32_t)h & mask;

	while (m->slots[i] != 0) {
		if (eq(ev, m->slots[i] - 1, x))
			return m->slots[i] - 1;
		i = (i + 1) & mask;
	}
	*slot = &m->slots[i];
	return UINT32_MAX;
}

/* Room for `need` entries (load <= 1/2); the `have` there are rehashed. */
static void
ix_grow(struct ixmap *m, uint32_t need, uint32_t have,
    uint64_t (*hash)(const struct evidence *, uint32_t),
    const struct evidence *ev)
{
	uint32_t i, j, mask;

	if ((uint64_t)need * 2 <= m->nslots)
		return;
	free(m->slots);
	m->nslots = m->nslots ? m->nslots * 2 : 64;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	mask = m->nslots - 1;
	for (i = 0; i < have; i++) {
		for (j = (uint32_t)hash(ev, i) & mask; m->slots[j] != 0;
		    j = (j + 1) & mask)
			;
		m->slots[j] = i + 1;
	}
}

static uint64_t
label_hash_of(const struct label *l)
{
	return mix((uint64_t)l->state | (uint64_t)l->reason << 8 |
	    (uint64_t)l->rank << 16 | (uint64_t)l->rule << 24);
}

static uint64_t
label_hash(const struct evidence *ev, uint32_t i)
{
	return label_hash_of(&ev->labels[i]);
}

static bool
label_eq(const struct evidence *ev, uint32_t i, const void *x)
{
	const struct label *a = &ev->labels[i], *b = x;

	return a->state == b->state && a->reason == b->reason &&
	    a->rank == b->rank && a->rule == b->rule;
}

/* Index of a label, added if new; the memo answers most calls inline. */
static inline uint16_t
label_index(struct evidence *ev, uint8_t state, uint8_t reason, uint8_t rank,
    uint16_t rule)
{
	struct label l;
	uint16_t *memo;

	memset(&l, 0, sizeof(l));
	l.state = state;
	l.reason = reason;
	l.rank = rank;
	l.rule = rule;
	if ((l.state | l.reason | l.rank | l.rule) == 0)
		return 0;
	memo = &ev->label_memo[rule & (TUN_LABEL_MEMO - 1)];
	if (label_eq(ev, *memo, &l))
		return *memo;
	return *memo = label_find(ev, &l);
}

/* label_index() past its memo: the table, or a new entry. */
static uint16_t
label_find(struct evidence *ev, const struct label *lp)
{
	struct label l = *lp;
	uint32_t *slot, i;

	i = ix_find(&ev->label_ix, label_hash_of(&l), label_eq, ev, &l, &slot);
	if (i != UINT32_MAX)
		return (uint16_t)i;
	/* Labels come from rules (at most TUN_RULE_MAX_RULES): few. */
	if (ev->nlabels == ev->labels_cap) {
		ev->labels_cap *= 2;
		ev->labels = xreallocarray(ev->labels, ev->labels_cap,
		    sizeof(*ev->labels));
	}
	i = ev->nlabels++;
	ev->labels[i] = l;
	*slot = i + 1;
	ix_grow(&ev->label_ix, ev->nlabels, ev->nlabels, label_hash, ev);
	return (uint16_t)i;
}

static uint64_t
shape_hash_of(const struct shape *s)
{
	return mix((uint64_t)s->sig << 32 ^ (uint64_t)s->win << 24 ^
	    (uint64_t)s->kind << 16 ^ (uint64_t)s->icmp_type << 8 ^
	    (uint64_t)s->icmp_code ^ (uint64_t)s->nopt << 40);
}

static uint64_t
shape_hash(const struct evidence *ev, uint32_t i)
{
	return shape_hash_of(&ev->shapes[i]);
}

static bool
shape_eq(const struct evidence *ev, uint32_t i, const void *x)
{
	const struct shape *a = &ev->shapes[i], *b = x;

	return a->sig == b->sig && a->win == b->win && a->kind == b->kind &&
	    a->icmp_type == b->icmp_type && a->icmp_code == b->icmp_code &&
	    a->nopt == b->nopt;
}

/* Index of shape s (zeroed padding), added if new. */
static uint32_t
shape_find(struct evidence *ev, const struct shape *s)
{
	uint32_t *slot, i;

	if ((s->sig | s->win | s->kind | s->icmp_type | s->icmp_code |
	    s->nopt) == 0)
		return 0;
	i = ix_find(&ev->shape_ix, shape_hash_of(s), shape_eq, ev, s, &slot);
	if (i != UINT32_MAX)
		return i;
	if (ev->nshapes == ev->shapes_cap) {
		ev->shapes_cap *= 2;
		ev->shapes = xreallocarray(ev->shapes, ev->shapes_cap,
		    sizeof(*ev->shapes));
	}
	i = ev->nshapes++;
	ev->shapes[i] = *s;
	*slot = i + 1;
	ix_grow(&ev->shape_ix, ev->nshapes, ev->nshapes, shape_hash, ev);
	return i;
}

static uint32_t
shape_index(struct evidence *ev, const struct port_ev *r)
{
	struct shape s;

	memset(&s, 0, sizeof(s));
	s.sig = r->reply_sig;
	s.win = r->reply_win;
	s.kind = r->reply_kind;
	s.icmp_type = r->icmp_type;
	s.icmp_code = r->icmp_code;
	s.nopt = r->reply_nopt;
	return shape_find(ev, &s);
}

static uint64_t
rare_hash(const struct evidence *ev, uint32_t i)
{
	return mix(ev->rare[i].id * 0x9e3779b97f4a7c15ull);
}

static bool
rare_eq(const struct evidence *ev, uint32_t i, const void *x)
{
	return ev->rare[i].id == *(const uint32_t *)x;
}

/* The rare entry of record id, created (zeroed) if asked and missing. */
static struct ev_rare *
rare_of(struct evidence *ev, uint32_t id, bool create)
{
	uint32_t *slot, i;

	if (ev->rare_ix.nslots == 0) {
		if (!create)
			return NULL;
		ix_grow(&ev->rare_ix, 1, 0, rare_hash, ev);
	}
	i = ix_find(&ev->rare_ix, mix(id * 0x9e3779b97f4a7c15ull), rare_eq,
	    ev, &id, &slot);
	if (i != UINT32_MAX)
		return &ev->rare[i];
	if (!create)
		return NULL;
	if (ev->nrare == ev->rare_cap) {
		ev->rare_cap = ev->rare_cap ? ev->rare_cap * 2 : 64;
		ev->rare = xreallocarray(ev->rare, ev->rare_cap,
		    sizeof(*ev->rare));
	}
	i = ev->nrare++;
	memset(&ev->rare[i], 0, sizeof(ev->rare[i]));
	ev->rare[i].id = id;
	*slot = i + 1;
	ix_grow(&ev->rare_ix, ev->nrare, ev->nrare, rare_hash, ev);
	ev->recs[id].flags |= RF_RARE;
	return &ev->rare[i];
}

static const struct ev_rare *
rare_const(const struct evidence *ev, uint32_t id)
{
	uint32_t *slot, i;

	if (!(ev->recs[id].flags & RF_RARE))
		return NULL;
	i = ix_find(&ev->rare_ix, mix(id * 0x9e3779b97f4a7c15ull), rare_eq,
	    ev, &id, &slot);
	return i == UINT32_MAX ? NULL : &ev->rare[i];
}

/* --- packing ----------------------------------------------------------- */

static uint64_t
t_get(const struct ev_rec *p, int k)
{
	return (uint64_t)p->thi[k] << 32 | p->tlo[k];
}

static void
t_put(struct ev_rec *p, int k, uint64_t v)
{
	p->tlo[k] = (uint32_t)v;
	p->thi[k] = (uint16_t)(v >> 32);
}

/* Time k of record p (x: its rare entry, if any). */
static uint64_t
t_dec(const struct evidence *ev, const struct ev_rec *p, int k,
    const struct ev_rare *x)
{
	uint64_t v = t_get(p, k);

	if (v == 0)
		return 0;
	if (v == T_FAR)
		return x != NULL ? x->t[k] : 0;
	return ev->base + v - 1;
}

/* Packed form of time ns; T_FAR when it must be kept exact elsewhere. */
static uint64_t
t_enc(struct evidence *ev, uint64_t ns)
{
	if (ns == 0)
		return 0;
	if (!ev->have_base) {
		ev->base = ns;
		ev->have_base = true;
	}
	if (ns < ev->base || ns - ev->base >= T_FAR - 1)
		return T_FAR;
	return ns - ev->base + 1;
}

static void
unpack(const struct evidence *ev, uint32_t id, struct port_ev *r)
{
	const struct ev_rec *p = &ev->recs[id];
	const struct ev_rare *x = p->flags & RF_RARE ? rare_const(ev, id) :
	    NULL;
	const struct label *l = &ev->labels[p->label];
	const struct label *pl = &ev->labels[p->prev_label];
	const struct shape *s = &ev->shapes[p->shape != C_SAT ? p->shape :
	    x != NULL ? x->shape : 0];

	r->key = p->key;
	r->tries = p->tries != C_SAT || x == NULL ? p->tries : x->tries;
	r->replies = p->replies != C_SAT || x == NULL ? p->replies :
	    x->replies;
	r->first_ns = t_dec(ev, p, T_FIRST, x);
	r->last_ns = t_dec(ev, p, T_LAST, x);
	r->round_ns = t_dec(ev, p, T_ROUND, x);
	r->phase_ns = t_dec(ev, p, T_PHASE, x);
	r->reason_src = p->reason_src;
	r->rtt_us = p->rtt_us;
	r->reply_sig = s->sig;
	r->reply_win = s->win;
	r->reply_kind = s->kind;
	r->icmp_type = s->icmp_type;
	r->icmp_code = s->icmp_code;
	r->reply_nopt = s->nopt;
	r->reply_ipid = p->ipid;
	r->rule = l->rule;
	r->state = l->state;
	r->reason = l->reason;
	r->rank = l->rank;
	r->prev_state = pl->state;
	r->prev_reason = pl->reason;
	r->reason_ttl = p->reason_ttl;
	r->round_probes = p->round_probes;
	r->round_done = (p->flags & RF_ROUND_DONE) != 0;
	if (x == NULL) {
		r->changes = r->halfopen = r->retry_answers = 0;
		r->after_data_rst = 0;
		r->conn_ttl = r->reset_ttl = r->hop_ttl = r->silent_ttl = 0;
		r->hop_src = 0;
		return;
	}
	r->changes = x->changes;
	r->halfopen = x->halfopen;
	r->retry_answers = x->retry_answers;
	r->after_data_rst = x->after_data_rst;
	r->conn_ttl = x->conn_ttl;
	r->reset_ttl = x->reset_ttl;
	r->hop_ttl = x->hop_ttl;
	r->silent_ttl = x->silent_ttl;
	r->hop_src = x->hop_src;
}

/* Index of r's shape: the stored one when it did not change. */
static uint32_t
shape_keep(struct evidence *ev, const struct ev_rec *p,
    const struct port_ev *r)
{
	const struct shape *s;

	if (p->shape != C_SAT) {
		s = &ev->shapes[p->shape];
		if (s->sig == r->reply_sig && s->win == r->reply_win &&
		    s->kind == r->reply_kind && s->icmp_type == r->icmp_type &&
		    s->icmp_code == r->icmp_code && s->nopt == r->reply_nopt)
			return p->shape;
	}
	return shape_index(ev, r);
}

static void
pack(struct evidence *ev, uint32_t id, const struct port_ev *r)
{
	struct ev_rec *p = &ev->recs[id];
	const struct label *l = &ev->labels[p->label];
	const struct label *pl = &ev->labels[p->prev_label];
	struct ev_rare *x;
	uint64_t t[T_COUNT];
	uint64_t enc[T_COUNT];
	uint32_t shape = shape_keep(ev, p, r);
	bool need = r->changes != 0 || r->halfopen != 0 ||
	    r->retry_answers != 0 || r->after_data_rst != 0 ||
	    r->conn_ttl != 0 || r->reset_ttl != 0 || r->hop_ttl != 0 ||
	    r->silent_ttl != 0 || r->hop_src != 0 || r->tries >= C_SAT ||
	    r->replies >= C_SAT || shape >= C_SAT;
	int k;

	t[T_FIRST] = r->first_ns;
	t[T_LAST] = r->last_ns;
	t[T_ROUND] = r->round_ns;
	t[T_PHASE] = r->phase_ns;
	for (k = 0; k < T_COUNT; k++) {
		enc[k] = t_enc(ev, t[k]);
		need |= enc[k] == T_FAR;
		t_put(p, k, enc[k]);
	}
	p->key = r->key;
	p->tries = (uint16_t)(r->tries >= C_SAT ? C_SAT : r->tries);
	p->replies = (uint16_t)(r->replies >= C_SAT ? C_SAT : r->replies);
	/* Labels change rarely: look up only what differs from the record. */
	if (l->state != r->state || l->reason != r->reason ||
	    l->rank != r->rank || l->rule != r->rule) {
		p->label = label_index(ev, r->state, r->reason, r->rank,
		    r->rule);
		l = &ev->labels[p->label];
		pl = &ev->labels[p->prev_label];
	}
	/* The previous verdict needs only its state and reason. */
	if (pl->state != r->prev_state || pl->reason != r->prev_reason)
		p->prev_label = l->state == r->prev_state &&
		    l->reason == r->prev_reason ? p->label :
		    label_index(ev, r->prev_state, r->prev_reason, 0, 0);
	p->ipid = r->reply_ipid;
	p->shape = (uint16_t)(shape >= C_SAT ? C_SAT : shape);
	p->rtt_us = r->rtt_us;
	p->reason_src = r->reason_src;
	p->reason_ttl = r->reason_ttl;
	p->round_probes = (uint8_t)(r->round_probes > 255 ? 255 :
	    r->round_probes);
	p->flags = (uint8_t)((p->flags & RF_RARE) |
	    (r->round_done ? RF_ROUND_DONE : 0));
	if (!need && !(p->flags & RF_RARE))
		return;
	x = rare_of(ev, id, true);
	x->tries = r->tries;
	x->replies = r->replies;
	x->shape = shape;
	for (k = 0; k < T_COUNT; k++)
		x->t[k] = t[k];
	x->changes = r->changes;
	x->halfopen = r->halfopen;
	x->retry_answers = r->retry_answers;
	x->after_data_rst = r->after_data_rst;
	x->conn_ttl = r->conn_ttl;
	x->reset_ttl = r->reset_ttl;
	x->hop_ttl = r->hop_ttl;
	x->silent_ttl = r->silent_ttl;
	x->hop_src = r->hop_src;
}

/* Pack the view back into its record. */
static void
flush(struct evidence *ev)
{
	if (ev->view_id == EV_NONE)
		return;
	pack(ev, ev->view_id, &ev->view);
	ev->view_id = EV_NONE;
}

/* Record id, unpacked into the view (after packing back the last one). */
static struct port_ev *
view(struct evidence *ev, uint32_t id)
{
	if (ev->view_id != id) {
		flush(ev);
		unpack(ev, id, &ev->view);
		ev->view_id = id;
	}
	return &ev->view;
}

/*
 * Record id for changing in place, packed: NULL when it has a rare entry
 * (callers then take the view). The view, of whatever record, is packed
 * back first, as view() does when another record is asked for. Callers
 * fall back to the view, before changing anything, whenever the change
 * would need a rare entry (a count reaching C_SAT, a time out of range, a
 * shape index past C_SAT, a field only rare entries hold), so a record
 * gets one exactly when packing its view would have given it one.
 */
static struct ev_rec *
in_place(struct evidence *ev, uint32_t id)
{
	flush(ev);
	return ev->recs[id].flags & RF_RARE ? NULL : &ev->recs[id];
}

/* --- the store ----------------------------------------------------------- */

struct evidence *
evidence_new(uint32_t max_records)
{
	struct evidence *ev = xcalloc(1, sizeof(*ev));

	ev->max = max_records;
	ev->idmask = UINT32_MAX;
	while (ev->idmask >> 1 >= max_records && ev->idmask > 1)
		ev->idmask >>= 1;
	ev->nslots = 1024;
	ev->slots = xcalloc(ev->nslots, sizeof(*ev->slots));
	ev->labels_cap = ev->shapes_cap = 64;
	ev->labels = xcalloc(ev->labels_cap, sizeof(*ev->labels));
	ev->shapes = xcalloc(ev->shapes_cap, sizeof(*ev->shapes));
	ev->nlabels = ev->nshapes = 1;	/* [0]: all zero */
	ix_grow(&ev->label_ix, 1, 0, label_hash, ev);
	ix_grow(&ev->shape_ix, 1, 0, shape_hash, ev);
	ev->view_id = EV_NONE;
	return ev;
}

void
evidence_set_budget(struct evidence *ev, struct budget *b)
{
	ev->budget = b;
}

void
evidence_free(struct evidence *ev)
{
	if (ev == NULL)
		return;
	free(ev->recs);
	free(ev->slots);
	free(ev->phases);
	free(ev->labels);
	free(ev->label_ix.slots);
	free(ev->shapes);
	free(ev->shape_ix.slots);
	free(ev->rare);
	free(ev->rare_ix.slots);
	free(ev);
}

static bool
key_eq(const struct port_key *a, const struct port_key *b)
{
	return a->scanner == b->scanner && a->target == b->target &&
	    a->port == b->port && a->proto == b->proto && a->kind == b->kind;
}

static uint64_t
key_hash(const struct port_key *key)
{
	uint64_t h;

	h = (uint64_t)key->scanner * 0x9e3779b97f4a7c15ull;
	h ^= ((uint64_t)key->target << 32 | (uint64_t)key->port << 16 |
	    (uint64_t)key->proto << 8 | key->kind) * 0xc2b2ae3d27d4eb4full;
	return mix(h);
}

/* What the index stores for record id (key hash h): a tag and id + 1. */
static uint32_t
slot_value(const struct evidence *ev, uint64_t h, uint32_t id)
{
	return ((uint32_t)(h >> 32) & ~ev->idmask) | (id + 1);
}

static inline uint32_t *
evidence_slot(const struct evidence *ev, const struct port_key *key,
    uint64_t h)
{
	uint32_t mask = ev->nslots - 1, tag, s;
	uint32_t i;

	i = (uint32_t)h & mask;
	tag = (uint32_t)(h >> 32) & ~ev->idmask;
	while ((s = ev->slots[i]) != 0 && ((s & ~ev->idmask) != tag ||
	    !key_eq(&ev->recs[(s & ev->idmask) - 1].key, key)))
		i = (i + 1) & mask;
	return &ev->slots[i];
}

/* File record id (key hash h) in the first free slot of its run. */
static inline void
rehash_put(uint32_t *slots, uint32_t mask, uint32_t tags, uint64_t h,
    uint32_t id)
{
	uint32_t j = (uint32_t)h & mask;

	while (slots[j] != 0)
		j = (j + 1) & mask;
	slots[j] = ((uint32_t)(h >> 32) & tags) | (id + 1);
}

/*
 * Keys are distinct: each goes to the first free slot of its run. The
 * slots are written all over an index larger than the cache: each key's
 * hash is taken (and its slot prefetched) REHASH_AHEAD keys before. The
 * table's fields are copied to locals: the slot stores could alias them.
 */
static void
evidence_rehash(struct evidence *ev, uint32_t nslots)
{
	uint64_t hs[REHASH_AHEAD], h;
	uint32_t i, n = ev->count, mask = nslots - 1, tags = ~ev->idmask;
	const struct ev_rec *recs = ev->recs;
	uint32_t *slots;

	free(ev->slots);
	ev->nslots = nslots;
	if (nslots > ev->nslots_max)
		ev->nslots_max = nslots;
	ev->slots = slots = xcalloc(nslots, sizeof(*slots));
	for (i = 0; i < n; i++) {
		h = key_hash(&recs[i].key);
		__builtin_prefetch(&slots[(uint32_t)h & mask]);
		if (i >= REHASH_AHEAD) /* key i - REHASH_AHEAD's hash */
			rehash_put(slots, mask, tags, hs[i % REHASH_AHEAD],
			    i - REHASH_AHEAD);
		hs[i % REHASH_AHEAD] = h;
	}
	for (i = n > REHASH_AHEAD ? n - REHASH_AHEAD : 0; i < n; i++)
		rehash_put(slots, mask, tags, hs[i % REHASH_AHEAD], i);
}

void
evidence_drop_index(struct evidence *ev)
{
	free(ev->slots);
	ev->slots = NULL;
	ev->nslots = 0;
}

uint32_t
evidence_find(const struct evidence *ev, const struct port_key *key)
{
	uint32_t s;

	if (ev->slots == NULL)
		return EV_NONE;
	s = *evidence_slot(ev, key, key_hash(key));

	return s == 0 ? EV_NONE : (s & ev->idmask) - 1;
}

uint64_t
evidence_prefetch_key(const struct evidence *ev, const struct port_key *key)
{
	uint64_t h = key_hash(key);

	if (ev->slots != NULL)
		__builtin_prefetch(&ev->slots[(uint32_t)h & (ev->nslots - 1)]);
	return h;
}

uint32_t
evidence_get(struct evidence *ev, const struct port_key *key)
{
	return evidence_get_hashed(ev, key, key_hash(key));
}

uint32_t
evidence_get_hashed(struct evidence *ev, const struct port_key *key,
    uint64_t h)
{
	uint32_t *s, n;
	struct ev_rec *r;

	if (ev->slots == NULL) {
		for (n = 1024; (uint64_t)ev->count * 4 >= (uint64_t)n * 3;
		    n *= 2)
			;
		evidence_rehash(ev, n);
	}
	s = evidence_slot(ev, key, h);
	if (*s != 0)
		return (*s & ev->idmask) - 1;
	if (ev->count >= ev->max ||
	    !budget_take(ev->budget, BU_RECORDS, TUN_COST_RECORD))
		return EV_NONE;
	if (ev->count == ev->cap) {
		ev->cap = ev->cap ? ev->cap * 2 : 256;
		ev->recs = xreallocarray(ev->recs, ev->cap, sizeof(*r));
	}
	r = &ev->recs[ev->count];
	memset(r, 0, sizeof(*r));
	r->key = *key;
	r->rtt_us = UINT32_MAX;
	ev->count++;
	if ((uint64_t)ev->count * 4 > (uint64_t)ev->nslots * 3)
		evidence_rehash(ev, ev->nslots * 2);
	else
		*s = slot_value(ev, h, ev->count - 1);
	return ev->count - 1;
}

struct port_ev *
evidence_at(struct evidence *ev, uint32_t id)
{
	return view(ev, id);
}

void
evidence_read(const struct evidence *ev, uint32_t id, struct port_ev *out)
{
	if (ev->view_id == id)
		*out = ev->view;
	else
		unpack(ev, id, out);
}

void
evidence_row_of(const struct port_ev *r, struct ev_row *out)
{
	out->key = r->key;
	out->tries = r->tries;
	out->replies = r->replies;
	out->first_ns = r->first_ns;
	out->last_ns = r->last_ns;
	out->reason_src = r->reason_src;
	out->rtt_us = r->rtt_us;
	out->rule = r->rule;
	out->state = r->state;
	out->reason = r->reason;
	out->rank = r->rank;
	out->reason_ttl = r->reason_ttl;
}

/*
 * unpack() of the row fields only: the rare entry is looked up only when
 * a counter or time needs it, shapes and the previous label not at all.
 */
void
evidence_row(const struct evidence *ev, uint32_t id, struct ev_row *out)
{
	const struct ev_rec *p = &ev->recs[id];
	const struct label *l = &ev->labels[p->label];
	const struct ev_rare *x = NULL;

	if (ev->view_id == id) {
		evidence_row_of(&ev->view, out); /* not packed yet */
		return;
	}
	if ((p->flags & RF_RARE) && (p->tries == C_SAT ||
	    p->replies == C_SAT || t_get(p, T_FIRST) == T_FAR ||
	    t_get(p, T_LAST) == T_FAR))
		x = rare_const(ev, id);
	out->key = p->key;
	out->tries = p->tries != C_SAT || x == NULL ? p->tries : x->tries;
	out->replies = p->replies != C_SAT || x == NULL ? p->replies :
	    x->replies;
	out->first_ns = t_dec(ev, p, T_FIRST, x);
	out->last_ns = t_dec(ev, p, T_LAST, x);
	out->reason_src = p->reason_src;
	out->rtt_us = p->rtt_us;
	out->rule = l->rule;
	out->state = l->state;
	out->reason = l->reason;
	out->rank = l->rank;
	out->reason_ttl = p->reason_ttl;
}

const struct port_key *
evidence_key(const struct evidence *ev, uint32_t id)
{
	return &ev->recs[id].key;
}

void
evidence_prefetch(const struct evidence *ev, uint32_t id)
{
	if (id < ev->count)
		__builtin_prefetch(&ev->recs[id]);
}

/* Record id has tries and a verdict (it makes a row). */
static bool
decided(const struct evidence *ev, uint32_t id)
{
	const struct ev_rec *p = &ev->recs[id];

	if (ev->view_id == id)
		return ev->view.tries > 0 && ev->view.state != PS_UNKNOWN;
	return p->tries > 0 && ev->labels[p->label].state != PS_UNKNOWN;
}

uint32_t
evidence_decided_target(const struct evidence *ev, uint32_t id)
{
	return decided(ev, id) ? ev->recs[id].key.target : 0;
}

uint32_t
evidence_count(const struct evidence *ev)
{
	return ev->count;
}

size_t
evidence_record_size(void)
{
	return sizeof(struct ev_rec);
}

void
evidence_mem(const struct evidence *ev, struct evidence_mem *m)
{
	m->records = ev->count;
	m->rare = ev->nrare;
	m->bytes = (size_t)ev->count * sizeof(*ev->recs) +
	    (size_t)(ev->nslots > ev->nslots_max ? ev->nslots :
	    ev->nslots_max) * sizeof(*ev->slots) +
	    (size_t)ev->nrare * sizeof(*ev->rare) +
	    (size_t)ev->rare_ix.nslots * sizeof(uint32_t) +
	    (size_t)ev->nlabels * sizeof(*ev->labels) +
	    (size_t)ev->nshapes * sizeof(*ev->shapes) +
	    (size_t)(ev->label_ix.nslots + ev->shape_ix.nslots) *
	    sizeof(uint32_t) + ev->nphases * sizeof(*ev->phases);
}

static void
evidence_log_phase(struct evidence *ev, uint32_t id, uint8_t state,
    uint8_t reason, uint64_t ts)
{
	struct phase *p;

	if (ev->nphases >= TUN_MAX_PHASES ||
	    !budget_take(ev->budget, BU_PHASES, TUN_COST_PHASE)) {
		ev->phase_drops++;
		return;
	}
	if (ev->nphases == ev->phases_cap) {
		ev->phases_cap = ev->phases_cap ? ev->phases_cap * 2 : 64;
		ev->phases = xreallocarray(ev->phases, ev->phases_cap,
		    sizeof(*ev->phases));
	}
	p = &ev->phases[ev->nphases++];
	p->id = id;
	p->state = state;
	p->reason = reason;
	p->ts_ns = ts;
}

/*
 * A round ended: count a change when its verdict differs from the last
 * round's. The phase log gets the old phase too on a port's first change.
 */
static void
evidence_close_round(struct evidence *ev, struct port_ev *r, uint32_t id)
{
	if (r->prev_state == PS_UNKNOWN) {
		r->phase_ns = r->round_ns;
	} else if (r->state != r->prev_state) {
		if (r->changes == 0)
			evidence_log_phase(ev, id, r->prev_state,
			    r->prev_reason, r->phase_ns);
		evidence_log_phase(ev, id, r->state, r->reason, r->round_ns);
		r->changes++;
		r->phase_ns = r->round_ns;
	}
	r->prev_state = r->state;
	r->prev_reason = r->reason;
}

const struct phase *
evidence_phases(const struct evidence *ev, size_t *n)
{
	*n = ev->nphases;
	return ev->phases;
}

uint64_t
evidence_phase_drops(const struct evidence *ev)
{
	return ev->phase_drops;
}

/*
 * The round of p had its verdict and a probe at ts starts the next one:
 * close it in place when that logs nothing (no state change) and needs no
 * rare entry, as evidence_close_round() would; false otherwise.
 */
static bool
new_round_in_place(struct evidence *ev, struct ev_rec *p, uint64_t ts)
{
	const struct label *l = &ev->labels[p->label];
	const struct label *pl = &ev->labels[p->prev_label];
	uint64_t enc;

	if (!(p->flags & RF_ROUND_DONE) || (p->flags & RF_RARE) ||
	    (pl->state != PS_UNKNOWN &&
	    l->state != pl->state) || (enc = t_enc(ev, ts)) == T_FAR)
		return false;
	if (pl->state == PS_UNKNOWN)
		t_put(p, T_PHASE, t_get(p, T_ROUND));
	if (pl->state != l->state || pl->reason != l->reason)
		p->prev_label = p->label; /* only its state and reason count */
	p->flags &= (uint8_t)~RF_ROUND_DONE;
	t_put(p, T_ROUND, enc);
	p->round_probes = 1;
	return true;
}

/* A leaf for the common case, as evidence_tries(); probe_start_rest(). */
void
evidence_probe_start(struct evidence *ev, uint32_t id, uint64_t ts)
{
	struct ev_rec *p = &ev->recs[id];

	/* A round in progress (or the first one): no need to unpack. */
	if (ev->view_id != id && !(p->flags & RF_ROUND_DONE) &&
	    (t_get(p, T_ROUND) != 0 || t_enc(ev, ts) != T_FAR)) {
		if (t_get(p, T_ROUND) == 0)
			t_put(p, T_ROUND, t_enc(ev, ts));
		if (p->round_probes < 255)
			p->round_probes++;
		return;
	}
	probe_start_rest(ev, id, ts);
}

static void
probe_start_rest(struct evidence *ev, uint32_t id, uint64_t ts)
{
	struct ev_rec *p = &ev->recs[id];
	struct port_ev *r;

	if (ev->view_id != id && new_round_in_place(ev, p, ts))
		return;
	r = view(ev, id);
	if (r->round_done) {
		evidence_close_round(ev, r, id);
		r->round_done = 0;
		r->round_ns = 0;
		r->round_probes = 0;
	}
	if (r->round_ns == 0)
		r->round_ns = ts;
	r->round_probes++;
}

/*
 * evidence_tries() on the packed record p: false (nothing changed) when
 * the count or a time would need the rare entry.
 */
static inline bool
tries_in_place(struct evidence *ev, struct ev_rec *p, uint32_t tries,
    uint64_t first_ns, uint64_t last_ns)
{
	uint64_t f, l;

	/* Packed times compare as the times do (0: unset). */
	if ((uint64_t)p->tries + tries >= C_SAT ||
	    (f = t_enc(ev, first_ns)) == T_FAR ||
	    (l = t_enc(ev, last_ns)) == T_FAR)
		return false;
	p->tries = (uint16_t)(p->tries + tries);
	if (t_get(p, T_FIRST) == 0 || f < t_get(p, T_FIRST))
		t_put(p, T_FIRST, f);
	if (l > t_get(p, T_LAST))
		t_put(p, T_LAST, l);
	return true;
}

/*
 * The common case (no view to pack back, no rare entry) stays a leaf
 * without a frame; tries_view() is the rest. t_enc() is idempotent once
 * the base is set, so trying in place twice changes nothing.
 */
void
evidence_tries(struct evidence *ev, uint32_t id, uint32_t tries,
    uint64_t first_ns, uint64_t last_ns)
{
	if (ev->view_id == EV_NONE && !(ev->recs[id].flags & RF_RARE) &&
	    tries_in_place(ev, &ev->recs[id], tries, first_ns, last_ns))
		return;
	tries_view(ev, id, tries, first_ns, last_ns);
}

static void
tries_view(struct evidence *ev, uint32_t id, uint32_t tries,
    uint64_t first_ns, uint64_t last_ns)
{
	struct ev_rec *p = in_place(ev, id);
	struct port_ev *r;

	if (p != NULL && tries_in_place(ev, p, tries, first_ns, last_ns))
		return;
	r = view(ev, id);

	r->tries += tries;
	if (r->first_ns == 0 || first_ns < r->first_ns)
		r->first_ns = first_ns;
	if (last_ns > r->last_ns)
		r->last_ns = last_ns;
}

void
evidence_halfopen(struct evidence *ev, uint32_t id)
{
	struct port_ev *r = view(ev, id);

	if (r->halfopen < UINT16_MAX)
		r->halfopen++;
}

void
evidence_trace_silent(struct evidence *ev, uint32_t id, uint8_t ttl)
{
	struct port_ev *r = view(ev, id);

	if (ttl > r->silent_ttl)
		r->silent_ttl = ttl;
}

void
evidence_trace_hop(struct evidence *ev, uint32_t id, uint8_t ttl,
    uint32_t src)
{
	struct port_ev *r = view(ev, id);

	if (ttl >= r->hop_ttl) {
		r->hop_ttl = ttl;
		r->hop_src = src;
	}
}

void
evidence_reset_after_data(struct evidence *ev, uint32_t id, uint8_t conn_ttl,
    uint8_t reset_ttl)
{
	struct port_ev *r = view(ev, id);

	if (r->after_data_rst < UINT16_MAX)
		r->after_data_rst++;
	r->conn_ttl = conn_ttl;
	r->reset_ttl = reset_ttl;
}

bool
evidence_answers_retry(struct evidence *ev, uint32_t id, uint32_t tries,
    uint64_t last_ns)
{
	const struct ev_rec *p = &ev->recs[id];
	uint32_t probes = p->round_probes;
	uint64_t round;

	if (ev->view_id == id) {
		probes = ev->view.round_probes;
		round = ev->view.round_ns;
	} else {
		round = t_dec(ev, p, T_ROUND, p->flags & RF_RARE ?
		    rare_const(ev, id) : NULL);
	}
	return (tries > 1 || probes > 1) &&
	    last_ns - round >= (uint64_t)TUN_RETRY_GAP_MS * 1000000u;
}

/*
 * nmap scan_engine.cc ultrascan_port_pspec_update(), semantics.md 5.3.
 * "Silence means open" kinds are NULL/FIN/Xmas/Maimon/UDP.
 */
bool
evidence_takes(enum port_state cur, enum port_state next, enum probe_kind k)
{
	bool nrmo = probe_kind_silence_means_open(k);

	switch (cur) {
	case PS_UNKNOWN:
	case PS_OPEN_FILTERED:
	case PS_CLOSED_FILTERED:
		return true;
	case PS_OPEN:
		return nrmo;
	case PS_CLOSED:
		return !(nrmo || next == PS_FILTERED);
	case PS_FILTERED:
		return !(nrmo && next == PS_OPEN);
	case PS_UNFILTERED:
		return next == PS_OPEN || next == PS_CLOSED;
	default:
		return true;
	}
}

static void
evidence_set(struct port_ev *r, const struct label *l,
    const struct reply_facts *f)
{
	r->state = l->state;
	r->reason = l->reason;
	r->rank = l->rank;
	r->rule = l->rule;
	if (f == NULL) {
		r->reason_ttl = 0;
		r->reason_src = 0;
		r->rtt_us = UINT32_MAX;
		r->reply_kind = RK_NONE;
		return;
	}
	r->reason_ttl = f->ttl;
	r->reason_src = f->src;
	r->rtt_us = f->rtt_us;
	r->reply_kind = f->kind;
	r->icmp_type = f->icmp_type;
	r->icmp_code = f->icmp_code;
	r->reply_win = f->win;
	r->reply_ipid = f->ipid;
	r->reply_sig = f->sig;
	r->reply_nopt = f->nopt;
}

/*
 * evidence_reply() on the packed record p; false (nothing changed) when it
 * needs the view: a rare entry, or a change that would make one.
 */
static bool
reply_in_place(struct evidence *ev, struct ev_rec *p, const struct label *l,
    const struct reply_facts *f)
{
	const struct label *cur = &ev->labels[p->label];
	bool answered_before = (p->flags & RF_ROUND_DONE) &&
	    cur->reason != RS_NO_RESPONSE;
	bool set = !answered_before ||
	    evidence_takes(cur->state, l->state, p->key.kind);
	uint64_t last = t_get(p, T_LAST), enc = last;
	uint32_t shape = p->shape;
	struct shape s;

	if (p->replies + 1u >= C_SAT || (f->retry && f->kind != RK_ICMP &&
	    !answered_before))
		return false;
	if (f->ts_ns != 0 && (enc = t_enc(ev, f->ts_ns)) == T_FAR)
		return false;
	if (set) {
		memset(&s, 0, sizeof(s));
		s.sig = f->sig;
		s.win = f->win;
		s.kind = f->kind;
		s.icmp_type = f->icmp_type;
		s.icmp_code = f->icmp_code;
		s.nopt = f->nopt;
		if ((shape = shape_find(ev, &s)) >= C_SAT)
			return false;
	}
	p->replies++;
	if (enc > last)
		t_put(p, T_LAST, enc);
	if (set) {
		if (cur->state != l->state || cur->reason != l->reason ||
		    cur->rank != l->rank || cur->rule != l->rule)
			p->label = label_index(ev, l->state, l->reason,
			    l->rank, l->rule);
		p->reason_ttl = f->ttl;
		p->reason_src = f->src;
		p->rtt_us = f->rtt_us;
		p->ipid = f->ipid;
		p->shape = (uint16_t)shape;
	}
	p->flags |= RF_ROUND_DONE;
	return true;
}

void
evidence_reply(struct evidence *ev, uint32_t id, const struct label *l,
    const struct reply_facts *f)
{
	struct ev_rec *p = in_place(ev, id);
	struct port_ev *r;
	bool answered_before;

	if (p != NULL && reply_in_place(ev, p, l, f))
		return;
	r = view(ev, id);
	answered_before = r->round_done && r->reason != RS_NO_RESPONSE;

	r->replies++;
	if (f->retry && f->kind != RK_ICMP && !answered_before &&
	    r->retry_answers < UINT16_MAX)
		r->retry_answers++;
	if (f->ts_ns > r->last_ns)
		r->last_ns = f->ts_ns;
	if (!answered_before ||
	    evidence_takes(r->state, l->state, r->key.kind))
		evidence_set(r, l, f);
	r->round_done = 1;
}

/*
 * evidence_settle() on the packed record p whose round is open: the
 * no-response label, no reply facts but the deciding reply's shape without
 * its kind (as evidence_set() leaves it); false when the shape index would
 * not fit.
 */
static bool
settle_in_place(struct evidence *ev, struct ev_rec *p,
    const struct label *none)
{
	const struct label *cur = &ev->labels[p->label];
	uint32_t shape = p->shape;
	struct shape s;

	if (ev->shapes[shape].kind != RK_NONE) {
		s = ev->shapes[shape];
		s.kind = RK_NONE;
		if ((shape = shape_find(ev, &s)) >= C_SAT)
			return false;
	}
	if (cur->state != none->state || cur->reason != none->reason ||
	    cur->rank != none->rank || cur->rule != none->rule)
		p->label = label_index(ev, none->state, none->reason,
		    none->rank, none->rule);
	p->reason_ttl = 0;
	p->reason_src = 0;
	p->rtt_us = UINT32_MAX;
	p->shape = (uint16_t)shape;
	p->flags |= RF_ROUND_DONE;
	return true;
}

void
evidence_settle(struct evidence *ev, uint32_t id, const struct label *none)
{
	struct ev_rec *p = in_place(ev, id);
	struct port_ev *r;

	if (p != NULL && (p->flags & RF_ROUND_DONE))
		return;
	if (p != NULL && settle_in_place(ev, p, none))
		return;
	r = view(ev, id);
	if (r->round_done)
		return;
	evidence_set(r, none, NULL);
	r->round_done = 1;
}

/*
 * End of run: close every record's last round. Most records never change
 * state: their round closes in place (the phase starts with the round, the
 * verdict becomes the previous one); only a change needs the full record.
 */
void
evidence_finish(struct evidence *ev)
{
	uint32_t i;

	flush(ev);
	for (i = 0; i < ev->count; i++) {
		struct ev_rec *p = &ev->recs[i];
		const struct label *l = &ev->labels[p->label];
		const struct label *pl = &ev->labels[p->prev_label];
		struct ev_rare *x;

		if (pl->state != PS_UNKNOWN && l->state != pl->state) {
			evidence_close_round(ev, view(ev, i), i);
			flush(ev);
			continue;
		}
		if (pl->state == PS_UNKNOWN) {
			p->tlo[T_PHASE] = p->tlo[T_ROUND];
			p->thi[T_PHASE] = p->thi[T_ROUND];
			if ((p->flags & RF_RARE) &&
			    (x = rare_of(ev, i, false)) != NULL)
				x->t[T_PHASE] = x->t[T_ROUND];
		}
		p->prev_label = p->label;
	}
}
