/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the unit-file line parser: any text is parsed as
 * one unit file, then the list lookups run over what came out, and the
 * parser's promises are checked: every warning names its place, every
 * setting has a section and a key without '=' or line breaks, and lines
 * only go forward. The [X-SockKeeper] annotation reader and the unit
 * specifier expansion run over the result too, as the generator uses
 * them: every Socket= word comes from a Socket= line, and expansion for a
 * plain, a template and an instance name either fails cleanly or gives a
 * string. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "annotations.h"
#include "macro.h"
#include "specifier.h"
#include "unit-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void warn(const char *file, unsigned line, const char *message, void *userdata) {
        if (!file || !streq(file, "/fuzz.service") || !message || !message[0] || line == 0)
                abort();
        (*(unsigned *) userdata)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const keys[][2] = {
                { "X-SockKeeper", "Socket" }, { "X-SockKeeper", "Protect" }, { "Socket", "ListenStream" },
                { "Service", "ExecStart" },
        };
        unit_file u = { .name = NULL };
        unsigned warnings = 0, last_line = 0;

        if (unit_file_parse(&u, "/fuzz.service", (const char *) data, size, warn, &warnings) < 0)
                abort();
        for (size_t i = 0; i < u.n_settings; i++) {
                const unit_setting *s = &u.settings[i];

                if (!s->key[0] || strpbrk(s->key, "=\n\r") || strpbrk(s->section, "\n\r") ||
                    strpbrk(s->value, "\n\r") || s->line < last_line || s->line == 0 || s->line > size + 1)
                        abort();
                last_line = s->line;
        }
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                const unit_setting **l = NULL;
                int n = unit_file_values(&u, keys[i][0], keys[i][1], UNIT_VALUES_RESET_ON_EMPTY, &l);
                const unit_setting *last = unit_file_last(&u, keys[i][0], keys[i][1]);

                if (n < 0 || (n > 0 && (!last || l[n - 1] != last)))
                        abort();
                for (int j = 0; j < n; j++)
                        if (!l[j]->value[0])
                                abort();
                free(l);
        }
        {
                static const char *const names[] = { "fuzz.service", "fuzz@.service", "fu-zz@a-b\\x2dc.service" };
                annotation a = {};

                if (annotation_parse(&u, warn, &warnings, &a) < 0)
                        abort();
                for (size_t i = 0; i < a.n_sockets; i++) {
                        if (!a.sockets[i].source || !streq(a.sockets[i].source->key, "Socket"))
                                abort();
                        for (size_t j = 0; j < ELEMENTSOF(names); j++) {
                                char *x = NULL, bad = 0;
                                int r = specifier_expand_unit(a.sockets[i].path, names[j], &x, &bad);

                                if (r == -ENOMEM || (r >= 0 && !x) || (r < 0 && r != -EINVAL))
                                        abort();
                                free(x);
                        }
                }
                annotation_done(&a);
        }
        unit_file_done(&u);
        return 0;
}
