/*
 * reader.c -- libpcap offline reading, k-way merge by timestamp.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#ifdef __GLIBC__
#include <stdio_ext.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decode.h"
#include "log.h"
#include "reader.h"
#include "tunables.h"
#include "xmalloc.h"
#include "zio.h"

struct source {
	const char *path;	/* borrowed from the caller's argv */
	FILE *fp;		/* zio stream: plain or decompressed */
	struct zio_info zin;	/* its compression and read error */
	char *buf;		/* stdio buffer */
	pcap_t *pcap;
	int dlt;
	uint64_t number;	/* records returned so far */
	struct pcap_pkthdr *hdr; /* lookahead record */
	const u_char *data;
	bool live;		/* lookahead valid */
};

struct reader {
	struct source *src;
	size_t n;
	size_t *heap;		/* min-heap of live sources by (ts, index) */
	size_t nheap;
	size_t last;		/* source returned last time, or n */
	bool partial;
	uint64_t bytes;
	size_t skipped;		/* inputs that could not be opened */
};

/* What reader_run()'s pcap_dispatch() callback needs. */
struct run_ctx {
	struct reader *r;
	size_t i;		/* the source being dispatched */
	reader_fn *fn;
	void *ctx;
};

static FILE *plain_stream(const char *path, const struct zio_info *zin,
    FILE *fp);
static enum reader_error source_open(struct source *s, const char *filter,
    size_t bufsize, char *err, size_t errlen);
static void source_advance(struct reader *r, size_t i);
static void source_read_error(struct reader *r, struct source *s);
static void run_packet(u_char *user, const struct pcap_pkthdr *h,
    const u_char *data);
static void source_drop(struct source *s);
static bool heap_less(const struct reader *r, size_t a, size_t b);
static void heap_down(struct reader *r, size_t pos);
static void heap_up(struct reader *r, size_t pos);

