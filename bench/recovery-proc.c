/* SPDX-License-Identifier: MIT */
/* What bench/recovery and bench/guard read from /proc: resident memory,
 * how busy the machine was meanwhile, a thread's or a whole process's
 * context switches (its wakeups) and CPU time, which thread is the
 * keeper's, and the timer the keeper really armed. */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recovery-common.h"

static long status_field_kb(const char *file, const char *field) {
        _cleanup_free_ char *line = NULL;
        size_t size = 0, len = strlen(field);
        FILE *f = fopen(file, "re");
        long v = -1;

        if (!f)
                return -1;
        while (getline(&line, &size, f) > 0)
                if (strncmp(line, field, len) == 0 && line[len] == ':') {
                        v = strtol(line + len + 1, NULL, 10);
                        break;
                }
        fclose(f);
        return v;
}

long vmrss_kb(void) {
        return status_field_kb("/proc/self/status", "VmRSS");
}

long process_vmrss_kb(pid_t pid) {
        char p[64];

        snprintf(p, sizeof(p), "/proc/%d/status", (int) pid);
        return status_field_kb(p, "VmRSS");
}

cpu_meter cpu_meter_read(void) {
        unsigned long long v[8], ut, st;
        cpu_meter m = {};
        char buf[1024], *p;
        size_t n;
        FILE *f;

        f = fopen("/proc/stat", "re");
        if (f) {
                if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
                           &v[5], &v[6], &v[7]) == 8) {
                        m.busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
                        m.total = m.busy + v[3] + v[4];
                }
                fclose(f);
        }
        f = fopen("/proc/self/stat", "re");
        if (f) {
                n = fread(buf, 1, sizeof(buf) - 1, f);
                buf[n] = '\0';
                /* The command name may hold spaces; the fields follow its ')'. */
                p = strrchr(buf, ')');
                if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2)
                        m.self = ut + st;
                fclose(f);
        }
        return m;
}

/* Percent of all CPUs that other processes used since A. */
double cpu_meter_others(const cpu_meter *a) {
        cpu_meter b = cpu_meter_read();
        uint64_t total = b.total - a->total, busy = b.busy - a->busy, self = b.self - a->self;

        if (!total || busy <= self)
                return 0;
        return 100.0 * (double) (busy - self) / (double) total;
}

/* Context switches of one thread: each wakeup from poll() is at least one
 * voluntary switch when it blocks again. */
static int64_t switches_of(const char *p) {
        long vol, nonvol;

        vol = status_field_kb(p, "voluntary_ctxt_switches");
        nonvol = status_field_kb(p, "nonvoluntary_ctxt_switches");
        if (vol < 0 || nonvol < 0)
                return -1;
        return (int64_t) vol + nonvol;
}

int64_t task_switches(pid_t tid) {
        char p[64];

        if (tid <= 0)
                return -1;
        snprintf(p, sizeof(p), "/proc/self/task/%d/status", (int) tid);
        return switches_of(p);
}

static int64_t task_dir_switches(const char *task_dir) {
        char p[PATH_MAX];

        snprintf(p, sizeof(p), "%s/status", task_dir);
        return switches_of(p);
}

static int64_t task_dir_cpu_nsec(const char *task_dir) {
        unsigned long long ns;
        char p[PATH_MAX];
        int64_t v = -1;
        FILE *f;

        snprintf(p, sizeof(p), "%s/schedstat", task_dir);
        f = fopen(p, "re");
        if (!f)
                return -1;
        if (fscanf(f, "%llu", &ns) == 1)
                v = (int64_t) ns;
        fclose(f);
        return v;
}

/* The sum of ONE over every thread of PID, -1 when PID is gone. */
static int64_t sum_over_tasks(pid_t pid, int64_t (*one)(const char *task_dir)) {
        char p[64];
        int64_t sum = 0;
        struct dirent *de;
        DIR *d;

        snprintf(p, sizeof(p), "/proc/%d/task", (int) pid);
        d = opendir(p);
        if (!d)
                return -1;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.') {
                        char q[PATH_MAX];
                        int64_t v;

                        snprintf(q, sizeof(q), "%s/%s", p, de->d_name);
                        v = one(q);
                        if (v > 0)
                                sum += v;
                }
        closedir(d);
        return sum;
}

/* /proc/PID/status counts the main thread's switches only; a process's
 * are those of all its threads. */
int64_t process_switches(pid_t pid) {
        return sum_over_tasks(pid, task_dir_switches);
}

/* From schedstat, in ns: exact, where utime and stime in /proc/PID/stat
 * count clock ticks. */
int64_t process_cpu_nsec(pid_t pid) {
        return sum_over_tasks(pid, task_dir_cpu_nsec);
}

size_t tasks_snapshot(pid_t *tids, size_t max) {
        DIR *d = opendir("/proc/self/task");
        struct dirent *de;
        size_t n = 0;

        if (!d)
                return 0;
        while ((de = readdir(d)) && n < max)
                if (de->d_name[0] != '.')
                        tids[n++] = (pid_t) atoi(de->d_name);
        closedir(d);
        return n;
}

/* The keeper's thread is the one task that appeared across sk_keeper_start(). */
pid_t new_task(const pid_t *before, size_t n_before) {
        pid_t after[MAX_TASKS];
        size_t n = tasks_snapshot(after, ELEMENTSOF(after));

        for (size_t i = 0; i < n; i++) {
                bool seen = false;
                for (size_t j = 0; j < n_before && !seen; j++)
                        seen = after[i] == before[j];
                if (!seen)
                        return after[i];
        }
        return 0;
}

void fds_snapshot(bool open_fds[MAX_FDS]) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;

        memset(open_fds, 0, MAX_FDS * sizeof(bool));
        if (!d)
                return;
        while ((de = readdir(d))) {
                int fd = atoi(de->d_name);
                if (de->d_name[0] != '.' && fd >= 0 && fd < MAX_FDS)
                        open_fds[fd] = true;
        }
        closedir(d);
}

int proc_fd_timer(pid_t pid, int fd, uint64_t *ret_usec) {
        unsigned long long sec, nsec;
        char p[64], line[128];
        FILE *f;

        if (pid > 0)
                snprintf(p, sizeof(p), "/proc/%d/fdinfo/%d", (int) pid, fd);
        else
                snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
        f = fopen(p, "re");
        if (!f)
                return negative_errno();
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "it_value: (%llu, %llu)", &sec, &nsec) == 2) {
                        fclose(f);
                        *ret_usec = (uint64_t) sec * USEC_PER_SEC + (uint64_t) nsec / NSEC_PER_USEC;
                        return 0;
                }
        fclose(f);
        return -ENOENT;
}

/* Finds a timerfd opened since BEFORE and reads, from the kernel, how far
 * away its next expiry is: what the keeper really armed. */
int armed_timer(const bool before[MAX_FDS], uint64_t *ret_usec) {
        bool now[MAX_FDS];

        fds_snapshot(now);
        for (int fd = 0; fd < MAX_FDS; fd++) {
                char p[64], link_to[64];
                ssize_t n;

                if (!now[fd] || before[fd])
                        continue;
                snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
                n = readlink(p, link_to, sizeof(link_to) - 1);
                if (n < 0)
                        continue;
                link_to[n] = '\0';
                if (streq(link_to, "anon_inode:[timerfd]") && proc_fd_timer(0, fd, ret_usec) >= 0)
                        return 0;
        }
        return -ENOENT;
}
