/* SPDX-License-Identifier: MIT */
/* The cron jobs that delete: find, rm, tmpreaper and tmpwatch lines of
 * every kind we recognise and of kinds we must not, in crontabs, cron.d,
 * run-parts scripts and user crontabs, of this machine and of a root. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cron.h"
#include "macro.h"
#include "tap.h"
#include "test-util.h"

#define DAY (86400 * USEC_PER_SEC)

static cron_cleaner *parse_cron(const char *file, const char *text, size_t *n) {
        cron_cleaner *c = NULL;

        *n = 0;
        check_int(cron_cleaners_parse(file, text, &c, n), ==, 0);
        for (size_t i = 0; i < *n; i++)
                printf("# %s:%u %s sockets=%d dir=%s pattern=%s\n", c[i].source.file, c[i].source.line, c[i].tool,
                       c[i].sockets, c[i].dir, c[i].pattern);
        return c;
}

TEST(cron_find_lines) {
        size_t n;
        cron_cleaner *c = parse_cron("/etc/crontab",
                                     "SHELL=/bin/sh\n"                                                  /* 1 */
                                     "# 0 * * * * root find /commented -delete\n"                       /* 2 */
                                     "0 3 * * * root find /tmp -type f -mtime +3 -delete\n"             /* 3 */
                                     "0 3 * * * root find /var/tmp -mindepth 1 -delete\n"               /* 4 */
                                     "0 3 * * * root find /a ! -type d -delete\n"                       /* 5 */
                                     "0 3 * * * root find /b \\( -type f -o -type s \\) -delete\n"      /* 6 */
                                     "0 3 * * * root find /c -name '*.log' -exec rm -f {} \\;\n"        /* 7 */
                                     "0 3 * * * root find /d -type f -print0 | xargs -0 rm -f\n"        /* 8 */
                                     "0 3 * * * root find /e -mmin +30 -print0 | xargs -0r rm\n"        /* 9 */
                                     "0 3 * * * root find /f -type f -name x -exec ls {} +\n"           /* 10 */
                                     "0 3 * * * root find /g -type s,f -delete 2>/dev/null\n"           /* 11 */
                                     "0 3 * * * root find /h -empty -delete\n"                          /* 12 */
                                     "@daily root nice -n 19 find /i -atime +0 -delete\n"               /* 13 */
                                     "0 3 * * * root find relative -delete\n"                           /* 14 */
                                     "0 3 * * * root find /j -type f -delete -o -type s -print\n"       /* 15 */
                                     "0 3 * * * root find /k -ok rm {} \\;\n",                          /* 16 */
                                     &n);
        static const struct {
                const char *dir;
                bool sockets;
                unsigned line;
                uint64_t age;
        } want[] = {
                { "/tmp", false, 3, 4 * DAY },
                { "/var/tmp", true, 4, 0 },
                { "/a", true, 5, 0 },
                { "/b", true, 6, 0 },
                { "/c", true, 7, 0 },
                { "/d", false, 8, 0 },
                { "/e", true, 9, 30 * 60 * USEC_PER_SEC },
                { "/g", true, 11, 0 },
                { "/h", false, 12, 0 }, /* -empty is false for a socket */
                { "/i", true, 13, DAY },
                { "/j", false, 15, 0 },
        };

        check_int(n, ==, ELEMENTSOF(want));
        for (size_t i = 0; i < n; i++) {
                printf("# %zu\n", i);
                check_streq(c[i].dir, want[i].dir);
                check_int(c[i].sockets, ==, want[i].sockets);
                check_int(c[i].source.line, ==, want[i].line);
                check_streq(c[i].source.file, "/etc/crontab");
                check_int(c[i].age_usec, ==, want[i].age);
                check_streq(c[i].tool, "find");
                check(c[i].recursive);
        }
        check_streq(c[0].schedule, "0 3 * * *");
        check_streq(c[0].command, "0 3 * * * root find /tmp -type f -mtime +3 -delete");
        check_streq(c[0].age_by, "mtime");
        check_streq(c[9].schedule, "@daily");
        check_streq(c[9].age_by, "atime");
        cron_cleaners_free(c, n);
}

