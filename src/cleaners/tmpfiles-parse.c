/* SPDX-License-Identifier: MIT */
/* Reads a tmpfiles.d file the way systemd-tmpfiles 252 (Debian 12) does
 * before a --clean: the same line grammar with its quirks, the same
 * fields, arguments and owners, the same lines rejected or skipped, so
 * that the evaluator works on exactly the items that tmpfiles acts on
 * (which files, in tmpfiles-load.c; duplicates and the age of X lines, in
 * tmpfiles-table.c). It follows systemd's documented behaviour
 * (tmpfiles.d(5), RFC 4648 for the '~' modifier); where the manual is
 * silent, the real binary was asked, and the tests pin its answers. The
 * messages are ours: only the file and line where tmpfiles complains
 * must match (tests/integration/test_tmpfiles_differential.py). */

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

#define LONG_LINE_MAX (1024U * 1024U) /* tmpfiles' limit: a line as long ends the file */

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

/* The next line of the text at POS: its LEN bytes end at the first \n,
 * \r or NUL. The end takes in what follows of the other markers, each at
 * most once, and a NUL closes it: "\r\n", "\n\r" and "\n\r\0" are one
 * end, "\n\n" and "\0\n" are two. Returns the bytes the line and its
 * end take (0 at the end of the text), or -ENOBUFS for a line of
 * LONG_LINE_MAX bytes or more, which ends the file for tmpfiles. */
static ssize_t next_line(const char *pos, const char *end, size_t *ret_len) {
        size_t avail = (size_t) (end - pos), len = 0;
        bool cr = false, lf = false;
        const char *p;

        while (len < avail && pos[len] != '\n' && pos[len] != '\r' && pos[len] != '\0') {
                len++;
                if (len >= LONG_LINE_MAX)
                        return -ENOBUFS;
        }
        for (p = pos + len; p < end; p++) {
                bool *seen = *p == '\n' ? &lf : *p == '\r' ? &cr : NULL;

                if (*p == '\0') {
                        p++;
                        break;
                }
                if (!seen || *seen)
                        break;
                *seen = true;
        }
        *ret_len = len;
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
                (void) warnf(p, "a specifier in %s '%s' has no value in this root, skipping the line", what,
                             text);
                return LINE_SKIP;
        }
        return warnf(p, "cannot expand the specifiers in %s '%s': %s", what, text,
                     r == -EBADSLT ? "unknown specifier" : strerror(-r));
}

/* ---- fields ---- */

/* A field left out: missing at the end of the line, empty or "-". */
static bool field_unset(const char *s) {
        return !s || streq(s, "") || streq(s, "-");
}

/* The user or group field: a name or number, ':' first when it applies
 * only to what tmpfiles creates. */
static int parse_id_field(const parser *p, const char *field, bool group, uint32_t *ret, bool *ret_set,
                          bool *ret_on_create) {
        bool on_create = field[0] == ':';
        const char *name = field + on_create;

        if (tmpfiles_resolve_id(p->c, name, group, ret) < 0)
                return warnf(p, "unknown %s '%s'", group ? "group" : "user", name);
        *ret_set = true;
        *ret_on_create = on_create;
        return 0;
}

static int parse_owner(const parser *p, const char *user, const char *group, tmpfiles_item_settings *s) {
        uint32_t id;
        int r;

        if (!field_unset(user)) {
                r = parse_id_field(p, user, false, &id, &s->uid_set, &s->uid_on_create);
                if (r < 0)
                        return r;
                s->uid = id;
        }
        if (!field_unset(group)) {
                r = parse_id_field(p, group, true, &id, &s->gid_set, &s->gid_on_create);
                if (r < 0)
                        return r;
                s->gid = id;
        }
        return 0;
}

/* An octal mode up to 07777 after any run of the prefixes '~' (masked by
 * what exists) and ':' (only on creation); left out, the type's default. */
static int parse_mode_field(const parser *p, char type, const char *mode, tmpfiles_item_settings *s) {
        size_t prefixes;
        unsigned v;

        if (field_unset(mode)) {
                s->mode = tmpfiles_type_is(type, "dDvqQ") ? 0755 : 0644;
                return 0;
        }
        prefixes = strspn(mode, "~:");
        if (safe_atou(mode + prefixes, 8, true, &v) < 0 || v > 07777)
                return warnf(p, "bad mode '%s'", mode);
        s->mode_masked = memchr(mode, '~', prefixes) != NULL;
        s->mode_on_create = memchr(mode, ':', prefixes) != NULL;
        s->mode = v;
        s->mode_set = true;
        return 0;
}

