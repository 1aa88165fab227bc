/*
 * out.h -- output writers. One file per format (out-text.c, out-csv.c,
 * out-json.c, out-xml.c, out-grep.c), each exporting a const struct out_ops; out.c keeps the table
 * and picks one by name. Adding a format is one new file and one table row.
 *
 * Writers read the results (const) and write them to a stdio stream. They
 * return 0, or -1 when a write failed (errno set); the caller reports it.
 */
#ifndef PORTSLEUTH_OUT_H
#define PORTSLEUTH_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "results.h"

struct out_opts {
	int verbose;		/* text: 0 collapse like nmap, >0 show all ports */
	const char *input_label; /* --per-file: the capture this report is of;
				   writers label their output with it */
	bool continued;		/* not the first report of the run: no
				   headers again (CSV) */
};

struct out_ops {
	const char *name;	/* "text", "csv", "json" */
	const char *desc;	/* one line for --help */
	int (*write)(FILE *fp, const struct results *res,
	    const struct out_opts *opts);
};

extern const struct out_ops out_text_ops;
extern const struct out_ops out_csv_ops;
extern const struct out_ops out_json_ops;
extern const struct out_ops out_xml_ops;
extern const struct out_ops out_grep_ops;

/*
 * --findings FILE: one CSV row per finding (libcsv quoting), after a header
 * when `header`; with a label (--per-file), a last "capture" column.
 */
int out_csv_findings(FILE *fp, const struct results *res, const char *label,
    bool header);

/*
 * The CSV "kinds" ("syn=open/syn-ack;xmas=closed/reset") and "findings"
 * ("silent-drop;icmp-reject") texts of a row, also stored by db.c.
 */
#define OUT_KINDS_BUF 1024 /* PK_COUNT x "tcp-other=closed|filtered/..." */
void out_kinds_text(const struct port_row *r, char *buf, size_t len);
void out_flags_text(const struct port_row *r, char *buf, size_t len);

/* --summary: the run summary as text lines. */
int out_summary_text(FILE *fp, const struct run_summary *s);

/* Writer by name, or NULL. */
const struct out_ops *out_find(const char *name);
/* NULL-terminated table of all writers. */
extern const struct out_ops *const out_formats[];

/* JSON string escaping shared by writers: writes "..." with escapes. */
int out_json_string(FILE *fp, const char *s);

/*
 * Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. p is NUL-terminated.
 */
size_t out_utf8_len(const unsigned char *p);

/* Longest out_iso_time() text plus NUL. */
#define OUT_ISO_BUF 40

/* Capture time (ns since the epoch) as UTC ISO 8601 with microseconds. */
void out_iso_time(uint64_t ns, char *buf, size_t len);

/* addr_str() with a small per-thread cache (rows repeat addresses). */
const char *out_addr(const struct addr *a, char buf[ADDR_STRLEN]);

/*
 * Hand formatting for the writers' per-row fields (no printf per field).
 * Each writes at p, without a NUL, and returns the end of what it wrote;
 * the text is the same as the printf/strftime/inet_ntop forms they replace.
 */
char *out_fmt_u64(char *p, uint64_t v);			/* "%llu" */
char *out_fmt_str(char *p, const char *s);		/* strcpy, no NUL */
char *out_fmt_time(char *p, uint64_t ns);		/* out_iso_time() */
/*
 * out_addr(). May write scratch bytes past the end it returns: needs
 * ADDR_STRLEN bytes of room at p.
 */
char *out_fmt_addr(char *p, const struct addr *a);

/*
 * port_state_name(), reason_name(), probe_kind_name(), out_proto_name()
 * without strlen(). They may write scratch bytes past the end they
 * return: each needs OUT_NAME_MAX bytes of room at p (a longer name, or
 * a value out of range, is copied exactly).
 */
#define OUT_NAME_MAX 24
char *out_fmt_state(char *p, unsigned state);
char *out_fmt_reason(char *p, unsigned reason);
char *out_fmt_kind(char *p, unsigned kind);
char *out_fmt_proto(char *p, uint8_t proto);
/* "%.3f" of ms, 0 <= ms < 1e12 (at most 17 bytes). */
char *out_fmt_ms3(char *p, double ms);

/*
 * A writer's output buffer: rows are formatted into it by hand and reach
 * the stream in large fwrite() calls, not in a stdio call per field.
 * Whatever goes to the stream directly (libcsv quoting) must come after
 * out_buf_flush(). Heap-allocate it (64 KiB); nothing to free inside.
 */
#define OUT_BUF_SIZE 65536u
#define OUT_BUF_ROOM 2048u	/* out_buf_room() never asks for more */

struct out_buf {
	FILE *fp;
	char *p;		/* next free byte of b */
	bool error;		/* a write to fp failed */
	char b[OUT_BUF_SIZE];
};

void out_buf_init(struct out_buf *ob, FILE *fp);
/* Write out what is pending; -1 once any write failed. */
int out_buf_flush(struct out_buf *ob);
/* Append n bytes of any length. */
void out_buf_put(struct out_buf *ob, const void *s, size_t n);

/* At least n (<= OUT_BUF_ROOM) free bytes at the returned ob->p. */
static inline char *
out_buf_room(struct out_buf *ob, size_t n)
{
	if ((size_t)(ob->b + OUT_BUF_SIZE - ob->p) < n)
		out_buf_flush(ob);
	return ob->p;
}

static inline void
out_buf_puts(struct out_buf *ob, const char *s)
{
	out_buf_put(ob, s, strlen(s));
}

static inline void
out_buf_putc(struct out_buf *ob, char c)
{
	*out_buf_room(ob, 1) = c;
	ob->p++;
}

/* out_json_string() into the buffer. */
void out_buf_json(struct out_buf *ob, const char *s);

/* Ports of one state grouped by (proto, reason), for nmap's collapsing. */
struct out_reason_group {
	uint32_t count;
	unsigned proto;		/* ordered: tcp before udp */
	unsigned reason;
};

/* qsort order of nmap's reason_sort: larger groups, then proto, reason. */
int out_reason_group_cmp(const void *a, const void *b);

/* "tcp", "udp" or "unknown". */
const char *out_proto_name(uint8_t proto);

/* Severity name of a finding ("info" ... "high"). */
const char *out_severity_name(uint8_t sev);

#endif
