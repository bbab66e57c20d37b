/* SPDX-License-Identifier: MIT */
/* guard --auto: every listening (or bound datagram) AF_UNIX socket of the
 * machine whose path is at risk is found and kept, with nothing to
 * configure. At risk: below a world-writable sticky directory (/tmp,
 * /var/tmp, /dev/shm: any user's find, a cleanup script, the next release
 * of the distribution cleans those), or rated risky by the classifier.
 * Not kept: abstract sockets, sockets under /run (the runtime directories,
 * $XDG_RUNTIME_DIR among them), and sockets that a keeper already keeps
 * (their file has a second link: an anchor). Each is kept for the user
 * that owned it when it was first seen, and let go once it is closed. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>

#include "guard.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "risk.h"
#include "unix-diag.h"

static void ignore_warning(const char *file, unsigned line, const char *message, void *userdata) {
}

/* A directory on the way to PATH that anyone may write into, but where
 * only an entry's owner may remove it: what general-purpose cleaners are
 * pointed at. */
static bool below_sticky_world_writable(const char *path) {
        _cleanup_free_ char *dir = path_parent(path);

        while (dir && !streq(dir, "/")) {
                struct stat st;
                char *up;

                if (stat(dir, &st) >= 0 && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) && (st.st_mode & S_IWOTH))
                        return true;
                up = path_parent(dir);
                free(dir);
                dir = up;
        }
        return false;
}

/* Whether the socket S (a file ST) is one for --auto to keep. */
static bool wanted(guard *g, const unix_socket_info *s, const struct stat *st) {
        _cleanup_(risk_report_done) risk_report rep = {};

        if (path_is_under("/run", s->name))
                return false;
        if (g->auto_under && !path_is_under(g->auto_under, s->name))
                return false;
        /* A second link is an anchor: some keeper keeps it already. */
        if (st->st_nlink > 1)
                return false;
        if (below_sticky_world_writable(s->name))
                return true;
        return g->auto_risk_loaded && risk_classify(&g->auto_risk, s->name, &rep) >= 0 && rep.rating == RISK_RISKY;
}

static int add_auto_path(guard *g, const char *path, uid_t owner) {
        guard_path *p;
        int r;

        if (!g->auto_group) {
                r = guard_new_group(&g->auto_group, NULL);
                if (r < 0)
                        return r;
        }
        r = guard_add_path_to(g, path, g->auto_group);
        if (r < 0)
                return r;
        p = g->paths[g->n_paths - 1];
        p->automatic = true;
        p->auto_owner = owner;
        r = guard_start_path(g, p);
        if (r < 0)
                return r;
        log_event(LOG_INFO, p->path, NULL, "discovered", "at risk: keeping it for uid %u", (unsigned) owner);
        return 1;
}

static int compare_ids(const void *a, const void *b) {
        const inode_id *x = a, *y = b;

        if (x->dev != y->dev)
                return x->dev < y->dev ? -1 : 1;
        return (uint32_t) x->ino < (uint32_t) y->ino ? -1 : (uint32_t) x->ino > (uint32_t) y->ino;
}

/* The files of the bound sockets, sorted (32-bit inode numbers, as
 * sock_diag gives them). */
static inode_id *bound_files(const unix_socket_info *s, size_t n, size_t *ret_n) {
        inode_id *ids = reallocarray(NULL, n ?: 1, sizeof(*ids));
        size_t k = 0;

        if (!ids)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (s[i].has_vfs)
                        ids[k++] = (inode_id) { .dev = s[i].vfs.dev, .ino = (uint32_t) s[i].vfs.ino };
        qsort(ids, k, sizeof(*ids), compare_ids);
        *ret_n = k;
        return ids;
}

int guard_auto_discover(guard *g) {
        _cleanup_free_ guard_path **sorted = NULL;
        _cleanup_free_ inode_id *live = NULL;
        unix_socket_info *s = NULL;
        size_t n = 0, n_sorted, added = 0, n_live = 0;
        bool complete = false;
        int r;

        if (!g->auto_mode)
                return 0;
        if (!g->auto_risk_loaded)
                g->auto_risk_loaded = risk_machine_load_offline(&g->auto_risk, "/", ignore_warning, NULL) >= 0;

        /* Every network namespace: a daemon under PrivateNetwork=yes or
         * unshare -n binds its file in /tmp all the same. */
        r = unix_diag_list(UNIX_DIAG_ALL_NETNS, &s, &n, &complete);
        if (r < 0)
                return r;
        /* What is kept already, sorted once for the whole pass: 10,000
         * sockets are no 10,000 walks through 10,000 paths. */
        n_sorted = g->n_paths;
        sorted = guard_sorted_paths(g);
        if (n_sorted && !sorted) {
                unix_socket_info_free_many(s, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                struct stat st;

                if (!s[i].name || s[i].name[0] != '/' || !s[i].has_vfs)
                        continue;
                if (!s[i].listening && s[i].type != SOCK_DGRAM)
                        continue; /* a connection, or bound and not listening yet */
                if (guard_find_path(sorted, n_sorted, s[i].name))
                        continue;
                /* Still at its name (a renamed or orphaned socket is scan's
                 * business), and by its file, not by the string. */
                if (lstat(s[i].name, &st) < 0 || !S_ISSOCK(st.st_mode) || !unix_diag_matches(s[i].vfs, inode_id_of(&st)))
                        continue;
                if (!wanted(g, &s[i], &st))
                        continue;
                r = add_auto_path(g, s[i].name, st.st_uid);
                if (r < 0)
                        break;
                added += r;
        }
        /* What --auto keeps and is no longer bound (its daemon exited and
         * left its file) is let go too, at the next round; only after a
         * look into every namespace, or a live one might be taken for
         * gone. */
        live = r >= 0 && complete ? bound_files(s, n, &n_live) : NULL;
        for (size_t i = 0; live && i < g->n_paths; i++) {
                guard_path *p = g->paths[i];
                inode_id id = { .dev = (dev_t) p->sock_dev, .ino = (ino_t) (uint32_t) p->sock_ino };

                if (!p->automatic || !p->sock_ino || p->gone)
                        continue;
                if (!bsearch(&id, live, n_live, sizeof(*live), compare_ids)) {
                        p->gone = true;
                        g->auto_gone = true;
                }
        }
        unix_socket_info_free_many(s, n);
        return r < 0 ? r : (int) added;
}

int guard_auto_release(guard *g) {
        size_t kept = 0;

        /* Let go of what --auto took and whose socket is gone: no keeper is
         * left behind for a daemon that exited. */
        for (size_t i = 0; i < g->n_paths; i++) {
                guard_path *p = g->paths[i];

                if (p->automatic && p->gone) {
                        log_event(LOG_INFO, p->path, NULL, "released", "its socket is gone: letting it go");
                        guard_path_free(p);
                        continue;
                }
                g->paths[kept++] = p;
        }
        g->n_paths = kept;
        g->auto_gone = false;
        return 0;
}
