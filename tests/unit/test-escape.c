/* SPDX-License-Identifier: MIT */
/* The escaping of paths shown to people: control characters, bytes that
 * are not UTF-8 and the backslash escaped, well-formed UTF-8 kept, and
 * cunescape() giving every byte back; words quoted for a shell. */

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "macro.h"
#include "tap.h"
#include "unquote.h"

static void expect(const char *s, const char *escaped) {
        _cleanup_free_ char *e = cescape(s), *back = NULL;

        check_streq(e, escaped);
        check(string_needs_escape(s) == !streq(s, escaped));
        check_int(cunescape(e, &back), ==, 0);
        check_streq(back, s);
}

TEST(plain) {
        expect("", "");
        expect("/tmp/a.sock", "/tmp/a.sock");
        expect("/tmp/with space and \"quotes\"", "/tmp/with space and \"quotes\"");
}

TEST(control) {
        expect("/tmp/a\nb", "/tmp/a\\nb");
        expect("/tmp/\t\r\a\b\v\f", "/tmp/\\t\\r\\a\\b\\v\\f");
        expect("/tmp/\x1b[31mred", "/tmp/\\x1b[31mred");
        expect("/tmp/\x7f\x01", "/tmp/\\x7f\\x01");
        expect("/tmp/back\\slash", "/tmp/back\\\\slash");
}

TEST(utf8) {
        /* Well-formed: kept. */
        expect("/tmp/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80", "/tmp/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80");
        /* A byte that starts nothing, a cut sequence, an overlong form. */
        expect("/tmp/\xff.sock", "/tmp/\\xff.sock");
        expect("/tmp/\xe2\x82", "/tmp/\\xe2\\x82");
        expect("/tmp/\xc0\xaf", "/tmp/\\xc0\\xaf");
        /* C1 controls (U+0085, U+009B: a CSI for some terminals). */
        expect("/tmp/\xc2\x85\xc2\x9b", "/tmp/\\xc2\\x85\\xc2\\x9b");
}

TEST(shell_quote) {
        static const struct {
                const char *word, *quoted;
        } cases[] = {
                { "/usr/bin/python3", "/usr/bin/python3" },
                { "--port=80", "--port=80" },
                { "", "''" },
                { "/tmp/x/pi|pe.sock", "'/tmp/x/pi|pe.sock'" },
                { "sp ace.sock", "'sp ace.sock'" },
                { "it's", "'it'\"'\"'s'" },
                { "a\\x2db.service", "'a\\x2db.service'" },
                { "$HOME `x` *", "'$HOME `x` *'" },
                /* Not printable: bash's $'...', which reads cescape()'s escapes. */
                { "a\nb", "$'a\\nb'" },
                { "it's\t\xff", "$'it\\'s\\t\\xff'" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *q = shell_quote(cases[i].word);

                check_streq(q, cases[i].quoted);
        }
}

TAP_MAIN(T(plain),
         T(control),
         T(utf8),
         T(shell_quote))
