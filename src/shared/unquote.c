/* SPDX-License-Identifier: MIT */
/* systemd's quoting rules, shared by the readers of tmpfiles.d and of unit
 * files (the generator's annotations): C escapes and word splitting with
 * quotes, and which UTF-8 systemd takes as valid. Written for sockkeeper
 * (MIT) from systemd's documented behaviour (systemd.syntax(7),
 * tmpfiles.d(5)) and checked against the real systemd-tmpfiles by the
 * differential tests; no code here is taken from systemd's LGPL sources. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "unquote.h"


int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

static int unoctchar(char c) {
        return c >= '0' && c <= '7' ? c - '0' : -EINVAL;
}

/* Unicode scalar values other than the noncharacters: systemd refuses
 * U+FDD0..U+FDEF and the last two code points of every plane too. */
static bool unichar_is_valid(uint32_t cp) {
        bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
        bool noncharacter = (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;

        return cp <= 0x10ffff && !surrogate && !noncharacter;
}

size_t utf8_decode(const unsigned char *s, uint32_t *ret_cp) {
        size_t n;
        uint32_t cp;

        if (s[0] < 0x80) {
                if (ret_cp)
                        *ret_cp = s[0];
                return 1;
        }
        if ((s[0] & 0xe0) == 0xc0)
                n = 2, cp = s[0] & 0x1f;
        else if ((s[0] & 0xf0) == 0xe0)
                n = 3, cp = s[0] & 0x0f;
        else if ((s[0] & 0xf8) == 0xf0)
                n = 4, cp = s[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                return 0;
        if (ret_cp)
                *ret_cp = cp;
        return n;
}

bool utf8_is_valid(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                uint32_t cp;
                size_t n = utf8_decode(p, &cp);

                /* systemd also refuses the noncharacters. */
                if (n == 0 || !unichar_is_valid(cp))
                        return false;
                p += n;
        }
        return true;
}

/* CP as UTF-8 into OUT (room for 4); returns the bytes written, 0 past
 * U+10FFFF. The lead byte carries the length; each following byte six
 * bits, filled from the end. */
static size_t utf8_encode(char *out, uint32_t cp) {
        static const uint8_t lead_mark[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
        size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : cp <= 0x10ffff ? 4 : 0;

        if (n == 1)
                out[0] = (char) cp;
        else if (n > 1) {
                for (size_t i = n - 1; i > 0; i--, cp >>= 6)
                        out[i] = (char) (0x80 | (cp & 0x3f));
                out[0] = (char) (lead_mark[n] | cp);
        }
        return n;
}

/* Reads N hex digits of P into *RET. */
static int unhex_n(const char *p, unsigned n, uint32_t *ret) {
        uint32_t v = 0;

        for (unsigned i = 0; i < n; i++) {
                int d = unhexchar(p[i]);
                if (d < 0)
                        return d;
                v = v << 4 | (uint32_t) d;
        }
        *ret = v;
        return 0;
}

/* systemd's cunescape_one(): the escape after a backslash at P (LENGTH
 * chars left). Writes the bytes to OUT and returns the characters used.
 * NUL is refused. */
int cunescape_one(const char *p, size_t length, char *out, size_t *ret_written) {
        static const char simple_from[] = "abfnrtv\\\"'s", simple_to[] = "\a\b\f\n\r\t\v\\\"' ";
        const char *s = length < 1 ? NULL : strchr(simple_from, p[0]);
        uint32_t u;

        if (length < 1 || p[0] == 0)
                return -EINVAL;
        if (s) {
                out[0] = simple_to[s - simple_from];
                *ret_written = 1;
                return 1;
        }
        switch (p[0]) {
        case 'x':
                if (length < 3 || unhex_n(p + 1, 2, &u) < 0 || u == 0)
                        return -EINVAL;
                out[0] = (char) u;
                *ret_written = 1;
                return 3;
        case 'u':
                if (length < 5 || unhex_n(p + 1, 4, &u) < 0 || u == 0)
                        return -EINVAL;
                *ret_written = utf8_encode(out, u);
                return 5;
        case 'U':
                if (length < 9 || unhex_n(p + 1, 8, &u) < 0 || u == 0 || !unichar_is_valid(u))
                        return -EINVAL;
                *ret_written = utf8_encode(out, u);
                return 9;
        case '0' ... '7':
                u = 0;
                for (unsigned k = 0; k < 3; k++) { /* one by one: never past the NUL */
                        int d = k < length ? unoctchar(p[k]) : -EINVAL;
                        if (d < 0)
                                return -EINVAL;
                        u = u << 3 | (uint32_t) d;
                }
                if (u == 0 || u > 255)
                        return -EINVAL;
                out[0] = (char) u;
                *ret_written = 1;
                return 3;
        default:
                return -EINVAL;
        }
}

/* systemd's cunescape() without flags: invalid escapes are errors. */
int cunescape(const char *s, char **ret) {
        size_t len = strlen(s), n = 0;
        _cleanup_free_ char *out = malloc(len + 1);

        if (!out)
                return -ENOMEM;
        for (const char *f = s; f < s + len; f++) {
                size_t written = 0;
                int r;

                if (*f != '\\') {
                        out[n++] = *f;
                        continue;
                }
                r = cunescape_one(f + 1, s + len - f - 1, out + n, &written);
                if (r < 0)
                        return r;
                f += r;
                n += written;
        }
        out[n] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

/* Room for NEED bytes in *W; grown by doubling, so that many words from
 * one long line cost no more than the line. */
static int reserve(char **w, size_t *cap, size_t need) {
        char *bigger;

        if (need <= *cap)
                return 0;
        bigger = realloc(*w, need * 2);
        if (!bigger)
                return -ENOMEM;
        *w = bigger;
        *cap = need * 2;
        return 0;
}

int extract_word(const char **p, char **ret, unsigned flags) {
        _cleanup_free_ char *w = NULL;
        const char *s = *p;
        char quote = 0;
        size_t n = 0, cap = 0;

        *ret = NULL;
        if (!s)
                return 0;
        s += strspn(s, WHITESPACE);
        if (*s == 0) {
                *p = NULL;
                return 0;
        }

        for (;;) {
                if (reserve(&w, &cap, n + 5) < 0) /* a UTF-8 character and the NUL */
                        return -ENOMEM;
                if (*s == '\\') {
                        s++;
                        if (*s == 0)
                                return -EINVAL;
                        if (flags & EXTRACT_CUNESCAPE) {
                                size_t written = 0;
                                int r = cunescape_one(s, SIZE_MAX, w + n, &written);

                                if (r < 0)
                                        return -EINVAL;
                                s += r;
                                n += written;
                        } else
                                w[n++] = *s++;
                } else if (quote != 0) {
                        if (*s == 0)
                                return -EINVAL;
                        if (*s == quote)
                                quote = 0;
                        else
                                w[n++] = *s;
                        s++;
                } else if (*s == 0) {
                        s = NULL;
                        break;
                } else if (*s == '\'' || *s == '"') {
                        quote = *s++;
                } else if (strchr(WHITESPACE, *s)) {
                        s += strspn(s, WHITESPACE);
                        if (*s == 0)
                                s = NULL;
                        break;
                } else
                        w[n++] = *s++;
        }
        w[n] = 0;
        *p = s;
        *ret = TAKE_PTR(w);
        return 1;
}
