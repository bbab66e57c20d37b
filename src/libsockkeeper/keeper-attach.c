/* SPDX-License-Identifier: MIT */
/* Attach mode: keeping the path of a socket that somebody else bound (a
 * socket unit's, held by PID 1; a legacy daemon's). There is no fd to
 * rebind onto, so what is left of the engine is prevention and relink, and
 * relink only while the socket is still bound by someone: a dead socket
 * linked back would make its owner's next bind() fail with EADDRINUSE. */

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keeper-internal.h"
#include "macro.h"
#include "socket-alive.h"
#include "unix-diag.h"

/* Whether the socket file ST is the owner's: the file is, or a socket
 * that the owner created listens on it by exactly this path (a daemon
 * that binds as root and chowns its file, as php-fpm does with
 * listen.owner). Nobody makes a file of another user without privileges.
 * A socket's creator alone is not enough: a worker that inherited a
 * socket of root's (a socketpair end) could bind it anywhere, but it
 * cannot listen on a connected socket. */
static bool owned_by_owner(sk_keeper *k, const struct stat *st) {
        unix_bound b;

        if (st->st_uid == k->owner_uid)
                return true;
        return unix_diag_find_bound(inode_id_of(st), k->path, &b, NULL) > 0 && b.uid == k->owner_uid &&
               b.listening && b.name_is_path;
}

/* The owner when none was given: the owner of the socket found at the
 * path, but only where nobody else could have put it there (a directory
 * of that user's or root's, closed to others); else our own user. In a
 * world-writable directory whoever binds first would otherwise decide. */
