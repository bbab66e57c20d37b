/* SPDX-License-Identifier: MIT */
#pragma once

/* What the benchmarks that time whole processes share. */

#include <stdint.h>

/* Runs ARGV with stdout and stderr on /dev/null; returns the wall time
 * and the wait status. */
int time_run(char *const argv[], uint64_t *ret_usec, int *ret_status);

/* The median of V (sorted in place). */
uint64_t median(uint64_t *v, unsigned n);
