/* SPDX-License-Identifier: MIT */
/* The one reader of each kind of value that the tools take from a command
 * line, a unit file or another tool's configuration, read the way systemd
 * reads it, so that a value means here what it means there: booleans
 * (PrivateTmp=Yes), time spans ("1h 30min"), numbers, uids. Kept apart from
 * the readers that use them so that none grows its own, subtly different
 * copy. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "parse-util.h"

#define USEC_PER_WEEK (7 * USEC_PER_DAY)
#define USEC_PER_MONTH (2629800 * USEC_PER_SEC)
#define USEC_PER_YEAR (31557600 * USEC_PER_SEC)

/* The units of systemd.time(7), each spelled as the man page lists it;
 * a month is 30.44 days and a year 365.25 days, as there. */
static const struct {
        const char *name;
        uint64_t usec;
} span_units[] = {
        { "usec", 1 },
        { "us", 1 },
        { "\xc2\xb5s", 1 }, /* U+00B5 MICRO SIGN */
        { "\xce\xbcs", 1 }, /* U+03BC GREEK SMALL LETTER MU */
        { "msec", USEC_PER_MSEC },
        { "ms", USEC_PER_MSEC },
        { "seconds", USEC_PER_SEC },
        { "second", USEC_PER_SEC },
        { "sec", USEC_PER_SEC },
        { "s", USEC_PER_SEC },
        { "minutes", USEC_PER_MINUTE },
        { "minute", USEC_PER_MINUTE },
        { "min", USEC_PER_MINUTE },
        { "m", USEC_PER_MINUTE },
        { "hours", USEC_PER_HOUR },
        { "hour", USEC_PER_HOUR },
        { "hr", USEC_PER_HOUR },
        { "h", USEC_PER_HOUR },
        { "days", USEC_PER_DAY },
        { "day", USEC_PER_DAY },
        { "d", USEC_PER_DAY },
        { "weeks", USEC_PER_WEEK },
        { "week", USEC_PER_WEEK },
        { "w", USEC_PER_WEEK },
        { "months", USEC_PER_MONTH },
        { "month", USEC_PER_MONTH },
        { "M", USEC_PER_MONTH },
        { "years", USEC_PER_YEAR },
        { "year", USEC_PER_YEAR },
        { "y", USEC_PER_YEAR },
};

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* The length of the unit word at P: ASCII letters, and the two-byte
 * micro signs. */
static size_t unit_word_len(const char *p) {
        size_t n = 0;

        for (;;)
                if ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z'))
                        n++;
                else if ((unsigned char) p[n] == 0xc2 && (unsigned char) p[n + 1] == 0xb5)
                        n += 2;
                else if ((unsigned char) p[n] == 0xce && (unsigned char) p[n + 1] == 0xbc)
                        n += 2;
                else
                        return n;
}

/* Adds V to *SUM; -ERANGE when the sum would reach USEC_INFINITY. */
static int add_usec(uint64_t *sum, uint64_t v) {
        if (v >= USEC_INFINITY - *sum)
                return -ERANGE;
        *sum += v;
        return 0;
}

/* One "NUMBER[ ]UNIT" term at *P, whose value is added to *SUM; *P moves
 * past it. */
