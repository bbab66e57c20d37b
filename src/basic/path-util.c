/* SPDX-License-Identifier: MIT */
/* Paths, and files of a tree under a root directory ("/" or --root), for
 * every reader of the machine's configuration. libc only: the library is
 * built with it too. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "path-util.h"

bool root_is_live(const char *root) {
        return !root || root[0] == '\0' || streq(root, "/");
}

char *path_join_root(const char *root, const char *path) {
        char *s;

        if (root_is_live(root))
                return strdup(path);
        return asprintf(&s, "%s%s", root, path) >= 0 ? s : NULL;
}

char *path_parent(const char *path) {
        const char *slash = strrchr(path, '/');

        if (!slash)
                return NULL;
        return slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
}

char *path_join(const char *dir, const char *name) {
        char *p;

        return asprintf(&p, "%s%s%s", dir, streq(dir, "/") ? "" : "/", name) < 0 ? NULL : p;
}

int path_split(const char *path, char **ret_dir, char **ret_name) {
        _cleanup_free_ char *dir = NULL, *name = NULL;
        const char *base;

        if (!path || path[0] != '/')
                return -EINVAL;
        base = strrchr(path, '/') + 1;
        if (!*base || streq(base, ".") || streq(base, ".."))
                return -EINVAL;

        dir = path_parent(path);
        name = strdup(base);
        if (!dir || !name)
                return -ENOMEM;
        *ret_dir = TAKE_PTR(dir);
        *ret_name = TAKE_PTR(name);
        return 0;
}

bool path_is_under(const char *dir, const char *path) {
        size_t n = strlen(dir);

        while (n > 0 && dir[n - 1] == '/')
                n--;
        if (n == 0)
                return path[0] == '/'; /* "/" */
        return strncmp(dir, path, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* ---- paths ---- */

char *path_normalize(const char *path) {
        size_t n = strlen(path);
        char *out = malloc(n + 2), *o = out;
        const char *p = path;

        if (!out)
                return NULL;
        if (*p == '/')
                *o++ = '/';
        while (*p) {
                const char *start, *end;

                while (*p == '/')
                        p++;
                start = p;
                while (*p && *p != '/')
                        p++;
                end = p;
                if (end == start || (end - start == 1 && *start == '.'))
                        continue;
                if (o > out && o[-1] != '/')
                        *o++ = '/';
                memcpy(o, start, (size_t) (end - start));
                o += end - start;
        }
        if (o == out)
                *o++ = '.';
        *o = '\0';
        return out;
}

bool path_has_dotdot(const char *path) {
        for (const char *p = path; (p = strstr(p, "..")); p += 2)
                if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
                        return true;
        return false;
}

bool path_below(const char *dir, const char *path) {
        size_t n = strlen(dir);

        if (streq(dir, "/"))
                return path[0] == '/' && path[1] != '\0';
        return strncmp(dir, path, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

/* ---- files under a root ---- */

#define ROOT_SYMLINKS_MAX 40 /* the kernel's MAXSYMLINKS, which openat2() applies too */

/* The next component of *P, skipping slashes and "."; *P moves past it.
 * Returns its length, 0 at the end. */
static size_t next_component(const char **p, const char **ret) {
        for (;;) {
                const char *s = *p + strspn(*p, "/");
                size_t n = strcspn(s, "/");

                *p = s + n;
                if (n == 1 && s[0] == '.')
                        continue;
                *ret = s;
                return n;
        }
}

int path_next_name(const char **p, char name[static NAME_MAX + 1]) {
        const char *s;
        size_t n = next_component(p, &s);

        if (n == 0)
                return 0;
        if (n > NAME_MAX)
                return -ENAMETOOLONG;
        memcpy(name, s, n);
        name[n] = '\0';
        return 1;
}

static int openat_errno(int dfd, const char *name, int flags) {
        int fd = openat(dfd, name, flags | O_CLOEXEC);

        return fd < 0 ? negative_errno() : fd;
}

/* Moves a walk to FD, closing where it was; a negative FD is passed on. */
static int walk_to(int *cur, int fd) {
        if (fd < 0)
                return fd;
        safe_close(*cur);
        *cur = fd;
        return 0;
}

/* An O_PATH fd of the directory PATH below ROOT_FD, walked down by name
 * without following anything: the way back up after "..". */
static int reopen_below(int root_fd, const char *path) {
        _cleanup_close_ int fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        const char *name;
        size_t n;

        if (fd < 0)
                return negative_errno();
        while ((n = next_component(&path, &name)) > 0) {
                _cleanup_free_ char *comp = strndup(name, n);
                int r;

                if (!comp)
                        return -ENOMEM;
                r = walk_to(&fd, openat_errno(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW));
                if (r < 0)
                        return r;
        }
        return TAKE_FD(fd);
}

static int path_append(char **path, const char *comp) {
        char *p;

        if (asprintf(&p, "%s/%s", *path, comp) < 0)
                return -ENOMEM;
        free(*path);
        *path = p;
        return 0;
}

int root_chase(int root_fd, const char *path, int flags, char **ret_path) {
        _cleanup_free_ char *todo = strdup(path), *done = strdup("");
        _cleanup_close_ int cur = -EBADF;
        unsigned links = 0;
        int r;

        if (!todo || !done)
                return -ENOMEM;
        if (flags & O_CREAT)
                return -EINVAL; /* the readers only look */
        r = walk_to(&cur, reopen_below(root_fd, ""));
        if (r < 0)
                return r;

        for (;;) {
                _cleanup_free_ char *comp = NULL, *next = NULL;
                _cleanup_close_ int child = -EBADF;
                const char *rest = todo, *name, *after;
                char target[PATH_MAX];
                struct stat st;
                size_t n = next_component(&rest, &name);
                ssize_t k;
                bool last;

                if (n == 0) {
                        /* Ended on a directory: the root, "..", or a trailing slash. */
                        r = walk_to(&cur, openat_errno(cur, ".", flags));
                        break;
                }
                comp = strndup(name, n);
                if (!comp)
                        return -ENOMEM;
                /* Last only without a trailing slash, which asks for a
                 * directory and follows a symlink as the kernel does. */
                after = rest;
                last = next_component(&after, &name) == 0 && !strchr(rest, '/');

                if (streq(comp, "..")) {
                        /* Up by the names that led here, never by the
                         * kernel's "..": at the root it stays there. */
                        char *slash = strrchr(done, '/');

                        if (slash)
                                *slash = '\0';
                        r = walk_to(&cur, reopen_below(root_fd, done));
                        if (r < 0)
                                return r;
                        memmove(todo, rest, strlen(rest) + 1);
                        continue;
                }

                if (last && (flags & O_NOFOLLOW)) {
                        /* The name itself, whatever it is, as openat() would. */
                        r = walk_to(&cur, openat_errno(cur, comp, flags));
                        if (r >= 0)
                                r = path_append(&done, comp);
                        break;
                }

                child = openat_errno(cur, comp, O_PATH | O_NOFOLLOW);
                if (child < 0)
                        return child;
                if (fstat(child, &st) < 0)
                        return negative_errno();

                if (S_ISLNK(st.st_mode)) {
                        if (++links > ROOT_SYMLINKS_MAX)
                                return -ELOOP;
                        k = readlinkat(child, "", target, sizeof(target));
                        if (k < 0)
                                return negative_errno();
                        if ((size_t) k >= sizeof(target))
                                return -ENAMETOOLONG;
                        target[k] = '\0';
                        if (target[0] == '/') {
                                /* Absolute: from the root again, not from "/". */
                                r = walk_to(&cur, reopen_below(root_fd, ""));
                                if (r < 0)
                                        return r;
                                done[0] = '\0';
                        }
                        if (asprintf(&next, "%s%s", target, rest) < 0)
                                return -ENOMEM;
                        free(todo);
                        todo = TAKE_PTR(next);
                        continue;
                }

                r = path_append(&done, comp);
                if (r < 0)
                        return r;
                if (last) {
                        /* Opened by the name just looked at: should a
                         * symlink have taken its place since, O_NOFOLLOW
                         * refuses it (or O_PATH returns it, refused here). */
                        r = walk_to(&cur, openat_errno(cur, comp, flags | O_NOFOLLOW));
                        if (r >= 0 && fstat(cur, &st) < 0)
                                r = negative_errno();
                        if (r >= 0 && S_ISLNK(st.st_mode))
                                r = -ELOOP;
                        break;
                }
                if (!S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                (void) walk_to(&cur, TAKE_FD(child));
                memmove(todo, rest, strlen(rest) + 1);
        }
        if (r < 0)
                return r;

        if (ret_path) {
                if (done[0] == '\0') {
                        free(done);
                        done = strdup("/");
                        if (!done)
                                return -ENOMEM;
                }
                *ret_path = TAKE_PTR(done);
        }
        return TAKE_FD(cur);
}

int root_resolve(const char *root, const char *path, char **ret) {
        _cleanup_close_ int dfd = -EBADF, fd = -EBADF;

        dfd = open(root_is_live(root) ? "/" : root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        fd = root_chase(dfd, path, O_PATH, ret);
        return fd < 0 ? fd : 0;
}

int root_open(const char *root, const char *path, int flags) {
        _cleanup_close_ int dfd = -EBADF;
        struct open_how how = {
                .flags = (uint64_t) flags | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        const char *rel = path + strspn(path, "/");
        int fd;

        if (root_is_live(root)) {
                fd = open(path, flags | O_CLOEXEC);
                return fd < 0 ? negative_errno() : fd;
        }

        dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        /* A relative path under the root fd ("." for the root itself):
         * with RESOLVE_IN_ROOT an absolute symlink such as /lib -> /usr/lib
         * stays inside. */
        fd = (int) syscall(SYS_openat2, dfd, *rel ? rel : ".", &how, sizeof(how));
        if (fd >= 0)
                return fd;
        /* ENOSYS: a kernel before 5.6; EPERM: a seccomp filter that
         * predates openat2 (container runtimes, valgrind). The same walk,
         * done here. */
        if (errno != ENOSYS && errno != EPERM)
                return negative_errno();
        return root_chase(dfd, path, flags, NULL);
}

int root_opendir(const char *root, const char *path, DIR **ret) {
        _cleanup_close_ int fd = root_open(root, path, O_RDONLY | O_DIRECTORY);
        DIR *d;

        if (fd < 0)
                return fd;
        d = fdopendir(fd);
        if (!d)
                return negative_errno();
        TAKE_FD(fd);
        *ret = d;
        return 0;
}

int read_full_fd(int fd, size_t max, size_t hint, char **ret, size_t *ret_len) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, allocated = 0;

        /* Read to the end rather than to a size: files in /proc say 0. */
        for (;;) {
                ssize_t n;

                if (len == allocated) {
                        size_t more = allocated ? allocated * 2 : (hint ?: 4096);
                        char *p;

                        if (more > max + 1)
                                more = max + 1; /* one byte more tells that it is too big */
                        p = realloc(buf, more + 1);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        allocated = more;
                }
                n = read(fd, buf + len, allocated - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len > max)
                        return -EFBIG;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int root_read_file(const char *root, const char *path, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        /* O_NONBLOCK: a FIFO opens at once, to be refused below, rather
         * than waiting for a writer. */
        fd = root_open(root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
        if (fd == -ENXIO)
                return -EBADFD; /* a socket */
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode) && !(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)))
                return -EBADFD; /* /dev/null reads as empty, which masks */
        if ((uint64_t) st.st_size > ROOT_FILE_MAX)
                return -EFBIG;
        return read_full_fd(fd, ROOT_FILE_MAX, (size_t) st.st_size + 4096, ret, ret_len);
}

_Static_assert(ROOT_FILE_MAX == 16U * 1024U * 1024U, "root_read_strerror() says 16 MiB");

const char *root_read_strerror(int r) {
        switch (r) {
        case -EBADFD:
                return "not a regular file";
        case -EFBIG:
                return "larger than 16 MiB";
        default:
                return strerror(r < 0 ? -r : r);
        }
}

int root_lstat(const char *root, const char *path, struct stat *ret) {
        _cleanup_free_ char *norm = path_normalize(path), *parent = NULL;
        _cleanup_close_ int dfd = -EBADF;
        const char *slash, *base;

        if (!norm)
                return -ENOMEM;
        /* The live system has no root to stay inside: one syscall rather
         * than three, for callers that look at thousands of paths (scan). */
        if (root_is_live(root))
                return lstat(norm, ret) < 0 ? negative_errno() : 0;
        slash = strrchr(norm, '/');
        if (!slash || streq(norm, "/") || streq(slash + 1, "..")) {
                /* A directory, which is no symlink to stay off: opened as
                 * root_open() resolves it, so that ".." at the tree's root
                 * stays there rather than naming what holds the tree. */
                dfd = root_open(root, slash ? norm : "/", O_PATH | O_DIRECTORY);
                if (dfd < 0)
                        return dfd;
                return fstat(dfd, ret) < 0 ? negative_errno() : 0;
        }
        parent = slash == norm ? strdup("/") : strndup(norm, (size_t) (slash - norm));
        if (!parent)
                return -ENOMEM;
        base = slash + 1;
        dfd = root_open(root, parent, O_PATH | O_DIRECTORY);
        if (dfd < 0)
                return dfd;
        return fstatat(dfd, base, ret, AT_SYMLINK_NOFOLLOW) < 0 ? negative_errno() : 0;
}

void stat_from_statx(const struct statx *stx, struct stat *ret) {
        *ret = (struct stat) {
                .st_dev = makedev(stx->stx_dev_major, stx->stx_dev_minor),
                .st_ino = stx->stx_ino,
                .st_mode = stx->stx_mode,
                .st_nlink = stx->stx_nlink,
                .st_uid = stx->stx_uid,
                .st_gid = stx->stx_gid,
                .st_rdev = makedev(stx->stx_rdev_major, stx->stx_rdev_minor),
                .st_size = (off_t) stx->stx_size,
                .st_blksize = (blksize_t) stx->stx_blksize,
                .st_blocks = (blkcnt_t) stx->stx_blocks,
                .st_atim = { (time_t) stx->stx_atime.tv_sec, stx->stx_atime.tv_nsec },
                .st_mtim = { (time_t) stx->stx_mtime.tv_sec, stx->stx_mtime.tv_nsec },
                .st_ctim = { (time_t) stx->stx_ctime.tv_sec, stx->stx_ctime.tv_nsec },
        };
}
