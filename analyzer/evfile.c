/*
 * evfile.c -- evidence file writer and merged reader (doc/evidence-format.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "evfile.h"
#include "hosts.h"
#include "tunables.h"
#include "xmalloc.h"

static const char magic[8] = { 'P', 'S', 'L', 'T', 'E', 'V', 'I', 'D' };
static const char end_magic[4] = { 'P', 'S', 'E', 'N' };

#define HDR_LEN 24		/* magic, version, reserved, timeout */
#define FOOTER_LEN 16		/* trailer offset, crc32, end magic */
#define MAX_OPT DEC_MAX_TCPOPT
#define MAX_PATH_LEN 4096u

/* Packet record flag bits. */
enum {
	PB_DF = 1, PB_ICMP_ERROR = 2, PB_SACK = 4, PB_TS = 8,
	PB_Q_VALID = 16, PB_Q_PORTS = 32, PB_Q_SEQ = 64,
};

/* ---- little-endian encoding into a small buffer ---- */

struct enc {
	uint8_t b[128];
	size_t n;
};

static void
put(struct enc *e, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		e->b[e->n++] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* ---- writer ---- */

struct evw {
	char *path;
	FILE *fp;
	char *buf;
	struct hosts *hosts;
	uint64_t pos;
	uLong crc;
	bool failed;
	struct ev_input *in;
	size_t nin;
};

static void
w_bytes(struct evw *w, const void *p, size_t n)
{
	if (fwrite(p, 1, n, w->fp) != n)
		w->failed = true;
	w->crc = crc32(w->crc, p, (uInt)n);
	w->pos += n;
}

/* Host index for a, writing its definition on first use. */
static uint32_t
w_host(struct evw *w, const struct addr *a)
{
	uint32_t before = hosts_count(w->hosts);
	uint32_t i = hosts_intern(w->hosts, a);
	uint8_t rec[1 + sizeof(a->b)];

	if (i == 0) {
		/* Table full (a flood of spoofed sources): start it over. */
		rec[0] = 'R';
		w_bytes(w, rec, 1);
		hosts_free(w->hosts);
		w->hosts = hosts_new(TUN_EVFILE_HOSTS);
		before = 0;
		i = hosts_intern(w->hosts, a);
	}

	if (i > before) {
		rec[0] = 'H';
		memcpy(rec + 1, a->b, sizeof(a->b));
		w_bytes(w, rec, sizeof(rec));
	}
	return i;
}

struct evw *
evw_open(const char *path, uint64_t timeout_ns, char *err, size_t errlen)
{
	struct evw *w = xcalloc(1, sizeof(*w));
	struct enc e;

	w->path = xstrdup(path);
	if ((w->fp = fopen(path, "wb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(w->path);
		free(w);
		return NULL;
	}
	w->buf = xmalloc(TUN_READ_BUFFER);
	setvbuf(w->fp, w->buf, _IOFBF, TUN_READ_BUFFER);
	w->hosts = hosts_new(TUN_EVFILE_HOSTS);
	w->crc = crc32(0, Z_NULL, 0);
	memset(&e, 0, sizeof(e));
	memcpy(e.b, magic, sizeof(magic));
	e.n = sizeof(magic);
	put(&e, EVFILE_VERSION, 4);
	put(&e, 0, 4);
	put(&e, timeout_ns, 8);
	w_bytes(w, e.b, e.n);
	return w;
}

void
evw_packet(struct evw *w, const struct decoded *d, uint64_t ts)
{
	const struct tcp_info *t = &d->tcp;
	const struct quoted *q = &d->q;
	uint32_t src = w_host(w, &d->src), dst = w_host(w, &d->dst);
	uint32_t qsrc = 0, qdst = 0;
	uint8_t bits = 0, nopt = t->nopt > MAX_OPT ? MAX_OPT : t->nopt;
	struct enc e;

	if (d->icmp_error && q->valid) {
		qsrc = w_host(w, &q->src);
		qdst = w_host(w, &q->dst);
	}
	bits |= d->df ? PB_DF : 0;
	bits |= d->icmp_error ? PB_ICMP_ERROR : 0;
	bits |= t->sack_ok ? PB_SACK : 0;
	bits |= t->has_ts ? PB_TS : 0;
	bits |= q->valid ? PB_Q_VALID : 0;
	bits |= q->has_ports ? PB_Q_PORTS : 0;
	bits |= q->has_seq ? PB_Q_SEQ : 0;
	e.n = 0;
	put(&e, EVR_PACKET, 1);
	put(&e, ts, 8);
	put(&e, src, 4);
	put(&e, dst, 4);
	put(&e, d->ip_ver, 1);
	put(&e, d->ttl, 1);
	put(&e, d->ip_id, 2);
	put(&e, bits, 1);
	put(&e, d->proto, 1);
	put(&e, d->sport, 2);
	put(&e, d->dport, 2);
	if (d->proto == 6) {
		put(&e, t->flags, 1);
		put(&e, t->seq, 4);
		put(&e, t->ack, 4);
		put(&e, t->win, 2);
		put(&e, t->payload, 4);
		put(&e, t->mss, 2);
		put(&e, t->wscale, 1);
		put(&e, nopt, 1);
		memcpy(e.b + e.n, t->opt_kind, nopt);
		e.n += nopt;
	} else if (d->proto == 17) {
		put(&e, d->udp_payload, 4);
	} else {
		put(&e, d->icmp_type, 1);
		put(&e, d->icmp_code, 1);
		put(&e, qsrc, 4);
		put(&e, qdst, 4);
		put(&e, q->proto, 1);
		put(&e, q->sport, 2);
		put(&e, q->dport, 2);
		put(&e, q->seq, 4);
	}
	w_bytes(w, e.b, e.n);
}

void
evw_keepalive(struct evw *w, const struct flow_key *k, uint64_t ts)
{
	uint32_t lo = w_host(w, &k->lo), hi = w_host(w, &k->hi);
	struct enc e;

	e.n = 0;
	put(&e, EVR_KEEPALIVE, 1);
	put(&e, ts, 8);
	put(&e, lo, 4);
	put(&e, hi, 4);
	put(&e, k->plo, 2);
	put(&e, k->phi, 2);
	put(&e, k->proto, 1);
	w_bytes(w, e.b, e.n);
}

void
evw_tick(struct evw *w, uint64_t now)
{
	struct enc e;

	e.n = 0;
	put(&e, EVR_TICK, 1);
	put(&e, now, 8);
	w_bytes(w, e.b, e.n);
}

void
evw_record(struct evw *w, const struct evrec *r)
{
	if (r->type == EVR_PACKET)
		evw_packet(w, &r->d, r->ts);
	else if (r->type == EVR_KEEPALIVE)
		evw_keepalive(w, &r->key, r->ts);
	else
		evw_tick(w, r->ts);
}

void
evw_input(struct evw *w, const char *path, uint64_t size)
{
	w->in = xreallocarray(w->in, w->nin + 1, sizeof(*w->in));
	w->in[w->nin].path = xstrdup(path);
	w->in[w->nin].size = size;
	w->nin++;
}

static void
w_free(struct evw *w)
{
	size_t i;

	for (i = 0; i < w->nin; i++)
		free(w->in[i].path);
	free(w->in);
	hosts_free(w->hosts);
	free(w->buf);
	free(w->path);
	free(w);
}

void
evw_abort(struct evw *w)
{
	if (w == NULL)
		return;
	fclose(w->fp);
	remove(w->path);
	w_free(w);
}

static void
w_trailer(struct evw *w, const struct ev_totals *t)
{
	struct enc e;
	size_t i, len;
	int k;

	e.n = 0;
	put(&e, 'E', 1);
	put(&e, t->packets, 8);
	put(&e, t->bytes, 8);
	put(&e, t->first_ns, 8);
	put(&e, t->last_ns, 8);
	put(&e, t->captures, 4);
	put(&e, t->partial, 1);
	put(&e, DEC_STATUS_COUNT, 1);
	w_bytes(w, e.b, e.n);
	for (k = 0; k < DEC_STATUS_COUNT; k++) {
		e.n = 0;
		put(&e, t->dec[k], 8);
		w_bytes(w, e.b, e.n);
	}
	e.n = 0;
	put(&e, w->nin, 4);
	w_bytes(w, e.b, e.n);
	for (i = 0; i < w->nin; i++) {
		len = strlen(w->in[i].path);
		if (len > MAX_PATH_LEN)
			len = MAX_PATH_LEN;
		e.n = 0;
		put(&e, len, 2);
		put(&e, w->in[i].size, 8);
		w_bytes(w, e.b, 2);
		w_bytes(w, w->in[i].path, len);
		w_bytes(w, e.b + 2, 8);
	}
}

int
evw_close(struct evw *w, const struct ev_totals *t, char *err, size_t errlen)
{
	uint64_t at = w->pos;
	struct enc e;
	int rc = 0;

	w_trailer(w, t);
	e.n = 0;
	put(&e, at, 8);
	put(&e, w->crc, 4);
	memcpy(e.b + e.n, end_magic, sizeof(end_magic));
	e.n += sizeof(end_magic);
	if (fwrite(e.b, 1, e.n, w->fp) != e.n)
		w->failed = true;
	if (fflush(w->fp) != 0 || ferror(w->fp))
		w->failed = true;
	if (fclose(w->fp) != 0)
		w->failed = true;
	if (w->failed) {
		snprintf(err, errlen, "%s: write error: %s", w->path,
		    strerror(errno));
		remove(w->path);
		rc = -1;
	}
	w_free(w);
	return rc;
}

/*
 * Sums stop at the largest value: trailers are input, and a sum wrapping
 * to a small count (2^63 + 2^63 packets = 0) would change the report.
 */
static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void
ev_totals_add(struct ev_totals *t, const struct ev_totals *x)
{
	int k;

	t->packets = sat_add(t->packets, x->packets);
	t->bytes = sat_add(t->bytes, x->bytes);
	for (k = 0; k < DEC_STATUS_COUNT; k++)
		t->dec[k] = sat_add(t->dec[k], x->dec[k]);
	if (x->packets > 0 && (t->first_ns == 0 || x->first_ns < t->first_ns))
		t->first_ns = x->first_ns;
	if (x->last_ns > t->last_ns)
		t->last_ns = x->last_ns;
	t->captures = t->captures > UINT32_MAX - x->captures ? UINT32_MAX :
	    t->captures + x->captures;
	t->partial |= x->partial;
}

/* ---- reader ---- */

struct evsrc {
	const char *path;	/* borrowed */
	size_t rank;		/* position in time order */
	FILE *fp;
	char *buf;
	uint64_t pos, end;	/* read offset; where the current part ends */
	uint64_t body_end;	/* offset of the trailer */
	uLong crc, want_crc;	/* running (body); stored in the footer */
	uLong crc_h, crc_t;	/* header's and trailer's */
	uint64_t len_t;		/* trailer bytes */
	struct addr *hosts;	/* index - 1 */
	uint32_t nhosts, hosts_cap;
	struct ev_totals t;
	uint64_t timeout;
	struct ev_input *in;	/* its trailer's inputs */
	size_t nin;
	struct evrec next;	/* lookahead */
	uint64_t key;		/* its order: latest time so far */
	bool live, done;
};

struct evset {
	struct evsrc *src;	/* sorted by time span */
	size_t n;
	size_t opened;		/* src[0..opened) have been opened */
	size_t *active;		/* sources with a record waiting */
	size_t nactive;
	struct ev_totals t;
	struct ev_input *in;
	size_t nin;
};

static int
r_fail(struct evsrc *s, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s at byte %llu", s->path, what,
	    (unsigned long long)s->pos);
	return -1;
}

/* Read exactly n bytes of record data (counted in the checksum). */
static int
r_bytes(struct evsrc *s, void *p, size_t n, char *err, size_t errlen)
{
	if (s->pos + n > s->end || fread(p, 1, n, s->fp) != n)
		return r_fail(s, err, errlen, "truncated evidence record");
	s->crc = crc32(s->crc, p, (uInt)n);
	s->pos += n;
	return 0;
}

static int
r_host(struct evsrc *s, uint32_t i, struct addr *a, char *err, size_t errlen)
{
	if (i == 0) {
		memset(a, 0, sizeof(*a));
		return 0;
	}
	if (i > s->nhosts)
		return r_fail(s, err, errlen, "undefined host index");
	*a = s->hosts[i - 1];
	return 0;
}

static int
r_packet(struct evsrc *s, struct evrec *r, char *err, size_t errlen)
{
	uint8_t b[64], bits;
	struct decoded *d = &r->d;

	if (r_bytes(s, b, 26, err, errlen) != 0)
		return -1;
	memset(d, 0, sizeof(*d));
	r->ts = get(b, 8);
	if (r_host(s, (uint32_t)get(b + 8, 4), &d->src, err, errlen) != 0 ||
	    r_host(s, (uint32_t)get(b + 12, 4), &d->dst, err, errlen) != 0)
		return -1;
	d->ip_ver = b[16];
	d->ttl = b[17];
	d->ip_id = (uint16_t)get(b + 18, 2);
	bits = b[20];
	d->proto = b[21];
	d->sport = (uint16_t)get(b + 22, 2);
	d->dport = (uint16_t)get(b + 24, 2);
	d->df = bits & PB_DF;
	d->icmp_error = bits & PB_ICMP_ERROR;
	if (d->proto == 6) {
		if (r_bytes(s, b + 26, 19, err, errlen) != 0)
			return -1;
		d->tcp.flags = b[26];
		d->tcp.seq = (uint32_t)get(b + 27, 4);
		d->tcp.ack = (uint32_t)get(b + 31, 4);
		d->tcp.win = (uint16_t)get(b + 35, 2);
		d->tcp.payload = (uint32_t)get(b + 37, 4);
		d->tcp.mss = (uint16_t)get(b + 41, 2);
		d->tcp.wscale = b[43];
		d->tcp.nopt = b[44];
		d->tcp.sack_ok = bits & PB_SACK;
		d->tcp.has_ts = bits & PB_TS;
		if (d->tcp.nopt > MAX_OPT)
			return r_fail(s, err, errlen, "bad TCP option count");
		return r_bytes(s, d->tcp.opt_kind, d->tcp.nopt, err, errlen);
	}
	if (d->proto == 17) {
		if (r_bytes(s, b + 26, 4, err, errlen) != 0)
			return -1;
		d->udp_payload = (uint32_t)get(b + 26, 4);
		return 0;
	}
	if (d->proto != 1 && d->proto != 58)
		return r_fail(s, err, errlen, "bad protocol in packet record");
	if (r_bytes(s, b + 26, 19, err, errlen) != 0)
		return -1;
	d->icmp_type = b[26];
	d->icmp_code = b[27];
	d->q.valid = bits & PB_Q_VALID;
	d->q.has_ports = bits & PB_Q_PORTS;
	d->q.has_seq = bits & PB_Q_SEQ;
	if (r_host(s, (uint32_t)get(b + 28, 4), &d->q.src, err, errlen) ||
	    r_host(s, (uint32_t)get(b + 32, 4), &d->q.dst, err, errlen))
		return -1;
	d->q.proto = b[36];
	d->q.sport = (uint16_t)get(b + 37, 2);
	d->q.dport = (uint16_t)get(b + 39, 2);
	d->q.seq = (uint32_t)get(b + 41, 4);
	return 0;
}

static int
r_keepalive(struct evsrc *s, struct evrec *r, char *err, size_t errlen)
{
	uint8_t b[21];

	if (r_bytes(s, b, sizeof(b), err, errlen) != 0)
		return -1;
	memset(&r->key, 0, sizeof(r->key));
	r->ts = get(b, 8);
	if (r_host(s, (uint32_t)get(b + 8, 4), &r->key.lo, err, errlen) ||
	    r_host(s, (uint32_t)get(b + 12, 4), &r->key.hi, err, errlen))
		return -1;
	r->key.plo = (uint16_t)get(b + 16, 2);
	r->key.phi = (uint16_t)get(b + 18, 2);
	r->key.proto = b[20];
	return 0;
}

static int
r_hostdef(struct evsrc *s, char *err, size_t errlen)
{
	struct addr a;

	if (r_bytes(s, a.b, sizeof(a.b), err, errlen) != 0)
		return -1;
	if (s->nhosts >= TUN_EVFILE_HOSTS)
		return r_fail(s, err, errlen, "too many hosts without a reset");
	if (s->nhosts == s->hosts_cap) {
		s->hosts_cap = s->hosts_cap == 0 ? 256 :
		    s->hosts_cap > UINT32_MAX / 2 ? UINT32_MAX :
		    s->hosts_cap * 2;
		s->hosts = xreallocarray(s->hosts, s->hosts_cap,
		    sizeof(*s->hosts));
	}
	s->hosts[s->nhosts++] = a;
	return 0;
}

static void
src_close(struct evsrc *s)
{
	if (s->fp != NULL)
		fclose(s->fp);
	s->fp = NULL;
	free(s->buf);
	s->buf = NULL;
	free(s->hosts);
	s->hosts = NULL;
	s->nhosts = s->hosts_cap = 0;
	s->live = false;
}

/* The next record of s into s->next, or the end (checksum checked). */
static int
src_advance(struct evsrc *s, char *err, size_t errlen)
{
	uint8_t type;
	int rc;

	for (;;) {
		if (s->pos == s->end) {
			if (crc32_combine(crc32_combine(s->crc_h, s->crc,
			    (z_off_t)(s->end - HDR_LEN)), s->crc_t,
			    (z_off_t)s->len_t) != s->want_crc)
				return r_fail(s, err, errlen,
				    "checksum mismatch (damaged evidence file)");
			src_close(s);
			s->done = true;
			return 0;
		}
		if (r_bytes(s, &type, 1, err, errlen) != 0)
			return -1;
		switch (type) {
		case 'H':
			rc = r_hostdef(s, err, errlen);
			break;
		case 'R':
			s->nhosts = 0;	/* the writer's host table started over */
			rc = 0;
			break;
		case EVR_PACKET:
			rc = r_packet(s, &s->next, err, errlen);
			break;
		case EVR_KEEPALIVE:
			rc = r_keepalive(s, &s->next, err, errlen);
			break;
		case EVR_TICK: {
			uint8_t b[8];

			if ((rc = r_bytes(s, b, sizeof(b), err, errlen)) == 0)
				s->next.ts = get(b, 8);
			break;
		}
		default:
			return r_fail(s, err, errlen, "unknown record type");
		}
		if (rc != 0)
			return -1;
		if (type == 'H' || type == 'R')
			continue;
		s->next.type = type;
		if (s->next.ts > s->key)
			s->key = s->next.ts;
		s->live = true;
		return 0;
	}
}

/*
 * Header, footer and trailer: the time span and inputs, before any record
 * is read. The checksum of the header and trailer is kept to be combined
 * with the body's when the body has been read.
 */
static int
src_meta(struct evsrc *s, char *err, size_t errlen)
{
	uint8_t h[HDR_LEN], f[FOOTER_LEN], b[40];
	uint64_t flen, ndec, k, nin, i, len;
	struct stat st;
	size_t got;

	if ((s->fp = fopen(s->path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", s->path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(s->fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", s->path);
		fclose(s->fp);
		s->fp = NULL;
		return -1;
	}
	flen = (uint64_t)st.st_size;
	got = fread(h, 1, HDR_LEN, s->fp);
	if (got < sizeof(magic) || memcmp(h, magic, sizeof(magic)) != 0) {
		snprintf(err, errlen, "%s: not a portsleuth evidence file (no "
		    "evidence magic at byte 0)", s->path);
		return -1;
	}
	if (got >= 12 && get(h + 8, 4) != EVFILE_VERSION) {
		snprintf(err, errlen, "%s: evidence format version %llu at "
		    "byte 8; this portsleuth reads version %d", s->path,
		    (unsigned long long)get(h + 8, 4), EVFILE_VERSION);
		return -1;
	}
	if (flen < HDR_LEN + FOOTER_LEN) {
		snprintf(err, errlen, "%s: truncated evidence file (%llu "
		    "bytes, no trailer) at byte %llu", s->path,
		    (unsigned long long)flen, (unsigned long long)flen);
		return -1;
	}
	s->timeout = get(h + 16, 8);
	if (s->timeout == 0) {
		snprintf(err, errlen, "%s: --timeout of 0 at byte 16 (no "
		    "portsleuth writes one)", s->path);
		return -1;
	}
	s->crc_h = crc32(crc32(0, Z_NULL, 0), h, HDR_LEN);
	if (fseeko(s->fp, (off_t)(flen - FOOTER_LEN), SEEK_SET) != 0 ||
	    fread(f, 1, FOOTER_LEN, s->fp) != FOOTER_LEN ||
	    memcmp(f + 12, end_magic, sizeof(end_magic)) != 0) {
		snprintf(err, errlen, "%s: truncated evidence file (no "
		    "footer) at byte %llu", s->path,
		    (unsigned long long)(flen - FOOTER_LEN));
		return -1;
	}
	if (get(f, 8) < HDR_LEN || get(f, 8) > flen - FOOTER_LEN) {
		snprintf(err, errlen, "%s: bad trailer offset %llu in the "
		    "footer at byte %llu", s->path,
		    (unsigned long long)get(f, 8),
		    (unsigned long long)(flen - FOOTER_LEN));
		return -1;
	}
	s->body_end = get(f, 8);
	s->want_crc = (uLong)get(f + 8, 4);
	s->pos = s->body_end;
	s->end = flen - FOOTER_LEN;
	s->crc = crc32(0, Z_NULL, 0);
	if (fseeko(s->fp, (off_t)s->pos, SEEK_SET) != 0)
		return r_fail(s, err, errlen, "cannot seek");
	if (r_bytes(s, b, 39, err, errlen) != 0)
		return -1;
	if (b[0] != 'E')
		return r_fail(s, err, errlen, "bad trailer");
	s->t.packets = get(b + 1, 8);
	s->t.bytes = get(b + 9, 8);
	s->t.first_ns = get(b + 17, 8);
	s->t.last_ns = get(b + 25, 8);
	s->t.captures = (uint32_t)get(b + 33, 4);
	s->t.partial = b[37] != 0;
	ndec = b[38];
	for (k = 0; k < ndec; k++) {
		if (r_bytes(s, b, 8, err, errlen) != 0)
			return -1;
		if (k < DEC_STATUS_COUNT)
			s->t.dec[k] = get(b, 8);
	}
	if (r_bytes(s, b, 4, err, errlen) != 0)
		return -1;
	nin = get(b, 4);
	for (i = 0; i < nin; i++) {
		char *path;

		if (r_bytes(s, b, 2, err, errlen) != 0)
			return -1;
		len = get(b, 2);
		if (len > MAX_PATH_LEN)
			return r_fail(s, err, errlen, "bad input path length");
		path = xmalloc(len + 1);
		if (r_bytes(s, path, len, err, errlen) != 0 ||
		    r_bytes(s, b, 8, err, errlen) != 0) {
			free(path);
			return -1;
		}
		path[len] = '\0';
		s->in = xreallocarray(s->in, s->nin + 1, sizeof(*s->in));
		s->in[s->nin].path = path;
		s->in[s->nin].size = get(b, 8);
		s->nin++;
	}
	if (s->pos != s->end)
		return r_fail(s, err, errlen, "bad trailer length");
	s->crc_t = s->crc;
	s->len_t = s->end - s->body_end;
	fclose(s->fp);
	s->fp = NULL;
	return 0;
}

/* Open the body for reading and load the first record. */
static int
src_start(struct evsrc *s, char *err, size_t errlen)
{
	if ((s->fp = fopen(s->path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", s->path, strerror(errno));
		return -1;
	}
	s->buf = xmalloc(TUN_READ_BUFFER);
	setvbuf(s->fp, s->buf, _IOFBF, TUN_READ_BUFFER);
	if (fseeko(s->fp, HDR_LEN, SEEK_SET) != 0)
		return r_fail(s, err, errlen, "cannot seek");
	s->pos = HDR_LEN;
	s->end = s->body_end;
	s->crc = crc32(0, Z_NULL, 0);
	return src_advance(s, err, errlen);
}

/* A --timeout for a message: whole milliseconds, else nanoseconds. */
static const char *
fmt_timeout(uint64_t ns, char *buf, size_t len)
{
	if (ns % 1000000 == 0)
		snprintf(buf, len, "%llu ms",
		    (unsigned long long)(ns / 1000000));
	else
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
	return buf;
}

static int
cmp_span(const void *pa, const void *pb)
{
	const struct evsrc *a = pa, *b = pb;

	if (a->t.first_ns != b->t.first_ns)
		return a->t.first_ns < b->t.first_ns ? -1 : 1;
	if (a->t.last_ns != b->t.last_ns)
		return a->t.last_ns < b->t.last_ns ? -1 : 1;
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

struct evset *
evset_open(const char *const *paths, size_t n, bool *cannot_open, char *err,
    size_t errlen)
{
	struct evset *s = xcalloc(1, sizeof(*s));
	size_t i;

	s->src = xcalloc(n ? n : 1, sizeof(*s->src));
	s->active = xcalloc(n ? n : 1, sizeof(*s->active));
	s->n = n;
	for (i = 0; i < n; i++) {
		s->src[i].path = paths[i];
		s->src[i].rank = i;
		if (src_meta(&s->src[i], err, errlen) != 0) {
			*cannot_open = s->src[i].fp == NULL;
			s->n = i + 1;
			evset_close(s);
			return NULL;
		}
		if (s->src[i].timeout != s->src[0].timeout) {
			char t1[32], t0[32];

			*cannot_open = false;
			snprintf(err, errlen, "%s: made with --timeout %s "
			    "(at byte 16), %s with %s: evidence of one merge "
			    "must share it", paths[i], fmt_timeout(
			    s->src[i].timeout, t1, sizeof(t1)), paths[0],
			    fmt_timeout(s->src[0].timeout, t0, sizeof(t0)));
			s->n = i + 1;
			evset_close(s);
			return NULL;
		}
		ev_totals_add(&s->t, &s->src[i].t);
	}
	qsort(s->src, n, sizeof(*s->src), cmp_span);
	for (i = 0; i < n; i++) {
		struct evsrc *c = &s->src[i];

		c->rank = i;
		s->in = xreallocarray(s->in, s->nin + c->nin + 1,
		    sizeof(*s->in));
		if (c->nin > 0) /* no inputs: c->in is NULL */
			memcpy(s->in + s->nin, c->in, c->nin * sizeof(*c->in));
		s->nin += c->nin;
		free(c->in);
		c->in = NULL;
		c->nin = 0;
	}
	return s;
}

/* The live source whose next record comes first (ties: time order). */
static struct evsrc *
pick(struct evset *s, size_t *slot)
{
	struct evsrc *best = NULL;
	size_t i;

	for (i = 0; i < s->nactive; i++) {
		struct evsrc *c = &s->src[s->active[i]];

		if (best == NULL || c->key < best->key ||
		    (c->key == best->key && c->rank < best->rank)) {
			best = c;
			*slot = i;
		}
	}
	return best;
}

int
evset_next(struct evset *s, struct evrec *r, char *err, size_t errlen)
{
	struct evsrc *b;
	size_t slot = 0;

	if (s->src == NULL)
		return 0;	/* (evset_open() always allocates it) */
	for (;;) {
		b = pick(s, &slot);
		if (s->opened < s->n && (b == NULL ||
		    s->src[s->opened].t.first_ns <= b->key)) {
			struct evsrc *o = &s->src[s->opened++];

			if (src_start(o, err, errlen) != 0)
				return -1;
			if (o->live)
				s->active[s->nactive++] = o->rank;
			continue;
		}
		if (b == NULL)
			return 0;
		*r = b->next;
		if (src_advance(b, err, errlen) != 0)
			return -1;
		if (b->done)
			s->active[slot] = s->active[--s->nactive];
		return 1;
	}
}

uint64_t
evset_timeout(const struct evset *s)
{
	return s->n > 0 ? s->src[0].timeout : 0;
}

const struct ev_totals *
evset_totals(const struct evset *s)
{
	return &s->t;
}

size_t
evset_ninputs(const struct evset *s)
{
	return s->nin;
}

const struct ev_input *
evset_input(const struct evset *s, size_t i)
{
	return &s->in[i];
}

void
evset_close(struct evset *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		size_t k;

		src_close(&s->src[i]);
		for (k = 0; k < s->src[i].nin; k++)
			free(s->src[i].in[k].path);
		free(s->src[i].in);
	}
	for (i = 0; i < s->nin; i++)
		free(s->in[i].path);
	free(s->in);
	free(s->src);
	free(s->active);
	free(s);
}

int
evfile_sniff(const char *path)
{
	char b[sizeof(magic)];
	FILE *fp = fopen(path, "rb");
	int yes;

	if (fp == NULL)
		return 0;
	yes = fread(b, 1, sizeof(b), fp) == sizeof(b) &&
	    memcmp(b, magic, sizeof(magic)) == 0;
	fclose(fp);
	return yes;
}
