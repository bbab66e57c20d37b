/* SPDX-License-Identifier: MIT */
/* The readers of the cleaners other than tmpfiles.d: tmpreaper's Debian cron
 * job and its configuration (the real files are copied into fixture roots),
 * cron lines of every kind we recognise and of kinds we must not, and the
 * listing of bound AF_UNIX sockets checked against sockets this test binds. The
 * behaviours of tmpreaper asserted here were measured on tmpreaper 1.6.17;
 * the integration test compares with the real binary. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleaners.h"
#include "macro.h"
#include "tap.h"
#include "test-util.h"
#include "unix-diag.h"

#define DAY (86400 * USEC_PER_SEC)
#define REAL_JOB "/etc/cron.daily/tmpreaper"
#define REAL_CONF "/etc/tmpreaper.conf"

/* ---- fixture roots ---- */

/* Writes ROOT/REL with MODE, creating the directories above it. */
static void put(const char *root, const char *rel, const char *content, mode_t mode) {
        char *path, *dir;

        check(asprintf(&path, "%s%s", root, rel) >= 0);
        dir = strdup(path);
        check(dir);
        *strrchr(dir, '/') = '\0';
        mkdir_p(dir);
        write_file(path, content);
        check(chmod(path, mode) >= 0);
        free(dir);
        free(path);
}

static void put_link(const char *root, const char *rel, const char *target) {
        char *path, *dir;

        check(asprintf(&path, "%s%s", root, rel) >= 0);
        dir = strdup(path);
        check(dir);
        *strrchr(dir, '/') = '\0';
        mkdir_p(dir);
        check(symlink(target, path) >= 0);
        free(dir);
        free(path);
}

static char *slurp(const char *path) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = fopen(path, "re");

        if (!f)
                return NULL;
        check(getdelim(&text, &len, '\0', f) >= 0 || feof(f));
        fclose(f);
        return text;
}

/* The 1-based line of TEXT that starts with PREFIX (after blanks). */
static unsigned line_of(const char *text, const char *prefix) {
        unsigned line = 1;

        for (const char *p = text; *p; line++) {
                const char *s = p, *eol = strchrnul(p, '\n');

                while (*s == ' ' || *s == '\t')
                        s++;
                if (strncmp(s, prefix, strlen(prefix)) == 0)
                        return line;
                p = *eol ? eol + 1 : eol;
        }
        return 0;
}

/* A root with tmpreaper "installed" and the real Debian cron job, and the
 * given tmpreaper.conf (NULL: the real one). */
static char *reaper_root(const char *conf) {
        char *root = scratch_dir(), *job = slurp(REAL_JOB), *real_conf = NULL;

        if (!job)
                skip("no " REAL_JOB " on this machine (the tmpreaper package)");
        put(root, "/usr/sbin/tmpreaper", "#!/bin/sh\n", 0755);
        put(root, REAL_JOB, job, 0755);
        if (!conf) {
                real_conf = slurp(REAL_CONF);
                check(real_conf);
                conf = real_conf;
        }
        put(root, REAL_CONF, conf, 0644);
        free(job);
        free(real_conf);
        return root;
}

static const char *const open_conf = "SHOWWARNING=false\nRUNFROMCRON=true\n";

static void load(tmpreaper_config *c, const char *root) {
        check_int(tmpreaper_config_load(c, root), ==, 0);
}

static void check_source(const source_ref *s, const char *file, unsigned line) {
        check_streq(s->file, file);
        check_int(s->line, ==, line);
}

/* ---- tmpreaper: the real Debian files ---- */

TEST(debian_defaults_do_not_run) {
        char *root = reaper_root(NULL), *conf = slurp(REAL_CONF), *job = slurp(REAL_JOB);
        tmpreaper_config c;
        tmpreaper_verdict v;
        unsigned n_protect_lines = 0;

        load(&c, root);
        check(c.installed);
        check(c.cron_job);
        /* Debian ships SHOWWARNING=true: the job prints a warning and exits. */
        check(!c.runs);
        check(strstr(c.disabled_reason, "SHOWWARNING"));
        check_source(&c.disabled_by, REAL_CONF, line_of(conf, "SHOWWARNING=true"));
        check_int(c.age_usec, ==, 7 * DAY);
        check_source(&c.age_source, REAL_JOB, line_of(job, "TMPREAPER_TIME=${TMPREAPER_TIME:-7d}"));
        check_int(c.n_dirs, ==, 1);
        check_streq(c.dirs[0], "/tmp/.");
        check(!c.all);
        check(c.symlinks && c.mtime_dir && c.ctime && !c.mtime && !c.force);

        /* Each --protect of the job, with its own line. */
        for (const char *p = job; (p = strstr(p, "--protect '")); p++)
                n_protect_lines++;
        check_int(c.n_protect, ==, n_protect_lines);
        check_int(c.n_protect, >=, 8);
        check_streq(c.protect[0], "/tmp/.X*-{lock,unix,unix/*}");
        check_source(&c.protect_sources[0], REAL_JOB, line_of(job, "--protect '/tmp/.X*-{lock,unix,unix/*}'"));
        check_streq(c.protect[c.n_protect - 1], "/tmp/systemd-private*/*");

        /* It reaches /tmp, but deletes nothing while the warning is on. */
        tmpreaper_evaluate(&c, "/tmp/app.sock", true, &v);
        check(v.reaches);
        check(!v.deletes);
        tmpreaper_evaluate(&c, "/tmp/file", false, &v);
        check(v.reaches && !v.deletes);
        tmpreaper_evaluate(&c, "/var/tmp/file", false, &v);
        check(!v.reaches);

        tmpreaper_config_done(&c);
        free(conf);
        free(job);
        rm_rf(root);
}

