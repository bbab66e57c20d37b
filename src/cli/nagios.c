/* SPDX-License-Identifier: MIT */
/* check and scan as monitoring plugins: one line, "SOCKKEEPER STATE -
 * what | perfdata", and the exit status 0/1/2/3 that Nagios, Icinga and
 * monitoring-plugins read. The mapping from ratings and statuses is in
 * sockkeeper(1), MONITORING PLUGINS. */

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "macro.h"
#include "nagios.h"
#include "scan-collect.h"

const char *nagios_state_to_string(int state) {
        static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

        return state >= 0 && state <= NAGIOS_UNKNOWN ? names[state] : "UNKNOWN";
}

int nagios_worse(int a, int b) {
        static const int rank[] = { [NAGIOS_OK] = 0, [NAGIOS_UNKNOWN] = 1, [NAGIOS_WARNING] = 2, [NAGIOS_CRITICAL] = 3 };

        return rank[a] >= rank[b] ? a : b;
}

bool nagios_requested(int argc, char *argv[]) {
        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--"))
                        break;
                if (streq(argv[i], "--format=nagios") || (streq(argv[i], "--format") && i + 1 < argc &&
                                                            streq(argv[i + 1], "nagios")))
                        return true;
        }
        return false;
}

int nagios_unknown(const char *what) {
        fputs("SOCKKEEPER UNKNOWN - ", stdout);
        nagios_put_name(stdout, what);
        putchar('\n');
        fflush(stdout);
        return NAGIOS_UNKNOWN;
}

void nagios_put_name(FILE *f, const char *name) {
        _cleanup_free_ char *escaped = cescape(name);

        for (const char *p = escaped ?: "(out of memory)"; *p; p++)
                if (*p == '|')
                        fputs("\\x7c", f);
                else
                        fputc(*p, f);
}

static const int check_state[] = {
        [RISK_OK] = NAGIOS_OK,
        [RISK_CAUTION] = NAGIOS_WARNING,
        [RISK_RISKY] = NAGIOS_CRITICAL,
        [RISK_ERROR] = NAGIOS_UNKNOWN,
};

/* "PATH (WHY)", or "PATH (WHY: WHERE)" with a WHERE. */
static void add_listed(nagios_check *c, risk_rating rating, const char *path, const char *why, const char *where) {
        char *item = NULL;
        size_t n = c->count[rating]++;

        if (n >= NAGIOS_MAX_LISTED)
                return;
        if (!c->listed[rating]) {
                c->listed[rating] = calloc(NAGIOS_MAX_LISTED, sizeof(char *));
                if (!c->listed[rating]) {
                        c->oom = true;
                        return;
                }
        }
        if ((why ? asprintf(&item, "%s (%s%s%s)", path, why, where ? ": " : "", strempty(where))
                 : asprintf(&item, "%s", path)) < 0) {
                c->oom = true;
                return;
        }
        c->listed[rating][n] = item;
}

void nagios_check_add(nagios_check *c, const risk_report *r) {
        const char *why = NULL, *where = NULL;

        /* The first reason at the path's own rating: the problem by its
         * kind, as scan's statuses name theirs, and the file that says
         * so (a rule's "file:line"), if any; "sock_diag" says nothing. */
        for (size_t i = 0; r->rating > RISK_OK && i < r->n_reasons && !why; i++)
                if (r->reasons[i].rating == r->rating) {
                        why = r->reasons[i].kind;
                        if (r->reasons[i].source && r->reasons[i].source[0] == '/')
                                where = r->reasons[i].source;
                }
        add_listed(c, r->rating, r->path, why, where);
}

void nagios_check_add_failed(nagios_check *c, const char *path) {
        add_listed(c, RISK_ERROR, path, "check failed", NULL);
}

static void print_listed(FILE *f, char **listed, unsigned count) {
        for (unsigned i = 0; i < count && i < NAGIOS_MAX_LISTED; i++) {
                fputs(i ? ", " : "", f);
                nagios_put_name(f, listed && listed[i] ? listed[i] : "?");
        }
        if (count > NAGIOS_MAX_LISTED)
                fprintf(f, ", and %u more", count - NAGIOS_MAX_LISTED);
}

