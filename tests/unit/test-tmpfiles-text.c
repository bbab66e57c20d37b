/* SPDX-License-Identifier: MIT */
/* The text of a tmpfiles.d file below its fields: where lines end and how
 * long one may be, base64 arguments (the '~' modifier) and the MAJOR:MINOR
 * of device lines. Each case pins what the reader did when it was checked
 * against systemd-tmpfiles 252, so that a rewrite keeps it. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "macro.h"
#include "tap.h"
#include "test-util.h"
#include "tmpfiles.h"

#define LONG_LINE_MAX (1024 * 1024)

/* SIZE bytes of TEXT (NULs allowed) parsed as one file "t.conf". */
static void parse_n(tmpfiles_config *c, const char *text, size_t size, warnings *w) {
        *c = (tmpfiles_config) {};
        *w = (warnings) {};
        check_int(tmpfiles_config_parse(c, "t.conf", text, size, collect_warning, w), ==, 0);
}

static const tmpfiles_item *find(const tmpfiles_config *c, char type, const char *path) {
        for (size_t i = 0; i < c->n_items; i++)
                if (c->items[i].type == type && streq(c->items[i].path, path))
                        return c->items + i;
        return NULL;
}

/* read_line()'s ends: \n, \r, \0 and their pairs; the same one twice is
 * two lines, which counts for line numbers. */
TEST(line_ends) {
        static const char text[] = "x /a\r\nx /b\rx /c\n\rx /d\n\nx /e\0x /f\n\r\nx /g";
        tmpfiles_config c;
        warnings w;

        parse_n(&c, text, sizeof(text) - 1, &w);
        check_int(c.n_items, ==, 7);
        check_int(find(&c, 'x', "/a")->line, ==, 1);
        check_int(find(&c, 'x', "/b")->line, ==, 2);
        check_int(find(&c, 'x', "/c")->line, ==, 3);
        check_int(find(&c, 'x', "/d")->line, ==, 4);
        check_int(find(&c, 'x', "/e")->line, ==, 6);
        check_int(find(&c, 'x', "/f")->line, ==, 7);
        check_int(find(&c, 'x', "/g")->line, ==, 9);
        tmpfiles_config_done(&c);
}

/* Three markers at most make one end, each once; a NUL closes the end it
 * is in. */
TEST(line_end_combinations) {
        static const struct {
                const char *sep;
                size_t len;
                unsigned second_line;
        } cases[] = {
                { "\r\0", 2, 2 },       { "\n\r\0", 3, 2 },   { "\r\n\0", 3, 2 },    { "\0\n", 2, 3 },
                { "\0\r", 2, 3 },       { "\0\0", 2, 3 },     { "\r\n\r\n", 4, 3 },  { "\n\r\n", 3, 3 },
                { "\r\r", 2, 3 },       { "\n\r\0\n", 4, 3 }, { "\r\n\0\0", 4, 3 }, { "\n\n\n", 3, 4 },
        };

        for (size_t n = 0; n < ELEMENTSOF(cases); n++) {
                char text[32];
                size_t len = 0;
                tmpfiles_config c;
                warnings w;

                memcpy(text, "x /a", 4);
                len = 4;
                memcpy(text + len, cases[n].sep, cases[n].len);
                len += cases[n].len;
                memcpy(text + len, "x /b", 4);
                len += 4;
                parse_n(&c, text, len, &w);
                check_int(c.n_items, ==, 2);
                if (find(&c, 'x', "/b")->line != cases[n].second_line)
                        printf("# case %zu: /b on line %u\n", n, find(&c, 'x', "/b")->line);
                check_int(find(&c, 'x', "/b")->line, ==, cases[n].second_line);
                tmpfiles_config_done(&c);
        }
}

