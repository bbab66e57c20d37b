/* SPDX-License-Identifier: MIT */
/* sockkeeper scan --format=prometheus: the sockets that scan.c examined as
 * Prometheus metrics, for node_exporter's textfile collector. Every
 * status is always there (zeros included), so that a query never meets a
 * missing series; the broken sockets, and only they, get a series each,
 * so that the number of series stays small on a machine with thousands
 * of healthy ones. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "netns-name.h"
#include "prom-text.h"
#include "scan-collect.h"

/* One series of sockkeeper_scan_broken_sockets: its labels, and how many
 * sockets carry them (two processes may hold orphaned sockets bound at the
 * same name, and a series must appear once). */
typedef struct broken_series {
        const char *path, *status, *unit;
        char *netns;
        unsigned count;
} broken_series;

static int cmp_series(const void *a, const void *b) {
        const broken_series *x = a, *y = b;
        int d;

        if ((d = strcmp(x->path, y->path)) || (d = strcmp(x->status, y->status)) || (d = strcmp(x->unit, y->unit)))
                return d;
        return strcmp(x->netns, y->netns);
}

static int print_broken(FILE *f, const scan_entry *shown, size_t n) {
        _cleanup_free_ broken_series *series = calloc(n ? n : 1, sizeof(*series));
        size_t k = 0;

        prom_family(f, "sockkeeper_scan_broken_sockets", "gauge",
                    "Listening AF_UNIX sockets that clients cannot reach: the file at their path is gone "
                    "(orphaned) or is another file (hijacked); unit is the systemd unit holding the socket.");
        if (!series)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const scan_entry *e = &shown[i];

                if (!status_broken(e->status))
                        continue;
                series[k] = (broken_series) {
                        .path = e->s->name,
                        .status = scan_status_to_string(e->status),
                        .unit = e->proc && e->proc->unit ? e->proc->unit : "",
                        .netns = netns_label(e->s->netns, e->s->other_netns, e->netns_name),
                        .count = 1,
                };
                if (!series[k].netns) {
                        for (size_t j = 0; j < k; j++)
                                free(series[j].netns);
                        return -ENOMEM;
                }
                k++;
        }
        if (k > 0)
                qsort(series, k, sizeof(*series), cmp_series);
        for (size_t i = 0; i < k; i++) {
                broken_series *s = &series[i];

                while (i + 1 < k && cmp_series(s, &series[i + 1]) == 0) {
                        s->count++;
                        free(series[++i].netns);
                }
                fputs("sockkeeper_scan_broken_sockets{path=", f);
                prom_label_value(f, s->path);
                fputs(",status=", f);
                prom_label_value(f, s->status);
                fputs(",unit=", f);
                prom_label_value(f, s->unit);
                fputs(",netns=", f);
                prom_label_value(f, s->netns);
                fprintf(f, "} %u\n", s->count);
                free(s->netns);
        }
        return 0;
}

int scan_print_prometheus(FILE *f, const scan_result *res) {
        prom_family(f, "sockkeeper_scan_success", "gauge",
                    "Whether the last sockkeeper scan could list the sockets (1) or failed (0).");
        fprintf(f, "sockkeeper_scan_success %d\n", res->ok);
        prom_family(f, "sockkeeper_scan_timestamp_seconds", "gauge",
                    "When the last sockkeeper scan started, in seconds since the epoch.");
        fprintf(f, "sockkeeper_scan_timestamp_seconds %" PRIu64 ".%03" PRIu64 "\n", res->started_usec / USEC_PER_SEC,
                res->started_usec % USEC_PER_SEC / USEC_PER_MSEC);
        prom_family(f, "sockkeeper_scan_duration_seconds", "gauge", "How long the last sockkeeper scan took.");
        fprintf(f, "sockkeeper_scan_duration_seconds %" PRIu64 ".%06" PRIu64 "\n", res->duration_usec / USEC_PER_SEC,
                res->duration_usec % USEC_PER_SEC);
        if (!res->ok)
                return 0; /* nothing counted is better than a wrong zero */

        prom_family(f, "sockkeeper_scan_netns_complete", "gauge",
                    "Whether the scan could look into every network namespace of the machine (1), "
                    "or missed some for want of privileges (0).");
        fprintf(f, "sockkeeper_scan_netns_complete %d\n", res->netns_complete);
        prom_family(f, "sockkeeper_scan_sockets", "gauge", "Listening AF_UNIX sockets found by the scan, by status.");
        for (scan_status s = 0; s < _STATUS_MAX; s++) {
                unsigned count = 0;

                for (size_t i = 0; i < res->n; i++)
                        count += res->shown[i].status == s;
                fprintf(f, "sockkeeper_scan_sockets{status=\"%s\"} %u\n", scan_status_to_string(s), count);
        }
        return print_broken(f, res->shown, res->n);
}
