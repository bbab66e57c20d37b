/* SPDX-License-Identifier: MIT */
/* bench/recovery's output: the targets with PASS or MISS, the report as
 * tables for a reader, or as one JSON object. */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "recovery-common.h"

/* The targets: relink p99, failed connects in a storm, idle wakeups. */
#define TARGET_RELINK_P99_USEC (1 * USEC_PER_MSEC)
#define TARGET_STORM_FAIL_PERCENT 1.0
#define TARGET_STORM_LOST 0
#define TARGET_IDLE_WAKEUPS_PER_HOUR 2.0

static const char *verdict(bool pass) {
        return pass ? "PASS" : "MISS";
}

/* The rows the targets are about: relink with the default settings. The
 * spec's client is the tight loop; the pausing client is the comparison. */
static bool is_relink_row(const char *key) {
        return streq(key, "relink") || streq(key, "relink_pause") || streq(key, "relink_awake");
}

static const char *client_kind(const char *key) {
        if (strstr(key, "awake"))
                return "tight loop, CPUs kept awake";
        return strstr(key, "pause") ? "pausing client" : "tight loop";
}

static target *new_target(report *rp, const char *what, const char *key) {
        target *t;

        if (rp->n_targets >= ELEMENTSOF(rp->targets))
                return NULL;
        t = &rp->targets[rp->n_targets++];
        snprintf(t->name, sizeof(t->name), "%s (%s)", what, client_kind(key));
        return t;
}

void build_targets(report *rp) {
        target *t;

        for (size_t i = 0; i < rp->n_latency; i++) {
                latency_result *l = &rp->latency[i];

                if (!is_relink_row(l->key) || !l->client.n || !(t = new_target(rp, "relink p99", l->key)))
                        continue;
                snprintf(t->value, sizeof(t->value), "%s", FMT_USEC(l->client.p99));
                snprintf(t->limit, sizeof(t->limit), "<= %s", FMT_USEC(TARGET_RELINK_P99_USEC));
                t->pass = l->client.p99 <= TARGET_RELINK_P99_USEC;
        }
        for (size_t i = 0; i < rp->n_storm; i++) {
                storm_result *s = &rp->storm[i];

                if (!is_relink_row(s->key) || !s->connects)
                        continue;
                t = new_target(rp, "storm, relink: connects failed", s->key);
                if (t) {
                        snprintf(t->value, sizeof(t->value), "%.3f%%", s->fail_percent);
                        snprintf(t->limit, sizeof(t->limit), "< %.0f%%", TARGET_STORM_FAIL_PERCENT);
                        t->pass = s->fail_percent < TARGET_STORM_FAIL_PERCENT;
                }
                t = new_target(rp, "storm, relink: lost after accept", s->key);
                if (t) {
                        snprintf(t->value, sizeof(t->value), "%" PRIu64, s->lost);
                        snprintf(t->limit, sizeof(t->limit), "= %d", TARGET_STORM_LOST);
                        t->pass = s->lost == TARGET_STORM_LOST;
                }
        }
        if (rp->idle.ran && rp->n_targets < ELEMENTSOF(rp->targets)) {
                t = &rp->targets[rp->n_targets++];
                snprintf(t->name, sizeof(t->name), "idle wakeups/hour (default settings)");
                snprintf(t->value, sizeof(t->value), "%.2f", rp->idle.total_per_hour);
                snprintf(t->limit, sizeof(t->limit), "<= %.0f", TARGET_IDLE_WAKEUPS_PER_HOUR);
                t->pass = rp->idle.total_per_hour <= TARGET_IDLE_WAKEUPS_PER_HOUR;
        }
}

