/*
 * db.c -- the SQLite file: schema, opening and checking it, one run's
 * transaction, prepared inserts of captures, port rows and findings.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db-int.h"
#include "out.h"
#include "tunables.h"
#include "xmalloc.h"

enum stmt_id {
	ST_FIND_CAPTURE = 0,
	ST_ADD_RUN,
	ST_ADD_CAPTURE,
	ST_ADD_PORT,
	ST_ADD_FINDING,
	ST_END_RUN,
	ST_COUNT
};

struct db {
	sqlite3 *sql;
	char *path;
	bool write;
	bool in_txn;		/* db_begin() done, no commit/rollback yet */
	sqlite3_stmt *st[ST_COUNT];
};

static int db_fail(struct db *d, char *err, size_t errlen, const char *what);
static int db_exec(struct db *d, const char *sql, char *err, size_t errlen);
static int db_check_schema(struct db *d, enum db_status *st, char *err,
    size_t errlen);
static int db_create_schema(struct db *d, char *err, size_t errlen);
static int db_prepare(struct db *d, char *err, size_t errlen);
static char *db_create_sql(const struct db_table *t);
static void now_iso(char buf[OUT_ISO_BUF]);
static void bind_time(sqlite3_stmt *s, int i, uint64_t ns);
static void bind_text(sqlite3_stmt *s, int i, const char *v);
static void bind_addr(sqlite3_stmt *s, int i, const struct addr *a);
static void bind_ref(sqlite3_stmt *s, int i, int64_t id);
static int step_done(struct db *d, sqlite3_stmt *s, char *err, size_t errlen,
    const char *what);
static int add_port(struct db *d, int64_t run, int64_t capture,
    const struct port_row *r, char *err, size_t errlen);
static int add_finding(struct db *d, int64_t run, int64_t capture,
    const struct finding *f, char *err, size_t errlen);

/* ---- the schema, as data ---------------------------------------------- */

#define COLS(a) a, sizeof(a) / sizeof(a[0])

static const struct db_col meta_cols[] = {
	{ "name", "TEXT PRIMARY KEY", "text PRIMARY KEY" },
	{ "value", "TEXT NOT NULL", "text NOT NULL" },
};

static const struct db_col runs_cols[] = {
	{ "id", "INTEGER PRIMARY KEY", "bigint PRIMARY KEY" },
	{ "started", "TEXT NOT NULL", "timestamptz NOT NULL" },
	{ "finished", "TEXT NOT NULL", "timestamptz NOT NULL" },
	{ "version", "TEXT NOT NULL", "text NOT NULL" },
	{ "per_file", "INTEGER NOT NULL", "smallint NOT NULL" },
	{ "timeout_ms", "INTEGER NOT NULL", "bigint NOT NULL" },
	{ "filter", "TEXT", "text" },
	{ "default_rules", "INTEGER NOT NULL", "smallint NOT NULL" },
	{ "rules", "TEXT", "text" },
	{ "max_flows", "INTEGER NOT NULL", "bigint NOT NULL" },
	{ "max_ports", "INTEGER NOT NULL", "bigint NOT NULL" },
	{ "captures", "INTEGER NOT NULL", "integer NOT NULL" },
	{ "skipped", "INTEGER NOT NULL", "integer NOT NULL" },
};

static const struct db_col captures_cols[] = {
	{ "id", "INTEGER PRIMARY KEY", "bigint PRIMARY KEY" },
	{ "run", "INTEGER NOT NULL REFERENCES runs (id)",
	    "bigint NOT NULL REFERENCES runs (id)" },
	{ "path", "TEXT NOT NULL", "text NOT NULL" },
	{ "size", "INTEGER NOT NULL", "bigint NOT NULL" },
	{ "sha256", "TEXT NOT NULL", "text NOT NULL" },
	{ "packets", "INTEGER NOT NULL", "bigint NOT NULL" },
	{ "first_packet", "TEXT", "timestamptz" },
	{ "last_packet", "TEXT", "timestamptz" },
	{ "partial", "INTEGER NOT NULL", "smallint NOT NULL" },
};

