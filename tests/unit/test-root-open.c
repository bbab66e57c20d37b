/* SPDX-License-Identifier: MIT */
/* Files under a root: root_open() with openat2() and with its own walk
 * (openat2() made to fail by a seccomp filter, as old container runtimes
 * and valgrind do), which must give the same answers and never leave the
 * root; root_chase()'s resolved paths; what root_read_file() reads. */

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "block-openat2.h"
#include "macro.h"
#include "path-util.h"
#include "tap.h"
#include "test-util.h"

#define CHAIN 41 /* c0 -> c1 -> ... -> c40 -> etc/x: one link more than allowed from c0 */

static void mkdirs(const char *root, const char *rel) {
        char *p;

        check(asprintf(&p, "%s%s", root, rel) >= 0);
        mkdir_p(p);
        free(p);
}

static void link_at(const char *root, const char *rel, const char *target) {
        char *p;

        check(asprintf(&p, "%s%s", root, rel) >= 0);
        check(symlink(target, p) >= 0);
        free(p);
}

static void file_at(const char *root, const char *rel) {
        char *p;

        check(asprintf(&p, "%s%s", root, rel) >= 0);
        write_file(p, "inside\n");
        free(p);
}

/* A tree whose symlinks lead out of it when resolved against "/", and
 * where the host has what the tree lacks (/etc/passwd). */
static char *fixture(void) {
        char *root = scratch_dir();

        mkdirs(root, "/etc");
        mkdirs(root, "/usr/lib/systemd/system");
        mkdirs(root, "/a/b");
        mkdirs(root, "/rel/deeper");
        file_at(root, "/etc/x");
        file_at(root, "/usr/lib/systemd/system/u.service");
        link_at(root, "/lib", "/usr/lib");
        link_at(root, "/abs", "/etc/x");
        link_at(root, "/rel/deeper/up", "../../../../../etc/x");
        link_at(root, "/linkdir", "a/b");
        link_at(root, "/loop1", "/loop2");
        link_at(root, "/loop2", "loop1");
        link_at(root, "/dangling", "/etc/passwd");
        link_at(root, "/escape", "../../../../../../../../etc/passwd");
        for (int i = 0; i < CHAIN; i++) {
                char name[32], target[32];

                snprintf(name, sizeof(name), "/c%d", i);
                if (i + 1 < CHAIN)
                        snprintf(target, sizeof(target), "c%d", i + 1);
                else
                        snprintf(target, sizeof(target), "/etc/x");
                link_at(root, name, target);
        }
        return root;
}

typedef struct answer {
        int error; /* negative errno, or 0 */
        dev_t dev;
        ino_t ino;
} answer;

typedef struct probe {
        const char *path;
        int flags;
        const char *expect;     /* root-relative, or NULL for an error */
        bool expect_link;       /* EXPECT is the symlink itself */
        int expect_error;
} probe;

static const probe probes[] = {
        { "/etc/x", O_RDONLY, "/etc/x" },
        { "/", O_PATH | O_DIRECTORY, "/" },
        { "/abs", O_RDONLY, "/etc/x" },                          /* absolute link: from the root */
        { "/lib/systemd/system/u.service", O_RDONLY, "/usr/lib/systemd/system/u.service" },
        { "/rel/deeper/up", O_RDONLY, "/etc/x" },                /* "../" beyond the root stays there */
        { "/../../../etc/x", O_RDONLY, "/etc/x" },
        { "/a/b/../../../../etc/x", O_RDONLY, "/etc/x" },
        { "/linkdir/..", O_PATH | O_DIRECTORY, "/a" },           /* ".." of where the link led */
        { "/linkdir/./", O_RDONLY | O_DIRECTORY, "/a/b" },
        { "/c1", O_RDONLY, "/etc/x" },                           /* 40 links: allowed */
        { "/abs", O_PATH | O_NOFOLLOW, "/abs", .expect_link = true },
        { "/loop1", O_RDONLY, NULL, .expect_error = -ELOOP },
        { "/c0", O_RDONLY, NULL, .expect_error = -ELOOP },       /* 41 links */
        { "/abs", O_RDONLY | O_NOFOLLOW, NULL, .expect_error = -ELOOP },
        { "/dangling", O_RDONLY, NULL, .expect_error = -ENOENT }, /* not the host's /etc/passwd */
        { "/escape", O_RDONLY, NULL, .expect_error = -ENOENT },
        { "/etc/x/y", O_RDONLY, NULL, .expect_error = -ENOTDIR },
        { "/etc/x/", O_RDONLY, NULL, .expect_error = -ENOTDIR },
        { "/etc/x", O_RDONLY | O_DIRECTORY, NULL, .expect_error = -ENOTDIR },
        { "/missing/x", O_RDONLY, NULL, .expect_error = -ENOENT },
};

