/* SPDX-License-Identifier: MIT */
/* The last-resort layer: after the path and the anchor are both gone the
 * keeper binds a new socket onto the same fd number. A thread blocked in
 * accept() must wake up and serve again, and an epoll user that adds the
 * fd again on the REBOUND event must keep serving. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "tap.h"
#include "test-util.h"

#define WAIT_USEC (3 * USEC_PER_SEC)

typedef struct server {
        int fd;
        atomic_int served;
        atomic_int einval;
        atomic_bool stop;
} server;

static void *blocking_accept_loop(void *userdata) {
        server *s = userdata;

        while (!s->stop) {
                int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0) {
                        if (errno == EINVAL && !s->stop)
                                s->einval++;
                        continue;
                }
                s->served++;
                close(c);
        }
        return NULL;
}

static bool wait_for(atomic_int *counter, int value) {
        uint64_t deadline = now_usec(CLOCK_MONOTONIC) + WAIT_USEC;

        while (*counter < value)
                if (now_usec(CLOCK_MONOTONIC) > deadline)
                        return false;
                else
                        usleep(1000);
        return true;
}

/* Retries connecting while the keeper heals. */
static int connect_soon(const char *path) {
        uint64_t deadline = now_usec(CLOCK_MONOTONIC) + WAIT_USEC;
        int r;

        while ((r = try_connect(path)) < 0 && now_usec(CLOCK_MONOTONIC) < deadline)
                usleep(1000);
        return r;
}

/* Deletes both at once as far as the keeper can tell: a running keeper
 * thread would re-create the anchor between the two unlinks (it does so
 * within microseconds) and relink instead of rebinding. */
static void delete_path_and_anchor(sk_keeper *k, bool thread_running) {
        if (thread_running)
                check_int(sk_keeper_stop(k), ==, 0);
        check(unlink(sk_keeper_get_anchor_path(k)) >= 0);
        check(unlink(sk_keeper_get_path(k)) >= 0);
        if (thread_running)
                check_int(sk_keeper_start(k), ==, 0);
}

TEST(blocked_accept_wakes_and_serves_again) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/s.sock");
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec);
        server s = {};
        pthread_t t;
        struct stat before, after;

        check_int(sk_keeper_bind(k), ==, 0);
        check(lstat(path, &before) >= 0);
        s.fd = sk_keeper_get_fd(k);
        check_int(sk_keeper_start(k), ==, 0);
        check_int(sk_keeper_start(k), ==, -EALREADY);
        check(pthread_create(&t, NULL, blocking_accept_loop, &s) == 0);

        check_int(connect_soon(path), ==, 0);
        check(wait_for(&s.served, 1));
        usleep(10000); /* let the thread block in accept() again */

        delete_path_and_anchor(k, true);
        check_int(connect_soon(path), ==, 0);
        check(wait_for(&s.served, 2));
        check(wait_for(&s.einval, 1));  /* the blocked accept() woke up */
        check_int(sk_keeper_stop(k), ==, 0);
        check(rec.mask & SK_EVENT_REBOUND);
        check(lstat(path, &after) >= 0);
        check_int(rec.old_ino, ==, before.st_ino);
        check_int(rec.new_ino, ==, after.st_ino);
        check_int(sk_keeper_get_fd(k), ==, s.fd); /* the number never changes */

        s.stop = true;
        (void) shutdown(s.fd, SHUT_RDWR);
        pthread_join(t, NULL);
        sk_keeper_free(k);
        rm_rf(dir);
}

typedef struct epoll_user {
        int epoll_fd;
        int fd;
        atomic_int rebound;
} epoll_user;

static void readd_on_rebound(sk_keeper *k, const sk_event *ev, void *userdata) {
        epoll_user *u = userdata;
        struct epoll_event e = { .events = EPOLLIN, .data.fd = ev->rebound.fd };

        if (ev->type != SK_EVENT_REBOUND)
                return;
        /* The old registration belongs to the old description and goes
         * away when the keeper closes it; the new one must be added. */
        check(epoll_ctl(u->epoll_fd, EPOLL_CTL_ADD, ev->rebound.fd, &e) >= 0);
        u->rebound++;
}

