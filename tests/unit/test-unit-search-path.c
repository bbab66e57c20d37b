/* SPDX-License-Identifier: MIT */
/* The search paths of the system and user managers, with and without
 * SYSTEMD_UNIT_PATH, and the lexical resolution of link targets. */

#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "tap.h"
#include "unit-search-path.h"

TEST(search_path_default) {
        static const char *const want[] = {
                "/etc/systemd/system.control", "/run/systemd/system.control", "/run/systemd/transient",
                "/run/systemd/generator.early", "/etc/systemd/system", "/etc/systemd/system.attached",
                "/run/systemd/system", "/run/systemd/system.attached", "/run/systemd/generator",
                "/usr/local/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system",
                "/run/systemd/generator.late",
        };
        char **l;
        size_t n;

        check(unsetenv("SYSTEMD_UNIT_PATH") == 0);
        check_int(unit_search_path(&l, &n), ==, 0);
        check_int(n, ==, ELEMENTSOF(want));
        for (size_t i = 0; i < n; i++)
                check_streq(l[i], want[i]);
        strv_free_n(l, n);
}

TEST(search_path_env) {
        char **l;
        size_t n;

        check(setenv("SYSTEMD_UNIT_PATH", "/a:/b//c/", 1) == 0);
        check_int(unit_search_path(&l, &n), ==, 0);
        check_int(n, ==, 2);
        check_streq(l[0], "/a");
        check_streq(l[1], "/b/c");
        strv_free_n(l, n);

        check(setenv("SYSTEMD_UNIT_PATH", "/a:/b:", 1) == 0);
        check_int(unit_search_path(&l, &n), ==, 0);
        check_int(n, ==, 15);
        check_streq(l[0], "/a");
        check_streq(l[1], "/b");
        check_streq(l[2], "/etc/systemd/system.control");
        check_streq(l[14], "/run/systemd/generator.late");
        strv_free_n(l, n);
}

TEST(user_search_path) {
        char **l;
        size_t n;

        check(unsetenv("SYSTEMD_UNIT_PATH") == 0);
        check(setenv("HOME", "/home/u", 1) == 0);
        check(unsetenv("XDG_CONFIG_HOME") == 0);
        check(unsetenv("XDG_DATA_HOME") == 0);
        check(unsetenv("XDG_CONFIG_DIRS") == 0);
        check(unsetenv("XDG_DATA_DIRS") == 0);
        check(setenv("XDG_RUNTIME_DIR", "relative/is/ignored", 1) == 0);
        check_int(unit_user_search_path(&l, &n), ==, 0);
        check_int(n, ==, 10);
        check_streq(l[0], "/home/u/.config/systemd/user.control");
        check_streq(l[1], "/home/u/.config/systemd/user");
        check_streq(l[2], "/etc/xdg/systemd/user");
        check_streq(l[3], "/etc/systemd/user");
        check_streq(l[4], "/run/systemd/user");
        check_streq(l[5], "/home/u/.local/share/systemd/user");
        check_streq(l[6], "/usr/local/share/systemd/user");
        check_streq(l[7], "/usr/share/systemd/user");
        check_streq(l[8], "/usr/local/lib/systemd/user");
        check_streq(l[9], "/usr/lib/systemd/user");
        strv_free_n(l, n);

        check(setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1) == 0);
        check(setenv("XDG_CONFIG_DIRS", "/a:rel:/b", 1) == 0);
        check_int(unit_user_search_path(&l, &n), ==, 0);
        check_streq(l[1], "/run/user/1000/systemd/user.control");
        check(strv_contains(l, n, "/a/systemd/user"));
        check(strv_contains(l, n, "/b/systemd/user"));
        check(!strv_contains(l, n, "rel/systemd/user"));
        check(!strv_contains(l, n, "/etc/xdg/systemd/user"));
        check_streq(l[n - 1], "/run/user/1000/systemd/generator.late");
        strv_free_n(l, n);

        check(setenv("SYSTEMD_UNIT_PATH", "/mine", 1) == 0);
        check_int(unit_user_search_path(&l, &n), ==, 0);
        check_int(n, ==, 1);
        check_streq(l[0], "/mine");
        strv_free_n(l, n);
        check(unsetenv("SYSTEMD_UNIT_PATH") == 0);
        check(unsetenv("XDG_RUNTIME_DIR") == 0);
        check(unsetenv("XDG_CONFIG_DIRS") == 0);
}

TEST(default_ignores_the_variable) {
        char **l;
        size_t n;

        check(setenv("SYSTEMD_UNIT_PATH", "/a", 1) == 0);
        check_int(unit_search_path_default(&l, &n), ==, 0);
        check_int(n, ==, 13);
        check_streq(l[0], "/etc/systemd/system.control");
        check_streq(l[10], "/lib/systemd/system");
        check_streq(l[11], "/usr/lib/systemd/system");
        strv_free_n(l, n);
        check(unsetenv("SYSTEMD_UNIT_PATH") == 0);
}

TEST(resolve_dots) {
        static const char *const cases[][2] = {
                { "/dev/null", "/dev/null" },
                { "/dev/./null", "/dev/null" },
                { "//dev//null/", "/dev/null" },
                { "/a/b/../../dev/null", "/dev/null" },
                { "/../..", "/" },
                { "", "/" },
                { "rel/x", "/rel/x" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *s = path_resolve_dots(cases[i][0]);

                check_streq(s, cases[i][1]);
                free(s);
        }
}

TAP_MAIN(T(search_path_default), T(search_path_env), T(default_ignores_the_variable), T(user_search_path),
         T(resolve_dots))
