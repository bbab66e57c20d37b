/* SPDX-License-Identifier: MIT */
/* sockkeeper: dispatch to one subcommand per file. */

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "cli.h"

static const struct verb {
        const char *name;
        int (*run)(int argc, char *argv[]);
        const char *summary;
} verbs[] = {
        { "check", verb_check, "rate socket paths against this machine's cleaners" },
        { "demo", verb_demo, "show a socket surviving a cleaner, live" },
        { "migrate", verb_migrate, "suggest the drop-ins that move a unit's sockets to its runtime directory" },
        { "scan", verb_scan, "list listening sockets, their holders, and the ones already broken" },
        { "heal", verb_heal, "give broken sockets a path again: restart their unit, signal tmux" },
        { "guard", verb_guard, "keep the paths of sockets that others bound (socket units, daemons)" },
        { "tmpfiles-snippet", verb_tmpfiles_snippet, "print a tmpfiles.d snippet that keeps cleaners off socket paths" },
};

static void help(void) {
        printf("Usage: sockkeeper [--help] [--version] COMMAND [ARGS...]\n"
               "\n"
               "Keep AF_UNIX sockets reachable when cleaners delete their path.\n"
               "\n"
               "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("  %-18s %s\n", verbs[i].name, verbs[i].summary);
        printf("\n"
               "Run 'sockkeeper COMMAND --help' for a command's options.\n"
               "See sockkeeper(1) and libsockkeeper(3).\n");
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {}
        };
        int c;

        cli_set_verb(NULL);

        /* Options before the command only; the rest belongs to the verb. */
        while ((c = getopt_long(argc, argv, "+:hV", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'V':
                        return cli_version();
                default:
                        return cli_option_error(argv, c);
                }

        if (optind >= argc)
                return cli_usage_error("no command given");

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(argv[optind], verbs[i].name) == 0) {
                        argv += optind;
                        argc -= optind;
                        optind = 0; /* reset getopt for the verb */
                        cli_set_verb(verbs[i].name);
                        return verbs[i].run(argc, argv);
                }

        return cli_usage_error("unknown command '%s'", argv[optind]);
}
