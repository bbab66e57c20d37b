/* SPDX-License-Identifier: MIT */
/* What the guard's keepers report, turned into the path's state, a log
 * line with its structured fields, and a restart when one is due; and the
 * status line that systemd shows. */

#include <inttypes.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>

#include "cli.h"
#include "guard.h"
#include "log.h"
#include "macro.h"

guard_path_counts guard_count_paths(const guard *g) {
        guard_path_counts c = {};

        for (size_t i = 0; i < g->n_paths; i++) {
                const guard_path *p = g->paths[i];

                if (!p->attached)
                        c.waiting++;
                else if (p->lost)
                        c.lost++;
                else if (p->in_conflict)
                        c.conflict++;
                else
                        c.kept++;
        }
        return c;
}

void guard_update_status(guard *g) {
        guard_path_counts c;

        g->metrics_dirty = true;
        if (!g->systemd)
                return;
        c = guard_count_paths(g);
        (void) sd_notifyf(false, "STATUS=Guarding %zu path%s: %u kept, %u lost, %u in conflict, %u not attached; %u restart%s",
                          g->n_paths, g->n_paths == 1 ? "" : "s", c.kept, c.lost, c.conflict, c.waiting,
                          g->restarts, g->restarts == 1 ? "" : "s");
}


void guard_on_event(sk_keeper *k, const sk_event *ev, void *userdata) {
        guard_path *p = userdata;
        const char *unit = p->group->unit;

        switch (ev->type) {
        case SK_EVENT_REFRESHED:
                log_event(LOG_DEBUG, p->path, unit, "refreshed", "timestamps renewed");
                break;
        case SK_EVENT_RELINKED:
                p->guard->counters.relinks++;
                p->lost = p->in_conflict = false;
                p->restart_at = 0;
                log_event_id(LOG_NOTICE, GUARD_MESSAGE_RELINKED, p->path, unit, "relinked",
                             "removed; linked the same socket back after %" PRIu64 " us", ev->relinked.usec);
                break;
        case SK_EVENT_ATTACHED:
                p->lost = p->in_conflict = false;
                p->restart_at = 0;
                p->sock_dev = ev->attached.dev;
                p->sock_ino = ev->attached.ino;
                log_event(LOG_INFO, p->path, unit, "attached",
                          "%s socket (inode %" PRIu64 ", uid %u); anchor %s",
                          ev->attached.replaced ? "a new socket of the same owner appeared; watching the new" : "watching the",
                          ev->attached.ino, (unsigned) ev->attached.uid,
                          sk_keeper_get_anchor_path(k) ?: "(none yet)");
                break;
        case SK_EVENT_LOST:
                p->guard->counters.losses++;
                p->lost = true;
                p->lost_dev = ev->lost.dev;
                p->lost_ino = ev->lost.ino;
                log_event_id(LOG_WARNING, GUARD_MESSAGE_LOST, p->path, unit, "lost", "%s%s",
                             ev->lost.removed ? "its holder closed the socket that was linked back (a clean stop); "
                                                "removed that name again, so that the next start can bind"
                             : ev->lost.alive ? "removed together with its anchor: the socket is still bound but unreachable"
                                              : "removed, and nobody holds the socket any more: not linking a dead socket back",
                             p->group->policy == ON_LOSS_RESTART ? "; a restart is due" : "; waiting for a new socket (on-loss=relink-only)");
                if (p->group->policy == ON_LOSS_RESTART) {
                        p->restart_at = now_usec(CLOCK_MONOTONIC) + p->guard->restart_delay_usec;
                        p->guard->path_timers = true;
                }
                /* --auto keeps a socket while it lives, and no longer. */
                if (p->automatic && !ev->lost.alive) {
                        p->gone = true;
                        p->guard->auto_gone = true;
                }
                break;
        case SK_EVENT_CONFLICT:
                p->guard->counters.conflicts++;
                p->in_conflict = true;
                if (ev->conflict.kind == SK_CONFLICT_FOREIGN_SOCKET)
                        log_event(LOG_WARNING, p->path, unit, "conflict",
                                  "a socket of uid %u is at the path, not of the user it is kept for; leaving it "
                                  "alone (--owner= names whose sockets to keep)",
                                  (unsigned) ev->conflict.uid);
                else
                        log_event(LOG_WARNING, p->path, unit, "conflict", "a %s (uid %u) is at the path; leaving it alone",
                                  sk_conflict_kind_to_string(ev->conflict.kind), (unsigned) ev->conflict.uid);
                break;
        case SK_EVENT_ERROR:
                log_event(LOG_ERR, p->path, unit, "error", "%s failed: %s%s; retrying in %" PRIu64 " ms",
                          ev->error.operation, strerror(ev->error.error), keeper_limit_hint(-ev->error.error),
                          ev->error.retry_usec / USEC_PER_MSEC);
                break;
        case SK_EVENT_PARENT_RESTORED:
                log_event(LOG_NOTICE, p->path, unit, "parent-restored", "re-created the removed directory (mode %04o)",
                          (unsigned) ev->parent_restored.mode);
                break;
        case SK_EVENT_REBOUND:
                break; /* attach mode never binds */
        }
}

