/* SPDX-License-Identifier: MIT */
/* sockkeeper heal: for each socket that scan finds broken (its path gone or
 * taken), what gives it a path again, done and said. Relinking is
 * impossible once the file and every anchor are gone: the holder must bind
 * a new socket. A unit is restarted through its service manager, a tmux
 * server is told to bind again with SIGUSR1, and for anything else the
 * command an admin would need is printed and nothing is changed. The
 * holders are those of the socket's inode (sock_diag, /proc/PID/fd), never
 * whatever a path names. The exit status says whether every broken socket
 * answers a client again. */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "escape.h"
#include "heal.h"
#include "json.h"
#include "log.h"
#include "macro.h"
#include "parse-util.h"
#include "path-util.h"
#include "strv.h"

enum {
        HEAL_EXIT_OK = 0,       /* every broken socket (of those named) answers now */
        HEAL_EXIT_BROKEN = 1,   /* one still does not: not healed, declined or --dry-run */
        HEAL_EXIT_ERROR = 3,    /* as scan's: heal could not look */
        HEAL_EXIT_USAGE = CLI_EXIT_USAGE,
};

/* A restarted unit takes a moment to bind. */
#define HEAL_TIMEOUT_USEC_DEFAULT (15 * USEC_PER_SEC)
#define HEAL_POLL_USEC (50 * USEC_PER_MSEC)

typedef struct heal_context {
        scan_context scan;
        unit_bus *bus;          /* the system manager's, at first use */
        heal_item *items;
        size_t n_items;
        char **paths;           /* PATH arguments, normalized */
        size_t n_paths;
        bool *path_found;       /* a socket is bound at the path */
} heal_context;

static void heal_item_done(heal_item *it) {
        free(it->shown);
        free(it->unit);
        free(it->user_name);
        strv_free_n(it->stop, it->n_stop);
        free(it->command);
        free(it->reason);
        free(it->error);
}

static void heal_context_done(heal_context *h) {
        for (size_t i = 0; i < h->n_items; i++)
                heal_item_done(&h->items[i]);
        free(h->items);
        strv_free_n(h->paths, h->n_paths);
        free(h->path_found);
        unit_bus_free(h->bus);
        scan_context_done(&h->scan);
}

static const char *str_or_unknown(const char *s) {
        return s ?: "?";
}

static const char *result_to_string(heal_result r) {
        static const char *const table[] = {
                [HEAL_PLANNED] = "planned", [HEAL_DECLINED] = "declined", [HEAL_DONE] = "done",
                [HEAL_SKIPPED] = "skipped", [HEAL_FAILED] = "failed",     [HEAL_NOTHING] = "nothing",
        };
        return table[r];
}

static const char *action_to_string(heal_action a) {
        return a == HEAL_RESTART ? "restart" : a == HEAL_SIGNAL ? "signal" : "none";
}

/* "systemctl [--user -M NAME@] stop S... && systemctl ... restart UNIT" */
static int restart_command(heal_item *it) {
        _cleanup_free_ char *prefix = NULL, *stops = NULL, *unit = NULL;

        if (it->user_unit ? asprintf(&prefix, "systemctl --user -M %s@", it->user_name) < 0
                          : !(prefix = strdup("systemctl")))
                return -ENOMEM;
        for (size_t i = 0; i < it->n_stop; i++) {
                _cleanup_free_ char *word = shell_quote(it->stop[i]);
                char *n;

                if (!word || asprintf(&n, "%s %s", stops ?: "", word) < 0)
                        return -ENOMEM;
                free(stops);
                stops = n;
        }
        /* Unit names may hold a backslash (systemd's \x2d escapes). */
        unit = shell_quote(it->unit);
        if (!unit)
                return -ENOMEM;
        if (stops ? asprintf(&it->command, "%s stop%s && %s restart %s", prefix, stops, prefix, unit) < 0
                  : asprintf(&it->command, "%s restart %s", prefix, unit) < 0)
                return -ENOMEM;
        return 0;
}

/* Whether ARG of a command line looks like a file name relative to the
 * working directory: a program with a '/' in its name, or an argument
 * that is no option, not absolute, holds no blank and has a '/' or a '.'
 * ("listen.py", "conf/app.ini"). Only the words are looked at: the
 * holder's files are its own, and a lookup there could hang heal. */
