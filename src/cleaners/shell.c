/* SPDX-License-Identifier: MIT */
/* The shell text of cron jobs and of the scripts they run, read as far as
 * the cleaner readers need it and never executed: cut into simple commands
 * (quotes, here-documents, redirections and comments as sh(1) sees them),
 * and words expanded with the variables that the text itself assigned,
 * each field remembering which assignment it came from. What depends on
 * running something (command substitution, $1) is reported as unknown. */

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "shell.h"

#define IFS_BLANK " \t\n"

/* ---- splitting shell text into commands ---- */

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

static bool is_op_char(char c) {
        return c != '\0' && strchr(";&|()<>", c);
}

/* Skips a $( ... ) or $(( ... )) starting at P (pointing at '$'). */
static const char *skip_paren(const char *p, unsigned *line) {
        int depth = 0;

        p++; /* '$' */
        for (; *p; p++) {
                if (*p == '\n')
                        (*line)++;
                if (*p == '\\' && p[1]) {
                        if (p[1] == '\n')
                                (*line)++;
                        p++;
                } else if (*p == '\'') {
                        for (p++; *p && *p != '\''; p++)
                                if (*p == '\n')
                                        (*line)++;
                        if (!*p)
                                return p;
                } else if (*p == '(')
                        depth++;
                else if (*p == ')' && --depth == 0)
                        return p + 1;
        }
        return p;
}

static const char *skip_backtick(const char *p, unsigned *line) {
        for (p++; *p && *p != '`'; p++) {
                if (*p == '\n')
                        (*line)++;
                if (*p == '\\' && p[1])
                        p++;
        }
        return *p ? p + 1 : p;
}

static const char *skip_brace(const char *p, unsigned *line) {
        int depth = 0;

        for (p++; *p; p++) {
                if (*p == '\n')
                        (*line)++;
                if (*p == '\\' && p[1])
                        p++;
                else if (*p == '{')
                        depth++;
                else if (*p == '}' && depth-- == 0)
                        return p + 1;
        }
        return p;
}

/* The end of the word that starts at P. */
static const char *scan_word(const char *p, unsigned *line) {
        while (*p) {
                char c = *p;

                if (c == '\\') {
                        if (p[1] == '\n')
                                (*line)++;
                        p += p[1] ? 2 : 1;
                } else if (c == '\'') {
                        for (p++; *p && *p != '\''; p++)
                                if (*p == '\n')
                                        (*line)++;
                        if (*p)
                                p++;
                } else if (c == '"') {
                        for (p++; *p && *p != '"';) {
                                if (*p == '\n')
                                        (*line)++;
                                if (*p == '\\' && p[1]) {
                                        if (p[1] == '\n')
                                                (*line)++;
                                        p += 2;
                                } else if (*p == '`')
                                        p = skip_backtick(p, line);
                                else if (*p == '$' && p[1] == '(')
                                        p = skip_paren(p, line);
                                else
                                        p++;
                        }
                        if (*p)
                                p++;
                } else if (c == '`')
                        p = skip_backtick(p, line);
                else if (c == '$' && p[1] == '(')
                        p = skip_paren(p, line);
                else if (c == '$' && p[1] == '{')
                        p = skip_brace(p + 1, line);
                else if (is_blank(c) || c == '\n' || is_op_char(c))
                        break;
                else
                        p++;
        }
        return p;
}

void shell_commands_free(shell_command *c, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(c[i].words);
        free(c);
}

typedef struct splitter {
        shell_command *cmds;
        size_t n;
        shell_command cur;
} splitter;

