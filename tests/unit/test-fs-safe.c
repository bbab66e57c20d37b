/* SPDX-License-Identifier: MIT */
/* The primitives every keeper mutation goes through. Each is handed a
 * symlink, or a different file, where our socket should be, exactly as an
 * attacker would swap it in between two steps; each must refuse without
 * touching the target. Also the kernel's answer to "which file is this
 * socket bound to". */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <utime.h>

#include "fs-safe.h"
#include "macro.h"
#include "tap.h"
#include "test-util.h"
#include "unix-diag.h"

typedef struct scene {
        char *dir;
        int dir_fd;
        char *target;     /* a file outside, which must stay untouched */
        struct stat target_st;
        inode_id sock_id; /* the socket that was at "s.sock" */
        int sock_fd;
} scene;

/* Binds a socket at dir/s.sock, records its identity, then swaps a
 * symlink to the target in at that name. */
static void setup(scene *s) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct utimbuf old = { .actime = 1000, .modtime = 1000 };
        struct stat st;
        char *path, *link_tmp;

        s->dir = scratch_dir();
        s->dir_fd = open(s->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        s->target = scratch_path(s->dir, "target");
        write_file(s->target, "target");
        check(chmod(s->target, 0600) >= 0);
        check(utime(s->target, &old) >= 0);
        check(stat(s->target, &s->target_st) >= 0);

        path = scratch_path(s->dir, "s.sock");
        s->sock_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        check(bind(s->sock_fd, (struct sockaddr *) &sa, sizeof(sa)) >= 0);
        check(lstat(path, &st) >= 0);
        s->sock_id = inode_id_of(&st);

        link_tmp = scratch_path(s->dir, "tmp-link");
        check(symlink(s->target, link_tmp) >= 0);
        check(rename(link_tmp, path) >= 0);
}

static void check_target_untouched(scene *s) {
        struct stat st;

        check(stat(s->target, &st) >= 0);
        check_int(st.st_mode, ==, s->target_st.st_mode);
        check_int(st.st_mtime, ==, s->target_st.st_mtime);
        check_int(st.st_atime, ==, s->target_st.st_atime);
        check_int(st.st_nlink, ==, 1);
        check(file_has(s->target, "target"));
        rm_rf(s->dir);
}

TEST(chmod_refuses_swapped_symlink) {
        scene s = {};
        setup(&s);
        check_int(fs_chmod_ours(s.dir_fd, "s.sock", s.sock_id, 0666), ==, -ELOOP);
        check_target_untouched(&s);
}

TEST(touch_refuses_swapped_symlink) {
        scene s = {};
        setup(&s);
        check_int(fs_touch_ours(s.dir_fd, "s.sock", s.sock_id), ==, -ELOOP);
        check_target_untouched(&s);
}