static const struct db_col ports_cols[] = {
	{ "run", "INTEGER NOT NULL REFERENCES runs (id)",
	    "bigint NOT NULL REFERENCES runs (id)" },
	{ "capture", "INTEGER REFERENCES captures (id)",
	    "bigint REFERENCES captures (id)" },
	{ "host", "TEXT NOT NULL", "inet NOT NULL" },
	{ "proto", "TEXT NOT NULL", "text NOT NULL" },
	{ "port", "INTEGER NOT NULL", "integer NOT NULL" },
	{ "state", "TEXT NOT NULL", "text NOT NULL" },
	{ "reason", "TEXT NOT NULL", "text NOT NULL" },
	{ "reason_ttl", "INTEGER NOT NULL", "smallint NOT NULL" },
	{ "reason_ip", "TEXT", "inet" },
	{ "scanner", "TEXT NOT NULL", "inet NOT NULL" },
	{ "probes", "INTEGER NOT NULL", "bigint NOT NULL" },
	{ "responses", "INTEGER NOT NULL", "bigint NOT NULL" },
	{ "rtt_ms", "REAL", "double precision" },
	{ "first_seen", "TEXT", "timestamptz" },
	{ "last_seen", "TEXT", "timestamptz" },
	{ "service", "TEXT", "text" },
	{ "kinds", "TEXT NOT NULL", "text NOT NULL" },
	{ "findings", "TEXT", "text" },
};

static const struct db_col findings_cols[] = {
	{ "run", "INTEGER NOT NULL REFERENCES runs (id)",
	    "bigint NOT NULL REFERENCES runs (id)" },
	{ "capture", "INTEGER REFERENCES captures (id)",
	    "bigint REFERENCES captures (id)" },
	{ "finding", "TEXT NOT NULL", "text NOT NULL" },
	{ "severity", "TEXT NOT NULL", "text NOT NULL" },
	{ "scope", "TEXT NOT NULL", "text NOT NULL" },
	{ "host", "TEXT", "inet" },
	{ "source", "TEXT", "inet" },
	{ "ports", "TEXT", "text" },
	{ "count", "INTEGER NOT NULL", "bigint NOT NULL" },
	{ "message", "TEXT NOT NULL", "text NOT NULL" },
	{ "rule", "TEXT NOT NULL", "text NOT NULL" },
	{ "evidence", "TEXT NOT NULL", "jsonb NOT NULL" },
};

const struct db_table db_tables[] = {
	{ "meta", COLS(meta_cols), NULL },
	{ "runs", COLS(runs_cols), NULL },
	{ "captures", COLS(captures_cols), "UNIQUE (sha256, size)" },
	{ "ports", COLS(ports_cols), NULL },
	{ "findings", COLS(findings_cols), NULL },
};
const size_t db_ntables = sizeof(db_tables) / sizeof(db_tables[0]);

const char *const db_indexes[] = {
	"CREATE INDEX captures_run ON captures (run)",
	"CREATE INDEX ports_port ON ports (host, proto, port)",
	"CREATE INDEX ports_run ON ports (run)",
	"CREATE INDEX ports_capture ON ports (capture)",
	"CREATE INDEX findings_run ON findings (run)",
	"CREATE INDEX findings_capture ON findings (capture)",
	NULL,
};

