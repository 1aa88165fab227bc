/*
 * findings-schema.c -- the evidence names of scopes port, host, path and
 * capture (what rules can read, and --list-evidence prints).
 */
#include <stddef.h>

#include "findings-int.h"

static const char *const proto_names[] = { "tcp", "udp", NULL };

#define NUM(n, d) { n, EV_NUM, NULL, d }
#define BOOL(n, d) { n, EV_BOOL, NULL, d }
#define STR(n, d) { n, EV_STR, NULL, d }
#define ENUM(n, v, d) { n, EV_ENUM, v, d }

/* Host evidence: its own scope, and readable as host.* from port rules. */
const struct ev_field fnd_host_fields[H_COUNT] = {
	[H_ADDR] = STR("host", "the target host's address"),
	[H_PORTS] = NUM("host.ports", "ports of the host with a verdict"),
	[H_OPEN] = NUM("host.open", "ports open"),
	[H_CLOSED] = NUM("host.closed", "ports closed"),
	[H_FILTERED] = NUM("host.filtered", "ports filtered"),
	[H_UNFILTERED] = NUM("host.unfiltered", "ports unfiltered"),
	[H_OPEN_FILTERED] = NUM("host.open_filtered", "ports open|filtered"),
	[H_CLOSED_FILTERED] = NUM("host.closed_filtered",
	    "ports closed|filtered"),
	[H_ANSWERED] = NUM("host.answered",
	    "ports the host itself answered (TCP, UDP or its own ICMP)"),
	[H_SILENT] = NUM("host.silent", "ports whose every try went unanswered"),
	[H_SYNACK] = NUM("host.synack", "ports answered with SYN-ACK"),
	[H_SYNACK_SHARE] = NUM("host.synack_share",
	    "share of the host's TCP ports answered with SYN-ACK (0..1)"),
	[H_SYNACK_SIGS] = NUM("host.synack_sigs",
	    "distinct SYN-ACK signatures (TTL, window, option layout)"),
	[H_HOPS] = NUM("host.hops", "hop distance of the host's own replies "
	    "(initial TTL guess 32/64/128/255 minus TTL), -1 unknown"),
	[H_SYNACK_HOPS] = NUM("host.synack_hops",
	    "most common hop distance of its SYN-ACKs, -1 none"),
	[H_RST_HOPS] = NUM("host.rst_hops",
	    "most common hop distance of its RSTs, -1 none"),
	[H_ICMP_TARGET] = NUM("host.icmp_from_target",
	    "ports answered by an ICMP error from the host itself"),
	[H_ICMP_OTHER] = NUM("host.icmp_other",
	    "ports answered by an ICMP error from another address"),
	[H_UDP_PORTS] = NUM("host.udp_ports", "UDP ports probed"),
	[H_UDP_SILENT] = NUM("host.udp_silent", "UDP ports never answered"),
	[H_UDP_RETRIED] = NUM("host.udp_retried",
	    "UDP ports never answered though tried more than once"),
	[H_UDP_ICMP_LATE] = NUM("host.udp_icmp_late",
	    "UDP ports whose ICMP error from the host came after a retry"),
	[H_RETRY_ANSWERS] = NUM("host.retry_answers",
	    "ports answered only after a retry (direct replies)"),
	[H_SPAN] = NUM("host.span_s", "seconds between first and last probe"),
	[H_ICMP_RATE] = NUM("host.icmp_rate",
	    "ICMP errors from the host per second of probing"),
	[H_PROBE_RATE] = NUM("host.probe_rate", "tries per second of probing"),
	[H_UNSOLICITED] = NUM("host.unsolicited",
	    "SYN-ACKs and RSTs sent to this address answering no probe"),
	[H_UNSOL_SOURCES] = NUM("host.unsolicited_sources",
	    "distinct sources of those"),
	[H_UNSOL_SENT] = NUM("host.unsolicited_sent",
	    "SYN-ACKs this address sent that answered no probe"),
	[H_UNSOL_DESTS] = NUM("host.unsolicited_dests",
	    "distinct destinations of those"),
	[H_FLOOD_PORT] = NUM("host.flood_port",
	    "port with the most half-open sources"),
	[H_FLOOD_SOURCES] = NUM("host.flood_sources",
	    "sources whose SYNs to that port were never completed"),
	[H_FLOOD_SYNS] = NUM("host.flood_syns", "SYNs from those sources"),
	[H_DECOY_SOURCES] = NUM("host.decoy_sources",
	    "addresses whose rows are decoys' (see decoy)"),
};

