/* SPDX-License-Identifier: MIT */
/* sockkeeper migrate, the files of a plan: the service's drop-in
 * (RuntimeDirectory= and the rewritten ExecStart=/Environment= lines), a
 * drop-in for each socket unit (ListenStream= and Symlinks=), the
 * tmpfiles.d lines for compatibility symlinks at the old paths, and the
 * steps the admin takes after installing them. Each file starts with
 * MIGRATE_MARK, so that --write replaces only what it wrote. What moves
 * where was decided before, in migrate-plan.c. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "migrate-map.h"
#include "migrate-context.h"
#include "sockpath-text.h"
#include "strv.h"

#define add_note(p, ...) strv_pushf(&(p)->notes, &(p)->n_notes, __VA_ARGS__)

static int add_file(migrate_plan *p, char *path, const char *unit, char *content) {
        migrate_file *m = reallocarray(p->files, p->n_files + 1, sizeof(*m));
        char *u = unit ? strdup(unit) : NULL;

        if (!m || !path || !content || (unit && !u)) {
                free(path);
                free(content);
                free(u);
                if (m)
                        p->files = m;
                return -ENOMEM;
        }
        p->files = m;
        p->files[p->n_files++] = (migrate_file) { .path = path, .unit = u, .content = content };
        return 0;
}

static int rewrite(const migrate_plan *p, const char *value, char **ret) {
        _cleanup_free_ char *cur = strdup(value);
        int total = 0;

        if (!cur)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_sockets; i++) {
                char *next = NULL;
                int k;

                if (p->sockets[i].fate != MIGRATE_MOVE)
                        continue;
                k = sockpath_replace(cur, p->sockets[i].old_path, p->sockets[i].new_path, &next);
                if (k < 0)
                        return k;
                if (k > 0) {
                        free(cur);
                        cur = next;
                        total += k;
                }
        }
        *ret = TAKE_PTR(cur);
        return total;
}

static void header(FILE *f, const migrate_plan *p, const char *what) {
        fprintf(f, MIGRATE_MARK " for %s.\n"
                   "# `sockkeeper migrate --write` replaces this file; delete it to undo the move.\n"
                   "# %s\n",
                p->unit, what);
}

static int service_dropin(migrate_context *c, migrate_plan *p, char **ret) {
        _cleanup_free_ const unit_setting **rd = NULL, **ann = NULL;
        const unit_setting *group = unit_file_last(&c->service, "Service", "Group");
        const unit_setting *user = unit_file_last(&c->service, "Service", "User");
        bool have_rd = false, preserve = !strstr(p->runtime_name, "%i");
        char *buf = NULL;
        size_t size = 0;
        FILE *f;
        int n, r = 0;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        header(f, p, "It moves the service's sockets into its runtime directory:");
        for (size_t i = 0; i < p->n_sockets; i++)
                if (p->sockets[i].fate == MIGRATE_MOVE) {
                        fprintf(f, "#   %s -> %s\n", p->sockets[i].old_path, p->sockets[i].new_path);
                        if (p->sockets[i].socket_unit)
                                preserve = true;
                }
        fputs("[Service]\n", f);
        n = unit_file_values(&c->service, "Service", "RuntimeDirectory", UNIT_VALUES_RESET_ON_EMPTY, &rd);
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *v = strdup(rd[i]->value);
                char *save = NULL;

                for (char *w = v ? strtok_r(v, " \t", &save) : NULL; w; w = strtok_r(NULL, " \t", &save))
                        have_rd |= streq(w, p->runtime_name);
        }
        if (!have_rd)
                fprintf(f, "RuntimeDirectory=%s\n", p->runtime_name);
        if (group && group->value[0])
                fputs("# Group= is set: its members reach the sockets, others do not. Use 0755 if they must.\n"
                      "RuntimeDirectoryMode=0750\n",
                      f);
        else if ((user && user->value[0]) || migrate_service_flag(&c->service, "DynamicUser"))
                fputs("# Owned by the service's user; clients of other users must be able to enter it.\n"
                      "RuntimeDirectoryMode=0755\n",
                      f);
        /* The directory goes when the service stops; a socket unit's socket
         * inside it (or instances sharing it) must outlive that. */
        if (preserve && (migrate_name_is_template_or_instance(p->unit) || c->n_sockets > 0))
                fputs("RuntimeDirectoryPreserve=yes\n", f);

        for (size_t k = 0; k < unit_exec_keys_n && r >= 0; k++) {
                _cleanup_free_ const unit_setting **v = NULL;
                char **out = NULL;
                size_t n_out = 0;
                bool changed = false;

                n = unit_file_values(&c->service, "Service", unit_exec_keys[k], UNIT_VALUES_RESET_ON_EMPTY, &v);
                if (n < 0) {
                        r = n;
                        break;
                }
                for (int i = 0; i < n && r >= 0; i++) {
                        char *s = NULL;

                        r = rewrite(p, v[i]->value, &s);
                        if (r > 0)
                                changed = true;
                        if (r >= 0)
                                r = strv_push(&out, &n_out, s);
                }
                if (r >= 0 && changed) {
                        /* A list: the reset drops the unit's lines, all of them come again. */
                        fprintf(f, "%s=\n", unit_exec_keys[k]);
                        for (size_t i = 0; i < n_out; i++)
                                fprintf(f, "%s=%s\n", unit_exec_keys[k], out[i]);
                }
                strv_free_n(out, n_out);
        }
        if (r >= 0) {
                _cleanup_free_ const unit_setting **v = NULL;

                n = unit_file_values(&c->service, "Service", "Environment", UNIT_VALUES_RESET_ON_EMPTY, &v);
                for (int i = 0; i < n && r >= 0; i++) {
                        char **w = NULL;
                        size_t nw = 0;

                        r = unit_value_words(v[i]->value, &w, &nw);
                        /* Later assignments win: only the changed variables come again. */
                        for (size_t j = 0; j < nw && r >= 0; j++) {
                                _cleanup_free_ char *s = NULL;

                                r = rewrite(p, w[j], &s);
                                if (r > 0)
                                        fprintf(f, "Environment=%s\n", s);
                        }
                        strv_free_n(w, nw);
                }
        }
        n = unit_file_values(&c->service, "X-SockKeeper", "Socket", UNIT_VALUES_RESET_ON_EMPTY, &ann);
        if (r >= 0 && n > 0) {
                /* The old paths become compatibility symlinks: nothing for the
                 * generator or the guard to keep any more. */
                fputs("\n[X-SockKeeper]\nSocket=\n", f);
                for (size_t i = 0; i < p->n_sockets; i++) {
                        bool annotated = false;

                        for (size_t j = 0; j < p->sockets[i].refs.n; j++)
                                annotated |= p->sockets[i].refs.refs[j].source == UNIT_SOCKET_ANNOTATION;
                        if (annotated && p->sockets[i].fate != MIGRATE_MOVE)
                                fprintf(f, "Socket=%s\n", p->sockets[i].old_path);
                }
        }
        if (fclose(f) != 0 || r < 0) {
                free(buf);
                return r < 0 ? r : -ENOMEM;
        }
        *ret = buf;
        return 0;
}

