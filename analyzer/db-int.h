/*
 * db-int.h -- the database schema as data, shared by db.c (SQLite tables,
 * statements) and db-export.c (CSV columns, PostgreSQL schema.sql), so the
 * two dialects and the export cannot drift apart. Not part of the contract.
 */
#ifndef PORTSLEUTH_DB_INT_H
#define PORTSLEUTH_DB_INT_H

#include <stddef.h>

#include "db.h"

/* PRAGMA application_id of our files: "PSLT". */
#define DB_APPLICATION_ID 0x50534c54

struct db_col {
	const char *name;
	const char *sqlite;	/* SQLite type and constraints */
	const char *pg;		/* PostgreSQL type and constraints */
};

struct db_table {
	const char *name;
	const struct db_col *cols;
	size_t ncols;
	const char *extra;	/* table constraint in both dialects, or NULL */
};

/* Tables in creation (and loading) order: referenced ones first. */
extern const struct db_table db_tables[];
extern const size_t db_ntables;

/* CREATE INDEX statements, valid in both dialects. */
extern const char *const db_indexes[];

/* The open SQLite handle of a struct db (export reads through it). */
struct sqlite3 *db_handle(struct db *d);
const char *db_path(const struct db *d);

#endif
