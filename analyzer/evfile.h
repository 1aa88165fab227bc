/*
 * evfile.h -- mergeable evidence files (--emit-evidence, `portsleuth merge`).
 *
 * An evidence file keeps what the pairing stage needs to redo its work
 * without the packets that cannot change anything: every packet that can
 * change pairing state (probes, retries, replies, ICMP errors, stray
 * replies, connection set-up and tear-down, the first payload each side of
 * a connection sends after a reset), a "keepalive" record standing for the
 * skipped segments of a live connection (only when an expiry would
 * otherwise judge it idle), and the run's expiry ticks. Replaying the
 * records of several files in capture-time order through the same pairing
 * code (pair.h) reproduces what one pass over all their packets gives:
 * probes waiting at the end of one file meet the replies at the start of
 * the next. The merge is a sorted union of records, so it is associative
 * and commutative; rules run only at the end, so evidence does not depend
 * on the rule set. The byte layout is documented in doc/evidence-format.md.
 *
 * Writer: records go straight to the file (no per-record allocation; host
 * addresses are interned and written once). Reader: evset_* opens a set of
 * files, checks them (magic, version, checksum, same --timeout), and hands
 * out their records merged in order; only files whose time span has begun
 * are kept open. Errors name the file and byte offset.
 */
#ifndef PORTSLEUTH_EVFILE_H
#define PORTSLEUTH_EVFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"

#define EVFILE_VERSION 1

/* Counters of the packets behind a file (read, decoded, time span). */
struct ev_totals {
	uint64_t packets, bytes;
	uint64_t dec[DEC_STATUS_COUNT];	/* decode statuses */
	uint64_t first_ns, last_ns;	/* capture time span (0: none) */
	uint32_t captures;		/* capture files read */
	bool partial;			/* some input was unreadable/cut */
};

enum evrec_type {
	EVR_PACKET = 'P',	/* a packet, as the pairing stage sees it */
	EVR_KEEPALIVE = 'K',	/* a connection was active until ts */
	EVR_TICK = 'T',		/* the expiry clock ran at ts */
};

struct evrec {
	uint8_t type;		/* enum evrec_type */
	uint64_t ts;
	struct decoded d;	/* EVR_PACKET: the fields pair.c reads */
	struct flow_key key;	/* EVR_KEEPALIVE */
};

/* One capture a file's evidence came from. */
struct ev_input {
	char *path;
	uint64_t size;		/* bytes, UINT64_MAX when not a plain file */
};

/* Writing one file. */
struct evw;

struct evw *evw_open(const char *path, uint64_t timeout_ns, char *err,
    size_t errlen);
void evw_packet(struct evw *w, const struct decoded *d, uint64_t ts);
void evw_keepalive(struct evw *w, const struct flow_key *k, uint64_t ts);
void evw_tick(struct evw *w, uint64_t now);
/* Copy a record read from another file (merging into a new file). */
void evw_record(struct evw *w, const struct evrec *r);
void evw_input(struct evw *w, const char *path, uint64_t size);
/* Trailer, checksum, close: 0, or -1 with a message (the file is removed). */
int evw_close(struct evw *w, const struct ev_totals *t, char *err,
    size_t errlen);
/* Give up: close and remove the file. */
void evw_abort(struct evw *w);

/* Reading a set of files as one stream. */
struct evset;

/*
 * NULL with a message when a file is missing, not evidence or damaged;
 * *cannot_open then says whether it could not be opened at all.
 */
struct evset *evset_open(const char *const *paths, size_t n,
    bool *cannot_open, char *err, size_t errlen);
/* 1: a record in *r; 0: the end; -1: a damaged file (message in err). */
int evset_next(struct evset *s, struct evrec *r, char *err, size_t errlen);
uint64_t evset_timeout(const struct evset *s);
/* Totals of all files (sums, time span, partial if any). */
const struct ev_totals *evset_totals(const struct evset *s);
size_t evset_ninputs(const struct evset *s);
const struct ev_input *evset_input(const struct evset *s, size_t i);
void evset_close(struct evset *s);

/* t += x: counters saturate, time span widened, partial if either is. */
void ev_totals_add(struct ev_totals *t, const struct ev_totals *x);

/* 1 when path starts like an evidence file, else 0. */
int evfile_sniff(const char *path);

#endif
