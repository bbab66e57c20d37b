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

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
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
#include "shared-tmp.h"
#include "socket-renamed.h"
#include "unix-diag.h"

static void ignore_warning(const char *file, unsigned line, const char *message, void *userdata) {
}

/* Whether a socket bound at PATH may be one for --auto at all (a renamed
 * one stays in its directory): before anything is looked at. */
static bool in_scope(guard *g, const char *path) {
        return !path_is_under("/run", path) && (!g->auto_under || path_is_under(g->auto_under, path));
}

/* Whether the path PATH (a socket file ST) is one for --auto to keep. */
static bool wanted(risk_machine *m, const char *path, const struct statx *stx, nlink_t nlink) {
        _cleanup_(risk_report_done) risk_report rep = {};
        risk_sockets sockets;

        /* A second link is an anchor: some keeper keeps it already. */
        if (nlink > 1)
                return false;
        if (shared_tmp_dir(m, path, NULL) > 0)
                return true;
        /* With the machine's sockets: a listener that tmpfiles sees is
         * spared by it, one in another namespace or renamed is not. */
        sockets = risk_machine_sockets(m);
        return risk_classify_found(m, path, stx, &sockets, &rep) >= 0 &&
               rep.rating >= RISK_RISKY;
}

/* The file of socket S under the name clients use: its bind name, or the
 * name it was renamed to within its directory (haproxy binds
 * PATH.PID.tmp and renames it to PATH). 1 with *RET_PATH and *RET_STX,
 * 0 when it has none (orphaned), or -ENOMEM. */
static int socket_file(const unix_socket_info *s, char **ret_path, struct statx *ret_stx) {
        _cleanup_free_ char *dir = NULL;
        struct statx stx;
        struct stat st;
        struct dirent *de;
        DIR *d;
        int r = 0;

        if (statx(AT_FDCWD, s->name, AT_SYMLINK_NOFOLLOW, RISK_STATX_MASK, &stx) >= 0) {
                stat_from_statx(&stx, &st);
                if (S_ISSOCK(st.st_mode) && unix_diag_matches(s->vfs, inode_id_of(&st))) {
                        *ret_path = strdup(s->name);
                        *ret_stx = stx;
                        return *ret_path ? 1 : -ENOMEM;
                }
        }
        dir = path_parent(s->name);
        if (!dir)
                return -ENOMEM;
        d = opendir(dir);
        if (!d)
                return 0;
        while (r == 0 && (de = readdir(d))) {
                _cleanup_free_ char *full = NULL;

                if ((uint32_t) de->d_ino != (uint32_t) s->vfs.ino || (de->d_type != DT_SOCK && de->d_type != DT_UNKNOWN))
                        continue;
                if (asprintf(&full, "%s%s%s", dir, streq(dir, "/") ? "" : "/", de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (statx(dirfd(d), de->d_name, AT_SYMLINK_NOFOLLOW, RISK_STATX_MASK, &stx) < 0)
                        continue;
                stat_from_statx(&stx, &st);
                if (socket_renamed_in_dir(s, full, &st)) {
                        *ret_path = TAKE_PTR(full);
                        *ret_stx = stx;
                        r = 1;
                }
        }
        closedir(d);
        return r;
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

/* Marks the --auto paths whose socket is no longer bound anywhere (the
 * daemon exited and left its file), to be let go. */
static void mark_gone(guard *g, const unix_socket_info *s, size_t n) {
        _cleanup_free_ inode_id *live = NULL;
        size_t n_live = 0;

        live = bound_files(s, n, &n_live);
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
}

int guard_auto_discover(guard *g) {
        _cleanup_(risk_machine_done) risk_machine m = {};
        _cleanup_free_ guard_path **sorted = NULL;
        size_t n_sorted, added = 0;
        int r;

        if (!g->auto_mode)
                return 0;
        /* The machine as it is now: its configuration, its directories, and
         * its sockets in every network namespace (a daemon under
         * PrivateNetwork=yes or unshare -n binds its file in /tmp all the
         * same), listed once for the whole pass. */
        r = risk_machine_load(&m, "/", ignore_warning, NULL);
        if (r < 0)
                return r;
        m.texts_from = RISK_ERROR; /* ratings, not the words that nobody reads */
        m.advice = false;
        r = risk_machine_load_other_netns(&m);
        if (r < 0)
                return r;
        if (!m.sockets_known)
                return -EOPNOTSUPP;

        /* What is kept already, sorted once for the whole pass: 10,000
         * sockets are no 10,000 walks through 10,000 paths. */
        n_sorted = g->n_paths;
        sorted = guard_sorted_paths(g);
        if (n_sorted && !sorted)
                return -ENOMEM;
        for (size_t i = 0; i < m.n_sockets; i++) {
                const unix_socket_info *s = &m.sockets[i];
                _cleanup_free_ char *path = NULL;
                struct statx stx;
                struct stat st;

                if (!s->name || s->name[0] != '/' || !s->has_vfs)
                        continue;
                if (!s->listening && s->type != SOCK_DGRAM)
                        continue; /* a connection, or bound and not listening yet */
                if (!in_scope(g, s->name) || guard_find_path(sorted, n_sorted, s->name))
                        continue;
                /* By its file, never by the string: in another mount
                 * namespace the same name may be another file. */
                r = socket_file(s, &path, &stx);
                if (r < 0)
                        return r;
                if (r == 0 || (!streq(path, s->name) && guard_find_path(sorted, n_sorted, path)))
                        continue;
                stat_from_statx(&stx, &st);
                if (!wanted(&m, path, &stx, st.st_nlink))
                        continue;
                r = add_auto_path(g, path, st.st_uid);
                if (r < 0)
                        return r;
                added += r;
        }
        /* Only after a look into every namespace: a live socket might be
         * taken for gone otherwise. */
        if (m.netns_complete)
                mark_gone(g, m.sockets, m.n_sockets);
        return (int) added;
}

int guard_auto_release(guard *g) {
        size_t kept = 0;

        /* Let go of what --auto took and whose socket is gone: no keeper is
         * left behind for a daemon that exited. */
        for (size_t i = 0; i < g->n_paths; i++) {
                guard_path *p = g->paths[i];

                if (p->automatic && p->gone) {
                        _cleanup_free_ char *path = strdup(p->path);

                        /* Told once it is done: its anchor is gone by then. */
                        guard_path_free(p);
                        log_event(LOG_INFO, path ?: "(a path)", NULL, "released", "its socket is gone: letting it go");
                        continue;
                }
                g->paths[kept++] = p;
        }
        g->n_paths = kept;
        g->auto_gone = false;
        return 0;
}
