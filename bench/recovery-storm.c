/* SPDX-License-Identifier: MIT */
/* bench/recovery, deletion storm: the path deleted every few milliseconds
 * while clients connect, read a line and close in a closed loop; what
 * fails, what is lost after accept(), and how long the path was missing. */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"
#include "recovery-common.h"

#define CLIENT_TIMEOUT_USEC (2 * USEC_PER_SEC)

typedef struct storm_client {
        pthread_t thread;
        const struct sockaddr_un *sa;
        atomic_bool *stop;
        uint64_t pause;
        uint64_t connects, ok;
        attempts failed;
        uint64_t lost_eof, lost_reset, lost_timeout, lost_other;
        uint64_t streak_start;
        u64vec streaks;          /* how long each run of failed connects lasted */
} storm_client;

/* 0 when the whole reply line came, -ENODATA at EOF before it. */
static int read_reply(int fd) {
        char buf[16];
        size_t got = 0;

        for (;;) {
                ssize_t n = read(fd, buf + got, sizeof(buf) - got);

                if (n > 0) {
                        got += (size_t) n;
                        if (memchr(buf, '\n', got))
                                return 0;
                        if (got == sizeof(buf))
                                return -EPROTO;
                        continue;
                }
                if (n == 0)
                        return -ENODATA;
                if (errno != EINTR)
                        return negative_errno();
        }
}

static void *storm_client_main(void *userdata) {
        storm_client *c = userdata;
        _unused_ _cleanup_(timer_slack_restore) int slack = c->pause ? timer_slack_fine() : -1;
        struct timeval tv = {
                .tv_sec = (time_t) (CLIENT_TIMEOUT_USEC / USEC_PER_SEC),
                .tv_usec = (suseconds_t) (CLIENT_TIMEOUT_USEC % USEC_PER_SEC),
        };

        while (!*c->stop && !interrupted) {
                _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                int r;

                if (fd < 0)
                        break;
                /* A connection stuck in a dead backlog must not hang us. */
                (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
                (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

                c->connects++;
                if (connect(fd, (const struct sockaddr *) c->sa, sizeof(*c->sa)) < 0) {
                        attempts_count(&c->failed, errno);
                        if (!c->streak_start)
                                c->streak_start = now_usec(CLOCK_MONOTONIC);
                        if (c->pause)
                                sleep_usec(c->pause);
                        continue;
                }
                if (c->streak_start) {
                        (void) u64vec_push(&c->streaks, now_usec(CLOCK_MONOTONIC) - c->streak_start);
                        c->streak_start = 0;
                }

                r = read_reply(fd);
                if (r >= 0)
                        c->ok++;
                else if (r == -ENODATA)
                        c->lost_eof++;
                else if (r == -ECONNRESET)
                        c->lost_reset++;
                else if (r == -EAGAIN)
                        c->lost_timeout++;
                else
                        c->lost_other++;
        }
        return NULL;
}

int run_storm(const options *o, const char *base, const variant *v, storm_result *res) {
        _cleanup_(u64vec_done) u64vec streaks = {};
        _cleanup_free_ storm_client *clients = NULL;
        cpu_meter cpu = cpu_meter_read();
        atomic_bool stop = false;
        struct sockaddr_un sa;
        unsigned started = 0;
        uint64_t start, n;
        server s;
        int r;

        *res = (storm_result) { .name = v->name, .key = v->key };
        clients = calloc(o->storm_clients, sizeof(*clients));
        if (!clients)
                return log_error_errno(ENOMEM, "allocating clients");

        r = server_start_variant(&s, base, "storm", v, &sa);
        if (r < 0)
                goto out;
        sleep_usec(SETTLE_USEC / 4);

        for (; started < o->storm_clients; started++) {
                clients[started] = (storm_client) { .sa = &sa, .stop = &stop, .pause = v->pause_usec };
                r = -pthread_create(&clients[started].thread, NULL, storm_client_main, &clients[started]);
                if (r < 0) {
                        log_error_errno(r, "starting a client");
                        goto out;
                }
        }

        /* The cleaner: one unlink() every period, on an absolute schedule
         * so that a slow round does not stretch the storm. */
        start = now_usec(CLOCK_MONOTONIC);
        n = o->storm_usec / o->storm_period_usec;
        for (uint64_t i = 1; i <= n && !interrupted; i++) {
                uint64_t at = start + i * o->storm_period_usec, now = now_usec(CLOCK_MONOTONIC), prev, t;

                if (at > now)
                        sleep_usec(at - now);
                t = now_usec(CLOCK_MONOTONIC);
                prev = atomic_exchange(&s.deleted_at, t);
                if (unlink(s.path) >= 0)
                        res->deletions++;
                else {
                        /* Not healed within one period: the keeper is still
                         * on the previous deletion, which keeps its time. */
                        res->deletions_missing++;
                        (void) atomic_compare_exchange_strong(&s.deleted_at, &t, prev);
                }
        }
        sleep_usec(o->storm_period_usec); /* let the last deletion heal */
        res->duration_usec = now_usec(CLOCK_MONOTONIC) - start;
        r = 0;
out:
        stop = true;
        for (unsigned i = 0; i < started; i++) {
                storm_client *c = &clients[i];

                pthread_join(c->thread, NULL);
                res->connects += c->connects;
                res->ok += c->ok;
                res->enoent += c->failed.enoent;
                res->refused += c->failed.refused;
                res->other_fail += c->failed.other;
                res->lost_eof += c->lost_eof;
                res->lost_reset += c->lost_reset;
                res->lost_timeout += c->lost_timeout;
                res->lost_other += c->lost_other;
                for (size_t j = 0; j < c->streaks.n; j++)
                        (void) u64vec_push(&streaks, c->streaks.v[j]);
                u64vec_done(&c->streaks);
        }
        res->lost = res->lost_eof + res->lost_reset + res->lost_timeout + res->lost_other;
        res->fail_percent = res->connects
                                    ? 100.0 * (double) (res->enoent + res->refused + res->other_fail) / (double) res->connects
                                    : 0;
        res->outage = dist_of(&streaks);
        res->others_percent = cpu_meter_others(&cpu);
        if (s.keeper) {
                uint64_t absent = 0;

                (void) sk_keeper_stop(s.keeper); /* s.healed is the keeper thread's */
                for (size_t i = 0; i < s.healed.n; i++)
                        absent += s.healed.v[i];
                res->absent_percent = res->duration_usec ? 100.0 * (double) absent / (double) res->duration_usec : 0;
                res->healed = dist_of(&s.healed);
                res->accepted = s.accepted;
                res->accept_einval = s.accept_einval;
                res->relinks = s.relinks;
                res->rebinds = s.rebinds;
                res->errors = s.errors;
                server_last_error(&s, res->last_error, sizeof(res->last_error));
        }
        server_stop(&s);
        return r;
}
