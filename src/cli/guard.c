/* SPDX-License-Identifier: MIT */
/* sockkeeper guard: keeps the paths of sockets that somebody else bound (a
 * socket unit's, a legacy daemon's) with the library's attach mode, one
 * keeper per path, all in one epoll loop with the signals and the watchdog.
 * What the keepers cannot heal is handed to systemd as a restart, rate
 * limited per group. The command line is the generator's contract: ordered
 * groups of --unit=, --on-loss= and paths. */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "argv-file.h"
#include "cli.h"
#include "guard.h"
#include "log.h"
#include "macro.h"
#include "parse-util.h"
#include "path-util.h"

#define DEFAULT_RESTART_BURST 3
#define DEFAULT_RESTART_INTERVAL_USEC (10 * USEC_PER_MINUTE)
/* A socket unit being restarted by its admin looks, for an instant, like a
 * loss: the old socket is closed and its file unlinked before the new one
 * is bound. Wait this long for the new socket before restarting anything. */
#define DEFAULT_RESTART_DELAY_USEC (2 * USEC_PER_SEC)
#define ATTACH_RETRY_USEC (10 * USEC_PER_SEC)
#define SIGNAL_TAG UINT64_MAX
#define WATCHER_TAG (UINT64_MAX - 1)
/* --auto looks for new sockets this often: one sock_diag dump of the
 * machine, a few ms at 10,000 sockets. */
#define DEFAULT_DISCOVER_USEC (10 * USEC_PER_SEC)
/* The shortest intervals taken: below them the guard would do little
 * else than wake up (a discovery pass is a dump of every socket). */
#define MIN_CHECK_USEC (10 * USEC_PER_MSEC)
#define MIN_DISCOVER_USEC (100 * USEC_PER_MSEC)

static void help(void) {
        printf("Usage: sockkeeper guard [OPTIONS] [--unit=UNIT] [--on-loss=POLICY] PATH... [--unit=UNIT2 ...]\n"
               "\n"
               "Keep the paths of sockets bound by others (socket units, daemons) reachable:\n"
               "refresh them, relink the same socket when a cleaner deletes its path, and\n"
               "restart the unit when that is impossible.\n"
               "\n"
               "Groups, in order:\n"
               "  --unit=UNIT              the unit owning the paths that follow; starts a group\n"
               "                           (a name without a type is a .service)\n"
               "  --on-loss=POLICY         relink-only or restart, for the paths that follow\n"
               "                           (default: restart for socket units, else relink-only)\n"
               "  --owner=USER             keep only sockets of USER (a name or a uid) at the\n"
               "                           paths that follow (default: root for socket units,\n"
               "                           else the owner of the socket there at start, or,\n"
               "                           when there is none, the user running the guard)\n"
               "  PATH                     an absolute socket path\n"
               "  --from-file=FILE         read further arguments from FILE, one per line,\n"
               "                           as if given here\n"
               "\n"
               "Options:\n"
               "  --systemd                log to the journal, sd_notify READY, WATCHDOG, STATUS\n"
               "                           (default: when systemd connected stderr to the\n"
               "                           journal, and when $NOTIFY_SOCKET is set)\n"
               "  --no-systemd             neither, whatever the environment says\n"
               "  --auto                   also find and keep every socket of the machine whose\n"
               "                           path is at risk (world-writable sticky directories,\n"
               "                           or rated risky), whoever bound it\n"
               "  --auto-only-under=DIR    --auto, for sockets below DIR only\n"
               "  --discover-interval=SPAN how often --auto looks for new sockets (default 10s,\n"
               "                           at least 100ms)\n"
               "  --sticky                 also set the sticky bit on each socket file\n"
               "  --refresh-interval=SPAN  renew timestamps this often (default 6h, at least\n"
               "                           10ms; 0 = never)\n"
               "  --check-interval=SPAN    backstop check besides inotify (default 1h, at least\n"
               "                           10ms; 0 = the default)\n"
               "  --restart-delay=SPAN     wait for a new socket before restarting (default 2s)\n"
               "  --restart-burst=N        at most N restarts per group ... (default 3)\n"
               "  --restart-interval=SPAN  ... within this window (default 10min)\n"
               "  --metrics-file=FILE      write Prometheus metrics to FILE (atomically, when\n"
               "                           they change, at most every 5s), e.g. into\n"
               "                           node_exporter's textfile directory; -FILE: quietly\n"
               "                           nothing while FILE's directory is missing\n"
               "  -h --help                show this help\n"
               "  -V --version             show the version\n"
               "\n"
               "SPAN is a time span as systemd writes it: 6h, 1d 2h, 500ms; a bare number\n"
               "is seconds.\n"
               "\n"
               "Exit status: 0 stopped by SIGTERM or SIGINT, 1 it could not set up or run\n"
               "its event loop, 64 usage.\n"
               "See sockkeeper(1).\n");
}

