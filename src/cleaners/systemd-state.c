/* SPDX-License-Identifier: MIT */
/* What systemd itself contributes to cleaning, read from a root directory:
 * whether systemd-tmpfiles-clean.timer is pulled in, and whether a path
 * lies on a tmpfs that every boot starts empty. Also the small helpers the
 * other cleaner readers share: files under a root, mount tables and path
 * normalization. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleaners.h"
#include "path-util.h"
#include "macro.h"

/* systemd 252's system unit search path, the parts an admin or a package
 * writes to; /lib is Debian's split-usr leftover (a symlink when merged). */
static const char *const unit_dirs[] = {
        "/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
        "/usr/lib/systemd/system", "/lib/systemd/system",
};

static int root_readlink(const char *root, const char *path, char *buf, size_t size) {
        _cleanup_free_ char *norm = path_normalize(path), *parent = NULL;
        _cleanup_close_ int dfd = -EBADF;
        const char *slash;
        ssize_t n;

        if (!norm)
                return -ENOMEM;
        slash = strrchr(norm, '/');
        if (!slash || slash == norm + strlen(norm) - 1)
                return -EINVAL;
        parent = slash == norm ? strdup("/") : strndup(norm, (size_t) (slash - norm));
        if (!parent)
                return -ENOMEM;
        dfd = root_open(root, parent, O_PATH | O_DIRECTORY);
        if (dfd < 0)
                return dfd;
        n = readlinkat(dfd, slash + 1, buf, size - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = '\0';
        return 0;
}

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

/* ---- units ---- */

typedef enum unit_file_kind {
        UNIT_NONE,
        UNIT_FILE,
        UNIT_MASK,
} unit_file_kind;

/* The first file called NAME in the search path: what systemd loads. */
static unit_file_kind unit_find(const char *root, const char *name, char **ret_path) {
        for (size_t i = 0; i < ELEMENTSOF(unit_dirs); i++) {
                _cleanup_free_ char *p = NULL;
                struct stat st;
                char target[PATH_MAX];

                if (asprintf(&p, "%s/%s", unit_dirs[i], name) < 0)
                        return UNIT_NONE;
                if (root_lstat(root, p, &st) < 0)
                        continue;
                *ret_path = TAKE_PTR(p);
                /* systemd masks with a symlink to /dev/null, and also
                 * treats an empty file as masked (null_or_empty()). */
                if (S_ISLNK(st.st_mode))
                        return root_readlink(root, *ret_path, target, sizeof(target)) >= 0 &&
                                                       streq(target, "/dev/null") ?
                                       UNIT_MASK :
                                       UNIT_FILE;
                if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
                        return UNIT_MASK;
                if (S_ISREG(st.st_mode) && st.st_size == 0)
                        return UNIT_MASK;
                return UNIT_FILE;
        }
        return UNIT_NONE;
}

/* A NAME symlink in some *.wants/ or *.requires/ directory of the search
 * path: the unit is pulled in. PREFERRED (e.g. "timers.target") is looked
 * at first, so that the usual place is the one named. */
static bool unit_wanted(const char *root, const char *name, const char *preferred, char **ret_path) {
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < ELEMENTSOF(unit_dirs); i++) {
                        DIR *d;
                        struct dirent *de;
                        bool found = false;

                        if (pass == 0) {
                                _cleanup_free_ char *p = NULL;
                                struct stat st;

                                if (asprintf(&p, "%s/%s.wants/%s", unit_dirs[i], preferred, name) < 0)
                                        return false;
                                if (root_lstat(root, p, &st) >= 0) {
                                        *ret_path = TAKE_PTR(p);
                                        return true;
                                }
                                continue;
                        }

                        if (root_opendir(root, unit_dirs[i], &d) < 0)
                                continue;
                        while (!found && (de = readdir(d))) {
                                size_t l = strlen(de->d_name);
                                _cleanup_free_ char *p = NULL;
                                struct stat st;

                                if (!(l > 6 && streq(de->d_name + l - 6, ".wants")) &&
                                    !(l > 9 && streq(de->d_name + l - 9, ".requires")))
                                        continue;
                                if (asprintf(&p, "%s/%s/%s", unit_dirs[i], de->d_name, name) < 0)
                                        break;
                                if (root_lstat(root, p, &st) >= 0) {
                                        *ret_path = TAKE_PTR(p);
                                        found = true;
                                }
                        }
                        closedir(d);
                        if (found)
                                return true;
                }
        return false;
}

