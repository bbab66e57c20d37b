/* SPDX-License-Identifier: MIT */
/* What heal does to a holder, and how it tells that a path answers again.
 * A signal goes through a pidfd taken before the holder is checked once
 * more, so that a PID reused since the scan is never signalled. A user's
 * service manager is asked by a child that has become that user: its bus
 * admits its own user, and nothing runs as root on its word. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heal.h"
#include "macro.h"
#include "path-util.h"
#include "socket-owners.h"
#include "strv.h"

bool process_is_tmux(pid_t pid) {
        char link[64], exe[PATH_MAX];
        const char *base;
        ssize_t n;

        snprintf(link, sizeof(link), "/proc/%d/exe", (int) pid);
        n = readlink(link, exe, sizeof(exe) - 1);
        if (n <= 0)
                return false;
        exe[n] = '\0';
        /* A binary replaced by an upgrade while it runs. */
        if (has_suffix(exe, " (deleted)"))
                exe[n - strlen(" (deleted)")] = '\0';
        base = strrchr(exe, '/');
        return streq(base ? base + 1 : exe, "tmux");
}

int heal_signal_tmux(pid_t pid, uint32_t ino, char **ret_why) {
        _cleanup_close_ int pidfd = -EBADF;
        int r;

        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0 && errno != ENOSYS) {
                r = -errno;
                if (asprintf(ret_why, "PID %d: %s", (int) pid, r == -ESRCH ? "gone" : strerror(-r)) < 0)
                        *ret_why = NULL;
                return r;
        }
        /* With the pidfd held, PID names this process until it is closed:
         * what is checked now is what gets the signal. */
        r = process_holds_socket("/proc", pid, ino);
        if (r <= 0 || !process_is_tmux(pid)) {
                if (asprintf(ret_why, "PID %d no longer holds the socket as tmux; not signalled", (int) pid) < 0)
                        *ret_why = NULL;
                return r < 0 ? r : -ESRCH;
        }
        if (pidfd >= 0)
                r = (int) syscall(SYS_pidfd_send_signal, pidfd, SIGUSR1, NULL, 0);
        else
                r = kill(pid, SIGUSR1); /* no pidfd_open (before Linux 5.3): checked just before */
        if (r < 0) {
                r = -errno;
                if (asprintf(ret_why, "SIGUSR1 to PID %d: %s", (int) pid, strerror(-r)) < 0)
                        *ret_why = NULL;
                return r;
        }
        return 0;
}

/* What a child reports of a user's manager. */
typedef struct user_reply {
        int r;
        char unit[256];
        char running[2048];     /* NUL-separated, ending in an empty one */
        char why[1024];
} user_reply;

static void copy_string(char *dst, size_t size, const char *src) {
        snprintf(dst, size, "%s", src ?: "");
}

/* The child: becomes UID, connects to its manager, does the work. */
static void user_child(uid_t uid, const char *path, const char *unit, uint64_t stop_wait_usec, user_reply *rep) {
        _cleanup_free_ char *bus_path = NULL, *private_path = NULL, *address = NULL, *why = NULL, *found = NULL;
        struct passwd *pw = getpwuid(uid);
        gid_t gid = pw ? pw->pw_gid : (gid_t) uid;
        unit_bus *b = NULL;
        char **running = NULL;
        size_t n_running = 0;
        struct stat st;
        bool direct;
        int r;

        if (geteuid() != uid &&
            ((pw ? initgroups(pw->pw_name, gid) : setgroups(0, NULL)) < 0 || setresgid(gid, gid, gid) < 0 ||
             setresuid(uid, uid, uid) < 0)) {
                rep->r = -EHOSTUNREACH;
                snprintf(rep->why, sizeof(rep->why), "cannot become user %u to ask its manager: %s", (unsigned) uid,
                         strerror(errno));
                return;
        }
        if (asprintf(&bus_path, "/run/user/%u/bus", (unsigned) uid) < 0 ||
            asprintf(&private_path, "/run/user/%u/systemd/private", (unsigned) uid) < 0) {
                rep->r = -ENOMEM;
                return;
        }
        /* Its bus when it has one (dbus-user-session), else the manager's
         * own socket, as systemctl --user falls back to it. */
        direct = !(lstat(bus_path, &st) >= 0 && S_ISSOCK(st.st_mode));
        if (direct && !(lstat(private_path, &st) >= 0 && S_ISSOCK(st.st_mode))) {
                rep->r = -EHOSTUNREACH;
                snprintf(rep->why, sizeof(rep->why), "no service manager of user %u is reachable (neither %s nor %s)",
                         (unsigned) uid, bus_path, private_path);
                return;
        }
        if (asprintf(&address, "unix:path=%s", direct ? private_path : bus_path) < 0 ||
            unit_bus_new_address(&b, address, !direct) < 0) {
                rep->r = -ENOMEM;
                return;
        }
        if (unit) {
                r = unit_bus_restart(&b, unit, stop_wait_usec, &why);
        } else {
                r = unit_bus_socket_unit(&b, path, &found, &running, &n_running, &why);
                if (r >= 0) {
                        size_t at = 0;

                        copy_string(rep->unit, sizeof(rep->unit), found);
                        for (size_t i = 0; i < n_running && at + strlen(running[i]) + 2 < sizeof(rep->running); i++) {
                                memcpy(rep->running + at, running[i], strlen(running[i]) + 1);
                                at += strlen(running[i]) + 1;
                        }
                        strv_free_n(running, n_running);
                }
        }
        if (r < 0 && why && strncmp(why, "cannot connect", strlen("cannot connect")) == 0)
                r = -EHOSTUNREACH;
        rep->r = r;
        copy_string(rep->why, sizeof(rep->why), why);
        unit_bus_free(b);
}

