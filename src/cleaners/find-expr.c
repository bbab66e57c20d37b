/* SPDX-License-Identifier: MIT */
/* find(1)'s command line as a cron job writes it: the options before the
 * starting points, the starting points, and the expression, evaluated the
 * way find evaluates it (precedence, !, -o, ',', short-circuits) for
 * whether a file, and a socket in particular, can reach a deleting action.
 * The ages that bound every deletion (-mtime +N outside ! and -o) are
 * kept. Whether the job deletes sockets is worked out, not guessed from
 * the presence of "-type". */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "find-expr.h"
#include "macro.h"

bool command_removes(const char *cmd) {
        return STR_IN_SET(basename(cmd), "rm", "unlink");
}

typedef struct find_fx {
        bool may_true, may_false, del;
} find_fx;

typedef struct find_parser {
        char **argv;
        size_t n, i;
        char type;              /* 's': the file is a socket; 0: any file */
        bool print_deletes;     /* its output goes to xargs rm */
        bool has_action;
        bool bad;
        uint64_t age_usec;
        const char *age_by;
        int negated;            /* inside !, -o or ','; ages there do not bound anything */
} find_parser;

static find_fx find_or(find_parser *fp);

static const char *const find_no_arg[] = {
        "-print", "-print0", "-ls", "-prune", "-quit", "-true", "-false", "-empty", "-executable", "-readable",
        "-writable", "-nouser", "-nogroup", "-depth", "-d", "-mount", "-xdev", "-noleaf", "-ignore_readdir_race",
        "-noignore_readdir_race", "-daystart", "-follow", "-warn", "-nowarn", "-help", "--help", "-version",
        "--version", "-delete", NULL,
};

static const char *const find_two_args[] = { "-fprintf", NULL };

/* The actions that stop find from adding its own -print (-prune and -quit
 * do not). */
static const char *const find_actions[] = {
        "-delete", "-exec", "-execdir", "-ok", "-okdir", "-print", "-print0", "-printf", "-ls", "-fprint",
        "-fprint0", "-fprintf", "-fls", NULL,
};

static find_fx fx_both(void) {
        return (find_fx) { .may_true = true, .may_false = true };
}

/* -mtime +N and friends: find counts whole days (or minutes) of age, so +N
 * days means at least N+1 days. */
static void find_age(find_parser *fp, const char *op, const char *arg) {
        uint64_t unit, n;
        char *end;

        if (fp->negated || arg[0] != '+')
                return;
        errno = 0;
        n = strtoull(arg + 1, &end, 10);
        if (errno || *end || end == arg + 1)
                return;
        unit = op[2] == 'm' && op[3] == 'i' ? USEC_PER_MINUTE : USEC_PER_DAY;
        n = unit == USEC_PER_DAY ? (n + 1) * unit : n * unit;
        if (n > fp->age_usec) {
                fp->age_usec = n;
                fp->age_by = op[1] == 'm' ? "mtime" : op[1] == 'a' ? "atime" : "ctime";
        }
}

static find_fx find_primary(find_parser *fp) {
        const char *a;

        if (fp->i >= fp->n) {
                fp->bad = true;
                return fx_both();
        }
        a = fp->argv[fp->i++];
        if (streq(a, "(")) {
                find_fx fx = find_or(fp);

                if (fp->i < fp->n && streq(fp->argv[fp->i], ")"))
                        fp->i++;
                else
                        fp->bad = true;
                return fx;
        }
        if (streq(a, "!") || streq(a, "-not")) {
                find_fx fx;

                fp->negated++;
                fx = find_primary(fp);
                fp->negated--;
                return (find_fx) { .may_true = fx.may_false, .may_false = fx.may_true, .del = fx.del };
        }
        if (str_in_set(a, find_actions))
                fp->has_action = true;
        if (streq(a, "-delete"))
                return (find_fx) { .may_true = true, .may_false = true, .del = true };
        if (streq(a, "-exec") || streq(a, "-execdir") || streq(a, "-ok") || streq(a, "-okdir")) {
                bool rm = fp->i < fp->n && command_removes(fp->argv[fp->i]);

                while (fp->i < fp->n && !streq(fp->argv[fp->i], ";") && !streq(fp->argv[fp->i], "+"))
                        fp->i++;
                if (fp->i < fp->n)
                        fp->i++;
                else
                        fp->bad = true;
                /* -ok asks on the terminal, which cron does not have. */
                return (find_fx) { .may_true = true, .may_false = true, .del = rm && a[1] == 'e' };
        }
        if (streq(a, "-print") || streq(a, "-print0"))
                return (find_fx) { .may_true = true, .del = fp->print_deletes };
        if (streq(a, "-printf")) {
                if (fp->i++ >= fp->n)
                        fp->bad = true;
                return (find_fx) { .may_true = true, .del = fp->print_deletes };
        }
        if (streq(a, "-true") || streq(a, "-prune") || streq(a, "-quit"))
                return (find_fx) { .may_true = true };
        if (streq(a, "-false"))
                return (find_fx) { .may_false = true };
        if (streq(a, "-empty"))
                /* Only regular files and directories can be empty. */
                return fp->type == 's' ? (find_fx) { .may_false = true } : fx_both();
        if (str_in_set(a, find_no_arg))
                return fx_both();
        if (str_in_set(a, find_two_args)) {
                fp->i += 2;
                if (fp->i > fp->n)
                        fp->bad = true;
                return (find_fx) { .may_true = true };
        }
        if (a[0] != '-') {
                fp->bad = true; /* a path after the expression started: not a command we understand */
                return fx_both();
        }
        /* Every other primary takes one argument. */
        if (fp->i >= fp->n) {
                fp->bad = true;
                return fx_both();
        }
        {
                const char *arg = fp->argv[fp->i++];

                if (streq(a, "-type") || streq(a, "-xtype")) {
                        bool match = false;

                        if (fp->type == 0)
                                return fx_both();
                        for (const char *t = arg; *t; t++)
                                match |= *t == fp->type;
                        return match ? (find_fx) { .may_true = true } : (find_fx) { .may_false = true };
                }
                if (STR_IN_SET(a, "-mtime", "-atime", "-ctime", "-mmin", "-amin", "-cmin"))
                        find_age(fp, a, arg);
                if (STR_IN_SET(a, "-fprint", "-fprint0", "-fls"))
                        return (find_fx) { .may_true = true };
                return fx_both();
        }
}

