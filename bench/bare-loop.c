/*
 * bare-loop.c -- the reference read loops of issue #5: how fast libpcap
 * alone hands over the packets of a capture file.
 *
 *   bare-loop FILE...         pcap_open_offline() + pcap_next_ex(): libpcap
 *                             reads through its own stdio stream with the
 *                             default buffer (BUFSIZ).
 *   bare-loop -b N FILE...    fopen() + setvbuf(N bytes, a real buffer) +
 *                             pcap_fopen_offline() + pcap_next_ex().
 *   bare-loop -t [-b N] FILE...
 *                             the floor of any port analysis: the loop
 *                             above, plus, for each Ethernet (802.1Q)
 *                             IPv4/IPv6 TCP or UDP packet, one update of
 *                             an open-addressing table keyed by the
 *                             answering side's address, port and protocol
 *                             (prefetched AHEAD packets early), then one
 *                             CSV line a key (address,port,protocol,state)
 *                             on stdout. No flows, retries, ICMP quotes,
 *                             sorting or rules: whatever portsleuth costs
 *                             above this is the price of its analysis.
 *
 * Files are read one after the other. The loop counts packets, captured
 * bytes and a byte of each packet, and prints them (to stderr with -t), so
 * the compiler cannot drop it and the cost of touching the data is
 * included. -V prints libpcap's version.
 */
#include <arpa/inet.h>
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

/* --- -t: the port-table floor ------------------------------------------ */

#define AHEAD 8 /* packets between a key's prefetch and its update */

struct port_rec {
	uint8_t addr[16]; /* IPv4 in the first 4 bytes, the rest zero */
	uint16_t port;
	uint8_t proto, v6;
	uint8_t used, seen; /* seen: TCP flags of answers, 0x80 = probed */
	uint32_t packets;
};

struct pending {
	struct port_rec key;
	uint64_t hash;
};

struct floor_table {
	struct port_rec *slot;
	size_t mask, count;
	struct pending ring[AHEAD];
	unsigned head, queued;
	uint64_t skipped; /* not Ethernet + IPv4/IPv6 + TCP/UDP */
};

static uint64_t
key_hash(const struct port_rec *k)
{
	uint64_t a, b, h;

	memcpy(&a, k->addr, 8);
	memcpy(&b, k->addr + 8, 8);
	h = a * 0x9E3779B97F4A7C15ull ^ b ^
	    ((uint64_t)k->port << 16 | (uint64_t)k->proto << 8 | k->v6);
	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ull;
	return h ^ (h >> 29);
}

static int
table_init(struct floor_table *t, size_t slots)
{
	memset(t, 0, sizeof(*t));
	t->slot = calloc(slots, sizeof(*t->slot));
	t->mask = slots - 1;
	return t->slot == NULL ? -1 : 0;
}

static struct port_rec *
table_find(struct floor_table *t, const struct port_rec *k, uint64_t h)
{
	struct port_rec *r;
	size_t i;

	for (i = h & t->mask;; i = (i + 1) & t->mask) {
		r = &t->slot[i];
		if (!r->used)
			return r;
		if (r->port == k->port && r->proto == k->proto &&
		    memcmp(r->addr, k->addr, 16) == 0)
			return r;
	}
}

/* Double the table; exits on a failed allocation. */
static void
table_grow(struct floor_table *t)
{
	struct floor_table n;
	size_t i;

	if (table_init(&n, (t->mask + 1) * 2) != 0) {
		fprintf(stderr, "bare-loop: out of memory\n");
		exit(1);
	}
	for (i = 0; i <= t->mask; i++)
		if (t->slot[i].used)
			*table_find(&n, &t->slot[i], key_hash(&t->slot[i])) =
			    t->slot[i];
	free(t->slot);
	t->slot = n.slot;
	t->mask = n.mask;
}

static void
table_apply(struct floor_table *t)
{
	const struct pending *p = &t->ring[t->head % AHEAD];
	struct port_rec *r;

	t->head++;
	t->queued--;
	r = table_find(t, &p->key, p->hash);
	if (!r->used) {
		*r = p->key;
		r->used = 1;
		if (++t->count * 4 > t->mask * 3) /* 3/4 full */
			table_grow(t);
		return;
	}
	r->seen |= p->key.seen;
	r->packets++;
}

static void
table_queue(struct floor_table *t, const struct port_rec *k)
{
	struct pending *p;

	if (t->queued == AHEAD)
		table_apply(t);
	p = &t->ring[(t->head + t->queued++) % AHEAD];
	p->key = *k;
	p->hash = key_hash(k);
	__builtin_prefetch(&t->slot[p->hash & t->mask], 1);
}

