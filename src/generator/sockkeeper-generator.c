/* SPDX-License-Identifier: MIT */
/* sockkeeper-generator: at boot and at every daemon-reload, reads every
 * unit as PID 1 will see it, collects the socket paths that need keeping
 * ([X-SockKeeper] annotations, and the filesystem sockets of socket units
 * that the classifier behind `sockkeeper check` rates RISKY or that are in
 * a directory every user shares, such as /tmp), and writes
 * the drop-ins that hand them to sockkeeper-tmpfiles.service and the
 * guard (sockkeeper-generator(8)). A bad unit is logged and skipped; the
 * generator fails only when it cannot work at all, so that it never
 * fails a boot. Units come from the search path (SYSTEMD_UNIT_PATH for
 * tests); the classifier reads the cleaners' configuration under
 * $SOCKKEEPER_ROOT (default "/"). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "annotations.h"
#include "config.h"
#include "generator-output.h"
#include "log.h"
#include "alloc-util.h"
#include "macro.h"
#include "parse-util.h"
#include "path-util.h"
#include "risk.h"
#include "shared-tmp.h"
#include "socket-path.h"
#include "specifier.h"
#include "strv.h"
#include "unit-file.h"
#include "unit-name.h"
#include "unquote.h"

/* A warning of the unit reader, held until it is known whether the unit
 * matters to us: syntax problems of units without sockets or annotations
 * are PID 1's to report, not ours. */
typedef struct pending {
        char *text;
        bool file_level;        /* a whole file could not be read */
} pending;

typedef struct context {
        const char *root;       /* for the classifier */
        risk_machine machine;
        int machine_state;      /* 0 not loaded, 1 loaded, negative errno: failed */
        gen_output out;
        pending *pending;
        size_t n_pending;
} context;

static void collect_warning(const char *file, unsigned line, const char *message, void *userdata) {
        context *c = userdata;
        pending *m = reallocarray(c->pending, c->n_pending + 1, sizeof(*m));
        size_t len = strlen(message);
        char *text;

        if (!m)
                return;
        c->pending = m;
        /* systemd's style: "file:line: what, ignoring." */
        const char *dot = len > 0 && message[len - 1] == '.' ? "" : ".";

        if ((line > 0 ? asprintf(&text, "%s:%u: %s%s", file, line, message, dot)
                      : asprintf(&text, "%s: %s%s", file, message, dot)) < 0)
                return;
        c->pending[c->n_pending++] = (pending) { .text = text, .file_level = line == 0 };
}

/* Logs the held warnings: at LOG_WARNING when the unit matters (and for
 * files that could not be read at all, which might have held an
 * annotation), at LOG_DEBUG otherwise. */
static void flush_warnings(context *c, bool relevant) {
        for (size_t i = 0; i < c->n_pending; i++) {
                log_full(relevant || c->pending[i].file_level ? LOG_WARNING : LOG_DEBUG, "%s", c->pending[i].text);
                free(c->pending[i].text);
        }
        c->n_pending = 0;
}

/* One name per unit: an alias (or an alias's instance) is the same unit
 * as the name its fragment has, which is loaded under that name too. */
static bool is_canonical(const unit_file *u) {
        const char *base = strrchr(u->fragment, '/');
        unit_name_parts p;

        base = base ? base + 1 : u->fragment;
        if (streq(base, u->name))
                return true;
        /* An instance without a fragment of its own reads its template's. */
        unit_name_split(u->name, &p);
        return p.instance_len > 0 && strncmp(base, u->name, p.prefix_len + 1) == 0 &&
               streq(base + p.prefix_len + 1, u->name + p.stem_len);
}

/* Whether TEXT can go into a unit file and a file of arguments: systemd
 * ignores a whole line that is not UTF-8 (and with it every other path of
 * the guard's command line, were they on one line), and a control
 * character (a newline above all) would split a line. Warns otherwise. */
static bool path_text_ok(const char *text, const unit_setting *where, const char *what) {
        for (const unsigned char *p = (const unsigned char *) text; *p; p++)
                if (*p < 0x20 || *p == 0x7f) {
                        log_warning("%s:%u: %s= path contains a control character, ignoring.", where->file,
                                    where->line, what);
                        return false;
                }
        if (!utf8_is_valid(text)) {
                log_warning("%s:%u: %s= path is not valid UTF-8, ignoring.", where->file, where->line, what);
                return false;
        }
        return true;
}

/* SRC expanded for unit NAME, checked and normalized. NULL (after a
 * warning naming WHERE) for a path that cannot be kept. */
