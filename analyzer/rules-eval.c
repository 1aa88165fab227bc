/*
 * rules-eval.c -- the run-time half of the rule engine: the rule set
 * (override by name, evaluation order), evaluating compiled conditions (a
 * walk over the rule's flat node array; no allocation, and recursion
 * bounded by the parser's nesting limit), picking the first matching rule
 * of a scope, rendering finding messages, and printing rules back in
 * canonical syntax. Also the scope and severity name tables.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portstate.h"
#include "tunables.h"
#include "rules-int.h"
#include "xmalloc.h"

/* Precedence levels, loosest first (as parsed; used to print parens). */
enum { PL_OR = 1, PL_AND, PL_NOT, PL_CMP, PL_ADD, PL_MUL, PL_UNARY, PL_ATOM };

static const char *const scope_names[RULE_SCOPE_COUNT] = {
	[RULE_SCOPE_REPLY] = "reply",
	[RULE_SCOPE_PORT] = "port",
	[RULE_SCOPE_HOST] = "host",
	[RULE_SCOPE_PATH] = "path",
	[RULE_SCOPE_CAPTURE] = "capture",
};

static const char *const severity_names[SEV_COUNT] = {
	[SEV_INFO] = "info",
	[SEV_LOW] = "low",
	[SEV_MEDIUM] = "medium",
	[SEV_HIGH] = "high",
};

static const char *const arith_text[] = {
	[RA_ADD] = "+",
	[RA_SUB] = "-",
	[RA_MUL] = "*",
	[RA_DIV] = "/",
	[RA_MOD] = "%",
};

static const struct {
	enum rx_op op;
	const char *text;
	int level;
} op_text[] = {
	{ RX_OR, "or", PL_OR },
	{ RX_AND, "and", PL_AND },
	{ RX_NOT, "not", PL_NOT },
	{ RX_EQ, "==", PL_CMP },
	{ RX_NE, "!=", PL_CMP },
	{ RX_LT, "<", PL_CMP },
	{ RX_LE, "<=", PL_CMP },
	{ RX_GT, ">", PL_CMP },
	{ RX_GE, ">=", PL_CMP },
	{ RX_SEQ, "==", PL_CMP },
	{ RX_SNE, "!=", PL_CMP },
	{ RX_IN, "in", PL_CMP },
	{ RX_NOTIN, "not in", PL_CMP },
	{ RX_SIN, "in", PL_CMP },
	{ RX_SNOTIN, "not in", PL_CMP },
	{ RX_NEG, "-", PL_UNARY },
	{ RX_ABS, "abs", PL_ATOM },
	{ RX_MIN, "min", PL_ATOM },
	{ RX_MAX, "max", PL_ATOM },
};

static inline double val(const struct rx_node *nd, uint32_t i,
    const struct ev_value *v);
static double eval(const struct rx_node *nd, uint32_t i,
    const struct ev_value *v);
static const char *eval_str(const struct rx_node *nd, uint32_t i,
    const struct ev_value *v);
static int cmp_items(const void *a, const void *b);
static double arith(unsigned sub, double a, double b);
static void put(char *buf, size_t len, size_t *n, const char *s, size_t k);
static const char *value_text(const struct ev_field *f,
    const struct ev_value *v, char *tmp, size_t len);
static int op_index(unsigned op);
static int level(const struct rx_node *nd, uint32_t i);
static void print_string(FILE *fp, const char *s);
static void print_name(FILE *fp, const char *s);
static void print_expr(FILE *fp, const struct rx_node *nd, uint32_t i,
    int min, const struct ev_schema *s);

static double
arith(unsigned sub, double a, double b)
{
	switch (sub) {
	case RA_ADD:
		return a + b;
	case RA_SUB:
		return a - b;
	case RA_MUL:
		return a * b;
	case RA_DIV:
		return b == 0 ? 0 : a / b;
	default:
		return b == 0 ? 0 : fmod(a, b);
	}
}

static const char *
eval_str(const struct rx_node *nd, uint32_t i, const struct ev_value *v)
{
	const char *s = nd[i].op == RX_STR ? nd[i].str : v[nd[i].field].str;

	return s != NULL ? s : "";
}

/* Operands: constants and fields without a call (most nodes are leaves). */
static inline double
val(const struct rx_node *nd, uint32_t i, const struct ev_value *v)
{
	if (nd[i].op == RX_FIELD)
		return v[nd[i].field].num;
	if (nd[i].op <= RX_ENUMV)	/* RX_NUM, RX_BOOL, RX_ENUMV */
		return nd[i].num;
	return eval(nd, i, v);
}

