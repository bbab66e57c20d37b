/* SPDX-License-Identifier: MIT */
/* When relink is impossible, systemd (sd-bus) is asked to restart the unit
 * that owns the socket, so that a fresh socket is bound at the path. A
 * socket unit cannot be started while the service it triggers is active
 * ("Socket service X already active, refusing."), and that service holds
 * the stale fd, so it is stopped first. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "macro.h"
#include "strv.h"
#include "unit-bus.h"

#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"
#define UNIT_IFACE "org.freedesktop.systemd1.Unit"
#define SOCKET_IFACE "org.freedesktop.systemd1.Socket"
/* Queuing a job is quick; a hung manager must not starve the guard's
 * watchdog, nor keep heal waiting. */
#define BUS_TIMEOUT_USEC (5 * USEC_PER_SEC)

struct unit_bus {
        sd_bus *bus;
        char *address;          /* NULL: the system bus */
        bool bus_client;
};

unit_bus *unit_bus_free(unit_bus *b) {
        if (b) {
                sd_bus_flush_close_unref(b->bus);
                free(b->address);
                free(b);
        }
        return NULL;
}

int unit_bus_new_address(unit_bus **ret, const char *address, bool bus_client) {
        unit_bus *n = calloc(1, sizeof(*n));

        if (!n)
                return -ENOMEM;
        n->address = strdup(address);
        if (!n->address) {
                free(n);
                return -ENOMEM;
        }
        n->bus_client = bus_client;
        *ret = n;
        return 0;
}

