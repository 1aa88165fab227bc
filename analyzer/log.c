/*
 * log.c -- diagnostics on stderr.
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

const char *log_progname = "portsleuth";
int log_level = 0;

static void vlog(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

static void
vlog(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", log_progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
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
