/*
 * rowset.c -- port rows built host by host from the evidence store.
 *
 * Sorting: hosts are ranked by address once; the record ids are bucketed by
 * their target's rank (a counting sort), then each host's bucket is sorted
 * by (protocol, port, scanner rank, kind) packed into 64 bits, with an LSD
 * radix sort that is stable, so equal keys keep record order.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rowset.h"
#include "services.h"
#include "xmalloc.h"

#define ROW_HIDDEN 0x8000u	/* row_info: a hide rule removed the row */
#define FLAGSETS_MAX 0x7fffu	/* row_info's other bits: a flag set */
#define FLAGSET_SLOTS 0x10000u	/* hash slots of the flag sets (> 2x max) */
#define PREFETCH_AHEAD 8	/* records read in id order are asked for early */

/* A distinct combination of the findings that flag a row. */
struct flagset {
	const char *id[RESULTS_MAX_FLAGS];
	uint8_t n;
};

struct sort_ent {
	uint64_t key;		/* proto, port, scanner rank, kind */
	uint64_t id;		/* record id */
};

struct rowset {
	const struct evidence *ev;
	const struct hosts *hosts;
	const struct verdict *v;
	const char *const *svc[2]; /* services_table() of tcp, udp */
	const char **rule_names; /* verdict_rule_name() by rule index */
	uint16_t nrule_names;
	uint32_t *ids;		/* decided records, output order */
	uint32_t *goff;		/* group g: ids[goff[g]..goff[g+1]) */
	size_t ngroups, max_group;
	size_t *row_off;	/* group g's first row in info */
	uint16_t *info;		/* per row: ROW_HIDDEN | flag set (0: none) */
	struct flagset *sets;	/* sets[0] is the empty set */
	size_t nsets, sets_cap;
	uint16_t *set_slots;	/* while judging: set index by hash, 0 empty */
	bool sets_full;		/* FLAGSETS_MAX reached (logged once) */
	void (*release)(void *);
	void *owner;
};

struct host_ent {
	struct addr a;
	uint32_t index;
};

static int
cmp_host_ent(const void *pa, const void *pb)
{
	return addr_cmp(&((const struct host_ent *)pa)->a,
	    &((const struct host_ent *)pb)->a);
}

/*
 * Stable LSD radix sort of e[0..n) by key, a byte a pass; tmp holds n.
 * Bytes where every key is the same are skipped (the protocol, mostly the
 * kind and the high bits of the scanner rank).
 */
