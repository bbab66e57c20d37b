/* SPDX-License-Identifier: MIT */
/* sockkeeper migrate, the plan: reads the service and its socket units as
 * systemd does, finds their socket paths, decides where each one goes
 * (or why it cannot) and what stands in the way; migrate-files.c then
 * writes the drop-ins and the tmpfiles.d lines that do the move. Nothing
 * is written to disk here. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "migrate-map.h"
#include "migrate-context.h"
#include "path-util.h"
#include "risk.h"
#include "strv.h"
#include "unit-file.h"
#include "unit-lookup.h"
#include "unit-name.h"

static void context_done(migrate_context *c) {
        unit_lookup_done(&c->lp);
        if (c->risk_loaded)
                risk_machine_done(&c->risk);
        unit_file_done(&c->service);
        for (size_t i = 0; i < c->n_sockets; i++)
                unit_file_done(&c->sockets[i]);
        free(c->sockets);
        unit_socket_refs_done(&c->refs);
}

void migrate_plan_done(migrate_plan *p) {
        free(p->unit);
        free(p->fragment);
        free(p->runtime_name);
        for (size_t i = 0; i < p->n_sockets; i++) {
                free(p->sockets[i].old_path);
                free(p->sockets[i].new_path);
                free(p->sockets[i].shown_path);
                free(p->sockets[i].socket_unit);
                free(p->sockets[i].why);
                unit_socket_refs_done(&p->sockets[i].refs);
        }
        free(p->sockets);
        for (size_t i = 0; i < p->n_problems; i++) {
                free(p->problems[i].text);
                free(p->problems[i].source);
        }
        free(p->problems);
        strv_free_n(p->notes, p->n_notes);
        for (size_t i = 0; i < p->n_files; i++) {
                free(p->files[i].path);
                free(p->files[i].unit);
                free(p->files[i].content);
        }
        free(p->files);
        *p = (migrate_plan) {};
}

size_t migrate_plan_count(const migrate_plan *p, migrate_fate fate) {
        size_t n = 0;

        for (size_t i = 0; i < p->n_sockets; i++)
                n += p->sockets[i].fate == fate;
        return n;
}

_printf_(4, 5) static int add_problem(migrate_plan *p, const char *kind, const unit_setting *where, const char *fmt,
                                      ...) {
        migrate_problem x = { .kind = kind };
        migrate_problem *m;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&x.text, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        if (where && asprintf(&x.source, "%s:%u", where->file, where->line) < 0) {
                free(x.text);
                return -ENOMEM;
        }
        m = reallocarray(p->problems, p->n_problems + 1, sizeof(*m));
        if (!m) {
                free(x.text);
                free(x.source);
                return -ENOMEM;
        }
        p->problems = m;
        p->problems[p->n_problems++] = x;
        return 0;
}

static char *mfree(char *p) {
        free(p);
        return NULL;
}

/* ---- reading ---- */

/* Leaves out the settings of the drop-ins migrate wrote itself. */
static int drop_own_files(const char *root, unit_file *u) {
        for (size_t i = 0; i < u->n_dropins; i++) {
                _cleanup_free_ char *text = NULL;
                size_t w = 0;

                if (root_read_file(root, u->dropins[i], &text, NULL) < 0 ||
                    strncmp(text, MIGRATE_MARK, strlen(MIGRATE_MARK)) != 0)
                        continue;
                for (size_t j = 0; j < u->n_settings; j++) {
                        unit_setting *s = &u->settings[j];

                        if (streq(s->file, u->dropins[i])) {
                                free(s->section);
                                free(s->key);
                                free(s->value);
                                free(s->file);
                                continue;
                        }
                        u->settings[w++] = *s;
                }
                u->n_settings = w;
        }
        return 0;
}

