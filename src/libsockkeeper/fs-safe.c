/* SPDX-License-Identifier: MIT */
/* Filesystem operations on paths that other users (or cleaners) may change
 * under us. Each mutation first pins the inode with O_PATH|O_NOFOLLOW,
 * verifies it is the one we bound, and then acts on that fd through
 * /proc/self/fd, so a symlink swapped in at the name is never followed. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-safe.h"
#include "macro.h"
#include "path-util.h"

#define PROC_FD_PATH_MAX (sizeof("/proc/self/fd/") + 3 * sizeof(int))

static void proc_fd_path(int fd, char buf[static PROC_FD_PATH_MAX]) {
        snprintf(buf, PROC_FD_PATH_MAX, "/proc/self/fd/%i", fd);
}

int fs_open_ours(int dir_fd, const char *name, inode_id id) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISLNK(st.st_mode))
                return -ELOOP;
        if (!S_ISSOCK(st.st_mode) || !inode_id_eq(inode_id_of(&st), id))
                return -ESTALE;

        return TAKE_FD(fd);
}

/* Pins our inode and names it by its /proc/self/fd link, which leads to
 * exactly that inode whatever happens to NAME meanwhile. */
static int pin_ours(int dir_fd, const char *name, inode_id id, char p[static PROC_FD_PATH_MAX]) {
        int fd = fs_open_ours(dir_fd, name, id);

        if (fd >= 0)
                proc_fd_path(fd, p);
        return fd;
}

int fs_chmod_ours(int dir_fd, const char *name, inode_id id, mode_t mode) {
        char p[PROC_FD_PATH_MAX];
        _cleanup_close_ int fd = pin_ours(dir_fd, name, id, p);

        if (fd < 0)
                return fd;
        return chmod(p, mode) < 0 ? negative_errno() : 0;
}

int fs_update_mode_ours(int dir_fd, const char *name, inode_id id, mode_t set, mode_t clear, mode_t *ret_mode) {
        char p[PROC_FD_PATH_MAX];
        _cleanup_close_ int fd = pin_ours(dir_fd, name, id, p);
        struct stat st;
        mode_t mode;

        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        mode = ((st.st_mode & 07777) | set) & ~clear;
        if (ret_mode)
                *ret_mode = mode;
        if (mode == (st.st_mode & 07777))
                return 0;
        return chmod(p, mode) < 0 ? negative_errno() : 1;
}

int fs_touch_ours(int dir_fd, const char *name, inode_id id) {
        char p[PROC_FD_PATH_MAX];
        _cleanup_close_ int fd = pin_ours(dir_fd, name, id, p);

        if (fd < 0)
                return fd;
        return utimensat(AT_FDCWD, p, NULL, 0) < 0 ? negative_errno() : 0;
}

int fs_unlink_ours(int dir_fd, const char *name, inode_id id) {
        struct stat st;

        /* The window between this check and unlinkat() is the one every
         * unlinker has; it is narrow and needs write access to the
         * directory, which the attacker then already has. */
        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (!S_ISSOCK(st.st_mode) || !inode_id_eq(inode_id_of(&st), id))
                return -ESTALE;
        if (unlinkat(dir_fd, name, 0) < 0)
                return negative_errno();
        return 0;
}

int fs_mkdir_exact(int parent_fd, const char *name, mode_t mode, uid_t uid, gid_t gid, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        /* Create it private first, then open it without following links
         * and set owner and mode on the fd, so it is never briefly open
         * wider than MODE. */
        if (mkdirat(parent_fd, name, 0700) < 0)
                return negative_errno();

        fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (st.st_uid != geteuid())
                return -EPERM;

        if ((st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid) < 0)
                return negative_errno();
        if (fchmod(fd, mode & 07777) < 0)
                return negative_errno();

        *ret_fd = TAKE_FD(fd);
        return 0;
}

int fs_open_private_dir(int parent_fd, const char *name, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (mkdirat(parent_fd, name, 0700) < 0 && errno != EEXIST)
                return negative_errno();

        fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOTDIR ? -ELOOP : negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (st.st_uid != geteuid() || (st.st_mode & 0077))
                return -EPERM;

        *ret_fd = TAKE_FD(fd);
        return 0;
}

