/* SPDX-License-Identifier: MIT */
/* The unit search paths of the systemd 252 managers, in the order of
 * lookup-paths.c of 252: the system manager's (with Debian's split-usr
 * /lib/systemd/system) and the user manager's (user_dirs(), from $HOME
 * and the XDG variables, so that `migrate --user` finds the fragment and
 * the drop-ins a user's systemd would), and SYSTEMD_UNIT_PATH over
 * either. */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "unit-search-path.h"

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

char *path_resolve_dots(const char *p) {
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

/* The search path from DEFAULTS, or SYSTEMD_UNIT_PATH: see unit_search_path(). */
static int unit_search_path_with(const char *const *defaults, size_t n_defaults, char ***ret, size_t *ret_n) {
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

int unit_search_path_default(char ***ret, size_t *ret_n) {
        char **l = NULL;
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(default_dirs); i++)
                if (strv_extend(&l, &n, default_dirs[i]) < 0) {
                        strv_free_n(l, n);
                        return -ENOMEM;
                }
        *ret = l;
        *ret_n = n;
        return 0;
}

/* An absolute $NAME, or NULL: systemd ignores relative XDG values. */
static const char *abs_env(const char *name) {
        const char *v = getenv(name);
        return v && v[0] == '/' ? v : NULL;
}

static int add(char ***l, size_t *n, const char *a, const char *b) {
        char *s;

        if (!a)
                return 0;
        if (asprintf(&s, "%s%s", a, b) < 0)
                return -ENOMEM;
        return strv_push(l, n, s);
}

/* Each ':'-separated absolute entry of VALUE (or of FALLBACK) + SUFFIX. */
static int add_list(char ***l, size_t *n, const char *value, const char *fallback, const char *suffix) {
        const char *p = value && value[0] ? value : fallback;
        int r = 0;

        while (r >= 0 && *p) {
                size_t len = strcspn(p, ":");
                _cleanup_free_ char *e = strndup(p, len);

                if (!e)
                        return -ENOMEM;
                if (e[0] == '/')
                        r = add(l, n, e, suffix);
                p += len;
                if (*p == ':')
                        p++;
        }
        return r;
}

int unit_user_search_path(char ***ret, size_t *ret_n) {
        const char *home = abs_env("HOME"), *rt = abs_env("XDG_RUNTIME_DIR");
        const char *config = abs_env("XDG_CONFIG_HOME"), *data = abs_env("XDG_DATA_HOME");
        _cleanup_free_ char *config_home = NULL, *data_home = NULL;
        char **l = NULL;
        size_t n = 0;
        int r = 0;

        if (config)
                config_home = strdup(config);
        else if (home && asprintf(&config_home, "%s/.config", home) < 0)
                config_home = NULL;
        if (data)
                data_home = strdup(data);
        else if (home && asprintf(&data_home, "%s/.local/share", home) < 0)
                data_home = NULL;
        if ((!config_home && (config || home)) || (!data_home && (data || home)))
                return -ENOMEM;

        if (r >= 0)
                r = add(&l, &n, config_home, "/systemd/user.control");
        if (r >= 0)
                r = add(&l, &n, rt, "/systemd/user.control");
        if (r >= 0)
                r = add(&l, &n, rt, "/systemd/transient");
        if (r >= 0)
                r = add(&l, &n, rt, "/systemd/generator.early");
        if (r >= 0)
                r = add(&l, &n, config_home, "/systemd/user");
        if (r >= 0)
                r = add_list(&l, &n, getenv("XDG_CONFIG_DIRS"), "/etc/xdg", "/systemd/user");
        if (r >= 0)
                r = add(&l, &n, "/etc/systemd/user", "");
        if (r >= 0)
                r = add(&l, &n, rt, "/systemd/user");
        if (r >= 0)
                r = add(&l, &n, "/run/systemd/user", "");
        if (r >= 0)
                r = add(&l, &n, rt, "/systemd/generator");
        if (r >= 0)
                r = add(&l, &n, data_home, "/systemd/user");
        if (r >= 0)
                r = add_list(&l, &n, getenv("XDG_DATA_DIRS"), "/usr/local/share:/usr/share", "/systemd/user");
        if (r >= 0)
                r = add(&l, &n, "/usr/local/lib/systemd/user", "");
        if (r >= 0)
                r = add(&l, &n, "/usr/lib/systemd/user", "");
        if (r >= 0)
                r = add(&l, &n, rt, "/systemd/generator.late");
        if (r >= 0)
                r = unit_search_path_with((const char *const *) l, n, ret, ret_n);
        strv_free_n(l, n);
        return r;
}
