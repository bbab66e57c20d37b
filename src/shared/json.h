/* SPDX-License-Identifier: MIT */
#pragma once

/* A streaming JSON writer for the tools' --json output: commas and nesting
 * are tracked, strings escaped, and the output is always valid JSON. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JSON_DEPTH_MAX 16
#define JSON_BUFFER_SIZE 65536

/* Output collects in BUF and goes to F when it is full, when the
 * top-level value ends, and at json_finish(). */
typedef struct json_writer {
        FILE *f;
        bool pretty;
        unsigned depth;
        bool first[JSON_DEPTH_MAX]; /* no element written yet at this depth */
        bool after_key;             /* a key was written; its value comes next */
        size_t used;
        char buf[JSON_BUFFER_SIZE];
} json_writer;

void json_init(json_writer *w, FILE *f, bool pretty);
void json_begin_object(json_writer *w);
void json_end_object(json_writer *w);
void json_begin_array(json_writer *w);
void json_end_array(json_writer *w);
void json_key(json_writer *w, const char *key);
/* A key that is a string literal of the program, which never needs
 * escaping: copied as it is, its length known when compiling. */
void json_key_literal(json_writer *w, const char *key, size_t len);
#define json_key(w, key) \
        (__builtin_constant_p(key) ? json_key_literal((w), (key), strlen(key)) : (json_key)((w), (key)))
/* Bytes that are not valid UTF-8 are written as U+FFFD. */
void json_string(json_writer *w, const char *s);
void json_uint(json_writer *w, uint64_t v);
void json_int(json_writer *w, int64_t v);
/* Non-finite values (NaN, infinity) have no JSON form: written as null. */
void json_double(json_writer *w, double v);
void json_bool(json_writer *w, bool v);
void json_null(json_writer *w);
/* A key and its value in one call. */
#define json_pair_string(w, key, v) (json_key((w), (key)), json_string((w), (v)))
#define json_pair_uint(w, key, v) (json_key((w), (key)), json_uint((w), (v)))
#define json_pair_int(w, key, v) (json_key((w), (key)), json_int((w), (v)))
#define json_pair_double(w, key, v) (json_key((w), (key)), json_double((w), (v)))
#define json_pair_bool(w, key, v) (json_key((w), (key)), json_bool((w), (v)))

/* A path, which may be any bytes: as json_string(), and when it is not
 * well-formed UTF-8 (so that json_string() could not keep every byte),
 * also KEY_escaped with the path as cescape() writes it. */
void json_pair_path(json_writer *w, const char *key, const char *path);

/* Ends the document with a newline. */
void json_finish(json_writer *w);