static int end_command(splitter *s, bool piped) {
        shell_command *p;

        if (s->cur.n_words == 0)
                return 0;
        p = reallocarray(s->cmds, s->n + 1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        s->cmds = p;
        s->cur.piped = piped;
        s->cmds[s->n++] = s->cur;
        s->cur = (shell_command) {};
        return 0;
}

static int add_word(splitter *s, const char *start, const char *end, unsigned line) {
        shell_word *p = reallocarray(s->cur.words, s->cur.n_words + 1, sizeof(*p));

        if (!p)
                return -ENOMEM;
        s->cur.words = p;
        p[s->cur.n_words++] = (shell_word) { .raw = start, .len = (size_t) (end - start), .line = line };
        return 0;
}

/* The unquoted text of a here-document's delimiter word. */
static void heredoc_delimiter(const char *w, size_t len, char *buf, size_t size) {
        size_t o = 0;

        for (size_t i = 0; i < len && o + 1 < size; i++)
                if (w[i] != '\'' && w[i] != '"' && w[i] != '\\')
                        buf[o++] = w[i];
        buf[o] = '\0';
}

int shell_split(const char *text, unsigned first_line, shell_command **ret, size_t *ret_n) {
        splitter s = {};
        const char *p = text;
        unsigned line = first_line;
        char heredoc[64] = "";
        bool heredoc_tabs = false, have_heredoc = false;
        int r = 0;

        while (*p && r >= 0) {
                char c = *p;

                if (is_blank(c)) {
                        p++;
                        continue;
                }
                if (c == '\\' && p[1] == '\n') {
                        p += 2;
                        line++;
                        continue;
                }
                if (c == '\n') {
                        r = end_command(&s, false);
                        p++;
                        line++;
                        if (have_heredoc) {
                                /* The body is data, never commands. */
                                for (have_heredoc = false; *p;) {
                                        const char *eol = strchrnul(p, '\n'), *b = p;

                                        if (heredoc_tabs)
                                                while (*b == '\t')
                                                        b++;
                                        p = *eol ? eol + 1 : eol;
                                        line++;
                                        if ((size_t) (eol - b) == strlen(heredoc) &&
                                            strncmp(b, heredoc, (size_t) (eol - b)) == 0)
                                                break;
                                }
                        }
                        continue;
                }
                if (c == '#') {
                        p = strchrnul(p, '\n');
                        continue;
                }
                if (c == ';' || c == '(' || c == ')') {
                        r = end_command(&s, false);
                        p++;
                        continue;
                }
                if (c == '&' && p[1] != '>') {
                        r = end_command(&s, false);
                        p += p[1] == '&' ? 2 : 1;
                        continue;
                }
                if (c == '|') {
                        bool piped = p[1] != '|';

                        r = end_command(&s, piped);
                        p += p[1] == '|' || p[1] == '&' ? 2 : 1;
                        continue;
                }
                if (c == '<' || c == '>' || c == '&') {
                        /* A redirection: the operator and its target are
                         * not arguments. */
                        bool here = c == '<' && p[1] == '<' && p[2] != '<';
                        const char *t;

                        if (here) {
                                p += 2;
                                heredoc_tabs = *p == '-';
                                if (heredoc_tabs)
                                        p++;
                        } else {
                                p++;
                                while (*p == '>' || *p == '<' || *p == '&' || *p == '|')
                                        p++;
                        }
                        while (is_blank(*p))
                                p++;
                        if (!here && p[-1] == '&' && (isdigit((unsigned char) *p) || *p == '-')) {
                                while (isdigit((unsigned char) *p) || *p == '-')
                                        p++;
                                continue; /* 2>&1, >&- */
                        }
                        t = scan_word(p, &line);
                        if (here) {
                                heredoc_delimiter(p, (size_t) (t - p), heredoc, sizeof(heredoc));
                                have_heredoc = heredoc[0] != '\0';
                        }
                        p = t;
                        continue;
                }

                {
                        const char *start = p;
                        unsigned start_line = line;
                        bool digits = true;

                        p = scan_word(p, &line);
                        for (const char *q = start; q < p; q++)
                                digits &= isdigit((unsigned char) *q) != 0;
                        if (digits && (*p == '<' || *p == '>'))
                                continue; /* the fd number of "2>/dev/null" */
                        r = add_word(&s, start, p, start_line);
                }
        }
        if (r >= 0)
                r = end_command(&s, false);
        if (r < 0) {
                free(s.cur.words);
                shell_commands_free(s.cmds, s.n);
                return r;
        }
        *ret = s.cmds;
        *ret_n = s.n;
        return 0;
}

/* ---- variables and expansion ---- */

const shell_var *shell_vars_get(const shell_vars *vs, const char *name) {
        for (size_t i = 0; vs && i < vs->n; i++)
                if (streq(vs->v[i].name, name))
                        return &vs->v[i];
        return NULL;
}

int shell_vars_set(shell_vars *vs, const char *name, const char *value, const source_ref *source) {
        _cleanup_free_ char *v = strdup(value);
        shell_var *var = (shell_var *) shell_vars_get(vs, name);
        int r;

        if (!v)
                return -ENOMEM;
        if (!var) {
                shell_var *p = reallocarray(vs->v, vs->n + 1, sizeof(*p));

                if (!p)
                        return -ENOMEM;
                vs->v = p;
                var = &p[vs->n];
                *var = (shell_var) { .name = strdup(name) };
                if (!var->name)
                        return -ENOMEM;
                vs->n++;
        }
        r = source_ref_set(&var->source, source ? source->file : NULL, source ? source->line : 0);
        if (r < 0)
                return r;
        free(var->value);
        var->value = TAKE_PTR(v);
        return 0;
}

void shell_vars_done(shell_vars *vs) {
        for (size_t i = 0; i < vs->n; i++) {
                free(vs->v[i].name);
                free(vs->v[i].value);
                source_ref_done(&vs->v[i].source);
        }
        free(vs->v);
        *vs = (shell_vars) {};
}

void shell_fields_free(shell_field *f, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(f[i].text);
                free(f[i].pattern);
                source_ref_done(&f[i].source);
        }
        free(f);
}

