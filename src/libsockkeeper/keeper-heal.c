/* SPDX-License-Identifier: MIT */
/* What a keeper of its own socket does when it looks at its path: nothing
 * when the path still leads to our socket; relink the same inode when it
 * is gone; rebind when the anchor is gone too; re-create a removed parent
 * directory first; and leave alone whatever else now stands there. */

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keeper-internal.h"
#include "macro.h"

static void copy_socket_settings(int from, int to) {
        static const int options[] = { SO_PASSCRED, SO_PASSSEC };
        int fl;

        /* Status flags live in the open file description, which dup3()
         * replaces; an epoll user set O_NONBLOCK and expects to keep it. */
        fl = fcntl(from, F_GETFL);
        if (fl >= 0)
                (void) fcntl(to, F_SETFL, fl & (O_NONBLOCK | O_ASYNC));

        for (size_t i = 0; i < ELEMENTSOF(options); i++) {
                int v = 0;
                socklen_t len = sizeof(v);
                if (getsockopt(from, SOL_SOCKET, options[i], &v, &len) >= 0 && v)
                        (void) setsockopt(to, SOL_SOCKET, options[i], &v, sizeof(v));
        }
}

/* Someone changed the path while we were healing it: taken (EEXIST from
 * link, EADDRINUSE from bind), or our fresh file deleted (ENOENT) or
 * swapped (ESTALE) before we could identify it. Not an error: look again. */
static bool lost_a_race(int r) {
        return r == -EEXIST || r == -EADDRINUSE || r == -ENOENT || r == -ESTALE;
}

static int rebind(sk_keeper *k) {
        _cleanup_close_ int old = -EBADF, fd = -EBADF;
        inode_id id, old_id = k->sock_id;
        int r, fd_flags;

        /* Keep the old description reachable: to shut it down (so a
         * thread blocked in accept() wakes up) and to show it to the
         * caller for epoll bookkeeping. */
        old = fcntl(k->fd, F_DUPFD_CLOEXEC, 3);
        if (old < 0) {
                r = negative_errno();
                keeper_failed(k, r, "duplicate old socket");
                return r;
        }

        r = keeper_open_socket(k, &fd, &id);
        if (lost_a_race(r))
                return r; /* the path changed under us: the caller looks again */
        if (r < 0) {
                keeper_failed(k, r, "bind new socket");
                return r;
        }

        copy_socket_settings(old, fd);
        fd_flags = fcntl(k->fd, F_GETFD);
        if (dup3(fd, k->fd, fd_flags >= 0 && (fd_flags & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
                r = negative_errno();
                (void) fs_unlink_ours(k->dir_fd, k->name, id);
                keeper_failed(k, r, "replace socket fd");
                return r;
        }
        (void) shutdown(old, SHUT_RDWR);

        k->sock_id = id;
        k->sticky_added = false; /* a new file, made with its mode */
        k->adopted = false; /* the file at the path is ours now */
        anchor_remove(&k->anchor);
        keeper_ensure_anchor(k);

        keeper_emit(k, &(sk_event) {
                .type = SK_EVENT_REBOUND,
                .path = k->path,
                .rebound = {
                        .fd = k->fd,
                        .old_fd = old,
                        .old_ino = (uint64_t) old_id.ino,
                        .new_ino = (uint64_t) id.ino,
                        .usec = keeper_since_detection(k),
                },
        });
        return 0;
}

static int heal(sk_keeper *k) {
        int r;

        if (!k->detected_at)
                k->detected_at = now_usec(CLOCK_MONOTONIC);

        if (k->relink) {
                r = anchor_restore(&k->anchor, k->dir_fd, k->name);
                if (r >= 0) {
                        uint64_t usec = keeper_since_detection(k);

                        /* A cleaner deleted it for being old: it still is,
                         * and the next run would take it again. */
                        (void) fs_touch_ours(k->dir_fd, k->name, k->sock_id);
                        keeper_emit(k, &(sk_event) {
                                .type = SK_EVENT_RELINKED,
                                .path = k->path,
                                .relinked.usec = usec,
                        });
                        return 0;
                }
                if (r == -EEXIST)
                        return r; /* somebody put something there: look again */
                if (r != -ENOENT) {
                        /* The anchor is there, the link failed (EACCES,
                         * ENOSPC, ...): retry rather than throw the inode
                         * and its backlog away. */
                        keeper_failed(k, r, "relink anchor");
                        return r;
                }
        }

        return rebind(k);
}

static bool is_ours_bound(sk_keeper *k, const struct stat *st) {
        return S_ISSOCK(st->st_mode) && inode_id_eq(inode_id_of(st), k->sock_id);
}

static void stranger_bound(sk_keeper *k, const struct stat *st) {
        keeper_report_conflict(k, st, keeper_classify(st));
}

static int heal_or_retry(sk_keeper *k) {
        int r = heal(k);

        if (r >= 0) {
                keeper_healed(k);
                return 0;
        }
        return lost_a_race(r) ? -EAGAIN : r;
}

const keeper_mode keeper_mode_bound = {
        .is_ours = is_ours_bound,
        .stranger = stranger_bound,
        .heal = heal_or_retry,
};