static void
radix_sort(struct sort_ent *e, struct sort_ent *tmp, size_t n)
{
	struct sort_ent *src = e, *dst = tmp, *t;
	uint64_t all = ~0ull, any = 0;
	size_t cnt[256], i, sum, k;
	unsigned p, c;

	for (i = 0; i < n; i++) {
		all &= e[i].key;
		any |= e[i].key;
	}
	for (p = 0; p < 64; p += 8) {
		if (((all ^ any) >> p & 0xff) == 0)
			continue;
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[src[i].key >> p & 0xff]++;
		for (c = 0, sum = 0; c < 256; c++) {
			k = cnt[c];
			cnt[c] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			dst[cnt[src[i].key >> p & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != e)
		memcpy(e, src, n * sizeof(*e));
}

/* Insertion sort by (key, id), for the many small groups. */
static void
small_sort(struct sort_ent *e, size_t n)
{
	size_t i, j;
	struct sort_ent x;

	for (i = 1; i < n; i++) {
		x = e[i];
		for (j = i; j > 0 && (e[j - 1].key > x.key ||
		    (e[j - 1].key == x.key && e[j - 1].id > x.id)); j--)
			e[j] = e[j - 1];
		e[j] = x;
	}
}

/* Host ranks by address: rank[host index], 0..nh-1. */
static uint32_t *
host_ranks(const struct hosts *h)
{
	uint32_t nh = hosts_count(h), i;
	struct host_ent *e = xcalloc((size_t)nh + 1, sizeof(*e));
	uint32_t *rank = xcalloc((size_t)nh + 1, sizeof(*rank));

	for (i = 0; i < nh; i++) {
		e[i].a = *hosts_addr(h, i + 1);
		e[i].index = i + 1;
	}
	qsort(e, nh, sizeof(*e), cmp_host_ent);
	for (i = 0; i < nh; i++)
		rank[e[i].index] = i;
	free(e);
	return rank;
}

/* ids bucketed by target rank; s->goff, ngroups, max_group set. */
static void
bucket_by_target(struct rowset *s, const uint32_t *rank, uint32_t nh)
{
	uint32_t total = evidence_count(s->ev), i, t, *pos;
	size_t *cnt = xcalloc((size_t)nh + 1, sizeof(*cnt)), n = 0, g, r;

	for (i = 0; i < total; i++)
		if ((t = evidence_decided_target(s->ev, i)) != 0) {
			cnt[rank[t]]++;
			n++;
		}
	for (r = 0; r < nh; r++)
		s->ngroups += cnt[r] != 0;
	s->goff = xcalloc(s->ngroups + 1, sizeof(*s->goff));
	pos = xcalloc((size_t)nh + 1, sizeof(*pos));
	for (r = g = 0; r < nh; r++) {
		if (cnt[r] == 0)
			continue;
		pos[r] = s->goff[g];
		s->goff[g + 1] = s->goff[g] + (uint32_t)cnt[r];
		if (cnt[r] > s->max_group)
			s->max_group = cnt[r];
		g++;
	}
	s->ids = xcalloc(n + 1, sizeof(*s->ids));
	for (i = 0; i < total; i++)
		if ((t = evidence_decided_target(s->ev, i)) != 0)
			s->ids[pos[rank[t]]++] = i;
	free(pos);
	free(cnt);
}

/* Each group's ids by (proto, port, scanner rank, kind), then id. */
static void
sort_groups(struct rowset *s, const uint32_t *rank)
{
	struct sort_ent *e = xcalloc(s->max_group + 1, sizeof(*e));
	struct sort_ent *tmp = xcalloc(s->max_group + 1, sizeof(*tmp));
	size_t g, j, n;

	for (g = 0; g < s->ngroups; g++) {
		uint32_t *ids = s->ids + s->goff[g];

		n = s->goff[g + 1] - s->goff[g];
		for (j = 0; j < n; j++) {
			const struct port_key *k = evidence_key(s->ev, ids[j]);

			if (j + PREFETCH_AHEAD < n)
				evidence_prefetch(s->ev, ids[j + PREFETCH_AHEAD]);
			e[j].key = (uint64_t)k->proto << 56 |
			    (uint64_t)k->port << 40 |
			    (uint64_t)rank[k->scanner] << 4 | (k->kind & 0xfu);
			e[j].id = ids[j];
		}
		if (n < 64)
			small_sort(e, n);
		else
			radix_sort(e, tmp, n);
		for (j = 0; j < n; j++)
			ids[j] = (uint32_t)e[j].id;
	}
	free(e);
	free(tmp);
}

struct rowset *
rowset_new(const struct evidence *ev, const struct hosts *hosts,
    const struct verdict *v)
{
	struct rowset *s = xcalloc(1, sizeof(*s));
	uint32_t *rank = host_ranks(hosts);
	uint16_t i;

	s->ev = ev;
	s->hosts = hosts;
	s->v = v;
	s->svc[0] = services_table(6);
	s->svc[1] = services_table(17);
	s->nrule_names = verdict_rule_count(v);
	s->rule_names = xcalloc((size_t)s->nrule_names + 1,
	    sizeof(*s->rule_names));
	for (i = 0; i < s->nrule_names; i++)
		s->rule_names[i] = verdict_rule_name(v, i);
	bucket_by_target(s, rank, hosts_count(hosts));
	sort_groups(s, rank);
	free(rank);
	s->row_off = xcalloc(s->ngroups + 1, sizeof(*s->row_off));
	s->info = xcalloc((size_t)s->goff[s->ngroups] + 1, sizeof(*s->info));
	s->sets_cap = 16;
	s->sets = xcalloc(s->sets_cap, sizeof(*s->sets));
	s->nsets = 1;
	return s;
}

static bool
same_port(const struct port_key *x, const struct port_key *y)
{
	return x->target == y->target && x->scanner == y->scanner &&
	    x->proto == y->proto && x->port == y->port;
}

/* service_name(), through the tables when the database was listed. */
static const char *
service_of(const struct rowset *s, uint16_t port, uint8_t proto)
{
	const char *const *t = proto == 6 ? s->svc[0] :
	    proto == 17 ? s->svc[1] : NULL;

	return t != NULL ? t[port] : service_name(port, proto);
}

/*
 * Record id's row fields; with keep (non-NULL), the whole record goes there
 * too, for the findings.
 */
static void
read_rec(const struct rowset *s, uint32_t id, struct ev_row *r,
    struct port_ev *keep)
{
	if (keep == NULL) {
		evidence_row(s->ev, id, r);
		return;
	}
	evidence_read(s->ev, id, keep);
	evidence_row_of(keep, r);
}

/* The verdict of one probe kind, from its record. */
static inline void
set_kind(const struct rowset *s, struct kind_verdict *k,
    const struct ev_row *r)
{
	static const struct addr no_addr;

	k->kind = r->key.kind;
	k->state = r->state;
	k->reason = r->reason;
	k->reason_ttl = r->reason_ttl;
	k->tries = r->tries;
	k->replies = r->replies;
	k->rule = r->rule < s->nrule_names ? s->rule_names[r->rule] : "";
	k->has_reason_ip = r->reason_src != 0 &&
	    r->reason_src != r->key.target;
	k->reason_ip = k->has_reason_ip ?
	    *hosts_addr(s->hosts, r->reason_src) : no_addr;
}

/*
 * One row from the records of one port (n >= 1) of target host; returns
 * the deciding record. keep: NULL, or room for the n records unpacked
 * (findings reuse them). Every field is set but flags[] (nflags is 0).
 */
static uint32_t
build_row(const struct rowset *s, const uint32_t *ids, size_t n,
    const struct addr *host, struct kind_verdict *kinds,
    struct port_row *row, struct port_ev *keep)
{
	struct ev_row rv[2], *best = &rv[0], *r;
	const struct kind_verdict *bk = kinds;
	uint32_t best_id = ids[0], probes, responses;
	uint64_t first, last;
	size_t i;

	/* The first record (most ports have only that one) starts it all. */
	read_rec(s, ids[0], best, keep);
	set_kind(s, &kinds[0], best);
	probes = best->tries;
	responses = best->replies;
	first = best->first_ns;
	last = best->last_ns;
	for (i = 1; i < n; i++) {
		r = best == &rv[0] ? &rv[1] : &rv[0];
		read_rec(s, ids[i], r, keep != NULL ? &keep[i] : NULL);
		set_kind(s, &kinds[i], r);
		probes += r->tries;
		responses += r->replies;
		if (first == 0 || r->first_ns < first)
			first = r->first_ns;
		if (r->last_ns > last)
			last = r->last_ns;
		/* Most conclusive kind wins; on a tie, the latest evidence. */
		if (r->rank > best->rank ||
		    (r->rank == best->rank && r->last_ns > best->last_ns)) {
			best = r;
			best_id = ids[i];
			bk = &kinds[i];
		}
	}
	row->host = *host;
	row->scanner = *hosts_addr(s->hosts, best->key.scanner);
	row->proto = best->key.proto;
	row->port = best->key.port;
	row->state = bk->state;
	row->reason = bk->reason;
	row->reason_ttl = bk->reason_ttl;
	row->has_reason_ip = bk->has_reason_ip;
	row->reason_ip = bk->reason_ip;
	row->probes = probes;
	row->responses = responses;
	row->rtt_ms = best->rtt_us == UINT32_MAX ? -1.0 :
	    (double)best->rtt_us / 1000.0;
	row->first_ns = first;
	row->last_ns = last;
	row->service = service_of(s, row->port, row->proto);
	row->nkinds = (uint8_t)n;
	row->nflags = 0;
	row->kinds = kinds;	/* n entries, one record per probe kind */
	return best_id;
}

/*
 * Every row of group g (hidden ones too): returns how many; first[] and
 * best[] (NULL: not wanted) get each row's first id position and deciding
 * record, keep[] (NULL: not wanted) the group's records unpacked.
 */
static size_t
build_group(const struct rowset *s, size_t g, struct port_row *rows,
    struct kind_verdict *kinds, uint32_t *first, uint32_t *best,
    struct port_ev *keep)
{
	const uint32_t *ids = s->ids + s->goff[g];
	size_t n = s->goff[g + 1] - s->goff[g], start, j, nr = 0;
	const struct port_key *k0, *kj = NULL;
	const struct addr *host;
	uint32_t b;

	/* Every record of a group has the same target. */
	k0 = n > 0 ? evidence_key(s->ev, ids[0]) : NULL;
	host = n > 0 ? hosts_addr(s->hosts, k0->target) : NULL;
	for (start = 0; start < n; start = j, k0 = kj) {
		if (start + PREFETCH_AHEAD < n)	/* records are read by id */
			evidence_prefetch(s->ev, ids[start + PREFETCH_AHEAD]);
		/* kj: the key of ids[j], the next row's first record. */
		for (j = start + 1; j < n && same_port(k0,
		    kj = evidence_key(s->ev, ids[j])); j++)
			;
		b = build_row(s, ids + start, j - start, host, kinds + start,
		    &rows[nr], keep != NULL ? keep + start : NULL);
		if (first != NULL)
			first[nr] = (uint32_t)start;
		if (best != NULL)
			best[nr] = b;
		nr++;
	}
	if (first != NULL)
		first[nr] = (uint32_t)n;
	return nr;
}

static size_t
flagset_hash(const struct port_row *row)
{
	uint64_t h = 0x9e3779b97f4a7c15ull * (row->nflags + 1u);
	size_t i;

	for (i = 0; i < row->nflags; i++)
		h = (h ^ (uint64_t)(uintptr_t)row->flags[i]) *
		    0x100000001b3ull;
	return (size_t)(h ^ h >> 29) & (FLAGSET_SLOTS - 1);
}

/* The flag set of a row's flags (0: none); added when new. */
static uint16_t
flagset_of(struct rowset *s, const struct port_row *row)
{
	size_t i;
	uint16_t k;

	if (row->nflags == 0)
		return 0;
	for (i = flagset_hash(row); (k = s->set_slots[i]) != 0;
	    i = (i + 1) & (FLAGSET_SLOTS - 1))
		if (s->sets[k].n == row->nflags && memcmp(s->sets[k].id,
		    row->flags, row->nflags * sizeof(row->flags[0])) == 0)
			return k;
	if (s->nsets == FLAGSETS_MAX) {
		if (!s->sets_full)
			log_warn("more than %u combinations of findings flag "
			    "rows: the rest are not shown on rows",
			    FLAGSETS_MAX - 1);
		s->sets_full = true;
		return 0;
	}
	if (s->nsets == s->sets_cap) {
		s->sets_cap *= 2;
		s->sets = xreallocarray(s->sets, s->sets_cap, sizeof(*s->sets));
	}
	memset(&s->sets[s->nsets], 0, sizeof(s->sets[0]));
	memcpy(s->sets[s->nsets].id, row->flags,
	    row->nflags * sizeof(row->flags[0]));
	s->sets[s->nsets].n = row->nflags;
	s->set_slots[i] = (uint16_t)s->nsets;
	return (uint16_t)s->nsets++;
}

size_t
rowset_judge(struct rowset *s, struct fctx *f, struct run_summary *sum)
{
	size_t m = s->max_group + 1, g, i, n, kept = 0, before;
	struct port_row *rows = xcalloc(m, sizeof(*rows));
	struct kind_verdict *kinds = xcalloc(m, sizeof(*kinds));
	uint32_t *first = xcalloc(m + 1, sizeof(*first));
	uint32_t *best = xcalloc(m, sizeof(*best));
	bool *hidden = xcalloc(m, sizeof(*hidden));
	size_t nkeep = m < FINDINGS_RECS_MAX ? m : FINDINGS_RECS_MAX;
	struct port_ev *keep = xcalloc(nkeep, sizeof(*keep));
	struct findings_host fh;

	s->set_slots = xcalloc(FLAGSET_SLOTS, sizeof(*s->set_slots));
	for (g = 0; g < s->ngroups; g++) {
		bool kept_recs = s->goff[g + 1] - s->goff[g] <= nkeep;

		n = build_group(s, g, rows, kinds, first, best,
		    kept_recs ? keep : NULL);
		fh.recs = kept_recs ? keep : NULL;
		fh.rows = rows;
		fh.n = n;
		fh.ids = s->ids + s->goff[g];
		fh.row_first = first;
		fh.best = best;
		fh.hidden = hidden;
		findings_host(f, &fh);
		before = kept;
		for (i = 0; i < n; i++) {
			uint16_t *inf = &s->info[s->row_off[g] + i];

			if (hidden[i]) {
				*inf = ROW_HIDDEN;
				continue;
			}
			*inf = flagset_of(s, &rows[i]);
			sum->ports_by_state[rows[i].state]++;
			kept++;
		}
		sum->hosts += kept > before;
		s->row_off[g + 1] = s->row_off[g] + n;
	}
	free(rows);
	free(kinds);
	free(first);
	free(best);
	free(hidden);
	free(keep);
	free(s->set_slots);
	s->set_slots = NULL;
	return kept;
}

static size_t
source_group(const void *ctx, size_t g, struct port_row *rows,
    struct kind_verdict *kinds)
{
	const struct rowset *s = ctx;
	size_t n = build_group(s, g, rows, kinds, NULL, NULL, NULL), i;
	size_t kept = 0;

	for (i = 0; i < n; i++) {
		uint16_t inf = s->info[s->row_off[g] + i];
		const struct flagset *fs = &s->sets[inf & FLAGSETS_MAX];

		if (inf & ROW_HIDDEN)
			continue;
		if (kept != i)
			rows[kept] = rows[i];
		memcpy(rows[kept].flags, fs->id, sizeof(fs->id));
		rows[kept].nflags = fs->n;
		kept++;
	}
	return kept;
}

static void
rowset_free(void *ctx)
{
	struct rowset *s = ctx;

	free(s->ids);
	free(s->goff);
	free(s->row_off);
	free(s->info);
	free(s->sets);
	free(s->rule_names);
	if (s->release != NULL)
		s->release(s->owner);
	free(s);
}

struct row_source *
rowset_source(struct rowset *s, void (*release)(void *), void *owner)
{
	struct row_source *src = xcalloc(1, sizeof(*src));

	s->release = release;
	s->owner = owner;
	src->ngroups = s->ngroups;
	src->max_rows = s->max_group;
	src->max_kinds = s->max_group;
	src->group = source_group;
	src->free = rowset_free;
	src->ctx = s;
	return src;
}
