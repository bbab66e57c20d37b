/* SPDX-License-Identifier: MIT */
/* sockkeeper tmpfiles-snippet: writes the tmpfiles.d lines (x, or X) that
 * keep systemd-tmpfiles --clean away from socket paths, to standard output,
 * to a file, or installed as /etc/tmpfiles.d/sockkeeper-NAME.conf. Files are
 * replaced atomically, so a reader sees the old snippet or the new one,
 * never a part, and a file this command did not write is never replaced. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv-file.h"
#include "atomic-file.h"
#include "escape.h"
#include "config.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "specifier.h"
#include "string-hash.h"
#include "strv.h"
#include "cli.h"

#define EXIT_USAGE CLI_EXIT_USAGE

/* The first line of every snippet starts with this; --install recognizes
 * its own files by it, whatever the version that wrote them. */
#define SNIPPET_MARK "# Written by sockkeeper tmpfiles-snippet"

#define TMPFILES_DIR "etc/tmpfiles.d"
#define NAME_MAX_LEN 200

typedef struct options {
        const char *output;
        bool install;
        const char *name;
        char *root;
        bool contents_age;
        bool literal;
        char **dirs;            /* --dir: X lines */
        size_t n_dirs;
} options;

static void options_done(options *o) {
        strv_free_n(o->dirs, o->n_dirs);
        free(o->root);
}

static int help(void) {
        printf("Usage: sockkeeper tmpfiles-snippet [OPTIONS] [--dir=DIR...] PATH...\n"
               "\n"
               "Prints a tmpfiles.d snippet that keeps systemd-tmpfiles --clean away from\n"
               "each PATH: an 'x' line, which spares the path and, for a directory,\n"
               "everything in it. PATH is an absolute shell-style glob (* ? [...]) as\n"
               "tmpfiles.d reads it. Unit specifiers that tmpfiles does not know (%%i %%I\n"
               "%%j %%J %%n %%N %%p %%P %%q %%A %%M) become '*'; those it knows (%%t %%T %%V\n"
               "%%h %%u %%m %%b %%H %%%% ...) are kept.\n"
               "\n"
               "  -h --help          show this help\n"
               "  -V --version       show the version\n"
               "     --no-pager      accepted for systemd's tools' sake; nothing pages\n"
               "  -o --output=FILE   write the snippet to FILE, atomically, mode 0644\n"
               "     --install       write it to /etc/tmpfiles.d/sockkeeper-NAME.conf,\n"
               "                     replacing only a file this command wrote\n"
               "     --name=NAME     the NAME for --install: letters, digits and . _ @ -\n"
               "                     (default: made from the first PATH, /tmp/app.sock\n"
               "                     giving tmp-app.sock, with a hash of the lines when\n"
               "                     there are more paths or the name could be another's)\n"
               "     --root=DIR      with --install: write under DIR instead of /\n"
               "  -X --contents-age  write 'X' lines: spare each path itself, but let\n"
               "                     what is inside a directory age as usual\n"
               "     --literal       take each PATH as an exact file name: no globs,\n"
               "                     no specifiers\n"
               "     --dir=DIR       also write an 'X' line for DIR: the directory itself\n"
               "                     is kept, what is inside it ages as usual (repeatable)\n"
               "     --from-file=FILE\n"
               "                     read further arguments from FILE, one per line,\n"
               "                     as if given here\n"
               "\n"
               "With --output, no PATH and no --dir is fine: the file then holds only\n"
               "the header comment.\n"
               "\n"
               "Exit status: 0 on success, 1 when the snippet could not be written or\n"
               "--install found a file it did not write, 64 for a bad option or PATH.\n"
               "See sockkeeper(1).\n");
        return 0;
}

static bool is_control(unsigned char c) {
        return c < 0x20 || c == 0x7f;
}

/* ARG as it may safely appear in a message: quoted and escaped. */
static char *shown(const char *arg) {
        _cleanup_free_ char *e = cescape(arg);
        char *s;

        if (!e || asprintf(&s, "\"%s\"", e) < 0)
                return NULL;
        return s;
}

_printf_(2, 3) static int path_error(const char *arg, const char *fmt, ...) {
        _cleanup_free_ char *s = shown(arg), *msg = NULL;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&msg, fmt, ap);
        va_end(ap);
        log_error("%s %s", s ?: "(path)", n >= 0 ? msg : "is not usable");
        return -EINVAL;
}

