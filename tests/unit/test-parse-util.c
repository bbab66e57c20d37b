/* SPDX-License-Identifier: MIT */
/* The value readers: booleans in every spelling and case systemd takes,
 * seconds with fractions and their limits, counts and uids with what
 * strtoul() would have let through (a '-', trailing text) refused. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "macro.h"
#include "parse-util.h"
#include "tap.h"

TEST(boolean) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on", "Yes", "YES", "True", "ON", "Y", "T" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off", "No", "NO", "False", "OFF", "N", "F" };
        static const char *const neither[] = { "", " yes", "yes ", "2", "ja", "enabled", "yes!", "o", "-1" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                check_int(parse_boolean(yes[i]), ==, 1);
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                check_int(parse_boolean(no[i]), ==, 0);
        for (size_t i = 0; i < ELEMENTSOF(neither); i++)
                check_int(parse_boolean(neither[i]), ==, -EINVAL);
}

TEST(seconds) {
        static const char *const bad[] = { "", "soon", "-1", "-0.5", "1e9", "1e10", "inf", "infinity", "nan",
                                           "NAN", "-nan", "1000000001", "5 parsecs" };
        uint64_t usec = 7;

        check_int(parse_seconds("0", &usec), ==, 0);
        check_int(usec, ==, 0);
        check_int(parse_seconds("600", &usec), ==, 0);
        check_int(usec, ==, 600 * USEC_PER_SEC);
        check_int(parse_seconds("0.05", &usec), ==, 0);
        check_int(usec, ==, 50 * USEC_PER_MSEC);
        check_int(parse_seconds("1000000000", &usec), ==, 0);
        check_int(usec, ==, UINT64_C(1000000000) * USEC_PER_SEC);
        /* Time spans as systemd writes them. */
        check_int(parse_seconds("6h", &usec), ==, 0);
        check_int(usec, ==, 6 * USEC_PER_HOUR);
        check_int(parse_seconds("1d 2h", &usec), ==, 0);
        check_int(usec, ==, 26 * USEC_PER_HOUR);
        check_int(parse_seconds("500ms", &usec), ==, 0);
        check_int(usec, ==, 500 * USEC_PER_MSEC);
        usec = 7;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                check_int(parse_seconds(bad[i], &usec), ==, -EINVAL);
        check_int(usec, ==, 7); /* untouched by failures */
}

/* The spellings systemd.time(7) describes, its examples among them. */
TEST(time_span) {
        static const struct {
                const char *text;
                uint64_t usec;
        } good[] = {
                { "2 h", 2 * USEC_PER_HOUR },
                { "2hours", 2 * USEC_PER_HOUR },
                { "48hr", 48 * USEC_PER_HOUR },
                { "1y 12month", 31557600 * USEC_PER_SEC + 12 * 2629800 * USEC_PER_SEC },
                { "55s500ms", 55 * USEC_PER_SEC + 500 * USEC_PER_MSEC },
                { "300ms20s 5day", 300 * USEC_PER_MSEC + 20 * USEC_PER_SEC + 5 * USEC_PER_DAY },
                { "1h30min", 90 * USEC_PER_MINUTE },
                { "1 h 30 m", 90 * USEC_PER_MINUTE },
                { "  6h  ", 6 * USEC_PER_HOUR },
                { "1d 2h", 26 * USEC_PER_HOUR },
                { "1.5h", 90 * USEC_PER_MINUTE },
                { ".5h", 30 * USEC_PER_MINUTE },
                { "0.000001", 1 },
                { "0.0000019", 1 },     /* finer than a microsecond: dropped */
                { "10", 10 * USEC_PER_SEC },
                { "5 6", 11 * USEC_PER_SEC },
                { "12.34 .56", 12900 * USEC_PER_MSEC },
                { "7us", 7 },
                { "7usec", 7 },
                { "7\xc2\xb5s", 7 },
                { "7\xce\xbcs", 7 },
                { "3msec", 3 * USEC_PER_MSEC },
                { "1second 2seconds 3sec 4s", 10 * USEC_PER_SEC },
                { "1minute 2minutes 3min 4m", 10 * USEC_PER_MINUTE },
                { "1hour 1hours", 2 * USEC_PER_HOUR },
                { "1day 1days 1d", 3 * USEC_PER_DAY },
                { "1w 1week 1weeks", 21 * USEC_PER_DAY },
                { "1M 1month 1months", 3 * 2629800 * USEC_PER_SEC },
                { "1y 1year 1years", 3 * 31557600 * USEC_PER_SEC },
                { "infinity", USEC_INFINITY },
                { " infinity ", USEC_INFINITY },
                { "0", 0 },
                { "+5s", 5 * USEC_PER_SEC },
                { "5s +1.5s", 6500 * USEC_PER_MSEC },
        };
        static const struct {
                const char *text;
                int error;
        } bad[] = {
                { "", -EINVAL },
                { "   ", -EINVAL },
                { "12.34.56", -EINVAL },
                { "3.", -EINVAL },
                { ".", -EINVAL },
                { "h", -EINVAL },
                { "+", -EINVAL },
                { "+.5h", -EINVAL },
                { "+-5", -EINVAL },
                { "5 parsecs", -EINVAL },
                { "5mins", -EINVAL },
                { "5S", -EINVAL },
                { "1e9", -EINVAL },
                { "5!", -EINVAL },
                { "1,5s", -EINVAL },
                { "infinityx", -EINVAL },
                { "1s infinity", -EINVAL },
                { "-1", -ERANGE },
                { "5s -1s", -ERANGE },
                { "99999999999999999999", -ERANGE },
                { "600000000000y", -ERANGE },
                { "18446744073709551615us", -ERANGE },
        };
        uint64_t usec;

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                usec = 7;
                check_int(parse_sec(good[i].text, &usec), ==, 0);
                check_int(usec, ==, good[i].usec);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                usec = 7;
                check_int(parse_sec(bad[i].text, &usec), ==, bad[i].error);
                check_int(usec, ==, 7);
        }
}