int nagios_check_print(nagios_check *c) {
        static const char *const words[] = { "ok", "caution", "risky", "error" };
        static const risk_rating shown_order[] = { RISK_RISKY, RISK_CAUTION, RISK_ERROR };
        int state = NAGIOS_OK;
        unsigned total = 0;
        bool first = true;

        if (c->oom)
                return nagios_unknown("out of memory");
        for (risk_rating r = RISK_OK; r <= RISK_ERROR; r++) {
                total += c->count[r];
                if (c->count[r])
                        state = nagios_worse(state, check_state[r]);
        }
        printf("SOCKKEEPER %s - ", nagios_state_to_string(state));
        if (state == NAGIOS_OK)
                printf("%u path%s ok", total, total == 1 ? "" : "s");
        /* Everything worse than OK, the worst first. */
        for (size_t i = 0; state != NAGIOS_OK && i < ELEMENTSOF(shown_order); i++) {
                risk_rating r = shown_order[i];

                if (!c->count[r])
                        continue;
                printf("%s%u %s: ", first ? "" : "; ", c->count[r], words[r]);
                print_listed(stdout, c->listed[r], c->count[r]);
                first = false;
        }
        printf(" | ok=%u;;;0 caution=%u;0;;0 risky=%u;;0;0 error=%u;;;0\n", c->count[RISK_OK],
               c->count[RISK_CAUTION], c->count[RISK_RISKY], c->count[RISK_ERROR]);
        return fflush(stdout) == 0 ? state : NAGIOS_UNKNOWN;
}

void nagios_check_done(nagios_check *c) {
        for (risk_rating r = RISK_OK; r <= RISK_ERROR; r++) {
                for (size_t i = 0; c->listed[r] && i < NAGIOS_MAX_LISTED; i++)
                        free(c->listed[r][i]);
                free(c->listed[r]);
        }
}

/* "/tmp/a.sock (legacy.service)": the unit that holds it, else the command. */
static void put_entry(const scan_entry *e) {
        const process_info *p = e->proc;

        nagios_put_name(stdout, e->s->name);
        if (p && (p->unit || p->comm)) {
                fputs(" (", stdout);
                nagios_put_name(stdout, p->unit ?: p->comm);
                fputs(")", stdout);
        }
}

/* "N STATUS: path (unit), ..." for the entries that MATCH; false when none. */
static bool print_group(const scan_result *res, const char *word, bool (*match)(const scan_entry *e, const void *arg),
                        const void *arg, bool first) {
        unsigned count = 0, listed = 0;

        for (size_t i = 0; i < res->n; i++)
                count += match(&res->shown[i], arg);
        if (!count)
                return false;
        printf("%s%u %s: ", first ? "" : "; ", count, word);
        for (size_t i = 0; i < res->n && listed < NAGIOS_MAX_LISTED; i++)
                if (match(&res->shown[i], arg)) {
                        fputs(listed++ ? ", " : "", stdout);
                        put_entry(&res->shown[i]);
                }
        if (count > NAGIOS_MAX_LISTED)
                printf(", and %u more", count - NAGIOS_MAX_LISTED);
        return true;
}

static bool has_status(const scan_entry *e, const void *arg) {
        return e->status == *(const scan_status *) arg;
}

static bool at_risk(const scan_entry *e, const void *arg) {
        (void) arg;
        return entry_at_risk(e);
}

int scan_print_nagios(const scan_result *res) {
        static const scan_status orphaned = STATUS_ORPHANED, hijacked = STATUS_HIJACKED;
        unsigned count[_STATUS_MAX] = {}, risky = 0;
        int state = NAGIOS_OK;
        bool any;

        if (!res->ok)
                return nagios_unknown("the scan failed; run 'sockkeeper scan' to see why");
        for (size_t i = 0; i < res->n; i++) {
                count[res->shown[i].status]++;
                risky += entry_at_risk(&res->shown[i]);
        }
        if (count[STATUS_ORPHANED] || count[STATUS_HIJACKED])
                state = NAGIOS_CRITICAL;
        else if (risky)
                state = NAGIOS_WARNING;

        printf("SOCKKEEPER %s - ", nagios_state_to_string(state));
        if (state == NAGIOS_CRITICAL) {
                any = print_group(res, "orphaned", has_status, &orphaned, true);
                print_group(res, "hijacked", has_status, &hijacked, !any);
        } else if (state == NAGIOS_WARNING)
                print_group(res, "at risk", at_risk, NULL, true);
        else
                printf("%zu socket%s, none broken or at risk", res->n, res->n == 1 ? "" : "s");
        if (!res->netns_complete)
                printf(" (some network namespaces could not be looked into)");
        printf(" | orphaned=%u;;0;0 hijacked=%u;;0;0 at_risk=%u;0;;0 healthy=%u;;;0 renamed=%u;;;0 abstract=%u;;;0 "
               "unknown=%u;;;0\n",
               count[STATUS_ORPHANED], count[STATUS_HIJACKED], risky, count[STATUS_HEALTHY],
               count[STATUS_RENAMED], count[STATUS_ABSTRACT], count[STATUS_UNKNOWN]);
        return fflush(stdout) == 0 ? state : NAGIOS_UNKNOWN;
}