static int open_address(unit_bus *b) {
        int r;

        r = sd_bus_new(&b->bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(b->bus, b->address);
        if (r >= 0)
                r = sd_bus_set_bus_client(b->bus, b->bus_client);
        if (r >= 0)
                r = sd_bus_start(b->bus);
        return r;
}

static int bus_connect(unit_bus **b) {
        int r;

        if (*b && (*b)->bus && sd_bus_is_open((*b)->bus) > 0)
                return 0;
        if (!*b) {
                *b = calloc(1, sizeof(**b));
                if (!*b)
                        return -ENOMEM;
        }
        (*b)->bus = sd_bus_flush_close_unref((*b)->bus);
        r = (*b)->address ? open_address(*b) : sd_bus_open_system(&(*b)->bus);
        if (r >= 0)
                r = sd_bus_set_method_call_timeout((*b)->bus, BUS_TIMEOUT_USEC);
        if (r < 0)
                (*b)->bus = sd_bus_flush_close_unref((*b)->bus);
        return r;
}

/* The manager "the system bus" or the address, for messages. */
static const char *bus_name(const unit_bus *b) {
        return b && b->address ? b->address : "the system bus";
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

static void bus_message_unrefp(sd_bus_message **m) {
        if (*m)
                sd_bus_message_unref(*m);
}

/* sd-bus's lists end in NULL, as the ones of strv.h do not. */
static void bus_strv_freep(char ***l) {
        for (char **t = *l; t && *t; t++)
                free(*t);
        free(*l);
}

/* The unit's ActiveState; "inactive" for a unit that is not loaded. */
static int active_state(sd_bus *bus, const char *unit, char **ret_state, char **ret_path, char **ret_why) {
        _cleanup_(bus_errorp) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *p = NULL;
        const char *path;
        char *state = NULL;
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
        if (r < 0)
                return r;
        p = strdup(path);
        if (!p)
                return -ENOMEM;

        r = sd_bus_get_property_string(bus, SYSTEMD_DEST, p, UNIT_IFACE, "ActiveState", &e, &state);
        if (r < 0) {
                set_why(ret_why, "ActiveState of %s: %s", unit, e.message ?: strerror(-r));
                return r;
        }
        *ret_state = state;
        *ret_path = TAKE_PTR(p);
        return 0;
}

static int call_job(sd_bus *bus, const char *method, const char *unit, char **ret_why) {
        _cleanup_(bus_errorp) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, SYSTEMD_DEST, SYSTEMD_PATH, MANAGER_IFACE, method, &e, &reply,
                               "ss", unit, "replace");
        if (r < 0)
                set_why(ret_why, "%s(%s): %s", method, unit, e.message ?: strerror(-r));
        return r;
}

static bool is_running(const char *state) {
        return streq(state, "active") || streq(state, "activating") || streq(state, "reloading");
}

/* The units that the unit at object PATH triggers and that run now: *RET_N
 * of them in *RET. */
static int running_triggers(sd_bus *bus, const char *unit, const char *path, char ***ret, size_t *ret_n,
                            char **ret_why) {
        _cleanup_(bus_strv_freep) char **triggers = NULL;
        char **running = NULL;
        size_t n = 0;
        int r;

        {
                _cleanup_(bus_errorp) sd_bus_error e = SD_BUS_ERROR_NULL;

                r = sd_bus_get_property_strv(bus, SYSTEMD_DEST, path, UNIT_IFACE, "Triggers", &e, &triggers);
                if (r < 0) {
                        set_why(ret_why, "Triggers of %s: %s", unit, e.message ?: strerror(-r));
                        return r;
                }
        }
        for (char **t = triggers; t && *t; t++) {
                _cleanup_free_ char *s = NULL, *p = NULL;

                r = active_state(bus, *t, &s, &p, ret_why);
                if (r >= 0 && is_running(s) && strv_extend(&running, &n, *t) < 0)
                        r = -ENOMEM;
                if (r < 0) {
                        strv_free_n(running, n);
                        return r;
                }
        }
        *ret = running;
        *ret_n = n;
        return 0;
}

/* Waits until none of the N units is active or on its way out, or until
 * the deadline: a stop job still running when the socket is restarted is
 * turned into a restart of the service (it Requires= the socket), which
 * then holds the socket and makes the socket's start refuse. */
static int wait_stopped(sd_bus *bus, char **units, size_t n, uint64_t wait_usec, char **ret_why) {
        uint64_t deadline = now_usec(CLOCK_MONOTONIC) + wait_usec;

        for (size_t i = 0; i < n; i++)
                for (;;) {
                        _cleanup_free_ char *state = NULL, *path = NULL;
                        int r = active_state(bus, units[i], &state, &path, ret_why);

                        if (r < 0)
                                return r;
                        if (streq(state, "inactive") || streq(state, "failed"))
                                break;
                        if (now_usec(CLOCK_MONOTONIC) >= deadline) {
                                set_why(ret_why, "%s is still %s", units[i], state);
                                return -ETIMEDOUT;
                        }
                        (void) nanosleep(&(struct timespec) { .tv_nsec = 50 * 1000 * 1000 }, NULL);
                }
        return 0;
}

int unit_bus_restart(unit_bus **b, const char *unit, uint64_t stop_wait_usec, char **ret_why) {
        _cleanup_free_ char *state = NULL, *path = NULL;
        char **running = NULL;
        size_t n_running = 0;
        int r;

        r = bus_connect(b);
        if (r < 0) {
                set_why(ret_why, "cannot connect to %s: %s", bus_name(*b), strerror(-r));
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
        r = running_triggers((*b)->bus, unit, path, &running, &n_running, ret_why);
        if (r < 0)
                goto fail;
        for (size_t i = 0; i < n_running && r >= 0; i++)
                if (call_job((*b)->bus, "StopUnit", running[i], ret_why) < 0)
                        r = -EIO;
        if (r >= 0 && stop_wait_usec > 0)
                r = wait_stopped((*b)->bus, running, n_running, stop_wait_usec, ret_why);
        strv_free_n(running, n_running);
        if (r >= 0)
                r = call_job((*b)->bus, "RestartUnit", unit, ret_why);
        if (r >= 0)
                return 1;
fail:
        /* A broken connection is made again next time. */
        if (sd_bus_is_open((*b)->bus) <= 0)
                (*b)->bus = sd_bus_flush_close_unref((*b)->bus);
        return r;
}

/* Whether the socket unit at object PATH has PATH among its Listen= pairs. */
static int listens_on(sd_bus *bus, const char *object, const char *path) {
        _cleanup_(bus_errorp) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *type, *address;
        int r;

        r = sd_bus_get_property(bus, SYSTEMD_DEST, object, SOCKET_IFACE, "Listen", &e, &reply, "a(ss)");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(ss)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(ss)", &type, &address)) > 0)
                if (streq(address, path))
                        return 1;
        return r;
}

int unit_bus_socket_unit(unit_bus **b, const char *path, char **ret_unit, char ***ret_running, size_t *ret_n_running,
                         char **ret_why) {
        _cleanup_(bus_errorp) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        const char *id, *object, *s;
        uint32_t job;
        int r;

        r = bus_connect(b);
        if (r < 0) {
                set_why(ret_why, "cannot connect to %s: %s", bus_name(*b), strerror(-r));
                return r;
        }
        /* Every loaded socket unit: one that is not listening can still
         * hold a socket the manager keeps for it (a stop job queued). */
        r = sd_bus_message_new_method_call((*b)->bus, &m, SYSTEMD_DEST, SYSTEMD_PATH, MANAGER_IFACE,
                                           "ListUnitsByPatterns");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, (char *[]) { NULL });
        if (r >= 0)
                r = sd_bus_message_append_strv(m, (char *[]) { (char *) "*.socket", NULL });
        if (r < 0)
                return r;
        r = sd_bus_call((*b)->bus, m, BUS_TIMEOUT_USEC, &e, &reply);
        if (r < 0) {
                set_why(ret_why, "ListUnitsByPatterns: %s", e.message ?: strerror(-r));
                return r;
        }
        r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(ssssssouso)", &id, &s, &s, &s, &s, &s, &object, &job, &s, &s)) >
               0) {
                _cleanup_free_ char *unit = NULL;

                if (listens_on((*b)->bus, object, path) <= 0)
                        continue;
                unit = strdup(id);
                if (!unit)
                        return -ENOMEM;
                if (ret_running) {
                        r = running_triggers((*b)->bus, unit, object, ret_running, ret_n_running, ret_why);
                        if (r < 0)
                                return r;
                }
                *ret_unit = TAKE_PTR(unit);
                return 0;
        }
        return r < 0 ? r : -ENOENT;
}
