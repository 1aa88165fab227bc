/*
 * rules-parse.c -- recursive-descent parser for rule files.
 *
 * Each rule's condition is built straight into a flat node array while it
 * is type-checked against the evidence schema of the rule's scope, so a
 * loaded rule can never fail at evaluation time. A `when` seen before the
 * rule's `scope` is skipped and parsed again once the scope is known.
 * Errors are reported and parsing resumes at the next ';', '}' or `rule`;
 * a file with any error adds nothing to the set (rules-eval.c merges a
 * clean file's rules into it). Also here: reading rule files.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portstate.h"
#include "rules-int.h"
#include "tunables.h"
#include "xmalloc.h"

enum slot { SL_SCOPE, SL_PRIORITY, SL_WHEN, SL_OUTCOME, SL_COUNT };

struct loc {
	unsigned line, col;	/* line 0: not seen */
};

/* The rule being parsed. */
struct draft {
	struct rule_item *it;
	struct loc at;			/* its `rule` keyword */
	struct loc seen[SL_COUNT];	/* first clause of each kind */
	int scope;			/* -1: missing or unknown */
	uint32_t root;			/* condition or RX_NIL */
	bool defer;			/* `when` came before `scope` */
	struct token when_tok;		/* that `when` keyword */
	struct loc msg_at;		/* the message string */
};

struct parser {
	struct rules_cursor c;		/* tokens and errors */
	struct ruleset *rs;
	const struct ev_schema *schema;	/* NULL: check syntax only */
	int scope;
	unsigned depth;			/* expression nesting */
	struct rx_node *nd;		/* the current rule's nodes */
	uint32_t nnd, capnd;
	struct rule_item **items;	/* this file's rules, in order */
	size_t nitems, capitems;
	size_t nnew;			/* of which not overriding */
};

/* Binary operators of one precedence level fold into a chain node. */
enum level { LV_OR, LV_AND, LV_ADD, LV_MUL };

struct clause {
	const char *kw;
	enum slot slot;
	bool (*parse)(struct parser *, struct draft *);
};

/* Words after a label's state or a finding's id. */
enum { W_REASON, W_RANK, W_SEVERITY, W_MESSAGE, W_COUNT };

static const struct word {
	enum rule_outcome outcome;
	const char *kw;
	bool required;
} words[W_COUNT] = {
	[W_REASON] = { RULE_LABEL, "reason", true },
	[W_RANK] = { RULE_LABEL, "rank", false },
	[W_SEVERITY] = { RULE_FINDING, "severity", true },
	[W_MESSAGE] = { RULE_FINDING, "message", true },
};

static void replay_when(struct parser *p, struct draft *d);
static void sync_clause(struct parser *p, bool at_kw);
static void sync_top(struct parser *p);
static uint32_t node_new(struct parser *p, enum rx_op op, enum rx_type type,
    unsigned line, unsigned col);
static void nodes_reset(struct parser *p);
static void join_values(const char *const *v, char *buf, size_t len);
static long enum_field(const struct parser *p, uint32_t n);
static void resolve(struct parser *p, uint32_t n);
static void need_type(struct parser *p, uint32_t n, enum rx_type want,
    const char *op);
static void enum_value(struct parser *p, uint32_t n, long f);
static bool deeper(struct parser *p);
static uint32_t parse_expr(struct parser *p);
static bool chain_op(const struct parser *p, enum level lv, uint8_t *sub,
    const char **text);
static uint32_t operand(struct parser *p, enum level lv);
static uint32_t parse_chain(struct parser *p, enum level lv);
static uint32_t parse_not(struct parser *p);
static uint32_t parse_cmp(struct parser *p);
static uint32_t check_cmp(struct parser *p, enum rx_op op, uint32_t l,
    uint32_t r, const struct token *t);
static uint32_t parse_in(struct parser *p, uint32_t l);
static uint32_t parse_unary(struct parser *p);
static uint32_t parse_primary(struct parser *p);
static uint32_t parse_call(struct parser *p, const struct token *name);
static bool parse_when(struct parser *p, struct draft *d);
static bool parse_name(struct parser *p, const char *what, char **out);
static bool parse_int(struct parser *p, const char *what, int *out);
static bool clause_scope(struct parser *p, struct draft *d);
static bool clause_priority(struct parser *p, struct draft *d);
static bool clause_when(struct parser *p, struct draft *d);
static bool clause_outcome(struct parser *p, struct draft *d);
static bool clause_hide(struct parser *p, struct draft *d);
static bool parse_word(struct parser *p, struct draft *d, int w);
static void check_name(struct parser *p, const struct token *t);
static void check_message(struct parser *p, struct draft *d);
static void finish_rule(struct parser *p, struct draft *d);
static void parse_clause(struct parser *p, struct draft *d);
static void parse_rule(struct parser *p);

static const struct clause clauses[] = {
	{ "scope", SL_SCOPE, clause_scope },
	{ "priority", SL_PRIORITY, clause_priority },
	{ "when", SL_WHEN, clause_when },
	{ "label", SL_OUTCOME, clause_outcome },
	{ "finding", SL_OUTCOME, clause_outcome },
	{ "hide", SL_OUTCOME, clause_hide },
	{ NULL, SL_COUNT, NULL },
};

static const char *const type_a[] = {
	[T_ERR] = "an error",
	[T_NUM] = "a number",
	[T_BOOL] = "a boolean",
	[T_ENUM] = "an enum",
	[T_STR] = "a string",
	[T_NAME] = "a name",
};

/* Words that are operators inside expressions. */
static const char *const reserved[] = { "and", "or", "not", "in", NULL };