const struct ev_field fnd_port_own_fields[P_HOST] = {
	[P_PROTO] = ENUM("proto", proto_names, "tcp or udp"),
	[P_PORT] = NUM("port", "port number"),
	[P_STATE] = ENUM("state", port_state_names, "the row's state"),
	[P_REASON] = ENUM("reason", reason_names, "the row's reason"),
	[P_PROBE] = ENUM("probe", probe_kind_names,
	    "probe kind that decided the row"),
	[P_TRIES] = NUM("tries", "tries of every kind"),
	[P_REPLIES] = NUM("replies", "replies paired with them"),
	[P_REPLY] = ENUM("reply", reply_kind_names, "deciding reply kind"),
	[P_REPLY_TTL] = NUM("reply.ttl", "its TTL or hop limit, 0 if none"),
	[P_REPLY_HOPS] = NUM("reply.hops",
	    "its hop distance (initial TTL guess minus TTL), -1 if none"),
	[P_FROM_TARGET] = BOOL("from_target",
	    "the deciding reply came from the target's address"),
	[P_REPLY_SOURCE] = STR("reply.source", "its source address"),
	[P_REPLY_WINDOW] = NUM("reply.window", "its TCP window"),
	[P_REPLY_OPTIONS] = NUM("reply.options", "its TCP option count"),
	[P_REPLY_IPID] = NUM("reply.ipid", "its IPv4 ID"),
	[P_HOP_ROUTER] = STR("reply.hop_router",
	    "a router seen at the reply's hop distance (ICMP source), or \"\""),
	[P_DECOY] = BOOL("decoy",
	    "the prober was never answered by the host and probed the port "
	    "in step with a scanner that was (nmap -D)"),
	[P_SYNACKS_AT_HOPS] = NUM("reply.synacks_at_hops",
	    "ports the host answered with SYN-ACK from the reply's hop "
	    "distance"),
	[P_ICMP_TYPE] = NUM("icmp.type", "ICMP type of the deciding reply, -1"),
	[P_ICMP_CODE] = NUM("icmp.code", "ICMP code of the deciding reply, -1"),
	[P_ICMP_V6] = BOOL("icmp.v6", "the deciding reply is ICMPv6"),
	[P_ICMP_NAME] = STR("icmp.name",
	    "iptables-style name of the ICMP error, e.g. icmp-admin-prohibited"),
	[P_RTT] = NUM("rtt_ms", "RTT of the deciding reply, -1 if none"),
	[P_CHANGES] = NUM("changes", "state changes between attempts"),
	[P_PHASES] = STR("phases",
	    "states in order with start times, e.g. open@0.15s,closed@7.24s"),
	[P_HALFOPEN] = NUM("halfopen",
	    "SYN-ACKs the prober never acknowledged nor reset"),
	[P_RETRY_ANSWERS] = NUM("retry_answers",
	    "direct replies that only a retry drew"),
	[P_AFTER_DATA_RST] = NUM("after_data_rst",
	    "connections reset after the prober's data by a segment whose TTL "
	    "differs from the target's handshake reply"),
	[P_CONN_TTL] = NUM("conn.ttl", "TTL of the target's handshake reply"),
	[P_RESET_TTL] = NUM("reset.ttl", "TTL of that reset"),
	[P_RESET_HOPS] = NUM("reset.hops", "its hop distance"),
	[P_RESET_ROUTER] = STR("reset.router",
	    "a router seen at that hop distance, or \"\""),
	[P_TRACE_HOP_TTL] = NUM("trace.hop_ttl",
	    "TTL-limited probes: highest probe TTL a router answered, 0 none"),
	[P_TRACE_SILENT_TTL] = NUM("trace.silent_ttl",
	    "highest probe TTL left unanswered, 0 none"),
	[P_TRACE_ROUTER] = STR("trace.router", "the router of trace.hop_ttl"),
	[P_TRACE_REACHED] = BOOL("trace.reached",
	    "a TTL-limited probe drew an answer from the target"),
	[P_SCANNER] = STR("scanner", "the prober's address"),
	[P_PORTS] = STR("ports",
	    "proto/port; in a finding message, every port of the finding"),
	[P_COUNT_ITEMS] = NUM("count",
	    "1; in a finding message, how many rows the finding covers"),
	[P_FIRST_S] = NUM("first_s",
	    "first probe, seconds after the capture's first packet"),
	[P_LAST_S] = NUM("last_s", "last probe or reply, likewise"),
	[P_KIND_STATE] = ENUM("syn.state", port_state_names,
	    "verdict of raw SYN probes (unknown: none sent)"),
	[P_KIND_STATE + 1] = ENUM("connect.state", port_state_names,
	    "verdict of connect() probes"),
	[P_KIND_STATE + 2] = ENUM("ack.state", port_state_names,
	    "verdict of ACK probes"),
	[P_KIND_STATE + 3] = ENUM("null.state", port_state_names,
	    "verdict of NULL probes"),
	[P_KIND_STATE + 4] = ENUM("fin.state", port_state_names,
	    "verdict of FIN probes"),
	[P_KIND_STATE + 5] = ENUM("xmas.state", port_state_names,
	    "verdict of Xmas probes"),
	[P_KIND_STATE + 6] = ENUM("maimon.state", port_state_names,
	    "verdict of Maimon probes"),
	[P_KIND_STATE + 7] = ENUM("tcp-other.state", port_state_names,
	    "verdict of other TCP flag mixes"),
	[P_KIND_STATE + 8] = ENUM("trace.state", port_state_names,
	    "verdict of TTL-limited probes"),
	[P_KIND_STATE + 9] = ENUM("udp.state", port_state_names,
	    "verdict of UDP probes"),
};

