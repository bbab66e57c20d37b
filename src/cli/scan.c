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
#include "scan.h"
#include "strv.h"

enum {
        SCAN_EXIT_OK = 0,
        SCAN_EXIT_BROKEN = 1,   /* something shown is orphaned or hijacked */
        SCAN_EXIT_ERROR = 3,    /* as check's: scan itself could not work */
        SCAN_EXIT_USAGE = 64,
};

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
               "  -h --help        show this help\n"
               "     --json       print a JSON array, one object per socket\n"
               "     --broken     show only orphaned and hijacked sockets\n"
               "     --risky      show only at-risk sockets, and renamed ones rated risky\n"
               "                  (with --broken: both)\n"
               "     --unit UNIT  show only the sockets of UNIT (may repeat)\n"
               "\n"
               "Exit status: 0 nothing shown is broken, 1 something shown is orphaned or\n"
               "hijacked, 3 scan failed, 64 usage.\n");
        return 0;
}

int verb_scan(int argc, char *argv[]) {
        enum { ARG_JSON = 0x100, ARG_BROKEN, ARG_RISKY, ARG_UNIT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "broken", no_argument, NULL, ARG_BROKEN },
                { "risky", no_argument, NULL, ARG_RISKY },
                { "unit", required_argument, NULL, ARG_UNIT },
                {}
        };
        _cleanup_(scan_context_done) scan_context c = {};
        char **units = NULL;
        size_t n_units = 0, n_shown = 0;
        bool json = false, broken = false, risky = false, any_broken = false;
        int ch, r, ret = SCAN_EXIT_ERROR;

        while ((ch = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (ch) {
                case 'h':
                        return help();
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_BROKEN:
                        broken = true;
                        break;
                case ARG_RISKY:
                        risky = true;
                        break;
                case ARG_UNIT:
                        if (!optarg[0]) {
                                log_error("--unit needs a unit name");
                                strv_free_n(units, n_units);
                                return SCAN_EXIT_USAGE;
                        }
                        if (strv_extend(&units, &n_units, optarg) < 0) {
                                strv_free_n(units, n_units);
                                return SCAN_EXIT_ERROR;
                        }
                        break;
                default:
                        strv_free_n(units, n_units);
                        return SCAN_EXIT_USAGE;
                }
        if (optind < argc) {
                log_error("scan takes no arguments; see 'sockkeeper scan --help'");
                strv_free_n(units, n_units);
                return SCAN_EXIT_USAGE;
        }

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

        if (json)
                scan_print_json(c.entries, n_shown, c.machine.netns_complete);
        else if (scan_print_table(c.entries, n_shown) < 0) {
                log_error_errno(-ENOMEM, "scan");
                goto finish;
        }
        if (fflush(stdout) != 0)
                goto finish;
        if (c.owners->n_unreadable > 0 && !json)
                log_warning("the fds of %u processes were not readable; run as root to see every holder",
                            c.owners->n_unreadable);
        if (!c.machine.netns_complete)
                log_warning("some network namespaces could not be looked into (only root can enter them all): "
                            "their sockets are missing from this list");
        ret = any_broken ? SCAN_EXIT_BROKEN : SCAN_EXIT_OK;
finish:
        strv_free_n(units, n_units);
        return ret;
}