/* UNIT given as a file: its own settings, then the drop-ins of its name. */
static int load_file(migrate_context *c, const char *path, unit_file *ret) {
        _cleanup_free_ char *text = NULL;
        const char *name = migrate_basename(path);
        unit_file f = {}, d = {};
        size_t size;
        int r;

        if (!unit_name_is_valid(name)) {
                log_error("%s: the file name is not a unit name", path);
                return -EINVAL;
        }
        r = root_read_file(NULL, path, &text, &size);
        if (r < 0) {
                log_error("%s: %s", path, root_read_strerror(r));
                return r;
        }
        f.name = strdup(name);
        f.fragment = strdup(path);
        if (!f.name || !f.fragment) {
                unit_file_done(&f);
                return -ENOMEM;
        }
        f.state = UNIT_FOUND;
        r = unit_file_parse(&f, path, text, size, log_file_warning, NULL);
        if (r >= 0)
                r = unit_file_load(&c->lp, name, &d);
        if (r < 0) {
                unit_file_done(&f);
                return r;
        }
        /* The drop-ins' settings after the file's; the search path's own
         * fragment of that name, if any, is what the file stands in for. */
        for (size_t i = 0; i < d.n_settings && r >= 0; i++) {
                unit_setting *s = &d.settings[i], *m;

                if (d.fragment && streq(s->file, d.fragment))
                        continue;
                m = reallocarray(f.settings, f.n_settings + 1, sizeof(*m));
                if (!m) {
                        r = -ENOMEM;
                        break;
                }
                f.settings = m;
                f.settings[f.n_settings++] = *s;
                *s = (unit_setting) {};
        }
        for (size_t i = 0; i < d.n_dropins && r >= 0; i++)
                r = strv_extend(&f.dropins, &f.n_dropins, d.dropins[i]);
        unit_file_done(&d);
        if (r < 0) {
                unit_file_done(&f);
                return r;
        }
        *ret = f;
        return 0;
}

/* A path from a command line or the environment is worth moving when it
 * lies in a directory that cleaners reach: the shared temporary
 * directories, or wherever the risk classifier finds a cleaner. */
static bool guess_filter(const char *path, void *userdata) {
        migrate_context *c = userdata;
        static const char *const temp_dirs[] = { "/tmp", "/var/tmp", "/dev/shm" };
        _cleanup_(risk_report_done) risk_report rep = {};

        if (migrate_path_is_runtime(path, c->runtime_dir))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(temp_dirs); i++)
                if (path_is_under(temp_dirs[i], path))
                        return true;
        if (strchr(path, '%') || !c->risk_loaded)
                return false;
        if (risk_classify(&c->risk, path, &rep) < 0)
                return false;
        for (size_t i = 0; i < rep.n_reasons; i++)
                if (rep.reasons[i].rating >= RISK_RISKY &&
                    (strncmp(rep.reasons[i].kind, "tmpfiles-", 9) == 0 || streq(rep.reasons[i].kind, "tmpreaper") ||
                     streq(rep.reasons[i].kind, "cron")))
                        return true;
        return false;
}

static int lookup_init(migrate_context *c) {
        char **dirs = NULL;
        size_t n = 0;
        int r;

        if (!c->o->user)
                return unit_lookup_init(&c->lp, c->o->root, log_file_warning, NULL);
        r = unit_user_search_path(&dirs, &n);
        if (r < 0)
                return r;
        return unit_lookup_init_dirs(&c->lp, c->o->root, dirs, n, log_file_warning, NULL);
}

static int load_service(migrate_context *c, const char *arg) {
        const char *dot;
        int r;

        /* The type first: a name that is no service is a usage error
         * whether or not such a unit exists. */
        dot = strrchr(migrate_basename(arg), '.');
        if (unit_name_is_valid(migrate_basename(arg)) && !streq(dot, ".service")) {
                log_error("%s: migrate works on a service; give the service that %s activates", arg,
                          migrate_basename(arg));
                return -EINVAL;
        }
        if (strchr(arg, '/'))
                return load_file(c, arg, &c->service);
        if (!unit_name_is_valid(arg)) {
                log_error("%s: not a valid unit name", arg);
                return -EINVAL;
        }
        r = unit_file_load(&c->lp, arg, &c->service);
        if (r < 0)
                return log_error_errno(r, "%s", arg);
        if (c->service.state == UNIT_MASKED) {
                log_error("%s: the unit is masked (%s); nothing to migrate", arg, c->service.fragment);
                return -ENOENT;
        }
        if (c->service.state == UNIT_NOT_FOUND) {
                log_error("%s: no such unit in the %s search path%s%s", arg, c->o->user ? "user" : "system",
                          c->o->root ? " under " : "", strempty(c->o->root));
                return -ENOENT;
        }
        return 0;
}