/* Turns one PATH argument into the path field of a tmpfiles.d line (before
 * quoting) and, when that differs in a way worth saying, a note for the
 * comment above it. Logs and returns -EINVAL for unusable input. */
static int translate(const char *arg, bool literal, char **ret_pattern, char **ret_note) {
        _cleanup_free_ char *pattern = NULL, *note = NULL, *norm = NULL;
        char mapped[sizeof(specifier_unit_glob)] = "";
        size_t size = 0, n_mapped = 0;
        bool var_run;
        FILE *f;

        if (!*arg)
                return path_error(arg, "is empty; give an absolute path such as /tmp/app.sock");
        for (const unsigned char *p = (const unsigned char *) arg; *p; p++)
                if (is_control(*p))
                        return path_error(arg, "contains a control character, which a tmpfiles.d line cannot hold");

        f = open_memstream(&pattern, &size);
        if (!f)
                return log_error_errno(ENOMEM, "tmpfiles-snippet");
        for (const char *p = arg; *p; p++) {
                if (literal) {
                        /* x and X paths are always fnmatch() patterns, so
                         * an exact name needs its glob characters and
                         * backslashes quoted, and its '%' doubled. */
                        if (strchr(GLOB_SPECIAL, *p))
                                fputc('\\', f);
                        if (*p == '%')
                                fputc('%', f);
                        fputc(*p, f);
                        continue;
                }
                if (*p != '%') {
                        fputc(*p, f);
                        continue;
                }
                p++;
                if (*p && strchr(specifier_tmpfiles, *p))
                        fprintf(f, "%%%c", *p);
                else if (*p && strchr(specifier_unit_glob, *p)) {
                        fputc('*', f);
                        if (!strchr(mapped, *p))
                                mapped[n_mapped++] = *p;
                } else {
                        fclose(f);
                        if (!*p)
                                return path_error(arg, "ends in a lone %%; write %%%% for a literal %%");
                        if (strchr(specifier_unit_path, *p))
                                return path_error(arg, "uses %%%c, a unit specifier that expands to a path, which no "
                                                       "tmpfiles glob can stand for; write the path out",
                                                  *p);
                        return path_error(arg, "uses %%%c, which is not a specifier tmpfiles.d or units know; "
                                               "write %%%% for a literal %%",
                                          *p);
                }
        }
        if (fclose(f) != 0)
                return log_error_errno(ENOMEM, "tmpfiles-snippet");

        if (!(pattern[0] == '/' ||
              (pattern[0] == '%' && pattern[1] && strchr(specifier_tmpfiles_absolute, pattern[1]))))
                return path_error(arg, "is not an absolute path; tmpfiles.d needs one that starts with / "
                                       "(or with a specifier such as %%t)");
        /* A ".." is refused: tmpfiles keeps it as written and compares
         * strings, so such a line would never match anything. "//", "/./"
         * and a trailing "/" go, as systemd-tmpfiles' path_simplify() drops
         * them, so that the snippet shows the path tmpfiles will match. */
        if (path_has_dotdot(pattern))
                return path_error(arg, "has a '..' component; tmpfiles matches paths as strings, "
                                       "so write the path without it");
        norm = path_normalize(pattern);
        if (!norm)
                return log_error_errno(ENOMEM, "tmpfiles-snippet");
        free(pattern);
        pattern = TAKE_PTR(norm);
        if (strlen(pattern) >= PATH_MAX)
                return path_error(arg, "is longer than %d bytes", PATH_MAX - 1);

        /* systemd-tmpfiles reads /var/run/ as /run/ and logs a notice for
         * every such line; write what it will use. */
        var_run = strncmp(pattern, "/var/run/", 9) == 0;
        if (var_run)
                memmove(pattern, pattern + 4, strlen(pattern + 4) + 1);

        if (n_mapped > 0 || var_run) {
                f = open_memstream(&note, &size);
                if (!f)
                        return log_error_errno(ENOMEM, "tmpfiles-snippet");
                fprintf(f, "From %s:", arg);
                for (size_t i = 0; i < n_mapped; i++)
                        fprintf(f, "%s%%%c", i > 0 ? ", " : " ", mapped[i]);
                if (n_mapped > 0)
                        fprintf(f, " became * (any name without a '/' or a leading '.')%s", var_run ? ";" : ".");
                if (var_run)
                        fprintf(f, " systemd-tmpfiles reads /var/run/ as /run/.");
                if (fclose(f) != 0)
                        return log_error_errno(ENOMEM, "tmpfiles-snippet");
        }

        *ret_pattern = TAKE_PTR(pattern);
        *ret_note = TAKE_PTR(note);
        return 0;
}

