/* SPDX-License-Identifier: MIT */
/* What Debian's daily tmpreaper job does on this machine, read from its
 * files rather than assumed: /etc/cron.daily/tmpreaper is interpreted as the
 * shell would run it (its own defaults, TMPTIME from /etc/default/rcS,
 * /etc/tmpreaper.conf sourced, the SHOWWARNING and RUNFROMCRON exits, and
 * the command line it builds), never executed. The command is then read the
 * way tmpreaper 1.6.17 reads its arguments, and a path is judged the way it
 * walks a directory. The rules below were measured on the real binary:
 * files (and sockets) age by atime and ctime together under the job's
 * --ctime, directories by mtime alone (--mtime-dir); a root-owned entry
 * without u+w is skipped unless --force, and a skipped directory is not
 * entered; --protect patterns are globbed once with braces, and what they
 * match is protected by inode, contents of a protected directory included;
 * the grace period is kept in 32 bits; --mtime with the job's --ctime is a
 * usage error, so such a job cleans nothing. */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleaners.h"
#include "macro.h"
#include "strv.h"

#define CRON_JOB "/etc/cron.daily/tmpreaper"
#define CONF "/etc/tmpreaper.conf"
#define BINARY "/usr/sbin/tmpreaper"

/* ---- interpreting the cron job ---- */

typedef struct arg {
        char *text;
        source_ref source;
} arg;

typedef struct job {
        const char *root;
        tmpreaper_config *c;
        shell_vars vars;
        arg *argv;
        size_t n_argv;
        bool found_command;
        bool rcs_done;
        bool exited;            /* an exit before the command: the job stops there */
} job;

