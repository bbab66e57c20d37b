/* SPDX-License-Identifier: MIT */
#pragma once

/* What systemd itself contributes to cleaning, read from a root directory
 * ("/" or --root): systemd-tmpfiles-clean.timer (clean-timer.h) and tmpfs
 * mounts (mounts.h). Each finding names its source (file and line). */

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/stat.h>

#include "clean-timer.h"
#include "mounts.h"
#include "source-ref.h"
#include "tmpfiles.h"

