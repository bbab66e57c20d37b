/* SPDX-License-Identifier: MIT */
/* sockkeeper guard --metrics-file=: what the guard keeps and did since it
 * started, in Prometheus' text format, for node_exporter's textfile
 * collector. Written from the guard's own loop (no thread) when something
 * changed, at most once every few seconds however busy the paths are, and
 * atomically (the collector reads the file at any moment). */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "guard.h"
#include "log.h"
#include "macro.h"
#include "prom-text.h"

/* A cleaner sweeping 10,000 paths makes 10,000 relinks in a second: one
 * write for them all. */
#define METRICS_INTERVAL_USEC (5 * USEC_PER_SEC)

static void counter(FILE *f, const char *name, const char *help, uint64_t value) {
        prom_family(f, name, "counter", help);
        fprintf(f, "%s %" PRIu64 "\n", name, value);
}

static int render(const guard *g, prom_text *t) {
        guard_path_counts c = guard_count_paths(g);
        int r;

        r = prom_text_open(t, "written by sockkeeper guard");
        if (r < 0)
                return r;
        prom_family(t->f, "sockkeeper_guard_start_time_seconds", "gauge",
                    "When the guard started, in seconds since the epoch; its counters count from then.");
        fprintf(t->f, "sockkeeper_guard_start_time_seconds %" PRIu64 "\n", g->started_usec / USEC_PER_SEC);
        prom_family(t->f, "sockkeeper_guard_paths", "gauge",
                    "Socket paths the guard keeps, by state: kept, lost (removed with its anchor, "
                    "unreachable), conflict (another file or owner at the path), waiting (not attached yet).");
        fprintf(t->f,
                "sockkeeper_guard_paths{state=\"kept\"} %u\n"
                "sockkeeper_guard_paths{state=\"lost\"} %u\n"
                "sockkeeper_guard_paths{state=\"conflict\"} %u\n"
                "sockkeeper_guard_paths{state=\"waiting\"} %u\n",
                c.kept, c.lost, c.conflict, c.waiting);
        counter(t->f, "sockkeeper_guard_relinks_total",
                "Times a removed path was linked back to its socket (the same inode, no restart).", g->counters.relinks);
        counter(t->f, "sockkeeper_guard_losses_total",
                "Times a path was lost: removed together with its anchor, or its socket closed.", g->counters.losses);
        counter(t->f, "sockkeeper_guard_restarts_total",
                "Restarts of a unit queued because its socket was lost.", g->restarts);
        counter(t->f, "sockkeeper_guard_give_ups_total",
                "Times the guard gave up restarting a unit whose socket kept being lost (restart burst reached).",
                g->counters.give_ups);
        counter(t->f, "sockkeeper_guard_conflicts_total",
                "Times another file, or another owner's socket, was found at a kept path.", g->counters.conflicts);
        return prom_text_close(t);
}

uint64_t guard_metrics_run(guard *g, uint64_t now, bool force) {
        _cleanup_(prom_text_done) prom_text t = {};
        int r;

        if (!g->metrics_file || !g->metrics_dirty)
                return 0;
        if (!force && now < g->next_metrics)
                return g->next_metrics;

        g->next_metrics = now + METRICS_INTERVAL_USEC;
        r = render(g, &t);
        if (r >= 0)
                r = prom_write_file(g->metrics_file, t.data, t.size, g->metrics_missing_ok); /* logs why not */
        if (r == -ENOENT && g->metrics_missing_ok)
                /* No textfile directory (no node_exporter): nothing to
                 * say, and no timer of its own. The counts stay due, for
                 * a pass of the loop after the directory appeared. */
                return 0;
        if (r < 0) {
                /* Said once; tried again at the next change. A directory
                 * made after the guard's start is read-only in its
                 * sandbox (ProtectSystem=strict) until it starts again. */
                if (!g->metrics_failed)
                        log_event(LOG_WARNING, NULL, NULL, "metrics-failed", "cannot write %s: %s; trying again later%s",
                                  g->metrics_file, strerror(-r),
                                  r == -EROFS ? " (a directory made after the guard started: restart it)" : "");
                g->metrics_failed = true;
                return g->next_metrics;
        }
        if (g->metrics_failed)
                log_event(LOG_INFO, NULL, NULL, "metrics", "%s written again", g->metrics_file);
        g->metrics_failed = false;
        g->metrics_dirty = false;
        return 0;
}
