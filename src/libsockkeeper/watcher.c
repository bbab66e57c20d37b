/* SPDX-License-Identifier: MIT */
/* One inotify instance, one timerfd and one epoll fd for any number of
 * keepers. The kernel gives the same watch descriptor to every watch of
 * one directory in one instance, so a directory is watched once and its
 * subscribers are found by the name an event carries, in a hash table per
 * directory: one deletion in a /tmp with 10,000 kept sockets wakes one
 * keeper, not 10,000. Deadlines wait in a binary heap of keepers. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "alloc-util.h"
#include "keeper-internal.h"
#include "macro.h"
#include "string-hash.h"
#include "watcher.h"

/* IN_ATTRIB: an owner or mode change of the socket (a daemon that binds
 * as root and then chowns its file) is looked at at once. The anchor
 * directory wants a subset; one mask serves both, since a directory may be
 * both a socket's and an anchor's. */
#define DIR_EVENTS (IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_ATTRIB | IN_DELETE_SELF | \
                    IN_MOVE_SELF | IN_ONLYDIR)

typedef struct watched_dir {
        int wd;
        size_t n_subs;
        watch_sub **buckets;
        size_t n_buckets;       /* a power of two */
} watched_dir;

struct sk_watcher {
        unsigned refs;
        watcher_handle_fn handle;
        int epoll_fd;
        int inotify_fd;
        int timer_fd;
        uint64_t epoch;         /* the grid of periodic deadlines starts here */
        uint64_t armed;         /* what the timerfd is set to, 0 = nothing */

        watched_dir *dirs;      /* sorted by wd */
        size_t n_dirs, allocated_dirs;

        sk_keeper **heap;       /* by slot.due, the earliest first */
        size_t n_heap, allocated_heap;

        sk_keeper *pending;     /* to handle in this round */
};

int watcher_new(sk_watcher **ret, watcher_handle_fn handle) {
        _cleanup_free_ sk_watcher *w = calloc(1, sizeof(*w));
        struct epoll_event ev = { .events = EPOLLIN };

        if (!w)
                return -ENOMEM;
        *w = (sk_watcher) {
                .refs = 1,
                .handle = handle,
                .epoll_fd = epoll_create1(EPOLL_CLOEXEC),
                .inotify_fd = -EBADF,
                .timer_fd = -EBADF,
                .epoch = now_usec(KEEPER_CLOCK),
        };
        if (w->epoll_fd < 0)
                return negative_errno();
        w->timer_fd = timerfd_create(KEEPER_CLOCK, TFD_NONBLOCK | TFD_CLOEXEC);
        ev.data.fd = w->timer_fd;
        if (w->timer_fd < 0 || epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, w->timer_fd, &ev) < 0) {
                int r = negative_errno();
                safe_close(w->timer_fd);
                safe_close(w->epoll_fd);
                return r;
        }
        *ret = TAKE_PTR(w);
        return 0;
}

sk_watcher *watcher_ref(sk_watcher *w) {
        if (w)
                w->refs++;
        return w;
}

sk_watcher *watcher_unref(sk_watcher *w) {
        if (!w || --w->refs > 0)
                return NULL;
        for (size_t i = 0; i < w->n_dirs; i++)
                free(w->dirs[i].buckets);
        free(w->dirs);
        free(w->heap);
        safe_close(w->inotify_fd);
        safe_close(w->timer_fd);
        safe_close(w->epoll_fd);
        free(w);
        return NULL;
}

int watcher_get_fd(const sk_watcher *w) {
        return w->epoll_fd;
}

/* ---- directories ---- */

static watched_dir *find_dir(sk_watcher *w, int wd, size_t *ret_pos) {
        size_t lo = 0, hi = w->n_dirs;

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;

                if (w->dirs[mid].wd < wd)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (ret_pos)
                *ret_pos = lo;
        return lo < w->n_dirs && w->dirs[lo].wd == wd ? &w->dirs[lo] : NULL;
}

static int grow_buckets(watched_dir *d) {
        size_t n = d->n_buckets ? d->n_buckets * 2 : 8;
        watch_sub **b = calloc(n, sizeof(*b));

        if (!b)
                return -ENOMEM;
        for (size_t i = 0; i < d->n_buckets; i++)
                for (watch_sub *s = d->buckets[i], *next; s; s = next) {
                        next = s->next;
                        s->next = b[string_hash(s->name) & (n - 1)];
                        b[string_hash(s->name) & (n - 1)] = s;
                }
        free(d->buckets);
        d->buckets = b;
        d->n_buckets = n;
        return 0;
}

