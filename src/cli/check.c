/* SPDX-License-Identifier: MIT */
/* sockkeeper check: will something on this machine delete these socket
 * paths, when, and because of which rule? Human or JSON output; the exit
 * status is the worst rating. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "escape.h"
#include "json.h"
#include "log.h"
#include "macro.h"
#include "nagios.h"
#include "risk.h"
#include "socket-path.h"
#include "strv.h"

/* Exit statuses: the worst rating, or a failure. */
enum {
        CHECK_EXIT_OK = 0,
        CHECK_EXIT_CAUTION = 1,
        CHECK_EXIT_RISKY = 2,
        CHECK_EXIT_ERROR = 3,   /* a path that cannot work, or check itself failed */
        CHECK_EXIT_USAGE = CLI_EXIT_USAGE,
};

static void print_human(const risk_report *r) {
        _cleanup_free_ char *path = cescape(r->path);

        printf("%s: %s\n", path ?: r->path, risk_rating_to_string(r->rating));
        for (size_t i = 0; i < r->n_reasons; i++) {
                const risk_reason *x = &r->reasons[i];

                printf("  %-8s %s\n", risk_rating_to_string(x->rating), x->text);
                if (x->source)
                        printf("  %-8s (%s)\n", "", x->source);
        }
        for (size_t i = 0; i < r->n_advice; i++)
                printf("  %s %s\n", i == 0 ? "what to do:" : "           ", r->advice[i]);
}

static void print_json_tmpfiles(json_writer *w, const tmpfiles_verdict *v) {
        static const char *const fates[] = {
                [TMPFILES_UNCOVERED] = "uncovered",
                [TMPFILES_PROTECTED] = "protected",
                [TMPFILES_AGED] = "aged",
        };
        _cleanup_free_ char *rule = NULL;

        if (v->rule && asprintf(&rule, "%s:%u", v->rule->source, v->rule->line) < 0)
                rule = NULL;
        json_key(w, "tmpfiles");
        json_begin_object(w);
        json_pair_string(w, "fate", fates[v->fate]);
        json_pair_string(w, "rule", rule);
        json_pair_string(w, "why", v->fate == TMPFILES_PROTECTED ? v->why : NULL);
        if (v->fate == TMPFILES_AGED) {
                json_pair_uint(w, "age_us", v->age_usec);
                json_pair_bool(w, "expired", v->expired);
        }
        json_end_object(w);
}

static void print_json(json_writer *w, const risk_report *r) {
        json_begin_object(w);
        json_pair_path(w, "path", r->path);
        json_pair_string(w, "rating", risk_rating_to_string(r->rating));
        json_key(w, "reasons");
        json_begin_array(w);
        for (size_t i = 0; i < r->n_reasons; i++)
                json_risk_reason(w, &r->reasons[i]);
        json_end_array(w);
        json_key(w, "advice");
        json_begin_array(w);
        for (size_t i = 0; i < r->n_advice; i++)
                json_string(w, r->advice[i]);
        json_end_array(w);
        if (r->tmpfiles_evaluated)
                print_json_tmpfiles(w, &r->tmpfiles);
        if (r->netns_incomplete)
                json_pair_bool(w, "netns_complete", false);
        if (r->tmpreaper_evaluated) {
                json_key(w, "tmpreaper");
                json_begin_object(w);
                json_pair_bool(w, "runs", r->tmpreaper_runs);
                json_pair_bool(w, "reaches", r->tmpreaper.reaches);
                json_pair_bool(w, "deletes", r->tmpreaper_runs && r->tmpreaper.deletes);
                json_pair_string(w, "protected_by", r->tmpreaper.protected_by);
                json_pair_uint(w, "age_us", r->tmpreaper.age_usec);
                json_end_object(w);
        }
        json_end_object(w);
}

static int help(void) {
        printf("Usage: sockkeeper check [OPTIONS] PATH...\n"
               "\n"
               "Rates each socket path ok, caution, risky or error against this machine's\n"
               "cleaners (tmpfiles.d, tmpreaper, cron), its mounts and its listeners, with\n"
               "the file and line behind every reason, and says what to do about it.\n"
               "\n"
               "  -h --help         show this help\n"
               "  -V --version      show the version\n"
               "     --json[=MODE]  print a JSON array, one object per path; MODE is\n"
               "                    pretty (the default), short (one line) or off\n"
               "  -q --quiet        print nothing; the exit status says it all\n"
               "     --no-pager     accepted for systemd's tools' sake; check never pages\n"
               "     --root DIR     evaluate the configuration under DIR instead of /\n"
               "     --format=FMT   text, json (as --json) or nagios (a monitoring plugin's\n"
               "                    line)\n"
               "\n"
               "Exit status: 0 all ok, 1 some caution, 2 some risky, 3 an error, 64 usage.\n"
               "With --format=nagios: 0 OK, 1 WARNING (caution), 2 CRITICAL (risky),\n"
               "3 UNKNOWN (an error, usage).\n");
        return 0;
}

/* A ".." (which only the filesystem resolves) or a directory in a PATH is
 * a usage error, logged for every such PATH before anything is printed.
 * A name that cannot work for other reasons (relative, too long) is rated
 * "error" with the rest. */
typedef struct path_list {
        char **v;
        size_t n;
} path_list;

static void path_list_done(path_list *l) {
        strv_free_n(l->v, l->n);
}

