/*
 * results.h -- the analysis result handed to the writers: sorted port rows,
 * per-probe-kind verdicts, and the run summary.
 *
 * Built once at the end of a run (analyzer_finish(): findings and summary
 * complete, rows built host by host on demand by rowset.c) and then only
 * read: writers take it as const and walk the rows with a row_iter. The
 * results own their arrays and row source; results_free() releases them.
 * Rows are sorted by host
 * (IPv4 before IPv6, numerically), protocol (tcp, udp), port, then scanner,
 * so output never depends on hash order.
 */
#ifndef PORTSLEUTH_RESULTS_H
#define PORTSLEUTH_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "portstate.h"

/* The verdict one probe kind reached for a port (JSON lists each). */
struct kind_verdict {
	uint8_t kind;		/* enum probe_kind */
	uint8_t state;		/* enum port_state */
	uint8_t reason;		/* enum reason */
	uint8_t reason_ttl;	/* TTL of the deciding reply, 0 if none */
	bool has_reason_ip;	/* reply source differs from the target */
	struct addr reason_ip;
	uint32_t tries;		/* probes sent, retransmissions included */
	uint32_t replies;	/* replies paired with those tries */
	const char *rule;	/* name of the rule that chose the state */
};

#define RESULTS_MAX_FLAGS 4

struct port_row {
	struct addr host;	/* the probed target */
	struct addr scanner;	/* the side that sent the probes */
	uint8_t proto;		/* 6 (tcp) or 17 (udp) */
	uint16_t port;
	uint8_t state;		/* enum port_state: the row's verdict */
	uint8_t reason;		/* enum reason */
	uint8_t reason_ttl;
	bool has_reason_ip;
	struct addr reason_ip;
	uint32_t probes;	/* tries over all kinds */
	uint32_t responses;	/* replies over all kinds */
	double rtt_ms;		/* RTT of the deciding reply; < 0 if none */
	uint64_t first_ns, last_ns; /* capture time of first/last probe or reply */
	const char *service;	/* services(5) name or NULL (borrowed, static) */
	uint8_t nkinds;		/* entries used in kinds[] */
	uint8_t nflags;		/* findings that make this verdict unreliable */
	struct kind_verdict *kinds; /* nkinds, sorted by kind; they live in
				   results.kind_pool */
	const char *flags[RESULTS_MAX_FLAGS]; /* their ids (borrowed) */
};

/*
 * A diagnosis finding raised by a rule. Strings marked borrowed belong to
 * the rule set, which must outlive the results; the rest are owned.
 */
struct finding {
	const char *id;		/* finding id (borrowed) */
	const char *rule;	/* rule name (borrowed) */
	uint8_t severity;	/* enum severity */
	uint8_t scope;		/* enum rule_scope */
	bool has_host;		/* the target host it is about */
	struct addr host;
	bool has_source;	/* path findings: who sent the replies */
	struct addr source;
	uint32_t count;		/* ports (or items) it covers */
	char *ports;		/* "tcp/22,tcp/80", NULL if none */
	char *message;		/* rendered message template */
	char *evidence;		/* JSON object of the evidence values */
};

/* Counters for the summary object and -v. */
struct run_summary {
	uint32_t captures;	/* capture files read */
	uint64_t packets;	/* records read */
	uint64_t bytes;		/* captured bytes */
	uint64_t decoded;	/* packets decoded to TCP/UDP/ICMP */
	uint64_t malformed;	/* sum of the DEC_BAD_* counters */
	uint64_t probes;	/* tries seen */
	uint64_t paired;	/* replies paired with a probe */
	uint64_t unsolicited;	/* replies that matched no probe */
	uint64_t late;		/* replies after --timeout */
	uint64_t unmatched_icmp; /* ICMP errors quoting no known probe */
	uint64_t table_drops;	/* probes dropped: table full */
	uint64_t first_ns, last_ns; /* capture time span */
	uint32_t hosts;		/* distinct target hosts in rows */
	uint32_t ports_by_state[PS_COUNT];
	uint32_t findings_by_severity[4]; /* enum severity */
	bool partial;		/* input truncated/unreadable or table overflow */
	/* Limits reached (results_limited()); all 0 when none was. */
	uint64_t flow_drops;	/* probes dropped: pairing table full */
	uint64_t record_drops;	/* probes not recorded: port record or host cap */
	uint64_t uncounted;	/* unsolicited replies not (fully) counted */
	uint64_t phase_drops;	/* state changes not logged */
	uint32_t records;	/* port records kept */
	uint32_t memory_full;	/* bit 1 << enum budget_user per structure
				   that --max-memory refused to grow */
	uint64_t memory_limit;	/* that --max-memory share (bytes), 0 none */
};

/*
 * Rows built on demand, one target host at a time (rowset.c builds them
 * from a finished analysis), so a run never holds every row at once. A
 * source is owned by the results that carry it.
 */
struct row_source {
	size_t ngroups;		/* target hosts, in output order */
	size_t max_rows;	/* most rows one group can have */
	size_t max_kinds;	/* most kind verdicts one group can have */
	/*
	 * Group g's rows into rows[] (their kinds into kinds[]); how many.
	 * Must not change the source: several iterators may run at once.
	 */
	size_t (*group)(const void *ctx, size_t g, struct port_row *rows,
	    struct kind_verdict *kinds);
	void (*free)(void *ctx);
	void *ctx;
};

/*
 * The rows of a run are either an array (rows, nrows: tests, small inputs)
 * or a source; readers walk both with a row_iter. nrows is the row count
 * either way.
 */
struct results {
	struct port_row *rows;	/* NULL with a source */
	size_t nrows;
	struct kind_verdict *kind_pool; /* every row's kinds (owned) */
	struct row_source *src;	/* owned; NULL: rows is the array */
	struct finding *findings; /* sorted: host findings by host, then rest */
	size_t nfindings;
	struct run_summary summary;
};

/* A walk over the rows, one host at a time, in output order. */
struct row_iter {
	const struct results *res;
	size_t next;		/* array: next row; source: next group */
	struct port_row *rows;	/* source: the group built (owned) */
	struct kind_verdict *kinds;
};

void results_iter_init(struct row_iter *it, const struct results *r);
/*
 * The next host's rows (n > 0, all with the same host), valid until the
 * next call; 0 at the end.
 */
size_t results_iter_host(struct row_iter *it, const struct port_row **rows);
void results_iter_done(struct row_iter *it);

/*
 * *view: r with rows[0..n) (one host, from results_iter_host()) as its row
 * array, for code that reads one host's rows by index. Borrows everything.
 */
void results_host_view(const struct results *r, const struct port_row *rows,
    size_t n, struct results *view);

void results_free(struct results *r);

/*
 * The findings about host: findings[*lo..*hi) (findings are sorted with
 * host findings first, by host). Binary search: one host's findings are
 * found without walking them all.
 */
void results_findings_of(const struct results *r, const struct addr *host,
    size_t *lo, size_t *hi);

/* Did the run drop anything at a table cap or the memory budget? */
bool results_limited(const struct run_summary *s);

/*
 * One line saying what was dropped and which option raises the limit, e.g.
 * "--max-memory (64 MiB) reached: 2716044 probes not recorded (151000
 * port records kept); raise --max-memory". "" when nothing was dropped.
 */
void results_limits_text(const struct run_summary *s, char *buf, size_t len);

/* Sort rows into output order (exposed for writers' tests). */
void results_sort(struct results *r);

#endif
