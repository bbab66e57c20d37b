/* SPDX-License-Identifier: MIT */
/* bench/guard: what `sockkeeper guard --auto` costs and how fast it heals
 * over 10 to 10,000 sockets at risk, with and without 10,000 unrelated
 * sockets elsewhere on the machine, side by side in one run with its
 * references: bench/recovery's in-process keeper for the latency, and one
 * `sockkeeper scan --json` over the same sockets for a discovery pass. It
 * prints numbers and PASS/MISS against the targets; it measures, it is
 * not a test, and it exits 0 whatever the numbers are. */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "guard-bench.h"
#include "json.h"
#include "log.h"

#define TARGET_PATHS 10000
#define TARGET_RELINK_P99_USEC (1 * USEC_PER_MSEC)
#define TARGET_IDLE_WAKEUPS_PER_HOUR 2.0
#define TARGET_RSS_PER_PATH 2048.0
/* The guard's defaults: the backstop check and the refresh of timestamps. */
#define GUARD_CHECK_USEC USEC_PER_HOUR
#define GUARD_REFRESH_USEC (6 * USEC_PER_HOUR)
#define TIMERS_PER_HOUR ((double) USEC_PER_HOUR / GUARD_CHECK_USEC + (double) USEC_PER_HOUR / GUARD_REFRESH_USEC)

typedef struct guard_report {
        guard_options o;
        long cpus;
        char kernel[128];
        long max_instances, max_watches;
        long empty_rss_kb[2];
        size_result sizes[2][2 * MAX_SIZES];   /* in the order measured */
        size_t n_results[2];
        char scratch[64];               /* where it ran, removed by now */
        uint64_t elapsed_usec;
} guard_report;

static void on_signal(int sig) {
        interrupted = 1;
}

static int help(void) {
        printf("Usage: guard [OPTIONS]\n"
               "\n"
               "Runs `sockkeeper guard --auto --auto-only-under=DIR` over N sockets that a child\n"
               "process holds in DIR (every other one in a directory of its own, the rest 100 to\n"
               "a directory), with and without unrelated sockets elsewhere, and measures: time\n"
               "until ready, RSS, fds, inotify watches, idle wakeups and CPU with discovery every\n"
               "10 s (the default) and hourly, the delay until a socket bound later is kept, and\n"
               "unlink-to-connect latency with the vCPUs kept awake; beside them bench/recovery's\n"
               "in-process keeper and one `sockkeeper scan --json`. The guard runs with a soft\n"
               "RLIMIT_NOFILE of 1024, as systemd starts a service. Prints numbers and PASS/MISS\n"
               "against the targets; always exits 0.\n"
               "\n"
               "  --sizes=LIST            comma-separated N (default 10,100,1000,10000)\n"
               "  --quick                 sizes 10,100,1000, 10 s idle windows, 1 discovery sample\n"
               "  --deletions=N           deletions per size, and as many of the reference's\n"
               "                          (default 1000)\n"
               "  --gap-us=N              pause between deletions (default 2000)\n"
               "  --idle-seconds=N        each idle window; whole discovery intervals of 10 s\n"
               "                          are best (default 30)\n"
               "  --discovery-samples=N   sockets bound after start-up, per size (default 3)\n"
               "  --unrelated=N           unrelated sockets for the second half (default 10000;\n"
               "                          0 leaves it out)\n"
               "  --nofile=N              the guard's soft RLIMIT_NOFILE (default 1024)\n"
               "  --raised-nofile=N       where not all paths attached, measure that size again\n"
               "                          with this soft limit, as LimitNOFILE=N would give\n"
               "                          (default 524288, systemd's hard limit, or our own hard\n"
               "                          limit where that is lower; 0 = do not)\n"
               "  --scan-runs=N           runs of `scan --json` per size (default 5)\n"
               "  --json                  print one JSON object instead of the report\n"
               "  -h --help               show this help\n");
        return 0;
}

/* bench_parse_number() into an unsigned. */
static int parse_count(const char *arg, const char *option, uint64_t min, uint64_t max, unsigned *ret) {
        uint64_t v;
        int r = bench_parse_number(arg, option, min, max, &v);

        if (r >= 0)
                *ret = (unsigned) v;
        return r;
}

