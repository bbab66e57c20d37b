/* SPDX-License-Identifier: MIT */
#pragma once

/* Shell text, as far as the cleaner readers need it: commands and their
 * words, and the expansion of a word with the variables the text set. */

#include <stdbool.h>
#include <stddef.h>

#include "source-ref.h"

/* A word as written: quotes and expansions still in it. */
typedef struct shell_word {
        const char *raw;        /* points into the text given to shell_split() */
        size_t len;
        unsigned line;          /* the physical line it starts on */
} shell_word;

/* A simple command. Keywords (if, then, do, !...) stay words; redirections
 * and their targets are dropped; here-documents are skipped. */
typedef struct shell_command {
        shell_word *words;
        size_t n_words;
        bool piped;             /* "|": its output feeds the next command */
} shell_command;

/* Splits TEXT (its first line numbered FIRST_LINE) at newlines, ';', '&',
 * '&&', '||', '|', '(' and ')' outside quotes; backslash-newline joins lines
 * and '#' starts a comment at the start of a word. */
int shell_split(const char *text, unsigned first_line, shell_command **ret, size_t *ret_n);
void shell_commands_free(shell_command *c, size_t n);

typedef struct shell_var {
        char *name;
        char *value;
        source_ref source;      /* the assignment that set it */
} shell_var;

typedef struct shell_vars {
        shell_var *v;
        size_t n;
} shell_vars;

const shell_var *shell_vars_get(const shell_vars *vs, const char *name);
int shell_vars_set(shell_vars *vs, const char *name, const char *value, const source_ref *source);
void shell_vars_done(shell_vars *vs);

/* One field after expansion. */
typedef struct shell_field {
        char *text;
        char *pattern;          /* for pathname expansion: text with the quoted glob characters
                                 * escaped; NULL when no unquoted * ? [ is in it */
        source_ref source;      /* a variable's assignment when the field is that variable alone,
                                 * else the word's own */
} shell_field;

/* Expands W: quotes removed; $V, ${V}, ${V:-w}, ${V-w}, ${V:=w}, ${V:+w}
 * from VARS (unset: empty). SPLIT: unquoted expansions are split on blanks,
 * as in a command's arguments; otherwise one field, as in an assignment.
 * FILE names the word's source. Appends to *FIELDS. Returns 1 when some
 * part could not be known (command substitution, $1, $@...), else 0. */
int shell_expand(const shell_word *w, const shell_vars *vars, bool split, const char *file, shell_field **fields,
                 size_t *n);
void shell_fields_free(shell_field *f, size_t n);
/* W is NAME=...: the length of NAME, else 0. */
size_t shell_assignment_name(const shell_word *w);

/* Matches the components of PATH with those of the glob PATTERN, one
 * fnmatch() each, the way pathname expansion (and glob(3)) does: a
 * wildcard never matches a '/', a leading dot must be explicit. Returns
 * how many components PATH has beyond the pattern's (0: PATH matches), or
 * -1 when they do not match. */
int shell_glob_match(const char *pattern, const char *path);
