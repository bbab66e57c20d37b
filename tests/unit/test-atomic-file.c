/* SPDX-License-Identifier: MIT */
/* Configuration files written atomically: a new file appears whole with
 * mode 0644 whatever the umask, no temporary name is left behind, an
 * existing file is replaced only when asked and then by a rename (a new
 * inode), a symlink at the name is replaced, never written through; the
 * target check refuses symlinks, directories and files without the
 * writer's mark; directories are opened below a root one component at a
 * time, never through a symlink and never up a "..". */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-file.h"
#include "macro.h"
#include "tap.h"
#include "test-util.h"

#define MARK "# Written by test-atomic-file"

/* The names in DIR, sorted, joined by ' '. */
static char *names_in(const char *dir) {
        struct dirent **list;
        char *joined = strdup("");
        int n = scandir(dir, &list, NULL, alphasort);

        check(n >= 0 && joined);
        for (int i = 0; i < n; i++) {
                char *j;

                if (list[i]->d_name[0] != '.' || (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, ".."))) {
                        check(asprintf(&j, "%s%s%s", joined, *joined ? " " : "", list[i]->d_name) >= 0);
                        free(joined);
                        joined = j;
                }
                free(list[i]);
        }
        free(list);
        return joined;
}

static int open_dir(const char *path) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        check(fd >= 0);
        return fd;
}

static void expect_names(const char *dir, const char *want) {
        _cleanup_free_ char *got = names_in(dir);

        check_streq(got, want);
}

TEST(write_new_and_replace) {
        const char *dir = scratch_dir(), *path = scratch_path(dir, "sock/a.conf");
        _cleanup_close_ int fd = open_dir(scratch_path(dir, "sock"));
        struct stat st, st2;

        umask(077);
        check_int(atomic_write_at(fd, "a.conf", "one\n", 4, 0), ==, 0);
        check(file_has(path, "one\n"));
        check(stat(path, &st) == 0);
        check_int(st.st_mode & 07777, ==, 0644);

        /* Without ATOMIC_REPLACE an existing file stays as it is. */
        check_int(atomic_write_at(fd, "a.conf", "two\n", 4, 0), ==, -EEXIST);
        check(file_has(path, "one\n"));

        /* With it, a new inode takes the name whole. */
        check_int(atomic_write_at(fd, "a.conf", "three\n", 6, ATOMIC_REPLACE), ==, 0);
        check(file_has(path, "three\n"));
        check(stat(path, &st2) == 0);
        check(st.st_ino != st2.st_ino);
        check_int(st2.st_mode & 07777, ==, 0644);

        check_int(atomic_write_at(fd, "b.conf", "", 0, ATOMIC_NO_SYNC), ==, 0);
        check(file_has(scratch_path(dir, "sock/b.conf"), ""));
        expect_names(scratch_path(dir, "sock"), "a.conf b.conf"); /* no temporary names */
        rm_rf(dir);
}

TEST(symlink_is_replaced_not_followed) {
        const char *dir = scratch_dir(), *victim = scratch_path(dir, "victim");
        _cleanup_close_ int fd = open_dir(scratch_path(dir, "sock"));
        struct stat st;

        write_file(victim, "victim\n");
        check(symlink(victim, scratch_path(dir, "sock/a.conf")) == 0);
        check(symlink(victim, scratch_path(dir, "sock/b.conf")) == 0);

        /* A new file never goes through a symlink at its name... */
        check_int(atomic_write_at(fd, "a.conf", "new\n", 4, 0), ==, -EEXIST);
        /* ... and replacing one replaces the link itself. */
        check_int(atomic_write_at(fd, "b.conf", "new\n", 4, ATOMIC_REPLACE), ==, 0);
        check(lstat(scratch_path(dir, "sock/b.conf"), &st) == 0 && S_ISREG(st.st_mode));
        check(file_has(victim, "victim\n"));
        rm_rf(dir);
}

