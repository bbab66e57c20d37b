/* SPDX-License-Identifier: MIT */
/* sockkeeper migrate UNIT: suggests, shows as a diff, or installs the
 * drop-ins that move a service's sockets out of cleaned directories into
 * its runtime directory, with compatibility symlinks at the old paths. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic-file.h"
#include "cli.h"
#include "log.h"
#include "macro.h"
#include "migrate.h"
#include "path-util.h"
#include "unit-name.h"

enum {
        MIGRATE_EXIT_OK = 0,            /* every socket path has its move */
        MIGRATE_EXIT_FAILED = 1,        /* no such unit, unreadable, or --write refused */
        MIGRATE_EXIT_NOTHING = 2,       /* nothing to migrate */
        MIGRATE_EXIT_PARTIAL = 3,       /* some paths could not be mapped; the rest has its move */
        MIGRATE_EXIT_USAGE = CLI_EXIT_USAGE,
};

static int help(void) {
        printf("Usage: sockkeeper migrate [OPTIONS] UNIT\n"
               "\n"
               "Suggests how to move the sockets of service UNIT out of directories that\n"
               "cleaners reach (/tmp, /var/tmp, ...) into its runtime directory: a drop-in\n"
               "with RuntimeDirectory= and the rewritten ExecStart=/Environment= lines, a\n"
               "drop-in for its socket units (ListenStream= and Symlinks=), and tmpfiles.d\n"
               "lines for compatibility symlinks at the old paths. UNIT is a unit name\n"
               "(without a type: a .service), looked up with its drop-ins as systemd does,\n"
               "or a unit file.\n"
               "\n"
               "  -h --help         show this help\n"
               "  -V --version      show the version\n"
               "     --diff         print a unified diff against the files there now\n"
               "     --json[=MODE]  print the plan as JSON; MODE is pretty (the default),\n"
               "                    short (one line) or off\n"
               "     --no-pager     accepted for systemd's tools' sake; migrate never pages\n"
               "     --write        install the files under /etc, atomically; never replaces\n"
               "                    a file that migrate did not write\n"
               "     --root DIR     read units and write files under DIR instead of /\n"
               "     --user         a user unit: the user manager's search path, %%t is\n"
               "                    $XDG_RUNTIME_DIR\n"
               "\n"
               "Exit status: 0 a move for every socket path, 1 failure, 2 nothing to\n"
               "migrate, 3 some paths could not be mapped (listed), 64 usage.\n"
               "See sockkeeper(1).\n");
        return 0;
}

/* Every target is looked at before anything is written, so that a
 * refusal leaves no file of this run behind. */
static int write_files(const migrate_plan *p, const char *root) {
        int r;

        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < p->n_files; i++) {
                        _cleanup_free_ char *dir = path_parent(p->files[i].path), *display = NULL;
                        _cleanup_close_ int fd = -EBADF;
                        const char *name = strrchr(p->files[i].path, '/') + 1;

                        if (!dir || asprintf(&display, "%s%s", root_is_live(root) ? "" : root, p->files[i].path) < 0)
                                return log_error_errno(ENOMEM, "migrate");
                        if (pass == 0) {
                                r = atomic_open_dir_under_root(root, dir, false, &fd);
                                if (r == -ENOENT)
                                        continue; /* made in the second pass */
                                if (r < 0)
                                        return log_error_errno(r, "%s", display);
                                r = atomic_check_target(fd, name, display, MIGRATE_MARK, "sockkeeper migrate");
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        r = atomic_open_dir_under_root(root, dir, true, &fd);
                        if (r < 0)
                                return r;
                        r = atomic_install_at(fd, name, display, MIGRATE_MARK, "sockkeeper migrate",
                                              p->files[i].content, strlen(p->files[i].content));
                        if (r < 0)
                                return r;
                }
        return 0;
}

int verb_migrate(int argc, char *argv[]) {
        enum { ARG_DIFF = 0x100, ARG_WRITE, ARG_ROOT, ARG_USER };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "diff", no_argument, NULL, ARG_DIFF },
                { "json", optional_argument, NULL, ARG_JSON },
                { "no-pager", no_argument, NULL, ARG_NO_PAGER },
                { "write", no_argument, NULL, ARG_WRITE },
                { "root", required_argument, NULL, ARG_ROOT },
                { "user", no_argument, NULL, ARG_USER },
                {}
        };
        _cleanup_(migrate_plan_done) migrate_plan plan = {};
        _cleanup_free_ char *root = NULL, *unit = NULL;
        output_mode mode = OUTPUT_TEXT;
        bool diff = false, json, write = false;
        migrate_options o = {};
        int c, r;

        while ((c = getopt_long(argc, argv, ":hV", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        return help();
                case 'V':
                case ARG_VERSION:
                        return cli_version();
                case ARG_DIFF:
                        diff = true;
                        break;
                case ARG_JSON:
                        if (parse_json_option(optarg, &mode) < 0)
                                return MIGRATE_EXIT_USAGE;
                        break;
                case ARG_NO_PAGER:
                        break;
                case ARG_WRITE:
                        write = true;
                        break;
                case ARG_ROOT:
                        if (parse_root_option(optarg, &root) < 0)
                                return MIGRATE_EXIT_USAGE;
                        break;
                case ARG_USER:
                        o.user = true;
                        break;
                default:
                        return cli_option_error(argv, c);
                }
        json = output_mode_is_json(mode);
        if (diff && json)
                return cli_usage_error("--diff and --json exclude each other");
        if (optind + 1 != argc)
                return cli_usage_error("exactly one UNIT is needed");
        o.root = root;

        /* "foo" is foo.service, as systemctl reads it; a file stays one. */
        if (strchr(argv[optind], '/'))
                unit = strdup(argv[optind]);
        else if (unit_name_default_service(argv[optind], &unit) < 0)
                unit = NULL;
        if (!unit)
                return log_error_errno(ENOMEM, "migrate"), MIGRATE_EXIT_FAILED;

        r = migrate_plan_build(&o, unit, &plan);
        if (r == -EINVAL)
                return cli_usage_hint();
        if (r < 0)
                return MIGRATE_EXIT_FAILED;

        if (diff)
                r = migrate_print_diff(&plan, root, stdout);
        else if (!json)
                migrate_print_human(&plan, stdout);
        if (r < 0) {
                log_error_errno(r, "migrate");
                return MIGRATE_EXIT_FAILED;
        }
        if (write && plan.n_files > 0) {
                r = write_files(&plan, root);
                if (r < 0) {
                        if (json)
                                migrate_print_json(&plan, false, mode == OUTPUT_JSON_PRETTY, stdout);
                        return MIGRATE_EXIT_FAILED;
                }
                if (!json && !diff)
                        for (size_t i = 0; i < plan.n_files; i++)
                                printf("# wrote %s%s\n", root ?: "", plan.files[i].path);
        }
        if (json)
                migrate_print_json(&plan, write && plan.n_files > 0, mode == OUTPUT_JSON_PRETTY, stdout);
        if (fflush(stdout) != 0)
                return MIGRATE_EXIT_FAILED;

        if (migrate_plan_count(&plan, MIGRATE_UNMAPPED) > 0)
                return MIGRATE_EXIT_PARTIAL;
        if (migrate_plan_count(&plan, MIGRATE_MOVE) == 0)
                return MIGRATE_EXIT_NOTHING;
        return MIGRATE_EXIT_OK;
}
