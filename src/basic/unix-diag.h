/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "inode-id.h"

/* Asks the kernel (NETLINK_SOCK_DIAG, UNIX_DIAG_VFS) which filesystem inode
 * the AF_UNIX socket FD is bound to. The kernel reports only 32 bits of the
 * inode number; compare with unix_diag_matches(). -EOPNOTSUPP when the
 * kernel has no unix_diag, -ENOENT for a socket without a file. */
int unix_diag_vfs_id(int fd, inode_id *ret);

static inline bool unix_diag_matches(inode_id diag, inode_id st) {
        return diag.dev == st.dev && (uint32_t) diag.ino == (uint32_t) st.ino;
}

/* A socket bound to a file: the file (32-bit inode number, as above) and
 * the user that created the socket ((uid_t) -1 when the kernel does not
 * say), which a chown of the file does not change. */
typedef struct unix_bound {
        inode_id vfs;
        uid_t uid;
        bool listening;         /* unix_diag_find_bound() only */
        bool name_is_path;      /* unix_diag_find_bound() only: bound by exactly that name */
} unix_bound;

/* Every socket bound to a file, in this network namespace and in every
 * other one of the machine's processes that this process may enter
 * (CAP_SYS_ADMIN). *RET_COMPLETE (may be NULL) tells whether every
 * namespace was seen: when not, a socket missing from the list may still
 * be bound somewhere. The list comes from two dumps (a socket may be
 * listed twice), so that one skipped while others close is most likely
 * still in it; a caller that destroys something for a socket missing
 * from it asks unix_diag_find_bound() first. The caller frees *RET. */
int unix_diag_bound_all(unix_bound **ret, size_t *ret_n, bool *ret_complete);

/* Whether a socket in any of those namespaces is bound to FILE: 1 (and
 * *RET, which may be NULL; with PATH, whether it was bound by exactly
 * that name), 0 (after a second look), or a negative errno when the
 * kernel cannot tell (-EOPNOTSUPP without unix_diag). *RET_COMPLETE as
 * above: 0 with incomplete means "not where we could look". */
int unix_diag_find_bound(inode_id file, const char *path, unix_bound *ret, bool *ret_complete);

/* One bound AF_UNIX socket, as sock_diag describes it. */
typedef struct unix_socket_info {
        uint32_t sock_ino;      /* the socket's own inode, as in /proc/PID/fd/N -> socket:[N] */
        int type;               /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
        bool listening;         /* state TCP_LISTEN */
        bool has_vfs;           /* bound to a file: */
        bool other_netns;       /* in another network namespace than the caller's */
        char *name;             /* the bind address: a path, "@name" for abstract, NULL when unnamed */
        inode_id vfs;           /* ... this one (32-bit inode number, see unix_diag_matches) */
        uint64_t netns;         /* its network namespace: the nsfs inode, as in /proc/PID/ns/net -> net:[N]
                                 * (0 when /proc cannot say) */
} unix_socket_info;

typedef enum unix_diag_netns {
        UNIX_DIAG_OWN_NETNS = 1 << 0,   /* the caller's network namespace */
        UNIX_DIAG_OTHER_NETNS = 1 << 1, /* every other one that a process of the machine is in */
        UNIX_DIAG_ALL_NETNS = UNIX_DIAG_OWN_NETNS | UNIX_DIAG_OTHER_NETNS,
} unix_diag_netns;

/* Lists every AF_UNIX socket with a name in the network namespaces WHICH
 * says, ours first. The other namespaces are those of unix_diag_bound_all(),
 * and *RET_COMPLETE (may be NULL) tells as there whether every one of them
 * was seen. */
int unix_diag_list(unix_diag_netns which, unix_socket_info **ret, size_t *ret_n, bool *ret_complete);
void unix_socket_info_free_many(unix_socket_info *s, size_t n);

/* One socket, to be asked about again by its number and cookie: exact,
 * and 0.2 ms instead of a dump of every socket of the machine (7 ms at
 * 10,000). In another network namespace, through a process that was in
 * it (whose namespace is checked again: never another one's). */
typedef struct unix_sock_ref {
        uint32_t ino;
        uint32_t cookie[2];
        uint64_t netns;         /* 0: ours; else its nsfs inode */
        pid_t pid;              /* 0: ours; else a process in it */
} unix_sock_ref;

/* The socket bound to FILE in this network namespace or another that
 * this process may enter: 1 and *RET, 0 when there is none where it
 * could look, or a negative errno. One dump of each serves every call
 * within a second; FILE_CHANGED_USEC, the file's ctime (CLOCK_REALTIME),
 * tells whether that dump may predate the file. */
int unix_diag_identify(inode_id file, uint64_t file_changed_usec, unix_sock_ref *ret);

/* Whether the socket REF still exists and is bound to FILE: 1, 0, or a
 * negative errno when the kernel cannot say (-ESRCH: its namespace is
 * out of reach now). */
int unix_diag_ref_bound(const unix_sock_ref *ref, inode_id file);
