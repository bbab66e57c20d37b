/* SPDX-License-Identifier: MIT */
/* systemd's quoting, as the readers of unit files and tmpfiles.d take it:
 * C escapes one at a time and whole (what is refused: NUL, short or bad
 * digits, code points past Unicode), words with quotes and backslashes
 * with and without EXTRACT_CUNESCAPE, and the UTF-8 that systemd accepts. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tap.h"
#include "unquote.h"

/* cunescape_one() on the escape P (after the backslash): the characters
 * used, and the bytes written. */
static void expect_escape(const char *p, int used, const char *bytes) {
        char out[4] = {};
        size_t written = 99;

        check_int(cunescape_one(p, strlen(p), out, &written), ==, used);
        check_int(written, ==, strlen(bytes));
        check(memcmp(out, bytes, written) == 0);
}

static void expect_bad_escape(const char *p, size_t length) {
        char out[4];
        size_t written = 99;

        check_int(cunescape_one(p, length, out, &written), ==, -EINVAL);
        check_int(written, ==, 99);
}

TEST(one_escape) {
        expect_escape("n", 1, "\n");
        expect_escape("t", 1, "\t");
        expect_escape("s", 1, " ");
        expect_escape("\\", 1, "\\");
        expect_escape("\"rest", 1, "\"");
        expect_escape("x41", 3, "A");
        expect_escape("x2fz", 3, "/");
        expect_escape("101", 3, "A");
        expect_escape("377", 3, "\xff");
        expect_escape("u00e9", 5, "\xc3\xa9");
        expect_escape("U0001F50C", 9, "\xf0\x9f\x94\x8c");
        /* Each boundary of the UTF-8 lengths. */
        expect_escape("u007f", 5, "\x7f");
        expect_escape("u0080", 5, "\xc2\x80");
        expect_escape("u07ff", 5, "\xdf\xbf");
        expect_escape("u0800", 5, "\xe0\xa0\x80");
        expect_escape("uffff", 5, "\xef\xbf\xbf"); /* \u is not checked, as systemd's */
        expect_escape("U00010000", 9, "\xf0\x90\x80\x80");
        expect_escape("U0010FFFD", 9, "\xf4\x8f\xbf\xbd");

        expect_bad_escape("", 0);
        expect_bad_escape("q", 1);
        expect_bad_escape("x00", 3);    /* NUL */
        expect_bad_escape("x4", 2);     /* short */
        expect_bad_escape("x4", 3);     /* the NUL is no digit */
        expect_bad_escape("xzz", 3);
        expect_bad_escape("000", 3);
        expect_bad_escape("400", 3);    /* past a byte */
        expect_bad_escape("18", 2);
        expect_bad_escape("u0000", 5);
        expect_bad_escape("u00e", 4);
        expect_bad_escape("U00110000", 9); /* past U+10FFFF */
        expect_bad_escape("U0000D800", 9); /* a surrogate */
        expect_bad_escape("U0000FDD0", 9); /* noncharacters */
        expect_bad_escape("U0001FFFE", 9);
        expect_bad_escape("x41", 2);    /* LENGTH is honoured */
}

TEST(whole_strings) {
        char *s = NULL;

        check_int(cunescape("a\\tb\\x41\\u00e9", &s), ==, 0);
        check_streq(s, "a\tbA\xc3\xa9");
        free(s);
        check_int(cunescape("", &s), ==, 0);
        check_streq(s, "");
        free(s);
        s = NULL;
        check_int(cunescape("trailing\\", &s), ==, -EINVAL);
        check_int(cunescape("\\x00", &s), ==, -EINVAL);
        check_int(cunescape("\\q", &s), ==, -EINVAL);
        check(!s);

        check_int(unhexchar('0'), ==, 0);
        check_int(unhexchar('a'), ==, 10);
        check_int(unhexchar('F'), ==, 15);
        check_int(unhexchar('g'), ==, -EINVAL);
        check_int(unhexchar('\0'), ==, -EINVAL);
}

/* Splits TEXT with FLAGS; the words, each in brackets, or NULL when
 * extract_word() failed, with its error in *RET_ERROR. */