static bool argument_is_relative(const char *arg, bool program) {
        if (arg[0] == '/' || !arg[0])
                return false;
        if (program)
                return strchr(arg, '/');
        if (arg[0] == '-')
                return false;
        for (const char *c = arg; *c; c++)
                if ((unsigned char) *c <= ' ' || *c == 0x7f)
                        return false;
        return strpbrk(arg, "/.");
}

/* P's command line as a shell reads it back, every word quoted as needed,
 * after "cd CWD && " when an argument looks relative to its working
 * directory. */
static int holder_command(const process_info *p, char **ret) {
        _cleanup_free_ char *line = NULL, *cwd = NULL;
        bool relative = false;

        for (size_t i = 0; i < (p->n_argv > 0 ? p->n_argv : 1); i++) {
                const char *arg = p->n_argv > 0 ? p->argv[i] : str_or_unknown(p->comm);
                _cleanup_free_ char *word = shell_quote(arg);
                char *n;

                if (!word || asprintf(&n, "%s%s%s", strempty(line), line ? " " : "", word) < 0)
                        return -ENOMEM;
                free(line);
                line = n;
                relative |= p->n_argv > 0 && argument_is_relative(arg, i == 0);
        }
        if (relative && p->cwd && !streq(p->cwd, "/")) {
                cwd = shell_quote(p->cwd);
                if (!cwd || asprintf(ret, "cd %s && %s", cwd, line) < 0)
                        return -ENOMEM;
                return 0;
        }
        *ret = TAKE_PTR(line);
        return 0;
}

/* "user@1000.service" -> 1000 */
static int manager_uid(const char *manager, uid_t *ret) {
        _cleanup_free_ char *s = NULL;
        const char *at;

        if (!manager || strncmp(manager, "user@", 5) != 0 || !(at = strchr(manager, '.')))
                return -EINVAL;
        s = strndup(manager + 5, (size_t) (at - manager - 5));
        return s ? parse_uid(s, ret) : -ENOMEM;
}

static int set_user(heal_item *it, uid_t uid) {
        struct passwd *pw = getpwuid(uid);

        it->user_unit = true;
        it->user = uid;
        if (pw)
                it->user_name = strdup(pw->pw_name);
        else if (asprintf(&it->user_name, "%u", (unsigned) uid) < 0)
                it->user_name = NULL;
        return it->user_name ? 0 : -ENOMEM;
}

/* The socket unit of the manager P (PID 1, or a user's systemd) that
 * listens on the path: 1 when found and planned, 0 when none does. */
static int plan_socket_unit(heal_context *h, heal_item *it, const process_info *p) {
        _cleanup_free_ char *why = NULL;
        const char *path = it->e->s->name;
        uid_t uid;
        int r;

        if (p->pid == 1)
                r = unit_bus_socket_unit(&h->bus, path, &it->unit, &it->stop, &it->n_stop, &why);
        else {
                if (manager_uid(p->manager, &uid) < 0)
                        return 0;
                r = set_user(it, uid);
                if (r < 0)
                        return r;
                r = heal_user_socket_unit(uid, path, &it->unit, &it->stop, &it->n_stop, &why);
                if (r == -EHOSTUNREACH) {
                        /* Which unit is not known: what to run, in general. */
                        it->holder = p;
                        if (asprintf(&it->reason, "%s; as user %s, find the socket unit listening on %s and "
                                     "restart it", why ?: "its manager cannot be reached", it->user_name, it->shown) < 0 ||
                            asprintf(&it->command, "systemctl --user -M %s@ list-sockets", it->user_name) < 0)
                                return -ENOMEM;
                        return 1;
                }
        }
        if (r == -ENOENT) {
                it->user_unit = false;
                free(it->user_name);
                it->user_name = NULL;
                return 0;
        }
        if (r < 0) {
                it->holder = p;
                if (asprintf(&it->reason, "cannot tell which socket unit listens on %s: %s", it->shown,
                             why ?: strerror(-r)) < 0)
                        return -ENOMEM;
                return 1;
        }
        it->action = HEAL_RESTART;
        /* Shown: the service it was handed to, when one holds it too. */
        it->holder = it->e->proc ?: p;
        return restart_command(it) < 0 ? -ENOMEM : 1;
}

