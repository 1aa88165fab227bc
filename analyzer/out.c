/*
 * out.c -- the table of output writers, the JSON string escaper that
 * every JSON-producing writer shares, and the hand formatting of the
 * per-row fields (numbers, times, addresses, vocabulary names).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <time.h>

#include "out.h"


const struct out_ops *const out_formats[] = {
	&out_text_ops,
	&out_csv_ops,
	&out_json_ops,
	&out_xml_ops,
	&out_grep_ops,
	NULL,
};

const struct out_ops *
out_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; out_formats[i] != NULL; i++)
		if (strcmp(out_formats[i]->name, name) == 0)
			return out_formats[i];
	return NULL;
}

/*
 * Length of the well-formed UTF-8 sequence at p (RFC 3629 section 4: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0. The string
 * is NUL-terminated and NUL is never a continuation byte, so this never
 * reads past the end.
 */
size_t
out_utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* Bytes JSON strings carry as they are: printable ASCII but " and \. */
static bool
json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/*
 * The escape of the byte at p (a control byte, '"', '\\' or a byte that
 * does not start well-formed UTF-8) into esc, or the length of the
 * well-formed UTF-8 sequence there (*n, esc unused). Returns the escape's
 * length, 0 for a UTF-8 sequence.
 */
static size_t
json_escape(const unsigned char *p, char esc[8], size_t *n)
{
	static const char hex[] = "0123456789abcdef";

	*n = 1;
	switch (*p) {
	case '"':
	case '\\':
		esc[0] = '\\';
		esc[1] = (char)*p;
		return 2;
	case '\b':
		memcpy(esc, "\\b", 2);
		return 2;
	case '\f':
		memcpy(esc, "\\f", 2);
		return 2;
	case '\n':
		memcpy(esc, "\\n", 2);
		return 2;
	case '\r':
		memcpy(esc, "\\r", 2);
		return 2;
	case '\t':
		memcpy(esc, "\\t", 2);
		return 2;
	default:
		break;
	}
	if (*p >= 0x80 && (*n = out_utf8_len(p)) > 0)
		return 0;
	*n = 1;
	memcpy(esc, "\\u00", 4);
	esc[4] = hex[*p >> 4];
	esc[5] = hex[*p & 15];
	return 6;
}

/*
 * RFC 8259 section 7. Control bytes get the short escapes where JSON has
 * them and \u00XX otherwise; a byte that does not start well-formed UTF-8
 * is taken as Latin-1 (\u00XX), so any input yields valid JSON. NULL is
 * written as null.
 */
int
out_json_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *q;
	char esc[8];
	size_t n, e;

	if (s == NULL)
		return fputs("null", fp) == EOF ? -1 : 0;
	if (putc('"', fp) == EOF)
		return -1;
	while (*p != '\0') {
		for (q = p; json_plain(*q); q++)
			;
		if (q > p) {
			fwrite(p, 1, (size_t)(q - p), fp);
			p = q;
			continue;
		}
		e = json_escape(p, esc, &n);
		if (e > 0)
			fwrite(esc, 1, e, fp);
		else
			fwrite(p, 1, n, fp);
		p += n;
	}
	if (putc('"', fp) == EOF || ferror(fp))
		return -1;
	return 0;
}

void
out_buf_json(struct out_buf *ob, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *q;
	char esc[8];
	size_t n, e;

	if (s == NULL) {
		out_buf_put(ob, "null", 4);
		return;
	}
	out_buf_putc(ob, '"');
	while (*p != '\0') {
		for (q = p; json_plain(*q); q++)
			;
		if (q > p) {
			out_buf_put(ob, p, (size_t)(q - p));
			p = q;
			continue;
		}
		e = json_escape(p, esc, &n);
		if (e > 0)
			out_buf_put(ob, esc, e);
		else
			out_buf_put(ob, p, n);
		p += n;
	}
	out_buf_putc(ob, '"');
}

static void fmt_date(char *p, uint64_t day);
static void fmt_second(char *p, uint64_t s);
static char *fmt_time_miss(char *p, uint64_t ns) __attribute__((noinline));
static char *put2(char *p, unsigned v);
static char *fmt_small(char *p, unsigned v);
static char *fmt_ms3_printf(char *p, double ms) __attribute__((noinline));
static char *fmt_u64_long(char *p, uint64_t v) __attribute__((noinline));
struct name_text;
struct name_tables;
static void name_set(struct name_text *t, const char *s);
static const struct name_tables *name_tables(void);
static char *put_name(char *p, const struct name_text *t);
enum name_vocab;
static char *fmt_name_slow(char *p, enum name_vocab voc, unsigned v)
    __attribute__((noinline));
