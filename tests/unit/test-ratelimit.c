/* SPDX-License-Identifier: MIT */
/* The rate limit (the guard's restart brake): at most BURST events in any
 * window of INTERVAL, with old events sliding out of the window; a burst
 * of 0 lets nothing through. */

#include "ratelimit.h"
#include "macro.h"
#include "tap.h"

#define MIN USEC_PER_MINUTE

TEST(burst_then_refuse_then_slide) {
        ratelimit rl;

        check_int(ratelimit_init(&rl, 3, 10 * MIN), ==, 0);
        check(ratelimit_take(&rl, 1 * MIN));
        check(ratelimit_take(&rl, 2 * MIN));
        check(ratelimit_take(&rl, 3 * MIN));
        /* A fourth within ten minutes of the first: refused, and again. */
        check(!ratelimit_take(&rl, 4 * MIN));
        check(!ratelimit_take(&rl, 11 * MIN - 1));
        /* The first slides out: one more, but not two. */
        check(ratelimit_take(&rl, 11 * MIN));
        check(!ratelimit_take(&rl, 11 * MIN + 1));
        check(ratelimit_take(&rl, 12 * MIN));
        check(ratelimit_take(&rl, 13 * MIN));
        check(!ratelimit_take(&rl, 14 * MIN));
        ratelimit_done(&rl);
}

TEST(refused_attempts_do_not_count) {
        ratelimit rl;

        check_int(ratelimit_init(&rl, 1, 10 * MIN), ==, 0);
        check(ratelimit_take(&rl, 0));
        for (uint64_t t = 1; t < 10 * MIN; t += MIN)
                check(!ratelimit_take(&rl, t));
        check(ratelimit_take(&rl, 10 * MIN));
        ratelimit_done(&rl);
}

TEST(zero_burst_never) {
        ratelimit rl;

        check_int(ratelimit_init(&rl, 0, 10 * MIN), ==, 0);
        check(!ratelimit_take(&rl, 0));
        check(!ratelimit_take(&rl, 100 * MIN));
        ratelimit_done(&rl);
}

TEST(gave_up_is_cleared_by_a_new_restart) {
        ratelimit rl;

        check_int(ratelimit_init(&rl, 1, MIN), ==, 0);
        check(ratelimit_take(&rl, 0));
        check(!ratelimit_take(&rl, 1));
        rl.gave_up = true; /* the guard logged "giving up" */
        check(ratelimit_take(&rl, 2 * MIN));
        check(!rl.gave_up); /* so the next give-up is logged again */
        ratelimit_done(&rl);
}

TAP_MAIN(T(burst_then_refuse_then_slide),
         T(refused_attempts_do_not_count),
         T(zero_burst_never),
         T(gave_up_is_cleared_by_a_new_restart))
