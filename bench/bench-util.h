/* SPDX-License-Identifier: MIT */
#pragma once

/* Whole-process timing shared by the benchmarks that compare a tool with
 * a floor (bench/check, bench/generator). */

#include <stdint.h>

/* Runs ARGV (an absolute path) with stdout and stderr on /dev/null;
 * returns its wall time and wait status. */
int bench_time_run(char *const argv[], uint64_t *ret_usec, int *ret_status);

/* The median of N values; sorts V. */
uint64_t bench_median(uint64_t *v, unsigned n);
