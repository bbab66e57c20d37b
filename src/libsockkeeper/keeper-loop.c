/* SPDX-License-Identifier: MIT */
/* The driver: when the keeper's event fd fires (in the caller's event loop,
 * or in the keeper's own thread, which is the same loop run for the
 * caller), it reads what the watches saw and which deadlines passed, and
 * has the path looked at, the timestamps refreshed, or a relinked socket's
 * liveness checked. It alone chooses between the bound and the attached
 * keeper's look. */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "keeper-internal.h"
#include "macro.h"

/* The one place where a keeper of its own socket and an attached one part
 * ways: the first heals by relink or rebind, the second by relink alone. */
static void check_path(sk_keeper *k) {
        if (k->abstract || !k->bound)
                return;
        keeper_look(k, k->attached ? &keeper_mode_attached : &keeper_mode_bound);
}

static void refresh(sk_keeper *k) {
        int r;

        r = keeper_refresh(k);
        if (r == -ENOENT || r == -ESTALE || r == -ELOOP)
                check_path(k); /* no socket, or not ours at the moment: look properly */
        else if (r < 0)
                keeper_emit_error(k, -r, "refresh timestamps", k->refresh_usec);
}

/* What the watcher calls for a keeper that something happened to, or
 * whose deadline passed. */
static int keeper_handle(sk_keeper *k, uint64_t now) {
        bool check, due_refresh;

        if (k->abstract || !k->bound)
                return 0;

        k->emitted = 0;
        check = k->slot.dirty || k->slot.anchor_dirty ||
                (k->next_check && now >= k->next_check) ||
                (k->next_retry && now >= k->next_retry) ||
                (k->next_anchor_retry && now >= k->next_anchor_retry);
        due_refresh = k->next_refresh && now >= k->next_refresh;

        /* An attached keeper's follow-up on a socket that it linked back;
         * a full look includes it. */
        if (!check && k->attached && k->next_liveness && now >= k->next_liveness)
                keeper_check_liveness(k);
        if (check) {
                k->slot.dirty = k->slot.anchor_dirty = false;
                k->next_retry = k->next_anchor_retry = 0;
                check_path(k);
                if (!k->next_check || now >= k->next_check)
                        k->next_check = keeper_next_period(k, now, k->check_usec);
        }
        if (due_refresh) {
                refresh(k);
                k->next_refresh = keeper_next_period(k, now, k->refresh_usec);
        }

        (void) keeper_arm_timer(k);
        return k->emitted;
}

int keeper_private_watcher(sk_watcher **ret) {
        return watcher_new(ret, keeper_handle);
}

/* Processing in the caller's loop (or from its thread) needs a running
 * keeper that no thread of its own is processing. With LOOK, as if a
 * change had been seen: then only this keeper, even in a shared
 * watcher. */
static int process_for_caller(sk_keeper *k, bool look) {
        if (!k)
                return -EINVAL;
        if (!k->bound)
                return -ENOTCONN;
        if (k->thread_running)
                return -EBUSY; /* the keeper's own thread does this */
        if (look) {
                k->slot.dirty = true;
                return keeper_handle(k, now_usec(KEEPER_CLOCK));
        }
        if (k->watcher_given)
                return -EBUSY; /* sk_watcher_process() does it, for all of its keepers */
        return watcher_process(k->watcher);
}

SK_EXPORT int sk_keeper_process(sk_keeper *k) {
        return process_for_caller(k, false);
}

SK_EXPORT int sk_keeper_check_now(sk_keeper *k) {
        return process_for_caller(k, true);
}

SK_EXPORT int sk_keeper_get_event_fd(const sk_keeper *k) {
        if (!k)
                return -EINVAL;
        return k->bound && k->watcher ? watcher_get_fd(k->watcher) : -ENOTCONN;
}

SK_EXPORT int sk_watcher_new(sk_watcher **ret) {
        if (!ret)
                return -EINVAL;
        return watcher_new(ret, keeper_handle);
}

SK_EXPORT sk_watcher *sk_watcher_free(sk_watcher *w) {
        return watcher_unref(w);
}

SK_EXPORT int sk_watcher_get_fd(const sk_watcher *w) {
        return w ? watcher_get_fd(w) : -EINVAL;
}

SK_EXPORT int sk_watcher_process(sk_watcher *w) {
        return w ? watcher_process(w) : -EINVAL;
}

static void *thread_main(void *userdata) {
        sk_keeper *k = userdata;
        struct pollfd p[2] = {
                { .fd = watcher_get_fd(k->watcher), .events = POLLIN },
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
                        (void) watcher_process(k->watcher);
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
        if (k->watcher_given)
                return -EBUSY; /* the watcher's owner runs it, for all of its keepers */

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
        /* Drained for the next start; an empty one (EAGAIN) is as good. */
        ssize_t drained = read(k->stop_fd, &drain, sizeof(drain));
        (void) drained;
        k->thread_running = false;
        return 0;
}
