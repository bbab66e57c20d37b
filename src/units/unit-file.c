/* SPDX-License-Identifier: MIT */
/* Reads unit files the way the systemd 252 system manager does, so that
 * the generator and the guard see the same settings PID 1 will: the rules
 * follow lookup-paths.c, unit-file.c (the name map), dropin.c and
 * conf-parser.c of 252, and the results were compared with systemctl cat
 * and systemd-analyze (tests/integration/test_unit_reader.py). */

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
#include "unit-file.h"

#define WHITESPACE " \t\n\r"
#define COMMENTS "#;"
#define LONG_LINE_MAX (1024U * 1024U)    /* systemd's limit for one (continued) line */
#define UNIT_NAME_MAX 255
#define FOLLOW_MAX 64                    /* alias hops, as unit_ids_map_get() allows */

static const char *const default_dirs[] = {
        "/etc/systemd/system.control",
        "/run/systemd/system.control",
        "/run/systemd/transient",
        "/run/systemd/generator.early",
        "/etc/systemd/system",
        "/etc/systemd/system.attached",
        "/run/systemd/system",
        "/run/systemd/system.attached",
        "/run/systemd/generator",
        "/usr/local/lib/systemd/system",
        "/lib/systemd/system", /* Debian's 252 is built with split-usr */
        "/usr/lib/systemd/system",
        "/run/systemd/generator.late",
};

static const char *const unit_types[] = {
        "service", "mount", "swap", "socket", "target", "device", "automount", "timer", "path", "slice", "scope",
};

typedef enum entry_kind {
        ENTRY_FILE,     /* a regular file */
        ENTRY_LINKED,   /* a symlink out of the search path: read through it */
        ENTRY_MASKED,   /* a symlink to /dev/null */
        ENTRY_ALIAS,    /* a symlink to another unit name inside the search path */
} entry_kind;

struct unit_map_entry {
        char *name;
        char *path;     /* root-relative, in a search directory */
        char *target;   /* ALIAS: the unit name; LINKED: the root-relative file read */
        entry_kind kind;
        size_t seq;     /* discovery order, for a stable sort */
};

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

static char *mfree_str(char *p) {
        free(p);
        return NULL;
}

static const unit_setting **mfree_ptr(const unit_setting **p) {
        free(p);
        return NULL;
}

/* Collapses "//", "." and ".." of an absolute path, lexically, as
 * chase_symlinks(CHASE_NOFOLLOW|CHASE_NONEXISTENT) does for a link target. */
static char *path_resolve_dots(const char *p) {
        char *out = malloc(strlen(p) + 2);
        size_t n = 0;

        if (!out)
                return NULL;
        while (*p) {
                const char *seg;
                size_t len;

                while (*p == '/')
                        p++;
                seg = p;
                while (*p && *p != '/')
                        p++;
                len = (size_t) (p - seg);
                if (len == 0 || (len == 1 && seg[0] == '.'))
                        continue;
                if (len == 2 && seg[0] == '.' && seg[1] == '.') {
                        while (n > 0 && out[n - 1] != '/')
                                n--;
                        if (n > 0)
                                n--;
                        continue;
                }
                out[n++] = '/';
                memcpy(out + n, seg, len);
                n += len;
        }
        if (n == 0)
                out[n++] = '/';
        out[n] = 0;
        return out;
}

/* ---- names ---- */

static const char *unit_suffix(const char *name) {
        const char *dot = strrchr(name, '.');

        if (!dot)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(unit_types); i++)
                if (streq(dot + 1, unit_types[i]))
                        return dot;
        return NULL;
}

bool unit_name_is_valid(const char *name) {
        const char *suffix, *at;
        size_t len;

        if (!name || !name[0])
                return false;
        len = strlen(name);
        if (len > UNIT_NAME_MAX)
                return false;
        suffix = unit_suffix(name);
        if (!suffix || suffix == name)
                return false;
        for (const char *p = name; p < suffix; p++)
                if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:-_.\\@", *p))
                        return false;
        at = strchr(name, '@');
        if (at && (at == name || memchr(at + 1, '@', (size_t) (suffix - at - 1))))
                return false;
        return true;
}

static bool name_is_template(const char *name) {
        const char *at = strchr(name, '@');
        return at && at[1] == '.';
}

