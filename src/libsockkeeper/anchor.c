/* SPDX-License-Identifier: MIT */
/* Where the anchor hard link lives, and the three things done with it:
 * create, check, link back. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <unistd.h>

#include "anchor.h"
#include "macro.h"
#include "path-util.h"
#include "unix-diag.h"

/* Opens (creating it if needed) "<base>/<name>" as a private directory on
 * device DEV. */
static int try_dir(anchor *a, const char *base, const char *name, dev_t dev) {
        _cleanup_close_ int base_fd = -EBADF, fd = -EBADF;
        _cleanup_free_ char *path = NULL;
        struct stat st;
        int r;

        base_fd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (base_fd < 0)
                return negative_errno();
        if (fstat(base_fd, &st) < 0)
                return negative_errno();
        if (st.st_dev != dev)
                return -EXDEV;

        if (name) {
                r = fs_open_private_dir(base_fd, name, &fd);
                if (r < 0)
                        return r;
                r = path_join(base, name, &path);
                if (r < 0)
                        return r;
        } else {
                /* An explicit directory: it must already be private. */
                fd = openat(base_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return negative_errno();
                if (fstat(fd, &st) < 0)
                        return negative_errno();
                if (st.st_uid != geteuid() || (st.st_mode & 0077))
                        return -EPERM;
                path = strdup(base);
                if (!path)
                        return -ENOMEM;
        }

        /* systemd-tmpfiles skips a directory on which someone holds a
         * shared BSD lock, so the lock keeps our anchors out of its sweeps. */
        (void) flock(fd, LOCK_SH | LOCK_NB);

        a->owns_dir = name != NULL;
        a->dir_fd = TAKE_FD(fd);
        a->dir_path = TAKE_PTR(path);
        return 0;
}

static char *state_dir(void) {
        const char *e;
        char *p;

        if (geteuid() == 0)
                return strdup("/var/lib/sockkeeper");
        e = getenv("XDG_STATE_HOME");
        if (e && e[0] == '/')
                return path_join(e, "sockkeeper", &p) < 0 ? NULL : p;
        e = getenv("HOME");
        if (e && e[0] == '/')
                return path_join(e, ".local/state/sockkeeper", &p) < 0 ? NULL : p;
        return NULL;
}

static bool same_device_as_parent(const char *path, dev_t dev) {
        _cleanup_free_ char *parent = strdup(path);
        char *slash = parent ? strrchr(parent, '/') : NULL;
        struct stat st;

        if (!slash || slash == parent)
                return false;
        *slash = '\0';
        return stat(parent, &st) >= 0 && st.st_dev == dev;
}

/* Opens candidate "<base>/<name>" and links the socket there. A link that
 * fails (EXDEV across a bind mount of the same filesystem, EROFS in a
 * read-only view such as ProtectSystem= gives) lets the next one try. */
static int try_place(anchor *a, const char *base, const char *name, dev_t dev,
                     int socket_dir_fd, const char *socket_name, inode_id id) {
        int r;

        r = try_dir(a, base, name, dev);
        if (r < 0)
                return r;
        anchor_sweep_dead(a);
        r = anchor_create(a, socket_dir_fd, socket_name, id);
        if (r < 0)
                anchor_forget_dir(a);
        return r;
}

int anchor_place(anchor *a, const char *socket_dir_path, int socket_dir_fd,
                 const char *socket_name, inode_id id, const char *override) {
        _cleanup_free_ char *walk = NULL, *state = NULL;
        char name[32];
        struct stat st;
        int r;

        if (fstat(socket_dir_fd, &st) < 0)
                return negative_errno();

        if (override)
                return try_place(a, override, NULL, st.st_dev, socket_dir_fd, socket_name, id);

        snprintf(name, sizeof(name), ".sockkeeper-anchors-%u", (unsigned) geteuid());

        /* 1. The nearest ancestor on the same filesystem, but never "/":
         *    outside the socket's directory, so rm -rf of it spares us. */
        walk = strdup(socket_dir_path);
        if (!walk)
                return -ENOMEM;
        for (;;) {
                char *slash = strrchr(walk, '/');
                if (!slash || slash == walk)
                        break;
                *slash = '\0';
                r = try_place(a, walk, name, st.st_dev, socket_dir_fd, socket_name, id);
                if (r >= 0)
                        return 0;
                if (r == -EXDEV)
                        break; /* further up is another filesystem (or mount) too */
        }

        /* 2. Our state directory, when it shares the filesystem. Its
         *    parent (/var/lib, ~/.local/state) is not ours to create,
         *    and we create nothing on a filesystem we cannot use. */
        state = state_dir();
        if (state && same_device_as_parent(state, st.st_dev) &&
            (mkdir(state, 0755) >= 0 || errno == EEXIST) &&
            try_place(a, state, "anchors", st.st_dev, socket_dir_fd, socket_name, id) >= 0)
                return 0;

        /* 3. Last resort: a hidden directory beside the socket. The flock
         *    still keeps tmpfiles out; an rm -rf would take it. */
        return try_place(a, socket_dir_path, name, st.st_dev, socket_dir_fd, socket_name, id);
}

static bool is_bound(const inode_id *live, size_t n, inode_id id) {
        for (size_t i = 0; i < n; i++)
                if (unix_diag_matches(live[i], id))
                        return true;
        return false;
}

void anchor_sweep_dead(anchor *a) {
        _cleanup_free_ inode_id *live = NULL;
        size_t n_live = 0;
        struct dirent *de;
        DIR *d;
        int fd;

        /* Without the kernel's list we cannot tell; keep everything. */
        if (a->dir_fd < 0 || unix_diag_bound_ids(&live, &n_live) < 0)
                return;

        fd = openat(a->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return;
        }
        while ((de = readdir(d))) {
                struct stat st;

                if (!has_suffix(de->d_name, ".sock") ||
                    fstatat(a->dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISSOCK(st.st_mode))
                        continue;
                if (!is_bound(live, n_live, inode_id_of(&st)))
                        (void) fs_unlink_ours(a->dir_fd, de->d_name, inode_id_of(&st));
        }
        closedir(d);
}

int anchor_create(anchor *a, int dir_fd, const char *name, inode_id id) {
        struct stat st;

        if (a->dir_fd < 0)
                return -EBADF;

        snprintf(a->name, sizeof(a->name), "%" PRIx64 ".%" PRIx64 ".sock",
                 (uint64_t) id.dev, (uint64_t) id.ino);
        free(a->path);
        a->path = NULL;
        if (path_join(a->dir_path, a->name, &a->path) < 0)
                return -ENOMEM;
        a->id = id;

        /* No AT_SYMLINK_FOLLOW: a symlink at NAME is linked as itself,
         * and then fails the inode check below. */
        if (linkat(dir_fd, name, a->dir_fd, a->name, 0) < 0 && errno != EEXIST)
                return negative_errno();

        if (fstatat(a->dir_fd, a->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (!S_ISSOCK(st.st_mode) || !inode_id_eq(inode_id_of(&st), id)) {
                (void) unlinkat(a->dir_fd, a->name, 0); /* our private dir */
                return -ESTALE;
        }

        a->present = true;
        return 0;
}

bool anchor_is_intact(anchor *a) {
        struct stat st;

        if (a->dir_fd < 0 || !a->present)
                return false;
        if (fstatat(a->dir_fd, a->name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISSOCK(st.st_mode) || !inode_id_eq(inode_id_of(&st), a->id)) {
                a->present = false;
                return false;
        }
        return true;
}

int anchor_restore(anchor *a, int dir_fd, const char *name) {
        if (!anchor_is_intact(a))
                return -ENOENT;
        if (linkat(a->dir_fd, a->name, dir_fd, name, 0) < 0)
                return negative_errno();
        return 0;
}

void anchor_remove(anchor *a) {
        if (a->dir_fd >= 0 && a->present)
                (void) fs_unlink_ours(a->dir_fd, a->name, a->id);
        a->present = false;
}

void anchor_forget_dir(anchor *a) {
        a->dir_fd = safe_close(a->dir_fd);
        free(a->dir_path);
        free(a->path);
        a->dir_path = a->path = NULL;
        a->present = false;
        a->owns_dir = false;
}

void anchor_done(anchor *a) {
        anchor_remove(a);
        if (a->dir_fd >= 0 && a->dir_path && a->owns_dir) {
                /* Remove our directory when we were the last user; fails
                 * harmlessly (ENOTEMPTY) while other keepers use it. */
                _cleanup_close_ int parent = -EBADF;
                char *slash = strrchr(a->dir_path, '/');
                if (slash) {
                        _cleanup_free_ char *parent_path = slash == a->dir_path ? strdup("/") : strndup(a->dir_path, (size_t) (slash - a->dir_path));
                        if (parent_path) {
                                parent = open(parent_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
                                if (parent >= 0)
                                        (void) unlinkat(parent, slash + 1, AT_REMOVEDIR);
                        }
                }
        }
        anchor_forget_dir(a);
}
