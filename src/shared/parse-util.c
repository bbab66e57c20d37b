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

int parse_sec(const char *t, uint64_t *ret) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                { "seconds", USEC_PER_SEC }, { "second", USEC_PER_SEC },   { "sec", USEC_PER_SEC },
                { "s", USEC_PER_SEC },       { "minutes", USEC_PER_MINUTE }, { "minute", USEC_PER_MINUTE },
                { "min", USEC_PER_MINUTE },  { "months", USEC_PER_MONTH }, { "month", USEC_PER_MONTH },
                { "M", USEC_PER_MONTH },     { "msec", USEC_PER_MSEC },    { "ms", USEC_PER_MSEC },
                { "m", USEC_PER_MINUTE },    { "hours", USEC_PER_HOUR },   { "hour", USEC_PER_HOUR },
                { "hr", USEC_PER_HOUR },     { "h", USEC_PER_HOUR },       { "days", USEC_PER_DAY },
                { "day", USEC_PER_DAY },     { "d", USEC_PER_DAY },        { "weeks", USEC_PER_WEEK },
                { "week", USEC_PER_WEEK },   { "w", USEC_PER_WEEK },       { "years", USEC_PER_YEAR },
                { "year", USEC_PER_YEAR },   { "y", USEC_PER_YEAR },       { "usec", 1 },
                { "us", 1 },                 { "\xce\xbcs", 1 },           { "\xc2\xb5s", 1 },
        };
        const char *p = t + strspn(t, WHITESPACE);
        uint64_t total = 0;
        bool something = false;

        if (strncmp(p, "infinity", 8) == 0) {
                const char *s = p + 8;
                if (s[strspn(s, WHITESPACE)] != 0)
                        return -EINVAL;
                *ret = USEC_INFINITY;
                return 0;
        }
        for (;;) {
                uint64_t multiplier = USEC_PER_SEC, k;
                const char *s, *after;
                long long l;
                char *e;

                p += strspn(p, WHITESPACE);
                if (*p == 0) {
                        if (!something)
                                return -EINVAL;
                        break;
                }
                if (*p == '-')
                        return -ERANGE;
                errno = 0;
                l = strtoll(p, &e, 10);
                if (errno > 0)
                        return -errno;
                if (l < 0)
                        return -ERANGE;
                if (*e == '.')
                        p = e + 1 + strspn(e + 1, "0123456789");
                else if (e == p)
                        return -EINVAL;
                else
                        p = e;

                s = p + strspn(p, WHITESPACE);
                after = s;
                for (size_t i = 0; i < ELEMENTSOF(units); i++)
                        if (strncmp(s, units[i].suffix, strlen(units[i].suffix)) == 0) {
                                multiplier = units[i].usec;
                                after = s + strlen(units[i].suffix);
                                break;
                        }
                if (after == p && *after != 0)
                        return -EINVAL; /* "12.34.56" */
                p = after;

                if ((uint64_t) l >= USEC_INFINITY / multiplier)
                        return -ERANGE;
                k = (uint64_t) l * multiplier;
                if (k >= USEC_INFINITY - total)
                        return -ERANGE;
                total += k;
                something = true;

                if (*e == '.') {
                        uint64_t m = multiplier / 10;
                        const char *b;

                        for (b = e + 1; *b >= '0' && *b <= '9'; b++, m /= 10) {
                                k = (uint64_t) (*b - '0') * m;
                                if (k >= USEC_INFINITY - total)
                                        return -ERANGE;
                                total += k;
                        }
                        if (b == e + 1)
                                return -EINVAL; /* "3." */
                }
        }
        *ret = total;
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
