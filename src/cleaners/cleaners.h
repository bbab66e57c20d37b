/* SPDX-License-Identifier: MIT */
#pragma once

/* The cleaners other than tmpfiles.d lines, and how they are switched on,
 * read from a root directory ("/" or --root): tmpreaper's cron job and
 * configuration, find/rm jobs in cron, systemd-tmpfiles-clean.timer, and
 * tmpfs mounts. Each finding names its source (file and line). */

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/stat.h>

#include "path-util.h"
#include "shell.h"
#include "source-ref.h"
#include "tmpfiles.h"
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
        bool all;               /* --all in TMPREAPER_ADDITIONALOPTIONS: sockets are deleted too */
        source_ref all_source;

        /* Added with the implementation: */
        source_ref *protect_sources; /* parallel to protect: the cron job's line, or the conf's */
        bool symlinks, force, mtime, mtime_dir, ctime; /* the options of the command it runs */
        bool cron_daemon;       /* something runs /etc/cron.daily (see cron_daemon_find()); "runs"
                                 * does not depend on it: without one the job never starts */
        source_ref cron_daemon_source;
        char **argv;            /* the command the cron job runs, after the shell's expansion */
        size_t n_argv;
        char **skip_mounts;     /* mount points below the dirs (live root only): tmpreaper does not enter them */
        size_t n_skip_mounts;
        struct dir_stat_memo *memo; /* the directories' stats, taken once per load (see tmpreaper.c) */
} tmpreaper_config;

int tmpreaper_config_load(tmpreaper_config *c, const char *root);
void tmpreaper_config_done(tmpreaper_config *c);