static bool name_is_instance(const char *name) {
        const char *at = strchr(name, '@');
        return at && at[1] != '.';
}

/* "foo@bar.service" -> "foo@.service" */
static char *name_template(const char *name) {
        const char *at = strchr(name, '@'), *suffix = unit_suffix(name);
        char *s;

        if (!at || !suffix || asprintf(&s, "%.*s%s", (int) (at - name + 1), name, suffix) < 0)
                return NULL;
        return s;
}

/* "bar" of "foo@bar.service" */
static char *name_instance(const char *name) {
        const char *at = strchr(name, '@'), *suffix = unit_suffix(name);

        if (!at || !suffix || suffix <= at + 1)
                return NULL;
        return strndup(at + 1, (size_t) (suffix - at - 1));
}

/* "foo@.service" + "bar" -> "foo@bar.service" */
static char *name_with_instance(const char *template, const char *instance) {
        const char *at = strchr(template, '@'), *suffix = unit_suffix(template);
        char *s;

        if (!at || !suffix || asprintf(&s, "%.*s%s%s", (int) (at - template + 1), template, instance, suffix) < 0)
                return NULL;
        return s;
}

/* unit_validate_alias_symlink_or_warn(): same type; a template only to a
 * template; an instance to the same instance or a template. */
static bool alias_is_valid(const char *src, const char *dst) {
        const char *a = unit_suffix(src), *b = unit_suffix(dst);

        if (!a || !b || !streq(a, b))
                return false;
        if (name_is_template(src))
                return name_is_template(dst);
        if (name_is_instance(src)) {
                _cleanup_free_ char *i = NULL, *j = NULL;

                if (name_is_template(dst))
                        return true;
                if (!name_is_instance(dst))
                        return false;
                i = name_instance(src);
                j = name_instance(dst);
                return i && j && streq(i, j);
        }
        return !strchr(dst, '@');
}

static int strcmp_ptr(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* ---- search path ---- */

int unit_search_path_with(const char *const *defaults, size_t n_defaults, char ***ret, size_t *ret_n) {
        const char *env = getenv("SYSTEMD_UNIT_PATH");
        char **l = NULL;
        size_t n = 0;
        bool append_default = true;
        int r;

        if (env) {
                const char *p = env;

                append_default = false;
                for (;;) {
                        const char *colon = strchr(p, ':');
                        size_t len = colon ? (size_t) (colon - p) : strlen(p);

                        if (len == 0) {
                                /* An empty entry at the end appends the defaults. */
                                if (!colon)
                                        append_default = true;
                        } else {
                                _cleanup_free_ char *raw = strndup(p, len);
                                char *norm;

                                if (!raw) {
                                        strv_free_n(l, n);
                                        return -ENOMEM;
                                }
                                norm = raw[0] == '/' ? path_resolve_dots(raw) : strdup(raw);
                                if (!norm || (!strv_contains(l, n, norm) ? strv_push(&l, &n, norm) < 0
                                                                           : (free(norm), 0))) {
                                        strv_free_n(l, n);
                                        return -ENOMEM;
                                }
                        }
                        if (!colon)
                                break;
                        p = colon + 1;
                }
        }
        if (append_default)
                for (size_t i = 0; i < n_defaults; i++) {
                        r = strv_add_unique(&l, &n, defaults[i]);
                        if (r < 0) {
                                strv_free_n(l, n);
                                return r;
                        }
                }
        *ret = l;
        *ret_n = n;
        return 0;
}

int unit_search_path(char ***ret, size_t *ret_n) {
        return unit_search_path_with(default_dirs, ELEMENTSOF(default_dirs), ret, ret_n);
}

/* ---- the name map ---- */

static void map_free(unit_map_entry *m, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(m[i].name);
                free(m[i].path);
                free(m[i].target);
        }
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
                e->kind = ENTRY_MASKED;
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
                e->kind = ENTRY_ALIAS;
                e->target = strdup(base);
                return e->target ? 0 : -ENOMEM;
        }
        /* Out of the search path, or to the same name elsewhere: a linked unit file. */
        e->kind = ENTRY_LINKED;
        e->target = TAKE_PTR(norm);
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
                unit_map_entry e = { .seq = lp->n_map };
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
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
                        continue;
                e.name = strdup(de->d_name);
                if (asprintf(&e.path, "%s/%s", streq(dir, "/") ? "" : dir, de->d_name) < 0)
                        e.path = NULL;
                if (!e.name || !e.path) {
                        r = -ENOMEM;
                        goto fail;
                }
                if (S_ISREG(st.st_mode))
                        e.kind = ENTRY_FILE;
                else {
                        char buf[PATH_MAX];
                        ssize_t len = readlinkat(dirfd(d), de->d_name, buf, sizeof(buf) - 1);

                        if (len < 0) {
                                unit_warnf(lp->warn, lp->userdata, e.path, 0, "cannot read symlink: %s, ignoring",
                                      strerror(errno));
                                free(e.name);
                                free(e.path);
                                continue;
                        }
                        buf[len] = 0;
                        r = classify_link(lp, dir, de->d_name, buf, &e);
                        if (r == -ENOMEM)
                                goto fail;
                        if (r < 0) {
                                free(e.name);
                                free(e.path);
                                free(e.target);
                                r = 0;
                                continue;
                        }
                }
                if (lp->n_map == *cap) {
                        size_t ncap = *cap ? *cap * 2 : 256;
                        unit_map_entry *m = reallocarray(lp->map, ncap, sizeof(*m));

                        if (!m) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        lp->map = m;
                        *cap = ncap;
                }
                lp->map[lp->n_map++] = e;
                continue;
        fail:
                free(e.name);
                free(e.path);
                free(e.target);
                break;
        }
        closedir(d);
        return r;
}

