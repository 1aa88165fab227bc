/*
 * check_rules.c -- unit tests for the rule language (rules.h): parsing
 * valid rules, the exact "file:line:col: message" of every error class,
 * evaluation, message templates, override and priority order, print/parse
 * round trips, and hostile input (random bytes, deep nesting, huge numbers,
 * unterminated strings and blocks) that must fail cleanly.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "portstate.h"
#include "rules.h"
#include "tunables.h"

/* A test vocabulary: reply scope (the analyzer's fields plus extras). */
enum {
	R_PROBE, R_REPLY, R_ITYPE, R_ICODE, R_V6, R_FROM, R_WINDOW, R_IP,
	R_TEXT, R_MODE, R_NFIELDS
};
enum { P_TRIES, P_REPLIES, P_ANSWERED, P_PORT, P_STATE, P_NAME, P_NFIELDS };

static const char *const probe_values[] = {
	"syn", "connect", "ack", "null", "fin", "xmas", "maimon", "tcp-other",
	"trace", "udp", NULL,
};
static const char *const reply_values[] = {
	"none", "syn-ack", "rst", "syn", "udp", "icmp", NULL,
};
/* Values that must be quoted when printed. */
static const char *const mode_values[] = {
	"fast", "in", "two words", "9lives", "ok", NULL,
};
static const char *const state_values[] = {
	"open", "closed", "filtered", "open|filtered", NULL,
};

static const struct ev_field reply_fields[R_NFIELDS] = {
	[R_PROBE] = { "probe", EV_ENUM, probe_values, "probe kind" },
	[R_REPLY] = { "reply", EV_ENUM, reply_values, "reply kind" },
	[R_ITYPE] = { "icmp.type", EV_NUM, NULL, "ICMP type or -1" },
	[R_ICODE] = { "icmp.code", EV_NUM, NULL, "ICMP code or -1" },
	[R_V6] = { "icmp.v6", EV_BOOL, NULL, "ICMPv6" },
	[R_FROM] = { "from_target", EV_BOOL, NULL, "source is the target" },
	[R_WINDOW] = { "window", EV_NUM, NULL, "TCP window" },
	[R_IP] = { "ip", EV_NUM, NULL, "4 or 6" },
	[R_TEXT] = { "text", EV_STR, NULL, "some text" },
	[R_MODE] = { "mode", EV_ENUM, mode_values, "awkward names" },
};

static const struct ev_field port_fields[P_NFIELDS] = {
	[P_TRIES] = { "tries", EV_NUM, NULL, "probes sent" },
	[P_REPLIES] = { "replies", EV_NUM, NULL, "replies seen" },
	[P_ANSWERED] = { "host.answered", EV_NUM, NULL, "host replies" },
	[P_PORT] = { "port", EV_NUM, NULL, "port number" },
	[P_STATE] = { "state", EV_ENUM, state_values, "verdict" },
	[P_NAME] = { "name", EV_STR, NULL, "service" },
};

static const struct ev_schema schemas[RULE_SCOPE_COUNT] = {
	[RULE_SCOPE_REPLY] = { reply_fields, R_NFIELDS },
	[RULE_SCOPE_PORT] = { port_fields, P_NFIELDS },
	[RULE_SCOPE_HOST] = { port_fields, P_NFIELDS },
	[RULE_SCOPE_PATH] = { port_fields, P_NFIELDS },
	[RULE_SCOPE_CAPTURE] = { port_fields, P_NFIELDS },
};

/* Diagnostics of the last load. */
#define MAXDIAG 256
static struct {
	int n;
	char msg[MAXDIAG][512];
} dg;

static struct ruleset *rs;

static void
diag(void *ctx, const char *msg)
{
	(void)ctx;
	if (dg.n < MAXDIAG)
		snprintf(dg.msg[dg.n], sizeof dg.msg[0], "%s", msg);
	dg.n++;
}

static void
setup(void)
{
	rs = ruleset_new(schemas);
	dg.n = 0;
}

static void
teardown(void)
{
	ruleset_free(rs);
	rs = NULL;
}

static int
load_n(const char *text, size_t len)
{
	dg.n = 0;
	return ruleset_load_buffer(rs, "t", text, len, diag, NULL);
}

static int
load(const char *text)
{
	return load_n(text, strlen(text));
}

/* Load must succeed without any diagnostic. */
static void
load_ok(const char *text)
{
	int e = load(text);

	ck_assert_msg(e == 0 && dg.n == 0, "unexpected error: %s",
	    dg.n > 0 ? dg.msg[0] : "(none)");
}

/* The load fails, adds nothing, and the first message is exactly `want`. */
static void
first_error(const char *text, const char *want)
{
	size_t before = ruleset_count(rs);
	int e = load(text);

	ck_assert_int_ge(e, 1);
	ck_assert_int_ge(dg.n, 1);
	ck_assert_str_eq(dg.msg[0], want);
	ck_assert_uint_eq(ruleset_count(rs), before);
}

/* One of the messages of the failed load is exactly `want`. */
static void
has_error(const char *text, const char *want)
{
	int e = load(text), i;

	ck_assert_int_ge(e, 1);
	for (i = 0; i < dg.n && i < MAXDIAG; i++)
		if (strcmp(dg.msg[i], want) == 0)
			return;
	ck_abort_msg("no message \"%s\" (first: \"%s\")", want,
	    dg.n > 0 ? dg.msg[0] : "");
}

static const struct rule *
find(const char *name)
{
	size_t i;

	for (i = 0; i < ruleset_count(rs); i++)
		if (strcmp(ruleset_get(rs, i)->name, name) == 0)
			return ruleset_get(rs, i);
	ck_abort_msg("no rule %s", name);
	return NULL;
}

static double
idx(const char *const *values, const char *name)
{
	size_t i;

	for (i = 0; values[i] != NULL; i++)
		if (strcmp(values[i], name) == 0)
			return (double)i;
	ck_abort_msg("no value %s", name);
	return -1;
}

/* Reply evidence; text may be NULL. */
static void
reply_ev(struct ev_value *v, const char *probe, const char *reply,
    double itype, double icode, bool from)
{
	memset(v, 0, sizeof(struct ev_value) * R_NFIELDS);
	v[R_PROBE].num = idx(probe_values, probe);
	v[R_REPLY].num = idx(reply_values, reply);
	v[R_ITYPE].num = itype;
	v[R_ICODE].num = icode;
	v[R_FROM].num = from;
	v[R_IP].num = 4;
	v[R_MODE].num = idx(mode_values, "fast");
}

/* Does `cond` (a reply-scope condition) hold for evidence v? */
static bool
cond_holds(const char *cond, const struct ev_value *v)
{
	char text[1024];

	snprintf(text, sizeof text, "rule c { scope reply; when %s; "
	    "label open reason syn-ack; }", cond);
	load_ok(text);
	return rule_matches(find("c"), v);
}

static char *
print_all(struct ruleset *set)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	for (i = 0; i < ruleset_count(set); i++)
		rule_print(ruleset_get(set, i), NULL, fp);
	fclose(fp);
	return buf;
}

/* ---------------------------------------------------------------- valid */

static const char example[] =
    "# comment to end of line\n"
    "rule syn-open {\n"
    "\tscope reply;                      # reply | port | ...\n"
    "\tpriority 10;\n"
    "\twhen probe == syn and reply == syn-ack;\n"
    "\tlabel open reason syn-ack rank 100;\n"
    "}\n"
    "rule silent-drop {\n"
    "\tscope port;\n"
    "\twhen tries >= 2 and replies == 0 and host.answered > 0;\n"
    "\tfinding silent-drop severity medium message \"{tries} tries "
    "unanswered on {port}\";\n"
    "}\n";

START_TEST(test_example)
{
	const struct rule *r;

	load_ok(example);
	ck_assert_uint_eq(ruleset_count(rs), 2);
	r = find("syn-open");
	ck_assert_str_eq(r->file, "t");
	ck_assert_uint_eq(r->line, 2);
	ck_assert_int_eq(r->scope, RULE_SCOPE_REPLY);
	ck_assert_int_eq(r->priority, 10);
	ck_assert_int_eq(r->outcome, RULE_LABEL);
	ck_assert_int_eq(r->state, PS_OPEN);
	ck_assert_int_eq(r->reason, RS_SYN_ACK);
	ck_assert_int_eq(r->rank, 100);
	ck_assert_ptr_nonnull(r->when);
	r = find("silent-drop");
	ck_assert_uint_eq(r->line, 8);
	ck_assert_int_eq(r->scope, RULE_SCOPE_PORT);
	ck_assert_int_eq(r->priority, 0);
	ck_assert_int_eq(r->outcome, RULE_FINDING);
	ck_assert_str_eq(r->finding_id, "silent-drop");
	ck_assert_int_eq(r->severity, SEV_MEDIUM);
	ck_assert_str_eq(r->message, "{tries} tries unanswered on {port}");
	ck_assert_int_eq(r->per, -1);
}
END_TEST

