/* SPDX-License-Identifier: MIT */
#pragma once

/* Socket paths inside raw unit-file values (ExecStart=, Environment=, ...):
 * finding the absolute paths that look like sockets, and rewriting one
 * path to another without touching the rest of the value. */

#include <stdbool.h>
#include <stddef.h>

typedef struct sockpath_span {
        size_t start;   /* byte offset in the value */
        size_t len;
} sockpath_span;

/* The absolute paths in VALUE: a run of path characters (letters, digits,
 * "._-/%@+~") that starts with '/' after a character that is not one, with
 * a run of slashes counted as its last one ("unix:///tmp/a" gives
 * "/tmp/a"). RET is NULL when there are none; returns the count. */
int sockpath_find(const char *value, sockpath_span **ret);

/* The file name looks like a socket's: it contains "sock" (*.sock,
 * *.socket, *sock*), in any case. */
bool sockpath_looks_like_socket(const char *path);

/* VALUE with every path that is exactly OLD (as sockpath_find() delimits
 * them) replaced by NEW. Returns the number of replacements, and sets RET
 * only when there was one. */
int sockpath_replace(const char *value, const char *old, const char *new, char **ret);
