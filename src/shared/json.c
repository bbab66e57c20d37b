/* SPDX-License-Identifier: MIT */
/* The JSON writer behind --json: valid output by construction. Output
 * can be megabytes (scan of 10,000 sockets), so it is put together in
 * the writer's own buffer, a separator, a line break and its indentation
 * in one go, strings scanned by a table, keys copied whole, numbers
 * formatted without printf. One writer belongs to one thread, so the
 * unlocked stdio call that empties the buffer is safe. */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "json.h"
#include "macro.h"
#include "unquote.h"

void json_init(json_writer *w, FILE *f, bool pretty) {
        w->f = f;
        w->pretty = pretty;
        w->depth = 0;
        w->after_key = false;
        w->used = 0;
        w->first[0] = true;
}

static void flush(json_writer *w) {
        if (w->used > 0)
                fwrite_unlocked(w->buf, 1, w->used, w->f);
        w->used = 0;
}

/* Room for N more bytes in the buffer (N at most its size). */
static inline char *reserve(json_writer *w, size_t n) {
        if (n > sizeof(w->buf) - w->used)
                flush(w);
        return w->buf + w->used;
}

static void out(json_writer *w, const void *p, size_t n) {
        if (n > sizeof(w->buf)) {
                flush(w);
                fwrite_unlocked(p, 1, n, w->f);
                return;
        }
        memcpy(reserve(w, n), p, n);
        w->used += n;
}

static inline void out_char(json_writer *w, char c) {
        *reserve(w, 1) = c;
        w->used++;
}

#define out_literal(w, s) out(w, "" s, sizeof(s) - 1)

/* A line break and the indentation of DEPTH, copied as one fixed block
 * (only 1 + 2 * DEPTH of it counts). */
static const char newline_spaces[2 + 2 * JSON_DEPTH_MAX] = "\n                                 ";

/* Before any value or key: the comma and the line break it needs, written
 * at once. */
static void separate(json_writer *w) {
        char *q;

        if (w->after_key) {
                w->after_key = false;
                return;
        }
        q = reserve(w, 1 + sizeof(newline_spaces));
        if (!w->first[w->depth])
                *q++ = ',';
        w->first[w->depth] = false;
        if (w->depth > 0 && w->pretty) {
                memcpy(q, newline_spaces, sizeof(newline_spaces));
                q += 1 + 2 * w->depth;
        }
        w->used = (size_t) (q - w->buf);
}

static void indent(json_writer *w) {
        if (!w->pretty)
                return;
        memcpy(reserve(w, sizeof(newline_spaces)), newline_spaces, sizeof(newline_spaces));
        w->used += 1 + 2 * w->depth;
}

static void begin(json_writer *w, char c) {
        separate(w);
        out_char(w, c);
        if (w->depth + 1 < JSON_DEPTH_MAX)
                w->depth++;
        w->first[w->depth] = true;
}

static void end(json_writer *w, char c) {
        bool empty = w->first[w->depth];

        if (w->depth > 0)
                w->depth--;
        if (!empty)
                indent(w);
        out_char(w, c);
        if (w->depth == 0)
                flush(w); /* the document is whole */
}

void json_begin_object(json_writer *w) {
        begin(w, '{');
}

void json_end_object(json_writer *w) {
        end(w, '}');
}

void json_begin_array(json_writer *w) {
        begin(w, '[');
}

void json_end_array(json_writer *w) {
        end(w, ']');
}

/* Bytes that go out as they are: printable ASCII but the quote and the
 * backslash. Bytes from 0x80 go out as they are within a valid UTF-8
 * sequence. */
static const bool plain[256] = {
        [0x20 ... 0x21] = true, /* '"' is 0x22 */
        [0x23 ... 0x5b] = true, /* '\\' is 0x5c */
        [0x5d ... 0x7e] = true,
};