START_TEST(test_per)
{
	char *out;

	load_ok("rule p { per tries; scope port; when replies == 0; finding "
	    "x severity low message \"m\"; }");
	ck_assert_int_eq(find("p")->per, P_TRIES);
	out = print_all(rs);
	ck_assert_str_eq(out, "rule p {\n\tscope port;\n\tper tries;\n"
	    "\twhen replies == 0;\n\tfinding x severity low message "
	    "\"m\";\n}\n");
	free(out);
}
END_TEST

START_TEST(test_empty_and_comments)
{
	load_ok("");
	load_ok("# only a comment");
	load_ok("\n\n   \t# x\r\n# \xc3\xa9t\xc3\xa9 (UTF-8 in a comment)\n");
	ck_assert_uint_eq(ruleset_count(rs), 0);
	/* CRLF line ends; no condition means always true */
	load_ok("rule a {\r\n scope capture;\r\n finding x severity info "
	    "message \"\";\r\n}\r\n");
	ck_assert_ptr_null(find("a")->when);
	ck_assert(rule_matches(find("a"), NULL));
}
END_TEST

START_TEST(test_names)
{
	/* open|filtered bare or quoted; names as strings */
	load_ok("rule a { scope reply; label open|filtered reason "
	    "no-response; }\n"
	    "rule b { scope \"reply\"; label \"open|filtered\" reason "
	    "\"no-response\"; }\n"
	    "rule c { scope reply; label closed|filtered reason "
	    "no-ipid-change; }\n"
	    "rule d { scope reply; label \"closed|filtered\" reason reset; }\n"
	    "rule e { scope reply; when probe == \"tcp-other\" and mode in "
	    "(\"in\", \"two words\"); label unfiltered reason reset; }\n"
	    "rule f_1.x-y { scope port; when state == open|filtered; finding "
	    "a.b-c severity \"high\" message \"m\"; }\n");
	ck_assert_int_eq(find("a")->state, PS_OPEN_FILTERED);
	ck_assert_int_eq(find("b")->state, PS_OPEN_FILTERED);
	ck_assert_int_eq(find("b")->reason, RS_NO_RESPONSE);
	ck_assert_int_eq(find("c")->state, PS_CLOSED_FILTERED);
	ck_assert_int_eq(find("d")->state, PS_CLOSED_FILTERED);
	ck_assert_str_eq(find("f_1.x-y")->finding_id, "a.b-c");
	ck_assert_int_eq(find("f_1.x-y")->severity, SEV_HIGH);
}
END_TEST

START_TEST(test_syntax_variants)
{
	struct ev_value v[R_NFIELDS];

	/* `when` before `scope`; stray ';'; C-style operators */
	load_ok("rule a { when probe == syn && !from_target || icmp.v6; ; "
	    "scope reply; label open reason syn-ack; ; }");
	reply_ev(v, "syn", "none", -1, -1, false);
	ck_assert(rule_matches(find("a"), v));
	v[R_FROM].num = 1;
	ck_assert(!rule_matches(find("a"), v));
	v[R_V6].num = 1;
	ck_assert(rule_matches(find("a"), v));
	/* `ttl-1` style: '-' before a digit is subtraction */
	reply_ev(v, "syn", "icmp", 3, 1, true);
	ck_assert(cond_holds("icmp.type-1 == 2", v));
	ck_assert(cond_holds("icmp.type - icmp.code == 2", v));
	ck_assert(cond_holds("icmp.type - icmp.code*2 == 1", v));
	ck_assert(cond_holds("icmp.type-1-icmp.code == 1", v));
	/* decimals, negative priority and rank */
	load_ok("rule b { scope reply; priority -7; when window < 0.5; "
	    "label closed reason reset rank -3; }");
	ck_assert_int_eq(find("b")->priority, -7);
	ck_assert_int_eq(find("b")->rank, -3);
}
END_TEST

START_TEST(test_hide)
{
	struct ev_value v[P_NFIELDS];
	char *out;

	load_ok("rule h { scope port; when tries > 3; hide; }\n"
	    "rule hide { hide; scope port; }\n");
	ck_assert_int_eq(find("h")->outcome, RULE_HIDE);
	ck_assert_ptr_null(find("h")->finding_id);
	ck_assert_ptr_null(find("h")->message);
	ck_assert_int_eq(find("hide")->outcome, RULE_HIDE);
	memset(v, 0, sizeof v);
	v[P_TRIES].num = 4;
	ck_assert_str_eq(ruleset_first(rs, RULE_SCOPE_PORT, v)->name, "h");
	out = print_all(rs);
	ck_assert_str_eq(out, "rule h {\n\tscope port;\n\twhen tries > 3;\n"
	    "\thide;\n}\nrule hide {\n\tscope port;\n\thide;\n}\n");
	free(out);
}
END_TEST

START_TEST(test_override)
{
	static const char second[] = "\n\nrule b { scope reply; when "
	    "from_target; label unfiltered reason reset; }";

	load_ok("rule a { scope reply; label open reason syn-ack; }\n"
	    "rule b { scope reply; label closed reason reset; }\n"
	    "rule c { scope reply; label filtered reason no-response; }\n");
	dg.n = 0;
	ck_assert_int_eq(ruleset_load_buffer(rs, "second", second,
	    strlen(second), diag, NULL), 0);
	ck_assert_uint_eq(ruleset_count(rs), 3);
	/* replaced in place: still between a and c */
	ck_assert_str_eq(ruleset_get(rs, 0)->name, "a");
	ck_assert_str_eq(ruleset_get(rs, 1)->name, "b");
	ck_assert_str_eq(ruleset_get(rs, 2)->name, "c");
	ck_assert_int_eq(ruleset_get(rs, 1)->state, PS_UNFILTERED);
	ck_assert_str_eq(ruleset_get(rs, 1)->file, "second");
	ck_assert_uint_eq(ruleset_get(rs, 1)->line, 3);
	ck_assert_ptr_nonnull(ruleset_get(rs, 1)->when);
	ck_assert_ptr_null(ruleset_get(rs, 3));
	/* a file with an error replaces nothing */
	ck_assert_int_eq(load("rule b { scope reply; label open reason "
	    "syn-ack; }\nrule z { scope bogus; }"), 2);
	ck_assert_int_eq(find("b")->state, PS_UNFILTERED);
}
END_TEST

START_TEST(test_priority_order)
{
	struct ev_value v[R_NFIELDS];

	load_ok("rule p0 { scope reply; label open reason syn-ack; }\n"
	    "rule p10 { scope reply; priority 10; when reply == rst; "
	    "label closed reason reset; }\n"
	    "rule pm5 { scope reply; priority -5; label filtered reason "
	    "no-response; }\n"
	    "rule p10b { scope reply; priority 10; label unfiltered reason "
	    "reset; }\n"
	    "rule port { scope port; priority 99; finding f severity low "
	    "message \"\"; }\n");
	ck_assert_str_eq(ruleset_get(rs, 0)->name, "port");
	ck_assert_str_eq(ruleset_get(rs, 1)->name, "p10");
	ck_assert_str_eq(ruleset_get(rs, 2)->name, "p10b");
	ck_assert_str_eq(ruleset_get(rs, 3)->name, "p0");
	ck_assert_str_eq(ruleset_get(rs, 4)->name, "pm5");
	reply_ev(v, "syn", "rst", -1, -1, true);
	ck_assert_str_eq(ruleset_first(rs, RULE_SCOPE_REPLY, v)->name, "p10");
	reply_ev(v, "syn", "syn-ack", -1, -1, true);
	ck_assert_str_eq(ruleset_first(rs, RULE_SCOPE_REPLY, v)->name,
	    "p10b");
	ck_assert_ptr_null(ruleset_first(rs, RULE_SCOPE_HOST, v));
	/* an override keeps its load position but takes its new priority */
	load_ok("rule p0 { scope reply; priority 10; label open reason "
	    "syn-ack; }");
	ck_assert_str_eq(ruleset_get(rs, 1)->name, "p0");
	ck_assert_str_eq(ruleset_get(rs, 2)->name, "p10");
}
END_TEST

