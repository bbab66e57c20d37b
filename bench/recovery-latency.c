/* SPDX-License-Identifier: MIT */
/* bench/recovery, recovery latency: a cleaner deletes the path, a client
 * retries connect() until it gets in, a thousand times per variant (relink,
 * rebind, poll detection; a tight-loop or a pausing client; CPUs kept
 * awake or not); and the estimate for the original library's 60 s poll,
 * which cannot be sampled. */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "recovery-common.h"

/* On a virtual machine a halted vCPU takes the hypervisor's time to wake:
 * measured here, that puts milliseconds on the tail of the keeper thread's
 * wakeups. One SCHED_IDLE spinner per CPU keeps them running without taking
 * time from any real thread, so the rows that use it show the keeper's own
 * latency. Separate processes: as threads of this one they share its task
 * group's CPU share and help much less. */
void awake_start(awake *a) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);

        for (a->n = 0; a->n < (size_t) cpus && a->n < ELEMENTSOF(a->pids); a->n++) {
                pid_t pid = fork();

                if (pid < 0)
                        break;
                if (pid == 0) {
                        struct sched_param p = {};
                        /* Not a spinner left behind by a benchmark that died. */
                        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                        (void) sched_setscheduler(0, SCHED_IDLE, &p);
                        for (;;)
                                ;
                }
                a->pids[a->n] = pid;
        }
}

void awake_stop(awake *a) {
        while (a->n > 0) {
                pid_t pid = a->pids[--a->n];
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
        }
}

/* Without a pause, as an impatient client does. */
int connect_spin(const struct sockaddr_un *sa, uint64_t deadline, uint64_t pause, attempts *a, uint64_t *ret_when) {
        _unused_ _cleanup_(timer_slack_restore) int slack = pause ? timer_slack_fine() : -1;

        for (;;) {
                int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

                if (fd < 0)
                        return negative_errno();
                if (connect(fd, (const struct sockaddr *) sa, sizeof(*sa)) >= 0) {
                        *ret_when = now_usec(CLOCK_MONOTONIC);
                        close(fd);
                        return 0;
                }
                attempts_count(a, errno);
                close(fd);
                if (interrupted)
                        return -EINTR;
                if (now_usec(CLOCK_MONOTONIC) >= deadline)
                        return -ETIMEDOUT;
                if (pause)
                        sleep_usec(pause);
        }
}

