/* SPDX-License-Identifier: MIT */
#pragma once

/* Paths and names shown to people: one escaping for every table, message
 * and log line, so that a file name cannot break a line or a terminal. */

#include <stdbool.h>
#include <stddef.h>

/* S with C escapes, in the style of systemd's cescape(): "\\" for a
 * backslash, \a \b \t \n \v \f \r, and \xNN for any other control
 * character (C0, DEL, C1) and for each byte that starts no well-formed
 * UTF-8 sequence. Well-formed UTF-8 stays as it is. cunescape() gives the
 * bytes back. NULL when out of memory. */
char *cescape(const char *s);

/* The room cescape_into() needs for a string of LEN bytes: at most four
 * characters for one byte, and the NUL. */
#define CESCAPE_SIZE(len) ((len) * 4 + 1)
/* cescape() into OUT, of CESCAPE_SIZE(strlen(S)) bytes at least, for a
 * caller that must not allocate. Returns the length written. */
size_t cescape_into(char *out, const char *s);

/* Whether cescape() would change S. */
bool string_needs_escape(const char *s);

/* S as one word for a POSIX shell, in a command that people read and
 * paste: as it is when it holds only characters that need no quoting,
 * else in '...', and in bash's $'...' with cescape()'s escapes when it
 * holds a control character or a byte that is no UTF-8. The result is
 * always printable. NULL when out of memory. */
char *shell_quote(const char *s);
