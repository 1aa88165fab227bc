/*
 * rules-expr.h -- private to the rule parser: its state, shared by the
 * rule-level grammar (rules-parse.c) and the expression grammar
 * (rules-expr.c).
 */
#ifndef PORTSLEUTH_RULES_EXPR_H
#define PORTSLEUTH_RULES_EXPR_H

#include <stddef.h>
#include <stdint.h>

#include "rules-int.h"

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

/*
 * Parse one expression at the cursor into p->nd; returns its root node, or
 * RX_NIL after a syntax error (already reported).
 */
uint32_t rules_expr_parse(struct parser *p);

/* Give node n and its subtree their final types (names, enum values). */
void rules_expr_resolve(struct parser *p, uint32_t n);

/* Drop the current rule's nodes (their strings too); keep the array. */
void rules_expr_reset(struct parser *p);

/* "a number", "a boolean", ...: a type for error messages. */
const char *rules_type_a(enum rx_type t);

#endif
