/* SPDX-License-Identifier: MIT */
/* Reads a tmpfiles.d file the way systemd-tmpfiles 252 (Debian 12) does
 * before a --clean: the same line grammar with its quirks, the same
 * fields, arguments and owners, the same lines rejected or skipped, so
 * that the evaluator works on exactly the items that tmpfiles acts on
 * (which files, in tmpfiles-load.c; duplicates and the age of X lines, in
 * tmpfiles-table.c). Each rule here was read in tmpfiles.c and the helpers
 * it calls, and the surprising ones were checked on the real binary. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "macro.h"
#include "parse-util.h"
#include "path-util.h"
#include "strv.h"
#include "tmpfiles-lookups.h"
#include "tmpfiles-specifier.h"
#include "tmpfiles-table.h"
#include "tmpfiles.h"
#include "unquote.h"

#define LONG_LINE_MAX (1024U * 1024U) /* read_line()'s limit: longer lines end the file */

typedef struct parser {
        tmpfiles_config *c;
        const char *file;
        unsigned line;
        tmpfiles_warn_fn warn;
        void *userdata;
        bool quiet; /* a '!' line: tmpfiles does not look at it, so neither do we complain */
} parser;

/* How a line ends: kept, rejected (it was warned about), or skipped the way
 * tmpfiles skips some lines without calling them invalid. */
enum { LINE_KEEP = 0, LINE_SKIP = 1 };

_printf_(2, 3) static int warnf(const parser *p, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        if (p->quiet || !p->warn)
                return -EINVAL;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        p->warn(p->file, p->line, msg ?: "unusable line", p->userdata);
        return -EINVAL;
}

/* ---- the text: lines and words ---- */

/* One line as systemd's read_line() cuts it: \n, \r and \0 end a line, and
 * so do \r\n, \n\r and either followed by \0; the same marker twice makes
 * two lines. Returns the bytes consumed (0 at the end), or -ENOBUFS for a
 * line of LONG_LINE_MAX characters, which ends the file for tmpfiles. */
static ssize_t next_line(const char *pos, const char *end, size_t *ret_len) {
        enum { EOL_ZERO = 1, EOL_TEN = 2, EOL_THIRTEEN = 4 };
        const char *p = pos;
        unsigned previous = 0;
        size_t n = 0;

        for (;; p++) {
                unsigned eol;

                if (n >= LONG_LINE_MAX)
                        return -ENOBUFS;
                if (p >= end)
                        break;
                eol = *p == '\n' ? EOL_TEN : *p == '\r' ? EOL_THIRTEEN : *p == 0 ? EOL_ZERO : 0;
                if ((previous & EOL_ZERO) || (eol == 0 && previous != 0) || (eol != 0 && (previous & eol)))
                        break;
                if (eol != 0)
                        previous |= eol;
                else
                        n++;
        }
        *ret_len = n;
        return p - pos;
}

/* ---- specifiers ---- */

static int expand_or_warn(const parser *p, const char *what, const char *text, size_t max, char **ret) {
        int r = tmpfiles_specifier_printf(tmpfiles_lookups_of(p->c), p->c->root, text, max, ret);

        if (r == 0)
                return 0;
        if (r == -ENOMEM)
                return r;
        if (tmpfiles_specifier_is_noinfo(r)) {
                (void) warnf(p, "Failed to resolve specifier in %s '%s': not set up in this root, skipping", what,
                             text);
                return LINE_SKIP;
        }
        return warnf(p, "Failed to replace specifiers in %s '%s': %s", what, text,
                     r == -EBADSLT ? "unknown specifier" : strerror(-r));
}

/* ---- fields ---- */

static bool empty_or_dash(const char *s) {
        return !s || s[0] == 0 || streq(s, "-");
}

static int parse_owner(const parser *p, const char *user, const char *group, tmpfiles_item_settings *s) {
        uint32_t id;

        if (!empty_or_dash(user)) {
                const char *u = user[0] == ':' ? user + 1 : user;

                s->uid_only_create = u != user;
                if (tmpfiles_resolve_id(p->c, u, false, &id) < 0)
                        return warnf(p, "Failed to resolve user '%s'", u);
                s->uid = id;
                s->uid_set = true;
        }
        if (!empty_or_dash(group)) {
                const char *g = group[0] == ':' ? group + 1 : group;

                s->gid_only_create = g != group;
                if (tmpfiles_resolve_id(p->c, g, true, &id) < 0)
                        return warnf(p, "Failed to resolve group '%s'", g);
                s->gid = id;
                s->gid_set = true;
        }
        return 0;
}

