/* SPDX-License-Identifier: MIT */
/* Reads tmpfiles.d the way systemd-tmpfiles 252 (Debian 12) does before a
 * --clean: the same directories and same-name overrides, the same line
 * grammar with its quirks, the same specifiers, the same lines rejected or
 * skipped, the same choice among duplicate lines and the same age handed
 * down to X lines, so that the evaluator works on exactly the items that
 * tmpfiles acts on. Each rule here was read in tmpfiles.c and the helpers
 * it calls, and the surprising ones were checked on the real binary. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "macro.h"
#include "path-util.h"
#include "strv.h"
#include "tmpfiles.h"
#include "unquote.h"

#define WHITESPACE " \t\n\r"
#define LONG_LINE_MAX (1024U * 1024U) /* read_line()'s limit: longer lines end the file */
#define USEC_INFINITY UINT64_MAX
#define USEC_PER_WEEK (7 * USEC_PER_DAY)
#define USEC_PER_MONTH (2629800 * USEC_PER_SEC)
#define USEC_PER_YEAR (31557600 * USEC_PER_SEC)

/* The order systemd-tmpfiles reads them in; Debian builds 252 with
 * split-usr, so /lib/tmpfiles.d is the last one. */
static const char *const config_dirs[] = {
        "/etc/tmpfiles.d", "/run/tmpfiles.d", "/usr/local/lib/tmpfiles.d", "/usr/lib/tmpfiles.d", "/lib/tmpfiles.d",
};

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

static bool type_is(char type, const char *set) {
        return type != 0 && strchr(set, type);
}


/* Line types that own their path; only between two of these does a second
 * line for the same path count as a conflicting duplicate. */
