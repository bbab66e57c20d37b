/* SPDX-License-Identifier: MIT */
/* The command lines of cron jobs that delete: which word is the command
 * once nice, timeout, flock, env, sudo and their options are stepped
 * over, and what find, rm, tmpreaper and tmpwatch delete when given these
 * arguments, each read as the tool reads them (tmpreaper's own reader, the
 * one the Debian job's interpretation uses). Also the two ways a command
 * hands its work on: xargs rm at the end of a pipe, and a shell string. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleaner-argv.h"
#include "find-expr.h"
#include "macro.h"
#include "shell.h"
#include "tmpreaper-args.h"

static int emit(cleaner_target_fn fn, void *userdata, const char *tool, const char *path, bool glob, bool recursive,
                bool sockets, uint64_t age_usec, const char *age_by) {
        cleaner_target t = {
                .tool = tool,
                .path = path,
                .glob = glob,
                .recursive = recursive,
                .sockets = sockets,
                .age_usec = age_usec,
                .age_by = age_by,
        };

        return fn(&t, userdata);
}

static bool is_assignment(const char *s) {
        shell_word w = { .raw = s, .len = strlen(s) };
        return shell_assignment_name(&w) > 0;
}

size_t cleaner_argv_skip_wrappers(char **argv, size_t n) {
        static const char *const keywords[] = { "if", "then", "else", "elif", "do", "while", "until", "!", "{",
                                                "time", "exec", "command", "nohup", "chronic", "setsid",
                                                "run-one", NULL };
        size_t i = 0;

        while (i < n) {
                const char *b = basename(argv[i]);

                if (str_in_set(argv[i], keywords) || is_assignment(argv[i])) {
                        i++;
                        continue;
                }
                if (streq(b, "nice")) {
                        for (i++; i < n && argv[i][0] == '-';)
                                i += streq(argv[i], "-n") ? 2 : 1;
                        continue;
                }
                if (streq(b, "ionice")) {
                        for (i++; i < n && argv[i][0] == '-';)
                                i += STR_IN_SET(argv[i], "-c", "-n", "-p", "-P", "-u") ? 2 : 1;
                        continue;
                }
                if (streq(b, "timeout")) {
                        for (i++; i < n && argv[i][0] == '-';)
                                i += STR_IN_SET(argv[i], "-s", "-k") ? 2 : 1;
                        i++; /* the duration */
                        continue;
                }
                if (streq(b, "flock")) {
                        for (i++; i < n && argv[i][0] == '-';)
                                i += STR_IN_SET(argv[i], "-w", "-E", "--timeout", "--conflict-exit-code") ? 2 : 1;
                        i++; /* the lock file */
                        continue;
                }
                if (streq(b, "env")) {
                        for (i++; i < n; i++) {
                                if (streq(argv[i], "-u"))
                                        i++;
                                else if (argv[i][0] != '-' && !is_assignment(argv[i]))
                                        break;
                        }
                        continue;
                }
                if (streq(b, "sudo")) {
                        for (i++; i < n && argv[i][0] == '-';)
                                i += STR_IN_SET(argv[i], "-u", "-g") ? 2 : 1;
                        continue;
                }
                break;
        }
        return i;
}

/* How rm and tmpwatch take an argument: an option ("-x", "--long") until a
 * "--" ends the options, an operand after it. */
typedef enum arg_kind {
        ARG_OPERAND,
        ARG_OPTION,
        ARG_END_OF_OPTIONS,     /* the "--" itself */
} arg_kind;

static arg_kind arg_kind_of(const char *a, bool *options) {
        if (*options && streq(a, "--")) {
                *options = false;
                return ARG_END_OF_OPTIONS;
        }
        return *options && a[0] == '-' && a[1] ? ARG_OPTION : ARG_OPERAND;
}

/* ---- find ---- */