/* Statements, in enum stmt_id order; the column lists match the tables. */
static const char *const stmt_sql[ST_COUNT] = {
	[ST_FIND_CAPTURE] = "SELECT id, run FROM captures "
	    "WHERE sha256 = ?1 AND size = ?2",
	[ST_ADD_RUN] = "INSERT INTO runs (started, finished, version, "
	    "per_file, timeout_ms, filter, default_rules, rules, max_flows, "
	    "max_ports, captures, skipped) "
	    "VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, 0)",
	[ST_ADD_CAPTURE] = "INSERT INTO captures (run, path, size, sha256, "
	    "packets, first_packet, last_packet, partial) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_ADD_PORT] = "INSERT INTO ports (run, capture, host, proto, port, "
	    "state, reason, reason_ttl, reason_ip, scanner, probes, "
	    "responses, rtt_ms, first_seen, last_seen, service, kinds, "
	    "findings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
	[ST_ADD_FINDING] = "INSERT INTO findings (run, capture, finding, "
	    "severity, scope, host, source, ports, count, message, rule, "
	    "evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12)",
	[ST_END_RUN] = "UPDATE runs SET finished = ?2, captures = ?3, "
	    "skipped = ?4 WHERE id = ?1",
};

/* ---- helpers ------------------------------------------------------------ */

/* "FILE: what: SQLite's message"; returns -1. */
static int
db_fail(struct db *d, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s%s%s", d->path, what ? what : "",
	    what ? ": " : "", sqlite3_errmsg(d->sql));
	return -1;
}

static int
db_exec(struct db *d, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(d->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(d, err, errlen, NULL);
	return 0;
}

/* Run a statement that returns no row, then reset it. */
static int
step_done(struct db *d, sqlite3_stmt *s, char *err, size_t errlen,
    const char *what)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE) {
		db_fail(d, err, errlen, what);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return -1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return 0;
}

/* Wall-clock now, for the runs row (the only wall-clock time stored). */
static void
now_iso(char buf[OUT_ISO_BUF])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	out_iso_time((uint64_t)ts.tv_sec * 1000000000ull +
	    (uint64_t)ts.tv_nsec, buf, OUT_ISO_BUF);
}

/*
 * Capture time as ISO 8601; NULL for 0 (unknown) and for times that do
 * not fit "YYYY-MM-DDTHH:MM:SS.ffffffZ" (hostile captures reach past year
 * 9999, which neither text order nor PostgreSQL would take).
 */
static void
bind_time(sqlite3_stmt *s, int i, uint64_t ns)
{
	char t[OUT_ISO_BUF];

	out_iso_time(ns, t, sizeof(t));
	if (ns == 0 || strlen(t) != 27)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
}

/* NULL for a missing or empty text. */
static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL || v[0] == '\0')
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

static void
bind_addr(sqlite3_stmt *s, int i, const struct addr *a)
{
	char buf[ADDR_STRLEN];

	if (a == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, out_addr(a, buf), -1,
		    SQLITE_TRANSIENT);
}

/* A row id, 0 meaning NULL. */
static void
bind_ref(sqlite3_stmt *s, int i, int64_t id)
{
	if (id <= 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, id);
}

/* ---- opening and the schema ------------------------------------------- */

static char *
db_create_sql(const struct db_table *t)
{
	char *sql = xasprintf("CREATE TABLE %s (", t->name), *next;
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		next = xasprintf("%s%s%s %s", sql, i ? ", " : "",
		    t->cols[i].name, t->cols[i].sqlite);
		free(sql);
		sql = next;
	}
	next = xasprintf("%s%s%s)", sql, t->extra ? ", " : "",
	    t->extra ? t->extra : "");
	free(sql);
	return next;
}

static int
db_create_schema(struct db *d, char *err, size_t errlen)
{
	char now[OUT_ISO_BUF], *sql;
	size_t i;
	int rc;

	for (i = 0; i < db_ntables; i++) {
		sql = db_create_sql(&db_tables[i]);
		rc = db_exec(d, sql, err, errlen);
		free(sql);
		if (rc != 0)
			return -1;
	}
	for (i = 0; db_indexes[i] != NULL; i++)
		if (db_exec(d, db_indexes[i], err, errlen) != 0)
			return -1;
	now_iso(now);
	sql = xasprintf("INSERT INTO meta (name, value) VALUES "
	    "('schema_version', '%d'), ('created', '%s'), "
	    "('created_by', 'portsleuth %s'), ('time_format', "
	    "'ISO 8601 UTC, microseconds: YYYY-MM-DDTHH:MM:SS.ffffffZ'); "
	    "PRAGMA application_id = %d; PRAGMA user_version = %d",
	    DB_SCHEMA_VERSION, now, PACKAGE_VERSION, DB_APPLICATION_ID,
	    DB_SCHEMA_VERSION);
	rc = db_exec(d, sql, err, errlen);
	free(sql);
	return rc;
}

