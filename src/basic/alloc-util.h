/* SPDX-License-Identifier: MIT */
#pragma once

/* Arrays that grow one element at a time: room is doubled when it runs
 * out, so that N pushes cost O(N). Header-only, like macro.h. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* Makes room in *P, which has room for *ALLOCATED elements of SIZE bytes,
 * for at least NEED of them; the first time for MIN at least. *P and
 * *ALLOCATED change only on success. */
static inline int greedy_realloc(void **p, size_t *allocated, size_t need, size_t size, size_t min) {
        size_t more;
        void *q;

        if (need <= *allocated)
                return 0;
        if (need > SIZE_MAX / size)
                return -ENOMEM; /* more than memory can hold */
        more = *allocated ? *allocated * 2 : min;
        if (more < need || more > SIZE_MAX / size)
                more = need;
        q = reallocarray(*p, more, size);
        if (!q)
                return -ENOMEM;
        *p = q;
        *allocated = more;
        return 0;
}

/* Room for NEED elements in ARRAY, a pointer to them, of which ALLOCATED
 * (a size_t) fit now. */
#define GREEDY_REALLOC(array, allocated, need, min) \
        greedy_realloc((void **) &(array), &(allocated), (need), sizeof((array)[0]), (min))