/* Value of node i; booleans are 0 or 1, enums their value index. */
static double
eval(const struct rx_node *nd, uint32_t i, const struct ev_value *v)
{
	const struct rx_node *n = &nd[i];
	const char *s;
	double x, y;
	uint32_t c;

	switch (n->op) {
	case RX_NUM:
	case RX_BOOL:
	case RX_ENUMV:
		return n->num;
	case RX_FIELD:
		return v[n->field].num;
	case RX_BFIELD:
		return v[n->field].num != 0;
	case RX_NEG:
		return -val(nd, n->a, v);
	case RX_NOT:
		return val(nd, n->a, v) == 0;
	case RX_ABS:
		return fabs(val(nd, n->a, v));
	case RX_MIN:
	case RX_MAX:
		x = val(nd, n->a, v);
		y = val(nd, n->b, v);
		return (n->op == RX_MIN) == (y < x) ? y : x;
	case RX_ARITH:
		x = val(nd, n->a, v);
		for (c = n->b; c != RX_NIL; c = nd[c].b)
			x = arith(nd[c].sub, x, val(nd, nd[c].a, v));
		return x;
	case RX_AND:
	case RX_OR:
		/* and: stop at the first false; or: at the first true */
		if ((val(nd, n->a, v) != 0) == (n->op == RX_OR))
			return n->op == RX_OR;
		for (c = n->b; c != RX_NIL; c = nd[c].b)
			if ((val(nd, nd[c].a, v) != 0) == (n->op == RX_OR))
				return n->op == RX_OR;
		return n->op == RX_AND;
	case RX_EQ:
		return val(nd, n->a, v) == val(nd, n->b, v);
	case RX_NE:
		return val(nd, n->a, v) != val(nd, n->b, v);
	case RX_LT:
		return val(nd, n->a, v) < val(nd, n->b, v);
	case RX_LE:
		return val(nd, n->a, v) <= val(nd, n->b, v);
	case RX_GT:
		return val(nd, n->a, v) > val(nd, n->b, v);
	case RX_GE:
		return val(nd, n->a, v) >= val(nd, n->b, v);
	case RX_SEQ:
	case RX_SNE:
		return (strcmp(eval_str(nd, n->a, v), eval_str(nd, n->b, v)) ==
		    0) == (n->op == RX_SEQ);
	case RX_IN:
	case RX_NOTIN:
		x = val(nd, n->a, v);
		for (c = n->b; c != RX_NIL; c = nd[c].b)
			if (val(nd, nd[c].a, v) == x)
				return n->op == RX_IN;
		return n->op == RX_NOTIN;
	case RX_SIN:
	case RX_SNOTIN:
		s = eval_str(nd, n->a, v);
		for (c = n->b; c != RX_NIL; c = nd[c].b)
			if (strcmp(eval_str(nd, nd[c].a, v), s) == 0)
				return n->op == RX_SIN;
		return n->op == RX_SNOTIN;
	default:
		return 0;
	}
}

bool
rule_matches(const struct rule *r, const struct ev_value *v)
{
	const struct rule_expr *e = r->when;

	return e == NULL || val(e->node, e->root, v) != 0;
}

/* Does node i's subtree read only fields >= first? */
static bool
reads_from(const struct rx_node *nd, uint32_t i, uint32_t first)
{
	const struct rx_node *n = &nd[i];
	uint32_t c;

	switch (n->op) {
	case RX_NUM:
	case RX_BOOL:
	case RX_ENUMV:
	case RX_STR:
		return true;
	case RX_FIELD:
	case RX_BFIELD:
	case RX_SFIELD:
		return n->field >= first;
	case RX_NEG:
	case RX_NOT:
	case RX_ABS:
		return reads_from(nd, n->a, first);
	case RX_MIN:
	case RX_MAX:
	case RX_EQ:
	case RX_NE:
	case RX_LT:
	case RX_LE:
	case RX_GT:
	case RX_GE:
	case RX_SEQ:
	case RX_SNE:
		return reads_from(nd, n->a, first) &&
		    reads_from(nd, n->b, first);
	case RX_ARITH:
	case RX_AND:
	case RX_OR:
	case RX_IN:
	case RX_NOTIN:
	case RX_SIN:
	case RX_SNOTIN:
		if (!reads_from(nd, n->a, first))
			return false;
		for (c = n->b; c != RX_NIL; c = nd[c].b)
			if (!reads_from(nd, nd[c].a, first))
				return false;
		return true;
	default:
		return false;
	}
}

