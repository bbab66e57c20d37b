/* SPDX-License-Identifier: MIT */
/* sockkeeper migrate, the output: the plan in words with its files, as
 * JSON (schema in sockkeeper(1)), or as a unified diff against the files
 * under the root, which `patch -p1 -d ROOT` applies. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "json.h"
#include "macro.h"
#include "migrate.h"
#include "path-util.h"
#include "strv.h"

static const char *fate_to_string(migrate_fate f) {
        static const char *const names[] = {
                [MIGRATE_MOVE] = "move",
                [MIGRATE_KEEP] = "keep",
                [MIGRATE_UNMAPPED] = "unmapped",
        };
        return names[f];
}

static void print_refs(const migrate_socket *s, FILE *f) {
        for (size_t j = 0; j < s->refs.n; j++) {
                const unit_socket_ref *x = &s->refs.refs[j];

                fprintf(f, "#       named by %s %s= (%s:%u)\n", x->unit, x->key, x->file, x->line);
        }
}

void migrate_print_human(const migrate_plan *p, FILE *f) {
        size_t moved = migrate_plan_count(p, MIGRATE_MOVE), unmapped = migrate_plan_count(p, MIGRATE_UNMAPPED);

        fprintf(f, "# %s%s%s\n", p->unit, p->fragment ? ": " : "", strempty(p->fragment));
        if (moved == 0 && unmapped == 0) {
                fprintf(f, "# nothing to migrate: no socket path of %s lies where a cleaner can delete it\n", p->unit);
                for (size_t i = 0; i < p->n_sockets; i++) {
                        _cleanup_free_ char *old = cescape(p->sockets[i].old_path);

                        fprintf(f, "#   %s: %s\n", old ?: "?", p->sockets[i].why);
                }
                return;
        }
        fprintf(f, "#\n# Socket paths:\n");
        for (size_t i = 0; i < p->n_sockets; i++) {
                const migrate_socket *s = &p->sockets[i];
                /* In comment lines: a newline in a path would end one. */
                _cleanup_free_ char *old = cescape(s->old_path), *shown = s->shown_path ? cescape(s->shown_path) : NULL;

                if (s->fate == MIGRATE_MOVE)
                        fprintf(f, "#   %s -> %s (RuntimeDirectory=%s)\n", old ?: "?", shown ?: "?", p->runtime_name);
                else
                        fprintf(f, "#   %s: %s, %s\n", old ?: "?", fate_to_string(s->fate), s->why);
                print_refs(s, f);
        }
        if (p->n_problems > 0) {
                fprintf(f, "#\n# Problems:\n");
                for (size_t i = 0; i < p->n_problems; i++)
                        fprintf(f, "#   %s: %s%s%s%s\n", p->problems[i].kind, p->problems[i].text,
                                p->problems[i].source ? " (" : "", strempty(p->problems[i].source),
                                p->problems[i].source ? ")" : "");
        }
        if (p->n_notes > 0) {
                fprintf(f, "#\n# Then:\n");
                for (size_t i = 0; i < p->n_notes; i++)
                        fprintf(f, "#   %zu. %s\n", i + 1, p->notes[i]);
        }
        for (size_t i = 0; i < p->n_files; i++)
                fprintf(f, "\n### %s\n%s", p->files[i].path, p->files[i].content);
}

