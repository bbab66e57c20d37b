/* SPDX-License-Identifier: MIT */
#pragma once

/* What the benchmarks share: whole-process timing for those that compare
 * a tool with a floor (bench/check, bench/generator, bench/scan), and with
 * the same tool from another build (--baseline), sorting samples, and
 * removing a scratch tree. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "json.h"

typedef struct bench_options {
        unsigned count;         /* --paths, --units or --sockets: how big the run is */
        unsigned runs;          /* --runs */
        bool json;              /* --json */
        const char *baseline;   /* --baseline: the same tool from another build, or NULL */
} bench_options;

/* ARG, given to OPTION, as a whole number from MIN to MAX into *RET;
 * otherwise says what is wrong and returns -EINVAL. */
int bench_parse_number(const char *arg, const char *option, uint64_t min, uint64_t max, uint64_t *ret);

/* Parses the options every benchmark takes: --help, --runs=N, --json,
 * --baseline=BINARY, and its count option, "--COUNT_NAME=N". O holds the
 * defaults on entry. Returns 0 to go on, 1 after HELP ran (exit 0), or 64
 * after a message for a usage error (exit 64). */
int bench_parse_options(int argc, char *argv[], const char *count_name, int (*help)(void), bench_options *o);

/* The --baseline line of every benchmark's --help. */
#define BENCH_BASELINE_HELP                                                                     \
        "With --baseline=BINARY, BINARY (the same tool from another build) runs the same\n"    \
        "commands, interleaved round by round with ours; it gets its own rows and the\n"       \
        "ratio ours/baseline: of the medians, and the quartiles of the per-round ratios.\n"

/* Runs ARGV (an absolute path) with stdout and stderr on /dev/null;
 * returns its wall time and wait status. */
int bench_time_run(char *const argv[], uint64_t *ret_usec, int *ret_status);
/* The same, and the CPU time (user + system) it used, when RET_CPU_USEC
 * is not NULL. */
int bench_time_run_cpu(char *const argv[], uint64_t *ret_usec, uint64_t *ret_cpu_usec, int *ret_status);

/* A child process, as a daemon would be, that binds a listening AF_UNIX
 * socket at each of N paths and accepts (and closes at once) whatever
 * connects, until bench_holder_stop(). */
typedef struct bench_holder {
        pid_t pid;
        int hold_fd;            /* closing it ends the child */
} bench_holder;

/* Writes the I-th path into BUF. */
typedef void (*bench_path_fn)(unsigned i, char *buf, size_t size, const void *userdata);

/* Starts the holder of N sockets at the paths PATH_OF gives (it makes
 * their directories, 0755, where missing), with RLIMIT_NOFILE raised to
 * what they need, and returns once all are bound. Returns 0, or a
 * negative errno after an error message. */
int bench_holder_start(bench_holder *h, unsigned n, bench_path_fn path_of, const void *userdata);
/* Ends the holder and waits for it; its sockets' files stay. */
void bench_holder_stop(bench_holder *h);

/* How ours compares with the baseline: the ratio of the two medians, and
 * the quartiles of the ratios of the two runs of each round (their spread
 * is what noise alone does to the ratio). */
typedef struct bench_ratio {
        double medians;
        double p25, p50, p75;
} bench_ratio;

/* One command that a benchmark times, and what it measured. */
typedef struct bench_cmd {
        const char *name;       /* what it is, for messages */
        char **argv;            /* argv[0] is a path; $PATH is not searched */
        int max_status;         /* the highest exit status of a run that worked */
        bool baseline;          /* the command before it, run by the --baseline binary */
        uint64_t *usec;         /* the samples, ascending (bench_interleave() allocates them) */
        uint64_t median;
        bench_ratio ratio;      /* of a baseline: the command before it over this one */
        int status;             /* of the latest run */
} bench_cmd;

/* Called before each run of CMD in ROUND (0 is the untimed one), to give
 * it fresh arguments, such as an empty output directory. */
typedef int (*bench_before_fn)(bench_cmd *cmd, unsigned round, void *userdata);

/* Times the N commands: one untimed round that warms the caches, then RUNS
 * rounds that run each of them once, so that a noisy neighbour hits all
 * alike. A command and its baseline swap places every other round, so
 * that neither always runs in the other's wake. Then sorts each one's
 * samples and fills in its median, and each baseline's ratio. Returns 0,
 * or a negative errno after an error message (a run that failed). */
int bench_interleave(bench_cmd *cmds, size_t n, unsigned runs, bench_before_fn before, void *userdata);

/* Frees the samples of the N commands. */
void bench_cmds_done(bench_cmd *cmds, size_t n);

/* Prints "  LABEL   0.998   (per round: 0.997, quartiles 0.985-1.010)",
 * LABEL padded to WIDTH. */
void bench_print_ratio(int width, const char *label, const bench_ratio *r);

/* Writes the pairs KEY (the ratio of the medians) and KEY_per_round (an
 * object with p25, p50 and p75) into the open object of W. */
void bench_json_ratio(json_writer *w, const char *key, const bench_ratio *r);

/* Sorts N samples in ascending order. */
void bench_sort_u64(uint64_t *v, size_t n);

/* The median of N values; sorts V. */
uint64_t bench_median(uint64_t *v, unsigned n);

/* Removes DIR, a scratch tree that the benchmark made with mkdtemp(), and
 * everything in it; never follows a symlink nor leaves its filesystem. */
void bench_rm_rf(const char *dir);
