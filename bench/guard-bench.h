/* SPDX-License-Identifier: MIT */
#pragma once

/* What the two parts of bench/guard share: the options, the results of one
 * size, and the guard under measurement. guard.c runs the sizes in order
 * and prints the report; guard-run.c starts a guard, reads its log and
 * measures it. */

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bench-util.h"
#include "recovery-common.h"

#define MAX_SIZES 8
#define MAX_DISCOVERY_SAMPLES 32

typedef struct guard_options {
        unsigned sizes[MAX_SIZES];
        size_t n_sizes;
        unsigned unrelated;             /* sockets elsewhere on the machine, out of scope */
        unsigned deletions;
        uint64_t gap_usec;
        uint64_t idle_usec;
        unsigned discovery_samples;
        unsigned scan_runs;
        unsigned nofile;                /* the guard's soft RLIMIT_NOFILE */
        unsigned raised_nofile;         /* again with this one, where not all attached; 0 = not */
        bool json;
} guard_options;

/* Where one run keeps its files: all of it below BASE, a private
 * directory made with mkdtemp() in /tmp. */
typedef struct bench_env {
        char base[64];
        char state[96];                 /* the guard's STATE_DIRECTORY: its anchors */
        char elsewhere[96];             /* the unrelated sockets */
        const guard_options *o;
} bench_env;

/* What a guard wrote to stderr, read by a thread of ours as it comes. */
typedef struct guard_log {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        pthread_t thread;
        bool initialized, running;
        int fd;
        bool eof;
        unsigned attached, discovered, relinked, released;
        uint64_t start_at;              /* when its "start" line came; 0 before */
        char want[PATH_MAX];            /* a path whose "discovered" line is awaited */
        uint64_t want_at;
        char problem[256];              /* the first line that is none of the above */
        unsigned problems;
        u64vec relink_usec;             /* what each "relinked" line says it took */
} guard_log;

typedef struct guard_proc {
        pid_t pid;
        uint64_t spawned_at;
        guard_log log;
} guard_proc;

/* What /proc says about one process's fds. */
typedef struct fd_census {
        unsigned fds;
        unsigned inotify_instances;
        unsigned long inotify_watches;
        bool timer_found;
        uint64_t timer_remaining_usec;  /* the nearest expiry of its timerfds */
} fd_census;

typedef struct size_result {
        unsigned n;
        unsigned dirs;
        unsigned nofile;                /* the guard's soft RLIMIT_NOFILE */
        bool unrelated;
        bool ran;
        unsigned attached;              /* "attached" lines by the "start" line */
        uint64_t ready_usec;            /* fork to the "start" line */
        uint64_t ready_quiet_usec;      /* the same, of the second guard (discovery hourly) */
        long rss_kb;
        double rss_per_path;            /* bytes, over the guard that keeps nothing */
        fd_census census;
        fd_census census_quiet;
        /* The idle windows: default discovery interval, then discovery hourly. */
        uint64_t window_usec, window_quiet_usec;
        int64_t switches, switches_quiet;
        int64_t cpu_ns, cpu_quiet_ns;
        unsigned passes;                /* discovery passes in the first window */
        double pass_cpu_usec;           /* one pass, less what the quiet guard used; < 0 unknown */
        uint64_t scan_cpu_usec, scan_wall_usec; /* medians of `sockkeeper scan --json` */
        u64vec discovery;               /* bind() to the "discovered" line */
        unsigned discovery_missed;
        dist latency;                   /* unlink() to the first successful connect() */
        dist reference;                 /* the same for bench/recovery's in-process keeper */
        dist guard_relink;              /* what the guard's "relinked" lines say */
        unsigned timeouts, not_kept;
        double cpu_per_deletion_usec;
        double wakeups_per_deletion;
        /* CPU of other processes during the idle windows: the machine is shared. */
        double others_percent, others_quiet_percent;
        char problem[256];
} size_result;

/* The baseline of RSS: a guard over an empty scope. */
int measure_empty(const bench_env *e, bool unrelated, long *ret_rss_kb);
/* Measures one size, with or without the unrelated sockets (which the
 * caller holds). Returns 0 with what was measured in RES, or a negative
 * errno after an error message; RES then holds what came before it. */
int measure_size(const bench_env *e, unsigned n, bool unrelated, unsigned nofile, long empty_rss_kb, size_result *res);
void size_result_done(size_result *res);

unsigned dirs_of(unsigned n);
void unrelated_path(unsigned i, char *buf, size_t size, const void *userdata);
