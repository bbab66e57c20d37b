/* SPDX-License-Identifier: MIT */
/* Paths, and files of a tree under a root directory ("/" or --root), for
 * every reader of the machine's configuration. libc only: the library is
 * built with it too. */

#include <errno.h>
#include <fcntl.h>
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


int root_open(const char *root, const char *path, int flags) {
        _cleanup_close_ int dfd = -EBADF;
        _cleanup_free_ char *joined = NULL;
        struct open_how how = {
                .flags = (uint64_t) flags | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        if (root_is_live(root)) {
                fd = open(path, flags | O_CLOEXEC);
                return fd < 0 ? negative_errno() : fd;
        }

        dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        /* A relative path under the root fd: with RESOLVE_IN_ROOT an
         * absolute symlink such as /lib -> /usr/lib stays inside. */
        fd = (int) syscall(SYS_openat2, dfd, path[0] == '/' ? path + 1 : path, &how, sizeof(how));
        if (fd >= 0)
                return fd;
        if (errno != ENOSYS && errno != EPERM) /* EPERM: a seccomp filter that predates openat2 */
                return negative_errno();

        if (asprintf(&joined, "%s%s", root, path) < 0)
                return -ENOMEM;
        fd = open(joined, flags | O_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}

int root_read_file(const char *root, const char *path, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, allocated = 0;

        fd = root_open(root, path, O_RDONLY | O_NOCTTY);
        if (fd < 0)
                return fd;
        for (;;) {
                ssize_t n;

                if (allocated - len < 4096) {
                        size_t more = allocated ? allocated * 2 : 8192;
                        char *p;

                        if (more > 16 * 1024 * 1024)
                                return -EFBIG; /* no configuration file is that big */
                        p = realloc(buf, more);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        allocated = more;
                }
                n = read(fd, buf + len, allocated - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
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
        if (!slash || streq(norm, "/")) {
                dfd = root_open(root, "/", O_PATH | O_DIRECTORY);
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

/* readlink() of PATH's last component under ROOT. */

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
