/* SPDX-License-Identifier: MIT */
#pragma once

/* The generator's log: /dev/kmsg as systemd's own generators log, or
 * stderr; chosen by $SYSTEMD_LOG_TARGET and $SYSTEMD_LOG_LEVEL. */

#include <syslog.h>

#include "macro.h"

void glog_setup(const char *ident);
void glog_close(void);
int glog_level(void);

/* Logs at LEVEL (LOG_ERR ... LOG_DEBUG); with ERROR, ": strerror" is
 * appended. Returns -abs(ERROR). */
_printf_(3, 4) int glog(int level, int error, const char *fmt, ...);
