/* SPDX-License-Identifier: MIT */
/* Cleaning command lines, once the shell has expanded them: which word is
 * the command past its wrappers, what find, rm, tmpreaper and tmpwatch
 * delete, and how a command hands its work on (xargs rm, a shell string). */

#include <stdio.h>
#include <string.h>

#include "cleaner-argv.h"
#include "macro.h"
#include "tap.h"

#define HOUR (3600 * USEC_PER_SEC)

typedef struct words {
        char buf[512];
        char *argv[64];
        char *patterns[64];
        size_t n;
} words;

/* ARGS split at blanks (none of them has one); a word that starts with '~'
 * stands for an unquoted glob, its pattern the rest. */
static void split(words *w, const char *args) {
        char *save = NULL;

        *w = (words) {};
        snprintf(w->buf, sizeof(w->buf), "%s", args);
        for (char *s = strtok_r(w->buf, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
                w->patterns[w->n] = s[0] == '~' ? s + 1 : NULL;
                w->argv[w->n++] = s[0] == '~' ? s + 1 : s;
        }
}

typedef struct found {
        cleaner_target t[8];
        size_t n;
} found;

static int collect(const cleaner_target *t, void *userdata) {
        found *f = userdata;

        check(f->n < ELEMENTSOF(f->t));
        f->t[f->n++] = *t;
        return 0;
}

/* What ARGS deletes, its command found past the wrappers. */
static int read_command(const char *args, bool piped_to_rm, found *f, words *w) {
        size_t i;

        split(w, args);
        *f = (found) {};
        i = cleaner_argv_skip_wrappers(w->argv, w->n);
        return cleaner_argv_read(w->argv + i, w->patterns + i, w->n - i, piped_to_rm, collect, f);
}

TEST(wrappers) {
        words w;

        split(&w, "nice -n 19 ionice -c 3 timeout -k 5 1h flock -w 10 /run/lock env -u X A=1 sudo -u root rm");
        check_streq(w.argv[cleaner_argv_skip_wrappers(w.argv, w.n)], "rm");
        split(&w, "if ! X=1 /usr/bin/nice chronic find");
        check_streq(w.argv[cleaner_argv_skip_wrappers(w.argv, w.n)], "find");
        split(&w, "nice");
        check_int(cleaner_argv_skip_wrappers(w.argv, w.n), ==, w.n);
}

TEST(what_each_tool_deletes) {
        found f;
        words w;

        check_int(read_command("nice find /a /b -type f -mtime +0 -delete", false, &f, &w), ==, 1);
        check_int(f.n, ==, 2);
        check_streq(f.t[0].tool, "find");
        check_streq(f.t[1].path, "/b");
        check(f.t[0].recursive && !f.t[0].sockets && !f.t[0].glob);
        check_int(f.t[0].age_usec, ==, 24 * HOUR);

        check_int(read_command("rm -f -- -x ~/tmp/*.sock", false, &f, &w), ==, 1);
        check_int(f.n, ==, 2);
        check_streq(f.t[0].path, "-x");
        check_streq(f.t[1].path, "/tmp/*.sock");
        check(f.t[1].glob && f.t[1].sockets && !f.t[1].recursive);
        check_int(read_command("rm -rf /srv/cache", false, &f, &w), ==, 1);
        check(f.t[0].recursive);

        check_int(read_command("tmpreaper --protect x --all 12 /var/tmp", false, &f, &w), ==, 1);
        check_int(f.n, ==, 1);
        check_streq(f.t[0].path, "/var/tmp");
        check(f.t[0].sockets);
        check_int(f.t[0].age_usec, ==, 12 * HOUR);
        check_streq(f.t[0].age_by, "atime");
        check_int(read_command("tmpreaper --test 12 /var/tmp", false, &f, &w), ==, 1);
        check_int(f.n, ==, 0);

        check_int(read_command("tmpwatch -umc -x /tmp/keep 240 /tmp", false, &f, &w), ==, 1);
        check_int(f.n, ==, 1);
        check_streq(f.t[0].path, "/tmp");
        check(!f.t[0].sockets);
        check_int(f.t[0].age_usec, ==, 240 * HOUR);
        check_streq(f.t[0].age_by, "mtime");

        check_int(read_command("ls /tmp", false, &f, &w), ==, 0);
        check_int(f.n, ==, 0);
}

TEST(handing_on) {
        words w;

        split(&w, "xargs -0 -n 10 rm -f");
        check(cleaner_argv_xargs_removes(w.argv, w.n));
        split(&w, "xargs -0 ls");
        check(!cleaner_argv_xargs_removes(w.argv, w.n));
        split(&w, "rm");
        check(!cleaner_argv_xargs_removes(w.argv, w.n));

        split(&w, "/bin/sh -c CMD");
        check_int(cleaner_argv_shell_string(w.argv, w.n), ==, 2);
        split(&w, "su - www-data --command CMD");
        check_int(cleaner_argv_shell_string(w.argv, w.n), ==, 4);
        split(&w, "start-stop-daemon --start --startas /bin/sh -- -c CMD");
        check_int(cleaner_argv_shell_string(w.argv, w.n), ==, 6);
        split(&w, "start-stop-daemon --start --startas /usr/bin/man -- -c CMD");
        check_int(cleaner_argv_shell_string(w.argv, w.n), ==, SIZE_MAX);
        split(&w, "python3 -c CMD");
        check_int(cleaner_argv_shell_string(w.argv, w.n), ==, SIZE_MAX);
}

TAP_MAIN(T(wrappers), T(what_each_tool_deletes), T(handing_on))