static int parse_mode_field(const parser *p, char type, const char *mode, tmpfiles_item_settings *s) {
        const char *m = mode;
        unsigned v;

        if (empty_or_dash(mode)) {
                s->mode = tmpfiles_type_is(type, "dDvqQ") ? 0755 : 0644;
                return 0;
        }
        for (;; m++) {
                if (*m == '~')
                        s->mask_perms = true;
                else if (*m == ':')
                        s->mode_only_create = true;
                else
                        break;
        }
        if (safe_atou(m, 8, true, &v) < 0 || v > 07777)
                return warnf(p, "Invalid mode '%s'", mode);
        s->mode = v;
        s->mode_set = true;
        return 0;
}

/* The age-by letters before a ':': lower case for files, upper case for
 * directories; a side left out keeps its default. */
static int parse_age_by(const char *s, unsigned *ret) {
        static const char letters[] = "abcm";
        unsigned files = 0, dirs = 0;

        if (*s == 0)
                return -EINVAL;
        for (; *s; s++) {
                const char *l;

                if (strchr(WHITESPACE, *s))
                        continue;
                if ((l = strchr(letters, *s)))
                        files |= 1U << (l - letters);
                else if (*s >= 'A' && *s <= 'Z' && (l = strchr(letters, *s - 'A' + 'a')))
                        dirs |= 1U << (l - letters);
                else
                        return -EINVAL;
        }
        if (files == 0 && dirs == 0)
                return -EINVAL;
        *ret = (files ?: TMPFILES_AGE_BY_DEFAULT & 0xf) | (dirs ? dirs << 4 : TMPFILES_AGE_BY_DEFAULT & 0xf0);
        return 0;
}

static int parse_age_field(const parser *p, const char *age, tmpfiles_item *i) {
        _cleanup_free_ char *by = NULL;
        const char *a = age, *colon;
        int r;

        i->age_by = TMPFILES_AGE_BY_DEFAULT;
        if (empty_or_dash(age))
                return 0;
        if (*a == '~') {
                i->age_spares_first_level = true;
                a++;
        }
        colon = strchr(a, ':');
        if (colon) {
                by = strndup(a, colon - a);
                if (!by)
                        return -ENOMEM;
                if (parse_age_by(by, &i->age_by) < 0)
                        return warnf(p, "Invalid age-by '%s'", by);
                a = colon + 1;
        }
        r = parse_sec(a, &i->age_usec);
        if (r < 0)
                return warnf(p, "Invalid age '%s'", a);
        i->has_age = true;
        return 0;
}

/* ---- the argument ---- */

static int unbase64_next(const char **p, size_t *l) {
        int v;

        for (;;) {
                if (*l == 0)
                        return -EPIPE;
                if (!strchr(WHITESPACE, **p))
                        break;
                (*p)++, (*l)--;
        }
        if (**p == '=')
                v = INT_MAX;
        else if (**p >= 'A' && **p <= 'Z')
                v = **p - 'A';
        else if (**p >= 'a' && **p <= 'z')
                v = **p - 'a' + 26;
        else if (**p >= '0' && **p <= '9')
                v = **p - '0' + 52;
        else if (**p == '+')
                v = 62;
        else if (**p == '/')
                v = 63;
        else
                return -EINVAL;
        do
                (*p)++, (*l)--;
        while (*l > 0 && strchr(WHITESPACE, **p));
        return v;
}

/* systemd's unbase64mem(): whitespace anywhere, padding only where it
 * belongs, nothing after it. */
