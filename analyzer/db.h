/*
 * db.h -- results that can be queried: runs appended to an SQLite file
 * (--db FILE), and exported as CSV plus a PostgreSQL schema (--export-csv).
 *
 * Schema (version 1, PRAGMA user_version; application_id "PSLT"; the README
 * documents it with example queries): meta (name, value); runs (one per
 * invocation that stored something: wall-clock start and end, version, the
 * options that change results); captures (path as given, size, sha256 of
 * the file bytes, records, first/last record time, partial), unique on
 * (sha256, size); ports (one row per CSV output row, with its run and its
 * capture, NULL when the row merges several captures); findings (the JSON
 * output's fields). Times are ISO 8601 UTC text with microseconds
 * ("2026-11-22T15:12:42.956437Z"), which sorts as text and which SQLite's
 * date functions and PostgreSQL's timestamptz read; NULL when unknown.
 *
 * A run is one transaction: db_begin() takes the write lock (waiting
 * TUN_DB_BUSY_MS for another run to finish), db_commit() publishes the run,
 * db_rollback() or closing without commit leaves the file as it was.
 * Readers are never blocked except during the commit itself.
 *
 * Errors: functions return an enum db_status or -1, with "FILE: message"
 * in the caller's buffer; only main.c turns a status into an exit status.
 * The handle owns its SQLite connection and prepared statements; results
 * are only read (const) and copied into the file.
 */
#ifndef PORTSLEUTH_DB_H
#define PORTSLEUTH_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "capid.h"
#include "cli.h"
#include "results.h"
#include "rules.h"

#define DB_SCHEMA_VERSION 1

enum db_status {
	DB_OK = 0,
	DB_NOTHING,	/* every input was already stored: nothing to do */
	DB_USAGE,	/* an input that cannot be identified (stdin, a pipe) */
	DB_CANTCREAT,	/* FILE cannot be opened, created, written, or is
			   not a portsleuth database of a known version */
	DB_LOCKED,	/* another run holds the write lock */
	DB_IOERR,	/* storing or exporting failed (nothing stored) */
	DB_NOINPUT,	/* export: FILE does not exist or cannot be read */
	DB_DATAERR,	/* export: FILE is not a portsleuth database */
};

/* What a runs row records: the options that change results. */
struct db_run_info {
	bool per_file;
	uint64_t timeout_ns;
	const char *filter;	/* NULL: none */
	bool default_rules;
	const char *const *rule_files;
	size_t nrule_files;
	uint32_t max_flows, max_ports;
};

struct db;

/*
 * Open FILE. For writing, a missing or empty file is created with the
 * schema; for reading (export) it must exist. NULL on failure, with *st
 * and err set.
 */
struct db *db_open(const char *path, bool write, enum db_status *st,
    char *err, size_t errlen);
void db_close(struct db *d);

/* Start the run's transaction: DB_OK, DB_LOCKED or DB_IOERR. */
enum db_status db_begin(struct db *d, char *err, size_t errlen);

/* Is a capture with this content stored? 1 (*capture, *run set), 0, -1. */
int db_capture_find(struct db *d, const struct capid *id, int64_t *capture,
    int64_t *run, char *err, size_t errlen);

/* Insert rows; the new row id, or -1 with err set. */
int64_t db_run_add(struct db *d, const struct db_run_info *ri, char *err,
    size_t errlen);
int64_t db_capture_add(struct db *d, int64_t run, const char *path,
    const struct capid *id, char *err, size_t errlen);

/* Store one result set: its port rows and findings; capture 0 = NULL. */
int db_results_add(struct db *d, int64_t run, int64_t capture,
    const struct results *res, char *err, size_t errlen);

/* Fill the run's counters and end time, and commit: DB_OK or DB_IOERR. */
enum db_status db_commit(struct db *d, int64_t run, uint32_t captures,
    uint32_t skipped, char *err, size_t errlen);
void db_rollback(struct db *d);

/*
 * --db with an analysis: hash every input, skip (with a notice) those
 * already stored or given twice, run the batch on the rest, store each
 * job's results in one run, pass every job on to done() in order (index
 * counts the jobs run), commit. Stdin and pipes are refused (DB_USAGE).
 * DB_NOTHING: nothing was left to analyse. Errors are reported on stderr.
 */
enum db_status db_batch_run(const struct cli *c, struct job *jobs,
    size_t njobs, const struct batch_opts *bo, const struct ruleset *rs,
    batch_done_fn done, void *ctx);

/*
 * --export-csv DIR: DIR/TABLE.csv for every table (header row, RFC 4180
 * quoting, NULL as an empty unquoted field), DIR/schema.sql (PostgreSQL
 * CREATE TABLE and indexes) and DIR/load.sql (psql \copy of each file),
 * from one consistent snapshot. DIR is created if missing; files in it
 * are replaced. Errors are reported on stderr.
 */
enum db_status db_export_csv(const char *path, const char *dir);

#endif
