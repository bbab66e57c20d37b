/* SPDX-License-Identifier: MIT */
/* path-util: the string helpers every layer uses for paths (normalize,
 * join, split, parent, the "under" and "below" tests, ".." and the walk
 * by components), and the files of a tree under a root as root_lstat()
 * and root_opendir() see them. How root_open() and root_chase() resolve
 * symlinks and ".." is test-root-open.c's. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "block-openat2.h"
#include "macro.h"
#include "path-util.h"
#include "tap.h"
#include "test-util.h"

TEST(normalize) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "/tmp/./a//b/", "/tmp/a/b" },
                { "/", "/" },
                { "//", "/" },
                { "/.", "/" },
                { "/./", "/" },
                { "", "." },
                { ".", "." },
                { "./", "." },
                { "a/./b", "a/b" },
                { "a//b/", "a/b" },
                { "./a", "a" },
                { "/tmp/../a", "/tmp/../a" }, /* ".." stays for the caller to judge */
                { "../a", "../a" },
                { "/a/.../b", "/a/.../b" },
                { "/.hidden/x.", "/.hidden/x." },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *n = path_normalize(cases[i].in);

                check_streq(n, cases[i].out);
                free(n);
        }
}

TEST(join) {
        static const struct {
                const char *dir, *name, *out;
        } cases[] = {
                { "/", "x", "/x" },
                { "/a/b", "c", "/a/b/c" },
                { "/a", "b/c", "/a/b/c" },
                { "a", "b", "a/b" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *j = path_join(cases[i].dir, cases[i].name);

                check_streq(j, cases[i].out);
                free(j);
        }
}

TEST(join_root) {
        static const struct {
                const char *root, *path, *out;
        } cases[] = {
                { NULL, "/etc/x", "/etc/x" },
                { "", "/etc/x", "/etc/x" },
                { "/", "/etc/x", "/etc/x" },
                { "/srv/image", "/etc/x", "/srv/image/etc/x" },
                { "/srv/image", "/", "/srv/image/" },
        };

        check(root_is_live(NULL));
        check(root_is_live(""));
        check(root_is_live("/"));
        check(!root_is_live("/srv/image"));
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *j = path_join_root(cases[i].root, cases[i].path);

                check_streq(j, cases[i].out);
                free(j);
        }
}

TEST(split) {
        static const struct {
                const char *path, *dir, *name;
        } good[] = {
                { "/x.sock", "/", "x.sock" },
                { "/a/b/c", "/a/b", "c" },
                { "//x", "/", "x" },
                { "/a/..b", "/a", "..b" },
        };
        static const char *const bad[] = { "/", "/a/..", "/a/.", "/a/", "a/b", "", "x" };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                char *d = NULL, *n = NULL;

                check_int(path_split(good[i].path, &d, &n), ==, 0);
                check_streq(d, good[i].dir);
                check_streq(n, good[i].name);
                free(d);
                free(n);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                /* Outputs are set only on success. */
                char *d = (char *) "untouched", *n = (char *) "untouched";

                check_int(path_split(bad[i], &d, &n), ==, -EINVAL);
                check_streq(d, "untouched");
                check_streq(n, "untouched");
        }
        check_int(path_split(NULL, NULL, NULL), ==, -EINVAL);
}

