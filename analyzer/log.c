/*
 * log.c -- diagnostics on stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

const char *log_progname = "portsleuth";
int log_level = 0;

static void vlog(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

/*
 * One line whatever the message holds: file names come from directories
 * and lists, so control bytes (a newline, a terminal escape) print as '?',
 * as the text writer does with names in reports.
 */
static void
vlog(const char *fmt, va_list ap)
{
	char buf[2048];
	unsigned char *p;
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		buf[0] = '\0';
	else if ((size_t)n >= sizeof(buf))
		memcpy(buf + sizeof(buf) - 4, "...", 4);
	for (p = (unsigned char *)buf; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	fprintf(stderr, "%s: %s\n", log_progname, buf);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	if (log_level < 0)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void
log_verbose(const char *fmt, ...)
{
	va_list ap;

	if (log_level < 1)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}
