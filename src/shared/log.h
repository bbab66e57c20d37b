/* SPDX-License-Identifier: MIT */
#pragma once

#include "macro.h"

/* Messages of the command-line tools, prefixed with the program name.
 * log_error_errno() returns -abs(error) so that a caller can
 * "return log_error_errno(r, ...)". */
void log_set_program(const char *name);
_printf_(1, 2) void log_error(const char *fmt, ...);
_printf_(2, 3) int log_error_errno(int error, const char *fmt, ...);
_printf_(1, 2) void log_info(const char *fmt, ...);