int unit_lookup_init_dirs(unit_lookup *lp, const char *root, char **dirs, size_t n_dirs, unit_warn_fn warn,
                          void *userdata) {
        unit_lookup l = { .warn = warn, .userdata = userdata, .dirs = dirs, .n_dirs = n_dirs };
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
                        free(l.map[i].name);
                        free(l.map[i].path);
                        free(l.map[i].target);
                        continue;
                }
                l.map[w++] = l.map[i];
        }
        l.n_map = w;
        if (l.n_dropin_dirs > 0)
                qsort(l.dropin_dirs, l.n_dropin_dirs, sizeof(char *), strcmp_ptr);
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

                        if (instance && name_is_template(e->name)) {
                                inst = name_with_instance(e->name, instance);
                                if (!inst)
                                        return -ENOMEM;
                                r = strv_add_unique(names, n_names, inst);
                        } else
                                r = strv_add_unique(names, n_names, e->name);
                        if (r < 0)
                                return r;
                }
                if (e->kind != ENTRY_ALIAS) {
                        *ret = e;
                        return 0;
                }
                e = map_get(lp, e->target);
        }
        return -ENOENT;
}

/* ---- reading ---- */

static bool is_eol(char c) {
        return c == '\n' || c == '\r' || c == 0;
}

static char *strip(char *s) {
        char *e;

        s += strspn(s, WHITESPACE);
        e = s + strlen(s);
        while (e > s && strchr(WHITESPACE, e[-1]))
                *--e = 0;
        return s;
}

typedef struct parser {
        unit_file *u;
        const char *file;
        unit_warn_fn warn;
        void *userdata;
        char *section;
} parser;

