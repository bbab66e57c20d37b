/* SPDX-License-Identifier: MIT */
/* Naming for `sockkeeper migrate`: pure functions of names and paths, so
 * that the plan is the same for the same unit on every machine, and the
 * unit tests (test-migrate-map) pin it down. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "migrate-map.h"
#include "path-util.h"
#include "socket-path.h"
#include "specifier.h"
#include "unit-name.h"
#include "unquote.h"

/* What %t can be: "/run" for the system manager, /run/user/UID for a user's. */
#define RUNTIME_SYSTEM "/run"
#define RUNTIME_USER_MAX "/run/user/4294967295"
/* Specifiers that expand to paths (with '/'): a file name holding one
 * cannot be kept as a file name. */
#define PATH_SPECIFIERS "CdEfhLsStTVyY"
/* An instance name can be up to a unit name long; count a short one, as
 * systemd itself cannot know the length before an instance exists. */
#define INSTANCE_GUESS 16

static bool is_name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-';
}

int migrate_runtime_name(const char *unit, bool per_instance, char **ret) {
        unit_name_parts parts;
        const char *end;
        size_t k = 0;
        char *s;

        if (!unit_name_is_valid(unit))
                return -EINVAL;
        unit_name_split(unit, &parts);
        end = unit + parts.prefix_len;
        s = malloc(parts.prefix_len + 4);
        if (!s)
                return -ENOMEM;
        for (const char *p = unit; p < end; p++) {
                char c = *p;

                if (c == '\\' && p + 3 < end && p[1] == 'x' && unhexchar(p[2]) >= 0 && unhexchar(p[3]) >= 0) {
                        c = (char) (unhexchar(p[2]) << 4 | unhexchar(p[3]));
                        p += 3;
                }
                s[k++] = is_name_char(c) ? c : '_';
        }
        /* "." and ".." are no directory names of their own; a leading dot
         * would hide the directory. */
        if (k > 0 && s[0] == '.')
                s[0] = '_';
        if (parts.instance && per_instance) {
                memcpy(s + k, "-%i", 3);
                k += 3;
        }
        s[k] = 0;
        if (k == 0) {
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

const char *migrate_basename(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

/* The length PATH has at the most once its specifiers are expanded;
 * %% is one byte, %i and friends an instance's guessed length. */
static size_t expanded_length(const char *path, bool user) {
        size_t n = 0;

        for (const char *p = path; *p; p++) {
                if (*p != '%' || !p[1]) {
                        n++;
                        continue;
                }
                p++;
                if (*p == 't')
                        n += strlen(user ? RUNTIME_USER_MAX : RUNTIME_SYSTEM);
                else if (*p == '%')
                        n++;
                else
                        n += INSTANCE_GUESS;
        }
        return n;
}

int migrate_map_path(const char *old, const char *name, bool user, char **ret) {
        const char *base;
        char *s;

        if (old[0] != '/')
                return -EINVAL;
        base = migrate_basename(old);
        if (!*base || streq(base, ".") || streq(base, ".."))
                return -EINVAL;
        for (const char *p = old; (p = strstr(p, "/..")); p += 3)
                if (p[3] == '/' || p[3] == 0)
                        return -EINVAL;
        for (const char *p = base; *p; p++)
                if (*p == '%') {
                        if (!p[1] || strchr(PATH_SPECIFIERS, p[1]))
                                return -EINVAL;
                        p++;
                }
        if (asprintf(&s, "%%t/%s/%s", name, base) < 0)
                return -ENOMEM;
        if (expanded_length(s, user) > SOCKET_PATH_MAX) {
                free(s);
                return -ENAMETOOLONG;
        }
        *ret = s;
        return 0;
}

bool migrate_path_is_runtime(const char *path, const char *runtime_dir) {
        if (strncmp(path, "%t/", 3) == 0 || streq(path, "%t"))
                return true;
        if (runtime_dir && runtime_dir[0] == '/' && path_is_under(runtime_dir, path))
                return true;
        return path_is_under("/run", path) || path_is_under("/var/run", path);
}

int migrate_expand_instance(const char *text, const char *instance, char **ret) {
        _cleanup_free_ char *unescaped = NULL;
        size_t len = 0, k, il = strlen(instance);
        char *out;
        int r;

        /* %I: the instance with unit-name escapes undone, '-' as '/'. */
        r = unit_name_unescape(instance, il, &unescaped);
        if (r < 0)
                return r;
        k = strlen(unescaped);

        for (const char *p = text; *p; p++)
                len += *p == '%' ? il + k + 2 : 1;
        out = malloc(len + 1);
        if (!out)
                return -ENOMEM;
        k = 0;
        for (const char *p = text; *p; p++) {
                const char *add;

                if (*p != '%') {
                        out[k++] = *p;
                        continue;
                }
                switch (p[1]) {
                case 'i':
                        add = instance;
                        break;
                case 'I':
                        add = unescaped;
                        break;
                default:
                        /* tmpfiles knows %t, %% and the host ones; the unit's own
                         * names (%n %p %j ...) it does not. */
                        if (p[1] && strchr(specifier_tmpfiles, p[1])) {
                                out[k++] = *p;
                                out[k++] = *++p;
                                continue;
                        }
                        free(out);
                        return -EINVAL;
                }
                p++;
                memcpy(out + k, add, strlen(add));
                k += strlen(add);
        }
        out[k] = 0;
        *ret = out;
        return 0;
}