/* Term i of an "and": false, and decided by the fields >= first alone? */
static bool
term_fails(const struct rx_node *nd, uint32_t i, uint32_t first,
    const struct ev_value *v)
{
	return reads_from(nd, i, first) && val(nd, i, v) == 0;
}

bool
rule_fails_from(const struct rule *r, uint32_t first,
    const struct ev_value *v)
{
	const struct rule_expr *e = r->when;
	const struct rx_node *nd;
	uint32_t c;

	if (e == NULL)
		return false;
	nd = e->node;
	if (nd[e->root].op != RX_AND)
		return term_fails(nd, e->root, first, v);
	if (term_fails(nd, nd[e->root].a, first, v))
		return true;
	for (c = nd[e->root].b; c != RX_NIL; c = nd[c].b)
		if (term_fails(nd, nd[c].a, first, v))
			return true;
	return false;
}

const struct rule *
ruleset_first(const struct ruleset *rs, enum rule_scope scope,
    const struct ev_value *v)
{
	size_t i;

	if ((unsigned)scope >= RULE_SCOPE_COUNT)
		return NULL;
	for (i = 0; i < rs->nbyscope[scope]; i++)
		if (rule_matches(rs->byscope[scope][i], v))
			return rs->byscope[scope][i];
	return NULL;
}

struct ruleset *
ruleset_new(const struct ev_schema schemas[RULE_SCOPE_COUNT])
{
	struct ruleset *rs = xcalloc(1, sizeof *rs);
	size_t s;

	for (s = 0; schemas != NULL && s < RULE_SCOPE_COUNT; s++)
		rs->schema[s] = schemas[s];
	return rs;
}

void
ruleset_free(struct ruleset *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nitems; i++)
		rules_item_free(rs->items[i]);
	for (i = 0; i < RULE_SCOPE_COUNT; i++)
		free(rs->byscope[i]);
	free(rs->items);
	free(rs);
}

void
rules_expr_free(struct rule_expr *e)
{
	uint32_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->n; i++)
		free(e->node[i].str);
	free(e);
}

void
rules_item_free(struct rule_item *it)
{
	free(it->name);
	free(it->file);
	free(it->finding_id);
	free(it->message);
	rules_expr_free(it->expr);
	free(it);
}

long
rules_set_find(const struct ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nitems; i++)
		if (strcmp(rs->items[i]->name, name) == 0)
			return (long)i;
	return -1;
}

