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

/* Line types that own their path; only between two of these does a second
 * line for the same path count as a conflicting duplicate. */
static bool takes_ownership(char type) {
        return tmpfiles_type_is(type, "fFdeDvqQpLcbCwxXrR");
}

static bool settings_equal(const tmpfiles_item *a, const tmpfiles_item *b) {
        const tmpfiles_item_settings *x = &a->settings, *y = &b->settings;

        return x->argument_size == y->argument_size &&
               (x->argument_size == 0 || memcmp(x->argument, y->argument, x->argument_size) == 0) &&
               x->uid_set == y->uid_set && x->uid == y->uid && x->uid_on_create == y->uid_on_create &&
               x->gid_set == y->gid_set && x->gid == y->gid && x->gid_on_create == y->gid_on_create &&
               x->mode_set == y->mode_set && x->mode == y->mode && x->mode_on_create == y->mode_on_create &&
               a->has_age == b->has_age && a->age_usec == b->age_usec && a->age_by == b->age_by &&
               x->mode_masked == y->mode_masked && a->age_spares_first_level == b->age_spares_first_level &&
               x->devnum == y->devnum;
}

/* is_duplicated_item(): a later line for a path that an earlier one already
 * owns, with other settings, is ignored; only w+ lines may pile up. Glob
 * lines and plain lines are kept apart, as tmpfiles keeps two tables. */
bool tmpfiles_item_is_duplicate(const tmpfiles_config *c, const tmpfiles_item *i) {
        for (size_t n = 0; n < c->n_items; n++) {
                const tmpfiles_item *e = c->items + n;

                if (e->boot_only || tmpfiles_type_is_glob(e->type) != tmpfiles_type_is_glob(i->type) || !streq(e->path, i->path))
                        continue;
                if (!takes_ownership(e->type) || !takes_ownership(i->type) || settings_equal(e, i))
                        continue;
                if (!(e->type == 'w' && e->settings.plus && i->type == 'w' &&
                      i->settings.plus))
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