TEST(showwarning_off_runs) {
        char *root = reaper_root(open_conf);
        tmpreaper_config c;
        tmpreaper_verdict v;

        load(&c, root);
        check(c.runs);
        check(!c.disabled_by.file);
        /* Without --all, sockets are left alone; files go. */
        tmpreaper_evaluate(&c, "/tmp/app.sock", true, &v);
        check(v.reaches && !v.deletes && !v.protected_by);
        check(strstr(v.kept_because, "--all"));
        check_streq(v.age_by, "atime and ctime");
        tmpreaper_evaluate(&c, "/tmp/some/deep/file", false, &v);
        check(v.reaches && v.deletes);
        tmpreaper_config_done(&c);

        /* SHOWWARNING must be exactly "true" to stop it. */
        rm_rf(root);
        root = reaper_root("SHOWWARNING='True'\nRUNFROMCRON=true\n");
        load(&c, root);
        check(c.runs);
        tmpreaper_config_done(&c);
        rm_rf(root);
}

TEST(runfromcron_must_be_true) {
        char *root = reaper_root("SHOWWARNING=false\n"), *job = slurp(REAL_JOB);
        tmpreaper_config c;

        load(&c, root);
        check(!c.runs);
        check(strstr(c.disabled_reason, "RUNFROMCRON"));
        /* Unset: the job's own test is the source. */
        check_source(&c.disabled_by, REAL_JOB, line_of(job, "if [ \"$RUNFROMCRON\" != true ]"));
        tmpreaper_config_done(&c);
        rm_rf(root);

        root = reaper_root("SHOWWARNING=false\nRUNFROMCRON=yes\n");
        load(&c, root);
        check(!c.runs);
        check_source(&c.disabled_by, REAL_CONF, 2);
        tmpreaper_config_done(&c);
        free(job);
        rm_rf(root);
}

TEST(additional_options_all) {
        char *root = reaper_root("SHOWWARNING=false\nRUNFROMCRON=true\n"
                                 "# TMPREAPER_ADDITIONALOPTIONS='--all'\n"
                                 "TMPREAPER_ADDITIONALOPTIONS=''\n"
                                 "TMPREAPER_ADDITIONALOPTIONS=\"--all\"   # sockets too\n");
        tmpreaper_config c;
        tmpreaper_verdict v;

        load(&c, root);
        check(c.runs);
        check(c.all);
        check_source(&c.all_source, REAL_CONF, 5);
        tmpreaper_evaluate(&c, "/tmp/app.sock", true, &v);
        check(v.reaches && v.deletes);
        check_int(v.age_usec, ==, 7 * DAY);
        /* A protected socket is still safe. */
        tmpreaper_evaluate(&c, "/tmp/.X11-unix/X0", true, &v);
        check(v.reaches && !v.deletes);
        check_streq(v.protected_by, "/tmp/.X*-{lock,unix,unix/*}");
        check_streq(v.protected_source->file, REAL_JOB);
        tmpreaper_evaluate(&c, "/tmp/.ICE-unix/42", true, &v);
        check(!v.deletes && v.protected_by);
        tmpreaper_evaluate(&c, "/tmp/systemd-private-abc-foo.service-x/tmp/s.sock", true, &v);
        check(!v.deletes && v.protected_by);
        /* "*" does not match a leading dot: this one goes. */
        tmpreaper_evaluate(&c, "/tmp/systemd-private-abc/.s.sock", true, &v);
        check(v.deletes && !v.protected_by);
        tmpreaper_evaluate(&c, "/tmp/quota.group", false, &v);
        check(!v.deletes && v.protected_by);
        tmpreaper_evaluate(&c, "/tmp/quota.other", false, &v);
        check(v.deletes);
        tmpreaper_config_done(&c);
        rm_rf(root);
}

