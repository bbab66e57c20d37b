/* SPDX-License-Identifier: MIT */
/* The reader side of the comparison with the real systemd
 * (tests/integration/test_unit_reader.py): prints what the unit-file
 * reader finds, one fact a line, for the test to set beside what
 * systemd-analyze reports.
 *
 *   unit-read [--root R] --paths        the search path
 *   unit-read [--root R] --enumerate    every unit name
 *   unit-read [--root R] UNIT...        per unit: "unit NAME STATE FRAGMENT",
 *                                       "name N", "dropin PATH",
 *                                       "setting FILE:LINE [SECTION] KEY=VALUE"
 * Warnings go to stderr as "FILE:LINE: MESSAGE". */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "unit-file.h"

static void warn(const char *file, unsigned line, const char *message, void *userdata) {
        fprintf(stderr, "%s:%u: %s\n", file, line, message);
}

int main(int argc, char *argv[]) {
        static const char *const states[] = { "not-found", "found", "masked" };
        const char *root = NULL;
        unit_lookup lp;
        int i = 1, r;

        if (argc > 2 && streq(argv[1], "--root")) {
                root = argv[2];
                i = 3;
        }
        if (i < argc && streq(argv[i], "--paths")) {
                char **l;
                size_t n;

                if (unit_search_path(&l, &n) < 0)
                        return 1;
                for (size_t j = 0; j < n; j++)
                        printf("%s\n", l[j]);
                strv_free_n(l, n);
                return 0;
        }
        r = unit_lookup_init(&lp, root, warn, NULL);
        if (r < 0) {
                fprintf(stderr, "unit-read: %s\n", strerror(-r));
                return 1;
        }
        if (i < argc && streq(argv[i], "--enumerate")) {
                char **l;
                size_t n;

                if (unit_enumerate(&lp, &l, &n) < 0)
                        return 1;
                for (size_t j = 0; j < n; j++)
                        printf("%s\n", l[j]);
                strv_free_n(l, n);
                unit_lookup_done(&lp);
                return 0;
        }
        for (; i < argc; i++) {
                unit_file u;

                r = unit_file_load(&lp, argv[i], &u);
                if (r < 0) {
                        fprintf(stderr, "unit-read: %s: %s\n", argv[i], strerror(-r));
                        unit_lookup_done(&lp);
                        return 1;
                }
                printf("unit %s %s %s\n", u.name, states[u.state], u.fragment ?: "-");
                for (size_t j = 0; j < u.n_names; j++)
                        printf("name %s\n", u.names[j]);
                for (size_t j = 0; j < u.n_dropins; j++)
                        printf("dropin %s\n", u.dropins[j]);
                for (size_t j = 0; j < u.n_settings; j++)
                        printf("setting %s:%u [%s] %s=%s\n", u.settings[j].file, u.settings[j].line,
                               u.settings[j].section, u.settings[j].key, u.settings[j].value);
                unit_file_done(&u);
        }
        unit_lookup_done(&lp);
        return 0;
}
