/* SPDX-License-Identifier: MIT */
#pragma once

/* find(1)'s command line, read for what it deletes. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct find_deletes {
        bool deletes;           /* some file can reach a deleting action: -delete, -exec rm, or a
                                 * print when the output goes to xargs rm */
        bool sockets;           /* a socket can */
        uint64_t age_usec;      /* only files at least this old (-mtime +N and friends outside !
                                 * and -o); 0 for any age */
        const char *age_by;     /* "mtime", "atime" or "ctime"; NULL for any age */
        size_t first_path;      /* the starting points: ARGV[first_path] on, ... */
        size_t n_paths;         /* ... this many */
} find_deletes;

/* ARGV: find's arguments, after "find" itself. PIPED_TO_RM: its output
 * goes to xargs rm. An expression that cannot be read counts as deleting
 * sockets too, at any age, when it names a deleting action at all. */
int find_argv_read(char **argv, size_t n, bool piped_to_rm, find_deletes *ret);

/* CMD is rm or unlink (by its base name): what -exec and xargs run to
 * delete files. */
bool command_removes(const char *cmd);
