/* SPDX-License-Identifier: MIT */
/* Many keepers in one watcher: one inotify instance however many paths,
 * an event that wakes only the keeper whose name it carries, and periodic
 * deadlines that fall together, so that hundreds of keepers cost one
 * wakeup per period. */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "tap.h"
#include "test-util.h"

#define N_KEEPERS 300
#define N_DIRS 3

typedef struct counted {
        int events[N_KEEPERS];
        int relinked[N_KEEPERS];
        int refreshed;
} counted;

static counted seen;

static void on_event(sk_keeper *k, const sk_event *ev, void *userdata) {
        size_t i = (size_t) (uintptr_t) userdata;

        seen.events[i]++;
        if (ev->type == SK_EVENT_RELINKED)
                seen.relinked[i]++;
        if (ev->type == SK_EVENT_REFRESHED)
                seen.refreshed++;
}

static int count_inotify_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        int n = 0;

        check(d);
        while ((de = readdir(d))) {
                char p[PATH_MAX], target[PATH_MAX];
                ssize_t l;

                snprintf(p, sizeof(p), "/proc/self/fd/%s", de->d_name);
                l = readlink(p, target, sizeof(target) - 1);
                if (l > 0) {
                        target[l] = '\0';
                        n += strcmp(target, "anon_inode:inotify") == 0;
                }
        }
        closedir(d);
        return n;
}

/* Processes W until no event for IDLE_MS; returns how many rounds had any. */
static int pump_watcher(sk_watcher *w, int idle_ms, int total_ms) {
        uint64_t end = now_usec(CLOCK_MONOTONIC) + (uint64_t) total_ms * USEC_PER_MSEC;
        int rounds = 0;

        while (now_usec(CLOCK_MONOTONIC) < end) {
                struct pollfd p = { .fd = sk_watcher_get_fd(w), .events = POLLIN };
                int r = poll(&p, 1, idle_ms);

                check(r >= 0);
                if (r == 0)
                        break;
                r = sk_watcher_process(w);
                check(r >= 0);
                rounds += r > 0;
        }
        return rounds;
}

typedef struct many {
        char *dir;
        char *paths[N_KEEPERS];
        sk_keeper *k[N_KEEPERS];
        sk_watcher *w;
} many;

static void start_many(many *m, uint64_t refresh_usec) {
        char name[64];

        m->dir = scratch_dir();
        for (int d = 0; d < N_DIRS; d++) {
                snprintf(name, sizeof(name), "d%d", d);
                check(mkdir(scratch_path(m->dir, name), 0755) >= 0);
        }
        check_int(sk_watcher_new(&m->w), ==, 0);
        for (size_t i = 0; i < N_KEEPERS; i++) {
                snprintf(name, sizeof(name), "d%zu/s%zu.sock", i % N_DIRS, i);
                m->paths[i] = scratch_path(m->dir, name);
                check_int(sk_keeper_new(&m->k[i], m->paths[i]), ==, 0);
                check_int(sk_keeper_set_watcher(m->k[i], m->w), ==, 0);
                check_int(sk_keeper_set_event_callback(m->k[i], on_event, (void *) (uintptr_t) i), ==, 0);
                check_int(sk_keeper_set_refresh_interval(m->k[i], refresh_usec), ==, 0);
                check_int(sk_keeper_bind(m->k[i]), ==, 0);
        }
}

static void stop_many(many *m) {
        for (size_t i = 0; i < N_KEEPERS; i++)
                sk_keeper_free(m->k[i]);
        sk_watcher_free(m->w);
        rm_rf(m->dir);
}

TEST(one_inotify_instance_and_one_keeper_woken) {
        many m = {};
        int before = count_inotify_fds(), fds_before = count_open_fds();

        start_many(&m, 0);
        check_int(count_inotify_fds() - before, ==, 1);
        /* Each keeper holds its listening socket; directories are shared:
         * three socket directories, one anchor directory, the watcher's. */
        check_int(count_open_fds() - fds_before, <=, N_KEEPERS + 12);
        pump_watcher(m.w, 50, 1000);
        memset(&seen, 0, sizeof(seen));

        /* One deletion, in a directory of 100 kept sockets: one keeper. */
        check(unlink(m.paths[42]) >= 0);
        pump_watcher(m.w, 100, 3000);
        check_int(seen.relinked[42], ==, 1);
        for (size_t i = 0; i < N_KEEPERS; i++)
                if (i != 42)
                        check_int(seen.events[i], ==, 0);
        check(served_by(sk_keeper_get_fd(m.k[42]), m.paths[42]));

        /* A keeper's own fd is the watcher's. */
        check_int(sk_keeper_get_event_fd(m.k[7]), ==, sk_watcher_get_fd(m.w));
        check_int(sk_keeper_process(m.k[7]), ==, -EBUSY);
        check_int(sk_keeper_start(m.k[7]), ==, -EBUSY);
        stop_many(&m);
        check_int(count_inotify_fds(), ==, before);
}

TEST(periodic_deadlines_fall_together) {
        many m = {};
        int rounds;

        start_many(&m, 100 * USEC_PER_MSEC);
        pump_watcher(m.w, 10, 50);
        memset(&seen, 0, sizeof(seen));

        /* 1 s of refreshes every 100 ms: about ten rounds for all 300,
         * not 3,000. */
        rounds = pump_watcher(m.w, 300, 1000);
        check_int(seen.refreshed, >=, 5 * N_KEEPERS);
        check_int(rounds, <=, 14);
        stop_many(&m);
}

TAP_MAIN(T(one_inotify_instance_and_one_keeper_woken),
         T(periodic_deadlines_fall_together))