/* An int from a one-value query, or -1 with err set. */
static int64_t
db_int(struct db *d, const char *sql, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	if (sqlite3_prepare_v2(d->sql, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(d, err, errlen, NULL);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else
		db_fail(d, err, errlen, NULL);
	sqlite3_finalize(s);
	return v;
}

/*
 * Ours (application id and a known version), or empty and ours to create
 * (when writing). Anything else is refused untouched.
 */
static int
db_check_schema(struct db *d, enum db_status *st, char *err, size_t errlen)
{
	int64_t app, ver, objects;
	bool created = false;

	*st = d->write ? DB_CANTCREAT : DB_DATAERR;
	if ((objects = db_int(d, "SELECT count(*) FROM sqlite_master", err,
	    errlen)) < 0)
		return -1;
	if (objects == 0 && d->write) {
		/* Re-checked under the write lock: two runs may race here. */
		if (db_exec(d, "BEGIN IMMEDIATE", err, errlen) != 0)
			return -1;
		if ((objects = db_int(d, "SELECT count(*) FROM sqlite_master",
		    err, errlen)) == 0 &&
		    db_int(d, "PRAGMA application_id", err, errlen) == 0) {
			if (db_create_schema(d, err, errlen) != 0) {
				sqlite3_exec(d->sql, "ROLLBACK", NULL, NULL,
				    NULL);
				return -1;
			}
			created = true;
		}
		if (db_exec(d, "COMMIT", err, errlen) != 0)
			return -1;
	}
	if ((app = db_int(d, "PRAGMA application_id", err, errlen)) < 0 ||
	    (ver = db_int(d, "PRAGMA user_version", err, errlen)) < 0)
		return -1;
	if (objects == 0 && !created) {
		snprintf(err, errlen, "%s: empty database, nothing stored yet",
		    d->path);
		return -1;
	}
	if (app != DB_APPLICATION_ID) {
		snprintf(err, errlen, "%s: not a portsleuth database (it holds "
		    "other tables; refusing to touch it)", d->path);
		return -1;
	}
	if (ver != DB_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: database schema version %lld, this "
		    "portsleuth knows version %d%s", d->path, (long long)ver,
		    DB_SCHEMA_VERSION, ver > DB_SCHEMA_VERSION ?
		    " (written by a newer portsleuth)" : "");
		return -1;
	}
	*st = DB_OK;
	return 0;
}

static int
db_prepare(struct db *d, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(d->sql, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &d->st[i], NULL) != SQLITE_OK)
			return db_fail(d, err, errlen, NULL);
	return 0;
}

struct db *
db_open(const char *path, bool write, enum db_status *st, char *err,
    size_t errlen)
{
	struct db *d = xcalloc(1, sizeof(*d));
	int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE :
	    SQLITE_OPEN_READONLY;

	d->path = xstrdup(path);
	d->write = write;
	*st = write ? DB_CANTCREAT : DB_NOINPUT;
	if (sqlite3_open_v2(path, &d->sql, flags, NULL) != SQLITE_OK) {
		db_fail(d, err, errlen, write ? "cannot open or create" :
		    "cannot open");
		db_close(d);
		return NULL;
	}
	sqlite3_extended_result_codes(d->sql, 1);
	sqlite3_busy_timeout(d->sql, TUN_DB_BUSY_MS);
	if (write && sqlite3_db_readonly(d->sql, "main") == 1) {
		snprintf(err, errlen, "%s: cannot write: %s", path,
		    strerror(EACCES));
		db_close(d);
		return NULL;
	}
	if (db_check_schema(d, st, err, errlen) != 0 ||
	    db_exec(d, "PRAGMA foreign_keys = ON", err, errlen) != 0 ||
	    (write && db_prepare(d, err, errlen) != 0)) {
		if (*st == DB_OK)
			*st = write ? DB_CANTCREAT : DB_DATAERR;
		db_close(d);
		return NULL;
	}
	*st = DB_OK;
	return d;
}

