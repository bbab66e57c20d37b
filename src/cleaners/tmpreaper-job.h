/* SPDX-License-Identifier: MIT */
#pragma once

/* Debian's /etc/cron.daily/tmpreaper, interpreted as the shell would run
 * it: for the configuration reader (tmpreaper-config.c). */

#include <stdbool.h>
#include <stddef.h>

#include "shell.h"
#include "source-ref.h"

/* An argument of the tmpreaper command the job runs. */
typedef struct tmpreaper_job_arg {
        char *text;
        source_ref source;      /* where its text was set: the job's line, or a variable's assignment */
} tmpreaper_job_arg;

typedef struct tmpreaper_job {
        const char *root;
        shell_vars vars;        /* the job's variables as it goes */
        tmpreaper_job_arg *argv; /* the tmpreaper command, after the program name */
        size_t n_argv;
        bool found_command;
        bool rcs_done;          /* TMPTIME was read from /etc/default/rcS */
        const char *exit_reason; /* an exit before the command: why the job stops there ... */
        source_ref exit_source;  /* ... and the setting (or line) that decides it */
} tmpreaper_job;

void tmpreaper_job_done(tmpreaper_job *j);

/* Runs through TEXT, the job's script called FILE, doing to J what the
 * shell would do to its variables; finds the tmpreaper command and the
 * first exit before it. Nothing is executed. */
int tmpreaper_job_interpret(tmpreaper_job *j, const char *text, const char *file);

/* ". FILE": its assignments, in order, into J's variables; its other
 * commands are not run. A missing or unreadable FILE sets nothing. */
int tmpreaper_job_source(tmpreaper_job *j, const char *file);

/* test(1)'s file operators under ROOT: "-x", "-s", "-f", "-e", "-d".
 * 1 true, 0 false (a missing file too). */
int root_file_test(const char *root, const char *op, const char *path);
