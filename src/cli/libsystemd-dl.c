/* SPDX-License-Identifier: MIT */
/* The libsystemd functions the guard and heal call (sd-bus restarts,
 * sd_notify, the journal), found in libsystemd.so.0 when first needed.
 * Only those two need them: linked in, libsystemd and the six libraries it
 * pulls in (libgcrypt, liblzma, libzstd, liblz4, libcap, libgpg-error)
 * were loaded and relocated by every start of every command, check and
 * scan too. Each function here hands its arguments on unchanged; without
 * libsystemd it fails as an unsupported operation. */

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

/* Not exported: libsystemd, once loaded, calls its own functions, not
 * these. */
#pragma GCC visibility push(hidden)
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#define LIBSYSTEMD_FUNCTIONS(X)                                                                                   \
        X(sd_notify)                                                                                              \
        X(sd_watchdog_enabled)                                                                                    \
        X(sd_journal_sendv)                                                                                       \
        X(sd_bus_open_system)                                                                                     \
        X(sd_bus_new)                                                                                             \
        X(sd_bus_set_address)                                                                                     \
        X(sd_bus_set_bus_client)                                                                                  \
        X(sd_bus_start)                                                                                           \
        X(sd_bus_call)                                                                                            \
        X(sd_bus_get_property)                                                                                    \
        X(sd_bus_message_new_method_call)                                                                         \
        X(sd_bus_message_append_strv)                                                                             \
        X(sd_bus_message_enter_container)                                                                         \
        X(sd_bus_set_method_call_timeout)                                                                         \
        X(sd_bus_call_methodv)                                                                                    \
        X(sd_bus_get_property_string)                                                                             \
        X(sd_bus_get_property_strv)                                                                               \
        X(sd_bus_message_readv)                                                                                   \
        X(sd_bus_message_unref)                                                                                   \
        X(sd_bus_is_open)                                                                                         \
        X(sd_bus_flush_close_unref)                                                                               \
        X(sd_bus_error_free)                                                                                      \
        X(sd_bus_error_has_name)

static struct {
#define FIELD(name) __typeof__(name) *name;
        LIBSYSTEMD_FUNCTIONS(FIELD)
#undef FIELD
} lib;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
        void *h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);

        if (!h)
                return;
#define RESOLVE(name) lib.name = (__typeof__(name) *) dlsym(h, #name);
        LIBSYSTEMD_FUNCTIONS(RESOLVE)
#undef RESOLVE
}

#define CALL(name, fail, ...)                      \
        do {                                       \
                pthread_once(&once, load);         \
                if (!lib.name)                     \
                        return fail;               \
                return lib.name(__VA_ARGS__);      \
        } while (0)

int sd_notify(int unset_environment, const char *state) {
        CALL(sd_notify, -EOPNOTSUPP, unset_environment, state);
}

int sd_notifyf(int unset_environment, const char *format, ...) {
        char state[4096];
        va_list ap;
        int n;

        va_start(ap, format);
        n = vsnprintf(state, sizeof(state), format, ap);
        va_end(ap);
        if (n < 0 || (size_t) n >= sizeof(state))
                return -ENOMEM;
        return sd_notify(unset_environment, state);
}

int sd_watchdog_enabled(int unset_environment, uint64_t *usec) {
        CALL(sd_watchdog_enabled, -EOPNOTSUPP, unset_environment, usec);
}

int sd_journal_sendv(const struct iovec *iov, int n) {
        CALL(sd_journal_sendv, -EOPNOTSUPP, iov, n);
}

int sd_bus_open_system(sd_bus **ret) {
        CALL(sd_bus_open_system, -EOPNOTSUPP, ret);
}

int sd_bus_new(sd_bus **ret) {
        CALL(sd_bus_new, -EOPNOTSUPP, ret);
}

int sd_bus_set_address(sd_bus *bus, const char *address) {
        CALL(sd_bus_set_address, -EOPNOTSUPP, bus, address);
}