/* Writes PATTERN as a tmpfiles.d path field. systemd 252 only unquotes
 * this field (no C escapes, despite tmpfiles.d(5)), and later versions
 * also C-unescape it; double quotes with \" and \\ read back the same in
 * both, while \x20 would not. Bytes >= 0x80 pass through unchanged. */
static void put_field(FILE *f, const char *pattern) {
        if (!strpbrk(pattern, " \"'\\")) {
                fputs(pattern, f);
                return;
        }
        fputc('"', f);
        for (const char *p = pattern; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fputc('\\', f);
                fputc(*p, f);
        }
        fputc('"', f);
}

/* The whole snippet, built in memory first so that a bad PATH anywhere
 * means nothing is written anywhere. Logs each bad PATH. */
static int build_snippet(char **paths, size_t n_paths, const options *o, char **ret, size_t *ret_size) {
        _cleanup_free_ char *text = NULL;
        size_t n_args = o->n_dirs + n_paths;
        char **lines = calloc(n_args ?: 1, sizeof(char *));
        size_t size = 0, n_lines = 0;
        FILE *f;
        int r = 0;

        if (!lines)
                return log_error_errno(ENOMEM, "tmpfiles-snippet");
        f = open_memstream(&text, &size);
        if (!f) {
                free(lines);
                return log_error_errno(ENOMEM, "tmpfiles-snippet");
        }
        fprintf(f,
                SNIPPET_MARK " %s. Keeps systemd-tmpfiles --clean away from these sockets; see sockkeeper(1).\n"
                "# Without it, an aged socket file is deleted while its daemon still listens, "
                "and new clients get ENOENT.\n"
                "# Safe to remove once the sockets have moved to /run/NAME/ or $XDG_RUNTIME_DIR, "
                "or nothing binds them.\n",
                PACKAGE_VERSION);
        if (o->contents_age || o->n_dirs > 0)
                fprintf(f, "# X: each path itself is kept; what is inside a directory still ages.\n");

        /* The --dir directories first: they hold the sockets below. */
        for (size_t i = 0; i < n_args; i++) {
                const char *arg = i < o->n_dirs ? o->dirs[i] : paths[i - o->n_dirs];
                bool contents_age = i < o->n_dirs || o->contents_age;
                _cleanup_free_ char *pattern = NULL, *note = NULL, *line = NULL;
                size_t line_size = 0;
                FILE *l;
                bool dup = false;
                int k;

                k = translate(arg, o->literal, &pattern, &note);
                if (k < 0) {
                        r = k; /* go on, to name every bad PATH at once */
                        continue;
                }
                l = open_memstream(&line, &line_size);
                if (!l) {
                        r = log_error_errno(ENOMEM, "tmpfiles-snippet");
                        break;
                }
                fputs(contents_age ? "X " : "x ", l);
                put_field(l, pattern);
                fputc('\n', l);
                if (fclose(l) != 0) {
                        r = log_error_errno(ENOMEM, "tmpfiles-snippet");
                        break;
                }
                /* Duplicates are harmless to tmpfiles but noise to a reader. */
                for (size_t j = 0; j < n_lines && !dup; j++)
                        dup = streq(lines[j], line);
                if (dup)
                        continue;
                if (note)
                        fprintf(f, "# %s\n", note);
                fputs(line, f);
                lines[n_lines++] = TAKE_PTR(line);
        }
        for (size_t j = 0; j < n_lines; j++)
                free(lines[j]);
        free(lines);
        if (fclose(f) != 0 && r >= 0)
                r = log_error_errno(ENOMEM, "tmpfiles-snippet");
        if (r < 0)
                return r;
        *ret_size = size;
        *ret = TAKE_PTR(text);
        return 0;
}

