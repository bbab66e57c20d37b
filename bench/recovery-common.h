/* SPDX-License-Identifier: MIT */
#pragma once

/* What the parts of bench/recovery share: the options, the variants under
 * test, the daemon under test, the results of each benchmark and the
 * report made of them. recovery.c runs the benchmarks in order; each
 * recovery-*.c file holds one of them, or what they all use. */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "json.h"
#include "macro.h"
#include "sockkeeper.h"

/* The library's defaults (src/libsockkeeper/keeper-internal.h). The bench
 * links the public API only, so it cannot read them; it reads the timer
 * the keeper actually armed from the kernel instead, and says when the two
 * disagree. */
#define LIB_REFRESH_USEC (6 * USEC_PER_HOUR)
#define LIB_BACKSTOP_USEC (1 * USEC_PER_HOUR)

#define SETTLE_USEC (200 * USEC_PER_MSEC)
#define MAX_TASKS 256
#define MAX_FDS 4096

/* Set by SIGINT and SIGTERM: every loop ends early and the report is
 * printed with what was measured. */
extern volatile sig_atomic_t interrupted;

/* ---- recovery-common.c ---------------------------------------------- */

typedef struct u64vec {
        uint64_t *v;
        size_t n, size;
} u64vec;

int u64vec_push(u64vec *a, uint64_t x);
void u64vec_done(u64vec *a);

/* A distribution summary; percentiles by nearest rank. */
typedef struct dist {
        size_t n;
        uint64_t p50, p90, p99, max, mean;
} dist;

/* Sorts A and summarises it. */
dist dist_of(u64vec *a);
/* Writes KEY: {n, p50_us, p90_us, p99_us, max_us, mean_us} into the open
 * object of W. */
void dist_json(json_writer *w, const char *key, const dist *d);

void sleep_usec(uint64_t usec);
/* Sleeps in slices so that ^C ends a long idle window promptly. */
void sleep_interruptible(uint64_t usec);

void rng_seed(uint64_t seed);
uint64_t rng_next(void);

/* Failed connect()s, by what they failed with. */
typedef struct attempts {
        uint64_t enoent, refused, other;
} attempts;

static inline void attempts_count(attempts *a, int error) {
        if (error == ENOENT)
                a->enoent++;
        else if (error == ECONNREFUSED)
                a->refused++;
        else
                a->other++;
}

/* "37 us", "4.2 ms", "59.40 s", "6 h": short enough for a table column. */
const char *fmt_usec(char *buf, size_t size, uint64_t usec);
#define FMT_USEC(usec) fmt_usec((char[24]) {}, 24, (usec))

/* The default 50 us of timer slack would stretch a 20 us pause to 70;
 * returns the old value, for _cleanup_(timer_slack_restore). Per thread. */
int timer_slack_fine(void);
void timer_slack_restore(int *old);

/* ---- recovery-proc.c ------------------------------------------------ */

long vmrss_kb(void);
long process_vmrss_kb(pid_t pid);

/* How busy the machine was, and how much of that was us. The rest is the
 * noise that a section's numbers were measured under. */
typedef struct cpu_meter {
        uint64_t busy, total, self;
} cpu_meter;

cpu_meter cpu_meter_read(void);
/* Percent of all CPUs that other processes used since A. */
double cpu_meter_others(const cpu_meter *a);

/* Context switches of one thread, -1 when it cannot be read. */
int64_t task_switches(pid_t tid);
/* Of every thread of another process PID; -1 when it cannot be read. */
int64_t process_switches(pid_t pid);
int64_t process_cpu_nsec(pid_t pid);
size_t tasks_snapshot(pid_t *tids, size_t max);
/* The keeper's thread is the one task that appeared across sk_keeper_start(). */
pid_t new_task(const pid_t *before, size_t n_before);

void fds_snapshot(bool open_fds[MAX_FDS]);
/* How far away the next expiry of timerfd FD of PID (0: ourselves) is. */
int proc_fd_timer(pid_t pid, int fd, uint64_t *ret_usec);
/* The expiry, from now, of a timerfd opened since BEFORE. */
int armed_timer(const bool before[MAX_FDS], uint64_t *ret_usec);

/* ---- recovery-server.c: the daemon under test ----------------------- */

typedef struct variant {
        const char *name;
        const char *key;
        bool relink;
        bool delete_anchor;   /* the cleaner takes the anchor as well */
        sk_detection detection;
        uint64_t interval_usec;
        bool random_phase;    /* delete at a uniformly random point of the poll interval */
        uint64_t pause_usec;  /* the client sleeps this long after a failed connect(); 0 = tight loop */
        bool comparison;      /* a pausing-client row, left out with --pause-us 0 */
        bool cpus_awake;      /* idle spinners keep every CPU from halting (see awake_start) */
} variant;

typedef struct server {
        sk_keeper *keeper;
        char *path;
        int fd;
        pid_t keeper_tid;
        pthread_t acceptor;
        bool acceptor_running;
        atomic_bool stopping;
        atomic_uint_fast64_t accepted;
        atomic_uint_fast64_t accept_einval;
        atomic_uint_fast64_t relinks;
        atomic_uint_fast64_t rebinds;
        atomic_uint_fast64_t errors;
        atomic_uint_fast64_t conflicts;
        atomic_uint_fast64_t last_usec;
        /* Set by whoever deletes the path; the callback turns it into
         * "unlink() to healed" samples, so that a late keeper and a late
         * client can be told apart. Written by the keeper thread only,
         * read once it has stopped. */
        atomic_uint_fast64_t deleted_at;
        u64vec healed;
        pthread_mutex_t lock;
        char anchor[PATH_MAX];  /* under lock: the anchor after the last rebind */
        char last_error[160];   /* under lock */
} server;