/* The N age-by letters before a ':': lower case for files, upper case
 * for directories, blanks between them; a side left out keeps its
 * default. */
static int parse_age_by(const char *s, size_t n, unsigned *ret) {
        static const char letters[] = "abcm";
        unsigned files = 0, dirs = 0;

        for (size_t k = 0; k < n; k++) {
                bool dir = s[k] >= 'A' && s[k] <= 'Z';
                char letter = dir ? (char) (s[k] - 'A' + 'a') : s[k];
                const char *l = letter ? strchr(letters, letter) : NULL;

                if (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r')
                        continue;
                if (!l)
                        return -EINVAL;
                *(dir ? &dirs : &files) |= 1U << (l - letters);
        }
        if (files == 0 && dirs == 0)
                return -EINVAL;
        *ret = (files ?: TMPFILES_AGE_BY_DEFAULT & 0xf) | (dirs ? dirs << 4 : TMPFILES_AGE_BY_DEFAULT & 0xf0);
        return 0;
}

/* The age field: '~' first spares the first level below the directory,
 * and age-by letters with a ':' may come before the time span. */
static int parse_age_field(const parser *p, const char *age, tmpfiles_item *i) {
        const char *span, *colon;

        i->age_by = TMPFILES_AGE_BY_DEFAULT;
        if (field_unset(age))
                return 0;
        i->age_spares_first_level = age[0] == '~';
        span = age + i->age_spares_first_level;
        colon = strchr(span, ':');
        if (colon) {
                if (parse_age_by(span, (size_t) (colon - span), &i->age_by) < 0)
                        return warnf(p, "bad age-by letters '%.*s'", (int) (colon - span), span);
                span = colon + 1;
        }
        if (parse_sec(span, &i->age_usec) < 0)
                return warnf(p, "bad age '%s'", span);
        i->has_age = true;
        return 0;
}

/* ---- the argument ---- */

/* The value of a base64 character (RFC 4648, section 4), or -1. */
static int base64_digit(char c) {
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *d = c ? strchr(alphabet, c) : NULL;

        return d ? (int) (d - alphabet) : -1;
}

/* Base64 as the '~' modifier takes it: RFC 4648 with blanks allowed
 * anywhere, in groups of four characters, the last of which may end in
 * one or two '=' and nothing after them; bits that the padding leaves
 * over must be 0. The data gets a NUL after it, not counted in its size. */
static int unbase64_mem(const char *text, size_t size, char **ret, size_t *ret_size) {
        _cleanup_free_ char *out = malloc(size / 4 * 3 + 3 + 1);
        uint32_t bits = 0;      /* the group so far, 6 bits a character */
        unsigned chars = 0, pads = 0;
        bool ended = false;     /* a padded group was the last */
        size_t n = 0;

        if (!out)
                return -ENOMEM;
        for (size_t k = 0; k < size; k++) {
                int d;

                if (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' || text[k] == '\r')
                        continue;
                if (ended)
                        return -EINVAL;
                if (text[k] == '=') {
                        if (chars < 2) /* a group holds at least one byte */
                                return -EINVAL;
                        pads++;
                        d = 0;
                } else {
                        d = base64_digit(text[k]);
                        if (d < 0 || pads > 0)
                                return -EINVAL;
                }
                bits = bits << 6 | (uint32_t) d;
                if (++chars < 4)
                        continue;
                /* Four characters are 24 bits, three bytes, one less for each
                 * pad; the bits of the last character that no byte takes
                 * must be 0 (RFC 4648, 3.5). */
                if (bits & ((1U << (8 * pads)) - 1) & ~((1U << (6 * pads)) - 1))
                        return -EINVAL;
                for (unsigned b = 0; b < 3 - pads; b++)
                        out[n++] = (char) (bits >> (16 - 8 * b));
                ended = pads > 0;
                bits = 0;
                chars = 0;
        }
        if (chars != 0)
                return -EINVAL;
        out[n] = 0;
        *ret_size = n;
        *ret = TAKE_PTR(out);
        return 0;
}

/* MAJOR:MINOR of a c or b line: the major in at most 20 digits, leading
 * zeros included (as many as a 64-bit number takes), the minor as
 * safe_atou() reads it, both within the kernel's dev_t: 12 bits of major,
 * 20 of minor. */
static int parse_devnum(const char *s, dev_t *ret) {
        unsigned maj = 0, min, digits = 0;

        for (; *s >= '0' && *s <= '9'; s++, digits++)
                if (maj < 1U << 12) /* once too big, it stays so */
                        maj = maj * 10 + (unsigned) (*s - '0');
        if (digits == 0 || digits > 20 || *s != ':' || safe_atou(s + 1, 10, false, &min) < 0)
                return -EINVAL;
        if (maj >= 1U << 12 || min >= 1U << 20)
                return -ERANGE;
        *ret = makedev(maj, min);
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

        if (!tmpfiles_type_is(t, "fFwdDvqQpLcbCxXrRzZtTaAhHem"))
                return warnf(p, "unknown line type '%c'", t);
        if (unbase64 && tmpfiles_type_is(t, "LCcbtTaAhH"))
                return warnf(p, "'~' (base64) does not apply to '%c' lines", t);
        if (!arg && tmpfiles_type_is(t, "wcbtTaAhH"))
                return warnf(p, "a '%c' line needs an argument", t);
        switch (t) {
        case 'c': case 'b':
                if (parse_devnum(arg, &i->settings.devnum) < 0)
                        return warnf(p, "device number '%s' is not MAJOR:MINOR", arg);
                return 0;
        case 't': case 'T':
                return check_xattrs(p, arg);
        case 'h': case 'H':
                return attribute_valid(arg) ? 0 : warnf(p, "bad file attributes '%s'", arg);
        default:
                return 0;
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
                        return warnf(p, "bad escape in the argument '%s'", arg);
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
                        return warnf(p, "the source '%s' to copy is not an absolute path", arg);
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
                        return warnf(p, "'^' without a credential name");
                if (!credential_name_valid(arg))
                        return warnf(p, "bad credential name '%s'", arg);
                /* systemd-tmpfiles-clean.service gets no credentials, and
                 * tmpfiles skips a line whose credential is not there. */
                return LINE_SKIP;
        }
        s->argument_size = arg ? strlen(arg) : 0;
        if (unbase64 && arg) {
                char *data;
                size_t size;

                if (unbase64_mem(arg, strlen(arg), &data, &size) < 0)
                        return warnf(p, "the argument '%s' is not valid base64", arg);
                free(arg);
                arg = data;
                s->argument_size = size;
        }
        s->argument = TAKE_PTR(arg);
        return 0;
}

/* ---- one line ---- */

/* The modifiers after the type letter, each at most once, as bits. */
enum {
        MOD_BOOT = 1 << 0,      /* '!' */
        MOD_PLUS = 1 << 1,      /* '+' */
        MOD_MINUS = 1 << 2,     /* '-' */
        MOD_EQUALS = 1 << 3,    /* '=' */
        MOD_BASE64 = 1 << 4,    /* '~' */
        MOD_CREDENTIAL = 1 << 5, /* '^' */
};

static int parse_action(const parser *p, const char *action, unsigned *ret) {
        static const char order[] = "!+-=~^"; /* the MOD_* bits, in this order */
        unsigned mods = 0;

        if (action[0] == 0)
                return warnf(p, "empty line type");
        for (const char *a = action + 1; *a; a++) {
                const char *m = strchr(order, *a);
                unsigned bit = m ? 1U << (m - order) : 0;

                if (bit == 0 || (mods & bit))
                        return warnf(p, "unknown or repeated modifier in '%s'", action);
                mods |= bit;
        }
        *ret = mods;
        return 0;
}

/* The path field: specifiers, absolute, simplified, /var/run/ made /run/. */
static int make_path(const parser *p, const char *raw, char **ret) {
        _cleanup_free_ char *path = NULL, *norm = NULL;
        int r = expand_or_warn(p, "path", raw, PATH_MAX - 1, &path);

        if (r != 0)
                return r;
        if (path[0] != '/')
                return warnf(p, "path '%s' is not absolute", path);
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
                (void) warnf(p, "duplicate line for '%s' with other settings, ignoring", i->path);
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
        unsigned mods = 0;
        size_t n = 0;
        int r;

        for (; n < ELEMENTSOF(words); n++) {
                r = extract_word(&rest, words[n], 0);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return warnf(p, "unbalanced quotes or a trailing backslash");
                if (r == 0)
                        break;
        }
        if (n < 2)
                return warnf(p, "a line needs a type and a path");
        if (field_unset(rest))
                rest = NULL;
        r = parse_action(p, action, &mods);
        if (r < 0)
                return r;
        i.type = action[0];
        if (mods & MOD_BOOT)
                return parse_boot_line(p, &i, path, age);
        i.settings.plus = mods & MOD_PLUS;

        r = make_path(p, path, &i.path);
        if (r == 0)
                r = check_type(p, &i, mods & MOD_BASE64, rest);
        if (r == 0)
                r = process_argument(p, &i, rest, mods & MOD_BASE64, mods & MOD_CREDENTIAL);
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
                        (void) warnf(&p, "line of 1 MiB or more, ignoring it and the rest of the file");
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
