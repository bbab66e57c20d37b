/* SPDX-License-Identifier: MIT */
/* Whether systemd-tmpfiles-clean.timer runs, read from a root directory:
 * found, masked and pulled in by unit-lookup's rules, the search path and
 * name map that the generator reads units by, so that `check` and the
 * generator never judge one unit tree two ways. Also the unit directories
 * that cannot be read, for then the answer may be wrong. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clean-timer.h"
#include "macro.h"
#include "path-util.h"
#include "strv.h"
#include "unit-lookup.h"

unsigned unit_dirs_warn_unreadable(const char *root, tmpfiles_warn_fn warn, void *userdata) {
        char **dirs = NULL;
        size_t n_dirs = 0;
        unsigned n = 0;

        if (unit_search_path_default(&dirs, &n_dirs) < 0)
                return 0;
        for (size_t i = 0; i < n_dirs; i++) {
                _cleanup_free_ char *msg = NULL;
                DIR *d;
                struct stat st;
                int r = root_opendir(root, dirs[i], &d);

                /* Listed, and searched: "." is looked up in it. */
                if (r >= 0) {
                        r = fstatat(dirfd(d), ".", &st, 0) < 0 ? negative_errno() : 0;
                        closedir(d);
                }
                if (r >= 0 || r == -ENOENT || r == -ENOTDIR)
                        continue;
                n++;
                if (!warn)
                        continue;
                if (asprintf(&msg, "cannot read directory: %s; units there may enable or mask "
                             "systemd-tmpfiles-clean.timer or tmp.mount, so the answer may be incomplete",
                             strerror(-r)) < 0)
                        msg = NULL;
                warn(dirs[i], 0, msg ?: "cannot read directory", userdata);
        }
        strv_free_n(dirs, n_dirs);
        return n;
}

timer_state tmpfiles_clean_timer_state(const char *root, source_ref *source) {
        static const char *const name = "systemd-tmpfiles-clean.timer";
        static const timer_state states[] = {
                [UNIT_ENABLEMENT_ABSENT] = TIMER_ABSENT,
                [UNIT_ENABLEMENT_DISABLED] = TIMER_DISABLED,
                [UNIT_ENABLEMENT_ENABLED] = TIMER_ENABLED,
                [UNIT_ENABLEMENT_MASKED] = TIMER_MASKED,
        };
        _cleanup_(unit_lookup_done) unit_lookup lp = {};
        unit_enablement e = UNIT_ENABLEMENT_ABSENT;
        char *from = NULL;

        /* Out of memory: nothing found, as nothing could be read. */
        if (unit_lookup_init_names(&lp, root, &name, 1, NULL, NULL) < 0 ||
            unit_lookup_enablement(&lp, name, "timers.target", &e, &from) < 0)
                e = UNIT_ENABLEMENT_ABSENT;
        if (source) {
                source_ref_done(source);
                *source = (source_ref) { .file = from };
        } else
                free(from);
        return states[e];
}
