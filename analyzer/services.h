/*
 * services.h -- port number to service name, from the system's services
 * database (getservbyport, /etc/services; Debian package netbase).
 * Returns a pointer to a static, interned string, or NULL when unknown.
 * The table is filled lazily and cached; not thread-safe during first use.
 */
#ifndef PORTSLEUTH_SERVICES_H
#define PORTSLEUTH_SERVICES_H

#include <stdint.h>

const char *service_name(uint16_t port, uint8_t proto);
/*
 * The whole table of proto (6 or 17): [port] is service_name(port,
 * proto). NULL when the database could not be listed (each port is then
 * looked up on its own: use service_name()) or for another protocol.
 * Valid until services_free().
 */
const char *const *services_table(uint8_t proto);
void services_free(void);

#endif
