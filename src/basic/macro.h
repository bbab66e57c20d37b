/* SPDX-License-Identifier: MIT */
#pragma once

/* Cleanup attributes and small helpers shared by the library and the tools.
 * Header-only, so the library can use it without exporting anything. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define TAKE_PTR(p)                                     \
        ({                                              \
                __typeof__(p) *_pp = &(p);              \
                __typeof__(p) _p = *_pp;                \
                *_pp = NULL;                            \
                _p;                                     \
        })

#define TAKE_FD(fd)                                     \
        ({                                              \
                int *_fdp = &(fd);                      \
                int _fd = *_fdp;                        \
                *_fdp = -EBADF;                         \
                _fd;                                    \
        })

#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_SEC UINT64_C(1000000)
#define USEC_PER_MINUTE (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)
#define NSEC_PER_USEC UINT64_C(1000)

/* Returns -errno, never 0, so that a caller that forgot to set errno
 * still sees a failure. */
static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}

static inline void closep(int *fd) {
        safe_close(*fd);
}

static inline void freep(void *p) {
        free(*(void **) p);
}

#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_free_ _cleanup_(freep)

static inline uint64_t timespec_to_usec(const struct timespec *ts) {
        return (uint64_t) ts->tv_sec * USEC_PER_SEC + (uint64_t) ts->tv_nsec / NSEC_PER_USEC;
}

static inline uint64_t now_usec(clockid_t clock) {
        struct timespec ts;
        if (clock_gettime(clock, &ts) < 0)
                return 0;
        return timespec_to_usec(&ts);
}

/* "n/a" for NULL, as systemd's strna(). */
static inline const char *strna(const char *s) {
        return s ?: "n/a";
}

static inline const char *strempty(const char *s) {
        return s ?: "";
}

static inline int streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

/* Whether S is one of the strings of the NULL-terminated SET. */
static inline bool str_in_set(const char *s, const char *const *set) {
        for (; *set; set++)
                if (streq(s, *set))
                        return true;
        return false;
}

#define STR_IN_SET(s, ...) str_in_set((s), (const char *const[]) { __VA_ARGS__, NULL })

#define WHITESPACE " \t\n\r"

/* S without the whitespace at either end; changes S in place. */
static inline char *strstrip(char *s) {
        size_t n;

        s += strspn(s, WHITESPACE);
        n = strlen(s);
        while (n > 0 && strchr(WHITESPACE, s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* Whether the LEN bytes at S end in SUFFIX. */
static inline bool has_suffix_n(const char *s, size_t len, const char *suffix) {
        size_t n = strlen(suffix);
        return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static inline bool has_suffix(const char *s, const char *suffix) {
        return has_suffix_n(s, strlen(s), suffix);
}