static int parse_span_term(const char **p, uint64_t *sum) {
        const char *s = *p, *int_start, *number_end, *frac_start = NULL, *frac_end = NULL;
        uint64_t unit = USEC_PER_SEC, whole = 0, v;
        size_t len;
        int r;

        if (*s == '-')
                return -ERANGE;
        /* "+5s", as strtol() would read it; "+.5s" is no number. */
        if (*s == '+' && !is_digit(*++s))
                return -EINVAL;
        int_start = s;
        while (is_digit(*s)) {
                if (whole > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                whole = whole * 10 + (uint64_t) (*s - '0');
                s++;
        }
        if (*s == '.') {
                frac_start = ++s;
                while (is_digit(*s))
                        s++;
                frac_end = s;
                if (frac_end == frac_start)
                        return -EINVAL; /* "3." and "." */
        } else if (s == int_start)
                return -EINVAL;

        number_end = s;
        s += strspn(s, WHITESPACE);
        len = unit_word_len(s);
        if (len > 0) {
                size_t i;

                for (i = 0; i < ELEMENTSOF(span_units); i++)
                        if (strlen(span_units[i].name) == len && strncmp(s, span_units[i].name, len) == 0)
                                break;
                if (i >= ELEMENTSOF(span_units))
                        return -EINVAL;
                unit = span_units[i].usec;
                s += len;
        } else if (s == number_end && *s)
                return -EINVAL; /* "12.34.56", "5!": a bare number ends at a blank */

        if (whole >= USEC_INFINITY / unit)
                return -ERANGE;
        v = whole * unit;
        /* Each decimal place is a tenth of the one before; what is finer
         * than a microsecond is dropped. */
        if (frac_start)
                for (uint64_t place = unit / 10; frac_start < frac_end && place > 0; frac_start++, place /= 10)
                        v += (uint64_t) (*frac_start - '0') * place;
        r = add_usec(sum, v);
        if (r < 0)
                return r;
        *p = s;
        return 0;
}

int parse_sec(const char *t, uint64_t *ret) {
        const char *p = t + strspn(t, WHITESPACE);
        uint64_t sum = 0;
        int r;

        if (strncmp(p, "infinity", 8) == 0 && p[8 + strspn(p + 8, WHITESPACE)] == 0) {
                *ret = USEC_INFINITY;
                return 0;
        }
        if (*p == 0)
                return -EINVAL;
        while (*p) {
                r = parse_span_term(&p, &sum);
                if (r < 0)
                        return r;
                p += strspn(p, WHITESPACE);
        }
        *ret = sum;
        return 0;
}

int safe_atou(const char *s, int base, bool refuse_sign, unsigned *ret) {
        const char *digits = s + strspn(s, WHITESPACE);
        bool minus = digits[0] == '-';
        unsigned long v;
        char *end;

        if (refuse_sign && (minus || digits[0] == '+'))
                return -EINVAL;
        /* strtoul() takes "-N" as 2^64 - N; only "-0" is a number here. */
        errno = 0;
        v = strtoul(digits, &end, base);
        if (errno != 0)
                return -errno;
        if (end == digits || *end != '\0')
                return -EINVAL;
        if (v > (unsigned) -1 || (minus && v != 0)) /* (unsigned) -1: UINT_MAX */
                return -ERANGE;
        *ret = (unsigned) v;
        return 0;
}

int parse_boolean(const char *v) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

int parse_seconds(const char *s, uint64_t *ret_usec) {
        uint64_t usec;

        /* A time span as systemd writes it; a bare number is seconds. */
        if (parse_sec(s, &usec) < 0 || usec > (uint64_t) 1000000000 * USEC_PER_SEC)
                return -EINVAL;
        *ret_usec = usec;
        return 0;
}

int parse_unsigned(const char *s, unsigned long max, unsigned long *ret) {
        const char *p = s;
        unsigned long v;
        char *end;

        /* strtoul() would take "-1" for ULONG_MAX. */
        while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
                p++;
        if (*p == '-')
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (end == s || *end)
                return -EINVAL;
        if (errno == ERANGE || v > max)
                return -ERANGE;
        if (errno)
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_uid(const char *s, uid_t *ret) {
        unsigned u;

        if (s[0] == 0 || strchr(WHITESPACE, s[0]) || s[0] == '+' || s[0] == '-' || (s[0] == '0' && s[1] != 0))
                return -EINVAL;
        if (safe_atou(s, 10, true, &u) < 0)
                return -EINVAL;
        if (u == (unsigned) (uid_t) -1 || u == 0xFFFF)
                return -ENXIO; /* "no uid" to chown(), and the 16-bit one */
        *ret = (uid_t) u;
        return 0;
}
