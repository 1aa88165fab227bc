/*
 * baseline.h -- --baseline FILE: compare a run with an earlier result or a
 * policy, the way ndiff compares two nmap runs, reasons included.
 *
 * FILE is read by content: XML (portsleuth's or nmap's -oX, <extraports>
 * expanded), a result CSV (header with host,proto,port,state,reason), or a
 * policy CSV (header host,proto,port,allowed: host an address, a CIDR or *,
 * port a number, a range N-M or *, allowed a list of states separated by
 * spaces or ';'; the first matching line applies, rows no line matches
 * are not checked). Errors name the file and line. Loading is bounded
 * (TUN_BASELINE_MAX_* entries) and never trusts the file.
 */
#ifndef PORTSLEUTH_BASELINE_H
#define PORTSLEUTH_BASELINE_H

#include <stddef.h>
#include <stdio.h>

#include "results.h"

struct baseline;

struct baseline *baseline_load(const char *path, char *err, size_t errlen);
/* Parse from memory (tests, fuzzing); name is used in messages. */
struct baseline *baseline_parse(const char *name, const char *buf,
    size_t len, char *err, size_t errlen);

/*
 * Print what differs between res and the baseline (state or reason changed,
 * new ports and hosts; policy violations). Returns 1 if anything differs.
 */
int baseline_compare(struct baseline *b, const struct results *res,
    FILE *out);

/* After every result: ports and hosts of the baseline never seen; 1 if any. */
int baseline_missing(struct baseline *b, FILE *out);

void baseline_free(struct baseline *b);

#endif