START_TEST(test_print_canonical)
{
	char *out;

	load_ok("rule x{when (probe==syn||probe==\"ack\")and(icmp.type+1)*2>3"
	    " and mode not in (\"in\",\"two words\",\"9lives\", ok) and text "
	    "== \"q\\\"\\\\\\n\\t\";scope reply;priority 5;label open reason "
	    "syn-ack rank 2;}\n"
	    "rule y { scope host; finding h-x severity info message "
	    "\"{{x}} {tries}\\n\"; }\n");
	out = print_all(rs);
	ck_assert_str_eq(out,
	    "rule x {\n"
	    "\tscope reply;\n"
	    "\tpriority 5;\n"
	    "\twhen (probe == syn or probe == ack) and (icmp.type + 1) * 2 > 3"
	    " and mode not in (\"in\", \"two words\", \"9lives\", ok) and text"
	    " == \"q\\\"\\\\\\n\\t\";\n"
	    "\tlabel open reason syn-ack rank 2;\n"
	    "}\n"
	    "rule y {\n"
	    "\tscope host;\n"
	    "\tfinding h-x severity info message \"{{x}} {tries}\\n\";\n"
	    "}\n");
	free(out);
}
END_TEST

static const char *const roundtrip_rules[] = {
	"rule r1 { scope reply; when probe in (syn, connect) and reply == rst"
	" and from_target; label closed reason reset rank 5; }",
	"rule r2 { scope reply; priority -3; when reply == icmp and icmp.type"
	" == 3 and icmp.code in (1, 2, 3, 9, 10, 13) and not from_target; "
	"label filtered reason host-unreach; }",
	"rule r3 { scope reply; when probe == udp && reply == none || "
	"window > 0 && ip == 6; label open|filtered reason no-response; }",
	"rule r4 { scope reply; when -(icmp.type - -2) * -3 / (1 + 2) % 4 "
	">= -icmp.code - 1 - (2 - 3); label open reason syn-ack; }",
	"rule r5 { scope reply; when not not (not from_target == false) != "
	"(1 < 2); label open reason syn-ack; }",
	"rule r6 { scope reply; when min(max(1, icmp.type), abs(-2.75)) * "
	"0.1 == 0.30000000000000004 or window == 1234567890123456789; "
	"label open reason syn-ack; }",
	"rule r7 { scope reply; when text not in (\"a\", \"b\\tc\") and "
	"\"x\" != text and mode == \"two words\" and \"9lives\" != mode; "
	"label open reason syn-ack; }",
	"rule r8 { scope reply; when (icmp.type == 3) == (icmp.code == 3) "
	"and 0.000001 < 1 and -0 == 0; label open reason syn-ack; }",
	"rule r9 { scope port; when state == open|filtered and tries % 2 == "
	"1; finding odd severity low message \"{{{tries}}}={state} {name}\"; }",
	"rule r10 { scope capture; priority 7; finding cap severity high "
	"message \"\"; }",
	"rule r10h { scope port; priority 3; when replies * 2 < tries; hide; }",
	"rule r11 { scope reply; when (1 + 2) + 3 == 1 + (2 + 3) and "
	"(1 - 2) - 3 != 1 - (2 - 3) and 2 * (3 / 4) == 2 * 3 / 4; "
	"label open reason syn-ack; }",
};

START_TEST(test_roundtrip)
{
	struct ruleset *again;
	struct ev_value v[R_NFIELDS];
	const char *probes[] = { "syn", "udp", "connect" };
	const char *replies[] = { "none", "rst", "icmp", "syn-ack" };
	char *p1, *p2;
	size_t i, k;
	int e;

	for (i = 0; i < sizeof roundtrip_rules / sizeof roundtrip_rules[0];
	    i++)
		load_ok(roundtrip_rules[i]);
	p1 = print_all(rs);
	again = ruleset_new(schemas);
	dg.n = 0;
	e = ruleset_load_buffer(again, "again", p1, strlen(p1), diag, NULL);
	ck_assert_msg(e == 0, "%s\n%s", dg.n ? dg.msg[0] : "", p1);
	p2 = print_all(again);
	ck_assert_str_eq(p1, p2);
	ck_assert_uint_eq(ruleset_count(again), ruleset_count(rs));
	/* the same verdicts on a grid of evidence */
	for (k = 0; k < 3 * 4 * 2 * 5; k++) {
		reply_ev(v, probes[k % 3], replies[k / 3 % 4], (double)(k % 5),
		    (double)(k % 7) - 1, k / 12 % 2);
		v[R_WINDOW].num = (double)(k % 3);
		v[R_V6].num = (double)(k % 2);
		v[R_TEXT].str = k % 4 == 0 ? NULL : k % 4 == 1 ? "a" : "b\tc";
		v[R_MODE].num = (double)(k % 5);
		for (i = 0; i < ruleset_count(rs); i++)
			if (ruleset_get(rs, i)->scope == RULE_SCOPE_REPLY)
				ck_assert_int_eq(
				    rule_matches(ruleset_get(rs, i), v),
				    rule_matches(ruleset_get(again, i), v));
	}
	free(p1);
	free(p2);
	ruleset_free(again);
}
END_TEST

START_TEST(test_names_helpers)
{
	ck_assert_str_eq(rule_scope_name(RULE_SCOPE_REPLY), "reply");
	ck_assert_str_eq(rule_scope_name(RULE_SCOPE_CAPTURE), "capture");
	ck_assert_str_eq(rule_scope_name(RULE_SCOPE_COUNT), "unknown");
	ck_assert_str_eq(severity_name(SEV_MEDIUM), "medium");
	ck_assert_str_eq(severity_name(SEV_COUNT), "unknown");
	ck_assert_int_eq(severity_from_name("info"), SEV_INFO);
	ck_assert_int_eq(severity_from_name("high"), SEV_HIGH);
	ck_assert_int_eq(severity_from_name("urgent"), -1);
}
END_TEST

START_TEST(test_load_file)
{
	char path[] = "/tmp/check_rules_XXXXXX", want[600];
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fputs(example, fp);
	fputs("rule bad { scope reply; when nope; label open reason "
	    "reset; }\n", fp);
	fclose(fp);
	dg.n = 0;
	ck_assert_int_eq(ruleset_load_file(rs, path, diag, NULL), 1);
	snprintf(want, sizeof want, "%s:13:30: unknown evidence 'nope' in "
	    "scope reply", path);
	ck_assert_str_eq(dg.msg[0], want);
	ck_assert_uint_eq(ruleset_count(rs), 0);
	fp = fopen(path, "w");
	fputs(example, fp);
	fclose(fp);
	ck_assert_int_eq(ruleset_load_file(rs, path, diag, NULL), 0);
	ck_assert_uint_eq(ruleset_count(rs), 2);
	ck_assert_str_eq(find("syn-open")->file, path);
	unlink(path);
	dg.n = 0;
	ck_assert_int_eq(ruleset_load_file(rs, path, diag, NULL), 1);
	snprintf(want, sizeof want, "%s: No such file or directory", path);
	ck_assert_str_eq(dg.msg[0], want);
	dg.n = 0;
	ck_assert_int_eq(ruleset_load_file(rs, "/", diag, NULL), 1);
	ck_assert_str_eq(dg.msg[0], "/: Is a directory");
	/* a NULL diag is allowed */
	ck_assert_int_eq(ruleset_load_file(rs, path, NULL, NULL), 1);
}
END_TEST

START_TEST(test_rule_limit)
{
	size_t cap = (size_t)TUN_RULE_MAX_RULES * 64, n = 0, i;
	char *text = malloc(cap);

	for (i = 0; i < TUN_RULE_MAX_RULES; i++)
		n += (size_t)snprintf(text + n, cap - n, "rule r%zu { scope "
		    "port; finding f severity low message \"\"; }\n", i);
	ck_assert_int_eq(load_n(text, n), 0);
	ck_assert_uint_eq(ruleset_count(rs), TUN_RULE_MAX_RULES);
	/* overriding is fine at the limit; one more is not */
	load_ok("rule r7 { scope host; finding g severity high message "
	    "\"\"; }");
	ck_assert_int_eq(find("r7")->scope, RULE_SCOPE_HOST);
	first_error("rule r1 { scope port; finding f severity low message "
	    "\"\"; }\nrule extra { scope port; finding f severity low "
	    "message \"\"; }\nrule extra2 { scope nope; }",
	    "t:2:6: too many rules (more than 4096)");
	ck_assert_int_eq(dg.n, 1);	/* and it stops there */
	ruleset_free(rs);
	rs = ruleset_new(schemas);
	n += (size_t)snprintf(text + n, cap - n, "rule one-more { scope port; "
	    "finding f severity low message \"\"; }\n");
	ck_assert_int_ge(load_n(text, n), 1);
	ck_assert_uint_eq(ruleset_count(rs), 0);
	free(text);
}
END_TEST

