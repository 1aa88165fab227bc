/*
 * rules-int.h -- internals of the rule engine, shared by rules-lex.c,
 * rules-parse.c, rules-expr.c and rules-eval.c only (nothing else includes this).
 *
 * Tokens and the lexer; the error reporter ("file:line:col: message");
 * the compiled condition (a flat node array, children by index); the rule
 * record behind each public struct rule; and the rule set itself.
 */
#ifndef PORTSLEUTH_RULES_INT_H
#define PORTSLEUTH_RULES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rules.h"

#define RULES_MAX_ERRORS 100	/* diagnostics per file before giving up */
#define RULES_MAX_NUMBER 1024	/* longest numeric literal, in bytes */
#define RULES_NUMBUF 1100	/* room for any double in fixed notation */

/* Error state of one load; the lexer and the parser report through it. */
struct rules_src {
	const char *file;	/* name used in messages */
	rules_diag_fn diag;	/* may be NULL */
	void *ctx;
	int nerr;		/* errors reported so far */
	bool quiet;		/* looking ahead or skipping: say nothing */
	bool stop;		/* too many errors: lexer returns only EOF */
};

void rules_error(struct rules_src *src, unsigned line, unsigned col,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

enum tok_kind {
	TK_EOF = 0,
	TK_ERROR,		/* bad input, already reported by the lexer */
	TK_IDENT,
	TK_STRING,
	TK_NUMBER,
	TK_LBRACE,
	TK_RBRACE,
	TK_LPAREN,
	TK_RPAREN,
	TK_SEMI,
	TK_COMMA,
	TK_EQ,
	TK_NE,
	TK_LT,
	TK_LE,
	TK_GT,
	TK_GE,
	TK_PLUS,
	TK_MINUS,
	TK_STAR,
	TK_SLASH,
	TK_PERCENT,
	TK_ANDAND,
	TK_OROR,
	TK_BANG,
};

struct token {
	enum tok_kind kind;
	const char *text;	/* IDENT: in the source, not terminated; */
	size_t len;		/* STRING: decoded, NUL-terminated, valid */
				/* until the lexer reads the next string */
	double num;		/* NUMBER */
	size_t off;		/* byte offset of its first character */
	unsigned line, col;	/* 1-based; columns count characters */
};

/* Where the lexer is: saved and restored to lex a `when` clause later. */
struct lex_pos {
	size_t off;
	unsigned line, col;
};

struct rules_lexer {
	const char *buf;	/* the source (borrowed) */
	size_t len;
	struct lex_pos at;
	struct rules_src *src;
	char *scratch;		/* decoded strings and numbers (owned) */
};

void rules_lex_init(struct rules_lexer *lx, struct rules_src *src,
    const char *buf, size_t len);
void rules_lex_free(struct rules_lexer *lx);
void rules_lex_next(struct rules_lexer *lx, struct token *t);

/* The parser's view of the tokens: the current one, and error state. */
struct rules_cursor {
	struct rules_src src;
	struct rules_lexer lx;
	struct token tok;	/* current token */
	bool bail;		/* syntax error: abandon the current clause */
};

void rules_advance(struct rules_cursor *c);
/* Make t (an earlier token) current again; relexes it silently. */
void rules_rewind(struct rules_cursor *c, const struct token *t);
bool rules_is_kw(const struct rules_cursor *c, const char *kw);
/* Is the token after the current one the word kw? */
bool rules_peek_kw(struct rules_cursor *c, const char *kw);
/* Report at the current token (unless the lexer did already) and bail. */
void rules_syntax_error(struct rules_cursor *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Consume a k token or report "expected 'k' <where>, found ...". */
bool rules_expect(struct rules_cursor *c, enum tok_kind k,
    const char *where);
char *rules_tok_strdup(const struct token *t);
/* "';'", "'foo'", "a string", "end of file"... for messages. */
void rules_tok_describe(const struct token *t, char *buf, size_t len);
const char *rules_tok_text(enum tok_kind k);
/* Does s lex as exactly one identifier (so it may be printed bare)? */
bool rules_is_ident(const char *s);

/* Expression types; T_NAME is an identifier not yet resolved. */
enum rx_type {
	T_ERR = 0,		/* already reported: no follow-up errors */
	T_NUM,
	T_BOOL,
	T_ENUM,
	T_STR,
	T_NAME,
};

enum rx_op {
	RX_NUM = 0,		/* constant num */
	RX_BOOL,		/* constant num (0 or 1) */
	RX_ENUMV,		/* value num (an index) of enum `field` */
	RX_STR,			/* string constant str */
	RX_NAME,		/* parse time only: identifier str */
	RX_FIELD,		/* number or enum evidence `field` */
	RX_BFIELD,		/* bool evidence `field` (read as 0/1) */
	RX_SFIELD,		/* string evidence `field` */
	RX_NEG,			/* -a */
	RX_NOT,			/* not a */
	RX_ABS,			/* abs(a) */
	RX_MIN,			/* min(a, b) */
	RX_MAX,			/* max(a, b) */
	RX_ARITH,		/* a, then each link: acc = acc <sub> link.a */
	RX_AND,			/* a and each link.a (short-circuit) */
	RX_OR,			/* a or each link.a (short-circuit) */
	RX_LINK,		/* list cell: a = item, b = next cell */
	RX_EQ,			/* numeric (number, bool, enum) a == b */
	RX_NE,
	RX_LT,
	RX_LE,
	RX_GT,
	RX_GE,
	RX_SEQ,			/* string a == b */
	RX_SNE,
	RX_IN,			/* a equals some link.a (b: first cell) */
	RX_NOTIN,
	RX_SIN,			/* the same over strings */
	RX_SNOTIN,
};

enum rx_arith {
	RA_ADD = 0,
	RA_SUB,
	RA_MUL,
	RA_DIV,			/* x / 0 is 0 */
	RA_MOD,			/* fmod; x % 0 is 0 */
};

#define RX_NIL UINT32_MAX	/* no node */

struct rx_node {
	double num;		/* constants, enum value index */
	char *str;		/* RX_STR text, identifier text (owned) */
	uint32_t a, b;		/* operands; b links list cells */
	uint32_t field;		/* schema index: fields, RX_ENUMV */
	uint32_t line, col;	/* where the node's text starts */
	uint8_t op;		/* enum rx_op */
	uint8_t sub;		/* RX_LINK of RX_ARITH: enum rx_arith */
	uint8_t type;		/* enum rx_type of the value */
};

/* A compiled condition: the nodes of one rule, evaluated from root. */
struct rule_expr {
	uint32_t root;
	uint32_t n;
	struct rx_node node[];
};


/*
 * Is r's condition false whatever the fields below `first` hold? True when
 * one of its top-level "and" terms reads only fields >= first (and
 * constants) and is false with v: e.g. a port rule's host.* test, once
 * per host. False when unsure. v needs only the fields from first on.
 */
bool rule_fails_from(const struct rule *r, uint32_t first,
    const struct ev_value *v);

/* What stands behind a struct rule: the public view comes first. */
struct rule_item {
	struct rule r;
	char *name;		/* owned strings the view points to */
	char *file;
	char *finding_id;
	char *message;
	struct rule_expr *expr;
	const struct ev_schema *schema;	/* its scope's, in the set */
	size_t seq;		/* load order, kept when overridden */
};

struct ruleset {
	struct ev_schema schema[RULE_SCOPE_COUNT]; /* copies; fields borrowed */
	struct rule_item **items;	/* evaluation order */
	size_t nitems;
	const struct rule **byscope[RULE_SCOPE_COUNT]; /* the same, per scope */
	size_t nbyscope[RULE_SCOPE_COUNT];
	size_t seq;			/* next load sequence number */
};

void rules_expr_free(struct rule_expr *e);
void rules_item_free(struct rule_item *it);
/* Index of the rule called name in rs->items, or -1. */
long rules_set_find(const struct ruleset *rs, const char *name);
/*
 * Move a clean file's rules into the set (taking ownership): a rule whose
 * name exists replaces the old one in place; then re-sort and re-index.
 */
void rules_set_merge(struct ruleset *rs, struct rule_item **items, size_t n,
    const char *file);

/* Field index of the name s[0..len) in a schema, or -1. */
long rules_field_lookup(const struct ev_schema *s, const char *name,
    size_t len);

/*
 * Message templates: "{field}" quotes evidence ("{field|text}": text where
 * the value is empty), "{{" and "}}" braces.
 */
enum tmpl_kind {
	TMPL_END = 0,
	TMPL_TEXT,		/* literal s[0..len) */
	TMPL_FIELD,		/* field name s[0..len), fallback alt */
	TMPL_ERR_OPEN,		/* '{' without '}' at s */
	TMPL_ERR_CLOSE,		/* lone '}' at s */
	TMPL_ERR_EMPTY,		/* "{}" at s */
};

struct tmpl_piece {
	enum tmpl_kind kind;
	const char *s;
	size_t len;
	const char *alt;	/* TMPL_FIELD "{name|alt}": the text shown */
	size_t alt_len;		/* when the value is empty (0: none) */
};

/* Split off the next piece of the template at *pp and advance *pp. */
void rules_tmpl_next(const char **pp, struct tmpl_piece *pc);

/*
 * Format a number: exact (shortest fixed-notation text that reads back as
 * the same double; for rule_print) or for people (integers as integers,
 * otherwise up to 10 significant digits without trailing zeros).
 */
void rules_fmt_num(char *buf, size_t len, double x, bool exact);

#endif
