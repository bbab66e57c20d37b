/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "fs-safe.h"

/* Asks the kernel (NETLINK_SOCK_DIAG, UNIX_DIAG_VFS) which filesystem inode
 * the AF_UNIX socket FD is bound to. The kernel reports only 32 bits of the
 * inode number; compare with unix_diag_matches(). -EOPNOTSUPP when the
 * kernel has no unix_diag, -ENOENT for a socket without a file. */
int unix_diag_vfs_id(int fd, inode_id *ret);

/* Lists the files of every bound AF_UNIX socket in this network namespace
 * (32-bit inode numbers, as above). The caller frees *RET. */
int unix_diag_bound_ids(inode_id **ret, size_t *ret_n);

static inline bool unix_diag_matches(inode_id diag, inode_id st) {
        return diag.dev == st.dev && (uint32_t) diag.ino == (uint32_t) st.ino;
}
