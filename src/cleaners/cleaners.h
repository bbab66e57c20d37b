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

#include "clean-timer.h"
#include "mounts.h"
#include "path-util.h"
#include "source-ref.h"
#include "tmpfiles.h"

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

/* What a tmpreaper command line means, read the way tmpreaper 1.6.17 reads
 * it (getopt_long with permutation). Used for the cron job and for
 * tmpreaper commands in other cron files. */
typedef struct tmpreaper_args {
        bool ok;                /* tmpreaper would run (no usage error, no --test, no --help) */
        const char *error;      /* why not, e.g. "--ctime conflicts with --mtime" */
        size_t error_arg;       /* the argument index it is about */
        bool all, symlinks, force, mtime, mtime_dir, ctime, test;
        size_t all_arg;         /* index of the --all argument */
        uint64_t grace_usec;
        size_t time_arg;        /* index of the time argument, SIZE_MAX if none */
        size_t *protect_args;   /* argument indexes of the --protect patterns... */
        const char **protect;   /* ... and the patterns (pointing into argv) */
        size_t n_protect;
        size_t *dir_args;       /* argument indexes of the directories */
        size_t n_dirs;
} tmpreaper_args;

int tmpreaper_args_parse(char *const *argv, size_t n, tmpreaper_args *ret);
void tmpreaper_args_done(tmpreaper_args *a);
/* tmpreaper's <time>: a number, then the last character says d, h, m or s
 * (anything else means hours); kept in 32 bits as tmpreaper does. */
int tmpreaper_parse_time(const char *s, uint64_t *ret_usec);
/* Matches a --protect pattern ({a,b} braces, then glob(3) per component,
 * leading dots explicit) against PATH; IS_DIR allows a trailing '/'. */
bool tmpreaper_pattern_matches(const char *pattern, const char *path, bool is_dir);

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

/* ---- shell text, as far as the cleaner readers need it (cron-cleaners.c) ---- */

/* A word as written: quotes and expansions still in it. */
typedef struct shell_word {
        const char *raw;        /* points into the text given to shell_split() */
        size_t len;
        unsigned line;          /* the physical line it starts on */
} shell_word;

/* A simple command. Keywords (if, then, do, !...) stay words; redirections
 * and their targets are dropped; here-documents are skipped. */
typedef struct shell_command {
        shell_word *words;
        size_t n_words;
        bool piped;             /* "|": its output feeds the next command */
} shell_command;

/* Splits TEXT (its first line numbered FIRST_LINE) at newlines, ';', '&',
 * '&&', '||', '|', '(' and ')' outside quotes; backslash-newline joins lines
 * and '#' starts a comment at the start of a word. */
int shell_split(const char *text, unsigned first_line, shell_command **ret, size_t *ret_n);
void shell_commands_free(shell_command *c, size_t n);

typedef struct shell_var {
        char *name;
        char *value;
        source_ref source;      /* the assignment that set it */
} shell_var;

typedef struct shell_vars {
        shell_var *v;
        size_t n;
} shell_vars;

const shell_var *shell_vars_get(const shell_vars *vs, const char *name);
int shell_vars_set(shell_vars *vs, const char *name, const char *value, const source_ref *source);
void shell_vars_done(shell_vars *vs);

/* One field after expansion. */
typedef struct shell_field {
        char *text;
        char *pattern;          /* for pathname expansion: text with the quoted glob characters
                                 * escaped; NULL when no unquoted * ? [ is in it */
        source_ref source;      /* a variable's assignment when the field is that variable alone,
                                 * else the word's own */
} shell_field;

/* Expands W: quotes removed; $V, ${V}, ${V:-w}, ${V-w}, ${V:=w}, ${V:+w}
 * from VARS (unset: empty). SPLIT: unquoted expansions are split on blanks,
 * as in a command's arguments; otherwise one field, as in an assignment.
 * FILE names the word's source. Appends to *FIELDS. Returns 1 when some
 * part could not be known (command substitution, $1, $@...), else 0. */
int shell_expand(const shell_word *w, const shell_vars *vars, bool split, const char *file, shell_field **fields,
                 size_t *n);
void shell_fields_free(shell_field *f, size_t n);
/* W is NAME=...: the length of NAME, else 0. */
size_t shell_assignment_name(const shell_word *w);

/* Something that runs the cron directories: cron, cronie, anacron,
 * busybox crond, systemd-cron. 1 and its file in *SOURCE, or 0. */
int cron_daemon_find(const char *root, source_ref *source);