static int parse_line(parser *p, unsigned line, char *l) {
        unit_setting s = {};
        char *e;

        l = strip(l);
        if (!*l || strchr(COMMENTS, *l))
                return 0;
        if (*l == '[') {
                size_t k = strlen(l);
                bool safe = l[k - 1] == ']' && k >= 2;

                for (size_t i = 1; safe && i + 1 < k; i++)
                        if ((unsigned char) l[i] < ' ' || l[i] == 127 || l[i] == '[' || l[i] == ']')
                                safe = false;
                free(p->section);
                p->section = NULL;
                /* systemd refuses the whole file here; the settings that
                 * follow are kept out of the previous section. */
                if (!safe) {
                        unit_warnf(p->warn, p->userdata, p->file, line, "invalid section header, ignoring");
                        return 0;
                }
                p->section = strndup(l + 1, k - 2);
                return p->section ? 0 : -ENOMEM;
        }
        if (!p->section) {
                unit_warnf(p->warn, p->userdata, p->file, line, "assignment outside of a section, ignoring");
                return 0;
        }
        e = strchr(l, '=');
        if (!e) {
                unit_warnf(p->warn, p->userdata, p->file, line, "missing '=', ignoring line");
                return 0;
        }
        *e = 0;
        l = strip(l);
        if (!*l) {
                unit_warnf(p->warn, p->userdata, p->file, line, "empty key, ignoring line");
                return 0;
        }
        s.section = strdup(p->section);
        s.key = strdup(l);
        s.value = strdup(strip(e + 1));
        s.file = strdup(p->file);
        s.line = line;
        if (s.section && s.key && s.value && s.file) {
                unit_setting *m = reallocarray(p->u->settings, p->u->n_settings + 1, sizeof(*m));

                if (m) {
                        p->u->settings = m;
                        m[p->u->n_settings++] = s;
                        return 0;
                }
        }
        free(s.section);
        free(s.key);
        free(s.value);
        free(s.file);
        return -ENOMEM;
}

int unit_file_parse(unit_file *u, const char *file, const char *text, size_t size, unit_warn_fn warn,
                    void *userdata) {
        parser p = { .u = u, .file = file, .warn = warn, .userdata = userdata };
        _cleanup_free_ char *cont = NULL;
        size_t pos = 0, cont_len = 0;
        unsigned line = 0;
        int r = 0;

        /* A UTF-8 byte order mark is skipped. */
        if (size >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
                pos = 3;
        while (pos < size) {
                size_t end = pos, len;
                _cleanup_free_ char *l = NULL;
                const char *first;
                char *q;
                bool escaped = false;

                while (end < size && !is_eol(text[end]))
                        end++;
                len = end - pos;
                l = strndup(text + pos, len);
                pos = end;
                if (pos < size)
                        pos += text[pos] == '\r' && pos + 1 < size && text[pos + 1] == '\n' ? 2 : 1;
                line++;
                if (!l) {
                        r = -ENOMEM;
                        break;
                }
                if (len > LONG_LINE_MAX || cont_len + len > LONG_LINE_MAX) {
                        unit_warnf(warn, userdata, file, line, "line too long, ignoring");
                        cont = mfree_str(cont);
                        cont_len = 0;
                        continue;
                }
                /* Comment lines are skipped, inside a continuation too. */
                first = l + strspn(l, WHITESPACE);
                if (*first && strchr(COMMENTS, *first))
                        continue;
                if (cont) {
                        char *c = realloc(cont, cont_len + len + 1);

                        if (!c) {
                                r = -ENOMEM;
                                break;
                        }
                        memcpy(c + cont_len, l, len + 1);
                        cont = c;
                        cont_len += len;
                        q = cont;
                } else
                        q = l;
                for (char *e = q; *e; e++) {
                        if (escaped)
                                escaped = false;
                        else if (*e == '\\')
                                escaped = true;
                }
                if (escaped) {
                        /* The trailing backslash becomes a space, and the next line is appended. */
                        q[strlen(q) - 1] = ' ';
                        if (!cont) {
                                cont = TAKE_PTR(l);
                                cont_len = len;
                        }
                        continue;
                }
                r = parse_line(&p, line, q);
                cont = mfree_str(cont);
                cont_len = 0;
                if (r < 0)
                        break;
        }
        if (r >= 0 && cont) {
                /* systemd uses a continuation left open at the end of the file as it is. */
                unit_warnf(warn, userdata, file, line, "unterminated line continuation at end of file");
                r = parse_line(&p, line, cont);
        }
        free(p.section);
        return r < 0 ? r : 0;
}

static int read_into(const unit_lookup *lp, unit_file *u, const char *shown, const char *path, bool *ret_masked) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        /* A FIFO is refused, not waited on; /dev/null reached through
         * some other link reads as empty, which masks. */
        r = root_read_file(lp->root, path, &text, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                unit_warnf(lp->warn, lp->userdata, shown, 0, "cannot read: %s, ignoring", root_read_strerror(r));
                return 0;
        }
        if (ret_masked)
                *ret_masked = size == 0;
        return unit_file_parse(u, shown, text, size, lp->warn, lp->userdata);
}

/* ---- drop-ins ---- */

