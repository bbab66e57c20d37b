/* SPDX-License-Identifier: MIT */
/* The groups and paths that the guard's command line names, each kept
 * by a keeper of the library in attach mode: made, checked for paths
 * given twice (by sorting, so that 30,000 paths cost no 450 million
 * comparisons), started, and taken over from a command line read again
 * at a reload, which lets go of what is no longer named and starts what
 * is new while every other keeper goes on undisturbed. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cli.h"
#include "escape.h"
#include "guard.h"
#include "log.h"
#include "macro.h"

#define ATTACH_RETRY_USEC (10 * USEC_PER_SEC)

static void group_free(guard_group *grp) {
        if (!grp)
                return;
        free(grp->unit);
        ratelimit_done(&grp->rl);
        free(grp);
}

int guard_new_group(guard_group **ret, const char *unit) {
        guard_group *grp = calloc(1, sizeof(*grp));

        if (!grp)
                return -ENOMEM;
        /* A socket unit's socket is made by PID 1, as root, whoever its
         * file is chowned to (SocketUser=). */
        *grp = (guard_group) {
                .unit = unit ? strdup(unit) : NULL,
                .policy = unit && has_suffix(unit, ".socket") ? ON_LOSS_RESTART : ON_LOSS_RELINK_ONLY,
                .owner = 0,
                .have_owner = unit && has_suffix(unit, ".socket"),
        };
        if (unit && !grp->unit) {
                group_free(grp);
                return -ENOMEM;
        }
        *ret = grp;
        return 0;
}

int guard_add_group(guard *g, const char *unit) {
        guard_group **n = reallocarray(g->groups, g->n_groups + 1, sizeof(*n));
        int r;

        if (!n)
                return -ENOMEM;
        g->groups = n;
        r = guard_new_group(&n[g->n_groups], unit);
        if (r < 0)
                return r;
        g->n_groups++;
        return 0;
}

int guard_add_path(guard *g, const char *path) {
        return guard_add_path_to(g, path, g->groups[g->n_groups - 1]);
}

int guard_add_path_to(guard *g, const char *path, guard_group *group) {
        guard_path **n, *p;
        sk_keeper *k = NULL;
        int r;

        if (path[0] == '@') {
                _cleanup_free_ char *shown = cescape(path);

                log_error("%s: an abstract socket has no file, so there is nothing to guard", shown ?: path);
                return -EINVAL;
        }
        /* Not the library's "or @abstract name": the guard keeps files only. */
        if (path[0] != '/') {
                _cleanup_free_ char *shown = cescape(path);

                log_error("%s is not an absolute socket path", shown ?: path);
                return -EINVAL;
        }
        /* The keeper holds the canonical form ("//" and "/./" collapsed),
         * which is what is logged and compared from here on. */
        r = sk_keeper_new(&k, path);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                (void) log_keeper_error(path, r);
                return -EINVAL; /* a bad path is a usage error */
        }
        n = reallocarray(g->paths, g->n_paths + 1, sizeof(*n));
        p = n ? calloc(1, sizeof(*p)) : NULL;
        if (!p) {
                if (n)
                        g->paths = n;
                sk_keeper_free(k);
                return -ENOMEM;
        }
        g->paths = n;
        *p = (guard_path) {
                .guard = g,
                .keeper = k,
                .group = group,
                .path = sk_keeper_get_path(k),
                .order = g->n_paths,
        };
        n[g->n_paths++] = p;
        if (!streq(path, p->path)) {
                p->given = strdup(path);
                if (!p->given)
                        return -ENOMEM;
        }
        return 0;
}

static int compare_paths(const void *a, const void *b) {
        const guard_path *x = *(guard_path *const *) a, *y = *(guard_path *const *) b;
        int c = strcmp(x->path, y->path);

        return c != 0 ? c : x->order < y->order ? -1 : x->order > y->order;
}