TEST(empty_and_end_only) {
        tmpfiles_config c;
        warnings w;

        parse_n(&c, "", 0, &w);
        check_int(c.n_items, ==, 0);
        check_int(w.count, ==, 0);
        tmpfiles_config_done(&c);
        parse_n(&c, "\n", 1, &w);
        check_int(c.n_items, ==, 0);
        tmpfiles_config_done(&c);
        parse_n(&c, "\0x /a", 5, &w);
        check_int(c.n_items, ==, 1);
        check_int(c.items[0].line, ==, 2);
        tmpfiles_config_done(&c);
}

TEST(overlong_line_ends_the_file) {
        size_t n = LONG_LINE_MAX + 64;
        char *text = malloc(n + 32);
        tmpfiles_config c;
        warnings w;

        check(text);
        strcpy(text, "x /a\nx /");
        memset(text + 8, 'b', n - 8);
        strcpy(text + n, "\nx /c\n");
        parse_n(&c, text, strlen(text), &w);
        check_int(c.n_items, ==, 1);
        check(strstr(w.text, "t.conf:2: "));
        check_int(w.count, ==, 1);
        tmpfiles_config_done(&c);
        free(text);
}

/* A line of LONG_LINE_MAX - 1 characters is read, one more ends the file;
 * the end marker does not count. */
TEST(longest_line) {
        for (size_t extra = 0; extra <= 1; extra++) {
                size_t len = LONG_LINE_MAX - 1 + extra;
                char *text = malloc(len + 32);
                tmpfiles_config c;
                warnings w;

                check(text);
                text[0] = '#';
                memset(text + 1, 'c', len - 1);
                strcpy(text + len, "\r\nx /after\n");
                parse_n(&c, text, strlen(text), &w);
                check_int(c.n_items, ==, extra ? 0 : 1);
                check_int(w.count, ==, extra ? 1 : 0);
                if (extra)
                        check(strstr(w.text, "t.conf:1: "));
                tmpfiles_config_done(&c);
                free(text);
        }
}

/* ---- base64 ---- */

/* The argument of an "f~" line as decoded, or NULL when the line was
 * rejected (with a warning on line 1). */
static char *decoded(const char *arg, size_t *ret_size) {
        char line[256];
        tmpfiles_config c;
        warnings w;
        char *r = NULL;

        snprintf(line, sizeof(line), "f~ /tmp/b64 - - - - %s\n", arg);
        parse_n(&c, line, strlen(line), &w);
        if (c.n_items == 1) {
                const tmpfiles_item_settings *s = &c.items[0].settings;

                check(s->argument);
                r = malloc(s->argument_size + 1);
                check(r);
                memcpy(r, s->argument, s->argument_size + 1);
                *ret_size = s->argument_size;
                check_int(w.count, ==, 0);
        } else {
                check_int(c.n_items, ==, 0);
                check(strstr(w.text, "t.conf:1: "));
        }
        tmpfiles_config_done(&c);
        return r;
}

TEST(base64_decoded) {
        static const struct {
                const char *in, *out;
                size_t size;
        } cases[] = {
                { "aGVsbG8=", "hello", 5 },
                { "aGVsbA==", "hell", 4 },
                { "aGVs", "hel", 3 },
                { "aGVsbG8gd29ybGQ=", "hello world", 11 },
                { "aGVs bG8=", "hello", 5 },             /* whitespace between groups */
                { "a G\tV s", "hel", 3 },                /* and inside one */
                { "aGVsbA= =", "hell", 4 },              /* even between the two pads */
                { "aGVsbG8 =", "hello", 5 },
                { "AA==", "\0", 1 },                     /* a NUL is data */
                { "AAAA", "\0\0\0", 3 },
                { "+/+/", "\xfb\xff\xbf", 3 },
                { "////", "\xff\xff\xff", 3 },
                { "\"aGVs\"", NULL, 0 },                 /* quotes are no part of base64 */
        };

        for (size_t n = 0; n < ELEMENTSOF(cases); n++) {
                size_t size = 0;
                char *out = decoded(cases[n].in, &size);

                if (!cases[n].out) {
                        check(!out);
                        continue;
                }
                if (!out)
                        printf("# '%s' was refused\n", cases[n].in);
                check(out);
                check_int(size, ==, cases[n].size);
                check(memcmp(out, cases[n].out, size) == 0);
                check_int(out[size], ==, 0);
                free(out);
        }
}

