/* SPDX-License-Identifier: MIT */
/* Whether a unit is enabled, and which units a search path holds: the
 * .wants/ and .requires/ links that pull a unit (or a template's
 * instance) in, as systemctl is-enabled and list-unit-files see them. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "path-util.h"
#include "strv.h"
#include "unit-lookup.h"
#include "unit-name.h"

/* A directory of links that pull units in: NAME.wants/ or NAME.requires/. */
static bool is_dependency_dir(const char *name) {
        size_t l = strlen(name);

        return (l > 6 && streq(name + l - 6, ".wants")) || (l > 9 && streq(name + l - 9, ".requires"));
}

/* A NAME symlink in some *.wants/ or *.requires/ directory of the search
 * path, PREFERRED's first: 1 and *RET_PATH, 0 when there is none. */
static int find_wanted(const unit_lookup *lp, const char *name, const char *preferred, char **ret_path) {
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < lp->n_dirs; i++) {
                        DIR *d;
                        struct dirent *de;
                        int r = 0;

                        if (pass == 0) {
                                _cleanup_free_ char *p = NULL;
                                struct stat st;

                                if (asprintf(&p, "%s/%s.wants/%s", lp->dirs[i], preferred, name) < 0)
                                        return -ENOMEM;
                                if (root_lstat(lp->root, p, &st) >= 0) {
                                        *ret_path = TAKE_PTR(p);
                                        return 1;
                                }
                                continue;
                        }

                        if (root_opendir(lp->root, lp->dirs[i], &d) < 0)
                                continue;
                        while (r == 0 && (de = readdir(d))) {
                                _cleanup_free_ char *p = NULL;
                                struct stat st;

                                if (!is_dependency_dir(de->d_name))
                                        continue;
                                if (asprintf(&p, "%s/%s/%s", lp->dirs[i], de->d_name, name) < 0)
                                        r = -ENOMEM;
                                else if (root_lstat(lp->root, p, &st) >= 0) {
                                        *ret_path = TAKE_PTR(p);
                                        r = 1;
                                }
                        }
                        closedir(d);
                        if (r != 0)
                                return r;
                }
        return 0;
}

int unit_lookup_enablement(const unit_lookup *lp, const char *name, const char *preferred, unit_enablement *ret,
                           char **ret_source) {
        _cleanup_free_ char *text = NULL, *wants = NULL;
        const unit_map_entry *e;
        size_t size;
        int r;

        r = unit_lookup_find(lp, name, NULL, NULL, &e);
        if (r < 0)
                return r;
        if (!e) {
                *ret = UNIT_ENABLEMENT_ABSENT;
                *ret_source = NULL;
                return 0;
        }
        r = unit_lookup_read_entry(lp, e, &text, &size);
        if (r < 0)
                return r;
        if (r == UNIT_MASKED)
                *ret = UNIT_ENABLEMENT_MASKED;
        else {
                r = find_wanted(lp, name, preferred, &wants);
                if (r < 0)
                        return r;
                *ret = r > 0 ? UNIT_ENABLEMENT_ENABLED : UNIT_ENABLEMENT_DISABLED;
        }
        *ret_source = wants ? TAKE_PTR(wants) : strdup(e->path);
        return *ret_source ? 0 : -ENOMEM;
}

static int add_wants_instances(const unit_lookup *lp, const char *dir, char ***l, size_t *n) {
        struct dirent *de;
        DIR *d;
        int r = root_opendir(lp->root, dir, &d);

        if (r < 0)
                return r == -ENOMEM ? r : 0;
        while ((de = readdir(d)) && r >= 0) {
                _cleanup_free_ char *sub = NULL;
                struct dirent *e;
                DIR *s;

                if (!is_dependency_dir(de->d_name))
                        continue;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (root_opendir(lp->root, sub, &s) < 0)
                        continue;
                while ((e = readdir(s)) && r >= 0)
                        if (unit_name_is_valid(e->d_name) && unit_name_is_instance(e->d_name))
                                r = strv_extend(l, n, e->d_name);
                closedir(s);
        }
        closedir(d);
        return r;
}

int unit_enumerate(const unit_lookup *lp, char ***ret, size_t *ret_n) {
        char **l = NULL;
        size_t n = 0, w = 0;
        int r = 0;

        if (!lp->listed)
                return -EINVAL;

        for (size_t i = 0; i < lp->n_map && r >= 0; i++)
                r = strv_extend(&l, &n, lp->map[i].name);
        for (size_t i = 0; i < lp->n_dirs && r >= 0; i++)
                r = add_wants_instances(lp, lp->dirs[i], &l, &n);
        if (r < 0) {
                strv_free_n(l, n);
                return r;
        }
        if (n > 0)
                qsort(l, n, sizeof(char *), strv_cmp);
        for (size_t i = 0; i < n; i++) {
                if (w > 0 && streq(l[w - 1], l[i])) {
                        free(l[i]);
                        continue;
                }
                l[w++] = l[i];
        }
        *ret = l;
        *ret_n = w;
        return (int) w;
}