static int plan_item(heal_context *h, heal_item *it) {
        const scan_entry *e = it->e;
        const process_info *p = e->proc, *manager = NULL;
        const char *path = it->shown;
        _cleanup_free_ char *comm = NULL;
        uid_t uid;
        int r;

        /* tmux binds again on SIGUSR1; told by what it runs. */
        for (size_t i = 0; i < e->n_holders; i++)
                if (e->holders[i].pid > 1 && process_is_tmux(e->holders[i].pid)) {
                        r = process_cache_get(&h->scan.machine.processes, e->holders[i].pid, &it->holder);
                        if (r < 0)
                                return r;
                        it->action = HEAL_SIGNAL;
                        if (asprintf(&it->command, "kill -USR1 %d", (int) e->holders[i].pid) < 0)
                                return -ENOMEM;
                        goto done;
                }

        /* A service manager holds the sockets of its socket units: that
         * unit is restarted, whichever service was handed the socket. */
        for (size_t i = 0; i < e->n_holders && !manager; i++) {
                const process_info *q;

                r = process_cache_get(&h->scan.machine.processes, e->holders[i].pid, &q);
                if (r < 0)
                        return r;
                if (process_is_manager(q))
                        manager = q;
        }
        if (manager) {
                r = plan_socket_unit(h, it, manager);
                if (r < 0)
                        return r;
                if (r > 0)
                        goto done;
        }

        if (p && !process_is_manager(p) && p->unit && has_suffix(p->unit, ".service") &&
            (!p->manager || manager_uid(p->manager, &uid) >= 0)) {
                it->holder = p;
                it->unit = strdup(p->unit);
                if (!it->unit || (p->manager && set_user(it, uid) < 0))
                        return -ENOMEM;
                it->action = HEAL_RESTART;
                if (restart_command(it) < 0)
                        return -ENOMEM;
                goto done;
        }

        it->holder = p;
        comm = p && p->comm ? cescape(p->comm) : NULL;
        if (!p) {
                if (asprintf(&it->reason, "no process that heal can see holds the socket%s",
                             geteuid() != 0 ? " (run as root to see every holder)" : "") < 0)
                        return -ENOMEM;
        } else if (asprintf(&it->reason,
                            "PID %d (%s)%s%s is neither a service heal can restart nor tmux: it must bind %s "
                            "again; stop it and start it again as it was started",
                            (int) p->pid, str_or_unknown(comm), p->unit ? " in " : "", strempty(p->unit), path) < 0 ||
                   holder_command(p, &it->command) < 0)
                return -ENOMEM;
done:
        if (e->status == STATUS_HIJACKED) {
                /* Whatever is at the path now may be another's: a restart
                 * would unlink it or fail on it. The admin decides. */
                char *reason;

                if (asprintf(&reason, "%s leads to another %s now; heal does not remove it: remove it if it is "
                             "stale, then restart the holder%s%s",
                             path, e->found ?: "file", it->command ? ": " : "", strempty(it->command)) < 0)
                        return -ENOMEM;
                free(it->reason);
                it->reason = reason;
                it->action = HEAL_NONE;
        }
        it->result = it->action == HEAL_NONE ? HEAL_NOTHING : HEAL_PLANNED;
        return 0;
}

/* An earlier item already restarted the same unit, or signalled the same
 * tmux: once is enough. */
static const heal_item *done_before(const heal_context *h, const heal_item *it) {
        for (const heal_item *o = h->items; o < it; o++) {
                if (o->result != HEAL_DONE || o->action != it->action)
                        continue;
                if (it->action == HEAL_SIGNAL && o->holder->pid == it->holder->pid)
                        return o;
                if (it->action == HEAL_RESTART && streq(o->unit, it->unit) && o->user_unit == it->user_unit &&
                    o->user == it->user)
                        return o;
        }
        return NULL;
}

static void act(heal_context *h, heal_item *it, uint64_t timeout_usec) {
        _cleanup_free_ char *why = NULL;
        int r;

        if (it->action == HEAL_NONE)
                return;
        if (done_before(h, it)) {
                it->result = HEAL_DONE;
                return;
        }
        if (it->action == HEAL_SIGNAL)
                r = heal_signal_tmux(it->holder->pid, it->e->s->sock_ino, &why);
        else if (it->user_unit)
                r = heal_user_restart(it->user, it->unit, timeout_usec, &why);
        else
                r = unit_bus_restart(&h->bus, it->unit, timeout_usec, &why);
        if (r < 0) {
                it->result = HEAL_FAILED;
                it->error = why ? TAKE_PTR(why) : strdup(strerror(-r));
        } else if (it->action == HEAL_RESTART && r == 0) {
                it->result = HEAL_SKIPPED;
                it->error = TAKE_PTR(why);
        } else
                it->result = HEAL_DONE;
}