void
db_close(struct db *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(d->st[i]);
	if (d->in_txn)
		sqlite3_exec(d->sql, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(d->sql);
	free(d->path);
	free(d);
}

struct sqlite3 *
db_handle(struct db *d)
{
	return d->sql;
}

const char *
db_path(const struct db *d)
{
	return d->path;
}

/* ---- one run ------------------------------------------------------------ */

enum db_status
db_begin(struct db *d, char *err, size_t errlen)
{
	int rc = sqlite3_exec(d->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc == SQLITE_OK) {
		d->in_txn = true;
		return DB_OK;
	}
	if ((rc & 0xff) == SQLITE_BUSY) {
		snprintf(err, errlen, "%s: locked by another run that is "
		    "storing into it (waited %u s); nothing analysed",
		    d->path, TUN_DB_BUSY_MS / 1000);
		return DB_LOCKED;
	}
	db_fail(d, err, errlen, "cannot start a transaction");
	return DB_IOERR;
}

int
db_capture_find(struct db *d, const struct capid *id, int64_t *capture,
    int64_t *run, char *err, size_t errlen)
{
	sqlite3_stmt *s = d->st[ST_FIND_CAPTURE];
	int rc, found = 0;

	sqlite3_bind_text(s, 1, id->hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)id->size);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*capture = sqlite3_column_int64(s, 0);
		*run = sqlite3_column_int64(s, 1);
		found = 1;
	} else if (rc != SQLITE_DONE)
		found = db_fail(d, err, errlen, "cannot look up a capture");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return found;
}

int64_t
db_run_add(struct db *d, const struct db_run_info *ri, char *err,
    size_t errlen)
{
	sqlite3_stmt *s = d->st[ST_ADD_RUN];
	char now[OUT_ISO_BUF], *rules = NULL, *next;
	size_t i;

	for (i = 0; i < ri->nrule_files; i++) {
		next = xasprintf("%s%s%s", rules ? rules : "", rules ? ";" : "",
		    ri->rule_files[i]);
		free(rules);
		rules = next;
	}
	now_iso(now);
	sqlite3_bind_text(s, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, PACKAGE_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, ri->per_file);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)(ri->timeout_ns / 1000000u));
	bind_text(s, 5, ri->filter);
	sqlite3_bind_int(s, 6, ri->default_rules);
	bind_text(s, 7, rules);
	sqlite3_bind_int64(s, 8, ri->max_flows);
	sqlite3_bind_int64(s, 9, ri->max_ports);
	free(rules);
	if (step_done(d, s, err, errlen, "cannot store the run") != 0)
		return -1;
	return sqlite3_last_insert_rowid(d->sql);
}

int64_t
db_capture_add(struct db *d, int64_t run, const char *path,
    const struct capid *id, char *err, size_t errlen)
{
	sqlite3_stmt *s = d->st[ST_ADD_CAPTURE];

	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)id->size);
	sqlite3_bind_text(s, 4, id->hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)id->packets);
	bind_time(s, 6, id->packets > 0 ? id->first_ns : 0);
	bind_time(s, 7, id->packets > 0 ? id->last_ns : 0);
	sqlite3_bind_int(s, 8, id->partial);
	if (step_done(d, s, err, errlen, "cannot store a capture") != 0)
		return -1;
	return sqlite3_last_insert_rowid(d->sql);
}