static char *split(const char *text, unsigned flags, int *ret_error) {
        const char *p = text;
        char *joined = strdup(""), *w;
        int r;

        check(joined);
        while ((r = extract_word(&p, &w, flags)) > 0) {
                char *n;

                check(asprintf(&n, "%s[%s]", joined, w) > 0);
                free(joined);
                free(w);
                joined = n;
        }
        *ret_error = r;
        if (r < 0) {
                free(joined);
                return NULL;
        }
        check(!p); /* at the end, *P becomes NULL */
        return joined;
}

static void expect_words(const char *text, unsigned flags, const char *want) {
        int r;
        char *got = split(text, flags, &r);

        check_int(r, ==, 0);
        check_streq(got, want);
        free(got);
}

static void expect_split_error(const char *text, unsigned flags) {
        int r = 0;

        check(!split(text, flags, &r));
        check_int(r, ==, -EINVAL);
}

TEST(words) {
        expect_words("", 0, "");
        expect_words("   \t ", 0, "");
        expect_words("  one two\tthree  ", 0, "[one][two][three]");
        expect_words("'a b' \"c d\"", 0, "[a b][c d]");
        expect_words("a'b c'd", 0, "[ab cd]"); /* quotes inside a word */
        expect_words("'' x", 0, "[][x]"); /* an empty word */
        expect_words("\"it's\" 'say \"hi\"'", 0, "[it's][say \"hi\"]");
        /* Without EXTRACT_CUNESCAPE a backslash takes the next character. */
        expect_words("a\\ b \\x41 \\'q", 0, "[a b][x41]['q]");
        expect_words("\\x41 \\u00e9 a\\sb", EXTRACT_CUNESCAPE, "[A][\xc3\xa9][a b]");
        /* A backslash works inside double quotes too, as systemd has it. */
        expect_words("\"a\\\"b\"", 0, "[a\"b]");

        expect_split_error("'open", 0);
        expect_split_error("ok \"open", 0);
        expect_split_error("end\\", 0);
        expect_split_error("\\x00", EXTRACT_CUNESCAPE);
        expect_split_error("\\q", EXTRACT_CUNESCAPE);
}

TEST(utf8_decode_lengths) {
        uint32_t cp = 0;

        check_int(utf8_decode((const unsigned char *) "A", &cp), ==, 1);
        check_int(cp, ==, 'A');
        check_int(utf8_decode((const unsigned char *) "\xc3\xa9", &cp), ==, 2);
        check_int(cp, ==, 0xe9);
        check_int(utf8_decode((const unsigned char *) "\xe2\x82\xac", &cp), ==, 3);
        check_int(cp, ==, 0x20ac);
        check_int(utf8_decode((const unsigned char *) "\xf0\x9f\x94\x8c", NULL), ==, 4);
        check_int(utf8_decode((const unsigned char *) "\x80", NULL), ==, 0);    /* a continuation byte */
        check_int(utf8_decode((const unsigned char *) "\xc3", NULL), ==, 0);    /* cut short */
        check_int(utf8_decode((const unsigned char *) "\xe0\x80\xaf", NULL), ==, 0); /* overlong */
        check_int(utf8_decode((const unsigned char *) "\xf8\x88\x80\x80\x80", NULL), ==, 0);
}

TEST(utf8_as_systemd_takes_it) {
        check(utf8_is_valid(""));
        check(utf8_is_valid("/tmp/caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x8c.sock"));
        check(!utf8_is_valid("/tmp/caf\xe9.sock"));            /* Latin-1 */
        check(!utf8_is_valid("/tmp/\xc3"));                    /* cut short */
        check(!utf8_is_valid("/tmp/\xc0\xaf"));                /* overlong '/' */
        check(!utf8_is_valid("/tmp/\xed\xa0\x80"));            /* a surrogate */
        check(!utf8_is_valid("/tmp/\xef\xb7\x90"));            /* U+FDD0, a noncharacter */
        check(!utf8_is_valid("/tmp/\xef\xbf\xbe"));            /* U+FFFE */
        check(!utf8_is_valid("/tmp/\xf4\x90\x80\x80"));        /* past U+10FFFF */
}


TAP_MAIN(T(one_escape),
         T(whole_strings),
         T(words),
         T(utf8_decode_lengths),
         T(utf8_as_systemd_takes_it))
