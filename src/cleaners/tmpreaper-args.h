/* SPDX-License-Identifier: MIT */
#pragma once

/* tmpreaper's command line and its --protect patterns. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* A --protect pattern made ready once for matching many paths: its
 * literal head, which every alternative starts with, and its brace
 * alternatives, normalized. */
typedef struct tmpreaper_pattern {
        size_t head;            /* a path that does not start with the pattern's first HEAD bytes... */
        bool head_rejects;      /* ... cannot match, when this is set */
        char **alts;            /* normalized; NULL when normalizing failed */
        bool *dir_only;         /* the alternative ended in '/' */
        size_t n_alts;          /* 0: a malformed pattern, which matches nothing */
} tmpreaper_pattern;

int tmpreaper_pattern_compile(const char *pattern, tmpreaper_pattern *ret);
void tmpreaper_pattern_done(tmpreaper_pattern *p);
/* Matches a --protect pattern ({a,b} braces, then glob(3) per component,
 * leading dots explicit) against PATH; IS_DIR allows a trailing '/'. */
bool tmpreaper_pattern_match(const tmpreaper_pattern *p, const char *pattern, const char *path, bool is_dir);
/* The same for a pattern used once. */
bool tmpreaper_pattern_matches(const char *pattern, const char *path, bool is_dir);
