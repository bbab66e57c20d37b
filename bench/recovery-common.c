/* SPDX-License-Identifier: MIT */
/* bench/recovery's small tools: sample vectors and their percentiles,
 * sleeping (interruptibly, with fine timer slack), a cheap random number,
 * and durations short enough for a table column. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>

#include "alloc-util.h"
#include "bench-util.h"
#include "json.h"
#include "recovery-common.h"

/* Set by the signal handler of recovery.c: every loop stops soon. */
volatile sig_atomic_t interrupted;

int u64vec_push(u64vec *a, uint64_t x) {
        if (GREEDY_REALLOC(a->v, a->size, a->n + 1, 256) < 0)
                return -ENOMEM;
        a->v[a->n++] = x;
        return 0;
}

void u64vec_done(u64vec *a) {
        free(a->v);
        *a = (u64vec) {};
}

static uint64_t nearest_rank(const uint64_t *sorted, size_t n, unsigned permille) {
        size_t rank = (n * permille + 999) / 1000;
        return sorted[rank ? rank - 1 : 0];
}

dist dist_of(u64vec *a) {
        dist d = { .n = a->n };
        uint64_t sum = 0;

        if (!a->n)
                return d;
        bench_sort_u64(a->v, a->n);
        for (size_t i = 0; i < a->n; i++)
                sum += a->v[i];
        d.p50 = nearest_rank(a->v, a->n, 500);
        d.p90 = nearest_rank(a->v, a->n, 900);
        d.p99 = nearest_rank(a->v, a->n, 990);
        d.max = a->v[a->n - 1];
        d.mean = sum / a->n;
        return d;
}

void dist_json(json_writer *w, const char *key, const dist *d) {
        json_key(w, key);
        json_begin_object(w);
        json_pair_uint(w, "n", d->n);
        json_pair_uint(w, "p50_us", d->p50);
        json_pair_uint(w, "p90_us", d->p90);
        json_pair_uint(w, "p99_us", d->p99);
        json_pair_uint(w, "max_us", d->max);
        json_pair_uint(w, "mean_us", d->mean);
        json_end_object(w);
}

void sleep_usec(uint64_t usec) {
        struct timespec ts = {
                .tv_sec = (time_t) (usec / USEC_PER_SEC),
                .tv_nsec = (long) (usec % USEC_PER_SEC * NSEC_PER_USEC),
        };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !interrupted)
                ;
}

/* Sleeps in slices so that ^C ends a long idle window promptly. */
void sleep_interruptible(uint64_t usec) {
        uint64_t end = now_usec(CLOCK_MONOTONIC) + usec;

        for (uint64_t now = now_usec(CLOCK_MONOTONIC); now < end && !interrupted; now = now_usec(CLOCK_MONOTONIC))
                sleep_usec(end - now < 100 * USEC_PER_MSEC ? end - now : 100 * USEC_PER_MSEC);
}

static uint64_t rng_state;

void rng_seed(uint64_t seed) {
        rng_state = seed;
}

uint64_t rng_next(void) {
        /* xorshift64*: enough to spread deletions over a poll interval. */
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return rng_state * UINT64_C(2685821657736338717);
}

/* "37 us", "4.2 ms", "59.40 s", "6 h": short enough for a table column. */
const char *fmt_usec(char *buf, size_t size, uint64_t usec) {
        if (usec < 10 * USEC_PER_MSEC)
                snprintf(buf, size, "%" PRIu64 " us", usec);
        else if (usec < USEC_PER_SEC)
                snprintf(buf, size, "%.1f ms", (double) usec / USEC_PER_MSEC);
        else if (usec < USEC_PER_HOUR)
                snprintf(buf, size, "%.2f s", (double) usec / USEC_PER_SEC);
        else if (usec % USEC_PER_HOUR == 0)
                snprintf(buf, size, "%" PRIu64 " h", usec / USEC_PER_HOUR);
        else
                snprintf(buf, size, "%.2f h", (double) usec / USEC_PER_HOUR);
        return buf;
}

/* The default 50 us of timer slack would stretch a 20 us pause to 70;
 * returns the old value. Per thread, so the keeper's thread keeps its own. */
int timer_slack_fine(void) {
        int old = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);

        (void) prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
        return old;
}

void timer_slack_restore(int *old) {
        if (*old > 0)
                (void) prctl(PR_SET_TIMERSLACK, (unsigned long) *old, 0, 0, 0);
}