struct addr_text;
static bool same_addr(const struct addr *a, const struct addr *b);
static struct addr_text *addr_slot(const struct addr *a);
static const struct addr_text *addr_cached(const struct addr *a);
static char *fmt_addr_miss(char *p, const struct addr *a)
    __attribute__((noinline));
static void addr_fill(struct addr_text *t, const struct addr *a)
    __attribute__((noinline));

/* "00".."99": two digits a lookup, not two divisions. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324"
    "25262728293031323334353637383940414243444546474849"
    "50515253545556575859606162636465666768697071727374"
    "75767778798081828384858687888990919293949596979899";

/* Two digits of v < 100. */
static char *
put2(char *p, unsigned v)
{
	memcpy(p, digit_pairs + 2 * v, 2);
	return p + 2;
}

/*
 * strcpy without the NUL. The strings written per row are short names,
 * so a byte loop beats strlen() plus memcpy() calls.
 */
char *
out_fmt_str(char *p, const char *s)
{
	while (*s != '\0')
		*p++ = *s++;
	return p;
}

/* Decimal digits of v < 10000 (1 to 4 of them). */
static char *
fmt_small(char *p, unsigned v)
{
	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	if (v < 100)
		return put2(p, v);
	if (v < 1000) {
		*p = (char)('0' + v / 100);
		return put2(p + 1, v % 100);
	}
	return put2(put2(p, v / 100), v % 100);
}

/* A vocabulary name, its length and a fixed-size copy (when it fits). */
struct name_text {
	const char *full;
	uint8_t n;		/* > OUT_NAME_MAX: too long to copy */
	char s[OUT_NAME_MAX];
};

/* The vocabularies' names, copied once per thread (no locking). */
struct name_tables {
	bool ready;
	struct name_text state[PS_COUNT], reason[RS_COUNT], kind[PK_COUNT];
};

static _Thread_local struct name_tables name_tabs;

static void
name_set(struct name_text *t, const char *s)
{
	size_t n = strlen(s);

	t->full = s;
	t->n = n <= OUT_NAME_MAX ? (uint8_t)n : UINT8_MAX;
	if (n <= OUT_NAME_MAX)
		memcpy(t->s, s, n);
}

static const struct name_tables *
name_tables(void)
{
	unsigned i;

	if (name_tabs.ready)
		return &name_tabs;
	for (i = 0; i < PS_COUNT; i++)
		name_set(&name_tabs.state[i], port_state_name(i));
	for (i = 0; i < RS_COUNT; i++)
		name_set(&name_tabs.reason[i], reason_name(i));
	for (i = 0; i < PK_COUNT; i++)
		name_set(&name_tabs.kind[i], probe_kind_name(i));
	name_tabs.ready = true;
	return &name_tabs;
}

/* t's name at p: a fixed-size copy, or the whole name when it is long. */
static char *
put_name(char *p, const struct name_text *t)
{
	if (t->n > OUT_NAME_MAX)
		return out_fmt_str(p, t->full);
	memcpy(p, t->s, OUT_NAME_MAX);
	return p + t->n;
}

/* The vocabularies out_fmt_name_slow() serves. */
enum name_vocab { NV_STATE, NV_REASON, NV_KIND };

/*
 * The formatters' slow path, kept out of line so that their fast path
 * saves no registers: the tables are not built yet (the thread's first
 * name), or the value is out of range.
 */
static char *
fmt_name_slow(char *p, enum name_vocab voc, unsigned v)
{
	const struct name_tables *t = name_tables();

	switch (voc) {
	case NV_STATE:
		return v < PS_COUNT ? put_name(p, &t->state[v]) :
		    out_fmt_str(p, port_state_name(v));
	case NV_REASON:
		return v < RS_COUNT ? put_name(p, &t->reason[v]) :
		    out_fmt_str(p, reason_name(v));
	case NV_KIND:
	default:
		return v < PK_COUNT ? put_name(p, &t->kind[v]) :
		    out_fmt_str(p, probe_kind_name(v));
	}
}

char *
out_fmt_state(char *p, unsigned state)
{
	if (state < PS_COUNT && name_tabs.ready)
		return put_name(p, &name_tabs.state[state]);
	return fmt_name_slow(p, NV_STATE, state);
}

char *
out_fmt_reason(char *p, unsigned reason)
{
	if (reason < RS_COUNT && name_tabs.ready)
		return put_name(p, &name_tabs.reason[reason]);
	return fmt_name_slow(p, NV_REASON, reason);
}

char *
out_fmt_kind(char *p, unsigned kind)
{
	if (kind < PK_COUNT && name_tabs.ready)
		return put_name(p, &name_tabs.kind[kind]);
	return fmt_name_slow(p, NV_KIND, kind);
}

char *
out_fmt_proto(char *p, uint8_t proto)
{
	if (proto != 6 && proto != 17)
		return out_fmt_str(p, out_proto_name(proto));
	memcpy(p, proto == 6 ? "tcp" : "udp", 4);
	return p + 3;
}

