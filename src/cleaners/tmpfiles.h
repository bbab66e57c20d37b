/* SPDX-License-Identifier: MIT */
#pragma once

/* tmpfiles.d, read and evaluated the way systemd-tmpfiles --clean does, so
 * that `sockkeeper check` can say which line would delete a path, when,
 * or which line protects it. Everything is read relative to a root
 * directory ("/" or --root), like systemd-tmpfiles --root. */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
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

/* The rest of a line. systemd-tmpfiles compares these to tell a harmless
 * repeat of a path from a conflicting "Duplicate line", which it ignores. */
typedef struct tmpfiles_item_settings {
        bool plus;              /* the '+' modifier: append (w), replace (f, L, ...) */
        char *argument;         /* after escapes, specifiers and base64; NULL if none */
        size_t argument_size;
        bool uid_set, uid_on_create;    /* *_on_create: the field started with ':' */
        bool gid_set, gid_on_create;
        bool mode_set, mode_on_create, mode_masked; /* mode_masked: it started with '~' */
        uid_t uid;
        gid_t gid;
        mode_t mode;            /* the default (0755 or 0644) when not set, as tmpfiles keeps it */
        dev_t devnum;           /* c and b lines */
} tmpfiles_item_settings;

/* TYPE is one of the line types in SET. */
static inline bool tmpfiles_type_is(char type, const char *set) {
        return type != 0 && strchr(set, type);
}

/* Line types whose path is a glob; they live in tmpfiles' "globs" table. */
static inline bool tmpfiles_type_is_glob(char type) {
        switch (type) {
        case 'w': case 'e': case 'x': case 'X': case 'r': case 'R': case 'm': case 'z':
        case 'Z': case 't': case 'T': case 'a': case 'A': case 'h': case 'H':
                return true;
        default:
                return false;
        }
}

typedef struct tmpfiles_item {
        char type;              /* the line's type letter: 'd', 'D', 'x', 'L', ... */
        bool boot_only;         /* the '!' modifier: applied only with --boot */
        char *path;             /* absolute, specifiers expanded, relative to the root */
        bool glob;              /* a glob line (w e x X r R z Z t T a A h H m) with * ? or [ */
        bool has_age;           /* an age field other than "-"; an X line also gets (and its own
                                 * age is replaced by) the age of the d line above it, as 252 does */
        uint64_t age_usec;
        bool age_spares_first_level; /* the age started with '~' */
        unsigned age_by;        /* TMPFILES_AGE_BY_* bits */
        char *source;           /* the file the line is in, as a path in the root ("/etc/tmpfiles.d/x.conf") */
        unsigned line;          /* 1-based */
        tmpfiles_item_settings settings;
} tmpfiles_item;

typedef struct tmpfiles_config {
        tmpfiles_item *items;   /* in the order systemd-tmpfiles reads them; lines it ignores as
                                 * duplicates are left out, '!' lines are kept but marked */
        size_t n_items;
        char **files;           /* the files read, root-relative, after overrides */
        size_t n_files;
        char *root;             /* NULL for the running system; set by load or tmpfiles_config_set_root() */

        /* The lines that stop a cleanup walk, indexed after each parse (see
         * tmpfiles_config_index()): plain lines sorted by path, ties in
         * file order; glob lines in file order. */
        const tmpfiles_item **plain;
        size_t n_plain;
        const tmpfiles_item **globs;
        size_t n_globs;
        /* Parallel to globs, a quick no before fnmatch(): the length of the
         * literal head a match must start with, and the number of '/' a
         * match must have (-1: any, for a pattern with '[' or '\\'). */
        struct tmpfiles_glob_key {
                size_t head;
                int slashes;
        } *glob_keys;
        /* Specifiers and user names already looked up for this root
         * (tmpfiles-specifier.h); made by the first parse that needs it. */
        struct tmpfiles_lookups *lookups;
} tmpfiles_config;

