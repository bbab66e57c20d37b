/* SPDX-License-Identifier: MIT */
#pragma once

/* The directories the systemd 252 managers look for units in, highest
 * precedence first, root-relative. */

#include <stddef.h>

/* The system manager's search path, root-relative, as `systemd-analyze
 * unit-paths` prints it on Debian 12 (with /lib/systemd/system, since 252
 * is built with split-usr there). With SYSTEMD_UNIT_PATH set, its
 * directories; a trailing ':' (an empty last entry) appends the default
 * list. */
int unit_search_path(char ***ret, size_t *ret_n);

/* The system manager's own list, whatever SYSTEMD_UNIT_PATH says: how
 * PID 1 of a tree (`check --root`, the classifier's $SOCKKEEPER_ROOT) will
 * find its units at boot. SYSTEMD_UNIT_PATH points the generator's tests
 * at their input units, not at another tree's. */
int unit_search_path_default(char ***ret, size_t *ret_n);

/* The user manager's search path (systemctl --user), as systemd 252
 * builds it from $HOME and the XDG variables: root-relative directories,
 * highest precedence first; SYSTEMD_UNIT_PATH overrides them as for the
 * system manager. Entries that need $XDG_RUNTIME_DIR are left out when it
 * is unset. */
int unit_user_search_path(char ***ret, size_t *ret_n);

/* Collapses "//", "." and ".." of an absolute path, lexically, as
 * chase_symlinks(CHASE_NOFOLLOW|CHASE_NONEXISTENT) does for a link target. */
char *path_resolve_dots(const char *p);