static int inotify_instance(sk_watcher *w) {
        struct epoll_event ev = { .events = EPOLLIN };

        if (w->inotify_fd >= 0)
                return 0;
        w->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (w->inotify_fd < 0)
                return negative_errno();
        ev.data.fd = w->inotify_fd;
        if (epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, w->inotify_fd, &ev) < 0) {
                int r = negative_errno();
                w->inotify_fd = safe_close(w->inotify_fd);
                return r;
        }
        return 0;
}

static void drop_dir(sk_watcher *w, watched_dir *d, bool rm_watch) {
        size_t pos = (size_t) (d - w->dirs);

        if (rm_watch)
                (void) inotify_rm_watch(w->inotify_fd, d->wd);
        free(d->buckets);
        memmove(d, d + 1, (w->n_dirs - pos - 1) * sizeof(*d));
        w->n_dirs--;
}

void watcher_unsubscribe(sk_watcher *w, watch_sub *sub) {
        watched_dir *d;

        if (!w || sub->wd < 0)
                return;
        d = find_dir(w, sub->wd, NULL);
        sub->wd = -1;
        if (!d)
                return;
        for (watch_sub **p = &d->buckets[string_hash(sub->name) & (d->n_buckets - 1)]; *p; p = &(*p)->next)
                if (*p == sub) {
                        *p = sub->next;
                        sub->next = NULL;
                        d->n_subs--;
                        break;
                }
        if (d->n_subs == 0)
                drop_dir(w, d, true);
}

int watcher_subscribe(sk_watcher *w, watch_sub *sub, int dir_fd) {
        char p[sizeof("/proc/self/fd/") + 3 * sizeof(int)];
        watched_dir *d;
        size_t pos;
        int wd, r;

        r = inotify_instance(w);
        if (r < 0)
                return r;
        /* Watch exactly the directory we hold, not whatever the path names. */
        snprintf(p, sizeof(p), "/proc/self/fd/%i", dir_fd);
        wd = inotify_add_watch(w->inotify_fd, p, DIR_EVENTS);
        if (wd < 0)
                return negative_errno();
        if (sub->wd == wd)
                return 0;
        watcher_unsubscribe(w, sub);

        d = find_dir(w, wd, &pos);
        if (!d) {
                if (GREEDY_REALLOC(w->dirs, w->allocated_dirs, w->n_dirs + 1, 8) < 0)
                        return -ENOMEM;
                memmove(w->dirs + pos + 1, w->dirs + pos, (w->n_dirs - pos) * sizeof(*w->dirs));
                w->dirs[pos] = (watched_dir) { .wd = wd };
                w->n_dirs++;
                d = &w->dirs[pos];
        }
        if (d->n_subs >= d->n_buckets * 2 && grow_buckets(d) < 0) {
                if (d->n_subs == 0)
                        drop_dir(w, d, true);
                return -ENOMEM;
        }
        sub->wd = wd;
        sub->next = d->buckets[string_hash(sub->name) & (d->n_buckets - 1)];
        d->buckets[string_hash(sub->name) & (d->n_buckets - 1)] = sub;
        d->n_subs++;
        return 0;
}

/* ---- deadlines ---- */

static bool earlier(sk_keeper *a, sk_keeper *b) {
        return a->slot.due < b->slot.due;
}

static void heap_set(sk_watcher *w, size_t i, sk_keeper *k) {
        w->heap[i] = k;
        k->slot.heap_index = i;
}

static void sift_up(sk_watcher *w, size_t i) {
        sk_keeper *k = w->heap[i];

        while (i > 0 && earlier(k, w->heap[(i - 1) / 2])) {
                heap_set(w, i, w->heap[(i - 1) / 2]);
                i = (i - 1) / 2;
        }
        heap_set(w, i, k);
}

static void sift_down(sk_watcher *w, size_t i) {
        sk_keeper *k = w->heap[i];

        for (;;) {
                size_t c = 2 * i + 1;

                if (c >= w->n_heap)
                        break;
                if (c + 1 < w->n_heap && earlier(w->heap[c + 1], w->heap[c]))
                        c++;
                if (!earlier(w->heap[c], k))
                        break;
                heap_set(w, i, w->heap[c]);
                i = c;
        }
        heap_set(w, i, k);
}

static void heap_remove(sk_watcher *w, sk_keeper *k) {
        size_t i = k->slot.heap_index;
        sk_keeper *last;

        if (i == SIZE_MAX)
                return;
        k->slot.heap_index = SIZE_MAX;
        last = w->heap[--w->n_heap];
        if (last == k)
                return;
        /* The last one takes the hole, and goes up or down from there. */
        heap_set(w, i, last);
        sift_up(w, i);
        sift_down(w, last->slot.heap_index);
}