/* Parse a `when` that came before the scope, now that it is known. */
static void
replay_when(struct parser *p, struct draft *d)
{
	struct token cur = p->c.tok;

	if (!d->defer)
		return;
	d->defer = false;
	p->scope = d->scope;
	p->schema = d->scope >= 0 ? &p->rs->schema[d->scope] : NULL;
	rules_rewind(&p->c, &d->when_tok);
	rules_advance(&p->c);
	parse_when(p, d);
	p->c.bail = false;
	rules_rewind(&p->c, &cur);
}

/*
 * Skip the rest of a bad clause: through ';', or up to '}', `rule`, or a
 * clause keyword that is the offending token (a missing ';') or first on
 * its line (`at_kw`: the current token may be such a keyword).
 */
static void
sync_clause(struct parser *p, bool at_kw)
{
	const struct clause *c;
	unsigned line = 0;

	p->c.bail = false;
	while (p->c.tok.kind != TK_EOF && p->c.tok.kind != TK_RBRACE &&
	    !rules_is_kw(&p->c, "rule")) {
		if (p->c.tok.kind == TK_SEMI) {
			rules_advance(&p->c);
			return;
		}
		for (c = clauses; c->kw != NULL; c++)
			if (rules_is_kw(&p->c, c->kw) &&
			    (at_kw || p->c.tok.line > line))
				return;
		at_kw = false;
		line = p->c.tok.line;
		rules_advance(&p->c);
	}
}

/* Skip to the next `rule` outside braces. */
static void
sync_top(struct parser *p)
{
	unsigned depth = 0;

	p->c.bail = false;
	while (p->c.tok.kind != TK_EOF &&
	    (depth > 0 || !rules_is_kw(&p->c, "rule"))) {
		if (p->c.tok.kind == TK_LBRACE)
			depth++;
		else if (p->c.tok.kind == TK_RBRACE && depth > 0)
			depth--;
		rules_advance(&p->c);
	}
}

static uint32_t
node_new(struct parser *p, enum rx_op op, enum rx_type type, unsigned line,
    unsigned col)
{
	struct rx_node *x;

	if (p->nnd == p->capnd) {
		p->capnd = p->capnd ? p->capnd * 2 : 32;
		p->nd = xreallocarray(p->nd, p->capnd, sizeof *p->nd);
	}
	x = &p->nd[p->nnd];
	memset(x, 0, sizeof *x);
	x->op = (uint8_t)op;
	x->type = (uint8_t)type;
	x->a = x->b = RX_NIL;
	x->line = line;
	x->col = col;
	return p->nnd++;
}

static void
nodes_reset(struct parser *p)
{
	uint32_t i;

	for (i = 0; i < p->nnd; i++)
		free(p->nd[i].str);
	p->nnd = 0;
}

