/*
 * inputs.c -- expand files, directories and path lists into captures.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evfile.h"
#include "inputs.h"
#include "log.h"
#include "tunables.h"
#include "xmalloc.h"
#include "zio.h"

static int walk(struct inputs *in, const char *dir, int depth, char *err,
    size_t errlen);

static void
push(struct inputs *in, const char *path, const struct stat *st)
{
	if (in->n == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 16;
		in->paths = xreallocarray(in->paths, in->cap,
		    sizeof(*in->paths));
	}
	in->paths[in->n++] = xstrdup(path);
	if (st != NULL && S_ISREG(st->st_mode))
		in->bytes += (uint64_t)st->st_size;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every entry of dir, in name order; captures only. */
static int
walk(struct inputs *in, const char *dir, int depth, char *err, size_t errlen)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, *path;
	size_t n = 0, i;
	struct stat st;
	int rc = 0;

	if (depth > TUN_MAX_DIR_DEPTH) {
		snprintf(err, errlen, "%s: directories nested too deep", dir);
		return -1;
	}
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		path = names[i];
		if (rc == 0 && lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				rc = walk(in, path, depth + 1, err, errlen);
			else if (S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) &&
			    stat(path, &st) == 0 && S_ISREG(st.st_mode))) {
				char why[256];
				int cap = in->evidence ? evfile_sniff(path) :
				    zio_is_capture(path, why, sizeof(why));

				if (cap == 1)
					push(in, path, &st);
				else if (cap < 0) {
					/* Damaged compressed file: say so. */
					log_error("%s", why);
					in->unreadable++;
				} else
					in->not_captures++;
			}
		}
		free(path);
	}
	free(names);
	return rc;
}

int
inputs_add(struct inputs *in, const char *arg, char *err, size_t errlen)
{
	struct stat st;

	if (strcmp(arg, "-") != 0 && stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
		return walk(in, arg, 0, err, errlen);
	if (in->n >= TUN_MAX_INPUTS) {
		snprintf(err, errlen, "too many capture files (at most %u)",
		    TUN_MAX_INPUTS);
		return -1;
	}
	push(in, arg, strcmp(arg, "-") != 0 && stat(arg, &st) == 0 ? &st :
	    NULL);
	return 0;
}

int
inputs_add_list(struct inputs *in, const char *file, char *err,
    size_t errlen)
{
	FILE *fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char line[4096];
	size_t len, lineno = 0;
	int rc = 0;

	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		len = strlen(line);
		if (len > 0 && line[len - 1] != '\n' && !feof(fp)) {
			snprintf(err, errlen, "%s:%zu: path too long", file,
			    lineno);
			rc = -1;
			break;
		}
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (strcmp(line, "-") == 0) {
			snprintf(err, errlen, "%s:%zu: standard input cannot "
			    "be listed", file, lineno);
			rc = -1;
			break;
		}
		rc = inputs_add(in, line, err, errlen);
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: read error", file);
		rc = -1;
	}
	if (fp != stdin)
		fclose(fp);
	return rc;
}

void
inputs_free(struct inputs *in)
{
	size_t i;

	for (i = 0; i < in->n; i++)
		free(in->paths[i]);
	free(in->paths);
	in->paths = NULL;
	in->n = in->cap = 0;
}
