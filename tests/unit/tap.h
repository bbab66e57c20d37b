/* SPDX-License-Identifier: MIT */
#pragma once

/* A minimal TAP producer for meson's 'tap' protocol. Each test runs in a
 * forked child, so a crash or a failed check in one test is reported as
 * "not ok" and the others still run. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAP_SKIP_STATUS 77

typedef struct tap_test {
        const char *name;
        void (*run)(void);
} tap_test;

#define TEST(name) static void test_##name(void)
#define T(name) { #name, test_##name }

#define check(expr)                                                                      \
        do {                                                                             \
                if (!(expr)) {                                                           \
                        printf("# %s:%d: check failed: %s (errno: %s)\n", __FILE__,      \
                               __LINE__, #expr, strerror(errno));                        \
                        fflush(stdout);                                                  \
                        _exit(1);                                                        \
                }                                                                        \
        } while (0)

#define check_int(a, op, b)                                                              \
        do {                                                                             \
                long long _a = (long long) (a), _b = (long long) (b);                    \
                if (!(_a op _b)) {                                                       \
                        printf("# %s:%d: check failed: %s %s %s (%lld vs %lld)\n",       \
                               __FILE__, __LINE__, #a, #op, #b, _a, _b);                 \
                        fflush(stdout);                                                  \
                        _exit(1);                                                        \
                }                                                                        \
        } while (0)

#define check_streq(a, b)                                                                \
        do {                                                                             \
                const char *_a = (a), *_b = (b);                                         \
                if (!_a || !_b || strcmp(_a, _b) != 0) {                                 \
                        printf("# %s:%d: check failed: \"%s\" == \"%s\"\n", __FILE__,    \
                               __LINE__, _a ? _a : "(null)", _b ? _b : "(null)");        \
                        fflush(stdout);                                                  \
                        _exit(1);                                                        \
                }                                                                        \
        } while (0)

#define skip(reason)                                                                     \
        do {                                                                             \
                printf("# SKIP %s\n", reason);                                           \
                fflush(stdout);                                                          \
                _exit(TAP_SKIP_STATUS);                                                  \
        } while (0)

static inline int tap_run(const tap_test *tests, size_t n) {
        int failed = 0;

        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("1..%zu\n", n);
        for (size_t i = 0; i < n; i++) {
                int status = 0;
                pid_t pid = fork();

                if (pid < 0) {
                        printf("Bail out! fork: %s\n", strerror(errno));
                        return 1;
                }
                if (pid == 0) {
                        tests[i].run();
                        /* exit(), not _exit(): LeakSanitizer runs at exit
                         * and fails the test on a leak. */
                        exit(0);
                }
                (void) waitpid(pid, &status, 0);
                if (WIFEXITED(status) && WEXITSTATUS(status) == TAP_SKIP_STATUS)
                        printf("ok %zu - %s # SKIP\n", i + 1, tests[i].name);
                else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                        printf("ok %zu - %s\n", i + 1, tests[i].name);
                else {
                        failed++;
                        if (WIFSIGNALED(status))
                                printf("not ok %zu - %s (signal %d)\n", i + 1, tests[i].name, WTERMSIG(status));
                        else
                                printf("not ok %zu - %s (exit %d)\n", i + 1, tests[i].name, WEXITSTATUS(status));
                }
        }
        return failed ? 1 : 0;
}

#define TAP_MAIN(...)                                                                    \
        int main(void) {                                                                 \
                static const tap_test tests[] = { __VA_ARGS__ };                         \
                return tap_run(tests, sizeof(tests) / sizeof(tests[0]));                 \
        }