TEST(cron_rm_tmpreaper_tmpwatch) {
        size_t n;
        cron_cleaner *c = parse_cron("/etc/cron.d/cleanup",
                                     "D=/scratch\n"                                                     /* 1 */
                                     "0 4 * * * root rm -rf /tmp/cache/*\n"                             /* 2 */
                                     "0 4 * * * root rm -f \"/tmp/q/*\"\n"                              /* 3 */
                                     "0 4 * * * root find $D -delete\n"                                 /* 4 */
                                     "0 4 * * * root tmpreaper --all 2d /srv/tmp /srv/tmp2\n"           /* 5 */
                                     "0 4 * * * root tmpreaper 2d /srv/nosock\n"                        /* 6 */
                                     "0 4 * * * root tmpwatch 24 /var/cache/x\n"                        /* 7 */
                                     "0 4 * * * root tmpwatch -a -x /var/y/keep 24 /var/y\n"            /* 8 */
                                     "0 4 * * * root echo rm -rf /tmp/*\n"                              /* 9 */
                                     "0 4 * * * root /bin/sh -c 'cd / && rm -r /w/*.sock'\n"            /* 10 */
                                     "0 4 * * * root cat /x % rm -rf /stdin/*\n",                       /* 11 */
                                     &n);

        check_int(n, ==, 9);
        check_streq(c[0].tool, "rm");
        check_streq(c[0].dir, "/tmp/cache");
        check_streq(c[0].pattern, "/tmp/cache/*");
        check(c[0].sockets && c[0].recursive);
        check(cron_cleaner_covers(&c[0], "/tmp/cache/app.sock"));
        check(cron_cleaner_covers(&c[0], "/tmp/cache/sub/deep.sock"));
        /* The shell's '*' leaves dot files alone. */
        check(!cron_cleaner_covers(&c[0], "/tmp/cache/.app.sock"));
        check(!cron_cleaner_covers(&c[0], "/tmp/cache"));
        check(!cron_cleaner_covers(&c[0], "/tmp/cachex/a"));
        /* Quoted: one file literally called '*'. */
        check_streq(c[1].dir, "/tmp/q/*");
        check(!c[1].recursive);
        check(cron_cleaner_covers(&c[1], "/tmp/q/*"));
        check(!cron_cleaner_covers(&c[1], "/tmp/q/a"));
        check_streq(c[2].dir, "/scratch");
        check_int(c[2].source.line, ==, 4);
        check_streq(c[3].tool, "tmpreaper");
        check_streq(c[3].dir, "/srv/tmp");
        check(c[3].sockets);
        check_int(c[3].age_usec, ==, 2 * DAY);
        check_streq(c[4].dir, "/srv/tmp2");
        check(!c[5].sockets);
        check_streq(c[6].tool, "tmpwatch");
        check(!c[6].sockets);
        check_int(c[6].age_usec, ==, DAY);
        check(c[7].sockets);
        check_streq(c[7].dir, "/var/y");
        check_streq(c[8].dir, "/w");
        check(!c[8].recursive == false);
        check(cron_cleaner_covers(&c[8], "/w/a.sock"));
        check(!cron_cleaner_covers(&c[8], "/w/a.pid"));
        cron_cleaners_free(c, n);
}

TEST(cron_scripts_and_user_crontabs) {
        size_t n;
        cron_cleaner *c = parse_cron("/etc/cron.daily/local",
                                     "#!/bin/sh\n"                                           /* 1 */
                                     "set -e\n"                                              /* 2 */
                                     "CACHE=/var/cache/app\n"                                /* 3 */
                                     "cat <<EOF\n"                                           /* 4 */
                                     "rm -rf /tmp/*\n"                                       /* 5 */
                                     "EOF\n"                                                 /* 6 */
                                     "if [ -d \"$CACHE\" ]; then\n"                          /* 7 */
                                     "    find \"$CACHE\" -type f \\\n"                      /* 8 */
                                     "        -mtime +7 -delete\n"                           /* 9 */
                                     "fi\n"                                                  /* 10 */
                                     "# find /x -delete\n"                                   /* 11 */
                                     "[ -x /usr/bin/foo ] && find /run/foo -delete || true\n", /* 12 */
                                     &n);

        check_int(n, ==, 2);
        check_streq(c[0].dir, "/var/cache/app");
        check(!c[0].sockets);
        check_int(c[0].source.line, ==, 8);
        check_int(c[0].age_usec, ==, 8 * DAY);
        check_streq(c[0].schedule, "daily (/etc/cron.daily)");
        check(strstr(c[0].command, "-mtime +7 -delete"));
        check_streq(c[1].dir, "/run/foo");
        check(c[1].sockets);
        check_int(c[1].source.line, ==, 12);
        cron_cleaners_free(c, n);

        /* Shell strings run by another program, as Debian's man-db job does. */
        c = parse_cron("/etc/cron.daily/man-db",
                       "#!/bin/sh\n"
                       "start-stop-daemon --start --pidfile /dev/null --startas /bin/sh \\\n"
                       "\t--oknodo --chuid man $iosched_idle -- -c \\\n"
                       "\t\"find /var/cache/man -type f -name '*.gz' -atime +6 -print0 | \\\n"
                       "\t xargs -r0 rm -f\"\n"
                       "su -s /bin/sh -c 'find /srv/q -delete' nobody\n",
                       &n);
        check_int(n, ==, 2);
        check_streq(c[0].dir, "/var/cache/man");
        check(!c[0].sockets);
        check_int(c[0].source.line, ==, 4);
        check_int(c[0].age_usec, ==, 7 * DAY);
        check_streq(c[0].age_by, "atime");
        check(strstr(c[0].command, "--startas /bin/sh --oknodo --chuid man"));
        check_streq(c[1].dir, "/srv/q");
        check(c[1].sockets);
        check_int(c[1].source.line, ==, 6);
        cron_cleaners_free(c, n);

        /* A user's crontab has no user field. */
        c = parse_cron("/var/spool/cron/crontabs/alice", "0 * * * * find /home/alice/tmp -delete\n", &n);
        check_int(n, ==, 1);
        check_streq(c[0].dir, "/home/alice/tmp");
        cron_cleaners_free(c, n);
}

