/* SPDX-License-Identifier: MIT */
#pragma once

/* systemd's quoting: C escapes and quoted words. */

#include <stddef.h>

enum { EXTRACT_CUNESCAPE = 1 };

/* The value of hex digit C, or -EINVAL. */
int unhexchar(char c);

/* systemd's cunescape_one(): the escape after a backslash at P (LENGTH
 * chars left). Writes up to 4 bytes to OUT and returns the characters
 * used. NUL is refused. */
int cunescape_one(const char *p, size_t length, char *out, size_t *ret_written);

/* systemd's cunescape() without flags: invalid escapes are errors. */
int cunescape(const char *s, char **ret);

/* systemd's extract_first_word() with whitespace separators and
 * EXTRACT_UNQUOTE: quotes group, and a backslash takes the next character
 * literally ("\x41" is "x41"), unless FLAGS has EXTRACT_CUNESCAPE. Returns
 * 1 with a word, 0 at the end (*P becomes NULL), -EINVAL for an open quote
 * or a backslash at the end. */
int extract_word(const char **p, char **ret, unsigned flags);