static int parse_seconds_option(const char *arg, const char *option, uint64_t *ret) {
        if (parse_seconds(arg, ret) < 0) {
                log_error("%s: invalid number of seconds or time span '%s' (6h, 1d 2h, 500ms)", option, arg);
                return -EINVAL;
        }
        return 0;
}

/* An interval of OPTION, refused below MIN_USEC: a guard that wakes up
 * thousands of times a second only burns the CPU. 0 passes when ZERO_OK
 * (it has its own meaning there). */
static int parse_interval_option(const char *arg, const char *option, uint64_t min_usec, const char *min,
                                 bool zero_ok, uint64_t *ret) {
        uint64_t usec;
        int r;

        r = parse_seconds_option(arg, option, &usec);
        if (r < 0)
                return r;
        if ((usec > 0 || !zero_ok) && usec < min_usec) {
                log_error("%s: '%s' is too short (at least %s%s)", option, arg, min, zero_ok ? ", or 0" : "");
                return -EINVAL;
        }
        *ret = usec;
        return 0;
}

/* A user name, or a uid given as a number. */
static int parse_user(const char *s, uid_t *ret) {
        struct passwd *pw;

        if (!*s)
                return -EINVAL;
        if (parse_uid(s, ret) >= 0)
                return 0;
        errno = 0;
        pw = getpwnam(s);
        if (!pw)
                return errno > 0 ? -errno : -ENOENT;
        *ret = pw->pw_uid;
        return 0;
}

/* 0 on success, -EINVAL for a usage error (already reported), or another
 * negative errno. */
