/*
 * check_db.c -- unit tests for the database module and capture identity:
 * a new file gets the schema, version and application id; rows read back
 * as the CSV writer prints them (NULLs for what is absent, IPv6, unknown
 * times); a rolled-back run leaves nothing; stored captures are
 * found by content; foreign, newer and missing files are refused with the
 * documented status; capid reads a sample's records and time span.
 *
 * Sample captures are found under $SRCDIR (exported by make check) or ".".
 */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0 1795355548000000000ull /* 2026-11-22T13:52:28Z */
#include "results-fixture.h"

#include "capid.h"
#include "db.h"

static char dir[] = "/tmp/check_db.XXXXXX";
static char path[256];

static void
setup(void)
{
	strcpy(dir, "/tmp/check_db.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.sqlite", dir);
}

static void
teardown(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The first column of the rows of a query, '|'-joined, NULL as "-". */
static char *
query(const char *sql)
{
	static char out[4096];
	sqlite3 *db;
	sqlite3_stmt *s;
	size_t off = 0;

	out[0] = '\0';
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		off += (size_t)snprintf(out + off, sizeof(out) - off, "%s%s",
		    off ? "|" : "", t ? (const char *)t : "-");
		ck_assert_uint_lt(off, sizeof(out));
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

static struct db *
open_ok(void)
{
	enum db_status st;
	char err[512];
	struct db *d = db_open(path, true, &st, err, sizeof(err));

	ck_assert_msg(d != NULL, "%s", err);
	ck_assert_int_eq(st, DB_OK);
	return d;
}

START_TEST(new_file_schema)
{
	db_close(open_ok());
	ck_assert_str_eq(query("PRAGMA user_version"), "1");
	ck_assert_str_eq(query("PRAGMA application_id"), "1347636308");
	ck_assert_str_eq(query("SELECT name FROM sqlite_master WHERE "
	    "type = 'table' ORDER BY name"),
	    "captures|findings|meta|ports|runs");
	ck_assert_str_eq(query("SELECT value FROM meta WHERE name = "
	    "'schema_version'"), "1");
	/* Opening it again keeps it as it is. */
	db_close(open_ok());
	ck_assert_str_eq(query("SELECT count(*) FROM meta"), "4");
}
END_TEST

static struct capid
fake_id(unsigned char fill)
{
	struct capid id;

	memset(&id, 0, sizeof(id));
	memset(id.sha256, fill, sizeof(id.sha256));
	sha256_hex(id.sha256, id.hex);
	id.size = 1234;
	id.packets = 3;
	id.first_ns = T0;
	id.last_ns = T0 + 1500000000ull;
	return id;
}

START_TEST(store_and_read_back)
{
	struct db_run_info ri = { .timeout_ns = 10000000000ull,
		.default_rules = true, .max_flows = 16, .max_ports = 32 };
	static const char *const rules[] = { "a.rules", "b.rules" };
	struct results res;
	struct port_row *w;
	struct capid id = fake_id(0xab);
	int64_t run, cap, fcap, frun;
	char err[512];
	struct db *d = open_ok();

	memset(&res, 0, sizeof(res));
	w = add_row(&res, "192.0.2.7", 6, 22, PS_OPEN, RS_SYN_ACK, 64);
	w->rtt_ms = 1.2;
	w->service = "ssh";
	w->flags[0] = "silent-drop";
	w->flags[1] = "icmp-reject";
	w->nflags = 2;
	w = add_row(&res, "2001:db8::1", 17, 53, PS_FILTERED,
	    RS_ADMIN_PROHIBITED, 63);
	w->has_reason_ip = true;
	ck_assert_int_eq(addr_parse(&w->reason_ip, "2001:db8::fe"), 0);
	w->first_ns = 0; /* unknown: NULL */
	res.findings = xcalloc(1, sizeof(*res.findings));
	res.nfindings = 1;
	res.findings[0].id = "silent-drop";
	res.findings[0].rule = "silent-drop";
	res.findings[0].severity = SEV_MEDIUM;
	res.findings[0].scope = RULE_SCOPE_HOST;
	res.findings[0].count = 1;
	res.findings[0].message = xstrdup("m, with \"quotes\"");

	ri.rule_files = rules;
	ri.nrule_files = 2;
	ck_assert_int_eq(db_begin(d, err, sizeof(err)), DB_OK);
	ck_assert_int_eq(db_capture_find(d, &id, &fcap, &frun, err,
	    sizeof(err)), 0);
	ck_assert_int_gt(run = db_run_add(d, &ri, err, sizeof(err)), 0);
	ck_assert_int_gt(cap = db_capture_add(d, run, "x.pcap", &id, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(db_results_add(d, run, cap, &res, err, sizeof(err)),
	    0);
	ck_assert_int_eq(db_commit(d, run, 1, 0, err, sizeof(err)), DB_OK);
	ck_assert_int_eq(db_capture_find(d, &id, &fcap, &frun, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(fcap, cap);
	ck_assert_int_eq(frun, run);
	db_close(d);

	ck_assert_str_eq(query("SELECT rules || ' ' || timeout_ms || ' ' || "
	    "max_flows || ' ' || (filter IS NULL) FROM runs"),
	    "a.rules;b.rules 10000 16 1");
	ck_assert_str_eq(query("SELECT first_packet || ' ' || last_packet || "
	    "' ' || sha256 FROM captures"), "2026-11-22T13:52:28.000000Z "
	    "2026-11-22T13:52:29.500000Z "
	    "abababababababababababababababababababababababababababababababab");
	ck_assert_str_eq(query("SELECT printf('%s %s %d %s %d %s %s %.3f %s "
	    "%s %s %s %s', host, proto, port, state, reason_ttl, "
	    "coalesce(reason_ip, '-'), scanner, rtt_ms, "
	    "coalesce(first_seen, '-'), coalesce(service, '-'), kinds, "
	    "coalesce(findings, '-'), capture) "
	    "FROM ports ORDER BY rowid"),
	    "192.0.2.7 tcp 22 open 64 - 198.51.100.7 1.200 "
	    "2026-11-22T13:52:28.000000Z ssh syn=open/syn-ack "
	    "silent-drop;icmp-reject 1|"
	    "2001:db8::1 udp 53 filtered 63 2001:db8::fe 198.51.100.7 "
	    "0.000 - - udp=filtered/admin-prohibited - 1");
	ck_assert_str_eq(query("SELECT rtt_ms IS NULL FROM ports "
	    "ORDER BY rowid"), "0|1");
	ck_assert_str_eq(query("SELECT finding || ' ' || severity || ' ' || "
	    "scope || ' ' || coalesce(host, '-') || ' ' || evidence || ' ' || "
	    "message FROM findings"),
	    "silent-drop medium host - {} m, with \"quotes\"");
	results_free(&res);
}
END_TEST

START_TEST(rollback_leaves_nothing)
{
	struct db_run_info ri = { .max_flows = 16, .max_ports = 16 };
	struct capid id = fake_id(0x01);
	char err[512];
	int64_t run;
	struct db *d = open_ok();

	ck_assert_int_eq(db_begin(d, err, sizeof(err)), DB_OK);
	ck_assert_int_gt(run = db_run_add(d, &ri, err, sizeof(err)), 0);
	ck_assert_int_gt(db_capture_add(d, run, "y.pcap", &id, err,
	    sizeof(err)), 0);
	db_rollback(d);
	db_close(d);
	ck_assert_str_eq(query("SELECT count(*) FROM runs"), "0");
	ck_assert_str_eq(query("SELECT count(*) FROM captures"), "0");
	/* Closing without a commit rolls back too. */
	d = open_ok();
	ck_assert_int_eq(db_begin(d, err, sizeof(err)), DB_OK);
	ck_assert_int_gt(db_run_add(d, &ri, err, sizeof(err)), 0);
	db_close(d);
	ck_assert_str_eq(query("SELECT count(*) FROM runs"), "0");
}
END_TEST

START_TEST(refused_files)
{
	enum db_status st;
	char err[512], sub[300];
	sqlite3 *db;
	struct db *d;

	/* Reading a file that does not exist: 66, and it is not created. */
	d = db_open(path, false, &st, err, sizeof(err));
	ck_assert_ptr_null(d);
	ck_assert_int_eq(st, DB_NOINPUT);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* Another program's database. */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	d = db_open(path, true, &st, err, sizeof(err));
	ck_assert_ptr_null(d);
	ck_assert_int_eq(st, DB_CANTCREAT);
	ck_assert_ptr_nonnull(strstr(err, "not a portsleuth database"));
	d = db_open(path, false, &st, err, sizeof(err));
	ck_assert_ptr_null(d);
	ck_assert_int_eq(st, DB_DATAERR);
	/* A newer schema. */
	unlink(path);
	db_close(open_ok());
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 9", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	d = db_open(path, true, &st, err, sizeof(err));
	ck_assert_ptr_null(d);
	ck_assert_int_eq(st, DB_CANTCREAT);
	ck_assert_ptr_nonnull(strstr(err, "schema version 9"));
	/* A directory that does not exist. */
	snprintf(sub, sizeof(sub), "%s/no/t.sqlite", dir);
	d = db_open(sub, true, &st, err, sizeof(err));
	ck_assert_ptr_null(d);
	ck_assert_int_eq(st, DB_CANTCREAT);
	ck_assert_ptr_nonnull(strstr(err, sub));
}
END_TEST

START_TEST(capid_sample)
{
	const char *src = getenv("SRCDIR");
	char file[4096], err[512];
	struct capid id;

	snprintf(file, sizeof(file), "%s/samples/s17_state_change.pcap",
	    src ? src : ".");
	ck_assert_int_eq(capid_file(file, &id, err, sizeof(err)), CAPID_OK);
	ck_assert_uint_eq(id.packets, 91);
	ck_assert_uint_eq(id.size, 8994);
	ck_assert_str_eq(id.hex, "48f61b294ead6e6ace4176acad583b43"
	    "b9756f2dd3bbd68fd0a23331441aa44e");
	ck_assert_uint_eq(id.first_ns, 1795360348628804000ull);
	ck_assert_uint_eq(id.last_ns, 1795360378580772000ull);
	ck_assert(!id.partial);
	ck_assert_int_eq(capid_file("-", &id, err, sizeof(err)),
	    CAPID_NOT_FILE);
	ck_assert_int_eq(capid_file("/dev/null", &id, err, sizeof(err)),
	    CAPID_NOT_FILE);
	snprintf(file, sizeof(file), "%s/README.md", src ? src : ".");
	ck_assert_int_eq(capid_file(file, &id, err, sizeof(err)),
	    CAPID_NOT_CAPTURE);
	ck_assert_int_eq(capid_file("/nonexistent.pcap", &id, err,
	    sizeof(err)), CAPID_UNREADABLE);
}
END_TEST

static Suite *
db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("valid");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, new_file_schema);
	tcase_add_test(tc, store_and_read_back);
	tcase_add_test(tc, rollback_leaves_nothing);
	tcase_add_test(tc, capid_sample);
	suite_add_tcase(s, tc);
	tc = tcase_create("malformed");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, refused_files);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(db_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
