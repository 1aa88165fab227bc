/*
 * tunables.h -- every limit and default of portsleuth in one place.
 *
 * Each value has a one-line reason. Options that override one at run time
 * say so in the comment; nothing else in the tree hard-codes these numbers.
 */
#ifndef PORTSLEUTH_TUNABLES_H
#define PORTSLEUTH_TUNABLES_H

/*
 * Default --timeout (ms): how long a probe waits for a reply after its last
 * try. 10 s is nmap's --max-rtt-timeout ceiling: nmap itself never credits a
 * reply later than that, so neither do we. A reply after the timeout is
 * counted as "late" and not paired.
 */
#define TUN_PROBE_TIMEOUT_MS 10000u

/*
 * A try sent at least this long (ms) after its round began is a retry (nmap
 * never retransmits sooner: its minimum RTT timeout is 100 ms). Tries sent
 * back to back (nmap's UDP payload variants) are not retries.
 */
#define TUN_RETRY_GAP_MS 100u

/*
 * IP fragments waiting for the rest of their datagram (defrag.h): slots, in
 * sets of 4, each keeping the first TUN_DEFRAG_HEAD bytes (every transport
 * header decoding reads, and an ICMP error's quote), for at most
 * TUN_DEFRAG_TIMEOUT_MS of capture time (Linux's ipfrag_time is 30 s).
 * 256 slots of about 480 bytes: nmap -f sends one datagram at a time.
 */
#define TUN_DEFRAG_SLOTS 256u
#define TUN_DEFRAG_HEAD 256u
#define TUN_DEFRAG_TIMEOUT_MS 30000u

/*
 * nmap -D sends each decoy's probe back to back with the real one: a probe
 * from a never-answered address within this many microseconds of an
 * answered scanner's probe to the same port is a decoy's.
 */
#define TUN_DECOY_US 10000u

/* Idle time (ms) after which a completed or mid-stream connection is forgotten. */
#define TUN_CONN_IDLE_MS 300000u

/*
 * Pending-probe table (slots, power of two). --max-flows N fixes it at N.
 * Without it the table starts at TUN_FLOW_SLOTS and doubles when full (two
 * captures merged by time hold twice the pending probes of each) up to
 * TUN_FLOW_SLOTS_MAX, all within 1/TUN_FLOW_SHARE of --max-memory, so a
 * small budget gets a smaller table (never below TUN_FLOW_SLOTS_MIN).
 */
#define TUN_FLOW_SLOTS (1u << 18)
#define TUN_FLOW_SLOTS_MAX (1u << 24)
#define TUN_FLOW_SLOTS_MIN 1024u
#define TUN_FLOW_SHARE 8u

/*
 * Slots of the direct-mapped cache of recently interned hosts (a power of
 * two; 4 KiB): a scan's packets cycle through a few thousand targets.
 */
#define TUN_HOSTS_RECENT 1024u

/* Slots of the label memo by rule (a power of two): a rule mostly gives one label. */
#define TUN_LABEL_MEMO 16u

/*
 * The findings' memo of port-rule matches by row facts (rows of one host
 * repeat a few combinations): slots, a power of two, and how many of them
 * are tried from a key's hash.
 */
#define TUN_FINDINGS_MEMO_SLOTS 1024u
#define TUN_FINDINGS_MEMO_PROBES 8u

/*
 * Decoded packets analyzer.c holds back before pairing them (2: one to
 * prefetch the flow index slot of, one to prefetch what that slot leads
 * to; see pair_ahead()). At 10M packets the pairing table and the port
 * records are far larger than the cache, and a packet's pairing took a
 * few misses in a row.
 */
#define TUN_PAIR_AHEAD 2u

/* Load factor cap of the pending-probe table, in percent. */
#define TUN_FLOW_LOAD_PCT 70u

/* Default cap on port records kept (--max-ports); beyond it new ports are dropped. */
#define TUN_MAX_PORTS (1u << 24)

/*
 * --max-memory: bytes the structures that grow with the input may take
 * (budget.h). The default is half the physical memory (so a run is cut
 * short only where it could not have finished anyway); TUN_MAX_MEMORY when
 * that cannot be read. 1 GiB holds about 2.7 million port records with their
 * result rows (2.2 million when each has a source host of its own). A run
 * stays under it plus TUN_MEMORY_BASE, plus the read state of each capture
 * open at once (reader.h). 0 on the command line means no limit; less than
 * TUN_MIN_MEMORY is refused.
 */
#define TUN_MAX_MEMORY (1ull << 30)
#define TUN_MIN_MEMORY (16ull << 20)
/* Program, libraries, rules, verdict memo, stdio: measured 6 MiB; margin. */
#define TUN_MEMORY_BASE (24ull << 20)

