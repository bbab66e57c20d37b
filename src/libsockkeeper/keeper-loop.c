/* SPDX-License-Identifier: MIT */
/* How the keeper notices: inotify on the socket's directory and on the
 * anchor directory, one timerfd for refresh, backstop checks and retries,
 * all behind one epoll fd so a caller's event loop sees a single source.
 * The background thread is the same loop run for the caller. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "keeper-internal.h"
#include "macro.h"

/* IN_ATTRIB: an owner or mode change of the socket (a daemon that binds
 * as root and then chowns its file) is looked at at once. */
#define DIR_EVENTS (IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define ANCHOR_EVENTS (IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

/* The clock that keeps counting in suspend, like the cleaners' clocks. */
#define KEEPER_CLOCK CLOCK_BOOTTIME

static int add_watch(sk_keeper *k, int dir_fd, uint32_t mask, int *wd) {
        char p[sizeof("/proc/self/fd/") + 3 * sizeof(int)];
        int w;

        if (k->inotify_fd < 0 || dir_fd < 0)
                return 0;
        /* Watch exactly the directory we hold, not whatever the path names. */
        snprintf(p, sizeof(p), "/proc/self/fd/%i", dir_fd);
        w = inotify_add_watch(k->inotify_fd, p, mask);
        if (w < 0)
                return negative_errno();
        if (*wd >= 0 && *wd != w)
                (void) inotify_rm_watch(k->inotify_fd, *wd);
        *wd = w;
        return 0;
}

int keeper_watch_directory(sk_keeper *k) {
        return add_watch(k, k->dir_fd, DIR_EVENTS, &k->dir_wd);
}

int keeper_watch_anchor(sk_keeper *k) {
        return add_watch(k, k->anchor.dir_fd, ANCHOR_EVENTS, &k->anchor_wd);
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
        struct itimerspec its = {};

        if (k->timer_fd < 0)
                return 0;
        if (next) {
                /* An absolute expiry in the past fires at once; 0 would disarm. */
                its.it_value.tv_sec = (time_t) (next / USEC_PER_SEC);
                its.it_value.tv_nsec = (long) (next % USEC_PER_SEC * NSEC_PER_USEC);
                if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
                        its.it_value.tv_nsec = 1;
        }
        if (timerfd_settime(k->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
                return negative_errno();
        return 0;
}

static int epoll_add(int epoll_fd, int fd) {
        struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
        return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? negative_errno() : 0;
}

int keeper_watch_setup(sk_keeper *k) {
        uint64_t now = now_usec(KEEPER_CLOCK);
        int r;

        k->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (k->epoll_fd < 0)
                return negative_errno();

        if (k->abstract)
                return 0; /* no file, nothing to keep: the fd never fires */

        k->timer_fd = timerfd_create(KEEPER_CLOCK, TFD_NONBLOCK | TFD_CLOEXEC);
        if (k->timer_fd < 0)
                return negative_errno();
        r = epoll_add(k->epoll_fd, k->timer_fd);
        if (r < 0)
                return r;

        if (k->detection == SK_DETECT_INOTIFY) {
                k->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
                if (k->inotify_fd < 0)
                        return negative_errno();
                r = epoll_add(k->epoll_fd, k->inotify_fd);
                if (r < 0)
                        return r;
                r = keeper_watch_directory(k);
                if (r < 0)
                        return r;
                (void) keeper_watch_anchor(k);
        }

        k->next_check = now + k->check_usec;
        k->next_refresh = k->refresh_usec ? now + k->refresh_usec : 0;
        if (k->dirty)
                k->next_retry = now; /* look at once */
        return keeper_arm_timer(k);
}

void keeper_watch_done(sk_keeper *k) {
        k->epoll_fd = safe_close(k->epoll_fd);
        k->inotify_fd = safe_close(k->inotify_fd);
        k->timer_fd = safe_close(k->timer_fd);
        k->stop_fd = safe_close(k->stop_fd);
        k->dir_wd = k->anchor_wd = -1;
}

/* Reads all queued inotify events and remembers whether any concerns us. */
static void drain_inotify(sk_keeper *k) {
        union {
                struct inotify_event ev;
                char buf[4096];
        } u;

        if (k->inotify_fd < 0)
                return;

        for (;;) {
                ssize_t n = read(k->inotify_fd, &u, sizeof(u));
                if (n <= 0)
                        return;

                for (char *p = u.buf; p < u.buf + n;) {
                        struct inotify_event *e = (struct inotify_event *) p;

                        if (e->mask & IN_Q_OVERFLOW)
                                k->dirty = k->anchor_dirty = true;
                        else if (e->wd == k->dir_wd &&
                                 (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) ||
                                  (e->len && streq(e->name, k->name))))
                                k->dirty = true;
                        else if (e->wd == k->anchor_wd &&
                                 (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) ||
                                  (e->len && streq(e->name, k->anchor.name))))
                                k->anchor_dirty = true;

                        p += sizeof(*e) + e->len;
                }
        }
}

