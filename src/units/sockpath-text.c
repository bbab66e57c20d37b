/* SPDX-License-Identifier: MIT */
/* Paths in raw unit-file values. The values stay raw (quotes, escapes and
 * specifiers as written), so that a rewritten line keeps everything but
 * the path exactly as the admin wrote it. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "sockpath-text.h"

static bool is_path_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("._-/%@+~", c);
}

int sockpath_find(const char *value, sockpath_span **ret) {
        sockpath_span *l = NULL;
        size_t n = 0, i = 0;

        while (value[i]) {
                size_t start, end;

                if (value[i] != '/' || (i > 0 && is_path_char(value[i - 1]))) {
                        i++;
                        continue;
                }
                start = i;
                while (value[start + 1] == '/')
                        start++;
                end = start;
                while (value[end] && is_path_char(value[end]))
                        end++;
                if (end > start + 1) {
                        sockpath_span *m = reallocarray(l, n + 1, sizeof(*m));

                        if (!m) {
                                free(l);
                                return -ENOMEM;
                        }
                        l = m;
                        l[n++] = (sockpath_span) { .start = start, .len = end - start };
                }
                i = end;
        }
        *ret = l;
        return (int) n;
}

bool sockpath_looks_like_socket(const char *path) {
        const char *base = strrchr(path, '/');

        base = base ? base + 1 : path;
        for (const char *p = base; *p; p++)
                if (strncasecmp(p, "sock", 4) == 0)
                        return true;
        return false;
}

int sockpath_replace(const char *value, const char *old, const char *new, char **ret) {
        _cleanup_free_ sockpath_span *spans = NULL;
        size_t old_len = strlen(old), new_len = strlen(new), len = strlen(value), k = 0, from = 0;
        int n, hits = 0;
        char *out;

        n = sockpath_find(value, &spans);
        if (n < 0)
                return n;
        for (int i = 0; i < n; i++)
                if (spans[i].len == old_len && memcmp(value + spans[i].start, old, old_len) == 0)
                        hits++;
        if (hits == 0)
                return 0;
        out = malloc(len + (size_t) hits * new_len + 1);
        if (!out)
                return -ENOMEM;
        for (int i = 0; i < n; i++) {
                if (spans[i].len != old_len || memcmp(value + spans[i].start, old, old_len) != 0)
                        continue;
                memcpy(out + k, value + from, spans[i].start - from);
                k += spans[i].start - from;
                memcpy(out + k, new, new_len);
                k += new_len;
                from = spans[i].start + old_len;
        }
        memcpy(out + k, value + from, len - from + 1);
        *ret = out;
        return hits;
}