static int arm(sk_watcher *w) {
        uint64_t next = w->n_heap > 0 ? w->heap[0]->slot.due : 0;
        struct itimerspec its = {};

        if (next == w->armed)
                return 0;
        if (next) {
                /* An absolute expiry in the past fires at once; 0 would disarm. */
                its.it_value.tv_sec = (time_t) (next / USEC_PER_SEC);
                its.it_value.tv_nsec = (long) (next % USEC_PER_SEC * NSEC_PER_USEC);
                if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
                        its.it_value.tv_nsec = 1;
        }
        if (timerfd_settime(w->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
                return negative_errno();
        w->armed = next;
        return 0;
}

int watcher_schedule(sk_watcher *w, sk_keeper *k, uint64_t due) {
        if (due == k->slot.due && (due == 0) == (k->slot.heap_index == SIZE_MAX))
                return 0;
        heap_remove(w, k);
        k->slot.due = due;
        if (due) {
                if (GREEDY_REALLOC(w->heap, w->allocated_heap, w->n_heap + 1, 16) < 0)
                        return -ENOMEM;
                w->heap[w->n_heap++] = k;
                k->slot.heap_index = w->n_heap - 1;
                sift_up(w, w->n_heap - 1);
        }
        return arm(w);
}

void watcher_forget(sk_watcher *w, sk_keeper *k) {
        if (!w)
                return;
        heap_remove(w, k);
        k->slot.due = 0;
        if (k->slot.pending)
                for (sk_keeper **p = &w->pending; *p; p = &(*p)->slot.next_pending)
                        if (*p == k) {
                                *p = k->slot.next_pending;
                                break;
                        }
        k->slot.pending = false;
        (void) arm(w);
}

uint64_t watcher_align(const sk_watcher *w, uint64_t now, uint64_t period) {
        uint64_t since;

        if (!period)
                return 0;
        since = now + period - w->epoch;
        return w->epoch + (since + period - 1) / period * period;
}

/* ---- a round ---- */

static void make_pending(sk_watcher *w, sk_keeper *k) {
        if (k->slot.pending)
                return;
        k->slot.pending = true;
        k->slot.next_pending = w->pending;
        w->pending = k;
}

static void mark(sk_watcher *w, watch_sub *s) {
        if (s->anchor)
                s->keeper->slot.anchor_dirty = true;
        else
                s->keeper->slot.dirty = true;
        make_pending(w, s->keeper);
}

static void mark_dir(sk_watcher *w, watched_dir *d) {
        for (size_t b = 0; b < d->n_buckets; b++)
                for (watch_sub *s = d->buckets[b]; s; s = s->next)
                        mark(w, s);
}

static void drain_inotify(sk_watcher *w) {
        union {
                struct inotify_event ev;
                char buf[16384];
        } u;

        if (w->inotify_fd < 0)
                return;
        for (;;) {
                ssize_t n = read(w->inotify_fd, &u, sizeof(u));

                if (n <= 0)
                        return;
                for (char *p = u.buf; p < u.buf + n;) {
                        struct inotify_event *e = (struct inotify_event *) p;
                        watched_dir *d = find_dir(w, e->wd, NULL);

                        p += sizeof(*e) + e->len;
                        if (e->mask & IN_Q_OVERFLOW) {
                                /* Events were lost: everybody looks. */
                                for (size_t i = 0; i < w->n_dirs; i++)
                                        mark_dir(w, &w->dirs[i]);
                                continue;
                        }
                        if (!d)
                                continue;
                        if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                                mark_dir(w, d);
                                if (e->mask & IN_IGNORED) {
                                        /* The kernel dropped the watch: the
                                         * subscribers watch anew when they
                                         * find their directory again. */
                                        for (size_t b = 0; b < d->n_buckets; b++)
                                                for (watch_sub *s = d->buckets[b]; s; s = s->next)
                                                        s->wd = -1;
                                        drop_dir(w, d, false);
                                }
                                continue;
                        }
                        if (!e->len)
                                continue;
                        for (watch_sub *s = d->buckets[string_hash(e->name) & (d->n_buckets - 1)]; s; s = s->next)
                                if (streq(s->name, e->name))
                                        mark(w, s);
                }
        }
}

int watcher_process(sk_watcher *w) {
        uint64_t now, expirations;
        int mask = 0;

        drain_inotify(w);
        while (read(w->timer_fd, &expirations, sizeof(expirations)) > 0)
                ;
        w->armed = 0; /* fired, or read before it did: set it again below */

        now = now_usec(KEEPER_CLOCK);
        while (w->n_heap > 0 && w->heap[0]->slot.due <= now) {
                sk_keeper *k = w->heap[0];

                heap_remove(w, k);
                k->slot.due = 0;
                make_pending(w, k);
        }
        while (w->pending) {
                sk_keeper *k = w->pending;

                w->pending = k->slot.next_pending;
                k->slot.pending = false;
                mask |= w->handle(k, now);
        }
        (void) arm(w);
        return mask;
}
