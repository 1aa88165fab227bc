/*
 * explain.c -- the --explain filter and event log.
 */
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "explain.h"
#include "tunables.h"
#include "xmalloc.h"

int
explain_parse(const char *arg, struct explain_filter *f)
{
	char buf[ADDR_STRLEN + 8], *colon, *end, *host = buf;
	unsigned long port;

	memset(f, 0, sizeof(*f));
	if (arg == NULL || arg[0] == '\0') {
		f->all = true;
		return 0;
	}
	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	if (buf[0] == '[') {
		end = strchr(buf, ']');
		if (end == NULL)
			return -1;
		*end = '\0';
		host = buf + 1;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return -1;
	} else {
		colon = strchr(buf, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			colon = NULL; /* a bare IPv6 address */
	}
	if (colon != NULL) {
		*colon = '\0';
		port = strtoul(colon + 1, &end, 10);
		if (*end != '\0' || colon[1] == '\0' || port > 65535)
			return -1;
		f->has_port = true;
		f->port = (uint16_t)port;
	}
	return addr_parse(&f->host, host);
}

bool
explain_matches(const struct explain_filter *f, const struct addr *host,
    uint16_t port)
{
	if (f->all)
		return true;
	return addr_eq(&f->host, host) && (!f->has_port || f->port == port);
}

void
explain_add(struct explain_log *log, const struct explain_event *e)
{
	if (log->n >= TUN_EXPLAIN_EVENTS ||
	    !budget_take(log->budget, BU_EXPLAIN, TUN_COST_EXPLAIN)) {
		log->dropped++;
		return;
	}
	if (log->n == log->cap) {
		log->cap = log->cap ? log->cap * 2 : 256;
		log->ev = xreallocarray(log->ev, log->cap, sizeof(*log->ev));
	}
	log->ev[log->n++] = *e;
}

void
explain_free(struct explain_log *log)
{
	free(log->ev);
	log->ev = NULL;
	log->n = log->cap = 0;
}