static char *expand_path(const char *src, const char *name, const unit_setting *where, const char *what) {
        _cleanup_free_ char *expanded = NULL;
        socket_path_problem problem;
        char *norm = NULL, bad = 0;
        int r;

        /* Checked before it is quoted in a message, and again once
         * expanded: an instance name may unescape to anything. */
        if (!path_text_ok(src, where, what))
                return NULL;
        r = specifier_expand_unit(src, name, &expanded, &bad);
        if (r == -ENOMEM)
                return NULL;
        if (r < 0) {
                if (bad)
                        log_warning("%s:%u: %s=%s uses %%%c, which cannot be expanded for %s here, ignoring.",
                                    where->file, where->line, what, src, bad, name);
                else
                        log_warning("%s:%u: %s=%s ends in a lone %%, ignoring.", where->file, where->line, what,
                                    src);
                return NULL;
        }
        if (!path_text_ok(expanded, where, what))
                return NULL;
        if (expanded[0] != '/') {
                log_warning("%s:%u: %s=%s is not an absolute path, ignoring.", where->file, where->line, what,
                            src);
                return NULL;
        }
        /* The canonical form, as the guard's keeper binds and compares it;
         * ".." and a directory are refused, as they are on the command line. */
        r = socket_path_canonical(expanded, &norm, &problem);
        if (r == -ENOMEM)
                return NULL;
        if (r < 0) {
                /* A control character stays out of the log line. */
                if (problem == SOCKET_PATH_CONTROL)
                        log_warning("%s:%u: %s= path contains a control character, ignoring.", where->file,
                                    where->line, what);
                else
                        log_warning("%s:%u: %s=%s %s, ignoring.", where->file, where->line, what, src,
                                    socket_path_problem_to_string(problem));
                return NULL;
        }
        return norm;
}

static void machine_warn(const char *file, unsigned line, const char *message, void *userdata) {
        log_debug("%s:%u: %s", file, line, message);
}

/* RISKY, by the classifier of `sockkeeper check`, or in a directory that
 * every user shares (/tmp, /var/tmp, /dev/shm and the like), where cleanup
 * that no configuration shows reaches whether or not a configured cleaner
 * ages it now (Debian 12 does not age /tmp; Debian 13 does). CAUTION does
 * not count: it is what a path directly in /run gets, and a generator
 * that protected all of them would enrol many socket units of the
 * machine. */
static int path_is_risky(context *c, const char *path) {
        _cleanup_(risk_report_done) risk_report report = {};
        const char *shared = NULL;
        int r;

        if (c->machine_state == 0) {
                /* Loaded only now: most boots have no socket unit that needs it. */
                /* Judged as if nothing listened: at boot nothing does yet,
                 * and a daemon-reload must come to the same answer. */
                r = risk_machine_load_offline(&c->machine, c->root, machine_warn, NULL);
                if (r < 0) {
                        risk_machine_done(&c->machine);
                        c->machine_state = r;
                        return log_warning_errno(r, "Cannot read the cleaners' configuration under %s, "
                                                    "socket units are protected only when annotated",
                                                 c->root);
                }
                c->machine_state = 1;
        }
        if (c->machine_state < 0)
                return c->machine_state;
        r = risk_classify(&c->machine, path, &report);
        if (r < 0)
                return r;
        log_debug("%s: %s", path, risk_rating_to_string(report.rating));
        if (report.rating == RISK_RISKY)
                return 1;
        r = shared_tmp_dir(&c->machine, path, &shared);
        if (r > 0)
                log_debug("%s: in %s, which every user shares: protected whatever the cleaners do now.", path,
                          shared);
        return r;
}

typedef struct unit_paths {
        char **guard;           /* concrete socket paths for the guard */
        size_t n_guard;
} unit_paths;

/* Adds PATH (expanded) for unit U: to tmpfiles always, to the guard when
 * concrete and a socket (not a Symlinks= link). */
static int protect(context *c, const unit_file *u, unit_paths *p, const char *path, bool guard) {
        bool template = unit_name_is_template(u->name);
        int r;

        r = gen_output_add_tmpfiles(&c->out, path, template);
        if (r < 0 || template || !guard)
                return r;
        for (size_t i = 0; i < p->n_guard; i++)
                if (streq(p->guard[i], path))
                        return 0;
        return strv_extend(&p->guard, &p->n_guard, path);
}

