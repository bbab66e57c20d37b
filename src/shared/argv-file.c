/* SPDX-License-Identifier: MIT */
/* --from-file=FILE for the commands that the generator starts with lists
 * of any length (guard, tmpfiles-snippet): a unit file line is limited to
 * about 1 MiB, and a file is not. The options are expanded into a new argv
 * before getopt sees it, so that each command parses one argument list,
 * whatever its source. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv-file.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "strv.h"

typedef struct expander {
        const char *shortopts;
        const struct option *options;
        bool posix;             /* the first non-option ends the options */
        bool ended;             /* after "--": nothing is an option */
        bool value_next;        /* the next argument is an option's value */
        char **out;
        size_t n_out;
} expander;

void expanded_argv_done(expanded_argv *a) {
        if (a->argv)
                strv_free_n(a->argv, (size_t) a->argc + 1);
        *a = (expanded_argv) {};
}

static const struct option *find_long(const struct option *options, const char *name, size_t len) {
        const struct option *found = NULL;

        for (const struct option *o = options; o && o->name; o++) {
                if (strncmp(o->name, name, len) != 0)
                        continue;
                if (!o->name[len])
                        return o;       /* exact */
                if (found)
                        return NULL;    /* ambiguous: getopt will say so */
                found = o;
        }
        return found;
}

/* Whether ARG takes the next argument as its value, as getopt_long()
 * will read it; also notes "--" and, in POSIX mode, the first operand. */
static void classify(expander *e, const char *arg) {
        if (arg[0] != '-' || !arg[1]) {
                e->ended = e->posix;
                return;
        }
        if (arg[1] == '-') {
                const char *eq = strchr(arg + 2, '=');
                const struct option *o;

                if (!arg[2]) {
                        e->ended = true;
                        return;
                }
                o = find_long(e->options, arg + 2, eq ? (size_t) (eq - arg - 2) : strlen(arg + 2));
                e->value_next = o && o->has_arg == required_argument && !eq;
                return;
        }
        for (const char *p = arg + 1; *p; p++) {
                const char *s = *p == ':' ? NULL : strchr(e->shortopts, *p);

                if (!s)
                        return;
                if (s[1] == ':') {
                        /* "x:" takes the rest or the next argument; "x::" only the rest. */
                        e->value_next = s[2] != ':' && !p[1];
                        return;
                }
        }
}

/* The file named by ARG when it is --from-file, or NULL. *RET_NEXT: the
 * name is the next argument. */
static const char *from_file_value(const char *arg, bool *ret_next) {
        static const char prefix[] = "--" ARGV_FILE_OPTION;

        *ret_next = false;
        if (strncmp(arg, prefix, sizeof(prefix) - 1) != 0)
                return NULL;
        arg += sizeof(prefix) - 1;
        if (!*arg) {
                *ret_next = true;
                return arg;
        }
        return *arg == '=' ? arg + 1 : NULL;
}

static int push(expander *e, const char *arg, size_t len) {
        return strv_push(&e->out, &e->n_out, strndup(arg, len));
}

static bool is_blank(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (s[i] != ' ' && s[i] != '\t')
                        return false;
        return true;
}

/* 0 with nothing read when FILE is missing and MISSING_OK. */
static int read_all(const char *file, bool missing_ok, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = open(file, O_RDONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && missing_ok) {
                *ret = NULL;
                *ret_size = 0;
                return 0;
        }
        if (fd < 0)
                return log_error_errno(errno, "%s", file), -EINVAL;
        r = read_full_fd(fd, ARGV_FILE_MAX, 64 * 1024, ret, ret_size);
        if (r == -EFBIG) {
                log_error("%s: larger than %u MiB, not reading it", file, ARGV_FILE_MAX / (1024 * 1024));
                return -EINVAL;
        }
        if (r == -ENOMEM)
                return log_error_errno(ENOMEM, "%s", file);
        if (r < 0)
                return log_error_errno(-r, "%s", file), -EINVAL;
        return 0;
}

static int expand_file(expander *e, const char *file) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        unsigned line = 0;
        bool missing_ok = file[0] == '-';
        int r;

        /* "-FILE", as systemd's EnvironmentFile=-FILE: a list that may not
         * be there (yet), read as empty. */
        if (missing_ok)
                file++;
        if (!*file) {
                log_error("--" ARGV_FILE_OPTION " needs a file name");
                return -EINVAL;
        }
        r = read_all(file, missing_ok, &text, &size);
        if (r < 0)
                return r;
        if (!text)
                return 0; /* missing, and allowed to be */
        for (const char *p = text, *end = text + size; p < end;) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t len = nl ? (size_t) (nl - p) : (size_t) (end - p);
                bool next;

                line++;
                if (memchr(p, 0, len)) {
                        log_error("%s:%u: contains a NUL byte", file, line);
                        return -EINVAL;
                }
                if (len > ARGV_FILE_LINE_MAX) {
                        log_error("%s:%u: longer than %u bytes", file, line, ARGV_FILE_LINE_MAX);
                        return -EINVAL;
                }
                if (len > 0 && p[0] != '#' && !is_blank(p, len)) {
                        _cleanup_free_ char *arg = strndup(p, len);

                        if (!arg)
                                return -ENOMEM;
                        if (e->value_next)
                                e->value_next = false;
                        else if (!e->ended && from_file_value(arg, &next)) {
                                log_error("%s:%u: --" ARGV_FILE_OPTION " cannot be nested", file, line);
                                return -EINVAL;
                        } else if (!e->ended)
                                classify(e, arg);
                        r = strv_push(&e->out, &e->n_out, TAKE_PTR(arg));
                        if (r < 0)
                                return r;
                }
                p += len + 1;
        }
        return 0;
}

int argv_expand_from_files(int argc, char *argv[], const char *shortopts, const struct option *options,
                           expanded_argv *ret) {
        expander e = {
                .shortopts = shortopts,
                .options = options,
                .posix = shortopts[0] == '+' || (shortopts[0] != '-' && getenv("POSIXLY_CORRECT")),
        };
        int r = 0;

        for (int i = 0; i < argc && r >= 0; i++) {
                const char *file;
                bool next;

                if (i == 0 || e.ended || e.value_next) {
                        e.value_next = false;
                        r = push(&e, argv[i], strlen(argv[i]));
                        continue;
                }
                file = from_file_value(argv[i], &next);
                if (!file) {
                        classify(&e, argv[i]);
                        r = push(&e, argv[i], strlen(argv[i]));
                        continue;
                }
                if (next) {
                        if (i + 1 >= argc) {
                                log_error("--" ARGV_FILE_OPTION " needs a file name");
                                r = -EINVAL;
                                break;
                        }
                        file = argv[++i];
                }
                r = expand_file(&e, file);
        }
        if (r >= 0 && e.n_out >= INT_MAX) {
                log_error("too many arguments");
                r = -EINVAL;
        }
        if (r >= 0) {
                /* NULL-terminated, as main()'s argv. */
                char **l = reallocarray(e.out, e.n_out + 1, sizeof(char *));

                if (l) {
                        e.out = l;
                        e.out[e.n_out] = NULL;
                } else
                        r = -ENOMEM;
        }
        if (r < 0) {
                strv_free_n(e.out, e.n_out);
                return r;
        }
        *ret = (expanded_argv) { .argc = (int) e.n_out, .argv = e.out };
        return 0;
}
