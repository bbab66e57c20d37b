/* SPDX-License-Identifier: MIT */
/* Finds units the way the systemd 252 managers do, so that the generator,
 * migrate and check's timer verdict see the units PID 1 will: in the
 * search path (unit-search-path.c), the name map of
 * unit_file_build_name_map() and unit_ids_map_get() in unit-file.c of
 * 252, and masks as null_or_empty() tells them; what pulls a unit in is
 * unit-enablement.c. The results were compared with systemctl cat and
 * systemd-analyze (tests/integration/test_unit_reader.py). */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "path-util.h"
#include "strv.h"
#include "unit-lookup.h"
#include "unit-name.h"

#define FOLLOW_MAX 64                    /* alias hops, as unit_ids_map_get() allows */

void unit_warnf(unit_warn_fn warn, void *userdata, const char *file, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        if (!warn)
                return;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        warn(file, line, msg ?: "unusable line", userdata);
}

/* unit_validate_alias_symlink_or_warn(): same type; a template only to a
 * template; an instance to the same instance or a template. */
static bool alias_is_valid(const char *src, const char *dst) {
        const char *a = unit_name_suffix(src), *b = unit_name_suffix(dst);

        if (!a || !b || !streq(a, b))
                return false;
        if (unit_name_is_template(src))
                return unit_name_is_template(dst);
        if (unit_name_is_instance(src)) {
                _cleanup_free_ char *i = NULL, *j = NULL;

                if (unit_name_is_template(dst))
                        return true;
                if (!unit_name_is_instance(dst))
                        return false;
                if (unit_name_to_instance(src, &i) <= 0 || unit_name_to_instance(dst, &j) <= 0)
                        return false;
                return streq(i, j);
        }
        return !strchr(dst, '@');
}

/* ---- the name map ---- */

static void entry_done(unit_map_entry *e) {
        free(e->name);
        free(e->path);
        free(e->target);
}

static void map_free(unit_map_entry *m, size_t n) {
        for (size_t i = 0; i < n; i++)
                entry_done(&m[i]);
        free(m);
}

