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

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "xmalloc.h"
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
	if (r->src != NULL) {
		r->src->free(r->src->ctx);
		free(r->src);
		r->src = NULL;
	}
	free(r->rows);
	free(r->kind_pool);
	r->kind_pool = NULL;
	r->findings = NULL;
	r->nfindings = 0;
	r->rows = NULL;
	r->nrows = 0;
}

/* First finding at or after host in findings order (non-host ones last). */
static size_t
findings_from(const struct results *r, const struct addr *host, bool after)
{
	size_t lo = 0, hi = r->nfindings, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = r->findings[mid].has_host ?
		    addr_cmp(&r->findings[mid].host, host) : 1;
		if (c < 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
results_findings_of(const struct results *r, const struct addr *host,
    size_t *lo, size_t *hi)
{
	*lo = findings_from(r, host, false);
	*hi = findings_from(r, host, true);
}

void
results_iter_init(struct row_iter *it, const struct results *r)
{
	memset(it, 0, sizeof(*it));
	it->res = r;
	if (r->src == NULL)
		return;
	it->rows = xcalloc(r->src->max_rows + 1, sizeof(*it->rows));
	it->kinds = xcalloc(r->src->max_kinds + 1, sizeof(*it->kinds));
}

size_t
results_iter_host(struct row_iter *it, const struct port_row **rows)
{
	const struct results *r = it->res;
	const struct row_source *src = r->src;
	size_t n = 0, lo;

	if (src != NULL) {
		while (n == 0 && it->next < src->ngroups)
			n = src->group(src->ctx, it->next++, it->rows,
			    it->kinds);
		*rows = it->rows;
		return n;
	}
	lo = it->next;
	if (lo >= r->nrows)
		return 0;
	for (n = 1; lo + n < r->nrows &&
	    addr_eq(&r->rows[lo + n].host, &r->rows[lo].host); n++)
		;
	it->next = lo + n;
	*rows = r->rows + lo;
	return n;
}

void
results_host_view(const struct results *r, const struct port_row *rows,
    size_t n, struct results *view)
{
	*view = *r;
	/* view is only read (writers take const results): drop the const. */
	memcpy(&view->rows, &rows, sizeof(rows));
	view->nrows = n;
	view->src = NULL;
	view->kind_pool = NULL;
}

void
results_iter_done(struct row_iter *it)
{
	free(it->rows);
	free(it->kinds);
	memset(it, 0, sizeof(*it));
}

bool
results_limited(const struct run_summary *s)
{
	return s->flow_drops != 0 || s->record_drops != 0 ||
	    s->uncounted != 0 || s->phase_drops != 0 || s->memory_full != 0;
}

static void cat(char *buf, size_t len, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Append to buf[*at..len) like snprintf, never past the end. */
static void
cat(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at += (size_t)n;
}

void
results_limits_text(const struct run_summary *s, char *buf, size_t len)
{
	const char *sep = "";
	size_t at = 0;
	int u;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (!results_limited(s))
		return;
	if (s->memory_full != 0) {
		cat(buf, len, &at, "--max-memory (%llu MiB) reached by",
		    (unsigned long long)(s->memory_limit >> 20));
		for (u = 0; u < BU_COUNT; u++)
			if (s->memory_full & (1u << u)) {
				cat(buf, len, &at, "%s %s", sep,
				    budget_user_name((enum budget_user)u));
				sep = ",";
			}
		cat(buf, len, &at, ": ");
	} else
		cat(buf, len, &at, "table limits reached: ");
	sep = "";
	if (s->flow_drops != 0) {
		cat(buf, len, &at, "%llu probes dropped (pairing table full, "
		    "--max-flows)", (unsigned long long)s->flow_drops);
		sep = ", ";
	}
	if (s->record_drops != 0) {
		cat(buf, len, &at, "%s%llu probes not recorded (%u port "
		    "records kept%s)", sep,
		    (unsigned long long)s->record_drops, s->records,
		    s->memory_full & (1u << BU_RECORDS | 1u << BU_HOSTS) ? "" :
		    ", --max-ports");
		sep = ", ";
	}
	if (s->uncounted != 0) {
		cat(buf, len, &at, "%s%llu unsolicited replies not counted",
		    sep, (unsigned long long)s->uncounted);
		sep = ", ";
	}
	if (s->phase_drops != 0) {
		cat(buf, len, &at, "%s%llu state changes not logged", sep,
		    (unsigned long long)s->phase_drops);
		sep = ", ";
	}
	if (s->memory_full & (1u << BU_TALLIES))
		cat(buf, len, &at, "%sdistinct-source counts capped", sep);
	cat(buf, len, &at, "; results are partial");
	if (at >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}