/* Makes DIR, binds a keeper at DIR/NAME (configured as V, or with the
 * defaults when V is NULL), and starts its thread and an accept loop as
 * asked. */
int server_start(server *s, const char *dir, const char *name, const variant *v, bool thread_mode,
                 bool accept_loop);
/* The server of one variant's run: a keeper in thread mode at
 * BASE/PREFIX-KEY/s.sock with an accept loop, and the address that clients
 * connect to. Call server_stop() after, even after a failure. */
int server_start_variant(server *s, const char *base, const char *prefix, const variant *v,
                         struct sockaddr_un *ret_sa);
void server_stop(server *s);
/* The keeper's last error event, in words, into BUF. */
void server_last_error(server *s, char *buf, size_t size);
/* How many times the keeper healed the path: relinks and rebinds. */
uint64_t server_heals(server *s);
void sockaddr_for(struct sockaddr_un *sa, const char *path);

/* ---- the benchmarks ------------------------------------------------- */

typedef struct options {
        unsigned samples;
        uint64_t gap_usec;
        unsigned poll_samples;
        uint64_t poll_interval_usec;
        uint64_t storm_usec;
        uint64_t storm_period_usec;
        unsigned storm_clients;
        uint64_t idle_usec;
        uint64_t pause_usec;        /* of the pausing-client rows; 0 leaves them out */
        const char *dir;
        bool json;
        bool run_idle, run_latency, run_poll, run_storm;
} options;

typedef struct idle_result {
        bool ran;
        long rss_before_kb, rss_thread_kb, rss_loop_kb;
        uint64_t window_usec;
        int64_t thread_wakeups;         /* -1 when the keeper thread was not found */
        uint64_t loop_wakeups;
        bool timer_found;
        uint64_t timer_remaining_usec;
        uint64_t churn_ops;
        int64_t churn_thread_wakeups;
        uint64_t churn_loop_wakeups;
        double observed_per_hour;       /* extrapolated from the window */
        double timers_per_hour;         /* from the configured intervals */
        double total_per_hour;
        double others_percent;
} idle_result;

/* recovery-idle.c */
int run_idle(const options *o, const char *base, idle_result *res);

typedef struct latency_result {
        const char *name;
        const char *key;
        bool estimate;
        char note[256];
        unsigned requested;
        dist client;            /* unlink() to first successful connect() */
        dist client_rebind;     /* the same, for the deletions that ended in a rebind */
        dist healed;            /* unlink() to the keeper's event callback */
        dist keeper;            /* what the keeper reports: from heal() to done */
        dist unlink_call;       /* how long the cleaner's unlink() itself took */
        double others_percent;  /* CPU used by other processes meanwhile */
        uint64_t relinks, rebinds, errors, timeouts, unlink_failed;
        uint64_t failed_enoent, failed_refused, failed_other;
        double wakeups_per_deletion; /* < 0 when not known */
        char last_error[160];
} latency_result;

/* recovery-latency.c */

/* One SCHED_IDLE spinner process per CPU (see awake_start). */
typedef struct awake {
        pid_t pids[64];
        size_t n;
} awake;

void awake_start(awake *a);
void awake_stop(awake *a);
/* Retries socket()+connect() to SA (sleeping PAUSE us after each failure,
 * 0 = none) until one succeeds, counting the failures in A; *ret_when is
 * taken right after it did. -ETIMEDOUT at DEADLINE, -EINTR when
 * interrupted. */
int connect_spin(const struct sockaddr_un *sa, uint64_t deadline, uint64_t pause, attempts *a, uint64_t *ret_when);
int run_latency(const options *o, const char *base, const variant *v, unsigned samples, latency_result *res);
/* The original library's 60 s poll, estimated rather than sampled. */
void estimate_poll(uint64_t interval, uint64_t rebind_cost, latency_result *res);

typedef struct storm_result {
        const char *name;
        const char *key;
        uint64_t duration_usec;
        uint64_t deletions, deletions_missing;
        uint64_t connects, ok, enoent, refused, other_fail;
        uint64_t lost, lost_eof, lost_reset, lost_timeout, lost_other;
        uint64_t accepted, accept_einval, relinks, rebinds, errors;
        double fail_percent;
        dist outage;             /* client-side failure streaks */
        dist healed;             /* unlink() to the keeper's callback */
        double absent_percent;   /* of the storm, the path was missing (sum of healed) */
        double others_percent;
        char last_error[160];
} storm_result;

/* recovery-storm.c */
int run_storm(const options *o, const char *base, const variant *v, storm_result *res);

/* ---- recovery-report.c ---------------------------------------------- */

typedef struct target {
        char name[64];
        char value[48];
        char limit[48];
        bool pass;
} target;

typedef struct report {
        options opts;
        char kernel[128];
        char fs[32];
        long cpus;
        idle_result idle;
        latency_result latency[10];
        size_t n_latency;
        storm_result storm[6];
        size_t n_storm;
        target targets[12];
        size_t n_targets;
        uint64_t elapsed_usec;
} report;

void build_targets(report *rp);
void print_human(const report *rp);
void print_json(const report *rp);