TEST(mtime_option_conflicts_with_the_jobs_ctime) {
        char *root = reaper_root("SHOWWARNING=false\nRUNFROMCRON=true\nTMPREAPER_ADDITIONALOPTIONS='--mtime --all'\n");
        tmpreaper_config c;
        tmpreaper_verdict v;

        load(&c, root);
        /* tmpreaper: "--ctime conflicts with --mtime option", exit 1. */
        check(!c.runs);
        check(strstr(c.disabled_reason, "conflicts"));
        tmpreaper_evaluate(&c, "/tmp/app.sock", true, &v);
        check(v.reaches && !v.deletes);
        tmpreaper_config_done(&c);
        rm_rf(root);

        root = reaper_root("SHOWWARNING=false\nRUNFROMCRON=true\nTMPREAPER_ADDITIONALOPTIONS='--test'\n");
        load(&c, root);
        check(!c.runs);
        check(strstr(c.disabled_reason, "--test"));
        tmpreaper_config_done(&c);
        rm_rf(root);
}

TEST(protect_extra) {
        char *root = reaper_root("SHOWWARNING=false\nRUNFROMCRON=true\nTMPREAPER_ADDITIONALOPTIONS='--all'\n"
                                 "TMPREAPER_PROTECT_EXTRA='/tmp/keep* /tmp/{a,b}.sock'\n"
                                 "TMPREAPER_PROTECT_EXTRA=\"$TMPREAPER_PROTECT_EXTRA /tmp/svc/*.sock\"\n");
        tmpreaper_config c;
        tmpreaper_verdict v;
        size_t n;

        load(&c, root);
        n = c.n_protect;
        check_int(n, >=, 11);
        check_streq(c.protect[n - 3], "/tmp/keep*");
        check_streq(c.protect[n - 2], "/tmp/{a,b}.sock");
        check_streq(c.protect[n - 1], "/tmp/svc/*.sock");
        check_source(&c.protect_sources[n - 1], REAL_CONF, 5);
        check_source(&c.protect_sources[n - 3], REAL_CONF, 5);

        tmpreaper_evaluate(&c, "/tmp/keeper.sock", true, &v);
        check(!v.deletes);
        check_streq(v.protected_by, "/tmp/keep*");
        check_source(v.protected_source, REAL_CONF, 5);
        tmpreaper_evaluate(&c, "/tmp/b.sock", true, &v);
        check_streq(v.protected_by, "/tmp/{a,b}.sock");
        tmpreaper_evaluate(&c, "/tmp/c.sock", true, &v);
        check(v.deletes && !v.protected_by);
        tmpreaper_evaluate(&c, "/tmp/svc/x.sock", true, &v);
        check(!v.deletes && v.protected_by);
        /* The pattern names files directly in /tmp/svc only. */
        tmpreaper_evaluate(&c, "/tmp/svc/sub/x.sock", true, &v);
        check(v.deletes);
        /* A protected directory is not entered: its contents stay. */
        tmpreaper_evaluate(&c, "/tmp/keepdir/deep/x.sock", true, &v);
        check(!v.deletes);
        check_streq(v.protected_by, "/tmp/keep*");
        tmpreaper_config_done(&c);
        rm_rf(root);
}

TEST(tmptime_from_rcs) {
        char *root = reaper_root(open_conf);
        tmpreaper_config c;

        put(root, "/etc/default/rcS", "# rcS\nTMPTIME=3\n #TMPTIME=9\n", 0644);
        load(&c, root);
        check_int(c.age_usec, ==, 3 * DAY);
        check_source(&c.age_source, "/etc/default/rcS", 2);
        tmpreaper_config_done(&c);

        /* 0 means 7 days here (bootclean's "clean all" does not apply). */
        put(root, "/etc/default/rcS", "TMPTIME=0\n", 0644);
        load(&c, root);
        check_int(c.age_usec, ==, 7 * DAY);
        check_source(&c.age_source, "/etc/default/rcS", 1);
        tmpreaper_config_done(&c);

        /* Negative or infinite: ignored, the job's default stands. */
        put(root, "/etc/default/rcS", "TMPTIME=infinite\n", 0644);
        load(&c, root);
        check_int(c.age_usec, ==, 7 * DAY);
        check_streq(c.age_source.file, REAL_JOB);
        tmpreaper_config_done(&c);

        /* The last TMPTIME= line wins, quotes and all. */
        put(root, "/etc/default/rcS", "TMPTIME=5\nTMPTIME=\"12\"\n", 0644);
        load(&c, root);
        check_int(c.age_usec, ==, 12 * DAY);
        check_source(&c.age_source, "/etc/default/rcS", 2);
        tmpreaper_config_done(&c);

        /* tmpreaper.conf is read after rcS and overrides it. */
        put(root, REAL_CONF, "SHOWWARNING=false\nRUNFROMCRON=true\nTMPREAPER_TIME=36h\n", 0644);
        load(&c, root);
        check_int(c.age_usec, ==, 36 * 3600 * USEC_PER_SEC);
        check_source(&c.age_source, REAL_CONF, 3);
        tmpreaper_config_done(&c);
        rm_rf(root);
}

