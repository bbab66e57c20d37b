/* SPDX-License-Identifier: MIT */
/* Turns the library's errno returns into one-line messages for people. */

#include <errno.h>

#include "cli.h"
#include "log.h"
#include "socket-path.h"

int log_keeper_error(const char *path, int r) {
        socket_path_problem problem;

        switch (-r) {
        case ENAMETOOLONG:
        case EINVAL:
                /* The library refused the name: say what is wrong with it. */
                if (socket_path_canonical(path, NULL, &problem) < 0 && problem != SOCKET_PATH_OK)
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

const char *keeper_limit_hint(int r) {
        switch (-r) {
        case EMFILE:
                return " (this process's open files limit, RLIMIT_NOFILE, is reached: raise LimitNOFILE= of its unit, "
                       "or ulimit -n; it needs about one per directory of kept paths)";
        case ENFILE:
                return " (the machine's open files limit, fs.file-max, is reached: raise it with sysctl)";
        case ENOSPC:
                return " (inotify's fs.inotify.max_user_watches is reached, or the disk is full: raise the sysctl "
                       "or free space)";
        default:
                return "";
        }
}