/* unit_file_find_dirs(): NAME.d, the template's, then each dash prefix. */
static int find_dirs(const char *dir, const char *name, char ***dirs, size_t *n) {
        _cleanup_free_ char *path = NULL, *prefix = NULL, *instance = NULL, *built = NULL;
        const char *suffix;
        bool chopped = false;
        size_t k;
        int r;

        if (asprintf(&path, "%s/%s.d", streq(dir, "/") ? "" : dir, name) < 0)
                return -ENOMEM;
        r = strv_add_unique(dirs, n, path);
        if (r < 0)
                return r;
        if (name_is_instance(name)) {
                _cleanup_free_ char *t = name_template(name);

                if (!t)
                        return -ENOMEM;
                r = find_dirs(dir, t, dirs, n);
                if (r < 0)
                        return r;
        }
        suffix = unit_suffix(name);
        if (!suffix) /* a type-wide "service" */
                return 0;
        k = strcspn(name, "@");
        if (name + k > suffix)
                k = (size_t) (suffix - name);
        prefix = strndup(name, k);
        if (!prefix)
                return -ENOMEM;
        for (;;) {
                char *dash = strrchr(prefix, '-');
                size_t m;

                if (!dash)
                        return 0;
                m = (size_t) (dash - prefix);
                if (m == 0)
                        return 0;
                if (prefix[m + 1] != 0 || chopped) {
                        prefix[m + 1] = 0;
                        break;
                }
                prefix[m] = 0;
                chopped = true;
        }
        if (name_is_instance(name)) {
                instance = name_instance(name);
                if (!instance)
                        return -ENOMEM;
        }
        if (asprintf(&built, "%s%s%s%s", prefix, instance ? "@" : "", strempty(instance), suffix) < 0)
                return -ENOMEM;
        return find_dirs(dir, built, dirs, n);
}

typedef struct dropin {
        char *base;
        char *path;
        bool masked;
} dropin;

static int dropin_cmp(const void *a, const void *b) {
        return strcmp(((const dropin *) a)->base, ((const dropin *) b)->base);
}

static int collect_dropins(const unit_lookup *lp, char **dirs, size_t n_dirs, dropin **ret, size_t *ret_n) {
        dropin *l = NULL;
        size_t n = 0;
        int r = 0;

        for (size_t i = 0; i < n_dirs && r >= 0; i++) {
                struct dirent *de;
                DIR *d;
                int e;

                if (lp->n_dropin_dirs == 0 ||
                    !bsearch(&dirs[i], lp->dropin_dirs, lp->n_dropin_dirs, sizeof(char *), strcmp_ptr))
                        continue;
                e = root_opendir(lp->root, dirs[i], &d);
                if (e == -ENOMEM) {
                        r = e;
                        break;
                }
                if (e < 0) {
                        if (e != -ENOENT && e != -ENOTDIR)
                                unit_warnf(lp->warn, lp->userdata, dirs[i], 0, "cannot read directory: %s, ignoring",
                                      strerror(-e));
                        continue;
                }
                while ((de = readdir(d))) {
                        size_t len = strlen(de->d_name);
                        bool seen = false;
                        char buf[16];
                        ssize_t k;
                        dropin x = {};

                        if (de->d_name[0] == '.' || len < 6 || !streq(de->d_name + len - 5, ".conf"))
                                continue;
                        for (size_t j = 0; j < n && !seen; j++)
                                seen = streq(l[j].base, de->d_name);
                        if (seen)
                                continue;
                        k = readlinkat(dirfd(d), de->d_name, buf, sizeof(buf) - 1);
                        if (k >= 0) {
                                _cleanup_free_ char *norm = NULL;

                                buf[k] = 0;
                                norm = k == 9 ? path_resolve_dots(buf) : NULL;
                                x.masked = norm && streq(norm, "/dev/null");
                        }
                        x.base = strdup(de->d_name);
                        if (asprintf(&x.path, "%s/%s", dirs[i], de->d_name) < 0)
                                x.path = NULL;
                        if (x.base && x.path) {
                                dropin *m = reallocarray(l, n + 1, sizeof(*m));
                                if (m) {
                                        l = m;
                                        l[n++] = x;
                                        continue;
                                }
                        }
                        free(x.base);
                        free(x.path);
                        r = -ENOMEM;
                        break;
                }
                closedir(d);
        }
        if (r < 0) {
                for (size_t i = 0; i < n; i++) {
                        free(l[i].base);
                        free(l[i].path);
                }
                free(l);
                return r;
        }
        if (n > 0)
                qsort(l, n, sizeof(*l), dropin_cmp);
        *ret = l;
        *ret_n = n;
        return 0;
}