static answer answer_of_fd(int fd) {
        struct stat st;

        if (fd < 0)
                return (answer) { .error = fd };
        check(fstat(fd, &st) >= 0);
        close(fd);
        return (answer) { .dev = st.st_dev, .ino = st.st_ino };
}

static answer expected(const char *root, const probe *p) {
        struct stat st;
        char *full;

        if (!p->expect)
                return (answer) { .error = p->expect_error };
        check(asprintf(&full, "%s%s", root, p->expect) >= 0);
        check((p->expect_link ? lstat(full, &st) : stat(full, &st)) >= 0);
        free(full);
        return (answer) { .dev = st.st_dev, .ino = st.st_ino };
}

static void check_answer(const probe *p, answer got, answer want, const char *how) {
        if (got.error != want.error || got.dev != want.dev || got.ino != want.ino) {
                printf("# %s %s (flags 0%o): got %s (ino %llu), want %s (ino %llu)\n", how, p->path, p->flags,
                       got.error ? strerror(-got.error) : "a file", (unsigned long long) got.ino,
                       want.error ? strerror(-want.error) : "a file", (unsigned long long) want.ino);
                check(!"a wrong answer");
        }
}

/* Every probe through root_open() and straight through root_chase(). */
static void check_probes(const char *root) {
        int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

        check(rfd >= 0);
        for (size_t i = 0; i < ELEMENTSOF(probes); i++) {
                answer want = expected(root, &probes[i]);

                check_answer(&probes[i], answer_of_fd(root_open(root, probes[i].path, probes[i].flags)), want,
                             "root_open");
                check_answer(&probes[i], answer_of_fd(root_chase(rfd, probes[i].path, probes[i].flags, NULL)),
                             want, "root_chase");
        }
        close(rfd);
}

static bool openat2_works(void) {
        struct open_how how = { .flags = O_PATH, .resolve = RESOLVE_IN_ROOT };
        int fd = (int) syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

        if (fd < 0)
                return false;
        close(fd);
        return true;
}

TEST(answers_with_openat2) {
        char *root = fixture();

        if (!openat2_works())
                skip("this kernel has no openat2(); the other tests cover the walk");
        check_probes(root);
        rm_rf(root);
}

static void without_openat2(int error) {
        char *root = fixture();
        struct open_how how = { .flags = O_PATH, .resolve = RESOLVE_IN_ROOT };
        int r = block_openat2(error);

        if (r == -EOPNOTSUPP)
                skip("no seccomp filter for this architecture here");
        check_int(r, ==, 0);
        errno = 0;
        check_int(syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how)), ==, -1);
        check_int(errno, ==, error);
        check_probes(root);
        rm_rf(root);
}

TEST(answers_without_openat2_enosys) {
        without_openat2(ENOSYS);
}

TEST(answers_without_openat2_eperm) {
        without_openat2(EPERM);
}

