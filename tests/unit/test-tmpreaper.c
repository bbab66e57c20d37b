/* SPDX-License-Identifier: MIT */
/* tmpreaper as Debian's daily job runs it: the real cron job and
 * configuration are copied into fixture roots and varied, and what the
 * job is found to do, and to which path, is checked with the file and line
 * that say so. The behaviours asserted here were measured on tmpreaper
 * 1.6.17; the integration test compares with the real binary. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "tap.h"
#include "test-util.h"
#include "tmpreaper.h"

#define DAY (86400 * USEC_PER_SEC)
#define REAL_JOB "/etc/cron.daily/tmpreaper"
#define REAL_CONF "/etc/tmpreaper.conf"

/* ---- fixture roots ---- */

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
        char *root = scratch_dir(), *job = read_text(REAL_JOB), *real_conf = NULL;

        if (!job)
                skip("no " REAL_JOB " on this machine (the tmpreaper package)");
        put_file_mode(root, "/usr/sbin/tmpreaper", "#!/bin/sh\n", 0755);
        put_file_mode(root, REAL_JOB, job, 0755);
        if (!conf) {
                real_conf = read_text(REAL_CONF);
                check(real_conf);
                conf = real_conf;
        }
        put_file(root, REAL_CONF, conf);
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
        char *root = reaper_root(NULL), *conf = read_text(REAL_CONF), *job = read_text(REAL_JOB);
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
        char *root = reaper_root("SHOWWARNING=false\n"), *job = read_text(REAL_JOB);
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

        put_file(root, "/etc/default/rcS", "# rcS\nTMPTIME=3\n #TMPTIME=9\n");
        load(&c, root);
        check_int(c.age_usec, ==, 3 * DAY);
        check_source(&c.age_source, "/etc/default/rcS", 2);
        tmpreaper_config_done(&c);

        /* 0 means 7 days here (bootclean's "clean all" does not apply). */
        put_file(root, "/etc/default/rcS", "TMPTIME=0\n");
        load(&c, root);
        check_int(c.age_usec, ==, 7 * DAY);
        check_source(&c.age_source, "/etc/default/rcS", 1);
        tmpreaper_config_done(&c);

        /* Negative or infinite: ignored, the job's default stands. */
        put_file(root, "/etc/default/rcS", "TMPTIME=infinite\n");
        load(&c, root);
        check_int(c.age_usec, ==, 7 * DAY);
        check_streq(c.age_source.file, REAL_JOB);
        tmpreaper_config_done(&c);

        /* The last TMPTIME= line wins, quotes and all. */
        put_file(root, "/etc/default/rcS", "TMPTIME=5\nTMPTIME=\"12\"\n");
        load(&c, root);
        check_int(c.age_usec, ==, 12 * DAY);
        check_source(&c.age_source, "/etc/default/rcS", 2);
        tmpreaper_config_done(&c);

        /* tmpreaper.conf is read after rcS and overrides it. */
        put_file(root, REAL_CONF, "SHOWWARNING=false\nRUNFROMCRON=true\nTMPREAPER_TIME=36h\n");
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
        put_file_mode(root, REAL_JOB, "#!/bin/sh\nif ! [ -x /usr/sbin/tmpreaper ]; then\n    exit 0\nfi\n"
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
        put_file_mode(root, "/usr/sbin/tmpreaper", "", 0755);
        put_file(root, REAL_CONF, "");
        put_file_mode(root, REAL_JOB,
            "#!/bin/sh\n"
            "set -f\n"
            "DIRS=\"/tmp/. /scratch\"\n"
            "exec nice -n 10 /usr/sbin/tmpreaper \\\n"
            "   --all --protect '*.keep' \\\n"
            "   12h $DIRS\n"
            "exit 0\n", 0755);
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

/* ---- the verdict ---- */

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

        put_file(root, "/tmp/open/x", "");
        put_file(root, "/tmp/locked/x", "");
        put_file_mode(root, "/tmp/mine", "", 0444);
        check(asprintf(&p, "%s/tmp/locked", root) >= 0);
        check(chmod(p, 0555) >= 0);
        free(p);
        put_symlink(root, "/tmp/link", "open");
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

TAP_MAIN(T(debian_defaults_do_not_run), T(showwarning_off_runs), T(runfromcron_must_be_true),
         T(additional_options_all), T(mtime_option_conflicts_with_the_jobs_ctime), T(protect_extra),
         T(tmptime_from_rcs), T(conf_shell_syntax), T(job_switched_off_or_missing), T(edited_job_command),
         T(verdict_from_stat), T(verdict_at_looks_at_the_way_down))
