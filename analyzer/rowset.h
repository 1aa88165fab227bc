/*
 * rowset.h -- the port rows of a finished analysis, in output order, built
 * one target host at a time from the evidence store.
 *
 * A run with millions of ports never holds every row at once: rowset_new()
 * sorts the ids of the records that reached a verdict (4 bytes each),
 * rowset_judge() builds each host's rows once so the rules can judge them
 * and remembers only what the rules decided per row (hidden or not, which
 * findings flag it: 2 bytes), and rowset_source() hands the results a
 * source that builds the kept rows again, host by host, for every reader.
 *
 * Output order: target host (IPv4 before IPv6, numerically), protocol
 * (tcp, udp), port, scanner, probe kind; never hash order.
 */
#ifndef PORTSLEUTH_ROWSET_H
#define PORTSLEUTH_ROWSET_H

#include <stddef.h>

#include "evidence.h"
#include "findings.h"
#include "hosts.h"
#include "results.h"
#include "verdict.h"

struct rowset;

/*
 * The decided records of ev in output order. ev, hosts and v are borrowed
 * and must outlive the set (ev's key index is not needed).
 */
struct rowset *rowset_new(const struct evidence *ev, const struct hosts *hosts,
    const struct verdict *v);

/*
 * Build every host's rows once and run f's per-host rules over them;
 * remembers the rows hidden and the findings flagging each row, and counts
 * the kept rows in sum (ports_by_state, hosts). Returns the rows kept.
 */
size_t rowset_judge(struct rowset *s, struct fctx *f, struct run_summary *sum);

/*
 * A row source (results.h) over the judged set: rows built again on demand,
 * hidden ones left out, flags restored. The source owns s; freeing it frees
 * s and then calls release(owner) (e.g. the analyzer that holds ev).
 */
struct row_source *rowset_source(struct rowset *s, void (*release)(void *),
    void *owner);

#endif
