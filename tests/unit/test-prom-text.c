/* SPDX-License-Identifier: MIT */
/* Prometheus' text format: label values escaped as the format wants
 * (backslash, quote, newline), bytes that are not well-formed UTF-8
 * (stray continuation bytes, overlong forms, surrogates, a sequence cut
 * short) as \xNN while valid multibyte characters stay; the family
 * headers; the file written by rename and only over its own. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "prom-text.h"
#include "tap.h"
#include "test-util.h"

static char *label(const char *value) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        check(f);
        prom_label_value(f, value);
        check(fclose(f) == 0);
        return buf;
}

static void expect_label(const char *value, const char *want) {
        _cleanup_free_ char *got = label(value);

        check_streq(got, want);
}

TEST(label_escapes) {
        expect_label("/tmp/a.sock", "\"/tmp/a.sock\"");
        expect_label("a\\b\"c\nd\te", "\"a\\\\b\\\"c\\nd\te\"");
        expect_label("", "\"\"");
        /* Valid UTF-8 stays as it is. */
        expect_label("/tmp/caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x98\x80", "\"/tmp/caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x98\x80\"");
}

TEST(label_invalid_utf8) {
        expect_label("a\xff" "b", "\"a\\\\xffb\"");
        expect_label("\x80", "\"\\\\x80\"");
        /* Overlong '/', a surrogate, a sequence cut short at the end. */
        expect_label("\xc0\xaf", "\"\\\\xc0\\\\xaf\"");
        expect_label("\xed\xa0\x80", "\"\\\\xed\\\\xa0\\\\x80\"");
        expect_label("x\xe2\x82", "\"x\\\\xe2\\\\x82\"");
}

TEST(text_and_family) {
        _cleanup_(prom_text_done) prom_text t = {};

        check(prom_text_open(&t, "written by test") == 0);
        prom_family(t.f, "x_total", "counter", "Things.");
        fputs("x_total 1\n", t.f);
        check(prom_text_close(&t) == 0);
        check_streq(t.data, PROM_TEXT_MARK " written by test\n# HELP x_total Things.\n# TYPE x_total counter\n"
                            "x_total 1\n");
}

TEST(write_file) {
        _cleanup_free_ char *dir = scratch_dir(), *path = NULL, *other = NULL;
        const char *data = PROM_TEXT_MARK "\nx 1\n";
        struct stat a, b;

        check(asprintf(&path, "%s/m.prom", dir) >= 0 && asprintf(&other, "%s/o.prom", dir) >= 0);
        check(prom_write_file(path, data, strlen(data), false) == 0);
        check(stat(path, &a) == 0 && (a.st_mode & 07777) == 0644);
        check(prom_write_file(path, data, strlen(data), false) == 0);
        check(stat(path, &b) == 0 && a.st_ino != b.st_ino); /* renamed over */

        write_file(other, "node_x 1\n");
        check(prom_write_file(other, data, strlen(data), false) == -EEXIST);
        check(unlink(other) == 0);
        check(symlink(path, other) == 0);
        check(prom_write_file(other, data, strlen(data), false) == -ELOOP);
        check(unlink(other) == 0 && unlink(path) == 0);
        check(prom_write_file("relative.prom", data, strlen(data), false) == -EINVAL);
        rm_rf(dir);
}

/* A textfile directory that is not there (no node_exporter): -ENOENT,
 * nothing made; once it is there, written. A symlink on the way is still
 * refused. */
TEST(write_file_missing_dir) {
        _cleanup_free_ char *dir = scratch_dir(), *sub = NULL, *path = NULL, *link = NULL, *via = NULL;
        const char *data = PROM_TEXT_MARK "\nx 1\n";
        struct stat st;

        check(asprintf(&sub, "%s/textfile", dir) >= 0 && asprintf(&path, "%s/m.prom", sub) >= 0);
        check(asprintf(&link, "%s/link", dir) >= 0 && asprintf(&via, "%s/m.prom", link) >= 0);
        check(prom_write_file(path, data, strlen(data), true) == -ENOENT);
        check(prom_write_file(path, data, strlen(data), false) == -ENOENT);
        check(lstat(sub, &st) < 0 && errno == ENOENT);
        check(mkdir(sub, 0755) == 0);
        check(prom_write_file(path, data, strlen(data), true) == 0);
        check(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644);
        check(symlink(sub, link) == 0);
        int r = prom_write_file(via, data, strlen(data), true);
        check(r == -ELOOP || r == -ENOTDIR);
        rm_rf(dir);
}

TAP_MAIN(T(label_escapes), T(label_invalid_utf8), T(text_and_family), T(write_file), T(write_file_missing_dir))
