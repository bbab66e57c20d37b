/* SPDX-License-Identifier: MIT */
/* The benchmarks' interleaved timing: every command runs once a round
 * after an untimed warm-up round, a baseline swaps places with its command
 * every other round, a run that fails stops the benchmark, and a baseline's
 * ratio is ours over it. */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"
#include "macro.h"
#include "tap.h"

/* A command that appends LETTER to LOG and exits with STATUS. */
static char **appender(const char *log, char letter, int status) {
        char **argv = calloc(5, sizeof(char *));

        check(argv);
        argv[0] = strdup("/bin/sh");
        argv[1] = strdup("-c");
        check(asprintf(&argv[2], "printf %c >>\"$0\"; exit %d", letter, status) > 0);
        argv[3] = strdup(log);
        return argv;
}

static void argv_free(char **argv) {
        for (size_t i = 0; argv[i]; i++)
                free(argv[i]);
        free(argv);
}

static char *read_log(const char *log) {
        static char buf[256];
        FILE *f = fopen(log, "re");
        size_t n;

        check(f);
        n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = 0;
        fclose(f);
        return buf;
}

static void make_log(char log[static PATH_MAX]) {
        char dir[] = "/tmp/test-bench-util-XXXXXX";

        check(mkdtemp(dir));
        snprintf(log, PATH_MAX, "%s/log", dir);
}

static void remove_log(const char *log) {
        _cleanup_free_ char *dir = strndup(log, strrchr(log, '/') - log);

        (void) unlink(log);
        (void) rmdir(dir);
}

TEST(baseline_swaps_places_every_other_round) {
        char log[PATH_MAX];
        bench_cmd cmds[3];

        make_log(log);
        cmds[0] = (bench_cmd) { .name = "ours", .argv = appender(log, 'A', 0) };
        cmds[1] = (bench_cmd) { .name = "baseline", .argv = appender(log, 'B', 0), .baseline = true };
        cmds[2] = (bench_cmd) { .name = "floor", .argv = appender(log, 'C', 0) };
        check_int(bench_interleave(cmds, 3, 3, NULL, NULL), ==, 0);
        /* Round 0 warms the caches; rounds 1 and 3 run the baseline first. */
        check_streq(read_log(log), "ABCBACABCBAC");
        for (size_t k = 0; k < 3; k++) {
                check(cmds[k].usec[0] <= cmds[k].usec[1] && cmds[k].usec[1] <= cmds[k].usec[2]);
                check_int(cmds[k].median, ==, cmds[k].usec[1]);
                argv_free(cmds[k].argv);
        }
        check(cmds[1].ratio.medians == (double) cmds[0].median / (double) cmds[1].median);
        check(cmds[1].ratio.p25 <= cmds[1].ratio.p50 && cmds[1].ratio.p50 <= cmds[1].ratio.p75);
        bench_cmds_done(cmds, 3);
        remove_log(log);
}

TEST(without_baseline_the_order_is_fixed) {
        char log[PATH_MAX];
        bench_cmd cmds[2];

        make_log(log);
        cmds[0] = (bench_cmd) { .name = "ours", .argv = appender(log, 'A', 0) };
        cmds[1] = (bench_cmd) { .name = "floor", .argv = appender(log, 'C', 0) };
        check_int(bench_interleave(cmds, 2, 2, NULL, NULL), ==, 0);
        check_streq(read_log(log), "ACACAC");
        argv_free(cmds[0].argv);
        argv_free(cmds[1].argv);
        bench_cmds_done(cmds, 2);
        remove_log(log);
}

static int count_calls(bench_cmd *cmd, unsigned round, void *userdata) {
        unsigned *calls = userdata;

        calls[round]++;
        return 0;
}

TEST(before_each_run) {
        char log[PATH_MAX];
        unsigned calls[3] = {};
        bench_cmd cmds[2];

        make_log(log);
        cmds[0] = (bench_cmd) { .name = "ours", .argv = appender(log, 'A', 0) };
        cmds[1] = (bench_cmd) { .name = "baseline", .argv = appender(log, 'B', 0), .baseline = true };
        check_int(bench_interleave(cmds, 2, 2, count_calls, calls), ==, 0);
        for (size_t i = 0; i < ELEMENTSOF(calls); i++)
                check_int(calls[i], ==, 2);
        argv_free(cmds[0].argv);
        argv_free(cmds[1].argv);
        bench_cmds_done(cmds, 2);
        remove_log(log);
}

TEST(exit_status_above_max_fails) {
        char log[PATH_MAX];
        bench_cmd cmds[2];

        make_log(log);
        /* 1 is allowed (a finding), 2 is not: the second command fails in
         * round 0, and nothing runs after it. */
        cmds[0] = (bench_cmd) { .name = "ours", .argv = appender(log, 'A', 1), .max_status = 1 };
        cmds[1] = (bench_cmd) { .name = "baseline", .argv = appender(log, 'B', 2), .max_status = 1, .baseline = true };
        check_int(bench_interleave(cmds, 2, 3, NULL, NULL), ==, -EIO);
        check_streq(read_log(log), "AB");
        argv_free(cmds[0].argv);
        argv_free(cmds[1].argv);
        bench_cmds_done(cmds, 2);
        remove_log(log);
}

TEST(ratio_is_ours_over_baseline) {
        char *slow[] = { (char *) "/bin/sleep", (char *) "0.1", NULL };
        char *fast[] = { (char *) "/bin/true", NULL };
        bench_cmd cmds[2] = {
                { .name = "ours", .argv = slow },
                { .name = "baseline", .argv = fast, .baseline = true },
        };

        /* 100 ms at least against a bare exec: only a machine stalled for
         * longer than that in most rounds could turn the ratio below 1. */
        check_int(bench_interleave(cmds, 2, 3, NULL, NULL), ==, 0);
        check(cmds[0].median >= 100 * USEC_PER_MSEC);
        check(cmds[1].ratio.medians > 1.0);
        check(cmds[1].ratio.p50 > 1.0);
        bench_cmds_done(cmds, 2);
}

TAP_MAIN(T(baseline_swaps_places_every_other_round),
         T(without_baseline_the_order_is_fixed),
         T(before_each_run),
         T(exit_status_above_max_fails),
         T(ratio_is_ours_over_baseline))
