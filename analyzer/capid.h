/*
 * capid.h -- what identifies a capture file and what it spans: the SHA-256
 * and size of its bytes as stored (compressed or not), and, read through
 * zio and libpcap like the analysis reads it, its record count and the
 * earliest and latest record time. The database (db.h) keys captures on
 * (sha256, size), so a file is recognised whatever its name or path.
 *
 * capid_file() reads the whole file twice (hash, then records) and keeps
 * nothing open. Only regular files can be identified: standard input and
 * pipes would be consumed. It reports no diagnostics itself: the analysis
 * that follows reports unreadable inputs and non-captures in its usual words.
 */
#ifndef PORTSLEUTH_CAPID_H
#define PORTSLEUTH_CAPID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

enum capid_status {
	CAPID_OK = 0,
	CAPID_NOT_FILE,		/* "-", a pipe, a device: not identifiable */
	CAPID_UNREADABLE,	/* cannot be opened or read */
	CAPID_NOT_CAPTURE,	/* not pcap/pcapng or a link type we skip */
};

struct capid {
	uint8_t sha256[SHA256_LEN]; /* of the file's bytes */
	char hex[SHA256_HEX_LEN];   /* the same, lowercase hex */
	uint64_t size;		/* bytes */
	uint64_t packets;	/* records (no --filter applied) */
	uint64_t first_ns, last_ns; /* earliest and latest record time, ns
				   since the epoch; 0 when no record */
	bool partial;		/* a read error ended it before its end */
};

/* Fill *id for path; CAPID_OK, or why not (detail in err). */
enum capid_status capid_file(const char *path, struct capid *id, char *err,
    size_t errlen);

#endif
