/* SPDX-License-Identifier: MIT */
/* Source references: the file and line that every cleaner reader records
 * with what it found, and their "file:line" form in reasons and JSON. */

#include <errno.h>
#include <stdio.h>
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

char *source_ref_to_string(const source_ref *s) {
        char digits[10], *text;
        size_t len, i = sizeof(digits);
        unsigned line;

        if (!s || !s->file)
                return NULL;
        if (s->line == 0)
                return strdup(s->file);
        /* "%s:%u", without printf: a check of 1,000 paths makes 1,000s. */
        for (line = s->line; line > 0; line /= 10)
                digits[--i] = (char) ('0' + line % 10);
        len = strlen(s->file);
        text = malloc(len + 1 + (sizeof(digits) - i) + 1);
        if (!text)
                return NULL;
        memcpy(text, s->file, len);
        text[len] = ':';
        memcpy(text + len + 1, digits + i, sizeof(digits) - i);
        text[len + 1 + sizeof(digits) - i] = '\0';
        return text;
}
