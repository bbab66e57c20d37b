/* SPDX-License-Identifier: MIT */
#pragma once

/* Paths, and files of a tree under a root directory. */

#include <dirent.h>
#include <limits.h>
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
/* Copies the next component of *P (slashes and "." skipped) into NAME and
 * moves *P past it: 1, 0 at the end, -ENAMETOOLONG. */
int path_next_name(const char **p, char name[static NAME_MAX + 1]);

/* Files under a root directory: symlinks resolve inside ROOT (openat2
 * RESOLVE_IN_ROOT), as they would if ROOT were "/". ROOT NULL or "/" is the
 * live system. Where openat2() is missing or refused, root_chase() does
 * the same walk. */
int root_open(const char *root, const char *path, int flags);
/* The directory PATH under ROOT, resolved as root_open() does. */
int root_opendir(const char *root, const char *path, DIR **ret);

/* Opens PATH below the directory ROOT_FD as openat2() with RESOLVE_IN_ROOT
 * does, one component at a time: ".." stops at ROOT_FD, a symlink's target
 * resolves below ROOT_FD again (an absolute one from ROOT_FD itself), and
 * more than 40 symlinks are -ELOOP. FLAGS as for openat(), without O_CREAT;
 * O_NOFOLLOW applies to the last component. RET_PATH, when not NULL, gets
 * the resolved path relative to ROOT_FD, such as "/usr/lib/x". */
int root_chase(int root_fd, const char *path, int flags, char **ret_path);
/* PATH with its symlinks resolved inside ROOT, as root_chase() walks it;
 * -ENOENT when a part is missing. */
int root_resolve(const char *root, const char *path, char **ret);

/* No configuration file is this big: a larger one (a link to /dev/zero, a
 * log put there by mistake) is refused rather than read into memory. */
#define ROOT_FILE_MAX (16U * 1024U * 1024U)

/* PATH under ROOT, whole and NUL-terminated, for every reader of
 * configuration. Only a regular file, or /dev/null (empty): -EISDIR for a
 * directory, -EBADFD for anything else (a FIFO or a socket is never waited
 * on), -EFBIG beyond ROOT_FILE_MAX. */
int root_read_file(const char *root, const char *path, char **ret, size_t *ret_len);
/* FD read to its end into a NUL-terminated string: at most MAX bytes,
 * -EFBIG beyond (no more than MAX + 1 is read). HINT is the room to start
 * with (the file's size, say). */
int read_full_fd(int fd, size_t max, size_t hint, char **ret, size_t *ret_len);
/* Why root_read_file() failed, in words: "not a regular file" and
 * "larger than 16 MiB" where strerror() would say something puzzling. */
const char *root_read_strerror(int r);
/* lstat() of PATH under ROOT: its last component is not followed, what
 * leads to it resolves as root_open() resolves it, and so does a last
 * "..", which never names what holds ROOT. */
int root_lstat(const char *root, const char *path, struct stat *ret);

/* The struct stat that lstat() would have filled, from a statx() with
 * at least STATX_BASIC_STATS. */
void stat_from_statx(const struct statx *stx, struct stat *ret);
