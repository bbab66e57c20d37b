/* SPDX-License-Identifier: MIT */
#pragma once

/* Parsing values as systemd parses them. */

#include <stdbool.h>
#include <stdint.h>

#define USEC_INFINITY UINT64_MAX

/* systemd's parse_sec(), that is parse_time(T, USEC_PER_SEC): "10d",
 * "1h 30min", "1.5h", ".5h", "infinity" (USEC_INFINITY); a number without
 * a unit is seconds. -EINVAL, or -ERANGE for a negative or too large one. */
int parse_sec(const char *t, uint64_t *ret);

/* An unsigned number in BASE, as systemd's safe_atou_full(): leading
 * whitespace is fine, trailing rubbish is not, and with REFUSE_SIGN
 * neither is a '+' or '-'. */
int safe_atou(const char *s, int base, bool refuse_sign, unsigned *ret);
