/*
 * findings.c -- evidence of the host, path and capture scopes, the
 * passes over each host's rows (port rows themselves: findings-row.c),
 * and grouping of matches into findings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings-ctx.h"
#include "out.h"
#include "xmalloc.h"

static void sb_add(struct sbuf *b, const char *s);
static void host_values(struct fctx *f, size_t lo, size_t hi,
    const bool *skip);
static void run_paths(struct fctx *f, size_t lo, size_t hi);
static void group_start(struct group *g, const struct rule *r,
    const struct ev_value *v);
static void group_add(struct group *g, const char *port, size_t k);
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

static uint32_t
target_of(const struct fctx *f, size_t row)
{
	return evidence_key(f->in.ev, f->in.best[row])->target;
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

static int
cmp_sig(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_addr(const void *a, const void *b)
{
	return addr_cmp(a, b);
}

/* Is s among the n sorted addresses of f->addrs? */
static bool
listed(const struct fctx *f, size_t n, const struct addr *s)
{
	return bsearch(s, f->addrs, n, sizeof(*s), cmp_addr) != NULL;
}

/*
 * Was row i's first probe sent within TUN_DECOY_US of one to the same port
 * and protocol (rows [lo, hi)) by a prober not among the n listed, and
 * answered when `answered`?
 */
static bool
in_step(const struct fctx *f, size_t i, size_t lo, size_t hi, size_t n,
    bool answered)
{
	const struct port_row *r = &f->rows[i], *q;
	size_t j;

	for (j = lo; j < hi; j++) {
		q = &f->rows[j];
		if (j != i && q->proto == r->proto &&
		    (q->responses > 0 || !answered) &&
		    !addr_eq(&q->scanner, &r->scanner) &&
		    !listed(f, n, &q->scanner) &&
		    (q->first_ns > r->first_ns ? q->first_ns - r->first_ns :
		    r->first_ns - q->first_ns) <= TUN_DECOY_US * 1000ull)
			return true;
	}
	return false;
}

/* The distinct probers of the rows marked in f->decoy, sorted: how many. */
static size_t
list_decoys(struct fctx *f, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (f->decoy[i])
			f->addrs[k++] = f->rows[i].scanner;
	qsort(f->addrs, k, sizeof(*f->addrs), cmp_addr);
	for (i = n = 0; i < k; i++)
		if (i == 0 || !addr_eq(&f->addrs[i], &f->addrs[n - 1]))
			f->addrs[n++] = f->addrs[i];
	return n;
}

/*
 * nmap -D decoys among the n rows of one host (sorted by port). A prober
 * the host never answered whose first probe to a port went out within
 * TUN_DECOY_US of an answered scanner's is a decoy; then each of its
 * unanswered rows sent in step with another prober's is a decoy's. Ports
 * probed from more than 256 addresses (a flood, not decoys) are skipped.
 */
static void
find_decoys(struct fctx *f, size_t n)
{
	size_t i, lo, hi, na = 0, pass;

	if (n > f->decoy_cap) {
		f->decoy_cap = n * 2;
		f->decoy = xreallocarray(f->decoy, f->decoy_cap,
		    sizeof(*f->decoy));
		f->addrs = xreallocarray(f->addrs, f->decoy_cap,
		    sizeof(*f->addrs));
	}
	memset(f->decoy, 0, n * sizeof(*f->decoy));
	f->decoy_sources = 0;
	/* Most hosts have no port probed twice with a silent try: done. */
	for (i = 1; i < n; i++)
		if (f->rows[i].port == f->rows[i - 1].port &&
		    (f->rows[i].responses == 0 ||
		    f->rows[i - 1].responses == 0))
			break;
	if (i >= n)
		return;
	for (i = 0; i < n; i++)
		if (f->rows[i].responses > 0)
			f->addrs[na++] = f->rows[i].scanner;
	if (na == 0 || na == n)
		return;
	qsort(f->addrs, na, sizeof(*f->addrs), cmp_addr);
	for (pass = 0; pass < 2; pass++) {
		for (lo = 0; lo < n; lo = hi) {
			for (hi = lo + 1; hi < n && f->rows[hi].port ==
			    f->rows[lo].port; hi++)
				;
			if (hi - lo < 2 || hi - lo > 256)
				continue;
			for (i = lo; i < hi; i++) {
				if (f->rows[i].responses > 0)
					continue;
				if (pass == 0)	/* f->addrs: the answered */
					f->decoy[i] = !listed(f, na,
					    &f->rows[i].scanner) &&
					    in_step(f, i, lo, hi, 0, true);
				else		/* f->addrs: the decoys */
					f->decoy[i] = listed(f, na,
					    &f->rows[i].scanner) &&
					    in_step(f, i, lo, hi, na, false);
			}
		}
		na = list_decoys(f, n);
		if (na == 0)
			return;
	}
	f->decoy_sources = (uint32_t)na;
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
	v[H_ADDR].str = fnd_host_str(f, target, f->host_text);
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
			if (row->reason == RS_NO_RESPONSE) {
				v[H_UDP_SILENT].num++;
				if (row->probes >= 2)
					v[H_UDP_RETRIED].num++;
			} else if (b->reply_kind == RK_ICMP && own &&
			    row->probes >= 2)
				v[H_UDP_ICMP_LATE].num++;
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
	memcpy(f->synack_h, synack_h, sizeof(synack_h));
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
	v[H_DECOY_SOURCES].num = f->decoy_sources;
}

