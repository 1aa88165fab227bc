/*
 * baseline.c -- earlier results and policies, and the ndiff-like report of
 * what changed.
 */
#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "portstate.h"
#include "tunables.h"
#include "xmalloc.h"

struct entry {
	struct addr host;
	uint16_t port;
	uint8_t proto;
	uint8_t state, reason;
	bool seen;
};

/* One policy line: which rows it covers and the states it allows. */
struct rule_line {
	struct addr net;
	unsigned prefix;	/* 0..128 (IPv4 as ::ffff:0:0/96 + n) */
	bool any_host, any_proto, any_port;
	uint8_t proto;
	uint16_t lo, hi;
	uint32_t allowed;	/* bit per enum port_state */
	unsigned line;
};

struct baseline {
	char *name;
	bool policy;
	struct entry *e;
	size_t n, cap;
	struct rule_line *p;
	size_t np, pcap;
};

/* CSV parsing state (libcsv callbacks). */
struct csvctx {
	struct baseline *b;
	char *fields[8];
	size_t nfields;
	int col[5];		/* host proto port state/allowed reason */
	unsigned line;
	bool header_done;
	char *err;
	size_t errlen;
	bool failed;
};

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = addr_cmp(&x->host, &y->host);

	if (c != 0)
		return c;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

static bool
add_entry(struct baseline *b, const struct addr *h, uint8_t proto,
    uint16_t port, int state, int reason)
{
	struct entry *e;

	if (b->n >= TUN_BASELINE_MAX)
		return false;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->e = xreallocarray(b->e, b->cap, sizeof(*b->e));
	}
	e = &b->e[b->n++];
	memset(e, 0, sizeof(*e));
	e->host = *h;
	e->proto = proto;
	e->port = port;
	e->state = (uint8_t)(state > 0 ? state : PS_UNKNOWN);
	e->reason = (uint8_t)(reason > 0 ? reason : RS_NONE);
	return true;
}

static int
proto_of(const char *s)
{
	return strcmp(s, "tcp") == 0 ? 6 : strcmp(s, "udp") == 0 ? 17 : -1;
}

static bool
parse_port(const char *s, uint16_t *lo, uint16_t *hi)
{
	char *end;
	unsigned long a, z;

	a = strtoul(s, &end, 10);
	if (end == s || a > 65535)
		return false;
	z = a;
	if (*end == '-') {
		s = end + 1;
		z = strtoul(s, &end, 10);
		if (end == s || z > 65535 || z < a)
			return false;
	}
	if (*end != '\0')
		return false;
	*lo = (uint16_t)a;
	*hi = (uint16_t)z;
	return true;
}

/* "192.0.2.0/24", "2001:db8::/32", an address, or "*". */
static bool
parse_net(const char *s, struct rule_line *r)
{
	char buf[ADDR_STRLEN + 8], *slash;
	unsigned long bits;
	char *end;

	if (strcmp(s, "*") == 0) {
		r->any_host = true;
		return true;
	}
	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (addr_parse(&r->net, buf) != 0)
		return false;
	r->prefix = 128;
	if (slash != NULL) {
		bits = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || slash[1] == '\0' ||
		    bits > (addr_is_v4(&r->net) ? 32u : 128u))
			return false;
		r->prefix = (unsigned)bits + (addr_is_v4(&r->net) ? 96u : 0u);
	}
	return true;
}

static bool
in_net(const struct rule_line *r, const struct addr *a)
{
	unsigned i, full = r->prefix / 8, rest = r->prefix % 8;

	if (r->any_host)
		return true;
	for (i = 0; i < full; i++)
		if (a->b[i] != r->net.b[i])
			return false;
	if (rest == 0)
		return true;
	return ((a->b[full] ^ r->net.b[full]) & (0xffu << (8 - rest)) &
	    0xffu) == 0;
}

static void
fail(struct csvctx *c, const char *fmt, const char *what)
{
	if (!c->failed)
		snprintf(c->err, c->errlen, "%s:%u: %s%s", c->b->name, c->line,
		    fmt, what);
	c->failed = true;
}