static int keeper_process(sk_keeper *k) {
        uint64_t now, expirations;
        bool check, refresh;

        if (k->abstract)
                return 0;

        k->emitted = 0;
        drain_inotify(k);
        while (read(k->timer_fd, &expirations, sizeof(expirations)) > 0)
                ;

        now = now_usec(KEEPER_CLOCK);
        check = k->dirty || k->anchor_dirty ||
                (k->next_check && now >= k->next_check) ||
                (k->next_retry && now >= k->next_retry) ||
                (k->next_anchor_retry && now >= k->next_anchor_retry);
        refresh = k->next_refresh && now >= k->next_refresh;

        if (!check && k->next_liveness && now >= k->next_liveness)
                keeper_check_liveness(k);
        if (check) {
                k->dirty = k->anchor_dirty = false;
                k->next_retry = k->next_anchor_retry = 0;
                keeper_check(k);
                k->next_check = now + k->check_usec;
        }
        if (refresh) {
                keeper_refresh(k);
                k->next_refresh = now + k->refresh_usec;
        }

        (void) keeper_arm_timer(k);
        return k->emitted;
}

SK_EXPORT int sk_keeper_process(sk_keeper *k) {
        if (!k)
                return -EINVAL;
        if (!k->bound)
                return -ENOTCONN;
        if (k->thread_running)
                return -EBUSY; /* the keeper's own thread does this */
        return keeper_process(k);
}

SK_EXPORT int sk_keeper_check_now(sk_keeper *k) {
        if (!k)
                return -EINVAL;
        if (!k->bound)
                return -ENOTCONN;
        if (k->thread_running)
                return -EBUSY;
        k->dirty = true;
        return keeper_process(k);
}

SK_EXPORT int sk_keeper_get_event_fd(const sk_keeper *k) {
        if (!k)
                return -EINVAL;
        return k->epoll_fd >= 0 ? k->epoll_fd : -ENOTCONN;
}

static void *thread_main(void *userdata) {
        sk_keeper *k = userdata;
        struct pollfd p[2] = {
                { .fd = k->epoll_fd, .events = POLLIN },
                { .fd = k->stop_fd, .events = POLLIN },
        };

        for (;;) {
                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        /* ENOMEM, or nfds over RLIMIT_NOFILE: transient.
                         * Keep the thread, so "running" stays true. */
                        keeper_emit_error(k, errno, "poll", USEC_PER_SEC);
                        (void) poll(NULL, 0, 1000);
                        continue;
                }
                if (p[1].revents)
                        break;
                if (p[0].revents)
                        (void) keeper_process(k);
        }
        return NULL;
}

SK_EXPORT int sk_keeper_start(sk_keeper *k) {
        sigset_t all, saved;
        int r;

        if (!k)
                return -EINVAL;
        if (!k->bound)
                return -ENOTCONN;
        if (k->thread_running)
                return -EALREADY;

        if (k->stop_fd < 0) {
                k->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
                if (k->stop_fd < 0)
                        return negative_errno();
        }

        /* The daemon's signals belong to the daemon's threads. */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved);
        r = -pthread_create(&k->thread, NULL, thread_main, k);
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        if (r < 0)
                return r;

        k->thread_running = true;
        return 0;
}

SK_EXPORT int sk_keeper_stop(sk_keeper *k) {
        uint64_t one = 1, drain;

        if (!k)
                return -EINVAL;
        if (!k->thread_running)
                return 0;
        if (pthread_equal(pthread_self(), k->thread))
                return -EDEADLK; /* called from our own callback */

        if (write(k->stop_fd, &one, sizeof(one)) < 0)
                return negative_errno();
        (void) pthread_join(k->thread, NULL);
        (void) read(k->stop_fd, &drain, sizeof(drain));
        k->thread_running = false;
        return 0;
}