TEST(parent) {
        static const struct {
                const char *path, *parent;
        } cases[] = {
                { "/a/b", "/a" },
                { "/a", "/" },
                { "/", "/" },
                { "/a/b/c.sock", "/a/b" },
                { "a/b", "a" },
                { "a", NULL },
                { "", NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *p = path_parent(cases[i].path);

                if (cases[i].parent)
                        check_streq(p, cases[i].parent);
                else
                        check(!p);
                free(p);
        }
}

TEST(under_and_below) {
        static const struct {
                const char *dir, *path;
                bool under, below;
        } cases[] = {
                { "/", "/", true, false },
                { "/", "/x", true, true },
                { "/", "x", false, false },
                { "/tmp", "/tmp", true, false },
                { "/tmp", "/tmp/a", true, true },
                { "/tmp", "/tmp/a/b", true, true },
                { "/tmp", "/tmpx", false, false },
                { "/tmp", "/tm", false, false },
                { "/tmp", "/", false, false },
                { "/tmp", "/var/tmp", false, false },
                { "/tmp/a", "/tmp", false, false },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                if (path_is_under(cases[i].dir, cases[i].path) != cases[i].under ||
                    path_below(cases[i].dir, cases[i].path) != cases[i].below) {
                        printf("# dir %s, path %s\n", cases[i].dir, cases[i].path);
                        check(!"a wrong answer");
                }
        }
        /* path_is_under() forgives a trailing slash on DIR (and takes
         * "//" for "/"); path_below() wants both normalized. */
        check(path_is_under("/tmp/", "/tmp/a"));
        check(path_is_under("/tmp/", "/tmp"));
        check(!path_is_under("/tmp/", "/tmpx"));
        check(path_is_under("//", "/x"));
        check(!path_below("/tmp", "/tmp/"));
}

TEST(dotdot) {
        static const char *const with[] = { "..", "../a", "/a/..", "/a/../b", "/a//..//b", "a/.." };
        static const char *const without[] = { "", ".", "...", "/a/..b/c..", "/a/.../b", "/a/./b", "/..a", "b../" };

        for (size_t i = 0; i < ELEMENTSOF(with); i++)
                if (!path_has_dotdot(with[i])) {
                        printf("# %s\n", with[i]);
                        check(!"missed a \"..\"");
                }
        for (size_t i = 0; i < ELEMENTSOF(without); i++)
                if (path_has_dotdot(without[i])) {
                        printf("# %s\n", without[i]);
                        check(!"a \"..\" where there is none");
                }
}

TEST(next_name) {
        const char *p = "/a//./b/../c./";
        char name[NAME_MAX + 1], longest[NAME_MAX + 3];

        check_int(path_next_name(&p, name), ==, 1);
        check_streq(name, "a");
        check_int(path_next_name(&p, name), ==, 1);
        check_streq(name, "b");
        check_int(path_next_name(&p, name), ==, 1);
        check_streq(name, ".."); /* what ".." means is the caller's to decide */
        check_int(path_next_name(&p, name), ==, 1);
        check_streq(name, "c.");
        check_int(path_next_name(&p, name), ==, 0);
        check_int(path_next_name(&p, name), ==, 0);

        p = "";
        check_int(path_next_name(&p, name), ==, 0);
        p = "///./.";
        check_int(path_next_name(&p, name), ==, 0);
        p = "rel";
        check_int(path_next_name(&p, name), ==, 1);
        check_streq(name, "rel");

        /* NAME_MAX fits, one more does not, and is not cut short. */
        longest[0] = '/';
        memset(longest + 1, 'x', NAME_MAX);
        longest[NAME_MAX + 1] = '\0';
        p = longest;
        check_int(path_next_name(&p, name), ==, 1);
        check_int(strlen(name), ==, NAME_MAX);
        longest[NAME_MAX + 1] = 'x';
        longest[NAME_MAX + 2] = '\0';
        p = longest;
        check_int(path_next_name(&p, name), ==, -ENAMETOOLONG);
}

/* A tree with what root_lstat() must not follow (a symlink as the last
 * component) and what it must resolve inside the tree (symlinks and ".."
 * on the way, an absolute symlink, a relative one that climbs out). */
static char *fixture(void) {
        char *root = scratch_dir(), *p;

        p = scratch_path(root, "usr/lib");
        mkdir_p(p);
        p = scratch_path(root, "etc");
        mkdir_p(p);
        write_file(scratch_path(root, "etc/x"), "x\n");
        write_file(scratch_path(root, "usr/lib/sk-test-f"), "f\n");
        check(symlink("/usr/lib", scratch_path(root, "lib")) >= 0);
        check(symlink("/etc/x", scratch_path(root, "link")) >= 0);
        check(symlink("../../../../../..", scratch_path(root, "up")) >= 0);
        check(symlink("/", scratch_path(root, "top")) >= 0);
        return root;
}

static void check_same(const struct stat *got, const char *want_path, bool follow) {
        struct stat want;

        check((follow ? stat(want_path, &want) : lstat(want_path, &want)) >= 0);
        if (got->st_dev != want.st_dev || got->st_ino != want.st_ino) {
                printf("# got ino %llu, want %s (ino %llu)\n", (unsigned long long) got->st_ino, want_path,
                       (unsigned long long) want.st_ino);
                check(!"another file");
        }
        check_int(got->st_mode, ==, want.st_mode);
}

TEST(lstat_under_a_root) {
        char *root = fixture();
        struct stat st;

        check_int(root_lstat(root, "/etc/x", &st), ==, 0);
        check(S_ISREG(st.st_mode));
        check_same(&st, scratch_path(root, "etc/x"), false);
        check_int(root_lstat(root, "//etc/./x", &st), ==, 0);
        check_same(&st, scratch_path(root, "etc/x"), false);

        /* The last component is not followed; those before it are, inside
         * the tree, an absolute link from the tree's root. */
        check_int(root_lstat(root, "/link", &st), ==, 0);
        check(S_ISLNK(st.st_mode));
        check_same(&st, scratch_path(root, "link"), false);
        check_int(root_lstat(root, "/lib/sk-test-f", &st), ==, 0);
        check_same(&st, scratch_path(root, "usr/lib/sk-test-f"), false);
        check_int(root_lstat(root, "/up/etc/x", &st), ==, 0);
        check_same(&st, scratch_path(root, "etc/x"), false);
        check_int(root_lstat(root, "/top/etc/../usr/lib/sk-test-f", &st), ==, 0);
        check_same(&st, scratch_path(root, "usr/lib/sk-test-f"), false);

        /* The tree's root, however it is named. */
        check_int(root_lstat(root, "/", &st), ==, 0);
        check_same(&st, root, false);
        check_int(root_lstat(root, "/.", &st), ==, 0);
        check_same(&st, root, false);
        check_int(root_lstat(root, "/etc/..", &st), ==, 0);
        check_same(&st, root, false);

        check_int(root_lstat(root, "/missing", &st), ==, -ENOENT);
        check_int(root_lstat(root, "/missing/x", &st), ==, -ENOENT);
        check_int(root_lstat(root, "/etc/x/y", &st), ==, -ENOTDIR);
        rm_rf(root);
}

/* ".." as the last component names a directory of the tree too: at the
 * tree's root it stays there, as root_open() does, rather than stat()ing
 * the directory that holds the tree. */
static void check_dotdot_stays_in_the_root(void) {
        char *root = fixture();
        struct stat st;

        check_int(root_lstat(root, "/..", &st), ==, 0);
        check_same(&st, root, false);
        check_int(root_lstat(root, "/../..", &st), ==, 0);
        check_same(&st, root, false);
        check_int(root_lstat(root, "/up/..", &st), ==, 0);
        check_same(&st, root, false);
        check_int(root_lstat(root, "/top/..", &st), ==, 0);
        check_same(&st, root, false);
        check_int(root_lstat(root, "/usr/lib/..", &st), ==, 0);
        check_same(&st, scratch_path(root, "usr"), false);
        rm_rf(root);
}

TEST(lstat_dotdot_stays_in_the_root) {
        check_dotdot_stays_in_the_root();
}

/* The same through root_open()'s own walk, where openat2() is refused. */
TEST(lstat_dotdot_stays_in_the_root_without_openat2) {
        int r = block_openat2(EPERM);

        if (r == -EOPNOTSUPP)
                skip("no seccomp filter for this architecture here");
        check_int(r, ==, 0);
        check_dotdot_stays_in_the_root();
}

TEST(lstat_and_open_on_the_live_system) {
        char *root = fixture();
        const char *lives[] = { NULL, "", "/" };
        struct stat st;

        for (size_t i = 0; i < ELEMENTSOF(lives); i++) {
                int fd;

                /* The path as it is, symlinks followed as the kernel does. */
                check_int(root_lstat(lives[i], scratch_path(root, "link"), &st), ==, 0);
                check(S_ISLNK(st.st_mode));
                check_int(root_lstat(lives[i], scratch_path(root, "lib/sk-test-f"), &st), ==, -ENOENT); /* the host's /usr/lib */
                fd = root_open(lives[i], scratch_path(root, "etc/x"), O_RDONLY);
                check_int(fd, >=, 0);
                check(fstat(fd, &st) >= 0);
                check_same(&st, scratch_path(root, "etc/x"), false);
                close(fd);
        }
        rm_rf(root);
}

TEST(opendir_under_a_root) {
        char *root = fixture();
        struct dirent *de;
        unsigned seen = 0;
        DIR *d = NULL;

        /* Through the absolute symlink, inside the tree. */
        check_int(root_opendir(root, "/lib", &d), ==, 0);
        while ((de = readdir(d)))
                if (streq(de->d_name, "sk-test-f"))
                        seen++;
        closedir(d);
        check_int(seen, ==, 1);
        d = NULL;
        check_int(root_opendir(root, "/etc/x", &d), ==, -ENOTDIR);
        check_int(root_opendir(root, "/missing", &d), ==, -ENOENT);
        check(!d);
        rm_rf(root);
}

/* A pipe with LEN bytes of 'x' in it, and its write end closed. */
static int pipe_with(size_t len) {
        int p[2];
        char buf[1024];

        check(pipe2(p, O_CLOEXEC) >= 0);
        memset(buf, 'x', sizeof(buf));
        for (size_t done = 0; done < len;) {
                size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);

                check(write(p[1], buf, n) == (ssize_t) n);
                done += n;
        }
        close(p[1]);
        return p[0];
}