static int entry_cmp(const void *a, const void *b) {
        const unit_map_entry *x = a, *y = b;
        int c = strcmp(x->name, y->name);

        if (c != 0)
                return c;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const unit_map_entry *map_get(const unit_lookup *lp, const char *name) {
        size_t lo = 0, hi = lp->n_map;

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = strcmp(name, lp->map[mid].name);

                if (c == 0)
                        return &lp->map[mid];
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

/* Sorts out one symlink of a search directory, as unit_file_resolve_symlink() does. */
static int classify_link(unit_lookup *lp, const char *dir, const char *name, const char *target,
                         unit_map_entry *e) {
        _cleanup_free_ char *abs = NULL, *norm = NULL;
        const char *base;

        if (target[0] == '/')
                abs = strdup(target);
        else if (asprintf(&abs, "%s/%s", dir, target) < 0)
                abs = NULL;
        if (!abs)
                return -ENOMEM;
        norm = path_resolve_dots(abs);
        if (!norm)
                return -ENOMEM;
        if (streq(norm, "/dev/null")) {
                e->kind = UNIT_ENTRY_MASKED;
                return 0;
        }
        base = strrchr(norm, '/') + 1;
        for (size_t i = 0; i < lp->n_dirs; i++) {
                size_t len = strlen(lp->dirs[i]);

                if (strncmp(norm, lp->dirs[i], len) != 0 || norm[len] != '/' || streq(base, name))
                        continue;
                if (!unit_name_is_valid(base) || !alias_is_valid(name, base)) {
                        unit_warnf(lp->warn, lp->userdata, e->path, 0,
                              "invalid alias symlink to \"%s\", ignoring", target);
                        return -EINVAL;
                }
                e->kind = UNIT_ENTRY_ALIAS;
                e->target = strdup(base);
                return e->target ? 0 : -ENOMEM;
        }
        /* Out of the search path, or to the same name elsewhere: a linked unit file. */
        e->kind = UNIT_ENTRY_LINKED;
        e->target = TAKE_PTR(norm);
        return 0;
}

/* NAME in the search directory DIR (open as DFD) as the name map takes
 * it: a regular file, or a symlink sorted out by classify_link(). 1 and
 * *RET; 0 when it does not count (missing, neither file nor symlink, an
 * unreadable symlink or an invalid alias, warned about), so that the
 * next directory's NAME is the one; -ENOMEM. */
static int entry_classify(unit_lookup *lp, int dfd, const char *dir, const char *name, unit_map_entry *ret) {
        unit_map_entry e = { .seq = lp->n_map };
        struct stat st;
        int r;

        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return 0;
        if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
                return 0;
        e.name = strdup(name);
        if (asprintf(&e.path, "%s/%s", streq(dir, "/") ? "" : dir, name) < 0)
                e.path = NULL;
        if (!e.name || !e.path) {
                r = -ENOMEM;
                goto fail;
        }
        if (S_ISREG(st.st_mode))
                e.kind = UNIT_ENTRY_FILE;
        else {
                char buf[PATH_MAX];
                ssize_t len = readlinkat(dfd, name, buf, sizeof(buf) - 1);

                if (len < 0) {
                        unit_warnf(lp->warn, lp->userdata, e.path, 0, "cannot read symlink: %s, ignoring",
                                   strerror(errno));
                        r = 0;
                        goto fail;
                }
                buf[len] = 0;
                r = classify_link(lp, dir, name, buf, &e);
                if (r < 0) {
                        if (r != -ENOMEM)
                                r = 0;
                        goto fail;
                }
        }
        *ret = e;
        return 1;
fail:
        entry_done(&e);
        return r;
}

static int map_append(unit_lookup *lp, const unit_map_entry *e, size_t *cap) {
        if (lp->n_map == *cap) {
                size_t ncap = *cap ? *cap * 2 : 256;
                unit_map_entry *m = reallocarray(lp->map, ncap, sizeof(*m));

                if (!m)
                        return -ENOMEM;
                lp->map = m;
                *cap = ncap;
        }
        lp->map[lp->n_map++] = *e;
        return 0;
}

static int map_add_dir(unit_lookup *lp, const char *dir, size_t *cap) {
        DIR *d;
        struct dirent *de;
        int r = root_opendir(lp->root, dir, &d);

        if (r < 0) {
                if (r != -ENOENT && r != -ENOTDIR)
                        unit_warnf(lp->warn, lp->userdata, dir, 0, "cannot read directory: %s, ignoring", strerror(-r));
                return r == -ENOMEM ? r : 0;
        }
        while ((de = readdir(d))) {
                unit_map_entry e;
                struct stat st;

                if (de->d_name[0] == '.')
                        continue;
                if (!unit_name_is_valid(de->d_name)) {
                        size_t len = strlen(de->d_name);
                        char *p;

                        /* A drop-in directory: remembered, so that units
                         * without one cost no lookup (stat() follows a
                         * symlinked directory, as opendir() would). */
                        if (len > 2 && streq(de->d_name + len - 2, ".d") &&
                            fstatat(dirfd(d), de->d_name, &st, 0) >= 0 && S_ISDIR(st.st_mode)) {
                                if (asprintf(&p, "%s/%s", streq(dir, "/") ? "" : dir, de->d_name) < 0 ||
                                    strv_push(&lp->dropin_dirs, &lp->n_dropin_dirs, p) < 0) {
                                        r = -ENOMEM;
                                        break;
                                }
                        }
                        continue;
                }
                r = entry_classify(lp, dirfd(d), dir, de->d_name, &e);
                if (r > 0) {
                        r = map_append(lp, &e, cap);
                        if (r < 0)
                                entry_done(&e);
                }
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}

/* Indexes the aliases of the complete, sorted map of L. */
static int index_aliases(unit_lookup *l) {
        size_t n = 0;

        for (size_t i = 0; i < l->n_map; i++)
                n += l->map[i].kind == UNIT_ENTRY_ALIAS;
        l->aliases = n ? reallocarray(NULL, n, sizeof(*l->aliases)) : NULL;
        if (n && !l->aliases)
                return -ENOMEM;
        l->n_aliases = 0;
        for (size_t i = 0; i < l->n_map; i++)
                if (l->map[i].kind == UNIT_ENTRY_ALIAS)
                        l->aliases[l->n_aliases++] = i;
        return 0;
}

int unit_lookup_init_dirs(unit_lookup *lp, const char *root, char **dirs, size_t n_dirs, unit_warn_fn warn,
                          void *userdata) {
        unit_lookup l = { .warn = warn, .userdata = userdata, .dirs = dirs, .n_dirs = n_dirs, .listed = true };
        size_t cap = 0, w = 0;
        int r;

        if (!root_is_live(root)) {
                l.root = strdup(root);
                if (!l.root) {
                        unit_lookup_done(&l);
                        return -ENOMEM;
                }
        }
        for (size_t i = 0; i < l.n_dirs; i++) {
                r = map_add_dir(&l, l.dirs[i], &cap);
                if (r < 0) {
                        unit_lookup_done(&l);
                        return r;
                }
        }
        /* First occurrence in the search path wins. */
        if (l.n_map > 0)
                qsort(l.map, l.n_map, sizeof(*l.map), entry_cmp);
        for (size_t i = 0; i < l.n_map; i++) {
                if (w > 0 && streq(l.map[w - 1].name, l.map[i].name)) {
                        entry_done(&l.map[i]);
                        continue;
                }
                l.map[w++] = l.map[i];
        }
        l.n_map = w;
        if (l.n_dropin_dirs > 0)
                qsort(l.dropin_dirs, l.n_dropin_dirs, sizeof(char *), strv_cmp);
        r = index_aliases(&l);
        if (r < 0) {
                unit_lookup_done(&l);
                return r;
        }
        *lp = l;
        return 0;
}

int unit_lookup_init(unit_lookup *lp, const char *root, unit_warn_fn warn, void *userdata) {
        char **dirs = NULL;
        size_t n_dirs = 0;
        int r;

        r = unit_search_path(&dirs, &n_dirs);
        if (r < 0)
                return r;
        return unit_lookup_init_dirs(lp, root, dirs, n_dirs, warn, userdata);
}

void unit_lookup_done(unit_lookup *lp) {
        free(lp->root);
        strv_free_n(lp->dirs, lp->n_dirs);
        map_free(lp->map, lp->n_map);
        free(lp->aliases);
        strv_free_n(lp->dropin_dirs, lp->n_dropin_dirs);
        *lp = (unit_lookup) {};
}

/* Follows NAME's alias chain to a file or mask. INSTANCE, when set,
 * instantiates template names on the way for NAMES. */
static int resolve(const unit_lookup *lp, const char *name, const char *instance, char ***names, size_t *n_names,
                   const unit_map_entry **ret) {
        const unit_map_entry *e = map_get(lp, name);

        for (unsigned hops = 0; e; hops++) {
                if (hops > FOLLOW_MAX) {
                        unit_warnf(lp->warn, lp->userdata, e->path, 0, "too many levels of alias symlinks, ignoring");
                        return -ELOOP;
                }
                if (names) {
                        _cleanup_free_ char *inst = NULL;
                        int r;

                        if (instance && unit_name_is_template(e->name)) {
                                inst = unit_name_with_instance(e->name, instance);
                                if (!inst)
                                        return -ENOMEM;
                                r = strv_add_unique(names, n_names, inst);
                        } else
                                r = strv_add_unique(names, n_names, e->name);
                        if (r < 0)
                                return r;
                }
                if (e->kind != UNIT_ENTRY_ALIAS) {
                        *ret = e;
                        return 0;
                }
                e = map_get(lp, e->target);
        }
        return -ENOENT;
}

static int add_reverse_aliases(const unit_lookup *lp, const unit_map_entry *final, const char *instance,
                               char ***names, size_t *n_names) {
        for (size_t i = 0; i < lp->n_aliases; i++) {
                const unit_map_entry *e = &lp->map[lp->aliases[i]], *f = NULL;
                int r;

                if (strv_contains(*names, *n_names, e->name))
                        continue;
                if (resolve(lp, e->name, NULL, NULL, NULL, &f) < 0 || f != final)
                        continue;
                if (instance && unit_name_is_template(e->name)) {
                        _cleanup_free_ char *inst = unit_name_with_instance(e->name, instance);

                        if (!inst)
                                return -ENOMEM;
                        r = strv_add_unique(names, n_names, inst);
                } else if (!instance && unit_name_is_template(e->name) != unit_name_is_template((*names)[0]))
                        continue;
                else
                        r = strv_add_unique(names, n_names, e->name);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* NAME's entry, found by a linear search: a map made of a few names is
 * not sorted until it is complete. */
static bool map_has(const unit_lookup *lp, const char *name) {
        for (size_t i = 0; i < lp->n_map; i++)
                if (streq(lp->map[i].name, name))
                        return true;
        return false;
}

/* The entries of the names in TODO (which grows), each looked up in the
 * directories FDS (open, or a negative errno) in search path order: the
 * first entry that counts wins, as in map_add_dir(). */
static int map_add_names(unit_lookup *lp, const int *fds, char ***todo, size_t *n_todo) {
        size_t cap = 0;
        int r = 0;

        for (size_t i = 0; i < *n_todo && r >= 0; i++) {
                const char *name = (*todo)[i];
                unit_map_entry e;
                int found = 0;

                if (!unit_name_is_valid(name) || map_has(lp, name))
                        continue;
                for (size_t d = 0; d < lp->n_dirs && found == 0; d++)
                        if (fds[d] >= 0)
                                found = entry_classify(lp, fds[d], lp->dirs[d], name, &e);
                if (found < 0)
                        return found;
                if (found > 0) {
                        r = map_append(lp, &e, &cap);
                        if (r < 0) {
                                entry_done(&e);
                                return r;
                        }
                        /* Where it leads, and an instance's template, are
                         * what unit_lookup_find() asks for next. */
                        if (e.kind == UNIT_ENTRY_ALIAS)
                                r = strv_extend(todo, n_todo, e.target);
                }
                if (r >= 0 && unit_name_is_instance(name))
                        r = strv_push(todo, n_todo, unit_name_template(name));
        }
        return r;
}

int unit_lookup_init_names(unit_lookup *lp, const char *root, const char *const *names, size_t n_names,
                           unit_warn_fn warn, void *userdata) {
        unit_lookup l = { .warn = warn, .userdata = userdata };
        _cleanup_free_ int *fds = NULL;
        char **todo = NULL;
        size_t n_todo = 0;
        int r;

        r = unit_search_path_default(&l.dirs, &l.n_dirs);
        if (r < 0)
                return r;
        if (!root_is_live(root)) {
                l.root = strdup(root);
                if (!l.root) {
                        unit_lookup_done(&l);
                        return -ENOMEM;
                }
        }
        fds = calloc(l.n_dirs + 1, sizeof(int));
        if (!fds) {
                unit_lookup_done(&l);
                return -ENOMEM;
        }
        /* Each directory is opened once, and warned about as
         * map_add_dir() does. */
        for (size_t i = 0; i < l.n_dirs; i++) {
                fds[i] = root_open(l.root, l.dirs[i], O_RDONLY | O_DIRECTORY);
                if (fds[i] == -ENOMEM)
                        r = -ENOMEM;
                else if (fds[i] < 0 && fds[i] != -ENOENT && fds[i] != -ENOTDIR)
                        unit_warnf(l.warn, l.userdata, l.dirs[i], 0, "cannot read directory: %s, ignoring",
                                   strerror(-fds[i]));
        }
        for (size_t i = 0; i < n_names && r >= 0; i++)
                r = strv_extend(&todo, &n_todo, names[i]);
        if (r >= 0)
                r = map_add_names(&l, fds, &todo, &n_todo);
        for (size_t i = 0; i < l.n_dirs; i++)
                safe_close(fds[i]);
        strv_free_n(todo, n_todo);
        if (r < 0) {
                unit_lookup_done(&l);
                return r;
        }
        if (l.n_map > 0)
                qsort(l.map, l.n_map, sizeof(*l.map), entry_cmp);
        r = index_aliases(&l);
        if (r < 0) {
                unit_lookup_done(&l);
                return r;
        }
        *lp = l;
        return 0;
}

int unit_lookup_find(const unit_lookup *lp, const char *name, char ***names, size_t *n_names,
                     const unit_map_entry **ret) {
        _cleanup_free_ char *instance = NULL;
        const unit_map_entry *final = NULL;
        int r;

        r = unit_name_to_instance(name, &instance);
        if (r < 0)
                return r;
        if (names) {
                r = strv_extend(names, n_names, name);
                if (r < 0)
                        return r;
        }
        r = resolve(lp, name, instance, names, n_names, &final);
        if (r == -ENOENT && instance) {
                _cleanup_free_ char *t = unit_name_template(name);

                if (!t)
                        return -ENOMEM;
                r = resolve(lp, t, instance, names, n_names, &final);
        }
        if (r == -ENOMEM)
                return r;
        if (r < 0) /* not found, or an alias loop (warned about) */
                final = NULL;
        *ret = final;
        if (!names || (final && final->kind == UNIT_ENTRY_MASKED))
                return 0;
        if (final) {
                r = add_reverse_aliases(lp, final, instance, names, n_names);
                if (r < 0)
                        return r;
        }
        /* A template's own name is not a name of its instance. */
        for (size_t i = 1; i < *n_names;) {
                if (instance && unit_name_is_template((*names)[i])) {
                        free((*names)[i]);
                        memmove(*names + i, *names + i + 1, (*n_names - i - 1) * sizeof(char *));
                        (*n_names)--;
                } else
                        i++;
        }
        if (*n_names > 2)
                qsort(*names + 1, *n_names - 1, sizeof(char *), strv_cmp);
        return 0;
}

int unit_lookup_read(const unit_lookup *lp, const char *shown, const char *path, char **ret, size_t *ret_size) {
        int r;

        r = root_read_file(lp->root, path, ret, ret_size);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                unit_warnf(lp->warn, lp->userdata, shown, 0, "cannot read: %s, ignoring", root_read_strerror(r));
                *ret = NULL;
                *ret_size = 0;
        }
        return 0;
}

int unit_lookup_read_entry(const unit_lookup *lp, const unit_map_entry *e, char **ret, size_t *ret_size) {
        int r;

        if (e->kind == UNIT_ENTRY_MASKED) {
                *ret = NULL;
                *ret_size = 0;
                return UNIT_MASKED;
        }
        r = unit_lookup_read(lp, e->path, e->kind == UNIT_ENTRY_LINKED ? e->target : e->path, ret, ret_size);
        if (r < 0)
                return r;
        /* /dev/null reached through some other link reads as empty too. */
        return *ret && *ret_size == 0 ? UNIT_MASKED : UNIT_FOUND;
}

bool unit_lookup_may_have_dropin_dir(const unit_lookup *lp, const char *dir) {
        if (!lp->listed)
                return true;
        return lp->n_dropin_dirs > 0 && bsearch(&dir, lp->dropin_dirs, lp->n_dropin_dirs, sizeof(char *), strv_cmp);
}

bool unit_link_is_null(const char *target) {
        _cleanup_free_ char *norm = path_resolve_dots(target);
        return norm && streq(norm, "/dev/null");
}
