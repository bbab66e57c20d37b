/* SPDX-License-Identifier: MIT */
/* Unit names: which strings are names, templates and instances, their
 * parts, and the unescaping of a prefix or an instance. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tap.h"
#include "unit-name.h"

TEST(valid_names) {
        char longest[UNIT_NAME_MAX + 2];

        check(unit_name_is_valid("a.service"));
        check(unit_name_is_valid("a@.service"));
        check(unit_name_is_valid("a@b.socket"));
        check(!unit_name_is_valid("a.conf"));
        check(!unit_name_is_valid(".service"));
        check(!unit_name_is_valid("@a.service"));
        check(!unit_name_is_valid("a@b@c.service"));
        check(!unit_name_is_valid("a b.service"));

        /* Every type systemd knows, not only the ones the guard restarts. */
        static const char *const types[] = {
                "service", "mount", "swap", "socket", "target", "device", "automount", "timer", "path", "slice", "scope",
        };
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                char name[64];

                snprintf(name, sizeof(name), "x-y_z:1\\x2d.%s", types[i]);
                check(unit_name_is_valid(name));
        }
        check(!unit_name_is_valid(NULL));
        check(!unit_name_is_valid(""));
        check(!unit_name_is_valid("service"));
        check(!unit_name_is_valid("a.Service"));
        check(!unit_name_is_valid("a/b.service"));
        check(!unit_name_is_valid("../a.service"));
        check(!unit_name_is_valid("a\n.service"));
        check(!unit_name_is_valid("a%i.service"));

        /* UNIT_NAME_MAX bytes in all, and not one more. */
        memset(longest, 'a', sizeof(longest));
        strcpy(longest + UNIT_NAME_MAX - strlen(".service"), ".service");
        check_int(strlen(longest), ==, UNIT_NAME_MAX);
        check(unit_name_is_valid(longest));
        longest[0] = 'b';
        memmove(longest + 1, longest, UNIT_NAME_MAX + 1);
        check(!unit_name_is_valid(longest));
}

TEST(suffix_template_instance) {
        check_streq(unit_name_suffix("a.b.socket"), ".socket");
        check(!unit_name_suffix("a.conf"));
        check(!unit_name_suffix("a"));

        check(unit_name_is_template("getty@.service"));
        check(!unit_name_is_template("getty@tty1.service"));
        check(!unit_name_is_template("getty.service"));
        check(unit_name_is_instance("getty@tty1.service"));
        check(!unit_name_is_instance("getty@.service"));
        check(!unit_name_is_instance("getty.service"));
}

TEST(split) {
        unit_name_parts p;

        unit_name_split("pre-fix@inst.service", &p);
        check_int(p.prefix_len, ==, 7);
        check_int(p.stem_len, ==, 12);
        check(p.instance);
        check_int(p.instance_len, ==, 4);
        check(strncmp(p.instance, "inst", 4) == 0);

        unit_name_split("foo@.socket", &p);
        check_int(p.prefix_len, ==, 3);
        check(p.instance);
        check_int(p.instance_len, ==, 0);

        unit_name_split("a.b.service", &p);
        check_int(p.prefix_len, ==, 3);
        check_int(p.stem_len, ==, 3);
        check(!p.instance);

        /* An '@' after the last dot separates no instance. */
        unit_name_split("a.b@c", &p);
        check_int(p.stem_len, ==, 1);
        check(!p.instance);
}

TEST(template_and_instance) {
        char *s;

        s = unit_name_template("getty@tty1.service");
        check_streq(s, "getty@.service");
        free(s);
        s = unit_name_template("getty@.service");
        check_streq(s, "getty@.service");
        free(s);
        check(!unit_name_template("getty.service"));
        check(!unit_name_template("getty@tty1.conf"));

        check_int(unit_name_to_instance("getty@tty1.service", &s), ==, 1);
        check_streq(s, "tty1");
        free(s);
        check_int(unit_name_to_instance("a@b\\x2dc@d.service", &s), ==, 1);
        check_streq(s, "b\\x2dc@d");
        free(s);
        check_int(unit_name_to_instance("getty@.service", &s), ==, 0);
        check(!s);
        check_int(unit_name_to_instance("getty.service", &s), ==, 0);
        check(!s);

        s = unit_name_with_instance("getty@.service", "ttyS0");
        check_streq(s, "getty@ttyS0.service");
        free(s);
        check(!unit_name_with_instance("getty.service", "x"));
}

TEST(unescape) {
        char *s;

        check_int(unit_name_unescape("dev-disk-by\\x2dlabel", 21, &s), ==, 0);
        check_streq(s, "dev/disk/by-label");
        free(s);
        /* Only LEN bytes; an escape cut short stays as it is. */
        check_int(unit_name_unescape("a\\x4", 4, &s), ==, 0);
        check_streq(s, "a\\x4");
        free(s);
        check_int(unit_name_unescape("a\\x41b", 6, &s), ==, 0);
        check_streq(s, "aAb");
        free(s);
        check_int(unit_name_unescape("a\\xzzb", 6, &s), ==, 0);
        check_streq(s, "a\\xzzb");
        free(s);
        check_int(unit_name_unescape("abc-def", 3, &s), ==, 0);
        check_streq(s, "abc");
        free(s);
        check_int(unit_name_unescape("a\\x00b", 6, &s), ==, -EINVAL);
}

TAP_MAIN(T(valid_names), T(suffix_template_instance), T(split), T(template_and_instance), T(unescape))
