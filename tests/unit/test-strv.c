/* SPDX-License-Identifier: MIT */
/* String lists, and the strings formatted for them: short ones on the
 * stack first, long ones as vasprintf() makes them, the same either way. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "tap.h"

__attribute__((format(printf, 2, 3))) static int format(char **ret, const char *fmt, ...) {
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf_quick(ret, fmt, ap);
        va_end(ap);
        return n;
}

TEST(formatted_strings_of_every_length) {
        char *s, *big = malloc(2000), *want = NULL;

        check(big);
        memset(big, 'x', 1999);
        big[1999] = '\0';
        check_int(format(&s, "%s:%u", "/etc/a.conf", 7U), ==, 13);
        check_streq(s, "/etc/a.conf:7");
        free(s);
        check_int(format(&s, "%s", ""), ==, 0);
        check_streq(s, "");
        free(s);
        /* Around the stack buffer's size, and far beyond it. */
        for (size_t len = 505; len <= 520; len++) {
                check_int(format(&s, "%.*s", (int) len, big), ==, len);
                check_int(strlen(s), ==, len);
                free(s);
        }
        check_int(format(&s, "a%sb", big), ==, 2001);
        check(asprintf(&want, "a%sb", big) == 2001);
        check_streq(s, want);
        free(s);
        free(want);
        free(big);
}

TEST(lists) {
        char **l = NULL;
        size_t n = 0;

        check_int(strv_pushf(&l, &n, "%d-%s", 42, "x"), ==, 0);
        check_int(strv_extend(&l, &n, "y"), ==, 0);
        check_int(n, ==, 2);
        check_streq(l[0], "42-x");
        check(strv_contains(l, n, "y"));
        check(!strv_contains(l, n, "z"));
        strv_free_n(l, n);
}

TEST(index_in_a_name_table) {
        static const char *const names[] = { [0] = "table", [2] = "json" };

        check_int(strv_index(names, 3, "table"), ==, 0);
        check_int(strv_index(names, 3, "json"), ==, 2);
        check_int(strv_index(names, 3, "yaml"), ==, -ENOENT);
        check_int(strv_index(names, 0, "table"), ==, -ENOENT);
}

TAP_MAIN(T(formatted_strings_of_every_length), T(lists), T(index_in_a_name_table))
