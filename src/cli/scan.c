/* SPDX-License-Identifier: MIT */
/* sockkeeper scan: every listening AF_UNIX socket of every network
 * namespace (sock_diag), who holds it (/proc), and whether its path still
 * leads to it: the services that a cleaner has already broken, found before
 * their users do. The exit status says whether anything shown is broken. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "nagios.h"
#include "scan-collect.h"
#include "strv.h"

enum {
        SCAN_EXIT_OK = 0,
        SCAN_EXIT_BROKEN = 1,   /* something shown is orphaned or hijacked */
        SCAN_EXIT_CRITICAL = 2, /* --format=nagios: the same (NAGIOS_CRITICAL; 1 is WARNING there) */
        SCAN_EXIT_ERROR = 3,    /* as check's: scan itself could not work */
        SCAN_EXIT_USAGE = CLI_EXIT_USAGE,
};

_Static_assert((int) SCAN_EXIT_CRITICAL == (int) NAGIOS_CRITICAL && (int) SCAN_EXIT_ERROR == (int) NAGIOS_UNKNOWN,
               "the plugin states");

static int help(void) {
        printf("Usage: sockkeeper scan [OPTIONS]\n"
               "\n"
               "Lists every listening AF_UNIX socket of every network namespace with the\n"
               "process and systemd unit that hold it, and whether its path still leads\n"
               "to it: healthy, at-risk (a cleaner will delete it), orphaned (the file is\n"
               "gone), hijacked (the path leads to another file), renamed (renamed after\n"
               "bind within its directory: reachable, but tmpfiles takes it for dead) or\n"
               "abstract.\n"
               "\n"
               "  -h --help         show this help\n"
               "  -V --version      show the version\n"
               "     --json[=MODE]  print a JSON array, one object per socket; MODE is\n"
               "                    pretty (the default), short (one line) or off\n"
               "  -q --quiet        print nothing; the exit status says it all\n"
               "     --no-legend    print the table without its header and count line\n"
               "     --no-pager     accepted for systemd's tools' sake; scan never pages\n"
               "     --broken       show only orphaned and hijacked sockets\n"
               "     --risky        show only at-risk sockets, and renamed ones rated risky\n"
               "                    (with --broken: both)\n"
               "     --unit UNIT    show only the sockets of UNIT (may repeat; a name\n"
               "                    without a type is a .service)\n"
               "     --format=FMT   table, json (as --json), prometheus (metrics for\n"
               "                    node_exporter's textfile collector) or nagios (a\n"
               "                    monitoring plugin's line)\n"
               "     --output=FILE  with --format=prometheus: write FILE atomically instead\n"
               "                    of standard output (a temporary file, then rename)\n"
               "\n"
               "Exit status: 0 nothing shown is broken, 1 something shown is orphaned or\n"
               "hijacked, 3 scan failed, 64 usage. With --format=nagios, a monitoring\n"
               "plugin's: 0 OK, 1 WARNING (at risk), 2 CRITICAL (orphaned or hijacked),\n"
               "3 UNKNOWN (failed, or a usage error).\n");
        return 0;
}

