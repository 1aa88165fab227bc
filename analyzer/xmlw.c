/*
 * xmlw.c -- streaming XML writer (nmap xml.h style) and the per-host view
 * shared by the nmap-compatible writers. See xmlw.h for the contract.
 *
 * Escaping follows XML 1.0 (5th ed.) section 2.2, production [2] Char:
 * #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
 * Input is taken as UTF-8 (RFC 3629 section 4); anything else is written
 * as the visible text "\xHH" instead of being dropped, so a finding message
 * with a stray byte still shows where it was.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmalloc.h"
#include "out.h"
#include "xmlw.h"

enum esc_mode {
	ESC_ATTR,    /* attribute value in double quotes */
	ESC_TEXT,    /* character data */
	ESC_COMMENT, /* inside <!-- --> */
};

static size_t utf8_xml_len(const unsigned char *p);
static void escape(FILE *fp, const char *s, enum esc_mode mode);
static bool replied(const struct port_row *r);

void
xmlw_init(struct xmlw *w, FILE *fp)
{
	memset(w, 0, sizeof(*w));
	w->fp = fp;
}

/*
 * Length of the well-formed UTF-8 sequence at p that is also an XML Char,
 * or 0: U+FFFE and U+FFFF (EF BF BE/BF) are not Chars.
 */
static size_t
utf8_xml_len(const unsigned char *p)
{
	size_t n = out_utf8_len(p);

	if (n == 3 && p[0] == 0xef && p[1] == 0xbf &&
	    (p[2] == 0xbe || p[2] == 0xbf))
		return 0;
	return n;
}

