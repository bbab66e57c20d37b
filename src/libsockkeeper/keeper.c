/* SPDX-License-Identifier: MIT */
/* The keeper's life cycle: settings, binding or adopting the socket safely
 * at start (or attaching to somebody else's), and giving everything back
 * (only what is still ours) at free. */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirhandles.h"
#include "keeper-internal.h"
#include "macro.h"
#include "path-util.h"
#include "socket-activation.h"
#include "socket-path.h"
#include "socket-alive.h"

SK_EXPORT int sk_keeper_new(sk_keeper **ret, const char *path) {
        sk_keeper *k;
        int r;

        if (!ret || !path)
                return -EINVAL;

        k = calloc(1, sizeof(*k));
        if (!k)
                return -ENOMEM;

        *k = (sk_keeper) {
                .type = SOCK_STREAM,
                .mode = SK_DEFAULT_MODE,
                .backlog = SK_DEFAULT_BACKLOG,
                .relink = true,
                .refresh_usec = SK_DEFAULT_REFRESH_USEC,
                .detection = SK_DETECT_INOTIFY,
                .check_usec = SK_DEFAULT_BACKSTOP_USEC,
                .fd = -EBADF,
                .dir_fd = -EBADF,
                .chain.parent_fd = -EBADF,
                .anchor = ANCHOR_NULL,
                .dir_sub = { .keeper = k, .wd = -1 },
                .anchor_sub = { .keeper = k, .anchor = true, .wd = -1 },
                .slot.heap_index = SIZE_MAX,
                .stop_fd = -EBADF,
        };

        /* The canonical form is what gets bound: tmpfiles matches the
         * string in /proc/net/unix against the path it walks to. */
        r = socket_path_canonical(path, &k->path, NULL);
        if (r < 0)
                goto fail;
        r = socket_path_to_addr(k->path, &k->addr, &k->addr_len);
        if (r < 0)
                goto fail;
        k->abstract = k->path[0] == '@';
        if (!k->abstract) {
                r = path_split(k->path, &k->dir_path, &k->name);
                if (r < 0)
                        goto fail;
                k->dir_sub.name = k->name;
        }

        *ret = k;
        return 0;

fail:
        sk_keeper_free(k);
        return r;
}

/* Gives back everything sk_keeper_bind() took, so that it can be called
 * again (after a failure) or the keeper freed. */
void keeper_unbind(sk_keeper *k) {
        keeper_watch_done(k);
        k->stop_fd = safe_close(k->stop_fd);

        /* Give the path back only if it still leads to our socket; a
         * stranger's file there stays. Adopted sockets belong to the
         * service manager, which removes them itself; a socket kept for
         * somebody else gets back the mode it had, less only the sticky
         * bit that we added. */
        if (k->bound && !k->abstract && k->dir_fd >= 0) {
                if (!k->adopted && !k->attached)
                        (void) fs_unlink_ours(k->dir_fd, k->name, k->sock_id);
                else if (k->sticky_added)
                        (void) fs_update_mode_ours(k->dir_fd, k->name, k->sock_id, 0, S_ISVTX, NULL);
        }
        anchor_done(&k->anchor);

        /* An adopted fd is the service manager's to close. */
        if (!k->adopted)
                k->fd = safe_close(k->fd);
        k->dir_fd = dirhandle_release(k->dir_fd);
        dir_chain_done(&k->chain);
        k->bound = k->adopted = k->attached = false;
        k->have_socket = k->lost = k->sticky_added = k->relinked_back = k->have_ref = false;
        k->have_owner = k->owner_explicit;
        k->anchor_error = 0;
}

SK_EXPORT sk_keeper *sk_keeper_free(sk_keeper *k) {
        if (!k)
                return NULL;

        (void) sk_keeper_stop(k);
        keeper_unbind(k);
        watcher_unref(k->watcher);
        free(k->path);
        free(k->dir_path);
        free(k->name);
        free(k->anchor_override);
        free(k);
        return NULL;
}

#define SETTER_GUARD(k)                         \
        do {                                    \
                if (!(k))                       \
                        return -EINVAL;         \
                if ((k)->bound)                 \
                        return -EBUSY;          \
        } while (0)

SK_EXPORT int sk_keeper_set_type(sk_keeper *k, int sock_type) {
        SETTER_GUARD(k);
        if (sock_type != SOCK_STREAM && sock_type != SOCK_SEQPACKET && sock_type != SOCK_DGRAM)
                return -EINVAL;
        k->type = sock_type;
        return 0;
}

