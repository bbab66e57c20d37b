/* SPDX-License-Identifier: MIT */
/* The socket's directory and the chain of directories above it: opened
 * and recorded at start (name, inode, mode, owner of each level), and
 * re-created when removed, from the first level that still exists down,
 * with what was recorded and without following a symlink. A chain reached
 * through a symlink (/var/run) starts below it: what the symlink leads to
 * is never re-created, and is reached again only when the symlink and
 * every step to it are trusted (fs_open_dir_trusted). */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirhandles.h"
#include "keeper-internal.h"
#include "macro.h"
#include "path-util.h"

static void chain_clear(dir_chain *c) {
        for (size_t i = 0; i < c->n; i++)
                free(c->levels[i].name);
        free(c->levels);
        c->levels = NULL;
        c->n = 0;
}

void dir_chain_done(dir_chain *c) {
        chain_clear(c);
        free(c->base_path);
        c->base_path = NULL;
        c->parent_fd = dirhandle_release(c->parent_fd);
}

static int chain_push(dir_chain *c, const char *name, const struct stat *st) {
        dir_level *n = reallocarray(c->levels, c->n + 1, sizeof(*n));

        if (!n)
                return -ENOMEM;
        c->levels = n;
        n[c->n] = (dir_level) {
                .name = strdup(name),
                .id = inode_id_of(st),
                .mode = st->st_mode & 07777,
                .uid = st->st_uid,
                .gid = st->st_gid,
        };
        if (!n[c->n].name)
                return -ENOMEM;
        c->n++;
        return 0;
}

/* Walks DIR_PATH from "/" without following symlinks, recording each
 * level; a symlink restarts the chain at what it leads to. Leaves the
 * socket directory's parent in c->parent_fd. Returns the socket
 * directory's fd (O_PATH). */
static int chain_record(dir_chain *c, const char *dir_path) {
        _cleanup_close_ int cur = -EBADF, parent = -EBADF;
        const char *p = dir_path;
        int r;

        c->base_path = strdup("/");
        if (!c->base_path)
                return -ENOMEM;
        cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cur < 0)
                return negative_errno();

        for (;;) {
                char name[NAME_MAX + 1];
                struct stat st;
                int next;

                r = path_next_name(&p, name);
                if (r <= 0) {
                        if (r < 0)
                                return r;
                        break;
                }
                if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return negative_errno();
                if (S_ISLNK(st.st_mode) || streq(name, "..")) {
                        /* Follow it as a client would; nothing up to
                         * here is ours to re-create. */
                        _cleanup_free_ char *prefix = strndup(dir_path, (size_t) (p - dir_path));

                        if (!prefix)
                                return -ENOMEM;
                        next = open(prefix, O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (next < 0)
                                return negative_errno();
                        chain_clear(c);
                        free(c->base_path);
                        c->base_path = TAKE_PTR(prefix);
                        parent = safe_close(parent);
                } else {
                        if (!S_ISDIR(st.st_mode))
                                return -ENOTDIR;
                        next = openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (next < 0)
                                return negative_errno();
                        r = chain_push(c, name, &st);
                        if (r < 0) {
                                safe_close(next);
                                return r;
                        }
                        safe_close(parent);
                        parent = TAKE_FD(cur);
                }
                safe_close(cur);
                cur = next;
        }
        c->parent_fd = c->n > 0 ? dirhandle_share(TAKE_FD(parent), DIRHANDLE_PATH) : -EBADF;
        return TAKE_FD(cur);
}

int keeper_open_directory(sk_keeper *k) {
        struct stat st, chain_st;
        int fd;

        /* Shared with every keeper of this process in the same directory. */
        k->dir_fd = dirhandle_share(open(k->dir_path, O_PATH | O_DIRECTORY | O_CLOEXEC), DIRHANDLE_PATH);
        if (k->dir_fd < 0)
                return negative_errno();
        if (fstat(k->dir_fd, &st) < 0)
                return negative_errno();
        k->dir_id = inode_id_of(&st);
        k->dir_mode = st.st_mode & 07777;

        /* Not fatal: without a chain the directory is only not re-created. */
        fd = chain_record(&k->chain, k->dir_path);
        if (fd < 0 || fstat(fd, &chain_st) < 0 || !inode_id_eq(inode_id_of(&chain_st), k->dir_id)) {
                /* Changed between the two walks: trust neither. */
                dir_chain_done(&k->chain);
                k->chain.base_path = strdup(k->dir_path);
                if (!k->chain.base_path) {
                        safe_close(fd);
                        return -ENOMEM;
                }
        }
        safe_close(fd);
        return 0;
}

