/* SPDX-License-Identifier: MIT */
#pragma once

/* Writing configuration files atomically, never through a symlink, and
 * never over a file the tool did not write. Failures are logged with the
 * path shown (DISPLAY) and returned as a negative errno. */

#include <stdbool.h>
#include <stddef.h>

typedef enum atomic_flags {
        ATOMIC_REPLACE = 1 << 0,        /* replace a file at NAME */
        ATOMIC_NO_SYNC = 1 << 1,        /* no fsync(): for tmpfs, where it buys nothing */
} atomic_flags;

/* Writes DATA as NAME in DIR_FD, mode 0644, through an unnamed O_TMPFILE
 * (a hidden named one where the filesystem lacks it) that is synced
 * before it takes the name. Without ATOMIC_REPLACE, a file that appeared
 * at NAME meanwhile is not replaced (-EEXIST). Does not log. */
int atomic_write_at(int dir_fd, const char *name, const char *data, size_t size, atomic_flags flags);

/* Looks at NAME in DIR_FD without following a symlink. Returns 0 when
 * nothing is there, 1 for a regular file that may be replaced (with MARK,
 * only one that starts with MARK: the writer's own first line), or logs
 * why not ("... not written by WRITER") and returns a negative errno. */
int atomic_check_target(int dir_fd, const char *name, const char *display, const char *mark, const char *writer);

/* atomic_check_target(), then atomic_write_at() where it allows: DATA as
 * a new NAME, or over a file that may be replaced. What stands in the way
 * or fails is logged with DISPLAY. */
int atomic_install_at(int dir_fd, const char *name, const char *display, const char *mark, const char *writer,
                      const char *data, size_t size);

/* atomic_install_at() with FLAGS for the write (ATOMIC_NO_SYNC; whether
 * to replace is the target check's to say). */
int atomic_install_full(int dir_fd, const char *name, const char *display, const char *mark, const char *writer,
                        const char *data, size_t size, atomic_flags flags);

/* Opens directory NAME in PARENT_FD, creating it (0755, as the umask
 * allows) when missing, without following a symlink at NAME. */
int atomic_open_or_make_dir(int parent_fd, const char *name, const char *display, int *ret_fd);

/* Opens DIR (absolute, root-relative) under ROOT (NULL for "/") one
 * component at a time, never following a symlink below ROOT; with CREATE,
 * missing directories are made as above. Without CREATE, a missing one is
 * -ENOENT, not logged. */
int atomic_open_dir_under_root(const char *root, const char *dir, bool create, int *ret_fd);
