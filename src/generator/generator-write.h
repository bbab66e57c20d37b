/* SPDX-License-Identifier: MIT */
#pragma once

/* The generator's files, written all or nothing: each file appears under
 * its name complete or not at all, and a failure removes what this run
 * had created, so that systemd never loads a partial set. */

#include <sys/types.h>

typedef struct gen_created {
        char *dir;              /* one component below the output directory */
        char *name;             /* NULL: the directory itself */
        dev_t dev;
        ino_t ino;
} gen_created;

typedef struct gen_writer {
        const char *dest;
        int dest_fd;
        gen_created *created;
        size_t n_created;
} gen_writer;

/* Opens DEST. Returns 0, or a negative errno after logging. */
int gen_writer_open(gen_writer *w, const char *dest);

/* Creates DEST/DIR/NAME with TEXT, never over an existing file (other
 * generators share DEST) and never through a symlink. DIR is created
 * when missing. Returns 0, or a negative errno after logging. */
int gen_writer_file(gen_writer *w, const char *dir, const char *name, const char *text);

/* Creates the symlink DEST/DIR/NAME -> TARGET, likewise. */
int gen_writer_link(gen_writer *w, const char *dir, const char *name, const char *target);

/* Removes, newest first, what this writer created, each entry only if it
 * is still the inode that was created. */
void gen_writer_rollback(gen_writer *w);

void gen_writer_done(gen_writer *w);
