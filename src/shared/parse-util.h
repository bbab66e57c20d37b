/* SPDX-License-Identifier: MIT */
#pragma once

/* Values of options and settings, read the way systemd reads its own:
 * booleans, seconds, counts and uids. Each returns 0 and sets *RET, or a
 * negative errno and leaves *RET alone; none logs. */

#include <stdint.h>
#include <sys/types.h>

/* "1", "yes", "y", "true", "t", "on" and their negations, in any case, as
 * systemd's parse_boolean(): 1 or 0, -EINVAL for anything else. */
int parse_boolean(const char *v);

/* A decimal number of seconds, fractions allowed ("0.05", "600"), from 0
 * to 1e9: *RET_USEC in microseconds. -EINVAL for anything else. */
int parse_seconds(const char *s, uint64_t *ret_usec);

/* A decimal count from 0 to MAX, as strtoul() reads it: leading blanks and
 * a '+' are fine, a '-', nothing at all or anything after the digits are
 * not (-EINVAL); -ERANGE past MAX. */
int parse_unsigned(const char *s, unsigned long max, unsigned long *ret);

/* A uid as a number: what parse_unsigned() takes, short of (uid_t) -1,
 * which means "no uid" to chown() and setresuid(). */
int parse_uid(const char *s, uid_t *ret);
