/* SPDX-License-Identifier: MIT */
#pragma once

/* The cleaners other than tmpfiles.d lines, and how they are switched on,
 * read from a root directory ("/" or --root): tmpreaper's cron job and
 * configuration, find/rm jobs in cron, systemd-tmpfiles-clean.timer, and
 * tmpfs mounts. Each finding names its source (file and line). */

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

typedef struct source_ref {
        char *file;             /* root-relative, e.g. "/etc/tmpreaper.conf" */
        unsigned line;          /* 1-based; 0 for the file as a whole */
} source_ref;

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
} tmpreaper_config;

int tmpreaper_config_load(tmpreaper_config *c, const char *root);
void tmpreaper_config_done(tmpreaper_config *c);

typedef struct tmpreaper_verdict {
        bool reaches;           /* the path is under one of the dirs */
        bool deletes;           /* it would be deleted once old: reaches, runs, is a socket only with --all,
                                 * not protected */
        const char *protected_by; /* the --protect pattern that matches, or NULL */
        uint64_t age_usec;
} tmpreaper_verdict;

/* IS_SOCKET: the path is (or will be) a socket; tmpreaper without --all
 * only deletes regular files, symlinks and directories. */
void tmpreaper_evaluate(const tmpreaper_config *c, const char *path, bool is_socket, tmpreaper_verdict *ret);

/* A find/rm/tmpreaper command in a crontab or cron script that deletes
 * under a directory. */
typedef struct cron_cleaner {
        char *dir;              /* the directory it cleans, root-relative */
        char *command;          /* the line, trimmed */
        source_ref source;
        bool sockets;           /* it deletes sockets too (find without -type f, rm -rf, tmpreaper --all) */
} cron_cleaner;

/* Scans /etc/crontab, /etc/cron.d, /etc/cron.{hourly,daily,weekly,monthly}
 * and /var/spool/cron/crontabs (the tmpreaper cron job excepted: see above). */
int cron_cleaners_load(cron_cleaner **ret, size_t *ret_n, const char *root);
void cron_cleaners_free(cron_cleaner *c, size_t n);

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

/* Whether PATH is on a tmpfs (emptied at every boot). For ROOT "/" from
 * /proc/self/mountinfo; for another root from its /etc/fstab and an
 * enabled tmp.mount. SOURCE names where that was seen. Returns 1 for tmpfs,
 * 0 for not, negative when it cannot tell. */
int path_on_tmpfs(const char *root, const char *path, source_ref *source);

void source_ref_done(source_ref *s);
