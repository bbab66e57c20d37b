/* SPDX-License-Identifier: MIT */
/* bench/guard, one size: a child holds N sockets in its scope, a real
 * `sockkeeper guard --auto` is started over it as systemd would (soft
 * RLIMIT_NOFILE 1024, its own STATE_DIRECTORY), its stderr is read by a
 * thread as it comes, and it is measured from /proc: start-up, memory,
 * fds, inotify watches, wakeups and CPU while idle, discovery of a socket
 * bound later, and unlink-to-connect latency. Then a second guard, with
 * discovery hourly, separates the idle cost from discovery's. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard-bench.h"
#include "log.h"
#include "path-util.h"

#define DEFAULT_DISCOVER_USEC (10 * USEC_PER_SEC)       /* the guard's default */
#define QUIET_DISCOVER "1h"
#define SETTLE_AFTER_START_USEC (500 * USEC_PER_MSEC)
#define SAMPLE_TIMEOUT_USEC (5 * USEC_PER_SEC)
#define STOP_TIMEOUT_USEC (30 * USEC_PER_SEC)

/* Every other socket in a directory of its own (as tmux-UID/ and
 * ssh-XXXX/ are), the others 100 to a shared directory (as .X11-unix). */
static void scoped_path(unsigned i, char *buf, size_t size, const void *userdata) {
        const char *scope = userdata;

        if (i % 2 == 0)
                snprintf(buf, size, "%s/own%u/s.sock", scope, i / 2);
        else
                snprintf(buf, size, "%s/shared%u/s%u.sock", scope, i / 200, i);
}

unsigned dirs_of(unsigned n) {
        return (n + 1) / 2 + (n / 2 + 99) / 100;
}

void unrelated_path(unsigned i, char *buf, size_t size, const void *userdata) {
        snprintf(buf, size, "%s/s%u.sock", (const char *) userdata, i);
}

/* ---- the guard's log ------------------------------------------------ */

static void log_line(guard_log *l, const char *line, uint64_t now) {
        const char *p;

        if (strstr(line, "[action=attached"))
                l->attached++;
        else if (strstr(line, "[action=discovered")) {
                l->discovered++;
                p = l->want[0] ? strstr(line, l->want) : NULL;
                if (p && p[strlen(l->want)] == ':')
                        l->want_at = now;
        } else if (strstr(line, "[action=relinked")) {
                uint64_t usec;

                l->relinked++;
                p = strstr(line, " after ");
                if (p && sscanf(p, " after %" SCNu64 " us", &usec) == 1)
                        (void) u64vec_push(&l->relink_usec, usec);
        } else if (strstr(line, "[action=released"))
                l->released++;
        else if (strstr(line, "[action=start"))
                l->start_at = now;
        else if (!strstr(line, "[action=stop")) {
                if (!l->problems++)
                        snprintf(l->problem, sizeof(l->problem), "%s", line);
        }
}

static void *reader_main(void *userdata) {
        guard_log *l = userdata;
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        FILE *f = fdopen(l->fd, "re");
        ssize_t n;

        while (f && (n = getline(&line, &size, f)) > 0) {
                uint64_t now = now_usec(CLOCK_MONOTONIC);

                if (line[n - 1] == '\n')
                        line[n - 1] = '\0';
                pthread_mutex_lock(&l->lock);
                log_line(l, line, now);
                pthread_cond_broadcast(&l->cond);
                pthread_mutex_unlock(&l->lock);
        }
        if (f)
                fclose(f);
        else
                close(l->fd);
        pthread_mutex_lock(&l->lock);
        l->eof = true;
        pthread_cond_broadcast(&l->cond);
        pthread_mutex_unlock(&l->lock);
        return NULL;
}

static int log_start(guard_log *l, int fd) {
        pthread_condattr_t ca;
        int r;

        *l = (guard_log) { .fd = fd };
        pthread_mutex_init(&l->lock, NULL);
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&l->cond, &ca);
        pthread_condattr_destroy(&ca);
        l->initialized = true;
        r = -pthread_create(&l->thread, NULL, reader_main, l);
        if (r < 0) {
                close(fd);
                return log_error_errno(r, "starting the log reader");
        }
        l->running = true;
        return 0;
}