/* This machine's own cron files: Debian's man-db job expunges old cat
 * pages with find -type f, which never takes a socket. */
TEST(cron_files_of_this_machine) {
        cron_cleaner *c = NULL;
        size_t n = 0;
        bool man_db = false;
        struct stat st;

        check_int(cron_cleaners_load(&c, &n, "/"), ==, 0);
        for (size_t i = 0; i < n; i++) {
                printf("# %s:%u %s %s sockets=%d\n", c[i].source.file, c[i].source.line, c[i].tool, c[i].dir,
                       c[i].sockets);
                check(c[i].source.file && c[i].source.line > 0);
                check(!streq(c[i].source.file, "/etc/cron.daily/tmpreaper"));
                if (streq(c[i].source.file, "/etc/cron.daily/man-db") && streq(c[i].dir, "/var/cache/man")) {
                        man_db = true;
                        check(!c[i].sockets);
                }
        }
        cron_cleaners_free(c, n);
        if (stat("/etc/cron.daily/man-db", &st) < 0 || !(st.st_mode & 0111))
                skip("no executable /etc/cron.daily/man-db here");
        check(man_db);
}

TEST(cron_files_of_a_root) {
        char *root = scratch_dir();
        cron_cleaner *c = NULL;
        size_t n = 0;
        source_ref s = {};

        put_file(root, "/etc/crontab", "17 * * * * root cd / && run-parts --report /etc/cron.hourly\n");
        put_file(root, "/etc/cron.d/zz-clean", "0 1 * * * root find /tmp/zz -delete\n");
        /* cron skips names with a dot, and run-parts non-executables. */
        put_file(root, "/etc/cron.d/old.dpkg-old", "0 1 * * * root find /tmp/old -delete\n");
        put_file_mode(root, "/etc/cron.daily/aa-clean", "#!/bin/sh\nrm -rf /tmp/aa/*\n", 0755);
        put_file(root, "/etc/cron.daily/off", "#!/bin/sh\nrm -rf /tmp/off/*\n");
        /* Debian's tmpreaper job belongs to tmpreaper.c. */
        put_file_mode(root, "/etc/cron.daily/tmpreaper", "#!/bin/sh\ntmpreaper --all 1d /tmp/.\n", 0755);
        put_file_mode(root, "/var/spool/cron/crontabs/bob", "* * * * * find /home/bob/t -type s -delete\n", 0600);

        check_int(cron_cleaners_load(&c, &n, root), ==, 0);
        check_int(n, ==, 3);
        check_streq(c[0].dir, "/tmp/zz");
        check_streq(c[0].source.file, "/etc/cron.d/zz-clean");
        check_int(c[0].source.line, ==, 1);
        check_streq(c[1].dir, "/tmp/aa");
        check_streq(c[1].source.file, "/etc/cron.daily/aa-clean");
        check_int(c[1].source.line, ==, 2);
        check_streq(c[2].dir, "/home/bob/t");
        check(c[2].sockets);
        cron_cleaners_free(c, n);

        check_int(cron_daemon_find(root, &s), ==, 0);
        put_file_mode(root, "/usr/sbin/cron", "", 0755);
        check_int(cron_daemon_find(root, &s), ==, 1);
        check_streq(s.file, "/usr/sbin/cron");
        source_ref_done(&s);
        rm_rf(root);
}

/* A glob's component can be longer than the names it matches (brackets,
 * escapes): rm's pattern still matches as the shell matches it. */
TEST(cron_long_glob_component) {
        char pattern[400] = "", name[128], *line, *path;
        cron_cleaner *c;
        size_t n;

        for (int i = 0; i < 100; i++)
                strcat(pattern, "[a]");
        memset(name, 'a', 100);
        name[100] = '\0';
        check(asprintf(&line, "0 * * * * root rm -f /tmp/%s\n", pattern) >= 0);
        c = parse_cron("/etc/crontab", line, &n);
        check_int(n, ==, 1);
        check_streq(c[0].dir, "/tmp");
        check(asprintf(&path, "/tmp/%s", name) >= 0);
        check(cron_cleaner_covers(&c[0], path));
        path[5] = 'b';
        check(!cron_cleaner_covers(&c[0], path));
        cron_cleaners_free(c, n);
        free(path);
        free(line);
}

TAP_MAIN(T(cron_find_lines), T(cron_rm_tmpreaper_tmpwatch), T(cron_scripts_and_user_crontabs),
         T(cron_files_of_this_machine), T(cron_files_of_a_root), T(cron_long_glob_component))
