/* SPDX-License-Identifier: MIT */
/* bench/recovery, idle cost: the memory a thread-mode and an event-loop
 * keeper take, how often each wakes while nothing happens, the timer the
 * keeper armed, and how often unrelated files created and deleted beside
 * the socket wake it. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "path-util.h"
#include "recovery-common.h"

typedef struct loop_poller {
        sk_keeper *keeper;
        int stop_fd;
        atomic_uint_fast64_t wakeups;
} loop_poller;

/* Event-loop mode, counted exactly: every return of poll() is a wakeup. */
static void *loop_poller_main(void *userdata) {
        loop_poller *lp = userdata;
        struct pollfd p[2] = {
                { .fd = sk_keeper_get_event_fd(lp->keeper), .events = POLLIN },
                { .fd = lp->stop_fd, .events = POLLIN },
        };

        for (;;) {
                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (p[1].revents)
                        break;
                lp->wakeups++;
                (void) sk_keeper_process(lp->keeper);
        }
        return NULL;
}

/* Creates and deletes unrelated files beside the socket, as other programs
 * in a shared /tmp do; inotify on the directory sees all of them. */
static uint64_t churn(const char *dir, unsigned n) {
        _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        uint64_t ops = 0;

        if (dfd < 0)
                return 0;
        for (unsigned i = 0; i < n; i++) {
                char name[32];
                int fd;

                snprintf(name, sizeof(name), "neighbour-%u", i);
                fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                if (fd < 0)
                        continue;
                close(fd);
                (void) unlinkat(dfd, name, 0);
                ops++;
        }
        return ops;
}

int run_idle(const options *o, const char *base, idle_result *res) {
        _cleanup_free_ char *dir_thread = path_join(base, "idle-thread"), *dir_loop = path_join(base, "idle-loop");
        bool fds_before[MAX_FDS];
        server st = {}, sl = {};
        loop_poller lp = { .stop_fd = -EBADF };
        pthread_t poller;
        bool poller_running = false;
        cpu_meter cpu;
        int64_t sw0, sw1, sw2;
        uint64_t lw0, lw1, lw2, t0, observed, one = 1;
        int r;

        if (!dir_thread || !dir_loop)
                return log_error_errno(ENOMEM, "%s", base);

        /* First section of the run, so that the RSS delta is the keeper's
         * and not the heap left over from the storm. */
        res->rss_before_kb = vmrss_kb();
        fds_snapshot(fds_before);
        r = server_start(&st, dir_thread, "idle.sock", NULL, true, false);
        if (r < 0)
                goto out;
        sleep_usec(SETTLE_USEC);
        res->rss_thread_kb = vmrss_kb();
        res->timer_found = armed_timer(fds_before, &res->timer_remaining_usec) >= 0;

        r = server_start(&sl, dir_loop, "idle.sock", NULL, false, false);
        if (r < 0)
                goto out;
        lp.keeper = sl.keeper;
        lp.stop_fd = eventfd(0, EFD_CLOEXEC);
        if (lp.stop_fd < 0) {
                r = log_error_errno(errno, "eventfd");
                goto out;
        }
        r = -pthread_create(&poller, NULL, loop_poller_main, &lp);
        if (r < 0) {
                log_error_errno(r, "starting the event-loop poller");
                goto out;
        }
        poller_running = true;
        sleep_usec(SETTLE_USEC);
        res->rss_loop_kb = vmrss_kb();

        /* Whatever start-up stirred (our own IN_CREATE, the anchor) is over. */
        cpu = cpu_meter_read();
        sw0 = task_switches(st.keeper_tid);
        lw0 = lp.wakeups;
        t0 = now_usec(CLOCK_MONOTONIC);
        sleep_interruptible(o->idle_usec);
        sw1 = task_switches(st.keeper_tid);
        lw1 = lp.wakeups;
        res->window_usec = now_usec(CLOCK_MONOTONIC) - t0 ?: 1;
        res->others_percent = cpu_meter_others(&cpu);
        res->thread_wakeups = sw0 >= 0 && sw1 >= 0 ? sw1 - sw0 : -1;
        res->loop_wakeups = lw1 - lw0;

        res->churn_ops = churn(dir_thread, 1000);
        sleep_usec(SETTLE_USEC);
        sw2 = task_switches(st.keeper_tid);
        lw2 = lp.wakeups;
        res->churn_thread_wakeups = sw1 >= 0 && sw2 >= 0 ? sw2 - sw1 : -1;
        res->churn_loop_wakeups = lw2 - lw1; /* the loop keeper's directory saw nothing */

        /* The worse of the two modes; the event loop's count is exact. */
        observed = res->loop_wakeups;
        if (res->thread_wakeups > 0 && (uint64_t) res->thread_wakeups > observed)
                observed = (uint64_t) res->thread_wakeups;
        res->observed_per_hour = (double) observed * (double) USEC_PER_HOUR / (double) res->window_usec;
        res->timers_per_hour = (double) USEC_PER_HOUR / LIB_BACKSTOP_USEC + (double) USEC_PER_HOUR / LIB_REFRESH_USEC;
        res->total_per_hour = res->observed_per_hour + res->timers_per_hour;
        res->ran = true;
        r = 0;
out:
        if (poller_running) {
                (void) !write(lp.stop_fd, &one, sizeof(one));
                pthread_join(poller, NULL);
        }
        safe_close(lp.stop_fd);
        server_stop(&sl);
        server_stop(&st);
        return r;
}