/* The filesystem paths of a socket unit's Listen*= and Symlinks=. */
static int socket_unit_paths(context *c, const unit_file *u, const annotation *a, unit_paths *p) {
        static const char *const listen[] = { "ListenStream", "ListenSequentialPacket", "ListenDatagram",
                                              "Symlinks" };
        int r = 0;

        for (size_t k = 0; k < ELEMENTSOF(listen) && r >= 0; k++) {
                _cleanup_free_ const unit_setting **l = NULL;
                bool symlinks = streq(listen[k], "Symlinks");
                int n = unit_file_values(u, "Socket", listen[k], UNIT_VALUES_RESET_ON_EMPTY, &l);

                if (n < 0)
                        return n;
                for (int i = 0; i < n && r >= 0; i++) {
                        const char *v = l[i]->value;

                        for (;;) {
                                _cleanup_free_ char *word = NULL, *path = NULL;

                                /* ListenStream= is one address; Symlinks= a list. */
                                if (symlinks) {
                                        r = extract_word(&v, &word, 0);
                                        if (r == 0)
                                                break;
                                        if (r < 0) {
                                                log_warning("%s:%u: bad quoting in Symlinks=, ignoring.",
                                                            l[i]->file, l[i]->line);
                                                r = 0;
                                                break;
                                        }
                                } else {
                                        /* Ports, '@' abstract names, netlink, vsock: no file. */
                                        if (v[0] != '/' && v[0] != '%')
                                                break;
                                        word = strdup(v);
                                        if (!word)
                                                return -ENOMEM;
                                }
                                path = expand_path(word, u->name, l[i], listen[k]);
                                if (path) {
                                        int risky = a->protect == 1 ? 1 : path_is_risky(c, path);

                                        if (risky > 0)
                                                r = protect(c, u, p, path, !symlinks);
                                        else if (risky == 0)
                                                log_debug("%s: %s is not at risk, not protected.", u->name, path);
                                }
                                if (!symlinks || r < 0)
                                        break;
                        }
                }
        }
        return r < 0 ? r : 0;
}

/* Whose sockets the guard keeps for unit U: the user its processes run
 * as, User= or root. A socket unit's are root's (PID 1 makes them), the
 * guard's own default. A dynamic user, or a name with specifiers, is not
 * known before the unit runs: the guard then takes the owner of the
 * socket it finds, where nobody else could have made it (a directory
 * closed to others), and its own user elsewhere. */
static int unit_owner(const unit_file *u, bool socket, char **ret) {
        const unit_setting *user = unit_file_last(u, "Service", "User");
        const unit_setting *dyn = unit_file_last(u, "Service", "DynamicUser");

        *ret = NULL;
        if (socket || (dyn && parse_boolean(dyn->value) > 0))
                return 0;
        if (user && strchr(user->value, '%'))
                return 0;
        *ret = strdup(user && user->value[0] ? user->value : "root");
        return *ret ? 0 : -ENOMEM;
}

static int process_unit(context *c, const unit_lookup *lp, const char *name) {
        _cleanup_(unit_file_done) unit_file u = {};
        _cleanup_(annotation_done) annotation a = { .protect = -1 };
        unit_paths p = {};
        bool socket = has_suffix(name, ".socket");
        int r;

        r = unit_file_load(lp, name, &u);
        if (r < 0) {
                flush_warnings(c, false);
                return r == -ENOMEM ? r : 0;
        }
        if (u.state != UNIT_FOUND || !is_canonical(&u)) {
                if (u.state == UNIT_MASKED)
                        log_debug("%s is masked, skipping.", name);
                flush_warnings(c, false);
                return 0;
        }
        r = annotation_parse(&u, collect_warning, c, &a);
        if (r < 0)
                return r;
        flush_warnings(c, a.present || socket);
        if (!a.present && !socket)
                return 0;
        if (a.protect == 0) {
                log_debug("%s has Protect=no, skipping.", name);
                return 0;
        }

        for (size_t i = 0; i < a.n_sockets && r >= 0; i++) {
                _cleanup_free_ char *path = NULL;

                if (a.sockets[i].path[0] == '@') {
                        log_debug("%s:%u: %s is an abstract name, nothing to protect.",
                                  a.sockets[i].source->file, a.sockets[i].source->line, a.sockets[i].path);
                        continue;
                }
                path = expand_path(a.sockets[i].path, name, a.sockets[i].source, "Socket");
                if (path)
                        r = protect(c, &u, &p, path, true);
        }
        if (r >= 0 && socket)
                r = socket_unit_paths(c, &u, &a, &p);

        if (r >= 0 && p.n_guard > 0) {
                if (GREEDY_REALLOC(c->out.groups, c->out.allocated_groups, c->out.n_groups + 1, 16) < 0)
                        r = -ENOMEM;
                else {
                        c->out.groups[c->out.n_groups] = (gen_guard_group) {
                                .unit = strdup(name),
                                .on_loss = a.on_loss != ON_LOSS_DEFAULT ? a.on_loss
                                           : socket                     ? ON_LOSS_RESTART
                                                                        : ON_LOSS_RELINK_ONLY,
                                .paths = TAKE_PTR(p.guard),
                                .n_paths = p.n_guard,
                        };
                        p.n_guard = 0;
                        if (!c->out.groups[c->out.n_groups++].unit)
                                r = -ENOMEM;
                        if (r >= 0)
                                r = unit_owner(&u, socket, &c->out.groups[c->out.n_groups - 1].owner);
                        if (r >= 0 && socket)
                                r = strv_extend(&c->out.socket_units, &c->out.n_socket_units, name);
                }
        }
        strv_free_n(p.guard, p.n_guard);
        return r;
}