/* --------------------------------------------------------------- errors */

START_TEST(test_err_evidence)
{
	first_error("rule a {\n scope reply;\n when prob == syn;\n label open "
	    "reason syn-ack;\n}", "t:3:7: unknown evidence 'prob' in scope "
	    "reply");
	first_error("rule a { scope reply; when icmp-type > 3; label open "
	    "reason syn-ack; }", "t:1:28: unknown evidence 'icmp-type' in "
	    "scope reply; write 'a - b' to subtract");
	/* port-scope names are not reply-scope names */
	first_error("rule a { scope reply; when tries > 1; label open reason "
	    "syn-ack; }", "t:1:28: unknown evidence 'tries' in scope reply");
	/* identifiers with '-' in them get a hint */
	first_error("rule a { scope reply; when icmp.type-icmp.code > 1; label "
	    "open reason syn-ack; }", "t:1:28: unknown evidence "
	    "'icmp.type-icmp.code' in scope reply; write 'a - b' to "
	    "subtract");
	/* even when `when` comes first, and every unknown name */
	first_error("rule a { when tries > 1 and zap;\n scope reply; label "
	    "open reason syn-ack; }", "t:1:15: unknown evidence 'tries' in "
	    "scope reply");
	ck_assert_int_eq(dg.n, 2);
	ck_assert_str_eq(dg.msg[1], "t:1:29: unknown evidence 'zap' in scope "
	    "reply");
	/* ...reported in line order although the scope comes later */
	first_error("rule a { when zap;\n scope reply;\n label opn reason "
	    "reset; }", "t:1:15: unknown evidence 'zap' in scope reply");
	ck_assert_int_eq(dg.n, 2);
	ck_assert_str_eq(dg.msg[1], "t:3:8: unknown port state 'opn' "
	    "(expected open, closed, filtered, unfiltered, open|filtered or "
	    "closed|filtered)");
	has_error("rule a { scope port; when x; finding f severity low "
	    "message \"\"; }\nrule b { when window > 1 or pork < 1; scope "
	    "port; finding f severity low message \"\"; }",
	    "t:2:29: unknown evidence 'pork' in scope port");
}
END_TEST

START_TEST(test_err_bad_schema)
{
	static const struct ev_field bad[] = {
		{ "weird", (enum ev_type)42, NULL, "not a type" },
	};
	static const char t1[] = "rule a { scope host; when weird; finding f "
	    "severity low message \"\"; }";
	static const char t2[] = "rule a { scope reply; when probe == syn; "
	    "label open reason syn-ack; }";
	struct ev_schema s[RULE_SCOPE_COUNT];
	struct ruleset *set;

	memcpy(s, schemas, sizeof s);
	s[RULE_SCOPE_HOST].fields = bad;
	s[RULE_SCOPE_HOST].nfields = 1;
	set = ruleset_new(s);
	dg.n = 0;
	ck_assert_int_eq(ruleset_load_buffer(set, "t", t1, strlen(t1), diag,
	    NULL), 1);
	ck_assert_str_eq(dg.msg[0], "t:1:27: evidence 'weird' has no valid "
	    "type (a bug in its schema)");
	ck_assert_uint_eq(ruleset_count(set), 0);
	ruleset_free(set);
	/* no schemas at all: every name is unknown */
	set = ruleset_new(NULL);
	dg.n = 0;
	ck_assert_int_eq(ruleset_load_buffer(set, "t", t2, strlen(t2), diag,
	    NULL), 2);
	ck_assert_str_eq(dg.msg[0], "t:1:28: unknown evidence 'probe' in scope "
	    "reply");
	ck_assert_str_eq(dg.msg[1], "t:1:37: unknown evidence 'syn' in scope "
	    "reply");
	ruleset_free(set);
}
END_TEST

START_TEST(test_err_enum)
{
	first_error("rule a { scope reply; when probe == sin; label open "
	    "reason syn-ack; }", "t:1:37: unknown value 'sin' for 'probe' "
	    "(expected one of: syn, connect, ack, null, fin, xmas, maimon, "
	    "tcp-other, trace, udp)");
	first_error("rule a { scope reply; when \"rts\" != reply; label open "
	    "reason syn-ack; }", "t:1:28: unknown value 'rts' for 'reply' "
	    "(expected one of: none, syn-ack, rst, syn, udp, icmp)");
	first_error("rule a { scope reply; when reply in (rst,\n  bogus); "
	    "label open reason syn-ack; }", "t:2:3: unknown value 'bogus' for "
	    "'reply' (expected one of: none, syn-ack, rst, syn, udp, icmp)");
	first_error("rule a { scope reply; when probe == 3; label open "
	    "reason syn-ack; }", "t:1:37: 'probe' is an enum: compare it with "
	    "one of its values (syn, connect, ack, null, fin, xmas, maimon, "
	    "tcp-other, trace, udp)");
	first_error("rule a { scope reply; when probe == reply; label open "
	    "reason syn-ack; }", "t:1:37: unknown value 'reply' for 'probe' "
	    "(expected one of: syn, connect, ack, null, fin, xmas, maimon, "
	    "tcp-other, trace, udp)");
	first_error("rule a { scope reply; when probe < syn; label open "
	    "reason syn-ack; }", "t:1:28: '<' needs a number, but 'probe' is "
	    "an enum");
	ck_assert_int_eq(dg.n, 1);
	first_error("rule a { scope reply; when syn >= probe; label open "
	    "reason syn-ack; }", "t:1:35: '>=' needs a number, but 'probe' is "
	    "an enum");
	ck_assert_int_eq(dg.n, 1);
}
END_TEST

START_TEST(test_err_types)
{
	first_error("rule a { scope reply; when probe + 1 > 2; label open "
	    "reason syn-ack; }", "t:1:28: '+' needs a number, but 'probe' is "
	    "an enum");
	first_error("rule a { scope reply; when icmp.type and from_target; "
	    "label open reason syn-ack; }", "t:1:28: 'and' needs a boolean, "
	    "but 'icmp.type' is a number");
	first_error("rule a { scope reply; when from_target or 1; label open "
	    "reason syn-ack; }", "t:1:43: 'or' needs a boolean, not a "
	    "number");
	first_error("rule a { scope reply; when not window; label open reason "
	    "syn-ack; }", "t:1:32: 'not' needs a boolean, but 'window' is a "
	    "number");
	first_error("rule a { scope reply; when -from_target; label open "
	    "reason syn-ack; }", "t:1:29: '-' needs a number, but "
	    "'from_target' is a boolean");
	first_error("rule a { scope reply; when icmp.type * 2; label open "
	    "reason syn-ack; }", "t:1:28: the condition must be a boolean, "
	    "not a number");
	first_error("rule a { scope reply; when text == 1; label open reason "
	    "syn-ack; }", "t:1:33: cannot compare a string with a number");
	first_error("rule a { scope reply; when text < \"b\"; label open "
	    "reason syn-ack; }", "t:1:28: '<' needs a number, but 'text' is a "
	    "string");
	first_error("rule a { scope reply; when from_target == 1; label open "
	    "reason syn-ack; }", "t:1:40: cannot compare a boolean with a "
	    "number");
	first_error("rule a { scope reply; when window in (1, \"2\"); label "
	    "open reason syn-ack; }", "t:1:42: list item is a string, but the "
	    "left side of 'in' is a number");
	first_error("rule a { scope reply; when from_target in (true); label "
	    "open reason syn-ack; }", "t:1:28: 'in' needs a number, an enum "
	    "or a string on its left, not a boolean");
	first_error("rule a { scope reply; when min(1, text) > 0; label open "
	    "reason syn-ack; }", "t:1:35: 'min' needs a number, but 'text' is "
	    "a string");
	first_error("rule a { scope reply; when max(1) > 0; label open reason "
	    "syn-ack; }", "t:1:28: max takes 2 arguments, not 1");
	first_error("rule a { scope reply; when sqrt(4) > 0; label open reason "
	    "syn-ack; }", "t:1:28: unknown function 'sqrt' (there are min, "
	    "max and abs)");
	first_error("rule a { scope reply; when 1 < 2 < 3; label open reason "
	    "syn-ack; }", "t:1:34: comparisons do not chain; join them with "
	    "'and'");
}
END_TEST

