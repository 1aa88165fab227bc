/*
 * analyzer.c -- wires decode, pairing and evidence; builds result rows.
 */
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "budget.h"
#include "defrag.h"
#include "evidence.h"
#include "findings.h"
#include "hosts.h"
#include "log.h"
#include "out.h"
#include "pair.h"
#include "rowset.h"
#include "services.h"
#include "tunables.h"
#include "verdict.h"
#include "xmalloc.h"

/* The queue of packets waiting to be paired: a power of two above the lag. */
#define AQ_SIZE 4u
#define AQ_MASK (AQ_SIZE - 1)
_Static_assert(TUN_PAIR_AHEAD < AQ_SIZE, "the queue holds the lag");

/* A decoded packet waiting its turn to be paired (analyzer_packet()). */
struct pending {
	struct decoded d;
	struct pair_ahead ahead;	/* with the packet's input and number */
	uint64_t ts_ns;
};

struct analyzer {
	struct analyzer_opts o;
	const struct ruleset *rs;
	struct hosts *hosts;
	struct evidence *ev;
	struct verdict *verdict;
	struct pairing *pair;
	struct budget budget;	/* --max-memory share of this analysis */
	struct ev_totals t;	/* packets, bytes, decode statuses, span */
	bool explaining;	/* --explain looks records up after the run */
	struct pair_stats final; /* pairing counters, once the table is freed */
	struct pending q[AQ_SIZE]; /* a ring: q[qout & AQ_MASK] is the oldest */
	unsigned qin, qout;	/* packets queued / paired so far (wrapping) */
	struct defrag *defrag;	/* made by the first fragment */
};

static void pair_pending(struct analyzer *a);
static void pair_all_pending(struct analyzer *a);

uint32_t
analyzer_flow_slots(const struct analyzer_opts *o)
{
	uint32_t n = TUN_FLOW_SLOTS;

	if (o->flow_slots != 0)
		return o->flow_slots;
	while (o->max_memory != 0 && n > TUN_FLOW_SLOTS_MIN &&
	    (uint64_t)n * TUN_COST_FLOW_SLOT > o->max_memory / TUN_FLOW_SHARE)
		n /= 2;
	return n;
}

/*
 * Without --max-flows the table may double up to TUN_FLOW_SLOTS_MAX slots,
 * within 1/TUN_FLOW_SHARE of --max-memory; with it, it stays at that size.
 */
static uint32_t
flow_max_slots(const struct analyzer_opts *o, uint32_t slots)
{
	uint32_t n = TUN_FLOW_SLOTS_MAX;

	if (o->flow_slots != 0)
		return slots;
	while (o->max_memory != 0 && n > slots &&
	    (uint64_t)n * TUN_COST_FLOW_SLOT > o->max_memory / TUN_FLOW_SHARE)
		n /= 2;
	return n > slots ? n : slots;
}

struct analyzer *
analyzer_new(const struct analyzer_opts *o, const struct ruleset *rs)
{
	struct analyzer *a = xcalloc(1, sizeof(*a));
	struct pair_opts po;
	uint64_t max_hosts = (uint64_t)o->max_ports * 2u + 16u;
	uint64_t slots = 1;

	a->o = *o;
	a->rs = rs;
	budget_init(&a->budget, o->max_memory);
	a->hosts = hosts_new(max_hosts < UINT32_MAX / 2 ? (uint32_t)max_hosts :
	    UINT32_MAX / 2);
	hosts_set_budget(a->hosts, &a->budget);
	a->ev = evidence_new(o->max_ports);
	evidence_set_budget(a->ev, &a->budget);
	a->verdict = verdict_new(rs);
	memset(&po, 0, sizeof(po));
	po.timeout_ns = o->timeout_ns;
	po.idle_ns = (uint64_t)TUN_CONN_IDLE_MS * 1000000ull;
	if (po.idle_ns < po.timeout_ns)
		po.idle_ns = po.timeout_ns;
	po.flow_slots = analyzer_flow_slots(o);
	po.flow_max_slots = flow_max_slots(o, po.flow_slots);
	po.budget = &a->budget;
	while (slots < po.flow_slots)	/* flow_new() rounds up */
		slots *= 2;
	budget_charge(&a->budget, BU_FLOWS, slots * TUN_COST_FLOW_SLOT);
	a->pair = pair_new(&po, a->verdict, a->hosts, a->ev);
	return a;
}

void
analyzer_set_explain(struct analyzer *a, struct explain_log *log)
{
	log->budget = &a->budget;
	pair_set_explain(a->pair, log);
	a->explaining = log != NULL;
}

