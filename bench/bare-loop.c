/*
 * bare-loop.c -- the reference read loops of issue #5: how fast libpcap
 * alone hands over the packets of a capture file.
 *
 *   bare-loop FILE...         pcap_open_offline() + pcap_next_ex(): libpcap
 *                             reads through its own stdio stream with the
 *                             default buffer (BUFSIZ).
 *   bare-loop -b N FILE...    fopen() + setvbuf(N bytes, a real buffer) +
 *                             pcap_fopen_offline() + pcap_next_ex().
 *
 * Files are read one after the other. The loop counts packets, captured
 * bytes and a byte of each packet, and prints them, so the compiler cannot
 * drop it and the cost of touching the data is included. -V prints
 * libpcap's version.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct totals {
	uint64_t packets;
	uint64_t bytes; /* captured bytes */
	uint64_t touch; /* sum of the last byte of every packet */
};

static int
read_one(const char *path, size_t bufsize, struct totals *t)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	char *buf = NULL;
	pcap_t *p;
	FILE *fp;
	int rc;

	ebuf[0] = '\0';
	if (bufsize == 0) {
		p = pcap_open_offline(path, ebuf);
	} else {
		if ((fp = fopen(path, "rb")) == NULL) {
			fprintf(stderr, "bare-loop: %s: %s\n", path,
			    strerror(errno));
			return -1;
		}
		if ((buf = malloc(bufsize)) == NULL ||
		    setvbuf(fp, buf, _IOFBF, bufsize) != 0) {
			fprintf(stderr,
			    "bare-loop: cannot set a %zu-byte "
			    "buffer\n",
			    bufsize);
			fclose(fp);
			free(buf);
			return -1;
		}
		p = pcap_fopen_offline(fp, ebuf);
		if (p == NULL)
			fclose(fp);
	}
	if (p == NULL) {
		fprintf(stderr, "bare-loop: %s: %s\n", path, ebuf);
		free(buf);
		return -1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		t->packets++;
		t->bytes += h->caplen;
		if (h->caplen > 0)
			t->touch += data[h->caplen - 1];
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "bare-loop: %s: %s\n", path, pcap_geterr(p));
	pcap_close(p); /* closes fp, so only then free its buffer */
	free(buf);
	return rc == PCAP_ERROR ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct totals t = { 0, 0, 0 };
	size_t bufsize = 0;
	char *end;
	int c, i, status = 0;

	while ((c = getopt(argc, argv, "b:V")) != -1) {
		switch (c) {
		case 'b':
			errno = 0;
			bufsize = (size_t)strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0') {
				fprintf(
				    stderr, "bare-loop: bad size %s\n", optarg);
				return 2;
			}
			break;
		case 'V':
			printf("%s\n", pcap_lib_version());
			return 0;
		default:
			fprintf(stderr,
			    "usage: bare-loop [-b bufsize] FILE..."
			    "\n       bare-loop -V\n");
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "usage: bare-loop [-b bufsize] FILE...\n");
		return 2;
	}
	for (i = optind; i < argc; i++)
		if (read_one(argv[i], bufsize, &t) != 0)
			status = 1;
	printf("packets %llu bytes %llu touch %llu\n",
	    (unsigned long long)t.packets, (unsigned long long)t.bytes,
	    (unsigned long long)t.touch);
	return status;
}