START_TEST(test_err_outcomes)
{
	first_error("rule a { scope port; label open reason syn-ack; }",
	    "t:1:22: a label is only allowed in scope reply (scope port takes"
	    " a finding)");
	first_error("rule a {\n\tscope reply;\n\tfinding x severity low "
	    "message \"m\";\n}", "t:3:2: a finding is not allowed in scope "
	    "reply (use a label)");
	first_error("rule a { label open reason syn-ack; }", "t:1:1: rule 'a' "
	    "has no scope");
	first_error("\n  rule nothing { scope reply; when true; }",
	    "t:2:3: rule 'nothing' has no outcome (a label, a finding or "
	    "hide)");
	first_error("rule a { scope host; hide; }", "t:1:22: 'hide' is only "
	    "allowed in scope port");
	first_error("rule a {\n scope reply;\n hide;\n}", "t:3:2: 'hide' is "
	    "only allowed in scope port");
	first_error("rule a { scope port; hide now; }", "t:1:27: expected ';' "
	    "after 'hide', found 'now'");
	first_error("rule a { scope port; hide; finding f severity low message "
	    "\"\"; }", "t:1:28: the rule already has an outcome (line 1); a "
	    "rule has one label, finding or hide");
	first_error("rule a { scope reply; label open; }", "t:1:23: the label "
	    "needs a 'reason'");
	first_error("rule a { scope host; finding x message \"m\"; }",
	    "t:1:22: the finding needs a 'severity'");
	first_error("rule a { scope host; finding x severity low; }",
	    "t:1:22: the finding needs a 'message'");
	first_error("rule a { scope reply; label opened reason syn-ack; }",
	    "t:1:29: unknown port state 'opened' (expected open, closed, "
	    "filtered, unfiltered, open|filtered or closed|filtered)");
	first_error("rule a { scope reply; label unknown reason syn-ack; }",
	    "t:1:29: unknown port state 'unknown' (expected open, closed, "
	    "filtered, unfiltered, open|filtered or closed|filtered)");
	first_error("rule a { scope reply; label open reason synack; }",
	    "t:1:41: unknown reason 'synack'");
	first_error("rule a { scope host; finding x severity urgent message "
	    "\"\"; }", "t:1:41: unknown severity 'urgent' (expected info, low,"
	    " medium or high)");
	first_error("rule a { scope hosts; finding x severity low message "
	    "\"\"; }", "t:1:16: unknown scope 'hosts' (expected reply, port, "
	    "host, path or capture)");
	first_error("rule a { scope reply; label open reason syn-ack "
	    "colour red; }", "t:1:49: expected 'reason', 'rank' or ';' in the "
	    "label, found 'colour'");
	first_error("rule a { scope host; finding \"x\" severity low message "
	    "\"\"; }", "t:1:30: expected a finding id, found a string");
	first_error("rule a { scope host; finding x severity low message m; }",
	    "t:1:53: expected a string after 'message', found 'm'");
}
END_TEST

START_TEST(test_err_duplicates)
{
	first_error("rule a { scope reply;\n scope port; label open reason "
	    "syn-ack; }", "t:2:2: duplicate 'scope' clause (first at line 1)");
	first_error("rule a { scope reply; when true; when false; label open "
	    "reason syn-ack; }", "t:1:34: duplicate 'when' clause (first at "
	    "line 1)");
	first_error("rule a { scope reply; priority 1; priority 2; label open "
	    "reason syn-ack; }", "t:1:35: duplicate 'priority' clause (first "
	    "at line 1)");
	first_error("rule a { scope reply; label open reason syn-ack;\n label "
	    "closed reason reset; }", "t:2:2: the rule already has an outcome"
	    " (line 1); a rule has one label, finding or hide");
	first_error("rule a { scope reply; label open reason syn-ack reason "
	    "reset; }", "t:1:49: duplicate 'reason' in the label");
	first_error("rule a { scope host; finding x severity low severity high"
	    " message \"\"; }", "t:1:45: duplicate 'severity' in the finding");
	first_error("rule a { scope reply; label open reason syn-ack; }\n"
	    "rule b { scope reply; label open reason syn-ack; }\n"
	    "rule a { scope reply; label open reason syn-ack; }",
	    "t:3:6: duplicate rule 'a' (first defined at line 1)");
}
END_TEST

START_TEST(test_err_messages)
{
	first_error("rule a { scope port; finding x severity low message "
	    "\"{tries} of {tirse}\"; }", "t:1:53: the message quotes unknown "
	    "evidence 'tirse'");
	first_error("rule a { scope port; finding x severity low message "
	    "\"{port\"; }", "t:1:53: unterminated '{' in the message (write "
	    "'{{' for a brace)");
	first_error("rule a { scope port; finding x severity low message "
	    "\"a } b\"; }", "t:1:53: unmatched '}' in the message (write '}}' "
	    "for a brace)");
	first_error("rule a { scope port; finding x severity low message "
	    "\"{}\"; }", "t:1:53: empty '{}' in the message");
	/* reply-scope fields are not port-scope fields */
	first_error("rule a { scope port; finding x severity low message "
	    "\"{probe}\"; }", "t:1:53: the message quotes unknown evidence "
	    "'probe'");
}
END_TEST

START_TEST(test_err_syntax)
{
	first_error("rule a { scope reply label open reason syn-ack; }",
	    "t:1:22: expected ';' after the scope, found 'label'");
	/* ...and recovery at the clause keyword found no more errors */
	ck_assert_int_eq(dg.n, 1);
	first_error("rule a { when from_target\n label open reason syn-ack; "
	    "scope reply; }", "t:2:2: expected ';' after the condition, found "
	    "'label'");
	ck_assert_int_eq(dg.n, 1);
	first_error("rule { scope reply; label open reason syn-ack; }",
	    "t:1:6: expected a rule name, found '{'");
	first_error("rule a|b { }", "t:1:6: expected a rule name, found "
	    "'a|b'");
	first_error("rule a scope reply; }", "t:1:8: expected '{' after the "
	    "rule name, found 'scope'");
	first_error("rules a { }", "t:1:1: expected 'rule', found 'rules'");
	first_error("rule a { scope reply; when (1 < 2; label open reason "
	    "syn-ack; }", "t:1:34: expected ')' to close '(', found ';'");
	first_error("rule a { scope reply; when 1 < 2 label open reason "
	    "syn-ack; }", "t:1:34: expected ';' after the condition, found "
	    "'label'");
	first_error("rule a { scope reply; when and; label open reason "
	    "syn-ack; }", "t:1:28: expected an expression, found 'and'");
	first_error("rule a { scope reply; when from_target = true; label open"
	    " reason syn-ack; }", "t:1:40: unexpected '='; compare with '=='");
	first_error("rule a { scope reply; when a & b; label open reason "
	    "syn-ack; }", "t:1:30: unexpected '&'; use 'and' or 'or'");
	first_error("rule a { scope reply; when 1e5 > 0; label open reason "
	    "syn-ack; }", "t:1:28: invalid number '1e5'");
	first_error("rule a { scope reply; when 1.5.2 > 0; label open reason "
	    "syn-ack; }", "t:1:28: invalid number '1.5.2'");
	first_error("rule a { scope reply; priority 1.5; label open reason "
	    "syn-ack; }", "t:1:32: priority must be a whole number");
	first_error("rule a { scope reply; priority 3000000000; label open "
	    "reason syn-ack; }", "t:1:32: priority is out of range");
	first_error("rule a { scope reply; label open reason syn-ack rank x; }",
	    "t:1:54: expected an integer after 'rank', found 'x'");
	first_error("rule a { scope reply; frobnicate; }", "t:1:23: expected "
	    "scope, priority, when, label, finding, hide, per or '}', found "
	    "'frobnicate'");
	/* per: a port finding's number, boolean or enum field */
	first_error("rule a { scope reply; per tries; label open reason "
	    "syn-ack; }", "t:1:23: 'per' is only allowed in a finding of "
	    "scope port");
	first_error("rule a { per nope; scope port; finding x severity low "
	    "message \"m\"; }", "t:1:10: unknown evidence 'nope' in scope "
	    "port");
	first_error("rule a { scope port; per name; finding x severity low "
	    "message \"m\"; }", "t:1:22: 'per' takes a number, boolean or "
	    "enum field, not the string 'name'");
	first_error("rule a { scope port; per 3; finding x severity low "
	    "message \"m\"; }", "t:1:26: expected an evidence name after "
	    "'per', found a number");
	first_error("rule a { scope reply; label open reason syn-ack; }\n}",
	    "t:2:1: expected 'rule', found '}'");
}
END_TEST

