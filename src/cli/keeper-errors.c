/* SPDX-License-Identifier: MIT */
/* Turns the library's errno returns into one-line messages for people. */

#include <errno.h>
#include <sys/un.h>

#include "log.h"
#include "cli.h"

int log_keeper_error(const char *path, int r) {
        const size_t limit = sizeof(((struct sockaddr_un *) 0)->sun_path) - 1;

        switch (-r) {
        case ENAMETOOLONG:
                log_error("%s: path is too long for an AF_UNIX socket (limit %zu bytes)", path, limit);
                break;
        case EINVAL:
                log_error("%s: not an absolute socket path or @abstract name", path);
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
