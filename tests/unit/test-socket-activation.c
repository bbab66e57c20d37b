/* SPDX-License-Identifier: MIT */
/* Socket activation read without libsystemd: every answer is compared
 * with libsystemd's own sd_listen_fds() and sd_is_socket_unix(), for
 * garbled and foreign variables and for sockets of every kind. */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "macro.h"
#include "socket-activation.h"
#include "tap.h"
#include "test-util.h"

static void set_env(const char *pid, const char *fds) {
        if (pid)
                check(setenv("LISTEN_PID", pid, 1) == 0);
        else
                check(unsetenv("LISTEN_PID") == 0);
        if (fds)
                check(setenv("LISTEN_FDS", fds, 1) == 0);
        else
                check(unsetenv("LISTEN_FDS") == 0);
}

static void no_cloexec(int fd) {
        check(fcntl(fd, F_SETFD, 0) == 0);
}

/* Both readers agree, and what they leave behind too. */
static int both_listen_fds(void) {
        int ours, theirs;

        no_cloexec(3);
        no_cloexec(4);
        ours = listen_fds();
        check(fcntl(3, F_GETFD) >= 0);
        no_cloexec(3);
        no_cloexec(4);
        theirs = sd_listen_fds(0);
        check_int(ours, ==, theirs);
        return ours;
}

TEST(listen_fds_as_libsystemd_reads_them) {
        char self[32], other[32];

        /* Two fds at 3 and 4, as a service manager passes them. */
        check(dup2(STDERR_FILENO, 3) == 3);
        check(dup2(STDERR_FILENO, 4) == 4);
        snprintf(self, sizeof(self), "%d", (int) getpid());
        snprintf(other, sizeof(other), "%d", (int) getpid() + 1);

        set_env(NULL, "2");
        check_int(both_listen_fds(), ==, 0);
        set_env(other, "2");
        check_int(both_listen_fds(), ==, 0); /* for another process */
        set_env(self, NULL);
        check_int(both_listen_fds(), ==, 0);
        set_env(self, "2");
        check_int(both_listen_fds(), ==, 2);
        no_cloexec(3);
        no_cloexec(4);
        check_int(listen_fds(), ==, 2);
        check(fcntl(3, F_GETFD) & FD_CLOEXEC);
        check(fcntl(4, F_GETFD) & FD_CLOEXEC);
        /* The variables stay for whoever asks next. */
        check(getenv("LISTEN_FDS") && getenv("LISTEN_PID"));

        set_env(self, "0");
        check_int(both_listen_fds(), <, 0);
        set_env(self, "two");
        check_int(both_listen_fds(), <, 0);
        set_env(self, "2x");
        check_int(both_listen_fds(), <, 0);
        set_env("0", "2");
        check_int(both_listen_fds(), <, 0);
        set_env("-5", "2");
        check_int(both_listen_fds(), <, 0);
        set_env("", "2");
        check_int(both_listen_fds(), <, 0);
        set_env(" 7x", "2");
        check_int(both_listen_fds(), <, 0);
        set_env("99999999999999999999", "2");
        check_int(both_listen_fds(), <, 0);
        set_env(self, "-1");
        check_int(both_listen_fds(), <, 0);
        set_env(self, "99999999999");
        check_int(both_listen_fds(), <, 0);
        set_env(self, "2147483645"); /* the last fd would be past INT_MAX */
        check_int(both_listen_fds(), <, 0);
        set_env(self, "2147483647");
        check_int(both_listen_fds(), <, 0);
        set_env(self, " ");
        check_int(both_listen_fds(), <, 0);
        set_env(self, "");
        check_int(both_listen_fds(), <, 0);
        {
                /* Signs and blanks, as both read them. */
                static const char *const fds[] = { "+2", " 2", "2 ", "\t1", "-0", "02", "1" };
                char spaced[40], plus[40];

                snprintf(spaced, sizeof(spaced), " \t%d", (int) getpid());
                snprintf(plus, sizeof(plus), "+%d", (int) getpid());
                for (size_t i = 0; i < ELEMENTSOF(fds); i++) {
                        set_env(self, fds[i]);
                        (void) both_listen_fds();
                        set_env(spaced, fds[i]);
                        (void) both_listen_fds();
                        set_env(plus, fds[i]);
                        (void) both_listen_fds();
                }
        }
        /* A passed fd that is not open: fcntl's EBADF. */
        set_env(self, "5");
        check_int(both_listen_fds(), ==, -EBADF);
}

TEST(unix_sockets_as_libsystemd_tells_them) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "s.sock"), *dgram_path = scratch_path(dir, "d.sock"),
             *other = scratch_path(dir, "other.sock"), abstract[64], abstract_name[64];
        int pair[2], pipes[2], fds[8], n = 0;
        const struct {
                const char *path;
                size_t length;
        } names[] = {
                { NULL, 0 },
                { "", 0 },
                { path, 0 },
                { dgram_path, 0 },
                { other, 0 },
                { path, strlen(path) - 1 }, /* a prefix of it */
                { abstract, 1 + strlen(abstract_name) },
                { abstract, strlen(abstract_name) }, /* one short */
                { abstract, 2 + strlen(abstract_name) },
        };
        const int types[] = { 0, SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
        unsigned compared = 0;

        snprintf(abstract_name, sizeof(abstract_name), "sk-activation-%d", (int) getpid());
        abstract[0] = '\0';
        memcpy(abstract + 1, abstract_name, strlen(abstract_name) + 1);

        fds[n++] = bind_unix(SOCK_STREAM, path, false, true);
        fds[n++] = bind_unix(SOCK_DGRAM, dgram_path, false, false);
        fds[n++] = bind_unix(SOCK_STREAM, abstract_name, true, true);
        fds[n++] = bind_unix(SOCK_SEQPACKET, other, false, false);
        check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
        fds[n++] = pair[0];
        check(pipe2(pipes, O_CLOEXEC) == 0);
        fds[n++] = pipes[0];
        fds[n++] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        fds[n++] = open("/dev/null", O_RDONLY | O_CLOEXEC);

        for (int f = 0; f < n; f++)
                for (size_t t = 0; t < ELEMENTSOF(types); t++)
                        for (int listening = -1; listening <= 1; listening++)
                                for (size_t k = 0; k < ELEMENTSOF(names); k++) {
                                        int ours = fd_is_unix_socket(fds[f], types[t], listening, names[k].path,
                                                                     names[k].length);
                                        int theirs = sd_is_socket_unix(fds[f], types[t], listening, names[k].path,
                                                                       names[k].length);

                                        if (ours != theirs)
                                                printf("# fd %d type %d listening %d name %zu: %d, libsystemd %d\n",
                                                       f, types[t], listening, k, ours, theirs);
                                        check_int(ours, ==, theirs);
                                        compared++;
                                }
        /* Each kind was told apart somewhere. */
        check_int(fd_is_unix_socket(fds[0], SOCK_STREAM, 1, path, 0), ==, 1);
        check_int(fd_is_unix_socket(fds[2], SOCK_STREAM, 1, abstract, 1 + strlen(abstract_name)), ==, 1);
        check_int(fd_is_unix_socket(fds[4], 0, -1, "", 0), ==, 1);
        check_int(fd_is_unix_socket(fds[5], 0, -1, NULL, 0), ==, 0);
        check_int(fd_is_unix_socket(-1, 0, -1, NULL, 0), ==, -EBADF);
        printf("# %u cases compared\n", compared);
        rm_rf(dir);
}

TAP_MAIN(T(listen_fds_as_libsystemd_reads_them), T(unix_sockets_as_libsystemd_tells_them))
