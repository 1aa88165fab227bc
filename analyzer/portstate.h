/*
 * portstate.h -- the vocabularies: nmap's port states and reason strings,
 * probe kinds and reply kinds, as tables (name <-> enum).
 *
 * Strings are exactly nmap's (portlist.cc statenum2str, portreasons.cc);
 * reason names are the singular forms, with the plural for summaries.
 * Lookups return -1 for unknown names. No allocation, no state.
 */
#ifndef PORTSLEUTH_PORTSTATE_H
#define PORTSLEUTH_PORTSTATE_H

#include <stdbool.h>

enum port_state {
	PS_UNKNOWN = 0,		/* no verdict yet (never printed) */
	PS_OPEN,
	PS_CLOSED,
	PS_FILTERED,
	PS_UNFILTERED,
	PS_OPEN_FILTERED,
	PS_CLOSED_FILTERED,
	PS_COUNT
};

enum reason {
	RS_NONE = 0,
	RS_RESET,
	RS_CONN_REFUSED,
	RS_SYN_ACK,
	RS_SPLIT_HANDSHAKE_SYN,
	RS_UDP_RESPONSE,
	RS_PROTO_RESPONSE,
	RS_PERM_DENIED,
	RS_NET_UNREACH,
	RS_HOST_UNREACH,
	RS_PROTO_UNREACH,
	RS_PORT_UNREACH,
	RS_ECHO_REPLY,
	RS_DEST_UNREACH,
	RS_SOURCE_QUENCH,
	RS_NET_PROHIBITED,
	RS_HOST_PROHIBITED,
	RS_ADMIN_PROHIBITED,
	RS_TIME_EXCEEDED,
	RS_TIMESTAMP_REPLY,
	RS_NO_IPID_CHANGE,
	RS_IPID_CHANGE,
	RS_ARP_RESPONSE,
	RS_ND_RESPONSE,
	RS_TCP_RESPONSE,
	RS_NO_RESPONSE,
	RS_INIT_ACK,
	RS_ABORT,
	RS_LOCALHOST_RESPONSE,
	RS_SCRIPT_SET,
	RS_UNKNOWN_RESPONSE,
	RS_USER_SET,
	RS_NO_ROUTE,
	RS_BEYOND_SCOPE,
	RS_REJECT_ROUTE,
	RS_PARAM_PROBLEM,
	RS_COUNT
};

/*
 * What the prober sent. Rows of a table in portstate.c give each kind its
 * name, its transport, and whether silence means "maybe open" (nmap's
 * no-response-means-open scans: NULL, FIN, Xmas, Maimon, UDP).
 */
enum probe_kind {
	PK_SYN = 0,		/* raw SYN (nmap -sS, masscan, hping3) */
	PK_CONNECT,		/* full-stack SYN from connect() (nmap -sT, apps) */
	PK_ACK,			/* bare ACK (nmap -sA; -sW sends the same) */
	PK_NULL,		/* no flags */
	PK_FIN,			/* FIN */
	PK_XMAS,		/* FIN+PSH+URG */
	PK_MAIMON,		/* FIN+ACK */
	PK_TCP_OTHER,		/* any other opening flag mix (SYN+FIN, ...) */
	PK_TRACE,		/* TTL-limited SYN/ACK (traceroute ladders) */
	PK_UDP,			/* UDP datagram */
	PK_COUNT
};

/* How the target side answered one try. */
enum reply_kind {
	RK_NONE = 0,		/* nothing (timed out / capture ended) */
	RK_SYNACK,		/* SYN+ACK */
	RK_RST,			/* RST or RST+ACK */
	RK_SYN,			/* bare SYN (split handshake) */
	RK_UDP,			/* UDP datagram from the probed port */
	RK_ICMP,		/* ICMP/ICMPv6 error quoting the probe */
	RK_COUNT
};

const char *port_state_name(enum port_state s);
int port_state_from_name(const char *name);
const char *reason_name(enum reason r);
const char *reason_plural(enum reason r);
int reason_from_name(const char *name);
const char *probe_kind_name(enum probe_kind k);
int probe_kind_from_name(const char *name);
bool probe_kind_silence_means_open(enum probe_kind k);
bool probe_kind_is_tcp(enum probe_kind k);
const char *reply_kind_name(enum reply_kind k);

/* NULL-terminated name lists (for rule schemas and help text). */
extern const char *const port_state_names[];
extern const char *const probe_kind_names[];
extern const char *const reply_kind_names[];
extern const char *const reason_names[];	/* singular, by enum reason */

#endif