START_TEST(test_err_strings)
{
	first_error("rule a { scope reply; when text == \"abc; label open "
	    "reason syn-ack; }", "t:1:36: unterminated string");
	first_error("rule a { scope reply; when text == \"a\nb\"; label open "
	    "reason syn-ack; }", "t:1:36: unterminated string");
	first_error("rule a { scope reply; when text == \"a\\qb\"; label open "
	    "reason syn-ack; }", "t:1:38: unknown escape in string (use \\\" "
	    "\\\\ \\n or \\t)");
	first_error("rule a { scope reply; when text == \"a\x01\"; label open "
	    "reason syn-ack; }", "t:1:38: control character in string (write"
	    " \\n or \\t)");
	first_error("rule a { scope reply; when text == \"x\" and \"\\",
	    "t:1:44: unterminated string");
}
END_TEST

START_TEST(test_err_encoding)
{
	static const char nul[] = "rule a { scope reply; label open\0 reason "
	    "syn-ack; }";

	ck_assert_int_ge(load_n(nul, sizeof nul - 1), 1);
	ck_assert_str_eq(dg.msg[0], "t:1:33: NUL byte");
	/* columns count characters: the 'e' with acute is one */
	first_error("# caf\xc3\xa9\nrule \xc3\xa9 { }", "t:2:6: unexpected "
	    "non-ASCII character outside a string");
	first_error("rule a { scope reply; when text == \"\xc3\xa9\" and x; "
	    "label open reason reset; }", "t:1:44: unknown evidence 'x' in "
	    "scope reply");
	first_error("rule a { scope reply; when text == \"\xc3\xa9\xff\"; "
	    "label open reason syn-ack; }", "t:1:38: invalid UTF-8");
	first_error("# \xc0\xaf overlong\n", "t:1:3: invalid UTF-8");
	first_error("# \xed\xa0\x80 surrogate\n", "t:1:3: invalid UTF-8");
	first_error("# \xf4\x90\x80\x80 too big\n", "t:1:3: invalid UTF-8");
	first_error("# truncated \xe2\x82", "t:1:13: invalid UTF-8");
	first_error("\x7f", "t:1:1: unexpected control character 0x7f");
	/* valid UTF-8 is fine in strings and comments */
	load_ok("rule a { scope reply; when text == \"\xe2\x82\xac \xf0\x9f\x98"
	    "\x80\"; label open reason syn-ack; } # \xe2\x82\xac");
}
END_TEST

START_TEST(test_err_recovery)
{
	/* every error in the file is reported, in order, and none added */
	int e = load("rule a { scope reply; when prob == 1; label open reason "
	    "syn-ack; }\n"
	    "rule good { scope reply; label open reason syn-ack; }\n"
	    "rule b { scope reply; when (1 +; label open reason nope; }\n"
	    "rule c { scope port; finding x severity low message \"{x}\" }\n"
	    "rule d { scope reply; label open reason syn-ack;\n"
	    "rule e { scope reply; label open reason reset; }\n"
	    "@ rule f { scope reply; label open reason reset; }\n"
	    "rule g { scope reply; when \"unterminated; label x reason y; }\n"
	    "rule h { scope reply; label closed reason reset; }\n");

	ck_assert_int_eq(e, 10);
	ck_assert_int_eq(dg.n, 10);
	ck_assert_str_eq(dg.msg[0], "t:1:28: unknown evidence 'prob' in "
	    "scope reply");
	ck_assert_str_eq(dg.msg[1], "t:3:32: expected an expression, found "
	    "';'");
	ck_assert_str_eq(dg.msg[2], "t:3:52: unknown reason 'nope'");
	ck_assert_str_eq(dg.msg[3], "t:4:59: expected 'severity', 'message' "
	    "or ';' in the finding, found '}'");
	ck_assert_str_eq(dg.msg[4], "t:4:53: the message quotes unknown "
	    "evidence 'x'");
	ck_assert_str_eq(dg.msg[5], "t:6:1: expected '}' before the next "
	    "rule");
	ck_assert_str_eq(dg.msg[6], "t:7:1: unexpected character '@'");
	/* the string swallows the rest of line 8, '}' included */
	ck_assert_str_eq(dg.msg[7], "t:8:28: unterminated string");
	ck_assert_str_eq(dg.msg[8], "t:8:1: rule 'g' has no outcome (a label, "
	    "a finding or hide)");
	ck_assert_str_eq(dg.msg[9], "t:9:1: expected '}' before the next "
	    "rule");
	ck_assert_uint_eq(ruleset_count(rs), 0);
}
END_TEST

START_TEST(test_err_limits)
{
	char *buf;
	size_t i, n;

	/* TUN_RULE_MAX_DEPTH levels are fine, one more is not */
	buf = malloc(1 << 20);
	n = (size_t)sprintf(buf, "rule a { scope reply; when ");
	for (i = 0; i < TUN_RULE_MAX_DEPTH - 1; i++)
		buf[n++] = '(';
	n += (size_t)sprintf(buf + n, "true");
	for (i = 0; i < TUN_RULE_MAX_DEPTH - 1; i++)
		buf[n++] = ')';
	n += (size_t)sprintf(buf + n, "; label open reason syn-ack; }");
	ck_assert_int_eq(load_n(buf, n), 0);
	buf[n] = '\0';
	buf[27 + TUN_RULE_MAX_DEPTH - 1] = '(';	/* one '(' more */
	first_error(buf, "t:1:92: expression nested too deeply (more than 64 "
	    "levels)");
	/* `when` is level 1; each `not` or unary '-' is one more */
	n = (size_t)sprintf(buf, "rule a { scope reply; when ");
	for (i = 0; i < TUN_RULE_MAX_DEPTH - 1; i++)
		n += (size_t)sprintf(buf + n, i % 2 ? "not " : "! ");
	n += (size_t)sprintf(buf + n, "true; label open reason syn-ack; }");
	ck_assert_int_eq(load_n(buf, n), 0);
	n = (size_t)sprintf(buf, "rule a { scope reply; when ");
	for (i = 0; i < TUN_RULE_MAX_DEPTH; i++)
		n += (size_t)sprintf(buf + n, "- ");
	n += (size_t)sprintf(buf + n, "1 < 2; label open reason syn-ack; }");
	first_error(buf, "t:1:154: expression nested too deeply (more than "
	    "64 levels)");
	/* a huge nesting fails fast and without a stack overflow */
	memset(buf, '(', 1 << 20);
	ck_assert_int_eq(load_n(buf, 1 << 20), 1);
	memcpy(buf, "rule a { scope reply; when ", 27);
	for (i = 27; i < (1 << 20) - 1; i++)
		buf[i] = i % 2 ? '-' : '!';
	ck_assert_int_ge(load_n(buf, 1 << 20), 1);
	/* long flat chains are not nesting */
	n = (size_t)sprintf(buf, "rule a { scope reply; when 0");
	for (i = 0; i < 50000; i++)
		n += (size_t)sprintf(buf + n, " + 1");
	n += (size_t)sprintf(buf + n, " == 50000 and true");
	for (i = 0; i < 50000; i++)
		n += (size_t)sprintf(buf + n, " and true");
	n += (size_t)sprintf(buf + n, "; label open reason syn-ack; }");
	ck_assert_int_eq(load_n(buf, n), 0);
	ck_assert(rule_matches(find("a"), NULL));
	/* numbers: huge but finite is fine; beyond a double is not */
	load_ok("rule big { scope reply; when window < "
	    "99999999999999999999999999999999999999; label open reason "
	    "syn-ack; }");
	n = (size_t)sprintf(buf, "rule a { scope reply; when window < 1");
	for (i = 0; i < 400; i++)
		buf[n++] = '0';
	n += (size_t)sprintf(buf + n, "; label open reason syn-ack; }");
	ck_assert_int_eq(load_n(buf, n), 1);
	ck_assert_str_eq(dg.msg[0], "t:1:37: number out of range");
	n = (size_t)sprintf(buf, "rule a { scope reply; when window < 1");
	for (i = 0; i < 2000; i++)
		buf[n++] = '0';
	ck_assert_int_ge(load_n(buf, n), 1);
	ck_assert_str_eq(dg.msg[0], "t:1:37: number too long (more than 1024 "
	    "digits)");
	/* the size limit */
	free(buf);
	buf = calloc(1, TUN_RULE_MAX_FILE + 1);
	memset(buf, ' ', TUN_RULE_MAX_FILE + 1);
	ck_assert_int_eq(load_n(buf, TUN_RULE_MAX_FILE), 0);
	ck_assert_int_eq(load_n(buf, TUN_RULE_MAX_FILE + 1), 1);
	ck_assert_str_eq(dg.msg[0], "t:1:1: file too large (more than 1048576"
	    " bytes)");
	free(buf);
}
END_TEST