/* Evaluation order: priority descending, then load order. */
static int
cmp_items(const void *a, const void *b)
{
	const struct rule_item *x = *(const struct rule_item *const *)a;
	const struct rule_item *y = *(const struct rule_item *const *)b;

	if (x->r.priority != y->r.priority)
		return x->r.priority > y->r.priority ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
rules_set_merge(struct ruleset *rs, struct rule_item **items, size_t n,
    const char *file)
{
	struct rule_item *it;
	size_t i, s;
	long old;

	for (i = 0; i < n; i++) {
		it = items[i];
		it->file = xstrdup(file);
		it->r.name = it->name;
		it->r.file = it->file;
		it->r.finding_id = it->finding_id;
		it->r.message = it->message;
		it->r.when = it->expr;
		it->schema = &rs->schema[it->r.scope];
		if ((old = rules_set_find(rs, it->name)) >= 0) {
			it->seq = rs->items[old]->seq;	/* in place */
			rules_item_free(rs->items[old]);
			rs->items[old] = it;
			continue;
		}
		rs->items = xreallocarray(rs->items, rs->nitems + 1,
		    sizeof *rs->items);
		it->seq = rs->seq++;
		rs->items[rs->nitems++] = it;
	}
	if (rs->nitems > 1)
		qsort(rs->items, rs->nitems, sizeof *rs->items, cmp_items);
	for (s = 0; s < RULE_SCOPE_COUNT; s++) {
		rs->byscope[s] = xreallocarray(rs->byscope[s], rs->nitems,
		    sizeof *rs->byscope[s]);
		rs->nbyscope[s] = 0;
	}
	for (i = 0; i < rs->nitems; i++) {
		s = rs->items[i]->r.scope;
		rs->byscope[s][rs->nbyscope[s]++] = &rs->items[i]->r;
	}
}

size_t
ruleset_count(const struct ruleset *rs)
{
	return rs->nitems;
}

const struct rule *
ruleset_get(const struct ruleset *rs, size_t i)
{
	return i < rs->nitems ? &rs->items[i]->r : NULL;
}

long
rules_field_lookup(const struct ev_schema *s, const char *name, size_t len)
{
	size_t i;

	for (i = 0; s != NULL && i < s->nfields; i++)
		if (s->fields[i].name != NULL &&
		    strlen(s->fields[i].name) == len &&
		    memcmp(s->fields[i].name, name, len) == 0)
			return (long)i;
	return -1;
}

void
rules_tmpl_next(const char **pp, struct tmpl_piece *pc)
{
	const char *s = *pp, *e;

	pc->s = s;
	pc->len = 1;
	pc->alt = NULL;
	pc->alt_len = 0;
	if (*s == '\0') {
		pc->kind = TMPL_END;
		pc->len = 0;
	} else if ((s[0] == '{' || s[0] == '}') && s[1] == s[0]) {
		pc->kind = TMPL_TEXT;	/* "{{" or "}}": one brace */
		s += 2;
	} else if (s[0] == '}') {
		pc->kind = TMPL_ERR_CLOSE;
		s++;
	} else if (s[0] == '{') {
		if ((e = strchr(s + 1, '}')) == NULL) {
			pc->kind = TMPL_ERR_OPEN;
			s += strlen(s);
		} else {
			pc->kind = e == s + 1 ? TMPL_ERR_EMPTY : TMPL_FIELD;
			pc->s = s + 1;
			pc->len = (size_t)(e - s - 1);
			if ((pc->alt = memchr(pc->s, '|', pc->len)) != NULL) {
				pc->alt_len = (size_t)(e - pc->alt - 1);
				pc->len = (size_t)(pc->alt++ - pc->s);
			}
			s = e + 1;
		}
	} else {
		pc->kind = TMPL_TEXT;
		pc->len = strcspn(s, "{}");
		s += pc->len;
	}
	*pp = s;
}

void
rules_fmt_num(char *buf, size_t len, double x, bool exact)
{
	int prec;
	size_t n;

	if (!isfinite(x))
		snprintf(buf, len, "%.10g", x);
	else if (!exact && x != floor(x) && fabs(x) < 1e15) {
		/* Messages are read by people: two decimals at most. */
		snprintf(buf, len, "%.2f", x);
		n = strlen(buf);
		while (n > 0 && buf[n - 1] == '0')
			buf[--n] = '\0';
		if (n > 0 && buf[n - 1] == '.')
			buf[--n] = '\0';
	} else if (!exact && x != floor(x))
		snprintf(buf, len, "%.10g", x);
	else if (x == floor(x) && (exact || fabs(x) < 1e15))
		snprintf(buf, len, "%.0f", !exact && x == 0 ? 0.0 : x);
	else if (!exact)
		snprintf(buf, len, "%.10g", x);
	else
		/* Shortest fixed notation that reads back exactly. */
		for (prec = 1; prec <= 1074; prec++) {
			snprintf(buf, len, "%.*f", prec, x);
			if (strtod(buf, NULL) == x)
				break;
		}
}

/* Append s[0..k) to buf as far as it fits; count it all in *n. */
static void
put(char *buf, size_t len, size_t *n, const char *s, size_t k)
{
	size_t room = *n + 1 < len ? len - *n - 1 : 0;

	if (room > 0)
		memcpy(buf + *n, s, k < room ? k : room);
	*n += k;
}

size_t
rule_text_abbrev(const char *s, size_t *more)
{
	size_t n = strlen(s), cut = TUN_TEXT_VALUE_MAX;
	const char *c;

	*more = 0;
	if (n <= TUN_TEXT_VALUE_MAX)
		return n;
	while (cut > 0 && s[cut] != ',')
		cut--;
	if (cut == 0) {	/* not a list: whole UTF-8 sequences only */
		cut = TUN_TEXT_VALUE_MAX;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
		return cut;
	}
	for (c = s + cut; (c = memchr(c, ',', (size_t)(s + n - c))) != NULL;
	    c++)
		(*more)++;
	return cut;
}

static const char *
value_text(const struct ev_field *f, const struct ev_value *v, char *tmp,
    size_t len)
{
	size_t i;

	switch (f->type) {
	case EV_BOOL:
		return v->num != 0 ? "true" : "false";
	case EV_STR:
		return v->str != NULL ? v->str : "";
	case EV_ENUM:
		for (i = 0; f->values != NULL && f->values[i] != NULL; i++)
			if (v->num == (double)i)
				return f->values[i];
		/* FALLTHROUGH */
	default:
		rules_fmt_num(tmp, len, v->num, false);
		return tmp;
	}
}

size_t
rule_format_message(const struct rule *r, const struct ev_value *v,
    char *buf, size_t len)
{
	const struct rule_item *it = (const struct rule_item *)r;
	const char *s = r->message != NULL ? r->message : "", *t;
	struct tmpl_piece pc;
	char tmp[RULES_NUMBUF];
	size_t n = 0;
	long f;

	for (rules_tmpl_next(&s, &pc); pc.kind != TMPL_END;
	    rules_tmpl_next(&s, &pc)) {
		f = pc.kind == TMPL_FIELD && v != NULL ?
		    rules_field_lookup(it->schema, pc.s, pc.len) : -1;
		if (f < 0)
			put(buf, len, &n, pc.s, pc.len);
		else {
			size_t k, more;

			t = value_text(&it->schema->fields[f], &v[f], tmp,
			    sizeof tmp);
			if (*t == '\0' && pc.alt_len > 0) {
				put(buf, len, &n, pc.alt, pc.alt_len);
				continue;
			}
			k = rule_text_abbrev(t, &more);
			put(buf, len, &n, t, k);
			if (more > 0) {
				snprintf(tmp, sizeof tmp, " and %zu more", more);
				put(buf, len, &n, tmp, strlen(tmp));
			} else if (k < strlen(t))
				put(buf, len, &n, "...", 3);
		}
	}
	if (len > 0)
		buf[n < len ? n : len - 1] = '\0';
	return n;
}

void
rule_fields_used(const struct rule *r, bool *used, size_t nfields)
{
	const struct rule_item *it = (const struct rule_item *)r;
	const struct rule_expr *e = r->when;
	const char *s = r->message != NULL ? r->message : "";
	const struct rx_node *n;
	struct tmpl_piece pc;
	uint32_t i;
	long f;

	/* Every compiled node is reachable from the root: just scan. */
	for (i = 0; e != NULL && i < e->n; i++) {
		n = &e->node[i];
		if ((n->op == RX_FIELD || n->op == RX_BFIELD ||
		    n->op == RX_SFIELD) && n->field < nfields)
			used[n->field] = true;
	}
	for (rules_tmpl_next(&s, &pc); pc.kind != TMPL_END;
	    rules_tmpl_next(&s, &pc))
		if (pc.kind == TMPL_FIELD && (f = rules_field_lookup(it->schema,
		    pc.s, pc.len)) >= 0 && (size_t)f < nfields)
			used[f] = true;
	if (r->per >= 0 && (size_t)r->per < nfields)
		used[r->per] = true;
}

static int
op_index(unsigned op)
{
	size_t i;

	for (i = 0; i < sizeof op_text / sizeof op_text[0]; i++)
		if (op_text[i].op == op)
			return (int)i;
	return -1;
}

static int
level(const struct rx_node *nd, uint32_t i)
{
	int k;

	if (nd[i].op == RX_ARITH)
		return nd[nd[i].b].sub <= RA_SUB ? PL_ADD : PL_MUL;
	if (nd[i].op == RX_NUM && signbit(nd[i].num))
		return PL_UNARY;
	k = op_index(nd[i].op);
	return k >= 0 ? op_text[k].level : PL_ATOM;
}

static void
print_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++)
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", fp);
		else if (*s == '\t')
			fputs("\\t", fp);
		else
			fputc(*s, fp);
	fputc('"', fp);
}