static void
escape(FILE *fp, const char *s, enum esc_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	bool dash = false; /* last byte written to a comment was '-' */
	size_t n;

	for (; p != NULL && *p != '\0'; p++) {
		if (mode == ESC_COMMENT && *p == '-') {
			/* "--" may not occur in a comment (section 2.5). */
			fputs(dash ? "&#45;" : "-", fp);
			dash = !dash;
			continue;
		}
		dash = false;
		/*
		 * Comments take no references, but nmap escapes these there
		 * too, and tag scanners (baseline.c) never see a stray '>'.
		 */
		if (*p == '&')
			fputs("&amp;", fp);
		else if (*p == '<')
			fputs("&lt;", fp);
		else if (*p == '>')
			fputs("&gt;", fp);
		else if (mode == ESC_ATTR && *p == '"')
			fputs("&quot;", fp);
		else if (mode == ESC_ATTR && *p == '\'')
			fputs("&apos;", fp);
		else if (*p == '\r' && mode != ESC_COMMENT)
			fputs("&#13;", fp); /* else read back as \n (2.11) */
		else if ((*p == '\t' || *p == '\n') && mode == ESC_ATTR)
			fprintf(fp, "&#%u;", *p); /* else read back as ' ' */
		else if (*p == '\t' || *p == '\n' || *p == '\r')
			putc(*p, fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02X", *p);
		else if (*p < 0x80)
			putc(*p, fp);
		else if ((n = utf8_xml_len(p)) > 0) {
			fwrite(p, 1, n, fp);
			p += n - 1;
		} else
			fprintf(fp, "\\x%02X", *p);
	}
}

void
xmlw_raw(struct xmlw *w, const char *s)
{
	if (w->in_tag)
		w->bad = true;
	fputs(s, w->fp);
}

void
xmlw_newline(struct xmlw *w)
{
	if (w->in_tag)
		w->bad = true;
	putc('\n', w->fp);
}

void
xmlw_open_start(struct xmlw *w, const char *name)
{
	if (w->in_tag || w->depth >= XMLW_DEPTH) {
		w->bad = true;
		return;
	}
	fprintf(w->fp, "<%s", name);
	w->open[w->depth++] = name;
	w->in_tag = true;
}

void
xmlw_attr(struct xmlw *w, const char *name, const char *value)
{
	if (!w->in_tag) {
		w->bad = true;
		return;
	}
	fprintf(w->fp, " %s=\"", name);
	escape(w->fp, value != NULL ? value : "", ESC_ATTR);
	putc('"', w->fp);
}

void
xmlw_attrf(struct xmlw *w, const char *name, const char *fmt, ...)
{
	char small[128], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->bad = true;
		return;
	}
	if ((size_t)n >= sizeof(small)) {
		big = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	xmlw_attr(w, name, big != NULL ? big : small);
	free(big);
}

void
xmlw_close_start(struct xmlw *w)
{
	if (!w->in_tag) {
		w->bad = true;
		return;
	}
	putc('>', w->fp);
	w->in_tag = false;
}

void
xmlw_close_empty(struct xmlw *w)
{
	if (!w->in_tag) {
		w->bad = true;
		return;
	}
	fputs("/>", w->fp);
	w->in_tag = false;
	w->depth--;
}

void
xmlw_start(struct xmlw *w, const char *name)
{
	xmlw_open_start(w, name);
	xmlw_close_start(w);
}

void
xmlw_end(struct xmlw *w)
{
	if (w->in_tag || w->depth == 0) {
		w->bad = true;
		return;
	}
	fprintf(w->fp, "</%s>", w->open[--w->depth]);
}

void
xmlw_text(struct xmlw *w, const char *s)
{
	if (w->in_tag || w->depth == 0) {
		w->bad = true;
		return;
	}
	escape(w->fp, s, ESC_TEXT);
}

void
xmlw_comment(struct xmlw *w, const char *s)
{
	if (w->in_tag) {
		w->bad = true;
		return;
	}
	fputs("<!-- ", w->fp);
	escape(w->fp, s, ESC_COMMENT);
	fputs(" -->", w->fp);
}

int
xmlw_finish(struct xmlw *w)
{
	if (w->in_tag || w->depth != 0)
		w->bad = true;
	if (fflush(w->fp) == EOF || ferror(w->fp))
		return -1;
	return w->bad ? -1 : 0;
}

unsigned
xmlw_state(uint8_t s)
{
	return s < PS_COUNT ? s : PS_UNKNOWN;
}

/* The row's verdict rests on an answer, not on silence. */
static bool
replied(const struct port_row *r)
{
	return r->responses > 0 && r->reason != RS_NO_RESPONSE;
}

size_t
xmlw_pick(const struct results *res, const struct xmlw_host *h, size_t i,
    size_t *next)
{
	const struct port_row *a = &res->rows[i];
	size_t j, pick = i;

	for (j = i; j < h->hi; j++) {
		const struct port_row *b = &res->rows[j];

		if (b->proto != a->proto || b->port != a->port)
			break;
		if (!replied(&res->rows[pick]) && replied(b))
			pick = j;
	}
	*next = j;
	if (a->proto != 6 && a->proto != 17)
		return (size_t)-1;
	return pick;
}

void
xmlw_host_scan(const struct results *res, size_t lo, struct xmlw_host *h)
{
	const struct port_row *r;
	double sum = 0, dev = 0, d;
	size_t i, next, k;

	memset(h, 0, sizeof(*h));
	h->lo = lo;
	h->first_ns = UINT64_MAX;
	for (i = lo; i < res->nrows; i++) {
		r = &res->rows[i];
		if (!addr_eq(&r->host, &res->rows[lo].host))
			break;
		if (r->first_ns < h->first_ns)
			h->first_ns = r->first_ns;
		if (r->last_ns > h->last_ns)
			h->last_ns = r->last_ns;
		if (r->rtt_ms >= 0 && r->rtt_ms < 1e9) {
			sum += r->rtt_ms;
			h->nrtt++;
		}
	}
	h->hi = i;
	if (h->first_ns > h->last_ns)
		h->first_ns = h->last_ns;
	for (i = lo; i < h->hi; i = next) {
		k = xmlw_pick(res, h, i, &next);
		if (k == (size_t)-1)
			continue;
		h->nports++;
		h->nstate[xmlw_state(res->rows[k].state)]++;
	}
	if (h->nrtt == 0)
		return;
	h->rtt_mean_ms = sum / (double)h->nrtt;
	for (i = lo; i < h->hi; i++) {
		r = &res->rows[i];
		if (r->rtt_ms >= 0 && r->rtt_ms < 1e9) {
			d = r->rtt_ms - h->rtt_mean_ms;
			dev += d < 0 ? -d : d;
		}
	}
	h->rtt_dev_ms = dev / (double)h->nrtt;
}

/*
 * ctime(3) layout like nmap (n_ctime), but UTC and fixed English names
 * keep the output independent of TZ and the locale.
 */
void
xmlw_ctime(uint64_t ns, char buf[XMLW_TIME_BUF])
{
	static const char *const day[7] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const mon[12] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11) {
		snprintf(buf, XMLW_TIME_BUF, "?");
		return;
	}
	snprintf(buf, XMLW_TIME_BUF, "%s %s %2d %02d:%02d:%02d %d",
	    day[tm.tm_wday], mon[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, tm.tm_year + 1900);
}
