/* SPDX-License-Identifier: MIT */
#pragma once

/* The one string hash (64-bit FNV-1a): stable across runs and builds, so
 * that a name made from it today is found again tomorrow. Not for tables
 * that an attacker fills. */

#include <stdint.h>

static inline uint64_t string_hash(const char *s) {
        uint64_t h = UINT64_C(0xcbf29ce484222325);

        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                h = (h ^ *p) * UINT64_C(0x100000001b3);
        return h;
}