static int switch_directory(sk_keeper *k, int fd) {
        struct stat st;

        if (fstat(fd, &st) < 0) {
                safe_close(fd);
                return negative_errno();
        }
        dirhandle_release(k->dir_fd);
        k->dir_fd = dirhandle_share(fd, DIRHANDLE_PATH);
        k->dir_id = inode_id_of(&st);
        return keeper_watch_directory(k);
}

/* Walks the recorded chain down from its base, re-creating what is
 * missing. Returns the socket directory (O_PATH) or a negative errno;
 * *RET_RESTORED tells whether anything was made. */
static int rebuild_chain(sk_keeper *k, bool *ret_restored) {
        dir_chain *c = &k->chain;
        _cleanup_close_ int cur = -EBADF, parent = -EBADF;
        bool restored = false;

        /* Where a symlink led at start, reached again only through what
         * nobody but root or us could have put there: a symlink of
         * another user's may lead anywhere by now. */
        cur = fs_open_dir_trusted(c->base_path, 0);
        if (cur < 0)
                return cur;

        for (size_t i = 0; i < c->n; i++) {
                dir_level *l = &c->levels[i];
                struct stat st;
                int next, r;

                if (fstatat(cur, l->name, &st, AT_SYMLINK_NOFOLLOW) >= 0) {
                        /* Re-created by someone else (tmpfiles --create, the
                         * daemon, an admin): use it when it is a real
                         * directory of the same owner. A symlink or a
                         * stranger's directory is not ours to fill. */
                        if (!S_ISDIR(st.st_mode) ||
                            (!inode_id_eq(inode_id_of(&st), l->id) && st.st_uid != l->uid))
                                return -EEXIST;
                        next = openat(cur, l->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (next < 0)
                                return negative_errno();
                        if (fstat(next, &st) < 0 || (!inode_id_eq(inode_id_of(&st), l->id) && st.st_uid != l->uid)) {
                                safe_close(next);
                                return -EEXIST;
                        }
                } else if (errno == ENOENT) {
                        r = fs_mkdir_exact(cur, l->name, l->mode, l->uid, l->gid, &next);
                        if (r < 0)
                                return r;
                        if (fstat(next, &st) < 0) {
                                safe_close(next);
                                return negative_errno();
                        }
                        restored = true;
                } else
                        return negative_errno();

                l->id = inode_id_of(&st);
                safe_close(parent);
                parent = TAKE_FD(cur);
                cur = next;
        }

        dirhandle_release(c->parent_fd);
        c->parent_fd = dirhandle_share(TAKE_FD(parent), DIRHANDLE_PATH);
        *ret_restored = restored;
        return TAKE_FD(cur);
}

int keeper_ensure_directory(sk_keeper *k) {
        dir_chain *c = &k->chain;
        bool restored = false;
        struct stat st;
        int fd, r;

        if (c->n == 0) {
                /* Reached through a symlink (/var/run) or at the root: we
                 * only ever follow the path the way a client would, and
                 * never re-create anything. */
                if (stat(k->dir_path, &st) < 0) {
                        r = negative_errno();
                        keeper_failed(k, r, "find parent directory");
                        return r;
                }
                if (!inode_id_eq(inode_id_of(&st), k->dir_id)) {
                        keeper_failed(k, -EEXIST, "parent directory replaced");
                        return -EEXIST;
                }
                return 0;
        }

        /* The common case, one fstatat(): still linked where it was. */
        if (fstatat(c->parent_fd, c->levels[c->n - 1].name, &st, AT_SYMLINK_NOFOLLOW) >= 0 &&
            S_ISDIR(st.st_mode) && inode_id_eq(inode_id_of(&st), k->dir_id))
                return 0;

        fd = rebuild_chain(k, &restored);
        if (fd < 0) {
                keeper_failed(k, fd, fd == -EEXIST ? "parent directory replaced" : "re-create parent directory");
                return fd;
        }
        if (fstat(fd, &st) < 0 || !inode_id_eq(inode_id_of(&st), k->dir_id)) {
                r = switch_directory(k, fd);
                if (r < 0) {
                        keeper_failed(k, r, "watch parent directory");
                        return r;
                }
        } else
                safe_close(fd);

        if (restored)
                keeper_emit(k, &(sk_event) {
                        .type = SK_EVENT_PARENT_RESTORED,
                        .path = k->path,
                        .parent_restored.mode = c->levels[c->n - 1].mode,
                });
        return 0;
}