void migrate_print_json(const migrate_plan *p, bool written, bool pretty, FILE *f) {
        size_t moved = migrate_plan_count(p, MIGRATE_MOVE), unmapped = migrate_plan_count(p, MIGRATE_UNMAPPED);
        json_writer w;

        json_init(&w, f, pretty);
        json_begin_object(&w);
        json_pair_string(&w, "unit", p->unit);
        json_pair_string(&w, "scope", p->user ? "user" : "system");
        json_pair_string(&w, "fragment", p->fragment);
        json_pair_string(&w, "status", unmapped > 0 ? "partial" : moved > 0 ? "migrate" : "nothing");
        json_pair_string(&w, "runtime_directory", moved > 0 ? p->runtime_name : NULL);
        json_key(&w, "sockets");
        json_begin_array(&w);
        for (size_t i = 0; i < p->n_sockets; i++) {
                const migrate_socket *s = &p->sockets[i];

                json_begin_object(&w);
                json_pair_path(&w, "path", s->old_path);
                json_pair_string(&w, "fate", fate_to_string(s->fate));
                json_pair_path(&w, "new_path", s->new_path);
                json_pair_path(&w, "new_path_shown", s->shown_path);
                json_pair_string(&w, "socket_unit", s->socket_unit);
                json_pair_string(&w, "why", s->why);
                json_key(&w, "sources");
                json_begin_array(&w);
                for (size_t j = 0; j < s->refs.n; j++) {
                        const unit_socket_ref *x = &s->refs.refs[j];

                        json_begin_object(&w);
                        json_pair_string(&w, "kind", unit_socket_source_to_string(x->source));
                        json_pair_string(&w, "unit", x->unit);
                        json_pair_string(&w, "key", x->key);
                        json_pair_string(&w, "file", x->file);
                        json_pair_uint(&w, "line", x->line);
                        json_end_object(&w);
                }
                json_end_array(&w);
                json_end_object(&w);
        }
        json_end_array(&w);
        json_key(&w, "problems");
        json_begin_array(&w);
        for (size_t i = 0; i < p->n_problems; i++) {
                json_begin_object(&w);
                json_pair_string(&w, "kind", p->problems[i].kind);
                json_pair_string(&w, "text", p->problems[i].text);
                json_pair_string(&w, "source", p->problems[i].source);
                json_end_object(&w);
        }
        json_end_array(&w);
        json_key(&w, "files");
        json_begin_array(&w);
        for (size_t i = 0; i < p->n_files; i++) {
                json_begin_object(&w);
                json_pair_string(&w, "path", p->files[i].path);
                json_pair_string(&w, "unit", p->files[i].unit);
                json_pair_string(&w, "content", p->files[i].content);
                json_end_object(&w);
        }
        json_end_array(&w);
        json_key(&w, "next");
        json_begin_array(&w);
        for (size_t i = 0; i < p->n_notes; i++)
                json_string(&w, p->notes[i]);
        json_end_array(&w);
        json_pair_bool(&w, "written", written);
        json_end_object(&w);
        json_finish(&w);
}

/* ---- diff ---- */

static int split_lines(const char *text, char ***ret, size_t *ret_n) {
        char **l = NULL;
        size_t n = 0;

        for (const char *p = text; p && *p;) {
                const char *eol = strchr(p, '\n');
                size_t len = eol ? (size_t) (eol - p) : strlen(p);

                if (strv_push(&l, &n, strndup(p, len)) < 0)
                        return -ENOMEM;
                p = eol ? eol + 1 : NULL;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

/* One hunk over both whole files, lines matched by their longest common
 * subsequence: valid for patch(1), and these files are a few dozen lines. */
static int print_file_diff(const char *path, const char *old, const char *new, FILE *f) {
        char **a = NULL, **b = NULL;
        size_t na = 0, nb = 0;
        unsigned *lcs = NULL;
        int r;

        r = split_lines(old, &a, &na);
        if (r >= 0)
                r = split_lines(new, &b, &nb);
        if (r >= 0 && !(lcs = calloc((na + 1) * (nb + 1), sizeof(*lcs))))
                r = -ENOMEM;
        if (r < 0)
                goto out;
        if (old && streq(old, new))
                goto out;
#define L(i, j) lcs[(i) * (nb + 1) + (j)]
        for (size_t i = na; i-- > 0;)
                for (size_t j = nb; j-- > 0;)
                        L(i, j) = streq(a[i], b[j]) ? L(i + 1, j + 1) + 1
                                                    : (L(i + 1, j) > L(i, j + 1) ? L(i + 1, j) : L(i, j + 1));
        fprintf(f, "--- %s%s\n+++ b%s\n@@ -%zu,%zu +%zu,%zu @@\n", old ? "a" : "/dev/null", old ? path : "", path,
                na ? (size_t) 1 : 0, na, nb ? (size_t) 1 : 0, nb);
        for (size_t i = 0, j = 0; i < na || j < nb;) {
                if (i < na && j < nb && streq(a[i], b[j])) {
                        fprintf(f, " %s\n", a[i]);
                        i++, j++;
                } else if (j < nb && (i == na || L(i, j + 1) >= L(i + 1, j))) {
                        fprintf(f, "+%s\n", b[j]);
                        j++;
                } else {
                        fprintf(f, "-%s\n", a[i]);
                        i++;
                }
        }
#undef L
out:
        free(lcs);
        strv_free_n(a, na);
        strv_free_n(b, nb);
        return r;
}

int migrate_print_diff(const migrate_plan *p, const char *root, FILE *f) {
        int r = 0;

        for (size_t i = 0; i < p->n_files && r >= 0; i++) {
                _cleanup_free_ char *old = NULL;
                int k = root_read_file(root, p->files[i].path, &old, NULL);

                if (k == -ENOMEM)
                        return k;
                if (k < 0)
                        old = NULL;
                r = print_file_diff(p->files[i].path, old, p->files[i].content, f);
        }
        return r;
}