/* Decimal digits of v >= 100000 (out of line: the short cases stay lean). */
static char *
fmt_u64_long(char *p, uint64_t v)
{
	char tmp[20], *t = tmp + sizeof(tmp);
	size_t n;

	while (v >= 100) {
		t -= 2;
		memcpy(t, digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		t -= 2;
		memcpy(t, digit_pairs + 2 * v, 2);
	} else
		*--t = (char)('0' + v);
	n = (size_t)(tmp + sizeof(tmp) - t);
	memcpy(p, t, n);
	return p + n;
}

char *
out_fmt_u64(char *p, uint64_t v)
{
	if (v < 10000)
		return fmt_small(p, (unsigned)v);
	if (v < 100000) {	/* port numbers: no loop, no memcpy() call */
		*p = (char)('0' + v / 10000);
		return put2(put2(p + 1, (unsigned)(v / 100 % 100)),
		    (unsigned)(v % 100));
	}
	return fmt_u64_long(p, v);
}

/* "YYYY-MM-DDTHH:MM:SS." (20 bytes) of second s. */
static void
fmt_second(char *p, uint64_t s)
{
	/* A run spans few days: remember the last one's text. */
	static _Thread_local uint64_t last_day = UINT64_MAX;
	static _Thread_local char date[11]; /* "YYYY-MM-DDT" */
	uint64_t day = s / 86400u;
	unsigned sod = (unsigned)(s - day * 86400u);

	if (day != last_day) {
		fmt_date(date, day);
		last_day = day;
	}
	memcpy(p, date, sizeof(date));
	put2(p + 11, sod / 3600);
	p[13] = ':';
	put2(p + 14, sod / 60 % 60);
	p[16] = ':';
	put2(p + 17, sod % 60);
	p[19] = '.';
}

/*
 * A run's rows span a few seconds to hours, and a row's two times mostly
 * share their second: the text of recent seconds is kept in a small
 * direct-mapped cache, by the second's low bits.
 */
#define SECOND_CACHE 64		/* slots, a power of two */

struct second_text {
	uint64_t key;		/* second + 1; 0: empty */
	char s[20];
};

static _Thread_local struct second_text second_cache[SECOND_CACHE];

/* out_fmt_time() of a second not cached: cache it, then format. */
static char *
fmt_time_miss(char *p, uint64_t ns)
{
	uint64_t s = ns / 1000000000u;
	struct second_text *t = &second_cache[s & (SECOND_CACHE - 1)];

	fmt_second(t->s, s);
	t->key = s + 1;
	return out_fmt_time(p, ns);
}

char *
out_fmt_time(char *p, uint64_t ns)
{
	uint64_t s = ns / 1000000000u;
	unsigned us = (unsigned)(ns - s * 1000000000u) / 1000u;
	const struct second_text *t = &second_cache[s & (SECOND_CACHE - 1)];

	if (t->key != s + 1)	/* a tail call: no registers to save here */
		return fmt_time_miss(p, ns);
	memcpy(p, t->s, 20);
	put2(p + 20, us / 10000);
	put2(p + 22, us / 100 % 100);
	put2(p + 24, us % 100);
	p[26] = 'Z';
	return p + 27;
}

/*
 * "YYYY-MM-DDT" (11 bytes) of a day since 1970-01-01: the civil date (H.
 * Hinnant's civil_from_days, proleptic Gregorian, as gmtime() computes it).
 * 64-bit nanoseconds end in 2554, so the year always has four digits.
 */
static void
fmt_date(char *p, uint64_t day)
{
	uint64_t z = day + 719468u;
	uint64_t era = z / 146097u;
	unsigned doe = (unsigned)(z - era * 146097u);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	unsigned y = (unsigned)(era * 400u) + yoe + (m <= 2);

	p = put2(p, y / 100);
	p = put2(p, y % 100);
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p = 'T';
}

void
out_iso_time(uint64_t ns, char *buf, size_t len)
{
	char t[OUT_ISO_BUF], *e = out_fmt_time(t, ns);
	size_t n = (size_t)(e - t);

	if (len < n + 1) {
		snprintf(buf, len, "?");
		return;
	}
	memcpy(buf, t, n);
	buf[n] = '\0';
}

/* Dotted quad, as inet_ntop() writes it. */
static char *
fmt_v4(char *p, const uint8_t b[4])
{
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = b[i];

		if (i > 0)
			*p++ = '.';
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
	}
	return p;
}

/*
 * Rows repeat a few addresses (their host, a handful of scanners): their
 * text is kept in a small direct-mapped cache, by a hash of the address.
 */
#define ADDR_CACHE 64		/* slots, a power of two */

struct addr_text {
	struct addr a;
	bool valid;
	uint8_t len;
	char s[ADDR_STRLEN];
};

