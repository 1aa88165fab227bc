/*
 * xmlw.h -- support for the nmap-compatible writers (out-xml.c, out-grep.c):
 * a tiny streaming XML writer, and the per-host view of the results that
 * both writers share (one port per (proto, port), state counts, times).
 *
 * The XML writer follows nmap's xml.h: open a start tag, add attributes,
 * close it (empty or not), end elements in order. It keeps the stack of
 * open elements itself, so callers never name the element they end. Every
 * attribute value, text node and comment is escaped here: & < > (and " '
 * in attributes) as entities, tab/newline/CR in attributes and CR in text
 * as character references (so normalisation keeps them), and every byte
 * XML 1.0 forbids (other control bytes, malformed UTF-8, U+FFFE/U+FFFF)
 * plus DEL as the visible text "\xHH". Element and attribute names are
 * trusted constants from the caller. Text is taken as UTF-8.
 *
 * The writer owns nothing but its stack; it borrows the stream. Misuse (an
 * end with nothing open, nesting deeper than XMLW_DEPTH, an attribute
 * outside a start tag) and stream errors are sticky; xmlw_finish() reports
 * them all as -1.
 */
#ifndef PORTSLEUTH_XMLW_H
#define PORTSLEUTH_XMLW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "results.h"

#define XMLW_DEPTH 16 /* nmaprun/host/ports/port/... is 5 deep */

struct xmlw {
	FILE *fp;
	const char *open[XMLW_DEPTH]; /* names of the open elements */
	size_t depth;
	bool in_tag; /* "<name ..." written, '>' not yet */
	bool bad;    /* misuse seen */
};

void xmlw_init(struct xmlw *w, FILE *fp);
/* Trusted markup as is (DOCTYPE, processing instructions). */
void xmlw_raw(struct xmlw *w, const char *s);
void xmlw_newline(struct xmlw *w);
/* "<name"; attributes follow, then xmlw_close_start or _close_empty. */
void xmlw_open_start(struct xmlw *w, const char *name);
void xmlw_attr(struct xmlw *w, const char *name, const char *value);
void xmlw_attrf(struct xmlw *w, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void xmlw_close_start(struct xmlw *w);             /* ">", element stays open */
void xmlw_close_empty(struct xmlw *w);             /* "/>" */
void xmlw_start(struct xmlw *w, const char *name); /* "<name>" */
void xmlw_end(struct xmlw *w);                     /* "</innermost>" */
void xmlw_text(struct xmlw *w, const char *s);
/*
 * "<!-- s -->", escaped like text and with "--" broken up as nmap does
 * ("-&#45;"); both stay literal there, but the comment is well-formed.
 */
void xmlw_comment(struct xmlw *w, const char *s);
/* 0 when every element was ended and nothing failed, else -1. */
int xmlw_finish(struct xmlw *w);

/*
 * The nmap view of one host. Rows are in results_sort() order; several
 * scanners probing one (host, proto, port) give several rows, and nmap
 * has one port there: xmlw_pick() chooses the row that got a reply, else
 * the first (lowest scanner address). Rows that are neither tcp nor udp
 * have no place in nmap output and are skipped.
 */
struct xmlw_host {
	size_t lo, hi;                  /* rows [lo, hi) are this host's */
	size_t nports;                  /* distinct tcp/udp ports */
	uint32_t nstate[PS_COUNT];      /* distinct ports per state */
	uint64_t first_ns, last_ns;     /* first probe .. last reply */
	size_t nrtt;                    /* rows with an RTT */
	double rtt_mean_ms, rtt_dev_ms; /* their mean and mean deviation */
};

void xmlw_host_scan(const struct results *res, size_t lo, struct xmlw_host *h);
/*
 * The row standing for the port whose first row is i (i < h->hi), or
 * (size_t)-1 for a skipped protocol; *next is the first row of the next
 * port.
 */
size_t xmlw_pick(const struct results *res, const struct xmlw_host *h, size_t i,
    size_t *next);
/* A valid state index for a row's state byte. */
unsigned xmlw_state(uint8_t s);

/* ctime(3) text as nmap prints it, "Sun Nov  1 14:39:54 2026", in UTC. */
#define XMLW_TIME_BUF 32
void xmlw_ctime(uint64_t ns, char buf[XMLW_TIME_BUF]);

#endif