/*
 * What each budgeted item costs (bytes), pessimistic: hash indexes at their
 * lowest load (1/4 right after doubling), doubling arrays at 2x where the
 * old block may stay resident. budget.c checks them against the structs.
 * - a port record: the record (104), its index slots (16), and the result
 *   row built from it at the end with its share of sorting, findings and
 *   writers (row 152, kind verdict 40, ids and sort 8, bookkeeping 14,
 *   finding texts and scratch ~50). Rows are built one target host at a
 *   time (rowset.c), but a flood aimed at one host makes that host hold
 *   every record, so the row is still reserved for each;
 * - a host: its address (16, 2x), index slots (16), end-of-run flags;
 * - a tally pair: 8-byte set slots at load 1/4;
 * - a tally row (per host index slot, charged when the row array grows);
 * - a phase-log entry (16, 2x) and its sorted copy for findings (16);
 * - an --explain event (40, 2x) and its sort index (4).
 * The pairing table costs its slots (104 bytes each: an entry at load 0.7
 * and its 8-byte index slot, with room for the old index while it doubles),
 * taken when it is made and at each doubling.
 */
#define TUN_COST_RECORD 384u
#define TUN_COST_HOST 64u
#define TUN_COST_TALLY_PAIR 32u
#define TUN_COST_TALLY_ROW 16u
#define TUN_COST_PHASE 48u
#define TUN_COST_EXPLAIN 88u
#define TUN_COST_FLOW_SLOT 104u

/* Most entries in the state-change phase log (hostile input bound). */
#define TUN_MAX_PHASES 65536u

/* Most events --explain keeps (probes and replies of the selected ports). */
#define TUN_EXPLAIN_EVENTS (1u << 20)

/*
 * Expiry sweeps per --timeout of capture time (on a grid fixed in capture
 * time): expired probes wait at most timeout/8 to be retired. Each sweep
 * visits the entries due by then (a timing wheel, see below).
 */
#define TUN_SWEEPS_PER_TIMEOUT 8u

/*
 * Wheel buckets per sweep interval: a sweep also looks at the entries of
 * the bucket it falls in that are not due yet, so finer buckets mean fewer
 * early looks (16: about 1/16 of the entries are looked at twice).
 */
#define TUN_WHEEL_BUCKETS_PER_SWEEP 16u

/*
 * Probes whose IP TTL/hop limit at the capture point is at or below this are
 * TTL-limited (traceroute ladders, hping --ttl): they test the path, not the
 * port. Normal stacks start at 64, 128 or 255 and scanners at >= 37.
 */
#define TUN_TRACE_TTL_MAX 30u

/*
 * stdio buffer for capture files (libpcap's default is BUFSIZ). 64 KiB
 * stays in the L2 cache between read(2) and libpcap's copy out of it;
 * 1 MiB took twice the CPU time on a 1M-packet capture (issue #5, AMD
 * EPYC: 58 vs 123 ms, the bare loop as in bench/bare-loop.c). Merged runs
 * keep every input open: then each gets TUN_READ_BUFFERS_TOTAL / inputs,
 * at least TUN_READ_BUFFER_MIN and at most TUN_READ_BUFFER.
 */
#define TUN_READ_BUFFER (64u << 10)
#define TUN_READ_BUFFERS_TOTAL (64u << 20)
#define TUN_READ_BUFFER_MIN (16u << 10)

/*
 * Longest text a finding's message or evidence object shows of one value
 * (bytes). Longer port lists show the ports that fit and "and N more": the
 * finding's own port list is complete, and a list of thousands of ports
 * repeated in the message and the evidence made findings the largest
 * structure of a large run.
 */
#define TUN_TEXT_VALUE_MAX 200u

/* nmap collapses a state into "Not shown" when it has more than this many ports. */
#define TUN_COLLAPSE_MIN 26u

/*
 * Hosts an evidence file numbers before it starts its table over (an 'R'
 * record): bounds the writer's and each reader's memory under a flood of
 * spoofed sources (about 48 MiB writing, 16 MiB reading).
 */
#define TUN_EVFILE_HOSTS (1u << 20)

/* Maximum number of capture files in one run. */
#define TUN_MAX_INPUTS 65536u

/* Deepest directory nesting walked for capture files. */
#define TUN_MAX_DIR_DEPTH 64

/* --baseline: most entries (ports or policy lines) and bytes read. */
#define TUN_BASELINE_MAX (1u << 24)
#define TUN_BASELINE_MAX_BYTES (256u << 20)

/* Largest snap length we accept from a file header (libpcap's own maximum). */
#define TUN_MAX_SNAPLEN 262144u

/*
 * --db: how long a run waits (ms) for another run's write lock on the
 * database before giving up (exit 75, nothing analysed). Runs hold the
 * lock while they analyse, so this only absorbs short overlaps.
 */
#define TUN_DB_BUSY_MS 5000u

/* Rule files: longest line and most rules accepted (hostile input bound). */
#define TUN_RULE_MAX_FILE (1u << 20)
#define TUN_RULE_MAX_RULES 4096u
#define TUN_RULE_MAX_DEPTH 64u

#endif
