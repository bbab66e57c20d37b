/* SPDX-License-Identifier: MIT */
/* bench/recovery: how soon a kept socket is reachable again after a cleaner
 * deletes its path (relink, rebind, poll detection), what a storm of
 * deletions costs clients that connect all the time, and what an idle
 * keeper costs the machine. It prints medians and percentiles with the
 * project's targets beside them. It measures; it is not a test, and it
 * exits 0 whatever the numbers are. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "json.h"
#include "log.h"
#include "macro.h"
#include "sockkeeper.h"

/* The library's defaults (src/libsockkeeper/keeper-internal.h). The bench
 * links the public API only, so it cannot read them; it reads the timer
 * the keeper actually armed from the kernel instead, and says when the two
 * disagree. */
#define LIB_REFRESH_USEC (6 * USEC_PER_HOUR)
#define LIB_BACKSTOP_USEC (1 * USEC_PER_HOUR)
/* What the original Python SockKeeper does: stat() every watch_interval
 * (60 s by default), then rebind. */
#define POLL_DEFAULT_USEC (60 * USEC_PER_SEC)

/* The targets: relink p99, failed connects in a storm, idle wakeups. */
#define TARGET_RELINK_P99_USEC (1 * USEC_PER_MSEC)
#define TARGET_STORM_FAIL_PERCENT 1.0
#define TARGET_STORM_LOST 0
#define TARGET_IDLE_WAKEUPS_PER_HOUR 2.0

#define REPLY "ok\n"
#define CLIENT_TIMEOUT_USEC (2 * USEC_PER_SEC)
#define SETTLE_USEC (200 * USEC_PER_MSEC)
#define MAX_TASKS 256
#define MAX_FDS 4096

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
        interrupted = 1;
}

/* ---- small helpers ---------------------------------------------------- */

typedef struct u64vec {
        uint64_t *v;
        size_t n, size;
} u64vec;

static int u64vec_push(u64vec *a, uint64_t x) {
        if (a->n == a->size) {
                size_t size = a->size ? a->size * 2 : 256;
                uint64_t *v = realloc(a->v, size * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                a->v = v;
                a->size = size;
        }
        a->v[a->n++] = x;
        return 0;
}

static void u64vec_done(u64vec *a) {
        free(a->v);
        *a = (u64vec) {};
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

/* A distribution summary; percentiles by nearest rank. */
typedef struct dist {
        size_t n;
        uint64_t p50, p90, p99, max, mean;
} dist;

static uint64_t nearest_rank(const uint64_t *sorted, size_t n, unsigned permille) {
        size_t rank = (n * permille + 999) / 1000;
        return sorted[rank ? rank - 1 : 0];
}

static dist dist_of(u64vec *a) {
        dist d = { .n = a->n };
        uint64_t sum = 0;

        if (!a->n)
                return d;
        qsort(a->v, a->n, sizeof(a->v[0]), cmp_u64);
        for (size_t i = 0; i < a->n; i++)
                sum += a->v[i];
        d.p50 = nearest_rank(a->v, a->n, 500);
        d.p90 = nearest_rank(a->v, a->n, 900);
        d.p99 = nearest_rank(a->v, a->n, 990);
        d.max = a->v[a->n - 1];
        d.mean = sum / a->n;
        return d;
}

static void sleep_usec(uint64_t usec) {
        struct timespec ts = {
                .tv_sec = (time_t) (usec / USEC_PER_SEC),
                .tv_nsec = (long) (usec % USEC_PER_SEC * NSEC_PER_USEC),
        };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !interrupted)
                ;
}

/* Sleeps in slices so that ^C ends a long idle window promptly. */
static void sleep_interruptible(uint64_t usec) {
        uint64_t end = now_usec(CLOCK_MONOTONIC) + usec;

        for (uint64_t now = now_usec(CLOCK_MONOTONIC); now < end && !interrupted; now = now_usec(CLOCK_MONOTONIC))
                sleep_usec(end - now < 100 * USEC_PER_MSEC ? end - now : 100 * USEC_PER_MSEC);
}

static uint64_t rng_state;

static uint64_t rng_next(void) {
        /* xorshift64*: enough to spread deletions over a poll interval. */
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return rng_state * UINT64_C(2685821657736338717);
}

/* "37 us", "4.2 ms", "59.40 s", "6 h": short enough for a table column. */
static const char *fmt_usec(char *buf, size_t size, uint64_t usec) {
        if (usec < 10 * USEC_PER_MSEC)
                snprintf(buf, size, "%" PRIu64 " us", usec);
        else if (usec < USEC_PER_SEC)
                snprintf(buf, size, "%.1f ms", (double) usec / USEC_PER_MSEC);
        else if (usec < USEC_PER_HOUR)
                snprintf(buf, size, "%.2f s", (double) usec / USEC_PER_SEC);
        else if (usec % USEC_PER_HOUR == 0)
                snprintf(buf, size, "%" PRIu64 " h", usec / USEC_PER_HOUR);
        else
                snprintf(buf, size, "%.2f h", (double) usec / USEC_PER_HOUR);
        return buf;
}

#define FMT_USEC(usec) fmt_usec((char[24]) {}, 24, (usec))

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) (flag == FTW_DP ? rmdir(path) : unlink(path));
        return 0;
}