static void job_done(job *j) {
        shell_vars_done(&j->vars);
        for (size_t i = 0; i < j->n_argv; i++) {
                free(j->argv[i].text);
                source_ref_done(&j->argv[i].source);
        }
        free(j->argv);
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
static int source_file(job *j, const char *file) {
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
static int read_rcs(job *j, const char *file) {
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
static int file_test(const char *root, const char *op, const char *path) {
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
static int eval_test(job *j, const shell_word *w, size_t n, const char *file, source_ref *source) {
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
                        v = file_test(j->root, op, a);
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

static int push_arg(job *j, const char *text, const source_ref *source) {
        arg *p = reallocarray(j->argv, j->n_argv + 1, sizeof(*p));

        if (!p)
                return -ENOMEM;
        j->argv = p;
        p[j->n_argv] = (arg) { .text = strdup(text) };
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
static int expand_for_echo(job *j, const char *inner, size_t len, const char *file, unsigned line) {
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

static bool is_tmpreaper(const char *s) {
        const char *slash = strrchr(s, '/');
        return streq(slash ? slash + 1 : s, "tmpreaper");
}

/* The job's tmpreaper command, from its first word on, expanded the way
 * the shell would (after its "set -f": no pathname expansion). */
static int build_command(job *j, const shell_command *cmd, size_t first, const char *file) {
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

static int disable(tmpreaper_config *c, const char *reason, const char *file, unsigned line) {
        if (!c->runs)
                return 0; /* the first reason is the one that stops it */
        c->runs = false;
        c->disabled_reason = reason;
        return source_ref_set(&c->disabled_by, file, line);
}

/* Runs through the job's commands in order, doing what the shell would do
 * to variables, and stops at an exit whose condition holds. */
static int interpret(job *j, const char *text, const char *file) {
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
                                j->exited = true;
                                /* Name the setting to change, not the test. */
                                if (strstr(cond, "SHOWWARNING"))
                                        r = disable(j->c, "SHOWWARNING=true: the job prints a warning and exits",
                                                    src.file ?: file, src.file ? src.line : c->words[s].line);
                                else if (strstr(cond, "RUNFROMCRON"))
                                        r = disable(j->c, "RUNFROMCRON is not \"true\": the job exits",
                                                    src.file ?: file, src.file ? src.line : c->words[s].line);
                                else if (strstr(cond, "-x"))
                                        r = disable(j->c, "tmpreaper is not installed: the job exits", file,
                                                    c->words[s].line);
                                else
                                        r = disable(j->c, "the job exits before it runs tmpreaper", file,
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
                                r = source_file(j, f);
                        continue;
                }

                if (word_is(&c->words[s], "exit") && depth == 0 && !j->found_command) {
                        j->exited = true;
                        r = disable(j->c, "the job exits before it runs tmpreaper", file, c->words[s].line);
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

                        if (t && is_tmpreaper(t) && !j->found_command) {
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

/* ---- the configuration ---- */

/* The stats of the directories that evaluations walk through: the cleaned
 * directories and those on the way down, which most paths share. A ring
 * of the latest few, so that 10,000 sockets in one directory cost one
 * stat of it, and no run makes it grow. It lives as long as the loaded
 * configuration, which is one run of a tool over a tree that is not
 * expected to change meanwhile (as risk.c's dir_facts). */
#define DIR_STAT_MEMO_SIZE 16

typedef struct dir_stat_memo {
        struct {
                char *key;      /* 'l' (lstat) or 'f' (followed), then ROOT, '\n', PATH */
                int r;
                struct stat st;
        } e[DIR_STAT_MEMO_SIZE];
        unsigned next;
} dir_stat_memo;

static void dir_stat_memo_free(dir_stat_memo *m) {
        if (!m)
                return;
        for (size_t i = 0; i < DIR_STAT_MEMO_SIZE; i++)
                free(m->e[i].key);
        free(m);
}

static int stat_followed(const char *root, const char *dir, struct stat *ret) {
        _cleanup_close_ int fd = root_open(root, dir, O_PATH | O_DIRECTORY);

        if (fd < 0)
                return fd;
        return fstat(fd, ret) < 0 ? negative_errno() : 0;
}

/* root_lstat() (KIND 'l') or a stat that follows DIR itself ('f'),
 * remembered in C's memo when there is one. */
static int memo_stat(const tmpreaper_config *c, char kind, const char *root, const char *path, struct stat *ret) {
        dir_stat_memo *m = c->memo;
        _cleanup_free_ char *key = NULL;
        int r;

        if (m && asprintf(&key, "%c%s\n%s", kind, root, path) >= 0)
                for (size_t i = 0; i < DIR_STAT_MEMO_SIZE; i++)
                        if (m->e[i].key && streq(m->e[i].key, key)) {
                                *ret = m->e[i].st;
                                return m->e[i].r;
                        }
        r = kind == 'l' ? root_lstat(root, path, ret) : stat_followed(root, path, ret);
        if (m && key) {
                unsigned i = m->next++ % DIR_STAT_MEMO_SIZE;

                free(m->e[i].key);
                m->e[i].key = TAKE_PTR(key);
                m->e[i].r = r;
                if (r >= 0)
                        m->e[i].st = *ret;
        }
        return r;
}

void tmpreaper_config_done(tmpreaper_config *c) {
        source_ref_done(&c->disabled_by);
        source_ref_done(&c->age_source);
        source_ref_done(&c->dirs_source);
        source_ref_done(&c->all_source);
        source_ref_done(&c->cron_daemon_source);
        strv_free_n(c->dirs, c->n_dirs);
        for (size_t i = 0; i < c->n_protect; i++) {
                free(c->protect[i]);
                source_ref_done(&c->protect_sources[i]);
        }
        free(c->protect);
        free(c->protect_sources);
        strv_free_n(c->argv, c->n_argv);
        strv_free_n(c->skip_mounts, c->n_skip_mounts);
        dir_stat_memo_free(c->memo);
        *c = (tmpreaper_config) {};
}

/* Dirs resolved the way tmpreaper sees them: cron.daily runs from "/". */
static char *dir_norm(const char *dir) {
        _cleanup_free_ char *abs = NULL;

        if (dir[0] == '/')
                return path_normalize(dir);
        if (asprintf(&abs, "/%s", dir) < 0)
                return NULL;
        return path_normalize(abs);
}

/* On the live system, the mounts below each cleaned directory: tmpreaper
 * does not step onto another file system, bind mounts included. */
static int find_skip_mounts(tmpreaper_config *c) {
        _cleanup_free_ char *text = NULL;
        mount_entry *m = NULL;
        size_t n = 0;
        int r;

        if (root_read_file(NULL, "/proc/self/mountinfo", &text, NULL) < 0)
                return 0;
        r = mountinfo_parse(text, &m, &n);
        if (r < 0)
                return r;
        for (size_t d = 0; d < c->n_dirs && r >= 0; d++) {
                _cleanup_free_ char *dn = dir_norm(c->dirs[d]);

                if (!dn) {
                        r = -ENOMEM;
                        break;
                }
                for (size_t i = 0; i < n && r >= 0; i++) {
                        bool dup = false;

                        if (!path_below(dn, m[i].where))
                                continue;
                        for (size_t k = 0; k < c->n_skip_mounts; k++)
                                dup |= streq(c->skip_mounts[k], m[i].where);
                        if (!dup)
                                r = strv_extend(&c->skip_mounts, &c->n_skip_mounts, m[i].where);
                }
        }
        mount_entries_free(m, n);
        return r;
}

static int fill_from_args(tmpreaper_config *c, job *j) {
        _cleanup_(tmpreaper_args_done) tmpreaper_args a = {};
        char **argv;
        int r;

        /* tmpreaper's own argv: what follows the program name. */
        argv = calloc(j->n_argv + 1, sizeof(char *));
        if (!argv)
                return -ENOMEM;
        for (size_t i = 0; i < j->n_argv; i++)
                argv[i] = j->argv[i].text;
        r = tmpreaper_args_parse(argv, j->n_argv, &a);
        free(argv);
        if (r < 0)
                return r;

        for (size_t i = 0; i < j->n_argv; i++) {
                r = strv_extend(&c->argv, &c->n_argv, j->argv[i].text);
                if (r < 0)
                        return r;
        }
        if (!a.ok) {
                const source_ref *s = a.error_arg < j->n_argv ? &j->argv[a.error_arg].source : NULL;

                r = disable(c, a.error, s ? s->file : CRON_JOB, s ? s->line : 0);
                if (r < 0)
                        return r;
        }
        c->all = a.all;
        c->symlinks = a.symlinks;
        c->force = a.force;
        c->mtime = a.mtime;
        c->mtime_dir = a.mtime_dir;
        c->ctime = a.ctime;
        if (a.all && (r = source_ref_set(&c->all_source, j->argv[a.all_arg].source.file,
                                         j->argv[a.all_arg].source.line)) < 0)
                return r;
        if (a.time_arg != SIZE_MAX) {
                c->age_usec = a.grace_usec;
                r = source_ref_set(&c->age_source, j->argv[a.time_arg].source.file, j->argv[a.time_arg].source.line);
                if (r < 0)
                        return r;
        }
        if (a.n_dirs > 0) {
                r = source_ref_set(&c->dirs_source, j->argv[a.dir_args[0]].source.file,
                                   j->argv[a.dir_args[0]].source.line);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < a.n_dirs; i++) {
                r = strv_extend(&c->dirs, &c->n_dirs, j->argv[a.dir_args[i]].text);
                if (r < 0)
                        return r;
        }
        c->protect_sources = calloc(a.n_protect + 1, sizeof(source_ref));
        if (!c->protect_sources)
                return -ENOMEM;
        for (size_t i = 0; i < a.n_protect; i++) {
                const source_ref *s = &j->argv[a.protect_args[i]].source;

                r = strv_extend(&c->protect, &c->n_protect, a.protect[i]);
                if (r < 0)
                        return r;
                r = source_ref_set(&c->protect_sources[i], s->file, s->line);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Without its cron job tmpreaper never runs on its own; the settings are
 * still read, so that "check" can say what enabling it would clean. */
static int fill_without_job(tmpreaper_config *c, job *j) {
        const shell_var *v;
        int r;

        r = source_file(j, CONF);
        if (r < 0)
                return r;
        v = shell_vars_get(&j->vars, "TMPREAPER_DIRS");
        if (v && v->value[0]) {
                _cleanup_free_ char *copy = strdup(v->value);
                char *save = NULL;

                if (!copy)
                        return -ENOMEM;
                for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
                        if ((r = strv_extend(&c->dirs, &c->n_dirs, w)) < 0)
                                return r;
                r = source_ref_set(&c->dirs_source, v->source.file, v->source.line);
        } else {
                r = strv_extend(&c->dirs, &c->n_dirs, "/tmp/.");
        }
        if (r < 0)
                return r;
        v = shell_vars_get(&j->vars, "TMPREAPER_TIME");
        if (!v || tmpreaper_parse_time(v->value, &c->age_usec) < 0)
                c->age_usec = 7 * 86400 * USEC_PER_SEC;
        else
                r = source_ref_set(&c->age_source, v->source.file, v->source.line);
        /* The options Debian's job always passes. */
        c->symlinks = c->mtime_dir = c->ctime = true;
        return r;
}

int tmpreaper_config_load(tmpreaper_config *ret, const char *root) {
        _cleanup_(tmpreaper_config_done) tmpreaper_config c = {};
        _cleanup_free_ char *text = NULL;
        job j = { .root = root, .c = &c };
        struct stat st;
        int r;

        c.memo = calloc(1, sizeof(*c.memo));
        if (!c.memo)
                return -ENOMEM;
        c.runs = true;
        c.installed = file_test(root, "-x", BINARY) > 0;
        r = cron_daemon_find(root, &c.cron_daemon_source);
        if (r < 0)
                return r;
        c.cron_daemon = r > 0;

        r = root_lstat(root, CRON_JOB, &st) >= 0 ? root_read_file(root, CRON_JOB, &text, NULL) : -ENOENT;
        if (r == -ENOMEM)
                return r;
        c.cron_job = r >= 0;

        if (!c.cron_job) {
                r = disable(&c, "there is no " CRON_JOB, CRON_JOB, 0);
                if (r >= 0)
                        r = fill_without_job(&c, &j);
        } else {
                if (!c.installed)
                        r = disable(&c, "tmpreaper is not installed (" BINARY ")", BINARY, 0);
                else if (!(st.st_mode & 0111))
                        /* run-parts runs only executables: chmod -x is a
                         * common way to switch a daily job off. */
                        r = disable(&c, CRON_JOB " is not executable: run-parts skips it", CRON_JOB, 0);
                if (r >= 0)
                        r = interpret(&j, text, CRON_JOB);
                if (r >= 0 && !j.found_command)
                        r = disable(&c, "no tmpreaper command found in " CRON_JOB, CRON_JOB, 0);
                if (r >= 0 && j.found_command)
                        r = fill_from_args(&c, &j);
        }
        if (r >= 0 && (!root || streq(root, "/")))
                r = find_skip_mounts(&c);
        job_done(&j);
        if (r < 0)
                return r;
        *ret = c;
        c = (tmpreaper_config) {};
        return 0;
}

/* ---- judging a path ---- */

/* What tmpreaper does with one directory entry of the given type, owner
 * and mode, in its order: other device, owner without u+w, --protect. The
 * type comes last, for the entry itself only. */
static const char *entry_kept(const tmpreaper_config *c, const struct stat *st) {
        if (st && !c->force && st->st_uid == 0 && !(st->st_mode & S_IWUSR) && !S_ISLNK(st->st_mode))
                return "owned by root without write permission for its owner: tmpreaper skips it unless --force";
        return NULL;
}

static const char *type_kept(const tmpreaper_config *c, mode_t mode) {
        if (S_ISREG(mode) || S_ISDIR(mode) || c->all)
                return NULL;
        if (S_ISLNK(mode))
                return c->symlinks ? NULL : "a symlink, and the job does not pass --symlinks";
        return "not a regular file, symlink or directory, and the job does not pass --all";
}

static bool protected_by(const tmpreaper_config *c, const char *dir, const char *p, bool is_dir, size_t *ret) {
        for (size_t i = 0; i < c->n_protect; i++) {
                const char *pat = c->protect[i];
                bool m;

                if (pat[0] == '/')
                        m = tmpreaper_pattern_matches(pat, p, is_dir);
                else {
                        /* Relative patterns are globbed after chdir(dir). */
                        size_t dl = streq(dir, "/") ? 0 : strlen(dir);
                        m = tmpreaper_pattern_matches(pat, p + dl + 1, is_dir);
                }
                if (m) {
                        *ret = i;
                        return true;
                }
        }
        return false;
}

/* One cleaned directory DIR against PATH; fills V when DIR reaches it. */
static void evaluate_dir(const tmpreaper_config *c, const char *dir, const char *path, mode_t mode,
                         const struct stat *st, const char *root, tmpreaper_verdict *v) {
        _cleanup_free_ char *p = strdup(path);
        struct stat dir_st;
        bool have_dir_st = false;
        size_t idx;

        if (!p)
                return;
        v->reaches = true;
        /* "/tmp/." is followed; the device is the directory's own. */
        if (root && memo_stat(c, 'l', root, dir, &dir_st) >= 0)
                have_dir_st = memo_stat(c, 'f', root, dir, &dir_st) >= 0;

        /* The directories on the way, from the top: each must be entered. */
        for (char *s = p + (streq(dir, "/") ? 0 : strlen(dir)) + 1; (s = strchr(s, '/')); s++) {
                struct stat ast;

                *s = '\0';
                for (size_t m = 0; m < c->n_skip_mounts; m++)
                        if (streq(c->skip_mounts[m], p)) {
                                v->kept_because = "below a mount point, which tmpreaper does not enter";
                                return;
                        }
                if (root && memo_stat(c, 'l', root, p, &ast) >= 0) {
                        if (S_ISLNK(ast.st_mode)) {
                                v->kept_because = "behind a symlink, which tmpreaper does not follow";
                                return;
                        }
                        if (have_dir_st && ast.st_dev != dir_st.st_dev) {
                                v->kept_because = "on another file system than the cleaned directory";
                                return;
                        }
                        if (entry_kept(c, &ast)) {
                                v->kept_because = "in a directory owned by root without write permission for "
                                                  "its owner, which tmpreaper does not enter unless --force";
                                return;
                        }
                }
                if (protected_by(c, dir, p, true, &idx)) {
                        v->protected_by = c->protect[idx];
                        v->protected_source = &c->protect_sources[idx];
                        return;
                }
                *s = '/';
        }

        for (size_t m = 0; m < c->n_skip_mounts; m++)
                if (streq(c->skip_mounts[m], path)) {
                        v->kept_because = "a mount point, which tmpreaper does not enter";
                        return;
                }
        if (st && have_dir_st && st->st_dev != dir_st.st_dev) {
                v->kept_because = "on another file system than the cleaned directory";
                return;
        }
        if ((v->kept_because = entry_kept(c, st)))
                return;
        if (protected_by(c, dir, path, S_ISDIR(mode), &idx)) {
                v->protected_by = c->protect[idx];
                v->protected_source = &c->protect_sources[idx];
                return;
        }
        if ((v->kept_because = type_kept(c, mode)))
                return;
        v->deletes = c->runs;
}

static void evaluate(const tmpreaper_config *c, const char *path, mode_t mode, const struct stat *st,
                     const char *root, tmpreaper_verdict *ret) {
        _cleanup_free_ char *p = path_normalize(path);
        tmpreaper_verdict base = {}, first;
        bool have_first = false;

        /* Measured: --ctime adds ctime for files only; directories go by
         * mtime with --mtime-dir, else by atime. */
        if (S_ISDIR(mode))
                base.age_by = c->mtime || c->mtime_dir ? "mtime" : "atime";
        else
                base.age_by = c->mtime ? "mtime" : c->ctime ? "atime and ctime" : "atime";
        base.age_usec = c->age_usec;
        first = base;

        for (size_t i = 0; p && i < c->n_dirs; i++) {
                _cleanup_free_ char *d = dir_norm(c->dirs[i]);
                tmpreaper_verdict v = base;

                if (!d || !path_below(d, p))
                        continue;
                evaluate_dir(c, d, p, mode, st, root, &v);
                if (v.deletes || !have_first) {
                        /* tmpreaper cleans the dirs one after another: any
                         * that deletes it is the one that matters. */
                        first = v;
                        have_first = true;
                }
                if (v.deletes)
                        break;
        }
        *ret = first;
}

void tmpreaper_evaluate(const tmpreaper_config *c, const char *path, bool is_socket, tmpreaper_verdict *ret) {
        evaluate(c, path, is_socket ? S_IFSOCK : S_IFREG, NULL, NULL, ret);
}

void tmpreaper_evaluate_stat(const tmpreaper_config *c, const char *path, const struct stat *st,
                             tmpreaper_verdict *ret) {
        evaluate(c, path, st ? st->st_mode & S_IFMT : S_IFSOCK, st, NULL, ret);
}

int tmpreaper_evaluate_at(const tmpreaper_config *c, const char *root, const char *path, tmpreaper_verdict *ret) {
        struct stat st;
        int r;

        if (!path || path[0] != '/')
                return -EINVAL;
        r = root_lstat(root, path, &st);
        if (r < 0 && r != -ENOENT)
                return r;
        evaluate(c, path, r >= 0 ? st.st_mode & S_IFMT : S_IFSOCK, r >= 0 ? &st : NULL, root ?: "/", ret);
        return 0;
}

void tmpreaper_evaluate_found(const tmpreaper_config *c, const char *root, const char *path, const struct stat *st,
                              tmpreaper_verdict *ret) {
        evaluate(c, path, st->st_mode & S_IFMT, st, root ?: "/", ret);
}
