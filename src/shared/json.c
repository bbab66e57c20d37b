/* SPDX-License-Identifier: MIT */
/* The JSON writer behind --json: valid output by construction. One writer
 * belongs to one thread, so the unlocked stdio calls are safe, and they
 * halve the cost of large outputs. */

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "json.h"
#include "unquote.h"

void json_init(json_writer *w, FILE *f, bool pretty) {
        *w = (json_writer) { .f = f, .pretty = pretty };
        w->first[0] = true;
}

static void indent(json_writer *w) {
        static const char spaces[2 * JSON_DEPTH_MAX + 1] = "\n                                ";

        if (w->pretty)
                fwrite_unlocked(spaces, 1, 1 + 2 * w->depth, w->f);
}

/* Before any value or key: the comma and the line break it needs. */
static void separate(json_writer *w) {
        if (w->after_key) {
                w->after_key = false;
                return;
        }
        if (!w->first[w->depth])
                fputc_unlocked(',', w->f);
        w->first[w->depth] = false;
        if (w->depth > 0)
                indent(w);
}

static void begin(json_writer *w, char c) {
        separate(w);
        fputc_unlocked(c, w->f);
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
        fputc_unlocked(c, w->f);
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
 * backslash, and valid UTF-8 sequences. Returns the length of that run. */
static size_t plain_run(const unsigned char *p) {
        size_t n = 0;

        for (;;) {
                unsigned char c = p[n];

                if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
                        n++;
                else if (c >= 0x80 && utf8_decode(p + n, NULL) > 0)
                        n += utf8_decode(p + n, NULL);
                else
                        return n;
        }
}

static void write_string(FILE *f, const char *s) {
        fputc_unlocked('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p;) {
                size_t n = plain_run(p);

                if (n > 0) {
                        /* One call per run, not per byte: output can be large. */
                        fwrite_unlocked(p, 1, n, f);
                        p += n;
                        continue;
                }
                switch (*p) {
                case '"':
                        fputs_unlocked("\\\"", f);
                        break;
                case '\\':
                        fputs_unlocked("\\\\", f);
                        break;
                case '\n':
                        fputs_unlocked("\\n", f);
                        break;
                case '\t':
                        fputs_unlocked("\\t", f);
                        break;
                default:
                        /* A control character, or a byte that starts no
                         * valid UTF-8 sequence. */
                        if (*p < 0x20 || *p == 0x7f)
                                fprintf(f, "\\u%04x", *p);
                        else
                                fputs_unlocked("\\ufffd", f);
                        break;
                }
                p++;
        }
        fputc_unlocked('"', f);
}

void json_key(json_writer *w, const char *key) {
        separate(w);
        write_string(w->f, key);
        fputs_unlocked(w->pretty ? ": " : ":", w->f);
        w->after_key = true;
}

void json_string(json_writer *w, const char *s) {
        separate(w);
        if (s)
                write_string(w->f, s);
        else
                fputs_unlocked("null", w->f);
}

void json_uint(json_writer *w, uint64_t v) {
        separate(w);
        fprintf(w->f, "%" PRIu64, v);
}

void json_int(json_writer *w, int64_t v) {
        separate(w);
        fprintf(w->f, "%" PRIi64, v);
}

void json_double(json_writer *w, double v) {
        separate(w);
        if (isfinite(v))
                fprintf(w->f, "%.17g", v);
        else
                fputs_unlocked("null", w->f);
}

void json_bool(json_writer *w, bool v) {
        separate(w);
        fputs_unlocked(v ? "true" : "false", w->f);
}

void json_null(json_writer *w) {
        separate(w);
        fputs_unlocked("null", w->f);
}

void json_pair_string(json_writer *w, const char *key, const char *v) {
        json_key(w, key);
        json_string(w, v);
}

void json_pair_uint(json_writer *w, const char *key, uint64_t v) {
        json_key(w, key);
        json_uint(w, v);
}

void json_pair_int(json_writer *w, const char *key, int64_t v) {
        json_key(w, key);
        json_int(w, v);
}

void json_pair_double(json_writer *w, const char *key, double v) {
        json_key(w, key);
        json_double(w, v);
}

void json_pair_bool(json_writer *w, const char *key, bool v) {
        json_key(w, key);
        json_bool(w, v);
}

void json_finish(json_writer *w) {
        fputc_unlocked('\n', w->f);
}
