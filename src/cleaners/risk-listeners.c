/* SPDX-License-Identifier: MIT */
/* What listens at a path, for the classifier: a socket bound by the name
 * in our network namespace (what tmpfiles sees), or bound to the file
 * itself in any namespace, found in the machine's index of sockets by
 * name and by file, or in a caller's short list; and the reasons that
 * follow, naming the holder and the namespace of a listener that
 * tmpfiles cannot see. */

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "macro.h"
#include "risk-internal.h"
#include "shared-tmp.h"
#include "socket-renamed.h"

/* The entries of an index (sorted by CMP) equal to KEY, in list order. */
static const unix_socket_info *const *index_run(const unix_socket_info *const *index, size_t n,
                                                const unix_socket_info *key,
                                                int (*cmp)(const unix_socket_info *, const unix_socket_info *),
                                                size_t *ret_n) {
        size_t lo = 0, hi = n, end;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (cmp(index[mid], key) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (end = lo; end < n && cmp(index[end], key) == 0; end++)
                ;
        *ret_n = end - lo;
        return index + lo;
}

static int cmp_name(const unix_socket_info *x, const unix_socket_info *y) {
        return strcmp(x->name, y->name);
}

static int cmp_vfs(const unix_socket_info *x, const unix_socket_info *y) {
        uint32_t i = (uint32_t) x->vfs.ino, j = (uint32_t) y->vfs.ino;

        if (x->vfs.dev != y->vfs.dev)
                return x->vfs.dev < y->vfs.dev ? -1 : 1;
        return (i > j) - (i < j);
}

/* The sockets that may be bound at FULL: those of that name, from the
 * index, or all of them. */
static const unix_socket_info *const *named_candidates(const risk_sockets *sockets, const char *full,
                                                       size_t *ret_n) {
        unix_socket_info key = { .name = (char *) full };

        if (!sockets->by_name) {
                *ret_n = 0;
                return NULL;
        }
        return index_run(sockets->by_name, sockets->n_by_name, &key, cmp_name, ret_n);
}

/* Whether /proc/net/unix of our network namespace, the only one tmpfiles
 * reads, lists the name. */
bool risk_listed_live(const risk_sockets *sockets, const char *full) {
        const unix_socket_info *const *run;
        size_t n;

        if (sockets->by_name) {
                run = named_candidates(sockets, full, &n);
                for (size_t i = 0; i < n; i++)
                        if (!run[i]->other_netns)
                                return true;
                return false;
        }
        for (size_t i = 0; i < sockets->n; i++)
                if (!sockets->list[i].other_netns && sockets->list[i].name && streq(sockets->list[i].name, full))
                        return true;
        return false;
}

/* "PID 1234 (python3, foo.service)": the process that holds the socket. */
static char *describe_holder(risk_machine *m, uint32_t sock_ino) {
        const socket_owners *o = risk_machine_owners(m);
        const process_info *p;
        char *s;

        if (!o || socket_owners_service(o, &m->processes, sock_ino, &p) < 0)
                return strdup(o && o->n_unreadable == 0 ? "no process that /proc shows"
                                                        : "a process that only root can see");
        if (asprintf(&s, "PID %d (%s%s%s%s%s)", (int) p->pid, p->comm ?: "gone", p->unit ? ", " : "",
                     strempty(p->manager), p->manager ? "/" : "", strempty(p->unit)) < 0)
                return NULL;
        return s;
}

/* A listener in another network namespace, on this very file: live,
 * though tmpfiles, which reads only its own namespace's /proc/net/unix,
 * cannot know. Where a tmpfiles.d line ages the path, it deletes it. */
static void check_other_netns(risk_machine *m, report_ctx *x, const unix_socket_info *s) {
        risk_report *r = &x->r;
        bool aged = r->tmpfiles_evaluated && r->tmpfiles.fate == TMPFILES_AGED;
        risk_rating rating = !aged ? RISK_OK : m->timer == TIMER_ENABLED ? RISK_RISKY : RISK_CAUTION;
        _cleanup_free_ char *holder = NULL;
        const char *name;
        char where[96];

        /* The words, which name the holder, only where they are read. */
        if (!risk_told(x, rating)) {
                risk_reason_push(x, rating, "netns", NULL, NULL);
                return;
        }
        holder = describe_holder(m, s->sock_ino);
        name = netns_names_find(risk_machine_netns_names(m), s->netns);

        if (name)
                snprintf(where, sizeof(where), "network namespace %" PRIu64 ", '%s' in /run/netns", s->netns,
                         name);
        else
                snprintf(where, sizeof(where), "network namespace %" PRIu64, s->netns);

        if (aged)
                risk_reason_add(x, rating, "netns", "sock_diag",
                           "a socket listens on this file from another %s, held by %s: systemd-tmpfiles looks for "
                           "live sockets only in /proc/net/unix of its own network namespace, so it cannot see "
                           "this listener and will delete the file once it is old enough",
                           where, holder ?: "a process");
        else
                risk_reason_add(x, RISK_OK, "netns", "sock_diag",
                           "a socket listens on this file from another %s, held by %s (systemd-tmpfiles cannot "
                           "see that listener, but no tmpfiles.d line ages the path)",
                           where, holder ?: "a process");
}

/* A live socket renamed after bind within its directory (haproxy):
 * reachable, and taken for dead by tmpfiles. Risky where the clean
 * timer's tmpfiles.d line ages it, or where any user's cleanup reaches
 * (a shared directory such as /tmp); a caution elsewhere, where only a
 * line added later would delete it. */
static void check_renamed(risk_machine *m, report_ctx *x, const char *path, const char *bound) {
        risk_report *r = &x->r;
        const char *shared = NULL;
        risk_rating rating = RISK_CAUTION;
        bool aged = r->tmpfiles_evaluated && r->tmpfiles.fate == TMPFILES_AGED && m->timer == TIMER_ENABLED;
        char where[PATH_MAX + 128];

        if (aged || shared_tmp_dir(m, path, &shared) > 0)
                rating = RISK_RISKY;
        if (!risk_told(x, rating)) {
                risk_reason_push(x, rating, "renamed", NULL, NULL);
                return;
        }
        if (aged)
                snprintf(where, sizeof(where), "and the daily clean ages this directory");
        else if (shared)
                snprintf(where, sizeof(where),
                         "and it is in %s, which every user shares: cleanup that no configuration shows reaches "
                         "it there",
                         shared);
        else
                snprintf(where, sizeof(where), "should a tmpfiles.d line ever age this directory");
        risk_reason_add(x, rating, "renamed", "sock_diag",
                        "the socket on this file was bound as '%s' and renamed to this name in the same directory: "
                        "sock_diag keeps the bind-time name, so systemd-tmpfiles takes this live socket for dead and "
                        "deletes it (systemd issue 20635), %s",
                        bound, where);
}

static bool serves(const unix_socket_info *s) {
        return s->listening || s->type == SOCK_DGRAM;
}

/* A name means something only in our own namespace: in another, the same
 * string may name another file. */
static bool bound_by_name(const unix_socket_info *s, const char *full) {
        return !s->other_netns && s->name && streq(s->name, full);
}

/* What listens at a path. */
typedef struct listeners {
        const unix_socket_info *named;          /* bound at the name here: listening, orphaned or hijacked */
        const unix_socket_info *on_file;        /* bound to the file by another name */
        const unix_socket_info *elsewhere;      /* bound at the name, its file in another mount namespace */
        socket_place_memo place;                /* ... where */
        const unix_socket_info *hidden;         /* bound at the name, its holder's view out of reach */
} listeners;

/* Whether the server S, bound at the name FULL, is the one the path is
 * about: its file is the one there (ST, when EXISTS), or in no other
 * mount namespace either (orphaned, hijacked). One whose file is only in
 * another mount namespace or root, where it is bound by the same name, is
 * not: noted in L, and looked up only here, where the file is not its. */
static bool named_here(risk_machine *m, const unix_socket_info *s, const struct stat *st, bool exists,
                       listeners *l) {
        socket_place_memo place;

        if (!s->has_vfs || (exists && unix_diag_matches(s->vfs, inode_id_of(st))))
                return true;
        if (risk_machine_socket_place(m, s, &place) < 0)
                return true;
        if (place.place == SOCKET_PLACE_ELSEWHERE && !l->elsewhere) {
                l->elsewhere = s;
                l->place = place;
        } else if (place.place == SOCKET_PLACE_UNKNOWN && !l->hidden)
                l->hidden = s;
        return place.place == SOCKET_PLACE_GONE;
}

/* The last server in list order bound at the name FULL here, and the last
 * other one bound to the file ST: from the index when there is one. */
static void find_listeners(risk_machine *m, const risk_sockets *sockets, const char *full, const struct stat *st,
                           bool exists, listeners *l) {
        const unix_socket_info *const *run;
        size_t n;

        *l = (listeners) {};
        if (!sockets->by_name || !sockets->by_vfs) {
                for (size_t i = sockets->n; i > 0 && !l->named; i--) {
                        const unix_socket_info *s = &sockets->list[i - 1];

                        if (serves(s) && bound_by_name(s, full) && named_here(m, s, st, exists, l))
                                l->named = s;
                }
                for (size_t i = 0; exists && i < sockets->n; i++) {
                        const unix_socket_info *s = &sockets->list[i];

                        if (serves(s) && !bound_by_name(s, full) && s->has_vfs &&
                            unix_diag_matches(s->vfs, inode_id_of(st)))
                                l->on_file = s;
                }
        } else {
                unix_socket_info key = { .vfs = exists ? inode_id_of(st) : (inode_id) {} };

                run = named_candidates(sockets, full, &n);
                for (size_t i = n; i > 0 && !l->named; i--)
                        if (serves(run[i - 1]) && !run[i - 1]->other_netns &&
                            named_here(m, run[i - 1], st, exists, l))
                                l->named = run[i - 1];
                run = exists ? index_run(sockets->by_vfs, sockets->n_by_vfs, &key, cmp_vfs, &n) : NULL;
                for (size_t i = 0; run && i < n; i++)
                        if (serves(run[i]) && !bound_by_name(run[i], full))
                                l->on_file = run[i];
        }
}

/* "PID 1234 (python3, foo.service)" of a process that sees a file. */
static char *describe_process(risk_machine *m, pid_t pid) {
        const process_info *p = NULL;
        char *s;

        (void) process_cache_get(&m->processes, pid, &p);
        if (asprintf(&s, "PID %d (%s%s%s%s%s)", (int) pid, p && p->comm ? p->comm : "gone",
                     p && p->unit ? ", " : "", p ? strempty(p->manager) : "", p && p->manager ? "/" : "",
                     p ? strempty(p->unit) : "") < 0)
                return NULL;
        return s;
}

/* Bound at the name, with its file elsewhere or out of sight: not gone. */
static void check_elsewhere(risk_machine *m, report_ctx *x, const listeners *l) {
        _cleanup_free_ char *who = NULL;

        if (l->elsewhere) {
                if (risk_told(x, RISK_OK))
                        who = describe_process(m, l->place.pid);
                risk_reason_add(x, RISK_OK, "private-mount", "/proc",
                                "a socket (inode %" PRIu32 ") is bound to this name in another mount namespace or "
                                "root, where its file is: %s %s sees it at this name, and clients there reach it",
                                l->elsewhere->sock_ino, l->place.holder ? "its holder" : "the process",
                                who ?: "?");
        } else if (l->hidden)
                risk_reason_add(x, RISK_CAUTION, "holder-hidden", "/proc",
                                "a socket (inode %" PRIu32 ") is bound to this name, but its file is not here, and "
                                "the mount namespace of its holder could not be looked into (only root can): it "
                                "may be reachable there (PrivateTmp=, a container), or gone",
                                l->hidden->sock_ino);
}

void risk_check_listeners(risk_machine *m, const risk_sockets *sockets, report_ctx *x, const char *path,
                          const char *full, const struct stat *st, bool exists) {
        risk_report *r = &x->r;
        const unix_socket_info *named, *on_file;
        bool complete = m->other_netns_loaded && m->netns_complete;
        listeners l;

        if (!sockets->known)
                return;
        find_listeners(m, sockets, full, st, exists, &l);
        named = l.named;
        on_file = l.on_file;
        if (!named)
                check_elsewhere(m, x, &l);

        if (named && !exists)
                risk_reason_add(x, RISK_RISKY, "orphaned", "sock_diag",
                           "a socket (inode %" PRIu32 ") is bound to this name, but the file is gone: every "
                           "client gets ENOENT until the service binds again",
                           named->sock_ino);
        else if (named && exists && named->has_vfs && !unix_diag_matches(named->vfs, inode_id_of(st)))
                risk_reason_add(x, RISK_RISKY, "hijacked", "sock_diag",
                           "a socket is bound to this name, but the path now leads to another file");
        else if (named)
                risk_reason_add(x, RISK_OK, "listener", "sock_diag", "a socket listens here now");
        else if (on_file && on_file->other_netns)
                check_other_netns(m, x, on_file);
        else if (on_file && socket_renamed_in_dir(on_file, full, st))
                check_renamed(m, x, path, on_file->name);
        else if (on_file)
                risk_reason_add(x, RISK_CAUTION, "renamed", "sock_diag",
                           "the socket on this file was bound as '%s' (renamed after bind, or a relative path): "
                           "tmpfiles does not count it as live",
                           strempty(on_file->name));
        else if (exists && S_ISSOCK(st->st_mode) && complete)
                risk_reason_add(x, RISK_OK, "stale", "sock_diag", "nothing listens on this socket file now");
        else if (exists && S_ISSOCK(st->st_mode)) {
                risk_reason_add(x, RISK_OK, "stale", "sock_diag",
                           "nothing listens on this socket file now in the network namespaces that could be "
                           "looked into; some were out of reach (only root can enter them all)");
                r->netns_incomplete = true;
        }
}
