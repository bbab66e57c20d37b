/* SPDX-License-Identifier: MIT */
/* One look at the path, the same for a keeper of its own socket and an
 * attached one: make sure the directory is there, then keep what is ours,
 * leave a stranger alone, or heal a missing path, twice when somebody is
 * changing the directory meanwhile. What "ours", "a stranger" and "heal"
 * mean is the mode's (keeper-heal.c, keeper-attach.c); the driver chooses
 * the mode. */

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "keeper-internal.h"
#include "macro.h"

void keeper_look(sk_keeper *k, const keeper_mode *mode) {
        /* Two rounds cover a race with whoever is changing the directory. */
        for (int round = 0; round < 2; round++) {
                struct stat st;
                int r;

                r = keeper_ensure_directory(k);
                if (r < 0)
                        return;

                if (fstatat(k->dir_fd, k->name, &st, AT_SYMLINK_NOFOLLOW) >= 0) {
                        if (mode->is_ours(k, &st)) {
                                k->in_conflict = false;
                                keeper_healed(k);
                                keeper_ensure_anchor(k);
                                if (mode->ours_again)
                                        mode->ours_again(k);
                                return;
                        }
                        mode->stranger(k, &st);
                        return;
                }
                if (errno != ENOENT) {
                        keeper_failed(k, negative_errno(), "inspect path");
                        return;
                }

                k->in_conflict = false;
                if (mode->heal(k) != -EAGAIN)
                        return;
        }
        /* Raced twice in a row with whoever keeps changing the path; the
         * inotify events queued meanwhile, or this retry, bring us back. */
        keeper_schedule_retry(k);
}
