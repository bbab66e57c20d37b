/* SPDX-License-Identifier: MIT */
/* Timing a whole process, as a user or systemd would start it, the medians
 * and percentiles the benchmarks print, and their scratch trees. */

#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "log.h"
#include "macro.h"

extern char **environ;

int bench_time_run(char *const argv[], uint64_t *ret_usec, int *ret_status) {
        posix_spawn_file_actions_t fa;
        uint64_t start;
        pid_t pid;
        int r, status;

        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        start = now_usec(CLOCK_MONOTONIC);
        r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                return -r;
        if (waitpid(pid, &status, 0) < 0)
                return negative_errno();
        *ret_usec = now_usec(CLOCK_MONOTONIC) - start;
        *ret_status = status;
        return 0;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

void bench_sort_u64(uint64_t *v, size_t n) {
        qsort(v, n, sizeof(*v), cmp_u64);
}

uint64_t bench_median(uint64_t *v, unsigned n) {
        bench_sort_u64(v, n);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) (flag == FTW_DP ? rmdir(path) : unlink(path));
        return 0;
}

void bench_rm_rf(const char *dir) {
        /* FTW_PHYS: a symlink is removed, never followed. */
        (void) nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int bench_parse_options(int argc, char *argv[], const char *count_name, int (*help)(void), bench_options *o) {
        const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { count_name, required_argument, NULL, 'n' },
                { "runs", required_argument, NULL, 'r' },
                { "json", no_argument, NULL, 'j' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        (void) help();
                        return 1;
                case 'n':
                        o->count = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'r':
                        o->runs = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'j':
                        o->json = true;
                        break;
                default:
                        return 64;
                }
        if (o->count == 0 || o->runs == 0) {
                log_error("--%s and --runs must be positive", count_name);
                return 64;
        }
        return 0;
}
