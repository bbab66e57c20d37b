/* SPDX-License-Identifier: MIT */
#pragma once

#include "risk.h"

/* The directory that every user shares, world-writable with the sticky
 * bit, that PATH (canonical, root-relative) is in or below: /tmp,
 * /var/tmp and /dev/shm always (at boot /var may not be mounted yet, and
 * an image may lack them), and any other such directory found on the way
 * up under M's root. Cleanup that no configuration shows reaches there (a
 * find in a crontab, a user's script, the next release's tmpfiles.d:
 * Debian 13 ages /tmp), so a socket there is at risk whatever the
 * configured cleaners do now. Returns 1 with the directory in *RET_DIR
 * (may be NULL; owned by M or static), 0 when PATH is in none, or
 * -ENOMEM. */
int shared_tmp_dir(risk_machine *m, const char *path, const char **ret_dir);
