/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the tmpfiles.d reader and evaluator: any text is
 * parsed as one tmpfiles.d file under a small fixture root (so that %m,
 * os-release, user names and C sources resolve without NSS), then a few
 * paths, and every item's path with something below it, are evaluated. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "tmpfiles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[] = "/tmp/fuzz-tmpfiles-XXXXXX";

static void put(const char *rel, const char *text) {
        char path[256];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", root, rel);
        f = fopen(path, "we");
        if (!f)
                abort();
        fputs(text, f);
        fclose(f);
}

static void remove_root(void) {
        static const char *const files[] = { "etc/machine-id", "etc/os-release", "etc/passwd", "etc/group", "etc" };
        char path[256];

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                snprintf(path, sizeof(path), "%s/%s", root, files[i]);
                (void) remove(path);
        }
        (void) rmdir(root);
}

static void make_root(void) {
        char etc[256];

        if (!mkdtemp(root))
                abort();
        snprintf(etc, sizeof(etc), "%s/etc", root);
        if (mkdir(etc, 0755) < 0)
                abort();
        put("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        put("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
        put("etc/passwd", "root:x:0:0::/root:/bin/sh\nsvc:x:990:990::/:/bin/false\n");
        put("etc/group", "root:x:0:\nsvc:x:990:\n");
        atexit(remove_root);
}

static void warn(const char *file, unsigned line, const char *message, void *userdata) {
        /* Every warning must name its place and say something. */
        if (!file || !message || !message[0])
                abort();
        (*(unsigned *) userdata)++;
}

static void evaluate(const tmpfiles_config *c, const char *path, uint64_t age) {
        const uint64_t now = 1700000000 * USEC_PER_SEC;
        tmpfiles_file f = { .mode = S_IFSOCK | 0755, .atime_usec = now - age, .mtime_usec = now - age,
                            .ctime_usec = now - age, .mount_root = "/tmp" };
        tmpfiles_verdict v;

        if (tmpfiles_evaluate(c, path, &f, now, &v) < 0)
                return;
        if (!v.why || (v.fate == TMPFILES_AGED && !v.rule) || (v.expired && v.fate != TMPFILES_AGED))
                abort();
        f.mode = S_IFDIR | 01777;
        (void) tmpfiles_evaluate(c, path, &f, now, &v);
        (void) tmpfiles_evaluate(c, path, NULL, now, &v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const paths[] = { "/tmp/x.sock", "/tmp/a/b/c", "/var/tmp/.hidden", "/run/user/0/s", "/" };
        tmpfiles_config c = {};
        unsigned warnings = 0;
        static bool made = false;

        if (!made) {
                make_root();
                made = true;
        }
        if (tmpfiles_config_set_root(&c, root) < 0)
                abort();
        if (tmpfiles_config_parse(&c, "fuzz.conf", (const char *) data, size, warn, &warnings) < 0)
                abort();
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                evaluate(&c, paths[i], 2 * 24 * 3600 * USEC_PER_SEC);
        for (size_t i = 0; i < c.n_items && i < 16; i++) {
                char *below = NULL;

                if (asprintf(&below, "%s/x", c.items[i].path) < 0)
                        abort();
                evaluate(&c, c.items[i].path, 0);
                evaluate(&c, below, 3600 * USEC_PER_SEC);
                free(below);
        }
        tmpfiles_config_done(&c);
        return 0;
}
