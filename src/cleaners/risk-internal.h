/* SPDX-License-Identifier: MIT */
#pragma once

/* The classifier's parts, for its own files: the report being made, how a
 * reason goes into it and the checks (risk.c), what listens at a path
 * (risk-listeners.c); risk-classify.c runs them for a path. */

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

/* The checks of risk.c, each adding its reasons for PATH (canonical,
 * root-relative; FULL: under the root as given) to X. */
/* The canonical form of PATH, the one every cleaner is asked about, or
 * NULL with the reason why there is none. */
char *risk_check_name(report_ctx *x, const char *path);
void risk_check_location(const risk_machine *m, report_ctx *x, const char *path);
void risk_check_file(const risk_machine *m, report_ctx *x, const dir_facts *dir, const struct stat *st,
                     bool exists);
void risk_facts_from_statx(const struct statx *stx, struct stat *st, tmpfiles_file *f);
/* LISTED_LIVE: risk_listed_live() of the path as given. */
void risk_check_tmpfiles(const risk_machine *m, report_ctx *x, const char *path, const dir_facts *dir,
                         const tmpfiles_file *found, bool exists, bool listed_live);
void risk_check_tmpreaper(risk_machine *m, report_ctx *x, const char *path, const struct stat *st, bool exists);
void risk_check_cron(const risk_machine *m, report_ctx *x, const char *path);
void risk_check_tmpfs(const risk_machine *m, report_ctx *x, const char *path, const dir_facts *dir);

/* Whether /proc/net/unix of our network namespace, the only one tmpfiles
 * reads, lists the name FULL. */
bool risk_listed_live(const risk_sockets *sockets, const char *full);

/* Who listens at FULL (the path under the root as given; PATH is it
 * canonical and root-relative) or on its file ST (EXISTS: there is one),
 * in which network namespace: listener, orphaned, hijacked, renamed,
 * netns, stale. */
void risk_check_listeners(risk_machine *m, const risk_sockets *sockets, report_ctx *x, const char *path,
                          const char *full, const struct stat *st, bool exists);
