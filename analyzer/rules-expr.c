/*
 * rules-expr.c -- the expression grammar of a rule's `when` condition.
 *
 * Precedence climbing over or / and / comparison / + - / * / % / unary,
 * with `in [...]` lists and the numeric functions. Nodes are appended to
 * the parser's flat array and type-checked against the scope's evidence
 * schema as they are built; names are resolved to schema fields and enum
 * values. Errors go through the token cursor and leave T_ERR nodes, so one
 * mistake is reported once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portstate.h"
#include "rules-expr.h"
#include "rules-int.h"
#include "tunables.h"
#include "xmalloc.h"

/* Binary operators of one precedence level fold into a chain node. */
enum level { LV_OR, LV_AND, LV_ADD, LV_MUL };

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

static uint32_t node_new(struct parser *p, enum rx_op op, enum rx_type type,
    unsigned line, unsigned col);
static void join_values(const char *const *v, char *buf, size_t len);
static long enum_field(const struct parser *p, uint32_t n);
static void need_type(struct parser *p, uint32_t n, enum rx_type want,
    const char *op);
static void enum_value(struct parser *p, uint32_t n, long f);
static bool deeper(struct parser *p);
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

void
rules_expr_reset(struct parser *p)
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
void
rules_expr_resolve(struct parser *p, uint32_t n)
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
uint32_t
rules_expr_parse(struct parser *p)
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
	rules_expr_resolve(p, first);
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
		rules_expr_resolve(p, x);
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
	rules_expr_resolve(p, x);
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
		rules_expr_resolve(p, e);
		if (eq)
			enum_value(p, other, fl >= 0 ? fl : fr);
		else {
			need_type(p, e, T_NUM, text);
			p->nd[other].type = T_ERR;	/* not "unknown" */
			if (p->nd[other].op == RX_NAME)
				p->nd[other].op = RX_NUM;
		}
	} else {
		rules_expr_resolve(p, l);
		rules_expr_resolve(p, r);
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
	rules_expr_resolve(p, l);
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
		item = rules_expr_parse(p);
		if (item == RX_NIL)
			return RX_NIL;
		if (f >= 0)
			enum_value(p, item, f);
		else {
			rules_expr_resolve(p, item);
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
	rules_expr_resolve(p, x);
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
		n = rules_expr_parse(p);
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
		if ((x = rules_expr_parse(p)) == RX_NIL)
			return RX_NIL;
		rules_expr_resolve(p, x);
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

const char *
rules_type_a(enum rx_type t)
{
	return type_a[t];
}
