/* SPDX-License-Identifier: MIT */
/* Feeds every file of the directories (or files) given to
 * LLVMFuzzerTestOneInput(), so that a fuzzer's corpus runs as an ordinary
 * test in every build, sanitizers included, with no libFuzzer needed. */

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
        FILE *f = fopen(path, "re");
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        long len;

        if (!f || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
                fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
                if (f)
                        fclose(f);
                return -1;
        }
        buf = malloc((size_t) len + 1);
        if (buf)
                size = fread(buf, 1, (size_t) len, f);
        fclose(f);
        if (!buf || size != (size_t) len) {
                fprintf(stderr, "fuzz-replay: %s: short read\n", path);
                return -1;
        }
        /* An exact-size copy, so that ASan sees any read past the input. */
        {
                _cleanup_free_ uint8_t *exact = malloc(size ?: 1);
                if (!exact)
                        return -1;
                memcpy(exact, buf, size);
                LLVMFuzzerTestOneInput(exact, size);
        }
        return 0;
}

static int compare(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int replay(const char *path, unsigned *count) {
        struct stat st;
        DIR *d;
        struct dirent *de;
        char **names = NULL;
        size_t n = 0;
        int r = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
                (*count)++;
                return replay_file(path);
        }
        d = opendir(path);
        if (!d)
                return -1;
        while ((de = readdir(d))) {
                char **bigger;

                if (de->d_name[0] == '.')
                        continue;
                bigger = realloc(names, (n + 1) * sizeof(char *));
                if (!bigger || asprintf(&bigger[n], "%s/%s", path, de->d_name) < 0)
                        abort();
                names = bigger;
                n++;
        }
        closedir(d);
        qsort(names, n, sizeof(char *), compare);
        for (size_t i = 0; i < n; i++) {
                if (replay(names[i], count) < 0)
                        r = -1;
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char *argv[]) {
        unsigned count = 0;
        int r = 0;

        for (int i = 1; i < argc; i++)
                if (replay(argv[i], &count) < 0)
                        r = 1;
        if (count == 0) {
                fprintf(stderr, "fuzz-replay: no inputs\n");
                return 1;
        }
        printf("fuzz-replay: %u inputs replayed\n", count);
        return r;
}
