/*
 * reader.h -- capture input: one or more pcap/pcapng files (or "-" for
 * stdin) read through libpcap and merged into one stream ordered by capture
 * time, as tcpdump -C/-G rotations are meant to be read.
 *
 * Each input is opened by us with a large stdio buffer (smaller when many
 * inputs are merged: TUN_READ_BUFFERS_TOTAL over all) and handed to
 * pcap_fopen_offline_with_tstamp_precision() at nanosecond precision, so
 * microsecond and nanosecond files give one time base. An optional BPF
 * filter (tcpdump syntax) is compiled per input for its link type.
 *
 * Packet bytes belong to libpcap and stay valid only until the next
 * reader_next() call. Errors: an input that cannot be opened, is not a
 * capture or has an unsupported link type is reported on stderr ("path:
 * reason"), skipped, and counted (reader_skipped()); *why then holds the
 * kind of the last such error (READER_ERR_OPEN only if every failure was
 * one). reader_open() fails (NULL, message in err) only when the filter does
 * not compile. A read error in the middle of an input (truncated record,
 * corrupt data) ends that input with a warning naming the file, packet
 * number and byte offset; reader_partial() then says the results are
 * partial.
 */
#ifndef PORTSLEUTH_READER_H
#define PORTSLEUTH_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reader_packet {
	const uint8_t *data;	/* borrowed from libpcap */
	uint32_t caplen, wirelen;
	uint64_t ts_ns;		/* capture time, ns since the epoch */
	int dlt;		/* link type of the input */
	uint32_t input;		/* index of the input (argument order) */
	uint64_t number;	/* 1-based record number within that input */
};

struct reader;

/* Why reader_open() failed. */
enum reader_error {
	READER_OK = 0,
	READER_ERR_OPEN,	/* missing or unreadable file */
	READER_ERR_FORMAT,	/* not a pcap/pcapng capture, bad header */
	READER_ERR_LINKTYPE,	/* link type the decoder does not know */
	READER_ERR_FILTER,	/* BPF expression does not compile */
};

struct reader *reader_open(const char *const *paths, size_t n,
    const char *filter, enum reader_error *why, char *err, size_t errlen);
/* 1: a packet in *p; 0: all inputs exhausted. */
int reader_next(struct reader *r, struct reader_packet *p);

/*
 * Hand every packet that is left to fn(ctx, p), in reader_next() order,
 * until all inputs are exhausted; *p is valid only during the call. Once
 * one input is left (from the start, for a single file) its records go
 * straight from pcap_dispatch() to fn, without the merge step or
 * pcap_next_ex()'s lookahead: about 110 instructions a packet fewer.
 * Errors are reported as by reader_next().
 */
typedef void reader_fn(void *ctx, const struct reader_packet *p);
void reader_run(struct reader *r, reader_fn *fn, void *ctx);
bool reader_partial(const struct reader *r);
size_t reader_skipped(const struct reader *r);
uint64_t reader_bytes(const struct reader *r);
void reader_close(struct reader *r);

#endif
