/* SPDX-License-Identifier: MIT */
/* The tools' string lists (see strv.h), and the formatting of the strings
 * they and the tools' messages hold. */

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

int strv_push(char ***l, size_t *n, char *s) {
        char **p;

        if (!s)
                return -ENOMEM;
        /* A list has no capacity of its own: the allocator knows how much
         * room it has. Doubling when it is full keeps a list of 30,000
         * names from being copied 30,000 times. */
        if (*l && (*n + 1) * sizeof(char *) <= malloc_usable_size(*l))
                p = *l;
        else {
                p = reallocarray(*l, *n < 8 ? 8 : *n * 2, sizeof(char *));
                if (!p) {
                        free(s);
                        return -ENOMEM;
                }
        }
        p[(*n)++] = s;
        *l = p;
        return 0;
}

int vasprintf_quick(char **ret, const char *fmt, va_list ap) {
        char line[512];
        va_list copy;
        int n;

        va_copy(copy, ap);
        n = vsnprintf(line, sizeof(line), fmt, copy);
        va_end(copy);
        if (n < 0)
                return n;
        if ((size_t) n >= sizeof(line))
                return vasprintf(ret, fmt, ap);
        *ret = strdup(line);
        return *ret ? n : -1;
}

int strv_pushf(char ***l, size_t *n, const char *fmt, ...) {
        va_list ap;
        char *s;
        int k;

        va_start(ap, fmt);
        k = vasprintf_quick(&s, fmt, ap);
        va_end(ap);
        return strv_push(l, n, k < 0 ? NULL : s);
}

int strv_extend(char ***l, size_t *n, const char *s) {
        return strv_push(l, n, strdup(s));
}

void strv_free_n(char **l, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(l[i]);
        free(l);
}

bool strv_contains(char **l, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(l[i], s) == 0)
                        return true;
        return false;
}

int strv_index(const char *const *l, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (l[i] && strcmp(l[i], s) == 0)
                        return (int) i;
        return -ENOENT;
}

int strv_add_unique(char ***l, size_t *n, const char *s) {
        if (strv_contains(*l, *n, s))
                return 0;
        return strv_extend(l, n, s);
}

int strv_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}