static bool takes_ownership(char type) {
        return type_is(type, "fFdeDvqQpLcbCwxXrR");
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

static char *strstrip(char *s) {
        size_t n;

        s += strspn(s, WHITESPACE);
        n = strlen(s);
        while (n > 0 && strchr(WHITESPACE, s[n - 1]))
                s[--n] = 0;
        return s;
}

/* ---- paths ---- */

static const char *skip_slash_or_dot(const char *p) {
        for (; *p != 0; p++) {
                if (*p == '/')
                        continue;
                if (p[0] == '.' && p[1] == '/') {
                        p++;
                        continue;
                }
                break;
        }
        return p;
}

/* systemd's path_find_first_component(): the next component of *P and its
 * length, skipping slashes and "." around it. 0 at the end, -EINVAL for a
 * component longer than NAME_MAX (then *P does not move). */
static int first_component(const char **p, const char **ret) {
        const char *first = skip_slash_or_dot(*p), *end, *next;
        size_t len;

        *ret = NULL;
        if (*first == 0 || streq(first, ".")) {
                *p = first + (*first != 0);
                return 0;
        }
        end = strchrnul(first, '/');
        len = end - first;
        if (len > NAME_MAX)
                return -EINVAL;
        next = skip_slash_or_dot(end);
        *p = next + streq(next, ".");
        *ret = first;
        return (int) len;
}

/* systemd's path_startswith(): what is left of PATH after the components
 * of PREFIX, or NULL. */
static const char *path_startswith(const char *path, const char *prefix) {
        if ((path[0] == '/') != (prefix[0] == '/'))
                return NULL;
        for (;;) {
                const char *a, *b;
                int r = first_component(&path, &a), k = first_component(&prefix, &b);

                if (r < 0 || k < 0)
                        return NULL;
                if (k == 0)
                        return a ?: path;
                if (r != k || strncmp(a, b, r) != 0)
                        return NULL;
        }
}

/* systemd's path_simplify(): no doubled or trailing slashes, no "." parts;
 * ".." stays. Works in place. */
static void path_simplify(char *path) {
        char *f = path;
        bool add_slash = false;

        if (*path == 0)
                return;
        if (*path == '/')
                f++;
        for (const char *p = f;;) {
                const char *q = p, *e;
                int r = first_component(&p, &e);

                if (r == 0)
                        break;
                if (add_slash)
                        *f++ = '/';
                if (r < 0) {
                        memmove(f, q, strlen(q) + 1);
                        return;
                }
                memmove(f, e, r);
                f += r;
                add_slash = true;
        }
        if (f == path)
                *f++ = '.';
        *f = 0;
}

/* ---- specifiers ---- */

/* ROOT's file, whole, or -EUNATCH when it is missing: tmpfiles then skips
 * the line ("uninitialized /etc/ detected") rather than calling it invalid. */
static int read_root_file(const char *root, const char *path, char **ret, size_t *ret_len) {
        int r = root_read_file(root, path, ret, ret_len);

        return r == -ENOENT ? -EUNATCH : r;
}

/* %m, read like id128_read_fd(ID128_FORMAT_PLAIN): empty or
 * "uninitialized" means not set up yet, anything but 32 hex digits is bad. */
static int specifier_machine_id(const char *root, char **ret) {
        _cleanup_free_ char *buf = NULL;
        char *s;
        size_t n = 0;
        int r = read_root_file(root, "/etc/machine-id", &buf, &n);

        if (r < 0)
                return r;
        if (n == 0 || ((n == 13 || n == 14) && strncmp(buf, "uninitialized\n", n) == 0))
                return -ENOMEDIUM;
        if (!(n == 32 || (n == 33 && buf[32] == '\n')))
                return -EINVAL;
        s = strndup(buf, 32);
        if (!s)
                return -ENOMEM;
        for (char *c = s; *c; c++) {
                if (unhexchar(*c) < 0) {
                        free(s);
                        return -EINVAL;
                }
                if (*c >= 'A' && *c <= 'F')
                        *c += 'a' - 'A';
        }
        *ret = s;
        return 0;
}

/* %b: the running system's boot id, never the root's. */
static int specifier_boot_id(char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0, k = 0;
        int r = read_root_file(NULL, "/proc/sys/kernel/random/boot_id", &buf, &n);
        char *s;

        if (r < 0)
                return r == -EUNATCH ? -ENOENT : r;
        s = malloc(33);
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < n && k < 32; i++)
                if (unhexchar(buf[i]) >= 0)
                        s[k++] = buf[i];
        s[k] = 0;
        if (k != 32) {
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

/* One KEY=value of ROOT's os-release (/etc first, then /usr/lib), with the
 * quotes removed; an absent key is empty. */
static int specifier_os_release(const char *root, const char *key, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t klen = strlen(key);
        int r;

        r = read_root_file(root, "/etc/os-release", &text, NULL);
        if (r == -EUNATCH)
                r = read_root_file(root, "/usr/lib/os-release", &text, NULL);
        if (r < 0)
                return r;
        for (char *line = text, *next; line; line = next) {
                char *v, *out;

                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                line = strstrip(line);
                if (strncmp(line, key, klen) != 0 || line[klen] != '=')
                        continue;
                v = line + klen + 1;
                out = v;
                for (char quote = 0; *v; v++) {
                        if (quote == 0 && (*v == '"' || *v == '\''))
                                quote = *v;
                        else if (quote != 0 && *v == quote)
                                quote = 0;
                        else if (*v == '\\' && quote != '\'' && v[1])
                                *out++ = *++v;
                        else
                                *out++ = *v;
                }
                *out = 0;
                *ret = strdup(line + klen + 1);
                return *ret ? 0 : -ENOMEM;
        }
        *ret = NULL;
        return 0;
}

static const char *architecture(const char *machine) {
        static const struct {
                const char *machine, *arch;
        } table[] = {
                { "x86_64", "x86-64" }, { "i386", "x86" },       { "i486", "x86" },
                { "i586", "x86" },      { "i686", "x86" },       { "aarch64", "arm64" },
                { "aarch64_be", "arm64-be" }, { "ppc64le", "ppc64-le" }, { "ppc64", "ppc64" },
                { "ppcle", "ppc-le" },  { "ppc", "ppc" },        { "s390x", "s390x" },
                { "s390", "s390" },     { "riscv64", "riscv64" }, { "riscv32", "riscv32" },
                { "loongarch64", "loongarch64" }, { "mips64", "mips64" }, { "mips", "mips" },
                { "alpha", "alpha" },   { "ia64", "ia64" },      { "sparc64", "sparc64" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(machine, table[i].machine))
                        return table[i].arch;
        if (strncmp(machine, "arm", 3) == 0)
                return machine[strlen(machine) - 1] == 'b' ? "arm-be" : "arm";
        return machine;
}

static int specifier_uname(char c, char **ret) {
        struct utsname u;
        const char *s;

        if (uname(&u) < 0)
                return negative_errno();
        if (c == 'v')
                s = u.release;
        else if (c == 'a')
                s = architecture(u.machine);
        else {
                s = u.nodename;
                if (s[0] == 0 || streq(s, "(none)"))
                        s = "localhost";
        }
        *ret = c == 'l' ? strndup(s, strcspn(s, ".")) : strdup(s);
        return *ret ? 0 : -ENOMEM;
}

/* %t, %S, %C, %L: systemd-tmpfiles 252 puts --root in front of these, and
 * then once more in front of the whole path, so under a root they name
 * ROOT/ROOT/run/... That is what it cleans, so that is what we say. */
static int specifier_directory(const char *root, const char *dir, char **ret) {
        *ret = path_join_root(root, dir);
        return *ret ? 0 : -ENOMEM;
}

/* The expansion of %C, or NULL for nothing. */
static int specifier_lookup(const parser *p, char c, char **ret) {
        const char *root = p->c->root;
        const char *fixed = NULL;

        *ret = NULL;
        switch (c) {
        case 'a': case 'H': case 'l': case 'v':
                return specifier_uname(c, ret);
        case 'b':
                return specifier_boot_id(ret);
        case 'm':
                return specifier_machine_id(root, ret);
        case 'B':
                return specifier_os_release(root, "BUILD_ID", ret);
        case 'o':
                return specifier_os_release(root, "ID", ret);
        case 'w':
                return specifier_os_release(root, "VERSION_ID", ret);
        case 'W':
                return specifier_os_release(root, "VARIANT_ID", ret);
        case 't':
                return specifier_directory(root, "/run", ret);
        case 'S':
                return specifier_directory(root, "/var/lib", ret);
        case 'C':
                return specifier_directory(root, "/var/cache", ret);
        case 'L':
                return specifier_directory(root, "/var/log", ret);
        /* The system instance as systemd-tmpfiles-clean.service runs it:
         * as root, with no $HOME or $TMPDIR in its environment. */
        case 'h': fixed = "/root"; break;
        case 'u': case 'g': fixed = "root"; break;
        case 'U': case 'G': fixed = "0"; break;
        case 'T': fixed = "/tmp"; break;
        case 'V': fixed = "/var/tmp"; break;
        default:
                return -EBADSLT;
        }
        *ret = strdup(fixed);
        return *ret ? 0 : -ENOMEM;
}

static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* systemd's specifier_printf(): %% is %, a known letter expands, an
 * unknown letter or digit is -EBADSLT, anything else stays as it is. */
static int specifier_printf(const parser *p, const char *text, size_t max, char **ret) {
        _cleanup_free_ char *out = NULL;
        size_t n = 0, cap = strlen(text) + 1;

        out = malloc(cap);
        if (!out)
                return -ENOMEM;
        for (const char *f = text; *f; f++) {
                _cleanup_free_ char *w = NULL;
                const char *add = f;
                size_t k = 1;

                if (*f == '%' && f[1] != 0) {
                        f++;
                        if (*f == '%')
                                add = f;
                        else if (is_alnum(*f)) {
                                int r = specifier_lookup(p, *f, &w);
                                if (r < 0)
                                        return r;
                                add = strempty(w);
                                k = strlen(add);
                        } else {
                                add = f - 1;
                                k = 2;
                        }
                }
                if (n + k + 1 > cap) {
                        char *bigger;

                        cap = (n + k + 1) * 2;
                        bigger = realloc(out, cap);
                        if (!bigger)
                                return -ENOMEM;
                        out = bigger;
                }
                memcpy(out + n, add, k);
                n += k;
                if (n > max)
                        return -ENAMETOOLONG;
        }
        out[n] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

/* The errors after which tmpfiles skips a line as "not resolvable here"
 * (ERRNO_IS_NOINFO) rather than rejecting it. */
static bool errno_is_noinfo(int r) {
        return r == -EUNATCH || r == -ENOMEDIUM || r == -ENOPKG || r == -ENXIO;
}

static int expand_or_warn(const parser *p, const char *what, const char *text, size_t max, char **ret) {
        int r = specifier_printf(p, text, max, ret);

        if (r == 0)
                return 0;
        if (r == -ENOMEM)
                return r;
        if (errno_is_noinfo(r)) {
                (void) warnf(p, "Failed to resolve specifier in %s '%s': not set up in this root, skipping", what,
                             text);
                return LINE_SKIP;
        }
        return warnf(p, "Failed to replace specifiers in %s '%s': %s", what, text,
                     r == -EBADSLT ? "unknown specifier" : strerror(-r));
}

/* ---- fields ---- */

/* systemd's parse_time(T, USEC_PER_SEC): "10d", "1h 30min", "1.5h", ".5h",
 * "infinity"; a number without a unit is seconds. */
static int parse_sec(const char *t, uint64_t *ret) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                { "seconds", USEC_PER_SEC }, { "second", USEC_PER_SEC },   { "sec", USEC_PER_SEC },
                { "s", USEC_PER_SEC },       { "minutes", USEC_PER_MINUTE }, { "minute", USEC_PER_MINUTE },
                { "min", USEC_PER_MINUTE },  { "months", USEC_PER_MONTH }, { "month", USEC_PER_MONTH },
                { "M", USEC_PER_MONTH },     { "msec", USEC_PER_MSEC },    { "ms", USEC_PER_MSEC },
                { "m", USEC_PER_MINUTE },    { "hours", USEC_PER_HOUR },   { "hour", USEC_PER_HOUR },
                { "hr", USEC_PER_HOUR },     { "h", USEC_PER_HOUR },       { "days", USEC_PER_DAY },
                { "day", USEC_PER_DAY },     { "d", USEC_PER_DAY },        { "weeks", USEC_PER_WEEK },
                { "week", USEC_PER_WEEK },   { "w", USEC_PER_WEEK },       { "years", USEC_PER_YEAR },
                { "year", USEC_PER_YEAR },   { "y", USEC_PER_YEAR },       { "usec", 1 },
                { "us", 1 },                 { "\xce\xbcs", 1 },           { "\xc2\xb5s", 1 },
        };
        const char *p = t + strspn(t, WHITESPACE);
        uint64_t total = 0;
        bool something = false;

        if (strncmp(p, "infinity", 8) == 0) {
                const char *s = p + 8;
                if (s[strspn(s, WHITESPACE)] != 0)
                        return -EINVAL;
                *ret = USEC_INFINITY;
                return 0;
        }
        for (;;) {
                uint64_t multiplier = USEC_PER_SEC, k;
                const char *s, *after;
                long long l;
                char *e;

                p += strspn(p, WHITESPACE);
                if (*p == 0) {
                        if (!something)
                                return -EINVAL;
                        break;
                }
                if (*p == '-')
                        return -ERANGE;
                errno = 0;
                l = strtoll(p, &e, 10);
                if (errno > 0)
                        return -errno;
                if (l < 0)
                        return -ERANGE;
                if (*e == '.')
                        p = e + 1 + strspn(e + 1, "0123456789");
                else if (e == p)
                        return -EINVAL;
                else
                        p = e;

                s = p + strspn(p, WHITESPACE);
                after = s;
                for (size_t i = 0; i < ELEMENTSOF(units); i++)
                        if (strncmp(s, units[i].suffix, strlen(units[i].suffix)) == 0) {
                                multiplier = units[i].usec;
                                after = s + strlen(units[i].suffix);
                                break;
                        }
                if (after == p && *after != 0)
                        return -EINVAL; /* "12.34.56" */
                p = after;

                if ((uint64_t) l >= USEC_INFINITY / multiplier)
                        return -ERANGE;
                k = (uint64_t) l * multiplier;
                if (k >= USEC_INFINITY - total)
                        return -ERANGE;
                total += k;
                something = true;

                if (*e == '.') {
                        uint64_t m = multiplier / 10;
                        const char *b;

                        for (b = e + 1; *b >= '0' && *b <= '9'; b++, m /= 10) {
                                k = (uint64_t) (*b - '0') * m;
                                if (k >= USEC_INFINITY - total)
                                        return -ERANGE;
                                total += k;
                        }
                        if (b == e + 1)
                                return -EINVAL; /* "3." */
                }
        }
        *ret = total;
        return 0;
}

/* An unsigned number in BASE, as safe_atou_full(): leading whitespace is
 * fine, a sign is refused, and so is trailing rubbish. */
static int safe_atou(const char *s, int base, bool refuse_sign, unsigned *ret) {
        unsigned long l;
        char *x = NULL;

        s += strspn(s, WHITESPACE);
        if (refuse_sign && (s[0] == '+' || s[0] == '-'))
                return -EINVAL;
        errno = 0;
        l = strtoul(s, &x, base);
        if (errno > 0)
                return -errno;
        if (!x || x == s || *x != 0)
                return -EINVAL;
        if (l != 0 && s[0] == '-')
                return -ERANGE;
        if ((unsigned long) (unsigned) l != l)
                return -ERANGE;
        *ret = (unsigned) l;
        return 0;
}

/* parse_uid(): digits only, no leading zero, and not one of the two
 * "invalid" ids. */
static int parse_uid(const char *s, uint32_t *ret) {
        unsigned u;

        if (s[0] == 0 || strchr(WHITESPACE, s[0]) || s[0] == '+' || s[0] == '-' || (s[0] == '0' && s[1] != 0))
                return -EINVAL;
        if (safe_atou(s, 10, true, &u) < 0)
                return -EINVAL;
        if (u == UINT32_MAX || u == 0xFFFF)
                return -ENXIO;
        *ret = u;
        return 0;
}

/* NAME's id in ROOT's /etc/passwd or /etc/group, read without NSS, the way
 * tmpfiles resolves names under --root. */
static int name_to_id_offline(const char *root, const char *file, const char *name, uint32_t *ret) {
        _cleanup_free_ char *text = NULL;
        size_t len = strlen(name);
        int r;

        r = root_read_file(root, file, &text, NULL);
        if (r < 0)
                return r;
        for (char *line = text, *eol; *line; line = *eol ? eol + 1 : eol) {
                char *id, *end, saved;
                unsigned u;
                int k;

                eol = strchrnul(line, '\n');
                if (strncmp(line, name, len) != 0 || line[len] != ':')
                        continue;
                id = strchr(line + len + 1, ':'); /* past the password field */
                if (!id || id > eol)
                        continue;
                id++;
                end = id + strcspn(id, ":\n");
                saved = *end;
                *end = '\0';
                k = safe_atou(id, 10, true, &u);
                *end = saved;
                if (k < 0)
                        continue;
                *ret = u;
                return 0;
        }
        return -ESRCH;
}

/* find_uid()/find_gid(): a number, "root", then NSS for the running system
 * or the root's files under --root. Names NSS does not know make the line
 * invalid. */
static int resolve_id(const parser *p, const char *name, bool group, uint32_t *ret) {
        const char *nobody = group ? "nogroup" : "nobody";

        if (parse_uid(name, ret) >= 0)
                return 0;
        if (!root_is_live(p->c->root)) {
                if (streq(name, "root")) {
                        *ret = 0;
                        return 0;
                }
                return name_to_id_offline(p->c->root, group ? "/etc/group" : "/etc/passwd", name, ret);
        }
        if (streq(name, "root") || streq(name, "0")) {
                *ret = 0;
                return 0;
        }
        if (streq(name, nobody) || streq(name, "65534")) {
                *ret = 65534;
                return 0;
        }
        if (group) {
                struct group *g = getgrnam(name);
                if (!g)
                        return -ESRCH;
                *ret = g->gr_gid;
        } else {
                struct passwd *pw = getpwnam(name);
                if (!pw)
                        return -ESRCH;
                *ret = pw->pw_uid;
        }
        return 0;
}

static bool empty_or_dash(const char *s) {
        return !s || s[0] == 0 || streq(s, "-");
}

static int parse_owner(const parser *p, const char *user, const char *group, tmpfiles_item_settings *s) {
        uint32_t id;

        if (!empty_or_dash(user)) {
                const char *u = user[0] == ':' ? user + 1 : user;

                s->uid_only_create = u != user;
                if (resolve_id(p, u, false, &id) < 0)
                        return warnf(p, "Failed to resolve user '%s'", u);
                s->uid = id;
                s->uid_set = true;
        }
        if (!empty_or_dash(group)) {
                const char *g = group[0] == ':' ? group + 1 : group;

                s->gid_only_create = g != group;
                if (resolve_id(p, g, true, &id) < 0)
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
                s->mode = type_is(type, "dDvqQ") ? 0755 : 0644;
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

        if (type_is(t, "LCcbtTaAhH") && unbase64)
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
        if (arg && !unbase64 && type_is(i->type, "CLfFw")) {
                _cleanup_free_ char *unescaped = NULL, *expanded = NULL;

                if (cunescape(arg, &unescaped) < 0)
                        return warnf(p, "Failed to unescape parameter to write: %s", arg);
                r = expand_or_warn(p, "argument", unescaped, PATH_MAX - 1, &expanded);
                if (r != 0)
                        return r;
                free(arg);
                arg = TAKE_PTR(expanded);
        }
        if (type_is(i->type, "LC") && !arg && asprintf(&arg, "/usr/share/factory%s", i->path) < 0)
                return -ENOMEM;
        if (i->type == 'C') {
                _cleanup_free_ char *full = NULL;

                if (arg[0] != '/')
                        return warnf(p, "Source path '%s' is not absolute", arg);
                path_simplify(arg);
                full = path_join_root(p->c->root, arg);
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

/* The path field: specifiers, /var/run/ made /run/, absolute, simplified. */
static int make_path(const parser *p, const char *raw, char **ret) {
        _cleanup_free_ char *path = NULL;
        const char *k;
        int r = expand_or_warn(p, "path", raw, PATH_MAX - 1, &path);

        if (r != 0)
                return r;
        k = path_startswith(path, "/var/run/");
        if (k && *k) {
                char *n;
                if (asprintf(&n, "/run/%s", k) < 0)
                        return -ENOMEM;
                free(path);
                path = n;
        }
        if (path[0] != '/')
                return warnf(p, "Path '%s' not absolute", path);
        path_simplify(path);
        *ret = TAKE_PTR(path);
        return 0;
}

static bool settings_equal(const tmpfiles_item *a, const tmpfiles_item *b) {
        const tmpfiles_item_settings *x = &a->settings, *y = &b->settings;

        return x->argument_size == y->argument_size &&
               (x->argument_size == 0 || memcmp(x->argument, y->argument, x->argument_size) == 0) &&
               x->uid_set == y->uid_set && x->uid == y->uid && x->uid_only_create == y->uid_only_create &&
               x->gid_set == y->gid_set && x->gid == y->gid && x->gid_only_create == y->gid_only_create &&
               x->mode_set == y->mode_set && x->mode == y->mode && x->mode_only_create == y->mode_only_create &&
               a->has_age == b->has_age && a->age_usec == b->age_usec && a->age_by == b->age_by &&
               x->mask_perms == y->mask_perms && a->age_spares_first_level == b->age_spares_first_level &&
               x->major_minor == y->major_minor;
}

/* is_duplicated_item(): a later line for a path that an earlier one already
 * owns, with other settings, is ignored; only w+ lines may pile up. Glob
 * lines and plain lines are kept apart, as tmpfiles keeps two tables. */
static bool is_duplicate(const tmpfiles_config *c, const tmpfiles_item *i) {
        for (size_t n = 0; n < c->n_items; n++) {
                const tmpfiles_item *e = c->items + n;

                if (e->boot_only || tmpfiles_type_is_glob(e->type) != tmpfiles_type_is_glob(i->type) || !streq(e->path, i->path))
                        continue;
                if (!takes_ownership(e->type) || !takes_ownership(i->type) || settings_equal(e, i))
                        continue;
                if (!(e->type == 'w' && e->settings.append_or_force && i->type == 'w' &&
                      i->settings.append_or_force))
                        return true;
        }
        return false;
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

        if (!i->boot_only && is_duplicate(c, i)) {
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

/* ---- after each file: the age of X lines ---- */

static bool is_directory_line(const tmpfiles_item *i) {
        return !i->boot_only && type_is(i->type, "dDvqQ");
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
static int inherit_x_ages(tmpfiles_config *c) {
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
                        else if (cand ? path_startswith(j->path, cand->path) &&
                                                fnmatch(x->path, j->path, FNM_PATHNAME | FNM_PERIOD) == 0
                                      : path_startswith(x->path, j->path) != NULL)
                                cand = j;
                }
                if (cand && cand->has_age) {
                        x->age_usec = cand->age_usec;
                        x->has_age = true;
                }
        }
        return 0;
}

/* ---- files ---- */

int tmpfiles_config_set_root(tmpfiles_config *c, const char *root) {
        char *copy = NULL;

        if (!root_is_live(root)) {
                copy = strdup(root);
                if (!copy)
                        return -ENOMEM;
                /* "ROOT/" + "/etc" would differ from what tmpfiles opens only
                 * in a doubled slash; drop it all the same. */
                for (size_t n = strlen(copy); n > 1 && copy[n - 1] == '/'; n--)
                        copy[n - 1] = 0;
        }
        free(c->root);
        c->root = copy;
        return 0;
}

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
        r = inherit_x_ages(c);
        if (r < 0)
                return r;
        return tmpfiles_config_index(c);
}

typedef struct conf_file {
        char *name;
        char *dir; /* root-relative */
} conf_file;

static int conf_file_compare(const void *a, const void *b) {
        return strcmp(((const conf_file *) a)->name, ((const conf_file *) b)->name);
}

static bool name_taken(const conf_file *files, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(files[i].name, name))
                        return true;
        return false;
}

/* files_add(): every "*.conf" entry that is not hidden, of any type, unless
 * an earlier directory had the name. */
static int list_dir(const tmpfiles_config *c, const char *dir, conf_file **files, size_t *n,
                    tmpfiles_warn_fn warn, void *userdata) {
        DIR *d;
        struct dirent *de;
        int r = root_opendir(c->root, dir, &d);

        if (r < 0) {
                if (r != -ENOENT && r != -ENOTDIR && warn)
                        warn(dir, 0, strerror(-r), userdata);
                return r == -ENOMEM ? r : 0;
        }
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                conf_file *bigger, *f;

                if (de->d_name[0] == '.' || len < 5 || !streq(de->d_name + len - 5, ".conf") ||
                    name_taken(*files, *n, de->d_name))
                        continue;
                bigger = reallocarray(*files, *n + 1, sizeof(**files));
                if (!bigger) {
                        r = -ENOMEM;
                        break;
                }
                *files = bigger;
                f = *files + (*n)++; /* counted at once, so that the caller frees it */
                *f = (conf_file) { .name = strdup(de->d_name), .dir = strdup(dir) };
                if (!f->name || !f->dir) {
                        r = -ENOMEM;
                        break;
                }
        }
        closedir(d);
        return r;
}

/* path_strv_resolve_uniq(): each directory with its symlinks resolved in
 * the root (kept as it is when missing), and each read only once. */
static int resolve_dirs(const tmpfiles_config *c, char *ret[static ELEMENTSOF(config_dirs)], size_t *ret_n) {
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(config_dirs); i++) {
                char *resolved = NULL;
                bool dup = false;
                int r = root_resolve(c->root, config_dirs[i], &resolved);

                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        if (r != -ENOENT)
                                continue;
                        resolved = strdup(config_dirs[i]);
                        if (!resolved)
                                return -ENOMEM;
                }
                for (size_t k = 0; k < n && !dup; k++)
                        dup = streq(ret[k], resolved);
                if (dup)
                        free(resolved);
                else
                        ret[n++] = resolved;
        }
        *ret_n = n;
        return 0;
}

static int read_conf_file(tmpfiles_config *c, const char *path, tmpfiles_warn_fn warn, void *userdata) {
        parser p = { .c = c, .file = path, .warn = warn, .userdata = userdata };
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int r;

        /* Symlinks resolve inside the root: one to /dev/null masks, a
         * dangling one is passed over in silence, as tmpfiles does. A FIFO
         * or a file too big to be configuration is reported and skipped,
         * and the other files are read. */
        r = root_read_file(c->root, path, &text, &size);
        if (r == -ENOMEM)
                return r;
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                (void) warnf(&p, "cannot read: %s, ignoring", root_read_strerror(r));
                return 0;
        }
        if (strv_extend(&c->files, &c->n_files, path) < 0)
                return -ENOMEM;
        return tmpfiles_config_parse(c, path, text, size, warn, userdata);
}

