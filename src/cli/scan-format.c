/* SPDX-License-Identifier: MIT */
/* sockkeeper scan: --format, and the formats that sum a scan up
 * (Prometheus, a monitoring plugin's line), which have something to say
 * also when the scan failed. */

#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "prom-text.h"
#include "scan-collect.h"

/* The summing formats also when the scan failed: success 0 for Prometheus
 * (an alert, and no stale "all well"), UNKNOWN for a plugin. */
int scan_emit_summary(scan_output *o) {
        _cleanup_(prom_text_done) prom_text t = {};
        int r;

        o->res.duration_usec = now_usec(CLOCK_MONOTONIC) - o->res.duration_usec;
        if (o->format == SCAN_FORMAT_NAGIOS)
                return scan_print_nagios(&o->res);
        if (prom_text_open(&t, "written by sockkeeper scan") < 0 || scan_print_prometheus(t.f, &o->res) < 0 ||
            prom_text_close(&t) < 0)
                return log_error_errno(-ENOMEM, "scan");
        if (o->file)
                return prom_write_file(o->file, t.data, t.size, false); /* logs why not */
        r = fwrite(t.data, 1, t.size, stdout) == t.size && fflush(stdout) == 0 ? 0 : -EIO;
        return r < 0 ? log_error_errno(r, "writing to standard output") : 0;
}

int scan_parse_format(const char *arg, scan_format *ret) {
        static const char *const names[] = {
                [SCAN_FORMAT_TABLE] = "table",
                [SCAN_FORMAT_JSON] = "json",
                [SCAN_FORMAT_PROMETHEUS] = "prometheus",
                [SCAN_FORMAT_NAGIOS] = "nagios",
        };
        int i = parse_choice("--format", arg, names, ELEMENTSOF(names));

        if (i < 0)
                return i;
        *ret = (scan_format) i;
        return 0;
}