static timer_state unit_state(const char *root, const char *name, const char *preferred, source_ref *source) {
        _cleanup_free_ char *unit = NULL, *wants = NULL;
        unit_file_kind k = unit_find(root, name, &unit);

        if (k == UNIT_NONE)
                return TIMER_ABSENT;
        if (k == UNIT_MASK) {
                (void) source_ref_set(source, unit, 0);
                return TIMER_MASKED;
        }
        if (unit_wanted(root, name, preferred, &wants)) {
                (void) source_ref_set(source, wants, 0);
                return TIMER_ENABLED;
        }
        (void) source_ref_set(source, unit, 0);
        return TIMER_DISABLED;
}

unsigned unit_dirs_warn_unreadable(const char *root, tmpfiles_warn_fn warn, void *userdata) {
        unsigned n = 0;

        for (size_t i = 0; i < ELEMENTSOF(unit_dirs); i++) {
                _cleanup_free_ char *msg = NULL;
                DIR *d;
                struct stat st;
                int r = root_opendir(root, unit_dirs[i], &d);

                /* Listed, and searched: "." is looked up in it. */
                if (r >= 0) {
                        r = fstatat(dirfd(d), ".", &st, 0) < 0 ? negative_errno() : 0;
                        closedir(d);
                }
                if (r >= 0 || r == -ENOENT || r == -ENOTDIR)
                        continue;
                n++;
                if (!warn)
                        continue;
                if (asprintf(&msg, "cannot read directory: %s; units there may enable or mask "
                             "systemd-tmpfiles-clean.timer or tmp.mount, so the answer may be incomplete",
                             strerror(-r)) < 0)
                        msg = NULL;
                warn(unit_dirs[i], 0, msg ?: "cannot read directory", userdata);
        }
        return n;
}

timer_state tmpfiles_clean_timer_state(const char *root, source_ref *source) {
        source_ref s = {};
        timer_state t = unit_state(root, "systemd-tmpfiles-clean.timer", "timers.target", &s);

        if (source) {
                source_ref_done(source);
                *source = s;
        } else
                source_ref_done(&s);
        return t;
}

/* ---- tmpfs ---- */

/* The Type= of a mount unit, and the line it is on. */
static int mount_unit_type(const char *root, const char *unit, char **ret_type, unsigned *ret_line) {
        _cleanup_free_ char *text = NULL;
        unsigned line = 0;
        int r;

        r = root_read_file(root, unit, &text, NULL);
        if (r < 0)
                return r;
        for (char *p = text, *eol; *p; p = *eol ? eol + 1 : eol) {
                char *s;

                eol = strchrnul(p, '\n');
                line++;
                s = p;
                while (*s == ' ' || *s == '\t')
                        s++;
                if (strncmp(s, "Type", 4) != 0)
                        continue;
                s += 4;
                while (*s == ' ' || *s == '\t')
                        s++;
                if (*s != '=')
                        continue;
                s++;
                while (*s == ' ' || *s == '\t')
                        s++;
                *ret_type = strndup(s, strcspn(s, " \t\n"));
                if (!*ret_type)
                        return -ENOMEM;
                *ret_line = line;
                return 0;
        }
        return -ENOENT;
}

void tmpfs_table_done(tmpfs_table *t) {
        mount_entries_free(t->mounts, t->n_mounts);
        source_ref_done(&t->tmp_mount_source);
        *t = (tmpfs_table) {};
}

int tmpfs_table_load(tmpfs_table *t, const char *root) {
        _cleanup_free_ char *text = NULL, *unit = NULL, *type = NULL;
        unsigned line = 0;
        int r;

        *t = (tmpfs_table) { .live = root_is_live(root) };
        if (t->live) {
                r = root_read_file(NULL, "/proc/self/mountinfo", &text, NULL);
                if (r < 0)
                        return r;
                return mountinfo_parse(text, &t->mounts, &t->n_mounts);
        }

        /* An offline tree: what it would mount at boot, from /etc/fstab,
         * the tmpfs that systemd mounts by itself, and tmp.mount. */
        if (root_read_file(root, "/etc/fstab", &text, NULL) >= 0) {
                r = fstab_parse(text, &t->mounts, &t->n_mounts);
                if (r < 0)
                        return r;
        }
        if (unit_state(root, "tmp.mount", "local-fs.target", &t->tmp_mount_source) == TIMER_ENABLED &&
            unit_find(root, "tmp.mount", &unit) == UNIT_FILE) {
                t->tmp_mount = true;
                t->tmp_mount_in_etc = strncmp(unit, "/etc/", 5) == 0;
                t->tmp_mount_tmpfs = mount_unit_type(root, unit, &type, &line) >= 0 && streq(type, "tmpfs");
        }
        return 0;
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

int path_on_tmpfs(const char *root, const char *path, source_ref *source) {
        _cleanup_(tmpfs_table_done) tmpfs_table t = {};
        int r;

        r = tmpfs_table_load(&t, root);
        if (r < 0)
                return r;
        return tmpfs_table_lookup(&t, path, source);
}