static int as_user(uid_t uid, const char *path, const char *unit, uint64_t stop_wait_usec, user_reply *rep) {
        _cleanup_close_ int rfd = -EBADF, wfd = -EBADF;
        int fds[2], status;
        size_t got = 0;
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        rfd = fds[0];
        wfd = fds[1];
        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                user_reply r = {};

                user_child(uid, path, unit, stop_wait_usec, &r);
                (void) !write(wfd, &r, sizeof(r));
                _exit(0);
        }
        wfd = safe_close(wfd);
        *rep = (user_reply) {};
        while (got < sizeof(*rep)) {
                ssize_t n = read(rfd, (char *) rep + got, sizeof(*rep) - got);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                got += (size_t) n;
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (got != sizeof(*rep))
                return -EPROTO;
        rep->unit[sizeof(rep->unit) - 1] = rep->why[sizeof(rep->why) - 1] = '\0';
        rep->running[sizeof(rep->running) - 2] = rep->running[sizeof(rep->running) - 1] = '\0';
        return 0;
}

static int take_why(const user_reply *rep, char **ret_why) {
        if (rep->why[0]) {
                free(*ret_why);
                *ret_why = strdup(rep->why);
        }
        return rep->r;
}

int heal_user_socket_unit(uid_t uid, const char *path, char **ret_unit, char ***ret_running, size_t *ret_n_running,
                          char **ret_why) {
        char **running = NULL;
        size_t n = 0;
        user_reply rep;
        int r;

        r = as_user(uid, path, NULL, 0, &rep);
        if (r < 0)
                return r;
        if (rep.r < 0)
                return take_why(&rep, ret_why);
        for (const char *t = rep.running; *t; t += strlen(t) + 1)
                if (strv_extend(&running, &n, t) < 0) {
                        strv_free_n(running, n);
                        return -ENOMEM;
                }
        *ret_unit = strdup(rep.unit);
        if (!*ret_unit) {
                strv_free_n(running, n);
                return -ENOMEM;
        }
        *ret_running = running;
        *ret_n_running = n;
        return 0;
}

int heal_user_restart(uid_t uid, const char *unit, uint64_t stop_wait_usec, char **ret_why) {
        user_reply rep;
        int r;

        r = as_user(uid, NULL, unit, stop_wait_usec, &rep);
        if (r < 0)
                return r;
        return take_why(&rep, ret_why);
}

bool heal_connects(const char *path, int type) {
        _cleanup_close_ int fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t len = strlen(path);

        if (len >= sizeof(sa.sun_path))
                return false;
        memcpy(sa.sun_path, path, len);
        fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return false;
        if (connect(fd, (struct sockaddr *) &sa, offsetof(struct sockaddr_un, sun_path) + len + 1) >= 0)
                return true;
        /* A full backlog: someone listens there, busy. */
        return errno == EAGAIN || errno == EINPROGRESS;
}
