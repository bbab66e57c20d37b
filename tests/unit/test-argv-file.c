/* SPDX-License-Identifier: MIT */
/* --from-file expansion: the arguments of a file land where the option
 * stood, exactly as written; what getopt would take as an option's value
 * or an operand is left alone; a bad file is a usage error that names
 * FILE:LINE. */

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv-file.h"
#include "macro.h"
#include "tap.h"

static const struct option options[] = {
        { "output", required_argument, NULL, 'o' },
        { "dir", required_argument, NULL, 'd' },
        { "sticky", no_argument, NULL, 's' },
        {}
};

static char *file_with(const char *text, size_t len) {
        char *path = strdup("/tmp/sk-test-argv-XXXXXX");
        int fd;

        check(path);
        fd = mkstemp(path);
        check(fd >= 0);
        check(write(fd, text, len) == (ssize_t) len);
        close(fd);
        return path;
}

/* The expansion of ARGV, joined with '|'; NULL for a failure, whose
 * stderr is then in *RET_ERR. */
static char *expand(char **argv, char **ret_err) {
        _cleanup_(expanded_argv_done) expanded_argv a = {};
        char errbuf[4096] = "";
        int argc = 0, saved = dup(STDERR_FILENO), pipefd[2], r;
        char *out = NULL;
        size_t size = 0;
        FILE *f;

        while (argv[argc])
                argc++;
        check(pipe(pipefd) == 0);
        check(dup2(pipefd[1], STDERR_FILENO) >= 0);
        close(pipefd[1]);
        r = argv_expand_from_files(argc, argv, "o:sd:", options, &a);
        fflush(stderr);
        check(dup2(saved, STDERR_FILENO) >= 0);
        close(saved);
        check(read(pipefd[0], errbuf, sizeof(errbuf) - 1) >= 0);
        close(pipefd[0]);
        if (ret_err)
                *ret_err = strdup(errbuf);
        if (r < 0) {
                check_int(r, ==, -EINVAL);
                return NULL;
        }
        check(a.argv[a.argc] == NULL);
        f = open_memstream(&out, &size);
        check(f);
        for (int i = 0; i < a.argc; i++)
                fprintf(f, "%s%s", i > 0 ? "|" : "", a.argv[i]);
        check(fclose(f) == 0);
        return out;
}

TEST(lines_become_arguments_in_place) {
        static const char text[] = "# a comment\n"
                                   "\n"
                                   "   \t \n"
                                   "--dir=/tmp/a b\n"
                                   " /tmp/lead and trail \n"
                                   "/tmp/\"q\" $x %i \\ #h\n"
                                   "--sticky\n"
                                   "/tmp/last-without-newline";
        _cleanup_free_ char *file = file_with(text, sizeof(text) - 1), *opt = NULL, *got = NULL, *want = NULL;

        check(asprintf(&opt, "--from-file=%s", file) > 0);
        got = expand((char *[]) { "prog", "/first", opt, "/after", NULL }, NULL);
        check_streq(got, "prog|/first|--dir=/tmp/a b| /tmp/lead and trail |/tmp/\"q\" $x %i \\ #h|--sticky|"
                         "/tmp/last-without-newline|/after");
        free(got);
        /* The two-word form, twice. */
        got = expand((char *[]) { "prog", "--from-file", file, "--from-file", file, NULL }, NULL);
        check(asprintf(&want, "prog|--dir=/tmp/a b| /tmp/lead and trail |/tmp/\"q\" $x %%i \\ #h|--sticky|"
                              "/tmp/last-without-newline|--dir=/tmp/a b| /tmp/lead and trail |"
                              "/tmp/\"q\" $x %%i \\ #h|--sticky|/tmp/last-without-newline") > 0);
        check_streq(got, want);
        unlink(file);
}

/* "-FILE": a list that may be missing, as a unit's EnvironmentFile=-FILE.
 * Only missing: one that is there is read, and an unreadable one still
 * fails. */
