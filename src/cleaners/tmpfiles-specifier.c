/* SPDX-License-Identifier: MIT */
/* The specifiers of tmpfiles.d lines, expanded as systemd-tmpfiles 252
 * expands them for the system instance: the machine, boot and OS ids and
 * names read from the root (the boot id and uname from the running
 * system, as tmpfiles has no other), the system manager's directories and
 * user from specifier.c, and %t %S %C %L with the root in front, as 252
 * puts it there. Which letters tmpfiles knows is specifier_tmpfiles[],
 * the list that tmpfiles-snippet and the generator go by too. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "macro.h"
#include "path-util.h"
#include "specifier.h"
#include "tmpfiles-lookups.h"
#include "tmpfiles-specifier.h"
#include "unquote.h"

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
static int specifier_lookup(const char *root, char c, char **ret) {
        const char *fixed;

        *ret = NULL;
        if (c == '%' || !strchr(specifier_tmpfiles, c))
                return -EBADSLT;
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
        }
        /* The system instance as systemd-tmpfiles-clean.service runs it:
         * as root, with no $HOME or $TMPDIR in its environment. */
        fixed = specifier_system_value(c);
        if (!fixed)
                return -EBADSLT;
        if (strchr("tSCL", c))
                return specifier_directory(root, fixed, ret);
        *ret = strdup(fixed);
        return *ret ? 0 : -ENOMEM;
}

static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* specifier_lookup(), remembered in L: the value is the caller's copy. */
static int lookup_remembered(tmpfiles_lookups *l, const char *root, char c, char **ret) {
        unsigned char k = (unsigned char) c;
        int r;

        if (!l || k >= ELEMENTSOF(l->specifier))
                return specifier_lookup(root, c, ret);
        if (!l->specifier[k].known) {
                r = specifier_lookup(root, c, &l->specifier[k].value);
                if (r == -ENOMEM)
                        return r;
                l->specifier[k].r = r;
                l->specifier[k].known = true;
        }
        *ret = NULL;
        if (l->specifier[k].r < 0)
                return l->specifier[k].r;
        if (l->specifier[k].value && !(*ret = strdup(l->specifier[k].value)))
                return -ENOMEM;
        return 0;
}

int tmpfiles_specifier_printf(struct tmpfiles_lookups *lookups, const char *root, const char *text, size_t max,
                              char **ret) {
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
                                int r = lookup_remembered(lookups, root, *f, &w);
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

bool tmpfiles_specifier_is_noinfo(int r) {
        return r == -EUNATCH || r == -ENOMEDIUM || r == -ENOPKG || r == -ENXIO;
}
