/* SPDX-License-Identifier: MIT */
/* Timing a whole process, as a user or systemd would start it, against
 * its floor and against another build of itself, the medians and ratios
 * the benchmarks print, and their scratch trees. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "log.h"
#include "macro.h"
#include "parse-util.h"
#include "path-util.h"

extern char **environ;

int bench_time_run(char *const argv[], uint64_t *ret_usec, int *ret_status) {
        return bench_time_run_cpu(argv, ret_usec, NULL, ret_status);
}

int bench_time_run_cpu(char *const argv[], uint64_t *ret_usec, uint64_t *ret_cpu_usec, int *ret_status) {
        posix_spawn_file_actions_t fa;
        struct rusage ru;
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
        if (wait4(pid, &status, 0, &ru) < 0)
                return negative_errno();
        *ret_usec = now_usec(CLOCK_MONOTONIC) - start;
        if (ret_cpu_usec)
                *ret_cpu_usec = (uint64_t) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * USEC_PER_SEC +
                                (uint64_t) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
        *ret_status = status;
        return 0;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

void bench_sort_u64(uint64_t *v, size_t n) {
        qsort(v, n, sizeof(*v), cmp_u64);
}

uint64_t bench_median(uint64_t *v, unsigned n) {
        bench_sort_u64(v, n);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The ratios ours/baseline of each round, and their quartiles (nearest
 * rank). Before the samples are sorted: it pairs them by round. */
static int pair_ratios(const uint64_t *ours, const uint64_t *base, unsigned runs, bench_ratio *ret) {
        _cleanup_free_ double *q = calloc(runs, sizeof(double));

        if (!q)
                return -ENOMEM;
        for (unsigned i = 0; i < runs; i++)
                q[i] = (double) ours[i] / (double) (base[i] ?: 1);
        qsort(q, runs, sizeof(double), cmp_double);
        ret->p25 = q[(runs - 1) / 4];
        ret->p50 = q[(runs - 1) / 2];
        ret->p75 = q[(runs - 1) * 3 / 4];
        return 0;
}

static int run_one(bench_cmd *c, unsigned round, bench_before_fn before, void *userdata) {
        uint64_t usec = 0;
        int r;

        if (before) {
                r = before(c, round, userdata);
                if (r < 0)
                        return r;
        }
        r = bench_time_run(c->argv, &usec, &c->status);
        if (r < 0)
                return log_error_errno(r, "running %s", c->argv[0]);
        if (!WIFEXITED(c->status) || WEXITSTATUS(c->status) > c->max_status) {
                log_error("%s failed (status %d)", c->name, c->status);
                return -EIO;
        }
        if (round > 0)
                c->usec[round - 1] = usec;
        return 0;
}

int bench_interleave(bench_cmd *cmds, size_t n, unsigned runs, bench_before_fn before, void *userdata) {
        bool warned = false;
        int r;

        for (size_t k = 0; k < n; k++) {
                if (cmds[k].baseline && k == 0)
                        return log_error_errno(EINVAL, "a baseline with nothing to compare it with");
                cmds[k].usec = calloc(runs, sizeof(uint64_t));
                if (!cmds[k].usec)
                        return log_error_errno(ENOMEM, "allocating");
        }
        for (unsigned i = 0; i <= runs; i++) {
                for (size_t j = 0; j < n; j++) {
                        size_t k = j;

                        if (i % 2 == 1 && j + 1 < n && cmds[j + 1].baseline)
                                k = j + 1;
                        else if (i % 2 == 1 && cmds[j].baseline)
                                k = j - 1;
                        r = run_one(&cmds[k], i, before, userdata);
                        if (r < 0)
                                return r;
                }
                /* The same input and another exit status: the two builds
                 * do not do the same work, and their times say less. */
                for (size_t k = 0; k < n && !warned; k++)
                        if (cmds[k].baseline && cmds[k].status != cmds[k - 1].status) {
                                log_warning("%s exited with status %d, %s with %d", cmds[k - 1].name,
                                            WEXITSTATUS(cmds[k - 1].status), cmds[k].name,
                                            WEXITSTATUS(cmds[k].status));
                                warned = true;
                        }
        }
        for (size_t k = 0; k < n; k++)
                if (cmds[k].baseline) {
                        r = pair_ratios(cmds[k - 1].usec, cmds[k].usec, runs, &cmds[k].ratio);
                        if (r < 0)
                                return log_error_errno(r, "allocating");
                }
        for (size_t k = 0; k < n; k++)
                cmds[k].median = bench_median(cmds[k].usec, runs);
        for (size_t k = 0; k < n; k++)
                if (cmds[k].baseline)
                        cmds[k].ratio.medians = (double) cmds[k - 1].median / (double) (cmds[k].median ?: 1);
        return 0;
}

void bench_cmds_done(bench_cmd *cmds, size_t n) {
        for (size_t k = 0; k < n; k++) {
                free(cmds[k].usec);
                cmds[k].usec = NULL;
        }
}

void bench_print_ratio(int width, const char *label, const bench_ratio *r) {
        printf("  %-*s %8.3f      (per round: %.3f, quartiles %.3f-%.3f)\n", width, label, r->medians, r->p50,
               r->p25, r->p75);
}

void bench_json_ratio(json_writer *w, const char *key, const bench_ratio *r) {
        char k[128];

        json_pair_double(w, key, r->medians);
        snprintf(k, sizeof(k), "%s_per_round", key);
        json_key(w, k);
        json_begin_object(w);
        json_pair_double(w, "p25", r->p25);
        json_pair_double(w, "p50", r->p50);
        json_pair_double(w, "p75", r->p75);
        json_end_object(w);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) (flag == FTW_DP ? rmdir(path) : unlink(path));
        return 0;
}

