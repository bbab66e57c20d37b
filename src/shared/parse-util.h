/* SPDX-License-Identifier: MIT */
#pragma once

/* Values of options and settings, read the way systemd reads its own:
 * booleans, time spans, numbers and uids. Each returns 0 and sets *RET, or
 * a negative errno and leaves *RET alone; none logs. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define USEC_INFINITY UINT64_MAX

/* "1", "yes", "y", "true", "t", "on" and their negations, in any case, as
 * systemd's parse_boolean(): 1 or 0, -EINVAL for anything else. */
int parse_boolean(const char *v);

/* systemd's parse_sec(), that is parse_time(T, USEC_PER_SEC): "10d",
 * "1h 30min", "1.5h", ".5h", "infinity" (USEC_INFINITY); a number without
 * a unit is seconds. -EINVAL, or -ERANGE for a negative or too large one. */
int parse_sec(const char *t, uint64_t *ret);

/* An option's duration: a parse_sec() time span ("0.05", "600", "6h") from
 * 0 to 1e9 seconds, not "infinity"; *RET_USEC in microseconds. -EINVAL for
 * anything else. */
int parse_seconds(const char *s, uint64_t *ret_usec);

/* An unsigned number in BASE, as systemd's safe_atou_full(): leading
 * whitespace is fine, trailing rubbish is not, and with REFUSE_SIGN
 * neither is a '+' or '-'. */
int safe_atou(const char *s, int base, bool refuse_sign, unsigned *ret);

/* A decimal count from 0 to MAX, as strtoul() reads it: leading blanks and
 * a '+' are fine, a '-', nothing at all or anything after the digits are
 * not (-EINVAL); -ERANGE past MAX. */
int parse_unsigned(const char *s, unsigned long max, unsigned long *ret);

/* A uid as a number, as systemd's parse_uid(): digits only, no leading
 * zero (-EINVAL); not (uid_t) -1 ("no uid" to chown() and setresuid()) or
 * 65535, the 16-bit one (-ENXIO). */
int parse_uid(const char *s, uid_t *ret);