/* The socket unit's drop-in; sets *RET_SYMLINK when Symlinks= keeps the
 * old path (systemd allows it only for a unit with one socket file). */
static int socket_dropin(migrate_plan *p, const unit_file *s, char **ret, bool *ret_symlink) {
        _cleanup_(unit_socket_refs_done) unit_socket_refs files = {};
        const unit_setting **kept = NULL;
        size_t n_kept = 0;
        char *buf = NULL;
        size_t size = 0;
        bool moved = false;
        FILE *f;
        int r;

        r = unit_sockets_listening(s, &files);
        if (r < 0)
                return r;
        /* The ports after the last reset, in order: fds keep their numbers. */
        for (size_t i = 0; i < s->n_settings; i++) {
                const unit_setting *x = &s->settings[i];
                const unit_setting **m;

                if (!streq(x->section, "Socket") || !unit_key_is_listen(x->key))
                        continue;
                if (!x->value[0]) {
                        n_kept = 0;
                        continue;
                }
                m = reallocarray(kept, n_kept + 1, sizeof(*m));
                if (!m) {
                        free(kept);
                        return -ENOMEM;
                }
                kept = m;
                kept[n_kept++] = x;
        }
        f = open_memstream(&buf, &size);
        if (!f) {
                free(kept);
                return -ENOMEM;
        }
        header(f, p, "It moves the socket unit's socket files; Symlinks= keeps the old path for old clients.");
        fputs("[Socket]\n# One list for every Listen*= kind: the reset drops all, all come again.\nListenStream=\n", f);
        for (size_t i = 0; i < n_kept && r >= 0; i++) {
                const migrate_socket *m = migrate_socket_of(p, kept[i]->value);

                if (m && m->fate == MIGRATE_MOVE) {
                        fprintf(f, "%s=%s\n", kept[i]->key, m->new_path);
                        moved = true;
                } else
                        fprintf(f, "%s=%s\n", kept[i]->key, kept[i]->value);
        }
        *ret_symlink = false;
        if (files.n == 1 && moved) {
                fprintf(f, "Symlinks=%s\n", files.refs[0].path);
                *ret_symlink = true;
        }
        free(kept);
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        if (!moved) {
                free(buf);
                buf = NULL;
        }
        *ret = buf;
        return 0;
}

static char *dropin_path(const migrate_plan *p, const char *unit) {
        char *s;
        return asprintf(&s, "/etc/systemd/%s/%s.d/" MIGRATE_DROPIN, p->user ? "user" : "system", unit) < 0 ? NULL
                                                                                                            : s;
}

