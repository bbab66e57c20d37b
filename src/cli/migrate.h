/* SPDX-License-Identifier: MIT */
#pragma once

/* sockkeeper migrate: the plan (migrate-plan.c) that moves a service's
 * sockets into its runtime directory, and its renderings (migrate-render.c). */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "unit-sockets.h"

/* The first line of every file migrate writes; --write replaces only
 * files that start with it, and the reader leaves them out, so that a
 * second run plans from the unit as the admin wrote it. */
#define MIGRATE_MARK "# Written by sockkeeper migrate"
#define MIGRATE_DROPIN "90-sockkeeper-migrate.conf"

typedef struct migrate_options {
        const char *root;       /* NULL for "/" */
        bool user;              /* the user manager's units */
} migrate_options;

typedef enum migrate_fate {
        MIGRATE_MOVE,           /* moved to new_path */
        MIGRATE_KEEP,           /* fine where it is (a runtime directory, an abstract name) */
        MIGRATE_UNMAPPED,       /* needs a person: why says why */
} migrate_fate;

typedef struct migrate_socket {
        char *old_path;         /* raw, as the units write it */
        char *new_path;         /* MOVE: "%t/NAME/FILE" */
        char *shown_path;       /* MOVE: /run/NAME/FILE, or $XDG_RUNTIME_DIR/NAME/FILE */
        char *socket_unit;      /* the socket unit that listens on it, or NULL */
        migrate_fate fate;
        char *why;              /* KEEP and UNMAPPED: in words */
        unit_socket_refs refs;  /* where the units name it */
} migrate_socket;

typedef struct migrate_problem {
        const char *kind;       /* "private-tmp", "dynamic-user", "shared-path", "environment-file", ... */
        char *text;
        char *source;           /* "file:line" or NULL */
} migrate_problem;

typedef struct migrate_file {
        char *path;             /* root-relative: where --write puts it */
        char *unit;             /* the unit it is a drop-in for; NULL for a tmpfiles.d file */
        char *content;
} migrate_file;

typedef struct migrate_plan {
        char *unit;             /* the unit the drop-in is for, as asked (an instance stays one) */
        char *fragment;         /* root-relative, or the file given */
        bool user;
        char *runtime_name;     /* RuntimeDirectory= */
        migrate_socket *sockets;
        size_t n_sockets;
        migrate_problem *problems;
        size_t n_problems;
        char **notes;           /* what the admin does after installing */
        size_t n_notes;
        migrate_file *files;
        size_t n_files;
} migrate_plan;

/* Reads UNIT (a name in the search path, or a file path) and plans the
 * move. Bad lines of unit files are logged as FILE:LINE and skipped.
 * -ENOENT (logged) when there is no such unit, -EINVAL (logged) for a
 * name that is no service. */
int migrate_plan_build(const migrate_options *o, const char *unit, migrate_plan *ret);
void migrate_plan_done(migrate_plan *p);

size_t migrate_plan_count(const migrate_plan *p, migrate_fate fate);

void migrate_print_human(const migrate_plan *p, FILE *f);
/* PRETTY: indented; else one line. */
void migrate_print_json(const migrate_plan *p, bool written, bool pretty, FILE *f);
/* A unified diff of every file against what is under ROOT now. */
int migrate_print_diff(const migrate_plan *p, const char *root, FILE *f);
