/* SPDX-License-Identifier: MIT */
#pragma once

/* tmpfiles.d, read and evaluated the way systemd-tmpfiles --clean does, so
 * that `sockkeeper check` can say which line would delete a path, when,
 * or which line protects it. Everything is read relative to a root
 * directory ("/" or --root), like systemd-tmpfiles --root. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Age-by letters: lower case for files, upper case for directories. */
enum {
        TMPFILES_AGE_BY_ATIME = 1 << 0,      /* a */
        TMPFILES_AGE_BY_BTIME = 1 << 1,      /* b */
        TMPFILES_AGE_BY_CTIME = 1 << 2,      /* c */
        TMPFILES_AGE_BY_MTIME = 1 << 3,      /* m */
        TMPFILES_AGE_BY_DIR_ATIME = 1 << 4,  /* A */
        TMPFILES_AGE_BY_DIR_BTIME = 1 << 5,  /* B */
        TMPFILES_AGE_BY_DIR_CTIME = 1 << 6,  /* C */
        TMPFILES_AGE_BY_DIR_MTIME = 1 << 7,  /* M */
        TMPFILES_AGE_BY_DEFAULT = 0xff & ~TMPFILES_AGE_BY_DIR_CTIME, /* "abcmABM" */
};

typedef struct tmpfiles_item {
        char type;              /* the line's type letter: 'd', 'D', 'x', 'L', ... */
        bool boot_only;         /* the '!' modifier: applied only with --boot */
        char *path;             /* absolute, specifiers expanded, relative to the root */
        bool glob;              /* path holds glob characters (* ? [) */
        bool has_age;           /* an age field other than "-" */
        uint64_t age_usec;
        bool age_spares_first_level; /* the age started with '~' */
        unsigned age_by;        /* TMPFILES_AGE_BY_* bits */
        char *source;           /* the file the line is in, as a path in the root ("/etc/tmpfiles.d/x.conf") */
        unsigned line;          /* 1-based */
} tmpfiles_item;

typedef struct tmpfiles_config {
        tmpfiles_item *items;   /* in the order systemd-tmpfiles reads them */
        size_t n_items;
        char **files;           /* the files read, root-relative, after overrides */
        size_t n_files;
} tmpfiles_config;

/* Called for every line or file that cannot be used: unreadable files,
 * garbled lines, unknown specifiers. FILE is root-relative, LINE 0 for a
 * whole file. Reading goes on with the rest. */
typedef void (*tmpfiles_warn_fn)(const char *file, unsigned line, const char *message, void *userdata);

/* Reads /etc, /run, /usr/local/lib and /usr/lib tmpfiles.d (in that order
 * of precedence, a file name in an earlier directory hiding the same name
 * in a later one) under ROOT. Specifiers are expanded for the system
 * instance (%u is root, %t is /run, ...), with %m and %b read from ROOT
 * where they can be. */
int tmpfiles_config_load(tmpfiles_config *c, const char *root, tmpfiles_warn_fn warn, void *userdata);

/* Parses one configuration text (for tests and the fuzzer); FILE names it
 * in warnings. Items are appended to C. */
int tmpfiles_config_parse(tmpfiles_config *c, const char *file, const char *text, size_t size,
                          tmpfiles_warn_fn warn, void *userdata);

void tmpfiles_config_done(tmpfiles_config *c);

/* What --clean would do with one path. */
typedef enum tmpfiles_fate {
        TMPFILES_UNCOVERED,     /* no aging line reaches the path */
        TMPFILES_PROTECTED,     /* reached, but kept: see why and rule */
        TMPFILES_AGED,          /* deleted once older than age_usec */
} tmpfiles_fate;

/* Facts about the file itself, filled in by the caller (statx, /proc). */
typedef struct tmpfiles_file {
        mode_t mode;            /* st_mode, with the file type */
        uint64_t atime_usec, btime_usec, ctime_usec, mtime_usec; /* CLOCK_REALTIME; btime 0 if unknown */
        bool mount_point;
        bool live_socket;       /* its path string is listed in /proc/net/unix */
} tmpfiles_file;

typedef struct tmpfiles_verdict {
        tmpfiles_fate fate;
        const tmpfiles_item *rule; /* the aging line, or the line that protects (NULL when the
                                    * protection is not a line: sticky bit, live socket, mount) */
        const char *why;        /* for PROTECTED: "excluded by x", "excluded by X",
                                 * "own entry", "sticky bit", "live socket", "mount point",
                                 * "first level spared by ~", "boot-only line" */
        uint64_t age_usec;      /* for AGED */
        bool expired;           /* for AGED: old enough now, by the rule's age-by */
        uint64_t expires_usec;  /* for AGED: CLOCK_REALTIME when it becomes old enough */
} tmpfiles_verdict;

/* Evaluates PATH (absolute, root-relative) against C as a run of
 * systemd-tmpfiles --clean at NOW_USEC (CLOCK_REALTIME) would. F may be
 * NULL for a path that does not exist yet: the verdict then says which
 * rule would reach it, and expired is false. */
int tmpfiles_evaluate(const tmpfiles_config *c, const char *path, const tmpfiles_file *f, uint64_t now_usec,
                      tmpfiles_verdict *ret);
