/* SPDX-License-Identifier: MIT */
/* Debian's daily tmpreaper job, /etc/cron.daily/tmpreaper, interpreted as
 * the shell would run it and never executed: its own defaults, TMPTIME
 * from /etc/default/rcS (the job's grep of it), /etc/tmpreaper.conf
 * sourced, the "if ...; then exit" gates (SHOWWARNING, RUNFROMCRON, the
 * binary's -x test), and the tmpreaper command it builds, with the
 * `for ... echo --protect` loop that turns TMPREAPER_PROTECT_EXTRA into
 * options. Each argument keeps the line or assignment it came from. */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "path-util.h"
#include "tmpreaper-job.h"

void tmpreaper_job_done(tmpreaper_job *j) {
        shell_vars_done(&j->vars);
        for (size_t i = 0; i < j->n_argv; i++) {
                free(j->argv[i].text);
                source_ref_done(&j->argv[i].source);
        }
        free(j->argv);
        source_ref_done(&j->exit_source);
}

/* The first exit before the command is where the job stops. */
static int stop(tmpreaper_job *j, const char *reason, const char *file, unsigned line) {
        if (j->exit_reason)
                return 0;
        j->exit_reason = reason;
        return source_ref_set(&j->exit_source, file, line);
}

/* The unquoted text of a word, with SPLIT off: one string. */
static char *word_text(const shell_word *w, const shell_vars *vars, const char *file) {
        shell_field *f = NULL;
        size_t n = 0;
        char *s = NULL;

        if (shell_expand(w, vars, false, file, &f, &n) >= 0 && n == 1)
                s = TAKE_PTR(f[0].text);
        shell_fields_free(f, n);
        return s;
}

static bool word_is(const shell_word *w, const char *s) {
        return w->len == strlen(s) && strncmp(w->raw, s, w->len) == 0;
}

/* Applies a command made of assignments only (after "export"); anything
 * else leaves the variables alone. */
