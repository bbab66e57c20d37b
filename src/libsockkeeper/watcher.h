/* SPDX-License-Identifier: MIT */
#pragma once

/* The event sources of any number of keepers: one inotify instance, one
 * timerfd and one epoll fd, however many paths. A directory that several
 * keepers watch is watched once; an event wakes only the keepers whose
 * name it carries; the keepers' deadlines wait in one heap, and the
 * periodic ones (backstop checks, refreshes) fall on a shared grid so that
 * thousands of keepers wake together, once. A keeper that is given no
 * watcher gets a private one: the same code, one keeper. */

#include <stdbool.h>
#include <stdint.h>

#include "sockkeeper.h"

typedef struct watch_sub watch_sub;

/* One keeper's interest in one name in a watched directory: its socket's
 * name in the socket's directory, or its anchor's in the anchor
 * directory. Embedded in the keeper. */
struct watch_sub {
        sk_keeper *keeper;
        const char *name;       /* the keeper's own string */
        bool anchor;
        int wd;                 /* -1: not watching */
        watch_sub *next;        /* in the directory's bucket */
};

/* Called for each keeper that something happened to, or whose deadline
 * passed; returns the sk_event_type bits it reported. */
typedef int (*watcher_handle_fn)(sk_keeper *k, uint64_t now);

/* A keeper's place in the watcher, embedded in the keeper. */
typedef struct watch_slot {
        size_t heap_index;      /* SIZE_MAX: no deadline */
        uint64_t due;           /* the earliest deadline, 0 = none */
        bool pending;           /* to be handled in this round */
        sk_keeper *next_pending;
        bool dirty, anchor_dirty; /* what inotify said since it was handled */
} watch_slot;

/* HANDLE is what the driver (keeper-loop.c, above this file) does with a
 * keeper that something happened to. */
int watcher_new(sk_watcher **ret, watcher_handle_fn handle);
sk_watcher *watcher_ref(sk_watcher *w);
sk_watcher *watcher_unref(sk_watcher *w);

/* Watches the directory DIR_FD for SUB (its name changes or goes away).
 * Moves SUB from the directory it watched before. -EMFILE and -ENOSPC
 * stand for fs.inotify.max_user_instances and max_user_watches. */
int watcher_subscribe(sk_watcher *w, watch_sub *sub, int dir_fd);
void watcher_unsubscribe(sk_watcher *w, watch_sub *sub);

/* The earliest of K's deadlines changed to DUE (CLOCK_BOOTTIME, 0 = none). */
int watcher_schedule(sk_watcher *w, sk_keeper *k, uint64_t due);
/* K leaves the watcher: no deadline, not pending. */
void watcher_forget(sk_watcher *w, sk_keeper *k);

/* A deadline of period PERIOD after NOW, on the watcher's grid, so that
 * keepers with the same period wake together: in [NOW + PERIOD,
 * NOW + 2 PERIOD). */
uint64_t watcher_align(const sk_watcher *w, uint64_t now, uint64_t period);

int watcher_get_fd(const sk_watcher *w);
/* Reads the sources and handles every keeper concerned; returns the
 * sk_event_type bits reported. */
int watcher_process(sk_watcher *w);