void print_human(const report *rp) {
        const options *o = &rp->opts;

        printf("bench/recovery: %ld CPUs, kernel %s, sockets on %s (%s)\n", rp->cpus, rp->kernel, o->dir, rp->fs);
        printf("Times are CLOCK_MONOTONIC; percentiles are nearest-rank. The machine is shared: compare rows of one run.\n");

        if (rp->idle.ran) {
                const idle_result *r = &rp->idle;

                printf("\nIdle cost, default settings (inotify, relink on, refresh %s, backstop check %s); %s window,\n"
                       "other processes used %.0f%% of the CPUs meanwhile\n",
                       FMT_USEC(LIB_REFRESH_USEC), FMT_USEC(LIB_BACKSTOP_USEC), FMT_USEC(r->window_usec),
                       r->others_percent);
                printf("  VmRSS before any keeper             %6ld kB\n", r->rss_before_kb);
                printf("  VmRSS with a thread-mode keeper     %6ld kB  (%+ld kB: keeper, its thread's stack pages)\n",
                       r->rss_thread_kb, r->rss_thread_kb - r->rss_before_kb);
                printf("  VmRSS plus an event-loop keeper     %6ld kB  (%+ld kB)\n", r->rss_loop_kb,
                       r->rss_loop_kb - r->rss_thread_kb);
                if (r->thread_wakeups >= 0)
                        printf("  wakeups of the keeper thread        %6" PRId64 "  (voluntary + involuntary context switches of its TID)\n",
                               r->thread_wakeups);
                else
                        printf("  wakeups of the keeper thread           n/a (its TID was not found)\n");
                printf("  wakeups of the event-loop keeper    %6" PRIu64 "  (returns of poll() on sk_keeper_get_event_fd())\n",
                       r->loop_wakeups);
                if (r->timer_found)
                        printf("  timer armed by the keeper           next expiry in %.0f s, from /proc/self/fdinfo (expected %.0f s: the backstop)%s\n",
                               (double) r->timer_remaining_usec / USEC_PER_SEC, (double) LIB_BACKSTOP_USEC / USEC_PER_SEC,
                               r->timer_remaining_usec > LIB_BACKSTOP_USEC ||
                                               r->timer_remaining_usec + 10 * USEC_PER_SEC < LIB_BACKSTOP_USEC
                                       ? "  MISMATCH"
                                       : "");
                else
                        printf("  timer armed by the keeper           not found in /proc/self/fd\n");
                printf("  A %s window cannot see an hourly timer, so the rate adds the configured timers:\n",
                       FMT_USEC(r->window_usec));
                printf("    observed %.2f/h (extrapolated) + backstop %.2f/h + refresh %.2f/h = %.2f/h   [target <= %.0f/h] %s\n",
                       r->observed_per_hour, (double) USEC_PER_HOUR / LIB_BACKSTOP_USEC,
                       (double) USEC_PER_HOUR / LIB_REFRESH_USEC, r->total_per_hour, TARGET_IDLE_WAKEUPS_PER_HOUR,
                       verdict(r->total_per_hour <= TARGET_IDLE_WAKEUPS_PER_HOUR));
                printf("  Not idle: %" PRIu64 " unrelated create+delete pairs in the socket's directory woke the thread %" PRId64
                       " times\n    (inotify watches the whole directory; in a busy /tmp this, not the timers, is the idle cost)\n",
                       r->churn_ops, r->churn_thread_wakeups);
        }

        if (rp->n_latency) {
                printf("\nRecovery latency: unlink() of the path -> first successful connect() by a client that retries in a\n"
                       "tight socket()+connect() loop (the spec's client), or sleeps between tries where the row says so\n");
                printf("  %-27s %5s %9s %9s %9s %9s | %-19s %-8s %-7s %s\n", "variant", "n", "p50", "p90", "p99",
                       "max", "path back p50/p99", "heal()", "relink/", "keeper wakeups/");
                printf("  %-27s %5s %9s %9s %9s %9s | %-19s %-8s %-7s %s\n", "", "", "", "", "", "",
                       "(unlink->callback)", "p50", "rebind", "deletion, others' CPU");
                for (size_t i = 0; i < rp->n_latency; i++) {
                        const latency_result *l = &rp->latency[i];
                        char n[16], kind[32], back[40], heal[16], wake[32];

                        if (l->estimate) {
                                snprintf(n, sizeof(n), "est.");
                                snprintf(kind, sizeof(kind), "-");
                        } else {
                                snprintf(n, sizeof(n), "%zu", l->client.n);
                                snprintf(kind, sizeof(kind), "%" PRIu64 "/%" PRIu64, l->relinks, l->rebinds);
                        }
                        if (l->healed.n)
                                snprintf(back, sizeof(back), "%s / %s", FMT_USEC(l->healed.p50), FMT_USEC(l->healed.p99));
                        else
                                snprintf(back, sizeof(back), "-");
                        snprintf(heal, sizeof(heal), "%s", l->keeper.n ? FMT_USEC(l->keeper.p50) : "-");
                        if (l->wakeups_per_deletion >= 0)
                                snprintf(wake, sizeof(wake), "%.2f, %.0f%%", l->wakeups_per_deletion, l->others_percent);
                        else
                                snprintf(wake, sizeof(wake), "-");
                        printf("  %-27s %5s %9s %9s %9s %9s | %-19s %-8s %-7s %s", l->name, n, FMT_USEC(l->client.p50),
                               FMT_USEC(l->client.p90), FMT_USEC(l->client.p99), FMT_USEC(l->client.max), back, heal,
                               kind, wake);
                        if (is_relink_row(l->key) && l->client.n)
                                printf("   [p99 <= %s] %s", FMT_USEC(TARGET_RELINK_P99_USEC),
                                       verdict(l->client.p99 <= TARGET_RELINK_P99_USEC));
                        printf("\n");
                        if (l->client_rebind.n && l->client_rebind.n != l->client.n)
                                printf("  %-27s %5zu %9s %9s %9s %9s |\n", "  of which ended in rebind", l->client_rebind.n,
                                       FMT_USEC(l->client_rebind.p50), FMT_USEC(l->client_rebind.p90),
                                       FMT_USEC(l->client_rebind.p99), FMT_USEC(l->client_rebind.max));
                }
                for (size_t i = 0; i < rp->n_latency; i++) {
                        const latency_result *l = &rp->latency[i];

                        if (l->note[0])
                                printf("  * %s: %s\n", l->name, l->note);
                        if (!l->estimate && l->client.n < l->requested)
                                printf("  * %s: %zu of %u samples (%" PRIu64 " timed out, %" PRIu64 " unlink() found no path)\n",
                                       l->name, l->client.n, l->requested, l->timeouts, l->unlink_failed);
                        if (!l->estimate && l->unlink_call.n)
                                printf("  * %s: the cleaner's unlink() itself took p50 %s, p99 %s, max %s (counted in the latency)\n",
                                       l->name, FMT_USEC(l->unlink_call.p50), FMT_USEC(l->unlink_call.p99),
                                       FMT_USEC(l->unlink_call.max));
                        if (!l->estimate && (l->failed_other || l->errors))
                                printf("  * %s: %" PRIu64 " connect() failures other than ENOENT/ECONNREFUSED; keeper errors %" PRIu64 "%s%s\n",
                                       l->name, l->failed_other, l->errors, l->last_error[0] ? ", last: " : "", l->last_error);
                }
        }

        if (rp->n_storm) {
                printf("\nDeletion storm: %u clients connect -> read one line -> close in a closed loop (a failed connect is\n"
                       "retried at once, or after a pause where the row says so); the path is unlinked every %s for %s\n",
                       o->storm_clients, FMT_USEC(o->storm_period_usec), FMT_USEC(o->storm_usec));
                for (size_t i = 0; i < rp->n_storm; i++) {
                        const storm_result *s = &rp->storm[i];
                        bool is_relink = is_relink_row(s->key);

                        printf("  %s\n", s->name);
                        printf("    deletions %" PRIu64 " (+%" PRIu64 " found the path still missing), keeper: %" PRIu64
                               " relinks, %" PRIu64 " rebinds, %" PRIu64 " errors%s%s\n",
                               s->deletions, s->deletions_missing, s->relinks, s->rebinds, s->errors,
                               s->last_error[0] ? ", last: " : "", s->last_error);
                        printf("    connects  %" PRIu64 ", replied %" PRIu64 ", server accepted %" PRIu64
                               ", accept() EINVAL wakeups %" PRIu64 "\n",
                               s->connects, s->ok, s->accepted, s->accept_einval);
                        printf("    failed    %.3f%% of connects: %" PRIu64 " ENOENT, %" PRIu64 " ECONNREFUSED, %" PRIu64
                               " other; %.1f per deletion",
                               s->fail_percent, s->enoent, s->refused, s->other_fail,
                               s->deletions ? (double) (s->enoent + s->refused + s->other_fail) / (double) s->deletions : 0.0);
                        if (is_relink)
                                printf("   [target < %.0f%%] %s", TARGET_STORM_FAIL_PERCENT,
                                       verdict(s->fail_percent < TARGET_STORM_FAIL_PERCENT));
                        printf("\n");
                        printf("    lost after accept %" PRIu64 ": %" PRIu64 " EOF, %" PRIu64 " ECONNRESET, %" PRIu64
                               " timeout, %" PRIu64 " other",
                               s->lost, s->lost_eof, s->lost_reset, s->lost_timeout, s->lost_other);
                        if (is_relink)
                                printf("   [target = %d] %s", TARGET_STORM_LOST, verdict(s->lost == TARGET_STORM_LOST));
                        printf("\n");
                        if (s->healed.n)
                                printf("    path back (unlink -> keeper callback): p50 %s, p90 %s, p99 %s, max %s; "
                                       "the path was missing %.2f%% of the time\n",
                                       FMT_USEC(s->healed.p50), FMT_USEC(s->healed.p90), FMT_USEC(s->healed.p99),
                                       FMT_USEC(s->healed.max), s->absent_percent);
                        if (s->outage.n)
                                printf("    outages seen by a client (first failed connect -> next success): %zu, p50 %s, p99 %s, max %s\n",
                                       s->outage.n, FMT_USEC(s->outage.p50), FMT_USEC(s->outage.p99),
                                       FMT_USEC(s->outage.max));
                        printf("    other processes used %.0f%% of the CPUs meanwhile\n", s->others_percent);
                }
        }

        if (rp->n_targets) {
                printf("\nTargets\n");
                for (size_t i = 0; i < rp->n_targets; i++)
                        printf("  %-52s %10s  %-10s %s\n", rp->targets[i].name, rp->targets[i].value,
                               rp->targets[i].limit, verdict(rp->targets[i].pass));
        }
        printf("\nTotal run time %s\n", FMT_USEC(rp->elapsed_usec));
}