TEST(unsigned_count) {
        unsigned long v = 7;

        check_int(parse_unsigned("0", 1000, &v), ==, 0);
        check_int(v, ==, 0);
        check_int(parse_unsigned("1000", 1000, &v), ==, 0);
        check_int(v, ==, 1000);
        check_int(parse_unsigned(" +3", 1000, &v), ==, 0); /* as strtoul() reads it */
        check_int(v, ==, 3);
        v = 7;
        check_int(parse_unsigned("1001", 1000, &v), ==, -ERANGE);
        check_int(parse_unsigned("99999999999999999999999", 1000, &v), ==, -ERANGE);
        check_int(parse_unsigned("-1", 1000, &v), ==, -EINVAL);
        check_int(parse_unsigned(" -0", 1000, &v), ==, -EINVAL);
        check_int(parse_unsigned("", 1000, &v), ==, -EINVAL);
        check_int(parse_unsigned(" ", 1000, &v), ==, -EINVAL);
        check_int(parse_unsigned("3x", 1000, &v), ==, -EINVAL);
        check_int(parse_unsigned("3 ", 1000, &v), ==, -EINVAL);
        check_int(parse_unsigned("0x10", 1000, &v), ==, -EINVAL);
        check_int(v, ==, 7);
}

/* safe_atou(): blanks before the number, nothing after it; a sign only
 * when the caller allows one, and a minus then only on 0. */
TEST(unsigned_safe) {
        static const struct {
                const char *s;
                int base;
                bool refuse_sign;
                int r;
                unsigned v;
        } cases[] = {
                { "0", 10, true, 0, 0 },
                { "12", 10, true, 0, 12 },
                { " \t\n\r12", 10, true, 0, 12 },
                { "0012", 10, true, 0, 12 },
                { "4294967295", 10, true, 0, 4294967295u },
                { "4294967296", 10, true, -ERANGE, 0 },
                { "99999999999999999999", 10, false, -ERANGE, 0 },
                { "99999999999999999999x", 10, false, -ERANGE, 0 }, /* out of range first */
                { "", 10, false, -EINVAL, 0 },
                { " ", 10, false, -EINVAL, 0 },
                { "12 ", 10, false, -EINVAL, 0 },
                { "12x", 10, false, -EINVAL, 0 },
                { "x", 10, false, -EINVAL, 0 },
                { "+", 10, false, -EINVAL, 0 },
                { "-", 10, false, -EINVAL, 0 },
                { "+5", 10, true, -EINVAL, 0 },
                { "-5", 10, true, -EINVAL, 0 },
                { " -0", 10, true, -EINVAL, 0 },
                { "+5", 10, false, 0, 5 },
                { " +5", 10, false, 0, 5 },
                { "-0", 10, false, 0, 0 },
                { "-00", 10, false, 0, 0 },
                { "-1", 10, false, -ERANGE, 0 },
                { "-4294967295", 10, false, -ERANGE, 0 },
                { "-18446744073709551615", 10, false, -ERANGE, 0 }, /* strtoul() would wrap it to 1 */
                { "0777", 8, true, 0, 0777 },
                { "8", 8, true, -EINVAL, 0 },
                { "0x10", 8, true, -EINVAL, 0 },
                { "0x10", 16, true, 0, 16 },
                { "ff", 16, true, 0, 255 },
                { "010", 0, true, 0, 8 },
                { "12", 1, false, -EINVAL, 0 },  /* no such base */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                unsigned v = 7;
                int r = safe_atou(cases[i].s, cases[i].base, cases[i].refuse_sign, &v);

                if (r != cases[i].r)
                        printf("# '%s' base %d: %d\n", cases[i].s, cases[i].base, r);
                check_int(r, ==, cases[i].r);
                check_int(v, ==, r < 0 ? 7 : cases[i].v);
        }
}

TEST(uid) {
        uid_t u = 7;

        check_int(parse_uid("0", &u), ==, 0);
        check_int(u, ==, 0);
        check_int(parse_uid("65534", &u), ==, 0);
        check_int(u, ==, 65534);
        check_int(parse_uid("4294967294", &u), ==, 0);
        check_int(u, ==, 4294967294u);
        u = 7;
        /* (uid_t) -1 is "no uid" to chown() and setresuid(); 65535 the
         * 16-bit one; systemd refuses both, and a leading zero. */
        check_int(parse_uid("4294967295", &u), ==, -ENXIO);
        check_int(parse_uid("65535", &u), ==, -ENXIO);
        check_int(parse_uid("0100", &u), ==, -EINVAL);
        check_int(parse_uid("-1", &u), ==, -EINVAL);
        check_int(parse_uid("root", &u), ==, -EINVAL);
        check_int(u, ==, 7);
}

TAP_MAIN(T(boolean),
         T(seconds),
         T(time_span),
         T(unsigned_count),
         T(unsigned_safe),
         T(uid))