const struct ev_field fnd_path_fields[A_COUNT] = {
	[A_SOURCE] = STR("path.source", "address that sent the ICMP errors"),
	[A_TARGET] = STR("path.target", "the target they speak for"),
	[A_FROM_TARGET] = BOOL("path.from_target",
	    "the source is the target itself"),
	[A_HOPS] = NUM("path.hops", "hop distance of the source"),
	[A_TARGET_HOPS] = NUM("path.target_hops",
	    "hop distance of the target's own replies, -1 unknown"),
	[A_BEFORE] = NUM("path.hops_before_target",
	    "hops between the source and the target, -1 unknown"),
	[A_ERRORS] = NUM("path.errors", "ports decided by its ICMP errors"),
	[A_REJECTS] = NUM("path.rejects", "of which rejections (all but "
	    "time-exceeded and UDP port-unreachable from the target itself)"),
	[A_TIME_EXCEEDED] = NUM("path.time_exceeded",
	    "of which time-exceeded"),
	[A_TYPES] = STR("path.types", "names of the rejection types"),
	[A_WHERE] = STR("path.where", "\"target host itself\" or "
	    "\"router, N hop(s) before target\""),
	[A_PORTS] = STR("ports", "the rejected ports"),
	[A_COUNT_ITEMS] = NUM("count", "how many ports"),
};

const struct ev_field fnd_capture_fields[C_COUNT] = {
	[C_PACKETS] = NUM("capture.packets", "packets read"),
	[C_MALFORMED] = NUM("capture.malformed", "malformed packets"),
	[C_UNSOL_SYNACK] = NUM("capture.unsolicited_synack",
	    "SYN-ACKs answering no probe"),
	[C_UNSOL_RST] = NUM("capture.unsolicited_rst",
	    "RSTs answering no probe"),
	[C_LATE] = NUM("capture.late", "replies after the timeout"),
	[C_UNMATCHED_ICMP] = NUM("capture.unmatched_icmp",
	    "ICMP errors quoting no known probe"),
	[C_DROPS] = NUM("capture.table_drops",
	    "probes dropped because a table was full"),
	[C_SPAN] = NUM("capture.span_s", "seconds from first to last packet"),
	[C_PARTIAL] = BOOL("capture.partial", "the results are partial"),
	[C_ICMP_ERRORS] = NUM("capture.icmp_errors", "ICMP/ICMPv6 errors seen"),
	[C_ICMP_RATE] = NUM("capture.icmp_rate",
	    "ICMP errors per second of capture"),
	[C_UNSOL_SOURCES] = NUM("capture.unsolicited_sources",
	    "distinct senders of SYN-ACKs that answered no probe"),
};

/* Port rules also read every host field: one array, filled on first use. */
static struct ev_field port_fields[P_COUNT];

static struct ev_schema schemas[RULE_SCOPE_COUNT] = {
	[RULE_SCOPE_PORT] = { port_fields, P_COUNT },
	[RULE_SCOPE_HOST] = { fnd_host_fields, H_COUNT },
	[RULE_SCOPE_PATH] = { fnd_path_fields, A_COUNT },
	[RULE_SCOPE_CAPTURE] = { fnd_capture_fields, C_COUNT },
};

const struct ev_schema *
findings_schema(enum rule_scope s)
{
	size_t i;

	if (port_fields[0].name == NULL) {
		for (i = 0; i < P_HOST; i++)
			port_fields[i] = fnd_port_own_fields[i];
		for (i = 0; i < H_COUNT; i++)
			port_fields[P_HOST + i] = fnd_host_fields[i];
		/* "host" is the address in both scopes. */
	}
	return (unsigned)s < RULE_SCOPE_COUNT && s != RULE_SCOPE_REPLY ?
	    &schemas[s] : NULL;
}

int
fnd_hops(unsigned ttl)
{
	unsigned init = ttl <= 32 ? 32 : ttl <= 64 ? 64 : ttl <= 128 ? 128 :
	    255;

	return (int)(init - ttl);
}
