/* SPDX-License-Identifier: MIT */
/* Finds the cron jobs that delete under a directory: find -delete or
 * -exec rm (or find | xargs rm), rm over a glob, tmpreaper and tmpwatch in
 * /etc/crontab, /etc/cron.d, the run-parts directories and the user
 * crontabs. Each line or script is read with the shell reader, with the
 * variables it sets; a job is recorded only when cleaner-argv.c reads its
 * command as one of these, "sh -c" strings included. Also whether
 * anything runs cron at all. */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleaner-argv.h"
#include "cron.h"
#include "macro.h"
#include "path-util.h"
#include "shell.h"
#include "strv.h"
#include "specifier.h"

/* ---- the cleaners ---- */

void cron_cleaners_free(cron_cleaner *c, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(c[i].dir);
                free(c[i].command);
                free(c[i].pattern);
                free(c[i].schedule);
                source_ref_done(&c[i].source);
        }
        free(c);
}

static bool has_glob(const char *s) {
        for (; *s; s++) {
                if (*s == '\\' && s[1])
                        s++;
                else if (strchr("*?[", *s))
                        return true;
        }
        return false;
}

bool cron_cleaner_covers(const cron_cleaner *c, const char *path) {
        const char *pattern = c->pattern ?: c->dir;
        int extra;

        if (!pattern)
                return false;
        if (!has_glob(pattern))
                /* A literal name: dir is it, unescaped (and normalized
                 * when the cleaner was read). */
                return streq(c->dir, path) || (c->recursive && path_below(c->dir, path));
        extra = shell_glob_match(pattern, path);
        return extra == 0 || (extra > 0 && c->recursive);
}

typedef struct scan {
        const char *file;
        const char *schedule;
        char *command;          /* the line, trimmed */
        unsigned line;
        cron_cleaner **cleaners;
        size_t *n;
} scan;