void
analyzer_free(struct analyzer *a)
{
	if (a == NULL)
		return;
	if (a->pair != NULL)
		pair_all_pending(a); /* --emit-evidence logs every packet */
	pair_free(a->pair);
	defrag_free(a->defrag);
	verdict_free(a->verdict);
	evidence_free(a->ev);
	hosts_free(a->hosts);
	free(a);
}

/* Pair the oldest pending packet. */
static void
pair_pending(struct analyzer *a)
{
	struct pending *w = &a->q[a->qout++ & AQ_MASK];

	pair_packet_ahead(a->pair, &w->d, w->ts_ns, &w->ahead);
}

/* Pair every pending packet: before anything looks at the pairing. */
static void
pair_all_pending(struct analyzer *a)
{
	while (a->qout != a->qin)
		pair_pending(a);
}

/* A fragment: decoded (DEC_OK) when it completes its datagram. */
static enum decode_status __attribute__((noinline))
fragment(struct analyzer *a, uint64_t ts_ns, struct decoded *d)
{
	if (a->defrag == NULL)
		a->defrag = defrag_new();
	return defrag_add(a->defrag, ts_ns, d);
}

/*
 * A decoded packet is paired TUN_PAIR_AHEAD packets later, in order; its
 * pair_ahead() work is done now and a packet later, so the table memory
 * pairing needs has arrived in the cache by then.
 */
void
analyzer_packet(struct analyzer *a, const struct reader_packet *pkt)
{
	struct pending *w = &a->q[a->qin & AQ_MASK], *prev;
	enum decode_status st;

	a->t.packets++;
	a->t.bytes += pkt->caplen;
	if (a->t.first_ns == 0 || pkt->ts_ns < a->t.first_ns)
		a->t.first_ns = pkt->ts_ns;
	if (pkt->ts_ns > a->t.last_ns)
		a->t.last_ns = pkt->ts_ns;
	st = decode_packet(pkt->dlt, pkt->data, pkt->caplen, pkt->wirelen,
	    &w->d);
	a->t.dec[st]++;
	if (st != DEC_OK && (st != DEC_SKIP_FRAGMENT ||
	    fragment(a, pkt->ts_ns, &w->d) != DEC_OK))
		return;
	w->ts_ns = pkt->ts_ns;
	pair_ahead(a->pair, &w->d, &w->ahead);
	w->ahead.input = pkt->input;
	w->ahead.number = pkt->number;
	if (a->qin != a->qout) {
		prev = &a->q[(a->qin - 1) & AQ_MASK];
		pair_ahead_more(a->pair, &prev->d, &prev->ahead);
	}
	if (++a->qin - a->qout > TUN_PAIR_AHEAD)
		pair_pending(a);
}

void
analyzer_set_log(struct analyzer *a, struct evw *log)
{
	pair_all_pending(a);	/* packets so far go to the old log */
	pair_set_log(a->pair, log);
}

void
analyzer_totals(const struct analyzer *a, struct ev_totals *t)
{
	*t = a->t;
}

void
analyzer_replay(struct analyzer *a, const struct evrec *r)
{
	pair_all_pending(a);
	pair_replay(a->pair, r);
}

void
analyzer_add_totals(struct analyzer *a, const struct ev_totals *t)
{
	ev_totals_add(&a->t, t);
}

uint64_t
analyzer_decode_count(const struct analyzer *a, enum decode_status st)
{
	return (unsigned)st < DEC_STATUS_COUNT ? a->t.dec[st] : 0;
}

void
analyzer_log_counters(struct analyzer *a)
{
	const struct pair_stats *s;
	struct evidence_mem m;
	int i;

	if (a->pair != NULL)
		pair_all_pending(a);
	s = a->pair != NULL ? pair_stats(a->pair) : &a->final;

	for (i = 0; i < DEC_STATUS_COUNT; i++)
		if (a->t.dec[i] != 0)
			log_verbose("decode %s: %llu", decode_status_name(
			    (enum decode_status)i),
			    (unsigned long long)a->t.dec[i]);
	if (a->defrag != NULL)
		log_verbose("decode reassembled: %llu datagrams from fragments, "
		    "%llu incomplete given up",
		    (unsigned long long)defrag_done(a->defrag),
		    (unsigned long long)defrag_dropped(a->defrag));
#define C(f) log_verbose("pairing %s: %llu", #f, (unsigned long long)s->f)
	C(probes); C(retransmits); C(paired); C(dup_replies);
	C(unsolicited_synack); C(unsolicited_rst); C(unsolicited_udp);
	C(seq_mismatch); C(late); C(icmp_errors); C(unmatched_icmp); C(nat_matched); C(ignored_replies);
	C(midstream); C(table_drops); C(squeezes); C(record_drops); C(timed_out);
	C(pending_at_end); C(uncounted);
#undef C
	log_verbose("memory: %llu of %llu MiB budgeted (%s); %u port records, "
	    "%u hosts", (unsigned long long)(a->budget.used >> 20),
	    (unsigned long long)(a->budget.limit >> 20),
	    a->budget.limit != 0 ? "--max-memory" : "no limit",
	    evidence_count(a->ev), hosts_count(a->hosts));
	for (i = 0; i < BU_COUNT; i++)
		if (a->budget.taken[i] != 0 || a->budget.refused[i] != 0)
			log_verbose("memory %s: %llu KiB, %llu refused",
			    budget_user_name((enum budget_user)i),
			    (unsigned long long)(a->budget.taken[i] >> 10),
			    (unsigned long long)a->budget.refused[i]);
	evidence_mem(a->ev, &m);
	log_verbose("evidence: %u port records of %zu bytes, %u with rare "
	    "fields; %.1f bytes a record with index and side tables",
	    m.records, evidence_record_size(), m.rare, m.records ?
	    (double)m.bytes / m.records : 0.0);
}

