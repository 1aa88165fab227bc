/*
 * rules-parse.c -- recursive-descent parser for rule files: rule blocks
 * and their clauses (the `when` expression grammar is rules-expr.c).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portstate.h"
#include "rules-expr.h"
#include "rules-int.h"
#include "tunables.h"
#include "xmalloc.h"

enum slot { SL_SCOPE, SL_PRIORITY, SL_WHEN, SL_OUTCOME, SL_PER, SL_COUNT };

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
	char *per;			/* `per` field name, resolved last */
};



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
static bool parse_when(struct parser *p, struct draft *d);
static bool parse_name(struct parser *p, const char *what, char **out);
static bool parse_int(struct parser *p, const char *what, int *out);
static bool clause_scope(struct parser *p, struct draft *d);
static bool clause_priority(struct parser *p, struct draft *d);
static bool clause_when(struct parser *p, struct draft *d);
static bool clause_outcome(struct parser *p, struct draft *d);
static bool clause_hide(struct parser *p, struct draft *d);
static bool clause_per(struct parser *p, struct draft *d);
static void resolve_per(struct parser *p, struct draft *d);
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
	{ "per", SL_PER, clause_per },
	{ NULL, SL_COUNT, NULL },
};



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


/* The condition after `when` (already consumed), through its ';'. */
static bool
parse_when(struct parser *p, struct draft *d)
{
	uint32_t root = rules_expr_parse(p);

	if (root == RX_NIL)
		return false;
	rules_expr_resolve(p, root);
	if (p->nd[root].type != T_BOOL && p->nd[root].type != T_ERR)
		rules_error(&p->c.src, p->nd[root].line, p->nd[root].col,
		    "the condition must be a boolean, not %s",
		    rules_type_a(p->nd[root].type));
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

/* per FIELD ; -- the name is checked once the scope is known. */
static bool
clause_per(struct parser *p, struct draft *d)
{
	char desc[80];

	rules_advance(&p->c);
	if (p->c.tok.kind != TK_IDENT) {
		rules_tok_describe(&p->c.tok, desc, sizeof desc);
		rules_syntax_error(&p->c, "expected an evidence name after "
		    "'per', found %s", desc);
		return false;
	}
	d->per = rules_tok_strdup(&p->c.tok);
	rules_advance(&p->c);
	return rules_expect(&p->c, TK_SEMI, "after the per field");
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

/* A port finding's `per` field: one of its scope's, not a string. */
static void
resolve_per(struct parser *p, struct draft *d)
{
	struct loc at = d->seen[SL_PER];
	long f;

	if (d->scope != RULE_SCOPE_PORT || d->it->r.outcome != RULE_FINDING)
		rules_error(&p->c.src, at.line, at.col, "'per' is only allowed "
		    "in a finding of scope port");
	else if ((f = rules_field_lookup(p->schema, d->per,
	    strlen(d->per))) < 0)
		rules_error(&p->c.src, at.line, at.col, "unknown evidence "
		    "'%.64s' in scope port", d->per);
	else if (p->schema->fields[f].type == EV_STR)
		rules_error(&p->c.src, at.line, at.col, "'per' takes a number, "
		    "boolean or enum field, not the string '%.64s'", d->per);
	else
		d->it->r.per = (int)f;
	free(d->per);
	d->per = NULL;
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
	if (d->per != NULL)
		resolve_per(p, d);
	if (p->c.src.nerr == 0 && d->root != RX_NIL) {
		e = xmalloc(sizeof *e + p->nnd * sizeof e->node[0]);
		e->root = d->root;
		e->n = p->nnd;
		memcpy(e->node, p->nd, p->nnd * sizeof e->node[0]);
		p->nnd = 0;	/* the strings now belong to e */
		it->expr = e;
	}
	rules_expr_reset(p);
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
		    "label, finding, hide, per or '}', found %s", desc);
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
	d.it->r.per = -1;
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
	rules_expr_reset(&p);
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