static int parse_sizes(guard_options *o, const char *list) {
        _cleanup_free_ char *copy = strdup(list);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        o->n_sizes = 0;
        for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                if (o->n_sizes >= MAX_SIZES) {
                        log_error("--sizes: at most %d sizes", MAX_SIZES);
                        return -EINVAL;
                }
                if (parse_count(w, "--sizes", 1, 10000, &o->sizes[o->n_sizes]) < 0)
                        return -EINVAL;
                o->n_sizes++;
        }
        if (!o->n_sizes) {
                log_error("--sizes: no size given");
                return -EINVAL;
        }
        return 0;
}

static int parse_args(int argc, char *argv[], guard_options *o) {
        enum {
                ARG_SIZES = 0x100,
                ARG_QUICK,
                ARG_DELETIONS,
                ARG_GAP,
                ARG_IDLE,
                ARG_DISCOVERY,
                ARG_UNRELATED,
                ARG_NOFILE,
                ARG_RAISED_NOFILE,
                ARG_SCAN_RUNS,
                ARG_JSON,
        };
        static const struct option long_options[] = {
                { "sizes", required_argument, NULL, ARG_SIZES },
                { "quick", no_argument, NULL, ARG_QUICK },
                { "deletions", required_argument, NULL, ARG_DELETIONS },
                { "gap-us", required_argument, NULL, ARG_GAP },
                { "idle-seconds", required_argument, NULL, ARG_IDLE },
                { "discovery-samples", required_argument, NULL, ARG_DISCOVERY },
                { "unrelated", required_argument, NULL, ARG_UNRELATED },
                { "nofile", required_argument, NULL, ARG_NOFILE },
                { "raised-nofile", required_argument, NULL, ARG_RAISED_NOFILE },
                { "scan-runs", required_argument, NULL, ARG_SCAN_RUNS },
                { "json", no_argument, NULL, ARG_JSON },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        unsigned v;
        int c, r = 0;

        while ((c = getopt_long(argc, argv, "h", long_options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        return help(), 1;
                case ARG_SIZES:
                        r = parse_sizes(o, optarg);
                        break;
                case ARG_QUICK:
                        r = parse_sizes(o, "10,100,1000");
                        o->idle_usec = 10 * USEC_PER_SEC;
                        o->discovery_samples = 1;
                        break;
                case ARG_DELETIONS:
                        r = parse_count(optarg, "--deletions", 1, 1000000, &o->deletions);
                        break;
                case ARG_GAP:
                        r = parse_count(optarg, "--gap-us", 0, 10 * USEC_PER_SEC, &v);
                        o->gap_usec = v;
                        break;
                case ARG_IDLE:
                        r = parse_count(optarg, "--idle-seconds", 1, 3600, &v);
                        o->idle_usec = v * USEC_PER_SEC;
                        break;
                case ARG_DISCOVERY:
                        r = parse_count(optarg, "--discovery-samples", 0, MAX_DISCOVERY_SAMPLES,
                                        &o->discovery_samples);
                        break;
                case ARG_UNRELATED:
                        r = parse_count(optarg, "--unrelated", 0, 10000, &o->unrelated);
                        break;
                case ARG_NOFILE:
                        r = parse_count(optarg, "--nofile", 64, 1048576, &o->nofile);
                        break;
                case ARG_RAISED_NOFILE:
                        r = parse_count(optarg, "--raised-nofile", 0, 1048576, &o->raised_nofile);
                        break;
                case ARG_SCAN_RUNS:
                        r = parse_count(optarg, "--scan-runs", 1, 1000, &o->scan_runs);
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

static long read_sysctl(const char *path) {
        FILE *f = fopen(path, "re");
        long v = -1;

        if (f) {
                if (fscanf(f, "%ld", &v) != 1)
                        v = -1;
                fclose(f);
        }
        return v;
}

/* ---- targets -------------------------------------------------------- */

static const char *verdict(bool pass) {
        return pass ? "PASS" : "MISS";
}

static double per_hour(int64_t count, uint64_t window) {
        return count < 0 || !window ? -1 : (double) count * (double) USEC_PER_HOUR / (double) window;
}

/* The idle cost with discovery hourly: what was seen, plus the timers
 * that a window shorter than an hour cannot see. */
static double idle_per_hour(const size_result *s) {
        double seen = per_hour(s->switches_quiet, s->window_quiet_usec);

        return seen < 0 ? -1 : seen + TIMERS_PER_HOUR;
}

static size_t n_halves(const guard_report *rp) {
        return rp->o.unrelated ? 2 : 1;
}

/* ---- the report --------------------------------------------------------- */

static const char *fmt_kb(char *buf, size_t size, double bytes) {
        if (bytes < 0)
                snprintf(buf, size, "-");
        else if (bytes < 10 * 1024)
                snprintf(buf, size, "%.0f B", bytes);
        else
                snprintf(buf, size, "%.1f kB", bytes / 1024);
        return buf;
}
#define FMT_BYTES(b) fmt_kb((char[24]) {}, 24, (b))

/* N, marked when the guard ran with the raised RLIMIT_NOFILE. */
static const char *row_label(char *buf, size_t size, const guard_options *o, const size_result *s) {
        snprintf(buf, size, "%u%s", s->n, s->nofile != o->nofile ? "*" : "");
        return buf;
}
#define ROW(o, s) row_label((char[16]) {}, 16, (o), (s))

static void print_half(const guard_report *rp, size_t u) {
        const guard_options *o = &rp->o;

        printf("\n%s\n", u ? "With unrelated sockets elsewhere on the machine (out of the guard's scope):" :
                             "Without unrelated sockets:");
        if (u)
                printf("  %u sockets held by another child process\n", o->unrelated);
        printf("  guard keeping nothing (empty scope): VmRSS %ld kB\n", rp->empty_rss_kb[u]);
        printf("  %6s %5s %9s %9s %8s %9s %5s %14s %7s\n", "N", "dirs", "attached", "ready", "VmRSS", "RSS/path", "fds",
               "inotify inst/wd", "NOFILE");
        for (size_t i = 0; i < rp->n_results[u]; i++) {
                const size_result *s = &rp->sizes[u][i];
                char inst[32];

                snprintf(inst, sizeof(inst), "%u / %lu", s->census.inotify_instances, s->census.inotify_watches);
                printf("  %6s %5u %9u %9s %5ld kB %9s %5u %14s %7u%s\n", ROW(o, s), s->dirs, s->attached,
                       FMT_USEC(s->ready_usec), s->rss_kb, FMT_BYTES(s->attached ? s->rss_per_path : -1), s->census.fds,
                       inst, s->nofile, s->attached < s->n ? "  NOT ALL ATTACHED" : "");
        }
        printf("\n  %6s %10s %10s %10s %17s %15s %12s\n", "N", "wakeups/h", "wakeups/h", "CPU of one", "scan --json CPU",
               "discovery delay", "others' CPU");
        printf("  %6s %10s %10s %10s %17s %15s %12s\n", "", "disc. 10 s", "disc. 1 h", "disc. pass", "(wall), median",
               "p50 / max", "when idle");
        for (size_t i = 0; i < rp->n_results[u]; i++) {
                const size_result *s = &rp->sizes[u][i];
                char scan[40], disc[40], pass[24], others[24];
                u64vec d = s->discovery;
                dist dd = dist_of(&d);

                snprintf(scan, sizeof(scan), "%s (%s)", FMT_USEC(s->scan_cpu_usec), FMT_USEC(s->scan_wall_usec));
                if (dd.n)
                        snprintf(disc, sizeof(disc), "%s / %s", FMT_USEC(dd.p50), FMT_USEC(dd.max));
                else
                        snprintf(disc, sizeof(disc), "-");
                if (s->passes && s->pass_cpu_usec >= 0)
                        snprintf(pass, sizeof(pass), "%s", FMT_USEC((uint64_t) s->pass_cpu_usec));
                else
                        snprintf(pass, sizeof(pass), "-");
                snprintf(others, sizeof(others), "%.0f%%, %.0f%%", s->others_percent, s->others_quiet_percent);
                printf("  %6s %10.0f %10.0f %10s %17s %15s %12s%s\n", ROW(o, s), per_hour(s->switches, s->window_usec),
                       per_hour(s->switches_quiet, s->window_quiet_usec), pass, scan, disc, others,
                       s->discovery_missed ? "  (some not found)" : "");
        }
        printf("\n  %6s %5s %9s %9s %9s %9s | %17s | %15s %9s %7s\n", "N", "n", "p50", "p90", "p99", "max",
               "in-process keeper", "guard's relink", "guard CPU", "wakeups");
        printf("  %6s %5s %9s %9s %9s %9s | %17s | %15s %9s %7s\n", "", "", "", "", "", "", "p50 / p99", "p50 / p99",
               "/deletion", "/delet.");
        for (size_t i = 0; i < rp->n_results[u]; i++) {
                const size_result *s = &rp->sizes[u][i];
                char gr[40], ref[40];

                snprintf(gr, sizeof(gr), "%s / %s", FMT_USEC(s->guard_relink.p50), FMT_USEC(s->guard_relink.p99));
                snprintf(ref, sizeof(ref), "%s / %s", FMT_USEC(s->reference.p50), FMT_USEC(s->reference.p99));
                printf("  %6s %5zu %9s %9s %9s %9s | %17s | %15s %9s %7.2f   [p99 <= %s] %s\n", ROW(o, s),
                       s->latency.n, FMT_USEC(s->latency.p50), FMT_USEC(s->latency.p90), FMT_USEC(s->latency.p99),
                       FMT_USEC(s->latency.max), ref, gr, FMT_USEC((uint64_t) s->cpu_per_deletion_usec),
                       s->wakeups_per_deletion, FMT_USEC(TARGET_RELINK_P99_USEC),
                       verdict(s->latency.n && s->latency.p99 <= TARGET_RELINK_P99_USEC));
        }
        for (size_t i = 0; i < rp->n_results[u]; i++) {
                const size_result *s = &rp->sizes[u][i];

                if (s->nofile != o->nofile)
                        printf("  * N=%s: measured again with the soft RLIMIT_NOFILE raised to %u, as LimitNOFILE=%u "
                               "would give\n", ROW(o, s), s->nofile, s->nofile);
                if (s->problem[0])
                        printf("  * N=%s: the guard's first complaint: %s\n", ROW(o, s), s->problem);
                if (s->timeouts || s->latency.n < o->deletions)
                        printf("  * N=%s: %zu of %u deletions measured (%u timed out, %u paths found not kept)\n",
                               ROW(o, s), s->latency.n, o->deletions, s->timeouts, s->not_kept);
        }
}

/* The targets, for the reader and for JSON alike. */
typedef struct verdicts {
        char paths[160], relink[160], idle[200], rss[120], pass[200];
        bool paths_ok, relink_ok, idle_ok, rss_ok, pass_ok;
        bool paths_measured, pass_measured;
} verdicts;

static void judge(const guard_report *rp, verdicts *v) {
        const size_result *worst_lat = NULL, *worst_idle = NULL, *worst_rss = NULL, *worst_pass = NULL;
        unsigned at = 0, attached = UINT_MAX, largest = 0;
        unsigned long watches = 0;
        unsigned instances = 0;

        *v = (verdicts) { .relink_ok = true, .idle_ok = true, .rss_ok = true, .pass_ok = true, .paths_ok = true };
        for (size_t i = 0; i < rp->o.n_sizes; i++)
                if (rp->o.sizes[i] > largest)
                        largest = rp->o.sizes[i];
        for (size_t u = 0; u < n_halves(rp); u++)
                for (size_t i = 0; i < rp->n_results[u]; i++) {
                        const size_result *s = &rp->sizes[u][i];

                        if (!s->ran && !s->latency.n)
                                continue;
                        if (!s->latency.n || s->latency.p99 > TARGET_RELINK_P99_USEC)
                                v->relink_ok = false;
                        if (!worst_lat || s->latency.p99 > worst_lat->latency.p99)
                                worst_lat = s;
                        if (!s->ran)
                                continue;
                        /* A guard that keeps all it found; one that cannot
                         * (the limits target says so) retries every second. */
                        if (s->attached >= s->n && (!worst_idle || idle_per_hour(s) > idle_per_hour(worst_idle)))
                                worst_idle = s;
                        /* Per path, where the paths outweigh the heap's noise. */
                        if (s->attached >= s->n && s->n == largest &&
                            (!worst_rss || s->rss_per_path > worst_rss->rss_per_path))
                                worst_rss = s;
                        if (s->passes && s->pass_cpu_usec >= 0 && s->scan_cpu_usec &&
                            (!worst_pass || s->pass_cpu_usec / s->scan_cpu_usec >
                                                    worst_pass->pass_cpu_usec / worst_pass->scan_cpu_usec))
                                worst_pass = s;
                        /* Within the default limits: as systemd starts it. */
                        if (s->nofile == rp->o.nofile && s->n >= at) {
                                if (s->n > at)
                                        attached = UINT_MAX, instances = 0, watches = 0;
                                at = s->n;
                                if (s->attached < attached)
                                        attached = s->attached;
                                if (s->census.inotify_instances > instances)
                                        instances = s->census.inotify_instances;
                                if (s->census.inotify_watches > watches)
                                        watches = s->census.inotify_watches;
                        }
                }

        v->paths_measured = at >= TARGET_PATHS;
        v->paths_ok = v->paths_measured && attached >= at && instances == 1 && watches <= (unsigned long) rp->max_watches;
        if (at)
                snprintf(v->paths, sizeof(v->paths), "N=%u: %u attached under RLIMIT_NOFILE %u, %u inotify instance%s, %lu watches of %ld%s",
                         at, attached == UINT_MAX ? 0 : attached, rp->o.nofile, instances, instances == 1 ? "" : "s",
                         watches, rp->max_watches, v->paths_measured ? "" : " (10,000 not measured)");
        if (worst_lat)
                snprintf(v->relink, sizeof(v->relink), "worst p99 %s at N=%s%s", FMT_USEC(worst_lat->latency.p99),
                         ROW(&rp->o, worst_lat), worst_lat->unrelated ? " with unrelated sockets" : "");
        v->idle_ok = worst_idle && idle_per_hour(worst_idle) <= TARGET_IDLE_WAKEUPS_PER_HOUR;
        if (worst_idle)
                snprintf(v->idle, sizeof(v->idle),
                         "worst %.2f/h at N=%s (%.0f seen in %s + timers %.2f/h); discovery every 10 s adds %.0f/h",
                         idle_per_hour(worst_idle), ROW(&rp->o, worst_idle), (double) worst_idle->switches_quiet,
                         FMT_USEC(worst_idle->window_quiet_usec), TIMERS_PER_HOUR,
                         per_hour(worst_idle->switches, worst_idle->window_usec) -
                                 per_hour(worst_idle->switches_quiet, worst_idle->window_quiet_usec));
        v->rss_ok = worst_rss && worst_rss->rss_per_path < TARGET_RSS_PER_PATH;
        if (worst_rss)
                snprintf(v->rss, sizeof(v->rss), "worst %s at N=%s", FMT_BYTES(worst_rss->rss_per_path),
                         ROW(&rp->o, worst_rss));
        v->pass_measured = worst_pass;
        v->pass_ok = worst_pass && worst_pass->pass_cpu_usec <= worst_pass->scan_cpu_usec;
        if (worst_pass)
                snprintf(v->pass, sizeof(v->pass), "worst at N=%s%s: a pass %s of CPU, scan --json %s (%.2fx)",
                         ROW(&rp->o, worst_pass), worst_pass->unrelated ? " with unrelated sockets" : "",
                         FMT_USEC((uint64_t) worst_pass->pass_cpu_usec), FMT_USEC(worst_pass->scan_cpu_usec),
                         worst_pass->pass_cpu_usec / (double) worst_pass->scan_cpu_usec);
}

static void print_guard_human(const guard_report *rp) {
        const guard_options *o = &rp->o;
        verdicts v;

        printf("bench/guard: `sockkeeper guard --auto --auto-only-under=DIR` over N sockets that a child process holds\n"
               "in DIR below /tmp (every other one in a directory of its own, the rest 100 to a directory);\n"
               "%ld CPUs, kernel %s, %s\n", rp->cpus, rp->kernel, FMT_USEC(rp->elapsed_usec));
        printf("The guard runs as systemd starts a service without LimitNOFILE=: soft RLIMIT_NOFILE %u. Kernel limits\n"
               "here: fs.inotify.max_user_instances %ld, fs.inotify.max_user_watches %ld.\n",
               o->nofile, rp->max_instances, rp->max_watches);
        printf("ready: fork to its \"start\" line (all \"attached\" come before it). Idle windows of %s each: discovery\n"
               "every 10 s (the default; the window holds whole intervals), then a second guard with\n"
               "--discover-interval=1h for the idle cost without discovery. A discovery pass's CPU is the first\n"
               "window's CPU time (schedstat) less the second's, per pass; scan --json's is user+system of the\n"
               "whole process, over the same sockets, with no guard running. Latency: unlink() of a kept path to\n"
               "the first successful connect() of a client retrying in a tight loop, %s between deletions,\n"
               "one SCHED_IDLE spinner per CPU keeping the vCPUs awake (as bench/recovery does); each deletion\n"
               "is followed by one of the reference, bench/recovery's in-process keeper (relink, inotify), so\n"
               "that both meet the same noise.\n",
               FMT_USEC(o->idle_usec), FMT_USEC(o->gap_usec));
        for (size_t u = 0; u < n_halves(rp); u++)
                print_half(rp, u);

        judge(rp, &v);
        printf("\nTargets:\n");
        printf("  %u paths within the default kernel limits    %s   %s\n", TARGET_PATHS, v.paths,
               v.paths_measured ? verdict(v.paths_ok) : "NOT MEASURED");
        printf("  relink p99 <= %s at every N                  %s   %s\n", FMT_USEC(TARGET_RELINK_P99_USEC), v.relink,
               verdict(v.relink_ok));
        printf("  idle wakeups <= %.0f/h plus discovery            %s (rows with all attached)   %s\n",
               TARGET_IDLE_WAKEUPS_PER_HOUR, v.idle, verdict(v.idle_ok));
        printf("  RSS growth per kept path < 2 kB (aim)         %s (the largest N, all attached)   %s\n", v.rss,
               verdict(v.rss_ok));
        printf("  one discovery pass <= one scan (CPU)         %s   %s\n", v.pass,
               v.pass_measured ? verdict(v.pass_ok) : "NOT MEASURED");
        printf("  (idle: a window shorter than an hour cannot see the hourly backstop check and the 6 h refresh, so\n"
               "  their %.2f/h are added to what it saw)\n", TIMERS_PER_HOUR);
}

static void json_census(json_writer *w, const char *key, const fd_census *c) {
        json_key(w, key);
        json_begin_object(w);
        json_pair_uint(w, "fds", c->fds);
        json_pair_uint(w, "inotify_instances", c->inotify_instances);
        json_pair_uint(w, "inotify_watches", c->inotify_watches);
        if (c->timer_found)
                json_pair_uint(w, "next_timer_us", c->timer_remaining_usec);
        json_end_object(w);
}

static void json_size(json_writer *w, const size_result *s) {
        u64vec d = s->discovery;
        dist dd = dist_of(&d);

        json_begin_object(w);
        json_pair_uint(w, "n", s->n);
        json_pair_uint(w, "dirs", s->dirs);
        json_pair_uint(w, "nofile", s->nofile);
        json_pair_bool(w, "complete", s->ran);
        json_pair_uint(w, "attached", s->attached);
        json_pair_uint(w, "ready_us", s->ready_usec);
        json_pair_uint(w, "ready_quiet_us", s->ready_quiet_usec);
        json_pair_int(w, "vmrss_kb", s->rss_kb);
        json_pair_double(w, "rss_per_path_bytes", s->rss_per_path);
        json_census(w, "fds", &s->census);
        json_census(w, "fds_quiet", &s->census_quiet);
        json_pair_uint(w, "idle_window_us", s->window_usec);
        json_pair_int(w, "idle_wakeups", s->switches);
        json_pair_double(w, "idle_wakeups_per_hour", per_hour(s->switches, s->window_usec));
        json_pair_int(w, "idle_cpu_ns", s->cpu_ns);
        json_pair_uint(w, "idle_quiet_window_us", s->window_quiet_usec);
        json_pair_int(w, "idle_quiet_wakeups", s->switches_quiet);
        json_pair_double(w, "idle_quiet_wakeups_per_hour", per_hour(s->switches_quiet, s->window_quiet_usec));
        json_pair_int(w, "idle_quiet_cpu_ns", s->cpu_quiet_ns);
        json_pair_uint(w, "discovery_passes", s->passes);
        json_pair_double(w, "discovery_pass_cpu_us", s->pass_cpu_usec);
        json_pair_uint(w, "scan_json_cpu_us", s->scan_cpu_usec);
        json_pair_uint(w, "scan_json_wall_us", s->scan_wall_usec);
        dist_json(w, "discovery_delay", &dd);
        json_pair_uint(w, "discovery_missed", s->discovery_missed);
        dist_json(w, "latency", &s->latency);
        dist_json(w, "guard_relink", &s->guard_relink);
        json_pair_uint(w, "timeouts", s->timeouts);
        json_pair_double(w, "guard_cpu_per_deletion_us", s->cpu_per_deletion_usec);
        json_pair_double(w, "guard_wakeups_per_deletion", s->wakeups_per_deletion);
        dist_json(w, "reference_in_process_keeper", &s->reference);
        json_pair_double(w, "others_cpu_percent_idle", s->others_percent);
        json_pair_double(w, "others_cpu_percent_idle_quiet", s->others_quiet_percent);
        if (s->problem[0])
                json_pair_string(w, "guard_said", s->problem);
        json_end_object(w);
}

static void print_guard_json(const guard_report *rp) {
        const guard_options *o = &rp->o;
        json_writer w;
        verdicts v;

        judge(rp, &v);
        json_init(&w, stdout, true);
        json_begin_object(&w);
        json_pair_uint(&w, "cpus", (uint64_t) rp->cpus);
        json_pair_string(&w, "kernel", rp->kernel);
        json_pair_int(&w, "max_user_instances", rp->max_instances);
        json_pair_int(&w, "max_user_watches", rp->max_watches);
        json_pair_uint(&w, "nofile", o->nofile);
        json_pair_uint(&w, "deletions", o->deletions);
        json_pair_uint(&w, "gap_us", o->gap_usec);
        json_pair_uint(&w, "idle_window_us", o->idle_usec);
        json_pair_uint(&w, "discover_interval_us", 10 * USEC_PER_SEC);
        json_pair_uint(&w, "elapsed_us", rp->elapsed_usec);
        json_pair_string(&w, "scratch", rp->scratch);
        json_key(&w, "runs");
        json_begin_array(&w);
        for (size_t u = 0; u < n_halves(rp); u++) {
                json_begin_object(&w);
                json_pair_uint(&w, "unrelated_sockets", u ? o->unrelated : 0);
                json_pair_int(&w, "empty_vmrss_kb", rp->empty_rss_kb[u]);
                json_key(&w, "sizes");
                json_begin_array(&w);
                for (size_t i = 0; i < rp->n_results[u]; i++)
                        json_size(&w, &rp->sizes[u][i]);
                json_end_array(&w);
                json_end_object(&w);
        }
        json_end_array(&w);
        json_key(&w, "targets");
        json_begin_object(&w);
        json_pair_string(&w, "paths_10000", v.paths);
        if (v.paths_measured)
                json_pair_bool(&w, "paths_10000_pass", v.paths_ok);
        json_pair_string(&w, "relink_p99", v.relink);
        json_pair_bool(&w, "relink_p99_pass", v.relink_ok);
        json_pair_string(&w, "idle_wakeups", v.idle);
        json_pair_bool(&w, "idle_wakeups_pass", v.idle_ok);
        json_pair_string(&w, "rss_per_path", v.rss);
        json_pair_bool(&w, "rss_per_path_pass", v.rss_ok);
        json_pair_string(&w, "discovery_pass_vs_scan", v.pass);
        if (v.pass_measured)
                json_pair_bool(&w, "discovery_pass_vs_scan_pass", v.pass_ok);
        json_end_object(&w);
        json_end_object(&w);
        json_finish(&w);
}

/* ---- the run -------------------------------------------------------- */

static void run_half(guard_report *rp, bench_env *e, size_t u) {
        bench_holder others = { .pid = -1, .hold_fd = -EBADF };
        unsigned raised = rp->o.raised_nofile;
        struct rlimit rl;

        /* Raising the hard limit takes CAP_SYS_RESOURCE, which a container
         * may not give: then as far as ours goes. */
        if (getrlimit(RLIMIT_NOFILE, &rl) >= 0 && rl.rlim_max < raised)
                raised = (unsigned) rl.rlim_max;

        if (u) {
                log_info("holding %u unrelated sockets", rp->o.unrelated);
                if (bench_holder_start(&others, rp->o.unrelated, unrelated_path, e->elsewhere) < 0)
                        return;
        }
        if (measure_empty(e, u, &rp->empty_rss_kb[u]) < 0)
                goto out;
        for (size_t i = 0; i < rp->o.n_sizes && !interrupted; i++) {
                unsigned n = rp->o.sizes[i];
                size_result *s = &rp->sizes[u][rp->n_results[u]++];

                log_info("N=%u%s", n, u ? ", with unrelated sockets" : "");
                (void) measure_size(e, n, u, rp->o.nofile, rp->empty_rss_kb[u], s);
                if (s->attached >= n || raised <= rp->o.nofile || interrupted)
                        continue;
                /* Said plainly above; and what it costs once the limit is not in the way. */
                log_info("N=%u: %u attached under RLIMIT_NOFILE %u; again with %u", n, s->attached, rp->o.nofile, raised);
                (void) measure_size(e, n, u, raised, rp->empty_rss_kb[u], &rp->sizes[u][rp->n_results[u]++]);
        }
out:
        bench_holder_stop(&others);
        bench_rm_rf(e->elsewhere);
}

int main(int argc, char *argv[]) {
        _cleanup_free_ guard_report *rp = calloc(1, sizeof(guard_report));
        struct sigaction sa = { .sa_handler = on_signal };
        uint64_t start = now_usec(CLOCK_MONOTONIC);
        bench_env e = {};
        struct utsname un;
        int r;

        log_set_program("bench/guard");
        if (!rp)
                return log_error_errno(ENOMEM, "allocating the report"), 1;
        rp->o = (guard_options) {
                .deletions = 1000,
                .gap_usec = 2 * USEC_PER_MSEC,
                .idle_usec = 30 * USEC_PER_SEC,
                .discovery_samples = 3,
                .unrelated = 10000,
                .nofile = 1024,
                .raised_nofile = 524288,
                .scan_runs = 5,
        };
        r = parse_sizes(&rp->o, "10,100,1000,10000");
        if (r >= 0)
                r = parse_args(argc, argv, &rp->o);
        if (r > 0)
                return 0;
        if (r < 0)
                return 64;
        if (geteuid() != 0)
                return log_error("needs root: the guard keeps sockets for the uid that bound them"), 1;

        /* No SA_RESTART: a blocked call returns and the run ends cleanly. */
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        rng_seed(now_usec(CLOCK_MONOTONIC) ^ ((uint64_t) getpid() << 32) ^ UINT64_C(0x9e3779b97f4a7c15));

        rp->cpus = sysconf(_SC_NPROCESSORS_ONLN);
        snprintf(rp->kernel, sizeof(rp->kernel), "%s", uname(&un) >= 0 ? un.release : "?");
        rp->max_instances = read_sysctl("/proc/sys/fs/inotify/max_user_instances");
        rp->max_watches = read_sysctl("/proc/sys/fs/inotify/max_user_watches");

        /* Below /tmp, a sticky world-writable directory: every socket in
         * the scope is at risk. */
        e.o = &rp->o;
        snprintf(e.base, sizeof(e.base), "/tmp/sk-bench-guard-XXXXXX");
        if (!mkdtemp(e.base))
                return log_error_errno(errno, "mkdtemp"), 1;
        snprintf(e.state, sizeof(e.state), "%s/state", e.base);
        snprintf(e.elsewhere, sizeof(e.elsewhere), "%s/elsewhere", e.base);
        /* The anchors of the guard and of the reference keeper: here, not
         * in /var/lib/sockkeeper. */
        if (mkdir(e.state, 0755) < 0 || setenv("STATE_DIRECTORY", e.state, 1) < 0) {
                log_error_errno(errno, "%s", e.state);
                bench_rm_rf(e.base);
                return 1;
        }

        for (size_t u = 0; u < n_halves(rp) && !interrupted; u++)
                run_half(rp, &e, u);

        bench_rm_rf(e.base);
        snprintf(rp->scratch, sizeof(rp->scratch), "%s", e.base);
        rp->elapsed_usec = now_usec(CLOCK_MONOTONIC) - start;
        if (rp->o.json)
                print_guard_json(rp);
        else
                print_guard_human(rp);
        for (size_t u = 0; u < 2; u++)
                for (size_t i = 0; i < rp->n_results[u]; i++)
                        size_result_done(&rp->sizes[u][i]);
        if (interrupted)
                log_error("interrupted; the numbers above are partial");
        return 0;
}