/* The header decides what the file is: result or policy. */
static void
csv_header(struct csvctx *c)
{
	static const char *const names[] = { "host", "proto", "port", "state",
		"reason" };
	size_t i, k;

	for (k = 0; k < 5; k++)
		c->col[k] = -1;
	for (i = 0; i < c->nfields; i++) {
		for (k = 0; k < 5; k++)
			if (strcmp(c->fields[i], names[k]) == 0)
				c->col[k] = (int)i;
		if (strcmp(c->fields[i], "allowed") == 0) {
			c->col[3] = (int)i;
			c->b->policy = true;
		}
	}
	if (c->col[0] < 0 || c->col[1] < 0 || c->col[2] < 0 || c->col[3] < 0)
		fail(c, "header needs host,proto,port and state (a result) or "
		    "allowed (a policy)", "");
	c->header_done = true;
}

static const char *
field(const struct csvctx *c, int k)
{
	return c->col[k] >= 0 && (size_t)c->col[k] < c->nfields ?
	    c->fields[c->col[k]] : "";
}

static void
policy_row(struct csvctx *c)
{
	struct rule_line r;
	char *list = xstrdup(field(c, 3)), *tok, *save = NULL;
	int st;

	memset(&r, 0, sizeof(r));
	r.line = c->line;
	if (!parse_net(field(c, 0), &r))
		fail(c, "bad host or CIDR: ", field(c, 0));
	if (strcmp(field(c, 1), "*") == 0)
		r.any_proto = true;
	else if ((st = proto_of(field(c, 1))) < 0)
		fail(c, "bad proto (tcp, udp or *): ", field(c, 1));
	else
		r.proto = (uint8_t)st;
	if (strcmp(field(c, 2), "*") == 0)
		r.any_port = true;
	else if (!parse_port(field(c, 2), &r.lo, &r.hi))
		fail(c, "bad port or range: ", field(c, 2));
	for (tok = strtok_r(list, " ;", &save); tok != NULL;
	    tok = strtok_r(NULL, " ;", &save)) {
		if ((st = port_state_from_name(tok)) < 0)
			fail(c, "unknown state: ", tok);
		else
			r.allowed |= 1u << st;
	}
	free(list);
	if (c->failed || c->b->np >= TUN_BASELINE_MAX)
		return;
	if (c->b->np == c->b->pcap) {
		c->b->pcap = c->b->pcap ? c->b->pcap * 2 : 16;
		c->b->p = xreallocarray(c->b->p, c->b->pcap, sizeof(*c->b->p));
	}
	c->b->p[c->b->np++] = r;
}

static void
result_row(struct csvctx *c)
{
	struct addr h;
	uint16_t lo, hi;
	int proto, st;

	if (addr_parse(&h, field(c, 0)) != 0)
		fail(c, "bad host: ", field(c, 0));
	else if ((proto = proto_of(field(c, 1))) < 0)
		fail(c, "bad proto: ", field(c, 1));
	else if (!parse_port(field(c, 2), &lo, &hi) || lo != hi)
		fail(c, "bad port: ", field(c, 2));
	else if ((st = port_state_from_name(field(c, 3))) < 0)
		fail(c, "unknown state: ", field(c, 3));
	else if (!add_entry(c->b, &h, (uint8_t)proto, lo, st,
	    reason_from_name(field(c, 4))))
		fail(c, "too many rows", "");
}

static void
csv_field_cb(void *s, size_t len, void *data)
{
	struct csvctx *c = data;

	if (c->nfields < 8)
		c->fields[c->nfields++] = xasprintf("%.*s", (int)len,
		    (const char *)s);
}

