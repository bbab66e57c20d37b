/* SPDX-License-Identifier: MIT */
#pragma once

/* systemd-tmpfiles-clean.timer under a root: whether --clean runs at all. */

#include "source-ref.h"
#include "tmpfiles.h"

typedef enum timer_state {
        TIMER_ABSENT,           /* no systemd-tmpfiles-clean.timer unit */
        TIMER_DISABLED,         /* present, not pulled in by timers.target */
        TIMER_ENABLED,
        TIMER_MASKED,           /* a symlink to /dev/null, or an empty unit file */
} timer_state;

/* systemd-tmpfiles-clean.timer under ROOT, found and judged by the unit
 * reader's rules (unit-lookup.h: the search path, masks, the .wants/
 * symlinks). SOURCE names the deciding file. */
timer_state tmpfiles_clean_timer_state(const char *root, source_ref *source);

/* Reports through WARN each directory of the search path under ROOT that
 * is there but cannot be listed or searched (EACCES, as an unprivileged
 * user): a unit there may enable or mask the timer or tmp.mount, so what
 * is said of them may be wrong. Returns how many were reported. */
unsigned unit_dirs_warn_unreadable(const char *root, tmpfiles_warn_fn warn, void *userdata);
