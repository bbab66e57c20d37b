/* SPDX-License-Identifier: MIT */
/* Socket activation with the real systemd-socket-activate: the keeper must
 * adopt the listening fd handed over through LISTEN_FDS for its path rather
 * than bind a second socket, and must keep that socket's path too. The
 * test execs itself under systemd-socket-activate as the "service". */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "tap.h"
#include "test-util.h"

#define ACTIVATE "/usr/bin/systemd-socket-activate"

/* Runs as the activated service; exit status 0 means every check held. */
static int service(const char *path) {
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec), *other = NULL;
        struct stat before, after;
        int fd;

        check(getenv("LISTEN_FDS"));
        check(lstat(path, &before) >= 0);
        check_int(sk_keeper_set_refresh_interval(k, 20 * USEC_PER_MSEC), ==, 0);
        check_int(sk_keeper_set_sticky(k, true), ==, 0); /* refresh then chmods */
        check_int(sk_keeper_bind(k), ==, 0);
        check(sk_keeper_is_adopted(k));
        fd = sk_keeper_get_fd(k);
        check_int(fd, ==, 3);
        /* The connection that triggered activation waits on the adopted fd. */
        check(accept4(fd, NULL, NULL, SOCK_NONBLOCK) >= 0);

        /* A keeper for another path must not take this fd. */
        {
                char other_path[4096];
                snprintf(other_path, sizeof(other_path), "%s-other", path);
                check_int(sk_keeper_new(&other, other_path), ==, 0);
                check_int(sk_keeper_bind(other), ==, 0);
                check(!sk_keeper_is_adopted(other));
                check(sk_keeper_get_fd(other) != 3);
                sk_keeper_free(other);
        }

        /* The service manager chose the mode (SocketMode=); a refresh
         * adds the sticky bit but must not impose the keeper's 0660. */
        check(pump(k, SK_EVENT_REFRESHED, 3000) & SK_EVENT_REFRESHED);
        check(lstat(path, &after) >= 0);
        check_int(after.st_mode & 07777, ==, (before.st_mode & 0777) | S_ISVTX);
        check((before.st_mode & 0777) != 0660); /* or the check proves nothing */

        check(unlink(path) >= 0);
        check(pump(k, SK_EVENT_RELINKED, 3000) & SK_EVENT_RELINKED);
        check(lstat(path, &after) >= 0);
        check_int(after.st_ino, ==, before.st_ino);
        check(served_by(fd, path));
        sk_keeper_free(k);
        /* The service manager owns the file of an adopted socket. */
        check(lstat(path, &after) >= 0);
        return 0;
}

TEST(adopts_socket_from_listen_fds) {
        char *dir, *path;
        uint64_t deadline;
        int status;
        pid_t pid;

        if (access(ACTIVATE, X_OK) < 0)
                skip(ACTIVATE " is not installed");
        dir = scratch_dir();
        path = scratch_path(dir, "sock/act.sock");

        pid = fork();
        check(pid >= 0);
        if (pid == 0) {
                char self[4096];
                ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
                check(n > 0);
                self[n] = '\0';
                execl(ACTIVATE, ACTIVATE, "-l", path, self, "--service", path, (char *) NULL);
                _exit(127);
        }

        /* systemd-socket-activate starts the service on the first connection. */
        deadline = now_usec(CLOCK_MONOTONIC) + 5 * USEC_PER_SEC;
        while (try_connect(path) < 0) {
                check(now_usec(CLOCK_MONOTONIC) < deadline);
                usleep(5000);
        }
        check(waitpid(pid, &status, 0) == pid);
        check(WIFEXITED(status));
        check_int(WEXITSTATUS(status), ==, 0);
        rm_rf(dir);
}

int main(int argc, char *argv[]) {
        static const tap_test tests[] = { T(adopts_socket_from_listen_fds) };

        if (argc == 3 && strcmp(argv[1], "--service") == 0) {
                setvbuf(stdout, NULL, _IOLBF, 0);
                return service(argv[2]);
        }
        return tap_run(tests, ELEMENTSOF(tests));
}
