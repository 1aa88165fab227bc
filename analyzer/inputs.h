/*
 * inputs.h -- the captures a run reads: command-line files and directories,
 * --files-from lists (one path a line, "-" for standard input) and "-".
 *
 * Directories are walked recursively, entries in name order (so runs are
 * reproducible), symbolic links to directories not followed; inside them only
 * files whose content is a capture (pcap or pcapng, possibly compressed) are
 * taken, the rest counted. Paths named explicitly are always taken: the
 * reader reports them if they are not captures. With `evidence` set, the
 * same holds for evidence files (evfile.h) instead of captures. Owns copies
 * of the paths.
 */
#ifndef PORTSLEUTH_INPUTS_H
#define PORTSLEUTH_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct inputs {
	char **paths;
	size_t n, cap;
	size_t not_captures;	/* files in directories that were skipped */
	size_t unreadable;	/* files in directories that could not be read
				   (reported on stderr) */
	uint64_t bytes;		/* total size of the regular files */
	bool evidence;		/* set by the caller: directories yield
				   evidence files (merge), not captures */
};

/* Add a file, a directory (walked) or "-"; 0, or -1 with err filled. */
int inputs_add(struct inputs *in, const char *arg, char *err, size_t errlen);

/* Add every path listed in file (or "-"), one a line; 0 or -1. */
int inputs_add_list(struct inputs *in, const char *file, char *err,
    size_t errlen);

void inputs_free(struct inputs *in);

#endif
