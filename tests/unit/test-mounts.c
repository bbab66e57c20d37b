/* SPDX-License-Identifier: MIT */
/* Mount tables (mountinfo and fstab), and which paths lie on a tmpfs: on
 * this machine against statfs(2), and in fixture roots from /etc/fstab,
 * the API file systems and tmp.mount as the unit reader finds it. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "macro.h"
#include "mounts.h"
#include "tap.h"
#include "test-util.h"

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
                 "tmpfs /srv/my\\040dir tmpfs defaults 0 0\n");
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
        put_file(root, "/usr/lib/systemd/system/tmp.mount", "[Mount]\nWhat=tmpfs\nWhere=/tmp\nType=tmpfs\n");
        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 0); /* present, not enabled */
        put_symlink(root, "/usr/lib/systemd/system/local-fs.target.wants/tmp.mount", "../tmp.mount");
        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 1);
        check_streq(s.file, "/usr/lib/systemd/system/local-fs.target.wants/tmp.mount");
        /* An fstab line for /tmp beats the packaged unit. */
        put_file(root, "/etc/fstab", "/dev/vdb /tmp ext4 defaults 0 2\n");
        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 0);
        check_streq(s.file, "/etc/fstab");
        /* Masked: not mounted. */
        put_file(root, "/etc/fstab", "");
        put_symlink(root, "/etc/systemd/system/tmp.mount", "/dev/null");
        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 0);
        source_ref_done(&s);
        rm_rf(root);
}

/* tmp.mount read as the unit reader reads it: the Type= of [Mount], its
 * drop-ins included; and a mask anywhere in the search path (here one
 * that a generator wrote early) keeps it from mounting. */
TEST(tmp_mount_as_the_unit_reader_sees_it) {
        char *root = scratch_dir();
        source_ref s = {};

        check(unsetenv("SYSTEMD_UNIT_PATH") == 0);
        put_file(root, "/usr/lib/systemd/system/tmp.mount",
                 "[X-Note]\nType=ext4\n[Mount]\nWhat=tmpfs\nWhere=/tmp\nType=tmpfs\n");
        put_symlink(root, "/usr/lib/systemd/system/local-fs.target.wants/tmp.mount", "../tmp.mount");
        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 1);
        check_streq(s.file, "/usr/lib/systemd/system/local-fs.target.wants/tmp.mount");

        /* The last Type= of [Mount] wins, drop-ins included. */
        put_file(root, "/etc/systemd/system/tmp.mount.d/50-disk.conf", "[Mount]\nWhat=/dev/vdb\nType=ext4\n");
        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 0);
        put_file(root, "/etc/systemd/system/tmp.mount.d/60-back.conf", "[Mount]\nType=tmpfs\n");
        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 1);

        put_symlink(root, "/run/systemd/generator.early/tmp.mount", "/dev/null");
        check_int(path_on_tmpfs(root, "/tmp/x", &s), ==, 0);
        source_ref_done(&s);
        rm_rf(root);
}

TAP_MAIN(T(mountinfo_parsing), T(tmpfs_on_this_machine), T(tmpfs_offline), T(tmp_mount_as_the_unit_reader_sees_it))
