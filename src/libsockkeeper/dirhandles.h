/* SPDX-License-Identifier: MIT */
#pragma once

/* Directories that many keepers of one process use (a /tmp with 10,000
 * kept sockets, the state directory that holds their anchors), opened
 * once and shared, so that the fds a process needs grow with the number
 * of directories, not of paths; and what a process has done once per
 * directory (swept its anchors), so that start-up stays linear. All of it
 * is safe to use from several threads. */

#include <stdbool.h>
#include <sys/stat.h>

typedef enum dirhandle_kind {
        DIRHANDLE_PATH,         /* O_PATH: a directory looked at or watched */
        DIRHANDLE_ANCHORS,      /* O_RDONLY with a shared flock: an anchor directory in use */
        _DIRHANDLE_KIND_MAX,
} dirhandle_kind;

/* Takes FD (a directory) and returns the process's shared fd for that
 * directory and KIND: FD itself when it is the first, else FD is closed
 * and the shared one returned; one more reference either way. An
 * ANCHORS handle takes its shared flock when it is first shared. A
 * negative FD is returned as it is. */
int dirhandle_share(int fd, dirhandle_kind kind);

/* Drops a reference taken by dirhandle_share(); the fd is closed with
 * the last. Returns -EBADF, for "fd = dirhandle_release(fd)". */
int dirhandle_release(int fd);

/* How many references the shared FD has (0: not shared). */
unsigned dirhandle_refs(int fd);

/* Whether this is the first time this process does TAG with the
 * directory ST: true once, false after. */
typedef enum dirhandle_once {
        DIRHANDLE_SWEPT,        /* dead anchors removed from it */
        DIRHANDLE_SEARCHED,     /* an ancestor searched for our anchor directories */
        _DIRHANDLE_ONCE_MAX,
} dirhandle_once;
bool dirhandle_first(const struct stat *st, dirhandle_once tag);

/* A name remembered for the directory ST: which directory of ours in it
 * holds anchors, so that the next keeper needs no listing. The caller
 * frees what dirhandle_note() returns (NULL: nothing known). */
void dirhandle_set_note(const struct stat *st, const char *name);
char *dirhandle_note(const struct stat *st);