static int epoll_serve_one(epoll_user *u, const char *path) {
        struct epoll_event e;
        uint64_t deadline = now_usec(CLOCK_MONOTONIC) + WAIT_USEC;
        int r = connect_soon(path);

        if (r < 0)
                return r;
        while (now_usec(CLOCK_MONOTONIC) < deadline) {
                int n = epoll_wait(u->epoll_fd, &e, 1, 100);
                if (n <= 0)
                        continue;
                int c = accept4(u->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (c >= 0) {
                        close(c);
                        return 0;
                }
                check(errno == EAGAIN || errno == EINVAL);
        }
        return -ETIMEDOUT;
}

TEST(epoll_user_reregisters_and_keeps_serving) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/s.sock");
        sk_keeper *k = NULL;
        epoll_user u = {};
        struct epoll_event e = { .events = EPOLLIN };
        int fl;

        check_int(sk_keeper_new(&k, path), ==, 0);
        check_int(sk_keeper_set_event_callback(k, readd_on_rebound, &u), ==, 0);
        check_int(sk_keeper_bind(k), ==, 0);
        u.fd = sk_keeper_get_fd(k);
        check(fcntl(u.fd, F_SETFL, O_NONBLOCK) >= 0);
        u.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        e.data.fd = u.fd;
        check(epoll_ctl(u.epoll_fd, EPOLL_CTL_ADD, u.fd, &e) >= 0);
        check_int(sk_keeper_start(k), ==, 0);

        check_int(epoll_serve_one(&u, path), ==, 0);
        delete_path_and_anchor(k, true);
        check_int(epoll_serve_one(&u, path), ==, 0);
        /* The old socket's shutdown wakes epoll, and the client may be
         * served on the new one before the keeper thread tells of it. */
        check(wait_for(&u.rebound, 1));
        check_int(u.rebound, ==, 1);
        fl = fcntl(u.fd, F_GETFL);
        check(fl & O_NONBLOCK); /* carried over to the new description */
        check(fcntl(u.fd, F_GETFD) & FD_CLOEXEC);
        check_int(epoll_serve_one(&u, path), ==, 0);

        sk_keeper_free(k);
        close(u.epoll_fd);
        rm_rf(dir);
}

TEST(rebind_leaks_no_fds) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/s.sock");
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec);
        int before;

        check_int(sk_keeper_bind(k), ==, 0);
        before = count_open_fds();
        for (int i = 0; i < 20; i++) {
                delete_path_and_anchor(k, false);
                check(pump(k, SK_EVENT_REBOUND, 3000) & SK_EVENT_REBOUND);
                check(served_by(sk_keeper_get_fd(k), path));
        }
        check_int(recorder_count(&rec, SK_EVENT_REBOUND), ==, 20);
        check_int(count_open_fds(), ==, before);
        sk_keeper_free(k);
        rm_rf(dir);
}

static void stop_from_callback(sk_keeper *k, const sk_event *ev, void *userdata) {
        atomic_int *result = userdata;

        if (ev->type == SK_EVENT_RELINKED)
                *result = sk_keeper_stop(k);
}

TEST(misuse_is_refused) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/s.sock");
        sk_keeper *k = NULL;
        atomic_int result = 1;

        check_int(sk_keeper_new(&k, path), ==, 0);
        check_int(sk_keeper_set_event_callback(k, stop_from_callback, &result), ==, 0);
        check_int(sk_keeper_start(k), ==, -ENOTCONN); /* not bound yet */
        check_int(sk_keeper_get_fd(k), ==, -ENOTCONN);
        check_int(sk_keeper_process(k), ==, -ENOTCONN);
        check_int(sk_keeper_bind(k), ==, 0);
        check_int(sk_keeper_bind(k), ==, -EALREADY);
        check_int(sk_keeper_stop(k), ==, 0); /* not running: nothing to do */

        /* Joining itself would deadlock; the keeper thread says so. */
        check_int(sk_keeper_start(k), ==, 0);
        /* Only the keeper's thread may process while it runs. */
        check_int(sk_keeper_process(k), ==, -EBUSY);
        check_int(sk_keeper_check_now(k), ==, -EBUSY);
        check(unlink(path) >= 0);
        for (uint64_t end = now_usec(CLOCK_MONOTONIC) + WAIT_USEC; result == 1 && now_usec(CLOCK_MONOTONIC) < end;)
                usleep(1000);
        check_int(result, ==, -EDEADLK);
        check_int(sk_keeper_stop(k), ==, 0);
        sk_keeper_free(k);
        rm_rf(dir);
}

TAP_MAIN(T(blocked_accept_wakes_and_serves_again),
         T(epoll_user_reregisters_and_keeps_serving),
         T(rebind_leaks_no_fds),
         T(misuse_is_refused))
