/* SPDX-License-Identifier: MIT */
#pragma once

/* systemd's quoting: C escapes and quoted words; its UTF-8 check. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { EXTRACT_CUNESCAPE = 1 };

/* The length of the well-formed UTF-8 sequence at S (1 to 4), or 0 when
 * none starts there (overlong forms, surrogates and values past U+10FFFF
 * are not well-formed). With RET_CP, its code point. */
size_t utf8_decode(const unsigned char *s, uint32_t *ret_cp);

/* Whether S is UTF-8 as systemd's utf8_is_valid() takes it: well-formed
 * and no noncharacter (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF). systemd ignores
 * a unit file line that is not ("String is not UTF-8 clean"). */
bool utf8_is_valid(const char *s);

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