/* Called for every line or file that cannot be used: unreadable files,
 * garbled lines, unknown specifiers. FILE is root-relative, LINE 0 for a
 * whole file. Reading goes on with the rest. */
typedef void (*tmpfiles_warn_fn)(const char *file, unsigned line, const char *message, void *userdata);

/* Reads /etc, /run, /usr/local/lib, /usr/lib and /lib tmpfiles.d (in that
 * order of precedence, a file name in an earlier directory hiding the same
 * name in a later one) under ROOT. /lib is read because Debian builds
 * systemd 252 with split-usr. Specifiers are expanded for the system
 * instance (%u is root, %t is /run, ...), with %m and os-release read from
 * ROOT. ROOT NULL or "/" is the running system. */
int tmpfiles_config_load(tmpfiles_config *c, const char *root, tmpfiles_warn_fn warn, void *userdata);

/* The root that tmpfiles_config_parse() resolves %m, os-release, user and
 * group names and C sources against, as systemd-tmpfiles --root does. */
int tmpfiles_config_set_root(tmpfiles_config *c, const char *root);

/* Parses one configuration text (for tests and the fuzzer), as one file:
 * FILE names it in warnings. Items are appended to C. */
int tmpfiles_config_parse(tmpfiles_config *c, const char *file, const char *text, size_t size,
                          tmpfiles_warn_fn warn, void *userdata);

void tmpfiles_config_done(tmpfiles_config *c);

/* Rebuilds the index of c->items; called at the end of every parse. */
int tmpfiles_config_index(tmpfiles_config *c);

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
        uid_t uid;              /* lost+found, .journal and aquota.* are spared at a mount's top only when root's */
        const char *mount_root; /* root-relative: the deepest mount point at or above the path, NULL if
                                 * unknown. A mount between a cleaning line's directory and the path
                                 * stops that line, as tmpfiles never crosses into another mount. */
} tmpfiles_file;

typedef struct tmpfiles_verdict {
        tmpfiles_fate fate;
        const tmpfiles_item *rule; /* the aging line, or the line that protects (NULL when the
                                    * protection is not a line: sticky bit, live socket, mount) */
        const char *why;        /* for PROTECTED: "excluded by x", "excluded by X",
                                 * "own entry", "sticky bit", "live socket", "mount point",
                                 * "first level spared by ~", "boot-only line", "device node",
                                 * "lost+found", "journal or quota file", "too deep";
                                 * "aged" for AGED and "no aging line" for UNCOVERED */
        uint64_t age_usec;      /* for AGED */
        bool expired;           /* for AGED: old enough now, by the rule's age-by */
        uint64_t expires_usec;  /* for AGED: CLOCK_REALTIME when it becomes old enough (for F NULL:
                                 * a file made now); UINT64_MAX never */
} tmpfiles_verdict;

/* Evaluates PATH (absolute, root-relative) against C as a run of
 * systemd-tmpfiles --clean at NOW_USEC (CLOCK_REALTIME) would. F may be
 * NULL for a path that does not exist yet: the verdict then says which
 * rule would reach it, and expired is false. */
int tmpfiles_evaluate(const tmpfiles_config *c, const char *path, const tmpfiles_file *f, uint64_t now_usec,
                      tmpfiles_verdict *ret);

/* The part of an evaluation that is the same for every entry of one
 * directory (which lines clean a level above, which stop a walk there),
 * made once: 10,000 sockets in one directory cost one. DIR is absolute. */
typedef struct tmpfiles_plan tmpfiles_plan;
int tmpfiles_plan_dir(const tmpfiles_config *c, const char *dir, tmpfiles_plan **ret);
void tmpfiles_plan_free(tmpfiles_plan *plan);
/* tmpfiles_evaluate() of PATH, an entry of PLAN's directory (anything
 * else is evaluated from scratch). */
int tmpfiles_evaluate_in(const tmpfiles_config *c, const tmpfiles_plan *plan, const char *path,
                         const tmpfiles_file *f, uint64_t now_usec, tmpfiles_verdict *ret);