START_TEST(test_err_unterminated)
{
	first_error("rule a { scope reply; label open reason syn-ack;",
	    "t:1:8: unterminated rule: no '}' before the end of the file");
	first_error("rule a {\n scope reply; label open reason syn-ack; # }",
	    "t:1:8: unterminated rule: no '}' before the end of the file");
	first_error("rule a { scope reply; when (((", "t:1:31: expected an "
	    "expression, found end of file");
	first_error("rule", "t:1:5: expected a rule name, found end of file");
	first_error("rule a { scope", "t:1:15: expected a scope, found end of "
	    "file");
	first_error("rule a { scope reply; label open reason \"syn-ack",
	    "t:1:41: unterminated string");
}
END_TEST

/* Cheap deterministic generator for the hostile-input tests. */
static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)rng_state;
}

/* Every diagnostic is "t:LINE:COL: text" and there is one per error. */
static void
check_diags(int e)
{
	unsigned line, col;
	int i, used;

	ck_assert_int_eq(dg.n, e + (e >= 100));
	for (i = 0; i < dg.n && i < MAXDIAG; i++) {
		used = 0;
		ck_assert_msg(sscanf(dg.msg[i], "t:%u:%u: %n", &line, &col,
		    &used) == 2 && used > 0 && line >= 1 && col >= 1,
		    "bad diagnostic \"%s\"", dg.msg[i]);
	}
	if (e > 0)
		ck_assert_uint_eq(ruleset_count(rs), 0);
}

START_TEST(test_hostile_random)
{
	static const char *const bits[] = {
		"rule ", "x ", "{", "}", "(", ")", ";", "scope ", "reply ",
		"when ", "label ", "open ", "reason ", "syn-ack ", "finding ",
		"\"", "\\", "#", "\n", "and ", "not ", "in ", "==", "-", "1",
		"probe ", "\xff", "\xc3", "open|filtered ", "{{", "}}",
		"priority ",
	};
	char buf[2048];
	size_t n, i, k;
	int round, e;

	for (round = 0; round < 3000; round++) {
		n = rng() % sizeof buf;
		if (round % 2)
			for (i = 0; i < n; i++)
				buf[i] = (char)rng();
		else
			for (i = 0; i < n;) {
				k = rng() % (sizeof bits / sizeof bits[0]);
				if (i + strlen(bits[k]) > n)
					break;
				memcpy(buf + i, bits[k], strlen(bits[k]));
				i += strlen(bits[k]);
			}
		e = load_n(buf, i < n ? i : n);
		check_diags(e);
	}
	/* ...and the error cap */
	memset(buf, '@', sizeof buf);
	e = load_n(buf, sizeof buf);
	ck_assert_int_eq(e, 100);
	ck_assert_str_eq(dg.msg[100], "t:1:100: too many errors; giving up on "
	    "this file");
	check_diags(e);
}
END_TEST

/* ----------------------------------------------------------------- eval */

START_TEST(test_eval_labels)
{
	struct ev_value v[R_NFIELDS];
	const struct rule *r;

	load_ok(example);
	load_ok("rule closed { scope reply; when reply == rst; label closed "
	    "reason reset; }\n"
	    "rule port-unreach { scope reply; when reply == icmp and "
	    "icmp.type == 3 and icmp.code == 3 and from_target; "
	    "label closed reason port-unreach; }\n"
	    "rule icmp-other { scope reply; priority -1; when reply == icmp; "
	    "label filtered reason dest-unreach; }\n");
	reply_ev(v, "syn", "syn-ack", -1, -1, true);
	ck_assert_str_eq(ruleset_first(rs, RULE_SCOPE_REPLY, v)->name,
	    "syn-open");
	reply_ev(v, "connect", "syn-ack", -1, -1, true);
	ck_assert_ptr_null(ruleset_first(rs, RULE_SCOPE_REPLY, v));
	reply_ev(v, "syn", "rst", -1, -1, true);
	ck_assert_str_eq(ruleset_first(rs, RULE_SCOPE_REPLY, v)->name,
	    "closed");
	reply_ev(v, "udp", "icmp", 3, 3, true);
	r = ruleset_first(rs, RULE_SCOPE_REPLY, v);
	ck_assert_str_eq(r->name, "port-unreach");
	ck_assert_int_eq(r->reason, RS_PORT_UNREACH);
	reply_ev(v, "udp", "icmp", 3, 3, false);
	ck_assert_str_eq(ruleset_first(rs, RULE_SCOPE_REPLY, v)->name,
	    "icmp-other");
	ck_assert_ptr_null(ruleset_first(rs, RULE_SCOPE_COUNT, v));
}
END_TEST

START_TEST(test_eval_arith)
{
	struct ev_value v[R_NFIELDS];

	reply_ev(v, "syn", "icmp", 3, 1, true);
	ck_assert(cond_holds("1 + 2 * 3 == 7", v));
	ck_assert(cond_holds("(1 + 2) * 3 == 9", v));
	ck_assert(cond_holds("10 - 4 - 3 == 3", v));
	ck_assert(cond_holds("2 * 3 % 4 == 2", v));
	ck_assert(cond_holds("7 / 2 == 3.5", v));
	ck_assert(cond_holds("-icmp.type * 2 == -6", v));
	ck_assert(cond_holds("- -icmp.type == 3", v));
	ck_assert(cond_holds("-(1 + 2) == -3", v));
	ck_assert(cond_holds("icmp.type / 0 == 0", v));
	ck_assert(cond_holds("icmp.type % 0 == 0", v));
	ck_assert(cond_holds("-7 % 3 == -1", v));
	ck_assert(cond_holds("7.5 % 2 == 1.5", v));
	ck_assert(cond_holds("min(icmp.type, icmp.code) == 1", v));
	ck_assert(cond_holds("max(icmp.type, icmp.code) == 3", v));
	ck_assert(cond_holds("abs(icmp.code - icmp.type) == 2", v));
	ck_assert(cond_holds("0.1 + 0.2 > 0.3", v));
	ck_assert(!cond_holds("1 + 2 * 3 == 9", v));
	ck_assert(!cond_holds("icmp.type / 0 == 1", v));
	ck_assert(cond_holds("icmp.type >= 3 and icmp.type <= 3 and "
	    "icmp.type > 2 and icmp.type < 4 and icmp.type != 4", v));
}
END_TEST

START_TEST(test_eval_logic)
{
	struct ev_value v[R_NFIELDS];

	reply_ev(v, "syn", "icmp", 3, 1, true);
	ck_assert(cond_holds("true or false and false", v));
	ck_assert(!cond_holds("(true or false) and false", v));
	ck_assert(!cond_holds("not false and false", v));
	ck_assert(cond_holds("not (false and false)", v));
	ck_assert(cond_holds("not 1 > 2", v));
	ck_assert(cond_holds("!false && true || false", v));
	ck_assert(cond_holds("from_target", v));
	ck_assert(cond_holds("from_target == true", v));
	ck_assert(!cond_holds("not from_target", v));
	ck_assert(cond_holds("icmp.v6 == false and icmp.v6 != true", v));
	v[R_FROM].num = 7;	/* any non-zero is true */
	ck_assert(cond_holds("from_target == true", v));
	ck_assert(cond_holds("(icmp.type == 3) == from_target", v));
}
END_TEST

START_TEST(test_eval_sets_and_strings)
{
	struct ev_value v[R_NFIELDS];

	reply_ev(v, "tcp-other", "icmp", 3, 13, false);
	ck_assert(cond_holds("probe in (syn, tcp-other)", v));
	ck_assert(!cond_holds("probe not in (syn, tcp-other)", v));
	ck_assert(cond_holds("probe not in (syn, \"udp\")", v));
	ck_assert(cond_holds("icmp.code in (9, 10, 13)", v));
	ck_assert(!cond_holds("icmp.code in (9, 10, 12 + 2)", v));
	ck_assert(cond_holds("icmp.code in (9, 10, 12 + 1)", v));
	ck_assert(cond_holds("icmp.code not in (1)", v));
	ck_assert(cond_holds("syn != probe and \"tcp-other\" == probe", v));
	ck_assert(cond_holds("mode == fast and mode != \"in\"", v));
	/* a NULL string reads as "" */
	ck_assert(cond_holds("text == \"\"", v));
	v[R_TEXT].str = "a\"b";
	ck_assert(cond_holds("text == \"a\\\"b\" and text != \"a\"", v));
	ck_assert(cond_holds("text in (\"x\", \"a\\\"b\")", v));
	ck_assert(cond_holds("text not in (\"x\", \"y\")", v));
	v[R_MODE].num = idx(mode_values, "two words");
	ck_assert(cond_holds("mode in (\"in\", \"two words\")", v));
}
END_TEST

