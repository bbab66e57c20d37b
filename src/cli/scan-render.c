/* SPDX-License-Identifier: MIT */
/* sockkeeper scan, the output: the sockets that scan.c examined, as an
 * ss-style table with one short note per socket, or as JSON for scripts.
 * Nothing here looks at the machine; what each socket is was decided
 * before. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "escape.h"
#include "json.h"
#include "macro.h"
#include "netns-name.h"
#include "scan-collect.h"

const char *scan_status_to_string(scan_status s) {
        static const char *const names[] = {
                [STATUS_HEALTHY] = "healthy",   [STATUS_AT_RISK] = "at-risk",   [STATUS_ORPHANED] = "orphaned",
                [STATUS_HIJACKED] = "hijacked", [STATUS_RENAMED] = "renamed",   [STATUS_ABSTRACT] = "abstract",
                [STATUS_UNKNOWN] = "unknown",
        };
        return names[s];
}

static const char *type_to_string(int type) {
        switch (type) {
        case SOCK_STREAM:
                return "stream";
        case SOCK_DGRAM:
                return "dgram";
        case SOCK_SEQPACKET:
                return "seqpacket";
        default:
                return "other";
        }
}

/* The first reason at the report's own rating: what a person reads first. */
static const risk_reason *main_reason(const scan_entry *e) {
        if (!e->rated || e->report.rating < RISK_CAUTION)
                return NULL;
        for (size_t i = 0; i < e->report.n_reasons; i++)
                if (e->report.reasons[i].rating == e->report.rating)
                        return &e->report.reasons[i];
        return NULL;
}

/* One short phrase for the NOTE column and the JSON "note". */
static char *make_note(const scan_entry *e) {
        const risk_reason *x;
        char *s = NULL;
        int n = 0;

        switch (e->status) {
        case STATUS_ORPHANED:
                n = asprintf(&s, "the file is gone: clients get ENOENT");
                break;
        case STATUS_RENAMED: {
                _cleanup_free_ char *to = cescape(e->renamed_to);

                if (!to)
                        return NULL;
                n = asprintf(&s, "renamed after bind to %s: reachable there, taken for dead by tmpfiles", to);
                break;
        }
        case STATUS_HIJACKED:
                n = e->found_sock ? asprintf(&s, "the path leads to another socket (socket inode %" PRIu32 ")",
                                             e->found_sock)
                                  : asprintf(&s, "the path leads to another %s", e->found);
                break;
        case STATUS_UNKNOWN:
                n = e->holder_hidden ? asprintf(&s, "not here, and its holder's mount namespace is out of reach "
                                                    "(only root can look)")
                                     : asprintf(&s, "lstat: %s", strerror(e->stat_error));
                break;
        case STATUS_ABSTRACT:
                return NULL;
        default:
                if (e->private_mount && e->private_pid)
                        n = asprintf(&s, "the file is only in the mount namespace of PID %d", (int) e->private_pid);
                else if (e->private_mount)
                        n = asprintf(&s, "the file is only in the holder's mount namespace");
                else if ((x = main_reason(e)))
                        n = x->source ? asprintf(&s, "%s (%s)", x->kind, x->source) : asprintf(&s, "%s", x->kind);
                else
                        return NULL;
        }
        return n < 0 ? NULL : s;
}

static void print_json_entry(json_writer *w, const scan_entry *e, bool netns_complete) {
        const process_info *p = e->proc;
        _cleanup_free_ char *note = make_note(e);

        json_begin_object(w);
        json_pair_path(w, "path", e->s->name);
        json_pair_string(w, "status", scan_status_to_string(e->status));
        json_pair_string(w, "type", type_to_string(e->s->type));
        json_key(w, "inode");
        if (e->has_inode)
                json_uint(w, e->inode);
        else
                json_null(w);
        json_pair_uint(w, "sock_ino", e->s->sock_ino);
        json_key(w, "pid");
        if (p)
                json_int(w, p->pid);
        else
                json_null(w);
        json_key(w, "pids");
        json_begin_array(w);
        for (size_t i = 0; i < e->n_holders; i++)
                json_int(w, e->holders[i].pid);
        json_end_array(w);
        json_pair_string(w, "command", p ? p->comm : NULL);
        json_pair_string(w, "cmdline", p ? p->cmdline : NULL);
        json_pair_string(w, "unit", p ? p->unit : NULL);
        json_pair_string(w, "unit_manager", p && p->unit ? p->manager ?: "system" : NULL);
        json_key(w, "netns");
        if (e->s->netns)
                json_uint(w, e->s->netns);
        else
                json_null(w);
        json_pair_bool(w, "netns_host", !e->s->other_netns);
        json_pair_string(w, "netns_name", e->netns_name);
        if (!netns_complete)
                json_pair_bool(w, "netns_complete", false);
        json_pair_string(w, "rating", e->rated ? risk_rating_to_string(e->report.rating) : NULL);
        json_key(w, "reasons");
        json_begin_array(w);
        for (size_t i = 0; e->rated && i < e->report.n_reasons; i++) {
                const risk_reason *x = &e->report.reasons[i];

                if (x->rating >= RISK_CAUTION)
                        json_risk_reason(w, x);
        }
        json_end_array(w);
        json_pair_string(w, "note", note);
        if (e->renamed_to)
                json_pair_path(w, "renamed_to", e->renamed_to);
        if (e->status == STATUS_HIJACKED) {
                json_pair_string(w, "found", e->found);
                json_key(w, "found_sock_ino");
                if (e->found_sock)
                        json_uint(w, e->found_sock);
                else
                        json_null(w);
        }
        if (e->private_mount)
                json_pair_bool(w, "private_mount", true);
        json_end_object(w);
}