TEST(conf_shell_syntax) {
        char *root = reaper_root("# comment TMPREAPER_DIRS=/nope\n"
                                 "SHOWWARNING=false # trailing comment\n"
                                 "export RUNFROMCRON=\"true\"\n"
                                 "BASE=/srv\n"
                                 "TMPREAPER_DIRS='/tmp/.\n"
                                 "  /var/tmp/.'\n"
                                 "TMPREAPER_DIRS=\"$TMPREAPER_DIRS ${BASE}/scratch\"\n"
                                 "TMPREAPER_TIME=2d TMPREAPER_DELAY=0\n"
                                 "echo hi TMPREAPER_TIME=99d\n"
                                 "FOO=1 true\n");
        tmpreaper_config c;
        tmpreaper_verdict v;

        load(&c, root);
        check(c.runs);
        check_int(c.n_dirs, ==, 3);
        check_streq(c.dirs[0], "/tmp/.");
        check_streq(c.dirs[1], "/var/tmp/.");
        check_streq(c.dirs[2], "/srv/scratch");
        check_source(&c.dirs_source, REAL_CONF, 7);
        check_int(c.age_usec, ==, 2 * DAY);
        check_source(&c.age_source, REAL_CONF, 8);
        tmpreaper_evaluate(&c, "/srv/scratch/x", false, &v);
        check(v.reaches && v.deletes);
        tmpreaper_evaluate(&c, "/var/tmp/x", false, &v);
        check(v.reaches && v.deletes);
        /* The job's own patterns name /tmp: they do not protect /var/tmp. */
        tmpreaper_evaluate(&c, "/var/tmp/.X11-unix", false, &v);
        check(v.deletes);
        tmpreaper_config_done(&c);
        rm_rf(root);
}

TEST(job_switched_off_or_missing) {
        char *root = reaper_root(open_conf), *path;
        tmpreaper_config c;
        tmpreaper_verdict v;

        /* run-parts skips a job without the x bit. */
        check(asprintf(&path, "%s%s", root, REAL_JOB) >= 0);
        check(chmod(path, 0644) >= 0);
        load(&c, root);
        check(!c.runs);
        check(strstr(c.disabled_reason, "executable"));
        tmpreaper_config_done(&c);

        check(unlink(path) >= 0);
        load(&c, root);
        check(!c.cron_job && !c.runs);
        check_source(&c.disabled_by, REAL_JOB, 0);
        /* What it would clean is still known. */
        check_int(c.n_dirs, ==, 1);
        tmpreaper_evaluate(&c, "/tmp/x", false, &v);
        check(v.reaches && !v.deletes);
        tmpreaper_config_done(&c);

        /* Not installed: the job's first test exits. */
        put(root, REAL_JOB, "#!/bin/sh\nif ! [ -x /usr/sbin/tmpreaper ]; then\n    exit 0\nfi\n"
                            "tmpreaper --all 1d /tmp/.\n", 0755);
        free(path);
        check_int(asprintf(&path, "%s/usr/sbin/tmpreaper", root), >, 0);
        check(unlink(path) >= 0);
        load(&c, root);
        check(!c.installed && !c.runs);
        check(c.all);
        tmpreaper_config_done(&c);
        free(path);
        rm_rf(root);
}

TEST(edited_job_command) {
        char *root = scratch_dir();
        tmpreaper_config c;
        tmpreaper_verdict v;

        /* An admin's own job: protect patterns and --all written in it. */
        put(root, "/usr/sbin/tmpreaper", "", 0755);
        put(root, REAL_CONF, "", 0644);
        put(root, REAL_JOB,
            "#!/bin/sh\n"
            "set -f\n"
            "DIRS=\"/tmp/. /scratch\"\n"
            "exec nice -n 10 /usr/sbin/tmpreaper \\\n"
            "   --all --protect '*.keep' \\\n"
            "   12h $DIRS\n"
            "exit 0\n",
            0755);
        load(&c, root);
        check(c.runs);
        check(c.all);
        check_source(&c.all_source, REAL_JOB, 5);
        check_int(c.age_usec, ==, 12 * 3600 * USEC_PER_SEC);
        check_source(&c.age_source, REAL_JOB, 6);
        check_int(c.n_dirs, ==, 2);
        check_source(&c.dirs_source, REAL_JOB, 3);
        /* A relative pattern is globbed inside each cleaned directory. */
        tmpreaper_evaluate(&c, "/scratch/x.keep", true, &v);
        check(!v.deletes && v.protected_by);
        tmpreaper_evaluate(&c, "/scratch/sub/x.keep", true, &v);
        check(v.deletes);
        tmpreaper_evaluate(&c, "/tmp/x.sock", true, &v);
        check(v.deletes);
        check_int(c.n_argv, ==, 6);
        tmpreaper_config_done(&c);
        rm_rf(root);
}

/* ---- tmpreaper: its argument reading and matching ---- */

