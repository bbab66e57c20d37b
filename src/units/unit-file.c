/* SPDX-License-Identifier: MIT */
/* Reads unit files the way the systemd 252 system manager does, so that
 * the generator and the guard see the same settings PID 1 will: the line
 * grammar of systemd.syntax(7), the drop-in directories of
 * systemd.unit(5), and the loading of a unit's fragment and drop-ins under
 * every name it goes by (unit-lookup.c finds them). It follows systemd's
 * documented behaviour; where the pages are silent, systemd-analyze was
 * asked (tests/integration/test_unit_reader.py) and the unit tests pin
 * its answers. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "macro.h"
#include "path-util.h"
#include "strv.h"
#include "unit-file.h"
#include "unit-name.h"

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

typedef struct parser {
        unit_file *u;
        const char *file;
        unit_warn_fn warn;
        void *userdata;
        char *section;  /* NULL before the first header and after a bad one */
} parser;

static int add_setting(parser *p, unsigned line, const char *key, const char *value) {
        unit_setting s = {
                .section = strdup(p->section),
                .key = strdup(key),
                .value = strdup(value),
                .file = strdup(p->file),
                .line = line,
        };
        unit_setting *m = NULL;

        if (s.section && s.key && s.value && s.file)
                m = reallocarray(p->u->settings, p->u->n_settings + 1, sizeof(*m));
        if (!m) {
                free(s.section);
                free(s.key);
                free(s.value);
                free(s.file);
                return -ENOMEM;
        }
        p->u->settings = m;
        m[p->u->n_settings++] = s;
        return 0;
}

/* "[Name]": no control characters and no brackets inside. systemd refuses
 * the whole file at a bad header; here only what follows it until the next
 * good one is dropped. */
static int enter_section(parser *p, unsigned line, const char *header) {
        size_t len = strlen(header);

        p->section = mfree_str(p->section);
        if (len < 2 || header[len - 1] != ']') {
                unit_warnf(p->warn, p->userdata, p->file, line, "invalid section header, ignoring");
                return 0;
        }
        for (size_t i = 1; i < len - 1; i++) {
                unsigned char c = (unsigned char) header[i];

                if (c < ' ' || c == 127 || c == '[' || c == ']') {
                        unit_warnf(p->warn, p->userdata, p->file, line, "invalid section header, ignoring");
                        return 0;
                }
        }
        p->section = strndup(header + 1, len - 2);
        return p->section ? 0 : -ENOMEM;
}

/* "Key=Value", blanks around both taken off. */
static int assign(parser *p, unsigned line, char *text) {
        char *eq = strchr(text, '=');
        const char *key;

        if (!p->section) {
                unit_warnf(p->warn, p->userdata, p->file, line, "assignment outside of a section, ignoring");
                return 0;
        }
        if (!eq) {
                unit_warnf(p->warn, p->userdata, p->file, line, "missing '=', ignoring line");
                return 0;
        }
        *eq = '\0';
        key = strstrip(text);
        if (!key[0]) {
                unit_warnf(p->warn, p->userdata, p->file, line, "empty key, ignoring line");
                return 0;
        }
        return add_setting(p, line, key, strstrip(eq + 1));
}

/* One logical line (continuations joined), numbered by its last physical
 * line, as systemd.syntax(7) describes them. */
static int parse_line(parser *p, unsigned line, char *text) {
        text = strstrip(text);
        switch (text[0]) {
        case '\0':
        case '#':
        case ';':
                return 0;
        case '[':
                return enter_section(p, line, text);
        default:
                return assign(p, line, text);
        }
}

/* The next physical line from *POS: up to a \n, a \r, a \r\n pair or a
 * NUL byte (the marker is not part of it). */
static size_t next_physical_line(const char *text, size_t size, size_t *pos) {
        size_t start = *pos, end = start;

        while (end < size && text[end] != '\n' && text[end] != '\r' && text[end] != '\0')
                end++;
        *pos = end;
        if (end < size)
                *pos += text[end] == '\r' && end + 1 < size && text[end + 1] == '\n' ? 2 : 1;
        return end - start;
}

/* Whether LEN bytes of S end in a backslash that is not itself escaped:
 * an odd run of them. */
