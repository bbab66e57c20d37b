/* SPDX-License-Identifier: MIT */
/* Socket activation as systemd documents it in sd_listen_fds(3) and
 * sd_is_socket(3): LISTEN_PID names the process the fds are for,
 * LISTEN_FDS how many, from fd 3 on; a socket's name is told apart as
 * unix(7) describes the three kinds. Written from those pages; the unit
 * tests compare every answer with libsystemd's. */

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

/* A decimal number: blanks and a sign before the digits, nothing after
 * them, within an int. libsystemd also takes "0x", "0o" and "0b" numbers
 * and a leading 0 for octal; a service manager writes none of them. */
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

/* A decimal pid: blanks and a '+' may come first, never a '-' or 0. */
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

/* How many fds LISTEN_PID and LISTEN_FDS say were passed to this very
 * process: 0 when the variables are missing or meant for another process
 * (one that forked us, say). */
static int passed_fds(void) {
        const char *for_pid = getenv("LISTEN_PID"), *count;
        pid_t pid;
        int n, r;

        if (!for_pid)
                return 0;
        r = parse_pid(for_pid, &pid);
        if (r < 0)
                return r;
        if (pid != getpid())
                return 0;
        count = getenv("LISTEN_FDS");
        if (!count)
                return 0;
        r = parse_int(count, &n);
        if (r < 0)
                return r;
        /* The fds are LISTEN_FDS_START .. LISTEN_FDS_START + n - 1: each
         * of them must be a valid fd number. */
        if (n < 1 || n > INT_MAX - LISTEN_FDS_START)
                return -EINVAL;
        return n;
}

static int set_cloexec(int fd) {
        int flags = fcntl(fd, F_GETFD);

        if (flags < 0)
                return negative_errno();
        if ((flags & FD_CLOEXEC) || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) >= 0)
                return 0;
        return negative_errno();
}

int listen_fds(void) {
        int n = passed_fds();

        /* Passed on to our own children, they would take them for theirs. */
        for (int i = 0; i < n; i++) {
                int r = set_cloexec(LISTEN_FDS_START + i);

                if (r < 0)
                        return r;
        }
        return n;
}

/* An int-valued SOL_SOCKET option; -EINVAL when the kernel answers with
 * something else than an int. */
static int int_option(int fd, int option, int *ret) {
        int value = 0;
        socklen_t size = sizeof(value);

        if (getsockopt(fd, SOL_SOCKET, option, &value, &size) < 0)
                return negative_errno();
        if (size != sizeof(value))
                return -EINVAL;
        *ret = value;
        return 0;
}

/* Whether the address getsockname() gave (SIZE bytes of SA) is the name
 * PATH of LENGTH bytes, as fd_is_unix_socket() describes it. */
static bool name_is(const struct sockaddr_un *sa, socklen_t size, const char *path, size_t length) {
        const size_t header = offsetof(struct sockaddr_un, sun_path);

        if (length == 0)
                length = strlen(path);
        if (length == 0) /* unix(7) "unnamed": the address is the family alone */
                return size == header;
        if (path[0] == '\0') /* "abstract": every byte counts, up to SIZE and no further */
                return size == header + length && memcmp(sa->sun_path, path, length) == 0;
        /* "pathname": the name and its NUL, whatever the kernel counts after it */
        return size >= header + length + 1 && memcmp(sa->sun_path, path, length + 1) == 0;
}

int fd_is_unix_socket(int fd, int type, int listening, const char *path, size_t length) {
        struct sockaddr_un sa = {};
        socklen_t size = sizeof(sa);
        struct stat st;
        int value, r;

        if (fd < 0)
                return -EBADF;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISSOCK(st.st_mode))
                return 0;
        if (type != 0) {
                r = int_option(fd, SO_TYPE, &value);
                if (r < 0)
                        return r;
                if (value != type)
                        return 0;
        }
        if (listening >= 0) {
                r = int_option(fd, SO_ACCEPTCONN, &value);
                if (r < 0)
                        return r;
                if ((value != 0) != (listening != 0))
                        return 0;
        }
        if (getsockname(fd, (struct sockaddr *) &sa, &size) < 0)
                return negative_errno();
        if (size < sizeof(sa.sun_family))
                return -EINVAL;
        if (sa.sun_family != AF_UNIX)
                return 0;
        return !path || name_is(&sa, size, path, length);
}