TEST(base64_refused) {
        static const char *const bad[] = {
                "!!!",
                "aGVsbG8",      /* padding left out */
                "aGVsbG",
                "aGVsb",
                "a",
                "====",
                "a===",
                "aG==bG8=",     /* data after padding */
                "aGVsbA==aGVs",
                "aGVsbG8=x",
                "aGVsbA=x",     /* one pad, then data */
                "aGVsbG9=",     /* bits left over in the last character */
                "aGVsbB==",
                "aGV*",         /* not in the alphabet */
                "aGV-",         /* base64url is not base64 */
                "aGV_",
                "aGVs.",
                "aGVs\x01",
        };

        for (size_t n = 0; n < ELEMENTSOF(bad); n++) {
                size_t size = 0;
                char *out = decoded(bad[n], &size);

                if (out)
                        printf("# '%s' was taken\n", bad[n]);
                check(!out);
        }
}

/* No argument is no base64 to decode: the line stays. */
TEST(base64_without_argument) {
        static const char text[] = "f~ /tmp/a\nf~ /tmp/b - - - - -\n";
        tmpfiles_config c;
        warnings w;

        parse_n(&c, text, strlen(text), &w);
        check_int(c.n_items, ==, 2);
        check(!c.items[0].settings.argument && !c.items[1].settings.argument);
        check_int(w.count, ==, 0);
        tmpfiles_config_done(&c);
}

/* ---- device numbers ---- */

/* The device number of a "c" line with ARG, or (dev_t) -1 when the line
 * was rejected. */
static dev_t devnum(const char *arg) {
        char line[256];
        tmpfiles_config c;
        warnings w;
        dev_t d = (dev_t) -1;

        snprintf(line, sizeof(line), "c /dev/x - - - - %s\n", arg);
        parse_n(&c, line, strlen(line), &w);
        if (c.n_items == 1)
                d = c.items[0].settings.devnum;
        else
                check(strstr(w.text, "t.conf:1: "));
        tmpfiles_config_done(&c);
        return d;
}

TEST(device_numbers) {
        static const struct {
                const char *arg;
                unsigned major, minor;
        } good[] = {
                { "1:2", 1, 2 },
                { "0:0", 0, 0 },
                { "01:002", 1, 2 },
                { "4095:1048575", 4095, 1048575 },   /* the largest of each */
                { "00000000000000000001:1", 1, 1 },   /* 20 digits */
                { "1:+2", 1, 2 },                     /* the minor as strtoul() reads it */
                { "1:-0", 1, 0 },
                { "1:\t2", 1, 2 },
        };
        static const char *const bad[] = {
                "1", ":1", "1:", "a:1", "1:a", "1:2x", "1:2:3", "+1:2", "-1:2", " 1:2x",
                "1:-1",
                "4096:0",                   /* major over 12 bits */
                "0:1048576",                /* minor over 20 bits */
                "4294967296:0",             /* over an unsigned */
                "1:4294967296",
                "99999999999999999999:1",
                "1:99999999999999999999999",
                "000000000000000000001:1",  /* 21 digits */
                "0x1:2",
        };

        for (size_t n = 0; n < ELEMENTSOF(good); n++) {
                dev_t d = devnum(good[n].arg);

                if (d == (dev_t) -1)
                        printf("# '%s' was refused\n", good[n].arg);
                check(d == makedev(good[n].major, good[n].minor));
        }
        for (size_t n = 0; n < ELEMENTSOF(bad); n++) {
                dev_t d = devnum(bad[n]);

                if (d != (dev_t) -1)
                        printf("# '%s' was taken\n", bad[n]);
                check(d == (dev_t) -1);
        }
}

TAP_MAIN(T(line_ends), T(line_end_combinations), T(empty_and_end_only), T(overlong_line_ends_the_file),
         T(longest_line), T(base64_decoded), T(base64_refused), T(base64_without_argument), T(device_numbers))