static bool ends_in_backslash(const char *s, size_t len) {
        size_t run = 0;

        while (run < len && s[len - 1 - run] == '\\')
                run++;
        return run % 2 == 1;
}

static bool is_comment_line(const char *s, size_t len) {
        size_t blank = 0;

        while (blank < len && (s[blank] == ' ' || s[blank] == '\t'))
                blank++;
        return blank < len && (s[blank] == '#' || s[blank] == ';');
}

/* systemd.syntax(7): a line ending in a backslash goes on in the next
 * one, the backslash read as a blank; comment lines within are left out;
 * a UTF-8 byte order mark at the start is skipped; and systemd's limit on
 * one line, joined or not, is LONG_LINE_MAX. A continuation still open at
 * the end of the file counts as it is. */
int unit_file_parse(unit_file *u, const char *file, const char *text, size_t size, unit_warn_fn warn,
                    void *userdata) {
        parser p = { .u = u, .file = file, .warn = warn, .userdata = userdata };
        _cleanup_free_ char *logical = NULL; /* the line being joined; len 0 when none is */
        size_t allocated = 0, len = 0, pos = 0;
        unsigned line = 0;
        int r = 0;

        if (size >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
                pos = 3;
        while (pos < size && r >= 0) {
                const char *part = text + pos;
                size_t n = next_physical_line(text, size, &pos);

                line++;
                if (len + n > LONG_LINE_MAX) {
                        unit_warnf(warn, userdata, file, line, "line too long, ignoring");
                        len = 0;
                        continue;
                }
                if (is_comment_line(part, n))
                        continue;
                if (GREEDY_REALLOC(logical, allocated, len + n + 1, 256) < 0) {
                        r = -ENOMEM;
                        break;
                }
                memcpy(logical + len, part, n);
                len += n;
                logical[len] = '\0';
                if (ends_in_backslash(part, n)) {
                        logical[len - 1] = ' ';
                        continue;
                }
                r = parse_line(&p, line, logical);
                len = 0;
        }
        if (r >= 0 && len > 0) {
                unit_warnf(warn, userdata, file, line, "unterminated line continuation at end of file");
                r = parse_line(&p, line, logical);
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

/* The name one dash prefix up, as systemd.unit(5) describes drop-ins for
 * a name with dashes: "foo-bar-baz.service" → "foo-bar-.service" →
 * "foo-.service". The prefix (before any '@') is cut after its last dash,
 * one dash that ends it aside, and never to a lone leading dash; an
 * instance stays, a template's empty one goes. 0 with *RET NULL when there
 * is no such name. */
static int dash_parent(const char *name, char **ret) {
        unit_name_parts parts;
        size_t keep;

        unit_name_split(name, &parts);
        keep = parts.prefix_len;
        if (keep > 0 && name[keep - 1] == '-')
                keep--;
        while (keep > 0 && name[keep - 1] != '-')
                keep--;
        *ret = NULL;
        if (keep <= 1) /* no dash, or only the first character */
                return 0;
        if (asprintf(ret, "%.*s%s%.*s%s", (int) keep, name, parts.instance_len > 0 ? "@" : "",
                     (int) parts.instance_len, parts.instance_len > 0 ? parts.instance : "", name + parts.stem_len) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* The drop-in directories under DIR for NAME, most specific first:
 * NAME.d, then those of its template, then those of its dash parent. */
static int find_dirs(const char *dir, const char *name, char ***dirs, size_t *n) {
        _cleanup_free_ char *path = NULL, *up = NULL;
        int r;

        if (asprintf(&path, "%s/%s.d", streq(dir, "/") ? "" : dir, name) < 0)
                return -ENOMEM;
        r = strv_add_unique(dirs, n, path); /* a template's dash parent may come twice */
        if (r < 0)
                return r;
        if (unit_name_is_instance(name)) {
                _cleanup_free_ char *template = unit_name_template(name);

                if (!template)
                        return -ENOMEM;
                r = find_dirs(dir, template, dirs, n);
                if (r < 0)
                        return r;
        }
        if (!unit_name_suffix(name)) /* the type-wide "service" */
                return 0;
        r = dash_parent(name, &up);
        if (r < 0 || !up)
                return r;
        return find_dirs(dir, up, dirs, n);
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