TEST(read_full_fd) {
        char *text = NULL;
        size_t len = 1;
        int fd;

        /* Empty, exactly MAX (from a small and from no hint), one more. */
        fd = pipe_with(0);
        check_int(read_full_fd(fd, 10, 0, &text, &len), ==, 0);
        check_streq(text, "");
        check_int(len, ==, 0);
        free(text);
        close(fd);
        fd = pipe_with(10000);
        check_int(read_full_fd(fd, 10000, 1, &text, &len), ==, 0);
        check_int(len, ==, 10000);
        check_int(strlen(text), ==, 10000);
        free(text);
        close(fd);
        fd = pipe_with(10000);
        check_int(read_full_fd(fd, 10000, 0, &text, NULL), ==, 0);
        free(text);
        close(fd);
        fd = pipe_with(10001);
        text = NULL;
        check_int(read_full_fd(fd, 10000, 100, &text, &len), ==, -EFBIG);
        check(!text);
        close(fd);
        check_int(read_full_fd(-EBADF, 10, 0, &text, &len), ==, -EBADF);
        check(!text);
}

TEST(stat_from_statx) {
        char *root = fixture();
        struct statx stx;
        struct stat st, want;
        const char *p = scratch_path(root, "etc/x");

        check(statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) >= 0);
        stat_from_statx(&stx, &st);
        check(lstat(p, &want) >= 0);
        check(st.st_dev == want.st_dev && st.st_ino == want.st_ino);
        check_int(st.st_mode, ==, want.st_mode);
        check_int(st.st_nlink, ==, want.st_nlink);
        check_int(st.st_uid, ==, want.st_uid);
        check_int(st.st_gid, ==, want.st_gid);
        check_int(st.st_size, ==, want.st_size);
        check_int(st.st_mtim.tv_sec, ==, want.st_mtim.tv_sec);
        check_int(st.st_mtim.tv_nsec, ==, want.st_mtim.tv_nsec);
        check_int(st.st_ctim.tv_nsec, ==, want.st_ctim.tv_nsec);
        rm_rf(root);
}

TAP_MAIN(T(normalize), T(join), T(join_root), T(split), T(parent), T(under_and_below), T(dotdot), T(next_name),
         T(lstat_under_a_root), T(lstat_dotdot_stays_in_the_root),
         T(lstat_dotdot_stays_in_the_root_without_openat2), T(lstat_and_open_on_the_live_system),
         T(opendir_under_a_root), T(read_full_fd), T(stat_from_statx))