size_t shell_assignment_name(const shell_word *w) {
        size_t i = 0;

        if (w->len == 0 || !(isalpha((unsigned char) w->raw[0]) || w->raw[0] == '_'))
                return 0;
        while (i < w->len && (isalnum((unsigned char) w->raw[i]) || w->raw[i] == '_'))
                i++;
        return i < w->len && w->raw[i] == '=' ? i : 0;
}

typedef struct expander {
        const shell_vars *vars;
        bool split;
        const char *file;
        unsigned line;
        shell_field **fields;
        size_t *n;
        int unknown;
        /* The field being built. */
        char *buf, *pat;
        size_t len, pat_len, allocated;
        bool exists, globbing;
        size_t literal, n_vars;
        const source_ref *var_source;
} expander;

static int ex_grow(expander *e, size_t more) {
        if (e->pat_len + more + 1 > e->allocated || e->len + more + 1 > e->allocated) {
                size_t a = (e->allocated + more + 1) * 2;
                char *b = realloc(e->buf, a), *q;

                if (!b)
                        return -ENOMEM;
                e->buf = b;
                q = realloc(e->pat, a * 2);
                if (!q)
                        return -ENOMEM;
                e->pat = q;
                e->allocated = a;
        }
        return 0;
}

/* QUOTED: the character cannot glob; FROM_VAR: it is not literal text. */
static int ex_putc(expander *e, char c, bool quoted, bool from_var) {
        if (ex_grow(e, 2) < 0)
                return -ENOMEM;
        e->buf[e->len++] = c;
        if (quoted && strchr("*?[]\\", c))
                e->pat[e->pat_len++] = '\\';
        else if (!quoted && strchr("*?[", c))
                e->globbing = true;
        e->pat[e->pat_len++] = c;
        e->exists = true;
        if (!from_var)
                e->literal++;
        return 0;
}