static _Thread_local struct addr_text addr_cache[ADDR_CACHE];

/* a == b, as two 8-byte compares (memcpy: no alignment assumed). */
static bool
same_addr(const struct addr *a, const struct addr *b)
{
	uint64_t x[2], y[2];

	memcpy(x, a->b, 16);
	memcpy(y, b->b, 16);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* The cache slot of a's text (filled or not). */
static struct addr_text *
addr_slot(const struct addr *a)
{
	uint64_t x[2];

	memcpy(x, a->b, 16);
	x[0] = (x[0] ^ x[1]) * 0x9e3779b97f4a7c15ull;
	return &addr_cache[(x[0] >> 58) & (ADDR_CACHE - 1)];
}

static const struct addr_text *
addr_cached(const struct addr *a)
{
	struct addr_text *t = addr_slot(a);

	if (!t->valid || !same_addr(&t->a, a))
		addr_fill(t, a);
	return t;
}

/* Slot t of the cache, given address a and its text (out of line: rare). */
static void
addr_fill(struct addr_text *t, const struct addr *a)
{
	char *e;

	if (addr_is_v4(a))
		e = fmt_v4(t->s, a->b + 12);
	else
		e = t->s + strlen(addr_str(a, t->s));
	*e = '\0';
	t->a = *a;
	t->len = (uint8_t)(e - t->s);
	t->valid = true;
}

/* out_fmt_addr() of an address not cached: cache it, then format. */
static char *
fmt_addr_miss(char *p, const struct addr *a)
{
	addr_cached(a);
	return out_fmt_addr(p, a);
}

char *
out_fmt_addr(char *p, const struct addr *a)
{
	const struct addr_text *t = addr_slot(a);

	if (!t->valid || !same_addr(&t->a, a))	/* a tail call, as above */
		return fmt_addr_miss(p, a);

	if (t->len <= 16)	/* IPv4: one fixed-size copy */
		memcpy(p, t->s, 16);
	else
		memcpy(p, t->s, t->len);
	return p + t->len;
}

const char *
out_addr(const struct addr *a, char buf[ADDR_STRLEN])
{
	const struct addr_text *t = addr_cached(a);

	memcpy(buf, t->s, (size_t)t->len + 1);
	return buf;
}

/*
 * "%.3f": RTTs are whole microseconds, so ms * 1000 is an integer up to
 * rounding error and the three decimals are exact; anything near a
 * rounding boundary goes through snprintf().
 */
/* "%.3f" through snprintf() (out of line: near a rounding boundary). */
static char *
fmt_ms3_printf(char *p, double ms)
{
	return p + snprintf(p, 32, "%.3f", ms);
}

char *
out_fmt_ms3(char *p, double ms)
{
	double x = ms * 1000.0;
	uint64_t u;
	double frac;
	unsigned k;

	if (!(x < 9e15))
		return fmt_ms3_printf(p, ms);
	u = (uint64_t)(x + 0.5);
	frac = x - (double)u;
	if (!(frac > -0.25 && frac < 0.25))
		return fmt_ms3_printf(p, ms);
	p = out_fmt_u64(p, u / 1000);
	k = (unsigned)(u % 1000);
	p[0] = '.';
	p[1] = (char)('0' + k / 100);
	put2(p + 2, k % 100);
	return p + 4;
}

void
out_buf_init(struct out_buf *ob, FILE *fp)
{
	ob->fp = fp;
	ob->p = ob->b;
	ob->error = false;
}

int
out_buf_flush(struct out_buf *ob)
{
	size_t n = (size_t)(ob->p - ob->b);

	if (n > 0 && !ob->error && fwrite(ob->b, 1, n, ob->fp) != n)
		ob->error = true;
	ob->p = ob->b;
	if (ferror(ob->fp))
		ob->error = true;
	return ob->error ? -1 : 0;
}

void
out_buf_put(struct out_buf *ob, const void *s, size_t n)
{
	if ((size_t)(ob->b + OUT_BUF_SIZE - ob->p) < n) {
		out_buf_flush(ob);
		if (n > OUT_BUF_SIZE / 2) {
			if (!ob->error && fwrite(s, 1, n, ob->fp) != n)
				ob->error = true;
			return;
		}
	}
	memcpy(ob->p, s, n);
	ob->p += n;
}

const char *
out_proto_name(uint8_t proto)
{
	return proto == 6 ? "tcp" : proto == 17 ? "udp" : "unknown";
}

const char *
out_severity_name(uint8_t sev)
{
	static const char *const names[] = { "info", "low", "medium", "high" };

	return sev < 4 ? names[sev] : "unknown";
}

int
out_reason_group_cmp(const void *a, const void *b)
{
	const struct out_reason_group *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return (x->reason > y->reason) - (x->reason < y->reason);
}
