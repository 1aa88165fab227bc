/*
 * xmalloc.h -- allocation wrappers that exit(70) with a message on OOM, so
 * setup code needs no NULL checks. Never used per packet.
 */
#ifndef PORTSLEUTH_XMALLOC_H
#define PORTSLEUTH_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* printf into a fresh string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