TEST(time_argument_like_tmpreaper) {
        static const struct {
                const char *in;
                int64_t seconds; /* -1: rejected */
        } cases[] = {
                /* Each measured with tmpreaper --test --verbose=2. */
                { "7", 7 * 3600 },
                { "7d", 7 * 86400 },
                { "7D", 7 * 86400 },
                { "7m", 420 },
                { "7M", 420 },
                { "7s", 7 },
                { "1w", 3600 },
                { "1.5d", 86400 },
                { "3h5d", 3 * 86400 },
                { "7d ", 7 * 3600 },
                { " 7d", 7 * 86400 },
                { "+3d", 3 * 86400 },
                { "0x10d", 0 },
                { "4294967297s", 1 },
                { "49711d", 63104 },
                { "abc", -1 },
                { "", -1 },
                { "d7", -1 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                uint64_t usec = 0;
                int r = tmpreaper_parse_time(cases[i].in, &usec);

                printf("# '%s'\n", cases[i].in);
                if (cases[i].seconds < 0)
                        check_int(r, ==, -EINVAL);
                else {
                        check_int(r, ==, 0);
                        check_int(usec, ==, (uint64_t) cases[i].seconds * USEC_PER_SEC);
                }
        }
}

static tmpreaper_args parse(const char *const *argv) {
        tmpreaper_args a;
        size_t n = 0;

        while (argv[n])
                n++;
        check_int(tmpreaper_args_parse((char *const *) argv, n, &a), ==, 0);
        return a;
}

TEST(arguments_like_getopt_long) {
        tmpreaper_args a;

        a = parse((const char *const[]) { "--mtime-d", "-sa", "--protect=x", "-p", "y", "1d", "--ctime", "/tmp/.",
                                          "/var/tmp", NULL });
        check(a.ok);
        check(a.mtime_dir && a.symlinks && a.all && a.ctime && !a.mtime);
        check_int(a.all_arg, ==, 1);
        check_int(a.n_protect, ==, 2);
        check_streq(a.protect[0], "x");
        check_streq(a.protect[1], "y");
        check_int(a.protect_args[1], ==, 4);
        check_int(a.time_arg, ==, 5);
        check_int(a.n_dirs, ==, 2);
        check_int(a.dir_args[1], ==, 8);
        tmpreaper_args_done(&a);

        /* --protect takes the next word even when it looks like a time. */
        a = parse((const char *const[]) { "--protect", "1d", "/tmp/.", NULL });
        check(!a.ok && strstr(a.error, "usage"));
        tmpreaper_args_done(&a);

        a = parse((const char *const[]) { "--mt", "1d", "/tmp", NULL });
        check(!a.ok && strstr(a.error, "ambiguous"));
        tmpreaper_args_done(&a);

        a = parse((const char *const[]) { "-q", "1d", "/tmp", NULL });
        check(!a.ok && strstr(a.error, "invalid"));
        tmpreaper_args_done(&a);

        a = parse((const char *const[]) { "--nodirs", "1d", "/tmp", NULL });
        check(!a.ok && strstr(a.error, "unrecognized"));
        tmpreaper_args_done(&a);

        a = parse((const char *const[]) { "-m", "-c", "1d", "/tmp", NULL });
        check(!a.ok && strstr(a.error, "conflicts"));
        check_int(a.error_arg, ==, 1);
        tmpreaper_args_done(&a);

        a = parse((const char *const[]) { "1d", "--", "-odd-dir", NULL });
        check(a.ok);
        check_int(a.n_dirs, ==, 1);
        check_int(a.dir_args[0], ==, 2);
        tmpreaper_args_done(&a);

        a = parse((const char *const[]) { "bad", "/tmp", NULL });
        check(!a.ok && strstr(a.error, "time"));
        tmpreaper_args_done(&a);
}

TEST(protect_patterns_like_glob) {
        /* glob(3) with GLOB_BRACE, as tmpreaper calls it. */
        check(tmpreaper_pattern_matches("/tmp/.X*-{lock,unix,unix/*}", "/tmp/.X0-lock", false));
        check(tmpreaper_pattern_matches("/tmp/.X*-{lock,unix,unix/*}", "/tmp/.X11-unix", true));
        check(tmpreaper_pattern_matches("/tmp/.X*-{lock,unix,unix/*}", "/tmp/.X11-unix/X0", false));
        check(!tmpreaper_pattern_matches("/tmp/.X*-{lock,unix,unix/*}", "/tmp/.X11-unix/a/b", false));
        check(!tmpreaper_pattern_matches("/tmp/.X*-{lock,unix,unix/*}", "/tmp/.X11-other", false));
        /* nested braces, as in tmpreaper's manual */
        check(tmpreaper_pattern_matches(".ICE-{unix{/*,}}", ".ICE-unix", true));
        check(tmpreaper_pattern_matches(".ICE-{unix{/*,}}", ".ICE-unix/1", false));
        /* a lone brace is literal; {a} expands to a */
        check(tmpreaper_pattern_matches("/tmp/a{b", "/tmp/a{b", false));
        check(tmpreaper_pattern_matches("/tmp/{a}", "/tmp/a", false));
        /* a leading dot is never matched by a wildcard */
        check(!tmpreaper_pattern_matches("/tmp/*", "/tmp/.hidden", false));
        check(!tmpreaper_pattern_matches("/tmp/?hidden", "/tmp/.hidden", false));
        check(tmpreaper_pattern_matches("/tmp/.*", "/tmp/.hidden", false));
        /* escapes, character classes, "." and "//" */
        check(tmpreaper_pattern_matches("/tmp/q\\?x", "/tmp/q?x", false));
        check(!tmpreaper_pattern_matches("/tmp/q\\?x", "/tmp/qax", false));
        check(tmpreaper_pattern_matches("/tmp/[a-c]x", "/tmp/bx", false));
        check(tmpreaper_pattern_matches("/tmp/./a//b", "/tmp/a/b", false));
        /* "dir/" names a directory only */
        check(tmpreaper_pattern_matches("/tmp/d/", "/tmp/d", true));
        check(!tmpreaper_pattern_matches("/tmp/d/", "/tmp/d", false));
        /* absolute and relative never meet */
        check(!tmpreaper_pattern_matches("tmp/x", "/tmp/x", false));
}

TEST(verdict_from_stat) {
        char *root = reaper_root("SHOWWARNING=false\nRUNFROMCRON=true\n");
        tmpreaper_config c;
        tmpreaper_verdict v;
        struct stat st = { .st_mode = S_IFREG | 0444, .st_uid = 0 };

        load(&c, root);
        /* Root's own file without u+w: skipped (no --force). */
        tmpreaper_evaluate_stat(&c, "/tmp/ro", &st, &v);
        check(v.reaches && !v.deletes);
        check(strstr(v.kept_because, "--force"));
        st.st_uid = 1000;
        tmpreaper_evaluate_stat(&c, "/tmp/ro", &st, &v);
        check(v.deletes);
        st = (struct stat) { .st_mode = S_IFREG | 0244 };
        tmpreaper_evaluate_stat(&c, "/tmp/wo", &st, &v);
        check(v.deletes);
        st = (struct stat) { .st_mode = S_IFLNK | 0777 };
        tmpreaper_evaluate_stat(&c, "/tmp/l", &st, &v);
        check(v.deletes);
        check_streq(v.age_by, "atime and ctime");
        st = (struct stat) { .st_mode = S_IFDIR | 0755 };
        tmpreaper_evaluate_stat(&c, "/tmp/d", &st, &v);
        check(v.deletes);
        check_streq(v.age_by, "mtime");
        st = (struct stat) { .st_mode = S_IFIFO | 0644 };
        tmpreaper_evaluate_stat(&c, "/tmp/fifo", &st, &v);
        check(!v.deletes);
        /* Not there yet: judged as the socket it will be. */
        tmpreaper_evaluate_stat(&c, "/tmp/future.sock", NULL, &v);
        check(v.reaches && !v.deletes);
        tmpreaper_config_done(&c);
        rm_rf(root);
}

TEST(verdict_at_looks_at_the_way_down) {
        char *root = reaper_root("SHOWWARNING=false\nRUNFROMCRON=true\nTMPREAPER_ADDITIONALOPTIONS=--all\n"), *p;
        tmpreaper_config c;
        tmpreaper_verdict v;

        put(root, "/tmp/open/x", "", 0644);
        put(root, "/tmp/locked/x", "", 0644);
        put(root, "/tmp/mine", "", 0444);
        check(asprintf(&p, "%s/tmp/locked", root) >= 0);
        check(chmod(p, 0555) >= 0);
        free(p);
        put_link(root, "/tmp/link", "open");
        load(&c, root);

        check_int(tmpreaper_evaluate_at(&c, root, "/tmp/open/x", &v), ==, 0);
        check(v.deletes);
        /* Root's directory without u+w is skipped, so never entered. */
        check_int(tmpreaper_evaluate_at(&c, root, "/tmp/locked/x", &v), ==, 0);
        check(!v.deletes && strstr(v.kept_because, "does not enter"));
        check_int(tmpreaper_evaluate_at(&c, root, "/tmp/mine", &v), ==, 0);
        check(!v.deletes);
        check_int(tmpreaper_evaluate_at(&c, root, "/tmp/link/x", &v), ==, 0);
        check(!v.deletes && strstr(v.kept_because, "symlink"));
        /* Missing: a socket to be. */
        check_int(tmpreaper_evaluate_at(&c, root, "/tmp/open/new.sock", &v), ==, 0);
        check(v.deletes);
        check_int(tmpreaper_evaluate_at(&c, root, "relative", &v), ==, -EINVAL);
        tmpreaper_config_done(&c);
        rm_rf(root);
}

/* ---- shell text ---- */

static char *expand_one(const char *text, const shell_vars *vars, bool split, size_t want_fields, size_t index) {
        shell_command *cmds = NULL;
        size_t n = 0, nf = 0;
        shell_field *f = NULL;
        char *s;

        check_int(shell_split(text, 1, &cmds, &n), ==, 0);
        check_int(n, ==, 1);
        for (size_t i = 0; i < cmds[0].n_words; i++)
                check_int(shell_expand(&cmds[0].words[i], vars, split, "/f", &f, &nf), >=, 0);
        check_int(nf, ==, want_fields);
        s = strdup(f[index].text);
        shell_fields_free(f, nf);
        shell_commands_free(cmds, n);
        return s;
}

TEST(shell_words) {
        shell_vars vars = {};
        source_ref src = { .file = (char *) "/conf", .line = 7 };
        shell_command *cmds = NULL;
        shell_field *f = NULL;
        size_t n = 0, nf = 0;
        char *s;

        check_int(shell_vars_set(&vars, "A", "x  y", &src), ==, 0);
        check_int(shell_vars_set(&vars, "E", "", &src), ==, 0);

        s = expand_one("echo \"$A\" 'l i t' \\$A", &vars, true, 4, 1);
        check_streq(s, "x  y");
        free(s);
        s = expand_one("echo $A", &vars, true, 3, 2);
        check_streq(s, "y");
        free(s);
        s = expand_one("echo ${E:-def} ${E-set} ${U:+no}${A:+yes}", &vars, true, 3, 2);
        check_streq(s, "yes");
        free(s);
        s = expand_one("echo pre$A", &vars, true, 3, 1);
        check_streq(s, "prex");
        free(s);
        /* An empty unquoted expansion is no field; "" is one. */
        s = expand_one("echo $E \"\" $U", &vars, true, 2, 1);
        check_streq(s, "");
        free(s);

        /* Commands: separators, comments, redirections, here-documents. */
        check_int(shell_split("a 1; b 2 && c | d # e f\n"
                              "g 2>/dev/null >>log <in x\n"
                              "cat <<EOF\nrm -rf /tmp/*\nEOF\n"
                              "h 'q;#' \\\n  cont\n",
                              10, &cmds, &n),
                  ==, 0);
        check_int(n, ==, 7);
        check_int(cmds[0].n_words, ==, 2);
        check(!cmds[2].piped == false);
        check(cmds[3].n_words == 1);
        check_int(cmds[4].n_words, ==, 2); /* g x */
        check_int(cmds[4].words[1].line, ==, 11);
        check_int(cmds[5].n_words, ==, 1); /* cat */
        check_int(cmds[6].n_words, ==, 3);
        check_int(cmds[6].words[0].line, ==, 15);
        check_int(cmds[6].words[2].line, ==, 16);
        shell_commands_free(cmds, n);

        /* Sources: a variable alone keeps its own, anything else the word's;
         * unquoted glob characters make a pattern, quoted ones are escaped. */
        check_int(shell_split("x $A \"/q/*\"/* ${A}z", 3, &cmds, &n), ==, 0);
        for (size_t i = 0; i < cmds[0].n_words; i++)
                check_int(shell_expand(&cmds[0].words[i], &vars, true, "/f", &f, &nf), >=, 0);
        check_int(nf, ==, 6); /* x, x, y, /q/x/x, x, yz */
        check_streq(f[1].source.file, "/conf");
        check_int(f[1].source.line, ==, 7);
        check_streq(f[2].text, "y");
        check_streq(f[2].source.file, "/conf");
        check_streq(f[3].text, "/q/*/*");
        check_streq(f[3].pattern, "/q/\\*/*");
        check(!f[1].pattern);
        check_streq(f[5].text, "yz");
        check_streq(f[5].source.file, "/f");
        check_int(f[5].source.line, ==, 3);
        shell_fields_free(f, nf);
        shell_commands_free(cmds, n);

        check_int(shell_split("x $(rm -rf /) `cat y`", 1, &cmds, &n), ==, 0);
        f = NULL;
        nf = 0;
        check_int(shell_expand(&cmds[0].words[1], &vars, true, "/f", &f, &nf), ==, 1); /* unknown */
        shell_fields_free(f, nf);
        shell_commands_free(cmds, n);
        shell_vars_done(&vars);
}

/* ---- cron ---- */

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

        put(root, "/etc/crontab", "17 * * * * root cd / && run-parts --report /etc/cron.hourly\n", 0644);
        put(root, "/etc/cron.d/zz-clean", "0 1 * * * root find /tmp/zz -delete\n", 0644);
        /* cron skips names with a dot, and run-parts non-executables. */
        put(root, "/etc/cron.d/old.dpkg-old", "0 1 * * * root find /tmp/old -delete\n", 0644);
        put(root, "/etc/cron.daily/aa-clean", "#!/bin/sh\nrm -rf /tmp/aa/*\n", 0755);
        put(root, "/etc/cron.daily/off", "#!/bin/sh\nrm -rf /tmp/off/*\n", 0644);
        /* Debian's tmpreaper job belongs to tmpreaper.c. */
        put(root, "/etc/cron.daily/tmpreaper", "#!/bin/sh\ntmpreaper --all 1d /tmp/.\n", 0755);
        put(root, "/var/spool/cron/crontabs/bob", "* * * * * find /home/bob/t -type s -delete\n", 0600);

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
        put(root, "/usr/sbin/cron", "", 0755);
        check_int(cron_daemon_find(root, &s), ==, 1);
        check_streq(s.file, "/usr/sbin/cron");
        source_ref_done(&s);
        rm_rf(root);
}

