/*
 * gen-hostile.c -- writes small hostile or odd captures for tests/e2e.sh
 * (issue #6): odd file headers, records whose lengths disagree, time going
 * backwards, duplicates, every TCP flag combination, ICMP quoting ICMP,
 * quotes cut at every length, IPv6 extension chains that never end.
 *
 * usage: gen-hostile DIR   (writes DIR/NAME.pcap for each case)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;

static void
put32(uint32_t v)
{
	fwrite(&v, 4, 1, out); /* host order, as the pcap magic says */
}

static void
put16(uint16_t v)
{
	fwrite(&v, 2, 1, out);
}

static FILE *
start(const char *dir, const char *name, uint32_t snaplen)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.pcap", dir, name);
	if ((out = fopen(path, "wb")) == NULL) {
		perror(path);
		exit(1);
	}
	put32(0xa1b2c3d4);
	put16(2);
	put16(4);
	put32(0);
	put32(0);
	put32(snaplen);
	put32(1); /* Ethernet */
	return out;
}

static void
record(uint32_t sec, const uint8_t *p, uint32_t caplen, uint32_t len)
{
	put32(sec);
	put32(0);
	put32(caplen);
	put32(len);
	fwrite(p, 1, caplen, out);
}

/* Ethernet + IPv4 + TCP, 20-byte headers; returns the frame length. */
static size_t
tcp4(uint8_t *f, const uint8_t src[4], const uint8_t dst[4], uint16_t sp,
    uint16_t dp, uint8_t flags, uint32_t seq, uint32_t ack, uint8_t ttl)
{
	memset(f, 0, 54);
	f[12] = 0x08;
	f[14] = 0x45;
	f[17] = 40;
	f[22] = ttl;
	f[23] = 6;
	memcpy(f + 26, src, 4);
	memcpy(f + 30, dst, 4);
	f[34] = (uint8_t)(sp >> 8);
	f[35] = (uint8_t)sp;
	f[36] = (uint8_t)(dp >> 8);
	f[37] = (uint8_t)dp;
	f[38] = (uint8_t)(seq >> 24);
	f[39] = (uint8_t)(seq >> 16);
	f[40] = (uint8_t)(seq >> 8);
	f[41] = (uint8_t)seq;
	f[42] = (uint8_t)(ack >> 24);
	f[43] = (uint8_t)(ack >> 16);
	f[44] = (uint8_t)(ack >> 8);
	f[45] = (uint8_t)ack;
	f[46] = 0x50;
	f[47] = flags;
	f[48] = 4;
	return 54;
}

/* Ethernet + IPv4 + ICMP type/code quoting q[0..qlen). */
static size_t
icmp4(uint8_t *f, const uint8_t src[4], const uint8_t dst[4], uint8_t type,
    uint8_t code, const uint8_t *q, size_t qlen)
{
	size_t ip = 20 + 8 + qlen;

	memset(f, 0, 42);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)(ip >> 8);
	f[17] = (uint8_t)ip;
	f[22] = 64;
	f[23] = 1;
	memcpy(f + 26, src, 4);
	memcpy(f + 30, dst, 4);
	f[34] = type;
	f[35] = code;
	memcpy(f + 42, q, qlen);
	return 42 + qlen;
}

static const uint8_t S[4] = { 192, 0, 2, 1 }, T[4] = { 192, 0, 2, 9 },
	R[4] = { 198, 51, 100, 254 };

int
main(int argc, char **argv)
{
	uint8_t f[2048], p[128];
	size_t n, i, q;
	unsigned fl;

	if (argc != 2) {
		fprintf(stderr, "usage: gen-hostile DIR\n");
		return 64;
	}
	/* A snap length of 0 and one of 2^31-1 in the file header. */
	out = start(argv[1], "snaplen0", 0);
	n = tcp4(f, S, T, 40000, 22, 0x02, 100, 0, 50);
	record(1, f, (uint32_t)n, (uint32_t)n);
	fclose(out);
	out = start(argv[1], "bigsnap", 0x7fffffff);
	record(1, f, (uint32_t)n, (uint32_t)n);
	fclose(out);
	/* Captured length above the wire length. */
	out = start(argv[1], "caplen-gt-len", 65535);
	record(1, f, (uint32_t)n, 20);
	fclose(out);
	/* Time going backwards: the reply is stamped before its probe. */
	out = start(argv[1], "backwards", 65535);
	record(100, f, (uint32_t)n, (uint32_t)n);
	n = tcp4(f, T, S, 22, 40000, 0x12, 7, 101, 64);
	record(50, f, (uint32_t)n, (uint32_t)n);
	fclose(out);
	/* Every packet twice. */
	out = start(argv[1], "duplicates", 65535);
	for (i = 0; i < 2; i++) {
		n = tcp4(f, S, T, 40001, 80, 0x02, 200, 0, 50);
		record(1, f, (uint32_t)n, (uint32_t)n);
		record(1, f, (uint32_t)n, (uint32_t)n);
		n = tcp4(f, T, S, 80, 40001, 0x14, 0, 201, 64);
		record(1, f, (uint32_t)n, (uint32_t)n);
		record(1, f, (uint32_t)n, (uint32_t)n);
	}
	fclose(out);
	/* Every TCP flag combination, each answered by an RST-ACK. */
	out = start(argv[1], "flags", 65535);
	for (fl = 0; fl < 256; fl++) {
		n = tcp4(f, S, T, (uint16_t)(41000 + fl), (uint16_t)(1 + fl),
		    (uint8_t)fl, 1000, 5, 50);
		record(2, f, (uint32_t)n, (uint32_t)n);
		n = tcp4(f, T, S, (uint16_t)(1 + fl), (uint16_t)(41000 + fl),
		    0x14, 0, 1001, 64);
		record(2, f, (uint32_t)n, (uint32_t)n);
	}
	fclose(out);
	/* An ICMP error quoting an ICMP error quoting the probe. */
	out = start(argv[1], "icmp-in-icmp", 65535);
	n = tcp4(f, S, T, 40002, 443, 0x02, 300, 0, 50);
	record(3, f, (uint32_t)n, (uint32_t)n);
	memcpy(p, f + 14, 40);
	n = icmp4(f, R, S, 3, 13, p, 28);
	memcpy(p, f + 14, n - 14);
	q = n - 14;
	n = icmp4(f, R, S, 3, 13, p, q);
	record(3, f, (uint32_t)n, (uint32_t)n);
	fclose(out);
	/* One probe per port, its error's quote cut at every length 0..40. */
	out = start(argv[1], "quotes", 65535);
	for (q = 0; q <= 40; q++) {
		n = tcp4(f, S, T, (uint16_t)(42000 + q), (uint16_t)(2000 + q),
		    0x02, 400, 0, 50);
		record(4, f, (uint32_t)n, (uint32_t)n);
		memcpy(p, f + 14, 40);
		n = icmp4(f, R, S, 3, 13, p, q);
		record(4, f, (uint32_t)n, (uint32_t)n);
	}
	fclose(out);
	/* IPv6 hop-by-hop headers chained past any bound, then cut short. */
	out = start(argv[1], "v6-ext-loop", 65535);
	memset(f, 0, sizeof(f));
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[18] = 0x04; /* payload length 1024 */
	f[20] = 0;    /* next header: hop-by-hop */
	f[21] = 64;
	for (i = 0; i < 120; i++)
		f[54 + 8 * i] = 0; /* each says "hop-by-hop again", 8 bytes */
	record(5, f, 54 + 8 * 120, 54 + 1024);
	record(5, f, 60, 54 + 1024);
	fclose(out);
	return 0;
}
