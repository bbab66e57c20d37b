/* SPDX-License-Identifier: MIT */
#pragma once

/* What the benchmarks share: whole-process timing for those that compare
 * a tool with a floor (bench/check, bench/generator, bench/scan), sorting
 * samples, and removing a scratch tree. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bench_options {
        unsigned count;         /* --paths, --units or --sockets: how big the run is */
        unsigned runs;          /* --runs */
        bool json;              /* --json */
} bench_options;

/* Parses the options every benchmark takes: --help, --runs=N, --json, and
 * its count option, "--COUNT_NAME=N". O holds the defaults on entry.
 * Returns 0 to go on, 1 after HELP ran (exit 0), or 64 after a message
 * for a usage error (exit 64). */
int bench_parse_options(int argc, char *argv[], const char *count_name, int (*help)(void), bench_options *o);

/* Runs ARGV (an absolute path) with stdout and stderr on /dev/null;
 * returns its wall time and wait status. */
int bench_time_run(char *const argv[], uint64_t *ret_usec, int *ret_status);

/* Sorts N samples in ascending order. */
void bench_sort_u64(uint64_t *v, size_t n);

/* The median of N values; sorts V. */
uint64_t bench_median(uint64_t *v, unsigned n);

/* Removes DIR, a scratch tree that the benchmark made with mkdtemp(), and
 * everything in it; never follows a symlink nor leaves its filesystem. */
void bench_rm_rf(const char *dir);
