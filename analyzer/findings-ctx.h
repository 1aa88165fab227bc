/*
 * findings-ctx.h -- the state of one findings pass (struct fctx), private
 * to findings.c (host, path and capture evidence, findings) and
 * findings-row.c (port rows: their facts, values and the rules that hold,
 * memoised by facts).
 */
#ifndef PORTSLEUTH_FINDINGS_CTX_H
#define PORTSLEUTH_FINDINGS_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "findings-int.h"
#include "tunables.h"

#define MAX_ROUTERS 16
#define TEXT 64			/* room for an address or a short string */

/* A growable string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

/* A router (ICMP error source) seen on a host's path, by hop distance. */
struct router {
	int hops;
	uint32_t addr;
};

/* Port-scope matches of one rule for one host, merged into one finding. */
struct group {
	const struct rule *rule;
	struct ev_value first[P_COUNT]; /* first row's values (strings owned) */
	struct sbuf ports;
	uint32_t count;
};

/*
 * What a row's values are computed from (port_values() reads nothing
 * else), as plain integers. Rows of one host mostly repeat a few
 * combinations of the facts the port rules' fields come from (state,
 * reason, reply kind, TTL...): their matches are remembered by those facts
 * (the words holding them, masked to their bytes), compared bit for bit.
 */
struct row_facts {
	double rtt_ms;
	uint64_t first_ns, last_ns;
	uint32_t tries, replies;
	uint32_t reason_src;	/* host index of the deciding reply's source */
	uint32_t halfopen, retry_answers, after_data_rst; /* over records */
	uint32_t hop_src;	/* trace record's router (host index) */
	uint16_t port, reply_win, reply_ipid, changes;
	uint8_t proto, state, reason;
	uint8_t kind, reply_kind, reply_ttl, from_target, reply_nopt;
	uint8_t icmp_type, icmp_code, icmp_v6;
	uint8_t conn_ttl, reset_ttl; /* last record reset after data */
	uint8_t hop_ttl, silent_ttl, trace_reached; /* trace record */
	uint8_t kind_state[PK_COUNT]; /* per probe kind, PS_UNKNOWN if none */
	uint8_t decoy;		/* fctx.decoy of the row */
};

#define FACT_WORDS (sizeof(struct row_facts) / sizeof(uint64_t))
_Static_assert(sizeof(struct row_facts) % sizeof(uint64_t) == 0,
    "row facts are whole words");

#define MEMO_SLOTS TUN_FINDINGS_MEMO_SLOTS
#define MEMO_PROBES TUN_FINDINGS_MEMO_PROBES

struct memo_ent {
	uint64_t hash;
	uint32_t gen;		/* fctx.memo_gen when filled; 0 never */
};

