/* SPDX-License-Identifier: MIT */
/* Which socket paths are in a directory that every user shares (/tmp and
 * the like): at risk whatever the configured cleaners do now. The
 * generator protects socket units there, and the classifier rates a
 * renamed socket there risky. */

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "macro.h"
#include "path-util.h"
#include "shared-tmp.h"

static bool is_shared(const dir_facts *d) {
        return d->exists && S_ISDIR(d->st.st_mode) && (d->st.st_mode & S_IWOTH) && (d->st.st_mode & S_ISVTX);
}

int shared_tmp_dir(risk_machine *m, const char *path, const char **ret_dir) {
        static const char *const well_known[] = { "/tmp", "/var/tmp", "/dev/shm" };
        _cleanup_free_ char *dir = NULL;

        for (size_t i = 0; i < ELEMENTSOF(well_known); i++)
                if (path_below(well_known[i], path)) {
                        if (ret_dir)
                                *ret_dir = well_known[i];
                        return 1;
                }

        /* Up from the path's directory: each looked at once per machine. */
        dir = path_parent(path);
        while (dir && !streq(dir, "/")) {
                const dir_facts *d = risk_machine_dir_facts(m, dir);
                char *up;

                if (!d)
                        return -ENOMEM;
                if (is_shared(d)) {
                        if (ret_dir)
                                *ret_dir = d->path;
                        return 1;
                }
                up = path_parent(dir);
                free(dir);
                dir = up;
        }
        return dir ? 0 : -ENOMEM;
}