typedef struct tmpreaper_verdict {
        bool reaches;           /* the path is under one of the dirs */
        bool deletes;           /* it would be deleted once old: reaches, runs, is a socket only with --all,
                                 * not protected */
        const char *protected_by; /* the --protect pattern that matches, or NULL */
        uint64_t age_usec;

        /* Added with the implementation: */
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

/* Evaluates PATH as it is under ROOT now: lstat()s it and the directories
 * above it (a root-owned directory without u+w, another device or a symlink
 * on the way keeps tmpreaper out). */
int tmpreaper_evaluate_at(const tmpreaper_config *c, const char *root, const char *path, tmpreaper_verdict *ret);
/* The same, for a caller that has lstat()ed PATH under ROOT already. */
void tmpreaper_evaluate_found(const tmpreaper_config *c, const char *root, const char *path, const struct stat *st,
                              tmpreaper_verdict *ret);

/* A find/rm/tmpreaper command in a crontab or cron script that deletes
 * under a directory. */
typedef struct cron_cleaner {
        char *dir;              /* the directory it cleans, root-relative */
        char *command;          /* the line, trimmed */
        source_ref source;
        bool sockets;           /* it deletes sockets too (find without -type f, rm -rf, tmpreaper --all) */

        /* Added with the implementation: */
        char *pattern;          /* what it deletes: a path, or a glob as the shell expands it
                                 * (see cron_cleaner_covers()) */
        bool recursive;         /* everything below a match goes too (find, rm -r, tmpreaper) */
        char *schedule;         /* "17 3 * * *", "@daily", "daily (/etc/cron.daily)" */
        uint64_t age_usec;      /* only older files (find -mtime +N, tmpreaper <time>); 0 when any age */
        const char *age_by;     /* "mtime", "atime", ...; NULL when any age */
        const char *tool;       /* "find", "rm", "tmpreaper", "tmpwatch" */
} cron_cleaner;

/* Scans /etc/crontab, /etc/cron.d, /etc/cron.{hourly,daily,weekly,monthly}
 * and /var/spool/cron/crontabs (the tmpreaper cron job excepted: see above). */
int cron_cleaners_load(cron_cleaner **ret, size_t *ret_n, const char *root);
void cron_cleaners_free(cron_cleaner *c, size_t n);

/* Whether the cleaner can delete PATH (root-relative): under dir, and for
 * rm's globs a match as the shell expands it (no dot files for '*'). */
bool cron_cleaner_covers(const cron_cleaner *c, const char *path);

/* The cleaners found in one file's text; FILE is its root-relative name,
 * which also says the format (a crontab with or without the user field, or
 * a run-parts script). Appends to *CLEANERS. For tests and for the loader. */
int cron_cleaners_parse(const char *file, const char *text, cron_cleaner **cleaners, size_t *n);

/* Something that runs the cron directories: cron, cronie, anacron,
 * busybox crond, systemd-cron. 1 and its file in *SOURCE, or 0. */
int cron_daemon_find(const char *root, source_ref *source);

typedef enum timer_state {
        TIMER_ABSENT,           /* no systemd-tmpfiles-clean.timer unit */
        TIMER_DISABLED,         /* present, not pulled in by timers.target */
        TIMER_ENABLED,
        TIMER_MASKED,           /* a symlink to /dev/null in /etc or /run */
} timer_state;

/* systemd-tmpfiles-clean.timer under ROOT: the unit search path and the
 * .wants/ symlinks, as systemctl is-enabled would see them. SOURCE names the
 * deciding file. */
timer_state tmpfiles_clean_timer_state(const char *root, source_ref *source);

/* Reports through WARN each directory of that search path under ROOT that
 * is there but cannot be listed or searched (EACCES, as an unprivileged
 * user): a unit there may enable or mask the timer or tmp.mount, so what
 * is said of them may be wrong. Returns how many were reported. */
unsigned unit_dirs_warn_unreadable(const char *root, tmpfiles_warn_fn warn, void *userdata);

/* Whether PATH is on a tmpfs (emptied at every boot). For ROOT "/" from
 * /proc/self/mountinfo; for another root from its /etc/fstab and an
 * enabled tmp.mount. SOURCE names where that was seen. Returns 1 for tmpfs,
 * 0 for not, negative when it cannot tell. */
int path_on_tmpfs(const char *root, const char *path, source_ref *source);

/* The same for many paths: the mount table (and, offline, tmp.mount's
 * state) read once. */
typedef struct mount_entry mount_entry;
typedef struct tmpfs_table {
        bool live;
        mount_entry *mounts;    /* mountinfo (live) or fstab (offline) */
        size_t n_mounts;
        bool tmp_mount;         /* offline: an enabled tmp.mount ... */
        bool tmp_mount_in_etc;  /* ... whose unit file is in /etc ... */
        bool tmp_mount_tmpfs;   /* ... and mounts a tmpfs */
        source_ref tmp_mount_source;
} tmpfs_table;

int tmpfs_table_load(tmpfs_table *t, const char *root);
int tmpfs_table_lookup(const tmpfs_table *t, const char *path, source_ref *source);
void tmpfs_table_done(tmpfs_table *t);

/* ---- helpers shared by the cleaner readers (systemd-state.c) ---- */

/* One line of /proc/self/mountinfo or of an fstab. */
struct mount_entry {
        char *where;            /* the mount point, unescaped (\040 is a space) */
        char *fstype;
        unsigned line;
        int id, parent_id;      /* mountinfo's; -1 for fstab */
};

/* Parse mountinfo or fstab text (fstab: comments and noauto lines skipped). */
int mountinfo_parse(const char *text, mount_entry **ret, size_t *ret_n);
int fstab_parse(const char *text, mount_entry **ret, size_t *ret_n);
void mount_entries_free(mount_entry *m, size_t n);
/* The mount that holds PATH. mountinfo: walked down from the root mount
 * through the children whose mount point leads to PATH, the last one
 * listed on top; fstab: the longest mount point, the last line on a tie.
 * NULL when none. */
const mount_entry *mount_entries_find(const mount_entry *m, size_t n, const char *path);

