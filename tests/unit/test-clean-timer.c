/* SPDX-License-Identifier: MIT */
/* systemd-tmpfiles-clean.timer's state under fixture roots, the unit
 * directories that cannot be read, and the agreement of `check`'s timer
 * verdict with the unit reader that the generator uses: one unit tree,
 * one judgement. */

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleaners.h"
#include "macro.h"
#include "tap.h"
#include "test-util.h"
#include "unit-file.h"

#define TIMER "systemd-tmpfiles-clean.timer"

TEST(timer_states) {
        char *root = scratch_dir();
        source_ref s = {};

        check_int(tmpfiles_clean_timer_state(root, &s), ==, TIMER_ABSENT);

        /* Debian: static, pulled in from /usr/lib; /lib is a symlink to
         * usr/lib, absolute here to prove it stays inside the root. The
         * search path has /lib/systemd/system first, so the unit is found
         * under that name, as `systemctl status` names it on Debian 12. */
        put_file(root, "/usr/lib/systemd/system/systemd-tmpfiles-clean.timer", "[Timer]\nOnBootSec=15min\n");
        put_symlink(root, "/lib", "/usr/lib");
        check_int(tmpfiles_clean_timer_state(root, &s), ==, TIMER_DISABLED);
        check_streq(s.file, "/lib/systemd/system/systemd-tmpfiles-clean.timer");
        put_symlink(root, "/usr/lib/systemd/system/timers.target.wants/systemd-tmpfiles-clean.timer",
                    "../systemd-tmpfiles-clean.timer");
        check_int(tmpfiles_clean_timer_state(root, &s), ==, TIMER_ENABLED);
        check_streq(s.file, "/lib/systemd/system/timers.target.wants/systemd-tmpfiles-clean.timer");

        /* Masked in /etc wins over the static enablement. */
        put_symlink(root, "/etc/systemd/system/systemd-tmpfiles-clean.timer", "/dev/null");
        check_int(tmpfiles_clean_timer_state(root, &s), ==, TIMER_MASKED);
        check_streq(s.file, "/etc/systemd/system/systemd-tmpfiles-clean.timer");
        source_ref_done(&s);
        rm_rf(root);

        /* An empty unit file masks too. */
        root = scratch_dir();
        put_file(root, "/usr/lib/systemd/system/systemd-tmpfiles-clean.timer", "[Timer]\n");
        put_file(root, "/run/systemd/system/systemd-tmpfiles-clean.timer", "");
        check_int(tmpfiles_clean_timer_state(root, &s), ==, TIMER_MASKED);
        check_streq(s.file, "/run/systemd/system/systemd-tmpfiles-clean.timer");
        source_ref_done(&s);
        rm_rf(root);
}

/* As a user who may not list /etc/systemd/system (mode 000) nor look up
 * names in /run/systemd/system (readable, not searchable), both are said;
 * what is fine or missing is not. */
TEST(unreadable_unit_dirs_are_reported) {
        char *root = scratch_dir(), *p;
        int status;
        pid_t pid;

        put_file(root, "/etc/systemd/system/systemd-tmpfiles-clean.timer", "");
        put_file(root, "/run/systemd/system/x.service", "");
        put_file(root, "/usr/lib/systemd/system/systemd-tmpfiles-clean.timer", "[Timer]\n");
        check(chmod(root, 0755) >= 0);
        p = scratch_path(root, "etc/systemd/system");
        check(chmod(p, 0) >= 0);
        p = scratch_path(root, "run/systemd/system");
        check(chmod(p, 0644) >= 0);

        pid = fork();
        check(pid >= 0);
        if (pid == 0) {
                warnings w = {};

                /* Root reads anything: nobody, in a child, so that the
                 * tree can still be removed afterwards. */
                if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                                       setresuid(65534, 65534, 65534) < 0))
                        _exit(2);
                if (unit_dirs_warn_unreadable(root, collect_warning, &w) != 2 || w.count != 2 ||
                    !strstr(w.text, "/etc/systemd/system:0: cannot read directory: Permission denied; ") ||
                    !strstr(w.text, "/run/systemd/system:0: cannot read directory: Permission denied; ") ||
                    !strstr(w.text, "the answer may be incomplete")) {
                        printf("# %s", w.text);
                        _exit(1);
                }
                _exit(0);
        }
        check(waitpid(pid, &status, 0) == pid);
        check(WIFEXITED(status));
        check_int(WEXITSTATUS(status), ==, 0);

        check(chmod(scratch_path(root, "etc/systemd/system"), 0755) >= 0);
        check(chmod(scratch_path(root, "run/systemd/system"), 0755) >= 0);
        check_int(unit_dirs_warn_unreadable(root, NULL, NULL), ==, 0);
        rm_rf(root);
}

