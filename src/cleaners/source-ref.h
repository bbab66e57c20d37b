/* SPDX-License-Identifier: MIT */
#pragma once

/* Where a finding comes from: a file under the root, and a line in it.
 * Every reason `check` gives names one, so that the admin can look. */

typedef struct source_ref {
        char *file;             /* root-relative, e.g. "/etc/tmpreaper.conf" */
        unsigned line;          /* 1-based; 0 for the file as a whole */
} source_ref;

void source_ref_done(source_ref *s);
/* Replaces *S with a copy of FILE (NULL: no source) and LINE. */
int source_ref_set(source_ref *s, const char *file, unsigned line);
/* "file:line", or "file" for a whole file; NULL for no source (or out of
 * memory). */
char *source_ref_to_string(const source_ref *s);
