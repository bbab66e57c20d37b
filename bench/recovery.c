/* SPDX-License-Identifier: MIT */
/* bench/recovery: how soon a kept socket is reachable again after a cleaner
 * deletes its path (relink, rebind, poll detection), what a storm of
 * deletions costs clients that connect all the time, and what an idle
 * keeper costs the machine. It prints medians and percentiles with the
 * project's targets beside them. It measures; it is not a test, and it
 * exits 0 whatever the numbers are. */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "bench-util.h"
#include "log.h"
#include "recovery-common.h"

/* What the original Python SockKeeper does: stat() every watch_interval
 * (60 s by default), then rebind. */
#define POLL_DEFAULT_USEC (60 * USEC_PER_SEC)

static void on_signal(int sig) {
        interrupted = 1;
}

static const char *fs_name(long type) {
        switch ((unsigned long) type) {
        case 0xEF53:
                return "ext4";
        case 0x01021994:
                return "tmpfs";
        case 0x58465342:
                return "xfs";
        case 0x9123683E:
                return "btrfs";
        case 0x794c7630:
                return "overlayfs";
        default:
                return "other";
        }
}

static bool variant_wanted(const variant *v) {
        return !v->comparison || v->pause_usec;
}

static int help(void) {
        printf("Usage: recovery [OPTIONS]\n"
               "\n"
               "Measures how soon a socket kept by libsockkeeper is reachable again after its\n"
               "path is deleted, what a deletion storm costs its clients, and what an idle keeper\n"
               "costs. Prints numbers and PASS/MISS against the targets; always exits 0.\n"
               "\n"
               "  --samples N           deletions per latency variant (default 1000)\n"
               "  --gap-us N            pause between deletions (default 2000)\n"
               "  --poll-samples N      deletions for the poll-mode variant (default 20)\n"
               "  --poll-interval-ms N  poll interval of that variant (default 1000)\n"
               "  --storm-seconds N     length of each storm (default 10)\n"
               "  --storm-period-ms N   one deletion every N ms during a storm (default 10)\n"
               "  --storm-clients N     client threads in a storm (default 2)\n"
               "  --idle-seconds N      idle window (default 30)\n"
               "  --pause-us N          the comparison rows' clients sleep N us after a failed\n"
               "                        connect() (default 20; 0 leaves those rows out)\n"
               "  --long                10000 samples, 100 poll samples, 60 s storms, 600 s idle\n"
               "  --only LIST           comma-separated sections: idle,latency,poll,storm\n"
               "  --dir DIR             where the sockets live (default /tmp)\n"
               "  --json                print one JSON object instead of the report\n"
               "  -h --help             show this help\n");
        return 0;
}

static int parse_only(options *o, const char *list) {
        _cleanup_free_ char *copy = strdup(list);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        o->run_idle = o->run_latency = o->run_poll = o->run_storm = false;
        for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                if (streq(w, "idle"))
                        o->run_idle = true;
                else if (streq(w, "latency"))
                        o->run_latency = true;
                else if (streq(w, "poll"))
                        o->run_poll = true;
                else if (streq(w, "storm"))
                        o->run_storm = true;
                else {
                        log_error("unknown section '%s' (idle, latency, poll, storm)", w);
                        return -EINVAL;
                }
        }
        return 0;
}

