/* SPDX-License-Identifier: MIT */
/* Turns the path a caller gives into the address the kernel needs, refusing
 * anything that would be silently truncated or resolved relative to the
 * working directory (tmpfiles matches live sockets by the bind string). */

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "unix-addr.h"

static int name_is_clean(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return 0;
        return 1;
}

int unix_addr_from_path(const char *path, struct sockaddr_un *ret, socklen_t *ret_len) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t len;

        if (!path || !ret || !ret_len)
                return -EINVAL;
        if (!name_is_clean(path))
                return -EINVAL;

        len = strlen(path);
        if (path[0] == '@') {
                if (len < 2)
                        return -EINVAL;
                /* Abstract names have no NUL terminator, so all 108 bytes count. */
                if (len > sizeof(sa.sun_path))
                        return -ENAMETOOLONG;
                sa.sun_path[0] = '\0';
                memcpy(sa.sun_path + 1, path + 1, len - 1);
                *ret = sa;
                *ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len);
                return 0;
        }

        if (path[0] != '/' || path[len - 1] == '/')
                return -EINVAL;
        if (len > SK_UNIX_PATH_MAX)
                return -ENAMETOOLONG;

        memcpy(sa.sun_path, path, len + 1);
        *ret = sa;
        *ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len + 1);
        return 0;
}

int path_split(const char *path, char **ret_dir, char **ret_name) {
        _cleanup_free_ char *dir = NULL, *name = NULL;
        const char *slash;

        if (!path || path[0] != '/')
                return -EINVAL;

        slash = strrchr(path, '/');
        if (!slash[1])
                return -EINVAL;

        dir = slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
        name = strdup(slash + 1);
        if (!dir || !name)
                return -ENOMEM;
        if (streq(name, ".") || streq(name, ".."))
                return -EINVAL;

        *ret_dir = TAKE_PTR(dir);
        *ret_name = TAKE_PTR(name);
        return 0;
}