static void log_done(guard_log *l) {
        if (!l->initialized)
                return;
        if (l->running)
                pthread_join(l->thread, NULL);
        l->running = false;
        u64vec_done(&l->relink_usec);
        pthread_cond_destroy(&l->cond);
        pthread_mutex_destroy(&l->lock);
        l->initialized = false;
}

/* Waits until *COUNTER (a field of L) passes BEFORE, the log ends, or
 * DEADLINE; returns whether it passed. */
static bool log_wait_count(guard_log *l, const unsigned *counter, unsigned before, uint64_t deadline) {
        struct timespec ts = { .tv_sec = (time_t) (deadline / USEC_PER_SEC),
                               .tv_nsec = (long) (deadline % USEC_PER_SEC * NSEC_PER_USEC) };
        bool passed;

        pthread_mutex_lock(&l->lock);
        while (*counter <= before && !l->eof && !interrupted &&
               pthread_cond_timedwait(&l->cond, &l->lock, &ts) != ETIMEDOUT)
                ;
        passed = *counter > before;
        pthread_mutex_unlock(&l->lock);
        return passed;
}

/* The same for a time stamp that is 0 until its line came. */
static uint64_t log_wait_time(guard_log *l, const uint64_t *when, uint64_t deadline) {
        struct timespec ts = { .tv_sec = (time_t) (deadline / USEC_PER_SEC),
                               .tv_nsec = (long) (deadline % USEC_PER_SEC * NSEC_PER_USEC) };
        uint64_t v;

        pthread_mutex_lock(&l->lock);
        while (!*when && !l->eof && !interrupted && pthread_cond_timedwait(&l->cond, &l->lock, &ts) != ETIMEDOUT)
                ;
        v = *when;
        pthread_mutex_unlock(&l->lock);
        return v;
}

/* ---- the guard ------------------------------------------------------ */

static int guard_spawn(guard_proc *g, const bench_env *e, const char *scope, const char *interval, unsigned nofile) {
        _cleanup_free_ char *under = NULL, *every = NULL;
        int p[2];

        if (asprintf(&under, "--auto-only-under=%s", scope) < 0 ||
            (interval && asprintf(&every, "--discover-interval=%s", interval) < 0))
                return log_error_errno(ENOMEM, "allocating");
        char *argv[] = { (char *) SOCKKEEPER_BINARY, (char *) "guard", (char *) "--auto", under, every, NULL };

        if (pipe2(p, O_CLOEXEC) < 0)
                return log_error_errno(errno, "pipe");
        g->spawned_at = now_usec(CLOCK_MONOTONIC);
        g->pid = fork();
        if (g->pid < 0) {
                int r = log_error_errno(errno, "fork");
                close(p[0]);
                close(p[1]);
                return r;
        }
        if (g->pid == 0) {
                /* As systemd starts a service without LimitNOFILE=. */
                struct rlimit rl;
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);

                (void) prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                        _exit(126);
                rl.rlim_cur = nofile;
                if (rl.rlim_max < rl.rlim_cur)
                        rl.rlim_max = rl.rlim_cur;
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 ||
                    dup2(null, STDOUT_FILENO) < 0 || dup2(p[1], STDERR_FILENO) < 0 ||
                    setenv("STATE_DIRECTORY", e->state, 1) < 0)
                        _exit(126);
                execv(argv[0], argv);
                _exit(127);
        }
        close(p[1]);
        return log_start(&g->log, p[0]);
}

/* SIGTERM, as systemctl stop does, and SIGKILL when it is ignored. */
static void guard_stop(guard_proc *g) {
        if (g->pid > 0) {
                uint64_t deadline = now_usec(CLOCK_MONOTONIC) + STOP_TIMEOUT_USEC;

                (void) kill(g->pid, SIGTERM);
                while (waitpid(g->pid, NULL, WNOHANG) == 0) {
                        if (now_usec(CLOCK_MONOTONIC) >= deadline) {
                                log_warning("the guard ignored SIGTERM; killing it");
                                (void) kill(g->pid, SIGKILL);
                                (void) waitpid(g->pid, NULL, 0);
                                break;
                        }
                        sleep_usec(10 * USEC_PER_MSEC);
                }
                g->pid = -1;
        }
        log_done(&g->log);
}

