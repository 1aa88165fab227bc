/*
 * defrag.h -- IP fragments put back together (RFC 791 3.2, RFC 8200 4.5),
 * as far as decoding needs: a datagram's first TUN_DEFRAG_HEAD bytes and
 * its length.
 *
 * nmap -f and firewall tests split probes into fragments so small that no
 * fragment holds a whole TCP header, and a target answers only once it has
 * them all. defrag_add() files each fragment decode_packet() could not
 * decode alone under (IP version, source, destination, ID, and for IPv4
 * the protocol). When one completes a datagram -- every byte from 0 to its
 * end (or to TUN_DEFRAG_HEAD) present, the last fragment seen -- it decodes
 * the datagram into the caller's struct decoded, as if it had arrived whole
 * with that fragment. Overlaps are not refused: a later byte replaces an
 * earlier one. Bytes past the head are counted, never stored.
 *
 * The table is fixed: TUN_DEFRAG_SLOTS datagrams in sets of 4 ways. A new
 * datagram takes a free way, else one older than TUN_DEFRAG_TIMEOUT_MS of
 * capture time (as a kernel gives up on it), else the oldest; what it
 * displaces is counted as dropped. The table (about 120 KiB) is made by
 * the first defrag_add() of an analysis, so captures without fragments
 * never pay for it; nothing is allocated after that.
 */
#ifndef PORTSLEUTH_DEFRAG_H
#define PORTSLEUTH_DEFRAG_H

#include <stdint.h>

#include "decode.h"

struct defrag;

/* An empty table (exits on allocation failure, like xmalloc). */
struct defrag *defrag_new(void);
void defrag_free(struct defrag *t);

/*
 * File the fragment *d describes (a DEC_SKIP_FRAGMENT decode: d->frag and
 * its IP fields), seen at ts_ns. When it completes a datagram, *d becomes
 * that datagram decoded and the status is decode_datagram()'s (DEC_OK when
 * its transport header is sound); otherwise DEC_SKIP_FRAGMENT and *d is
 * unchanged.
 */
enum decode_status defrag_add(struct defrag *t, uint64_t ts_ns,
    struct decoded *d);

/* Datagrams completed, and incomplete ones given up (expired, displaced). */
uint64_t defrag_done(const struct defrag *t);
uint64_t defrag_dropped(const struct defrag *t);

#endif