static void
csv_row_cb(int ch, void *data)
{
	struct csvctx *c = data;
	size_t i;

	(void)ch;
	c->line++;
	if (!c->failed && c->nfields > 0 && c->fields[0][0] != '#') {
		if (!c->header_done)
			csv_header(c);
		else if (c->b->policy)
			policy_row(c);
		else
			result_row(c);
	}
	for (i = 0; i < c->nfields; i++)
		free(c->fields[i]);
	c->nfields = 0;
}

static int
load_csv(struct baseline *b, const char *buf, size_t len, char *err,
    size_t errlen)
{
	struct csv_parser p;
	struct csvctx c;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.b = b;
	c.err = err;
	c.errlen = errlen;
	if (csv_init(&p, CSV_APPEND_NULL) != 0) {
		snprintf(err, errlen, "%s: cannot start the CSV parser", b->name);
		return -1;
	}
	if (csv_parse(&p, buf, len, csv_field_cb, csv_row_cb, &c) != len &&
	    !c.failed)
		fail(&c, "malformed CSV: ", csv_strerror(csv_error(&p)));
	csv_fini(&p, csv_field_cb, csv_row_cb, &c);
	csv_free(&p);
	for (i = 0; i < c.nfields; i++)
		free(c.fields[i]);
	if (!c.failed && !c.header_done) {
		snprintf(err, errlen, "%s: empty baseline", b->name);
		return -1;
	}
	return c.failed ? -1 : 0;
}

/*
 * nmap XML (and ours): a tolerant tag scanner for the few elements a
 * baseline needs -- host/address, port + state, extraports/extrareasons.
 */