/* One port row, with the values the CSV writer prints. */
static int
add_port(struct db *d, int64_t run, int64_t capture,
    const struct port_row *r, char *err, size_t errlen)
{
	sqlite3_stmt *s = d->st[ST_ADD_PORT];
	char text[OUT_KINDS_BUF];

	sqlite3_bind_int64(s, 1, run);
	bind_ref(s, 2, capture);
	bind_addr(s, 3, &r->host);
	sqlite3_bind_text(s, 4, out_proto_name(r->proto), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, r->port);
	sqlite3_bind_text(s, 6, port_state_name(r->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, reason_name(r->reason), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 8, r->reason_ttl);
	bind_addr(s, 9, r->has_reason_ip ? &r->reason_ip : NULL);
	bind_addr(s, 10, &r->scanner);
	sqlite3_bind_int64(s, 11, r->probes);
	sqlite3_bind_int64(s, 12, r->responses);
	/* Rounded as the CSV prints it; also rejects NaN. */
	if (r->rtt_ms >= 0 && r->rtt_ms < 1e12) {
		snprintf(text, sizeof(text), "%.3f", r->rtt_ms);
		sqlite3_bind_double(s, 13, strtod(text, NULL));
	} else
		sqlite3_bind_null(s, 13);
	bind_time(s, 14, r->first_ns);
	bind_time(s, 15, r->last_ns);
	bind_text(s, 16, r->service);
	out_kinds_text(r, text, sizeof(text));
	sqlite3_bind_text(s, 17, text, -1, SQLITE_TRANSIENT);
	out_flags_text(r, text, sizeof(text));
	bind_text(s, 18, text);
	return step_done(d, s, err, errlen, "cannot store a port row");
}

static int
add_finding(struct db *d, int64_t run, int64_t capture,
    const struct finding *f, char *err, size_t errlen)
{
	sqlite3_stmt *s = d->st[ST_ADD_FINDING];

	sqlite3_bind_int64(s, 1, run);
	bind_ref(s, 2, capture);
	sqlite3_bind_text(s, 3, f->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, out_severity_name(f->severity), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 5, rule_scope_name(f->scope), -1, SQLITE_STATIC);
	bind_addr(s, 6, f->has_host ? &f->host : NULL);
	bind_addr(s, 7, f->has_source ? &f->source : NULL);
	bind_text(s, 8, f->ports);
	sqlite3_bind_int64(s, 9, f->count);
	sqlite3_bind_text(s, 10, f->message ? f->message : "", -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 11, f->rule ? f->rule : "", -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 12, f->evidence ? f->evidence : "{}", -1,
	    SQLITE_TRANSIENT);
	return step_done(d, s, err, errlen, "cannot store a finding");
}

int
db_results_add(struct db *d, int64_t run, int64_t capture,
    const struct results *res, char *err, size_t errlen)
{
	const struct port_row *rows;
	struct row_iter it;
	size_t i, n;
	int rc = 0;

	results_iter_init(&it, res);
	while (rc == 0 && (n = results_iter_host(&it, &rows)) > 0)
		for (i = 0; i < n && rc == 0; i++)
			rc = add_port(d, run, capture, &rows[i], err, errlen);
	results_iter_done(&it);
	if (rc != 0)
		return -1;
	for (i = 0; i < res->nfindings; i++)
		if (add_finding(d, run, capture, &res->findings[i], err,
		    errlen) != 0)
			return -1;
	return 0;
}

enum db_status
db_commit(struct db *d, int64_t run, uint32_t captures, uint32_t skipped,
    char *err, size_t errlen)
{
	sqlite3_stmt *s = d->st[ST_END_RUN];
	char now[OUT_ISO_BUF];

	now_iso(now);
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, captures);
	sqlite3_bind_int64(s, 4, skipped);
	if (step_done(d, s, err, errlen, "cannot store the run") != 0)
		return DB_IOERR;
	if (db_exec(d, "COMMIT", err, errlen) != 0)
		return DB_IOERR;
	d->in_txn = false;
	return DB_OK;
}

void
db_rollback(struct db *d)
{
	if (d->in_txn)
		sqlite3_exec(d->sql, "ROLLBACK", NULL, NULL, NULL);
	d->in_txn = false;
}
