/* SPDX-License-Identifier: MIT */
/* A keeper's side of its watcher (watcher.c): which names it watches,
 * when it is due next, and the backoff of retries after a failure to heal
 * or to anchor. What to do when something fires is the driver's business
 * (keeper-loop.c). */

#include <errno.h>
#include <sys/inotify.h>

#include "keeper-internal.h"
#include "macro.h"

int keeper_watch_directory(sk_keeper *k) {
        if (!k->watcher || k->detection != SK_DETECT_INOTIFY || k->dir_fd < 0)
                return 0;
        /* Moved to the directory we hold now, if another. */
        return watcher_subscribe(k->watcher, &k->dir_sub, k->dir_fd);
}

int keeper_watch_anchor(sk_keeper *k) {
        if (!k->watcher || k->detection != SK_DETECT_INOTIFY)
                return 0;
        /* The name is hashed when subscribing: a new anchor (its name holds
         * the inode) is subscribed anew. */
        watcher_unsubscribe(k->watcher, &k->anchor_sub);
        if (k->anchor.dir_fd < 0)
                return 0;
        k->anchor_sub = (watch_sub) { .keeper = k, .name = k->anchor.name, .anchor = true, .wd = -1 };
        return watcher_subscribe(k->watcher, &k->anchor_sub, k->anchor.dir_fd);
}

void keeper_schedule_retry(sk_keeper *k) {
        k->retry_delay = k->retry_delay ? k->retry_delay * 2 : SK_RETRY_MIN_USEC;
        if (k->retry_delay > SK_RETRY_MAX_USEC)
                k->retry_delay = SK_RETRY_MAX_USEC;
        k->next_retry = now_usec(KEEPER_CLOCK) + k->retry_delay;
}

void keeper_schedule_anchor_retry(sk_keeper *k) {
        k->anchor_retry_delay = k->anchor_retry_delay ? k->anchor_retry_delay * 2 : SK_ANCHOR_RETRY_MIN_USEC;
        if (k->anchor_retry_delay > k->check_usec)
                k->anchor_retry_delay = k->check_usec;
        k->next_anchor_retry = now_usec(KEEPER_CLOCK) + k->anchor_retry_delay;
}

/* The path leads to our socket again: the healing backoff starts over. */
void keeper_healed(sk_keeper *k) {
        k->retry_delay = 0;
        k->next_retry = 0;
        k->detected_at = 0;
}

/* Reports a failure to heal and tries again soon, backing off. */
void keeper_failed(sk_keeper *k, int r, const char *operation) {
        keeper_schedule_retry(k);
        keeper_emit_error(k, -r, operation, k->retry_delay);
}

uint64_t keeper_since_detection(sk_keeper *k) {
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        return k->detected_at && now > k->detected_at ? now - k->detected_at : 0;
}

static uint64_t earliest(uint64_t a, uint64_t b) {
        if (!a)
                return b;
        if (!b)
                return a;
        return a < b ? a : b;
}

int keeper_arm_timer(sk_keeper *k) {
        uint64_t next = earliest(earliest(earliest(k->next_check, k->next_refresh),
                                          earliest(k->next_retry, k->next_anchor_retry)),
                                 k->next_liveness);

        if (!k->watcher)
                return 0;
        return watcher_schedule(k->watcher, k, next);
}

uint64_t keeper_next_period(sk_keeper *k, uint64_t now, uint64_t period) {
        return k->watcher ? watcher_align(k->watcher, now, period) : now + period;
}

int keeper_watch_setup(sk_keeper *k) {
        uint64_t now = now_usec(KEEPER_CLOCK);
        int r;

        if (k->abstract)
                return 0; /* no file, nothing to keep: the watcher never fires for it */

        r = keeper_watch_directory(k);
        if (r < 0)
                return r;
        (void) keeper_watch_anchor(k);

        /* Periodic deadlines on the watcher's grid: thousands of keepers
         * of one watcher wake together, once. */
        k->next_check = keeper_next_period(k, now, k->check_usec);
        k->next_refresh = k->refresh_usec ? keeper_next_period(k, now, k->refresh_usec) : 0;
        if (k->slot.dirty)
                k->next_retry = now; /* look at once */
        return keeper_arm_timer(k);
}

void keeper_watch_done(sk_keeper *k) {
        if (!k->watcher)
                return;
        watcher_unsubscribe(k->watcher, &k->dir_sub);
        watcher_unsubscribe(k->watcher, &k->anchor_sub);
        watcher_forget(k->watcher, k);
        k->slot.dirty = k->slot.anchor_dirty = false;
        if (!k->watcher_given)
                k->watcher = watcher_unref(k->watcher);
}