/* Value of attribute name in the tag [t, end) into buf; false if absent. */
static bool
attr(const char *t, const char *end, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	const char *p, *q;

	for (p = t; p + n + 2 <= end; p++) {
		if ((p == t || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n') &&
		    strncmp(p, name, n) == 0 && p[n] == '=' &&
		    (p[n + 1] == '"' || p[n + 1] == '\'')) {
			char quote = p[n + 1];

			p += n + 2;
			for (q = p; q < end && *q != quote; q++)
				;
			if (q >= end || (size_t)(q - p) >= len)
				return false;
			memcpy(buf, p, (size_t)(q - p));
			buf[q - p] = '\0';
			return true;
		}
	}
	return false;
}

/* "1-21,23,80-82" for one extrareasons element. */
static bool
add_port_list(struct baseline *b, const struct addr *h, uint8_t proto,
    const char *list, int state, int reason)
{
	char *copy = xstrdup(list), *tok, *save = NULL;
	uint16_t lo, hi;
	uint32_t p;
	bool ok = true;

	for (tok = strtok_r(copy, ",", &save); ok && tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (!parse_port(tok, &lo, &hi)) {
			ok = false;
			break;
		}
		for (p = lo; ok && p <= hi; p++)
			ok = add_entry(b, h, proto, (uint16_t)p, state, reason);
	}
	free(copy);
	return ok;
}

/* Does the tag text [t, te) start with word (which ends in ' ' or not)? */
static bool
tag_is(const char *t, const char *te, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(te - t) >= n && memcmp(t, word, n) == 0;
}

static int
load_xml(struct baseline *b, const char *buf, size_t len, char *err,
    size_t errlen)
{
	const char *p = buf, *end = buf + len, *t, *te;
	char v[256], v2[64], v3[64];
	struct addr host;
	bool have_host = false;
	uint8_t proto = 6;
	uint16_t port = 0, dummy;
	int xstate = -1;
	unsigned line = 1;

	while (p < end) {
		if (*p == '\n')
			line++;
		if (*p != '<') {
			p++;
			continue;
		}
		t = p + 1;
		for (te = t; te < end && *te != '>'; te++)
			if (*te == '\n')
				line++;
		if (te >= end)
			break;
		if (tag_is(t, te, "host ") || tag_is(t, te, "host>") ||
		    (te - t == 4 && memcmp(t, "host", 4) == 0))
			have_host = false;
		else if (tag_is(t, te, "address ") &&
		    attr(t, te, "addrtype", v2, sizeof(v2)) &&
		    strcmp(v2, "mac") != 0 && attr(t, te, "addr", v, sizeof(v))) {
			if (addr_parse(&host, v) != 0) {
				snprintf(err, errlen, "%s:%u: bad address '%s'",
				    b->name, line, v);
				return -1;
			}
			have_host = true;
		} else if (tag_is(t, te, "port ") && have_host &&
		    attr(t, te, "protocol", v2, sizeof(v2)) &&
		    attr(t, te, "portid", v, sizeof(v))) {
			if (proto_of(v2) < 0 || !parse_port(v, &port, &dummy))
				port = 0, proto = 0;
			else
				proto = (uint8_t)proto_of(v2);
		} else if (tag_is(t, te, "state ") && have_host && proto &&
		    attr(t, te, "state", v, sizeof(v))) {
			v3[0] = '\0';
			attr(t, te, "reason", v3, sizeof(v3));
			if (!add_entry(b, &host, proto, port,
			    port_state_from_name(v), reason_from_name(v3)))
				goto full;
			proto = 0;
		} else if (tag_is(t, te, "extraports ") &&
		    attr(t, te, "state", v, sizeof(v)))
			xstate = port_state_from_name(v);
		else if (tag_is(t, te, "extrareasons ") && have_host &&
		    xstate > 0 && attr(t, te, "ports", v, sizeof(v))) {
			v3[0] = '\0';
			attr(t, te, "reason", v3, sizeof(v3));
			if (!attr(t, te, "proto", v2, sizeof(v2)))
				strcpy(v2, "tcp");
			if (proto_of(v2) > 0 && !add_port_list(b, &host,
			    (uint8_t)proto_of(v2), v, xstate,
			    reason_from_name(v3)))
				goto full;
		}
		p = te + 1;
	}
	return 0;
full:
	snprintf(err, errlen, "%s:%u: too many ports (or a bad port list)",
	    b->name, line);
	return -1;
}

struct baseline *
baseline_parse(const char *name, const char *buf, size_t len, char *err,
    size_t errlen)
{
	struct baseline *b = xcalloc(1, sizeof(*b));
	size_t i = 0;
	int rc;

	b->name = xstrdup(name);
	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' ||
	    buf[i] == '\t'))
		i++;
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: binary data, not a CSV or XML "
		    "baseline", name);
		rc = -1;
	} else if (i < len && buf[i] == '<')
		rc = load_xml(b, buf, len, err, errlen);
	else
		rc = load_csv(b, buf, len, err, errlen);
	if (rc != 0) {
		baseline_free(b);
		return NULL;
	}
	if (b->n > 0)
		qsort(b->e, b->n, sizeof(*b->e), cmp_entry);
	return b;
}

