/* SPDX-License-Identifier: MIT */
/* How the keeper notices, as a service to the rest of the engine: inotify
 * on the socket's directory and on the anchor directory, one timerfd for
 * refresh, backstop checks and retries, all behind one epoll fd so that a
 * caller's event loop sees a single source; and the backoff of retries
 * after a failure to heal or to anchor. What to do when something fires is
 * the driver's business (keeper-loop.c). */

#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "keeper-internal.h"
#include "macro.h"

/* IN_ATTRIB: an owner or mode change of the socket (a daemon that binds
 * as root and then chowns its file) is looked at at once. */
#define DIR_EVENTS (IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define ANCHOR_EVENTS (IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

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

/* Empties both sources, so that the epoll fd is quiet until something new
 * happens: inotify events become the dirty flags, timer expirations are
 * read as deadlines by the caller. */
void keeper_watch_drain(sk_keeper *k) {
        uint64_t expirations;

        drain_inotify(k);
        while (read(k->timer_fd, &expirations, sizeof(expirations)) > 0)
                ;
}
