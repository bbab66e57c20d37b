/* SPDX-License-Identifier: MIT */
/* What systemd contributes to cleaning: systemd-tmpfiles-clean.timer's
 * state as systemctl would see it, the unit directories that cannot be
 * read, and whether a path is on a tmpfs, live and offline. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <linux/magic.h>

#include "cleaners.h"
#include "macro.h"
#include "tap.h"
#include "test-util.h"

TEST(timer_states) {
        char *root = scratch_dir();
        source_ref s = {};

        check_int(tmpfiles_clean_timer_state(root, &s), ==, TIMER_ABSENT);

        /* Debian: static, pulled in from /usr/lib; /lib is a symlink to
         * usr/lib, absolute here to prove it stays inside the root. */
        put_file(root, "/usr/lib/systemd/system/systemd-tmpfiles-clean.timer", "[Timer]\nOnBootSec=15min\n", 0644);
        put_symlink(root, "/lib", "/usr/lib");
        check_int(tmpfiles_clean_timer_state(root, &s), ==, TIMER_DISABLED);
        check_streq(s.file, "/usr/lib/systemd/system/systemd-tmpfiles-clean.timer");
        put_symlink(root, "/usr/lib/systemd/system/timers.target.wants/systemd-tmpfiles-clean.timer",
                 "../systemd-tmpfiles-clean.timer");
        check_int(tmpfiles_clean_timer_state(root, &s), ==, TIMER_ENABLED);
        check_streq(s.file, "/usr/lib/systemd/system/timers.target.wants/systemd-tmpfiles-clean.timer");

        /* Masked in /etc wins over the static enablement. */
        put_symlink(root, "/etc/systemd/system/systemd-tmpfiles-clean.timer", "/dev/null");
        check_int(tmpfiles_clean_timer_state(root, &s), ==, TIMER_MASKED);
        check_streq(s.file, "/etc/systemd/system/systemd-tmpfiles-clean.timer");
        source_ref_done(&s);
        rm_rf(root);

        /* An empty unit file masks too. */
        root = scratch_dir();
        put_file(root, "/usr/lib/systemd/system/systemd-tmpfiles-clean.timer", "[Timer]\n", 0644);
        put_file(root, "/run/systemd/system/systemd-tmpfiles-clean.timer", "", 0644);
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

        put_file(root, "/etc/systemd/system/systemd-tmpfiles-clean.timer", "", 0644);
        put_file(root, "/run/systemd/system/x.service", "", 0644);
        put_file(root, "/usr/lib/systemd/system/systemd-tmpfiles-clean.timer", "[Timer]\n", 0644);
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

static const char *const mountinfo_text =
        "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
        "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
        "24 22 0:22 / /tmp rw shared:5 - ext4 /dev/vdb rw\n"
        "25 24 0:23 / /tmp rw shared:6 - tmpfs tmpfs rw\n"                      /* stacked on /tmp */
        "26 22 0:24 / /mnt/my\\040disk rw master:3 - tmpfs tmpfs rw,size=1k\n"
        "27 22 0:25 / /srv/a rw - xfs /dev/vdc rw\n"
        "28 22 0:26 / /srv rw - tmpfs tmpfs rw\n"                               /* hides /srv/a */
        "garbage line\n";

TEST(mountinfo_parsing) {
        mount_entry *m = NULL;
        size_t n = 0;
        const mount_entry *e;

        check_int(mountinfo_parse(mountinfo_text, &m, &n), ==, 0);
        check_int(n, ==, 7);
        check_streq(m[4].where, "/mnt/my disk");
        check_int(m[4].line, ==, 5);
        e = mount_entries_find(m, n, "/tmp/x.sock");
        check_streq(e->fstype, "tmpfs");
        check_int(e->line, ==, 4);
        e = mount_entries_find(m, n, "/mnt/my disk/s");
        check_streq(e->fstype, "tmpfs");
        e = mount_entries_find(m, n, "/mnt/my");
        check_streq(e->fstype, "ext4");
        e = mount_entries_find(m, n, "/srv/a/x");
        check_streq(e->fstype, "tmpfs");
        e = mount_entries_find(m, n, "/procfoo");
        check_streq(e->where, "/");
        mount_entries_free(m, n);
}

/* The live answer agrees with statfs(2) where the path exists. */
TEST(tmpfs_on_this_machine) {
        static const char *const paths[] = { "/", "/tmp", "/dev/shm", "/run", "/proc/self", "/sys" };

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                source_ref s = {};
                struct statfs sf;
                int r;

                if (statfs(paths[i], &sf) < 0)
                        continue;
                r = path_on_tmpfs("/", paths[i], &s);
                printf("# %s: %d (%s:%u)\n", paths[i], r, s.file, s.line);
                check_int(r, ==, sf.f_type == TMPFS_MAGIC);
                check_streq(s.file, "/proc/self/mountinfo");
                source_ref_done(&s);
        }
}

TEST(tmpfs_offline) {
        char *root = scratch_dir();
        source_ref s = {};

        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 0);
        check_int(path_on_tmpfs(root, "/run/x.sock", &s), ==, 1);
        check_streq(s.file, "/run");
        check_int(path_on_tmpfs(root, "relative", &s), ==, -EINVAL);

        put_file(root, "/etc/fstab",
            "# <fs> <dir> <type>\n"
            "/dev/vda / ext4 defaults 0 1\n"
            "tmpfs /tmp tmpfs defaults,noatime 0 0\n"
            "tmpfs /var/tmp tmpfs noauto 0 0\n"
            "tmpfs /srv/my\\040dir tmpfs defaults 0 0\n",
            0644);
        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 1);
        check_streq(s.file, "/etc/fstab");
        check_int(s.line, ==, 3);
        check_int(path_on_tmpfs(root, "/var/tmp/x", &s), ==, 0);
        check_int(path_on_tmpfs(root, "/srv/my dir/s", &s), ==, 1);
        check_int(s.line, ==, 5);
        check_int(path_on_tmpfs(root, "/tmpx", &s), ==, 0);
        rm_rf(root);

        /* No fstab line: an enabled tmp.mount (Fedora, Debian 13). */
        root = scratch_dir();
        put_file(root, "/usr/lib/systemd/system/tmp.mount", "[Mount]\nWhat=tmpfs\nWhere=/tmp\nType=tmpfs\n", 0644);
        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 0); /* present, not enabled */
        put_symlink(root, "/usr/lib/systemd/system/local-fs.target.wants/tmp.mount", "../tmp.mount");
        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 1);
        check_streq(s.file, "/usr/lib/systemd/system/local-fs.target.wants/tmp.mount");
        /* An fstab line for /tmp beats the packaged unit. */
        put_file(root, "/etc/fstab", "/dev/vdb /tmp ext4 defaults 0 2\n", 0644);
        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 0);
        check_streq(s.file, "/etc/fstab");
        /* Masked: not mounted. */
        put_file(root, "/etc/fstab", "", 0644);
        put_symlink(root, "/etc/systemd/system/tmp.mount", "/dev/null");
        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 0);
        source_ref_done(&s);
        rm_rf(root);
}

TAP_MAIN(T(timer_states), T(unreadable_unit_dirs_are_reported), T(timer_on_this_machine), T(mountinfo_parsing),
         T(tmpfs_on_this_machine), T(tmpfs_offline))
