/* SPDX-License-Identifier: MIT */
/* Where a finding comes from: a root-relative file and a line, which
 * every cleaner reader records so that `check` can name the line that
 * deletes a path, or the file that switches a cleaner off. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "source-ref.h"

void source_ref_done(source_ref *s) {
        if (!s)
                return;
        free(s->file);
        *s = (source_ref) {};
}

int source_ref_set(source_ref *s, const char *file, unsigned line) {
        char *copy = NULL;

        if (file) {
                copy = strdup(file);
                if (!copy)
                        return -ENOMEM;
        }
        free(s->file);
        *s = (source_ref) { .file = copy, .line = line };
        return 0;
}