static uint64_t
hdr_ns(const struct pcap_pkthdr *h)
{
	/* Opened at nanosecond precision: tv_usec holds nanoseconds. */
	return (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
}

/*
 * An uncompressed regular file is read through a plain stdio stream rather
 * than zio's cookie stream: libpcap's two fread() calls per record cost
 * 14% fewer instructions there (callgrind, 1M packets). zio has already
 * told it from a compressed one.
 */
static FILE *
plain_stream(const char *path, const struct zio_info *zin, FILE *fp)
{
	struct stat st;
	FILE *f;

	if (zin->kind != ZIO_PLAIN || strcmp(path, "-") == 0 ||
	    stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (f = fopen(path, "rb")) == NULL)
		return fp;
	fclose(fp);
	return f;
}

static enum reader_error
source_open(struct source *s, const char *filter, size_t bufsize, char *err,
    size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;

	/* zio_open(): EINVAL is content it cannot decode; else unreadable. */
	if ((s->fp = zio_open(s->path, &s->zin, err, errlen)) == NULL)
		return errno == EINVAL ? READER_ERR_FORMAT : READER_ERR_OPEN;
	s->fp = plain_stream(s->path, &s->zin, s->fp);
	s->buf = xmalloc(bufsize);
	setvbuf(s->fp, s->buf, _IOFBF, bufsize);
#ifdef __GLIBC__
	/* Only this job's thread reads the stream: no lock per fread(). */
	__fsetlocking(s->fp, FSETLOCKING_BYCALLER);
#endif
	ebuf[0] = '\0';
	s->pcap = pcap_fopen_offline_with_tstamp_precision(s->fp,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (s->pcap == NULL) {
		snprintf(err, errlen, "%s: not a readable pcap/pcapng capture "
		    "(%s: %s)", s->path, s->zin.error[0] != '\0' ?
		    zio_kind_name(s->zin.kind) : "libpcap",
		    s->zin.error[0] != '\0' ? s->zin.error : ebuf);
		fclose(s->fp);
		s->fp = NULL;
		return READER_ERR_FORMAT;
	}
	s->dlt = pcap_datalink(s->pcap);
	if (!decode_link_supported(s->dlt)) {
		const char *name = pcap_datalink_val_to_name(s->dlt);

		snprintf(err, errlen, "%s: unsupported link type %d (%s)",
		    s->path, s->dlt, name ? name : "unknown");
		return READER_ERR_LINKTYPE;
	}
	if (filter != NULL) {
		if (pcap_compile(s->pcap, &prog, filter, 1,
		    PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(err, errlen, "%s: bad filter '%s': %s",
			    s->path, filter, pcap_geterr(s->pcap));
			return READER_ERR_FILTER;
		}
		if (pcap_setfilter(s->pcap, &prog) != 0) {
			snprintf(err, errlen, "%s: cannot set filter: %s",
			    s->path, pcap_geterr(s->pcap));
			pcap_freecode(&prog);
			return READER_ERR_FILTER;
		}
		pcap_freecode(&prog);
	}
	return READER_OK;
}

/* Close what an input that failed to open left behind. */
static void
source_drop(struct source *s)
{
	if (s->pcap != NULL)
		pcap_close(s->pcap); /* also closes s->fp */
	else if (s->fp != NULL)
		fclose(s->fp);
	s->pcap = NULL;
	s->fp = NULL;
	free(s->buf);
	s->buf = NULL;
}

/* Fetch the next record of source i into its lookahead. */
static void
source_advance(struct reader *r, size_t i)
{
	struct source *s = &r->src[i];
	int rc = pcap_next_ex(s->pcap, &s->hdr, &s->data);

	if (rc == 1) {
		s->live = true;
		return;
	}
	s->live = false;
	if (rc == PCAP_ERROR)
		source_read_error(r, s);
}

/* A record of s could not be read: the rest of the input is lost. */
static void
source_read_error(struct reader *r, struct source *s)
{
	long off = s->fp != NULL ? ftell(s->fp) : -1;

	log_warn("%s: packet %llu: read error near byte offset %ld, "
	    "rest of file skipped (%s: %s)", s->path,
	    (unsigned long long)s->number + 1, off,
	    s->zin.error[0] != '\0' ? zio_kind_name(s->zin.kind) :
	    "libpcap", s->zin.error[0] != '\0' ? s->zin.error :
	    pcap_geterr(s->pcap));
	r->partial = true;
}

static bool
heap_less(const struct reader *r, size_t a, size_t b)
{
	uint64_t ta = hdr_ns(r->src[a].hdr), tb = hdr_ns(r->src[b].hdr);

	return ta < tb || (ta == tb && a < b);
}

static void
heap_down(struct reader *r, size_t pos)
{
	for (;;) {
		size_t l = 2 * pos + 1, m = pos, t;

		if (l < r->nheap && heap_less(r, r->heap[l], r->heap[m]))
			m = l;
		if (l + 1 < r->nheap && heap_less(r, r->heap[l + 1],
		    r->heap[m]))
			m = l + 1;
		if (m == pos)
			return;
		t = r->heap[m];
		r->heap[m] = r->heap[pos];
		r->heap[pos] = t;
		pos = m;
	}
}

static void
heap_up(struct reader *r, size_t pos)
{
	while (pos > 0) {
		size_t up = (pos - 1) / 2, t;

		if (!heap_less(r, r->heap[pos], r->heap[up]))
			return;
		t = r->heap[up];
		r->heap[up] = r->heap[pos];
		r->heap[pos] = t;
		pos = up;
	}
}

struct reader *
reader_open(const char *const *paths, size_t n, const char *filter,
    enum reader_error *why, char *err, size_t errlen)
{
	struct reader *r = xcalloc(1, sizeof(*r));
	size_t i, stdin_uses = 0, bufsize = TUN_READ_BUFFER;
	enum reader_error e;

	r->src = xcalloc(n ? n : 1, sizeof(*r->src));
	r->heap = xcalloc(n ? n : 1, sizeof(*r->heap));
	r->n = n;
	r->last = n;
	*why = READER_OK;
	if (n > TUN_READ_BUFFERS_TOTAL / TUN_READ_BUFFER)
		bufsize = TUN_READ_BUFFERS_TOTAL / n > TUN_READ_BUFFER_MIN ?
		    TUN_READ_BUFFERS_TOTAL / n : TUN_READ_BUFFER_MIN;
	for (i = 0; i < n; i++) {
		r->src[i].path = paths[i];
		if (strcmp(paths[i], "-") == 0 && ++stdin_uses > 1) {
			snprintf(err, errlen, "-: standard input given twice");
			e = READER_ERR_OPEN;
		} else
			e = source_open(&r->src[i], filter, bufsize, err,
			    errlen);
		if (e == READER_ERR_FILTER) {
			*why = e;
			reader_close(r);
			return NULL;
		}
		if (e != READER_OK) {
			/* Report it, skip it, go on with the others. */
			log_error("%s", err);
			r->skipped++;
			if (*why == READER_OK || e != READER_ERR_OPEN)
				*why = e;
			source_drop(&r->src[i]);
		}
	}
	for (i = 0; i < n; i++) {
		if (r->src[i].pcap == NULL)
			continue;
		source_advance(r, i);
		if (r->src[i].live) {
			r->heap[r->nheap++] = i;
			heap_up(r, r->nheap - 1);
		}
	}
	return r;
}

size_t
reader_skipped(const struct reader *r)
{
	return r->skipped;
}

int
reader_next(struct reader *r, struct reader_packet *p)
{
	struct source *s;
	size_t i;

	if (r->last < r->n) {
		/* Only now may the previous packet's bytes be released. */
		source_advance(r, r->last);
		if (!r->src[r->last].live) {
			r->heap[0] = r->heap[--r->nheap];
		}
		if (r->nheap > 0)
			heap_down(r, 0);
		r->last = r->n;
	}
	if (r->nheap == 0)
		return 0;
	i = r->heap[0];
	s = &r->src[i];
	s->number++;
	p->data = s->data;
	p->caplen = s->hdr->caplen;
	p->wirelen = s->hdr->len;
	p->ts_ns = hdr_ns(s->hdr);
	p->dlt = s->dlt;
	p->input = (uint32_t)i;
	p->number = s->number;
	r->bytes += s->hdr->caplen;
	r->last = i;
	return 1;
}

/* pcap_dispatch() callback: one record of the last live source. */
static void
run_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	const struct run_ctx *c = (const struct run_ctx *)(void *)user;
	struct source *s = &c->r->src[c->i];
	struct reader_packet p;

	s->number++;
	p.data = data;
	p.caplen = h->caplen;
	p.wirelen = h->len;
	p.ts_ns = hdr_ns(h);
	p.dlt = s->dlt;
	p.input = (uint32_t)c->i;
	p.number = s->number;
	c->r->bytes += h->caplen;
	c->fn(c->ctx, &p);
}

void
reader_run(struct reader *r, reader_fn *fn, void *ctx)
{
	struct reader_packet p;
	struct run_ctx c;
	struct source *s;

	/* Merge while two inputs are live; the last one's lookahead too. */
	for (;;) {
		if (reader_next(r, &p) != 1)
			return;
		fn(ctx, &p);
		if (r->nheap == 1)
			break;
	}
	/* Its lookahead is consumed (r->last): dispatch the rest of it. */
	c.r = r;
	c.i = r->last;
	c.fn = fn;
	c.ctx = ctx;
	s = &r->src[c.i];
	if (pcap_dispatch(s->pcap, -1, run_packet, (u_char *)&c) ==
	    PCAP_ERROR)
		source_read_error(r, s);
	s->live = false;
	r->nheap = 0;
	r->last = r->n;
}

bool
reader_partial(const struct reader *r)
{
	return r->partial;
}

uint64_t
reader_bytes(const struct reader *r)
{
	return r->bytes;
}

void
reader_close(struct reader *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		source_drop(&r->src[i]);
	free(r->src);
	free(r->heap);
	free(r);
}