/* ---- loading ---- */

static int add_reverse_aliases(const unit_lookup *lp, const unit_map_entry *final, const char *instance,
                               char ***names, size_t *n_names) {
        for (size_t i = 0; i < lp->n_map; i++) {
                const unit_map_entry *e = &lp->map[i], *f = NULL;
                int r;

                if (e->kind != ENTRY_ALIAS || strv_contains(*names, *n_names, e->name))
                        continue;
                if (resolve(lp, e->name, NULL, NULL, NULL, &f) < 0 || f != final)
                        continue;
                if (instance && name_is_template(e->name)) {
                        _cleanup_free_ char *inst = name_with_instance(e->name, instance);

                        if (!inst)
                                return -ENOMEM;
                        r = strv_add_unique(names, n_names, inst);
                } else if (!instance && name_is_template(e->name) != name_is_template((*names)[0]))
                        continue;
                else
                        r = strv_add_unique(names, n_names, e->name);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load(const unit_lookup *lp, unit_file *u) {
        _cleanup_free_ char *instance = NULL;
        const unit_map_entry *final = NULL;
        char **dirs = NULL;
        size_t n_dirs = 0, n_dropins = 0;
        dropin *dropins = NULL;
        int r;

        if (name_is_instance(u->name)) {
                instance = name_instance(u->name);
                if (!instance)
                        return -ENOMEM;
        }
        r = strv_extend(&u->names, &u->n_names, u->name);
        if (r < 0)
                return r;
        r = resolve(lp, u->name, instance, &u->names, &u->n_names, &final);
        if (r == -ENOENT && instance) {
                _cleanup_free_ char *t = name_template(u->name);

                if (!t)
                        return -ENOMEM;
                r = resolve(lp, t, instance, &u->names, &u->n_names, &final);
        }
        if (r == -ENOMEM)
                return r;
        if (r < 0) { /* not found, or an alias loop (warned about) */
                final = NULL;
                r = 0;
        }
        if (final) {
                if (final->kind == ENTRY_MASKED) {
                        u->state = UNIT_MASKED;
                        u->fragment = strdup(final->path);
                        return u->fragment ? 0 : -ENOMEM;
                }
                r = add_reverse_aliases(lp, final, instance, &u->names, &u->n_names);
                if (r < 0)
                        return r;
        }
        /* A template's own name is not a name of its instance. */
        for (size_t i = 1; i < u->n_names;) {
                if (instance && name_is_template(u->names[i])) {
                        free(u->names[i]);
                        memmove(u->names + i, u->names + i + 1, (u->n_names - i - 1) * sizeof(char *));
                        u->n_names--;
                } else
                        i++;
        }
        if (u->n_names > 2)
                qsort(u->names + 1, u->n_names - 1, sizeof(char *), strcmp_ptr);

        if (final) {
                bool masked = false;

                u->fragment = strdup(final->path);
                if (!u->fragment)
                        return -ENOMEM;
                r = read_into(lp, u, final->path, final->kind == ENTRY_LINKED ? final->target : final->path,
                              &masked);
                if (r < 0)
                        return r;
                if (masked) {
                        u->state = UNIT_MASKED;
                        for (size_t i = 0; i < u->n_settings; i++) {
                                free(u->settings[i].section);
                                free(u->settings[i].key);
                                free(u->settings[i].value);
                                free(u->settings[i].file);
                        }
                        u->n_settings = 0;
                        return 0;
                }
                u->state = UNIT_FOUND;
        }

        for (size_t i = 0; i < u->n_names && r >= 0; i++)
                for (size_t j = 0; j < lp->n_dirs && r >= 0; j++)
                        r = find_dirs(lp->dirs[j], u->names[i], &dirs, &n_dirs);
        /* The type-wide directory comes last: the most generic, overridden by name. */
        for (size_t j = 0; j < lp->n_dirs && r >= 0; j++)
                r = find_dirs(lp->dirs[j], unit_suffix(u->name) + 1, &dirs, &n_dirs);
        if (r >= 0)
                r = collect_dropins(lp, dirs, n_dirs, &dropins, &n_dropins);
        strv_free_n(dirs, n_dirs);
        for (size_t i = 0; i < n_dropins; i++) {
                if (r >= 0 && !dropins[i].masked) {
                        r = strv_extend(&u->dropins, &u->n_dropins, dropins[i].path);
                        if (r >= 0)
                                r = read_into(lp, u, dropins[i].path, dropins[i].path, NULL);
                }
                free(dropins[i].base);
                free(dropins[i].path);
        }
        free(dropins);
        return r;
}

int unit_file_load(const unit_lookup *lp, const char *name, unit_file *ret) {
        unit_file u = {};
        int r;

        if (!unit_name_is_valid(name))
                return -EINVAL;
        u.name = strdup(name);
        if (!u.name)
                return -ENOMEM;
        r = load(lp, &u);
        if (r < 0) {
                unit_file_done(&u);
                return r;
        }
        *ret = u;
        return 0;
}

void unit_file_done(unit_file *u) {
        free(u->name);
        free(u->fragment);
        strv_free_n(u->names, u->n_names);
        strv_free_n(u->dropins, u->n_dropins);
        for (size_t i = 0; i < u->n_settings; i++) {
                free(u->settings[i].section);
                free(u->settings[i].key);
                free(u->settings[i].value);
                free(u->settings[i].file);
        }
        free(u->settings);
        *u = (unit_file) {};
}

int unit_file_values(const unit_file *u, const char *section, const char *key, unsigned flags,
                     const unit_setting ***ret) {
        const unit_setting **l = NULL;
        size_t n = 0;

        for (size_t i = 0; i < u->n_settings; i++) {
                const unit_setting *s = &u->settings[i];

                if (!streq(s->section, section) || !streq(s->key, key))
                        continue;
                if ((flags & UNIT_VALUES_RESET_ON_EMPTY) && !s->value[0]) {
                        n = 0;
                        continue;
                }
                {
                        const unit_setting **m = reallocarray(l, n + 1, sizeof(*m));

                        if (!m) {
                                free(l);
                                return -ENOMEM;
                        }
                        l = m;
                        l[n++] = s;
                }
        }
        if (n == 0)
                l = mfree_ptr(l);
        *ret = l;
        return (int) n;
}

const unit_setting *unit_file_last(const unit_file *u, const char *section, const char *key) {
        for (size_t i = u->n_settings; i > 0; i--)
                if (streq(u->settings[i - 1].section, section) && streq(u->settings[i - 1].key, key))
                        return &u->settings[i - 1];
        return NULL;
}

/* ---- enumeration ---- */

static int add_wants_instances(const unit_lookup *lp, const char *dir, char ***l, size_t *n) {
        struct dirent *de;
        DIR *d;
        int r = root_opendir(lp->root, dir, &d);

        if (r < 0)
                return r == -ENOMEM ? r : 0;
        while ((de = readdir(d)) && r >= 0) {
                size_t len = strlen(de->d_name);
                _cleanup_free_ char *sub = NULL;
                struct dirent *e;
                DIR *s;

                if (!(len > 6 && streq(de->d_name + len - 6, ".wants")) &&
                    !(len > 9 && streq(de->d_name + len - 9, ".requires")))
                        continue;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (root_opendir(lp->root, sub, &s) < 0)
                        continue;
                while ((e = readdir(s)) && r >= 0)
                        if (unit_name_is_valid(e->d_name) && name_is_instance(e->d_name))
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

        for (size_t i = 0; i < lp->n_map && r >= 0; i++)
                r = strv_extend(&l, &n, lp->map[i].name);
        for (size_t i = 0; i < lp->n_dirs && r >= 0; i++)
                r = add_wants_instances(lp, lp->dirs[i], &l, &n);
        if (r < 0) {
                strv_free_n(l, n);
                return r;
        }
        if (n > 0)
                qsort(l, n, sizeof(char *), strcmp_ptr);
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
