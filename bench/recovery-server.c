/* SPDX-License-Identifier: MIT */
/* The daemon under test in bench/recovery: a keeper configured as the
 * variant says, with an ordinary blocking accept loop on its fd, and the
 * keeper's events counted and turned into "unlink() to healed" samples. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "log.h"
#include "path-util.h"
#include "recovery-common.h"

#define REPLY "ok\n"

static void record_healed(server *s) {
        uint64_t now = now_usec(CLOCK_MONOTONIC), at = atomic_exchange(&s->deleted_at, 0);

        if (at && now >= at)
                (void) u64vec_push(&s->healed, now - at);
}

static void on_event(sk_keeper *k, const sk_event *ev, void *userdata) {
        server *s = userdata;

        switch (ev->type) {
        case SK_EVENT_RELINKED:
                record_healed(s);
                s->last_usec = ev->relinked.usec;
                s->relinks++;
                break;
        case SK_EVENT_REBOUND:
                record_healed(s);
                /* The callback runs on the keeper's thread, after the new
                 * anchor was linked: the one place to read it safely. */
                pthread_mutex_lock(&s->lock);
                snprintf(s->anchor, sizeof(s->anchor), "%s", strempty(sk_keeper_get_anchor_path(k)));
                pthread_mutex_unlock(&s->lock);
                s->last_usec = ev->rebound.usec;
                s->rebinds++;
                break;
        case SK_EVENT_ERROR:
                pthread_mutex_lock(&s->lock);
                snprintf(s->last_error, sizeof(s->last_error), "%s: %s", ev->error.operation,
                         strerror(ev->error.error));
                pthread_mutex_unlock(&s->lock);
                s->errors++;
                break;
        case SK_EVENT_CONFLICT:
                s->conflicts++;
                break;
        default:
                break;
        }
}

/* An ordinary daemon: blocking accept(), one reply line per connection.
 * After a rebind accept() fails once with EINVAL and goes on. */
static void *acceptor_main(void *userdata) {
        server *s = userdata;

        while (!s->stopping) {
                int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);

                if (c < 0) {
                        if (s->stopping)
                                break;
                        if (errno == EINVAL)
                                s->accept_einval++;
                        if (errno == EINTR || errno == EINVAL || errno == ECONNABORTED || errno == EMFILE ||
                            errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                                continue;
                        break;
                }
                s->accepted++;
                (void) send(c, REPLY, strlen(REPLY), MSG_NOSIGNAL);
                close(c);
        }
        return NULL;
}

int server_start(server *s, const char *dir, const char *name, const variant *v, bool thread_mode,
                        bool accept_loop) {
        pid_t before[MAX_TASKS];
        size_t n_before;
        int r;

        *s = (server) { .fd = -EBADF };
        pthread_mutex_init(&s->lock, NULL);
        s->path = path_join(dir, name);
        if (!s->path)
                return log_error_errno(ENOMEM, "%s", dir);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "mkdir %s", dir);

        r = sk_keeper_new(&s->keeper, s->path);
        if (r < 0)
                return log_error_errno(r, "sk_keeper_new %s", s->path);
        sk_keeper_set_event_callback(s->keeper, on_event, s);
        if (v) {
                r = sk_keeper_set_relink(s->keeper, v->relink);
                if (r >= 0)
                        r = sk_keeper_set_detection(s->keeper, v->detection, v->interval_usec);
                if (r < 0)
                        return log_error_errno(r, "configuring the keeper for %s", v->name);
        }
        r = sk_keeper_bind(s->keeper);
        if (r < 0)
                return log_error_errno(r, "sk_keeper_bind %s", s->path);
        s->fd = sk_keeper_get_fd(s->keeper);
        snprintf(s->anchor, sizeof(s->anchor), "%s", strempty(sk_keeper_get_anchor_path(s->keeper)));

        if (thread_mode) {
                n_before = tasks_snapshot(before, ELEMENTSOF(before));
                r = sk_keeper_start(s->keeper);
                if (r < 0)
                        return log_error_errno(r, "sk_keeper_start");
                s->keeper_tid = new_task(before, n_before);
        }
        if (accept_loop) {
                r = -pthread_create(&s->acceptor, NULL, acceptor_main, s);
                if (r < 0)
                        return log_error_errno(r, "starting the accept loop");
                s->acceptor_running = true;
        }
        return 0;
}

int server_start_variant(server *s, const char *base, const char *prefix, const variant *v,
                         struct sockaddr_un *ret_sa) {
        _cleanup_free_ char *dir = NULL;
        char name[64];
        int r;

        snprintf(name, sizeof(name), "%s-%s", prefix, v->key);
        dir = path_join(base, name);
        if (!dir) {
                *s = (server) { .fd = -EBADF }; /* for server_stop() */
                return log_error_errno(ENOMEM, "%s", base);
        }
        r = server_start(s, dir, "s.sock", v, true, true);
        if (r < 0)
                return r;
        sockaddr_for(ret_sa, s->path);
        return 0;
}

void server_stop(server *s) {
        if (s->keeper)
                (void) sk_keeper_stop(s->keeper);
        if (s->acceptor_running) {
                s->stopping = true;
                (void) shutdown(s->fd, SHUT_RDWR); /* wakes the blocked accept() */
                pthread_join(s->acceptor, NULL);
                s->acceptor_running = false;
        }
        s->keeper = sk_keeper_free(s->keeper);
        pthread_mutex_destroy(&s->lock);
        u64vec_done(&s->healed);
        free(s->path);
        s->path = NULL;
}

void server_last_error(server *s, char *buf, size_t size) {
        pthread_mutex_lock(&s->lock);
        snprintf(buf, size, "%s", s->last_error);
        pthread_mutex_unlock(&s->lock);
}

uint64_t server_heals(server *s) {
        return s->relinks + s->rebinds;
}

void sockaddr_for(struct sockaddr_un *sa, const char *path) {
        size_t len = strnlen(path, sizeof(sa->sun_path) - 1);

        /* server_start() refused longer paths already (sk_keeper_new). */
        *sa = (struct sockaddr_un) { .sun_family = AF_UNIX };
        memcpy(sa->sun_path, path, len);
}