static int tmpfiles_lines(migrate_plan *p, const bool *symlinked, FILE *f, bool *ret_any) {
        _cleanup_free_ char *instance = NULL;
        bool any = false;
        int r = 0;

        if (unit_name_to_instance(p->unit, &instance) < 0)
                return -ENOMEM;

        for (size_t i = 0; i < p->n_sockets && r >= 0; i++) {
                migrate_socket *s = &p->sockets[i];
                _cleanup_free_ char *old = NULL, *new = NULL;

                if (s->fate != MIGRATE_MOVE)
                        continue;
                if (migrate_has_instance_specifier(s->old_path) && !instance) {
                        /* tmpfiles knows no %i: a glob spares every instance's
                         * symlink, but each symlink needs a line of its own. */
                        old = strdup(s->old_path);
                        if (!old)
                                return -ENOMEM;
                        for (char *q = old; (q = strchr(q, '%'));)
                                if (q[1] == 'i' || q[1] == 'I') {
                                        q[0] = '*';
                                        memmove(q + 1, q + 2, strlen(q + 2) + 1);
                                } else
                                        q += q[1] ? 2 : 1;
                        if (!symlinked[i])
                                r = add_note(p, "%s: a compatibility symlink is per instance; run sockkeeper "
                                                "migrate on each instance (NAME@INSTANCE.service) for its L line",
                                             s->old_path);
                        fprintf(f, "x %s\n", old);
                        any = true;
                        continue;
                }
                r = migrate_expand_instance(s->old_path, strempty(instance), &old);
                if (r >= 0)
                        r = migrate_expand_instance(s->new_path, strempty(instance), &new);
                if (r == -EINVAL) {
                        r = add_note(p, "%s: tmpfiles.d cannot expand its specifiers; make the compatibility "
                                        "symlink by hand",
                                     s->old_path);
                        continue;
                }
                if (r < 0)
                        return r;
                if (!symlinked[i])
                        fprintf(f, "L %s - - - - %s\n", old, new);
                fprintf(f, "x %s\n", old);
                any = true;
        }
        *ret_any = any;
        return r;
}

int migrate_make_files(migrate_context *c, migrate_plan *p) {
        _cleanup_free_ bool *symlinked = calloc(p->n_sockets + 1, sizeof(bool));
        char *text = NULL, *buf = NULL, *name;
        size_t size = 0;
        bool any;
        FILE *f;
        int r;

        if (!symlinked)
                return -ENOMEM;
        r = service_dropin(c, p, &text);
        if (r < 0)
                return r;
        r = add_file(p, dropin_path(p, p->unit), p->unit, text);
        if (r < 0)
                return r;

        for (size_t i = 0; i < c->n_sockets; i++) {
                bool sym = false;

                text = NULL;
                r = socket_dropin(p, &c->sockets[i], &text, &sym);
                if (r < 0)
                        return r;
                if (!text)
                        continue;
                for (size_t j = 0; j < p->n_sockets; j++)
                        if (p->sockets[j].socket_unit && streq(p->sockets[j].socket_unit, c->sockets[i].name))
                                symlinked[j] = sym;
                r = add_file(p, dropin_path(p, c->sockets[i].name), c->sockets[i].name, text);
                if (r < 0)
                        return r;
        }

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        header(f, p, "Compatibility symlinks at the old socket paths, kept away from cleaners.");
        r = tmpfiles_lines(p, symlinked, f, &any);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0 || !any) {
                free(buf);
                return r;
        }
        name = strdup(p->unit);
        if (!name) {
                free(buf);
                return -ENOMEM;
        }
        for (char *q = name; *q; q++)
                if (*q == '\\')
                        *q = '_';
        text = NULL;
        r = asprintf(&text, "/etc/%s/sockkeeper-migrate-%s.conf", p->user ? "xdg/user-tmpfiles.d" : "tmpfiles.d",
                     name) < 0
                    ? -ENOMEM
                    : 0;
        free(name);
        if (r < 0) {
                free(buf);
                return r;
        }
        return add_file(p, text, NULL, buf);
}

int migrate_make_notes(migrate_context *c, migrate_plan *p) {
        bool sockets = false, plain = false;
        int r = 0;

        for (size_t i = 0; i < p->n_sockets; i++)
                if (p->sockets[i].fate == MIGRATE_MOVE) {
                        if (p->sockets[i].socket_unit)
                                sockets = true;
                        else
                                plain = true;
                }
        if (!sockets && !plain)
                return 0;
        r = add_note(p, "after installing the files: systemctl%s daemon-reload", p->user ? " --user" : "");
        if (r >= 0 && plain)
                r = add_note(p, "restart the service (systemctl%s restart %s); then remove the old socket file "
                                "and create the compatibility symlinks: systemd-tmpfiles%s --create",
                             p->user ? " --user" : "", p->unit, p->user ? " --user" : "");
        for (size_t i = 0; i < c->n_sockets && r >= 0; i++)
                r = add_note(p, "restart the socket unit and the service together: systemctl%s stop %s %s, "
                                "remove the old socket file, then systemctl%s start %s",
                             p->user ? " --user" : "", c->sockets[i].name, p->unit, p->user ? " --user" : "",
                             c->sockets[i].name);
        if (r >= 0)
                r = add_note(p, "tell the clients the new path when you can; the old one keeps working through "
                                "the symlink");
        return r;
}