int tmpfiles_config_load(tmpfiles_config *c, const char *root, tmpfiles_warn_fn warn, void *userdata) {
        char *dirs[ELEMENTSOF(config_dirs)];
        conf_file *files = NULL;
        size_t n_dirs = 0, n_files = 0;
        int r;

        r = tmpfiles_config_set_root(c, root);
        if (r < 0)
                return r;
        r = resolve_dirs(c, dirs, &n_dirs);
        for (size_t i = 0; r >= 0 && i < n_dirs; i++)
                r = list_dir(c, dirs[i], &files, &n_files, warn, userdata);
        if (r >= 0 && n_files > 0)
                qsort(files, n_files, sizeof(*files), conf_file_compare);
        for (size_t i = 0; r >= 0 && i < n_files; i++) {
                _cleanup_free_ char *path = NULL;

                if (asprintf(&path, "%s/%s", streq(files[i].dir, "/") ? "" : files[i].dir, files[i].name) < 0)
                        r = -ENOMEM;
                else
                        r = read_conf_file(c, path, warn, userdata);
        }
        for (size_t i = 0; i < n_files; i++) {
                free(files[i].name);
                free(files[i].dir);
        }
        free(files);
        for (size_t i = 0; i < n_dirs; i++)
                free(dirs[i]);
        return r < 0 ? r : 0;
}

void tmpfiles_config_done(tmpfiles_config *c) {
        for (size_t i = 0; i < c->n_items; i++)
                item_free(c->items + i);
        free(c->items);
        strv_free_n(c->files, c->n_files);
        free(c->plain);
        free(c->globs);
        free(c->root);
        *c = (tmpfiles_config) {};
}
