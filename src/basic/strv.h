/* SPDX-License-Identifier: MIT */
#pragma once

/* A growable array of strings with an explicit count: the one list type
 * the tools use for paths, patterns and messages. */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Appends S, taking ownership; on failure S is freed. -ENOMEM for a NULL S,
 * so that "strv_push(&l, &n, strdup(x))" needs no check of its own. */
int strv_push(char ***l, size_t *n, char *s);

/* Appends the formatted string. */
int strv_pushf(char ***l, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* vasprintf() for the strings that go into lists, reasons and messages:
 * a line or so is formatted on the stack and copied once, where glibc's
 * vasprintf() grows its buffer as it goes, at more than the text costs. */
int vasprintf_quick(char **ret, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Appends a copy of S. */
int strv_extend(char ***l, size_t *n, const char *s);

/* Frees the N strings and the array. */
void strv_free_n(char **l, size_t n);

/* Whether S is one of the N strings of L. */
bool strv_contains(char **l, size_t n, const char *s);
/* The index of S among the N strings of L (a name table; NULL entries are
 * skipped), or -ENOENT. */
int strv_index(const char *const *l, size_t n, const char *s);

/* qsort() and bsearch() comparison of two string pointers. */
int strv_cmp(const void *a, const void *b);

/* Appends a copy of S unless it is there already; 0 either way. */
int strv_add_unique(char ***l, size_t *n, const char *s);