static void write_string(json_writer *w, const char *s) {
        const unsigned char *p = (const unsigned char *) s, *run = p;

        out_char(w, '"');
        for (;;) {
                unsigned char c = *p;
                size_t n;

                if (plain[c]) {
                        p++;
                        continue;
                }
                if (c >= 0x80 && (n = utf8_decode(p, NULL)) > 0) {
                        p += n;
                        continue;
                }
                /* One copy per run, not per byte. */
                out(w, run, (size_t) (p - run));
                if (c == 0)
                        break;
                switch (c) {
                case '"':
                        out_literal(w, "\\\"");
                        break;
                case '\\':
                        out_literal(w, "\\\\");
                        break;
                case '\n':
                        out_literal(w, "\\n");
                        break;
                case '\t':
                        out_literal(w, "\\t");
                        break;
                default:
                        /* A control character, or a byte that starts no
                         * valid UTF-8 sequence. */
                        if (c < 0x20 || c == 0x7f) {
                                static const char hex[] = "0123456789abcdef";
                                char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };

                                out(w, u, sizeof(u));
                        } else
                                out_literal(w, "\\ufffd");
                        break;
                }
                run = ++p;
        }
        out_char(w, '"');
}

#define KEY_FAST_MAX 64

void json_key_literal(json_writer *w, const char *key, size_t len) {
        char *q;

        if (len > KEY_FAST_MAX) {
                (json_key)(w, key);
                return;
        }
        separate(w);
        q = reserve(w, KEY_FAST_MAX + 4);
        *q++ = '"';
        memcpy(q, key, len);
        q += len;
        *q++ = '"';
        *q++ = ':';
        if (w->pretty)
                *q++ = ' ';
        w->used = (size_t) (q - w->buf);
        w->after_key = true;
}

void (json_key)(json_writer *w, const char *key) {
        char *q;
        size_t n = 0;

        separate(w);
        /* Keys are short names that need no escaping: copied as they are
         * looked at. */
        q = reserve(w, KEY_FAST_MAX + 4);
        q[0] = '"';
        while (n < KEY_FAST_MAX && plain[(unsigned char) key[n]]) {
                q[1 + n] = key[n];
                n++;
        }
        if (key[n] == 0) {
                q += 1 + n;
                *q++ = '"';
                *q++ = ':';
                if (w->pretty)
                        *q++ = ' ';
                w->used = (size_t) (q - w->buf);
        } else {
                write_string(w, key);
                if (w->pretty)
                        out_literal(w, ": ");
                else
                        out_char(w, ':');
        }
        w->after_key = true;
}

void json_string(json_writer *w, const char *s) {
        separate(w);
        if (s)
                write_string(w, s);
        else
                out_literal(w, "null");
}

/* Whether write_string() writes S byte for byte (else some bytes become
 * U+FFFD). */
static bool keeps_bytes(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                size_t n = *p < 0x80 ? 1 : utf8_decode(p, NULL);

                if (n == 0)
                        return false;
                p += n;
        }
        return true;
}

void json_pair_path(json_writer *w, const char *key, const char *path) {
        _cleanup_free_ char *escaped = NULL;
        char escaped_key[KEY_FAST_MAX + sizeof("_escaped")];

        json_key(w, key);
        json_string(w, path);
        if (!path || keeps_bytes(path))
                return;
        /* Out of memory: a null says that the bytes are lost, not that
         * there are none to recover. */
        escaped = cescape(path);
        snprintf(escaped_key, sizeof(escaped_key), "%s_escaped", key);
        (json_key)(w, escaped_key);
        json_string(w, escaped);
}

static void write_uint(json_writer *w, uint64_t v) {
        char digits[20], *q;
        size_t i = sizeof(digits);

        do {
                digits[--i] = (char) ('0' + v % 10);
                v /= 10;
        } while (v > 0);
        q = reserve(w, sizeof(digits));
        memcpy(q, digits + i, sizeof(digits) - i);
        w->used += sizeof(digits) - i;
}

void json_uint(json_writer *w, uint64_t v) {
        separate(w);
        write_uint(w, v);
}

void json_int(json_writer *w, int64_t v) {
        separate(w);
        if (v < 0) {
                out_char(w, '-');
                write_uint(w, -(uint64_t) v);
        } else
                write_uint(w, (uint64_t) v);
}

void json_double(json_writer *w, double v) {
        char s[32];
        int n;

        separate(w);
        if (!isfinite(v)) {
                out_literal(w, "null");
                return;
        }
        n = snprintf(s, sizeof(s), "%.17g", v);
        out(w, s, n > 0 && (size_t) n < sizeof(s) ? (size_t) n : 0);
}

void json_bool(json_writer *w, bool v) {
        separate(w);
        if (v)
                out_literal(w, "true");
        else
                out_literal(w, "false");
}

void json_null(json_writer *w) {
        separate(w);
        out_literal(w, "null");
}

void json_finish(json_writer *w) {
        out_char(w, '\n');
        flush(w);
}