int sd_bus_set_bus_client(sd_bus *bus, int b) {
        CALL(sd_bus_set_bus_client, -EOPNOTSUPP, bus, b);
}

int sd_bus_start(sd_bus *bus) {
        CALL(sd_bus_start, -EOPNOTSUPP, bus);
}

int sd_bus_call(sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error, sd_bus_message **reply) {
        CALL(sd_bus_call, -EOPNOTSUPP, bus, m, usec, ret_error, reply);
}

int sd_bus_get_property(sd_bus *bus, const char *destination, const char *path, const char *interface,
                        const char *member, sd_bus_error *ret_error, sd_bus_message **reply, const char *type) {
        CALL(sd_bus_get_property, -EOPNOTSUPP, bus, destination, path, interface, member, ret_error, reply, type);
}

int sd_bus_message_new_method_call(sd_bus *bus, sd_bus_message **m, const char *destination, const char *path,
                                   const char *interface, const char *member) {
        CALL(sd_bus_message_new_method_call, -EOPNOTSUPP, bus, m, destination, path, interface, member);
}

int sd_bus_message_append_strv(sd_bus_message *m, char **l) {
        CALL(sd_bus_message_append_strv, -EOPNOTSUPP, m, l);
}

int sd_bus_message_enter_container(sd_bus_message *m, char type, const char *contents) {
        CALL(sd_bus_message_enter_container, -EOPNOTSUPP, m, type, contents);
}

int sd_bus_set_method_call_timeout(sd_bus *bus, uint64_t usec) {
        CALL(sd_bus_set_method_call_timeout, -EOPNOTSUPP, bus, usec);
}

int sd_bus_call_method(sd_bus *bus, const char *destination, const char *path, const char *interface,
                       const char *member, sd_bus_error *ret_error, sd_bus_message **reply, const char *types, ...) {
        va_list ap;
        int r;

        pthread_once(&once, load);
        if (!lib.sd_bus_call_methodv)
                return -EOPNOTSUPP;
        va_start(ap, types);
        r = lib.sd_bus_call_methodv(bus, destination, path, interface, member, ret_error, reply, types, ap);
        va_end(ap);
        return r;
}

int sd_bus_get_property_string(sd_bus *bus, const char *destination, const char *path, const char *interface,
                               const char *member, sd_bus_error *ret_error, char **ret) {
        CALL(sd_bus_get_property_string, -EOPNOTSUPP, bus, destination, path, interface, member, ret_error, ret);
}

int sd_bus_get_property_strv(sd_bus *bus, const char *destination, const char *path, const char *interface,
                             const char *member, sd_bus_error *ret_error, char ***ret) {
        CALL(sd_bus_get_property_strv, -EOPNOTSUPP, bus, destination, path, interface, member, ret_error, ret);
}

int sd_bus_message_read(sd_bus_message *m, const char *types, ...) {
        va_list ap;
        int r;

        pthread_once(&once, load);
        if (!lib.sd_bus_message_readv)
                return -EOPNOTSUPP;
        va_start(ap, types);
        r = lib.sd_bus_message_readv(m, types, ap);
        va_end(ap);
        return r;
}

sd_bus_message *sd_bus_message_unref(sd_bus_message *m) {
        CALL(sd_bus_message_unref, NULL, m);
}

int sd_bus_is_open(sd_bus *bus) {
        CALL(sd_bus_is_open, -EOPNOTSUPP, bus);
}

sd_bus *sd_bus_flush_close_unref(sd_bus *bus) {
        CALL(sd_bus_flush_close_unref, NULL, bus);
}

void sd_bus_error_free(sd_bus_error *e) {
        pthread_once(&once, load);
        if (lib.sd_bus_error_free)
                lib.sd_bus_error_free(e);
}

int sd_bus_error_has_name(const sd_bus_error *e, const char *name) {
        CALL(sd_bus_error_has_name, 0, e, name);
}

#pragma GCC visibility pop