static bool uid_is_trusted(uid_t uid) {
        return uid == 0 || uid == geteuid();
}

bool fs_dir_is_safe_parent(const struct stat *st) {
        return S_ISDIR(st->st_mode) && uid_is_trusted(st->st_uid) &&
               (!(st->st_mode & (S_IWGRP | S_IWOTH)) || (st->st_mode & S_ISVTX));
}

bool fs_entry_is_trusted(const struct stat *parent, const struct stat *child) {
        if (!S_ISDIR(parent->st_mode) || !uid_is_trusted(parent->st_uid))
                return false;
        if (!(parent->st_mode & (S_IWGRP | S_IWOTH)))
                return true;
        return (parent->st_mode & S_ISVTX) && uid_is_trusted(child->st_uid);
}

#define TRUSTED_SYMLINKS_MAX 16

/* WALKED (a path without symlinks, "" for "/") joined with the symlink
 * TARGET and the REST of the path still to walk. Leading ".." of a
 * relative target go up WALKED, which is right because it holds no
 * symlinks; a ".." anywhere else is refused later. */
static char *link_path(const char *walked, const char *target, const char *rest) {
        _cleanup_free_ char *base = strdup(target[0] == '/' ? "" : walked);
        char *p;

        if (!base)
                return NULL;
        while (target[0] != '/' && strncmp(target, "..", 2) == 0 && (target[2] == '/' || !target[2])) {
                char *slash = strrchr(base, '/');

                if (slash)
                        *slash = '\0';
                target += 2;
                target += strspn(target, "/");
        }
        if (asprintf(&p, "%s/%s/%s", base, target, rest) < 0)
                return NULL;
        return p;
}

static int open_dir_trusted(const char *path, mode_t mkdir_mode, unsigned links) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *walked = strdup("");
        struct stat parent_st;
        const char *p = path;

        if (!walked)
                return -ENOMEM;
        if (!path || path[0] != '/')
                return -EINVAL;
        fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &parent_st) < 0)
                return negative_errno();

        for (;;) {
                char name[NAME_MAX + 1], target[PATH_MAX];
                struct stat st;
                ssize_t l;
                int child, r;
                char *w;

                r = path_next_name(&p, name);
                if (r <= 0) {
                        if (r < 0)
                                return r;
                        break;
                }
                if (streq(name, ".."))
                        return -EINVAL;

                if (mkdir_mode && !p[strspn(p, "/")] && mkdirat(fd, name, mkdir_mode) < 0 && errno != EEXIST)
                        return negative_errno();
                if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return negative_errno();
                if (!fs_entry_is_trusted(&parent_st, &st))
                        return -EPERM;
                if (S_ISLNK(st.st_mode)) {
                        /* Followed only when nobody but root or we could
                         * have put it there (/var/lib/NAME -> private/NAME
                         * of a unit with DynamicUser=). */
                        _cleanup_free_ char *next = NULL;

                        if (++links > TRUSTED_SYMLINKS_MAX)
                                return -ELOOP;
                        l = readlinkat(fd, name, target, sizeof(target) - 1);
                        if (l <= 0)
                                return l < 0 ? negative_errno() : -ELOOP;
                        target[l] = '\0';
                        next = link_path(walked, target, p);
                        if (!next)
                                return -ENOMEM;
                        return open_dir_trusted(next, mkdir_mode, links);
                }

                child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (child < 0)
                        return errno == ENOTDIR ? -ELOOP : negative_errno();
                /* The same entry as the fstatat() above, or refused. */
                r = fstat(child, &st) < 0 ? negative_errno() : fs_entry_is_trusted(&parent_st, &st) ? 0 : -EPERM;
                if (r < 0) {
                        safe_close(child);
                        return r;
                }
                safe_close(fd);
                fd = child;
                parent_st = st;
                if (asprintf(&w, "%s/%s", walked, name) < 0)
                        return -ENOMEM;
                free(walked);
                walked = w;
        }
        return TAKE_FD(fd);
}

int fs_open_dir_trusted(const char *path, mode_t mkdir_mode) {
        return open_dir_trusted(path, mkdir_mode, 0);
}
