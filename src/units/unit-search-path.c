/* SPDX-License-Identifier: MIT */
/* The user manager's search path, in the order of user_dirs() in systemd
 * 252's lookup-paths.c, so that `migrate --user` finds the fragment and
 * the drop-ins a user's systemd would. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "unit-file.h"
#include "unit-search-path.h"

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
