/* SPDX-License-Identifier: MIT */
/* The JSON writer: structure, commas, escaping, invalid UTF-8. The output
 * is also checked by python's json module in the integration tests. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

static char *render(void (*build)(json_writer *w), bool pretty) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        json_writer w;

        check(f);
        json_init(&w, f, pretty);
        build(&w);
        check(fclose(f) == 0);
        return buf;
}

static void nested(json_writer *w) {
        json_begin_array(w);
        json_begin_object(w);
        json_key(w, "path");
        json_string(w, "/tmp/a.sock");
        json_key(w, "n");
        json_uint(w, 42);
        json_key(w, "neg");
        json_int(w, -7);
        json_key(w, "ok");
        json_bool(w, true);
        json_key(w, "none");
        json_null(w);
        json_key(w, "ratio");
        json_double(w, 0.25);
        json_key(w, "nan");
        json_double(w, 0.0 / 0.0);
        json_key(w, "empty");
        json_begin_array(w);
        json_end_array(w);
        json_end_object(w);
        json_begin_object(w);
        json_end_object(w);
        json_end_array(w);
}

TEST(structure_and_commas) {
        char *s = render(nested, false);
        check_streq(s, "[{\"path\":\"/tmp/a.sock\",\"n\":42,\"neg\":-7,\"ok\":true,\"none\":null,"
                       "\"ratio\":0.25,\"nan\":null,\"empty\":[]},{}]");
        free(s);
}

TEST(pretty_is_the_same_document) {
        char *s = render(nested, true);
        check_streq(s, "[\n  {\n    \"path\": \"/tmp/a.sock\",\n    \"n\": 42,\n    \"neg\": -7,\n"
                       "    \"ok\": true,\n    \"none\": null,\n    \"ratio\": 0.25,\n    \"nan\": null,\n"
                       "    \"empty\": []\n  },\n  {}\n]");
        free(s);
}

static void strings(json_writer *w) {
        json_begin_array(w);
        json_string(w, "quote\" backslash\\ nl\n tab\t bell\a del\x7f");
        json_string(w, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x8c");  /* valid UTF-8 passes */
        json_string(w, "bad\xff byte \xc3 cut \xed\xa0\x80 surrogate \xc0\xaf overlong");
        json_string(w, NULL);
        json_end_array(w);
}

TEST(escaping_and_utf8) {
        char *s = render(strings, false);
        check_streq(s, "[\"quote\\\" backslash\\\\ nl\\n tab\\t bell\\u0007 del\\u007f\","
                       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x8c\","
                       "\"bad\\ufffd byte \\ufffd cut \\ufffd\\ufffd\\ufffd surrogate \\ufffd\\ufffd overlong\","
                       "null]");
        free(s);
}

static void numbers(json_writer *w) {
        json_begin_array(w);
        json_uint(w, 0);
        json_uint(w, UINT64_MAX);
        json_int(w, INT64_MIN);
        json_int(w, -1);
        json_int(w, INT64_MAX);
        json_end_array(w);
}

TEST(number_limits) {
        char *s = render(numbers, false);
        check_streq(s, "[0,18446744073709551615,-9223372036854775808,-1,9223372036854775807]");
        free(s);
}

/* More than the writer's buffer holds, in pieces of every size: a string
 * longer than the buffer, then thousands of small values that cross its
 * end at every offset. */
static char long_text[3 * JSON_BUFFER_SIZE + 7];

static void large(json_writer *w) {
        json_begin_array(w);
        json_string(w, long_text);
        for (unsigned i = 0; i < 5000; i++)
                json_uint(w, i);
        json_end_array(w);
        json_finish(w);
}

TEST(output_larger_than_the_buffer) {
        char *s, *expect, *q;

        memset(long_text, 'a', sizeof(long_text) - 1);
        long_text[100] = '"'; /* an escape in the middle of a long run */
        s = render(large, false);
        expect = malloc(sizeof(long_text) + 5000 * 6 + 16);
        check(expect);
        q = expect + sprintf(expect, "[\"%.100s\\\"%s\"", long_text, long_text + 101);
        for (unsigned i = 0; i < 5000; i++)
                q += sprintf(q, ",%u", i);
        strcpy(q, "]\n");
        check_streq(s, expect);
        free(expect);
        free(s);
}

TAP_MAIN(T(structure_and_commas),
         T(pretty_is_the_same_document),
         T(escaping_and_utf8),
         T(number_limits),
         T(output_larger_than_the_buffer))
