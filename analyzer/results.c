/*
 * results.c -- ownership and output order of the analysis results.
 *
 * Rows are sorted with a total order (host, protocol, port, scanner, then
 * the verdict fields as tie-breakers) so that qsort's instability never
 * shows in the output: two runs over the same captures print the same bytes.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>

#include "results.h"

static int row_cmp(const void *a, const void *b);
static int u64_cmp(uint64_t a, uint64_t b);

static int
u64_cmp(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static int
row_cmp(const void *a, const void *b)
{
	const struct port_row *x = a, *y = b;
	int c;

	/* IPv4 is stored IPv4-mapped (::ffff:0:0/96), so it sorts first. */
	if ((c = addr_cmp(&x->host, &y->host)) != 0)
		return c;
	if ((c = u64_cmp(x->proto, y->proto)) != 0) /* tcp 6 < udp 17 */
		return c;
	if ((c = u64_cmp(x->port, y->port)) != 0)
		return c;
	if ((c = addr_cmp(&x->scanner, &y->scanner)) != 0)
		return c;
	/* Duplicate keys should not happen; keep the order total anyway. */
	if ((c = u64_cmp(x->state, y->state)) != 0)
		return c;
	if ((c = u64_cmp(x->reason, y->reason)) != 0)
		return c;
	if ((c = u64_cmp(x->first_ns, y->first_ns)) != 0)
		return c;
	if ((c = u64_cmp(x->last_ns, y->last_ns)) != 0)
		return c;
	if ((c = u64_cmp(x->probes, y->probes)) != 0)
		return c;
	return u64_cmp(x->responses, y->responses);
}

void
results_sort(struct results *r)
{
	if (r == NULL || r->rows == NULL || r->nrows < 2)
		return;
	qsort(r->rows, r->nrows, sizeof(r->rows[0]), row_cmp);
}

void
results_free(struct results *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nfindings; i++) {
		free(r->findings[i].ports);
		free(r->findings[i].message);
		free(r->findings[i].evidence);
	}
	free(r->findings);
	free(r->rows);
	free(r->kind_pool);
	r->kind_pool = NULL;
	r->findings = NULL;
	r->nfindings = 0;
	r->rows = NULL;
	r->nrows = 0;
}