/* The results own the analysis once they have a row source. */
static void
release_analyzer(void *a)
{
	analyzer_free(a);
}

static void
fill_summary(const struct analyzer *a, bool partial, struct run_summary *sum)
{
	const struct pair_stats *s = pair_stats(a->pair);
	uint32_t i;

	sum->packets = a->t.packets;
	sum->bytes = a->t.bytes;
	sum->decoded = a->t.dec[DEC_OK];
	for (i = DEC_BAD_LINK; i < DEC_STATUS_COUNT; i++) /* saturating */
		sum->malformed = sum->malformed > UINT64_MAX - a->t.dec[i] ?
		    UINT64_MAX : sum->malformed + a->t.dec[i];
	sum->probes = s->probes;
	sum->paired = s->paired;
	sum->unsolicited = s->unsolicited_synack + s->unsolicited_rst +
	    s->unsolicited_udp + s->seq_mismatch;
	sum->late = s->late;
	sum->unmatched_icmp = s->unmatched_icmp;
	sum->table_drops = s->table_drops + s->record_drops;
	sum->flow_drops = s->table_drops;
	sum->record_drops = s->record_drops;
	sum->uncounted = s->uncounted +
	    tally_dropped(pair_unsolicited(a->pair)) +
	    tally_dropped(pair_backscatter(a->pair));
	sum->phase_drops = evidence_phase_drops(a->ev);
	sum->records = evidence_count(a->ev);
	sum->memory_limit = a->budget.limit;
	for (i = 0; i < BU_COUNT; i++)
		if (a->budget.refused[i] != 0 && i != BU_EXPLAIN)
			sum->memory_full |= 1u << i;
	sum->first_ns = a->t.first_ns;
	sum->last_ns = a->t.last_ns;
	sum->partial = partial || results_limited(sum);
}

void
analyzer_finish(struct analyzer *a, bool partial, struct results *out)
{
	const struct pair_stats *s;
	struct findings_input fi;
	struct pair_counts pc;
	struct rowset *rows;
	struct fctx *f;

	pair_all_pending(a);
	pair_finish(a->pair);
	pair_drop_table(a->pair);	/* room for the rows and findings */
	evidence_finish(a->ev);
	if (!a->explaining)
		evidence_drop_index(a->ev);
	memset(out, 0, sizeof(*out));
	fill_summary(a, partial, &out->summary);
	memset(&fi, 0, sizeof(fi));
	fi.ev = a->ev;
	fi.hosts = a->hosts;
	fi.unsolicited = pair_unsolicited(a->pair);
	fi.backscatter = pair_backscatter(a->pair);
	fi.start_ns = a->t.first_ns;
	s = pair_stats(a->pair);
	pc.unsolicited_synack = s->unsolicited_synack;
	pc.unsolicited_rst = s->unsolicited_rst;
	pc.icmp_errors = s->icmp_errors;
	f = findings_new(a->rs, &fi, out);
	rows = rowset_new(a->ev, a->hosts, a->verdict);
	out->nrows = rowset_judge(rows, f, &out->summary);
	findings_end(f, &pc);
	/* The pairing table is no longer needed; keep its counters. */
	a->final = *s;
	pair_free(a->pair);
	a->pair = NULL;
	out->src = rowset_source(rows, release_analyzer, a);
}

static const char *const what_names[] = {
	[EX_PROBE] = "probe", [EX_RETRY] = "retry", [EX_REPLY] = "reply",
	[EX_ICMP] = "icmp", [EX_TIMEOUT] = "timeout", [EX_END] = "end",
};

/* "SA", "R.", "FPU": tcpdump-like flag letters. */
static void
flag_text(uint8_t fl, char *buf)
{
	static const char letters[] = "FSRPAUEC";
	int i, n = 0;

	for (i = 0; i < 8; i++)
		if (fl & (1u << i))
			buf[n++] = letters[i];
	if (n == 0)
		buf[n++] = '-';
	buf[n] = '\0';
}