static int guard_wait_ready(guard_proc *g, unsigned n, uint64_t *ret_usec) {
        /* Generous: main took seconds for 1,000 paths. */
        uint64_t at = log_wait_time(&g->log, &g->log.start_at,
                                    now_usec(CLOCK_MONOTONIC) + 60 * USEC_PER_SEC + n * 10 * USEC_PER_MSEC);

        if (!at) {
                if (interrupted)
                        return -EINTR;
                return log_error_errno(ETIMEDOUT, "the guard %s%s%s", g->log.eof ? "exited before it was ready" :
                                       "did not get ready in time", g->log.problem[0] ? ": " : "", g->log.problem);
        }
        *ret_usec = at - g->spawned_at;
        return 0;
}

static void census_of(pid_t pid, fd_census *c) {
        char dir[32];
        struct dirent *de;
        DIR *d;

        *c = (fd_census) {};
        snprintf(dir, sizeof(dir), "/proc/%d/fd", (int) pid);
        d = opendir(dir);
        if (!d)
                return;
        while ((de = readdir(d))) {
                char p[PATH_MAX], to[64], line[256];
                ssize_t k;
                FILE *f;

                if (de->d_name[0] == '.')
                        continue;
                c->fds++;
                snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
                k = readlink(p, to, sizeof(to) - 1);
                if (k < 0)
                        continue;
                to[k] = '\0';
                if (streq(to, "anon_inode:[timerfd]")) {
                        uint64_t usec;

                        if (proc_fd_timer(pid, atoi(de->d_name), &usec) >= 0 &&
                            (!c->timer_found || usec < c->timer_remaining_usec)) {
                                c->timer_found = true;
                                c->timer_remaining_usec = usec;
                        }
                        continue;
                }
                if (!streq(to, "anon_inode:inotify"))
                        continue;
                c->inotify_instances++;
                snprintf(p, sizeof(p), "/proc/%d/fdinfo/%s", (int) pid, de->d_name);
                f = fopen(p, "re");
                if (!f)
                        continue;
                while (fgets(line, sizeof(line), f))
                        if (strncmp(line, "inotify wd:", 11) == 0)
                                c->inotify_watches++;
                fclose(f);
        }
        closedir(d);
}

/* An idle window of USEC: wakeups (context switches of all its threads)
 * and CPU time. */
static void idle_window(pid_t pid, uint64_t usec, uint64_t *ret_window, int64_t *ret_switches, int64_t *ret_cpu_ns,
                        double *ret_others) {
        int64_t sw0 = process_switches(pid), cpu0 = process_cpu_nsec(pid), sw1, cpu1;
        uint64_t t0 = now_usec(CLOCK_MONOTONIC);
        cpu_meter m = cpu_meter_read();

        sleep_interruptible(usec);
        sw1 = process_switches(pid);
        cpu1 = process_cpu_nsec(pid);
        *ret_others = cpu_meter_others(&m);
        *ret_window = now_usec(CLOCK_MONOTONIC) - t0;
        *ret_switches = sw0 >= 0 && sw1 >= 0 ? sw1 - sw0 : -1;
        *ret_cpu_ns = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
}

/* ---- measurements --------------------------------------------------- */

static int bind_late(const char *path) {
        _cleanup_free_ char *dir = path_parent(path);
        struct sockaddr_un sa;
        int fd;

        if (!dir || (mkdir(dir, 0755) < 0 && errno != EEXIST))
                return log_error_errno(dir ? errno : ENOMEM, "mkdir %s", strempty(dir));
        sockaddr_for(&sa, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
                int r = log_error_errno(errno, "binding %s", path);
                safe_close(fd);
                return r;
        }
        return fd;
}

/* Sockets bound after the guard got ready, each at a random point of the
 * discovery interval, as a daemon starts: bind() to the guard's
 * "discovered" line. They stay bound (and kept) until the size is done. */
