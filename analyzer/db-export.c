/*
 * db-export.c -- --export-csv DIR: every table as CSV with a header row,
 * plus schema.sql (PostgreSQL types) and load.sql (psql \copy commands).
 *
 * Text fields go through libcsv's csv_fwrite(), which always quotes, so
 * PostgreSQL's CSV COPY reads an empty text as '' and an empty unquoted
 * field as NULL. Numbers are bare. Text that is not valid UTF-8 (a path
 * in another encoding) has each bad byte replaced by U+FFFD, as a UTF8
 * PostgreSQL database would refuse the whole file otherwise.
 */
#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "db-int.h"
#include "log.h"
#include "out.h"
#include "xmalloc.h"

static FILE *create(const char *dir, const char *name, char **path);
static bool finish(FILE *fp, const char *path);
static void csv_text(FILE *fp, const unsigned char *s, size_t n);
static int export_table(struct db *d, const struct db_table *t, FILE *fp);
static void write_schema(FILE *fp);
static void write_load(FILE *fp);

static FILE *
create(const char *dir, const char *name, char **path)
{
	FILE *fp;

	*path = xasprintf("%s/%s", dir, name);
	if ((fp = fopen(*path, "w")) == NULL)
		log_error("%s: %s", *path, strerror(errno));
	return fp;
}

/* Close; true when anything failed (reported). */
static bool
finish(FILE *fp, const char *path)
{
	bool bad = fflush(fp) != 0 || ferror(fp);

	if (fclose(fp) != 0)
		bad = true;
	if (bad)
		log_error("%s: write error: %s", path, strerror(errno));
	return bad;
}

static void
csv_text(FILE *fp, const unsigned char *s, size_t n)
{
	char *clean;
	size_t i, k, len;

	for (i = 0; i < n; i += len)
		if (s[i] == '\0' || ((len = s[i] < 0x80 ? 1 :
		    out_utf8_len(s + i)) == 0))
			break;
	if (i == n) {
		csv_fwrite(fp, s, n);
		return;
	}
	/* Rare: rebuild with U+FFFD (EF BF BD) for each bad byte. */
	clean = xmalloc(3 * n + 1);
	for (i = 0, k = 0; i < n; i += len) {
		len = s[i] != '\0' && s[i] < 0x80 ? 1 : s[i] == '\0' ? 0 :
		    out_utf8_len(s + i);
		if (len == 0) {
			memcpy(clean + k, "\xef\xbf\xbd", 3);
			k += 3;
			len = 1;
		} else {
			memcpy(clean + k, s + i, len);
			k += len;
		}
	}
	csv_fwrite(fp, clean, k);
	free(clean);
}