static int unbase64_mem(const char *p, size_t l, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = malloc(l / 4 * 3 + 3 + 1);
        size_t n = 0;

        if (!buf)
                return -ENOMEM;
        for (;;) {
                int a = unbase64_next(&p, &l), b, c, d;

                if (a == -EPIPE)
                        break;
                if (a < 0 || a == INT_MAX)
                        return -EINVAL;
                b = unbase64_next(&p, &l);
                if (b < 0 || b == INT_MAX)
                        return -EINVAL;
                c = unbase64_next(&p, &l);
                if (c < 0)
                        return c;
                d = unbase64_next(&p, &l);
                if (d < 0)
                        return d;
                if (c == INT_MAX) {
                        if (d != INT_MAX || (b & 15) || l > 0)
                                return -EINVAL;
                        buf[n++] = (char) (a << 2 | b >> 4);
                        break;
                }
                if (d == INT_MAX) {
                        if ((c & 3) || l > 0)
                                return -EINVAL;
                        buf[n++] = (char) (a << 2 | b >> 4);
                        buf[n++] = (char) (b << 4 | c >> 2);
                        break;
                }
                buf[n++] = (char) (a << 2 | b >> 4);
                buf[n++] = (char) (b << 4 | c >> 2);
                buf[n++] = (char) (c << 6 | d);
        }
        buf[n] = 0;
        *ret_size = n;
        *ret = TAKE_PTR(buf);
        return 0;
}

static int parse_devnum(const char *s, dev_t *ret) {
        size_t n = strspn(s, "0123456789");
        unsigned x, y;

        if (n == 0 || n > 20 || s[n] != ':')
                return -EINVAL;
        if (safe_atou(strndupa(s, n), 10, false, &x) < 0 || safe_atou(s + n + 1, 10, false, &y) < 0)
                return -EINVAL;
        if (x >= 1U << 12 || y >= 1U << 20)
                return -ERANGE;
        *ret = makedev(x, y);
        return 0;
}

/* The h/H argument: [+-=] and chattr letters; only "=" may stand alone. */
static bool attribute_valid(const char *a) {
        bool set = a[0] == '=';

        if (a[0] == '+' || a[0] == '-' || a[0] == '=')
                a++;
        if (*a == 0)
                return set;
        return a[strspn(a, "ASDacdeijsutTCP")] == 0;
}

/* t/T: each name=value word has its specifiers expanded; bad words are
 * only warned about by tmpfiles, but an unknown specifier rejects the line. */
static int check_xattrs(const parser *p, const char *arg) {
        for (const char *s = arg;;) {
                _cleanup_free_ char *word = NULL, *out = NULL;
                const char *eq;
                int r = extract_word(&s, &word, EXTRACT_CUNESCAPE);

                if (r <= 0)
                        return r == -ENOMEM ? r : 0;
                eq = strchr(word, '=');
                if (!eq || eq == word || eq[1] == 0)
                        continue;
                r = expand_or_warn(p, "extended attribute", word, SIZE_MAX, &out);
                if (r != 0)
                        return r;
        }
}

/* What the line type demands of its argument, before anything is expanded. */
static int check_type(const parser *p, tmpfiles_item *i, bool unbase64, const char *arg) {
        char t = i->type;

        if (tmpfiles_type_is(t, "LCcbtTaAhH") && unbase64)
                return warnf(p, "base64 decoding not supported for '%c' lines", t);
        switch (t) {
        case 'f': case 'F': case 'd': case 'D': case 'v': case 'q': case 'Q': case 'e': case 'p':
        case 'x': case 'X': case 'r': case 'R': case 'm': case 'z': case 'Z': case 'L': case 'C':
                return 0;
        case 'w':
                return arg ? 0 : warnf(p, "Write file requires argument");
        case 'c': case 'b':
                if (!arg)
                        return warnf(p, "Device file requires argument");
                if (parse_devnum(arg, &i->settings.major_minor) < 0)
                        return warnf(p, "Can't parse device file major/minor '%s'", arg);
                return 0;
        case 't': case 'T':
                return arg ? check_xattrs(p, arg) : warnf(p, "Set extended attribute requires argument");
        case 'a': case 'A':
                return arg ? 0 : warnf(p, "Set ACLs requires argument");
        case 'h': case 'H':
                if (!arg)
                        return warnf(p, "Set file attribute requires argument");
                return attribute_valid(arg) ? 0 : warnf(p, "Invalid file attribute '%s'", arg);
        default:
                return warnf(p, "Unknown command type '%c'", t);
        }
}

static bool credential_name_valid(const char *s) {
        return s[0] != 0 && strlen(s) <= NAME_MAX && !streq(s, ".") && !streq(s, "..") && !strchr(s, '/');
}

/* The argument as tmpfiles keeps it: escapes and specifiers for the types
 * that write it, the /usr/share/factory default for L and C, base64. */
