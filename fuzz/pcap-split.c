/*
 * pcap-split.c -- seed helper for the harnesses (built and run by seeds.sh;
 * not fuzzed, not installed).
 *
 *	pcap-split -p DIR MAX FILE...	one fuzz-packet input per frame:
 *					byte 0 picks the link type (index
 *					into the table of fuzz-packet.c),
 *					then the frame; at most MAX a file
 *	pcap-split -c DIR MAX FILE...	for captures of more than MAX
 *					records, a nanosecond pcap of the
 *					first MAX (fuzz-capture seeds)
 *
 * Files libpcap cannot open, or of a link type fuzz-packet does not know,
 * are skipped with a note on stderr.
 */
#define _DEFAULT_SOURCE /* u_char and friends in <pcap/pcap.h> */

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keep in step with dlts[] in fuzz-packet.c. */
static const int dlts[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 239, 276 };
#define NDLTS (sizeof(dlts) / sizeof(dlts[0]))

static int
dlt_index(int dlt)
{
	size_t i;

	for (i = 0; i < NDLTS; i++)
		if (dlts[i] == dlt)
			return (int)i;
	return -1;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static int
split_frames(const char *dir, long max, const char *path, pcap_t *pc)
{
	struct pcap_pkthdr *h;
	const u_char *bytes;
	char out[4096];
	unsigned char b0;
	long n = 0;
	FILE *fp;
	int idx = dlt_index(pcap_datalink(pc));

	if (idx < 0) {
		fprintf(stderr, "pcap-split: %s: link type %d skipped\n", path,
		    pcap_datalink(pc));
		return 0;
	}
	b0 = (unsigned char)idx;
	while (n < max && pcap_next_ex(pc, &h, &bytes) == 1) {
		snprintf(
		    out, sizeof(out), "%s/%s-%05ld", dir, base_name(path), ++n);
		if ((fp = fopen(out, "wb")) == NULL) {
			perror(out);
			return -1;
		}
		fputc(b0, fp);
		fwrite(bytes, 1, h->caplen, fp);
		if (fclose(fp) != 0) {
			perror(out);
			return -1;
		}
	}
	return 0;
}

static int
head_capture(const char *dir, long max, const char *path, pcap_t *pc)
{
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_dumper_t *d;
	pcap_t *dead;
	char out[4096];
	long n = 0;

	dead = pcap_open_dead_with_tstamp_precision(
	    pcap_datalink(pc), pcap_snapshot(pc), PCAP_TSTAMP_PRECISION_NANO);
	snprintf(out, sizeof(out), "%s/head%ld-%s", dir, max, base_name(path));
	if (dead == NULL || (d = pcap_dump_open(dead, out)) == NULL) {
		fprintf(stderr, "pcap-split: %s: cannot write\n", out);
		if (dead != NULL)
			pcap_close(dead);
		return -1;
	}
	while (pcap_next_ex(pc, &h, &bytes) == 1) {
		if (n++ == max)
			break;
		pcap_dump((u_char *)d, h, bytes);
	}
	pcap_dump_close(d);
	pcap_close(dead);
	if (n <= max) /* small enough as it is */
		remove(out);
	return 0;
}

int
main(int argc, char **argv)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc;
	long max;
	int i, rc = 0;

	if (argc < 4 ||
	    (strcmp(argv[1], "-p") != 0 && strcmp(argv[1], "-c") != 0) ||
	    (max = atol(argv[3])) <= 0) {
		fprintf(stderr, "usage: pcap-split -p|-c DIR MAX FILE...\n");
		return 64;
	}
	for (i = 4; i < argc; i++) {
		pc = pcap_open_offline_with_tstamp_precision(
		    argv[i], PCAP_TSTAMP_PRECISION_NANO, ebuf);
		if (pc == NULL) {
			fprintf(stderr, "pcap-split: %s: skipped (%s)\n",
			    argv[i], ebuf);
			continue;
		}
		if ((argv[1][1] == 'p'
			    ? split_frames(argv[2], max, argv[i], pc)
			    : head_capture(argv[2], max, argv[i], pc)) != 0)
			rc = 1;
		pcap_close(pc);
	}
	return rc;
}
