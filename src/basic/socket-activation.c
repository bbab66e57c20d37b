/* SPDX-License-Identifier: MIT */
/* Socket activation as systemd(1) does it (sd_listen_fds(3)): LISTEN_PID
 * names the process the fds are for, LISTEN_FDS how many, from fd 3 on.
 * The same answers as libsystemd's, which the unit tests compare. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "macro.h"
#include "socket-activation.h"

/* A decimal number as systemd's safe_atoi() takes it: digits with an
 * optional sign, nothing after them, within an int. */
static int parse_int(const char *s, int *ret) {
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno > 0)
                return -errno;
        if (end == s || *end)
                return -EINVAL;
        if (v < INT_MIN || v > INT_MAX)
                return -ERANGE;
        *ret = (int) v;
        return 0;
}

/* A pid as systemd's parse_pid() takes it: no sign, not 0, within pid_t. */
static int parse_pid(const char *s, pid_t *ret) {
        char *end;
        unsigned long v;

        s += strspn(s, WHITESPACE);
        if (*s == '-')
                return -ERANGE;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno > 0)
                return -errno;
        if (end == s || *end)
                return -EINVAL;
        if (v == 0 || v > INT_MAX)
                return -ERANGE;
        *ret = (pid_t) v;
        return 0;
}

int listen_fds(void) {
        const char *e;
        pid_t pid;
        int n, r;

        e = getenv("LISTEN_PID");
        if (!e)
                return 0;
        r = parse_pid(e, &pid);
        if (r < 0)
                return r;
        if (pid != getpid())
                return 0; /* for another process (a parent that forked us) */
        e = getenv("LISTEN_FDS");
        if (!e)
                return 0;
        r = parse_int(e, &n);
        if (r < 0)
                return r;
        if (n <= 0 || n > INT_MAX - LISTEN_FDS_START)
                return -EINVAL;
        for (int fd = LISTEN_FDS_START; fd < LISTEN_FDS_START + n; fd++) {
                int flags = fcntl(fd, F_GETFD);

                if (flags < 0)
                        return negative_errno();
                if (!(flags & FD_CLOEXEC) && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
                        return negative_errno();
        }
        return n;
}

int fd_is_unix_socket(int fd, int type, int listening, const char *path, size_t length) {
        struct sockaddr_un sa = {};
        socklen_t l = sizeof(sa);
        struct stat st;

        if (fd < 0)
                return -EBADF;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISSOCK(st.st_mode))
                return 0;
        if (type != 0) {
                int other = 0;
                socklen_t k = sizeof(other);

                if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &other, &k) < 0)
                        return negative_errno();
                if (k != sizeof(other))
                        return -EINVAL;
                if (other != type)
                        return 0;
        }
        if (listening >= 0) {
                int accepting = 0;
                socklen_t k = sizeof(accepting);

                if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &k) < 0)
                        return negative_errno();
                if (k != sizeof(accepting))
                        return -EINVAL;
                if (!accepting != !listening)
                        return 0;
        }
        if (getsockname(fd, (struct sockaddr *) &sa, &l) < 0)
                return negative_errno();
        if (l < sizeof(sa_family_t))
                return -EINVAL;
        if (sa.sun_family != AF_UNIX)
                return 0;
        if (!path)
                return 1;
        if (length == 0)
                length = strlen(path);
        if (length == 0) /* unnamed */
                return l == offsetof(struct sockaddr_un, sun_path);
        if (path[0]) /* a file: the name and its NUL */
                return l >= offsetof(struct sockaddr_un, sun_path) + length + 1 &&
                       memcmp(path, sa.sun_path, length + 1) == 0;
        /* abstract: exactly that long */
        return l == offsetof(struct sockaddr_un, sun_path) + length && memcmp(path, sa.sun_path, length) == 0;
}
