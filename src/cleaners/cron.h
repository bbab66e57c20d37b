/* SPDX-License-Identifier: MIT */
#pragma once

/* The cron jobs that delete under a directory, read from a root directory
 * ("/" or --root), and whether something runs cron at all. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source-ref.h"

/* A find/rm/tmpreaper command in a crontab or cron script that deletes
 * under a directory. */
typedef struct cron_cleaner {
        char *dir;              /* the directory it cleans, root-relative */
        char *command;          /* the line, trimmed */
        source_ref source;
        bool sockets;           /* it deletes sockets too (find without -type f, rm -rf, tmpreaper --all) */
        char *pattern;          /* what it deletes: a path, or a glob as the shell expands it
                                 * (see cron_cleaner_covers()) */
        bool recursive;         /* everything below a match goes too (find, rm -r, tmpreaper) */
        char *schedule;         /* "17 3 * * *", "@daily", "daily (/etc/cron.daily)" */
        uint64_t age_usec;      /* only older files (find -mtime +N, tmpreaper <time>); 0 when any age */
        const char *age_by;     /* "mtime", "atime", ...; NULL when any age */
        const char *tool;       /* "find", "rm", "tmpreaper", "tmpwatch" */
} cron_cleaner;

/* Scans /etc/crontab, /etc/cron.d, /etc/cron.{hourly,daily,weekly,monthly}
 * and /var/spool/cron/crontabs (Debian's tmpreaper job excepted:
 * tmpreaper.h reads it with its configuration). */
int cron_cleaners_load(cron_cleaner **ret, size_t *ret_n, const char *root);
void cron_cleaners_free(cron_cleaner *c, size_t n);

/* Whether the cleaner can delete PATH (root-relative, normalized): under dir, and for
 * rm's globs a match as the shell expands it (no dot files for '*'). */
bool cron_cleaner_covers(const cron_cleaner *c, const char *path);

/* The cleaners found in one file's text; FILE is its root-relative name,
 * which also says the format (a crontab with or without the user field, or
 * a run-parts script). Appends to *CLEANERS. For tests and for the loader. */
int cron_cleaners_parse(const char *file, const char *text, cron_cleaner **cleaners, size_t *n);

/* Something that runs the cron directories: cron, cronie, anacron,
 * busybox crond, systemd-cron. 1 and its file in *SOURCE, or 0. */
int cron_daemon_find(const char *root, source_ref *source);