SK_EXPORT int sk_keeper_set_mode(sk_keeper *k, mode_t mode) {
        SETTER_GUARD(k);
        if (mode & ~(mode_t) 0777)
                return -EINVAL;
        k->mode = mode;
        return 0;
}

SK_EXPORT int sk_keeper_set_backlog(sk_keeper *k, int backlog) {
        SETTER_GUARD(k);
        if (backlog < 0)
                return -EINVAL;
        k->backlog = backlog;
        return 0;
}

SK_EXPORT int sk_keeper_set_sticky(sk_keeper *k, bool sticky) {
        SETTER_GUARD(k);
        k->sticky = sticky;
        return 0;
}

SK_EXPORT int sk_keeper_set_refresh_interval(sk_keeper *k, uint64_t usec) {
        SETTER_GUARD(k);
        k->refresh_usec = usec;
        return 0;
}

SK_EXPORT int sk_keeper_set_detection(sk_keeper *k, sk_detection detection, uint64_t interval_usec) {
        SETTER_GUARD(k);
        if (detection != SK_DETECT_INOTIFY && detection != SK_DETECT_POLL)
                return -EINVAL;
        k->detection = detection;
        k->check_usec = interval_usec ?: (detection == SK_DETECT_POLL ? SK_DEFAULT_POLL_USEC : SK_DEFAULT_BACKSTOP_USEC);
        return 0;
}

SK_EXPORT int sk_keeper_set_relink(sk_keeper *k, bool relink) {
        SETTER_GUARD(k);
        k->relink = relink;
        return 0;
}

SK_EXPORT int sk_keeper_set_anchor_dir(sk_keeper *k, const char *dir) {
        char *copy = NULL;

        SETTER_GUARD(k);
        if (dir && dir[0] != '/')
                return -EINVAL;
        if (dir) {
                copy = strdup(dir);
                if (!copy)
                        return -ENOMEM;
        }
        free(k->anchor_override);
        k->anchor_override = copy;
        return 0;
}

SK_EXPORT int sk_keeper_set_owner(sk_keeper *k, uid_t uid) {
        SETTER_GUARD(k);
        if (uid == (uid_t) -1)
                return -EINVAL;
        k->owner_uid = uid;
        k->have_owner = k->owner_explicit = true;
        return 0;
}

SK_EXPORT int sk_keeper_set_watcher(sk_keeper *k, sk_watcher *w) {
        SETTER_GUARD(k);
        if (!w)
                return -EINVAL;
        watcher_unref(k->watcher);
        k->watcher = watcher_ref(w);
        k->watcher_given = true;
        return 0;
}

SK_EXPORT int sk_keeper_set_event_callback(sk_keeper *k, sk_event_fn fn, void *userdata) {
        if (!k)
                return -EINVAL;
        k->callback = fn;
        k->userdata = userdata;
        return 0;
}

SK_EXPORT int sk_keeper_get_fd(const sk_keeper *k) {
        if (!k)
                return -EINVAL;
        return k->bound && !k->attached ? k->fd : -ENOTCONN;
}

SK_EXPORT const char *sk_keeper_get_path(const sk_keeper *k) {
        return k ? k->path : NULL;
}

SK_EXPORT const char *sk_keeper_get_anchor_path(const sk_keeper *k) {
        return k && k->anchor.present ? k->anchor.path : NULL;
}

SK_EXPORT bool sk_keeper_is_adopted(const sk_keeper *k) {
        return k && k->adopted;
}

SK_EXPORT bool sk_keeper_is_attached(const sk_keeper *k) {
        return k && k->attached;
}

/* Returns 1 and the fd when the service manager passed us a socket for
 * this very address (socket activation), 0 when not. */
static int try_adopt(sk_keeper *k, int *ret_fd) {
        int n = listen_fds();

        for (int fd = LISTEN_FDS_START; n > 0 && fd < LISTEN_FDS_START + n; fd++) {
                const char *name = k->addr.sun_path;
                size_t len = k->abstract ? (size_t) k->addr_len - offsetof(struct sockaddr_un, sun_path) : 0;

                if (fd_is_unix_socket(fd, k->type, k->type == SOCK_DGRAM ? -1 : 1, name, len) > 0) {
                        *ret_fd = fd;
                        return 1;
                }
        }
        return 0;
}

/* Is the socket file ST dead: bound by no socket in any network
 * namespace? A socket that is bound but not listening yet refuses
 * connect() exactly like a dead one, and is alive. */
static bool socket_is_stale(sk_keeper *k, const struct stat *st) {
        return socket_file_alive(k->dir_fd, k->name, inode_id_of(st)) == 0;
}

