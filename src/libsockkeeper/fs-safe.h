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

/* Adds the mode bits SET to, and takes CLEAR from, the mode that the
 * inode ID at NAME has now; never restores bits that someone else took
 * away. *RET_MODE (may be NULL) gets the mode it has afterwards.
 * Returns 1 when it changed the mode, 0 when there was nothing to do. */
int fs_update_mode_ours(int dir_fd, const char *name, inode_id id, mode_t set, mode_t clear, mode_t *ret_mode);

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

/* Whether no other user can replace or rename what is in the directory
 * ST: owned by root or by us, and either closed to group and others or
 * sticky (where only an entry's owner may remove it). */
bool fs_dir_is_safe_parent(const struct stat *st);

/* Whether the entry CHILD of the directory PARENT can have been put there
 * by nobody but root or us: PARENT is closed to others, or it is sticky
 * and CHILD is owned by root or us. */
bool fs_entry_is_trusted(const struct stat *parent, const struct stat *child);

/* Opens the absolute directory PATH from "/" one component at a time,
 * never through an entry that another user could have put there
 * (fs_entry_is_trusted), symlinks included: a symlink is followed only
 * when it passes that test itself. With MKDIR_MODE non-zero, a missing
 * last component is created with that mode. Returns an
 * O_RDONLY|O_DIRECTORY fd, -EPERM for an untrusted step, -ELOOP for too
 * many symlinks or one that does not lead to a directory. */
int fs_open_dir_trusted(const char *path, mode_t mkdir_mode);