/* Polls every item that was acted on until it answers or the deadline. */
static void wait_reachable(heal_context *h, uint64_t timeout_usec) {
        uint64_t deadline = now_usec(CLOCK_MONOTONIC) + timeout_usec;

        for (;;) {
                bool waiting = false;

                for (size_t i = 0; i < h->n_items; i++) {
                        heal_item *it = &h->items[i];

                        if (it->reachable || it->result != HEAL_DONE)
                                continue;
                        it->reachable = heal_connects(it->e->s->name, it->e->s->type);
                        waiting |= !it->reachable;
                }
                if (!waiting || now_usec(CLOCK_MONOTONIC) >= deadline)
                        break;
                (void) nanosleep(&(struct timespec) { .tv_nsec = HEAL_POLL_USEC * 1000 }, NULL);
        }
        /* A socket left alone may answer all the same: a listener of the
         * same name whose holder no fd here shows (another container's,
         * sharing this network namespace with a /tmp of its own; one an
         * accept() in progress still holds after its daemon bound anew)
         * while the path is served, healed or not, by the socket at it. A
         * hijacked path answers too, but with another's socket: not
         * counted. */
        for (size_t i = 0; i < h->n_items; i++) {
                heal_item *it = &h->items[i];

                if (it->result != HEAL_DONE && it->e->status == STATUS_ORPHANED)
                        it->reachable = heal_connects(it->e->s->name, it->e->s->type);
        }
}

static void print_holder(const heal_item *it) {
        const process_info *p = it->holder;
        _cleanup_free_ char *comm = NULL;

        if (!p) {
                printf("no holder seen");
                return;
        }
        comm = p->comm ? cescape(p->comm) : NULL;
        printf("held by PID %d (%s)", (int) p->pid, str_or_unknown(comm));
        if (p->unit)
                printf(" of %s%s%s", p->unit, p->manager ? " in " : "", strempty(p->manager));
}

static void print_plan(const heal_item *it) {
        printf("%s: %s, ", it->shown, scan_status_to_string(it->e->status));
        print_holder(it);
        printf("\n");
        if (it->action == HEAL_SIGNAL)
                printf("  tmux: SIGUSR1 makes it bind again: %s\n", it->command);
        else if (it->action == HEAL_RESTART)
                printf("  restart %s%s%s: %s\n", it->unit, it->user_unit ? " of user " : "",
                       it->user_unit ? it->user_name : "", it->command);
        else {
                /* Printable as it is: every word was quoted by shell_quote(). */
                printf("  nothing done: %s\n", it->reason);
                if (it->command)
                        printf("  command: %s\n", it->command);
        }
}

static void print_result(const heal_item *it) {
        const char *path = it->shown;

        switch (it->result) {
        case HEAL_DONE:
                if (it->action == HEAL_SIGNAL)
                        printf("%s: sent SIGUSR1 to tmux (PID %d)", path, (int) it->holder->pid);
                else
                        printf("%s: restarted %s", path, it->unit);
                printf(it->reachable ? "; reachable again.\n" : "; still not reachable.\n");
                break;
        case HEAL_SKIPPED:
        case HEAL_FAILED:
                printf("%s: %s: %s; %s.\n", path, it->result == HEAL_SKIPPED ? "not restarted" : "failed",
                       strempty(it->error), it->reachable ? "it answers all the same" : "not reachable");
                break;
        default:
                printf("%s: %s; %s.\n", path,
                       it->result == HEAL_DECLINED ? "declined" : it->result == HEAL_PLANNED ? "planned" : "nothing done",
                       it->reachable ? "it answers all the same, through another socket bound there" : "not reachable");
        }
}

static void json_strv(json_writer *w, char **l, size_t n) {
        json_begin_array(w);
        for (size_t i = 0; i < n; i++)
                json_string(w, l[i]);
        json_end_array(w);
}

static void json_string_or_null(json_writer *w, const char *key, const char *s) {
        json_key(w, key);
        if (s)
                json_string(w, s);
        else
                json_null(w);
}