static int load_sockets(migrate_context *c) {
        char **names = NULL;
        size_t n = 0;
        int r;

        r = unit_socket_units(&c->service, &names, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                unit_file s = {};
                unit_file *m;

                if (!unit_name_is_valid(names[i]))
                        continue;
                r = unit_file_load(&c->lp, names[i], &s);
                if (r < 0)
                        break;
                if (s.state != UNIT_FOUND) {
                        unit_file_done(&s);
                        continue;
                }
                drop_own_files(c->o->root, &s);
                m = reallocarray(c->sockets, c->n_sockets + 1, sizeof(*m));
                if (!m) {
                        unit_file_done(&s);
                        r = -ENOMEM;
                        break;
                }
                c->sockets = m;
                c->sockets[c->n_sockets++] = s;
        }
        strv_free_n(names, n);
        return r;
}

/* ---- deciding ---- */

static int group_refs(migrate_plan *p, const unit_socket_refs *refs) {
        for (size_t i = 0; i < refs->n; i++) {
                const unit_socket_ref *x = &refs->refs[i];
                migrate_socket *s = migrate_socket_of(p, x->path);
                unit_socket_ref *m;

                if (!s) {
                        migrate_socket *l = reallocarray(p->sockets, p->n_sockets + 1, sizeof(*l));

                        if (!l)
                                return -ENOMEM;
                        p->sockets = l;
                        s = &p->sockets[p->n_sockets++];
                        *s = (migrate_socket) { .old_path = strdup(x->path) };
                        if (!s->old_path)
                                return -ENOMEM;
                }
                if (x->source == UNIT_SOCKET_LISTEN && !s->socket_unit) {
                        s->socket_unit = strdup(x->unit);
                        if (!s->socket_unit)
                                return -ENOMEM;
                }
                m = reallocarray(s->refs.refs, s->refs.n + 1, sizeof(*m));
                if (!m)
                        return -ENOMEM;
                s->refs.refs = m;
                m[s->refs.n] = (unit_socket_ref) {
                        .path = strdup(x->path),
                        .source = x->source,
                        .unit = strdup(x->unit),
                        .key = strdup(x->key),
                        .file = strdup(x->file),
                        .line = x->line,
                };
                s->refs.n++;
                if (!m[s->refs.n - 1].path || !m[s->refs.n - 1].unit || !m[s->refs.n - 1].key ||
                    !m[s->refs.n - 1].file)
                        return -ENOMEM;
        }
        return 0;
}