static size_t max_size(size_t a, size_t b) {
        return a > b ? a : b;
}

typedef struct row {
        char *path, *pid, *unit, *netns, *note;
        char inode[24];
        const char *status, *rating, *command;
} row;

int scan_print_table(const scan_entry *shown, size_t n, bool legend) {
        enum { C_STATUS, C_RISK, C_PATH, C_INODE, C_PID, C_COMMAND, C_UNIT, C_NETNS, _C_MAX };
        static const char *const header[_C_MAX] = { "STATUS", "RISK",    "PATH", "INODE",
                                                    "PID",    "COMMAND", "UNIT", "NETNS" };
        size_t width[_C_MAX];
        row *rows = calloc(n ? n : 1, sizeof(*rows));
        int r = 0;

        if (!rows)
                return -ENOMEM;
        for (size_t c = 0; c < _C_MAX; c++)
                width[c] = strlen(header[c]);
        for (size_t i = 0; i < n; i++) {
                const scan_entry *e = &shown[i];
                const process_info *p = e->proc;
                row *w = &rows[i];
                int k = 0;

                w->status = scan_status_to_string(e->status);
                w->rating = e->rated ? risk_rating_to_string(e->report.rating) : "-";
                w->path = cescape(e->s->name);
                if (e->has_inode)
                        snprintf(w->inode, sizeof(w->inode), "%" PRIu64, e->inode);
                else
                        snprintf(w->inode, sizeof(w->inode), "-");
                if (!p)
                        w->pid = strdup("-");
                else if (e->n_holders > 1)
                        k = asprintf(&w->pid, "%d+%zu", (int) p->pid, e->n_holders - 1);
                else
                        k = asprintf(&w->pid, "%d", (int) p->pid);
                w->command = p && p->comm ? p->comm : "-";
                if (p && p->unit && p->manager)
                        k |= asprintf(&w->unit, "%s/%s", p->manager, p->unit);
                else
                        w->unit = strdup(p && p->unit ? p->unit : "-");
                w->netns = netns_label(e->s->netns, e->s->other_netns, e->netns_name);
                w->note = make_note(e);
                if (k < 0 || !w->path || !w->pid || !w->unit || !w->netns) {
                        r = -ENOMEM;
                        n = i + 1;
                        goto finish;
                }
                width[C_STATUS] = max_size(width[C_STATUS], strlen(w->status));
                width[C_RISK] = max_size(width[C_RISK], strlen(w->rating));
                width[C_PATH] = max_size(width[C_PATH], strlen(w->path));
                width[C_INODE] = max_size(width[C_INODE], strlen(w->inode));
                width[C_PID] = max_size(width[C_PID], strlen(w->pid));
                width[C_COMMAND] = max_size(width[C_COMMAND], strlen(w->command));
                width[C_UNIT] = max_size(width[C_UNIT], strlen(w->unit));
                width[C_NETNS] = max_size(width[C_NETNS], strlen(w->netns));
        }

        if (legend)
                printf("%-*s %-*s %-*s %*s %*s %-*s %-*s %-*s NOTE\n", (int) width[C_STATUS], header[C_STATUS],
                       (int) width[C_RISK], header[C_RISK], (int) width[C_PATH], header[C_PATH],
                       (int) width[C_INODE], header[C_INODE], (int) width[C_PID], header[C_PID],
                       (int) width[C_COMMAND], header[C_COMMAND], (int) width[C_UNIT], header[C_UNIT],
                       (int) width[C_NETNS], header[C_NETNS]);
        for (size_t i = 0; i < n; i++) {
                const row *w = &rows[i];

                printf("%-*s %-*s %-*s %*s %*s %-*s %-*s %-*s %s\n", (int) width[C_STATUS], w->status,
                       (int) width[C_RISK], w->rating, (int) width[C_PATH], w->path, (int) width[C_INODE], w->inode,
                       (int) width[C_PID], w->pid, (int) width[C_COMMAND], w->command, (int) width[C_UNIT],
                       w->unit, (int) width[C_NETNS], w->netns, w->note ?: "-");
        }
        /* As systemctl closes its lists. */
        if (legend)
                printf("\n%zu socket%s listed.\n", n, n == 1 ? "" : "s");
finish:
        for (size_t i = 0; i < n; i++) {
                free(rows[i].path);
                free(rows[i].pid);
                free(rows[i].unit);
                free(rows[i].netns);
                free(rows[i].note);
        }
        free(rows);
        return r;
}

void scan_print_json(const scan_entry *shown, size_t n, bool netns_complete, bool pretty) {
        json_writer w;

        json_init(&w, stdout, pretty);
        json_begin_array(&w);
        for (size_t i = 0; i < n; i++)
                print_json_entry(&w, &shown[i], netns_complete);
        json_end_array(&w);
        json_finish(&w);
}
