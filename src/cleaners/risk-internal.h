/* SPDX-License-Identifier: MIT */
#pragma once

/* The classifier's parts, for its own files: the report being made and
 * how a reason goes into it (risk.c), and what listens at a path
 * (risk-listeners.c). */

#include "macro.h"
#include "risk.h"

/* The report being made, and what it is for. */
typedef struct report_ctx {
        risk_report r;
        size_t allocated;       /* room in r.reasons */
        risk_rating texts_from;
} report_ctx;

/* Whether a reason of RATING is told in words (and with its source). */
static inline bool risk_told(const report_ctx *x, risk_rating rating) {
        return rating >= x->texts_from;
}

/* A reason with TEXT and SRC (both taken, and NULL when not told). */
int risk_reason_push(report_ctx *x, risk_rating rating, const char *kind, char *text, char *src);
/* A reason told in words made from FMT, with a copy of SOURCE. */
_printf_(5, 6) int risk_reason_add(report_ctx *x, risk_rating rating, const char *kind, const char *source,
                                    const char *fmt, ...);

/* Whether /proc/net/unix of our network namespace, the only one tmpfiles
 * reads, lists the name FULL. */
bool risk_listed_live(const risk_sockets *sockets, const char *full);

/* Who listens at FULL (the path under the root as given; PATH is it
 * canonical and root-relative) or on its file ST (EXISTS: there is one),
 * in which network namespace: listener, orphaned, hijacked, renamed,
 * netns, stale. */
void risk_check_listeners(risk_machine *m, const risk_sockets *sockets, report_ctx *x, const char *path,
                          const char *full, const struct stat *st, bool exists);
