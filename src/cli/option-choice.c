/* SPDX-License-Identifier: MIT */
/* An option that takes one of a few words (--format=), checked and
 * reported the same way by every command. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "strv.h"

int parse_choice(const char *option, const char *arg, const char *const *names, size_t n) {
        char choices[256] = "";
        int i = strv_index(names, n, arg);

        if (i >= 0)
                return i;
        for (size_t k = 0, len = 0; k < n && len < sizeof(choices); k++)
                if (names[k])
                        len += snprintf(choices + len, sizeof(choices) - len, "%s%s", len ? ", " : "", names[k]);
        (void) cli_usage_error("%s: '%s' is none of %s", option, arg, choices);
        return -EINVAL;
}