static int
export_table(struct db *d, const struct db_table *t, FILE *fp)
{
	sqlite3_stmt *s;
	char *sql = NULL, *next;
	size_t i;
	int rc, type;

	for (i = 0; i < t->ncols; i++) {
		fprintf(fp, "%s%s", i ? "," : "", t->cols[i].name);
		next = xasprintf("%s%s%s", sql ? sql : "SELECT ", i ? ", " :
		    "", t->cols[i].name);
		free(sql);
		sql = next;
	}
	putc('\n', fp);
	next = xasprintf("%s FROM %s ORDER BY rowid", sql, t->name);
	free(sql);
	sql = next;
	rc = sqlite3_prepare_v2(db_handle(d), sql, -1, &s, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && !ferror(fp)) {
		for (i = 0; i < t->ncols; i++) {
			if (i > 0)
				putc(',', fp);
			type = sqlite3_column_type(s, (int)i);
			if (type == SQLITE_INTEGER)
				fprintf(fp, "%" PRId64, (int64_t)
				    sqlite3_column_int64(s, (int)i));
			else if (type == SQLITE_FLOAT)
				fprintf(fp, "%.15g",
				    sqlite3_column_double(s, (int)i));
			else if (type != SQLITE_NULL)
				csv_text(fp, sqlite3_column_text(s, (int)i),
				    (size_t)sqlite3_column_bytes(s, (int)i));
		}
		putc('\n', fp);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static void
write_schema(FILE *fp)
{
	const struct db_table *t;
	size_t i, k;

	fprintf(fp, "-- portsleuth database, schema version %d, for "
	    "PostgreSQL (portsleuth %s --export-csv).\n"
	    "-- Times are timestamptz, addresses inet. Load from this "
	    "directory with:\n"
	    "--   psql -v ON_ERROR_STOP=1 -d DBNAME -f schema.sql -f "
	    "load.sql\n\n", DB_SCHEMA_VERSION, PACKAGE_VERSION);
	for (i = 0; i < db_ntables; i++) {
		t = &db_tables[i];
		fprintf(fp, "CREATE TABLE %s (\n", t->name);
		for (k = 0; k < t->ncols; k++)
			fprintf(fp, "    %s %s%s\n", t->cols[k].name,
			    t->cols[k].pg, k + 1 < t->ncols || t->extra ? "," :
			    "");
		if (t->extra != NULL)
			fprintf(fp, "    %s\n", t->extra);
		fputs(");\n\n", fp);
	}
	for (i = 0; db_indexes[i] != NULL; i++)
		fprintf(fp, "%s;\n", db_indexes[i]);
}

static void
write_load(FILE *fp)
{
	const struct db_table *t;
	size_t i, k;

	fputs("-- psql script: load the CSV files of this directory "
	    "(run psql from here).\n", fp);
	for (i = 0; i < db_ntables; i++) {
		t = &db_tables[i];
		fprintf(fp, "\\copy %s (", t->name);
		for (k = 0; k < t->ncols; k++)
			fprintf(fp, "%s%s", k ? ", " : "", t->cols[k].name);
		fprintf(fp, ") FROM '%s.csv' WITH (FORMAT csv, HEADER true)\n",
		    t->name);
	}
}

enum db_status
db_export_csv(const char *path, const char *dir)
{
	struct db *d;
	enum db_status st;
	char err[1024], *name, *file;
	struct stat sb;
	size_t i;
	FILE *fp;

	if ((d = db_open(path, false, &st, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		return st;
	}
	if (mkdir(dir, 0777) != 0 && (errno != EEXIST || stat(dir, &sb) != 0 ||
	    !S_ISDIR(sb.st_mode))) {
		log_error("%s: cannot create directory: %s", dir,
		    strerror(errno == EEXIST ? ENOTDIR : errno));
		db_close(d);
		return DB_CANTCREAT;
	}
	/* One read transaction: a consistent snapshot of every table. */
	if (sqlite3_exec(db_handle(d), "BEGIN", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		log_error("%s: %s", path, sqlite3_errmsg(db_handle(d)));
		db_close(d);
		return DB_NOINPUT;
	}
	st = DB_OK;
	for (i = 0; i < db_ntables + 2 && st == DB_OK; i++) {
		name = i < db_ntables ? xasprintf("%s.csv", db_tables[i].name) :
		    xstrdup(i == db_ntables ? "schema.sql" : "load.sql");
		fp = create(dir, name, &file);
		free(name);
		if (fp == NULL)
			st = DB_CANTCREAT;
		else if (i < db_ntables &&
		    export_table(d, &db_tables[i], fp) != 0) {
			log_error("%s: cannot read table %s: %s", path,
			    db_tables[i].name, sqlite3_errmsg(db_handle(d)));
			st = DB_DATAERR;
			fclose(fp);
		} else {
			if (i == db_ntables)
				write_schema(fp);
			else if (i > db_ntables)
				write_load(fp);
			if (finish(fp, file))
				st = DB_IOERR;
		}
		free(file);
	}
	sqlite3_exec(db_handle(d), "COMMIT", NULL, NULL, NULL);
	db_close(d);
	return st;
}
