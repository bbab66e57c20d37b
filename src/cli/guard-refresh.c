/* SPDX-License-Identifier: MIT */
/* How fresh the guard keeps each path. An anchor is the same inode as its
 * socket, so where both lie in the tree a cleaner sweeps (/tmp as a tmpfs
 * of its own), an age-based sweep takes both at once unless the socket
 * never gets that old: each path is refreshed well within the shortest
 * age after which a cleaner that `check` finds would delete it. */

#include <inttypes.h>
#include <syslog.h>

#include "guard.h"
#include "log.h"
#include "macro.h"
#include "risk.h"

/* Four refreshes within the shortest age: one missed (a suspend, a busy
 * machine) still leaves the file young. */
#define REFRESHES_PER_AGE 4
/* Not more often than this, whatever a cleaner is set to. */
#define REFRESH_FLOOR_USEC (1 * USEC_PER_MINUTE)
#define LIBRARY_DEFAULT_REFRESH_USEC (6 * USEC_PER_HOUR)

uint64_t guard_refresh_within(uint64_t configured, uint64_t shortest_age_usec) {
        uint64_t within;

        if (!shortest_age_usec || !configured)
                return configured; /* nothing ages it, or the admin said never */
        within = shortest_age_usec / REFRESHES_PER_AGE;
        if (within < REFRESH_FLOOR_USEC)
                within = REFRESH_FLOOR_USEC;
        return within < configured ? within : configured;
}

/* What is wrong with the configuration is check's to say; here it only
 * costs a path the better interval. */
static void ignore_warning(const char *file, unsigned line, const char *message, void *userdata) {
}

int guard_set_refresh_intervals(guard *g, uint64_t configured) {
        _cleanup_(risk_machine_done) risk_machine m = {};
        bool known;
        int r;

        if (configured == UINT64_MAX)
                configured = LIBRARY_DEFAULT_REFRESH_USEC;
        /* Without the machine's configuration (check says what is wrong
         * with it), every path keeps the configured interval. */
        known = risk_machine_load_offline(&m, "/", ignore_warning, NULL) >= 0;

        for (size_t i = 0; i < g->n_paths; i++) {
                guard_path *p = g->paths[i];
                _cleanup_(risk_report_done) risk_report rep = {};
                uint64_t usec;

                if (known && risk_classify(&m, p->path, &rep) < 0)
                        rep.shortest_age_usec = 0;
                usec = guard_refresh_within(configured, rep.shortest_age_usec);
                r = sk_keeper_set_refresh_interval(p->keeper, usec);
                if (r < 0)
                        return r;
                if (usec < configured)
                        log_event(LOG_INFO, p->path, p->group->unit, "refresh-interval",
                                  "renewing its timestamps every %" PRIu64 " s: a cleaner here deletes it once it "
                                  "is %" PRIu64 " s old",
                                  usec / USEC_PER_SEC, rep.shortest_age_usec / USEC_PER_SEC);
                else if (rep.shortest_age_usec && !configured)
                        log_event(LOG_WARNING, p->path, p->group->unit, "refresh-interval",
                                  "never renewing its timestamps (--refresh-interval=0), though a cleaner here "
                                  "deletes it once it is %" PRIu64 " s old",
                                  rep.shortest_age_usec / USEC_PER_SEC);
        }
        return 0;
}