static bool paths_usable(char **args, int n, char **ret_canonical) {
        bool ok = true;

        for (int i = 0; i < n; i++) {
                socket_path_problem problem;

                /* The canonical form is kept for rating (NULL: none). */
                if (socket_path_canonical(args[i], &ret_canonical[i], &problem) < 0 &&
                    (problem == SOCKET_PATH_DOTDOT || problem == SOCKET_PATH_DIRECTORY)) {
                        _cleanup_free_ char *shown = cescape(args[i]);

                        log_error("%s %s", strna(shown), socket_path_problem_to_string(problem));
                        ok = false;
                }
        }
        return ok;
}

/* --format's words: text and json are the output modes of --json. */
enum { FORMAT_TEXT, FORMAT_JSON, FORMAT_NAGIOS };
static const char *const format_names[] = {
        [FORMAT_TEXT] = "text",
        [FORMAT_JSON] = "json",
        [FORMAT_NAGIOS] = "nagios",
};

static int run_check(int argc, char *argv[]) {
        enum { ARG_ROOT = 0x100, ARG_FORMAT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "json", optional_argument, NULL, ARG_JSON },
                { "quiet", no_argument, NULL, 'q' },
                { "no-pager", no_argument, NULL, ARG_NO_PAGER },
                { "root", required_argument, NULL, ARG_ROOT },
                { "format", required_argument, NULL, ARG_FORMAT },
                {}
        };
        _cleanup_(nagios_check_done) nagios_check plugin = {};
        _cleanup_(risk_machine_done) risk_machine m = {};
        _cleanup_(path_list_done) path_list canonical = {};
        _cleanup_free_ char *root = NULL;
        risk_rating worst = RISK_OK;
        output_mode mode = OUTPUT_TEXT;
        bool quiet = false, netns_incomplete = false, nagios = false;
        json_writer w;
        int c, r;

        while ((c = getopt_long(argc, argv, ":hqV", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        return help();
                case 'V':
                case ARG_VERSION:
                        return cli_version();
                case ARG_JSON:
                        if (parse_json_option(optarg, &mode) < 0)
                                return CHECK_EXIT_USAGE;
                        nagios = false;
                        break;
                case ARG_FORMAT:
                        r = parse_choice("--format", optarg, format_names, ELEMENTSOF(format_names));
                        if (r < 0)
                                return CHECK_EXIT_USAGE;
                        mode = r == FORMAT_JSON ? OUTPUT_JSON_PRETTY : OUTPUT_TEXT;
                        nagios = r == FORMAT_NAGIOS;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case ARG_NO_PAGER:
                        break;
                case ARG_ROOT:
                        if (parse_root_option(optarg, &root) < 0)
                                return CHECK_EXIT_USAGE;
                        break;
                default:
                        return cli_option_error(argv, c);
                }
        if (optind >= argc)
                return cli_usage_error("at least one PATH is needed");
        /* Errors still say why the status is 3; nothing else is said. */
        if (quiet)
                log_set_max_level(LOG_ERR);
        canonical.n = (size_t) (argc - optind);
        canonical.v = calloc(canonical.n, sizeof(char *));
        if (!canonical.v) {
                log_error_errno(-ENOMEM, "check");
                return CHECK_EXIT_ERROR;
        }
        if (!paths_usable(argv + optind, argc - optind, canonical.v))
                return cli_usage_hint();

        /* Configuration problems are reported and the rest is evaluated. */
        r = risk_machine_load(&m, root ?: "/", log_file_warning, NULL);
        if (r < 0) {
                log_error_errno(r, "reading the cleaners' configuration under %s", root ?: "/");
                return nagios ? nagios_unknown("cannot read the cleaners' configuration") : CHECK_EXIT_ERROR;
        }

        if (quiet || nagios)
                mode = OUTPUT_TEXT;
        if (output_mode_is_json(mode)) {
                json_init(&w, stdout, mode == OUTPUT_JSON_PRETTY);
                json_begin_array(&w);
        }
        for (int i = optind; i < argc; i++) {
                _cleanup_(risk_report_done) risk_report report = {};

                /* Rated as the library binds it: "//" and "/./" collapsed.
                 * A name with no canonical form is rated as given. */
                r = risk_classify(&m, canonical.v[i - optind] ?: argv[i], &report);
                if (r < 0) {
                        log_error_errno(r, "%s", argv[i]);
                        worst = RISK_ERROR;
                        nagios_check_add_failed(&plugin, argv[i]);
                        continue;
                }
                if (report.rating > worst)
                        worst = report.rating;
                netns_incomplete |= report.netns_incomplete;
                if (nagios)
                        nagios_check_add(&plugin, &report);
                if (quiet || nagios)
                        continue;
                if (output_mode_is_json(mode))
                        print_json(&w, &report);
                else
                        print_human(&report);
        }
        if (output_mode_is_json(mode)) {
                json_end_array(&w);
                json_finish(&w);
        }
        /* A plugin prints its line also under -q: it is what it is for. */
        if (nagios)
                return nagios_check_print(&plugin);
        if (fflush(stdout) != 0)
                return CHECK_EXIT_ERROR;
        if (netns_incomplete)
                log_warning("some network namespaces could not be looked into (only root can enter them all): "
                            "a socket file said to have no listener may have one there");

        switch (worst) {
        case RISK_OK:
                return CHECK_EXIT_OK;
        case RISK_CAUTION:
                return CHECK_EXIT_CAUTION;
        case RISK_RISKY:
                return CHECK_EXIT_RISKY;
        default:
                return CHECK_EXIT_ERROR;
        }
}

int verb_check(int argc, char *argv[]) {
        int r = run_check(argc, argv);

        /* A monitoring plugin's usage error is UNKNOWN. */
        if (r == CHECK_EXIT_USAGE && nagios_requested(argc, argv))
                return nagios_unknown(log_first_error() ?: "invalid arguments; see 'sockkeeper check --help'");
        return r;
}
