/* SPDX-License-Identifier: MIT */
#pragma once

/* Paths, and files of a tree under a root directory. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* ROOT NULL, "" or "/": the live system rather than a tree under a root. */
bool root_is_live(const char *root);

/* ROOT + PATH for opening a file of the tree; PATH is absolute. */
char *path_join_root(const char *root, const char *path);

/* "/a/b" -> "/a", "/a" -> "/"; NULL for a path without '/'. */
char *path_parent(const char *path);

/* "/a" + "b" -> "/a/b", "/" + "b" -> "/b"; NULL when out of memory. */
char *path_join(const char *dir, const char *name);

/* "/a/b" -> "/a" and "b", "/x" -> "/" and "x". -EINVAL for a relative
 * path, or one that ends in "/", "." or "..". */
int path_split(const char *path, char **ret_dir, char **ret_name);

/* DIR contains PATH or is it; a trailing '/' on DIR is ignored. */
bool path_is_under(const char *dir, const char *path);

/* "/tmp/./a//b/" -> "/tmp/a/b"; "." and empty components go, ".." stays. */
char *path_normalize(const char *path);
/* PATH has a ".." component: which file it names depends on the symlinks
 * on the way, so no string operation can take it out. */
bool path_has_dotdot(const char *path);
/* PATH is strictly below DIR (both normalized). */
bool path_below(const char *dir, const char *path);

/* Files under a root directory: symlinks resolve inside ROOT (openat2
 * RESOLVE_IN_ROOT), as they would if ROOT were "/". ROOT NULL or "/" is the
 * live system. */
int root_open(const char *root, const char *path, int flags);
int root_read_file(const char *root, const char *path, char **ret, size_t *ret_len);
int root_lstat(const char *root, const char *path, struct stat *ret);

/* The struct stat that lstat() would have filled, from a statx() with
 * at least STATX_BASIC_STATS. */
void stat_from_statx(const struct statx *stx, struct stat *ret);
