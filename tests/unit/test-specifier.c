/* SPDX-License-Identifier: MIT */
/* Specifier expansion as the system manager does it for one unit name:
 * plain names, instances with escapes, templates (whose paths become
 * globs), the '%' escapes, and the specifiers that cannot be expanded
 * here. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "specifier.h"
#include "tap.h"

/* TEXT expanded for NAME, which must work. */
static char *expand(const char *text, const char *name) {
        char *s = NULL, bad = 'x';

        check_int(specifier_expand_unit(text, name, &s, &bad), ==, 0);
        check_int(bad, ==, 'x'); /* untouched on success */
        return s;
}

#define check_expands(text, name, want)                 \
        do {                                            \
                char *_s = expand(text, name);          \
                check_streq(_s, want);                  \
                free(_s);                               \
        } while (0)

/* TEXT cannot be expanded for NAME; BAD is the specifier said to be why. */
static void check_refused(const char *text, const char *name, char want_bad) {
        char *s = NULL, bad = 'x';

        check_int(specifier_expand_unit(text, name, &s, &bad), ==, -EINVAL);
        check_int(bad, ==, want_bad);
        check(!s);
}

TEST(plain_name) {
        check_expands("/tmp/plain.sock", "legacyd.service", "/tmp/plain.sock");
        check_expands("/tmp/%n", "legacyd.service", "/tmp/legacyd.service");
        check_expands("/tmp/%N.sock", "legacyd.service", "/tmp/legacyd.sock");
        check_expands("/tmp/%p/%P.sock", "my-app.service", "/tmp/my-app/my/app.sock");
        check_expands("/tmp/%j-%J", "my-app.service", "/tmp/app-app");
        check_expands("/tmp/%j", "legacyd.service", "/tmp/legacyd");
        check_expands("/tmp/x%i%Iy", "legacyd.service", "/tmp/xy");
        check_expands("%f.sock", "my-app.service", "/my/app.sock");
        /* Glob characters of a plain name's path stay as they are. */
        check_expands("/tmp/a*b[1].sock", "legacyd.service", "/tmp/a*b[1].sock");
}

TEST(instance) {
        const char *n = "foo-bar@a\\x2db.service";

        check_expands("%n", n, "foo-bar@a\\x2db.service");
        check_expands("%N", n, "foo-bar@a\\x2db");
        check_expands("%p|%P", n, "foo-bar|foo/bar");
        check_expands("%i|%I", n, "a\\x2db|a-b");
        check_expands("%j|%J", n, "bar|bar");
        check_expands("%f", n, "/a-b");
        check_expands("/run/%p/%i.sock", "getty@tty1.service", "/run/getty/tty1.sock");
        /* An instance that unescapes to '/' makes a path of %I. */
        check_expands("/srv/%I.sock", "x@a-b.service", "/srv/a/b.sock");
        /* An escaped NUL unescapes to nothing a path can hold. */
        check_refused("/srv/%I", "x@a\\x00.service", 'I');
}

TEST(fixed_values_and_percent) {
        check_expands("%t|%S|%C|%L|%E|%T|%V|%h|%s", "a.service",
                      "/run|/var/lib|/var/cache|/var/log|/etc|/tmp|/var/tmp|/root|/bin/sh");
        check_expands("%u|%U|%g|%G", "a.service", "root|0|root|0");
        check_expands("100%%|%%i", "a.service", "100%|%i");
        check_expands("%t/%p.sock", "a.service", "/run/a.sock");
}

TEST(template_becomes_a_glob) {
        check_expands("/tmp/%p-%i[1].sock", "foo@.service", "/tmp/foo-*\\[1].sock");
        check_expands("/tmp/%n", "foo@.service", "/tmp/foo@*.service");
        check_expands("/tmp/%N", "foo@.service", "/tmp/foo@*");
        check_expands("/tmp/%I/x", "foo@.service", "/tmp/*/x");
        check_expands("/tmp/a*b?", "foo@.service", "/tmp/a\\*b\\?");
        check_expands("%t/%j.sock", "my-app@.service", "/run/app.sock");
        check_expands("%%", "foo@.service", "%");
        /* A backslash of the name is a glob character: escaped. */
        check_expands("/tmp/%p", "a\\x2db@.service", "/tmp/a\\\\x2db");
        check_expands("/tmp/%P", "a\\x2db@.service", "/tmp/a-b");
        /* %f is a path with slashes: no glob stands for it. */
        check_refused("%f", "foo@.service", 'f');
}

TEST(refused) {
        /* The host's names and IDs differ from machine to machine. */
        check_refused("/tmp/%H.sock", "a.service", 'H');
        check_refused("/tmp/%m", "a.service", 'm');
        check_refused("/tmp/%b", "a.service", 'b');
        check_refused("/tmp/%d", "a.service", 'd');
        check_refused("/tmp/x%", "a.service", 0);
        check_refused("/tmp/%", "a@.service", 0);
}

TEST(escape_for_glob) {
        char *s = glob_escape("a*b?c[d\\e]");

        check_streq(s, "a\\*b\\?c\\[d\\\\e]");
        free(s);
        s = glob_escape("");
        check_streq(s, "");
        free(s);
}

TAP_MAIN(T(plain_name), T(instance), T(fixed_values_and_percent), T(template_becomes_a_glob), T(refused),
         T(escape_for_glob))