static int apply_assignments(shell_vars *vars, const shell_command *cmd, const char *file) {
        size_t first = 0;

        if (cmd->n_words > 0 && (word_is(&cmd->words[0], "export") || word_is(&cmd->words[0], "readonly")))
                first = 1;
        if (first >= cmd->n_words)
                return 0;
        for (size_t i = first; i < cmd->n_words; i++)
                if (shell_assignment_name(&cmd->words[i]) == 0)
                        return 0; /* "A=1 cmd": the assignment is for cmd only */

        for (size_t i = first; i < cmd->n_words; i++) {
                const shell_word *w = &cmd->words[i];
                size_t nl = shell_assignment_name(w);
                shell_word value = { .raw = w->raw + nl + 1, .len = w->len - nl - 1, .line = w->line };
                shell_field *f = NULL;
                size_t n = 0;
                char name[128];
                int r;

                if (nl >= sizeof(name))
                        continue;
                memcpy(name, w->raw, nl);
                name[nl] = '\0';
                r = shell_expand(&value, vars, false, file, &f, &n);
                if (r >= 0 && n == 1) {
                        /* A value that is one variable alone keeps that
                         * variable's source: TIME=${TIME:-7d} with TIME set. */
                        source_ref own = { .file = (char *) file, .line = w->line };
                        const source_ref *src = &own;

                        if (f[0].source.file && (!streq(f[0].source.file, file) || f[0].source.line != w->line))
                                src = &f[0].source;
                        r = shell_vars_set(vars, name, f[0].text, src);
                }
                shell_fields_free(f, n);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Reads FILE's assignments in order, as ". FILE" would make them; other
 * commands in it are not run. Missing or unreadable: nothing. */
int tmpreaper_job_source(tmpreaper_job *j, const char *file) {
        _cleanup_free_ char *text = NULL;
        shell_command *cmds = NULL;
        size_t n = 0;
        int r;

        if (root_read_file(j->root, file, &text, NULL) < 0)
                return 0;
        r = shell_split(text, 1, &cmds, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++)
                r = apply_assignments(&j->vars, &cmds[i], file);
        shell_commands_free(cmds, n);
        return r;
}

/* dash's "[ X -gt 0 ]": an integer with optional blanks and sign. */
static int dash_integer(const char *s, intmax_t *ret) {
        char *end;
        intmax_t v;

        errno = 0;
        v = strtoimax(s, &end, 10);
        if (errno || end == s)
                return -EINVAL;
        while (isspace((unsigned char) *end))
                end++;
        if (*end)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* The job's reading of TMPTIME: "grep '^TMPTIME=' FILE", evaluated; a
 * negative or infinite TMPTIME is ignored, a positive one becomes days,
 * and anything else (0, or not a number) means 7d. */
static int read_rcs(tmpreaper_job *j, const char *file) {
        _cleanup_free_ char *text = NULL;
        shell_vars tv = {};
        const shell_var *t;
        unsigned line = 0;
        int r = 0;

        if (root_read_file(j->root, file, &text, NULL) < 0)
                return 0;
        for (char *p = text, *eol; *p && r >= 0; p = *eol ? eol + 1 : eol) {
                shell_command *cmds = NULL;
                size_t n = 0;

                eol = strchrnul(p, '\n');
                line++;
                if (strncmp(p, "TMPTIME=", 8) != 0)
                        continue;
                {
                        /* The words point into L: use them before it goes. */
                        _cleanup_free_ char *l = strndup(p, (size_t) (eol - p));

                        if (!l) {
                                r = -ENOMEM;
                                break;
                        }
                        r = shell_split(l, line, &cmds, &n);
                        for (size_t i = 0; i < n && r >= 0; i++)
                                r = apply_assignments(&tv, &cmds[i], file);
                        shell_commands_free(cmds, n);
                }
        }
        t = shell_vars_get(&tv, "TMPTIME");
        if (r >= 0 && t && t->value[0] != '\0') {
                const char *v = t->value;
                intmax_t days;

                if (v[0] == '-' || streq(v, "infinite") || streq(v, "infinity"))
                        ; /* "don't use this as default" */
                else {
                        _cleanup_free_ char *s = NULL;

                        if (dash_integer(v, &days) >= 0 && days > 0)
                                r = asprintf(&s, "%sd", v) < 0 ? -ENOMEM : 0;
                        else
                                s = strdup("7d");
                        if (r >= 0)
                                r = s ? shell_vars_set(&j->vars, "TMPREAPER_TIME", s, &t->source) : -ENOMEM;
                }
        }
        shell_vars_done(&tv);
        return r;
}

/* A file test under the root: -x, -s, -f, -e, -d. */
int root_file_test(const char *root, const char *op, const char *path) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = root_open(root, path, O_PATH);
        if (fd < 0 || fstat(fd, &st) < 0)
                return 0;
        if (streq(op, "-x"))
                return (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) && (st.st_mode & 0111);
        if (streq(op, "-s"))
                return st.st_size > 0;
        if (streq(op, "-f"))
                return S_ISREG(st.st_mode);
        if (streq(op, "-d"))
                return S_ISDIR(st.st_mode);
        return streq(op, "-e");
}

/* "[ A = B ]", "[ A != B ]", "[ -n A ]", "[ -z A ]", "[ -x FILE ]" and
 * friends, with "!" before or inside: 1 or 0, or -1 when it is some other
 * condition. *SOURCE gets the variable the answer hangs on, if any. */
static int eval_test(tmpreaper_job *j, const shell_word *w, size_t n, const char *file, source_ref *source) {
        _cleanup_free_ char *a = NULL, *b = NULL, *op = NULL;
        bool negate = false;
        int v = -1;

        while (n > 0 && word_is(&w[0], "!")) {
                negate = !negate;
                w++;
                n--;
        }
        if (n >= 2 && (word_is(&w[0], "[") && word_is(&w[n - 1], "]"))) {
                w++;
                n -= 2;
        } else if (n >= 1 && word_is(&w[0], "test")) {
                w++;
                n--;
        } else
                return -1;
        while (n > 0 && word_is(&w[0], "!")) {
                negate = !negate;
                w++;
                n--;
        }

        for (size_t i = 0; i < n; i++) {
                shell_field *f = NULL;
                size_t nf = 0;

                /* A variable's own assignment, not the test's line. */
                if (shell_expand(&w[i], &j->vars, false, file, &f, &nf) >= 0 && nf == 1 && f[0].source.file &&
                    (!streq(f[0].source.file, file) || f[0].source.line != w[i].line))
                        (void) source_ref_set(source, f[0].source.file, f[0].source.line);
                shell_fields_free(f, nf);
        }

        if (n == 3) {
                a = word_text(&w[0], &j->vars, file);
                op = word_text(&w[1], &j->vars, file);
                b = word_text(&w[2], &j->vars, file);
                if (!a || !op || !b)
                        return -1;
                if (streq(op, "="))
                        v = streq(a, b);
                else if (streq(op, "!="))
                        v = !streq(a, b);
        } else if (n == 2) {
                op = word_text(&w[0], &j->vars, file);
                a = word_text(&w[1], &j->vars, file);
                if (!a || !op)
                        return -1;
                if (streq(op, "-n"))
                        v = a[0] != '\0';
                else if (streq(op, "-z"))
                        v = a[0] == '\0';
                else if (strlen(op) == 2 && strchr("xsfed", op[1]) && op[0] == '-') {
                        v = root_file_test(j->root, op, a);
                        if (!source->file)
                                (void) source_ref_set(source, a, 0);
                }
        }
        if (v < 0)
                return -1;
        return negate ? !v : v;
}

static bool starts_block(const shell_command *c) {
        return c->n_words > 0 && (word_is(&c->words[0], "if") || word_is(&c->words[0], "case") ||
                                  word_is(&c->words[0], "for") || word_is(&c->words[0], "while") ||
                                  word_is(&c->words[0], "until"));
}

static bool ends_block(const shell_command *c) {
        return c->n_words > 0 &&
               (word_is(&c->words[0], "fi") || word_is(&c->words[0], "esac") || word_is(&c->words[0], "done"));
}

/* The words of C past a leading then/do/else. */
static size_t body_start(const shell_command *c) {
        size_t i = 0;

        while (i < c->n_words && (word_is(&c->words[i], "then") || word_is(&c->words[i], "do") ||
                                  word_is(&c->words[i], "else")))
                i++;
        return i;
}

/* Whether the then-branch of the "if" at CMDS[K] runs "exit". */
static bool then_exits(const shell_command *cmds, size_t n, size_t k) {
        int depth = 0;

        for (size_t i = k + 1; i < n; i++) {
                const shell_command *c = &cmds[i];
                size_t s = body_start(c);

                if (depth == 0 && c->n_words > 0 &&
                    (word_is(&c->words[0], "else") || word_is(&c->words[0], "elif") || word_is(&c->words[0], "fi")))
                        return false;
                if (starts_block(c))
                        depth++;
                else if (ends_block(c))
                        depth--;
                if (depth == 0 && s < c->n_words && word_is(&c->words[s], "exit"))
                        return true;
        }
        return false;
}

static int push_arg(tmpreaper_job *j, const char *text, const source_ref *source) {
        tmpreaper_job_arg *p = reallocarray(j->argv, j->n_argv + 1, sizeof(*p));

        if (!p)
                return -ENOMEM;
        j->argv = p;
        p[j->n_argv] = (tmpreaper_job_arg) { .text = strdup(text) };
        if (!p[j->n_argv].text || source_ref_set(&p[j->n_argv].source, source->file, source->line) < 0) {
                free(p[j->n_argv].text);
                return -ENOMEM;
        }
        j->n_argv++;
        return 0;
}

/* `for i in $LIST; do echo --protect "$i"; done`, the job's way of turning
 * TMPREAPER_PROTECT_EXTRA into options: each item is echoed and the output
 * split again, so items are words and their source is LIST's. */
static int expand_for_echo(tmpreaper_job *j, const char *inner, size_t len, const char *file, unsigned line) {
        _cleanup_free_ char *text = strndup(inner, len);
        shell_command *cmds = NULL;
        size_t n = 0;
        shell_field *items = NULL;
        size_t n_items = 0;
        char var[128];
        int r;

        if (!text)
                return -ENOMEM;
        r = shell_split(text, line, &cmds, &n);
        if (r < 0)
                return r;
        r = -EOPNOTSUPP;
        if (n == 3 && cmds[0].n_words >= 3 && word_is(&cmds[0].words[0], "for") &&
            word_is(&cmds[0].words[2], "in") && cmds[1].n_words >= 2 && word_is(&cmds[1].words[0], "do") &&
            word_is(&cmds[1].words[1], "echo") && cmds[2].n_words == 1 && word_is(&cmds[2].words[0], "done") &&
            cmds[0].words[1].len < sizeof(var)) {
                r = 0;
                memcpy(var, cmds[0].words[1].raw, cmds[0].words[1].len);
                var[cmds[0].words[1].len] = '\0';
                for (size_t i = 3; i < cmds[0].n_words && r >= 0; i++)
                        r = shell_expand(&cmds[0].words[i], &j->vars, true, file, &items, &n_items);
                for (size_t k = 0; k < n_items && r >= 0; k++) {
                        shell_vars loop = {};

                        /* The loop variable on top of the job's. */
                        for (size_t v = 0; v < j->vars.n && r >= 0; v++)
                                r = shell_vars_set(&loop, j->vars.v[v].name, j->vars.v[v].value, &j->vars.v[v].source);
                        if (r >= 0)
                                r = shell_vars_set(&loop, var, items[k].text, &items[k].source);
                        for (size_t w = 2; w < cmds[1].n_words && r >= 0; w++) {
                                shell_field *f = NULL;
                                size_t nf = 0;

                                r = shell_expand(&cmds[1].words[w], &loop, true, file, &f, &nf);
                                for (size_t x = 0; x < nf && r >= 0; x++)
                                        r = push_arg(j, f[x].text, &f[x].source);
                                shell_fields_free(f, nf);
                        }
                        shell_vars_done(&loop);
                }
        }
        shell_fields_free(items, n_items);
        shell_commands_free(cmds, n);
        return r;
}

/* The job's tmpreaper command, from its first word on, expanded the way
 * the shell would (after its "set -f": no pathname expansion). */
static int build_command(tmpreaper_job *j, const shell_command *cmd, size_t first, const char *file) {
        int r = 0;

        for (size_t i = first; i < cmd->n_words && r >= 0; i++) {
                const shell_word *w = &cmd->words[i];
                shell_field *f = NULL;
                size_t n = 0;

                if (w->len >= 2 && w->raw[0] == '`' && w->raw[w->len - 1] == '`') {
                        r = expand_for_echo(j, w->raw + 1, w->len - 2, file, w->line);
                        if (r != -EOPNOTSUPP)
                                continue;
                        r = 0;
                } else if (w->len >= 3 && strncmp(w->raw, "$(", 2) == 0 && w->raw[w->len - 1] == ')') {
                        r = expand_for_echo(j, w->raw + 2, w->len - 3, file, w->line);
                        if (r != -EOPNOTSUPP)
                                continue;
                        r = 0;
                }
                r = shell_expand(w, &j->vars, true, file, &f, &n);
                for (size_t k = 0; k < n && r >= 0; k++)
                        r = push_arg(j, f[k].text, &f[k].source);
                shell_fields_free(f, n);
        }
        return r < 0 ? r : 0;
}

/* Runs through the job's commands in order, doing what the shell would do
 * to variables, and stops at an exit whose condition holds. */
int tmpreaper_job_interpret(tmpreaper_job *j, const char *text, const char *file) {
        shell_command *cmds = NULL;
        size_t n = 0;
        int depth = 0, r;

        r = shell_split(text, 1, &cmds, &n);
        if (r < 0)
                return r;
        for (size_t k = 0; k < n && r >= 0; k++) {
                const shell_command *c = &cmds[k];
                size_t s = body_start(c), i;

                if (ends_block(c)) {
                        depth--;
                        continue;
                }
                if (s >= c->n_words)
                        continue;

                /* "if TEST; then ... exit ...; fi": the job's gates. */
                if (word_is(&c->words[s], "if") || word_is(&c->words[s], "elif")) {
                        _cleanup_(source_ref_done) source_ref src = {};
                        int v;

                        if (word_is(&c->words[s], "if"))
                                depth++;
                        v = eval_test(j, c->words + s + 1, c->n_words - s - 1, file, &src);
                        /* Only an exit before the command keeps it from running;
                         * later ones are read on, for the settings. */
                        if (v == 1 && !j->found_command && then_exits(cmds, n, k)) {
                                _cleanup_free_ char *cond = NULL;
                                const shell_word *last = &c->words[c->n_words - 1];

                                cond = strndup(c->words[s + 1].raw,
                                               (size_t) (last->raw + last->len - c->words[s + 1].raw));
                                if (!cond) {
                                        r = -ENOMEM;
                                        break;
                                }
                                /* Name the setting to change, not the test. */
                                if (strstr(cond, "SHOWWARNING"))
                                        r = stop(j, "SHOWWARNING=true: the job prints a warning and exits",
                                                    src.file ?: file, src.file ? src.line : c->words[s].line);
                                else if (strstr(cond, "RUNFROMCRON"))
                                        r = stop(j, "RUNFROMCRON is not \"true\": the job exits",
                                                    src.file ?: file, src.file ? src.line : c->words[s].line);
                                else if (strstr(cond, "-x"))
                                        r = stop(j, "tmpreaper is not installed: the job exits", file,
                                                    c->words[s].line);
                                else
                                        r = stop(j, "the job exits before it runs tmpreaper", file,
                                                    c->words[s].line);
                        }
                        /* A grep of TMPTIME in the condition is the rcS reading. */
                        for (i = s + 1; i + 1 < c->n_words && r >= 0 && !j->rcs_done; i++) {
                                _cleanup_free_ char *t = word_text(&c->words[i], &j->vars, file);

                                if (t && streq(t, "^TMPTIME=")) {
                                        _cleanup_free_ char *rcs = word_text(&c->words[i + 1], &j->vars, file);

                                        j->rcs_done = true;
                                        if (rcs)
                                                r = read_rcs(j, rcs);
                                }
                        }
                        continue;
                }
                if (starts_block(c)) {
                        depth++;
                        continue;
                }

                if ((word_is(&c->words[s], ".") || word_is(&c->words[s], "source")) && s + 1 < c->n_words) {
                        _cleanup_free_ char *f = word_text(&c->words[s + 1], &j->vars, file);

                        if (f)
                                r = tmpreaper_job_source(j, f);
                        continue;
                }

                if (word_is(&c->words[s], "exit") && depth == 0 && !j->found_command) {
                        r = stop(j, "the job exits before it runs tmpreaper", file, c->words[s].line);
                        continue;
                }

                /* The command: past nice/ionice/exec and their options. */
                for (i = s; i < c->n_words; i++) {
                        _cleanup_free_ char *t = word_text(&c->words[i], &j->vars, file);

                        if (!t)
                                break;
                        if (streq(t, "nice") || streq(t, "ionice") || streq(t, "exec") || streq(t, "command") ||
                            streq(t, "nohup")) {
                                continue;
                        }
                        if (t[0] == '-' && i > s) {
                                _cleanup_free_ char *prev = word_text(&c->words[i - 1], &j->vars, file);

                                if (prev && (streq(t, "-n") || streq(t, "-c")) && i + 1 < c->n_words)
                                        i++;
                                continue;
                        }
                        break;
                }
                if (i < c->n_words) {
                        _cleanup_free_ char *t = word_text(&c->words[i], &j->vars, file);

                        if (t && streq(basename(t), "tmpreaper") && !j->found_command) {
                                j->found_command = true;
                                r = build_command(j, c, i + 1, file);
                                continue;
                        }
                }

                if (depth == 0)
                        r = apply_assignments(&j->vars, c, file);
        }
        shell_commands_free(cmds, n);
        return r;
}
