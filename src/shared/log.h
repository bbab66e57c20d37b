/* SPDX-License-Identifier: MIT */
#pragma once

#include "macro.h"

/* Messages of the command-line tools, prefixed with the program name.
 * log_error_errno() returns -abs(error) so that a caller can
 * "return log_error_errno(r, ...)". */
void log_set_program(const char *name);
_printf_(1, 2) void log_error(const char *fmt, ...);
/* Something is not as asked, and the program goes on: to stderr too. */
_printf_(1, 2) void log_warning(const char *fmt, ...);
_printf_(2, 3) int log_error_errno(int error, const char *fmt, ...);
_printf_(1, 2) void log_info(const char *fmt, ...);

/* A warning about FILE:LINE (LINE 0: the whole file) from a configuration
 * reader, as "FILE:LINE: MESSAGE" on stderr. Its signature fits the
 * readers' warning callbacks (tmpfiles_warn_fn, unit_warn_fn). */
void log_file_warning(const char *file, unsigned line, const char *message, void *userdata);
