/*
 * services.c -- port number to service name from the services(5) database.
 *
 * A per-protocol table of 65536 interned names is filled on first use.
 * getservbyport() rescans /etc/services on every call (about 50 us with
 * glibc's files backend: 3 s for one -p- scan), so the first call reads the
 * whole database once with getservent(), keeping the first entry per
 * (port, proto) as getservbyport() would. Only when the database cannot be
 * enumerated (a backend without getservent support) does each port fall
 * back to its own getservbyport() call, cached like the rest.
 * Names are interned: "domain" for 53/tcp and 53/udp is one string.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "services.h"
#include "xmalloc.h"

#define SVC_PORTS 65536u

static const char *svc_intern(const char *name);
static void svc_load(void);
static int svc_index(uint8_t proto);
static uint32_t svc_hash(const char *s);

static const char **svc_tab[2];    /* [tcp, udp][port]: name, or NULL */
static bool svc_loaded;            /* tables allocated, enumeration done */
static bool svc_enumerated;        /* getservent() listed the database */
static const char svc_none[] = ""; /* getservbyport() found nothing */

static char **pool; /* interned names, open addressing */
static size_t pool_cap, pool_len;

static int
svc_index(uint8_t proto)
{
	if (proto == 6)
		return 0;
	if (proto == 17)
		return 1;
	return -1;
}

/* FNV-1a: the pool holds a few hundred short names. */
static uint32_t
svc_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static const char *
svc_intern(const char *name)
{
	char **old;
	size_t i, j, n, mask;

	if (pool_len * 2 >= pool_cap) {
		old = pool;
		n = pool_cap;
		pool_cap = n ? n * 2 : 256;
		pool = xcalloc(pool_cap, sizeof(*pool));
		pool_len = 0;
		mask = pool_cap - 1;
		for (i = 0; i < n; i++) {
			if (old[i] == NULL)
				continue;
			j = svc_hash(old[i]) & mask;
			while (pool[j] != NULL)
				j = (j + 1) & mask;
			pool[j] = old[i];
			pool_len++;
		}
		free(old);
	}
	mask = pool_cap - 1;
	for (i = svc_hash(name) & mask; pool[i] != NULL; i = (i + 1) & mask)
		if (strcmp(pool[i], name) == 0)
			return pool[i];
	pool[i] = xstrdup(name);
	pool_len++;
	return pool[i];
}

static void
svc_load(void)
{
	struct servent *se;
	uint16_t port;
	int idx;
	size_t n = 0;

	svc_tab[0] = xcalloc(SVC_PORTS, sizeof(*svc_tab[0]));
	svc_tab[1] = xcalloc(SVC_PORTS, sizeof(*svc_tab[1]));
	svc_loaded = true;

	setservent(0);
	while ((se = getservent()) != NULL) {
		n++;
		if (se->s_name == NULL || se->s_proto == NULL)
			continue;
		if (strcmp(se->s_proto, "tcp") == 0)
			idx = 0;
		else if (strcmp(se->s_proto, "udp") == 0)
			idx = 1;
		else
			continue;
		port = ntohs((uint16_t)se->s_port);
		if (svc_tab[idx][port] == NULL) /* first entry wins */
			svc_tab[idx][port] = svc_intern(se->s_name);
	}
	endservent();
	svc_enumerated = n > 0;
}

const char *
service_name(uint16_t port, uint8_t proto)
{
	struct servent *se;
	const char *name;
	int idx = svc_index(proto);

	if (idx < 0)
		return NULL;
	if (!svc_loaded)
		svc_load();
	name = svc_tab[idx][port];
	if (name == NULL && !svc_enumerated) {
		se = getservbyport((int)htons(port), idx == 0 ? "tcp" : "udp");
		name = se != NULL && se->s_name != NULL ? svc_intern(se->s_name)
							: svc_none;
		svc_tab[idx][port] = name;
	}
	return name == svc_none ? NULL : name;
}

const char *const *
services_table(uint8_t proto)
{
	int idx = svc_index(proto);

	if (idx < 0)
		return NULL;
	if (!svc_loaded)
		svc_load();
	/* Listed: entries are names or NULL, never svc_none. */
	return svc_enumerated ? svc_tab[idx] : NULL;
}

void
services_free(void)
{
	size_t i;

	for (i = 0; i < pool_cap; i++)
		free(pool[i]);
	free(pool);
	pool = NULL;
	pool_cap = pool_len = 0;
	free(svc_tab[0]);
	free(svc_tab[1]);
	svc_tab[0] = svc_tab[1] = NULL;
	svc_loaded = svc_enumerated = false;
}
