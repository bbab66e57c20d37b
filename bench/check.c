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

#define TARGET_RATIO 1.0

/* Directories a socket might be in, and names in them: a mix of existing
 * and missing paths, under aged and unaged trees. */
static const char *const dirs[] = { "/tmp", "/var/tmp", "/run", "/tmp/app", "/run/user/0", "/var/lib/app", "/dev/shm" };

static char **make_paths(unsigned n) {
        char **paths = calloc(n + 1, sizeof(char *));

        if (!paths)
                return NULL;
        for (unsigned i = 0; i < n; i++)
                if (asprintf(&paths[i], "%s/bench-%u.sock", dirs[i % ELEMENTSOF(dirs)], i) < 0)
                        return NULL;
        return paths;
}

static int help(void) {
        printf("Usage: check [--paths N] [--runs N] [--json]\n"
               "\n"
               "Times `sockkeeper check` on N paths (default 1000) against this machine's\n"
               "configuration and `systemd-tmpfiles --cat-config`, each run R times\n"
               "(default 21), interleaved; prints medians and their ratio.\n");
        return 0;
}

int main(int argc, char *argv[]) {
        char *cat_argv[] = { (char *) "/usr/bin/systemd-tmpfiles", (char *) "--cat-config", NULL };
        bench_options o = { .count = 1000, .runs = 21 };
        _cleanup_free_ uint64_t *t_check = NULL, *t_cat = NULL;
        char **check_argv, **paths;
        uint64_t m_check, m_cat;
        int r, status = 0;

        log_set_program("bench/check");
        r = bench_parse_options(argc, argv, "paths", help, &o);
        if (r != 0)
                return r == 1 ? 0 : r;
        const unsigned n_paths = o.count, runs = o.runs;
        const bool json = o.json;

        paths = make_paths(n_paths);
        check_argv = calloc(n_paths + 4, sizeof(char *));
        t_check = calloc(runs, sizeof(uint64_t));
        t_cat = calloc(runs, sizeof(uint64_t));
        if (!paths || !check_argv || !t_check || !t_cat)
                return log_error_errno(ENOMEM, "allocating"), 1;
        check_argv[0] = (char *) SOCKKEEPER_BINARY;
        check_argv[1] = (char *) "check";
        check_argv[2] = (char *) "--json";
        memcpy(check_argv + 3, paths, n_paths * sizeof(char *));

        /* Interleaved, so that a noisy neighbour hits both alike. One
         * untimed round first warms the page cache for both. */
        for (unsigned i = 0; i <= runs; i++) {
                uint64_t a, b;
                r = bench_time_run(check_argv, &a, &status);

                if (r < 0)
                        return log_error_errno(r, "running %s", check_argv[0]), 1;
                if (!WIFEXITED(status) || WEXITSTATUS(status) > 3)
                        return log_error("sockkeeper check failed (status %d)", status), 1;
                r = bench_time_run(cat_argv, &b, &status);
                if (r < 0)
                        return log_error_errno(r, "running %s", cat_argv[0]), 1;
                if (i > 0) {
                        t_check[i - 1] = a;
                        t_cat[i - 1] = b;
                }
        }
        m_check = bench_median(t_check, runs);
        m_cat = bench_median(t_cat, runs);

        if (json) {
                json_writer w;

                json_init(&w, stdout, true);
                json_begin_object(&w);
                json_pair_uint(&w, "paths", n_paths);
                json_pair_uint(&w, "runs", runs);
                json_pair_uint(&w, "check_median_us", m_check);
                json_pair_uint(&w, "cat_config_median_us", m_cat);
                json_pair_double(&w, "ratio", (double) m_check / (double) m_cat);
                json_end_object(&w);
                json_finish(&w);
                return 0;
        }
        printf("bench/check: %u paths, %u interleaved runs of each, medians of whole-process wall time\n",
               n_paths, runs);
        printf("  sockkeeper check --json (%u paths)   %8.2f ms   (min %.2f, max %.2f)\n", n_paths,
               (double) m_check / 1000, (double) t_check[0] / 1000, (double) t_check[runs - 1] / 1000);
        printf("  systemd-tmpfiles --cat-config       %8.2f ms   (min %.2f, max %.2f)\n", (double) m_cat / 1000,
               (double) t_cat[0] / 1000, (double) t_cat[runs - 1] / 1000);
        printf("  ratio check / cat-config            %8.2f      [target <= %.1f] %s\n",
               (double) m_check / (double) m_cat, TARGET_RATIO,
               (double) m_check / (double) m_cat <= TARGET_RATIO ? "PASS" : "MISS");
        return 0;
}