static int run_scan(int argc, char *argv[]) {
        enum { ARG_BROKEN = 0x100, ARG_RISKY, ARG_UNIT, ARG_NO_LEGEND, ARG_FORMAT, ARG_OUTPUT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "json", optional_argument, NULL, ARG_JSON },
                { "quiet", no_argument, NULL, 'q' },
                { "no-legend", no_argument, NULL, ARG_NO_LEGEND },
                { "no-pager", no_argument, NULL, ARG_NO_PAGER },
                { "broken", no_argument, NULL, ARG_BROKEN },
                { "risky", no_argument, NULL, ARG_RISKY },
                { "unit", required_argument, NULL, ARG_UNIT },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "output", required_argument, NULL, ARG_OUTPUT },
                {}
        };
        _cleanup_(scan_context_done) scan_context c = {};
        scan_output out = {};
        char **units = NULL;
        size_t n_units = 0, n_shown = 0;
        output_mode mode = OUTPUT_TEXT;
        bool quiet = false, legend = true, broken = false, risky = false, any_broken = false;
        int ch, r, ret = SCAN_EXIT_ERROR;

        while ((ch = getopt_long(argc, argv, ":hqV", options, NULL)) >= 0)
                switch (ch) {
                case 'h':
                        strv_free_n(units, n_units);
                        return help();
                case 'V':
                case ARG_VERSION:
                        strv_free_n(units, n_units);
                        return cli_version();
                case ARG_JSON:
                        if (parse_json_option(optarg, &mode) < 0) {
                                strv_free_n(units, n_units);
                                return SCAN_EXIT_USAGE;
                        }
                        out.format = output_mode_is_json(mode) ? SCAN_FORMAT_JSON : SCAN_FORMAT_TABLE;
                        break;
                case ARG_FORMAT:
                        if (scan_parse_format(optarg, &out.format) < 0) {
                                strv_free_n(units, n_units);
                                return SCAN_EXIT_USAGE;
                        }
                        mode = out.format == SCAN_FORMAT_JSON ? OUTPUT_JSON_PRETTY : OUTPUT_TEXT;
                        break;
                case ARG_OUTPUT:
                        r = check_output_file_option("--output", optarg);
                        if (r < 0) {
                                strv_free_n(units, n_units);
                                return r == -EINVAL ? cli_usage_hint() : SCAN_EXIT_ERROR;
                        }
                        out.file = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case ARG_NO_LEGEND:
                        legend = false;
                        break;
                case ARG_NO_PAGER:
                        break;
                case ARG_BROKEN:
                        broken = true;
                        break;
                case ARG_RISKY:
                        risky = true;
                        break;
                case ARG_UNIT: {
                        _cleanup_free_ char *name = NULL;

                        if (!optarg[0]) {
                                strv_free_n(units, n_units);
                                return cli_usage_error("--unit needs a unit name");
                        }
                        r = parse_unit_option("--unit", optarg, &name);
                        if (r < 0 || strv_extend(&units, &n_units, name) < 0) {
                                strv_free_n(units, n_units);
                                return r == -EINVAL ? cli_usage_hint() : SCAN_EXIT_ERROR;
                        }
                        break;
                }
                default:
                        strv_free_n(units, n_units);
                        return cli_option_error(argv, ch);
                }
        if (optind < argc) {
                strv_free_n(units, n_units);
                return cli_usage_error("no arguments are taken, only options");
        }
        if (out.file && out.format != SCAN_FORMAT_PROMETHEUS) {
                strv_free_n(units, n_units);
                return cli_usage_error("--output needs --format=prometheus");
        }
        out.res.started_usec = now_usec(CLOCK_REALTIME);
        out.res.duration_usec = now_usec(CLOCK_MONOTONIC); /* the start, until scan_emit_summary() */
        if (quiet)
                log_set_max_level(LOG_ERR);


        if (scan_gather(&c) < 0)
                goto finish;

        /* Filters first: a unit's sockets need no lstat of the others. */
        for (size_t i = 0; i < c.n_entries; i++) {
                scan_entry *e = &c.entries[i];

                if (n_units > 0 && !scan_unit_matches(e, units, n_units))
                        continue;
                r = scan_examine(&c, e);
                if (r < 0) {
                        log_error_errno(r, "%s", e->s->name);
                        goto finish;
                }
                if ((broken || risky) && !((broken && status_broken(e->status)) || (risky && entry_at_risk(e))))
                        continue;
                any_broken |= status_broken(e->status);
                if (n_shown != i) {
                        /* Entries are moved down into the shown prefix. */
                        scan_entry tmp = c.entries[n_shown];
                        c.entries[n_shown] = *e;
                        *e = tmp;
                }
                n_shown++;
        }
        /* The entries were made in the listing's order, and the shown
         * ones kept it. */

        /* A summing format prints also under -q: a plugin's line, or the
         * metrics, are what it was run for. */
        if (out.format >= SCAN_FORMAT_PROMETHEUS) {
                out.res = (scan_result) {
                        .shown = c.entries,
                        .n = n_shown,
                        .ok = true,
                        .netns_complete = c.machine.netns_complete,
                        .started_usec = out.res.started_usec,
                        .duration_usec = out.res.duration_usec,
                };
                r = scan_emit_summary(&out);
                if (out.format == SCAN_FORMAT_NAGIOS)
                        ret = r;
                else
                        ret = r < 0 ? SCAN_EXIT_ERROR : any_broken ? SCAN_EXIT_BROKEN : SCAN_EXIT_OK;
                goto done;
        }
        if (quiet)
                ;
        else if (output_mode_is_json(mode))
                scan_print_json(c.entries, n_shown, c.machine.netns_complete, mode == OUTPUT_JSON_PRETTY);
        else if (scan_print_table(c.entries, n_shown, legend) < 0) {
                log_error_errno(-ENOMEM, "scan");
                goto finish;
        }
        if (fflush(stdout) != 0)
                goto finish;
        if (c.owners->n_unreadable > 0 && !output_mode_is_json(mode))
                log_warning("the fds of %u processes were not readable; run as root to see every holder",
                            c.owners->n_unreadable);
        if (!c.machine.netns_complete)
                log_warning("some network namespaces could not be looked into (only root can enter them all): "
                            "their sockets are missing from this list");
        ret = any_broken ? SCAN_EXIT_BROKEN : SCAN_EXIT_OK;
finish:
        if (ret == SCAN_EXIT_ERROR && out.format >= SCAN_FORMAT_PROMETHEUS)
                (void) scan_emit_summary(&out);
done:
        strv_free_n(units, n_units);
        return ret;
}

int verb_scan(int argc, char *argv[]) {
        int r = run_scan(argc, argv);

        /* A monitoring plugin's usage error is UNKNOWN. */
        if (r == SCAN_EXIT_USAGE && nagios_requested(argc, argv))
                return nagios_unknown(log_first_error() ?: "invalid arguments; see 'sockkeeper scan --help'");
        return r;
}