static void print_json(const heal_context *h, bool pretty) {
        json_writer w;

        json_init(&w, stdout, pretty);
        json_begin_array(&w);
        for (size_t i = 0; i < h->n_items; i++) {
                const heal_item *it = &h->items[i];
                const process_info *p = it->holder;

                json_begin_object(&w);
                json_pair_path(&w, "path", it->e->s->name);
                json_pair_string(&w, "status", scan_status_to_string(it->e->status));
                json_key(&w, "holder");
                if (p) {
                        json_begin_object(&w);
                        json_pair_int(&w, "pid", p->pid);
                        json_string_or_null(&w, "comm", p->comm);
                        json_string_or_null(&w, "unit", p->unit);
                        json_string_or_null(&w, "manager", p->manager);
                        json_end_object(&w);
                } else
                        json_null(&w);
                json_pair_string(&w, "action", action_to_string(it->action));
                json_string_or_null(&w, "unit", it->unit);
                json_string_or_null(&w, "user", it->user_unit ? it->user_name : NULL);
                json_key(&w, "stop_first");
                json_strv(&w, it->stop, it->n_stop);
                json_string_or_null(&w, "command", it->command);
                json_string_or_null(&w, "reason", it->reason);
                json_pair_string(&w, "result", result_to_string(it->result));
                json_string_or_null(&w, "error", it->error);
                json_pair_bool(&w, "reachable", it->reachable);
                json_end_object(&w);
        }
        json_end_array(&w);
        json_finish(&w);
}

static int help(void) {
        printf("Usage: sockkeeper heal [OPTIONS] [PATH...]\n"
               "\n"
               "Gives each broken socket (orphaned: its file is gone; as `sockkeeper scan\n"
               "--broken` lists them) a path again, or only those at PATH: restarts the\n"
               "systemd unit that holds it (a socket unit after stopping its service),\n"
               "sends SIGUSR1 to a tmux server, and for anything else prints the holder and\n"
               "the command it would take, changing nothing. A hijacked path is never\n"
               "touched. Asks once before acting, on a terminal.\n"
               "\n"
               "  -h --help            show this help\n"
               "  -V --version         show the version\n"
               "     --dry-run         print the plan and change nothing\n"
               "  -y --yes             act without asking (needed when not on a terminal)\n"
               "     --json[=MODE]     print a JSON array, one object per broken socket;\n"
               "                       MODE is pretty (the default), short (one line) or off\n"
               "     --no-pager        accepted for systemd's tools' sake; heal never pages\n"
               "     --timeout=SPAN    how long a healed socket is given to answer, and a\n"
               "                       socket unit's services to stop (15s)\n"
               "\n"
               "Exit status: 0 every broken socket answers a client again, 1 one does not\n"
               "(or --dry-run, or declined), 3 heal failed, 64 usage (also: not on a\n"
               "terminal without --yes).\n");
        return 0;
}

static int add_path(heal_context *h, const char *arg) {
        char *n;

        if (arg[0] != '/') {
                _cleanup_free_ char *shown = cescape(arg);

                cli_usage_error("%s: a socket path must be absolute", strempty(shown));
                return -EINVAL;
        }
        n = path_normalize(arg);
        if (!n || strv_push(&h->paths, &h->n_paths, n) < 0)
                return log_error_errno(-ENOMEM, "reading the paths");
        return 0;
}

static bool named(heal_context *h, const scan_entry *e) {
        bool any = false;

        if (h->n_paths == 0)
                return true;
        for (size_t i = 0; i < h->n_paths; i++)
                if (streq(h->paths[i], e->s->name) || (e->renamed_to && streq(h->paths[i], e->renamed_to))) {
                        h->path_found[i] = true;
                        any = true;
                }
        return any;
}

/* Asks on the terminal; true for yes. */
static bool confirm(size_t n) {
        char line[64];

        fprintf(stderr, "Heal %zu socket%s? [y/N] ", n, n == 1 ? "" : "s");
        fflush(stderr);
        if (!fgets(line, sizeof(line), stdin))
                return false;
        line[strcspn(line, "\n")] = '\0';
        return strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
}

