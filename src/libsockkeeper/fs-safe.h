/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "inode-id.h"

/* Opens NAME in DIR_FD as O_PATH without following a symlink, and checks
 * that it is the socket inode ID. -ENOENT when absent, -ELOOP for a
 * symlink, -ESTALE for any other inode. */
int fs_open_ours(int dir_fd, const char *name, inode_id id);

/* chmod() and utimensat(now) on exactly the inode ID; a symlink or any
 * other file swapped in at NAME is refused, never followed. */
int fs_chmod_ours(int dir_fd, const char *name, inode_id id, mode_t mode);
int fs_touch_ours(int dir_fd, const char *name, inode_id id);

/* Unlinks NAME only when it is a socket with inode ID. */
int fs_unlink_ours(int dir_fd, const char *name, inode_id id);

/* Creates directory NAME in PARENT_FD with exactly MODE, UID and GID, and
 * returns an O_PATH fd to it. Refuses (-EEXIST) when anything is already
 * there, so that nothing planted in its place is ever adopted. */
int fs_mkdir_exact(int parent_fd, const char *name, mode_t mode, uid_t uid, gid_t gid, int *ret_fd);

/* Opens (creating with 0700 if missing) a directory that only the
 * effective user can write. Refuses a symlink, a non-directory, and a
 * directory owned by someone else or open to group or others. */
int fs_open_private_dir(int parent_fd, const char *name, int *ret_fd);