static int run(const char *dest, const char *dest_early, const char *dest_late) {
        _cleanup_(unit_lookup_done) unit_lookup lp = {};
        context c = { .root = getenv("SOCKKEEPER_ROOT") ?: "/" };
        char **names = NULL;
        size_t n_names = 0;
        int r;

        if (!c.root[0] || c.root[0] != '/')
                return log_error_errno(EINVAL, "SOCKKEEPER_ROOT=%s is not an absolute path", c.root);

        r = unit_lookup_init(&lp, NULL, collect_warning, &c);
        if (r >= 0)
                r = unit_enumerate(&lp, &names, &n_names);
        flush_warnings(&c, false);
        if (r < 0) {
                log_error_errno(r, "Failed to read the unit search path");
                goto finish;
        }
        for (size_t i = 0; i < n_names && r >= 0; i++)
                r = process_unit(&c, &lp, names[i]);
        if (r < 0) {
                log_error_errno(r, "Failed to read units");
                goto finish;
        }
        r = gen_output_dedupe(&c.out);
        if (r < 0) {
                log_error_errno(r, "Failed to merge the paths");
                goto finish;
        }
        /* After a daemon-reload that took the last protected path away, the
         * exclusions written at boot or at an earlier reload go too. */
        c.out.tmpfiles_in_place = root_lstat(c.root, TMPFILES_CONF, &(struct stat) {}) >= 0;
        r = gen_output_write(&c.out, dest);

finish:
        strv_free_n(names, n_names);
        flush_warnings(&c, false);
        free(c.pending);
        gen_output_done(&c.out);
        if (c.machine_state > 0)
                risk_machine_done(&c.machine);
        return r;
}

static void help(void) {
        printf("Usage: sockkeeper-generator NORMAL_DIR [EARLY_DIR LATE_DIR]\n"
               "       sockkeeper-generator --help | --version\n"
               "\n"
               "A systemd generator: run by systemd at boot and at every daemon-reload, it\n"
               "writes into NORMAL_DIR the drop-ins that keep the socket paths of annotated\n"
               "units and of socket units in risky places away from cleaners.\n"
               "\n"
               "  -h --help     show this help\n"
               "     --version  show the version\n"
               "\n"
               "See sockkeeper-generator(8).\n");
}

/* systemd passes one or three absolute directories; an argument that
 * starts with '-' is an option, run by hand. 1 when the program is done
 * (with *RET_STATUS its exit status), 0 to go on. */
static int parse_options(int argc, char *argv[], int *ret_status) {
        if (argc < 2 || argv[1][0] != '-')
                return 0;
        *ret_status = EXIT_SUCCESS;
        if (argc == 2 && (streq(argv[1], "--help") || streq(argv[1], "-h")))
                help();
        else if (argc == 2 && streq(argv[1], "--version"))
                printf("sockkeeper-generator %s\n", PACKAGE_VERSION);
        else {
                /* Run by hand: the person is at the terminal, not in kmsg. */
                if (argc == 2)
                        fprintf(stderr, "sockkeeper-generator: unknown option '%s'\n", argv[1]);
                else
                        fprintf(stderr, "sockkeeper-generator: '%s' goes alone\n", argv[1]);
                fprintf(stderr, "Try 'sockkeeper-generator --help'.\n");
                *ret_status = 64; /* EX_USAGE */
        }
        return 1;
}

int main(int argc, char *argv[]) {
        int r, status;

        if (parse_options(argc, argv, &status) > 0)
                return status;
        /* Run by hand from a terminal: a usage error, said there. systemd
         * never gives a generator a terminal; there the count is logged
         * below, to kmsg. */
        if (argc != 2 && argc != 4 && isatty(STDERR_FILENO)) {
                fprintf(stderr, "sockkeeper-generator: takes one or three directories, not %d arguments\n"
                                "Try 'sockkeeper-generator --help'.\n", argc - 1);
                return 64; /* EX_USAGE */
        }

        /* As systemd's generators log: kmsg, at info, unless the
         * environment says otherwise. */
        log_set_program("sockkeeper-generator");
        log_set_target(LOG_TARGET_KMSG);
        log_set_max_level(LOG_INFO);
        log_parse_environment();
        log_open();
        if (argc != 2 && argc != 4) {
                log_error("This program takes one or three arguments.");
                log_close();
                return EXIT_FAILURE;
        }
        r = run(argv[1], argc > 2 ? argv[2] : NULL, argc > 3 ? argv[3] : NULL);
        log_close();
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
