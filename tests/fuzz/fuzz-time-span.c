/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the time span reader that every duration of the
 * command line, and tmpfiles.d's age field, go through: any bytes as a
 * span, with what must hold of an answer. A span read once reads the same
 * with blanks around it, and two spans joined by a blank add up. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text, *padded, *twice;
        uint64_t a, b;
        int r;

        if (size > 4096)
                return 0;
        text = malloc(size + 1);
        padded = malloc(size + 3);
        twice = malloc(2 * size + 2);
        if (!text || !padded || !twice)
                abort();
        memcpy(text, data, size);
        text[size] = 0;
        padded[0] = ' ';
        memcpy(padded + 1, text, size);
        memcpy(padded + 1 + size, " ", 2);
        memcpy(twice, text, size);
        twice[size] = ' ';
        memcpy(twice + size + 1, text, size + 1);

        r = parse_sec(text, &a);
        if (r != 0 && r != -EINVAL && r != -ERANGE)
                abort();
        if (r == 0 && strlen(text) == size) {
                if (parse_sec(padded, &b) != 0 || a != b)
                        abort();
                /* Sums below infinity; "infinity" twice is no span. */
                if (a != USEC_INFINITY && a < USEC_INFINITY / 2 && (parse_sec(twice, &b) != 0 || b != 2 * a))
                        abort();
        }
        free(text);
        free(padded);
        free(twice);
        return 0;
}
