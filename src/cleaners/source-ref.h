/* SPDX-License-Identifier: MIT */
#pragma once

/* A file and line that a finding comes from. */

typedef struct source_ref {
        char *file;             /* root-relative, e.g. "/etc/tmpreaper.conf" */
        unsigned line;          /* 1-based; 0 for the file as a whole */
} source_ref;

void source_ref_done(source_ref *s);
/* Sets S to a copy of FILE (NULL for none) and LINE: 0 or -ENOMEM, S
 * untouched then. */
int source_ref_set(source_ref *s, const char *file, unsigned line);
