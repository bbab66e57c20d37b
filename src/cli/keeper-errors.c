/* SPDX-License-Identifier: MIT */
/* Turns the library's errno returns into one-line messages for people. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <stdbool.h>
#include <unistd.h>

#include "cli.h"
#include "escape.h"
#include "log.h"
#include "macro.h"
#include "socket-path.h"

int log_keeper_error(const char *given, int r) {
        /* Shown escaped: the path may hold the very control character
         * that is wrong with it. */
        _cleanup_free_ char *shown = cescape(given);
        const char *path = shown ?: "(path)";
        socket_path_problem problem;

        switch (-r) {
        case ENAMETOOLONG:
        case EINVAL:
                /* The library refused the name: say what is wrong with it. */
                if (socket_path_canonical(given, NULL, &problem) < 0 && problem != SOCKET_PATH_OK)
                        log_error("%s %s", path, socket_path_problem_to_string(problem));
                else
                        log_error_errno(r, "%s", path);
                break;
        case EADDRINUSE:
                log_error("%s: a live socket already listens there; not touching it", path);
                break;
        case EPERM:
                log_error("%s: a socket owned by another user is there; not touching it", path);
                break;
        case ELOOP:
                log_error("%s: a symlink is there; not following or removing it", path);
                break;
        case EISDIR:
                log_error("%s: a directory is there; not touching it", path);
                break;
        case EEXIST:
                log_error("%s: a file that is not a socket is there; not touching it", path);
                break;
        default:
                log_error_errno(r, "%s", path);
        }
        return r;
}

/* A search for an anchor place holds up to about this many directories
 * at once and closes them before the error is told. */
#define FDS_OF_A_SEARCH 40

/* Whether this process may open one more file, and is not within a
 * search's fds of RLIMIT_NOFILE: an EMFILE met with fds to spare is
 * inotify's. */
static bool fd_available(void) {
        int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        struct rlimit rl;
        size_t n = 0;
        DIR *d;

        if (fd < 0)
                return errno != EMFILE;
        close(fd);
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
                return true;
        d = opendir("/proc/self/fd");
        if (!d)
                return true;
        while (readdir(d))
                n++;
        closedir(d);
        return n + FDS_OF_A_SEARCH < rl.rlim_cur;
}

const char *keeper_limit_hint(int r) {
        switch (-r) {
        case EMFILE:
                /* inotify_init1() says EMFILE for its per-user instance limit
                 * as well as for the open-file limit: tell them apart by
                 * trying to open one more. */
                if (!fd_available())
                        return " (the open-file limit RLIMIT_NOFILE is reached: raise LimitNOFILE= of the unit, or "
                               "ulimit -n)";
                return " (the per-user inotify instance limit fs.inotify.max_user_instances may be reached: raise it "
                       "with sysctl)";
        case ENFILE:
                return " (the system-wide open-file limit fs.file-max is reached: raise it with sysctl)";
        case ENOSPC:
                return " (if no filesystem is full: the inotify watch limit fs.inotify.max_user_watches is reached, "
                       "raise it with sysctl)";
        default:
                return "";
        }
}
