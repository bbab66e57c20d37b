/* SPDX-License-Identifier: MIT */
/* Logging for sockkeeper-generator. A generator runs before the journal,
 * so, like systemd's generators, it writes "<PRI>ident[PID]: message" to
 * /dev/kmsg, where the journal picks it up later; stderr when kmsg cannot
 * be opened (a container, an unprivileged test) or when
 * SYSTEMD_LOG_TARGET=console says so. SYSTEMD_LOG_LEVEL takes systemd's
 * names (debug, info, notice, warning, err, ...) or a number. */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generator-log.h"

static const char *ident = "sockkeeper-generator";
static int max_level = LOG_INFO;
static int kmsg_fd = -EBADF;
static bool want_kmsg = true;

static int level_from_string(const char *s) {
        static const char *const names[] = { "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug" };
        char *end;
        long v;

        for (int i = 0; i < (int) ELEMENTSOF(names); i++)
                if (streq(s, names[i]))
                        return i;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno == 0 && end != s && !*end && v >= 0 && v <= LOG_DEBUG)
                return (int) v;
        return -EINVAL;
}

void glog_setup(const char *name) {
        const char *target = getenv("SYSTEMD_LOG_TARGET"), *level = getenv("SYSTEMD_LOG_LEVEL");

        ident = name;
        if (level) {
                int l = level_from_string(level);
                if (l >= 0)
                        max_level = l;
        }
        /* journal* has no journal this early: kmsg is where systemd's own
         * generators send it too. */
        if (target && (streq(target, "console") || streq(target, "console-prefixed")))
                want_kmsg = false;
        if (want_kmsg) {
                kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
                if (kmsg_fd < 0)
                        want_kmsg = false;
        }
}

void glog_close(void) {
        kmsg_fd = safe_close(kmsg_fd);
}

int glog_level(void) {
        return max_level;
}

int glog(int level, int error, const char *fmt, ...) {
        char msg[2048];
        va_list ap;
        int n;

        if (level > max_level)
                return -abs(error);
        va_start(ap, fmt);
        n = vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (n < 0)
                return -abs(error);
        if (error && (size_t) n < sizeof(msg))
                snprintf(msg + n, sizeof(msg) - (size_t) n, ": %s", strerror(abs(error)));

        if (kmsg_fd >= 0) {
                /* One write() is one record. Not dprintf(): glibc's lseek()s
                 * the fd first, which /dev/kmsg refuses with EINVAL. */
                char rec[sizeof(msg) + 128];
                int k = snprintf(rec, sizeof(rec), "<%d>%s[%d]: %s\n", LOG_DAEMON | level, ident, (int) getpid(), msg);

                if (k > 0 && write(kmsg_fd, rec, (size_t) k < sizeof(rec) ? (size_t) k : sizeof(rec) - 1) > 0)
                        return -abs(error);
        }
        fprintf(stderr, "%s\n", msg);
        return -abs(error);
}