/* Bare if it reads back as the same single name, else quoted. */
static void
print_name(FILE *fp, const char *s)
{
	static const char *const words[] = {
		"and", "or", "not", "in", "true", "false", NULL,
	};
	const char *const *w;

	for (w = words; *w != NULL; w++)
		if (strcmp(*w, s) == 0)
			break;
	if (*w == NULL && rules_is_ident(s))
		fputs(s, fp);
	else
		print_string(fp, s);
}

static void
print_expr(FILE *fp, const struct rx_node *nd, uint32_t i, int min,
    const struct ev_schema *s)
{
	const struct rx_node *n = &nd[i];
	const struct ev_field *f;
	int lv = level(nd, i), k = op_index(n->op);
	char num[RULES_NUMBUF];
	uint32_t c;

	if (lv < min)
		fputc('(', fp);
	switch (n->op) {
	case RX_NUM:
		rules_fmt_num(num, sizeof num, n->num, true);
		fputs(num, fp);
		break;
	case RX_BOOL:
		fputs(n->num != 0 ? "true" : "false", fp);
		break;
	case RX_STR:
		print_string(fp, n->str);
		break;
	case RX_ENUMV:
		f = &s->fields[n->field];
		print_name(fp, f->values[(size_t)n->num]);
		break;
	case RX_FIELD:
	case RX_BFIELD:
	case RX_SFIELD:
		fputs(s->fields[n->field].name, fp);
		break;
	case RX_NEG:
		fputc('-', fp);
		print_expr(fp, nd, n->a, PL_UNARY, s);
		break;
	case RX_NOT:
		fputs("not ", fp);
		print_expr(fp, nd, n->a, PL_NOT, s);
		break;
	case RX_ABS:
	case RX_MIN:
	case RX_MAX:
		fprintf(fp, "%s(", op_text[k].text);
		print_expr(fp, nd, n->a, 0, s);
		if (n->b != RX_NIL) {
			fputs(", ", fp);
			print_expr(fp, nd, n->b, 0, s);
		}
		fputc(')', fp);
		break;
	case RX_ARITH:
	case RX_AND:
	case RX_OR:
		print_expr(fp, nd, n->a, lv, s);
		for (c = n->b; c != RX_NIL; c = nd[c].b) {
			fprintf(fp, " %s ", n->op == RX_ARITH ?
			    arith_text[nd[c].sub] : op_text[k].text);
			print_expr(fp, nd, nd[c].a, lv + 1, s);
		}
		break;
	case RX_IN:
	case RX_NOTIN:
	case RX_SIN:
	case RX_SNOTIN:
		print_expr(fp, nd, n->a, PL_ADD, s);
		fprintf(fp, " %s (", op_text[k].text);
		for (c = n->b; c != RX_NIL; c = nd[c].b) {
			print_expr(fp, nd, nd[c].a, 0, s);
			fputs(nd[c].b != RX_NIL ? ", " : "", fp);
		}
		fputc(')', fp);
		break;
	default:		/* comparisons */
		print_expr(fp, nd, n->a, PL_ADD, s);
		fprintf(fp, " %s ", k >= 0 ? op_text[k].text : "?");
		print_expr(fp, nd, n->b, PL_ADD, s);
		break;
	}
	if (lv < min)
		fputc(')', fp);
}

