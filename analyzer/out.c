/*
 * out.c -- the table of output writers and the JSON string escaper that
 * every JSON-producing writer shares.
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

/*
 * RFC 8259 section 7. Control bytes get the short escapes where JSON has
 * them and \u00XX otherwise; a byte that does not start well-formed UTF-8
 * is taken as Latin-1 (\u00XX), so any input yields valid JSON. NULL is
 * written as null.
 */
int
out_json_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (s == NULL)
		return fputs("null", fp) == EOF ? -1 : 0;
	if (putc('"', fp) == EOF)
		return -1;
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			putc('\\', fp);
			putc(*p, fp);
		} else if (*p == '\b') {
			fputs("\\b", fp);
		} else if (*p == '\f') {
			fputs("\\f", fp);
		} else if (*p == '\n') {
			fputs("\\n", fp);
		} else if (*p == '\r') {
			fputs("\\r", fp);
		} else if (*p == '\t') {
			fputs("\\t", fp);
		} else if (*p < 0x20) {
			fprintf(fp, "\\u%04x", *p);
		} else if (*p < 0x80) {
			putc(*p, fp);
		} else if ((n = out_utf8_len(p)) > 0) {
			fwrite(p, 1, n, fp);
			p += n;
			continue;
		} else {
			fprintf(fp, "\\u%04x", *p);
		}
		p++;
	}
	if (putc('"', fp) == EOF || ferror(fp))
		return -1;
	return 0;
}

void
out_iso_time(uint64_t ns, char *buf, size_t len)
{
	/* Rows come in bursts of the same second: format it once. */
	static _Thread_local time_t last = (time_t)-1;
	static _Thread_local char head[OUT_ISO_BUF];
	static _Thread_local size_t hlen;
	time_t t = (time_t)(ns / 1000000000u);
	unsigned us = (unsigned)(ns % 1000000000u / 1000u);
	struct tm tm;
	int i;

	if (t != last) {
		if (gmtime_r(&t, &tm) == NULL ||
		    (hlen = strftime(head, sizeof(head), "%Y-%m-%dT%H:%M:%S",
		    &tm)) == 0) {
			snprintf(buf, len, "?");
			last = (time_t)-1;
			return;
		}
		last = t;
	}
	if (len < hlen + 9) {
		snprintf(buf, len, "?");
		return;
	}
	memcpy(buf, head, hlen);
	buf[hlen] = '.';
	for (i = 6; i >= 1; i--) {
		buf[hlen + (size_t)i] = (char)('0' + us % 10);
		us /= 10;
	}
	buf[hlen + 7] = 'Z';
	buf[hlen + 8] = '\0';
}

const char *
out_addr(const struct addr *a, char buf[ADDR_STRLEN])
{
	/* Rows alternate between a few addresses: remember the last two. */
	static _Thread_local struct addr seen[2];
	static _Thread_local char text[2][ADDR_STRLEN];
	static _Thread_local int valid[2], next;
	int i;

	for (i = 0; i < 2; i++)
		if (valid[i] && addr_eq(&seen[i], a)) {
			memcpy(buf, text[i], ADDR_STRLEN);
			return buf;
		}
	addr_str(a, text[next]);
	seen[next] = *a;
	valid[next] = 1;
	memcpy(buf, text[next], ADDR_STRLEN);
	next ^= 1;
	return buf;
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
