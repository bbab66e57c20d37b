/* SPDX-License-Identifier: MIT */
/* A brake on repeated actions: the guard's restarts of a unit whose socket
 * keeps vanishing right after each restart must not go on for ever. A
 * sliding window of the last BURST times, so that old events slide out
 * one by one rather than all at once at a window's end. */

#include <errno.h>
#include <stdlib.h>

#include "ratelimit.h"

int ratelimit_init(ratelimit *rl, unsigned burst, uint64_t interval_usec) {
        uint64_t *stamps = NULL;

        if (burst > 0) {
                stamps = calloc(burst, sizeof(*stamps));
                if (!stamps)
                        return -ENOMEM;
        }
        *rl = (ratelimit) {
                .interval_usec = interval_usec,
                .burst = burst,
                .stamps = stamps,
        };
        return 0;
}

void ratelimit_done(ratelimit *rl) {
        free(rl->stamps);
        rl->stamps = NULL;
}

bool ratelimit_take(ratelimit *rl, uint64_t now) {
        if (rl->burst == 0)
                return false;
        /* The slot to fill next holds the oldest of the last BURST. */
        if (rl->used == rl->burst && now - rl->stamps[rl->next] < rl->interval_usec)
                return false;
        rl->stamps[rl->next] = now;
        rl->next = (rl->next + 1) % rl->burst;
        if (rl->used < rl->burst)
                rl->used++;
        rl->gave_up = false;
        return true;
}
