/* SPDX-License-Identifier: MIT */
#pragma once

/* One command of a cron job, once the shell has expanded it: what runs
 * the real command, and what find, rm, tmpreaper and tmpwatch delete,
 * read the way each tool reads its arguments. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Something the command deletes. */
typedef struct cleaner_target {
        const char *tool;       /* "find", "rm", "tmpreaper", "tmpwatch" */
        const char *path;       /* as the command names it: a path, or a glob (see glob) */
        bool glob;              /* PATH is a pattern as the shell expands it (rm's unquoted * ? [) */
        bool recursive;         /* what is below it goes too */
        bool sockets;           /* sockets too (find without -type f, rm, tmpreaper --all) */
        uint64_t age_usec;      /* only files older than this (find -mtime +N, tmpreaper <time>); 0 any age */
        const char *age_by;     /* "mtime", "atime", ...; NULL for any age */
} cleaner_target;

typedef int (*cleaner_target_fn)(const cleaner_target *t, void *userdata);

/* Steps over what runs the real command in ARGV: keywords, assignments,
 * and wrappers such as nice, ionice, timeout, flock, env, sudo. Returns the
 * index of the command (N when there is none). */
size_t cleaner_argv_skip_wrappers(char **argv, size_t n);

/* ARGV[0] is a command (wrappers skipped); PATTERNS, parallel to ARGV, are
 * the fields' pathname patterns (NULL where a field has none). When it is
 * find, rm, tmpreaper or tmpwatch, FN is called for each thing it deletes
 * and 1 is returned; 0 for any other command. PIPED_TO_RM: find's output
 * goes to xargs rm. */
int cleaner_argv_read(char **argv, char **patterns, size_t n, bool piped_to_rm, cleaner_target_fn fn,
                      void *userdata);

/* ARGV (wrappers skipped) is xargs running rm or unlink: whatever names it
 * reads are deleted. */
bool cleaner_argv_xargs_removes(char **argv, size_t n);

/* ARGV[0] is a command that runs a shell string: sh -c '...', su -c,
 * runuser -c, start-stop-daemon --startas /bin/sh -- -c '...'. The index
 * of the string, or SIZE_MAX. */
size_t cleaner_argv_shell_string(char **argv, size_t n);
