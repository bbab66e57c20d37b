/* SPDX-License-Identifier: MIT */
/* The one decision of "bound at one name, renamed to another in the same
 * directory", shared by the classifier (check) and scan. */

#include <string.h>

#include "socket-renamed.h"

bool socket_renamed_in_dir(const unix_socket_info *s, const char *path, const struct stat *st) {
        const char *bound_slash, *path_slash;

        if (!s->name || s->name[0] != '/' || path[0] != '/' || !s->has_vfs || !S_ISSOCK(st->st_mode) ||
            !unix_diag_matches(s->vfs, inode_id_of(st)))
                return false;
        bound_slash = strrchr(s->name, '/');
        path_slash = strrchr(path, '/');
        /* The same directory, spelt the same way: the names differ only after it. */
        return bound_slash - s->name == path_slash - path && strncmp(s->name, path, path_slash - path + 1) == 0 &&
               strcmp(bound_slash + 1, path_slash + 1) != 0;
}