static int parse_argv(guard *g, int argc, char *argv[]) {
        enum {
                ARG_SYSTEMD = 0x100,
                ARG_NO_SYSTEMD,
                ARG_UNIT,
                ARG_ON_LOSS,
                ARG_OWNER,
                ARG_STICKY,
                ARG_REFRESH,
                ARG_CHECK,
                ARG_RESTART_DELAY,
                ARG_RESTART_BURST,
                ARG_RESTART_INTERVAL,
                ARG_AUTO,
                ARG_AUTO_UNDER,
                ARG_DISCOVER_INTERVAL,
                ARG_METRICS_FILE,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "systemd", no_argument, NULL, ARG_SYSTEMD },
                { "no-systemd", no_argument, NULL, ARG_NO_SYSTEMD },
                { "unit", required_argument, NULL, ARG_UNIT },
                { "on-loss", required_argument, NULL, ARG_ON_LOSS },
                { "owner", required_argument, NULL, ARG_OWNER },
                { "sticky", no_argument, NULL, ARG_STICKY },
                { "refresh-interval", required_argument, NULL, ARG_REFRESH },
                { "check-interval", required_argument, NULL, ARG_CHECK },
                { "restart-delay", required_argument, NULL, ARG_RESTART_DELAY },
                { "restart-burst", required_argument, NULL, ARG_RESTART_BURST },
                { "restart-interval", required_argument, NULL, ARG_RESTART_INTERVAL },
                { "auto", no_argument, NULL, ARG_AUTO },
                { "auto-only-under", required_argument, NULL, ARG_AUTO_UNDER },
                { "discover-interval", required_argument, NULL, ARG_DISCOVER_INTERVAL },
                { "metrics-file", required_argument, NULL, ARG_METRICS_FILE },
                {}
        };
        _cleanup_(expanded_argv_done) expanded_argv args = {};
        int c, r;

        /* The generator's lists come in files: a unit file line cannot
         * hold 30,000 paths. */
        r = argv_expand_from_files(argc, argv, "-:h", options, &args);
        if (r < 0)
                return r;
        argc = args.argc;
        argv = args.argv;

        /* The group of paths given before any --unit: no unit. */
        r = guard_add_group(g, NULL);
        if (r < 0)
                return r;

        /* '-': paths come back in order (as 1), between the options that
         * apply to them. ':': report a missing argument ourselves. */
        while ((c = getopt_long(argc, argv, "-:hV", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 1;
                case 'V':
                case ARG_VERSION:
                        cli_version();
                        return 1;
                case ARG_SYSTEMD:
                        g->systemd_option = 1;
                        break;
                case ARG_NO_SYSTEMD:
                        g->systemd_option = 0;
                        break;
                case ARG_UNIT: {
                        _cleanup_free_ char *unit = NULL;

                        r = parse_unit_option("--unit", optarg, &unit);
                        if (r < 0)
                                return r;
                        r = guard_add_group(g, unit);
                        if (r < 0)
                                return r;
                        break;
                }
                case ARG_ON_LOSS:
                        r = on_loss_from_string(optarg);
                        if (r < 0) {
                                log_error("--on-loss: '%s' is neither relink-only nor restart", optarg);
                                return -EINVAL;
                        }
                        g->groups[g->n_groups - 1]->policy = r;
                        break;
                case ARG_OWNER: {
                        guard_group *grp = g->groups[g->n_groups - 1];

                        r = parse_user(optarg, &grp->owner);
                        if (r == -ENOENT) {
                                /* A unit's User= that does not exist (yet): one
                                 * unit must not stop the guard for all. */
                                log_warning("--owner: '%s' is no user of this machine; its paths keep the "
                                            "default owner", optarg);
                                break;
                        }
                        if (r < 0) {
                                log_error("--owner: '%s' is not a user name or uid", optarg);
                                return -EINVAL;
                        }
                        grp->have_owner = true;
                        break;
                }
                case ARG_STICKY:
                        g->sticky = true;
                        break;
                case ARG_AUTO:
                        g->auto_mode = true;
                        break;
                case ARG_AUTO_UNDER:
                        if (optarg[0] != '/' || path_has_dotdot(optarg)) {
                                log_error("--auto-only-under: '%s' is not an absolute path", optarg);
                                return -EINVAL;
                        }
                        free(g->auto_under);
                        g->auto_under = path_normalize(optarg);
                        if (!g->auto_under)
                                return -ENOMEM;
                        g->auto_mode = true;
                        break;
                case ARG_DISCOVER_INTERVAL:
                        r = parse_interval_option(optarg, "--discover-interval", MIN_DISCOVER_USEC, "100ms", false,
                                                  &g->discover_usec);
                        if (r < 0)
                                return r;
                        break;
                case ARG_REFRESH:
                        r = parse_interval_option(optarg, "--refresh-interval", MIN_CHECK_USEC, "10ms", true,
                                                  &g->refresh_usec);
                        if (r < 0)
                                return r;
                        break;
                case ARG_CHECK:
                        r = parse_interval_option(optarg, "--check-interval", MIN_CHECK_USEC, "10ms", true,
                                                  &g->check_usec);
                        if (r < 0)
                                return r;
                        break;
                case ARG_RESTART_DELAY:
                        r = parse_seconds_option(optarg, "--restart-delay", &g->restart_delay_usec);
                        if (r < 0)
                                return r;
                        break;
                case ARG_RESTART_INTERVAL:
                        r = parse_seconds_option(optarg, "--restart-interval", &g->restart_interval_usec);
                        if (r < 0)
                                return r;
                        break;
                case ARG_RESTART_BURST: {
                        unsigned long v;

                        if (parse_unsigned(optarg, 1000, &v) < 0) {
                                log_error("--restart-burst: invalid count '%s' (0 to 1000)", optarg);
                                return -EINVAL;
                        }
                        g->restart_burst = (unsigned) v;
                        break;
                }
                case ARG_METRICS_FILE: {
                        /* "-FILE": its directory may be missing, as
                         * --from-file=-FILE's file may. */
                        bool missing_ok = optarg[0] == '-';
                        const char *file = optarg + missing_ok;

                        r = check_output_file_option("--metrics-file", file);
                        if (r < 0)
                                return r;
                        free(g->metrics_file);
                        g->metrics_file = strdup(file);
                        if (!g->metrics_file)
                                return -ENOMEM;
                        g->metrics_missing_ok = missing_ok;
                        break;
                }
                case 1:
                        r = guard_add_path(g, optarg);
                        if (r < 0)
                                return r;
                        break;
                default:
                        cli_log_option_error(argv, c);
                        return -EINVAL;
                }

        r = guard_check_paths(g);
        if (r < 0)
                return r;
        for (size_t i = 0; i < g->n_groups; i++) {
                r = ratelimit_init(&g->groups[i]->rl, g->restart_burst, g->restart_interval_usec);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void guard_done(guard *g) {
        guard_paths_done(g);
        free(g->auto_under);
        free(g->metrics_file);
        sk_watcher_free(g->watcher);
        unit_bus_free(g->bus);
        safe_close(g->epoll_fd);
        safe_close(g->signal_fd);
}

static int setup_keepers(guard *g) {
        int r;

        /* One inotify instance, one timer and one fd for every path. */
        r = sk_watcher_new(&g->watcher);
        if (r < 0)
                return r;
        if (epoll_ctl(g->epoll_fd, EPOLL_CTL_ADD, sk_watcher_get_fd(g->watcher),
                      &(struct epoll_event) { .events = EPOLLIN, .data.u64 = WATCHER_TAG }) < 0)
                return negative_errno();
        r = guard_set_refresh_intervals(g, g->refresh_usec);
        if (r < 0)
                return r;
        for (size_t i = 0; i < g->n_paths; i++) {
                r = guard_start_path(g, g->paths[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void restart_now(guard *g, guard_path *p) {
        guard_group *grp = p->group;
        _cleanup_free_ char *found = NULL, *why = NULL;
        const char *unit = grp->unit;
        pid_t pid = 0;
        int r;

        /* One restart serves every path of the group. */
        for (size_t i = 0; i < g->n_paths; i++)
                if (g->paths[i]->group == grp)
                        g->paths[i]->restart_at = 0;

        if (!unit) {
                r = guard_find_holder_unit(p->lost_dev, p->lost_ino, &pid, &found);
                if (r < 0) {
                        log_event(LOG_WARNING, p->path, NULL, "restart-skipped", "%s; nothing to restart",
                                  r == -ENOENT ? "no process holds the socket" :
                                  r == -ENXIO ? "the process holding the socket is not in a system unit" :
                                  "cannot tell which process holds the socket");
                        return;
                }
                unit = found;
        }

        if (!ratelimit_take(&grp->rl, now_usec(CLOCK_MONOTONIC))) {
                if (!grp->rl.gave_up) {
                        g->counters.give_ups++;
                        g->metrics_dirty = true;
                        log_event_id(LOG_ERR, GUARD_MESSAGE_GIVE_UP, p->path, unit, "give-up",
                                     "restarted %u times within %" PRIu64 " s and the socket is lost again; giving up",
                                     grp->rl.burst, grp->rl.interval_usec / USEC_PER_SEC);
                }
                grp->rl.gave_up = true;
                return;
        }

        r = unit_bus_restart(&g->bus, unit, 0, &why); /* never blocks the event loop longer than its bus calls */
        if (r > 0) {
                g->restarts++;
                g->metrics_dirty = true;
                if (pid)
                        log_event(LOG_NOTICE, p->path, unit, "restart",
                                  "restarting %s, whose process %i holds the unreachable socket", unit, (int) pid);
                else
                        log_event(LOG_NOTICE, p->path, unit, "restart", "restarting %s", unit);
        } else if (r == 0)
                log_event(LOG_NOTICE, p->path, unit, "restart-skipped", "not restarting: %s", strempty(why));
        else
                log_event(LOG_ERR, p->path, unit, "restart-failed", "restart failed: %s", why ?: strerror(-r));
}

/* Timers of the guard itself: restarts due, attaches to retry, watchdog.
 * Returns the epoll timeout in ms until the next one, -1 for none. */
static int run_timers(guard *g) {
        uint64_t now = now_usec(CLOCK_MONOTONIC), next = 0, metrics_due;

        if (g->watchdog_usec) {
                if (now >= g->next_watchdog) {
                        (void) sd_notify(false, "WATCHDOG=1");
                        g->next_watchdog = now + g->watchdog_usec / 2;
                }
                next = g->next_watchdog;
        }
        if (g->auto_mode) {
                if (now >= g->next_discovery) {
                        if (guard_auto_discover(g) > 0)
                                guard_update_status(g);
                        if (g->auto_gone) {
                                (void) guard_auto_release(g);
                                guard_update_status(g);
                        }
                        g->next_discovery = now_usec(CLOCK_MONOTONIC) + g->discover_usec;
                }
                if (!next || g->next_discovery < next)
                        next = g->next_discovery;
        }
        /* Most wakeups are a deletion among 10,000 paths: the paths are
         * looked through only while one of them has something due. */
        for (size_t i = 0, pending = 0; g->path_timers && i <= g->n_paths; i++) {
                guard_path *p;

                if (i == g->n_paths) {
                        g->path_timers = pending > 0;
                        break;
                }
                p = g->paths[i];
                if (p->restart_at && now >= p->restart_at) {
                        if (p->lost)
                                restart_now(g, p);
                        p->restart_at = 0;
                        guard_update_status(g);
                }
                if (p->next_attach && now >= p->next_attach) {
                        if (guard_start_path(g, p) >= 0)
                                guard_update_status(g);
                }
                if (p->restart_at && (!next || p->restart_at < next))
                        next = p->restart_at;
                if (p->next_attach && (!next || p->next_attach < next))
                        next = p->next_attach;
                pending += p->restart_at || p->next_attach;
        }
        metrics_due = guard_metrics_run(g, now_usec(CLOCK_MONOTONIC), false);
        if (metrics_due && (!next || metrics_due < next))
                next = metrics_due;
        if (!next)
                return -1;
        now = now_usec(CLOCK_MONOTONIC);
        return next <= now ? 0 : (int) ((next - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC);
}

static int setup_signals(guard *g) {
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return negative_errno();
        g->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (g->signal_fd < 0)
                return negative_errno();
        if (epoll_ctl(g->epoll_fd, EPOLL_CTL_ADD, g->signal_fd,
                      &(struct epoll_event) { .events = EPOLLIN, .data.u64 = SIGNAL_TAG }) < 0)
                return negative_errno();
        return 0;
}

/* SIGHUP (systemctl reload, and after daemon-reload the generator's new
 * list): the command line is read again, its --from-file lists with it,
 * and the paths it names now are taken over. What else it sets (intervals,
 * --sticky) takes a restart. A list that cannot be read changes nothing. */
static void reload(guard *g) {
        _cleanup_(guard_done) guard fresh = {
                .refresh_usec = UINT64_MAX,
                .restart_delay_usec = g->restart_delay_usec,
                .restart_interval_usec = g->restart_interval_usec,
                .restart_burst = g->restart_burst,
                .systemd_option = -1,
                .epoll_fd = -EBADF,
                .signal_fd = -EBADF,
        };
        int r;

        if (g->systemd)
                (void) sd_notify(false, "RELOADING=1");
        optind = 0; /* getopt starts over */
        r = parse_argv(&fresh, g->argc, g->argv);
        if (r != 0)
                log_event(LOG_ERR, NULL, NULL, "reload-failed",
                          "the command line or a list it names cannot be read now; keeping the paths as they are");
        else {
                r = guard_set_refresh_intervals(&fresh, g->refresh_usec);
                if (r >= 0)
                        r = guard_take_paths(g, &fresh);
                if (r < 0)
                        log_event(LOG_ERR, NULL, NULL, "reload-failed", "reload: %s", strerror(-r));
        }
        guard_update_status(g);
        if (g->systemd)
                (void) sd_notify(false, "READY=1");
}

static int run(guard *g) {
        for (;;) {
                struct epoll_event events[16];
                int n, timeout = run_timers(g);

                n = epoll_wait(g->epoll_fd, events, ELEMENTSOF(events), timeout);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "epoll_wait");
                }
                for (int i = 0; i < n; i++) {
                        if (events[i].data.u64 == SIGNAL_TAG) {
                                struct signalfd_siginfo si;

                                if (read(g->signal_fd, &si, sizeof(si)) != sizeof(si))
                                        continue;
                                if (si.ssi_signo == SIGHUP) {
                                        reload(g);
                                        continue;
                                }
                                log_event(LOG_INFO, NULL, NULL, "stop",
                                          "received SIG%s, stopping: %zu path%s no longer guarded",
                                          sigabbrev_np((int) si.ssi_signo), g->n_paths,
                                          g->n_paths == 1 ? " is" : "s are");
                                return 0;
                        }
                        if (sk_watcher_process(g->watcher) > 0)
                                guard_update_status(g);
                        /* Freed here, never from inside a keeper's callback. */
                        if (g->auto_gone) {
                                (void) guard_auto_release(g);
                                guard_update_status(g);
                        }
                }
        }
}

int verb_guard(int argc, char *argv[]) {
        _cleanup_(guard_done) guard g = {
                .refresh_usec = UINT64_MAX,
                .restart_delay_usec = DEFAULT_RESTART_DELAY_USEC,
                .restart_interval_usec = DEFAULT_RESTART_INTERVAL_USEC,
                .restart_burst = DEFAULT_RESTART_BURST,
                .discover_usec = DEFAULT_DISCOVER_USEC,
                .systemd_option = -1,
                .epoll_fd = -EBADF,
                .signal_fd = -EBADF,
        };
        int r;

        g.argc = argc;
        g.argv = argv;
        r = parse_argv(&g, argc, argv);
        if (r > 0)
                return 0;
        if (r == -EINVAL)
                return cli_usage_hint();
        if (r < 0) {
                log_error_errno(r, "cannot start");
                return 1;
        }
        /* Started by systemd, the guard knows it without being told:
         * stderr is the journal's stream, $NOTIFY_SOCKET is where to say
         * READY=1 (Type=notify). A console target asked for in
         * $SYSTEMD_LOG_TARGET wins over the stream, as in systemd. */
        log_parse_environment();
        if (g.systemd_option > 0 ||
            (g.systemd_option < 0 && log_get_target() == LOG_TARGET_STDERR && log_stderr_is_journal()))
                log_open_journal(sd_journal_sendv);
        g.systemd = g.systemd_option > 0 || (g.systemd_option < 0 && getenv("NOTIFY_SOCKET"));

        g.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (g.epoll_fd < 0) {
                log_error_errno(errno, "epoll_create1");
                return 1;
        }
        r = setup_signals(&g);
        if (r >= 0)
                r = setup_keepers(&g);
        if (r < 0) {
                log_error_errno(r, "cannot start");
                return 1;
        }

        if (g.systemd && sd_watchdog_enabled(false, &g.watchdog_usec) <= 0)
                g.watchdog_usec = 0;
        /* The first look for sockets at risk, before READY=1. */
        if (g.auto_mode) {
                r = guard_auto_discover(&g);
                if (r < 0)
                        log_event(LOG_ERR, NULL, NULL, "error", "cannot list the machine's sockets: %s", strerror(-r));
                g.next_discovery = now_usec(CLOCK_MONOTONIC) + g.discover_usec;
        }
        log_event(LOG_INFO, NULL, NULL, "start", "guarding %zu path%s%s", g.n_paths, g.n_paths == 1 ? "" : "s",
                  g.auto_mode ? " (--auto: looking for more)" : "");
        if (g.systemd) {
                (void) sd_notify(false, "READY=1");
                guard_update_status(&g);
        }

        g.started_usec = now_usec(CLOCK_REALTIME);
        g.metrics_dirty = true; /* the first file at once */
        r = run(&g);
        (void) guard_metrics_run(&g, now_usec(CLOCK_MONOTONIC), true); /* the last counts */
        if (g.systemd)
                (void) sd_notify(false, "STOPPING=1");
        return r < 0 ? 1 : 0;
}
