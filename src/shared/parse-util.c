/* SPDX-License-Identifier: MIT */
/* The one reader of each kind of value the tools take from a command line
 * or a unit file: booleans as systemd spells them (so that PrivateTmp=Yes
 * means what systemd takes it to mean), the guard's seconds and counts,
 * uids. Kept apart from the readers that use them so that no reader grows
 * its own, subtly different copy. */

#include <errno.h>
#include <stdlib.h>
#include <strings.h>

#include "macro.h"
#include "parse-util.h"

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
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        /* Written so that a NaN ("nan" is a number to strtod) fails too. */
        if (errno || end == s || *end || !(v >= 0 && v <= 1e9))
                return -EINVAL;
        *ret_usec = (uint64_t) (v * (double) USEC_PER_SEC);
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
        unsigned long v;
        int r;

        r = parse_unsigned(s, (unsigned long) (uid_t) -2, &v);
        if (r < 0)
                return r;
        *ret = (uid_t) v;
        return 0;
}