static uint16_t
be16(const u_char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The answering side of an Ethernet frame's TCP/UDP packet, queued. */
static void
table_packet(struct floor_table *t, const u_char *d, uint32_t len)
{
	const u_char *end = d + len, *l4, *src, *dst;
	struct port_rec k;
	size_t alen;
	uint16_t type;
	uint8_t fl;

	if (len < 14)
		goto skip;
	type = be16(d + 12);
	d += 14;
	if (type == 0x8100 && end - d >= 4) {
		type = be16(d + 2);
		d += 4;
	}
	memset(&k, 0, sizeof(k));
	if (type == 0x0800 && end - d >= 20) {
		k.proto = d[9];
		src = d + 12, dst = d + 16, alen = 4;
		l4 = d + (d[0] & 15) * 4;
	} else if (type == 0x86dd && end - d >= 40) {
		k.proto = d[6];
		src = d + 8, dst = d + 24, alen = 16;
		l4 = d + 40;
		k.v6 = 1;
	} else
		goto skip;
	if (end - l4 < (k.proto == 6 ? 20 : 8) ||
	    (k.proto != 6 && k.proto != 17))
		goto skip;
	fl = k.proto == 6 ? l4[13] : 0;
	k.packets = 1;
	if (k.proto == 6 && (fl & 0x16) != 0x02) { /* an answer */
		memcpy(k.addr, src, alen);
		k.port = be16(l4);
		k.seen = fl & 0x16;
	} else { /* a probe: SYN, or UDP */
		memcpy(k.addr, dst, alen);
		k.port = be16(l4 + 2);
		k.seen = 0x80;
	}
	table_queue(t, &k);
	return;
skip:
	t->skipped++;
}

static char *
put_u(char *p, unsigned v)
{
	char tmp[10];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* One CSV line a key, from a 64 KiB buffer; returns the keys written. */
static size_t
table_write(struct floor_table *t)
{
	static const char *const state[] = { "filtered", "closed", "open" };
	static char out[1 << 16];
	char line[96], *p;
	size_t i, n = 0, used = 0, len;
	const struct port_rec *r;
	int k;

	while (t->queued > 0)
		table_apply(t);
	for (i = 0; i <= t->mask; i++) {
		if (!(r = &t->slot[i])->used)
			continue;
		p = line;
		if (r->v6) {
			inet_ntop(AF_INET6, r->addr, p, 64);
			p += strlen(p);
		} else
			for (k = 0; k < 4; k++) {
				p = put_u(p, r->addr[k]);
				*p++ = '.';
			}
		p[r->v6 ? 0 : -1] = ',';
		p += r->v6 ? 1 : 0;
		p = put_u(p, r->port);
		memcpy(p, r->proto == 6 ? ",tcp," : ",udp,", 5);
		p += 5;
		k = (r->seen & 0x12) == 0x12 ? 2 : (r->seen & 0x04) ? 1 : 0;
		len = strlen(state[k]);
		memcpy(p, state[k], len);
		p += len;
		*p++ = '\n';
		if (used + (size_t)(p - line) > sizeof(out)) {
			fwrite(out, 1, used, stdout);
			used = 0;
		}
		memcpy(out + used, line, (size_t)(p - line));
		used += (size_t)(p - line);
		n++;
	}
	fwrite(out, 1, used, stdout);
	return n;
}

static int
read_one(const char *path, size_t bufsize, struct totals *t,
    struct floor_table *ft)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	char *buf = NULL;
	pcap_t *p;
	FILE *fp;
	int rc, ether;

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
	ether = pcap_datalink(p) == DLT_EN10MB;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		t->packets++;
		t->bytes += h->caplen;
		if (h->caplen > 0)
			t->touch += data[h->caplen - 1];
		if (ft != NULL && ether)
			table_packet(ft, data, h->caplen);
		else if (ft != NULL)
			ft->skipped++;
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
	static const char usage[] = "usage: bare-loop [-t] [-b bufsize] FILE..."
				    "\n       bare-loop -V\n";
	struct totals t = { 0, 0, 0 };
	struct floor_table table, *ft = NULL;
	size_t bufsize = 0, ports;
	char *end;
	int c, i, status = 0;

	while ((c = getopt(argc, argv, "b:tV")) != -1) {
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
		case 't':
			ft = &table;
			break;
		case 'V':
			printf("%s\n", pcap_lib_version());
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind == argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (ft != NULL && table_init(ft, 1024) != 0) {
		fprintf(stderr, "bare-loop: out of memory\n");
		return 1;
	}
	for (i = optind; i < argc; i++)
		if (read_one(argv[i], bufsize, &t, ft) != 0)
			status = 1;
	if (ft == NULL) {
		printf("packets %llu bytes %llu touch %llu\n",
		    (unsigned long long)t.packets,
		    (unsigned long long)t.bytes, (unsigned long long)t.touch);
		return status;
	}
	ports = table_write(ft);
	fprintf(stderr,
	    "packets %llu bytes %llu touch %llu ports %zu skipped %llu\n",
	    (unsigned long long)t.packets, (unsigned long long)t.bytes,
	    (unsigned long long)t.touch, ports,
	    (unsigned long long)ft->skipped);
	free(ft->slot);
	return status;
}