TEST(resolved_paths) {
        char *root = fixture(), *p = NULL;
        int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;
        static const struct {
                const char *path, *resolved;
        } cases[] = {
                { "/lib/systemd/system/u.service", "/usr/lib/systemd/system/u.service" },
                { "/rel/deeper/up", "/etc/x" },
                { "/linkdir/..", "/a" },
                { "/linkdir", "/a/b" },
                { "/..", "/" },
                { "", "/" },
                { "etc//./x", "/etc/x" },
                { "/abs", "/etc/x" },
        };

        check(rfd >= 0);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                fd = root_chase(rfd, cases[i].path, O_PATH, &p);
                check_int(fd, >=, 0);
                close(fd);
                check_streq(p, cases[i].resolved);
                free(p);
                check_int(root_resolve(root, cases[i].path, &p), ==, 0);
                check_streq(p, cases[i].resolved);
                free(p);
        }
        p = NULL;
        check_int(root_resolve(root, "/dangling", &p), ==, -ENOENT);
        check_int(root_resolve(root, "/loop2", &p), ==, -ELOOP);
        check(!p);
        check_int(root_chase(rfd, "/etc/x", O_RDONLY | O_CREAT, NULL), ==, -EINVAL);
        close(rfd);
        rm_rf(root);
}

/* The fds of the walk are all closed, whatever the answer. */
TEST(no_fd_left_behind) {
        char *root = fixture();
        int before;
        int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

        check(rfd >= 0);
        before = count_open_fds();
        for (size_t i = 0; i < ELEMENTSOF(probes); i++) {
                int fd = root_chase(rfd, probes[i].path, probes[i].flags, NULL);

                if (fd >= 0)
                        close(fd);
        }
        check_int(count_open_fds(), ==, before);
        close(rfd);
        rm_rf(root);
}

static void sized_file(const char *root, const char *rel, off_t size) {
        char *p;

        check(asprintf(&p, "%s%s", root, rel) >= 0);
        sparse_file(p, size);
        free(p);
}

/* Only regular files (and /dev/null) are read, up to ROOT_FILE_MAX, and
 * nothing waits on a FIFO. */
TEST(read_file_kinds_and_sizes) {
        char *root = fixture(), *text = NULL, *p;
        size_t len = 0;
        int fd;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        check_int(root_read_file(root, "/abs", &text, &len), ==, 0);
        check_streq(text, "inside\n");
        check_int(len, ==, 7);
        free(text);
        /* /proc says size 0 and still has something to read. */
        check_int(root_read_file(NULL, "/proc/self/mountinfo", &text, &len), ==, 0);
        check(len > 0 && strlen(text) == len);
        free(text);
        check_int(root_read_file(NULL, "/dev/null", &text, &len), ==, 0);
        check_int(len, ==, 0);
        check_streq(text, "");
        free(text);

        sized_file(root, "/etc/max", ROOT_FILE_MAX);
        check_int(root_read_file(root, "/etc/max", &text, &len), ==, 0);
        check_int(len, ==, ROOT_FILE_MAX);
        free(text);
        sized_file(root, "/etc/over", ROOT_FILE_MAX + 1);
        text = NULL;
        check_int(root_read_file(root, "/etc/over", &text, NULL), ==, -EFBIG);
        check(!text);
        check_int(root_read_file(NULL, "/dev/zero", &text, NULL), ==, -EBADFD);

        check(asprintf(&p, "%s/etc/fifo", root) >= 0);
        check(mkfifo(p, 0644) >= 0);
        free(p);
        alarm(20); /* waiting for a writer fails here */
        check_int(root_read_file(root, "/etc/fifo", &text, NULL), ==, -EBADFD);
        alarm(0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/etc/sock", root);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        check(fd >= 0);
        check(bind(fd, (struct sockaddr *) &sa, sizeof(sa)) >= 0);
        check_int(root_read_file(root, "/etc/sock", &text, NULL), ==, -EBADFD);
        close(fd);
        check_int(root_read_file(root, "/etc", &text, NULL), ==, -EISDIR);
        check_int(root_read_file(root, "/dangling", &text, NULL), ==, -ENOENT);

        check_streq(root_read_strerror(-EBADFD), "not a regular file");
        check_streq(root_read_strerror(-EFBIG), "larger than 16 MiB");
        check_streq(root_read_strerror(-ENOENT), strerror(ENOENT));
        rm_rf(root);
}

TAP_MAIN(T(answers_with_openat2), T(answers_without_openat2_enosys), T(answers_without_openat2_eperm),
         T(resolved_paths), T(no_fd_left_behind), T(read_file_kinds_and_sizes))
