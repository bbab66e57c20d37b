/* SPDX-License-Identifier: MIT */
/* Whether a path lies on a tmpfs that every boot starts empty, read from
 * a root directory: for the running system from /proc/self/mountinfo,
 * for another tree from what it would mount at boot (/etc/fstab, the API
 * file systems systemd mounts by itself, and an enabled tmp.mount, found
 * by the unit reader's rules). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "mounts.h"
#include "path-util.h"
#include "unit-file.h"

/* ---- mount tables ---- */

void mount_entries_free(mount_entry *m, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(m[i].where);
                free(m[i].fstype);
        }
        free(m);
}

/* mountinfo and fstab escape space, tab, newline and backslash as \ooo. */
static char *unescape_octal(const char *s, size_t len) {
        char *out = malloc(len + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' &&
                    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        *o++ = (char) (((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
                        i += 3;
                } else
                        *o++ = s[i];
        }
        *o = '\0';
        return out;
}

/* Splits a line into at most MAX whitespace-separated fields. */
static size_t split_fields(const char *line, size_t len, const char **starts, size_t *lens, size_t max) {
        size_t n = 0, i = 0;

        while (n < max) {
                while (i < len && (line[i] == ' ' || line[i] == '\t'))
                        i++;
                if (i >= len)
                        break;
                starts[n] = line + i;
                while (i < len && line[i] != ' ' && line[i] != '\t')
                        i++;
                lens[n] = (size_t) (line + i - starts[n]);
                n++;
        }
        return n;
}

static int mount_entry_add(mount_entry **m, size_t *n, const char *where, size_t where_len, const char *fstype,
                           size_t fstype_len, unsigned line, int id, int parent_id) {
        _cleanup_free_ char *w = unescape_octal(where, where_len), *norm = NULL;
        mount_entry *p;

        if (!w)
                return -ENOMEM;
        norm = path_normalize(w);
        if (!norm)
                return -ENOMEM;
        p = reallocarray(*m, *n + 1, sizeof(**m));
        if (!p)
                return -ENOMEM;
        *m = p;
        p[*n] = (mount_entry) {
                .where = TAKE_PTR(norm),
                .fstype = strndup(fstype, fstype_len),
                .line = line,
                .id = id,
                .parent_id = parent_id,
        };
        if (!p[*n].fstype) {
                free(p[*n].where);
                return -ENOMEM;
        }
        (*n)++;
        return 0;
}

typedef int (*mount_line_fn)(const char *line, size_t len, unsigned line_no, mount_entry **m, size_t *n);

static int parse_mount_lines(const char *text, mount_line_fn fn, mount_entry **ret, size_t *ret_n) {
        mount_entry *m = NULL;
        size_t n = 0;
        unsigned line_no = 0;

        for (const char *p = text; *p;) {
                const char *eol = strchrnul(p, '\n');
                int r;

                line_no++;
                r = fn(p, (size_t) (eol - p), line_no, &m, &n);
                if (r < 0) {
                        mount_entries_free(m, n);
                        return r;
                }
                p = *eol ? eol + 1 : eol;
        }
        *ret = m;
        *ret_n = n;
        return 0;
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": the
 * optional fields end at a lone "-", and the fstype follows it. */
static int mountinfo_line(const char *line, size_t len, unsigned line_no, mount_entry **m, size_t *n) {
        const char *f[32];
        size_t l[32], nf = split_fields(line, len, f, l, ELEMENTSOF(f));
        int id, parent_id;

        if (nf < 7)
                return 0;
        if (sscanf(f[0], "%d", &id) != 1 || sscanf(f[1], "%d", &parent_id) != 1)
                return 0;
        for (size_t i = 6; i + 1 < nf; i++)
                if (l[i] == 1 && f[i][0] == '-')
                        return mount_entry_add(m, n, f[4], l[4], f[i + 1], l[i + 1], line_no, id, parent_id);
        return 0;
}

int mountinfo_parse(const char *text, mount_entry **ret, size_t *ret_n) {
        return parse_mount_lines(text, mountinfo_line, ret, ret_n);
}

static bool has_option(const char *opts, size_t len, const char *name) {
        size_t nl = strlen(name);

        for (size_t i = 0; i < len;) {
                size_t j = i;

                while (j < len && opts[j] != ',')
                        j++;
                if (j - i == nl && strncmp(opts + i, name, nl) == 0)
                        return true;
                i = j + 1;
        }
        return false;
}

/* "tmpfs /tmp tmpfs defaults,noatime 0 0"; noauto lines are not mounted at
 * boot, swap and "none" mount points are not directories. */
static int fstab_line(const char *line, size_t len, unsigned line_no, mount_entry **m, size_t *n) {
        const char *f[6];
        size_t l[6], nf;

        nf = split_fields(line, len, f, l, ELEMENTSOF(f));
        if (nf < 3 || f[0][0] == '#' || f[1][0] != '/')
                return 0;
        if (nf >= 4 && has_option(f[3], l[3], "noauto"))
                return 0;
        return mount_entry_add(m, n, f[1], l[1], f[2], l[2], line_no, -1, -1);
}

int fstab_parse(const char *text, mount_entry **ret, size_t *ret_n) {
        return parse_mount_lines(text, fstab_line, ret, ret_n);
}

const mount_entry *mount_entries_find(const mount_entry *m, size_t n, const char *path) {
        const mount_entry *best = NULL;
        bool tree = n > 0 && m[0].id >= 0;

        if (!tree) {
                /* fstab: the deepest mount point; the later line wins, as
                 * systemd-fstab-generator keeps the last one. */
                for (size_t i = 0; i < n; i++)
                        if (path_is_under(m[i].where, path) && (!best || strlen(m[i].where) >= strlen(best->where)))
                                best = &m[i];
                return best;
        }

        /* mountinfo: walk down from the namespace's root mount. A mount on
         * the same point, or on a parent of a point, that came later hides
         * the earlier one; its children are what the path reaches. */
        for (size_t i = 0; i < n; i++) {
                bool parent_listed = false;

                if (!streq(m[i].where, "/"))
                        continue;
                for (size_t j = 0; j < n; j++)
                        parent_listed |= m[j].id == m[i].parent_id && j != i;
                if (!parent_listed) {
                        best = &m[i];
                        break;
                }
        }
        if (!best) /* a mountinfo text without its root: deepest match */
                for (size_t i = 0; i < n; i++)
                        if (path_is_under(m[i].where, path) && (!best || strlen(m[i].where) >= strlen(best->where)))
                                best = &m[i];
        for (bool moved = best != NULL; moved;) {
                const mount_entry *next = NULL;

                moved = false;
                for (size_t i = 0; i < n; i++)
                        if (m[i].parent_id == best->id && &m[i] != best && path_is_under(m[i].where, path))
                                next = &m[i]; /* the last one listed is on top */
                if (next) {
                        best = next;
                        moved = true;
                }
        }
        return best;
}

/* ---- tmpfs ---- */

void tmpfs_table_done(tmpfs_table *t) {
        free(t->points);
        mount_entries_free(t->mounts, t->n_mounts);
        source_ref_done(&t->tmp_mount_source);
        *t = (tmpfs_table) {};
}

/* An offline tree's tmp.mount: pulled in (by local-fs.target.wants/, as
 * systemd ships it), and whether it mounts a tmpfs. */
static int tmp_mount_load(tmpfs_table *t, const char *root) {
        static const char *const name = "tmp.mount";
        _cleanup_(unit_lookup_done) unit_lookup lp = {};
        _cleanup_(unit_file_done) unit_file u = {};
        _cleanup_free_ char *source = NULL;
        unit_enablement e = UNIT_ENABLEMENT_ABSENT;
        const unit_setting *type;
        int r;

        r = unit_lookup_init_names(&lp, root, &name, 1, NULL, NULL);
        if (r >= 0)
                r = unit_lookup_enablement(&lp, name, "local-fs.target", &e, &source);
        if (r >= 0)
                r = source_ref_set(&t->tmp_mount_source, source, 0);
        if (r < 0 || e != UNIT_ENABLEMENT_ENABLED)
                return r;
        r = unit_file_load(&lp, name, &u);
        if (r < 0 || u.state != UNIT_FOUND)
                return r;
        t->tmp_mount = true;
        t->tmp_mount_in_etc = strncmp(u.fragment, "/etc/", 5) == 0;
        type = unit_file_last(&u, "Mount", "Type");
        t->tmp_mount_tmpfs = type && streq(type->value, "tmpfs");
        return 0;
}

static int cmp_point(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The mount points sorted, for a lookup per path that is not a scan of
 * the table. */
static int index_points(tmpfs_table *t) {
        t->points = malloc((t->n_mounts + 1) * sizeof(*t->points));
        if (!t->points)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_mounts; i++)
                t->points[i] = t->mounts[i].where;
        t->n_points = t->n_mounts;
        qsort(t->points, t->n_points, sizeof(*t->points), cmp_point);
        return 0;
}

int tmpfs_table_load(tmpfs_table *t, const char *root) {
        _cleanup_free_ char *text = NULL;
        int r;

        *t = (tmpfs_table) { .live = root_is_live(root) };
        if (t->live) {
                r = root_read_file(NULL, "/proc/self/mountinfo", &text, NULL);
                if (r >= 0)
                        r = mountinfo_parse(text, &t->mounts, &t->n_mounts);
                return r < 0 ? r : index_points(t);
        }

        /* An offline tree: what it would mount at boot, from /etc/fstab,
         * the tmpfs that systemd mounts by itself, and tmp.mount. */
        if (root_read_file(root, "/etc/fstab", &text, NULL) >= 0) {
                r = fstab_parse(text, &t->mounts, &t->n_mounts);
                if (r < 0)
                        return r;
        }
        r = tmp_mount_load(t, root);
        return r < 0 ? r : index_points(t);
}

static int lookup_live(const tmpfs_table *t, const char *path, source_ref *source) {
        const mount_entry *e = mount_entries_find(t->mounts, t->n_mounts, path);

        if (!e)
                return -ENOENT;
        if (source && source_ref_set(source, "/proc/self/mountinfo", e->line) < 0)
                return -ENOMEM;
        return streq(e->fstype, "tmpfs");
}

/* An fstab line for /tmp beats a tmp.mount from /usr/lib, because the
 * fstab generator's unit comes earlier in the search path, but not one in
 * /etc. */
static int lookup_offline(const tmpfs_table *t, const char *path, source_ref *source) {
        static const char *const api_tmpfs[] = { "/run", "/dev/shm" };
        const mount_entry *e = mount_entries_find(t->mounts, t->n_mounts, path);
        struct {
                const char *where, *file;
                unsigned line;
                bool tmpfs;
        } best = {};

        if (e)
                best.where = e->where, best.file = "/etc/fstab", best.line = e->line,
                best.tmpfs = streq(e->fstype, "tmpfs");

        for (size_t i = 0; i < ELEMENTSOF(api_tmpfs); i++)
                if (path_is_under(api_tmpfs[i], path) && (!best.where || strlen(api_tmpfs[i]) > strlen(best.where)))
                        /* No file says so: the mount itself is the source. */
                        best.where = api_tmpfs[i], best.file = api_tmpfs[i], best.line = 0, best.tmpfs = true;

        if (t->tmp_mount && path_is_under("/tmp", path) && (!best.where || strlen(best.where) <= strlen("/tmp"))) {
                bool fstab_tmp = best.where && streq(best.where, "/tmp");

                if (!fstab_tmp || t->tmp_mount_in_etc) {
                        /* Named by the symlink that enables it: what
                         * "systemctl mask tmp.mount" overrides. */
                        best.where = "/tmp", best.file = t->tmp_mount_source.file, best.line = 0;
                        best.tmpfs = t->tmp_mount_tmpfs;
                }
        }

        if (!best.where) {
                if (source)
                        source_ref_done(source); /* the root file system, not a tmpfs, and nothing says more */
                return 0;
        }
        if (source && source_ref_set(source, best.file, best.line) < 0)
                return -ENOMEM;
        return best.tmpfs;
}

int tmpfs_table_lookup(const tmpfs_table *t, const char *path, source_ref *source) {
        _cleanup_free_ char *norm = NULL;

        if (!path || path[0] != '/')
                return -EINVAL;
        norm = path_normalize(path);
        if (!norm)
                return -ENOMEM;
        return t->live ? lookup_live(t, norm, source) : lookup_offline(t, norm, source);
}

bool tmpfs_table_is_point(const tmpfs_table *t, const char *path) {
        /* Offline, systemd's own tmpfs and tmp.mount count as mounts too. */
        if (!t->live && (streq(path, "/run") || streq(path, "/dev/shm") || streq(path, "/tmp")))
                return true;
        if (!t->points) /* not loaded by tmpfs_table_load() */
                for (size_t i = 0; i < t->n_mounts; i++)
                        if (streq(t->mounts[i].where, path))
                                return true;
        return t->n_points > 0 && bsearch(&path, t->points, t->n_points, sizeof(*t->points), cmp_point);
}

int path_on_tmpfs(const char *root, const char *path, source_ref *source) {
        _cleanup_(tmpfs_table_done) tmpfs_table t = {};
        int r;

        r = tmpfs_table_load(&t, root);
        if (r < 0)
                return r;
        return tmpfs_table_lookup(&t, path, source);
}