struct fctx {
	struct findings_input in; /* ids, row_first, best: the current host's */
	const struct ruleset *rs;
	struct results *out;	/* findings and summary; no rows */
	struct port_row *rows;	/* the current host's rows */
	bool *is_target;	/* per host index: probed (has rows) */
	const struct rule **rules[RULE_SCOPE_COUNT];
	size_t nrules[RULE_SCOPE_COUNT];
	bool *hidden;		/* per row */
	bool *decoy;		/* per row: an nmap -D decoy's (find_decoys) */
	size_t decoy_cap;
	struct addr *addrs;	/* find_decoys(): sorted probers */
	uint32_t decoy_sources;	/* distinct addresses of decoy rows */
	struct phase *phases;	/* phase log sorted by (record, time) */
	size_t nphases;
	size_t findings_cap;
	size_t host_first;	/* first finding of the current subject host */
	/* the host being processed */
	struct ev_value hv[H_COUNT];
	char host_text[ADDR_STRLEN];
	struct router routers[MAX_ROUTERS];
	uint32_t synack_h[256];	/* the host's SYN-ACKs by hop distance */
	size_t nrouters;
	struct group *groups;	/* one per port-scope finding rule */
	uint64_t *sigs;		/* host_values(): SYN-ACK signatures */
	size_t sigs_cap;
	bool need[P_COUNT];	/* fields the port rules' conditions read */
	bool need_records;	/* some of them: is_record_field() */
	/* Memo of the port rules' matches by the facts their fields read. */
	bool memo_on;
	uint32_t memo_gen;	/* entries of older hosts are stale */
	size_t nkey, key[FACT_WORDS]; /* facts words with a masked member */
	uint64_t key_mask[FACT_WORDS]; /* their masks, by key index */
	struct memo_ent *memo;
	uint64_t *memo_val;	/* MEMO_SLOTS x nkey */
	uint64_t *memo_match;	/* MEMO_SLOTS x words */
	/* The previous row's key and matches (neighbours often share them). */
	uint64_t last_key[FACT_WORDS];
	uint32_t last_gen;	/* memo_gen when set; 0 never */
	uint64_t *last_match;	/* words */
	struct row_facts *rule_facts; /* per port rule: the facts it reads */
	uint64_t *finding_bits;	/* words: the port rules that are findings */
	uint64_t *hide_bits;	/* words: the live hide rules (f->hides) */
	/* The current host's records, unpacked (findings_host.recs), or NULL. */
	const struct port_ev *recs;
	size_t words;		/* 64-bit words of one row's rule matches */
	uint64_t *match;	/* the current host's rows' finding matches */
	size_t match_cap;
	size_t *hides;		/* the hide rules (port rule indexes) that */
	size_t nhides;		/* may match a row of the current host */
};

/*
 * The record at position j of in->ids: from the host's unpacked copies when
 * it has them, else unpacked into buf.
 */
static inline const struct port_ev *
rec_at(const struct fctx *f, size_t j, struct port_ev *buf)
{
	if (f->recs != NULL)
		return &f->recs[j];
	evidence_read(f->in.ev, f->in.ids[j], buf);
	return buf;
}

/* The record that decided row i's verdict (inline: three passes per row). */
static inline const struct port_ev *
best_rec(const struct fctx *f, size_t row, struct port_ev *buf)
{
	const struct findings_input *in = &f->in;
	size_t j;

	for (j = in->row_first[row]; j + 1 < in->row_first[row + 1] &&
	    in->ids[j] != in->best[row]; j++)
		;
	return rec_at(f, j, buf);
}

/*
 * findings-row.c: port rows. A row's facts come from its deciding record
 * (and, with records, all of them); its values from the facts. Per host:
 * fnd_live_hides() (v: the host's values; NULL keeps no hide rule), then
 * fnd_memo_key(), then fnd_match_row() for each row, in order (fa: the
 * previous row's facts, replaced), then fnd_split_hidden() on its matches.
 */
void fnd_cond_fields(const struct rule *r, bool *used, size_t nfields);
bool fnd_is_record_field(size_t i);
void fnd_memo_setup(struct fctx *f);	/* once, after need[] is known */
void fnd_live_hides(struct fctx *f, const struct ev_value *v);
void fnd_memo_key(struct fctx *f);
void fnd_row_facts(const struct fctx *f, size_t row, struct row_facts *fa,
    bool records);
/* need NULL: every value, v cleared first (a finding's message row). */
void fnd_port_values(struct fctx *f, size_t row,
    const struct row_facts *fa, struct ev_value *v, char text[][TEXT],
    const bool *need);
void fnd_match_row(struct fctx *f, size_t row, struct row_facts *fa,
    struct ev_value *v, char text[][TEXT], uint64_t *m);
/* Does m hold a live hide rule? m keeps only its findings. */
bool fnd_split_hidden(const struct fctx *f, uint64_t *m);
/* Texts: "tcp/22"; a host index's address ("" for 0); "icmp-port-..." */
const char *fnd_port_text(const struct port_row *pr, char buf[TEXT]);
const char *fnd_host_str(const struct fctx *f, uint32_t h,
    char buf[ADDR_STRLEN]);
const char *fnd_icmp_name(bool v6, unsigned type, unsigned code,
    char buf[TEXT]);

#endif
