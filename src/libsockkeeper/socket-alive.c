/* SPDX-License-Identifier: MIT */
/* Is a socket file alive, that is, bound by some socket? sock_diag says
 * so for every network namespace this process can look into; for the
 * others (a unit without CAP_SYS_ADMIN, a hidden /proc) a connect()
 * through the file answers, since a connection through the filesystem
 * reaches a listener in any namespace. Whatever cannot be told counts as
 * alive: every caller destroys something (a name, an anchor) when dead. */

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fs-safe.h"
#include "macro.h"
#include "socket-alive.h"
#include "unix-diag.h"

/* Connects to the inode ID at NAME in DIR_FD through its pinned fd, so
 * that nothing swapped in at the name is asked instead. */
static int probe(int dir_fd, const char *name, inode_id id) {
        _cleanup_close_ int pin = -EBADF, fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        pin = fs_open_ours(dir_fd, name, id);
        if (pin < 0)
                return 1; /* gone or replaced meanwhile: cannot tell */
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%i", pin);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return 1;
        /* Only ECONNREFUSED is dead: EAGAIN is a full backlog, EPROTOTYPE
         * a socket of another type, EINPROGRESS a connection on its way. */
        return connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 && errno == ECONNREFUSED ? 0 : 1;
}

int socket_file_alive(int dir_fd, const char *name, inode_id id) {
        bool complete = false;
        int r;

        r = unix_diag_find_bound(id, NULL, NULL, &complete);
        if (r > 0)
                return 1;
        if (r == 0 && complete)
                return 0;
        if (r < 0 && r != -EOPNOTSUPP)
                return 1;
        return probe(dir_fd, name, id);
}
