/* SPDX-License-Identifier: MIT */
/* What a keeper keeps up while the path is its own, bound or attached
 * alike: an anchor in place, the sticky bit, fresh timestamps; and a
 * conflict reported once per intruder rather than at every look. */

#include <errno.h>
#include <sys/stat.h>

#include "keeper-internal.h"
#include "macro.h"

/* Keeps an anchor in place while the path is ours, re-choosing the anchor
 * directory if it was removed. A failure has its own, slower backoff: the
 * socket is reachable meanwhile, only the next relink is at stake. */
void keeper_ensure_anchor(sk_keeper *k) {
        int r;

        if (!k->relink || k->abstract || !k->have_socket)
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

/* Renews the socket's timestamps (and its sticky bit). -ENOENT, -ESTALE
 * or -ELOOP when there is no socket to refresh (attached, waiting for
 * one) or the path does not lead to it at the moment: the caller then
 * looks properly. */
int keeper_refresh(sk_keeper *k) {
        int r;

        if (!k->have_socket)
                return -ENOENT;

        r = fs_touch_ours(k->dir_fd, k->name, k->sock_id);
        if (r < 0)
                return r;
        keeper_renew_sticky(k);

        keeper_emit(k, &(sk_event) { .type = SK_EVENT_REFRESHED, .path = k->path });
        return 0;
}
