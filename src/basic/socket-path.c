/* SPDX-License-Identifier: MIT */
/* Socket paths as given: refused when they can never work (a ".." that
 * only the filesystem can resolve, a directory, a name that does not fit),
 * otherwise made canonical once, so that what is bound, watched and
 * compared is the string that /proc/net/unix will show. Built into the
 * library and the tools alike. */

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "path-util.h"
#include "socket-path.h"

static bool has_control(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

static socket_path_problem check(const char *path, char **ret) {
        _cleanup_free_ char *norm = NULL;
        size_t len;

        if (!path[0] || streq(path, "@"))
                return SOCKET_PATH_EMPTY;
        if (has_control(path))
                return SOCKET_PATH_CONTROL;
        if (path[0] == '@') {
                /* No NUL after an abstract name: '@' stands for the leading
                 * NUL, so the whole of sun_path counts. */
                if (strlen(path) > sizeof(((struct sockaddr_un *) 0)->sun_path))
                        return SOCKET_PATH_TOO_LONG;
                *ret = strdup(path);
                return SOCKET_PATH_OK;
        }
        if (path[0] != '/')
                return SOCKET_PATH_RELATIVE;
        if (path_has_dotdot(path))
                return SOCKET_PATH_DOTDOT;
        len = strlen(path);
        if (path[len - 1] == '/' || has_suffix(path, "/."))
                return SOCKET_PATH_DIRECTORY;
        /* Canonical already (the usual case): nothing to collapse. */
        norm = strstr(path, "//") || strstr(path, "/./") ? path_normalize(path) : strdup(path);
        if (norm && strlen(norm) > SOCKET_PATH_MAX)
                return SOCKET_PATH_TOO_LONG;
        *ret = TAKE_PTR(norm);
        return SOCKET_PATH_OK;
}

int socket_path_canonical(const char *path, char **ret, socket_path_problem *ret_problem) {
        _cleanup_free_ char *canonical = NULL;
        socket_path_problem p;

        if (!path)
                return -EINVAL;
        p = check(path, &canonical);
        if (ret_problem)
                *ret_problem = p;
        if (p == SOCKET_PATH_TOO_LONG)
                return -ENAMETOOLONG;
        if (p != SOCKET_PATH_OK)
                return -EINVAL;
        if (!canonical)
                return -ENOMEM;
        if (ret)
                *ret = TAKE_PTR(canonical);
        return 0;
}

const char *socket_path_problem_to_string(socket_path_problem p) {
        static const char *const text[] = {
                [SOCKET_PATH_OK] = "is a usable socket path",
                [SOCKET_PATH_EMPTY] = "names no socket: give an absolute path, or @ and an abstract name",
                [SOCKET_PATH_CONTROL] = "contains a control character",
                [SOCKET_PATH_RELATIVE] = "is not an absolute socket path or @abstract name",
                [SOCKET_PATH_DOTDOT] = ("has a '..' component, which only the filesystem can resolve (through "
                                        "symlinks); write the path without it"),
                [SOCKET_PATH_DIRECTORY] = "ends in '/' or '/.', which names a directory, not a socket",
                [SOCKET_PATH_TOO_LONG] = "is too long for an AF_UNIX socket (limit 107 bytes)",
        };
        _Static_assert(SOCKET_PATH_MAX == 107, "the text above names the limit");
        return (size_t) p < ELEMENTSOF(text) ? text[p] : "not a usable socket path";
}

int socket_path_to_addr(const char *path, struct sockaddr_un *ret, socklen_t *ret_len) {
        _cleanup_free_ char *canonical = NULL;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t len;
        int r;

        if (!path || !ret || !ret_len)
                return -EINVAL;
        r = socket_path_canonical(path, &canonical, NULL);
        if (r < 0)
                return r;
        if (!streq(canonical, path))
                return -EINVAL;

        len = strlen(path);
        if (path[0] == '@') {
                sa.sun_path[0] = '\0';
                memcpy(sa.sun_path + 1, path + 1, len - 1);
                *ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len);
        } else {
                memcpy(sa.sun_path, path, len + 1);
                *ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len + 1);
        }
        *ret = sa;
        return 0;
}
