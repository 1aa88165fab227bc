/*
 * results-fixture.h -- building struct results rows by hand, shared by
 * the writer test suites (check_out.c, check_outfmt.c). Include it after
 * <check.h> and after defining T0, the capture time the rows carry.
 */
#ifndef PORTSLEUTH_RESULTS_FIXTURE_H
#define PORTSLEUTH_RESULTS_FIXTURE_H

#include <string.h>

#include "addr.h"
#include "results.h"
#include "xmalloc.h"

#define TEST_MAX_ROWS 256

/* One row with one probe kind; room for a second kind in kinds[1]. */
static struct port_row *
add_row(struct results *r, const char *host, uint8_t proto, uint16_t port,
    uint8_t state, uint8_t reason, uint8_t ttl)
{
	struct port_row *w;

	/* Rows move when the array grows; their kinds stay in the pool. */
	if (r->kind_pool == NULL)
		r->kind_pool = xcalloc(2 * TEST_MAX_ROWS,
		    sizeof(*r->kind_pool));
	ck_assert_uint_lt(r->nrows, TEST_MAX_ROWS);
	r->rows = xreallocarray(r->rows, r->nrows + 1, sizeof(*r->rows));
	w = &r->rows[r->nrows++];
	memset(w, 0, sizeof(*w));
	w->kinds = r->kind_pool + 2 * (r->nrows - 1);
	ck_assert_int_eq(addr_parse(&w->host, host), 0);
	ck_assert_int_eq(addr_parse(&w->scanner, "198.51.100.7"), 0);
	w->proto = proto;
	w->port = port;
	w->state = state;
	w->reason = reason;
	w->reason_ttl = ttl;
	w->probes = 1;
	w->responses = reason != RS_NO_RESPONSE;
	w->rtt_ms = -1;
	w->first_ns = w->last_ns = T0;
	w->nkinds = 1;
	w->kinds[0].kind = proto == 17 ? PK_UDP : PK_SYN;
	w->kinds[0].state = state;
	w->kinds[0].reason = reason;
	w->kinds[0].reason_ttl = ttl;
	w->kinds[0].tries = 1;
	w->kinds[0].replies = w->responses;
	w->kinds[0].rule = "test-rule";
	r->summary.ports_by_state[state]++;
	return w;
}

#endif