static int decide(migrate_context *c, migrate_plan *p) {
        bool templated = migrate_name_is_template_or_instance(p->unit), per_instance = templated;
        int r;

        /* Per-instance directories only when every path already differs by
         * instance; otherwise the instances share one, kept across stops. */
        for (size_t i = 0; i < p->n_sockets && templated; i++)
                if (p->sockets[i].old_path[0] == '/' && !migrate_path_is_runtime(p->sockets[i].old_path, c->runtime_dir) &&
                    !migrate_has_instance_specifier(p->sockets[i].old_path))
                        per_instance = false;
        r = migrate_runtime_name(p->unit, per_instance, &p->runtime_name);
        if (r < 0)
                return log_error_errno(r, "%s: cannot derive a runtime directory name", p->unit);

        for (size_t i = 0; i < p->n_sockets; i++) {
                migrate_socket *s = &p->sockets[i];
                const char *why = NULL;

                if (s->old_path[0] == '@')
                        why = "an abstract socket name: there is no file, so no cleaner can delete it";
                else if (migrate_path_is_runtime(s->old_path, c->runtime_dir))
                        why = "already in a runtime directory, which no cleaner ages";
                if (why) {
                        s->fate = MIGRATE_KEEP;
                        s->why = strdup(why);
                        if (!s->why)
                                return -ENOMEM;
                        continue;
                }
                s->fate = MIGRATE_UNMAPPED;
                if (s->old_path[0] != '/')
                        why = "not an absolute path: where it points depends on the working directory or on a "
                              "specifier, so it is left to you";
                else {
                        r = migrate_map_path(s->old_path, p->runtime_name, p->user, &s->new_path);
                        if (r == -ENAMETOOLONG)
                                why = "the new path would not fit in sun_path (107 bytes)";
                        else if (r == -EINVAL)
                                why = "its file name cannot be kept as it is (a \"..\" or a specifier that "
                                      "expands to a path)";
                        else if (r < 0)
                                return r;
                }
                for (size_t j = 0; !why && j < i; j++)
                        if (p->sockets[j].fate == MIGRATE_MOVE && streq(p->sockets[j].new_path, s->new_path))
                                why = "another socket of the unit has the same file name; one directory cannot hold both";
                if (why) {
                        s->new_path = mfree(s->new_path);
                        s->why = strdup(why);
                        if (!s->why)
                                return -ENOMEM;
                        continue;
                }
                s->fate = MIGRATE_MOVE;
                if (asprintf(&s->shown_path, "%s%s", p->user ? "$XDG_RUNTIME_DIR" : "/run", s->new_path + 2) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* ---- problems ---- */

static bool in_temp(const char *path) {
        return path_is_under("/tmp", path) || path_is_under("/var/tmp", path);
}

/* Other units of the search path that name one of the paths. */
static int find_shared(migrate_context *c, migrate_plan *p) {
        unit_lookup quiet = c->lp; /* the same map; their bad lines are not this run's business */
        char **names = NULL;
        size_t n = 0;
        int r;

        quiet.warn = NULL;
        r = unit_enumerate(&c->lp, &names, &n);
        if (r < 0)
                return r;
        r = 0;
        for (size_t i = 0; i < n && r >= 0; i++) {
                const char *dot = strrchr(names[i], '.');
                _cleanup_(unit_socket_refs_done) unit_socket_refs refs = {};
                unit_file u = {};
                bool ours = false;

                if (!dot || (!streq(dot, ".service") && !streq(dot, ".socket")))
                        continue;
                for (size_t j = 0; j < c->service.n_names && !ours; j++)
                        ours = streq(c->service.names[j], names[i]);
                ours = ours || streq(c->service.name, names[i]);
                for (size_t j = 0; j < c->n_sockets && !ours; j++)
                        ours = streq(c->sockets[j].name, names[i]);
                if (ours)
                        continue;
                if (unit_file_load(&quiet, names[i], &u) < 0)
                        continue;
                if (u.state == UNIT_FOUND) {
                        drop_own_files(c->o->root, &u);
                        r = unit_sockets_annotated(&u, &refs);
                        if (r >= 0 && streq(dot, ".socket"))
                                r = unit_sockets_listening(&u, &refs);
                        if (r >= 0 && streq(dot, ".service"))
                                r = unit_sockets_guessed(&u, c->o->root, NULL, NULL, &refs);
                }
                unit_file_done(&u);
                for (size_t j = 0; j < refs.n && r >= 0; j++) {
                        migrate_socket *s = migrate_socket_of(p, refs.refs[j].path);
                        unit_setting where = { .file = refs.refs[j].file, .line = refs.refs[j].line };

                        if (!s || s->fate == MIGRATE_KEEP)
                                continue;
                        r = add_problem(p, "shared-path", &where,
                                        "%s is used by %s too (%s=): moving it here breaks that unit, or that "
                                        "unit takes over the compatibility symlink; migrate both together",
                                        s->old_path, refs.refs[j].unit, refs.refs[j].key);
                }
        }
        strv_free_n(names, n);
        return r;
}

static int find_problems(migrate_context *c, migrate_plan *p) {
        const unit_setting *ptmp = migrate_service_flag(&c->service, "PrivateTmp");
        const unit_setting *dyn = migrate_service_flag(&c->service, "DynamicUser");
        int r = 0;

        if (dyn)
                r = add_problem(p, "dynamic-user", dyn,
                                "DynamicUser=yes: the service runs as a user that exists only while it runs. "
                                "RuntimeDirectory= is the right home for its sockets: systemd creates the "
                                "directory owned by that user and removes it at stop. DynamicUser= also implies "
                                "PrivateTmp=yes");
        for (size_t i = 0; i < p->n_sockets && r >= 0; i++) {
                migrate_socket *s = &p->sockets[i];

                if (s->fate == MIGRATE_KEEP || s->socket_unit || !in_temp(s->old_path) || !(ptmp || dyn))
                        continue;
                r = add_problem(p, "private-tmp", ptmp ?: dyn,
                                "%s is in the service's private /tmp (%s): clients outside the service cannot "
                                "reach it at all; the move fixes that",
                                s->old_path, ptmp ? "PrivateTmp=yes" : "implied by DynamicUser=yes");
        }
        for (size_t i = 0; i < p->n_sockets && r >= 0; i++) {
                migrate_socket *s = &p->sockets[i];

                for (size_t j = 0; j < s->refs.n && r >= 0; j++) {
                        unit_setting where = { .file = s->refs.refs[j].file, .line = s->refs.refs[j].line };

                        if (s->refs.refs[j].source != UNIT_SOCKET_ENVIRONMENT_FILE || s->fate != MIGRATE_MOVE)
                                continue;
                        r = add_problem(p, "environment-file", &where,
                                        "%s=%s comes from an EnvironmentFile=, which a drop-in cannot override: "
                                        "change it to %s there by hand",
                                        s->refs.refs[j].key, s->old_path, s->shown_path);
                }
        }
        for (size_t i = 0; i < p->n_sockets && r >= 0; i++)
                if (p->sockets[i].fate == MIGRATE_UNMAPPED)
                        r = add_problem(p, "unmapped", NULL, "%s is not moved: %s", p->sockets[i].old_path,
                                        p->sockets[i].why);
        if (r >= 0)
                r = find_shared(c, p);
        return r;
}

int migrate_plan_build(const migrate_options *o, const char *unit, migrate_plan *ret) {
        _cleanup_(context_done) migrate_context c = { .o = o };
        migrate_plan p = { .user = o->user };
        int r;

        if (o->user) {
                const char *rt = getenv("XDG_RUNTIME_DIR");
                c.runtime_dir = rt && rt[0] == '/' ? rt : NULL;
        }
        r = lookup_init(&c);
        if (r < 0)
                return log_error_errno(r, "reading the unit search path");
        r = load_service(&c, unit);
        if (r < 0)
                return r;
        drop_own_files(o->root, &c.service);
        /* The cleaners' configuration decides which command-line paths are
         * at risk; a broken one only narrows that to the temporary dirs. */
        c.risk_loaded = risk_machine_load(&c.risk, o->root ?: "/", NULL, NULL) >= 0;

        /* The drop-in goes with the fragment's own name (not an alias), but
         * an instance keeps its instance: the admin asked about that one. */
        if (c.service.fragment && !unit_name_is_template(c.service.name) &&
            !unit_name_is_instance(c.service.name) && unit_name_is_valid(migrate_basename(c.service.fragment)))
                p.unit = strdup(migrate_basename(c.service.fragment));
        else
                p.unit = strdup(c.service.name);
        p.fragment = c.service.fragment ? strdup(c.service.fragment) : NULL;
        if (!p.unit)
                return -ENOMEM;

        r = load_sockets(&c);
        if (r >= 0)
                r = unit_sockets_annotated(&c.service, &c.refs);
        if (r >= 0)
                for (size_t i = 0; i < c.n_sockets && r >= 0; i++)
                        r = unit_sockets_listening(&c.sockets[i], &c.refs);
        if (r >= 0)
                r = unit_sockets_guessed(&c.service, o->root, guess_filter, &c, &c.refs);
        if (r >= 0)
                r = group_refs(&p, &c.refs);
        if (r >= 0)
                r = decide(&c, &p);
        if (r >= 0)
                r = find_problems(&c, &p);
        if (r >= 0 && migrate_plan_count(&p, MIGRATE_MOVE) > 0)
                r = migrate_make_files(&c, &p);
        if (r >= 0)
                r = migrate_make_notes(&c, &p);
        if (r < 0) {
                migrate_plan_done(&p);
                return r == -ENOMEM ? log_error_errno(r, "%s", unit) : r;
        }
        *ret = p;
        return 0;
}