/* Keyed values on the shared JSON writer (src/shared/json.c). */
static void put_key(json_writer *w, const char *key) {
        if (key)
                json_key(w, key);
}

static void put_open(json_writer *w, const char *key, char bracket) {
        put_key(w, key);
        if (bracket == '{')
                json_begin_object(w);
        else
                json_begin_array(w);
}

static void put_close(json_writer *w, char bracket) {
        if (bracket == '}')
                json_end_object(w);
        else
                json_end_array(w);
}

void print_json(const report *rp) {
        const options *o = &rp->opts;
        json_writer j;

        json_init(&j, stdout, true);

        put_open(&j, NULL, '{');
        json_pair_string(&j, "benchmark", "recovery");
        json_pair_string(&j, "kernel", rp->kernel);
        json_pair_int(&j, "cpus", rp->cpus);
        json_pair_string(&j, "dir", o->dir);
        json_pair_string(&j, "filesystem", rp->fs);
        json_pair_uint(&j, "elapsed_us", rp->elapsed_usec);

        put_open(&j, "settings", '{');
        json_pair_uint(&j, "samples", o->samples);
        json_pair_uint(&j, "gap_us", o->gap_usec);
        json_pair_uint(&j, "poll_samples", o->poll_samples);
        json_pair_uint(&j, "poll_interval_us", o->poll_interval_usec);
        json_pair_uint(&j, "storm_us", o->storm_usec);
        json_pair_uint(&j, "storm_period_us", o->storm_period_usec);
        json_pair_uint(&j, "storm_clients", o->storm_clients);
        json_pair_uint(&j, "idle_us", o->idle_usec);
        json_pair_uint(&j, "pause_us", o->pause_usec);
        put_close(&j, '}');

        if (rp->idle.ran) {
                const idle_result *r = &rp->idle;

                put_open(&j, "idle", '{');
                json_pair_int(&j, "rss_before_kb", r->rss_before_kb);
                json_pair_int(&j, "rss_thread_keeper_kb", r->rss_thread_kb);
                json_pair_int(&j, "rss_plus_loop_keeper_kb", r->rss_loop_kb);
                json_pair_uint(&j, "window_us", r->window_usec);
                json_pair_int(&j, "thread_wakeups", r->thread_wakeups);
                json_pair_uint(&j, "loop_wakeups", r->loop_wakeups);
                if (r->timer_found)
                        json_pair_uint(&j, "armed_timer_remaining_us", r->timer_remaining_usec);
                json_pair_uint(&j, "configured_refresh_us", LIB_REFRESH_USEC);
                json_pair_uint(&j, "configured_backstop_us", LIB_BACKSTOP_USEC);
                json_pair_double(&j, "observed_per_hour", r->observed_per_hour);
                json_pair_double(&j, "timers_per_hour", r->timers_per_hour);
                json_pair_double(&j, "wakeups_per_hour", r->total_per_hour);
                json_pair_double(&j, "others_cpu_percent", r->others_percent);
                json_pair_uint(&j, "churn_ops", r->churn_ops);
                json_pair_int(&j, "churn_thread_wakeups", r->churn_thread_wakeups);
                put_close(&j, '}');
        }

        put_open(&j, "latency", '[');
        for (size_t i = 0; i < rp->n_latency; i++) {
                const latency_result *l = &rp->latency[i];

                put_open(&j, NULL, '{');
                json_pair_string(&j, "name", l->name);
                json_pair_string(&j, "key", l->key);
                json_pair_bool(&j, "estimate", l->estimate);
                if (l->note[0])
                        json_pair_string(&j, "note", l->note);
                dist_json(&j, "client", &l->client);
                if (!l->estimate) {
                        dist_json(&j, "client_rebind_only", &l->client_rebind);
                        dist_json(&j, "path_back", &l->healed);
                        dist_json(&j, "unlink_call", &l->unlink_call);
                        json_pair_double(&j, "others_cpu_percent", l->others_percent);
                        dist_json(&j, "keeper_reported", &l->keeper);
                        json_pair_uint(&j, "requested", l->requested);
                        json_pair_uint(&j, "relinks", l->relinks);
                        json_pair_uint(&j, "rebinds", l->rebinds);
                        json_pair_uint(&j, "timeouts", l->timeouts);
                        json_pair_uint(&j, "keeper_errors", l->errors);
                        json_pair_uint(&j, "failed_enoent", l->failed_enoent);
                        json_pair_uint(&j, "failed_econnrefused", l->failed_refused);
                        json_pair_uint(&j, "failed_other", l->failed_other);
                        if (l->wakeups_per_deletion >= 0)
                                json_pair_double(&j, "keeper_wakeups_per_deletion", l->wakeups_per_deletion);
                }
                put_close(&j, '}');
        }
        put_close(&j, ']');

        put_open(&j, "storm", '[');
        for (size_t i = 0; i < rp->n_storm; i++) {
                const storm_result *s = &rp->storm[i];

                put_open(&j, NULL, '{');
                json_pair_string(&j, "name", s->name);
                json_pair_string(&j, "key", s->key);
                json_pair_uint(&j, "duration_us", s->duration_usec);
                json_pair_uint(&j, "deletions", s->deletions);
                json_pair_uint(&j, "deletions_path_missing", s->deletions_missing);
                json_pair_uint(&j, "connects", s->connects);
                json_pair_uint(&j, "replied", s->ok);
                json_pair_uint(&j, "failed_enoent", s->enoent);
                json_pair_uint(&j, "failed_econnrefused", s->refused);
                json_pair_uint(&j, "failed_other", s->other_fail);
                json_pair_double(&j, "failed_percent", s->fail_percent);
                json_pair_uint(&j, "lost", s->lost);
                json_pair_uint(&j, "lost_eof", s->lost_eof);
                json_pair_uint(&j, "lost_econnreset", s->lost_reset);
                json_pair_uint(&j, "lost_timeout", s->lost_timeout);
                json_pair_uint(&j, "lost_other", s->lost_other);
                json_pair_uint(&j, "server_accepted", s->accepted);
                json_pair_uint(&j, "accept_einval", s->accept_einval);
                json_pair_uint(&j, "relinks", s->relinks);
                json_pair_uint(&j, "rebinds", s->rebinds);
                json_pair_uint(&j, "keeper_errors", s->errors);
                dist_json(&j, "client_outage", &s->outage);
                dist_json(&j, "path_back", &s->healed);
                json_pair_double(&j, "path_missing_percent", s->absent_percent);
                json_pair_double(&j, "others_cpu_percent", s->others_percent);
                put_close(&j, '}');
        }
        put_close(&j, ']');

        put_open(&j, "targets", '[');
        for (size_t i = 0; i < rp->n_targets; i++) {
                put_open(&j, NULL, '{');
                json_pair_string(&j, "name", rp->targets[i].name);
                json_pair_string(&j, "value", rp->targets[i].value);
                json_pair_string(&j, "limit", rp->targets[i].limit);
                json_pair_bool(&j, "pass", rp->targets[i].pass);
                put_close(&j, '}');
        }
        put_close(&j, ']');
        put_close(&j, '}');
        json_finish(&j);
}
