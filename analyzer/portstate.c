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

/* Plural forms, for summaries ("Not shown: ... (no-responses)"). */
static const char *const reason_plurals[RS_COUNT] = {
	[RS_NONE] = "none",
	[RS_RESET] = "resets",
	[RS_CONN_REFUSED] = "conn-refused",
	[RS_SYN_ACK] = "syn-acks",
	[RS_SPLIT_HANDSHAKE_SYN] = "split-handshake-syns",
	[RS_UDP_RESPONSE] = "udp-responses",
	[RS_PROTO_RESPONSE] = "proto-responses",
	[RS_PERM_DENIED] = "perm-denieds",
	[RS_NET_UNREACH] = "net-unreaches",
	[RS_HOST_UNREACH] = "host-unreaches",
	[RS_PROTO_UNREACH] = "proto-unreaches",
	[RS_PORT_UNREACH] = "port-unreaches",
	[RS_ECHO_REPLY] = "echo-replies",
	[RS_DEST_UNREACH] = "dest-unreaches",
	[RS_SOURCE_QUENCH] = "source-quenches",
	[RS_NET_PROHIBITED] = "net-prohibiteds",
	[RS_HOST_PROHIBITED] = "host-prohibiteds",
	[RS_ADMIN_PROHIBITED] = "admin-prohibiteds",
	[RS_TIME_EXCEEDED] = "time-exceededs",
	[RS_TIMESTAMP_REPLY] = "timestamp-replies",
	[RS_NO_IPID_CHANGE] = "no-ipid-changes",
	[RS_IPID_CHANGE] = "ipid-changes",
	[RS_ARP_RESPONSE] = "arp-responses",
	[RS_ND_RESPONSE] = "nd-responses",
	[RS_TCP_RESPONSE] = "tcp-responses",
	[RS_NO_RESPONSE] = "no-responses",
	[RS_INIT_ACK] = "init-acks",
	[RS_ABORT] = "aborts",
	[RS_LOCALHOST_RESPONSE] = "localhost-responses",
	[RS_SCRIPT_SET] = "script-sets",
	[RS_UNKNOWN_RESPONSE] = "unknown-responses",
	[RS_USER_SET] = "user-sets",
	[RS_NO_ROUTE] = "no-routes",
	[RS_BEYOND_SCOPE] = "beyond-scopes",
	[RS_REJECT_ROUTE] = "reject-routes",
	[RS_PARAM_PROBLEM] = "param-problems",
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
	return (unsigned)r < RS_COUNT ? reason_names[r] : "unknown";
}

const char *
reason_plural(enum reason r)
{
	return (unsigned)r < RS_COUNT ? reason_plurals[r] : "unknown";
}

int
reason_from_name(const char *name)
{
	size_t i;

	for (i = 1; i < RS_COUNT; i++)
		if (strcmp(reason_names[i], name) == 0)
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
