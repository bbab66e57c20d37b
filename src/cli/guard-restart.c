/* SPDX-License-Identifier: MIT */
/* When relink is impossible, the guard restarts the unit that owns the
 * socket (unit-bus.c). Without a unit name, the unit is found here, from
 * the process that holds the socket. */

#include <errno.h>
#include <unistd.h>

#include "guard.h"
#include "socket-owners.h"
#include "unix-diag.h"

/* The socket's own inode (socket:[N] in /proc/PID/fd) for the file DEV:INO. */
static int socket_inode_of(uint64_t dev, uint64_t ino, uint32_t *ret) {
        unix_socket_info *s = NULL;
        inode_id file = { .dev = (dev_t) dev, .ino = (ino_t) ino };
        size_t n = 0;
        int r;

        r = unix_diag_list(UNIX_DIAG_ALL_NETNS, &s, &n, NULL);
        if (r < 0)
                return r;
        r = -ENOENT;
        for (size_t i = 0; i < n; i++)
                if (s[i].has_vfs && unix_diag_matches(s[i].vfs, file)) {
                        *ret = s[i].sock_ino;
                        r = 0;
                        break;
                }
        unix_socket_info_free_many(s, n);
        return r;
}

int guard_find_holder_unit(uint64_t dev, uint64_t ino, pid_t *ret_pid, char **ret_unit) {
        _cleanup_(socket_owners_done) socket_owners o = {};
        uint32_t sock_ino;
        int r;

        r = socket_inode_of(dev, ino, &sock_ino);
        if (r < 0)
                return r;
        r = socket_owners_load(&o, "/proc");
        if (r < 0)
                return r;
        return socket_owners_system_unit(&o, "/proc", sock_ino, getpid(), ret_pid, ret_unit);
}