/* Long values in messages: whole list items and a count, or a clean cut. */
START_TEST(test_text_abbrev)
{
	struct ev_value v[P_NFIELDS];
	char list[4096], text[600], buf[1024];
	size_t n = 0, i, more, k;

	for (i = 1; i <= 400; i++)
		n += (size_t)snprintf(list + n, sizeof list - n, "%stcp/%zu",
		    i > 1 ? "," : "", i);
	k = rule_text_abbrev(list, &more);
	ck_assert_uint_le(k, TUN_TEXT_VALUE_MAX);
	ck_assert_int_eq(list[k], ',');	/* whole items only */
	ck_assert_uint_eq(k, 200);	/* "tcp/1".."tcp/30": 200 bytes */
	ck_assert_uint_eq(more, 370);
	ck_assert_uint_eq(rule_text_abbrev("tcp/22,tcp/80", &more), 13);
	ck_assert_uint_eq(more, 0);
	/* Not a list: cut at 200 bytes, never inside a UTF-8 sequence. */
	memset(text, 'a', sizeof text);
	memcpy(text + 199, "\xc3\xa9", 2);
	text[sizeof text - 1] = '\0';
	ck_assert_uint_eq(rule_text_abbrev(text, &more), 199);
	ck_assert_uint_eq(more, 0);
	load_ok("rule m { scope port; finding x severity low message "
	    "\"never answered ({name})\"; }");
	memset(v, 0, sizeof v);
	v[P_NAME].str = list;
	rule_format_message(find("m"), v, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "(tcp/1,tcp/2,"));
	ck_assert_ptr_nonnull(strstr(buf, ",tcp/30 and 370 more)"));
	ck_assert_ptr_null(strstr(buf, "tcp/31"));
	v[P_NAME].str = text;
	rule_format_message(find("m"), v, buf, sizeof buf);
	ck_assert_uint_eq(strlen(buf), strlen("never answered (") + 199 + 4);
	ck_assert_ptr_nonnull(strstr(buf, "a...)"));
}
END_TEST

START_TEST(test_eval_messages)
{
	struct ev_value v[P_NFIELDS];
	const struct rule *r;
	char buf[128], small[8];
	size_t n;

	load_ok("rule m { scope port; finding x severity low message "
	    "\"{tries}/{replies} {{{state}}} {name} {host.answered} }}\"; }");
	r = find("m");
	memset(v, 0, sizeof v);
	v[P_TRIES].num = 3;
	v[P_REPLIES].num = 2.5;
	v[P_STATE].num = idx(state_values, "open|filtered");
	v[P_NAME].str = "ssh";
	v[P_ANSWERED].num = 0.1 + 0.2;
	n = rule_format_message(r, v, buf, sizeof buf);
	ck_assert_str_eq(buf, "3/2.5 {open|filtered} ssh 0.3 }");
	ck_assert_uint_eq(n, strlen(buf));
	v[P_TRIES].num = -0.0;
	v[P_REPLIES].num = 1e20;
	v[P_ANSWERED].num = 123456789012.0;
	v[P_NAME].str = NULL;
	v[P_STATE].num = 99;	/* out of range: shown as a number */
	rule_format_message(r, v, buf, sizeof buf);
	ck_assert_str_eq(buf, "0/1e+20 {99}  123456789012 }");
	/* snprintf-style truncation */
	n = rule_format_message(r, v, small, sizeof small);
	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_str_eq(small, "0/1e+20");
	ck_assert_uint_eq(rule_format_message(r, v, NULL, 0), strlen(buf));
	small[0] = 'x';
	ck_assert_uint_eq(rule_format_message(r, v, small, 1), strlen(buf));
	ck_assert_str_eq(small, "");
	/* "{name|text}": the text where the value is empty, else the value */
	load_ok("rule f { scope port; finding z severity info message "
	    "\"by {name|an unseen router}, {tries|none}.\"; }");
	v[P_NAME].str = "";
	v[P_TRIES].num = 2;
	rule_format_message(find("f"), v, buf, sizeof buf);
	ck_assert_str_eq(buf, "by an unseen router, 2.");
	v[P_NAME].str = "192.0.2.1";
	rule_format_message(find("f"), v, buf, sizeof buf);
	ck_assert_str_eq(buf, "by 192.0.2.1, 2.");
	first_error("rule g { scope port; finding z severity info message "
	    "\"{nosuch|x}\"; }", "t:1:54: the message quotes unknown "
	    "evidence 'nosuch'");
	/* bools, and enums by name, in the reply scope */
	load_ok("rule b { scope port; finding y severity info message "
	    "\"{state}\"; }");
	v[P_STATE].num = 1;
	rule_format_message(find("b"), v, buf, sizeof buf);
	ck_assert_str_eq(buf, "closed");
}
END_TEST

START_TEST(test_fields_used)
{
	bool used[R_NFIELDS];	/* the larger schema */

	load_ok("rule a { scope port; when tries > 1 and state == "
	    "open|filtered; finding f severity low message \"{name} {{port}} "
	    "{tries}\"; }\n"
	    "rule b { scope port; hide; }\n"
	    "rule c { scope reply; when not from_target and text != \"\"; "
	    "label open reason syn-ack; }\n");
	memset(used, 0, sizeof used);
	rule_fields_used(find("a"), used, P_NFIELDS);
	ck_assert(used[P_TRIES] && used[P_STATE] && used[P_NAME]);
	ck_assert(!used[P_REPLIES] && !used[P_ANSWERED] && !used[P_PORT]);
	memset(used, 0, sizeof used);
	rule_fields_used(find("b"), used, P_NFIELDS);
	ck_assert(!used[P_TRIES] && !used[P_NAME] && !used[P_STATE]);
	/* fields at or beyond nfields are never written */
	memset(used, 0, sizeof used);
	rule_fields_used(find("c"), used, R_FROM);
	ck_assert(!used[R_FROM] && !used[R_TEXT]);
	rule_fields_used(find("c"), used, R_TEXT);
	ck_assert(used[R_FROM] && !used[R_TEXT] && !used[R_PROBE]);
	rule_fields_used(find("c"), used, R_NFIELDS);
	ck_assert(used[R_FROM] && used[R_TEXT] && !used[R_ITYPE]);
}
END_TEST

START_TEST(test_eval_bool_message)
{
	static const char text[] = "rule h { scope host; finding f severity "
	    "high message \"{from_target}/{icmp.v6} {probe} {text} "
	    "{icmp.type}\"; }";
	struct ruleset *set;
	struct ev_value v[R_NFIELDS];
	struct ev_schema s[RULE_SCOPE_COUNT];
	char buf[64];

	/* findings may quote any type; use the reply fields in scope host */
	memcpy(s, schemas, sizeof s);
	s[RULE_SCOPE_HOST] = schemas[RULE_SCOPE_REPLY];
	set = ruleset_new(s);
	ck_assert_int_eq(ruleset_load_buffer(set, "t", text, strlen(text),
	    diag, NULL), 0);
	reply_ev(v, "maimon", "none", -1, -1, true);
	v[R_TEXT].str = "hi";
	rule_format_message(ruleset_get(set, 0), v, buf, sizeof buf);
	ck_assert_str_eq(buf, "true/false maimon hi -1");
	ruleset_free(set);
}
END_TEST

static Suite *
rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_example);
	tcase_add_test(tc, test_empty_and_comments);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_syntax_variants);
	tcase_add_test(tc, test_hide);
	tcase_add_test(tc, test_override);
	tcase_add_test(tc, test_priority_order);
	tcase_add_test(tc, test_print_canonical);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_names_helpers);
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_rule_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_err_evidence);
	tcase_add_test(tc, test_err_bad_schema);
	tcase_add_test(tc, test_err_enum);
	tcase_add_test(tc, test_err_types);
	tcase_add_test(tc, test_err_outcomes);
	tcase_add_test(tc, test_err_duplicates);
	tcase_add_test(tc, test_err_messages);
	tcase_add_test(tc, test_err_syntax);
	tcase_add_test(tc, test_per);
	tcase_add_test(tc, test_err_strings);
	tcase_add_test(tc, test_err_encoding);
	tcase_add_test(tc, test_err_recovery);
	tcase_add_test(tc, test_err_limits);
	tcase_add_test(tc, test_err_unterminated);
	tcase_add_test(tc, test_hostile_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("eval");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_eval_labels);
	tcase_add_test(tc, test_eval_arith);
	tcase_add_test(tc, test_eval_logic);
	tcase_add_test(tc, test_eval_sets_and_strings);
	tcase_add_test(tc, test_eval_messages);
	tcase_add_test(tc, test_text_abbrev);
	tcase_add_test(tc, test_eval_bool_message);
	tcase_add_test(tc, test_fields_used);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed;
}
