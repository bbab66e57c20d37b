/* SPDX-License-Identifier: MIT */
/* bench/check: how long `sockkeeper check` takes for 1,000 paths against
 * this machine's real configuration, side by side with one run of
 * `systemd-tmpfiles --cat-config` (which reads the same tmpfiles.d tree).
 * Both are timed as whole processes, interleaved, and the medians compared.
 * It prints numbers; it is not a pass/fail test. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "macro.h"
#include "strv.h"

#define TARGET_RATIO 1.0

/* Directories a socket might be in, and names in them: a mix of existing
 * and missing paths, under aged and unaged trees. */
static const char *const dirs[] = { "/tmp", "/var/tmp", "/run", "/tmp/app", "/run/user/0", "/var/lib/app", "/dev/shm" };

static int make_paths(unsigned n, char ***ret) {
        char **paths = NULL;
        size_t k = 0;

        for (unsigned i = 0; i < n; i++)
                if (strv_pushf(&paths, &k, "%s/bench-%u.sock", dirs[i % ELEMENTSOF(dirs)], i) < 0) {
                        strv_free_n(paths, k);
                        return -ENOMEM;
                }
        *ret = paths;
        return 0;
}

static int help(void) {
        printf("Usage: check [--paths N] [--runs N] [--json] [--baseline=SOCKKEEPER]\n"
               "\n"
               "Times `sockkeeper check` on N paths (default 1000) against this machine's\n"
               "configuration and `systemd-tmpfiles --cat-config`, each run R times\n"
               "(default 21), interleaved; prints medians and their ratio.\n"
               "\n" BENCH_BASELINE_HELP
               "Here BINARY is another build's sockkeeper, e.g.\n"
               "  check --baseline=../old/build/src/cli/sockkeeper\n");
        return 0;
}

int main(int argc, char *argv[]) {
        char *cat_argv[] = { (char *) "/usr/bin/systemd-tmpfiles", (char *) "--cat-config", NULL };
        bench_options o = { .count = 1000, .runs = 21 };
        _cleanup_free_ char **check_argv = NULL, **base_argv = NULL;
        bench_cmd cmds[3] = {}, *check, *base = NULL, *cat;
        char **paths = NULL;
        size_t n = 0;
        int r, ret = 1;

        log_set_program("bench/check");
        r = bench_parse_options(argc, argv, "paths", help, &o);
        if (r != 0)
                return r == 1 ? 0 : r;
        const unsigned n_paths = o.count, runs = o.runs;
        const bool json = o.json;

        if (make_paths(n_paths, &paths) < 0)
                return log_error_errno(ENOMEM, "allocating"), 1;
        check_argv = calloc(n_paths + 4, sizeof(char *));
        base_argv = calloc(n_paths + 4, sizeof(char *));
        if (!check_argv || !base_argv) {
                log_error_errno(ENOMEM, "allocating");
                goto finish;
        }
        check_argv[0] = (char *) SOCKKEEPER_BINARY;
        check_argv[1] = (char *) "check";
        check_argv[2] = (char *) "--json";
        memcpy(check_argv + 3, paths, n_paths * sizeof(char *));
        memcpy(base_argv, check_argv, (n_paths + 3) * sizeof(char *));
        base_argv[0] = (char *) o.baseline;

        /* Exit status 1-3 is a finding, not a failure. */
        check = &cmds[n++];
        *check = (bench_cmd) { .name = "sockkeeper check", .argv = check_argv, .max_status = 3 };
        if (o.baseline) {
                base = &cmds[n++];
                *base = (bench_cmd) { .name = "baseline check", .argv = base_argv, .max_status = 3, .baseline = true };
        }
        /* The floor is timed whatever it exits with. */
        cat = &cmds[n++];
        *cat = (bench_cmd) { .name = "systemd-tmpfiles --cat-config", .argv = cat_argv, .max_status = 255 };
        if (bench_interleave(cmds, n, runs, NULL, NULL) < 0)
                goto finish;

        if (json) {
                json_writer w;

                json_init(&w, stdout, true);
                json_begin_object(&w);
                json_pair_uint(&w, "paths", n_paths);
                json_pair_uint(&w, "runs", runs);
                json_pair_uint(&w, "check_median_us", check->median);
                json_pair_uint(&w, "cat_config_median_us", cat->median);
                json_pair_double(&w, "ratio", (double) check->median / (double) cat->median);
                if (base) {
                        json_pair_string(&w, "baseline", o.baseline);
                        json_pair_uint(&w, "baseline_check_median_us", base->median);
                        bench_json_ratio(&w, "ratio_baseline", &base->ratio);
                }
                json_end_object(&w);
                json_finish(&w);
        } else {
                printf("bench/check: %u paths, %u interleaved runs of each, medians of whole-process wall time\n",
                       n_paths, runs);
                printf("  sockkeeper check --json (%u paths)   %8.2f ms   (min %.2f, max %.2f)\n", n_paths,
                       (double) check->median / 1000, (double) check->usec[0] / 1000,
                       (double) check->usec[runs - 1] / 1000);
                if (base)
                        printf("  %-35s %8.2f ms   (min %.2f, max %.2f)\n", "baseline check --json",
                               (double) base->median / 1000, (double) base->usec[0] / 1000,
                               (double) base->usec[runs - 1] / 1000);
                printf("  systemd-tmpfiles --cat-config       %8.2f ms   (min %.2f, max %.2f)\n",
                       (double) cat->median / 1000, (double) cat->usec[0] / 1000, (double) cat->usec[runs - 1] / 1000);
                printf("  ratio check / cat-config            %8.2f      [target <= %.1f] %s\n",
                       (double) check->median / (double) cat->median, TARGET_RATIO,
                       (double) check->median / (double) cat->median <= TARGET_RATIO ? "PASS" : "MISS");
                if (base) {
                        bench_print_ratio(35, "ratio check / baseline check", &base->ratio);
                        printf("  baseline: %s\n", o.baseline);
                }
        }
        ret = 0;
finish:
        bench_cmds_done(cmds, n);
        strv_free_n(paths, n_paths);
        return ret;
}
