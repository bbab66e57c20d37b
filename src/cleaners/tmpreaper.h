/* SPDX-License-Identifier: MIT */
#pragma once

/* tmpreaper as Debian's daily job runs it, read from a root directory
 * ("/" or --root): what the job is set to do, and what it does with a
 * path. PATHs are absolute and normalized (path_normalize()). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "source-ref.h"
#include "tmpreaper-args.h"

typedef struct tmpreaper_config {
        bool installed;         /* /usr/sbin/tmpreaper exists */
        bool cron_job;          /* /etc/cron.daily/tmpreaper exists */
        bool runs;              /* the cron job would clean: installed, cron_job, SHOWWARNING
                                 * not "true", RUNFROMCRON "true" */
        source_ref disabled_by; /* why it does not run (file NULL when it runs) */
        const char *disabled_reason; /* e.g. "SHOWWARNING=true", "RUNFROMCRON is not true" */
        uint64_t age_usec;      /* TMPREAPER_TIME, or TMPTIME from /etc/default/rcS; default 7d */
        source_ref age_source;
        char **dirs;            /* TMPREAPER_DIRS, root-relative, e.g. "/tmp/." */
        size_t n_dirs;
        source_ref dirs_source;
        char **protect;         /* the --protect patterns: the cron job's own and TMPREAPER_PROTECT_EXTRA */
        size_t n_protect;
        tmpreaper_pattern *protect_compiled; /* parallel to protect: made ready for matching */
        bool all;               /* --all in TMPREAPER_ADDITIONALOPTIONS: sockets are deleted too */
        source_ref all_source;
        source_ref *protect_sources; /* parallel to protect: the cron job's line, or the conf's */
        bool symlinks, force, mtime, mtime_dir, ctime; /* the options of the command it runs */
        bool cron_daemon;       /* something runs /etc/cron.daily (see cron_daemon_find()); "runs"
                                 * does not depend on it: without one the job never starts */
        source_ref cron_daemon_source;
        char **argv;            /* the command the cron job runs, after the shell's expansion */
        size_t n_argv;
        char **skip_mounts;     /* mount points below the dirs (live root only): tmpreaper does not enter them */
        size_t n_skip_mounts;
        char **resolved_dirs;   /* parallel to dirs: as tmpreaper sees them, from "/" and normalized */
} tmpreaper_config;

int tmpreaper_config_load(tmpreaper_config *c, const char *root);
void tmpreaper_config_done(tmpreaper_config *c);

typedef struct tmpreaper_verdict {
        bool reaches;           /* the path is under one of the dirs */
        bool deletes;           /* it would be deleted once old: reaches, runs, is a socket only with --all,
                                 * not protected */
        const char *protected_by; /* the --protect pattern that matches, or NULL */
        uint64_t age_usec;

        const source_ref *protected_source; /* where protected_by comes from */
        const char *kept_because; /* it reaches the path but leaves it alone, not by --protect: why */
        const char *age_by;     /* which times must all be older than age_usec: "atime and ctime", ... */
} tmpreaper_verdict;

/* IS_SOCKET: the path is (or will be) a socket; tmpreaper without --all
 * only deletes regular files, symlinks and directories. */
void tmpreaper_evaluate(const tmpreaper_config *c, const char *path, bool is_socket, tmpreaper_verdict *ret);

/* The same knowing what is at PATH: ST is its lstat() (NULL: not there
 * yet, a socket to be). The type, the owner and u+w decide, as in
 * tmpreaper. The cron job runs as root. */
void tmpreaper_evaluate_stat(const tmpreaper_config *c, const char *path, const struct stat *st,
                             tmpreaper_verdict *ret);

/* Evaluates PATH (absolute, normalized here) as it is under ROOT now:
 * lstat()s it and the directories above it (a root-owned directory
 * without u+w, another device or a symlink on the way keeps tmpreaper
 * out). */
int tmpreaper_evaluate_at(const tmpreaper_config *c, const char *root, const char *path, tmpreaper_verdict *ret);

/* The stats of the directories that evaluations walk through: the cleaned
 * directories and those on the way down, which most paths share. A ring
 * of the latest few, so that 10,000 sockets in one directory cost one
 * stat of it, and no run makes it grow. Its keeper keeps it for one run
 * over a tree that is not expected to change meanwhile. */
#define TMPREAPER_STAT_MEMO_SIZE 16

typedef struct tmpreaper_stat_memo {
        struct {
                char kind;      /* 'l' (lstat) or 'f' (followed) */
                char *root;
                char *path;
                int r;
                struct stat st;
        } e[TMPREAPER_STAT_MEMO_SIZE];
        unsigned next;
        /* The way from a cleaned directory down to the latest directory
         * that held an evaluated path: what stopped tmpreaper on it, if
         * anything, and the cleaned directory's stat. The entries of one
         * directory share it. */
        struct {
                const char *dir;        /* the cleaned directory (the config's string), NULL: none */
                char *root, *parent;
                bool have_dir_st;
                struct stat dir_st;
                const char *kept_because;
                size_t protected_idx;   /* SIZE_MAX: none */
        } way;
} tmpreaper_stat_memo;

void tmpreaper_stat_memo_done(tmpreaper_stat_memo *m);

/* The same as tmpreaper_evaluate_at(), for a caller that has lstat()ed
 * PATH under ROOT already; the directories' stats go through MEMO (may be
 * NULL). */
void tmpreaper_evaluate_found(const tmpreaper_config *c, tmpreaper_stat_memo *memo, const char *root,
                              const char *path, const struct stat *st, tmpreaper_verdict *ret);