static int
cmp_phase(const void *a, const void *b)
{
	const struct phase *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->ts_ns < y->ts_ns ? -1 : x->ts_ns > y->ts_ns;
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

	/*
	 * One finding per id and subject: the first matching rule wins (a
	 * rule with `per` may make one per value).
	 */
	for (i = f->host_first; i < out->nfindings; i++) {
		const struct finding *o = &out->findings[i];

		if (strcmp(o->id, r->finding_id) == 0 &&
		    o->has_source == (source != NULL) &&
		    (source == NULL || addr_eq(&o->source, source)) &&
		    (r->per < 0 || o->rule != r->name)) {
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
	v[A_SOURCE].str = fnd_host_str(f, p->src, src);
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
		path_add_type(p, fnd_icmp_name(v6, b->icmp_type, b->icmp_code,
		    name));
		if (p->ports.len > 0)
			sb_add(&p->ports, ",");
		sb_add(&p->ports, fnd_port_text(row, port));
	}
	for (k = 0; k < npaths; k++) {
		path_eval(f, &paths[k], target);
		free(paths[k].ports.s);
	}
	free(paths);
}

/*
 * Put each row of [lo, hi) in the groups of the port rules it matched (its
 * f->match bits), clearing the bits it is put in for. A rule with `per`
 * takes only rows with its first row's value of that field; the others
 * keep their bits for the next round. False when no row had any bit left.
 */
static bool
group_round(struct fctx *f, size_t lo, size_t hi, struct ev_value *v,
    char text[][TEXT])
{
	const struct rule *const *pr = f->rules[RULE_SCOPE_PORT];
	struct row_facts fa;
	char port[TEXT];
	size_t i, k, w, plen;
	uint64_t *m, bits;
	bool full, any = false;
	struct group *g;

	memset(&fa, 0, sizeof(fa));
	for (i = lo; i < hi; i++) {
		m = f->match + (i - lo) * f->words;
		if (f->hidden[i])
			continue;
		for (w = 0; w < f->words && m[w] == 0; w++)
			;
		if (w == f->words)
			continue;
		any = true;
		full = false;
		fnd_port_text(&f->rows[i], port);
		plen = strlen(port);
		for (; w < f->words; w++)
			for (bits = m[w]; bits != 0; bits &= bits - 1) {
				k = w * 64 + (size_t)__builtin_ctzll(bits);
				g = &f->groups[k];
				if (!full && (g->count == 0 || pr[k]->per >= 0)) {
					/* The message quotes the first row. */
					fnd_row_facts(f, i, &fa, true);
					fnd_port_values(f, i, &fa, v, text, NULL);
					full = true;
				}
				if (g->count != 0 && pr[k]->per >= 0 &&
				    v[pr[k]->per].num != g->first[pr[k]->per].num)
					continue;	/* next round */
				if (g->count == 0)
					group_start(g, pr[k], v);
				group_add(g, port, plen);
				flag_row(&f->rows[i], pr[k]->finding_id);
				m[w] &= ~(bits & -bits);
			}
	}
	return any;
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
	size_t np = f->nrules[RULE_SCOPE_PORT];
	struct ev_value v[P_COUNT], flood[3];
	struct row_facts fa;
	char text[10][TEXT];
	const struct addr *host = &f->rows[lo].host;
	size_t i, k;
	bool any = false;

	f->host_first = f->out->nfindings;
	memset(v, 0, sizeof(*v) * P_HOST); /* fnd_port_values() relies on it */
	memset(&fa, 0, sizeof(fa));	/* and the memo key (unread facts) */
	find_decoys(f, hi);	/* f->rows is this host's: lo is 0 */
	if ((hi - lo) * f->words > f->match_cap) {
		f->match_cap = (hi - lo) * f->words * 2;
		f->match = xreallocarray(f->match, f->match_cap,
		    sizeof(*f->match));
	}
	host_values(f, lo, hi, NULL);
	memcpy(v + P_HOST, f->hv, sizeof(f->hv));
	fnd_live_hides(f, v);
	fnd_memo_key(f);
	f->memo_gen++;
	for (i = lo; i < hi; i++) {
		uint64_t *m = f->match + (i - lo) * f->words;

		fnd_match_row(f, i, &fa, v, text, m);
		if (fnd_split_hidden(f, m)) {
			f->hidden[i] = true;
			any = true;
		}
	}
	if (any) {
		memcpy(flood, f->hv + H_FLOOD_PORT, sizeof(flood));
		host_values(f, lo, hi, f->hidden);
		memcpy(f->hv + H_FLOOD_PORT, flood, sizeof(flood));
		memcpy(v + P_HOST, f->hv, sizeof(f->hv));
		fnd_live_hides(f, NULL);	/* rows are hidden by now */
		fnd_memo_key(f);
		f->memo_gen++;
		for (i = lo; i < hi; i++) {
			if (f->hidden[i])
				continue;
			fnd_match_row(f, i, &fa, v, text,
			    f->match + (i - lo) * f->words);
		}
	}
	/* Rounds: a `per` rule's rows of another value wait for the next. */
	while (group_round(f, lo, hi, v, text))
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
		f->hv[H_ADDR].str = fnd_host_str(f, h, f->host_text);
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
		fnd_cond_fields(f->rules[RULE_SCOPE_PORT][i], f->need, P_COUNT);
	for (i = 0; i < P_HOST; i++)
		f->need_records |= f->need[i] && fnd_is_record_field(i);
	fnd_memo_setup(f);
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
	free(f->decoy);
	free(f->addrs);
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
