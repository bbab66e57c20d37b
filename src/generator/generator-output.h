/* SPDX-License-Identifier: MIT */
#pragma once

/* What sockkeeper-generator writes: the protected paths it collected,
 * rendered as two argument lists, the drop-ins that name them and the
 * symlinks that pull the units in (sockkeeper-generator(8)), written into
 * the output directory all or nothing. */

#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>

#include "annotations.h"

/* What sockkeeper-tmpfiles.service writes from the generator's list. */
#define TMPFILES_CONF "/run/tmpfiles.d/sockkeeper.conf"

typedef struct gen_guard_group {
        char *unit;
        on_loss on_loss;        /* resolved: never ON_LOSS_DEFAULT */
        char *owner;            /* whose sockets the guard keeps (User=), or NULL: the
                                 * guard's own rule (root for a socket unit) */
        char **paths;           /* concrete, normalized */
        size_t n_paths;
} gen_guard_group;

typedef struct gen_output {
        char **tmpfiles;        /* paths and globs ('*' from a template), unescaped */
        size_t n_tmpfiles;
        bool *tmpfiles_glob;    /* per path: it came from a template */
        size_t allocated_tmpfiles_glob;
        gen_guard_group *groups;
        size_t n_groups, allocated_groups;
        char **socket_units;    /* socket units enrolled with the guard */
        size_t n_socket_units;
        bool tmpfiles_in_place; /* TMPFILES_CONF exists: an earlier run's
                                 * exclusions, to be rewritten even when nothing is protected now */
} gen_output;

void gen_output_done(gen_output *o);

/* Adds PATH to the tmpfiles list; see gen_output_dedupe(). */
int gen_output_add_tmpfiles(gen_output *o, const char *path, bool glob);

/* Merges the paths added more than once: each tmpfiles path once (in the
 * order first added), and each guard path in one group only, the socket
 * unit's when there is one (the guard refuses a path given twice). */
int gen_output_dedupe(gen_output *o);

/* Renders and writes everything into DEST, which must be absolute: the
 * drop-ins name the lists by their path. With the lists goes
 * sockkeeper/tmpfiles.pending, which has sockkeeper-tmpfiles.path start
 * sockkeeper-tmpfiles.service after a daemon-reload. Nothing is written
 * when nothing is protected, but that file when earlier exclusions are in
 * place (they become empty); after a failure, nothing this call wrote is
 * left. Returns 0, or a negative errno after logging. */
int gen_output_write(const gen_output *o, const char *dest);
