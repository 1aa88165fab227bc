/*
 * fuzz-capture.c -- libFuzzer harness: one whole capture file (pcap or
 * pcapng bytes) through libpcap, the decoder, pairing, evidence, the rules,
 * findings and every writer.
 *
 * The bytes are opened in memory (fmemopen) and handed to libpcap the way
 * reader.c does it (nanosecond precision, the same link-type check, the
 * same timestamp conversion); reader.c itself only adds the file handling
 * and the k-way merge. Every record is copied into a buffer of exactly
 * caplen bytes, so a decoder read past the record is an ASan report and
 * not a silent read of libpcap's snaplen-sized buffer. Each input gets a fresh analyzer with small tables;
 * the default rule set is loaded once.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "decode.h"
#include "fuzz.h"
#include "reader.h"
#include "results.h"

/* Same conversion as reader.c: opened at ns precision, tv_usec holds ns. */
static uint64_t
hdr_ns(const struct pcap_pkthdr *h)
{
	return (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
}

/* Classic pcap (either byte order, us or ns) with sigfigs bit 0 set. */
static bool
wants_tiny_tables(const uint8_t *data, size_t size)
{
	uint32_t magic;

	if (size < 24)
		return false;
	magic = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
	    (uint32_t)data[2] << 8 | data[3];
	if (magic != 0xa1b2c3d4u && magic != 0xd4c3b2a1u &&
	    magic != 0xa1b23c4du && magic != 0x4d3cb2a1u)
		return false;
	return (data[12] & 1) != 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup(*argc > 0 ? (*argv)[0] : NULL);
	(void)fuzz_default_rules();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct analyzer_opts ao;
	struct reader_packet rp;
	struct pcap_pkthdr *hdr;
	const u_char *bytes;
	struct analyzer *a;
	struct results res;
	uint8_t *copy = NULL;
	pcap_t *pc;
	FILE *fp;
	bool partial = false;
	int rc, dlt;

	if (size == 0)
		return 0;
	/* Read-only stream: fmemopen() never writes through the pointer. */
	fp = fmemopen((void *)(uintptr_t)data, size, "rb");
	if (fp == NULL)
		return 0;
	ebuf[0] = '\0';
	pc = pcap_fopen_offline_with_tstamp_precision(
	    fp, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (pc == NULL) {
		fclose(fp);
		return 0;
	}
	dlt = pcap_datalink(pc);
	if (!decode_link_supported(dlt)) {
		/* reader_open() refuses the file: READER_ERR_LINKTYPE. */
		pcap_close(pc);
		return 0;
	}
	fuzz_analyzer_opts(&ao);
	if (wants_tiny_tables(data, size)) {
		ao.flow_slots = 16;
		ao.max_ports = 16;
		ao.max_memory = 1u << 16; /* a few hundred items in all */
	}
	a = analyzer_new(&ao, fuzz_default_rules());
	memset(&rp, 0, sizeof(rp));
	while ((rc = pcap_next_ex(pc, &hdr, &bytes)) == 1) {
		/*
		 * libpcap's buffer is snaplen long: copy the record into one
		 * of exactly caplen bytes so ASan sees any read past it.
		 */
		free(copy);
		copy = malloc(hdr->caplen);
		if (copy == NULL && hdr->caplen > 0)
			abort();
		if (hdr->caplen > 0)
			memcpy(copy, bytes, hdr->caplen);
		rp.data = copy;
		rp.caplen = hdr->caplen;
		rp.wirelen = hdr->len;
		rp.ts_ns = hdr_ns(hdr);
		rp.dlt = dlt;
		rp.number++;
		analyzer_packet(a, &rp);
	}
	free(copy);
	if (rc == PCAP_ERROR)
		partial = true;
	analyzer_finish(a, partial, &res);
	res.summary.captures = 1;
	analyzer_log_counters(a);
	fuzz_write_all(&res);
	results_free(&res);	/* and the analyzer it owns */
	pcap_close(pc); /* also closes fp */
	return 0;
}
