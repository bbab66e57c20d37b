/* SPDX-License-Identifier: MIT */
/* How the guard reports: under systemd, journal entries with fields an
 * admin (or a test) can select on, SOCKKEEPER_PATH=, SOCKKEEPER_UNIT= and
 * SOCKKEEPER_ACTION=; by hand, one readable line per event on stderr. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "guard.h"

static bool to_journal;

void guard_log_set_journal(bool journal) {
        to_journal = journal;
}

static void journal(int priority, const char *path, const char *unit, const char *action, const char *message) {
        _cleanup_free_ char *m = NULL, *p = NULL, *prio = NULL, *pa = NULL, *u = NULL, *a = NULL;
        struct iovec iov[6];
        size_t n = 0;

#define FIELD(var, ...)                                                         \
        do {                                                                    \
                if (asprintf(&var, __VA_ARGS__) < 0)                            \
                        goto fallback;                                          \
                iov[n++] = (struct iovec) { .iov_base = var, .iov_len = strlen(var) }; \
        } while (0)

        FIELD(m, "MESSAGE=%s%s%s", path ?: "", path ? ": " : "", message);
        FIELD(prio, "PRIORITY=%i", priority);
        FIELD(p, "SYSLOG_IDENTIFIER=sockkeeper");
        if (path)
                FIELD(pa, "SOCKKEEPER_PATH=%s", path);
        if (unit)
                FIELD(u, "SOCKKEEPER_UNIT=%s", unit);
        if (action)
                FIELD(a, "SOCKKEEPER_ACTION=%s", action);
#undef FIELD
        if (sd_journal_sendv(iov, (int) n) >= 0)
                return;
fallback:
        /* No journal after all: stderr, which systemd also collects. */
        fprintf(stderr, "<%i>%s%s%s\n", priority, path ?: "", path ? ": " : "", message);
}

void guard_log(int priority, const char *path, const char *unit, const char *action, const char *fmt, ...) {
        _cleanup_free_ char *message = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&message, fmt, ap);
        va_end(ap);
        if (r < 0)
                return;

        if (to_journal)
                return journal(priority, path, unit, action, message);

        /* The action and unit in brackets: what a script can grep for. */
        fprintf(stderr, "sockkeeper guard: %s%s%s [action=%s%s%s]\n",
                path ?: "", path ? ": " : "", message, action ?: "-",
                unit ? " unit=" : "", unit ?: "");
}
