/*
 * rules.h -- portsleuth's rule language: load, validate, evaluate.
 *
 * A rule set holds named rules read from rule files (rules/ *.rules and
 * --rules FILE). Every rule has a scope, an optional condition over named
 * evidence, and one outcome: a port label (scope "reply": state + reason +
 * rank) or a finding (other scopes: id, severity, message template).
 * The language is documented in doc/portsleuth-rules.5.
 *
 * The caller owns the vocabulary: it passes one evidence schema per scope
 * (field names, types, enum value names) to ruleset_new(). Every name, value
 * and type in a rule is checked against it at load time, so evaluation never
 * fails. Loading reports every problem as "file:line:col: message" through
 * the caller's diagnostic callback and returns the number of errors; a file
 * with errors adds no rules.
 *
 * Memory: the rule set owns its rules, strings and ASTs; schemas are borrowed
 * and must outlive it. Evaluation allocates nothing.
 */
#ifndef PORTSLEUTH_RULES_H
#define PORTSLEUTH_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum rule_scope {
	RULE_SCOPE_REPLY = 0,	/* one try of a probe and its reply: labels */
	RULE_SCOPE_PORT,	/* one (scanner, host, proto, port) */
	RULE_SCOPE_HOST,	/* one target host */
	RULE_SCOPE_PATH,	/* between two addresses (router findings) */
	RULE_SCOPE_CAPTURE,	/* the whole run */
	RULE_SCOPE_COUNT
};

enum ev_type {
	EV_NUM = 0,		/* number (double) */
	EV_BOOL,		/* true/false */
	EV_ENUM,		/* one of the field's value names */
	EV_STR,			/* text; only == and != and message quoting */
};

struct ev_field {
	const char *name;	  /* "probe", "icmp.type", "reply.ttl" */
	enum ev_type type;
	const char *const *values; /* EV_ENUM: NULL-terminated names */
	const char *doc;	  /* one line, for --list-evidence */
};

struct ev_schema {
	const struct ev_field *fields;
	size_t nfields;
};

/* One evidence value; the field's type says which member is meaningful. */
struct ev_value {
	double num;		/* EV_NUM; EV_BOOL as 0/1; EV_ENUM as index */
	const char *str;	/* EV_STR (NULL reads as "") */
};

enum severity {
	SEV_INFO = 0,
	SEV_LOW,
	SEV_MEDIUM,
	SEV_HIGH,
	SEV_COUNT
};

enum rule_outcome {
	RULE_LABEL = 0,		/* state + reason (+ rank) for a reply */
	RULE_FINDING,		/* a diagnosis finding */
	RULE_HIDE,		/* scope port: drop the rows it matches */
};

struct rule_expr;		/* opaque condition AST */

/* Read-only view of one loaded rule. */
struct rule {
	const char *name;	/* unique within the set */
	const char *file;	/* where it was defined */
	unsigned line;
	enum rule_scope scope;
	int priority;		/* higher first; default 0 */
	enum rule_outcome outcome;
	/* RULE_LABEL */
	int state;		/* enum port_state */
	int reason;		/* enum reason */
	int rank;		/* conclusiveness across probe kinds, default 0 */
	/* RULE_FINDING */
	const char *finding_id;
	enum severity severity;
	const char *message;	/* template; {field} quotes evidence */
	int per;		/* port findings: one per value of this field
				   of the scope (-1: one per host) */
	const struct rule_expr *when; /* NULL: always true */
};

typedef void (*rules_diag_fn)(void *ctx, const char *msg);

struct ruleset;

struct ruleset *ruleset_new(const struct ev_schema schemas[RULE_SCOPE_COUNT]);
void ruleset_free(struct ruleset *rs);

/*
 * Parse and add the rules of a file (or of an in-memory buffer named `name`
 * in messages). A rule whose name already exists replaces the old one in
 * place. Returns the number of errors (0 on success); diag may be NULL.
 */
int ruleset_load_file(struct ruleset *rs, const char *path, rules_diag_fn diag,
    void *ctx);
int ruleset_load_buffer(struct ruleset *rs, const char *name, const char *buf,
    size_t len, rules_diag_fn diag, void *ctx);

/* Rules in evaluation order: priority descending, then load order. */
size_t ruleset_count(const struct ruleset *rs);
const struct rule *ruleset_get(const struct ruleset *rs, size_t i);

/* Evaluate a condition; v[i] is field i of the rule's scope schema. */
bool rule_matches(const struct rule *r, const struct ev_value *v);

/* First rule of `scope` (evaluation order) whose condition holds, or NULL. */
const struct rule *ruleset_first(const struct ruleset *rs,
    enum rule_scope scope, const struct ev_value *v);

/*
 * Render r->message with {field} replaced by the value (numbers without
 * trailing zeros, enums by name, bools as true/false; a value longer than
 * TUN_TEXT_VALUE_MAX is abbreviated with rule_text_abbrev()). Always
 * NUL-terminates; returns the length it would have had (snprintf-style).
 */
size_t rule_format_message(const struct rule *r, const struct ev_value *v,
    char *buf, size_t len);

/*
 * How much of s a message or an evidence object shows: all of it when it
 * is at most TUN_TEXT_VALUE_MAX bytes; else, for a comma-separated list
 * (port lists), the whole items that fit, and *more gets how many items
 * were left out; for other text, the first TUN_TEXT_VALUE_MAX bytes (not
 * cutting a UTF-8 sequence) and *more = 0. Returns the bytes to show.
 */
size_t rule_text_abbrev(const char *s, size_t *more);

/*
 * Set used[i] for each field i (< nfields) of the rule's scope that its
 * condition or message refers to; other entries are left as they are.
 */
void rule_fields_used(const struct rule *r, bool *used, size_t nfields);

/* Print the rule back in canonical rule-file syntax (for --list-rules). */
void rule_print(const struct rule *r, const struct ev_schema *schema,
    FILE *fp);

const char *rule_scope_name(enum rule_scope s);
const char *severity_name(enum severity s);
int severity_from_name(const char *name);

#endif