TEST(timer_on_this_machine) {
        source_ref s = {};
        struct stat st;
        timer_state t = tmpfiles_clean_timer_state("/", &s);

        if (lstat("/usr/lib/systemd/system/timers.target.wants/systemd-tmpfiles-clean.timer", &st) < 0 &&
            lstat("/lib/systemd/system/timers.target.wants/systemd-tmpfiles-clean.timer", &st) < 0)
                skip("no static timers.target.wants link for the timer here");
        if (lstat("/etc/systemd/system/systemd-tmpfiles-clean.timer", &st) >= 0 && S_ISLNK(st.st_mode))
                check_int(t, ==, TIMER_MASKED);
        else
                check_int(t, ==, TIMER_ENABLED);
        source_ref_done(&s);
}

/* What the generator's reader makes of the timer under ROOT, in the
 * terms of check's verdict (enablement aside: found is "disabled"). */
static timer_state reader_state(const char *root, char **ret_fragment) {
        static const timer_state states[] = {
                [UNIT_NOT_FOUND] = TIMER_ABSENT,
                [UNIT_FOUND] = TIMER_DISABLED,
                [UNIT_MASKED] = TIMER_MASKED,
        };
        unit_lookup lp;
        unit_file u;
        timer_state t;

        check_int(unit_lookup_init(&lp, root, NULL, NULL), ==, 0);
        check_int(unit_file_load(&lp, TIMER, &u), ==, 0);
        t = states[u.state];
        *ret_fragment = u.fragment ? strdup(u.fragment) : NULL;
        unit_file_done(&u);
        unit_lookup_done(&lp);
        return t;
}

/* Trees on which a reader of its own (five directories, /usr/lib before
 * /lib, a mask only as a literal link to /dev/null) and the unit reader
 * disagree: check's verdict must be the reader's, and name its file. */