static void measure_discovery(const bench_env *e, guard_proc *g, const char *scope, int *fds, size_result *res) {
        for (unsigned i = 0; i < e->o->discovery_samples && !interrupted; i++) {
                char path[PATH_MAX];
                uint64_t t0, at;

                snprintf(path, sizeof(path), "%s/late%u/s.sock", scope, i);
                sleep_interruptible(rng_next() % DEFAULT_DISCOVER_USEC);
                pthread_mutex_lock(&g->log.lock);
                snprintf(g->log.want, sizeof(g->log.want), "%s", path);
                g->log.want_at = 0;
                pthread_mutex_unlock(&g->log.lock);
                fds[i] = bind_late(path);
                if (fds[i] < 0)
                        return;
                t0 = now_usec(CLOCK_MONOTONIC);
                at = log_wait_time(&g->log, &g->log.want_at, t0 + 3 * DEFAULT_DISCOVER_USEC + SAMPLE_TIMEOUT_USEC);
                if (at)
                        (void) u64vec_push(&res->discovery, at > t0 ? at - t0 : 0);
                else
                        res->discovery_missed++;
        }
}

/* One deletion of the reference: the in-process keeper of bench/recovery,
 * measured as that benchmark does. */
static int reference_sample(server *ref, const struct sockaddr_un *sa, attempts *a, u64vec *samples) {
        uint64_t heals = server_heals(ref), t0, t1;
        int r;

        t0 = now_usec(CLOCK_MONOTONIC);
        ref->deleted_at = t0;
        if (unlink(ref->path) < 0) {
                ref->deleted_at = 0;
                return 0;
        }
        r = connect_spin(sa, t0 + SAMPLE_TIMEOUT_USEC, 0, a, &t1);
        if (r < 0)
                return r;
        while (server_heals(ref) == heals && now_usec(CLOCK_MONOTONIC) < t0 + SAMPLE_TIMEOUT_USEC && !interrupted)
                sleep_usec(20);
        return u64vec_push(samples, t1 - t0);
}

/* Unlinks kept paths, one after another, and times a client that retries
 * connect() in a tight loop until it gets in, with the vCPUs kept awake
 * as bench/recovery does; each deletion is followed by one of the
 * reference keeper's, so that both meet the same noise of a shared
 * machine. */
static void measure_latency(const bench_env *e, guard_proc *g, const char *scope, unsigned n, size_result *res) {
        const variant reference = {
                .name = "in-process keeper", .key = "reference",
                .relink = true, .detection = SK_DETECT_INOTIFY, .cpus_awake = true,
        };
        _cleanup_(u64vec_done) u64vec samples = {}, ref_samples = {};
        _cleanup_free_ char *prefix = NULL;
        struct sockaddr_un ref_sa;
        unsigned done = 0;
        int64_t sw0, cpu0, sw1, cpu1;
        attempts a = {};
        awake aw = {};
        server ref;

        if (asprintf(&prefix, "ref-%u-%d-%u", n, res->unrelated, res->nofile) < 0)
                return;
        if (server_start_variant(&ref, e->base, prefix, &reference, &ref_sa) < 0) {
                server_stop(&ref);
                return;
        }
        awake_start(&aw);
        sleep_usec(SETTLE_USEC / 4);
        sw0 = process_switches(g->pid);
        cpu0 = process_cpu_nsec(g->pid);
        for (unsigned k = 0; done < e->o->deletions && k < 2 * e->o->deletions + n && !interrupted; k++) {
                char path[PATH_MAX];
                struct sockaddr_un sa;
                struct stat st;
                unsigned before;
                uint64_t t0, t1;
                int r;

                scoped_path(k % n, path, sizeof(path), scope);
                /* Kept: the guard linked an anchor to it. */
                if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode) || st.st_nlink < 2) {
                        res->not_kept++;
                        continue;
                }
                sockaddr_for(&sa, path);
                pthread_mutex_lock(&g->log.lock);
                before = g->log.relinked;
                pthread_mutex_unlock(&g->log.lock);
                t0 = now_usec(CLOCK_MONOTONIC);
                if (unlink(path) < 0)
                        continue;
                r = connect_spin(&sa, t0 + SAMPLE_TIMEOUT_USEC, 0, &a, &t1);
                if (r == -EINTR)
                        break;
                if (r < 0) {
                        res->timeouts++;
                        continue;
                }
                if (u64vec_push(&samples, t1 - t0) < 0)
                        break;
                done++;
                /* The next round starts from a settled guard. */
                (void) log_wait_count(&g->log, &g->log.relinked, before, t0 + SAMPLE_TIMEOUT_USEC);
                if (e->o->gap_usec)
                        sleep_usec(e->o->gap_usec);
                if (reference_sample(&ref, &ref_sa, &a, &ref_samples) == -EINTR)
                        break;
                if (e->o->gap_usec)
                        sleep_usec(e->o->gap_usec);
        }
        sw1 = process_switches(g->pid);
        cpu1 = process_cpu_nsec(g->pid);
        awake_stop(&aw);
        server_stop(&ref);
        res->latency = dist_of(&samples);
        res->reference = dist_of(&ref_samples);
        if (done && sw0 >= 0 && sw1 >= 0)
                res->wakeups_per_deletion = (double) (sw1 - sw0) / done;
        if (done && cpu0 >= 0 && cpu1 >= 0)
                res->cpu_per_deletion_usec = (double) (cpu1 - cpu0) / 1000.0 / done;
        pthread_mutex_lock(&g->log.lock);
        res->guard_relink = dist_of(&g->log.relink_usec);
        pthread_mutex_unlock(&g->log.lock);
}

