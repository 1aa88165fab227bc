/*
 * findings-int.h -- field indexes of the finding scopes, shared by
 * findings-schema.c (names and docs) and findings.c (values).
 */
#ifndef PORTSLEUTH_FINDINGS_INT_H
#define PORTSLEUTH_FINDINGS_INT_H

#include "findings.h"
#include "portstate.h"

enum host_field {
	H_ADDR, H_PORTS, H_OPEN, H_CLOSED, H_FILTERED, H_UNFILTERED,
	H_OPEN_FILTERED, H_CLOSED_FILTERED, H_ANSWERED, H_SILENT, H_SYNACK,
	H_SYNACK_SHARE, H_SYNACK_SIGS, H_HOPS, H_SYNACK_HOPS, H_RST_HOPS,
	H_ICMP_TARGET, H_ICMP_OTHER, H_UDP_PORTS, H_UDP_SILENT, H_UDP_RETRIED,
	H_UDP_ICMP_LATE,
	H_RETRY_ANSWERS, H_SPAN, H_ICMP_RATE, H_PROBE_RATE, H_UNSOLICITED,
	H_UNSOL_SOURCES, H_UNSOL_SENT, H_UNSOL_DESTS, H_FLOOD_PORT, H_FLOOD_SOURCES, H_FLOOD_SYNS,
	H_DECOY_SOURCES,
	H_COUNT
};

/* Port rows: their own fields, then every host field (host.*). */
enum port_field {
	P_PROTO, P_PORT, P_STATE, P_REASON, P_PROBE, P_TRIES, P_REPLIES,
	P_REPLY, P_REPLY_TTL, P_REPLY_HOPS, P_FROM_TARGET, P_REPLY_SOURCE,
	P_REPLY_WINDOW, P_REPLY_OPTIONS, P_REPLY_IPID, P_HOP_ROUTER,
	P_SYNACKS_AT_HOPS, P_DECOY,
	P_ICMP_TYPE, P_ICMP_CODE, P_ICMP_V6, P_ICMP_NAME, P_RTT, P_CHANGES,
	P_PHASES, P_HALFOPEN, P_RETRY_ANSWERS, P_AFTER_DATA_RST, P_CONN_TTL,
	P_RESET_TTL, P_RESET_HOPS, P_RESET_ROUTER, P_TRACE_HOP_TTL,
	P_TRACE_SILENT_TTL, P_TRACE_ROUTER, P_TRACE_REACHED, P_SCANNER,
	P_PORTS, P_COUNT_ITEMS, P_FIRST_S, P_LAST_S,
	P_KIND_STATE,		/* PK_COUNT fields: <kind>.state */
	P_HOST = P_KIND_STATE + PK_COUNT, /* H_COUNT fields: host.* */
	P_COUNT = P_HOST + H_COUNT
};

enum path_field {
	A_SOURCE, A_TARGET, A_FROM_TARGET, A_HOPS, A_TARGET_HOPS, A_BEFORE,
	A_ERRORS, A_REJECTS, A_TIME_EXCEEDED, A_TYPES, A_WHERE, A_PORTS,
	A_COUNT_ITEMS, A_COUNT
};

enum capture_field {
	C_PACKETS, C_MALFORMED, C_UNSOL_SYNACK, C_UNSOL_RST, C_LATE,
	C_UNMATCHED_ICMP, C_DROPS, C_SPAN, C_PARTIAL, C_ICMP_ERRORS,
	C_ICMP_RATE, C_UNSOL_SOURCES, C_COUNT
};

extern const struct ev_field fnd_host_fields[H_COUNT];
extern const struct ev_field fnd_port_own_fields[P_HOST];
extern const struct ev_field fnd_path_fields[A_COUNT];
extern const struct ev_field fnd_capture_fields[C_COUNT];

/* Hop distance from a TTL: initial guess (32/64/128/255) minus TTL. */
int fnd_hops(unsigned ttl);

#endif
