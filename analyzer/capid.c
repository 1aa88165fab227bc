/*
 * capid.c -- hash a capture file, then count its records and time span.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capid.h"
#include "decode.h"
#include "tunables.h"
#include "xmalloc.h"
#include "zio.h"

static enum capid_status capid_hash(const char *path, struct capid *id,
    char *err, size_t errlen);
static enum capid_status capid_records(const char *path, struct capid *id,
    char *err, size_t errlen);

/* SHA-256 and size of the bytes of a regular file. */
static enum capid_status
capid_hash(const char *path, struct capid *id, char *err, size_t errlen)
{
	struct sha256 c;
	struct stat st;
	unsigned char *buf;
	size_t n;
	FILE *fp;
	int e;

	if (strcmp(path, "-") == 0) {
		snprintf(err, errlen, "-: standard input");
		return CAPID_NOT_FILE;
	}
	/* stat() first: opening a FIFO would wait for a writer. */
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return CAPID_UNREADABLE;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", path, strerror(EISDIR));
		return CAPID_UNREADABLE;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return CAPID_NOT_FILE;
	}
	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return CAPID_UNREADABLE;
	}
	buf = xmalloc(TUN_READ_BUFFER);
	sha256_init(&c);
	id->size = 0;
	while ((n = fread(buf, 1, TUN_READ_BUFFER, fp)) > 0) {
		sha256_update(&c, buf, n);
		id->size += n;
	}
	e = ferror(fp) ? errno : 0;
	free(buf);
	fclose(fp);
	if (e != 0) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(e));
		return CAPID_UNREADABLE;
	}
	sha256_final(&c, id->sha256);
	sha256_hex(id->sha256, id->hex);
	return CAPID_OK;
}

/* Records and time span, read as the analysis reads them. */
static enum capid_status
capid_records(const char *path, struct capid *id, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct zio_info zin;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	FILE *fp;
	uint64_t ns;
	int rc;

	if ((fp = zio_open(path, &zin, err, errlen)) == NULL)
		return CAPID_UNREADABLE;
	ebuf[0] = '\0';
	p = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (p == NULL) {
		snprintf(err, errlen, "%s: not a readable pcap/pcapng capture",
		    path);
		fclose(fp);
		return CAPID_NOT_CAPTURE;
	}
	if (!decode_link_supported(pcap_datalink(p))) {
		snprintf(err, errlen, "%s: unsupported link type", path);
		pcap_close(p);
		return CAPID_NOT_CAPTURE;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		/* Opened at nanosecond precision: tv_usec holds ns. */
		ns = (uint64_t)h->ts.tv_sec * 1000000000ull +
		    (uint64_t)h->ts.tv_usec;
		if (id->packets == 0 || ns < id->first_ns)
			id->first_ns = ns;
		if (id->packets == 0 || ns > id->last_ns)
			id->last_ns = ns;
		id->packets++;
	}
	id->partial = rc == PCAP_ERROR;
	pcap_close(p);	/* closes fp */
	return CAPID_OK;
}

enum capid_status
capid_file(const char *path, struct capid *id, char *err, size_t errlen)
{
	enum capid_status st;

	memset(id, 0, sizeof(*id));
	if ((st = capid_hash(path, id, err, errlen)) != CAPID_OK)
		return st;
	return capid_records(path, id, err, errlen);
}