static int process_argument(const parser *p, tmpfiles_item *i, const char *raw, bool unbase64, bool from_cred) {
        tmpfiles_item_settings *s = &i->settings;
        _cleanup_free_ char *arg = raw ? strdup(raw) : NULL;
        int r;

        if (raw && !arg)
                return -ENOMEM;
        if (arg && !unbase64 && tmpfiles_type_is(i->type, "CLfFw")) {
                _cleanup_free_ char *unescaped = NULL, *expanded = NULL;

                if (cunescape(arg, &unescaped) < 0)
                        return warnf(p, "Failed to unescape parameter to write: %s", arg);
                r = expand_or_warn(p, "argument", unescaped, PATH_MAX - 1, &expanded);
                if (r != 0)
                        return r;
                free(arg);
                arg = TAKE_PTR(expanded);
        }
        if (tmpfiles_type_is(i->type, "LC") && !arg && asprintf(&arg, "/usr/share/factory%s", i->path) < 0)
                return -ENOMEM;
        if (i->type == 'C') {
                _cleanup_free_ char *norm = NULL, *full = NULL;

                if (arg[0] != '/')
                        return warnf(p, "Source path '%s' is not absolute", arg);
                norm = path_normalize(arg);
                full = norm ? path_join_root(p->c->root, norm) : NULL;
                if (!full)
                        return -ENOMEM;
                if (faccessat(AT_FDCWD, full, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
                        return LINE_SKIP; /* tmpfiles skips C lines whose source is missing, silently */
                free(arg);
                arg = TAKE_PTR(full);
        }
        if (from_cred) {
                if (!arg)
                        return warnf(p, "Reading from credential requested, but no credential name specified");
                if (!credential_name_valid(arg))
                        return warnf(p, "Credential name not valid: %s", arg);
                /* systemd-tmpfiles-clean.service gets no credentials, and
                 * tmpfiles skips a line whose credential is not there. */
                return LINE_SKIP;
        }
        s->argument_size = arg ? strlen(arg) : 0;
        if (unbase64 && arg) {
                char *data;
                size_t size;

                if (unbase64_mem(arg, strlen(arg), &data, &size) < 0)
                        return warnf(p, "Failed to base64 decode specified argument '%s'", arg);
                free(arg);
                arg = data;
                s->argument_size = size;
        }
        s->argument = TAKE_PTR(arg);
        return 0;
}

/* ---- one line ---- */

typedef struct modifiers {
        bool boot, plus, minus, equals, unbase64, from_cred;
} modifiers;

static int parse_action(const parser *p, const char *action, modifiers *m) {
        if (action[0] == 0)
                return warnf(p, "Command too short '%s'", action);
        for (const char *a = action + 1; *a; a++) {
                bool *flag = *a == '!' ? &m->boot : *a == '+' ? &m->plus : *a == '-' ? &m->minus :
                             *a == '=' ? &m->equals : *a == '~' ? &m->unbase64 : *a == '^' ? &m->from_cred : NULL;
                if (!flag || *flag)
                        return warnf(p, "Unknown modifiers in command '%s'", action);
                *flag = true;
        }
        return 0;
}

/* The path field: specifiers, absolute, simplified, /var/run/ made /run/. */
static int make_path(const parser *p, const char *raw, char **ret) {
        _cleanup_free_ char *path = NULL, *norm = NULL;
        int r = expand_or_warn(p, "path", raw, PATH_MAX - 1, &path);

        if (r != 0)
                return r;
        if (path[0] != '/')
                return warnf(p, "Path '%s' not absolute", path);
        norm = path_normalize(path);
        if (!norm)
                return -ENOMEM;
        if (path_below("/var/run", norm)) {
                char *n;

                if (asprintf(&n, "/run%s", norm + strlen("/var/run")) < 0)
                        return -ENOMEM;
                free(norm);
                norm = n;
        }
        *ret = TAKE_PTR(norm);
        return 0;
}

static void item_free(tmpfiles_item *i) {
        free(i->path);
        free(i->source);
        free(i->settings.argument);
        *i = (tmpfiles_item) {};
}

static int append_item(const parser *p, tmpfiles_item *i) {
        tmpfiles_config *c = p->c;
        tmpfiles_item *bigger;

        if (!i->boot_only && tmpfiles_item_is_duplicate(c, i)) {
                (void) warnf(p, "Duplicate line for path \"%s\", ignoring", i->path);
                return 0;
        }
        i->source = strdup(p->file);
        if (!i->source)
                return -ENOMEM;
        bigger = reallocarray(c->items, c->n_items + 1, sizeof(*c->items));
        if (!bigger)
                return -ENOMEM;
        c->items = bigger;
        c->items[c->n_items++] = *i;
        *i = (tmpfiles_item) {};
        return 0;
}

static void item_freep(tmpfiles_item *i) {
        item_free(i);
}

/* A '!' line: tmpfiles without --boot drops it right after reading its
 * type, before looking at the rest. It is kept, marked, only so that a
 * verdict can point at it; what cannot be read of it is dropped quietly. */
static int parse_boot_line(parser *p, tmpfiles_item *i, const char *path, const char *age) {
        int r;

        p->quiet = true;
        r = make_path(p, path, &i->path);
        if (r == 0)
                r = parse_age_field(p, age, i);
        p->quiet = false;
        if (r == -ENOMEM)
                return r;
        if (r != 0)
                return 0;
        i->boot_only = true;
        i->glob = strpbrk(i->path, "*?[") != NULL;
        return append_item(p, i);
}

static int parse_line(parser *p, const char *buffer) {
        _cleanup_free_ char *action = NULL, *path = NULL, *mode = NULL, *user = NULL, *group = NULL, *age = NULL;
        _cleanup_(item_freep) tmpfiles_item i = { .line = p->line };
        char **words[] = { &action, &path, &mode, &user, &group, &age };
        const char *rest = buffer;
        modifiers m = {};
        size_t n = 0;
        int r;

        for (; n < ELEMENTSOF(words); n++) {
                r = extract_word(&rest, words[n], 0);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return warnf(p, "Failed to parse line: unbalanced quotes or a trailing backslash");
                if (r == 0)
                        break;
        }
        if (n < 2)
                return warnf(p, "Syntax error");
        if (empty_or_dash(rest))
                rest = NULL;
        r = parse_action(p, action, &m);
        if (r < 0)
                return r;
        i.type = action[0];
        if (m.boot)
                return parse_boot_line(p, &i, path, age);
        i.settings.append_or_force = m.plus;

        r = make_path(p, path, &i.path);
        if (r == 0)
                r = check_type(p, &i, m.unbase64, rest);
        if (r == 0)
                r = process_argument(p, &i, rest, m.unbase64, m.from_cred);
        if (r == 0)
                r = parse_owner(p, user, group, &i.settings);
        if (r == 0)
                r = parse_mode_field(p, i.type, mode, &i.settings);
        if (r == 0)
                r = parse_age_field(p, age, &i);
        if (r != 0)
                return r == LINE_SKIP ? 0 : r;
        i.glob = tmpfiles_type_is_glob(i.type) && strpbrk(i.path, "*?[") != NULL;
        return append_item(p, &i);
}

/* ---- files ---- */

int tmpfiles_config_parse(tmpfiles_config *c, const char *file, const char *text, size_t size,
                          tmpfiles_warn_fn warn, void *userdata) {
        parser p = { .c = c, .file = file ?: "<text>", .warn = warn, .userdata = userdata };
        const char *pos = text, *end = text + size;
        int r;

        for (;;) {
                _cleanup_free_ char *line = NULL;
                size_t len = 0;
                ssize_t used = next_line(pos, end, &len);
                char *l;

                if (used == -ENOBUFS) {
                        p.line++;
                        (void) warnf(&p, "Line too long, ignoring it and the rest of the file");
                        break;
                }
                if (used <= 0)
                        break;
                p.line++;
                line = strndup(pos, len);
                if (!line)
                        return -ENOMEM;
                pos += used;
                l = strstrip(line);
                if (l[0] == 0 || l[0] == '#')
                        continue;
                r = parse_line(&p, l);
                if (r == -ENOMEM)
                        return r;
        }
        r = tmpfiles_inherit_x_ages(c);
        if (r < 0)
                return r;
        return tmpfiles_config_index(c);
}

void tmpfiles_config_done(tmpfiles_config *c) {
        for (size_t i = 0; i < c->n_items; i++)
                item_free(c->items + i);
        free(c->items);
        strv_free_n(c->files, c->n_files);
        free(c->plain);
        free(c->globs);
        free(c->glob_keys);
        tmpfiles_lookups_free(c->lookups);
        free(c->root);
        *c = (tmpfiles_config) {};
}