static int errno_for_conflict(sk_conflict_kind kind) {
        switch (kind) {
        case SK_CONFLICT_SYMLINK:
                return -ELOOP;
        case SK_CONFLICT_DIRECTORY:
                return -EISDIR;
        case SK_CONFLICT_FOREIGN_SOCKET:
                return -EPERM;
        case SK_CONFLICT_LIVE_SOCKET:
        case SK_CONFLICT_OTHER_SOCKET:
                return -EADDRINUSE;
        default:
                return -EEXIST;
        }
}

/* The path is taken at start. Clear it only for a stale socket of ours;
 * everything else is reported and left exactly as it is. */
static int handle_taken_path(sk_keeper *k) {
        struct stat st;
        sk_conflict_kind kind;
        int r;

        if (fstatat(k->dir_fd, k->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negative_errno(); /* gone meanwhile: retry */

        kind = keeper_classify(&st);
        if (S_ISSOCK(st.st_mode)) {
                if (st.st_uid != geteuid())
                        kind = SK_CONFLICT_FOREIGN_SOCKET;
                else if (!socket_is_stale(k, &st))
                        kind = SK_CONFLICT_LIVE_SOCKET;
                else {
                        r = fs_unlink_ours(k->dir_fd, k->name, inode_id_of(&st));
                        if (r == -ENOENT)
                                return 0;
                        return r;
                }
        }

        keeper_emit_conflict(k, &st, kind);
        return errno_for_conflict(kind);
}

/* A watcher of its own for a keeper that was given none. */
static int ensure_watcher(sk_keeper *k) {
        return k->watcher ? 0 : keeper_private_watcher(&k->watcher);
}

SK_EXPORT int sk_keeper_bind(sk_keeper *k) {
        _cleanup_close_ int fd = -EBADF;
        inode_id id = {};
        int r;

        if (!k)
                return -EINVAL;
        if (k->bound)
                return -EALREADY;
        r = ensure_watcher(k);
        if (r < 0)
                return r;

        if (!k->abstract) {
                r = keeper_open_directory(k);
                if (r < 0) {
                        keeper_unbind(k);
                        return r;
                }
        }

        if (try_adopt(k, &k->fd) > 0) {
                k->adopted = true;
                if (!k->abstract) {
                        struct stat st;

                        /* The path may already be gone (or never have been
                         * ours); the first check then heals it. */
                        r = keeper_identify_bound_file(k, k->fd, &id);
                        if (r >= 0)
                                k->sock_id = id;
                        else
                                k->slot.dirty = true;
                        /* The service manager chose the mode (SocketMode=);
                         * refresh and rebind keep it. */
                        if (r >= 0 && fstatat(k->dir_fd, k->name, &st, AT_SYMLINK_NOFOLLOW) >= 0)
                                k->mode = st.st_mode & 0777;
                }
        } else {
                /* Two rounds: the second after clearing a stale socket. */
                for (int attempt = 0;; attempt++) {
                        r = keeper_open_socket(k, &fd, &id);
                        if (r != -EADDRINUSE || k->abstract || attempt > 0)
                                break;
                        r = handle_taken_path(k);
                        if (r < 0) {
                                keeper_unbind(k);
                                return r;
                        }
                }
                if (r < 0) {
                        keeper_unbind(k);
                        return r;
                }
                k->fd = TAKE_FD(fd);
                k->sock_id = id;
        }
        /* A bound keeper always has its socket, the fd, even while the
         * path is lost. */
        k->bound = k->have_socket = true;

        /* Not fatal: without an anchor the keeper rebinds, and it keeps
         * trying to make one. */
        keeper_ensure_anchor(k);

        r = keeper_watch_setup(k);
        if (r < 0) {
                keeper_unbind(k);
                return r;
        }
        return 0;
}

SK_EXPORT int sk_keeper_attach(sk_keeper *k) {
        int r;

        if (!k)
                return -EINVAL;
        if (k->bound)
                return -EALREADY;
        if (k->abstract)
                return -EOPNOTSUPP; /* no file, so nothing a cleaner could take */
        r = ensure_watcher(k);
        if (r < 0)
                return r;

        r = keeper_open_directory(k);
        if (r < 0) {
                keeper_unbind(k);
                return r;
        }
        k->bound = k->attached = true;

        /* Watch before the first look, so that nothing done to the path
         * after the look goes unseen until the backstop check. */
        r = keeper_watch_setup(k);
        if (r < 0) {
                keeper_unbind(k);
                return r;
        }

        keeper_attach_start(k);
        (void) keeper_arm_timer(k); /* the look may have scheduled a retry */
        return 0;
}
