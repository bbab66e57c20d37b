/* SPDX-License-Identifier: MIT */
/* bench/scan: how long `sockkeeper scan` takes on a machine with 10,000
 * listening AF_UNIX sockets, side by side with `ss -xlp` (iproute2), which
 * walks the same sock_diag dump and the same /proc fds. A child process
 * holds the sockets in a private directory; scan --json, the human table
 * and ss run interleaved as whole processes, and the medians are compared.
 * It prints numbers; it is not a pass/fail test. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "macro.h"

#define TARGET_RATIO 1.0
#define SS_BINARY "/usr/bin/ss"

/* The holder: binds N listening sockets in DIR, says so on READY_FD, and
 * holds them until the parent closes the pipe. */
_Noreturn static void hold_sockets(const char *dir, unsigned n, int ready_fd, int hold_fd) {
        struct rlimit rl = { .rlim_cur = n + 64, .rlim_max = n + 64 };
        char c = 1;

        if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
                log_error_errno(errno, "raising RLIMIT_NOFILE to %u", n + 64);
                _exit(1);
        }
        for (unsigned i = 0; i < n; i++) {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s%u.sock", dir, i);
                if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
                        log_error_errno(errno, "socket %u at %s", i, sa.sun_path);
                        _exit(1);
                }
        }
        if (write(ready_fd, &c, 1) != 1)
                _exit(1);
        while (read(hold_fd, &c, 1) > 0)
                ;
        _exit(0);
}

static int help(void) {
        printf("Usage: scan [--sockets N] [--runs R] [--json]\n"
               "\n"
               "Opens N listening AF_UNIX sockets (default 10000) in a child process and\n"
               "times `sockkeeper scan --json`, `sockkeeper scan` and `ss -xlp`, each run R\n"
               "times (default 11), interleaved; prints medians and the ratios to ss.\n");
        return 0;
}

static void remove_sockets(const char *dir, unsigned n) {
        for (unsigned i = 0; i < n; i++) {
                char p[4096];

                snprintf(p, sizeof(p), "%s/s%u.sock", dir, i);
                (void) unlink(p);
        }
        (void) rmdir(dir);
}

int main(int argc, char *argv[]) {
        char *scan_json_argv[] = { (char *) SOCKKEEPER_BINARY, (char *) "scan", (char *) "--json", NULL };
        char *scan_argv[] = { (char *) SOCKKEEPER_BINARY, (char *) "scan", NULL };
        char *ss_argv[] = { (char *) SS_BINARY, (char *) "-xlp", NULL };
        char *const *argvs[] = { scan_json_argv, scan_argv, ss_argv };
        static const char *const names[] = { "sockkeeper scan --json", "sockkeeper scan", "ss -xlp" };
        uint64_t *t[3] = {}, m[3];
        bench_options o = { .count = 10000, .runs = 11 };
        char dir[] = "/tmp/sk-bench-scan-XXXXXX";
        int ready[2], hold[2], r, status = 0, ret = 1;
        pid_t child;
        char byte;

        log_set_program("bench/scan");
        r = bench_parse_options(argc, argv, "sockets", help, &o);
        if (r != 0)
                return r == 1 ? 0 : r;
        const unsigned n_sockets = o.count, runs = o.runs;
        const bool json = o.json;
        if (access(SS_BINARY, X_OK) < 0)
                return log_error("%s is missing (iproute2)", SS_BINARY), 1;
        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                if (!(t[i] = calloc(runs, sizeof(uint64_t))))
                        return log_error_errno(ENOMEM, "allocating"), 1;

        /* A private directory (0700): no "squatting" reason for every path,
         * and nobody else's names in it. */
        if (!mkdtemp(dir))
                return log_error_errno(errno, "mkdtemp"), 1;
        if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0)
                return log_error_errno(errno, "pipe"), 1;
        child = fork();
        if (child < 0)
                return log_error_errno(errno, "fork"), 1;
        if (child == 0) {
                close(ready[0]);
                close(hold[1]);
                hold_sockets(dir, n_sockets, ready[1], hold[0]);
        }
        close(ready[1]);
        close(hold[0]);
        if (read(ready[0], &byte, 1) != 1) {
                log_error("the holder of %u sockets failed", n_sockets);
                goto finish;
        }

        /* Interleaved, so that a noisy neighbour hits all alike; one
         * untimed round first warms the caches. */
        for (unsigned i = 0; i <= runs; i++)
                for (size_t k = 0; k < ELEMENTSOF(argvs); k++) {
                        uint64_t usec = 0;
                        r = bench_time_run(argvs[k], &usec, &status);

                        if (r < 0) {
                                log_error_errno(r, "running %s", argvs[k][0]);
                                goto finish;
                        }
                        if (!WIFEXITED(status) || (k < 2 && WEXITSTATUS(status) > 1) ||
                            (k == 2 && WEXITSTATUS(status) != 0)) {
                                log_error("%s failed (status %d)", names[k], status);
                                goto finish;
                        }
                        if (i > 0)
                                t[k][i - 1] = usec;
                }
        for (size_t k = 0; k < ELEMENTSOF(t); k++)
                m[k] = bench_median(t[k], runs);

        if (json) {
                json_writer w;

                json_init(&w, stdout, true);
                json_begin_object(&w);
                json_pair_uint(&w, "sockets", n_sockets);
                json_pair_uint(&w, "runs", runs);
                json_pair_uint(&w, "scan_json_median_us", m[0]);
                json_pair_uint(&w, "scan_table_median_us", m[1]);
                json_pair_uint(&w, "ss_median_us", m[2]);
                json_pair_double(&w, "ratio_json", (double) m[0] / (double) m[2]);
                json_pair_double(&w, "ratio_table", (double) m[1] / (double) m[2]);
                json_end_object(&w);
                json_finish(&w);
        } else {
                printf("bench/scan: %u listening sockets, %u interleaved runs of each, medians of whole-process "
                       "wall time\n",
                       n_sockets, runs);
                for (size_t k = 0; k < ELEMENTSOF(t); k++)
                        printf("  %-24s %8.2f ms   (min %.2f, max %.2f)\n", names[k], (double) m[k] / 1000,
                               (double) t[k][0] / 1000, (double) t[k][runs - 1] / 1000);
                for (size_t k = 0; k < 2; k++)
                        printf("  ratio %-18s %8.2f      [target <= %.1f] %s\n",
                               k == 0 ? "scan --json / ss" : "scan / ss", (double) m[k] / (double) m[2],
                               TARGET_RATIO, (double) m[k] / (double) m[2] <= TARGET_RATIO ? "PASS" : "MISS");
        }
        ret = 0;
finish:
        close(hold[1]);
        (void) waitpid(child, NULL, 0);
        remove_sockets(dir, n_sockets);
        for (size_t k = 0; k < ELEMENTSOF(t); k++)
                free(t[k]);
        return ret;
}
