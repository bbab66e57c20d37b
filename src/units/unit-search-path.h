/* SPDX-License-Identifier: MIT */
#pragma once

/* The user manager's unit search path (systemctl --user), as systemd 252
 * builds it from $HOME and the XDG variables. */

#include <stddef.h>

/* Root-relative directories, highest precedence first; SYSTEMD_UNIT_PATH
 * overrides them as for the system manager. Entries that need
 * $XDG_RUNTIME_DIR are left out when it is unset. */
int unit_user_search_path(char ***ret, size_t *ret_n);
