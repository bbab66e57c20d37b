/* SPDX-License-Identifier: MIT */
/* When relink is impossible, the guard asks systemd (sd-bus, system bus) to
 * restart the unit that owns the socket, so that a fresh socket is bound at
 * the path. A socket unit cannot be started while the service it triggers
 * is active ("Socket service X already active, refusing."), and that
 * service holds the stale fd, so it is stopped first. Without a unit name,
 * the unit is found from the process that holds the socket. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "guard.h"
#include "socket-owners.h"
#include "unix-diag.h"

#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"
#define UNIT_IFACE "org.freedesktop.systemd1.Unit"
/* Queuing a job is quick; a hung manager must not starve the watchdog. */
#define BUS_TIMEOUT_USEC (5 * USEC_PER_SEC)

struct guard_bus {
        sd_bus *bus;
};

guard_bus *guard_bus_free(guard_bus *b) {
        if (b) {
                sd_bus_flush_close_unref(b->bus);
                free(b);
        }
        return NULL;
}

static int bus_connect(guard_bus **b) {
        guard_bus *n;
        int r;

        if (*b && sd_bus_is_open((*b)->bus) > 0)
                return 0;
        *b = guard_bus_free(*b);

        n = calloc(1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        r = sd_bus_open_system(&n->bus);
        if (r >= 0)
                r = sd_bus_set_method_call_timeout(n->bus, BUS_TIMEOUT_USEC);
        if (r < 0) {
                guard_bus_free(n);
                return r;
        }
        *b = n;
        return 0;
}

_printf_(2, 3) static void set_why(char **ret_why, const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r >= 0) {
                free(*ret_why);
                *ret_why = s;
        }
}

static void bus_errorp(sd_bus_error *e) {
        sd_bus_error_free(e);
}

/* The unit's ActiveState; "inactive" for a unit that is not loaded. */
static int active_state(sd_bus *bus, const char *unit, char **ret_state, char **ret_path, char **ret_why) {
        _cleanup_(bus_errorp) sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *path;
        char *state = NULL, *p;
        int r;

        r = sd_bus_call_method(bus, SYSTEMD_DEST, SYSTEMD_PATH, MANAGER_IFACE, "GetUnit", &e, &reply, "s", unit);
        if (r < 0) {
                if (sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
                        state = strdup("inactive");
                        if (!state)
                                return -ENOMEM;
                        *ret_state = state;
                        *ret_path = NULL;
                        return 0;
                }
                set_why(ret_why, "GetUnit(%s): %s", unit, e.message ?: strerror(-r));
                return r;
        }
        r = sd_bus_message_read(reply, "o", &path);
        p = r >= 0 ? strdup(path) : NULL;
        sd_bus_message_unref(reply);
        if (r < 0)
                return r;
        if (!p)
                return -ENOMEM;

        r = sd_bus_get_property_string(bus, SYSTEMD_DEST, p, UNIT_IFACE, "ActiveState", &e, &state);
        if (r < 0) {
                set_why(ret_why, "ActiveState of %s: %s", unit, e.message ?: strerror(-r));
                free(p);
                return r;
        }
        *ret_state = state;
        *ret_path = p;
        return 0;
}

static int call_job(sd_bus *bus, const char *method, const char *unit, char **ret_why) {
        _cleanup_(bus_errorp) sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, SYSTEMD_DEST, SYSTEMD_PATH, MANAGER_IFACE, method, &e, &reply,
                               "ss", unit, "replace");
        sd_bus_message_unref(reply);
        if (r < 0)
                set_why(ret_why, "%s(%s): %s", method, unit, e.message ?: strerror(-r));
        return r;
}

static bool is_running(const char *state) {
        return streq(state, "active") || streq(state, "activating") || streq(state, "reloading");
}

int guard_restart_unit(guard_bus **b, const char *unit, char **ret_why) {
        _cleanup_free_ char *state = NULL, *path = NULL;
        char **triggers = NULL;
        int r;

        r = bus_connect(b);
        if (r < 0) {
                set_why(ret_why, "cannot connect to the system bus: %s", strerror(-r));
                return r;
        }

        r = active_state((*b)->bus, unit, &state, &path, ret_why);
        if (r < 0)
                goto fail;
        /* Stopped by the admin, or failed: theirs to decide, not ours. */
        if (!streq(state, "active")) {
                set_why(ret_why, "%s is %s", unit, state);
                return 0;
        }

        if (!has_suffix(unit, ".socket"))
                return call_job((*b)->bus, "TryRestartUnit", unit, ret_why) < 0 ? -EIO : 1;

        /* The services a socket unit triggers hold the stale listening fd:
         * stop them, then restart the socket. systemd orders the two jobs
         * (the socket is Before= its service), and socket activation starts
         * the service again; a StartUnit here would replace the stop job. */
        {
                _cleanup_(bus_errorp) sd_bus_error e = SD_BUS_ERROR_NULL;

                r = sd_bus_get_property_strv((*b)->bus, SYSTEMD_DEST, path, UNIT_IFACE, "Triggers", &e, &triggers);
                if (r < 0) {
                        set_why(ret_why, "Triggers of %s: %s", unit, e.message ?: strerror(-r));
                        goto fail;
                }
        }
        for (char **t = triggers; t && *t; t++) {
                _cleanup_free_ char *s = NULL, *p = NULL;

                r = active_state((*b)->bus, *t, &s, &p, ret_why);
                if (r < 0)
                        goto fail;
                if (is_running(s) && call_job((*b)->bus, "StopUnit", *t, ret_why) < 0) {
                        r = -EIO;
                        goto fail;
                }
        }
        r = call_job((*b)->bus, "RestartUnit", unit, ret_why);
        if (r >= 0)
                r = 1;
fail:
        for (char **t = triggers; t && *t; t++)
                free(*t);
        free(triggers);
        /* A broken connection is made again next time. */
        if (r < 0 && *b && sd_bus_is_open((*b)->bus) <= 0)
                *b = guard_bus_free(*b);
        return r;
}

/* The socket's own inode (socket:[N] in /proc/PID/fd) for the file DEV:INO. */
static int socket_inode_of(uint64_t dev, uint64_t ino, uint32_t *ret) {
        unix_socket_info *s = NULL;
        inode_id file = { .dev = (dev_t) dev, .ino = (ino_t) ino };
        size_t n = 0;
        int r;

        r = unix_diag_list(UNIX_DIAG_ALL_NETNS, &s, &n, NULL);
        if (r < 0)
                return r;
        r = -ENOENT;
        for (size_t i = 0; i < n; i++)
                if (s[i].has_vfs && unix_diag_matches(s[i].vfs, file)) {
                        *ret = s[i].sock_ino;
                        r = 0;
                        break;
                }
        unix_socket_info_free_many(s, n);
        return r;
}

int guard_find_holder_unit(uint64_t dev, uint64_t ino, pid_t *ret_pid, char **ret_unit) {
        _cleanup_(socket_owners_done) socket_owners o = {};
        uint32_t sock_ino;
        int r;

        r = socket_inode_of(dev, ino, &sock_ino);
        if (r < 0)
                return r;
        r = socket_owners_load(&o, "/proc");
        if (r < 0)
                return r;
        return socket_owners_system_unit(&o, "/proc", sock_ino, getpid(), ret_pid, ret_unit);
}