/* `sockkeeper scan --json` over the same sockets, with no guard running:
 * the medians of its CPU and wall time. */
static void measure_scan(const bench_env *e, size_result *res) {
        char *argv[] = { (char *) SOCKKEEPER_BINARY, (char *) "scan", (char *) "--json", NULL };
        _cleanup_free_ uint64_t *cpu = calloc(e->o->scan_runs, sizeof(uint64_t)),
                                *wall = calloc(e->o->scan_runs, sizeof(uint64_t));
        unsigned k = 0;

        if (!cpu || !wall)
                return;
        for (unsigned i = 0; i < e->o->scan_runs && !interrupted; i++) {
                int status;

                /* Exit status 1 is a finding (sockets at risk), not a failure. */
                if (bench_time_run_cpu(argv, &wall[k], &cpu[k], &status) < 0 || !WIFEXITED(status) ||
                    WEXITSTATUS(status) > 1)
                        continue;
                k++;
        }
        if (!k)
                return;
        res->scan_cpu_usec = bench_median(cpu, k);
        res->scan_wall_usec = bench_median(wall, k);
}

/* The first idle window starts just after a discovery pass and holds
 * whole intervals, so that it holds a known number of passes. */
static void wait_for_phase(const bench_env *e, const guard_proc *g) {
        uint64_t now = now_usec(CLOCK_MONOTONIC), at = g->log.start_at + SETTLE_AFTER_START_USEC;

        if (e->o->idle_usec + SETTLE_AFTER_START_USEC < DEFAULT_DISCOVER_USEC)
                return; /* no pass to count in the window */

        while (at < now)
                at += DEFAULT_DISCOVER_USEC;
        sleep_interruptible(at - now);
}

int measure_empty(const bench_env *e, bool unrelated, long *ret_rss_kb) {
        _cleanup_free_ char *scope = NULL;
        guard_proc g = { .pid = -1 };
        uint64_t ready;
        int r;

        if (asprintf(&scope, "%s/empty-%d", e->base, unrelated) < 0)
                return log_error_errno(ENOMEM, "allocating");
        if (mkdir(scope, 0755) < 0)
                return log_error_errno(errno, "mkdir %s", scope);
        r = guard_spawn(&g, e, scope, NULL, e->o->nofile);
        if (r >= 0)
                r = guard_wait_ready(&g, 0, &ready);
        if (r >= 0) {
                sleep_usec(SETTLE_AFTER_START_USEC);
                *ret_rss_kb = process_vmrss_kb(g.pid);
        }
        guard_stop(&g);
        (void) rmdir(scope);
        return r;
}