static int ex_emit(expander *e) {
        shell_field *p, *f;
        const source_ref *src;
        int r;

        if (!e->exists)
                return 0;
        p = reallocarray(*e->fields, *e->n + 1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        *e->fields = p;
        f = &p[*e->n];
        *f = (shell_field) { .text = strndup(e->buf ?: "", e->len) };
        if (!f->text)
                return -ENOMEM;
        if (e->globbing) {
                f->pattern = strndup(e->pat, e->pat_len);
                if (!f->pattern) {
                        free(f->text);
                        return -ENOMEM;
                }
        }
        src = e->literal == 0 && e->n_vars == 1 && e->var_source ? e->var_source : NULL;
        r = src ? source_ref_set(&f->source, src->file, src->line) : source_ref_set(&f->source, e->file, e->line);
        if (r < 0) {
                free(f->text);
                free(f->pattern);
                return r;
        }
        (*e->n)++;
        e->len = e->pat_len = 0;
        e->exists = e->globbing = false;
        e->literal = e->n_vars = 0;
        e->var_source = NULL;
        return 0;
}

static int ex_value(expander *e, const char *v, bool quoted, const source_ref *src) {
        int r;

        e->n_vars++;
        e->var_source = src;
        if (quoted || !e->split) {
                e->exists |= quoted;
                for (; *v; v++) {
                        r = ex_putc(e, *v, quoted, true);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        for (; *v; v++) {
                if (strchr(IFS_BLANK, *v)) {
                        r = ex_emit(e);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!e->exists) {
                        /* A field that starts inside the value is the
                         * variable's too. */
                        e->n_vars = 1;
                        e->var_source = src;
                }
                r = ex_putc(e, *v, false, true);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int ex_text(expander *e, const char *s, size_t len, bool quoted);

/* ${NAME...}, or $NAME; P points after the '$'. Returns the end. */
static const char *ex_param(expander *e, const char *p, const char *end, bool quoted, int *r) {
        char name[128];
        size_t n = 0;
        const shell_var *var;
        bool braced = *p == '{';
        const char *op = NULL, *word = NULL, *close = NULL;

        if (braced) {
                unsigned dummy = 0;

                close = skip_brace(p, &dummy) - 1;
                if (close >= end || *close != '}') {
                        e->unknown = 1;
                        return end;
                }
                p++;
        }
        if (!(isalpha((unsigned char) *p) || *p == '_')) {
                /* $1, $@, $$, $?, ${#...}: nothing a cron file's settings say. */
                e->unknown = 1;
                return braced ? close + 1 : p < end ? p + 1 : p;
        }
        while (p < end && (isalnum((unsigned char) *p) || *p == '_') && n + 1 < sizeof(name))
                name[n++] = *p++;
        name[n] = '\0';
        var = shell_vars_get(e->vars, name);

        if (!braced) {
                if (var)
                        *r = ex_value(e, var->value, quoted, &var->source);
                else
                        e->n_vars++;
                return p;
        }

        if (p < close) {
                op = p;
                if (*op == ':')
                        p++;
                if (p < close && strchr("-=+?", *p)) {
                        p++;
                        word = p;
                } else {
                        e->unknown = 1; /* ${V#x}, ${V%x}... */
                        return close + 1;
                }
        }
        if (!op) {
                if (var)
                        *r = ex_value(e, var->value, quoted, &var->source);
                else
                        e->n_vars++;
                return close + 1;
        }

        {
                bool colon = *op == ':';
                char kind = colon ? op[1] : op[0];
                bool set = var && (!colon || var->value[0] != '\0');

                if (kind == '+') {
                        if (set)
                                *r = ex_text(e, word, (size_t) (close - word), quoted);
                } else if (set)
                        *r = ex_value(e, var->value, quoted, &var->source);
                else
                        *r = ex_text(e, word, (size_t) (close - word), quoted);
        }
        return close + 1;
}

static int ex_text(expander *e, const char *s, size_t len, bool quoted) {
        const char *end = s + len;
        int r = 0;

        for (const char *p = s; p < end && r >= 0;) {
                char c = *p;

                if (c == '\\') {
                        if (p + 1 >= end) {
                                r = ex_putc(e, '\\', quoted, false);
                                p++;
                        } else if (p[1] == '\n')
                                p += 2;
                        else if (quoted && !strchr("$`\"\\", p[1])) {
                                r = ex_putc(e, '\\', true, false);
                                p++;
                        } else {
                                r = ex_putc(e, p[1], true, false);
                                p += 2;
                        }
                } else if (c == '\'' && !quoted) {
                        const char *q = memchr(p + 1, '\'', (size_t) (end - p - 1));

                        if (!q)
                                q = end;
                        e->exists = true;
                        for (p++; p < q && r >= 0; p++)
                                r = ex_putc(e, *p, true, false);
                        p = q < end ? q + 1 : q;
                } else if (c == '"' && !quoted) {
                        const char *q = p + 1;

                        while (q < end && *q != '"') {
                                if (*q == '\\' && q + 1 < end)
                                        q += 2;
                                else if (*q == '`') {
                                        unsigned dummy = 0;
                                        q = skip_backtick(q, &dummy);
                                } else if (*q == '$' && q + 1 < end && q[1] == '(') {
                                        unsigned dummy = 0;
                                        q = skip_paren(q, &dummy);
                                } else
                                        q++;
                        }
                        if (q > end)
                                q = end;
                        e->exists = true;
                        r = ex_text(e, p + 1, (size_t) (q - p - 1), true);
                        p = q < end ? q + 1 : q;
                } else if (c == '`') {
                        unsigned dummy = 0;

                        e->unknown = 1;
                        p = skip_backtick(p, &dummy);
                } else if (c == '$' && p + 1 < end && p[1] == '(') {
                        unsigned dummy = 0;

                        e->unknown = 1;
                        p = skip_paren(p, &dummy);
                } else if (c == '$' && p + 1 < end && (isalnum((unsigned char) p[1]) || strchr("_{@*#?$!-", p[1])))
                        p = ex_param(e, p + 1, end, quoted, &r);
                else {
                        r = ex_putc(e, c, quoted, false);
                        p++;
                }
        }
        return r;
}

int shell_expand(const shell_word *w, const shell_vars *vars, bool split, const char *file, shell_field **fields,
                 size_t *n) {
        expander e = {
                .vars = vars,
                .split = split,
                .file = file,
                .line = w->line,
                .fields = fields,
                .n = n,
        };
        int r;

        r = ex_text(&e, w->raw, w->len, false);
        if (r >= 0 && !split)
                e.exists = true; /* an assignment always has a value */
        if (r >= 0)
                r = ex_emit(&e);
        free(e.buf);
        free(e.pat);
        return r < 0 ? r : e.unknown;
}

/* ---- pathname expansion ---- */

int shell_glob_match(const char *pattern, const char *path) {
        const char *p = pattern, *s = path;

        for (;;) {
                /* A pattern component may be longer than the name it
                 * matches: escapes, brackets. */
                char pc[NAME_MAX * 4 + 1], sc[NAME_MAX + 1];
                size_t pl, sl;

                while (*p == '/')
                        p++;
                while (*s == '/')
                        s++;
                if (!*p) {
                        int extra = 0;

                        for (; *s; extra++) {
                                s += strcspn(s, "/");
                                while (*s == '/')
                                        s++;
                        }
                        return extra;
                }
                if (!*s)
                        return -1;
                pl = strcspn(p, "/");
                sl = strcspn(s, "/");
                if (pl >= sizeof(pc) || sl >= sizeof(sc))
                        return -1;
                memcpy(pc, p, pl);
                pc[pl] = '\0';
                memcpy(sc, s, sl);
                sc[sl] = '\0';
                if (fnmatch(pc, sc, FNM_PERIOD) != 0)
                        return -1;
                p += pl;
                s += sl;
        }
}