TEST(timer_verdict_agrees_with_the_unit_reader) {
        static const struct {
                const char *what;
                const char *files[4][2];        /* path, content ("->TARGET" for a symlink) */
                timer_state want;
                const char *source;
        } cases[] = {
                { "an empty file in /lib masks what /usr/lib enables",
                  { { "/lib/systemd/system/" TIMER, "" },
                    { "/usr/lib/systemd/system/" TIMER, "[Timer]\nOnBootSec=15min\n" },
                    { "/usr/lib/systemd/system/timers.target.wants/" TIMER, "->../" TIMER } },
                  TIMER_MASKED, "/lib/systemd/system/" TIMER },
                { "a mask in /usr/lib is hidden by the file in /lib",
                  { { "/lib/systemd/system/" TIMER, "[Timer]\nOnBootSec=15min\n" },
                    { "/usr/lib/systemd/system/" TIMER, "->/dev/null" } },
                  TIMER_DISABLED, "/lib/systemd/system/" TIMER },
                { "a mask in system.control",
                  { { "/etc/systemd/system.control/" TIMER, "->/dev/null" },
                    { "/usr/lib/systemd/system/" TIMER, "[Timer]\nOnBootSec=15min\n" },
                    { "/usr/lib/systemd/system/timers.target.wants/" TIMER, "->../" TIMER } },
                  TIMER_MASKED, "/etc/systemd/system.control/" TIMER },
                { "a mask that a generator wrote early",
                  { { "/run/systemd/generator.early/" TIMER, "->/dev/null" },
                    { "/usr/lib/systemd/system/" TIMER, "[Timer]\nOnBootSec=15min\n" },
                    { "/usr/lib/systemd/system/timers.target.wants/" TIMER, "->../" TIMER } },
                  TIMER_MASKED, "/run/systemd/generator.early/" TIMER },
                { "an alias of a masked name",
                  { { "/etc/systemd/system/" TIMER, "->other.timer" },
                    { "/etc/systemd/system/other.timer", "->/dev/null" },
                    { "/usr/lib/systemd/system/" TIMER, "[Timer]\nOnBootSec=15min\n" },
                    { "/usr/lib/systemd/system/timers.target.wants/" TIMER, "->../" TIMER } },
                  TIMER_MASKED, "/etc/systemd/system/other.timer" },
                { "a mask spelled with dots",
                  { { "/etc/systemd/system/" TIMER, "->/dev/./null" },
                    { "/usr/lib/systemd/system/" TIMER, "[Timer]\nOnBootSec=15min\n" } },
                  TIMER_MASKED, "/etc/systemd/system/" TIMER },
        };

        check(unsetenv("SYSTEMD_UNIT_PATH") == 0);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *root = scratch_dir();
                _cleanup_free_ char *fragment = NULL;
                source_ref s = {};
                timer_state check_says, reader_says;

                for (size_t j = 0; j < ELEMENTSOF(cases[i].files) && cases[i].files[j][0]; j++) {
                        const char *c = cases[i].files[j][1];

                        if (strncmp(c, "->", 2) == 0)
                                put_symlink(root, cases[i].files[j][0], c + 2);
                        else
                                put_file(root, cases[i].files[j][0], c);
                }
                check_says = tmpfiles_clean_timer_state(root, &s);
                reader_says = reader_state(root, &fragment);
                printf("# %s: check %d (%s), reader %d (%s)\n", cases[i].what, check_says, strempty(s.file),
                       reader_says, strempty(fragment));
                check_int(check_says, ==, cases[i].want);
                check_int(check_says == TIMER_ENABLED ? TIMER_DISABLED : check_says, ==, reader_says);
                check_streq(s.file, cases[i].source);
                check_streq(fragment, cases[i].source);
                source_ref_done(&s);
                rm_rf(root);
        }
}

/* SYSTEMD_UNIT_PATH points the generator at its input units; the timer
 * of the tree under ROOT is found where that tree's PID 1 will look. */
TEST(timer_is_the_trees_whatever_the_unit_path_variable) {
        char *root = scratch_dir();
        source_ref s = {};

        put_file(root, "/usr/lib/systemd/system/" TIMER, "[Timer]\n");
        put_symlink(root, "/usr/lib/systemd/system/timers.target.wants/" TIMER, "../" TIMER);
        put_symlink(root, "/units/" TIMER, "/dev/null");
        check(setenv("SYSTEMD_UNIT_PATH", "/units", 1) == 0);
        check_int(tmpfiles_clean_timer_state(root, &s), ==, TIMER_ENABLED);
        check_streq(s.file, "/usr/lib/systemd/system/timers.target.wants/" TIMER);
        check(unsetenv("SYSTEMD_UNIT_PATH") == 0);
        source_ref_done(&s);
        rm_rf(root);
}

TAP_MAIN(T(timer_states), T(unreadable_unit_dirs_are_reported), T(timer_on_this_machine),
         T(timer_verdict_agrees_with_the_unit_reader), T(timer_is_the_trees_whatever_the_unit_path_variable))
