/* SPDX-License-Identifier: MIT */
/* Where a socket's file is when its name does not lead to it here: a name
 * means a file only in one mount namespace and root. A service behind
 * PrivateTmp=, a chrooted daemon or a container binds in its own, where
 * its clients reach it; systemd-nspawn binds the container's notify
 * socket inside the container and holds it outside. Such a socket is not
 * orphaned. Looked up only for sockets whose file is not at their name. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "macro.h"
#include "path-util.h"
#include "risk.h"

/* A mount namespace and a root: what a name is looked up in. */
typedef struct view_key {
        ino_t mntns;
        dev_t root_dev;
        ino_t root_ino;
        pid_t pid;
} view_key;

static bool same_view(const view_key *x, const view_key *y) {
        return x->mntns == y->mntns && x->root_dev == y->root_dev && x->root_ino == y->root_ino;
}

static int cmp_view(const void *a, const void *b) {
        const view_key *x = a, *y = b;

        if (x->mntns != y->mntns)
                return x->mntns < y->mntns ? -1 : 1;
        if (x->root_dev != y->root_dev)
                return x->root_dev < y->root_dev ? -1 : 1;
        if (x->root_ino != y->root_ino)
                return x->root_ino < y->root_ino ? -1 : 1;
        return (x->pid > y->pid) - (x->pid < y->pid);
}

/* PROC_PID ("/proc/self", "/proc/123"): its mount namespace and root.
 * -errno of the first that cannot be read. */
static int view_of(const char *proc_pid, view_key *ret) {
        char p[64];
        struct stat ns, root;

        snprintf(p, sizeof(p), "%s/ns/mnt", proc_pid);
        if (stat(p, &ns) < 0)
                return -errno;
        snprintf(p, sizeof(p), "%s/root", proc_pid);
        if (stat(p, &root) < 0)
                return -errno;
        *ret = (view_key) { .mntns = ns.st_ino, .root_dev = root.st_dev, .root_ino = root.st_ino };
        return 0;
}

/* One process of every mount namespace and root but ours, lowest PID
 * first. A process we may not look into (not root) is left out; whether
 * a socket's holder is hidden so is told by its holders (find_place()). */
static int load_views(risk_machine *m) {
        _cleanup_free_ view_key *keys = NULL;
        size_t n = 0, allocated = 0;
        view_key self;
        struct dirent *de;
        DIR *d;

        m->views_loaded = true;
        if (view_of("/proc/self", &self) < 0)
                return 0;
        d = opendir("/proc");
        if (!d)
                return 0;
        while ((de = readdir(d))) {
                char p[64];
                char *end;
                long pid = strtol(de->d_name, &end, 10);
                view_key k;

                if (*end || pid <= 0)
                        continue;
                snprintf(p, sizeof(p), "/proc/%ld", pid);
                if (view_of(p, &k) < 0 || same_view(&k, &self))
                        continue;
                if (GREEDY_REALLOC(keys, allocated, n + 1, 64) < 0) {
                        closedir(d);
                        return -ENOMEM;
                }
                k.pid = (pid_t) pid;
                keys[n++] = k;
        }
        closedir(d);
        if (n > 1)
                qsort(keys, n, sizeof(*keys), cmp_view);
        m->views = malloc((n ?: 1) * sizeof(*m->views));
        if (!m->views)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (i == 0 || !same_view(&keys[i], &keys[i - 1]))
                        m->views[m->n_views++] = keys[i].pid;
        return 0;
}

/* Whether process PID sees S's file at S's name: 1, 0, or -errno when
 * its view is not ours to look into. */
static int seen_by(pid_t pid, const unix_socket_info *s) {
        _cleanup_free_ char *full = NULL;
        char root[32];
        struct stat st;

        snprintf(root, sizeof(root), "/proc/%d/root", (int) pid);
        full = path_join_root(root, s->name);
        if (!full)
                return -ENOMEM;
        if (lstat(full, &st) < 0)
                return errno == EACCES || errno == EPERM ? -EACCES : 0;
        return S_ISSOCK(st.st_mode) && unix_diag_matches(s->vfs, inode_id_of(&st));
}

static int find_place(risk_machine *m, const unix_socket_info *s, socket_place_memo *ret) {
        const socket_owners *o = risk_machine_owners(m);
        const socket_holder *h = NULL;
        size_t n = 0;
        bool hidden;
        int r;

        *ret = (socket_place_memo) { .sock_ino = s->sock_ino, .place = SOCKET_PLACE_GONE };
        if (!s->has_vfs || !s->name || s->name[0] != '/')
                return 0;
        /* Its holders first: where it was bound, nearly always. */
        if (o)
                h = socket_owners_find(o, s->sock_ino, &n);
        hidden = !o || (n == 0 && o->n_unreadable > 0);
        for (size_t i = 0; i < n; i++) {
                r = seen_by(h[i].pid, s);
                if (r == -ENOMEM)
                        return r;
                if (r == -EACCES)
                        hidden = true;
                if (r > 0) {
                        ret->place = SOCKET_PLACE_ELSEWHERE;
                        ret->pid = h[i].pid;
                        ret->holder = true;
                        return 0;
                }
        }
        /* Bound in one namespace, held in another. */
        if (!m->views_loaded) {
                r = load_views(m);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < m->n_views; i++) {
                r = seen_by(m->views[i], s);
                if (r == -ENOMEM)
                        return r;
                if (r > 0) {
                        ret->place = SOCKET_PLACE_ELSEWHERE;
                        ret->pid = m->views[i];
                        return 0;
                }
        }
        if (hidden)
                ret->place = SOCKET_PLACE_UNKNOWN;
        return 0;
}

int risk_machine_socket_place(risk_machine *m, const unix_socket_info *s, socket_place_memo *ret) {
        socket_place_memo found;
        int r;

        /* Asked by scan and then by the classifier: the latest first. */
        for (size_t i = m->n_places; i > 0; i--)
                if (m->places[i - 1].sock_ino == s->sock_ino) {
                        if (ret)
                                *ret = m->places[i - 1];
                        return 0;
                }
        r = find_place(m, s, &found);
        if (r < 0)
                return r;
        /* Grown by doubling: thousands of orphans are no quadratic copy. */
        if (GREEDY_REALLOC(m->places, m->allocated_places, m->n_places + 1, 16) < 0)
                return -ENOMEM;
        m->places[m->n_places++] = found;
        if (ret)
                *ret = found;
        return 0;
}