static int parse_args(int argc, char *argv[], options *o) {
        enum {
                ARG_SAMPLES = 0x100,
                ARG_GAP,
                ARG_POLL_SAMPLES,
                ARG_POLL_INTERVAL,
                ARG_STORM_SECONDS,
                ARG_STORM_PERIOD,
                ARG_STORM_CLIENTS,
                ARG_IDLE_SECONDS,
                ARG_PAUSE,
                ARG_LONG,
                ARG_ONLY,
                ARG_DIR,
                ARG_JSON,
        };
        static const struct option long_options[] = {
                { "samples", required_argument, NULL, ARG_SAMPLES },
                { "gap-us", required_argument, NULL, ARG_GAP },
                { "poll-samples", required_argument, NULL, ARG_POLL_SAMPLES },
                { "poll-interval-ms", required_argument, NULL, ARG_POLL_INTERVAL },
                { "storm-seconds", required_argument, NULL, ARG_STORM_SECONDS },
                { "storm-period-ms", required_argument, NULL, ARG_STORM_PERIOD },
                { "storm-clients", required_argument, NULL, ARG_STORM_CLIENTS },
                { "idle-seconds", required_argument, NULL, ARG_IDLE_SECONDS },
                { "pause-us", required_argument, NULL, ARG_PAUSE },
                { "long", no_argument, NULL, ARG_LONG },
                { "only", required_argument, NULL, ARG_ONLY },
                { "dir", required_argument, NULL, ARG_DIR },
                { "json", no_argument, NULL, ARG_JSON },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        uint64_t v;
        int c, r = 0;

        while ((c = getopt_long(argc, argv, "h", long_options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        exit(0);
                case ARG_SAMPLES:
                        r = bench_parse_number(optarg, "--samples", 1, 10000000, &v);
                        o->samples = (unsigned) v;
                        break;
                case ARG_GAP:
                        r = bench_parse_number(optarg, "--gap-us", 0, 10 * USEC_PER_SEC, &o->gap_usec);
                        break;
                case ARG_POLL_SAMPLES:
                        r = bench_parse_number(optarg, "--poll-samples", 0, 100000, &v);
                        o->poll_samples = (unsigned) v;
                        break;
                case ARG_POLL_INTERVAL:
                        r = bench_parse_number(optarg, "--poll-interval-ms", 1, 3600 * 1000, &v);
                        o->poll_interval_usec = v * USEC_PER_MSEC;
                        break;
                case ARG_STORM_SECONDS:
                        r = bench_parse_number(optarg, "--storm-seconds", 0, 86400, &v);
                        o->storm_usec = v * USEC_PER_SEC;
                        break;
                case ARG_STORM_PERIOD:
                        r = bench_parse_number(optarg, "--storm-period-ms", 1, 60000, &v);
                        o->storm_period_usec = v * USEC_PER_MSEC;
                        break;
                case ARG_STORM_CLIENTS:
                        r = bench_parse_number(optarg, "--storm-clients", 1, 64, &v);
                        o->storm_clients = (unsigned) v;
                        break;
                case ARG_IDLE_SECONDS:
                        r = bench_parse_number(optarg, "--idle-seconds", 1, 86400, &v);
                        o->idle_usec = v * USEC_PER_SEC;
                        break;
                case ARG_PAUSE:
                        r = bench_parse_number(optarg, "--pause-us", 0, USEC_PER_SEC, &o->pause_usec);
                        break;
                case ARG_LONG:
                        o->samples = 10000;
                        o->poll_samples = 100;
                        o->storm_usec = 60 * USEC_PER_SEC;
                        o->idle_usec = 600 * USEC_PER_SEC;
                        break;
                case ARG_ONLY:
                        r = parse_only(o, optarg);
                        break;
                case ARG_DIR:
                        o->dir = optarg;
                        break;
                case ARG_JSON:
                        o->json = true;
                        break;
                default:
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return -EINVAL;
        }
        return 0;
}

int main(int argc, char *argv[]) {
        variant relink = {
                .name = "relink (inotify, default)", .key = "relink",
                .relink = true, .detection = SK_DETECT_INOTIFY,
        };
        variant relink_pause = {
                .key = "relink_pause", .comparison = true,
                .relink = true, .detection = SK_DETECT_INOTIFY,
        };
        variant relink_awake = {
                .name = "relink, CPUs kept awake", .key = "relink_awake",
                .relink = true, .detection = SK_DETECT_INOTIFY, .cpus_awake = true,
        };
        variant rebind_anchor = {
                .name = "rebind (anchor deleted)", .key = "rebind_anchor_deleted",
                .relink = true, .delete_anchor = true, .detection = SK_DETECT_INOTIFY,
        };
        variant rebind_only = {
                .name = "rebind (relink off)", .key = "rebind_relink_off",
                .relink = false, .detection = SK_DETECT_INOTIFY,
        };
        variant rebind_pause = {
                .key = "rebind_relink_off_pause", .comparison = true,
                .relink = false, .detection = SK_DETECT_INOTIFY,
        };
        variant poll_1s = {
                .key = "poll", .relink = false, .detection = SK_DETECT_POLL, .random_phase = true,
        };
        char relink_pause_name[64], rebind_pause_name[64];
        _cleanup_free_ report *rp = NULL;
        struct sigaction sa = { .sa_handler = on_signal };
        char base[PATH_MAX], poll_name[64];
        uint64_t start = now_usec(CLOCK_MONOTONIC), rebind_cost = 0;
        struct utsname u;
        struct statfs sfs;
        options *o;

        log_set_program("bench/recovery");
        rp = calloc(1, sizeof(*rp));
        if (!rp)
                return log_error_errno(ENOMEM, "allocating the report"), 1;
        o = &rp->opts;
        *o = (options) {
                .samples = 1000,
                .gap_usec = 2 * USEC_PER_MSEC,
                .poll_samples = 20,
                .poll_interval_usec = USEC_PER_SEC,
                .storm_usec = 10 * USEC_PER_SEC,
                .storm_period_usec = 10 * USEC_PER_MSEC,
                .storm_clients = 2,
                .idle_usec = 30 * USEC_PER_SEC,
                .pause_usec = 20,
                .dir = "/tmp",
                .run_idle = true, .run_latency = true, .run_poll = true, .run_storm = true,
        };
        if (parse_args(argc, argv, o) < 0)
                return 64;

        /* No SA_RESTART: a blocked call returns and the run ends cleanly. */
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        rng_seed(now_usec(CLOCK_MONOTONIC) ^ ((uint64_t) getpid() << 32) ^ UINT64_C(0x9e3779b97f4a7c15));

        rp->cpus = sysconf(_SC_NPROCESSORS_ONLN);
        snprintf(rp->kernel, sizeof(rp->kernel), "%s", uname(&u) >= 0 ? u.release : "?");
        snprintf(rp->fs, sizeof(rp->fs), "%s", statfs(o->dir, &sfs) >= 0 ? fs_name((long) sfs.f_type) : "?");

        snprintf(base, sizeof(base), "%s/sockkeeper-bench-XXXXXX", o->dir);
        if (!mkdtemp(base))
                return log_error_errno(errno, "mkdtemp in %s", o->dir), 1;

        if (o->run_idle && !interrupted)
                (void) run_idle(o, base, &rp->idle);

        snprintf(relink_pause_name, sizeof(relink_pause_name), "relink, client pauses %s", FMT_USEC(o->pause_usec));
        snprintf(rebind_pause_name, sizeof(rebind_pause_name), "rebind, client pauses %s", FMT_USEC(o->pause_usec));
        relink_pause.name = relink_pause_name;
        relink_pause.pause_usec = o->pause_usec;
        rebind_pause.name = rebind_pause_name;
        rebind_pause.pause_usec = o->pause_usec;

        if (o->run_latency && !interrupted) {
                const variant *vs[] = { &relink, &relink_pause, &relink_awake, &rebind_anchor, &rebind_only,
                                        &rebind_pause };

                for (size_t i = 0; i < ELEMENTSOF(vs) && !interrupted; i++)
                        if (variant_wanted(vs[i]) && run_latency(o, base, vs[i], o->samples, &rp->latency[rp->n_latency]) >= 0)
                                rp->n_latency++;
                for (size_t i = 0; i < rp->n_latency; i++) {
                        latency_result *l = &rp->latency[i];

                        if (streq(l->key, "rebind_relink_off"))
                                rebind_cost = l->client.p50;
                        if (streq(l->key, "relink_awake"))
                                snprintf(l->note, sizeof(l->note),
                                         "the tight-loop client again, with one SCHED_IDLE spinner process per CPU "
                                         "so that no vCPU halts (they are the others' CPU of this row): what is left "
                                         "is the keeper's own latency, without the hypervisor's time to wake a "
                                         "halted vCPU");
                        if (streq(l->key, "rebind_anchor_deleted"))
                                snprintf(l->note, sizeof(l->note),
                                         "the cleaner unlinks the anchor, then the path, back to back; in %" PRIu64
                                         " of %zu deletions the keeper re-created the anchor in between and relinked, "
                                         "so the row is what clients see, the sub-row the rebinds alone",
                                         l->relinks, l->client.n);
                }
        }

        if (o->run_poll && o->poll_samples && !interrupted) {
                latency_result *l = &rp->latency[rp->n_latency];

                snprintf(poll_name, sizeof(poll_name), "poll %s, rebind", FMT_USEC(o->poll_interval_usec));
                poll_1s.name = poll_name;
                poll_1s.interval_usec = o->poll_interval_usec;
                if (run_latency(o, base, &poll_1s, o->poll_samples, l) >= 0) {
                        rp->n_latency++;
                        snprintf(l->note, sizeof(l->note),
                                 "only %u samples (each waits for the next poll), deleted at a uniformly random "
                                 "point of the interval; model U[0, T) predicts p50 %s, p99 %s",
                                 o->poll_samples, FMT_USEC(o->poll_interval_usec / 2 + rebind_cost),
                                 FMT_USEC(o->poll_interval_usec * 99 / 100 + rebind_cost));
                }
                if (!rebind_cost && l->keeper.n)
                        rebind_cost = l->keeper.p50;
                estimate_poll(POLL_DEFAULT_USEC, rebind_cost, &rp->latency[rp->n_latency++]);
        }

        if (o->run_storm && o->storm_usec && !interrupted) {
                const variant *vs[] = { &relink, &relink_pause, &rebind_only, &rebind_pause };

                for (size_t i = 0; i < ELEMENTSOF(vs) && !interrupted; i++)
                        if (variant_wanted(vs[i]) && run_storm(o, base, vs[i], &rp->storm[rp->n_storm]) >= 0)
                                rp->n_storm++;
        }

        bench_rm_rf(base);
        rp->elapsed_usec = now_usec(CLOCK_MONOTONIC) - start;
        build_targets(rp);
        if (o->json)
                print_json(rp);
        else
                print_human(rp);
        if (interrupted)
                log_error("interrupted; the numbers above are partial");
        return 0;
}