TEST(unlink_refuses_swapped_symlink) {
        scene s = {};
        struct stat st;

        setup(&s);
        check_int(fs_unlink_ours(s.dir_fd, "s.sock", s.sock_id), ==, -ESTALE);
        check(fstatat(s.dir_fd, "s.sock", &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISLNK(st.st_mode));
        check_target_untouched(&s);
}

TEST(operations_refuse_another_socket) {
        scene s = {};
        struct stat st;
        inode_id wrong;

        setup(&s);
        check(unlinkat(s.dir_fd, "s.sock", 0) >= 0);
        {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s.sock", s.dir);
                check(bind(fd, (struct sockaddr *) &sa, sizeof(sa)) >= 0);
        }
        check(fstatat(s.dir_fd, "s.sock", &st, AT_SYMLINK_NOFOLLOW) >= 0);
        wrong = s.sock_id;
        wrong.ino = st.st_ino + 1;
        check_int(fs_chmod_ours(s.dir_fd, "s.sock", wrong, 0600), ==, -ESTALE);
        check_int(fs_touch_ours(s.dir_fd, "s.sock", wrong), ==, -ESTALE);
        check_int(fs_unlink_ours(s.dir_fd, "s.sock", wrong), ==, -ESTALE);
        check_int(fs_unlink_ours(s.dir_fd, "s.sock", inode_id_of(&st)), ==, 0);
        check_target_untouched(&s);
}

TEST(mkdir_refuses_planted_symlink) {
        scene s = {};
        struct stat st;
        char *victim_dir;
        int fd = -1;

        setup(&s);
        victim_dir = scratch_path(s.dir, "victim");
        check(mkdir(victim_dir, 0700) >= 0);
        check(symlinkat(victim_dir, s.dir_fd, "restored") >= 0);
        check_int(fs_mkdir_exact(s.dir_fd, "restored", 0777, 0, 0, &fd), ==, -EEXIST);
        check_int(fd, ==, -1);
        check(stat(victim_dir, &st) >= 0);
        check_int(st.st_mode & 07777, ==, 0700);
        check(rmdir(victim_dir) >= 0);
        check_target_untouched(&s);
}

TEST(mkdir_sets_exact_mode) {
        scene s = {};
        struct stat st;
        int fd = -1;

        setup(&s);
        umask(0077);
        check_int(fs_mkdir_exact(s.dir_fd, "made", 01777, geteuid(), getegid(), &fd), ==, 0);
        check(fstat(fd, &st) >= 0);
        check_int(st.st_mode & 07777, ==, 01777);
        close(fd);
        check_target_untouched(&s);
}

TEST(private_dir_refuses_symlink_foreign_and_open_dirs) {
        scene s = {};
        int fd = -1;

        setup(&s);
        check(symlinkat(s.dir, s.dir_fd, "via-link") >= 0);
        check_int(fs_open_private_dir(s.dir_fd, "via-link", &fd), ==, -ELOOP);
        check(mkdirat(s.dir_fd, "open", 0755) >= 0);
        check(fchmodat(s.dir_fd, "open", 0755, 0) >= 0);
        check_int(fs_open_private_dir(s.dir_fd, "open", &fd), ==, -EPERM);
        if (geteuid() == 0) {
                check(mkdirat(s.dir_fd, "foreign", 0700) >= 0);
                check(fchownat(s.dir_fd, "foreign", 65534, 65534, 0) >= 0);
                check_int(fs_open_private_dir(s.dir_fd, "foreign", &fd), ==, -EPERM);
        }
        check_int(fd, ==, -1);
        check_int(fs_open_private_dir(s.dir_fd, "mine", &fd), ==, 0);
        check(fd >= 0);
        close(fd);
        check_target_untouched(&s);
}

TEST(kernel_names_the_bound_file) {
        scene s = {};
        inode_id diag;
        int r;

        setup(&s);
        r = unix_diag_vfs_id(s.sock_fd, &diag);
        if (r == -EOPNOTSUPP)
                skip("kernel without unix_diag");
        check_int(r, ==, 0);
        check(unix_diag_matches(diag, s.sock_id));
        /* The path now holds a symlink: lstat would lie, the kernel not. */
        check_int(unix_diag_vfs_id(0, &diag), <, 0);
        check_target_untouched(&s);
}

TEST(test_cleanup_never_follows_symlinks) {
        /* The tests' own rm_rf() once chmod()ed through a fixture's symlink
         * to /usr/lib. Bait outside the tree must keep its mode. */
        char *outside = scratch_dir(), *file = scratch_path(outside, "file"), *dir = scratch_path(outside, "dir");
        char *tree = scratch_dir(), *l1 = scratch_path(tree, "sock/to-file"), *l2 = scratch_path(tree, "to-dir");
        struct stat st;

        write_file(file, "bait");
        check(chmod(file, 0604) >= 0);
        check(mkdir(dir, 0751) >= 0);
        check(chmod(dir, 0751) >= 0);
        check(symlink(file, l1) >= 0);
        check(symlink(dir, l2) >= 0);
        rm_rf(tree);
        check(lstat(tree, &st) < 0 && errno == ENOENT);
        check(stat(file, &st) >= 0);
        check_int(st.st_mode & 07777, ==, 0604);
        check(stat(dir, &st) >= 0);
        check_int(st.st_mode & 07777, ==, 0751);
        rm_rf(outside);
}

static void check_opens(const char *path, const char *expect) {
        struct stat a, b;
        int fd = fs_open_dir_trusted(path, 0);

        check_int(fd, >=, 0);
        check(fstat(fd, &a) >= 0 && stat(expect, &b) >= 0);
        check(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
        close(fd);
}

TEST(trusted_walk_follows_only_links_nobody_else_could_plant) {
        char *dir = scratch_dir(), *sticky, *real, *p;

        require_root();
        check(chmod(dir, 0755) >= 0);
        real = scratch_path(dir, "private/app");
        check(mkdir(scratch_path(dir, "private"), 0700) >= 0 && mkdir(real, 0755) >= 0);
        /* As systemd makes /var/lib/NAME for DynamicUser=: a root-owned
         * relative link in a root-owned directory. */
        check(symlink("private/app", scratch_path(dir, "app")) >= 0);
        check(symlink("../private/app", scratch_path(dir, "sock/up")) >= 0);
        check_opens(scratch_path(dir, "app"), real);
        check_opens(scratch_path(dir, "sock/up"), real);
        check_opens(scratch_path(dir, "state"), scratch_path(dir, "state"));

        /* In a sticky world-writable directory: a link or a directory of
         * another user is never walked through. */
        sticky = scratch_path(dir, "skt");
        check(mkdir(sticky, 0755) >= 0 && chmod(sticky, 01777) >= 0);
        p = scratch_path(dir, "skt/bob-link");
        check(symlink(real, p) >= 0 && lchown(p, NOBODY, NOBODY) >= 0);
        check_int(fs_open_dir_trusted(p, 0), ==, -EPERM);
        p = scratch_path(dir, "skt/bob-dir");
        check(mkdir(p, 0755) >= 0 && chown(p, NOBODY, NOBODY) >= 0);
        check(mkdir(scratch_path(dir, "skt/bob-dir/inner"), 0755) >= 0);
        check_int(fs_open_dir_trusted(scratch_path(dir, "skt/bob-dir/inner"), 0), ==, -EPERM);
        check_int(fs_open_dir_trusted(scratch_path(dir, "skt/bob-dir"), 0), ==, -EPERM);
        /* Ours there is fine. */
        p = scratch_path(dir, "skt/ours");
        check(mkdir(p, 0700) >= 0);
        check_opens(p, p);

        /* Loops end; relative names and ".." in the path are refused. */
        check(symlink("loop-b", scratch_path(dir, "loop-a")) >= 0);
        check(symlink("loop-a", scratch_path(dir, "loop-b")) >= 0);
        check_int(fs_open_dir_trusted(scratch_path(dir, "loop-a"), 0), ==, -ELOOP);
        check_int(fs_open_dir_trusted("relative", 0), ==, -EINVAL);
        check_int(fs_open_dir_trusted(scratch_path(dir, "private/../app"), 0), ==, -EINVAL);
        /* A missing last level is made when asked. */
        p = scratch_path(dir, "state/new");
        check_int(fs_open_dir_trusted(p, 0), ==, -ENOENT);
        check(close(fs_open_dir_trusted(p, 0700)) >= 0);
        check_opens(p, p);
        rm_rf(dir);
}

TAP_MAIN(T(test_cleanup_never_follows_symlinks),
         T(chmod_refuses_swapped_symlink),
         T(touch_refuses_swapped_symlink),
         T(unlink_refuses_swapped_symlink),
         T(operations_refuse_another_socket),
         T(mkdir_refuses_planted_symlink),
         T(mkdir_sets_exact_mode),
         T(private_dir_refuses_symlink_foreign_and_open_dirs),
         T(kernel_names_the_bound_file),
         T(trusted_walk_follows_only_links_nobody_else_could_plant))
