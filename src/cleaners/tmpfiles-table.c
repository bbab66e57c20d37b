/* SPDX-License-Identifier: MIT */
/* What systemd-tmpfiles 252 does with the lines it has read, before it
 * acts: a later line for a path that an earlier one owns is ignored as a
 * duplicate, and after each file every X line takes the age of a
 * directory line, found in the order of tmpfiles' own item table. */

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "path-util.h"
#include "tmpfiles-table.h"

/* ---- duplicates ---- */

/* Whether a line of TYPE claims its path: all but the types that only
 * adjust what is there (m, z, Z, t, T, a, A, h, H). Two lines for one
 * path conflict only when both claim it. */
static bool claims_path(char type) {
        return !tmpfiles_type_is(type, "mzZtTaAhH");
}

static bool same_argument(const tmpfiles_item_settings *x, const tmpfiles_item_settings *y) {
        return x->argument_size == y->argument_size &&
               (x->argument_size == 0 || memcmp(x->argument, y->argument, x->argument_size) == 0);
}

static bool same_owner_and_mode(const tmpfiles_item_settings *x, const tmpfiles_item_settings *y) {
        bool same_uid = x->uid_set == y->uid_set && x->uid == y->uid && x->uid_on_create == y->uid_on_create;
        bool same_gid = x->gid_set == y->gid_set && x->gid == y->gid && x->gid_on_create == y->gid_on_create;
        bool same_mode = x->mode_set == y->mode_set && x->mode == y->mode && x->mode_on_create == y->mode_on_create &&
                         x->mode_masked == y->mode_masked;

        return same_uid && same_gid && same_mode;
}

static bool same_age(const tmpfiles_item *a, const tmpfiles_item *b) {
        return a->has_age == b->has_age && a->age_usec == b->age_usec && a->age_by == b->age_by &&
               a->age_spares_first_level == b->age_spares_first_level;
}

/* Whether two lines would do the same to their path: the type and the
 * '+' aside, every field tmpfiles reads from the line. */
static bool same_settings(const tmpfiles_item *a, const tmpfiles_item *b) {
        return a->settings.devnum == b->settings.devnum && same_owner_and_mode(&a->settings, &b->settings) &&
               same_age(a, b) && same_argument(&a->settings, &b->settings);
}

/* A later line for a path that an earlier line claims, with other
 * settings, is ignored; only "w+" lines may pile up, each appending. Glob
 * lines and plain lines are kept apart, as tmpfiles keeps two tables. */
bool tmpfiles_item_is_duplicate(const tmpfiles_config *c, const tmpfiles_item *i) {
        if (!claims_path(i->type))
                return false;
        for (size_t n = 0; n < c->n_items; n++) {
                const tmpfiles_item *e = c->items + n;
                bool both_append = e->type == 'w' && i->type == 'w' && e->settings.plus && i->settings.plus;

                if (e->boot_only || !claims_path(e->type) || !streq(e->path, i->path) ||
                    tmpfiles_type_is_glob(e->type) != tmpfiles_type_is_glob(i->type))
                        continue;
                if (!both_append && !same_settings(e, i))
                        return true;
        }
        return false;
}

/* ---- the age of X lines ---- */

static bool is_directory_line(const tmpfiles_item *i) {
        return !i->boot_only && tmpfiles_type_is(i->type, "dDvqQ");
}

/* The order of tmpfiles' plain-item table: by the first line for each path,
 * and the lines for one path together. */
static size_t *plain_table_order(const tmpfiles_config *c, size_t *ret_n) {
        size_t *order = calloc(c->n_items + 1, sizeof(size_t)), n = 0;

        if (!order)
                return NULL;
        for (size_t a = 0; a < c->n_items; a++) {
                const tmpfiles_item *x = c->items + a;
                bool seen = false;

                if (!is_directory_line(x))
                        continue;
                for (size_t b = 0; b < a && !seen; b++)
                        seen = !c->items[b].boot_only && !tmpfiles_type_is_glob(c->items[b].type) &&
                               streq(c->items[b].path, x->path);
                if (seen)
                        continue;
                for (size_t b = a; b < c->n_items; b++)
                        if (is_directory_line(c->items + b) && streq(c->items[b].path, x->path))
                                order[n++] = b;
        }
        *ret_n = n;
        return order;
}

/* read_config_file() ends by giving every X line the age of a directory
 * line: the one for its own path, else the first in table order that is a
 * parent of it, replaced by a later one below that only when the X pattern
 * matches it. The X line's own age is overwritten, its age-by is not. This
 * runs after every file, over all the lines read so far. */
int tmpfiles_inherit_x_ages(tmpfiles_config *c) {
        _cleanup_free_ size_t *order = NULL;
        bool any = false;
        size_t n = 0;

        for (size_t a = 0; a < c->n_items && !any; a++)
                any = !c->items[a].boot_only && c->items[a].type == 'X';
        if (!any)
                return 0;
        order = plain_table_order(c, &n);
        if (!order)
                return -ENOMEM;
        for (size_t a = 0; a < c->n_items; a++) {
                tmpfiles_item *x = c->items + a;
                const tmpfiles_item *cand = NULL;

                if (x->boot_only || x->type != 'X')
                        continue;
                for (size_t k = 0; k < n; k++) {
                        const tmpfiles_item *j = c->items + order[k];

                        if (streq(j->path, x->path))
                                cand = j;
                        else if (cand ? path_is_under(cand->path, j->path) &&
                                                fnmatch(x->path, j->path, FNM_PATHNAME | FNM_PERIOD) == 0
                                      : path_is_under(j->path, x->path))
                                cand = j;
                }
                if (cand && cand->has_age) {
                        x->age_usec = cand->age_usec;
                        x->has_age = true;
                }
        }
        return 0;
}