TEST(dash_file_may_be_missing) {
        static const char text[] = "--sticky\n/tmp/listed\n";
        _cleanup_free_ char *file = file_with(text, sizeof(text) - 1), *opt = NULL, *got = NULL, *err = NULL;

        got = expand((char *[]) { "prog", "--from-file=-/nonexistent/args", "/after", NULL }, NULL);
        check_streq(got, "prog|/after");
        free(got);
        got = expand((char *[]) { "prog", "--from-file", "-/nonexistent/args", NULL }, NULL);
        check_streq(got, "prog");
        free(got);
        check(asprintf(&opt, "--from-file=-%s", file) > 0);
        got = expand((char *[]) { "prog", opt, NULL }, NULL);
        check_streq(got, "prog|--sticky|/tmp/listed");
        check(!expand((char *[]) { "prog", "--from-file=-/etc", NULL }, &err));
        check(strstr(err, "/etc: Is a directory\n"));
        free(err);
        check(!expand((char *[]) { "prog", "--from-file=-", NULL }, &err));
        check(strstr(err, "--from-file needs a file name\n"));
        unlink(file);
}

TEST(values_and_operands_are_not_options) {
        char *got;

        /* An option's value, in every form getopt knows, and all after "--". */
        got = expand((char *[]) { "prog", "-o", "--from-file=x", "--output", "--from-file=y", "-so",
                                  "--from-file=z", "--out", "--from-file", "--", "--from-file=w", NULL },
                     NULL);
        check_streq(got, "prog|-o|--from-file=x|--output|--from-file=y|-so|--from-file=z|--out|--from-file|--|"
                         "--from-file=w");
        free(got);
        /* "-o" with its value attached takes nothing more. */
        got = expand((char *[]) { "prog", "-o/x", "--output=/y", "--from-file=/nonexistent", NULL }, NULL);
        check(!got);
}

static void check_refused(const char *text, size_t len, const char *message) {
        _cleanup_free_ char *file = file_with(text, len), *opt = NULL, *err = NULL, *want = NULL;

        check(asprintf(&opt, "--from-file=%s", file) > 0);
        check(!expand((char *[]) { "prog", opt, NULL }, &err));
        check(asprintf(&want, "%s%s\n", file, message) > 0);
        /* One line: "program: FILE:LINE: message". */
        check(strstr(err, want));
        check(strchr(err, '\n') == err + strlen(err) - 1);
        unlink(file);
}

TEST(bad_files_name_the_line) {
        char longline[ARGV_FILE_LINE_MAX + 2];
        _cleanup_free_ char *err = NULL;

        check_refused("/a\n/b\0c\n", 7, ":2: contains a NUL byte");
        check_refused("/a\n# nested\n--from-file=/etc/passwd\n", 35, ":3: --from-file cannot be nested");
        memset(longline, 'x', sizeof(longline));
        longline[0] = '/';
        longline[sizeof(longline) - 1] = '\n';
        check_refused(longline, sizeof(longline), ":1: longer than 4096 bytes");

        check(!expand((char *[]) { "prog", "--from-file=/nonexistent/args", NULL }, &err));
        check(strstr(err, "/nonexistent/args: No such file or directory\n"));
        free(err);
        check(!expand((char *[]) { "prog", "--from-file", NULL }, &err));
        check(strstr(err, "--from-file needs a file name\n"));
        free(err);
        check(!expand((char *[]) { "prog", "--from-file=", NULL }, &err));
        check(strstr(err, "--from-file needs a file name\n"));
}

TEST(size_cap) {
        _cleanup_free_ char *path = strdup("/tmp/sk-test-argv-big-XXXXXX"), *opt = NULL, *err = NULL;
        int fd;

        check(path);
        fd = mkstemp(path);
        check(fd >= 0);
        /* Sparse: the cap is checked while reading, before any line is. */
        check(ftruncate(fd, (off_t) ARGV_FILE_MAX + 1) == 0);
        close(fd);
        check(asprintf(&opt, "--from-file=%s", path) > 0);
        check(!expand((char *[]) { "prog", opt, NULL }, &err));
        check(strstr(err, "larger than 64 MiB"));
        unlink(path);
}

TAP_MAIN(T(lines_become_arguments_in_place),
         T(dash_file_may_be_missing),
         T(values_and_operands_are_not_options),
         T(bad_files_name_the_line),
         T(size_cap))
