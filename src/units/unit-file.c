/* SPDX-License-Identifier: MIT */
/* Reads unit files the way the systemd 252 system manager does, so that
 * the generator and the guard see the same settings PID 1 will: the line
 * grammar of conf-parser.c, the drop-in directories of dropin.c, and the
 * loading of a unit's fragment and drop-ins under every name it goes by
 * (unit-lookup.c finds them). The results were compared with systemctl
 * cat and systemd-analyze (tests/integration/test_unit_reader.py). */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "path-util.h"
#include "strv.h"
#include "unit-file.h"
#include "unit-name.h"

#define COMMENTS "#;"
#define LONG_LINE_MAX (1024U * 1024U)    /* systemd's limit for one (continued) line */

static char *mfree_str(char *p) {
        free(p);
        return NULL;
}

static const unit_setting **mfree_ptr(const unit_setting **p) {
        free(p);
        return NULL;
}

/* ---- reading ---- */

static bool is_eol(char c) {
        return c == '\n' || c == '\r' || c == 0;
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

        l = strstrip(l);
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
        l = strstrip(l);
        if (!*l) {
                unit_warnf(p->warn, p->userdata, p->file, line, "empty key, ignoring line");
                return 0;
        }
        s.section = strdup(p->section);
        s.key = strdup(l);
        s.value = strdup(strstrip(e + 1));
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

static int read_into(const unit_lookup *lp, unit_file *u, const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        r = unit_lookup_read(lp, path, path, &text, &size);
        if (r < 0 || !text)
                return r;
        return unit_file_parse(u, path, text, size, lp->warn, lp->userdata);
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
        if (unit_name_is_instance(name)) {
                _cleanup_free_ char *t = unit_name_template(name);

                if (!t)
                        return -ENOMEM;
                r = find_dirs(dir, t, dirs, n);
                if (r < 0)
                        return r;
        }
        suffix = unit_name_suffix(name);
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
        if (unit_name_to_instance(name, &instance) < 0)
                return -ENOMEM;
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

                if (!unit_lookup_may_have_dropin_dir(lp, dirs[i]))
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
                                buf[k] = 0;
                                /* A longer text is cut short by the buffer. */
                                x.masked = (size_t) k == strlen("/dev/null") && unit_link_is_null(buf);
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

static int load(const unit_lookup *lp, unit_file *u) {
        const unit_map_entry *final = NULL;
        char **dirs = NULL;
        size_t n_dirs = 0, n_dropins = 0;
        dropin *dropins = NULL;
        int r;

        r = unit_lookup_find(lp, u->name, &u->names, &u->n_names, &final);
        if (r < 0)
                return r;
        if (final) {
                _cleanup_free_ char *text = NULL;
                size_t size;

                u->fragment = strdup(final->path);
                if (!u->fragment)
                        return -ENOMEM;
                r = unit_lookup_read_entry(lp, final, &text, &size);
                if (r < 0)
                        return r;
                if (r == UNIT_MASKED) {
                        u->state = UNIT_MASKED;
                        return 0;
                }
                u->state = UNIT_FOUND;
                r = text ? unit_file_parse(u, final->path, text, size, lp->warn, lp->userdata) : 0;
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < u->n_names && r >= 0; i++)
                for (size_t j = 0; j < lp->n_dirs && r >= 0; j++)
                        r = find_dirs(lp->dirs[j], u->names[i], &dirs, &n_dirs);
        /* The type-wide directory comes last: the most generic, overridden by name. */
        for (size_t j = 0; j < lp->n_dirs && r >= 0; j++)
                r = find_dirs(lp->dirs[j], unit_name_suffix(u->name) + 1, &dirs, &n_dirs);
        if (r >= 0)
                r = collect_dropins(lp, dirs, n_dirs, &dropins, &n_dropins);
        strv_free_n(dirs, n_dirs);
        for (size_t i = 0; i < n_dropins; i++) {
                if (r >= 0 && !dropins[i].masked) {
                        r = strv_extend(&u->dropins, &u->n_dropins, dropins[i].path);
                        if (r >= 0)
                                r = read_into(lp, u, dropins[i].path);
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