static bool name_is_valid(const char *name) {
        if (!*name || strlen(name) > NAME_MAX_LEN)
                return false;
        for (const char *p = name; *p; p++)
                if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') || ('0' <= *p && *p <= '9') ||
                      strchr("._@-", *p)))
                        return false;
        return true;
}

/* A name for --install without --name, made from the first path: "/tmp/app.sock" gives
 * "tmp-app.sock". Where that could also come from another path ("/tmp/a-b" and "/tmp/a/b",
 * a character that no name holds, one cut short) or the snippet holds more than one
 * path, a hash of its lines follows, so that another run's file, for other paths, is never
 * the one replaced, while the same paths give the same name again. */
static char *name_from_paths(const char *first, bool more, const char *text) {
        char name[NAME_MAX_LEN + 1];
        size_t n = 0, max = NAME_MAX_LEN - 9; /* room for "-" and 8 hex digits */
        _cleanup_free_ char *lines = NULL;
        bool ambiguous = more;
        size_t used = 0;
        uint64_t h;
        char *ret;

        for (const char *p = first; *p; p++) {
                char c = *p;

                if (c == '/') {
                        /* Leading and repeated slashes make no dash. */
                        if (n == 0 || name[n - 1] == '-')
                                continue;
                        c = '-';
                } else if (c == '-')
                        ambiguous = true;
                else if (!(('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') ||
                           strchr("._@", c))) {
                        c = '_';
                        ambiguous = true;
                }
                if (n == max) {
                        ambiguous = true;
                        break;
                }
                name[n++] = c;
        }
        while (n > 0 && name[n - 1] == '-')
                n--;
        name[n] = '\0';
        if (n > 0 && !ambiguous)
                return strdup(name);
        /* The lines themselves, not the comments, which name the version. */
        lines = malloc(strlen(text) + 1);
        if (!lines)
                return NULL;
        for (const char *line = text; *line;) {
                const char *end = strchrnul(line, '\n');
                size_t len = (size_t) (end - line) + (*end ? 1 : 0);

                if (line[0] != '#') {
                        memcpy(lines + used, line, len);
                        used += len;
                }
                line += len;
        }
        lines[used] = '\0';
        h = string_hash(lines);
        if (asprintf(&ret, "%s%s%08" PRIx32, name, n > 0 ? "-" : "", (uint32_t) (h ^ (h >> 32))) < 0)
                return NULL;
        return ret;
}

static int install(const options *o, const char *first, bool more, const char *text, size_t size) {
        _cleanup_close_ int dir_fd = -EBADF;
        _cleanup_free_ char *derived = NULL, *file = NULL, *display = NULL, *shown_display = NULL;
        const char *root = o->root ?: "/", *name = o->name;
        const char *sep = root[strlen(root) - 1] == '/' ? "" : "/";
        int r;

        if (!name) {
                name = derived = name_from_paths(first, more, text);
                if (!name)
                        return log_error_errno(ENOMEM, "tmpfiles-snippet");
        }
        if (asprintf(&file, "sockkeeper-%s.conf", name) < 0 ||
            asprintf(&display, "%s%s" TMPFILES_DIR "/%s", root, sep, file) < 0)
                return log_error_errno(ENOMEM, "tmpfiles-snippet");

        /* The root itself is the admin's choice and may be a symlink;
         * nothing below it is followed. */
        r = atomic_open_dir_under_root(root, "/" TMPFILES_DIR, true, &dir_fd);
        if (r < 0)
                return r;
        r = atomic_install_at(dir_fd, file, display, SNIPPET_MARK, "sockkeeper tmpfiles-snippet", text, size);
        if (r < 0)
                return r;
        /* As migrate --write says what it wrote. */
        shown_display = cescape(display);
        if (derived) {
                _cleanup_free_ char *from = cescape(first);

                printf("# no --name given: named %s after %s%s\n", derived, strna(from),
                       more ? " and the other paths" : "");
        }
        printf("# wrote %s\n", strna(shown_display));
        if (fflush(stdout) != 0)
                return log_error_errno(errno ?: EIO, "standard output");
        return 0;
}