int verb_heal(int argc, char *argv[]) {
        enum { ARG_DRY_RUN = 0x100, ARG_TIMEOUT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                { "yes", no_argument, NULL, 'y' },
                { "json", optional_argument, NULL, ARG_JSON },
                { "no-pager", no_argument, NULL, ARG_NO_PAGER },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                {}
        };
        _cleanup_(heal_context_done) heal_context h = {};
        uint64_t timeout_usec = HEAL_TIMEOUT_USEC_DEFAULT;
        output_mode mode = OUTPUT_TEXT;
        bool dry_run = false, yes = false, json, all_reachable = true;
        size_t n_actions = 0;
        int ch, r;

        while ((ch = getopt_long(argc, argv, ":hyV", options, NULL)) >= 0)
                switch (ch) {
                case 'h':
                        return help();
                case 'V':
                case ARG_VERSION:
                        return cli_version();
                case ARG_DRY_RUN:
                        dry_run = true;
                        break;
                case 'y':
                        yes = true;
                        break;
                case ARG_JSON:
                        if (parse_json_option(optarg, &mode) < 0)
                                return HEAL_EXIT_USAGE;
                        break;
                case ARG_NO_PAGER:
                        break;
                case ARG_TIMEOUT:
                        if (parse_seconds(optarg, &timeout_usec) < 0)
                                return cli_usage_error("--timeout=%s: not a time span", optarg);
                        break;
                default:
                        return cli_option_error(argv, ch);
                }
        json = output_mode_is_json(mode);
        for (int i = optind; i < argc; i++)
                if (add_path(&h, argv[i]) < 0)
                        return HEAL_EXIT_USAGE;
        h.path_found = calloc(h.n_paths + 1, sizeof(*h.path_found));
        if (!h.path_found)
                return log_error_errno(-ENOMEM, "reading the paths"), HEAL_EXIT_ERROR;

        if (scan_gather(&h.scan) < 0)
                return HEAL_EXIT_ERROR;
        h.items = calloc(h.scan.n_entries + 1, sizeof(*h.items));
        if (!h.items)
                return log_error_errno(-ENOMEM, "listing the broken sockets"), HEAL_EXIT_ERROR;
        for (size_t i = 0; i < h.scan.n_entries; i++) {
                scan_entry *e = &h.scan.entries[i];

                if (!named(&h, e))
                        continue;
                r = scan_examine(&h.scan, e);
                if (r < 0)
                        return log_error_errno(r, "examining a socket"), HEAL_EXIT_ERROR;
                if (!status_broken(e->status))
                        continue;
                h.items[h.n_items].e = e;
                h.items[h.n_items].shown = cescape(e->s->name);
                if (!h.items[h.n_items++].shown)
                        return log_error_errno(-ENOMEM, "listing the broken sockets"), HEAL_EXIT_ERROR;
        }

        for (size_t i = 0; i < h.n_items; i++) {
                r = plan_item(&h, &h.items[i]);
                if (r < 0)
                        return log_error_errno(r, "%s", h.items[i].shown), HEAL_EXIT_ERROR;
                n_actions += h.items[i].action != HEAL_NONE;
        }

        if (!dry_run && !yes && n_actions > 0 && !isatty(STDIN_FILENO))
                return cli_usage_error("standard input is not a terminal, so heal cannot ask; "
                                       "pass --yes to act, or --dry-run to see the plan");
        if (!json)
                for (size_t i = 0; i < h.n_items; i++)
                        print_plan(&h.items[i]);
        if (!dry_run && n_actions > 0) {
                bool go = yes;

                if (!go) {
                        fflush(stdout);
                        go = confirm(n_actions);
                }
                for (size_t i = 0; i < h.n_items; i++) {
                        if (!go && h.items[i].action != HEAL_NONE)
                                h.items[i].result = HEAL_DECLINED;
                        else if (go)
                                act(&h, &h.items[i], timeout_usec);
                }
                if (go)
                        wait_reachable(&h, timeout_usec);
        }

        if (json)
                print_json(&h, mode == OUTPUT_JSON_PRETTY);
        else if (!dry_run)
                for (size_t i = 0; i < h.n_items; i++)
                        print_result(&h.items[i]);
        for (size_t i = 0; i < h.n_items; i++)
                all_reachable &= h.items[i].reachable;
        /* A path named that nothing is bound to: nothing heal can give it. */
        for (size_t i = 0; i < h.n_paths; i++)
                if (!h.path_found[i]) {
                        _cleanup_free_ char *shown = cescape(h.paths[i]);

                        log_error("%s: no socket is bound there, so there is nothing to heal; "
                                  "start the program that serves it", strempty(shown));
                        all_reachable = false;
                }
        if (!json && !dry_run && h.n_items > 0) {
                size_t n_ok = 0;

                for (size_t i = 0; i < h.n_items; i++)
                        n_ok += h.items[i].reachable;
                printf("%zu of %zu broken socket%s reachable again.\n", n_ok, h.n_items, h.n_items == 1 ? "" : "s");
        } else if (!json && h.n_items == 0 && all_reachable)
                printf("No broken sockets.\n");
        if (fflush(stdout) != 0)
                return HEAL_EXIT_ERROR;
        return all_reachable ? HEAL_EXIT_OK : HEAL_EXIT_BROKEN;
}