static int read_find(char **argv, size_t n, bool piped_to_rm, cleaner_target_fn fn, void *userdata) {
        find_deletes d;
        int r;

        r = find_argv_read(argv, n, piped_to_rm, &d);
        if (r < 0)
                return r;
        for (size_t k = 0; d.deletes && k < d.n_paths; k++) {
                r = emit(fn, userdata, "find", argv[d.first_path + k], false, true, d.sockets, d.age_usec, d.age_by);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- rm ---- */

static int read_rm(char **argv, char **patterns, size_t n, cleaner_target_fn fn, void *userdata) {
        bool recursive = false, options = true;
        int r;

        for (size_t i = 0; i < n; i++) {
                const char *a = argv[i];
                arg_kind k = arg_kind_of(a, &options);

                if (k == ARG_END_OF_OPTIONS)
                        continue;
                if (k == ARG_OPTION) {
                        if (streq(a, "--recursive"))
                                recursive = true;
                        else if (a[1] != '-')
                                recursive |= strchr(a, 'r') || strchr(a, 'R');
                        continue;
                }
                /* rm unlinks sockets like any other non-directory. */
                r = emit(fn, userdata, "rm", patterns[i] ?: a, patterns[i] != NULL, recursive, true, 0, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- tmpreaper, tmpwatch ---- */

static const char *age_by_of(bool mtime, bool ctime) {
        return mtime ? "mtime" : ctime ? "atime and ctime" : "atime";
}

static int read_tmpreaper(char **argv, size_t n, cleaner_target_fn fn, void *userdata) {
        _cleanup_(tmpreaper_args_done) tmpreaper_args a = {};
        int r;

        r = tmpreaper_args_parse(argv, n, &a);
        if (r < 0)
                return r;
        if (!a.ok)
                return 0;
        for (size_t i = 0; i < a.n_dirs; i++) {
                r = emit(fn, userdata, "tmpreaper", argv[a.dir_args[i]], false, true, a.all, a.grace_usec,
                         age_by_of(a.mtime, a.ctime));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* tmpwatch [-umcMadlfqstvx] <hours> <dirs>: the same family as tmpreaper;
 * without --all it leaves sockets alone. */
static int read_tmpwatch(char **argv, size_t n, cleaner_target_fn fn, void *userdata) {
        static const char *const with_arg[] = { "-x", "--exclude", "-X", "--exclude-pattern", "-U",
                                                "--exclude-user", NULL };
        bool all = false, test = false, mtime = false, ctime = false, options = true;
        size_t first = SIZE_MAX;
        uint64_t age = 0;
        int r;

        for (size_t i = 0; i < n; i++) {
                const char *a = argv[i];
                arg_kind k = arg_kind_of(a, &options);

                if (k == ARG_END_OF_OPTIONS)
                        continue;
                if (k == ARG_OPTION) {
                        if (str_in_set(a, with_arg))
                                i++;
                        else if (streq(a, "--all"))
                                all = true;
                        else if (streq(a, "--test"))
                                test = true;
                        else if (streq(a, "--mtime"))
                                mtime = true;
                        else if (streq(a, "--ctime"))
                                ctime = true;
                        else if (a[1] != '-') {
                                all |= strchr(a, 'a') != NULL;
                                test |= strchr(a, 't') != NULL;
                                mtime |= strchr(a, 'm') != NULL;
                                ctime |= strchr(a, 'c') != NULL;
                                if (strpbrk(a + 1, "xXU") && !a[strcspn(a, "xXU") + 1])
                                        i++; /* -x PATH */
                        }
                        continue;
                }
                if (first == SIZE_MAX) {
                        first = i;
                        if (tmpreaper_parse_time(a, &age) < 0)
                                return 0;
                        continue;
                }
                if (test)
                        return 0;
                r = emit(fn, userdata, "tmpwatch", a, false, true, all, age,
                         mtime ? "mtime" : ctime ? "ctime" : "atime");
                if (r < 0)
                        return r;
        }
        return 0;
}

int cleaner_argv_read(char **argv, char **patterns, size_t n, bool piped_to_rm, cleaner_target_fn fn,
                      void *userdata) {
        const char *tool;
        int r;

        if (n == 0)
                return 0;
        tool = basename(argv[0]);
        if (streq(tool, "find"))
                r = read_find(argv + 1, n - 1, piped_to_rm, fn, userdata);
        else if (streq(tool, "rm"))
                r = read_rm(argv + 1, patterns + 1, n - 1, fn, userdata);
        else if (streq(tool, "tmpreaper"))
                r = read_tmpreaper(argv + 1, n - 1, fn, userdata);
        else if (streq(tool, "tmpwatch"))
                r = read_tmpwatch(argv + 1, n - 1, fn, userdata);
        else
                return 0;
        return r < 0 ? r : 1;
}

/* ---- handing on ---- */

bool cleaner_argv_xargs_removes(char **argv, size_t n) {
        size_t j = 0;

        if (n == 0 || !streq(basename(argv[0]), "xargs"))
                return false;
        /* Past xargs' own options: the command it runs. */
        for (j++; j < n && argv[j][0] == '-'; j++)
                if (STR_IN_SET(argv[j], "-n", "-P", "-I", "-d", "-L", "-s", "-E", "-a"))
                        j++;
        return j < n && command_removes(argv[j]);
}

static bool is_shell(const char *b) {
        return STR_IN_SET(b, "sh", "bash", "dash");
}

/* Debian's man-db job cleans its cache with start-stop-daemon running a
 * shell string. */
size_t cleaner_argv_shell_string(char **argv, size_t n) {
        const char *tool;

        if (n == 0)
                return SIZE_MAX;
        tool = basename(argv[0]);
        if (is_shell(tool) && 2 < n && streq(argv[1], "-c"))
                return 2;
        if (streq(tool, "su") || streq(tool, "runuser")) {
                for (size_t j = 1; j + 1 < n; j++)
                        if (streq(argv[j], "-c") || streq(argv[j], "--command"))
                                return j + 1;
        } else if (streq(tool, "start-stop-daemon")) {
                bool shell = false;

                for (size_t j = 1; j < n; j++) {
                        if (j + 1 < n && STR_IN_SET(argv[j], "--startas", "-a", "--exec", "-x"))
                                shell |= is_shell(basename(argv[j + 1]));
                        if (streq(argv[j], "--")) {
                                if (shell && j + 2 < n && streq(argv[j + 1], "-c"))
                                        return j + 2;
                                break;
                        }
                }
        }
        return SIZE_MAX;
}