static int write_output(const char *output, const char *text, size_t size) {
        _cleanup_close_ int dir_fd = -EBADF;
        _cleanup_free_ char *dir = NULL;
        const char *slash = strrchr(output, '/'), *name = slash ? slash + 1 : output;

        if (!*name || streq(name, ".") || streq(name, "..")) {
                log_error("%s: names a directory, not a file", output);
                return -EISDIR;
        }
        dir = slash ? strndup(output, slash == output ? 1 : (size_t) (slash - output)) : strdup(".");
        if (!dir)
                return log_error_errno(ENOMEM, "tmpfiles-snippet");
        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return log_error_errno(errno, "%s: cannot open its directory %s", output, dir);
        return atomic_install_at(dir_fd, name, output, NULL, NULL, text, size);
}

int verb_tmpfiles_snippet(int argc, char *argv[]) {
        enum {
                ARG_INSTALL = 0x100,
                ARG_NAME,
                ARG_ROOT,
                ARG_LITERAL,
                ARG_DIR,
        };
        static const struct option long_options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "no-pager", no_argument, NULL, ARG_NO_PAGER },
                { "output", required_argument, NULL, 'o' },
                { "install", no_argument, NULL, ARG_INSTALL },
                { "name", required_argument, NULL, ARG_NAME },
                { "root", required_argument, NULL, ARG_ROOT },
                { "contents-age", no_argument, NULL, 'X' },
                { "literal", no_argument, NULL, ARG_LITERAL },
                { "dir", required_argument, NULL, ARG_DIR },
                {}
        };
        _cleanup_free_ char *text = NULL;
        _cleanup_(options_done) options o = {};
        _cleanup_(expanded_argv_done) expanded_argv args = {};
        size_t size = 0;
        int c, r;

        /* The generator's lists come in files: a unit file line cannot
         * hold 30,000 paths. */
        r = argv_expand_from_files(argc, argv, ":ho:X", long_options, &args);
        if (r == -EINVAL)
                return cli_usage_hint();
        if (r < 0)
                return log_error_errno(r, "tmpfiles-snippet"), 1;
        argc = args.argc;
        argv = args.argv;

        while ((c = getopt_long(argc, argv, ":ho:XV", long_options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        return help();
                case 'V':
                case ARG_VERSION:
                        return cli_version();
                case ARG_NO_PAGER:
                        break;
                case 'o':
                        o.output = optarg;
                        break;
                case ARG_INSTALL:
                        o.install = true;
                        break;
                case ARG_NAME:
                        o.name = optarg;
                        break;
                case ARG_ROOT:
                        if (parse_root_option(optarg, &o.root) < 0)
                                return EXIT_USAGE;
                        break;
                case 'X':
                        o.contents_age = true;
                        break;
                case ARG_LITERAL:
                        o.literal = true;
                        break;
                case ARG_DIR:
                        if (strv_extend(&o.dirs, &o.n_dirs, optarg) < 0)
                                return log_error_errno(ENOMEM, "tmpfiles-snippet"), 1;
                        break;
                default:
                        return cli_option_error(argv, c);
                }

        if (o.install && o.output)
                return cli_usage_error("--install and --output exclude each other");
        if (!o.install && (o.name || o.root))
                return cli_usage_error("%s only goes with --install", o.name ? "--name" : "--root");
        if (o.name && !name_is_valid(o.name)) {
                _cleanup_free_ char *s = shown(o.name);
                return cli_usage_error("--name %s: use 1 to %d letters, digits, '.', '_', '@' or '-'",
                                       s ?: "", NAME_MAX_LEN);
        }
        if (o.output && !*o.output)
                return cli_usage_error("--output needs a file name");
        /* An empty snippet is useful only as a file: sockkeeper-tmpfiles.service
         * runs so when the generator found nothing to protect. */
        if (optind >= argc && o.n_dirs == 0 && !o.output)
                return cli_usage_error("no PATH given");

        r = build_snippet(argv + optind, argc - optind, &o, &text, &size);
        if (r == -EINVAL)
                return cli_usage_hint();
        if (r < 0)
                return 1;

        if (o.install) {
                bool have_path = optind < argc;

                return install(&o, have_path ? argv[optind] : o.dirs[0],
                               (size_t) (argc - optind) + o.n_dirs > 1, text, size) < 0 ? 1 : 0;
        }
        if (o.output)
                return write_output(o.output, text, size) < 0 ? 1 : 0;

        if (fwrite(text, 1, size, stdout) != size || fflush(stdout) != 0) {
                log_error_errno(errno ?: EIO, "standard output");
                return 1;
        }
        return 0;
}