/* "syn, connect, udp" (cut short if it does not fit). */
static void
join_values(const char *const *v, char *buf, size_t len)
{
	size_t n = 0;
	int w;

	buf[0] = '\0';
	for (; v != NULL && *v != NULL && n < len; v++) {
		w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "", *v);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

/* The schema index if node n is a bare name of an enum field, else -1. */
static long
enum_field(const struct parser *p, uint32_t n)
{
	const struct rx_node *x = &p->nd[n];
	long i;

	if (x->op != RX_NAME || p->schema == NULL)
		return -1;
	i = rules_field_lookup(p->schema, x->str, strlen(x->str));
	return i >= 0 && p->schema->fields[i].type == EV_ENUM ? i : -1;
}

/* Turn a bare name into the evidence field it names. */
static void
resolve(struct parser *p, uint32_t n)
{
	static const struct {
		enum rx_op op;
		enum rx_type type;
	} by_type[] = {
		[EV_NUM] = { RX_FIELD, T_NUM },
		[EV_BOOL] = { RX_BFIELD, T_BOOL },
		[EV_ENUM] = { RX_FIELD, T_ENUM },
		[EV_STR] = { RX_SFIELD, T_STR },
	};
	struct rx_node *x = &p->nd[n];
	long i = -1;
	unsigned t;

	if (x->op != RX_NAME)
		return;
	if (p->schema != NULL)
		i = rules_field_lookup(p->schema, x->str, strlen(x->str));
	if (i < 0) {
		if (p->schema != NULL)
			rules_error(&p->c.src, x->line, x->col,
			    "unknown evidence '%.64s' in scope %s%s", x->str,
			    rule_scope_name((enum rule_scope)p->scope),
			    strchr(x->str, '-') != NULL ?
			    "; write 'a - b' to subtract" : "");
		x->op = RX_NUM;
		x->type = T_ERR;
		return;
	}
	t = (unsigned)p->schema->fields[i].type;
	x->field = (uint32_t)i;
	x->op = RX_NUM;
	x->type = T_ERR;
	if (t < sizeof by_type / sizeof by_type[0]) {
		x->op = (uint8_t)by_type[t].op;
		x->type = (uint8_t)by_type[t].type;
	} else
		rules_error(&p->c.src, x->line, x->col, "evidence '%.64s' has "
		    "no valid type (a bug in its schema)", x->str);
}

static void
need_type(struct parser *p, uint32_t n, enum rx_type want, const char *op)
{
	const struct rx_node *x = &p->nd[n];

	if (x->type == T_ERR || x->type == want)
		return;
	if (x->op == RX_FIELD || x->op == RX_BFIELD || x->op == RX_SFIELD)
		rules_error(&p->c.src, x->line, x->col,
		    "'%s' needs %s, but '%s' is %s", op, type_a[want],
		    p->schema->fields[x->field].name, type_a[x->type]);
	else
		rules_error(&p->c.src, x->line, x->col, "'%s' needs %s, not %s",
		    op, type_a[want], type_a[x->type]);
}

/* Node n must be a name or string naming a value of enum field f. */
static void
enum_value(struct parser *p, uint32_t n, long f)
{
	const struct ev_field *fd = &p->schema->fields[f];
	struct rx_node *x = &p->nd[n];
	char list[400];
	size_t i;

	join_values(fd->values, list, sizeof list);
	if (x->op != RX_NAME && x->op != RX_STR) {
		if (x->type != T_ERR)
			rules_error(&p->c.src, x->line, x->col,
			    "'%s' is an enum: compare it with one of its "
			    "values (%s)", fd->name, list);
		x->type = T_ERR;
		return;
	}
	for (i = 0; fd->values != NULL && fd->values[i] != NULL; i++)
		if (strcmp(fd->values[i], x->str) == 0) {
			x->op = RX_ENUMV;
			x->type = T_ENUM;
			x->num = (double)i;
			x->field = (uint32_t)f;
			return;
		}
	rules_error(&p->c.src, x->line, x->col,
	    "unknown value '%.64s' for '%s' (expected one of: %s)", x->str,
	    fd->name, list);
	x->op = RX_NUM;
	x->type = T_ERR;
}

static bool
deeper(struct parser *p)
{
	if (p->depth >= TUN_RULE_MAX_DEPTH) {
		rules_syntax_error(&p->c, "expression nested too deeply (more "
		    "than %u levels)", TUN_RULE_MAX_DEPTH);
		return false;
	}
	p->depth++;
	return true;
}

/* A whole expression (condition, parenthesis, argument, list item). */
static uint32_t
parse_expr(struct parser *p)
{
	uint32_t n;

	if (!deeper(p))
		return RX_NIL;
	n = parse_chain(p, LV_OR);
	p->depth--;
	return n;
}

/* Is the current token an operator of level lv? Sets its code and text. */
static bool
chain_op(const struct parser *p, enum level lv, uint8_t *sub,
    const char **text)
{
	static const struct {
		enum level lv;
		enum tok_kind tk;
		const char *word;
		uint8_t sub;
		const char *text;
	} ops[] = {
		{ LV_OR, TK_OROR, "or", 0, "or" },
		{ LV_AND, TK_ANDAND, "and", 0, "and" },
		{ LV_ADD, TK_PLUS, NULL, RA_ADD, "+" },
		{ LV_ADD, TK_MINUS, NULL, RA_SUB, "-" },
		{ LV_MUL, TK_STAR, NULL, RA_MUL, "*" },
		{ LV_MUL, TK_SLASH, NULL, RA_DIV, "/" },
		{ LV_MUL, TK_PERCENT, NULL, RA_MOD, "%" },
	};
	size_t i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (ops[i].lv == lv && (p->c.tok.kind == ops[i].tk ||
		    (ops[i].word != NULL && rules_is_kw(&p->c, ops[i].word)))) {
			*sub = ops[i].sub;
			*text = ops[i].text;
			return true;
		}
	return false;
}

/* An operand of a level-lv operator: the next tighter level. */
static uint32_t
operand(struct parser *p, enum level lv)
{
	switch (lv) {
	case LV_OR:
		return parse_chain(p, LV_AND);
	case LV_AND:
		return parse_not(p);
	case LV_ADD:
		return parse_chain(p, LV_MUL);
	default:
		return parse_unary(p);
	}
}

/* operand { op operand } as one chain node (evaluated left to right). */
static uint32_t
parse_chain(struct parser *p, enum level lv)
{
	static const struct {
		enum rx_op op;
		enum rx_type type;
	} lvs[] = {
		[LV_OR] = { RX_OR, T_BOOL },
		[LV_AND] = { RX_AND, T_BOOL },
		[LV_ADD] = { RX_ARITH, T_NUM },
		[LV_MUL] = { RX_ARITH, T_NUM },
	};
	enum rx_type type = lvs[lv].type;
	uint32_t first, x, chain, cell, last = RX_NIL;
	const char *text;
	uint8_t sub;

	first = operand(p, lv);
	if (first == RX_NIL || !chain_op(p, lv, &sub, &text))
		return first;
	resolve(p, first);
	need_type(p, first, type, text);
	chain = node_new(p, lvs[lv].op, type, p->nd[first].line,
	    p->nd[first].col);
	p->nd[chain].a = first;
	while (chain_op(p, lv, &sub, &text)) {
		rules_advance(&p->c);
		if ((x = operand(p, lv)) == RX_NIL)
			return RX_NIL;
		cell = node_new(p, RX_LINK, type, p->nd[x].line, p->nd[x].col);
		p->nd[cell].a = x;
		p->nd[cell].sub = sub;
		if (last == RX_NIL)
			p->nd[chain].b = cell;
		else
			p->nd[last].b = cell;
		last = cell;
		resolve(p, x);
		need_type(p, x, type, text);
	}
	return chain;
}

static uint32_t
parse_not(struct parser *p)
{
	struct token t = p->c.tok;
	uint32_t x, n;

	if (!rules_is_kw(&p->c, "not") && p->c.tok.kind != TK_BANG)
		return parse_cmp(p);
	if (!deeper(p))
		return RX_NIL;
	rules_advance(&p->c);
	x = parse_not(p);
	p->depth--;
	if (x == RX_NIL)
		return RX_NIL;
	resolve(p, x);
	need_type(p, x, T_BOOL, "not");
	n = node_new(p, RX_NOT, T_BOOL, t.line, t.col);
	p->nd[n].a = x;
	return n;
}

static uint32_t
parse_cmp(struct parser *p)
{
	static const struct {
		enum tok_kind tk;
		enum rx_op op;
	} cmps[] = {
		{ TK_EQ, RX_EQ }, { TK_NE, RX_NE }, { TK_LT, RX_LT },
		{ TK_LE, RX_LE }, { TK_GT, RX_GT }, { TK_GE, RX_GE },
	};
	struct token t;
	uint32_t l, r, n;
	size_t i;

	l = parse_chain(p, LV_ADD);
	if (l == RX_NIL)
		return RX_NIL;
	if (rules_is_kw(&p->c, "in") || (rules_is_kw(&p->c, "not") &&
	    rules_peek_kw(&p->c, "in")))
		return parse_in(p, l);
	for (i = 0; i < sizeof cmps / sizeof cmps[0]; i++)
		if (p->c.tok.kind == cmps[i].tk)
			break;
	if (i == sizeof cmps / sizeof cmps[0])
		return l;
	t = p->c.tok;
	rules_advance(&p->c);
	r = parse_chain(p, LV_ADD);
	if (r == RX_NIL)
		return RX_NIL;
	n = check_cmp(p, cmps[i].op, l, r, &t);
	for (i = 0; i < sizeof cmps / sizeof cmps[0]; i++)
		if (p->c.tok.kind == cmps[i].tk || rules_is_kw(&p->c, "in")) {
			rules_syntax_error(&p->c, "comparisons do not chain; "
			    "join them with 'and'");
			return RX_NIL;
		}
	return n;
}

static uint32_t
check_cmp(struct parser *p, enum rx_op op, uint32_t l, uint32_t r,
    const struct token *t)
{
	bool eq = op == RX_EQ || op == RX_NE;
	const char *text = rules_tok_text(t->kind);
	long fl = enum_field(p, l), fr = fl < 0 ? enum_field(p, r) : -1;
	uint32_t e = fl >= 0 ? l : r, other = fl >= 0 ? r : l;
	enum rx_type tl, tr;
	uint32_t n;

	if (fl >= 0 || fr >= 0) {
		/* An enum field: the other side names one of its values. */
		resolve(p, e);
		if (eq)
			enum_value(p, other, fl >= 0 ? fl : fr);
		else {
			need_type(p, e, T_NUM, text);
			p->nd[other].type = T_ERR;	/* not "unknown" */
			if (p->nd[other].op == RX_NAME)
				p->nd[other].op = RX_NUM;
		}
	} else {
		resolve(p, l);
		resolve(p, r);
		tl = p->nd[l].type;
		tr = p->nd[r].type;
		if (tl != T_ERR && tr != T_ERR) {
			if (!eq && (tl != T_NUM || tr != T_NUM))
				need_type(p, tl != T_NUM ? l : r, T_NUM, text);
			else if (tl != tr)
				rules_error(&p->c.src, t->line, t->col,
				    "cannot compare %s with %s", type_a[tl],
				    type_a[tr]);
			else if (tl == T_STR)
				op = op == RX_EQ ? RX_SEQ : RX_SNE;
		}
	}
	n = node_new(p, op, T_BOOL, p->nd[l].line, p->nd[l].col);
	p->nd[n].a = l;
	p->nd[n].b = r;
	return n;
}

/* l [not] in ( expr { , expr } ) */
static uint32_t
parse_in(struct parser *p, uint32_t l)
{
	bool neg = rules_is_kw(&p->c, "not");
	uint32_t n, item, cell, last = RX_NIL;
	enum rx_type lt, it;
	long f;

	if (neg)
		rules_advance(&p->c);
	rules_advance(&p->c);
	if (!rules_expect(&p->c, TK_LPAREN, "after 'in'"))
		return RX_NIL;
	f = enum_field(p, l);
	resolve(p, l);
	lt = p->nd[l].type;
	if (f < 0 && lt != T_NUM && lt != T_STR && lt != T_ERR) {
		rules_error(&p->c.src, p->nd[l].line, p->nd[l].col,
		    "'in' needs a number, an enum or a string on its left, "
		    "not %s", type_a[lt]);
		lt = T_ERR;
	}
	n = node_new(p, neg ? RX_NOTIN : RX_IN, T_BOOL, p->nd[l].line,
	    p->nd[l].col);
	p->nd[n].a = l;
	for (;;) {
		item = parse_expr(p);
		if (item == RX_NIL)
			return RX_NIL;
		if (f >= 0)
			enum_value(p, item, f);
		else {
			resolve(p, item);
			it = p->nd[item].type;
			if (lt != T_ERR && it != T_ERR && it != lt)
				rules_error(&p->c.src, p->nd[item].line,
				    p->nd[item].col, "list item is %s, but "
				    "the left side of 'in' is %s", type_a[it],
				    type_a[lt]);
		}
		cell = node_new(p, RX_LINK, lt, p->nd[item].line,
		    p->nd[item].col);
		p->nd[cell].a = item;
		if (last == RX_NIL)
			p->nd[n].b = cell;
		else
			p->nd[last].b = cell;
		last = cell;
		if (p->c.tok.kind != TK_COMMA)
			break;
		rules_advance(&p->c);
	}
	if (!rules_expect(&p->c, TK_RPAREN, "to close the list"))
		return RX_NIL;
	if (lt == T_STR)
		p->nd[n].op = neg ? RX_SNOTIN : RX_SIN;
	return n;
}

static uint32_t
parse_unary(struct parser *p)
{
	struct token t = p->c.tok;
	uint32_t x, n;

	if (t.kind != TK_MINUS)
		return parse_primary(p);
	if (!deeper(p))
		return RX_NIL;
	rules_advance(&p->c);
	x = parse_unary(p);
	p->depth--;
	if (x == RX_NIL)
		return RX_NIL;
	resolve(p, x);
	need_type(p, x, T_NUM, "-");
	if (p->nd[x].op == RX_NUM) {
		p->nd[x].num = -p->nd[x].num;
		p->nd[x].line = t.line;
		p->nd[x].col = t.col;
		return x;
	}
	n = node_new(p, RX_NEG, T_NUM, t.line, t.col);
	p->nd[n].a = x;
	return n;
}

static uint32_t
parse_primary(struct parser *p)
{
	struct token t = p->c.tok;
	const char *const *w;
	uint32_t n;
	char d[80];

	switch (t.kind) {
	case TK_NUMBER:
		n = node_new(p, RX_NUM, T_NUM, t.line, t.col);
		p->nd[n].num = t.num;
		rules_advance(&p->c);
		return n;
	case TK_STRING:
		n = node_new(p, RX_STR, T_STR, t.line, t.col);
		p->nd[n].str = rules_tok_strdup(&t);
		rules_advance(&p->c);
		return n;
	case TK_LPAREN:
		rules_advance(&p->c);
		n = parse_expr(p);
		if (n == RX_NIL ||
		    !rules_expect(&p->c, TK_RPAREN, "to close '('"))
			return RX_NIL;
		return n;
	case TK_IDENT:
		for (w = reserved; *w != NULL; w++)
			if (rules_is_kw(&p->c, *w))
				goto bad;
		if (rules_is_kw(&p->c, "true") || rules_is_kw(&p->c, "false")) {
			n = node_new(p, RX_BOOL, T_BOOL, t.line, t.col);
			p->nd[n].num = rules_is_kw(&p->c, "true");
			rules_advance(&p->c);
			return n;
		}
		rules_advance(&p->c);
		if (p->c.tok.kind == TK_LPAREN)
			return parse_call(p, &t);
		n = node_new(p, RX_NAME, T_NAME, t.line, t.col);
		p->nd[n].str = rules_tok_strdup(&t);
		return n;
	default:
		break;
	}
bad:
	rules_tok_describe(&p->c.tok, d, sizeof d);
	rules_syntax_error(&p->c, "expected an expression, found %s", d);
	return RX_NIL;
}

/* min(a, b), max(a, b), abs(a); the current token is '('. */
static uint32_t
parse_call(struct parser *p, const struct token *name)
{
	static const struct {
		const char *name;
		enum rx_op op;
		int nargs;
	} funcs[] = {
		{ "min", RX_MIN, 2 },
		{ "max", RX_MAX, 2 },
		{ "abs", RX_ABS, 1 },
	};
	uint32_t args[2] = { RX_NIL, RX_NIL }, x, n;
	size_t i, nf = sizeof funcs / sizeof funcs[0];
	int nargs = 0;

	for (i = 0; i < nf; i++)
		if (strlen(funcs[i].name) == name->len &&
		    memcmp(funcs[i].name, name->text, name->len) == 0)
			break;
	rules_advance(&p->c);
	while (p->c.tok.kind != TK_RPAREN) {
		if ((x = parse_expr(p)) == RX_NIL)
			return RX_NIL;
		resolve(p, x);
		if (i < nf)
			need_type(p, x, T_NUM, funcs[i].name);
		if (nargs < 2)
			args[nargs] = x;
		nargs++;
		if (p->c.tok.kind != TK_COMMA)
			break;
		rules_advance(&p->c);
	}
	if (!rules_expect(&p->c, TK_RPAREN, "after the arguments"))
		return RX_NIL;
	n = node_new(p, RX_NUM, T_ERR, name->line, name->col);
	if (i == nf)
		rules_error(&p->c.src, name->line, name->col,
		    "unknown function '%.*s' (there are min, max and abs)",
		    (int)(name->len > 64 ? 64 : name->len), name->text);
	else if (nargs != funcs[i].nargs)
		rules_error(&p->c.src, name->line, name->col,
		    "%s takes %d argument%s, not %d", funcs[i].name,
		    funcs[i].nargs, funcs[i].nargs == 1 ? "" : "s", nargs);
	else {
		p->nd[n].op = (uint8_t)funcs[i].op;
		p->nd[n].type = T_NUM;
		p->nd[n].a = args[0];
		p->nd[n].b = args[1];
	}
	return n;
}

/* The condition after `when` (already consumed), through its ';'. */
static bool
parse_when(struct parser *p, struct draft *d)
{
	uint32_t root = parse_expr(p);

	if (root == RX_NIL)
		return false;
	resolve(p, root);
	if (p->nd[root].type != T_BOOL && p->nd[root].type != T_ERR)
		rules_error(&p->c.src, p->nd[root].line, p->nd[root].col,
		    "the condition must be a boolean, not %s",
		    type_a[p->nd[root].type]);
	if (!rules_expect(&p->c, TK_SEMI, "after the condition"))
		return false;
	d->root = root;
	return true;
}

/* An identifier or a string, copied. */
static bool
parse_name(struct parser *p, const char *what, char **out)
{
	char d[80];

	if (p->c.tok.kind != TK_IDENT && p->c.tok.kind != TK_STRING) {
		rules_tok_describe(&p->c.tok, d, sizeof d);
		rules_syntax_error(&p->c, "expected %s, found %s", what, d);
		return false;
	}
	*out = rules_tok_strdup(&p->c.tok);
	rules_advance(&p->c);
	return true;
}

/* [-] NUMBER, a whole number that fits an int. */
static bool
parse_int(struct parser *p, const char *what, int *out)
{
	struct token t = p->c.tok;
	double v;
	char d[80];

	if (p->c.tok.kind == TK_MINUS)
		rules_advance(&p->c);
	if (p->c.tok.kind != TK_NUMBER) {
		rules_tok_describe(&p->c.tok, d, sizeof d);
		rules_syntax_error(&p->c, "expected an integer after '%s', "
		    "found %s", what, d);
		return false;
	}
	v = t.kind == TK_MINUS ? -p->c.tok.num : p->c.tok.num;
	if (v != floor(v))
		rules_error(&p->c.src, t.line, t.col,
		    "%s must be a whole number", what);
	else if (v < INT_MIN || v > INT_MAX)
		rules_error(&p->c.src, t.line, t.col, "%s is out of range",
		    what);
	else
		*out = (int)v;
	rules_advance(&p->c);
	return true;
}

static bool
clause_scope(struct parser *p, struct draft *d)
{
	struct token t;
	char *name;
	int s;

	rules_advance(&p->c);
	t = p->c.tok;
	if (!parse_name(p, "a scope", &name))
		return false;
	for (s = 0; s < RULE_SCOPE_COUNT; s++)
		if (strcmp(name, rule_scope_name((enum rule_scope)s)) == 0)
			break;
	if (s == RULE_SCOPE_COUNT)
		rules_error(&p->c.src, t.line, t.col, "unknown scope '%.64s' "
		    "(expected reply, port, host, path or capture)", name);
	else {
		d->scope = s;
		d->it->r.scope = (enum rule_scope)s;
	}
	free(name);
	replay_when(p, d);
	return rules_expect(&p->c, TK_SEMI, "after the scope");
}

static bool
clause_priority(struct parser *p, struct draft *d)
{
	rules_advance(&p->c);
	return parse_int(p, "priority", &d->it->r.priority) &&
	    rules_expect(&p->c, TK_SEMI, "after the priority");
}

static bool
clause_when(struct parser *p, struct draft *d)
{
	if (d->seen[SL_SCOPE].line != 0) {
		p->scope = d->scope;
		p->schema = d->scope >= 0 ? &p->rs->schema[d->scope] : NULL;
		rules_advance(&p->c);
		return parse_when(p, d);
	}
	/*
	 * Scope still unknown: skip it (as error recovery would) and parse
	 * it once the scope is known.
	 */
	d->defer = true;
	d->when_tok = p->c.tok;
	p->c.src.quiet = true;
	rules_advance(&p->c);
	sync_clause(p, false);
	p->c.src.quiet = false;
	return true;
}

/*
 * label STATE reason REASON [rank N] ;
 * finding ID severity SEVERITY message "TEXT" ;
 */
static bool
clause_outcome(struct parser *p, struct draft *d)
{
	enum rule_outcome o = rules_is_kw(&p->c, "label") ? RULE_LABEL :
	    RULE_FINDING;
	const char *what = o == RULE_LABEL ? "label" : "finding";
	bool seen[W_COUNT] = { false, false, false, false };
	struct token t;
	char desc[80], *name;
	int w, s;

	d->it->r.outcome = o;
	rules_advance(&p->c);
	t = p->c.tok;
	if (o == RULE_FINDING) {
		if (t.kind != TK_IDENT || memchr(t.text, '|', t.len) != NULL) {
			rules_tok_describe(&t, desc, sizeof desc);
			rules_syntax_error(&p->c, "expected a finding id, "
			    "found %s", desc);
			return false;
		}
		d->it->finding_id = rules_tok_strdup(&t);
		rules_advance(&p->c);
	} else if (!parse_name(p, "a port state", &name))
		return false;
	else {
		if ((s = port_state_from_name(name)) < 0)
			rules_error(&p->c.src, t.line, t.col, "unknown port "
			    "state '%.64s' (expected open, closed, filtered, "
			    "unfiltered, open|filtered or closed|filtered)",
			    name);
		d->it->r.state = s;
		free(name);
	}
	while (p->c.tok.kind != TK_SEMI) {
		for (w = 0; w < W_COUNT; w++)
			if (words[w].outcome == o &&
			    rules_is_kw(&p->c, words[w].kw))
				break;
		if (w == W_COUNT) {
			rules_tok_describe(&p->c.tok, desc, sizeof desc);
			rules_syntax_error(&p->c, "expected %s or ';' in the "
			    "%s, found %s", o == RULE_LABEL ? "'reason', 'rank'"
			    : "'severity', 'message'", what, desc);
			return false;
		}
		if (seen[w])
			rules_error(&p->c.src, p->c.tok.line, p->c.tok.col,
			    "duplicate '%s' in the %s", words[w].kw, what);
		seen[w] = true;
		rules_advance(&p->c);
		if (!parse_word(p, d, w))
			return false;
	}
	for (w = 0; w < W_COUNT; w++)
		if (words[w].outcome == o && words[w].required && !seen[w])
			rules_error(&p->c.src, d->seen[SL_OUTCOME].line,
			    d->seen[SL_OUTCOME].col, "the %s needs a '%s'",
			    what, words[w].kw);
	rules_advance(&p->c);
	return true;
}

/* hide ; -- the rule removes the port rows it matches */
static bool
clause_hide(struct parser *p, struct draft *d)
{
	d->it->r.outcome = RULE_HIDE;
	rules_advance(&p->c);
	return rules_expect(&p->c, TK_SEMI, "after 'hide'");
}

/* The value after one of the words (the current token). */
static bool
parse_word(struct parser *p, struct draft *d, int w)
{
	struct token t = p->c.tok;
	char desc[80], *name;
	int v;

	if (w == W_RANK)
		return parse_int(p, "rank", &d->it->r.rank);
	if (w == W_MESSAGE) {
		if (t.kind != TK_STRING) {
			rules_tok_describe(&t, desc, sizeof desc);
			rules_syntax_error(&p->c, "expected a string after "
			    "'message', found %s", desc);
			return false;
		}
		free(d->it->message);
		d->it->message = rules_tok_strdup(&t);
		d->msg_at.line = t.line;
		d->msg_at.col = t.col;
		rules_advance(&p->c);
		return true;
	}
	if (!parse_name(p, w == W_REASON ? "a reason" : "a severity", &name))
		return false;
	v = w == W_REASON ? reason_from_name(name) : severity_from_name(name);
	if (v < 0)
		rules_error(&p->c.src, t.line, t.col, "unknown %s '%.64s'%s",
		    words[w].kw, name, w == W_REASON ? "" :
		    " (expected info, low, medium or high)");
	else if (w == W_REASON)
		d->it->r.reason = v;
	else
		d->it->r.severity = (enum severity)v;
	free(name);
	return true;
}

/* A new rule name: unique in the file, and within the rule limit. */
static void
check_name(struct parser *p, const struct token *t)
{
	const char *name = p->items[p->nitems - 1]->name;
	size_t i;

	for (i = 0; i + 1 < p->nitems; i++)
		if (p->items[i]->name != NULL &&
		    strcmp(p->items[i]->name, name) == 0) {
			rules_error(&p->c.src, t->line, t->col, "duplicate "
			    "rule '%.64s' (first defined at line %u)", name,
			    p->items[i]->r.line);
			return;
		}
	if (rules_set_find(p->rs, name) >= 0)
		return;
	if (++p->nnew + p->rs->nitems > TUN_RULE_MAX_RULES) {
		rules_error(&p->c.src, t->line, t->col,
		    "too many rules (more than %u)", TUN_RULE_MAX_RULES);
		p->c.src.stop = true;
	}
}

static void
check_message(struct parser *p, struct draft *d)
{
	static const char *const errs[] = {
		[TMPL_ERR_OPEN] = "unterminated '{' in the message (write "
		    "'{{' for a brace)",
		[TMPL_ERR_CLOSE] = "unmatched '}' in the message (write '}}' "
		    "for a brace)",
		[TMPL_ERR_EMPTY] = "empty '{}' in the message",
	};
	const char *s = d->it->message;
	struct tmpl_piece pc;

	for (rules_tmpl_next(&s, &pc); pc.kind != TMPL_END;
	    rules_tmpl_next(&s, &pc)) {
		if (pc.kind == TMPL_FIELD &&
		    rules_field_lookup(p->schema, pc.s, pc.len) < 0)
			rules_error(&p->c.src, d->msg_at.line, d->msg_at.col,
			    "the message quotes unknown evidence '%.*s'",
			    (int)(pc.len > 64 ? 64 : pc.len), pc.s);
		else if (pc.kind != TMPL_FIELD && pc.kind != TMPL_TEXT)
			rules_error(&p->c.src, d->msg_at.line, d->msg_at.col,
			    "%s", errs[pc.kind]);
	}
}

/* End of a rule: the deferred condition, then whole-rule checks. */
static void
finish_rule(struct parser *p, struct draft *d)
{
	struct rule_item *it = d->it;
	const char *name = it->name != NULL ? it->name : "?";
	struct rule_expr *e;
	struct loc o = d->seen[SL_OUTCOME];

	replay_when(p, d);	/* there was no scope: syntax only */
	p->scope = d->scope;
	p->schema = d->scope >= 0 ? &p->rs->schema[d->scope] : NULL;
	if (d->seen[SL_SCOPE].line == 0)
		rules_error(&p->c.src, d->at.line, d->at.col,
		    "rule '%.64s' has no scope", name);
	if (o.line == 0)
		rules_error(&p->c.src, d->at.line, d->at.col, "rule '%.64s' "
		    "has no outcome (a label, a finding or hide)", name);
	else if (d->scope >= 0 && d->scope != RULE_SCOPE_PORT &&
	    it->r.outcome == RULE_HIDE)
		rules_error(&p->c.src, o.line, o.col, "'hide' is only "
		    "allowed in scope port");
	else if (d->scope == RULE_SCOPE_REPLY && it->r.outcome != RULE_LABEL)
		rules_error(&p->c.src, o.line, o.col, "a finding is not "
		    "allowed in scope reply (use a label)");
	else if (d->scope > 0 && it->r.outcome == RULE_LABEL)
		rules_error(&p->c.src, o.line, o.col, "a label is only allowed "
		    "in scope reply (scope %s takes a finding)",
		    rule_scope_name((enum rule_scope)d->scope));
	else if (d->scope > 0 && it->message != NULL)
		check_message(p, d);
	if (p->c.src.nerr == 0 && d->root != RX_NIL) {
		e = xmalloc(sizeof *e + p->nnd * sizeof e->node[0]);
		e->root = d->root;
		e->n = p->nnd;
		memcpy(e->node, p->nd, p->nnd * sizeof e->node[0]);
		p->nnd = 0;	/* the strings now belong to e */
		it->expr = e;
	}
	nodes_reset(p);
}

/* One clause of a rule body (or a stray ';'), recovering from errors. */
static void
parse_clause(struct parser *p, struct draft *d)
{
	const struct clause *c;
	struct loc *seen;
	char desc[80];

	if (p->c.tok.kind == TK_SEMI) {
		rules_advance(&p->c);
		return;
	}
	for (c = clauses; c->kw != NULL; c++)
		if (rules_is_kw(&p->c, c->kw))
			break;
	seen = c->kw != NULL ? &d->seen[c->slot] : NULL;
	if (c->kw == NULL) {
		rules_tok_describe(&p->c.tok, desc, sizeof desc);
		rules_syntax_error(&p->c, "expected scope, priority, when, "
		    "label, finding, hide or '}', found %s", desc);
	} else if (seen->line != 0 && c->slot == SL_OUTCOME)
		rules_syntax_error(&p->c, "the rule already has an outcome "
		    "(line %u); a rule has one label, finding or hide",
		    seen->line);
	else if (seen->line != 0)
		rules_syntax_error(&p->c, "duplicate '%s' clause (first at "
		    "line %u)", c->kw, seen->line);
	else {
		seen->line = p->c.tok.line;
		seen->col = p->c.tok.col;
		if (!c->parse(p, d))
			sync_clause(p, true);
		return;
	}
	rules_advance(&p->c);	/* don't stop at the bad keyword */
	sync_clause(p, false);
}

/* rule NAME { clause... } */
static void
parse_rule(struct parser *p)
{
	struct draft d;
	struct loc brace;
	char desc[80];

	memset(&d, 0, sizeof d);
	d.scope = -1;
	d.root = RX_NIL;
	d.at.line = p->c.tok.line;
	d.at.col = p->c.tok.col;
	d.it = xcalloc(1, sizeof *d.it);
	d.it->r.line = d.at.line;
	if (p->nitems == p->capitems) {
		p->capitems = p->capitems ? p->capitems * 2 : 16;
		p->items = xreallocarray(p->items, p->capitems,
		    sizeof *p->items);
	}
	p->items[p->nitems++] = d.it;

	rules_advance(&p->c);
	rules_tok_describe(&p->c.tok, desc, sizeof desc);
	if (p->c.tok.kind == TK_IDENT &&
	    memchr(p->c.tok.text, '|', p->c.tok.len) == NULL) {
		d.it->name = rules_tok_strdup(&p->c.tok);
		check_name(p, &p->c.tok);
		rules_advance(&p->c);
	} else {
		rules_syntax_error(&p->c, "expected a rule name, found %s",
		    desc);
		if (p->c.tok.kind == TK_IDENT)
			rules_advance(&p->c);
	}
	if (p->c.tok.kind != TK_LBRACE) {
		rules_tok_describe(&p->c.tok, desc, sizeof desc);
		if (!p->c.bail)
			rules_syntax_error(&p->c, "expected '{' after the rule "
			    "name, found %s", desc);
		sync_top(p);
		return;
	}
	p->c.bail = false;
	brace.line = p->c.tok.line;
	brace.col = p->c.tok.col;
	rules_advance(&p->c);
	while (p->c.tok.kind != TK_RBRACE && p->c.tok.kind != TK_EOF &&
	    !rules_is_kw(&p->c, "rule"))
		parse_clause(p, &d);
	finish_rule(p, &d);
	if (p->c.tok.kind == TK_EOF)
		rules_error(&p->c.src, brace.line, brace.col, "unterminated "
		    "rule: no '}' before the end of the file");
	else if (p->c.tok.kind != TK_RBRACE)
		rules_error(&p->c.src, p->c.tok.line, p->c.tok.col,
		    "expected '}' before the next rule");
	else
		rules_advance(&p->c);
}

int
ruleset_load_buffer(struct ruleset *rs, const char *name, const char *buf,
    size_t len, rules_diag_fn diag, void *ctx)
{
	struct parser p;
	size_t i;

	memset(&p, 0, sizeof p);
	p.c.src.file = name != NULL ? name : "<buffer>";
	p.c.src.diag = diag;
	p.c.src.ctx = ctx;
	p.rs = rs;
	p.scope = -1;
	if (len > TUN_RULE_MAX_FILE) {
		rules_error(&p.c.src, 1, 1, "file too large (more than %u "
		    "bytes)", TUN_RULE_MAX_FILE);
		return p.c.src.nerr;
	}
	rules_lex_init(&p.c.lx, &p.c.src, buf, len);
	rules_advance(&p.c);
	while (p.c.tok.kind != TK_EOF) {
		if (rules_is_kw(&p.c, "rule"))
			parse_rule(&p);
		else {
			char desc[80];

			rules_tok_describe(&p.c.tok, desc, sizeof desc);
			rules_syntax_error(&p.c, "expected 'rule', found %s",
			    desc);
			sync_top(&p);
		}
	}
	rules_lex_free(&p.c.lx);
	nodes_reset(&p);
	free(p.nd);
	if (p.c.src.nerr == 0) {
		rules_set_merge(rs, p.items, p.nitems, p.c.src.file);
		p.nitems = 0;
	}
	for (i = 0; i < p.nitems; i++)
		rules_item_free(p.items[i]);
	free(p.items);
	return p.c.src.nerr;
}

int
ruleset_load_file(struct ruleset *rs, const char *path, rules_diag_fn diag,
    void *ctx)
{
	char msg[1024];
	char *buf;
	size_t n;
	FILE *fp;
	int r, err;

	if ((fp = fopen(path, "rb")) == NULL) {
		err = errno;
		goto fail;
	}
	buf = xmalloc(TUN_RULE_MAX_FILE + 1);
	n = fread(buf, 1, TUN_RULE_MAX_FILE + 1, fp);
	err = ferror(fp) ? errno : 0;
	fclose(fp);
	if (err == 0) {
		r = ruleset_load_buffer(rs, path, buf, n, diag, ctx);
		free(buf);
		return r;
	}
	free(buf);
fail:
	if (diag != NULL) {
		snprintf(msg, sizeof msg, "%s: %s", path, strerror(err));
		diag(ctx, msg);
	}
	return 1;
}
