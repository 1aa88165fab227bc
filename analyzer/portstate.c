/*
 * portstate.c -- name tables for states, reasons, probe kinds, reply kinds
 * (nmap portlist.cc / portreasons.cc vocabulary).
 */
#include <stddef.h>
#include <string.h>

#include "portstate.h"

const char *const port_state_names[] = {
	[PS_UNKNOWN] = "unknown",
	[PS_OPEN] = "open",
	[PS_CLOSED] = "closed",
	[PS_FILTERED] = "filtered",
	[PS_UNFILTERED] = "unfiltered",
	[PS_OPEN_FILTERED] = "open|filtered",
	[PS_CLOSED_FILTERED] = "closed|filtered",
	[PS_COUNT] = NULL,
};

struct reason_tok {
	const char *singular;
	const char *plural;
};

static const struct reason_tok reasons[RS_COUNT] = {
	[RS_NONE] = { "none", "none" },
	[RS_RESET] = { "reset", "resets" },
	[RS_CONN_REFUSED] = { "conn-refused", "conn-refused" },
	[RS_SYN_ACK] = { "syn-ack", "syn-acks" },
	[RS_SPLIT_HANDSHAKE_SYN] = { "split-handshake-syn",
	    "split-handshake-syns" },
	[RS_UDP_RESPONSE] = { "udp-response", "udp-responses" },
	[RS_PROTO_RESPONSE] = { "proto-response", "proto-responses" },
	[RS_PERM_DENIED] = { "perm-denied", "perm-denieds" },
	[RS_NET_UNREACH] = { "net-unreach", "net-unreaches" },
	[RS_HOST_UNREACH] = { "host-unreach", "host-unreaches" },
	[RS_PROTO_UNREACH] = { "proto-unreach", "proto-unreaches" },
	[RS_PORT_UNREACH] = { "port-unreach", "port-unreaches" },
	[RS_ECHO_REPLY] = { "echo-reply", "echo-replies" },
	[RS_DEST_UNREACH] = { "dest-unreach", "dest-unreaches" },
	[RS_SOURCE_QUENCH] = { "source-quench", "source-quenches" },
	[RS_NET_PROHIBITED] = { "net-prohibited", "net-prohibiteds" },
	[RS_HOST_PROHIBITED] = { "host-prohibited", "host-prohibiteds" },
	[RS_ADMIN_PROHIBITED] = { "admin-prohibited", "admin-prohibiteds" },
	[RS_TIME_EXCEEDED] = { "time-exceeded", "time-exceededs" },
	[RS_TIMESTAMP_REPLY] = { "timestamp-reply", "timestamp-replies" },
	[RS_NO_IPID_CHANGE] = { "no-ipid-change", "no-ipid-changes" },
	[RS_IPID_CHANGE] = { "ipid-change", "ipid-changes" },
	[RS_ARP_RESPONSE] = { "arp-response", "arp-responses" },
	[RS_ND_RESPONSE] = { "nd-response", "nd-responses" },
	[RS_TCP_RESPONSE] = { "tcp-response", "tcp-responses" },
	[RS_NO_RESPONSE] = { "no-response", "no-responses" },
	[RS_INIT_ACK] = { "init-ack", "init-acks" },
	[RS_ABORT] = { "abort", "aborts" },
	[RS_LOCALHOST_RESPONSE] = { "localhost-response",
	    "localhost-responses" },
	[RS_SCRIPT_SET] = { "script-set", "script-sets" },
	[RS_UNKNOWN_RESPONSE] = { "unknown-response", "unknown-responses" },
	[RS_USER_SET] = { "user-set", "user-sets" },
	[RS_NO_ROUTE] = { "no-route", "no-routes" },
	[RS_BEYOND_SCOPE] = { "beyond-scope", "beyond-scopes" },
	[RS_REJECT_ROUTE] = { "reject-route", "reject-routes" },
	[RS_PARAM_PROBLEM] = { "param-problem", "param-problems" },
};

const char *const reason_names[] = {
	"none", "reset", "conn-refused", "syn-ack", "split-handshake-syn",
	"udp-response", "proto-response", "perm-denied", "net-unreach",
	"host-unreach", "proto-unreach", "port-unreach", "echo-reply",
	"dest-unreach", "source-quench", "net-prohibited", "host-prohibited",
	"admin-prohibited", "time-exceeded", "timestamp-reply",
	"no-ipid-change", "ipid-change", "arp-response", "nd-response",
	"tcp-response", "no-response", "init-ack", "abort",
	"localhost-response", "script-set", "unknown-response", "user-set",
	"no-route", "beyond-scope", "reject-route", "param-problem", NULL,
};

struct kind_row {
	const char *name;
	bool tcp;
	bool silence_means_open; /* nmap: NULL/FIN/Xmas/Maimon/UDP */
};

static const struct kind_row kinds[PK_COUNT] = {
	[PK_SYN] = { "syn", true, false },
	[PK_CONNECT] = { "connect", true, false },
	[PK_ACK] = { "ack", true, false },
	[PK_NULL] = { "null", true, true },
	[PK_FIN] = { "fin", true, true },
	[PK_XMAS] = { "xmas", true, true },
	[PK_MAIMON] = { "maimon", true, true },
	[PK_TCP_OTHER] = { "tcp-other", true, false },
	[PK_TRACE] = { "trace", true, false },
	[PK_UDP] = { "udp", false, true },
};

const char *const probe_kind_names[] = {
	"syn", "connect", "ack", "null", "fin", "xmas", "maimon", "tcp-other",
	"trace", "udp", NULL,
};

const char *const reply_kind_names[] = {
	[RK_NONE] = "none",
	[RK_SYNACK] = "syn-ack",
	[RK_RST] = "rst",
	[RK_SYN] = "syn",
	[RK_UDP] = "udp",
	[RK_ICMP] = "icmp",
	[RK_COUNT] = NULL,
};

static int
find_name(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *
port_state_name(enum port_state s)
{
	return (unsigned)s < PS_COUNT ? port_state_names[s] : "unknown";
}

int
port_state_from_name(const char *name)
{
	int i = find_name(port_state_names, PS_COUNT, name);

	return i == PS_UNKNOWN ? -1 : i;
}

const char *
reason_name(enum reason r)
{
	return (unsigned)r < RS_COUNT ? reasons[r].singular : "unknown";
}

const char *
reason_plural(enum reason r)
{
	return (unsigned)r < RS_COUNT ? reasons[r].plural : "unknown";
}

int
reason_from_name(const char *name)
{
	size_t i;

	for (i = 1; i < RS_COUNT; i++)
		if (strcmp(reasons[i].singular, name) == 0)
			return (int)i;
	return -1;
}

const char *
probe_kind_name(enum probe_kind k)
{
	return (unsigned)k < PK_COUNT ? kinds[k].name : "unknown";
}

int
probe_kind_from_name(const char *name)
{
	return find_name(probe_kind_names, PK_COUNT, name);
}

bool
probe_kind_silence_means_open(enum probe_kind k)
{
	return (unsigned)k < PK_COUNT && kinds[k].silence_means_open;
}

bool
probe_kind_is_tcp(enum probe_kind k)
{
	return (unsigned)k < PK_COUNT && kinds[k].tcp;
}

const char *
reply_kind_name(enum reply_kind k)
{
	return (unsigned)k < RK_COUNT ? reply_kind_names[k] : "unknown";
}