/* Removes our own mkdtemp() tree; FTW_PHYS never follows a symlink. */
static void rm_rf(const char *dir) {
        (void) nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* "A/B" into BUF, or -ENAMETOOLONG rather than a truncated path. */
static int path_join(char *buf, size_t size, const char *a, const char *b) {
        int n = snprintf(buf, size, "%s/%s", a, b);
        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}

/* ---- reading the process from /proc ---------------------------------- */

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

static long vmrss_kb(void) {
        return status_field_kb("/proc/self/status", "VmRSS");
}

/* How busy the machine was, and how much of that was us. The rest is the
 * noise that a section's numbers were measured under. */
typedef struct cpu_meter {
        uint64_t busy, total, self;
} cpu_meter;

static cpu_meter cpu_meter_read(void) {
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
static double cpu_meter_others(const cpu_meter *a) {
        cpu_meter b = cpu_meter_read();
        uint64_t total = b.total - a->total, busy = b.busy - a->busy, self = b.self - a->self;

        if (!total || busy <= self)
                return 0;
        return 100.0 * (double) (busy - self) / (double) total;
}

/* Context switches of one thread: each wakeup from poll() is at least one
 * voluntary switch when it blocks again. */
static int64_t task_switches(pid_t tid) {
        char p[64];
        long vol, nonvol;

        if (tid <= 0)
                return -1;
        snprintf(p, sizeof(p), "/proc/self/task/%d/status", (int) tid);
        vol = status_field_kb(p, "voluntary_ctxt_switches");
        nonvol = status_field_kb(p, "nonvoluntary_ctxt_switches");
        if (vol < 0 || nonvol < 0)
                return -1;
        return (int64_t) vol + nonvol;
}

static size_t tasks_snapshot(pid_t *tids, size_t max) {
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
static pid_t new_task(const pid_t *before, size_t n_before) {
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

static void fds_snapshot(bool open_fds[MAX_FDS]) {
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

/* Finds a timerfd opened since BEFORE and reads, from the kernel, how far
 * away its next expiry is: what the keeper really armed. */
static int armed_timer(const bool before[MAX_FDS], uint64_t *ret_usec) {
        bool now[MAX_FDS];

        fds_snapshot(now);
        for (int fd = 0; fd < MAX_FDS; fd++) {
                char p[64], target[64], line[128];
                unsigned long long sec, nsec;
                ssize_t n;
                FILE *f;

                if (!now[fd] || before[fd])
                        continue;
                snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
                n = readlink(p, target, sizeof(target) - 1);
                if (n < 0)
                        continue;
                target[n] = '\0';
                if (!streq(target, "anon_inode:[timerfd]"))
                        continue;

                snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
                f = fopen(p, "re");
                if (!f)
                        continue;
                while (fgets(line, sizeof(line), f))
                        if (sscanf(line, "it_value: (%llu, %llu)", &sec, &nsec) == 2) {
                                fclose(f);
                                *ret_usec = (uint64_t) sec * USEC_PER_SEC + (uint64_t) nsec / NSEC_PER_USEC;
                                return 0;
                        }
                fclose(f);
        }
        return -ENOENT;
}

/* ---- the daemon under test: a keeper and an accept loop --------------- */

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

/* ---- keeping CPUs awake ----------------------------------------------- */

/* On a virtual machine a halted vCPU takes the hypervisor's time to wake:
 * measured here, that puts milliseconds on the tail of the keeper thread's
 * wakeups. One SCHED_IDLE spinner per CPU keeps them running without taking
 * time from any real thread, so the rows that use it show the keeper's own
 * latency. Separate processes: as threads of this one they share its task
 * group's CPU share and help much less. */
#define AWAKE_MAX 64

typedef struct awake {
        pid_t pids[AWAKE_MAX];
        size_t n;
} awake;

static void awake_start(awake *a) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);

        for (a->n = 0; a->n < (size_t) cpus && a->n < AWAKE_MAX; a->n++) {
                pid_t pid = fork();

                if (pid < 0)
                        break;
                if (pid == 0) {
                        struct sched_param p = {};
                        (void) sched_setscheduler(0, SCHED_IDLE, &p);
                        for (;;)
                                ;
                }
                a->pids[a->n] = pid;
        }
}

static void awake_stop(awake *a) {
        while (a->n > 0) {
                pid_t pid = a->pids[--a->n];
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
        }
}

static bool variant_wanted(const variant *v) {
        return !v->comparison || v->pause_usec;
}

typedef struct server {
        sk_keeper *keeper;
        char path[PATH_MAX];
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

static void record_healed(server *s) {
        uint64_t now = now_usec(CLOCK_MONOTONIC), at = atomic_exchange(&s->deleted_at, 0);

        if (at && now >= at)
                (void) u64vec_push(&s->healed, now - at);
}

static void on_event(sk_keeper *k, const sk_event *ev, void *userdata) {
        server *s = userdata;

        switch (ev->type) {
        case SK_EVENT_RELINKED:
                record_healed(s);
                s->last_usec = ev->relinked.usec;
                s->relinks++;
                break;
        case SK_EVENT_REBOUND:
                record_healed(s);
                /* The callback runs on the keeper's thread, after the new
                 * anchor was linked: the one place to read it safely. */
                pthread_mutex_lock(&s->lock);
                snprintf(s->anchor, sizeof(s->anchor), "%s", strempty(sk_keeper_get_anchor_path(k)));
                pthread_mutex_unlock(&s->lock);
                s->last_usec = ev->rebound.usec;
                s->rebinds++;
                break;
        case SK_EVENT_ERROR:
                pthread_mutex_lock(&s->lock);
                snprintf(s->last_error, sizeof(s->last_error), "%s: %s", ev->error.operation,
                         strerror(ev->error.error));
                pthread_mutex_unlock(&s->lock);
                s->errors++;
                break;
        case SK_EVENT_CONFLICT:
                s->conflicts++;
                break;
        default:
                break;
        }
}

/* An ordinary daemon: blocking accept(), one reply line per connection.
 * After a rebind accept() fails once with EINVAL and goes on. */
static void *acceptor_main(void *userdata) {
        server *s = userdata;

        while (!s->stopping) {
                int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);

                if (c < 0) {
                        if (s->stopping)
                                break;
                        if (errno == EINVAL)
                                s->accept_einval++;
                        if (errno == EINTR || errno == EINVAL || errno == ECONNABORTED || errno == EMFILE ||
                            errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                                continue;
                        break;
                }
                s->accepted++;
                (void) send(c, REPLY, strlen(REPLY), MSG_NOSIGNAL);
                close(c);
        }
        return NULL;
}

static int server_start(server *s, const char *dir, const char *name, const variant *v, bool thread_mode,
                        bool accept_loop) {
        pid_t before[MAX_TASKS];
        size_t n_before;
        int r;

        *s = (server) { .fd = -EBADF };
        pthread_mutex_init(&s->lock, NULL);
        if (path_join(s->path, sizeof(s->path), dir, name) < 0)
                return log_error_errno(ENAMETOOLONG, "%s", dir);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "mkdir %s", dir);

        r = sk_keeper_new(&s->keeper, s->path);
        if (r < 0)
                return log_error_errno(r, "sk_keeper_new %s", s->path);
        sk_keeper_set_event_callback(s->keeper, on_event, s);
        if (v) {
                r = sk_keeper_set_relink(s->keeper, v->relink);
                if (r >= 0)
                        r = sk_keeper_set_detection(s->keeper, v->detection, v->interval_usec);
                if (r < 0)
                        return log_error_errno(r, "configuring the keeper for %s", v->name);
        }
        r = sk_keeper_bind(s->keeper);
        if (r < 0)
                return log_error_errno(r, "sk_keeper_bind %s", s->path);
        s->fd = sk_keeper_get_fd(s->keeper);
        snprintf(s->anchor, sizeof(s->anchor), "%s", strempty(sk_keeper_get_anchor_path(s->keeper)));

        if (thread_mode) {
                n_before = tasks_snapshot(before, ELEMENTSOF(before));
                r = sk_keeper_start(s->keeper);
                if (r < 0)
                        return log_error_errno(r, "sk_keeper_start");
                s->keeper_tid = new_task(before, n_before);
        }
        if (accept_loop) {
                r = -pthread_create(&s->acceptor, NULL, acceptor_main, s);
                if (r < 0)
                        return log_error_errno(r, "starting the accept loop");
                s->acceptor_running = true;
        }
        return 0;
}

static void server_stop(server *s) {
        if (s->keeper)
                (void) sk_keeper_stop(s->keeper);
        if (s->acceptor_running) {
                s->stopping = true;
                (void) shutdown(s->fd, SHUT_RDWR); /* wakes the blocked accept() */
                pthread_join(s->acceptor, NULL);
                s->acceptor_running = false;
        }
        s->keeper = sk_keeper_free(s->keeper);
        pthread_mutex_destroy(&s->lock);
        u64vec_done(&s->healed);
}

static uint64_t server_heals(server *s) {
        return s->relinks + s->rebinds;
}

static void sockaddr_for(struct sockaddr_un *sa, const char *path) {
        size_t len = strnlen(path, sizeof(sa->sun_path) - 1);

        /* server_start() refused longer paths already (sk_keeper_new). */
        *sa = (struct sockaddr_un) { .sun_family = AF_UNIX };
        memcpy(sa->sun_path, path, len);
}

/* ---- options ---------------------------------------------------------- */

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

/* ---- 1. idle cost ----------------------------------------------------- */

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

typedef struct loop_poller {
        sk_keeper *keeper;
        int stop_fd;
        atomic_uint_fast64_t wakeups;
} loop_poller;

/* Event-loop mode, counted exactly: every return of poll() is a wakeup. */
static void *loop_poller_main(void *userdata) {
        loop_poller *lp = userdata;
        struct pollfd p[2] = {
                { .fd = sk_keeper_get_event_fd(lp->keeper), .events = POLLIN },
                { .fd = lp->stop_fd, .events = POLLIN },
        };

        for (;;) {
                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (p[1].revents)
                        break;
                lp->wakeups++;
                (void) sk_keeper_process(lp->keeper);
        }
        return NULL;
}

/* Creates and deletes unrelated files beside the socket, as other programs
 * in a shared /tmp do; inotify on the directory sees all of them. */
static uint64_t churn(const char *dir, unsigned n) {
        _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        uint64_t ops = 0;

        if (dfd < 0)
                return 0;
        for (unsigned i = 0; i < n; i++) {
                char name[32];
                int fd;

                snprintf(name, sizeof(name), "neighbour-%u", i);
                fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                if (fd < 0)
                        continue;
                close(fd);
                (void) unlinkat(dfd, name, 0);
                ops++;
        }
        return ops;
}

static int run_idle(const options *o, const char *base, idle_result *res) {
        char dir_thread[PATH_MAX], dir_loop[PATH_MAX];
        bool fds_before[MAX_FDS];
        server st = {}, sl = {};
        loop_poller lp = { .stop_fd = -EBADF };
        pthread_t poller;
        bool poller_running = false;
        cpu_meter cpu;
        int64_t sw0, sw1, sw2;
        uint64_t lw0, lw1, lw2, t0, observed, one = 1;
        int r;

        if (path_join(dir_thread, sizeof(dir_thread), base, "idle-thread") < 0 ||
            path_join(dir_loop, sizeof(dir_loop), base, "idle-loop") < 0)
                return log_error_errno(ENAMETOOLONG, "%s", base);

        /* First section of the run, so that the RSS delta is the keeper's
         * and not the heap left over from the storm. */
        res->rss_before_kb = vmrss_kb();
        fds_snapshot(fds_before);
        r = server_start(&st, dir_thread, "idle.sock", NULL, true, false);
        if (r < 0)
                goto out;
        sleep_usec(SETTLE_USEC);
        res->rss_thread_kb = vmrss_kb();
        res->timer_found = armed_timer(fds_before, &res->timer_remaining_usec) >= 0;

        r = server_start(&sl, dir_loop, "idle.sock", NULL, false, false);
        if (r < 0)
                goto out;
        lp.keeper = sl.keeper;
        lp.stop_fd = eventfd(0, EFD_CLOEXEC);
        if (lp.stop_fd < 0) {
                r = log_error_errno(errno, "eventfd");
                goto out;
        }
        r = -pthread_create(&poller, NULL, loop_poller_main, &lp);
        if (r < 0) {
                log_error_errno(r, "starting the event-loop poller");
                goto out;
        }
        poller_running = true;
        sleep_usec(SETTLE_USEC);
        res->rss_loop_kb = vmrss_kb();

        /* Whatever start-up stirred (our own IN_CREATE, the anchor) is over. */
        cpu = cpu_meter_read();
        sw0 = task_switches(st.keeper_tid);
        lw0 = lp.wakeups;
        t0 = now_usec(CLOCK_MONOTONIC);
        sleep_interruptible(o->idle_usec);
        sw1 = task_switches(st.keeper_tid);
        lw1 = lp.wakeups;
        res->window_usec = now_usec(CLOCK_MONOTONIC) - t0 ?: 1;
        res->others_percent = cpu_meter_others(&cpu);
        res->thread_wakeups = sw0 >= 0 && sw1 >= 0 ? sw1 - sw0 : -1;
        res->loop_wakeups = lw1 - lw0;

        res->churn_ops = churn(dir_thread, 1000);
        sleep_usec(SETTLE_USEC);
        sw2 = task_switches(st.keeper_tid);
        lw2 = lp.wakeups;
        res->churn_thread_wakeups = sw1 >= 0 && sw2 >= 0 ? sw2 - sw1 : -1;
        res->churn_loop_wakeups = lw2 - lw1; /* the loop keeper's directory saw nothing */

        /* The worse of the two modes; the event loop's count is exact. */
        observed = res->loop_wakeups;
        if (res->thread_wakeups > 0 && (uint64_t) res->thread_wakeups > observed)
                observed = (uint64_t) res->thread_wakeups;
        res->observed_per_hour = (double) observed * (double) USEC_PER_HOUR / (double) res->window_usec;
        res->timers_per_hour = (double) USEC_PER_HOUR / LIB_BACKSTOP_USEC + (double) USEC_PER_HOUR / LIB_REFRESH_USEC;
        res->total_per_hour = res->observed_per_hour + res->timers_per_hour;
        res->ran = true;
        r = 0;
out:
        if (poller_running) {
                (void) !write(lp.stop_fd, &one, sizeof(one));
                pthread_join(poller, NULL);
        }
        safe_close(lp.stop_fd);
        server_stop(&sl);
        server_stop(&st);
        return r;
}

/* ---- 2. recovery latency ---------------------------------------------- */

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

typedef struct attempts {
        uint64_t enoent, refused, other;
} attempts;

/* The default 50 us of timer slack would stretch a 20 us pause to 70;
 * returns the old value. Per thread, so the keeper's thread keeps its own. */
static int timer_slack_fine(void) {
        int old = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);

        (void) prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
        return old;
}

static void timer_slack_restore(int *old) {
        if (*old > 0)
                (void) prctl(PR_SET_TIMERSLACK, (unsigned long) *old, 0, 0, 0);
}

/* Retries socket()+connect() without pausing, as an impatient client
 * does, until one succeeds; *ret_when is taken right after it did. */
static int connect_spin(const struct sockaddr_un *sa, uint64_t deadline, uint64_t pause, attempts *a,
                        uint64_t *ret_when) {
        _unused_ _cleanup_(timer_slack_restore) int slack = pause ? timer_slack_fine() : -1;

        for (;;) {
                int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

                if (fd < 0)
                        return negative_errno();
                if (connect(fd, (const struct sockaddr *) sa, sizeof(*sa)) >= 0) {
                        *ret_when = now_usec(CLOCK_MONOTONIC);
                        close(fd);
                        return 0;
                }
                if (errno == ENOENT)
                        a->enoent++;
                else if (errno == ECONNREFUSED)
                        a->refused++;
                else
                        a->other++;
                close(fd);
                if (interrupted)
                        return -EINTR;
                if (now_usec(CLOCK_MONOTONIC) >= deadline)
                        return -ETIMEDOUT;
                if (pause)
                        sleep_usec(pause);
        }
}

static int run_latency(const options *o, const char *base, const variant *v, unsigned samples,
                       latency_result *res) {
        _cleanup_(u64vec_done) u64vec client = {}, client_rebind = {}, keeper = {}, unlink_call = {};
        uint64_t sample_timeout = v->detection == SK_DETECT_POLL ? 3 * v->interval_usec + USEC_PER_SEC
                                                                  : 5 * USEC_PER_SEC;
        cpu_meter cpu = cpu_meter_read();
        char dir[PATH_MAX], name[64];
        struct sockaddr_un sa;
        attempts a = {};
        awake aw = {};
        int64_t sw0, sw1;
        server s;
        int r;

        *res = (latency_result) { .name = v->name, .key = v->key, .requested = samples,
                                  .wakeups_per_deletion = -1 };
        snprintf(name, sizeof(name), "lat-%s", v->key);
        if (path_join(dir, sizeof(dir), base, name) < 0)
                return log_error_errno(ENAMETOOLONG, "%s", base);
        r = server_start(&s, dir, "s.sock", v, true, true);
        if (r < 0)
                goto out;
        sockaddr_for(&sa, s.path);
        if (v->cpus_awake)
                awake_start(&aw);
        sleep_usec(SETTLE_USEC / 4);

        sw0 = task_switches(s.keeper_tid);
        for (unsigned i = 0; i < samples && !interrupted; i++) {
                uint64_t heals = server_heals(&s), relinks = s.relinks, t0, t1, deadline;
                bool rebound;

                if (v->random_phase)
                        sleep_usec(rng_next() % v->interval_usec);
                if (v->delete_anchor) {
                        char anchor[PATH_MAX];

                        /* Anchor first, path right after, as a sweep of
                         * both directories would. The keeper may re-create
                         * the anchor in between; the sample then ends in a
                         * relink and is counted as one. */
                        pthread_mutex_lock(&s.lock);
                        snprintf(anchor, sizeof(anchor), "%s", s.anchor);
                        pthread_mutex_unlock(&s.lock);
                        if (anchor[0])
                                (void) unlink(anchor);
                }

                t0 = now_usec(CLOCK_MONOTONIC);
                s.deleted_at = t0;
                if (unlink(s.path) < 0) {
                        /* Not back from the previous round: do not count it. */
                        s.deleted_at = 0;
                        res->unlink_failed++;
                        sleep_usec(10 * USEC_PER_MSEC);
                        continue;
                }
                if (u64vec_push(&unlink_call, now_usec(CLOCK_MONOTONIC) - t0) < 0)
                        goto oom;
                r = connect_spin(&sa, t0 + sample_timeout, v->pause_usec, &a, &t1);
                if (r == -EINTR)
                        break;
                if (r < 0) {
                        res->timeouts++;
                        continue;
                }

                /* The client can get in before the callback ran; wait for
                 * it, so that the next round starts from a settled keeper. */
                deadline = now_usec(CLOCK_MONOTONIC) + sample_timeout;
                while (server_heals(&s) == heals && now_usec(CLOCK_MONOTONIC) < deadline && !interrupted)
                        sleep_usec(20);
                rebound = server_heals(&s) != heals && s.relinks == relinks;
                if (server_heals(&s) != heals) {
                        res->relinks += !rebound;
                        res->rebinds += rebound;
                        if (u64vec_push(&keeper, s.last_usec) < 0)
                                goto oom;
                }
                if (u64vec_push(&client, t1 - t0) < 0 || (rebound && u64vec_push(&client_rebind, t1 - t0) < 0))
                        goto oom;
                if (o->gap_usec && !v->random_phase)
                        sleep_usec(o->gap_usec);
        }
        sw1 = task_switches(s.keeper_tid);
        if (sw0 >= 0 && sw1 >= 0 && client.n)
                res->wakeups_per_deletion = (double) (sw1 - sw0) / (double) client.n;

        /* The keeper thread writes s.healed; read it only once it stopped. */
        (void) sk_keeper_stop(s.keeper);
        res->healed = dist_of(&s.healed);
        res->client = dist_of(&client);
        res->client_rebind = dist_of(&client_rebind);
        res->keeper = dist_of(&keeper);
        res->unlink_call = dist_of(&unlink_call);
        res->others_percent = cpu_meter_others(&cpu);
        res->errors = s.errors;
        res->failed_enoent = a.enoent;
        res->failed_refused = a.refused;
        res->failed_other = a.other;
        pthread_mutex_lock(&s.lock);
        snprintf(res->last_error, sizeof(res->last_error), "%s", s.last_error);
        pthread_mutex_unlock(&s.lock);
        r = 0;
        goto out;
oom:
        r = log_error_errno(ENOMEM, "recording a sample");
out:
        awake_stop(&aw);
        server_stop(&s);
        return r;
}

/* The original library's 60 s poll cannot be sampled a thousand times. A deletion
 * lands at a uniformly random point of the interval, so the wait for the
 * next stat() is U[0, T): p50 T/2, p99 0.99 T, max T; then the rebind
 * itself, whose cost was measured above. */
static void estimate_poll(uint64_t interval, uint64_t rebind_cost, latency_result *res) {
        *res = (latency_result) {
                .name = "poll 60 s, rebind (original default)",
                .key = "poll_60s_estimate",
                .estimate = true,
                .client = {
                        .n = 0,
                        .p50 = interval / 2 + rebind_cost,
                        .p90 = interval * 9 / 10 + rebind_cost,
                        .p99 = interval * 99 / 100 + rebind_cost,
                        .max = interval + rebind_cost,
                        .mean = interval / 2 + rebind_cost,
                },
                .wakeups_per_deletion = -1,
        };
        snprintf(res->note, sizeof(res->note),
                 "estimate, not measured: deletion time uniform over the %s poll interval, so the wait is "
                 "U[0, %s) (p50 = T/2, p90 = 0.9 T, p99 = 0.99 T, max = T), plus the measured rebind cost (p50) of %s",
                 FMT_USEC(interval), FMT_USEC(interval), FMT_USEC(rebind_cost));
}

/* ---- 3. deletion storm ------------------------------------------------ */

typedef struct storm_client {
        pthread_t thread;
        const struct sockaddr_un *sa;
        atomic_bool *stop;
        uint64_t pause;
        uint64_t connects, ok;
        uint64_t enoent, refused, other_fail;
        uint64_t lost_eof, lost_reset, lost_timeout, lost_other;
        uint64_t streak_start;
        u64vec streaks;          /* how long each run of failed connects lasted */
} storm_client;

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

/* 0 when the whole reply line came, -ENODATA at EOF before it. */
static int read_reply(int fd) {
        char buf[16];
        size_t got = 0;

        for (;;) {
                ssize_t n = read(fd, buf + got, sizeof(buf) - got);

                if (n > 0) {
                        got += (size_t) n;
                        if (memchr(buf, '\n', got))
                                return 0;
                        if (got == sizeof(buf))
                                return -EPROTO;
                        continue;
                }
                if (n == 0)
                        return -ENODATA;
                if (errno != EINTR)
                        return negative_errno();
        }
}

static void *storm_client_main(void *userdata) {
        storm_client *c = userdata;
        _unused_ _cleanup_(timer_slack_restore) int slack = c->pause ? timer_slack_fine() : -1;
        struct timeval tv = {
                .tv_sec = (time_t) (CLIENT_TIMEOUT_USEC / USEC_PER_SEC),
                .tv_usec = (suseconds_t) (CLIENT_TIMEOUT_USEC % USEC_PER_SEC),
        };

        while (!*c->stop && !interrupted) {
                _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                int r;

                if (fd < 0)
                        break;
                /* A connection stuck in a dead backlog must not hang us. */
                (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
                (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

                c->connects++;
                if (connect(fd, (const struct sockaddr *) c->sa, sizeof(*c->sa)) < 0) {
                        if (errno == ENOENT)
                                c->enoent++;
                        else if (errno == ECONNREFUSED)
                                c->refused++;
                        else
                                c->other_fail++;
                        if (!c->streak_start)
                                c->streak_start = now_usec(CLOCK_MONOTONIC);
                        if (c->pause)
                                sleep_usec(c->pause);
                        continue;
                }
                if (c->streak_start) {
                        (void) u64vec_push(&c->streaks, now_usec(CLOCK_MONOTONIC) - c->streak_start);
                        c->streak_start = 0;
                }

                r = read_reply(fd);
                if (r >= 0)
                        c->ok++;
                else if (r == -ENODATA)
                        c->lost_eof++;
                else if (r == -ECONNRESET)
                        c->lost_reset++;
                else if (r == -EAGAIN)
                        c->lost_timeout++;
                else
                        c->lost_other++;
        }
        return NULL;
}

static int run_storm(const options *o, const char *base, const variant *v, storm_result *res) {
        _cleanup_(u64vec_done) u64vec streaks = {};
        _cleanup_free_ storm_client *clients = NULL;
        cpu_meter cpu = cpu_meter_read();
        atomic_bool stop = false;
        struct sockaddr_un sa;
        unsigned started = 0;
        char dir[PATH_MAX], name[64];
        uint64_t start, n;
        server s;
        int r;

        *res = (storm_result) { .name = v->name, .key = v->key };
        clients = calloc(o->storm_clients, sizeof(*clients));
        if (!clients)
                return log_error_errno(ENOMEM, "allocating clients");

        snprintf(name, sizeof(name), "storm-%s", v->key);
        if (path_join(dir, sizeof(dir), base, name) < 0)
                return log_error_errno(ENAMETOOLONG, "%s", base);
        r = server_start(&s, dir, "s.sock", v, true, true);
        if (r < 0)
                goto out;
        sockaddr_for(&sa, s.path);
        sleep_usec(SETTLE_USEC / 4);

        for (; started < o->storm_clients; started++) {
                clients[started] = (storm_client) { .sa = &sa, .stop = &stop, .pause = v->pause_usec };
                r = -pthread_create(&clients[started].thread, NULL, storm_client_main, &clients[started]);
                if (r < 0) {
                        log_error_errno(r, "starting a client");
                        goto out;
                }
        }

        /* The cleaner: one unlink() every period, on an absolute schedule
         * so that a slow round does not stretch the storm. */
        start = now_usec(CLOCK_MONOTONIC);
        n = o->storm_usec / o->storm_period_usec;
        for (uint64_t i = 1; i <= n && !interrupted; i++) {
                uint64_t at = start + i * o->storm_period_usec, now = now_usec(CLOCK_MONOTONIC), prev, t;

                if (at > now)
                        sleep_usec(at - now);
                t = now_usec(CLOCK_MONOTONIC);
                prev = atomic_exchange(&s.deleted_at, t);
                if (unlink(s.path) >= 0)
                        res->deletions++;
                else {
                        /* Not healed within one period: the keeper is still
                         * on the previous deletion, which keeps its time. */
                        res->deletions_missing++;
                        (void) atomic_compare_exchange_strong(&s.deleted_at, &t, prev);
                }
        }
        sleep_usec(o->storm_period_usec); /* let the last deletion heal */
        res->duration_usec = now_usec(CLOCK_MONOTONIC) - start;
        r = 0;
out:
        stop = true;
        for (unsigned i = 0; i < started; i++) {
                storm_client *c = &clients[i];

                pthread_join(c->thread, NULL);
                res->connects += c->connects;
                res->ok += c->ok;
                res->enoent += c->enoent;
                res->refused += c->refused;
                res->other_fail += c->other_fail;
                res->lost_eof += c->lost_eof;
                res->lost_reset += c->lost_reset;
                res->lost_timeout += c->lost_timeout;
                res->lost_other += c->lost_other;
                for (size_t j = 0; j < c->streaks.n; j++)
                        (void) u64vec_push(&streaks, c->streaks.v[j]);
                u64vec_done(&c->streaks);
        }
        res->lost = res->lost_eof + res->lost_reset + res->lost_timeout + res->lost_other;
        res->fail_percent = res->connects
                                    ? 100.0 * (double) (res->enoent + res->refused + res->other_fail) / (double) res->connects
                                    : 0;
        res->outage = dist_of(&streaks);
        res->others_percent = cpu_meter_others(&cpu);
        if (s.keeper) {
                uint64_t absent = 0;

                (void) sk_keeper_stop(s.keeper); /* s.healed is the keeper thread's */
                for (size_t i = 0; i < s.healed.n; i++)
                        absent += s.healed.v[i];
                res->absent_percent = res->duration_usec ? 100.0 * (double) absent / (double) res->duration_usec : 0;
                res->healed = dist_of(&s.healed);
                res->accepted = s.accepted;
                res->accept_einval = s.accept_einval;
                res->relinks = s.relinks;
                res->rebinds = s.rebinds;
                res->errors = s.errors;
                pthread_mutex_lock(&s.lock);
                snprintf(res->last_error, sizeof(res->last_error), "%s", s.last_error);
                pthread_mutex_unlock(&s.lock);
        }
        server_stop(&s);
        return r;
}

/* ---- output ----------------------------------------------------------- */

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

static const char *verdict(bool pass) {
        return pass ? "PASS" : "MISS";
}

static const char *fs_name(long type) {
        switch ((unsigned long) type) {
        case 0xEF53:
                return "ext4";
        case 0x01021994:
                return "tmpfs";
        case 0x58465342:
                return "xfs";
        case 0x9123683E:
                return "btrfs";
        case 0x794c7630:
                return "overlayfs";
        default:
                return "other";
        }
}

/* The rows the targets are about: relink with the default settings. The
 * spec's client is the tight loop; the pausing client is the comparison. */
static bool is_relink_row(const char *key) {
        return streq(key, "relink") || streq(key, "relink_pause") || streq(key, "relink_awake");
}

static const char *client_kind(const char *key) {
        if (strstr(key, "awake"))
                return "tight loop, CPUs kept awake";
        return strstr(key, "pause") ? "pausing client" : "tight loop";
}

static target *new_target(report *rp, const char *what, const char *key) {
        target *t;

        if (rp->n_targets >= ELEMENTSOF(rp->targets))
                return NULL;
        t = &rp->targets[rp->n_targets++];
        snprintf(t->name, sizeof(t->name), "%s (%s)", what, client_kind(key));
        return t;
}

static void build_targets(report *rp) {
        target *t;

        for (size_t i = 0; i < rp->n_latency; i++) {
                latency_result *l = &rp->latency[i];

                if (!is_relink_row(l->key) || !l->client.n || !(t = new_target(rp, "relink p99", l->key)))
                        continue;
                snprintf(t->value, sizeof(t->value), "%s", FMT_USEC(l->client.p99));
                snprintf(t->limit, sizeof(t->limit), "<= %s", FMT_USEC(TARGET_RELINK_P99_USEC));
                t->pass = l->client.p99 <= TARGET_RELINK_P99_USEC;
        }
        for (size_t i = 0; i < rp->n_storm; i++) {
                storm_result *s = &rp->storm[i];

                if (!is_relink_row(s->key) || !s->connects)
                        continue;
                t = new_target(rp, "storm, relink: connects failed", s->key);
                if (t) {
                        snprintf(t->value, sizeof(t->value), "%.3f%%", s->fail_percent);
                        snprintf(t->limit, sizeof(t->limit), "< %.0f%%", TARGET_STORM_FAIL_PERCENT);
                        t->pass = s->fail_percent < TARGET_STORM_FAIL_PERCENT;
                }
                t = new_target(rp, "storm, relink: lost after accept", s->key);
                if (t) {
                        snprintf(t->value, sizeof(t->value), "%" PRIu64, s->lost);
                        snprintf(t->limit, sizeof(t->limit), "= %d", TARGET_STORM_LOST);
                        t->pass = s->lost == TARGET_STORM_LOST;
                }
        }
        if (rp->idle.ran && rp->n_targets < ELEMENTSOF(rp->targets)) {
                t = &rp->targets[rp->n_targets++];
                snprintf(t->name, sizeof(t->name), "idle wakeups/hour (default settings)");
                snprintf(t->value, sizeof(t->value), "%.2f", rp->idle.total_per_hour);
                snprintf(t->limit, sizeof(t->limit), "<= %.0f", TARGET_IDLE_WAKEUPS_PER_HOUR);
                t->pass = rp->idle.total_per_hour <= TARGET_IDLE_WAKEUPS_PER_HOUR;
        }
}

static void print_human(const report *rp) {
        const options *o = &rp->opts;

        printf("bench/recovery: %ld CPUs, kernel %s, sockets on %s (%s)\n", rp->cpus, rp->kernel, o->dir, rp->fs);
        printf("Times are CLOCK_MONOTONIC; percentiles are nearest-rank. The machine is shared: compare rows of one run.\n");

        if (rp->idle.ran) {
                const idle_result *r = &rp->idle;

                printf("\nIdle cost, default settings (inotify, relink on, refresh %s, backstop check %s); %s window,\n"
                       "other processes used %.0f%% of the CPUs meanwhile\n",
                       FMT_USEC(LIB_REFRESH_USEC), FMT_USEC(LIB_BACKSTOP_USEC), FMT_USEC(r->window_usec),
                       r->others_percent);
                printf("  VmRSS before any keeper             %6ld kB\n", r->rss_before_kb);
                printf("  VmRSS with a thread-mode keeper     %6ld kB  (%+ld kB: keeper, its thread's stack pages)\n",
                       r->rss_thread_kb, r->rss_thread_kb - r->rss_before_kb);
                printf("  VmRSS plus an event-loop keeper     %6ld kB  (%+ld kB)\n", r->rss_loop_kb,
                       r->rss_loop_kb - r->rss_thread_kb);
                if (r->thread_wakeups >= 0)
                        printf("  wakeups of the keeper thread        %6" PRId64 "  (voluntary + involuntary context switches of its TID)\n",
                               r->thread_wakeups);
                else
                        printf("  wakeups of the keeper thread           n/a (its TID was not found)\n");
                printf("  wakeups of the event-loop keeper    %6" PRIu64 "  (returns of poll() on sk_keeper_get_event_fd())\n",
                       r->loop_wakeups);
                if (r->timer_found)
                        printf("  timer armed by the keeper           next expiry in %.0f s, from /proc/self/fdinfo (expected %.0f s: the backstop)%s\n",
                               (double) r->timer_remaining_usec / USEC_PER_SEC, (double) LIB_BACKSTOP_USEC / USEC_PER_SEC,
                               r->timer_remaining_usec > LIB_BACKSTOP_USEC ||
                                               r->timer_remaining_usec + 10 * USEC_PER_SEC < LIB_BACKSTOP_USEC
                                       ? "  MISMATCH"
                                       : "");
                else
                        printf("  timer armed by the keeper           not found in /proc/self/fd\n");
                printf("  A %s window cannot see an hourly timer, so the rate adds the configured timers:\n",
                       FMT_USEC(r->window_usec));
                printf("    observed %.2f/h (extrapolated) + backstop %.2f/h + refresh %.2f/h = %.2f/h   [target <= %.0f/h] %s\n",
                       r->observed_per_hour, (double) USEC_PER_HOUR / LIB_BACKSTOP_USEC,
                       (double) USEC_PER_HOUR / LIB_REFRESH_USEC, r->total_per_hour, TARGET_IDLE_WAKEUPS_PER_HOUR,
                       verdict(r->total_per_hour <= TARGET_IDLE_WAKEUPS_PER_HOUR));
                printf("  Not idle: %" PRIu64 " unrelated create+delete pairs in the socket's directory woke the thread %" PRId64
                       " times\n    (inotify watches the whole directory; in a busy /tmp this, not the timers, is the idle cost)\n",
                       r->churn_ops, r->churn_thread_wakeups);
        }

        if (rp->n_latency) {
                printf("\nRecovery latency: unlink() of the path -> first successful connect() by a client that retries in a\n"
                       "tight socket()+connect() loop (the spec's client), or sleeps between tries where the row says so\n");
                printf("  %-27s %5s %9s %9s %9s %9s | %-19s %-8s %-7s %s\n", "variant", "n", "p50", "p90", "p99",
                       "max", "path back p50/p99", "heal()", "relink/", "keeper wakeups/");
                printf("  %-27s %5s %9s %9s %9s %9s | %-19s %-8s %-7s %s\n", "", "", "", "", "", "",
                       "(unlink->callback)", "p50", "rebind", "deletion, others' CPU");
                for (size_t i = 0; i < rp->n_latency; i++) {
                        const latency_result *l = &rp->latency[i];
                        char n[16], kind[32], back[40], heal[16], wake[32];

                        if (l->estimate) {
                                snprintf(n, sizeof(n), "est.");
                                snprintf(kind, sizeof(kind), "-");
                        } else {
                                snprintf(n, sizeof(n), "%zu", l->client.n);
                                snprintf(kind, sizeof(kind), "%" PRIu64 "/%" PRIu64, l->relinks, l->rebinds);
                        }
                        if (l->healed.n)
                                snprintf(back, sizeof(back), "%s / %s", FMT_USEC(l->healed.p50), FMT_USEC(l->healed.p99));
                        else
                                snprintf(back, sizeof(back), "-");
                        snprintf(heal, sizeof(heal), "%s", l->keeper.n ? FMT_USEC(l->keeper.p50) : "-");
                        if (l->wakeups_per_deletion >= 0)
                                snprintf(wake, sizeof(wake), "%.2f, %.0f%%", l->wakeups_per_deletion, l->others_percent);
                        else
                                snprintf(wake, sizeof(wake), "-");
                        printf("  %-27s %5s %9s %9s %9s %9s | %-19s %-8s %-7s %s", l->name, n, FMT_USEC(l->client.p50),
                               FMT_USEC(l->client.p90), FMT_USEC(l->client.p99), FMT_USEC(l->client.max), back, heal,
                               kind, wake);
                        if (is_relink_row(l->key) && l->client.n)
                                printf("   [p99 <= %s] %s", FMT_USEC(TARGET_RELINK_P99_USEC),
                                       verdict(l->client.p99 <= TARGET_RELINK_P99_USEC));
                        printf("\n");
                        if (l->client_rebind.n && l->client_rebind.n != l->client.n)
                                printf("  %-27s %5zu %9s %9s %9s %9s |\n", "  of which ended in rebind", l->client_rebind.n,
                                       FMT_USEC(l->client_rebind.p50), FMT_USEC(l->client_rebind.p90),
                                       FMT_USEC(l->client_rebind.p99), FMT_USEC(l->client_rebind.max));
                }
                for (size_t i = 0; i < rp->n_latency; i++) {
                        const latency_result *l = &rp->latency[i];

                        if (l->note[0])
                                printf("  * %s: %s\n", l->name, l->note);
                        if (!l->estimate && l->client.n < l->requested)
                                printf("  * %s: %zu of %u samples (%" PRIu64 " timed out, %" PRIu64 " unlink() found no path)\n",
                                       l->name, l->client.n, l->requested, l->timeouts, l->unlink_failed);
                        if (!l->estimate && l->unlink_call.n)
                                printf("  * %s: the cleaner's unlink() itself took p50 %s, p99 %s, max %s (counted in the latency)\n",
                                       l->name, FMT_USEC(l->unlink_call.p50), FMT_USEC(l->unlink_call.p99),
                                       FMT_USEC(l->unlink_call.max));
                        if (!l->estimate && (l->failed_other || l->errors))
                                printf("  * %s: %" PRIu64 " connect() failures other than ENOENT/ECONNREFUSED; keeper errors %" PRIu64 "%s%s\n",
                                       l->name, l->failed_other, l->errors, l->last_error[0] ? ", last: " : "", l->last_error);
                }
        }

        if (rp->n_storm) {
                printf("\nDeletion storm: %u clients connect -> read one line -> close in a closed loop (a failed connect is\n"
                       "retried at once, or after a pause where the row says so); the path is unlinked every %s for %s\n",
                       o->storm_clients, FMT_USEC(o->storm_period_usec), FMT_USEC(o->storm_usec));
                for (size_t i = 0; i < rp->n_storm; i++) {
                        const storm_result *s = &rp->storm[i];
                        bool is_relink = is_relink_row(s->key);

                        printf("  %s\n", s->name);
                        printf("    deletions %" PRIu64 " (+%" PRIu64 " found the path still missing), keeper: %" PRIu64
                               " relinks, %" PRIu64 " rebinds, %" PRIu64 " errors%s%s\n",
                               s->deletions, s->deletions_missing, s->relinks, s->rebinds, s->errors,
                               s->last_error[0] ? ", last: " : "", s->last_error);
                        printf("    connects  %" PRIu64 ", replied %" PRIu64 ", server accepted %" PRIu64
                               ", accept() EINVAL wakeups %" PRIu64 "\n",
                               s->connects, s->ok, s->accepted, s->accept_einval);
                        printf("    failed    %.3f%% of connects: %" PRIu64 " ENOENT, %" PRIu64 " ECONNREFUSED, %" PRIu64
                               " other; %.1f per deletion",
                               s->fail_percent, s->enoent, s->refused, s->other_fail,
                               s->deletions ? (double) (s->enoent + s->refused + s->other_fail) / (double) s->deletions : 0.0);
                        if (is_relink)
                                printf("   [target < %.0f%%] %s", TARGET_STORM_FAIL_PERCENT,
                                       verdict(s->fail_percent < TARGET_STORM_FAIL_PERCENT));
                        printf("\n");
                        printf("    lost after accept %" PRIu64 ": %" PRIu64 " EOF, %" PRIu64 " ECONNRESET, %" PRIu64
                               " timeout, %" PRIu64 " other",
                               s->lost, s->lost_eof, s->lost_reset, s->lost_timeout, s->lost_other);
                        if (is_relink)
                                printf("   [target = %d] %s", TARGET_STORM_LOST, verdict(s->lost == TARGET_STORM_LOST));
                        printf("\n");
                        if (s->healed.n)
                                printf("    path back (unlink -> keeper callback): p50 %s, p90 %s, p99 %s, max %s; "
                                       "the path was missing %.2f%% of the time\n",
                                       FMT_USEC(s->healed.p50), FMT_USEC(s->healed.p90), FMT_USEC(s->healed.p99),
                                       FMT_USEC(s->healed.max), s->absent_percent);
                        if (s->outage.n)
                                printf("    outages seen by a client (first failed connect -> next success): %zu, p50 %s, p99 %s, max %s\n",
                                       s->outage.n, FMT_USEC(s->outage.p50), FMT_USEC(s->outage.p99),
                                       FMT_USEC(s->outage.max));
                        printf("    other processes used %.0f%% of the CPUs meanwhile\n", s->others_percent);
                }
        }

        if (rp->n_targets) {
                printf("\nTargets\n");
                for (size_t i = 0; i < rp->n_targets; i++)
                        printf("  %-52s %10s  %-10s %s\n", rp->targets[i].name, rp->targets[i].value,
                               rp->targets[i].limit, verdict(rp->targets[i].pass));
        }
        printf("\nTotal run time %s\n", FMT_USEC(rp->elapsed_usec));
}

/* A small JSON writer: enough for numbers, strings and nesting. */
/* Keyed values on the shared JSON writer (src/shared/json.c). */
static void put_key(json_writer *w, const char *key) {
        if (key)
                json_key(w, key);
}

static void put_open(json_writer *w, const char *key, char bracket) {
        put_key(w, key);
        if (bracket == '{')
                json_begin_object(w);
        else
                json_begin_array(w);
}

static void put_close(json_writer *w, char bracket) {
        if (bracket == '}')
                json_end_object(w);
        else
                json_end_array(w);
}

static void put_dist(json_writer *j, const char *key, const dist *d) {
        put_open(j, key, '{');
        json_pair_uint(j, "n", d->n);
        json_pair_uint(j, "p50_us", d->p50);
        json_pair_uint(j, "p90_us", d->p90);
        json_pair_uint(j, "p99_us", d->p99);
        json_pair_uint(j, "max_us", d->max);
        json_pair_uint(j, "mean_us", d->mean);
        put_close(j, '}');
}

static void print_json(const report *rp) {
        const options *o = &rp->opts;
        json_writer j;

        json_init(&j, stdout, true);

        put_open(&j, NULL, '{');
        json_pair_string(&j, "benchmark", "recovery");
        json_pair_string(&j, "kernel", rp->kernel);
        json_pair_int(&j, "cpus", rp->cpus);
        json_pair_string(&j, "dir", o->dir);
        json_pair_string(&j, "filesystem", rp->fs);
        json_pair_uint(&j, "elapsed_us", rp->elapsed_usec);

        put_open(&j, "settings", '{');
        json_pair_uint(&j, "samples", o->samples);
        json_pair_uint(&j, "gap_us", o->gap_usec);
        json_pair_uint(&j, "poll_samples", o->poll_samples);
        json_pair_uint(&j, "poll_interval_us", o->poll_interval_usec);
        json_pair_uint(&j, "storm_us", o->storm_usec);
        json_pair_uint(&j, "storm_period_us", o->storm_period_usec);
        json_pair_uint(&j, "storm_clients", o->storm_clients);
        json_pair_uint(&j, "idle_us", o->idle_usec);
        json_pair_uint(&j, "pause_us", o->pause_usec);
        put_close(&j, '}');

        if (rp->idle.ran) {
                const idle_result *r = &rp->idle;

                put_open(&j, "idle", '{');
                json_pair_int(&j, "rss_before_kb", r->rss_before_kb);
                json_pair_int(&j, "rss_thread_keeper_kb", r->rss_thread_kb);
                json_pair_int(&j, "rss_plus_loop_keeper_kb", r->rss_loop_kb);
                json_pair_uint(&j, "window_us", r->window_usec);
                json_pair_int(&j, "thread_wakeups", r->thread_wakeups);
                json_pair_uint(&j, "loop_wakeups", r->loop_wakeups);
                if (r->timer_found)
                        json_pair_uint(&j, "armed_timer_remaining_us", r->timer_remaining_usec);
                json_pair_uint(&j, "configured_refresh_us", LIB_REFRESH_USEC);
                json_pair_uint(&j, "configured_backstop_us", LIB_BACKSTOP_USEC);
                json_pair_double(&j, "observed_per_hour", r->observed_per_hour);
                json_pair_double(&j, "timers_per_hour", r->timers_per_hour);
                json_pair_double(&j, "wakeups_per_hour", r->total_per_hour);
                json_pair_double(&j, "others_cpu_percent", r->others_percent);
                json_pair_uint(&j, "churn_ops", r->churn_ops);
                json_pair_int(&j, "churn_thread_wakeups", r->churn_thread_wakeups);
                put_close(&j, '}');
        }

        put_open(&j, "latency", '[');
        for (size_t i = 0; i < rp->n_latency; i++) {
                const latency_result *l = &rp->latency[i];

                put_open(&j, NULL, '{');
                json_pair_string(&j, "name", l->name);
                json_pair_string(&j, "key", l->key);
                json_pair_bool(&j, "estimate", l->estimate);
                if (l->note[0])
                        json_pair_string(&j, "note", l->note);
                put_dist(&j, "client", &l->client);
                if (!l->estimate) {
                        put_dist(&j, "client_rebind_only", &l->client_rebind);
                        put_dist(&j, "path_back", &l->healed);
                        put_dist(&j, "unlink_call", &l->unlink_call);
                        json_pair_double(&j, "others_cpu_percent", l->others_percent);
                        put_dist(&j, "keeper_reported", &l->keeper);
                        json_pair_uint(&j, "requested", l->requested);
                        json_pair_uint(&j, "relinks", l->relinks);
                        json_pair_uint(&j, "rebinds", l->rebinds);
                        json_pair_uint(&j, "timeouts", l->timeouts);
                        json_pair_uint(&j, "keeper_errors", l->errors);
                        json_pair_uint(&j, "failed_enoent", l->failed_enoent);
                        json_pair_uint(&j, "failed_econnrefused", l->failed_refused);
                        json_pair_uint(&j, "failed_other", l->failed_other);
                        if (l->wakeups_per_deletion >= 0)
                                json_pair_double(&j, "keeper_wakeups_per_deletion", l->wakeups_per_deletion);
                }
                put_close(&j, '}');
        }
        put_close(&j, ']');

        put_open(&j, "storm", '[');
        for (size_t i = 0; i < rp->n_storm; i++) {
                const storm_result *s = &rp->storm[i];

                put_open(&j, NULL, '{');
                json_pair_string(&j, "name", s->name);
                json_pair_string(&j, "key", s->key);
                json_pair_uint(&j, "duration_us", s->duration_usec);
                json_pair_uint(&j, "deletions", s->deletions);
                json_pair_uint(&j, "deletions_path_missing", s->deletions_missing);
                json_pair_uint(&j, "connects", s->connects);
                json_pair_uint(&j, "replied", s->ok);
                json_pair_uint(&j, "failed_enoent", s->enoent);
                json_pair_uint(&j, "failed_econnrefused", s->refused);
                json_pair_uint(&j, "failed_other", s->other_fail);
                json_pair_double(&j, "failed_percent", s->fail_percent);
                json_pair_uint(&j, "lost", s->lost);
                json_pair_uint(&j, "lost_eof", s->lost_eof);
                json_pair_uint(&j, "lost_econnreset", s->lost_reset);
                json_pair_uint(&j, "lost_timeout", s->lost_timeout);
                json_pair_uint(&j, "lost_other", s->lost_other);
                json_pair_uint(&j, "server_accepted", s->accepted);
                json_pair_uint(&j, "accept_einval", s->accept_einval);
                json_pair_uint(&j, "relinks", s->relinks);
                json_pair_uint(&j, "rebinds", s->rebinds);
                json_pair_uint(&j, "keeper_errors", s->errors);
                put_dist(&j, "client_outage", &s->outage);
                put_dist(&j, "path_back", &s->healed);
                json_pair_double(&j, "path_missing_percent", s->absent_percent);
                json_pair_double(&j, "others_cpu_percent", s->others_percent);
                put_close(&j, '}');
        }
        put_close(&j, ']');

        put_open(&j, "targets", '[');
        for (size_t i = 0; i < rp->n_targets; i++) {
                put_open(&j, NULL, '{');
                json_pair_string(&j, "name", rp->targets[i].name);
                json_pair_string(&j, "value", rp->targets[i].value);
                json_pair_string(&j, "limit", rp->targets[i].limit);
                json_pair_bool(&j, "pass", rp->targets[i].pass);
                put_close(&j, '}');
        }
        put_close(&j, ']');
        put_close(&j, '}');
        json_finish(&j);
}

/* ---- main ------------------------------------------------------------- */

static int help(void) {
        printf("Usage: recovery [OPTIONS]\n"
               "\n"
               "Measures how soon a socket kept by libsockkeeper is reachable again after its\n"
               "path is deleted, what a deletion storm costs its clients, and what an idle keeper\n"
               "costs. Prints numbers and PASS/MISS against the targets; always exits 0.\n"
               "\n"
               "  --samples N           deletions per latency variant (default 1000)\n"
               "  --gap-us N            pause between deletions (default 2000)\n"
               "  --poll-samples N      deletions for the poll-mode variant (default 20)\n"
               "  --poll-interval-ms N  poll interval of that variant (default 1000)\n"
               "  --storm-seconds N     length of each storm (default 10)\n"
               "  --storm-period-ms N   one deletion every N ms during a storm (default 10)\n"
               "  --storm-clients N     client threads in a storm (default 2)\n"
               "  --idle-seconds N      idle window (default 30)\n"
               "  --pause-us N          the comparison rows' clients sleep N us after a failed\n"
               "                        connect() (default 20; 0 leaves those rows out)\n"
               "  --long                10000 samples, 100 poll samples, 60 s storms, 600 s idle\n"
               "  --only LIST           comma-separated sections: idle,latency,poll,storm\n"
               "  --dir DIR             where the sockets live (default /tmp)\n"
               "  --json                print one JSON object instead of the report\n"
               "  -h --help             show this help\n");
        return 0;
}

static int parse_uint(const char *s, const char *what, uint64_t min, uint64_t max, uint64_t *ret) {
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
                log_error("invalid %s: %s (expected %" PRIu64 "..%" PRIu64 ")", what, s, min, max);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

static int parse_only(options *o, const char *list) {
        _cleanup_free_ char *copy = strdup(list);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        o->run_idle = o->run_latency = o->run_poll = o->run_storm = false;
        for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                if (streq(w, "idle"))
                        o->run_idle = true;
                else if (streq(w, "latency"))
                        o->run_latency = true;
                else if (streq(w, "poll"))
                        o->run_poll = true;
                else if (streq(w, "storm"))
                        o->run_storm = true;
                else {
                        log_error("unknown section '%s' (idle, latency, poll, storm)", w);
                        return -EINVAL;
                }
        }
        return 0;
}

static int parse_args(int argc, char *argv[], options *o) {
        enum {
                ARG_SAMPLES = 0x100,
                ARG_GAP,
                ARG_POLL_SAMPLES,
                ARG_POLL_INTERVAL,
                ARG_STORM_SECONDS,
                ARG_STORM_PERIOD,
                ARG_STORM_CLIENTS,
                ARG_IDLE_SECONDS,
                ARG_PAUSE,
                ARG_LONG,
                ARG_ONLY,
                ARG_DIR,
                ARG_JSON,
        };
        static const struct option long_options[] = {
                { "samples", required_argument, NULL, ARG_SAMPLES },
                { "gap-us", required_argument, NULL, ARG_GAP },
                { "poll-samples", required_argument, NULL, ARG_POLL_SAMPLES },
                { "poll-interval-ms", required_argument, NULL, ARG_POLL_INTERVAL },
                { "storm-seconds", required_argument, NULL, ARG_STORM_SECONDS },
                { "storm-period-ms", required_argument, NULL, ARG_STORM_PERIOD },
                { "storm-clients", required_argument, NULL, ARG_STORM_CLIENTS },
                { "idle-seconds", required_argument, NULL, ARG_IDLE_SECONDS },
                { "pause-us", required_argument, NULL, ARG_PAUSE },
                { "long", no_argument, NULL, ARG_LONG },
                { "only", required_argument, NULL, ARG_ONLY },
                { "dir", required_argument, NULL, ARG_DIR },
                { "json", no_argument, NULL, ARG_JSON },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        uint64_t v;
        int c, r = 0;

        while ((c = getopt_long(argc, argv, "h", long_options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        exit(0);
                case ARG_SAMPLES:
                        r = parse_uint(optarg, "--samples", 1, 10000000, &v);
                        o->samples = (unsigned) v;
                        break;
                case ARG_GAP:
                        r = parse_uint(optarg, "--gap-us", 0, 10 * USEC_PER_SEC, &o->gap_usec);
                        break;
                case ARG_POLL_SAMPLES:
                        r = parse_uint(optarg, "--poll-samples", 0, 100000, &v);
                        o->poll_samples = (unsigned) v;
                        break;
                case ARG_POLL_INTERVAL:
                        r = parse_uint(optarg, "--poll-interval-ms", 1, 3600 * 1000, &v);
                        o->poll_interval_usec = v * USEC_PER_MSEC;
                        break;
                case ARG_STORM_SECONDS:
                        r = parse_uint(optarg, "--storm-seconds", 0, 86400, &v);
                        o->storm_usec = v * USEC_PER_SEC;
                        break;
                case ARG_STORM_PERIOD:
                        r = parse_uint(optarg, "--storm-period-ms", 1, 60000, &v);
                        o->storm_period_usec = v * USEC_PER_MSEC;
                        break;
                case ARG_STORM_CLIENTS:
                        r = parse_uint(optarg, "--storm-clients", 1, 64, &v);
                        o->storm_clients = (unsigned) v;
                        break;
                case ARG_IDLE_SECONDS:
                        r = parse_uint(optarg, "--idle-seconds", 1, 86400, &v);
                        o->idle_usec = v * USEC_PER_SEC;
                        break;
                case ARG_PAUSE:
                        r = parse_uint(optarg, "--pause-us", 0, USEC_PER_SEC, &o->pause_usec);
                        break;
                case ARG_LONG:
                        o->samples = 10000;
                        o->poll_samples = 100;
                        o->storm_usec = 60 * USEC_PER_SEC;
                        o->idle_usec = 600 * USEC_PER_SEC;
                        break;
                case ARG_ONLY:
                        r = parse_only(o, optarg);
                        break;
                case ARG_DIR:
                        o->dir = optarg;
                        break;
                case ARG_JSON:
                        o->json = true;
                        break;
                default:
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return -EINVAL;
        }
        return 0;
}

int main(int argc, char *argv[]) {
        variant relink = {
                .name = "relink (inotify, default)", .key = "relink",
                .relink = true, .detection = SK_DETECT_INOTIFY,
        };
        variant relink_pause = {
                .key = "relink_pause", .comparison = true,
                .relink = true, .detection = SK_DETECT_INOTIFY,
        };
        variant relink_awake = {
                .name = "relink, CPUs kept awake", .key = "relink_awake",
                .relink = true, .detection = SK_DETECT_INOTIFY, .cpus_awake = true,
        };
        variant rebind_anchor = {
                .name = "rebind (anchor deleted)", .key = "rebind_anchor_deleted",
                .relink = true, .delete_anchor = true, .detection = SK_DETECT_INOTIFY,
        };
        variant rebind_only = {
                .name = "rebind (relink off)", .key = "rebind_relink_off",
                .relink = false, .detection = SK_DETECT_INOTIFY,
        };
        variant rebind_pause = {
                .key = "rebind_relink_off_pause", .comparison = true,
                .relink = false, .detection = SK_DETECT_INOTIFY,
        };
        variant poll_1s = {
                .key = "poll", .relink = false, .detection = SK_DETECT_POLL, .random_phase = true,
        };
        char relink_pause_name[64], rebind_pause_name[64];
        _cleanup_free_ report *rp = NULL;
        struct sigaction sa = { .sa_handler = on_signal };
        char base[PATH_MAX], poll_name[64];
        uint64_t start = now_usec(CLOCK_MONOTONIC), rebind_cost = 0;
        struct utsname u;
        struct statfs sfs;
        options *o;

        log_set_program("bench/recovery");
        rp = calloc(1, sizeof(*rp));
        if (!rp)
                return log_error_errno(ENOMEM, "allocating the report"), 1;
        o = &rp->opts;
        *o = (options) {
                .samples = 1000,
                .gap_usec = 2 * USEC_PER_MSEC,
                .poll_samples = 20,
                .poll_interval_usec = USEC_PER_SEC,
                .storm_usec = 10 * USEC_PER_SEC,
                .storm_period_usec = 10 * USEC_PER_MSEC,
                .storm_clients = 2,
                .idle_usec = 30 * USEC_PER_SEC,
                .pause_usec = 20,
                .dir = "/tmp",
                .run_idle = true, .run_latency = true, .run_poll = true, .run_storm = true,
        };
        if (parse_args(argc, argv, o) < 0)
                return 64;

        /* No SA_RESTART: a blocked call returns and the run ends cleanly. */
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        rng_state = now_usec(CLOCK_MONOTONIC) ^ ((uint64_t) getpid() << 32) ^ UINT64_C(0x9e3779b97f4a7c15);

        rp->cpus = sysconf(_SC_NPROCESSORS_ONLN);
        snprintf(rp->kernel, sizeof(rp->kernel), "%s", uname(&u) >= 0 ? u.release : "?");
        snprintf(rp->fs, sizeof(rp->fs), "%s", statfs(o->dir, &sfs) >= 0 ? fs_name((long) sfs.f_type) : "?");

        snprintf(base, sizeof(base), "%s/sockkeeper-bench-XXXXXX", o->dir);
        if (!mkdtemp(base))
                return log_error_errno(errno, "mkdtemp in %s", o->dir), 1;

        if (o->run_idle && !interrupted)
                (void) run_idle(o, base, &rp->idle);

        snprintf(relink_pause_name, sizeof(relink_pause_name), "relink, client pauses %s", FMT_USEC(o->pause_usec));
        snprintf(rebind_pause_name, sizeof(rebind_pause_name), "rebind, client pauses %s", FMT_USEC(o->pause_usec));
        relink_pause.name = relink_pause_name;
        relink_pause.pause_usec = o->pause_usec;
        rebind_pause.name = rebind_pause_name;
        rebind_pause.pause_usec = o->pause_usec;

        if (o->run_latency && !interrupted) {
                const variant *vs[] = { &relink, &relink_pause, &relink_awake, &rebind_anchor, &rebind_only,
                                        &rebind_pause };

                for (size_t i = 0; i < ELEMENTSOF(vs) && !interrupted; i++)
                        if (variant_wanted(vs[i]) && run_latency(o, base, vs[i], o->samples, &rp->latency[rp->n_latency]) >= 0)
                                rp->n_latency++;
                for (size_t i = 0; i < rp->n_latency; i++) {
                        latency_result *l = &rp->latency[i];

                        if (streq(l->key, "rebind_relink_off"))
                                rebind_cost = l->client.p50;
                        if (streq(l->key, "relink_awake"))
                                snprintf(l->note, sizeof(l->note),
                                         "the tight-loop client again, with one SCHED_IDLE spinner process per CPU "
                                         "so that no vCPU halts (they are the others' CPU of this row): what is left "
                                         "is the keeper's own latency, without the hypervisor's time to wake a "
                                         "halted vCPU");
                        if (streq(l->key, "rebind_anchor_deleted"))
                                snprintf(l->note, sizeof(l->note),
                                         "the cleaner unlinks the anchor, then the path, back to back; in %" PRIu64
                                         " of %zu deletions the keeper re-created the anchor in between and relinked, "
                                         "so the row is what clients see, the sub-row the rebinds alone",
                                         l->relinks, l->client.n);
                }
        }

        if (o->run_poll && o->poll_samples && !interrupted) {
                latency_result *l = &rp->latency[rp->n_latency];

                snprintf(poll_name, sizeof(poll_name), "poll %s, rebind", FMT_USEC(o->poll_interval_usec));
                poll_1s.name = poll_name;
                poll_1s.interval_usec = o->poll_interval_usec;
                if (run_latency(o, base, &poll_1s, o->poll_samples, l) >= 0) {
                        rp->n_latency++;
                        snprintf(l->note, sizeof(l->note),
                                 "only %u samples (each waits for the next poll), deleted at a uniformly random "
                                 "point of the interval; model U[0, T) predicts p50 %s, p99 %s",
                                 o->poll_samples, FMT_USEC(o->poll_interval_usec / 2 + rebind_cost),
                                 FMT_USEC(o->poll_interval_usec * 99 / 100 + rebind_cost));
                }
                if (!rebind_cost && l->keeper.n)
                        rebind_cost = l->keeper.p50;
                estimate_poll(POLL_DEFAULT_USEC, rebind_cost, &rp->latency[rp->n_latency++]);
        }

        if (o->run_storm && o->storm_usec && !interrupted) {
                const variant *vs[] = { &relink, &relink_pause, &rebind_only, &rebind_pause };

                for (size_t i = 0; i < ELEMENTSOF(vs) && !interrupted; i++)
                        if (variant_wanted(vs[i]) && run_storm(o, base, vs[i], &rp->storm[rp->n_storm]) >= 0)
                                rp->n_storm++;
        }

        rm_rf(base);
        rp->elapsed_usec = now_usec(CLOCK_MONOTONIC) - start;
        build_targets(rp);
        if (o->json)
                print_json(rp);
        else
                print_human(rp);
        if (interrupted)
                log_error("interrupted; the numbers above are partial");
        return 0;
}
