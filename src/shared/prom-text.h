/* SPDX-License-Identifier: MIT */
#pragma once

/* Prometheus' text exposition format (version 0.0.4), as node_exporter's
 * textfile collector and `promtool check metrics` read it: scan's
 * --format=prometheus and the guard's --metrics-file=. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The first line of every file written here: what --output and
 * --metrics-file may replace (a file without it is someone else's). */
#define PROM_TEXT_MARK "# sockkeeper metrics"

/* The exposition built in memory (open_memstream), so that a file gets
 * all of it or nothing. */
typedef struct prom_text {
        FILE *f;
        char *data;
        size_t size;
} prom_text;

/* Starts P with PROM_TEXT_MARK and WHAT ("written by ..."). -ENOMEM. */
int prom_text_open(prom_text *p, const char *what);
/* Ends writing: P->data and P->size hold the text. -ENOMEM when some of
 * it could not be written. */
int prom_text_close(prom_text *p);
void prom_text_done(prom_text *p);

/* "# HELP NAME HELP" and "# TYPE NAME TYPE" (gauge, counter). */
void prom_family(FILE *f, const char *name, const char *type, const char *help);
/* VALUE as a label value, quoted: backslash, double quote and newline
 * escaped as the format wants; a byte that is not part of well-formed
 * UTF-8 (which the format requires) as the four characters \xNN. */
void prom_label_value(FILE *f, const char *value);

/* Writes DATA to the absolute PATH atomically: a temporary file in the
 * same directory, then rename(), so that a reader (the textfile
 * collector) sees the old file or the new one. No symlink is followed,
 * and a file that does not start with PROM_TEXT_MARK is not replaced.
 * Failures are logged with PATH; returns a negative errno. MISSING_DIR_OK:
 * a directory on the way that does not exist is -ENOENT, not logged (the
 * textfile directory of a machine without node_exporter). */
int prom_write_file(const char *path, const char *data, size_t size, bool missing_dir_ok);