static bool find_at_operand(find_parser *fp) {
        const char *a;

        if (fp->i >= fp->n)
                return false;
        a = fp->argv[fp->i];
        return !streq(a, ")") && !streq(a, "-o") && !streq(a, "-or") && !streq(a, ",");
}

static find_fx find_and(find_parser *fp) {
        find_fx a = find_primary(fp);

        while (!fp->bad && find_at_operand(fp)) {
                find_fx b;

                if (streq(fp->argv[fp->i], "-a") || streq(fp->argv[fp->i], "-and"))
                        fp->i++;
                b = find_primary(fp);
                a = (find_fx) {
                        .del = a.del || (a.may_true && b.del),
                        .may_true = a.may_true && b.may_true,
                        .may_false = a.may_false || (a.may_true && b.may_false),
                };
        }
        return a;
}

static find_fx find_or1(find_parser *fp) {
        find_fx a = find_and(fp);

        while (!fp->bad && fp->i < fp->n && (streq(fp->argv[fp->i], "-o") || streq(fp->argv[fp->i], "-or"))) {
                find_fx b;

                fp->i++;
                fp->negated++;
                b = find_and(fp);
                fp->negated--;
                a = (find_fx) {
                        .del = a.del || (a.may_false && b.del),
                        .may_true = a.may_true || (a.may_false && b.may_true),
                        .may_false = a.may_false && b.may_false,
                };
        }
        return a;
}

static find_fx find_or(find_parser *fp) {
        find_fx a = find_or1(fp);

        while (!fp->bad && fp->i < fp->n && streq(fp->argv[fp->i], ",")) {
                find_fx b;

                fp->i++;
                b = find_or1(fp);
                a = (find_fx) { .del = a.del || b.del, .may_true = b.may_true, .may_false = b.may_false };
        }
        return a;
}

/* Whether the expression ARGV can reach a deleting action for a file of
 * TYPE. Without an action find prints, which deletes when piped to rm. */
static int find_eval(char **argv, size_t n, char type, bool piped_to_rm, find_parser *ret) {
        find_parser fp = { .argv = argv, .n = n, .type = type, .print_deletes = piped_to_rm };
        find_fx fx = { .may_true = true };

        if (n > 0)
                fx = find_or(&fp);
        if (fp.bad || fp.i != n)
                return -EINVAL;
        if (!fp.has_action && piped_to_rm)
                fx.del |= fx.may_true;
        *ret = fp;
        return fx.del;
}

int find_argv_read(char **argv, size_t n, bool piped_to_rm, find_deletes *ret) {
        size_t i = 0, first_path;
        find_parser any, sock;
        int del, del_sock;

        /* -H -L -P -D opts -Olevel come before the paths. */
        while (i < n && (streq(argv[i], "-H") || streq(argv[i], "-L") || streq(argv[i], "-P") ||
                         streq(argv[i], "-D") || strncmp(argv[i], "-O", 2) == 0))
                i += streq(argv[i], "-D") ? 2 : 1;
        first_path = i;
        while (i < n && !(argv[i][0] == '-' && argv[i][1]) && !streq(argv[i], "(") && !streq(argv[i], "!") &&
               !streq(argv[i], ","))
                i++;
        *ret = (find_deletes) { .first_path = first_path, .n_paths = i - first_path };

        del = find_eval(argv + i, n - i, 0, piped_to_rm, &any);
        if (del < 0) {
                /* An expression we cannot read: when it names a deleting
                 * action anyway, count it, sockets included. */
                for (size_t k = i; k < n; k++)
                        ret->deletes |= streq(argv[k], "-delete") ||
                                        ((streq(argv[k], "-exec") || streq(argv[k], "-execdir")) && k + 1 < n &&
                                         command_removes(argv[k + 1]));
                ret->sockets = ret->deletes;
                return 0;
        }
        if (del == 0)
                return 0;
        del_sock = find_eval(argv + i, n - i, 's', piped_to_rm, &sock);
        if (del_sock < 0)
                del_sock = 1;
        ret->deletes = true;
        ret->sockets = del_sock > 0;
        ret->age_usec = any.age_usec;
        ret->age_by = any.age_by;
        return 0;
}
