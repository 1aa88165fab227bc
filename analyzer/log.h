/*
 * log.h -- diagnostics on stderr: "portsleuth: message".
 *
 * Results go to stdout; everything here goes to stderr. log_verbose() prints
 * only at -v. The program name is the one global. Each message is one line:
 * control bytes in it (from file names) print as '?'.
 */
#ifndef PORTSLEUTH_LOG_H
#define PORTSLEUTH_LOG_H

extern const char *log_progname;
extern int log_level; /* -1 -q, 0 default, 1 -v, 2 -vv */

/* Errors are always printed; warnings unless -q; verbose lines at -v. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