/* ---- sockets ---- */

static int bound_socket(int type, const char *name, bool abstract, bool listening) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        socklen_t len;
        int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

        check(fd >= 0);
        if (abstract) {
                memcpy(sa.sun_path + 1, name, strlen(name));
                len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
        } else {
                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", name);
                len = sizeof(sa);
        }
        check(bind(fd, (struct sockaddr *) &sa, len) >= 0);
        if (listening)
                check(listen(fd, 4) >= 0);
        return fd;
}

static const unix_socket_info *find_socket(const unix_socket_info *s, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(s[i].name, name))
                        return &s[i];
        return NULL;
}

TEST(unix_diag_lists_our_sockets) {
        char *dir = scratch_dir(), *listening = scratch_path(dir, "sock/l.sock"),
             *quiet = scratch_path(dir, "sock/q.sock"), abstract[64], abstract_dgram[64], *ab, *abd;
        int fl, fq, fa, fd;
        unix_socket_info *s = NULL;
        size_t n = 0;
        const unix_socket_info *i;
        struct stat st;
        unix_bound *ids = NULL;
        size_t n_ids = 0;
        bool found = false;
        int r;

        snprintf(abstract, sizeof(abstract), "sk-test-%d-a", (int) getpid());
        snprintf(abstract_dgram, sizeof(abstract_dgram), "sk-test-%d-d", (int) getpid());
        fl = bound_socket(SOCK_STREAM, listening, false, true);
        fq = bound_socket(SOCK_STREAM, quiet, false, false);
        fa = bound_socket(SOCK_STREAM, abstract, true, true);
        fd = bound_socket(SOCK_DGRAM, abstract_dgram, true, false);

        r = unix_diag_list(&s, &n);
        if (r == -EOPNOTSUPP)
                skip("no unix_diag in this kernel");
        check_int(r, ==, 0);

        i = find_socket(s, n, listening);
        check(i);
        check(i->listening);
        check_int(i->type, ==, SOCK_STREAM);
        check(i->has_vfs);
        check(lstat(listening, &st) >= 0);
        /* The kernel reports the file's inode in 32 bits. */
        check_int(i->vfs.ino, ==, (uint32_t) st.st_ino);
        check(unix_diag_matches(i->vfs, inode_id_of(&st)));
        check(fstat(fl, &st) >= 0);
        check_int(i->sock_ino, ==, (uint32_t) st.st_ino);

        i = find_socket(s, n, quiet);
        check(i);
        check(!i->listening);
        check(i->has_vfs);
        check(lstat(quiet, &st) >= 0);
        check(unix_diag_matches(i->vfs, inode_id_of(&st)));

        check(asprintf(&ab, "@%s", abstract) >= 0);
        i = find_socket(s, n, ab);
        check(i);
        check(i->listening);
        check(!i->has_vfs);
        check(asprintf(&abd, "@%s", abstract_dgram) >= 0);
        i = find_socket(s, n, abd);
        check(i);
        check_int(i->type, ==, SOCK_DGRAM);
        check(!i->listening);

        /* The library's list of bound files agrees. */
        check_int(unix_diag_bound_all(&ids, &n_ids), ==, 0);
        check(lstat(listening, &st) >= 0);
        for (size_t k = 0; k < n_ids; k++)
                found |= unix_diag_matches(ids[k].vfs, inode_id_of(&st));
        check(found);

        free(ids);
        free(ab);
        free(abd);
        unix_socket_info_free_many(s, n);
        close(fl);
        close(fq);
        close(fa);
        close(fd);
        rm_rf(dir);
}

TAP_MAIN(T(debian_defaults_do_not_run), T(showwarning_off_runs), T(runfromcron_must_be_true),
         T(additional_options_all), T(mtime_option_conflicts_with_the_jobs_ctime), T(protect_extra),
         T(tmptime_from_rcs), T(conf_shell_syntax), T(job_switched_off_or_missing), T(edited_job_command),
         T(time_argument_like_tmpreaper), T(arguments_like_getopt_long), T(protect_patterns_like_glob),
         T(verdict_from_stat), T(verdict_at_looks_at_the_way_down), T(shell_words), T(cron_find_lines),
         T(cron_rm_tmpreaper_tmpwatch), T(cron_scripts_and_user_crontabs), T(cron_files_of_this_machine),
         T(cron_files_of_a_root), T(unix_diag_lists_our_sockets))
