/* SPDX-License-Identifier: MIT */
/* bench/scan: how long `sockkeeper scan` takes on a machine with 10,000
 * listening AF_UNIX sockets, side by side with `ss -xlp` (iproute2), which
 * walks the same sock_diag dump and the same /proc fds. A child process
 * holds the sockets in a private directory; scan --json, the human table
 * and ss run interleaved as whole processes, and the medians are compared.
 * It prints numbers; it is not a pass/fail test. */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-util.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "macro.h"

#define TARGET_RATIO 1.0
#define SS_BINARY "/usr/bin/ss"

static void socket_path(unsigned i, char *buf, size_t size, const void *userdata) {
        snprintf(buf, size, "%s/s%u.sock", (const char *) userdata, i);
}

static int help(void) {
        printf("Usage: scan [--sockets N] [--runs R] [--json] [--baseline=SOCKKEEPER]\n"
               "\n"
               "Opens N listening AF_UNIX sockets (default 10000) in a child process and\n"
               "times `sockkeeper scan --json`, `sockkeeper scan` and `ss -xlp`, each run R\n"
               "times (default 11), interleaved; prints medians and the ratios to ss.\n"
               "\n" BENCH_BASELINE_HELP
               "Here BINARY is another build's sockkeeper, e.g.\n"
               "  scan --baseline=../old/build/src/cli/sockkeeper\n");
        return 0;
}

static void remove_sockets(const char *dir, unsigned n) {
        for (unsigned i = 0; i < n; i++) {
                char p[4096];

                snprintf(p, sizeof(p), "%s/s%u.sock", dir, i);
                (void) unlink(p);
        }
        (void) rmdir(dir);
}

int main(int argc, char *argv[]) {
        char *scan_json_argv[] = { (char *) SOCKKEEPER_BINARY, (char *) "scan", (char *) "--json", NULL };
        char *scan_argv[] = { (char *) SOCKKEEPER_BINARY, (char *) "scan", NULL };
        char *base_json_argv[] = { NULL, (char *) "scan", (char *) "--json", NULL };
        char *base_argv[] = { NULL, (char *) "scan", NULL };
        char *ss_argv[] = { (char *) SS_BINARY, (char *) "-xlp", NULL };
        /* Ours, then (with --baseline) the baseline's same command, for
         * scan --json and the table; ss last. Exit status 1 is a finding. */
        bench_cmd cmds[5] = {}, *json_cmd, *table_cmd, *ss, *base_json = NULL, *base_table = NULL;
        bench_options o = { .count = 10000, .runs = 11 };
        char dir[] = "/tmp/sk-bench-scan-XXXXXX";
        bench_holder holder;
        int r, ret = 1;
        size_t n = 0;

        log_set_program("bench/scan");
        r = bench_parse_options(argc, argv, "sockets", help, &o);
        if (r != 0)
                return r == 1 ? 0 : r;
        const unsigned n_sockets = o.count, runs = o.runs;
        const bool json = o.json;
        if (access(SS_BINARY, X_OK) < 0)
                return log_error("%s is missing (iproute2)", SS_BINARY), 1;

        json_cmd = &cmds[n++];
        *json_cmd = (bench_cmd) { .name = "sockkeeper scan --json", .argv = scan_json_argv, .max_status = 1 };
        if (o.baseline) {
                base_json_argv[0] = (char *) o.baseline;
                base_json = &cmds[n++];
                *base_json = (bench_cmd) { .name = "baseline scan --json", .argv = base_json_argv, .max_status = 1,
                                           .baseline = true };
        }
        table_cmd = &cmds[n++];
        *table_cmd = (bench_cmd) { .name = "sockkeeper scan", .argv = scan_argv, .max_status = 1 };
        if (o.baseline) {
                base_argv[0] = (char *) o.baseline;
                base_table = &cmds[n++];
                *base_table = (bench_cmd) { .name = "baseline scan", .argv = base_argv, .max_status = 1,
                                            .baseline = true };
        }
        ss = &cmds[n++];
        *ss = (bench_cmd) { .name = "ss -xlp", .argv = ss_argv };

        /* A private directory (0700): no "squatting" reason for every path,
         * and nobody else's names in it. */
        if (!mkdtemp(dir))
                return log_error_errno(errno, "mkdtemp"), 1;
        if (bench_holder_start(&holder, n_sockets, socket_path, dir) < 0) {
                (void) rmdir(dir);
                return 1;
        }

        if (bench_interleave(cmds, n, runs, NULL, NULL) < 0)
                goto finish;

        if (json) {
                json_writer w;

                json_init(&w, stdout, true);
                json_begin_object(&w);
                json_pair_uint(&w, "sockets", n_sockets);
                json_pair_uint(&w, "runs", runs);
                json_pair_uint(&w, "scan_json_median_us", json_cmd->median);
                json_pair_uint(&w, "scan_table_median_us", table_cmd->median);
                json_pair_uint(&w, "ss_median_us", ss->median);
                json_pair_double(&w, "ratio_json", (double) json_cmd->median / (double) ss->median);
                json_pair_double(&w, "ratio_table", (double) table_cmd->median / (double) ss->median);
                if (o.baseline) {
                        json_pair_string(&w, "baseline", o.baseline);
                        json_pair_uint(&w, "baseline_scan_json_median_us", base_json->median);
                        json_pair_uint(&w, "baseline_scan_table_median_us", base_table->median);
                        bench_json_ratio(&w, "ratio_json_baseline", &base_json->ratio);
                        bench_json_ratio(&w, "ratio_table_baseline", &base_table->ratio);
                }
                json_end_object(&w);
                json_finish(&w);
        } else {
                const bench_cmd *const ours[] = { json_cmd, table_cmd };

                printf("bench/scan: %u listening sockets, %u interleaved runs of each, medians of whole-process "
                       "wall time\n",
                       n_sockets, runs);
                for (size_t k = 0; k < n; k++)
                        printf("  %-24s %8.2f ms   (min %.2f, max %.2f)\n", cmds[k].name,
                               (double) cmds[k].median / 1000, (double) cmds[k].usec[0] / 1000,
                               (double) cmds[k].usec[runs - 1] / 1000);
                for (size_t k = 0; k < ELEMENTSOF(ours); k++)
                        printf("  ratio %-18s %8.2f      [target <= %.1f] %s\n",
                               k == 0 ? "scan --json / ss" : "scan / ss", (double) ours[k]->median / (double) ss->median,
                               TARGET_RATIO, (double) ours[k]->median / (double) ss->median <= TARGET_RATIO ? "PASS" : "MISS");
                if (o.baseline) {
                        bench_print_ratio(24, "ratio --json / baseline", &base_json->ratio);
                        bench_print_ratio(24, "ratio scan / baseline", &base_table->ratio);
                        printf("  baseline: %s\n", o.baseline);
                }
        }
        ret = 0;
finish:
        bench_holder_stop(&holder);
        remove_sockets(dir, n_sockets);
        bench_cmds_done(cmds, n);
        return ret;
}