void bench_rm_rf(const char *dir) {
        /* FTW_PHYS: a symlink is removed, never followed. */
        (void) nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int bench_parse_number(const char *arg, const char *option, uint64_t min, uint64_t max, uint64_t *ret) {
        unsigned long v;

        if (parse_unsigned(arg, max, &v) < 0 || v < min) {
                log_error("%s: invalid number '%s' (%" PRIu64 " to %" PRIu64 ")", option, arg, min, max);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

int bench_parse_options(int argc, char *argv[], const char *count_name, int (*help)(void), bench_options *o) {
        const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { count_name, required_argument, NULL, 'n' },
                { "runs", required_argument, NULL, 'r' },
                { "json", no_argument, NULL, 'j' },
                { "baseline", required_argument, NULL, 'b' },
                {}
        };
        char count_option[64];
        uint64_t v;
        int c;

        snprintf(count_option, sizeof(count_option), "--%s", count_name);
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        (void) help();
                        return 1;
                case 'n':
                        if (bench_parse_number(optarg, count_option, 1, UINT_MAX, &v) < 0)
                                return 64;
                        o->count = (unsigned) v;
                        break;
                case 'r':
                        if (bench_parse_number(optarg, "--runs", 1, UINT_MAX, &v) < 0)
                                return 64;
                        o->runs = (unsigned) v;
                        break;
                case 'j':
                        o->json = true;
                        break;
                case 'b': {
                        struct stat st;

                        /* Spawned by path, as ours is: no $PATH lookup. */
                        if (stat(optarg, &st) < 0 || access(optarg, X_OK) < 0) {
                                log_error_errno(errno, "--baseline=%s", optarg);
                                return 64;
                        }
                        if (!S_ISREG(st.st_mode)) {
                                log_error("--baseline=%s: not a regular file", optarg);
                                return 64;
                        }
                        o->baseline = optarg;
                        break;
                }
                default:
                        return 64;
                }
        if (o->count == 0 || o->runs == 0) {
                log_error("--%s and --runs must be positive", count_name);
                return 64;
        }
        return 0;
}

static int bind_one(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_free_ char *dir = path_parent(path);
        int fd;

        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        if (dir && mkdir(dir, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
                int r = negative_errno();
                close(fd);
                return r;
        }
        return fd;
}

/* The holder itself: binds, says so on READY_FD, then accepts until
 * HOLD_FD reaches its end. */
_Noreturn static void hold(unsigned n, bench_path_fn path_of, const void *userdata, int ready_fd, int hold_fd) {
        struct rlimit rl = { .rlim_cur = n + 64, .rlim_max = n + 64 };
        struct epoll_event ev = { .events = EPOLLIN };
        int ep;
        char c = 1;

        /* Not a holder left behind by a benchmark that died. */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
                log_error_errno(errno, "raising RLIMIT_NOFILE to %u", n + 64);
                _exit(1);
        }
        ep = epoll_create1(EPOLL_CLOEXEC);
        ev.data.fd = hold_fd;
        if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, hold_fd, &ev) < 0) {
                log_error_errno(errno, "epoll");
                _exit(1);
        }
        for (unsigned i = 0; i < n; i++) {
                char p[PATH_MAX];
                int fd;

                path_of(i, p, sizeof(p), userdata);
                fd = bind_one(p);
                if (fd < 0) {
                        log_error_errno(fd, "socket %u at %s", i, p);
                        _exit(1);
                }
                ev.data.fd = fd;
                if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
                        log_error_errno(errno, "epoll_ctl");
                        _exit(1);
                }
        }
        if (write(ready_fd, &c, 1) != 1)
                _exit(1);
        for (;;) {
                struct epoll_event events[64];
                int k = epoll_wait(ep, events, ELEMENTSOF(events), -1);

                if (k < 0 && errno != EINTR)
                        _exit(1);
                for (int i = 0; i < k; i++) {
                        int cfd;

                        if (events[i].data.fd == hold_fd)
                                _exit(0);
                        while ((cfd = accept4(events[i].data.fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
                                close(cfd);
                }
        }
}

int bench_holder_start(bench_holder *h, unsigned n, bench_path_fn path_of, const void *userdata) {
        int ready[2], hold_pipe[2];
        char byte;

        *h = (bench_holder) { .pid = -1, .hold_fd = -EBADF };
        if (pipe2(ready, O_CLOEXEC) < 0)
                return log_error_errno(errno, "pipe");
        if (pipe2(hold_pipe, O_CLOEXEC) < 0) {
                int r = log_error_errno(errno, "pipe");
                safe_close(ready[0]);
                safe_close(ready[1]);
                return r;
        }
        h->pid = fork();
        if (h->pid < 0) {
                int r = log_error_errno(errno, "fork");
                for (unsigned i = 0; i < 2; i++) {
                        safe_close(ready[i]);
                        safe_close(hold_pipe[i]);
                }
                return r;
        }
        if (h->pid == 0) {
                close(ready[0]);
                close(hold_pipe[1]);
                hold(n, path_of, userdata, ready[1], hold_pipe[0]);
        }
        close(ready[1]);
        close(hold_pipe[0]);
        h->hold_fd = hold_pipe[1];
        if (read(ready[0], &byte, 1) != 1) {
                close(ready[0]);
                bench_holder_stop(h);
                return log_error_errno(EIO, "the holder of %u sockets failed", n);
        }
        close(ready[0]);
        return 0;
}

void bench_holder_stop(bench_holder *h) {
        h->hold_fd = safe_close(h->hold_fd);
        if (h->pid > 0)
                (void) waitpid(h->pid, NULL, 0);
        h->pid = -1;
}