guard_path **guard_sorted_paths(guard *g) {
        guard_path **sorted = g->n_paths ? reallocarray(NULL, g->n_paths, sizeof(*sorted)) : NULL;

        if (sorted) {
                memcpy(sorted, g->paths, g->n_paths * sizeof(*sorted));
                qsort(sorted, g->n_paths, sizeof(*sorted), compare_paths);
        }
        return sorted;
}

guard_path *guard_find_path(guard_path **sorted, size_t n, const char *path) {
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = strcmp(sorted[mid]->path, path);

                if (c == 0)
                        return sorted[mid];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

int guard_check_paths(guard *g) {
        _cleanup_free_ guard_path **sorted = guard_sorted_paths(g);

        if (g->n_paths && !sorted)
                return -ENOMEM;
        for (size_t i = 1; i < g->n_paths; i++)
                if (streq(sorted[i - 1]->path, sorted[i]->path)) {
                        _cleanup_free_ char *given = sorted[i]->given ? cescape(sorted[i]->given) : NULL,
                                            *path = cescape(sorted[i]->path);

                        /* Named as given the second time. */
                        if (given)
                                log_error("%s: given twice (both name %s)", given, strna(path));
                        else
                                log_error("%s: given twice", strna(path));
                        return -EINVAL;
                }
        return 0;
}

void guard_path_free(guard_path *p) {
        /* Freeing a keeper removes its anchors and nothing else. */
        sk_keeper_free(p->keeper);
        free(p->given);
        free(p);
}

void guard_paths_done(guard *g) {
        for (size_t i = 0; i < g->n_paths; i++)
                guard_path_free(g->paths[i]);
        for (size_t i = 0; i < g->n_groups; i++)
                group_free(g->groups[i]);
        free(g->paths);
        free(g->groups);
        g->paths = NULL;
        g->groups = NULL;
        g->n_paths = g->n_groups = 0;
        group_free(g->auto_group);
        g->auto_group = NULL;
}

static int attach_path(guard_path *p) {
        int r = sk_keeper_attach(p->keeper);

        if (r < 0) {
                /* A directory that is not there yet (created later by a
                 * service's RuntimeDirectory=, say): try again later. */
                if (!p->next_attach)
                        log_event(LOG_ERR, p->path, p->group->unit, "error",
                                  "cannot watch the path: %s%s; retrying every %" PRIu64 " s",
                                  strerror(-r), keeper_limit_hint(r), ATTACH_RETRY_USEC / USEC_PER_SEC);
                p->next_attach = now_usec(CLOCK_MONOTONIC) + ATTACH_RETRY_USEC;
                p->guard->path_timers = true;
                return 0;
        }
        p->next_attach = 0;
        p->attached = true;
        return 0;
}

int guard_start_path(guard *g, guard_path *p) {
        int r;

        p->guard = g;
        if (p->attached)
                return 0;
        if (p->next_attach)
                return attach_path(p); /* a retry: prepared already */
        r = sk_keeper_set_watcher(p->keeper, g->watcher);
        if (r >= 0)
                r = sk_keeper_set_event_callback(p->keeper, guard_on_event, p);
        if (r >= 0 && p->automatic)
                r = sk_keeper_set_owner(p->keeper, p->auto_owner);
        else if (r >= 0 && p->group->have_owner)
                r = sk_keeper_set_owner(p->keeper, p->group->owner);
        if (r >= 0)
                r = sk_keeper_set_detection(p->keeper, SK_DETECT_INOTIFY, g->check_usec);
        if (r >= 0)
                r = sk_keeper_set_sticky(p->keeper, g->sticky);
        if (r < 0)
                return r;
        return attach_path(p);
}

/* Whether P can go on as it is under the group NEW_GROUP. */
static bool same_keeping(const guard_path *p, const guard_group *new_group) {
        const guard_group *a = p->group, *b = new_group;

        return a->policy == b->policy && a->have_owner == b->have_owner && (!a->have_owner || a->owner == b->owner) &&
               ((!a->unit && !b->unit) || (a->unit && b->unit && streq(a->unit, b->unit)));
}

static int compare_slots(const void *a, const void *b) {
        return strcmp((**(guard_path **const *) a)->path, (**(guard_path **const *) b)->path);
}

int guard_take_paths(guard *g, guard *fresh) {
        _cleanup_free_ guard_path **old = NULL, **found = NULL;
        _cleanup_free_ guard_path ***slots = NULL; /* into fresh->paths, sorted by name */
        size_t i = 0, j = 0, kept = 0, dropped = 0, added = 0, n_old = 0, n_found = 0;
        int r = 0;

        /* What --auto found is not on any list: set aside, and back after. */
        old = reallocarray(NULL, g->n_paths ?: 1, sizeof(*old));
        found = reallocarray(NULL, g->n_paths ?: 1, sizeof(*found));
        if (!old || !found)
                return -ENOMEM;
        for (size_t x = 0; x < g->n_paths; x++)
                if (g->paths[x]->automatic)
                        found[n_found++] = g->paths[x];
                else
                        old[n_old++] = g->paths[x];
        qsort(old, n_old, sizeof(*old), compare_paths);
        if (fresh->n_paths) {
                slots = reallocarray(NULL, fresh->n_paths, sizeof(*slots));
                if (!slots)
                        return -ENOMEM;
                for (size_t x = 0; x < fresh->n_paths; x++)
                        slots[x] = &fresh->paths[x];
                qsort(slots, fresh->n_paths, sizeof(*slots), compare_slots);
        }

        /* Both sorted by name: one merge walk. A path kept as it was stays
         * with its keeper and its state, under the new group; the new
         * path object that stood for it is freed instead. */
        while (i < n_old || j < fresh->n_paths) {
                int c = i >= n_old ? 1 : j >= fresh->n_paths ? -1 : strcmp(old[i]->path, (*slots[j])->path);

                if (c == 0 && same_keeping(old[i], (*slots[j])->group)) {
                        old[i]->group = (*slots[j])->group;
                        guard_path_free(*slots[j]);
                        *slots[j] = old[i];
                        kept++;
                        i++, j++;
                } else if (c <= 0) {
                        /* Gone from the list, or kept another way now (owner,
                         * unit, policy): its keeper goes, a new one starts. */
                        if (c < 0)
                                log_event(LOG_INFO, old[i]->path, old[i]->group->unit, "released",
                                          "no longer on the guard's list: letting it go");
                        guard_path_free(old[i]);
                        dropped += c < 0;
                        i++;
                } else
                        j++;
        }

        free(g->paths);
        g->paths = TAKE_PTR(fresh->paths);
        g->n_paths = fresh->n_paths;
        fresh->n_paths = 0;
        if (n_found) {
                guard_path **n = reallocarray(g->paths, g->n_paths + n_found, sizeof(*n));
                _cleanup_free_ guard_path **listed = guard_sorted_paths(g);
                size_t n_listed = g->n_paths;

                if (!n)
                        return -ENOMEM;
                g->paths = n;
                for (size_t x = 0; x < n_found; x++)
                        if (listed && guard_find_path(listed, n_listed, found[x]->path))
                                guard_path_free(found[x]); /* on the list now: kept as it says */
                        else
                                g->paths[g->n_paths++] = found[x];
        }
        for (size_t x = 0; x < g->n_groups; x++)
                group_free(g->groups[x]);
        free(g->groups);
        g->groups = TAKE_PTR(fresh->groups);
        g->n_groups = fresh->n_groups;
        fresh->n_groups = 0;

        for (size_t x = 0; x < g->n_paths && r >= 0; x++) {
                guard_path *p = g->paths[x];

                if (p->attached || p->next_attach)
                        continue; /* kept */
                added++;
                r = guard_start_path(g, p);
        }
        log_event(LOG_INFO, NULL, NULL, "reload", "guarding %zu path%s: %zu kept, %zu added, %zu let go", g->n_paths,
                  g->n_paths == 1 ? "" : "s", kept, added, dropped);
        return r;
}
