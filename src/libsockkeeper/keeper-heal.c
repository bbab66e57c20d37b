/* SPDX-License-Identifier: MIT */
/* What the keeper does when it looks at its path: nothing when the path
 * still leads to our socket; relink the same inode when it is gone; rebind
 * when the anchor is gone too; re-create a removed parent directory first;
 * and leave alone whatever else now stands there. */

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keeper-internal.h"
#include "macro.h"

/* The path leads to our socket again: the healing backoff starts over. */
void keeper_healed(sk_keeper *k) {
        k->retry_delay = 0;
        k->next_retry = 0;
        k->detected_at = 0;
}

/* Reports a failure to heal and tries again soon, backing off. */
void keeper_failed(sk_keeper *k, int r, const char *operation) {
        keeper_schedule_retry(k);
        keeper_emit_error(k, -r, operation, k->retry_delay);
}

uint64_t keeper_since_detection(sk_keeper *k) {
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        return k->detected_at && now > k->detected_at ? now - k->detected_at : 0;
}

/* Keeps an anchor in place while the path is ours, re-choosing the anchor
 * directory if it was removed. A failure has its own, slower backoff: the
 * socket is reachable meanwhile, only the next relink is at stake. */
void keeper_ensure_anchor(sk_keeper *k) {
        int r;

        if (!k->relink || k->abstract || (k->attached && !k->have_socket))
                return;
        if (anchor_is_intact(&k->anchor)) {
                k->anchor_retry_delay = 0;
                k->next_anchor_retry = 0;
                return;
        }

        r = k->anchor.dir_fd >= 0 ? anchor_create(&k->anchor, k->dir_fd, k->name, k->sock_id) : -ENOENT;
        if (r == -ENOENT) {
                anchor_forget_dir(&k->anchor);
                r = anchor_place(&k->anchor, &(anchor_site) {
                                .socket_path = k->path,
                                .socket_dir_fd = k->dir_fd,
                                .socket_name = k->name,
                                .override = k->anchor_override,
                        }, k->sock_id);
                if (r >= 0)
                        (void) keeper_watch_anchor(k);
        }
        if (r < 0) {
                keeper_schedule_anchor_retry(k);
                /* Said once: a filesystem with no safe place for an anchor
                 * stays so, and the other layers keep working meanwhile. */
                if (k->anchor_error != r)
                        keeper_emit_error(k, -r, r == -EXDEV ? "find a safe anchor directory on the socket's filesystem"
                                                             : "link anchor",
                                          k->anchor_retry_delay);
                k->anchor_error = r;
                return;
        }
        k->anchor_error = 0;
        k->anchor_retry_delay = 0;
        k->next_anchor_retry = 0;
}

/* Sets the sticky bit, which systemd-tmpfiles respects, on the mode the
 * file has now: whoever narrowed it (chmod 600) keeps it narrow. The mode
 * seen is what a rebind gives the next socket. */
void keeper_renew_sticky(sk_keeper *k) {
        mode_t mode;
        int r;

        if (!k->sticky)
                return;
        r = fs_update_mode_ours(k->dir_fd, k->name, k->sock_id, S_ISVTX, 0, &mode);
        if (r < 0)
                return;
        if (r > 0)
                k->sticky_added = true;
        k->mode = mode & 0777;
}

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

void keeper_report_conflict(sk_keeper *k, const struct stat *st, sk_conflict_kind kind) {
        inode_id id = inode_id_of(st);

        /* Once per intruder, not at every look. A file removed and another
         * created between two looks often gets the same inode number. */
        if (k->in_conflict && inode_id_eq(k->conflict_id, id) && k->conflict_mode == st->st_mode &&
            k->conflict_ctime.tv_sec == st->st_ctim.tv_sec && k->conflict_ctime.tv_nsec == st->st_ctim.tv_nsec)
                return;
        k->in_conflict = true;
        k->conflict_id = id;
        k->conflict_mode = st->st_mode;
        k->conflict_ctime = st->st_ctim;
        keeper_emit_conflict(k, st, kind);
}

void keeper_check(sk_keeper *k) {
        if (k->abstract || !k->bound)
                return;
        if (k->attached)
                return keeper_check_attached(k);

        /* Two rounds cover a race with whoever is changing the directory. */
        for (int round = 0; round < 2; round++) {
                struct stat st;
                int r;

                r = keeper_ensure_directory(k);
                if (r < 0)
                        return;

                if (fstatat(k->dir_fd, k->name, &st, AT_SYMLINK_NOFOLLOW) >= 0) {
                        if (S_ISSOCK(st.st_mode) && inode_id_eq(inode_id_of(&st), k->sock_id)) {
                                k->in_conflict = false;
                                keeper_healed(k);
                                keeper_ensure_anchor(k);
                                return;
                        }
                        keeper_report_conflict(k, &st, keeper_classify(&st));
                        return;
                }
                if (errno != ENOENT) {
                        keeper_failed(k, negative_errno(), "inspect path");
                        return;
                }

                k->in_conflict = false;
                r = heal(k);
                if (r >= 0) {
                        keeper_healed(k);
                        return;
                }
                if (!lost_a_race(r))
                        return;
        }
        /* Raced twice in a row with whoever keeps changing the path; the
         * inotify events queued meanwhile, or this retry, bring us back. */
        keeper_schedule_retry(k);
}

void keeper_refresh(sk_keeper *k) {
        int r;

        if (k->abstract || !k->bound)
                return;
        if (k->attached && !k->have_socket)
                return keeper_check(k); /* nothing to refresh: see whether a socket came */

        r = fs_touch_ours(k->dir_fd, k->name, k->sock_id);
        if (r == -ENOENT || r == -ESTALE || r == -ELOOP)
                return keeper_check(k); /* not ours at the moment: look properly */
        if (r < 0)
                return keeper_emit_error(k, -r, "refresh timestamps", k->refresh_usec);
        keeper_renew_sticky(k);

        keeper_emit(k, &(sk_event) { .type = SK_EVENT_REFRESHED, .path = k->path });
}
