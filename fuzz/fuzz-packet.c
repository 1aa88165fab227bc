/*
 * fuzz-packet.c -- libFuzzer harness: one frame of any supported link type
 * through decode_packet(), then into a shared analyzer to exercise pairing.
 *
 * Input layout:
 *
 *	byte 0	bits 0-3: link type, index into dlts[] (mod its size)
 *		bits 4-5: wire length: caplen, caplen + 1500 (snapped),
 *			  caplen / 2 (caplen > len), 0
 *		bits 6-7: clock step before this packet: +1 us, +150 ms
 *			  (a retry), +11 s (past the timeout), -1 s (backwards)
 *	byte 1-	the frame, exactly as libpcap would hand it over
 *
 * The frame is passed in place: libFuzzer's copy of the input ends where
 * the frame ends, so ASan catches any read past caplen.
 *
 * The analyzer is shared by consecutive inputs so that probes and replies
 * from different inputs pair; every FUZZ_PACKET_BATCH inputs (default 1024,
 * environment) it is finished, its results written by every writer, and
 * replaced. A crash that needs earlier inputs may therefore not reproduce
 * from its file alone: rerun with FUZZ_PACKET_BATCH=1 to check, or feed
 * the run's recent inputs. decode_packet() itself is stateless.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "decode.h"
#include "fuzz.h"
#include "reader.h"
#include "results.h"

/* Every link type decode_link_supported() accepts (checked at start). */
static const int dlts[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 239, 276 };
#define NDLTS (sizeof(dlts) / sizeof(dlts[0]))

static const uint64_t clock_step[4] = {
	1000ull,                 /* back-to-back tries */
	150000000ull,            /* past TUN_RETRY_GAP_MS: a retry */
	11000000000ull,          /* past the 10 s timeout */
	(uint64_t)-1000000000ll, /* one second backwards (wraps, unsigned) */
};

static struct analyzer *shared;
static unsigned long batch = 1024, in_batch;
static uint64_t clock_ns = 1700000000000000000ull;
static uint64_t number;

static void
shared_flush(void)
{
	struct results res;

	if (shared == NULL)
		return;
	analyzer_finish(shared, false, &res);
	res.summary.captures = 1;
	fuzz_write_all(&res);
	results_free(&res);	/* and the analyzer it owns */
	shared = NULL;
	in_batch = 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *env = getenv("FUZZ_PACKET_BATCH");
	size_t i;

	fuzz_setup(*argc > 0 ? (*argv)[0] : NULL);
	(void)fuzz_default_rules();
	for (i = 0; i < NDLTS; i++) {
		if (!decode_link_supported(dlts[i])) {
			fprintf(stderr,
			    "fuzz-packet: link type %d is no "
			    "longer supported; update dlts[]\n",
			    dlts[i]);
			abort();
		}
	}
	if (env != NULL && strtoul(env, NULL, 10) > 0)
		batch = strtoul(env, NULL, 10);
	atexit(shared_flush);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analyzer_opts ao;
	struct reader_packet rp;
	struct decoded d;
	uint32_t caplen, wirelen;
	int dlt;

	if (size < 1 || size - 1 > UINT32_MAX)
		return 0;
	dlt = dlts[(data[0] & 0x0f) % NDLTS];
	caplen = (uint32_t)(size - 1);
	switch ((data[0] >> 4) & 3) {
	case 0:
		wirelen = caplen;
		break;
	case 1:
		wirelen = caplen + 1500u;
		break;
	case 2:
		wirelen = caplen / 2;
		break;
	default:
		wirelen = 0;
		break;
	}
	(void)decode_packet(dlt, data + 1, caplen, wirelen, &d);

	if (shared == NULL) {
		fuzz_analyzer_opts(&ao);
		shared = analyzer_new(&ao, fuzz_default_rules());
	}
	clock_ns += clock_step[data[0] >> 6];
	memset(&rp, 0, sizeof(rp));
	rp.data = data + 1;
	rp.caplen = caplen;
	rp.wirelen = wirelen;
	rp.ts_ns = clock_ns;
	rp.dlt = dlt;
	rp.number = ++number;
	analyzer_packet(shared, &rp);
	if (++in_batch >= batch)
		shared_flush();
	return 0;
}
