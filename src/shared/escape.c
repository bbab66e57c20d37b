/* SPDX-License-Identifier: MIT */
/* The one escaping of paths for people: tables, messages, log lines. A
 * socket path is any bytes but NUL; shown as they are, a newline would
 * make a second table row and an ESC would drive the terminal. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "macro.h"
#include "unquote.h"

/* The length of what starts at P when it can be shown as it is (a
 * printable ASCII character or a well-formed UTF-8 sequence that is no C1
 * control), else 0. */
static size_t shown_as_is(const unsigned char *p) {
        uint32_t cp;
        size_t n;

        if (*p >= 0x20 && *p < 0x7f)
                return *p == '\\' ? 0 : 1;
        if (*p < 0x80)
                return 0;
        n = utf8_decode(p, &cp);
        return cp >= 0x80 && cp < 0xa0 ? 0 : n;
}

bool string_needs_escape(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                size_t n = shown_as_is(p);

                if (n == 0)
                        return true;
                p += n;
        }
        return false;
}

size_t cescape_into(char *out, const char *s) {
        static const char hex[] = "0123456789abcdef";
        char *q = out;

        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                size_t n = shown_as_is(p);

                if (n > 0) {
                        while (n-- > 0)
                                *q++ = (char) *p++;
                        continue;
                }
                *q++ = '\\';
                switch (*p) {
                case '\\':
                        *q++ = '\\';
                        break;
                case '\a':
                        *q++ = 'a';
                        break;
                case '\b':
                        *q++ = 'b';
                        break;
                case '\t':
                        *q++ = 't';
                        break;
                case '\n':
                        *q++ = 'n';
                        break;
                case '\v':
                        *q++ = 'v';
                        break;
                case '\f':
                        *q++ = 'f';
                        break;
                case '\r':
                        *q++ = 'r';
                        break;
                default:
                        *q++ = 'x';
                        *q++ = hex[*p >> 4];
                        *q++ = hex[*p & 0xf];
                }
                p++;
        }
        *q = '\0';
        return (size_t) (q - out);
}

char *cescape(const char *s) {
        char *ret = malloc(CESCAPE_SIZE(strlen(s)));

        if (ret)
                cescape_into(ret, s);
        return ret;
}

/* Whether S is all printable: what shown_as_is() shows, and backslashes. */
static bool printable(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                size_t n = *p == '\\' ? 1 : shown_as_is(p);

                if (n == 0)
                        return false;
                p += n;
        }
        return true;
}

char *shell_quote(const char *s) {
        static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-";
        _cleanup_free_ char *escaped = NULL;
        const char *from;
        char *out, *q;

        if (*s && strspn(s, plain) == strlen(s))
                return strdup(s);
        if (printable(s)) {
                /* '...' takes every byte as it is but the quote itself,
                 * written as '"'"'. */
                out = malloc(strlen(s) * 5 + 3);
                if (!out)
                        return NULL;
                q = out;
                *q++ = '\'';
                for (const char *p = s; *p; p++)
                        if (*p == '\'')
                                q = stpcpy(q, "'\"'\"'");
                        else
                                *q++ = *p;
                *q++ = '\'';
                *q = '\0';
                return out;
        }
        /* Bash's $'...' reads cescape()'s escapes; the quote is \'. */
        escaped = cescape(s);
        if (!escaped)
                return NULL;
        out = malloc(strlen(escaped) * 2 + 4);
        if (!out)
                return NULL;
        q = stpcpy(out, "$'");
        for (from = escaped; *from; from++) {
                if (*from == '\'')
                        *q++ = '\\';
                *q++ = *from;
        }
        *q++ = '\'';
        *q = '\0';
        return out;
}