struct baseline *
baseline_load(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t len;
	struct baseline *b;

	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(TUN_BASELINE_MAX_BYTES + 1);
	len = fread(buf, 1, TUN_BASELINE_MAX_BYTES + 1, fp);
	if (ferror(fp) || len > TUN_BASELINE_MAX_BYTES) {
		snprintf(err, errlen, "%s: %s", path, ferror(fp) ?
		    "read error" : "larger than the baseline size limit");
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	b = baseline_parse(path, buf, len, err, errlen);
	free(buf);
	return b;
}

void
baseline_free(struct baseline *b)
{
	if (b == NULL)
		return;
	free(b->name);
	free(b->e);
	free(b->p);
	free(b);
}

static struct entry *
find(struct baseline *b, const struct addr *h, uint8_t proto, uint16_t port)
{
	struct entry key;

	memset(&key, 0, sizeof(key));
	key.host = *h;
	key.proto = proto;
	key.port = port;
	return b->n ? bsearch(&key, b->e, b->n, sizeof(*b->e), cmp_entry) :
	    NULL;
}

static bool
host_known(const struct baseline *b, const struct addr *h)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (addr_cmp(&b->e[mid].host, h) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < b->n && addr_eq(&b->e[lo].host, h);
}

static const char *
proto_text(uint8_t p)
{
	return p == 6 ? "tcp" : "udp";
}

/* ndiff-style: " HOST:" once, then -/+ lines for what changed. */
static void
host_line(FILE *out, const struct addr *h, char sign, const struct addr **last)
{
	char a[ADDR_STRLEN];

	if (*last != NULL && addr_eq(*last, h))
		return;
	fprintf(out, "%c%s:\n", sign, addr_str(h, a));
	*last = h;
}

/* Rows (of one host) a policy line does not allow; 1 if any. */
static int
policy_rows(struct baseline *b, const struct port_row *rows, size_t n,
    FILE *out)
{
	const struct addr *last = NULL; /* the rows are of one host */
	size_t i, k;
	int differs = 0;

	for (i = 0; i < n; i++) {
		const struct port_row *r = &rows[i];

		for (k = 0; k < b->np; k++) {
			const struct rule_line *p = &b->p[k];

			if (!in_net(p, &r->host) ||
			    (!p->any_proto && p->proto != r->proto) ||
			    (!p->any_port && (r->port < p->lo ||
			    r->port > p->hi)))
				continue;
			if (!(p->allowed & (1u << r->state))) {
				host_line(out, &r->host, ' ', &last);
				fprintf(out, "+%u/%s %s %s (not allowed by %s:%u)\n",
				    r->port, proto_text(r->proto),
				    port_state_name(r->state),
				    reason_name(r->reason), b->name, p->line);
				differs = 1;
			}
			break;
		}
	}
	return differs;
}

/* Rows (of one host) that differ from the baseline's entries; 1 if any. */
static int
compare_rows(struct baseline *b, const struct port_row *rows, size_t n,
    FILE *out)
{
	const struct addr *last = NULL; /* the rows are of one host */
	size_t i;
	int differs = 0;

	for (i = 0; i < n; i++) {
		const struct port_row *r = &rows[i];
		struct entry *e = find(b, &r->host, r->proto, r->port);
		bool new_host = e == NULL && !host_known(b, &r->host);

		if (e != NULL) {
			e->seen = true;
			if (e->state == r->state && (e->reason == RS_NONE ||
			    e->reason == r->reason))
				continue;
		}
		host_line(out, &r->host, new_host ? '+' : ' ', &last);
		if (e != NULL)
			fprintf(out, "-%u/%s %s %s\n", e->port,
			    proto_text(e->proto), port_state_name(e->state),
			    reason_name(e->reason));
		fprintf(out, "+%u/%s %s %s\n", r->port, proto_text(r->proto),
		    port_state_name(r->state), reason_name(r->reason));
		differs = 1;
	}
	return differs;
}

int
baseline_compare(struct baseline *b, const struct results *res, FILE *out)
{
	const struct port_row *rows;
	struct row_iter it;
	size_t n;
	int differs = 0;

	results_iter_init(&it, res);
	while ((n = results_iter_host(&it, &rows)) > 0)
		differs |= b->policy ? policy_rows(b, rows, n, out) :
		    compare_rows(b, rows, n, out);
	results_iter_done(&it);
	return differs;
}

int
baseline_missing(struct baseline *b, FILE *out)
{
	const struct addr *last = NULL;
	size_t i, j;
	bool host_seen;
	int differs = 0;

	for (i = 0; i < b->n; i = j) {
		host_seen = false;
		for (j = i; j < b->n && addr_eq(&b->e[j].host, &b->e[i].host);
		    j++)
			host_seen |= b->e[j].seen;
		for (j = i; j < b->n && addr_eq(&b->e[j].host, &b->e[i].host);
		    j++) {
			if (b->e[j].seen)
				continue;
			host_line(out, &b->e[j].host, host_seen ? ' ' : '-',
			    &last);
			fprintf(out, "-%u/%s %s %s\n", b->e[j].port,
			    proto_text(b->e[j].proto),
			    port_state_name(b->e[j].state),
			    reason_name(b->e[j].reason));
			differs = 1;
		}
	}
	return differs;
}