TEST(check_target) {
        const char *dir = scratch_dir(), *sock = scratch_path(dir, "sock");
        _cleanup_close_ int fd = open_dir(sock);

        check_int(atomic_check_target(fd, "none.conf", "none.conf", MARK, "test"), ==, 0);

        write_file(scratch_path(dir, "sock/ours.conf"), MARK " for x.\nrest\n");
        check_int(atomic_check_target(fd, "ours.conf", "ours.conf", MARK, "test"), ==, 1);
        write_file(scratch_path(dir, "sock/short.conf"), "# Written");
        check_int(atomic_check_target(fd, "short.conf", "short.conf", MARK, "test"), ==, -EEXIST);
        write_file(scratch_path(dir, "sock/theirs.conf"), "[Service]\nNice=5\n");
        check_int(atomic_check_target(fd, "theirs.conf", "theirs.conf", MARK, "test"), ==, -EEXIST);
        /* Without a mark any regular file may be replaced. */
        check_int(atomic_check_target(fd, "theirs.conf", "theirs.conf", NULL, NULL), ==, 1);

        check(symlink(scratch_path(dir, "sock/ours.conf"), scratch_path(dir, "sock/link.conf")) == 0);
        check_int(atomic_check_target(fd, "link.conf", "link.conf", MARK, "test"), ==, -ELOOP);
        check_int(atomic_check_target(fd, "link.conf", "link.conf", NULL, NULL), ==, -ELOOP);
        check(mkdir(scratch_path(dir, "sock/dir.conf"), 0755) == 0);
        check_int(atomic_check_target(fd, "dir.conf", "dir.conf", NULL, NULL), ==, -EEXIST);
        /* A FIFO is not opened, so nothing waits for a writer. */
        check(mkfifo(scratch_path(dir, "sock/fifo.conf"), 0644) == 0);
        check_int(atomic_check_target(fd, "fifo.conf", "fifo.conf", MARK, "test"), ==, -EEXIST);
        rm_rf(dir);
}

TEST(directories) {
        const char *dir = scratch_dir();
        _cleanup_close_ int root_fd = open_dir(dir);
        int fd = -EBADF;
        struct stat st;

        /* 0755, as the umask allows: a directory is made as mkdir(1) would. */
        umask(027);
        check_int(atomic_open_or_make_dir(root_fd, "etc", "etc", &fd), ==, 0);
        check(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
        check_int(st.st_mode & 07777, ==, 0750);
        safe_close(fd);
        check_int(atomic_open_or_make_dir(root_fd, "etc", "etc", &fd), ==, 0); /* there already */
        safe_close(fd);

        check(symlink("/etc", scratch_path(dir, "link")) == 0);
        check_int(atomic_open_or_make_dir(root_fd, "link", "link", &fd), ==, -ENOTDIR);
        write_file(scratch_path(dir, "file"), "x");
        check_int(atomic_open_or_make_dir(root_fd, "file", "file", &fd), ==, -ENOTDIR);

        /* Below a root: made on the way when asked, else -ENOENT. */
        fd = -EBADF;
        check_int(atomic_open_dir_under_root(dir, "/a/b", false, &fd), ==, -ENOENT);
        check_int(fd, ==, -EBADF);
        check_int(atomic_open_dir_under_root(dir, "/a//b/", true, &fd), ==, 0);
        check(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
        safe_close(fd);
        check(stat(scratch_path(dir, "a/b"), &st) == 0 && S_ISDIR(st.st_mode));
        check_int(atomic_open_dir_under_root(dir, "/a/b", false, &fd), ==, 0);
        safe_close(fd);

        /* Never up, never through a symlink below the root. */
        check_int(atomic_open_dir_under_root(dir, "/a/../..", true, &fd), ==, -EINVAL);
        check_int(atomic_open_dir_under_root(dir, "/link/x", true, &fd), ==, -ENOTDIR);
        check_int(atomic_open_dir_under_root(dir, "/link", false, &fd), ==, -ENOTDIR);
        check(access("/etc/x", F_OK) < 0);
        rm_rf(dir);
}

TAP_MAIN(T(write_new_and_replace),
         T(symlink_is_replaced_not_followed),
         T(check_target),
         T(directories))
