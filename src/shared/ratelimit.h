/* SPDX-License-Identifier: MIT */
#pragma once

/* At most BURST events within any window of INTERVAL_USEC: a sliding
 * window of the last BURST times. */

#include <stdbool.h>
#include <stdint.h>

typedef struct ratelimit {
        uint64_t interval_usec;
        unsigned burst;
        uint64_t *stamps;      /* BURST slots, the oldest overwritten */
        unsigned next;
        unsigned used;
        bool gave_up;          /* for the caller: "giving up" was said for this window */
} ratelimit;

/* A BURST of 0 never lets anything through. */
int ratelimit_init(ratelimit *rl, unsigned burst, uint64_t interval_usec);
void ratelimit_done(ratelimit *rl);
/* True, and counted, when one more event at NOW fits the limit; a refused
 * one is not counted. Clears gave_up when it lets one through. */
bool ratelimit_take(ratelimit *rl, uint64_t now);