int run_latency(const options *o, const char *base, const variant *v, unsigned samples,
                       latency_result *res) {
        _cleanup_(u64vec_done) u64vec client = {}, client_rebind = {}, keeper = {}, unlink_call = {};
        uint64_t sample_timeout = v->detection == SK_DETECT_POLL ? 3 * v->interval_usec + USEC_PER_SEC
                                                                  : 5 * USEC_PER_SEC;
        cpu_meter cpu = cpu_meter_read();
        struct sockaddr_un sa;
        attempts a = {};
        awake aw = {};
        int64_t sw0, sw1;
        server s;
        int r;

        *res = (latency_result) { .name = v->name, .key = v->key, .requested = samples,
                                  .wakeups_per_deletion = -1 };
        r = server_start_variant(&s, base, "lat", v, &sa);
        if (r < 0)
                goto out;
        if (v->cpus_awake)
                awake_start(&aw);
        sleep_usec(SETTLE_USEC / 4);

        sw0 = task_switches(s.keeper_tid);
        for (unsigned i = 0; i < samples && !interrupted; i++) {
                uint64_t heals = server_heals(&s), relinks = s.relinks, t0, t1, deadline;
                bool rebound;

                if (v->random_phase)
                        sleep_usec(rng_next() % v->interval_usec);
                if (v->delete_anchor) {
                        char anchor[PATH_MAX];

                        /* Anchor first, path right after, as a sweep of
                         * both directories would. The keeper may re-create
                         * the anchor in between; the sample then ends in a
                         * relink and is counted as one. */
                        pthread_mutex_lock(&s.lock);
                        snprintf(anchor, sizeof(anchor), "%s", s.anchor);
                        pthread_mutex_unlock(&s.lock);
                        if (anchor[0])
                                (void) unlink(anchor);
                }

                t0 = now_usec(CLOCK_MONOTONIC);
                s.deleted_at = t0;
                if (unlink(s.path) < 0) {
                        /* Not back from the previous round: do not count it. */
                        s.deleted_at = 0;
                        res->unlink_failed++;
                        sleep_usec(10 * USEC_PER_MSEC);
                        continue;
                }
                if (u64vec_push(&unlink_call, now_usec(CLOCK_MONOTONIC) - t0) < 0)
                        goto oom;
                r = connect_spin(&sa, t0 + sample_timeout, v->pause_usec, &a, &t1);
                if (r == -EINTR)
                        break;
                if (r < 0) {
                        res->timeouts++;
                        continue;
                }

                /* The client can get in before the callback ran; wait for
                 * it, so that the next round starts from a settled keeper. */
                deadline = now_usec(CLOCK_MONOTONIC) + sample_timeout;
                while (server_heals(&s) == heals && now_usec(CLOCK_MONOTONIC) < deadline && !interrupted)
                        sleep_usec(20);
                rebound = server_heals(&s) != heals && s.relinks == relinks;
                if (server_heals(&s) != heals) {
                        res->relinks += !rebound;
                        res->rebinds += rebound;
                        if (u64vec_push(&keeper, s.last_usec) < 0)
                                goto oom;
                }
                if (u64vec_push(&client, t1 - t0) < 0 || (rebound && u64vec_push(&client_rebind, t1 - t0) < 0))
                        goto oom;
                if (o->gap_usec && !v->random_phase)
                        sleep_usec(o->gap_usec);
        }
        sw1 = task_switches(s.keeper_tid);
        if (sw0 >= 0 && sw1 >= 0 && client.n)
                res->wakeups_per_deletion = (double) (sw1 - sw0) / (double) client.n;

        /* The keeper thread writes s.healed; read it only once it stopped. */
        (void) sk_keeper_stop(s.keeper);
        res->healed = dist_of(&s.healed);
        res->client = dist_of(&client);
        res->client_rebind = dist_of(&client_rebind);
        res->keeper = dist_of(&keeper);
        res->unlink_call = dist_of(&unlink_call);
        res->others_percent = cpu_meter_others(&cpu);
        res->errors = s.errors;
        res->failed_enoent = a.enoent;
        res->failed_refused = a.refused;
        res->failed_other = a.other;
        server_last_error(&s, res->last_error, sizeof(res->last_error));
        r = 0;
        goto out;
oom:
        r = log_error_errno(ENOMEM, "recording a sample");
out:
        awake_stop(&aw);
        server_stop(&s);
        return r;
}

/* The original library's 60 s poll cannot be sampled a thousand times. A deletion
 * lands at a uniformly random point of the interval, so the wait for the
 * next stat() is U[0, T): p50 T/2, p99 0.99 T, max T; then the rebind
 * itself, whose cost was measured above. */
void estimate_poll(uint64_t interval, uint64_t rebind_cost, latency_result *res) {
        *res = (latency_result) {
                .name = "poll 60 s, rebind (original default)",
                .key = "poll_60s_estimate",
                .estimate = true,
                .client = {
                        .n = 0,
                        .p50 = interval / 2 + rebind_cost,
                        .p90 = interval * 9 / 10 + rebind_cost,
                        .p99 = interval * 99 / 100 + rebind_cost,
                        .max = interval + rebind_cost,
                        .mean = interval / 2 + rebind_cost,
                },
                .wakeups_per_deletion = -1,
        };
        snprintf(res->note, sizeof(res->note),
                 "estimate, not measured: deletion time uniform over the %s poll interval, so the wait is "
                 "U[0, %s) (p50 = T/2, p90 = 0.9 T, p99 = 0.99 T, max = T), plus the measured rebind cost (p50) of %s",
                 FMT_USEC(interval), FMT_USEC(interval), FMT_USEC(rebind_cost));
}