void
rule_print(const struct rule *r, const struct ev_schema *schema, FILE *fp)
{
	const struct rule_item *it = (const struct rule_item *)r;
	const struct ev_schema *s = schema != NULL ? schema : it->schema;

	fprintf(fp, "rule %s {\n\tscope %s;\n", r->name,
	    rule_scope_name(r->scope));
	if (r->priority != 0)
		fprintf(fp, "\tpriority %d;\n", r->priority);
	if (r->per >= 0 && s != NULL && (size_t)r->per < s->nfields)
		fprintf(fp, "\tper %s;\n", s->fields[r->per].name);
	if (r->when != NULL) {
		fputs("\twhen ", fp);
		print_expr(fp, r->when->node, r->when->root, 0, s);
		fputs(";\n", fp);
	}
	if (r->outcome == RULE_LABEL) {
		fputs("\tlabel ", fp);
		print_name(fp, port_state_name((enum port_state)r->state));
		fputs(" reason ", fp);
		print_name(fp, reason_name((enum reason)r->reason));
		if (r->rank != 0)
			fprintf(fp, " rank %d", r->rank);
	} else if (r->outcome == RULE_FINDING) {
		fprintf(fp, "\tfinding %s severity %s message ", r->finding_id,
		    severity_name(r->severity));
		print_string(fp, r->message != NULL ? r->message : "");
	} else
		fputs("\thide", fp);
	fputs(";\n}\n", fp);
}

const char *
rule_scope_name(enum rule_scope s)
{
	return (unsigned)s < RULE_SCOPE_COUNT ? scope_names[s] : "unknown";
}

const char *
severity_name(enum severity s)
{
	return (unsigned)s < SEV_COUNT ? severity_names[s] : "unknown";
}

int
severity_from_name(const char *name)
{
	int i;

	for (i = 0; i < SEV_COUNT; i++)
		if (strcmp(severity_names[i], name) == 0)
			return i;
	return -1;
}