static uid_t default_owner(sk_keeper *k) {
        struct stat st, dir;

        if (fstatat(k->dir_fd, k->name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISSOCK(st.st_mode) ||
            fstat(k->dir_fd, &dir) < 0)
                return geteuid();
        if ((dir.st_uid != 0 && dir.st_uid != st.st_uid) || (dir.st_mode & (S_IWGRP | S_IWOTH)))
                return geteuid();
        return st.st_uid;
}

static bool accept_recovered(const struct stat *st, void *userdata) {
        return owned_by_owner(userdata, st);
}

/* Starts watching the socket ST at the path: anchors it and takes its mode
 * as the one refresh keeps (the owner chose it). */
/* Whether the socket we keep is still bound, asked through the file NAME
 * in DIR_FD (the path, or the anchor when the path is gone): by its
 * number when we know it (exact, one socket), else as any socket file. */
static int kept_socket_alive(sk_keeper *k, int dir_fd, const char *name) {
        if (k->have_ref) {
                int r = unix_diag_ref_bound(&k->sock_ref, k->sock_id);

                if (r >= 0)
                        return r;
        }
        return socket_file_alive(dir_fd, name, k->sock_id);
}

static void watch_socket(sk_keeper *k, const struct stat *st, bool replaced) {
        if (k->have_socket && !inode_id_eq(k->sock_id, inode_id_of(st)))
                anchor_remove(&k->anchor); /* the old inode is not ours to keep alive */
        k->sock_id = inode_id_of(st);
        k->have_socket = true;
        /* Its number, for asking about it later without a dump of every
         * socket; one dump serves the keepers that start together. */
        k->have_ref = unix_diag_identify(k->sock_id, timespec_to_usec(&st->st_ctim), &k->sock_ref) > 0;
        k->mode = st->st_mode & 0777;
        k->lost = false;
        k->in_conflict = false;
        k->sticky_added = false;
        k->relinked_back = false;
        k->next_liveness = 0;
        keeper_healed(k);
        keeper_ensure_anchor(k);
        keeper_renew_sticky(k);

        keeper_emit(k, &(sk_event) {
                .type = SK_EVENT_ATTACHED,
                .path = k->path,
                .attached = {
                        .dev = (uint64_t) st->st_dev,
                        .ino = (uint64_t) st->st_ino,
                        .uid = st->st_uid,
                        .replaced = replaced,
                },
        });
}

/* The path holds ST, which is not the socket we watch (or is, but its
 * owner changed). */
static void look_at_stranger(sk_keeper *k, const struct stat *st) {
        if (!S_ISSOCK(st->st_mode))
                return keeper_report_conflict(k, st, keeper_classify(st));
        /* A socket unit restarted, a daemon restarted: the same owner's new
         * socket. Another owner's is not ours to keep: it could be anyone's
         * squatter in a world-writable directory. */
        if (!owned_by_owner(k, st)) {
                if (k->have_socket && inode_id_eq(k->sock_id, inode_id_of(st))) {
                        /* Ours, given away (chown): let go of it. */
                        anchor_remove(&k->anchor);
                        k->have_socket = false;
                }
                return keeper_report_conflict(k, st, SK_CONFLICT_FOREIGN_SOCKET);
        }
        watch_socket(k, st, (k->have_socket && !inode_id_eq(k->sock_id, inode_id_of(st))) || k->lost);
}

/* The name at the path is one we linked back: its daemon may have been
 * stopping (socat and gunicorn unlink their socket on a clean stop, then
 * close it), so look soon whether anybody still holds it. */
static void relinked(sk_keeper *k) {
        (void) fs_touch_ours(k->dir_fd, k->name, k->sock_id);
        k->relinked_back = true;
        k->liveness_delay = SK_LIVENESS_FIRST_USEC;
        k->next_liveness = now_usec(KEEPER_CLOCK) + k->liveness_delay;
        keeper_emit(k, &(sk_event) {
                .type = SK_EVENT_RELINKED,
                .path = k->path,
                .relinked.usec = keeper_since_detection(k),
        });
        keeper_healed(k);
}

static void report_lost(sk_keeper *k, bool alive, bool removed) {
        if (k->lost)
                return;
        k->lost = true;
        keeper_emit(k, &(sk_event) {
                .type = SK_EVENT_LOST,
                .path = k->path,
                .lost = {
                        .dev = (uint64_t) k->sock_id.dev,
                        .ino = (uint64_t) k->sock_id.ino,
                        .alive = alive,
                        .removed = removed,
                },
        });
}

/* The path is gone. Returns 0 when it is settled (relinked, or reported
 * lost), -EAGAIN when somebody took the path meanwhile (look again),
 * another negative errno when a retry is scheduled. */
static int heal_attached(sk_keeper *k) {
        int alive, r;

        if (!k->have_socket || k->lost)
                return 0; /* waiting for a socket to appear */
        if (!k->detected_at)
                k->detected_at = now_usec(CLOCK_MONOTONIC);

        /* Asked through the anchor: the path is gone. */
        if (k->anchor.present)
                alive = kept_socket_alive(k, k->anchor.dir_fd, k->anchor.name);
        else {
                bool complete = false;

                alive = unix_diag_find_bound(k->sock_id, NULL, NULL, &complete) != 0 || !complete;
        }
        if (!alive) {
                /* Nobody holds it: keeping the inode would only block the
                 * owner's next bind(). Forget it too: with its last link
                 * gone its inode number is free, and the very next socket
                 * bound here (anybody's) may well get it. */
                anchor_remove(&k->anchor);
                report_lost(k, false, false);
                k->have_socket = false;
                return 0;
        }
        if (!k->relink) {
                report_lost(k, true, false);
                return 0;
        }

        r = anchor_restore(&k->anchor, k->dir_fd, k->name);
        if (r == -ENOENT) {
                report_lost(k, true, false);
                return 0;
        }
        if (r == -EEXIST)
                return -EAGAIN;
        if (r < 0) {
                keeper_failed(k, r, "relink anchor");
                return r;
        }

        relinked(k);
        return 0;
}

static bool is_ours_attached(sk_keeper *k, const struct stat *st) {
        return k->have_socket && S_ISSOCK(st->st_mode) && inode_id_eq(inode_id_of(st), k->sock_id) &&
               owned_by_owner(k, st);
}

/* Ours again, whoever put it back. */
static void ours_again_attached(sk_keeper *k) {
        k->lost = false;
        if (k->relinked_back)
                keeper_check_liveness(k);
}

const keeper_mode keeper_mode_attached = {
        .is_ours = is_ours_attached,
        .ours_again = ours_again_attached,
        .stranger = look_at_stranger,
        .heal = heal_attached,
};

/* A socket we linked back whose last holder has closed it: the daemon
 * removed its name on a clean stop and has gone. Its file would make
 * the next start fail (EADDRINUSE), so the name goes again, if it still
 * leads to that very inode. */
void keeper_check_liveness(sk_keeper *k) {
        int r;

        if (!k->have_socket || !k->relinked_back)
                return;
        if (kept_socket_alive(k, k->dir_fd, k->name)) {
                uint64_t max = k->check_usec;

                k->liveness_delay = k->liveness_delay * 4 > max ? max : k->liveness_delay * 4;
                k->next_liveness = k->liveness_delay < max ? now_usec(KEEPER_CLOCK) + k->liveness_delay : 0;
                return;
        }
        k->next_liveness = 0;
        r = fs_unlink_ours(k->dir_fd, k->name, k->sock_id);
        if (r < 0 && r != -ENOENT)
                return; /* something else is there now: the next look sees it */
        anchor_remove(&k->anchor);
        k->relinked_back = false;
        report_lost(k, false, true);
        k->have_socket = false;
}

/* At start with the path missing: a keeper of ours that was killed may
 * have left an anchor of this path whose socket is still bound. Link it
 * back, as that keeper would have done. */
static bool recover_from_anchor(sk_keeper *k, inode_id *ret_id) {
        return k->relink && anchor_recover(&(anchor_site) {
                                .socket_path = k->path,
                                .socket_dir_fd = k->dir_fd,
                                .socket_name = k->name,
                                .override = k->anchor_override,
                        }, accept_recovered, k, ret_id) > 0;
}

/* The start, once the keeper watches the path: whose sockets to keep,
 * unless told (the one found at the path, or, when there is none, our
 * own), a socket that a killed keeper of ours left in its anchor, and the
 * first look, which decides: a socket is watched at once, a missing path
 * is waited for, anything else is reported. */
void keeper_attach_start(sk_keeper *k) {
        bool recovered = false;
        inode_id recovered_id;
        struct stat st;

        if (!k->have_owner) {
                k->owner_uid = default_owner(k);
                k->have_owner = true;
        }
        if (fstatat(k->dir_fd, k->name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
                recovered = recover_from_anchor(k, &recovered_id);

        keeper_look(k, &keeper_mode_attached);
        if (recovered && k->have_socket && inode_id_eq(k->sock_id, recovered_id))
                relinked(k);
}
