/*
 * rulebook.h -- assembles the rule set of a run: the evidence schemas of
 * every scope, the default rule files and the user's --rules files.
 *
 * Default rules are every *.rules file (in name order) of the first of:
 * $PORTSLEUTH_RULES_DIR; the rules/ directory beside the build tree
 * (<dir of the executable>/../rules, so an uninstalled analyzer/portsleuth
 * uses the tree's rules); the installed pkgdata directory.
 * Errors go to the diagnostic callback as "file:line:col: message".
 */
#ifndef PORTSLEUTH_RULEBOOK_H
#define PORTSLEUTH_RULEBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rules.h"

/*
 * Build a rule set: defaults (unless no_defaults) then each user file.
 * Returns NULL when any file has errors or the default directory cannot be
 * found or read; the number of errors is stored in *nerrors.
 */
struct ruleset *rulebook_load(bool no_defaults, const char *const *files,
    size_t nfiles, rules_diag_fn diag, void *ctx, int *nerrors);

/* The evidence schemas of every scope (index: enum rule_scope). */
const struct ev_schema *rulebook_schemas(void);

/* The default rules directory in use, or NULL if none was found. */
const char *rulebook_default_dir(void);

/* --list-evidence: every field of every scope with its type and doc. */
void rulebook_list_evidence(FILE *fp);

#endif
