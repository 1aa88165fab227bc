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

/* Idle time (ms) after which a completed or mid-stream connection is forgotten. */
#define TUN_CONN_IDLE_MS 300000u

/* Default pending-probe table capacity (slots, power of two); -m/--max-flows. */
#define TUN_FLOW_SLOTS (1u << 18)

/* Load factor cap of the pending-probe table, in percent. */
#define TUN_FLOW_LOAD_PCT 70u

/* Default cap on port records kept (--max-ports); beyond it new ports are dropped. */
#define TUN_MAX_PORTS (1u << 24)

/* Most entries in the state-change phase log (hostile input bound). */
#define TUN_MAX_PHASES 65536u

/* Most events --explain keeps (probes and replies of the selected ports). */
#define TUN_EXPLAIN_EVENTS (1u << 20)

/*
 * Expiry sweeps per --timeout of capture time: each is one pass over the
 * pairing table, so expired probes wait at most timeout/8 to be retired.
 */
#define TUN_SWEEPS_PER_TIMEOUT 8u

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
 * EPYC: 58 vs 123 ms, the bare loop as in bench/bare-loop.c).
 */
#define TUN_READ_BUFFER (64u << 10)

/* nmap collapses a state into "Not shown" when it has more than this many ports. */
#define TUN_COLLAPSE_MIN 26u

/* Maximum number of capture files in one run. */
#define TUN_MAX_INPUTS 65536u

/* Deepest directory nesting walked for capture files. */
#define TUN_MAX_DIR_DEPTH 64

/* --baseline: most entries (ports or policy lines) and bytes read. */
#define TUN_BASELINE_MAX (1u << 24)
#define TUN_BASELINE_MAX_BYTES (256u << 20)

/* Largest snap length we accept from a file header (libpcap's own maximum). */
#define TUN_MAX_SNAPLEN 262144u

/* Rule files: longest line and most rules accepted (hostile input bound). */
#define TUN_RULE_MAX_FILE (1u << 20)
#define TUN_RULE_MAX_RULES 4096u
#define TUN_RULE_MAX_DEPTH 64u

#endif
