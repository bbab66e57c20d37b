/* SPDX-License-Identifier: MIT */
#pragma once

/* The pieces of `sockkeeper guard`, shared by its files: guard.c (command
 * line, event loop), guard-events.c (what the keepers report),
 * guard-refresh.c (how fresh each path is kept) and guard-restart.c
 * (D-Bus, the holder of a socket). Events are logged with log_event():
 * journal fields when systemd connected stderr to the journal (or with
 * --systemd), "[action=...]" lines on stderr otherwise. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "annotations.h"
#include "macro.h"
#include "ratelimit.h"
#include "sockkeeper.h"
#include "unit-bus.h"

/* The MESSAGE_ID= of the journal entries that an admin looks up: what
 * happened and what to do is in sockkeeper.catalog, shown by
 * `journalctl -x`. Never change one: alerts and searches name them. */
#define GUARD_MESSAGE_RELINKED "763a6063d60d436dbb583d8a81b60755"
#define GUARD_MESSAGE_LOST "00819931ba464bfab1bf7e00e7f63edb"
#define GUARD_MESSAGE_GIVE_UP "5724832246c042b78aaefedc3c437864"

typedef struct guard_group {
        char *unit;            /* NULL: paths given by hand, no unit */
        on_loss policy;        /* never ON_LOSS_DEFAULT: set for the unit's type */
        uid_t owner;           /* whose sockets the paths hold (--owner=) */
        bool have_owner;
        ratelimit rl;          /* restarts of the group */
} guard_group;

typedef struct guard guard;

typedef struct guard_path {
        guard *guard;
        sk_keeper *keeper;
        guard_group *group;
        const char *path;
        char *given;           /* the path as given, when not in its canonical form */
        size_t order;          /* its place on the command line */
        bool attached;         /* sk_keeper_attach() succeeded */
        uint64_t next_attach;  /* CLOCK_MONOTONIC: retry of a failed attach, 0 = none */
        bool lost;             /* SK_EVENT_LOST seen, not yet healed */
        uint64_t restart_at;   /* CLOCK_MONOTONIC: restart due, 0 = none */
        uint64_t lost_dev, lost_ino; /* the socket whose holder a restart looks for */
        bool in_conflict;
        bool automatic;        /* found by --auto, not named on the command line */
        uid_t auto_owner;      /* --auto: the socket's owner when first seen */
        bool gone;             /* --auto: its socket closed; to be let go */
        uint64_t sock_dev, sock_ino; /* the socket file watched (SK_EVENT_ATTACHED) */
} guard_path;

/* What the guard did since it started, for --metrics-file. */
typedef struct guard_counters {
        uint64_t relinks;
        uint64_t losses;
        uint64_t give_ups;
        uint64_t conflicts;
} guard_counters;

/* The paths by state, as the status line and the metrics count them. */
typedef struct guard_path_counts {
        unsigned kept, lost, conflict, waiting;
} guard_path_counts;

typedef struct guard {
        guard_group **groups;          /* each allocated on its own: paths point at them */
        size_t n_groups;
        guard_path **paths;            /* each allocated on its own: keepers point at them */
        size_t n_paths;
        int argc;                      /* the command line, read again at a reload */
        char **argv;
        bool auto_mode;                /* --auto */
        char *auto_under;              /* --auto-only-under= */
        uint64_t discover_usec;        /* --auto: how often to look for new sockets */
        uint64_t next_discovery;       /* CLOCK_MONOTONIC */
        guard_group *auto_group;       /* --auto's paths: no unit, relink-only */
        bool auto_gone;                /* an --auto path is to be let go */
        bool path_timers;              /* a path may have a restart or an attach due: look through them */
        int systemd_option;            /* --systemd 1, --no-systemd 0, neither -1 */
        bool systemd;                  /* sd_notify: READY, STATUS, WATCHDOG */
        bool sticky;
        uint64_t refresh_usec;         /* UINT64_MAX: the library's default */
        uint64_t check_usec;           /* 0: the library's default */
        uint64_t restart_delay_usec;
        uint64_t restart_interval_usec;
        unsigned restart_burst;
        uint64_t watchdog_usec;        /* 0: off */
        uint64_t next_watchdog;
        unsigned restarts;
        guard_counters counters;
        char *metrics_file;            /* --metrics-file=, or NULL */
        bool metrics_missing_ok;       /* --metrics-file=-FILE: no directory, no file, nothing said */
        uint64_t started_usec;         /* CLOCK_REALTIME */
        bool metrics_dirty;            /* something counted changed since the file was written */
        bool metrics_failed;           /* the last write failed (said once) */
        uint64_t next_metrics;         /* CLOCK_MONOTONIC: the earliest next write */
        unit_bus *bus;
        sk_watcher *watcher;           /* every keeper's events, through one fd */
        int epoll_fd;
        int signal_fd;
} guard;

/* guard-paths.c: the groups and paths the command line names */
int guard_new_group(guard_group **ret, const char *unit);
int guard_add_group(guard *g, const char *unit);
/* Adds PATH to the last group (to GROUP); -EINVAL (reported) for a bad path. */
int guard_add_path(guard *g, const char *path);
int guard_add_path_to(guard *g, const char *path, guard_group *group);
void guard_path_free(guard_path *p);
/* G's paths sorted by name (a new array), and one found in it. */
guard_path **guard_sorted_paths(guard *g);
guard_path *guard_find_path(guard_path **sorted, size_t n, const char *path);
/* After parsing: -EINVAL (reported) when a path is given twice. */
int guard_check_paths(guard *g);
void guard_paths_done(guard *g);
/* Prepares P's keeper (watcher, callback, owner, sticky bit) and attaches
 * it, or schedules a retry. */
int guard_start_path(guard *g, guard_path *p);
/* Takes the groups and paths of FRESH (the command line read again): a
 * path kept as it was goes on with its keeper, one gone is let go, a new
 * one is started. FRESH is emptied. */
int guard_take_paths(guard *g, guard *fresh);

/* guard-auto.c: --auto. Returns how many paths were added. */
int guard_auto_discover(guard *g);
/* Lets go of --auto's paths whose socket is gone. */
int guard_auto_release(guard *g);

/* guard-events.c */
void guard_on_event(sk_keeper *k, const sk_event *ev, void *userdata);
/* The status line for systemd, and the metrics due for writing. */
void guard_update_status(guard *g);
guard_path_counts guard_count_paths(const guard *g);

/* guard-metrics.c: --metrics-file. Writes the file when something changed
 * and the last write is at least a few seconds old (FORCE: now, at a
 * stop). Returns when it wants to be called again (CLOCK_MONOTONIC), 0
 * for nothing pending. */
uint64_t guard_metrics_run(guard *g, uint64_t now, bool force);

/* guard-refresh.c: the refresh interval of each path, within the shortest
 * age after which a cleaner of this machine deletes it. CONFIGURED is
 * --refresh-interval's (0: never), or the library's default. */
uint64_t guard_refresh_within(uint64_t configured, uint64_t shortest_age_usec);
int guard_set_refresh_intervals(guard *g, uint64_t configured);

/* guard-restart.c */
/* The unit of the system manager whose process holds the socket bound to
 * file DEV:INO (sock_diag, then socket_owners_system_unit()). -ENOENT
 * when no process outside PID 1 holds it, -ENXIO when its holders are in
 * no system unit. */
int guard_find_holder_unit(uint64_t dev, uint64_t ino, pid_t *ret_pid, char **ret_unit);
