/* SPDX-License-Identifier: MIT */
/* alloc-util: arrays that grow one element at a time, with room doubled
 * when it runs out, and left as they were when memory does not suffice. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "alloc-util.h"
#include "macro.h"
#include "tap.h"

TEST(grows_by_doubling_and_keeps_what_it_held) {
        int *v = NULL;
        size_t n = 0, allocated = 0;

        check_int(GREEDY_REALLOC(v, allocated, 1, 16), ==, 0);
        check_int(allocated, ==, 16);
        for (int i = 0; i < 1000; i++) {
                size_t before = allocated;

                check_int(GREEDY_REALLOC(v, allocated, n + 1, 16), ==, 0);
                check(allocated == before || allocated == before * 2);
                v[n++] = i;
        }
        check_int(allocated, ==, 1024);
        for (int i = 0; i < 1000; i++)
                check_int(v[i], ==, i);

        /* Room enough already: nothing moves. */
        {
                int *old = v;

                check_int(GREEDY_REALLOC(v, allocated, 10, 16), ==, 0);
                check(v == old);
                check_int(allocated, ==, 1024);
        }
        /* More than doubling asks for: as much as asked. */
        check_int(GREEDY_REALLOC(v, allocated, 5000, 16), ==, 0);
        check_int(allocated, ==, 5000);
        free(v);
}

TEST(unchanged_without_memory) {
        uint64_t *v = NULL;
        size_t allocated = 0;
        volatile size_t huge = SIZE_MAX; /* not a constant the compiler refuses */

        check_int(GREEDY_REALLOC(v, allocated, 4, 4), ==, 0);
        v[3] = 42;
        /* SIZE_MAX elements of 8 bytes overflow: refused before any
         * allocator sees them. */
        check_int(GREEDY_REALLOC(v, allocated, huge, 4), ==, -ENOMEM);
        check_int(allocated, ==, 4);
        check_int(v[3], ==, 42);
        free(v);
}

TAP_MAIN(T(grows_by_doubling_and_keeps_what_it_held), T(unchanged_without_memory))