int measure_size(const bench_env *e, unsigned n, bool unrelated, unsigned nofile, long empty_rss_kb, size_result *res) {
        _cleanup_free_ char *scope = NULL;
        int late[MAX_DISCOVERY_SAMPLES];
        guard_proc g = { .pid = -1 }, q = { .pid = -1 };
        bench_holder holder = { .pid = -1, .hold_fd = -EBADF };
        int r;

        *res = (size_result) { .n = n, .dirs = dirs_of(n), .nofile = nofile, .unrelated = unrelated, .pass_cpu_usec = -1 };
        for (size_t i = 0; i < ELEMENTSOF(late); i++)
                late[i] = -EBADF;
        if (asprintf(&scope, "%s/auto-%u-%d-%u", e->base, n, unrelated, nofile) < 0)
                return log_error_errno(ENOMEM, "allocating");
        if (mkdir(scope, 0755) < 0)
                return log_error_errno(errno, "mkdir %s", scope);
        r = bench_holder_start(&holder, n, scoped_path, scope);
        if (r < 0)
                goto out;

        /* The guard as it runs by default: discovery every 10 s. */
        r = guard_spawn(&g, e, scope, NULL, nofile);
        if (r >= 0)
                r = guard_wait_ready(&g, n, &res->ready_usec);
        if (r < 0)
                goto out;
        pthread_mutex_lock(&g.log.lock);
        res->attached = g.log.attached;
        if (g.log.problem[0])
                snprintf(res->problem, sizeof(res->problem), "%s", g.log.problem);
        pthread_mutex_unlock(&g.log.lock);
        sleep_usec(SETTLE_AFTER_START_USEC);
        res->rss_kb = process_vmrss_kb(g.pid);
        if (empty_rss_kb > 0 && res->attached)
                res->rss_per_path = (double) (res->rss_kb - empty_rss_kb) * 1024.0 / res->attached;
        census_of(g.pid, &res->census);

        wait_for_phase(e, &g);
        idle_window(g.pid, e->o->idle_usec, &res->window_usec, &res->switches, &res->cpu_ns, &res->others_percent);
        res->passes = (unsigned) ((e->o->idle_usec + SETTLE_AFTER_START_USEC) / DEFAULT_DISCOVER_USEC);
        measure_discovery(e, &g, scope, late, res);
        measure_latency(e, &g, scope, n, res);
        guard_stop(&g);
        for (size_t i = 0; i < ELEMENTSOF(late); i++)
                late[i] = safe_close(late[i]);
        if (interrupted)
                goto out;

        measure_scan(e, res);

        /* Discovery hourly: what is left is the guard's own idle cost. */
        r = guard_spawn(&q, e, scope, QUIET_DISCOVER, nofile);
        if (r >= 0)
                r = guard_wait_ready(&q, n, &res->ready_quiet_usec);
        if (r < 0)
                goto out;
        sleep_usec(SETTLE_AFTER_START_USEC);
        census_of(q.pid, &res->census_quiet);
        idle_window(q.pid, e->o->idle_usec, &res->window_quiet_usec, &res->switches_quiet, &res->cpu_quiet_ns,
                    &res->others_quiet_percent);
        if (res->passes && res->cpu_ns >= 0 && res->cpu_quiet_ns >= 0) {
                double quiet = (double) res->cpu_quiet_ns * (double) res->window_usec / (double) res->window_quiet_usec;

                /* Noise, or a guard that retries all the time, can make
                 * the quiet guard the busier one: then it is unknown. */
                if (res->cpu_ns > quiet)
                        res->pass_cpu_usec = ((double) res->cpu_ns - quiet) / 1000.0 / res->passes;
        }
        res->ran = !interrupted;
out:
        guard_stop(&g);
        guard_stop(&q);
        for (size_t i = 0; i < ELEMENTSOF(late); i++)
                safe_close(late[i]);
        bench_holder_stop(&holder);
        bench_rm_rf(scope);
        return r;
}

void size_result_done(size_result *res) {
        u64vec_done(&res->discovery);
}