static int
cmp_event(const void *pa, const void *pb, void *ctx)
{
	const struct explain_event *ev = ctx;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	if (ev[a].record != ev[b].record)
		return ev[a].record < ev[b].record ? -1 : 1;
	return a < b ? -1 : a > b;
}

static void
explain_event_line(const struct analyzer *a, const struct explain_event *x,
    uint8_t proto, FILE *fp)
{
	char t[40], src[ADDR_STRLEN], fl[10];

	out_iso_time(x->ts_ns, t, sizeof(t));
	if (x->number != 0)
		fprintf(fp, "    %u#%-6llu", x->input + 1,
		    (unsigned long long)x->number);
	else
		fprintf(fp, "    %-8s", "-");
	fprintf(fp, " %s %-7s", t, what_names[x->what]);
	if (x->what == EX_TIMEOUT || x->what == EX_END) {
		fputs(x->what == EX_END ? " input ended while waiting\n" :
		    " no reply within --timeout\n", fp);
		return;
	}
	addr_str(hosts_addr(a->hosts, x->src), src);
	if (x->what == EX_ICMP) {
		fprintf(fp, " from %s type %u code %u ttl %u\n", src,
		    x->icmp_type, x->icmp_code, x->ttl);
		return;
	}
	flag_text(x->flags, fl);
	fprintf(fp, " %s:%u > %u %s ttl %u\n", src, x->sport, x->dport,
	    proto == 6 ? fl : "udp", x->ttl);
}

/* One row of --explain: its verdict, then each probe kind's events. */
static void
explain_row(const struct analyzer *a, const struct port_row *row,
    const struct explain_log *log, const uint32_t *order, FILE *fp)
{
	char h[ADDR_STRLEN], s[ADDR_STRLEN];
	struct port_key key;
	struct port_ev r;
	size_t j, lo, hi, mid;
	uint32_t id;
	int k;

	fprintf(fp, "%s %s/%u (probed by %s): %s %s", addr_str(&row->host, h),
	    out_proto_name(row->proto), row->port, addr_str(&row->scanner, s),
	    port_state_name(row->state), reason_name(row->reason));
	if (row->reason_ttl)
		fprintf(fp, " ttl %u", row->reason_ttl);
	fputc('\n', fp);
	for (j = 0; j < row->nflags; j++)
		fprintf(fp, "%s%s%s", j ? ", " : "  findings: ", row->flags[j],
		    j + 1 == row->nflags ? "\n" : "");
	memset(&key, 0, sizeof(key));
	key.scanner = hosts_find(a->hosts, &row->scanner);
	key.target = hosts_find(a->hosts, &row->host);
	key.port = row->port;
	key.proto = row->proto;
	for (k = 0; k < PK_COUNT; k++) {
		key.kind = (uint8_t)k;
		if ((id = evidence_find(a->ev, &key)) == EV_NONE)
			continue;
		evidence_read(a->ev, id, &r);
		if (r.tries == 0)
			continue;
		fprintf(fp, "  %s probes: %s %s by rule %s (rank %u), "
		    "%u tries, %u replies, %u state changes\n",
		    probe_kind_name((enum probe_kind)k),
		    port_state_name(r.state), reason_name(r.reason),
		    verdict_rule_name(a->verdict, r.rule), r.rank, r.tries,
		    r.replies, r.changes);
		for (lo = 0, hi = log->n; lo < hi;) {
			mid = (lo + hi) / 2;
			if (log->ev[order[mid]].record < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < log->n && log->ev[order[lo]].record == id; lo++)
			explain_event_line(a, &log->ev[order[lo]], row->proto,
			    fp);
	}
}

void
analyzer_explain(const struct analyzer *a, const struct results *res,
    const struct explain_log *log, FILE *fp)
{
	uint32_t *order = xcalloc(log->n + 1, sizeof(*order));
	const struct port_row *rows;
	struct row_iter it;
	size_t i, n;

	for (i = 0; i < log->n; i++)
		order[i] = (uint32_t)i;
	if (log->n > 0)
		qsort_r(order, log->n, sizeof(*order), cmp_event, log->ev);
	results_iter_init(&it, res);
	while ((n = results_iter_host(&it, &rows)) > 0)
		for (i = 0; i < n; i++)
			if (explain_matches(&log->filter, &rows[i].host,
			    rows[i].port))
				explain_row(a, &rows[i], log, order, fp);
	results_iter_done(&it);
	if (log->dropped > 0)
		fprintf(fp, "(%llu more events not kept: narrow --explain to a "
		    "host or port)\n", (unsigned long long)log->dropped);
	free(order);
}