static int add_cleaner(scan *sc, const char *tool, const char *target, bool glob, bool recursive, bool sockets,
                       uint64_t age_usec, const char *age_by) {
        _cleanup_free_ char *norm = NULL, *dir = NULL;
        cron_cleaner *p, *c;

        if (target[0] != '/')
                return 0; /* relative to a working directory we cannot know */
        norm = path_normalize(target);
        if (!norm)
                return -ENOMEM;
        if (glob) {
                /* The directory above the first component with a glob. */
                const char *g = norm;
                size_t keep = 1;

                for (const char *q = norm; *q; q++) {
                        if (*q == '/')
                                g = q;
                        if (*q == '\\' && q[1])
                                q++;
                        else if (strchr("*?[", *q)) {
                                keep = g == norm ? 1 : (size_t) (g - norm);
                                break;
                        }
                }
                dir = strndup(norm, keep);
        } else {
                /* A literal name: its glob characters match themselves. */
                _cleanup_free_ char *escaped = glob_escape(norm);

                if (!escaped)
                        return -ENOMEM;
                dir = TAKE_PTR(norm);
                norm = TAKE_PTR(escaped);
        }
        if (!dir)
                return -ENOMEM;

        p = reallocarray(*sc->cleaners, *sc->n + 1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        *sc->cleaners = p;
        c = &p[*sc->n];
        *c = (cron_cleaner) {
                .dir = TAKE_PTR(dir),
                .command = strdup(sc->command),
                .pattern = TAKE_PTR(norm),
                .recursive = recursive,
                .sockets = sockets,
                .schedule = strdup(sc->schedule),
                .age_usec = age_usec,
                .age_by = age_by,
                .tool = tool,
        };
        if (!c->command || !c->schedule || source_ref_set(&c->source, sc->file, sc->line) < 0) {
                free(c->dir);
                free(c->command);
                free(c->pattern);
                free(c->schedule);
                *c = (cron_cleaner) {};
                return -ENOMEM;
        }
        (*sc->n)++;
        return 0;
}

/* ---- commands ---- */

typedef struct argv_buf {
        char **argv;
        char **patterns;
        unsigned *lines;        /* the line of the word each argument came from */
        size_t n;
        bool unknown;
} argv_buf;

static void argv_buf_done(argv_buf *a) {
        for (size_t i = 0; i < a->n; i++) {
                free(a->argv[i]);
                free(a->patterns[i]);
        }
        free(a->argv);
        free(a->patterns);
        free(a->lines);
        *a = (argv_buf) {};
}

static int expand_command(const shell_command *c, const shell_vars *vars, const char *file, argv_buf *ret) {
        shell_field *f = NULL;
        size_t n = 0;
        argv_buf a = {};
        unsigned *lines = NULL;
        int r;

        for (size_t i = 0; i < c->n_words; i++) {
                size_t before = n;
                unsigned *l;

                r = shell_expand(&c->words[i], vars, true, file, &f, &n);
                if (r < 0) {
                        free(lines);
                        shell_fields_free(f, n);
                        return r;
                }
                a.unknown |= r > 0;
                l = reallocarray(lines, n + 1, sizeof(*l));
                if (!l) {
                        free(lines);
                        shell_fields_free(f, n);
                        return -ENOMEM;
                }
                lines = l;
                for (size_t k = before; k < n; k++)
                        lines[k] = c->words[i].line;
        }
        a.argv = calloc(n + 1, sizeof(char *));
        a.patterns = calloc(n + 1, sizeof(char *));
        if (!a.argv || !a.patterns) {
                free(a.argv);
                free(a.patterns);
                free(lines);
                shell_fields_free(f, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                a.argv[i] = TAKE_PTR(f[i].text);
                a.patterns[i] = TAKE_PTR(f[i].pattern);
        }
        a.n = n;
        a.lines = lines;
        shell_fields_free(f, n);
        *ret = a;
        return 0;
}

static int scan_commands(scan *sc, const shell_command *cmds, size_t n, const shell_vars *vars, int depth);

static int add_target(const cleaner_target *t, void *userdata) {
        return add_cleaner(userdata, t->tool, t->path, t->glob, t->recursive, t->sockets, t->age_usec, t->age_by);
}

static int scan_command(scan *sc, const shell_command *cmds, size_t n_cmds, size_t k, const shell_vars *vars,
                        int depth) {
        _cleanup_(argv_buf_done) argv_buf a = {};
        bool piped_to_rm = false;
        size_t i, c;
        int r;

        r = expand_command(&cmds[k], vars, sc->file, &a);
        if (r < 0)
                return r;
        /* The line the command starts on: inside a "sh -c" string too. */
        sc->line = cmds[k].words[0].line;
        i = cleaner_argv_skip_wrappers(a.argv, a.n);
        if (i >= a.n)
                return 0;

        if (streq(basename(a.argv[i]), "find") && cmds[k].piped && k + 1 < n_cmds) {
                _cleanup_(argv_buf_done) argv_buf x = {};
                size_t j;

                r = expand_command(&cmds[k + 1], vars, sc->file, &x);
                if (r < 0)
                        return r;
                j = cleaner_argv_skip_wrappers(x.argv, x.n);
                piped_to_rm = cleaner_argv_xargs_removes(x.argv + j, x.n - j);
        }
        r = cleaner_argv_read(a.argv + i, a.patterns + i, a.n - i, piped_to_rm, add_target, sc);
        if (r != 0)
                return r < 0 ? r : 0;

        /* A shell string run by a shell: what it runs is read in turn. */
        c = cleaner_argv_shell_string(a.argv + i, a.n - i);
        if (c != SIZE_MAX && depth < 4) {
                shell_command *inner = NULL;
                size_t n_inner = 0;

                r = shell_split(a.argv[i + c], a.lines[i + c], &inner, &n_inner);
                if (r < 0)
                        return r;
                r = scan_commands(sc, inner, n_inner, vars, depth + 1);
                shell_commands_free(inner, n_inner);
                return r;
        }
        return 0;
}

static int scan_commands(scan *sc, const shell_command *cmds, size_t n, const shell_vars *vars, int depth) {
        for (size_t k = 0; k < n; k++) {
                int r = scan_command(sc, cmds, n, k, vars, depth);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The text of a command as written, on one line, for humans: continued
 * lines joined, runs of blanks made one. */
static char *command_text(const shell_command *c) {
        const char *start = c->words[0].raw, *end = c->words[c->n_words - 1].raw + c->words[c->n_words - 1].len;
        char *s = malloc((size_t) (end - start) + 1), *o = s;

        if (!s)
                return NULL;
        for (const char *p = start; p < end; p++) {
                bool blank = *p == ' ' || *p == '\t' || *p == '\n' || (*p == '\\' && p + 1 < end && p[1] == '\n');

                if (blank) {
                        if (*p == '\\')
                                p++;
                        if (o > s && o[-1] != ' ')
                                *o++ = ' ';
                } else
                        *o++ = *p;
        }
        *o = '\0';
        return s;
}

/* A run-parts script: every command in it, whatever the control flow, with
 * the variables it assigned before (last assignment wins). */
static int scan_script(scan *sc, const char *text) {
        shell_command *cmds = NULL;
        size_t n = 0;
        shell_vars vars = {};
        int r;

        r = shell_split(text, 1, &cmds, &n);
        if (r < 0)
                return r;
        for (size_t k = 0; k < n && r >= 0; k++) {
                const shell_command *c = &cmds[k];

                for (size_t w = 0; w < c->n_words && r >= 0; w++) {
                        size_t nl = shell_assignment_name(&c->words[w]);
                        shell_field *f = NULL;
                        size_t nf = 0;
                        char name[128];
                        shell_word value;

                        if (nl == 0 || nl >= sizeof(name))
                                break;
                        memcpy(name, c->words[w].raw, nl);
                        name[nl] = '\0';
                        value = (shell_word) { .raw = c->words[w].raw + nl + 1, .len = c->words[w].len - nl - 1,
                                               .line = c->words[w].line };
                        r = shell_expand(&value, &vars, false, sc->file, &f, &nf);
                        if (r >= 0 && nf == 1) {
                                source_ref src = { .file = (char *) sc->file, .line = c->words[w].line };
                                r = shell_vars_set(&vars, name, f[0].text, &src);
                        }
                        shell_fields_free(f, nf);
                }
                if (r < 0)
                        break;

                free(sc->command);
                sc->command = command_text(c);
                if (!sc->command) {
                        r = -ENOMEM;
                        break;
                }
                sc->line = c->words[0].line;
                r = scan_command(sc, cmds, n, k, &vars, 0);
        }
        shell_vars_done(&vars);
        shell_commands_free(cmds, n);
        return r;
}

/* Skips N whitespace-separated fields of a crontab line. */
static const char *skip_fields(const char *p, unsigned n) {
        for (unsigned i = 0; i < n; i++) {
                while (isblank((unsigned char) *p))
                        p++;
                if (!*p)
                        return NULL;
                while (*p && !isblank((unsigned char) *p))
                        p++;
        }
        while (isblank((unsigned char) *p))
                p++;
        return *p ? p : NULL;
}

/* The first N fields of a crontab line, single-spaced. */
static char *copy_fields(const char *p, unsigned n) {
        char *out = malloc(strlen(p) + 1), *o = out;

        if (!out)
                return NULL;
        for (unsigned i = 0; i < n; i++) {
                while (isblank((unsigned char) *p))
                        p++;
                if (!*p)
                        break;
                if (o != out)
                        *o++ = ' ';
                while (*p && !isblank((unsigned char) *p))
                        *o++ = *p++;
        }
        *o = '\0';
        return out;
}

/* cron's own "NAME = value" lines, which set the commands' environment. */
static int crontab_env(const char *line, shell_vars *vars, const char *file, unsigned line_no) {
        const char *p = line, *name = line;
        size_t name_len, vlen;
        _cleanup_free_ char *n = NULL, *v = NULL;
        source_ref src = { .file = (char *) file, .line = line_no };

        if (!(isalpha((unsigned char) *p) || *p == '_'))
                return 0;
        while (isalnum((unsigned char) *p) || *p == '_')
                p++;
        name_len = (size_t) (p - name);
        while (isblank((unsigned char) *p))
                p++;
        if (*p != '=')
                return 0;
        p++;
        while (isblank((unsigned char) *p))
                p++;
        vlen = strlen(p);
        while (vlen > 0 && isblank((unsigned char) p[vlen - 1]))
                vlen--;
        if (vlen >= 2 && (p[0] == '"' || p[0] == '\'') && p[vlen - 1] == p[0]) {
                p++;
                vlen -= 2;
        }
        n = strndup(name, name_len);
        v = strndup(p, vlen);
        if (!n || !v)
                return -ENOMEM;
        return shell_vars_set(vars, n, v, &src) < 0 ? -ENOMEM : 1;
}

/* A crontab: "m h dom mon dow [user] command", "@daily [user] command" and
 * NAME=value lines. cron cuts the command at the first unescaped '%'. */
static int scan_crontab(scan *sc, const char *text, bool user_field) {
        shell_vars vars = {};
        unsigned line_no = 0;
        int r = 0;

        for (const char *p = text; *p && r >= 0;) {
                const char *eol = strchrnul(p, '\n');
                _cleanup_free_ char *line = strndup(p, (size_t) (eol - p)), *cmd = NULL, *schedule = NULL;
                const char *s, *c;
                shell_command *cmds = NULL;
                size_t n = 0, o = 0;

                p = *eol ? eol + 1 : eol;
                line_no++;
                if (!line) {
                        r = -ENOMEM;
                        break;
                }
                s = line;
                while (isblank((unsigned char) *s))
                        s++;
                if (*s == '\0' || *s == '#')
                        continue;
                r = crontab_env(s, &vars, sc->file, line_no);
                if (r != 0)
                        continue;

                c = skip_fields(s, (*s == '@' ? 1 : 5) + (user_field ? 1 : 0));
                if (!c)
                        continue;
                schedule = copy_fields(s, *s == '@' ? 1 : 5);
                cmd = malloc(strlen(c) + 1);
                if (!cmd || !schedule) {
                        r = -ENOMEM;
                        break;
                }
                for (const char *q = c; *q; q++) {
                        if (*q == '\\' && q[1] == '%') {
                                cmd[o++] = '%';
                                q++;
                        } else if (*q == '%')
                                break; /* the rest is the command's standard input */
                        else
                                cmd[o++] = *q;
                }
                cmd[o] = '\0';

                r = shell_split(cmd, line_no, &cmds, &n);
                if (r < 0)
                        break;
                free(sc->command);
                sc->command = strdup(s);
                sc->line = line_no;
                sc->schedule = schedule;
                r = sc->command ? scan_commands(sc, cmds, n, &vars, 0) : -ENOMEM;
                sc->schedule = NULL;
                shell_commands_free(cmds, n);
        }
        shell_vars_done(&vars);
        return r < 0 ? r : 0;
}

static const char *const run_parts_dirs[] = {
        "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly",
};

int cron_cleaners_parse(const char *file, const char *text, cron_cleaner **cleaners, size_t *n) {
        scan sc = { .file = file, .cleaners = cleaners, .n = n };
        char schedule[64];
        int r;

        for (size_t i = 0; i < ELEMENTSOF(run_parts_dirs); i++) {
                size_t l = strlen(run_parts_dirs[i]);

                if (strncmp(file, run_parts_dirs[i], l) == 0 && file[l] == '/') {
                        snprintf(schedule, sizeof(schedule), "%s (%s)", run_parts_dirs[i] + strlen("/etc/cron."),
                                 run_parts_dirs[i]);
                        sc.schedule = schedule;
                        r = scan_script(&sc, text);
                        free(sc.command);
                        return r;
                }
        }
        r = scan_crontab(&sc, text, strncmp(file, "/var/spool/cron/", 16) != 0);
        free(sc.command);
        return r;
}

/* run-parts' and Debian cron's rule for names in these directories:
 * letters, digits, '_' and '-' only, so "foo.dpkg-old" never runs. */
static bool run_parts_name(const char *name) {
        if (!*name)
                return false;
        for (const char *p = name; *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '_' && *p != '-')
                        return false;
        return true;
}

static int scan_file(const char *root, const char *path, cron_cleaner **cleaners, size_t *n) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = root_read_file(root, path, &text, NULL);
        if (r < 0)
                return r == -ENOMEM ? r : 0; /* unreadable: nothing cron would run from it either */
        return cron_cleaners_parse(path, text, cleaners, n);
}

typedef enum dir_rules {
        DIR_ANY = 0,
        DIR_NAMES = 1,          /* run-parts names only */
        DIR_EXECUTABLE = 2,     /* run-parts runs only executables; cron.d files need not be */
} dir_rules;

/* The files of DIR that cron or run-parts would use, in their order. */
static int scan_dir(const char *root, const char *dir, dir_rules rules, cron_cleaner **cleaners, size_t *n) {
        DIR *d;
        struct dirent *de;
        char **names = NULL;
        size_t n_names = 0;
        int r;

        r = root_opendir(root, dir, &d);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        while (r >= 0 && (de = readdir(d))) {
                struct stat st;
                char **p;

                if (de->d_name[0] == '.')
                        continue;
                if ((rules & DIR_NAMES) && !run_parts_name(de->d_name))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if ((rules & DIR_EXECUTABLE) && !(st.st_mode & 0111))
                        continue;
                p = reallocarray(names, n_names + 1, sizeof(*p));
                if (!p) {
                        r = -ENOMEM;
                        break;
                }
                names = p;
                names[n_names] = strdup(de->d_name);
                if (!names[n_names])
                        r = -ENOMEM;
                else
                        n_names++;
        }
        closedir(d);
        if (n_names > 0)
                qsort(names, n_names, sizeof(*names), strv_cmp);
        for (size_t i = 0; i < n_names; i++) {
                _cleanup_free_ char *path = NULL;

                if (r >= 0 && asprintf(&path, "%s/%s", dir, names[i]) < 0)
                        r = -ENOMEM;
                /* Debian's tmpreaper job is read by tmpreaper.c, with its
                 * configuration; the generic reader would get it wrong. */
                if (r >= 0 && !streq(path, "/etc/cron.daily/tmpreaper"))
                        r = scan_file(root, path, cleaners, n);
                free(names[i]);
        }
        free(names);
        return r;
}

int cron_cleaners_load(cron_cleaner **ret, size_t *ret_n, const char *root) {
        cron_cleaner *c = NULL;
        size_t n = 0;
        int r;

        r = scan_file(root, "/etc/crontab", &c, &n);
        if (r >= 0)
                r = scan_dir(root, "/etc/cron.d", DIR_NAMES, &c, &n);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(run_parts_dirs); i++)
                r = scan_dir(root, run_parts_dirs[i], DIR_NAMES | DIR_EXECUTABLE, &c, &n);
        if (r >= 0)
                r = scan_dir(root, "/var/spool/cron/crontabs", DIR_ANY, &c, &n);
        if (r < 0) {
                cron_cleaners_free(c, n);
                return r;
        }
        *ret = c;
        *ret_n = n;
        return 0;
}

int cron_daemon_find(const char *root, source_ref *source) {
        static const char *const daemons[] = {
                "/usr/sbin/cron",                        /* Debian's cron, cronie on some */
                "/usr/sbin/crond",                       /* cronie, busybox */
                "/usr/sbin/anacron",
                "/usr/lib/systemd/system/cron-daily.timer", /* systemd-cron */
                "/lib/systemd/system/cron-daily.timer",
                "/usr/bin/crond",
                "/usr/sbin/bcron-start",
        };

        for (size_t i = 0; i < ELEMENTSOF(daemons); i++) {
                struct stat st;

                if (root_lstat(root, daemons[i], &st) < 0)
                        continue;
                if (source && source_ref_set(source, daemons[i], 0) < 0)
                        return -ENOMEM;
                return 1;
        }
        return 0;
}
