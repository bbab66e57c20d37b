/* SPDX-License-Identifier: MIT */
/* Prometheus' text exposition format: the escapes of label values, the
 * family headers, and the atomic file that node_exporter's textfile
 * collector needs (it reads *.prom files at every scrape, so a file must
 * never be seen half-written). */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic-file.h"
#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "prom-text.h"
#include "unquote.h"

int prom_text_open(prom_text *p, const char *what) {
        *p = (prom_text) {};
        p->f = open_memstream(&p->data, &p->size);
        if (!p->f)
                return -ENOMEM;
        fprintf(p->f, PROM_TEXT_MARK " %s\n", what);
        return 0;
}

int prom_text_close(prom_text *p) {
        bool failed;

        if (!p->f)
                return -ENOMEM;
        failed = ferror(p->f);
        if (fclose(p->f) != 0)
                failed = true;
        p->f = NULL;
        return failed ? -ENOMEM : 0;
}

void prom_text_done(prom_text *p) {
        if (p->f)
                fclose(p->f);
        free(p->data);
        *p = (prom_text) {};
}

void prom_family(FILE *f, const char *name, const char *type, const char *help) {
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void prom_label_value(FILE *f, const char *value) {
        const unsigned char *s = (const unsigned char *) value;

        fputc('"', f);
        while (*s) {
                size_t n = utf8_decode(s, NULL);

                if (n == 0) {
                        fprintf(f, "\\\\x%02x", *s);
                        s++;
                        continue;
                }
                if (*s == '\\')
                        fputs("\\\\", f);
                else if (*s == '"')
                        fputs("\\\"", f);
                else if (*s == '\n')
                        fputs("\\n", f);
                else
                        fwrite(s, 1, n, f);
                s += n;
        }
        fputc('"', f);
}

int prom_write_file(const char *path, const char *data, size_t size, bool missing_dir_ok) {
        _cleanup_free_ char *dir = NULL, *name = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        int r;

        r = path_split(path, &dir, &name);
        if (r < 0)
                return log_error_errno(r == -ENOMEM ? r : -EINVAL, "%s: not a file name", path);
        /* The directory is the admin's: opened without following a
         * symlink anywhere on the way. */
        r = atomic_open_dir_under_root(NULL, dir, false, &dir_fd);
        if (r == -ELOOP || r == -ENOTDIR) {
                log_error("%s: a symlink or a file that is not a directory is on the way; not following it", dir);
                return r;
        }
        if (r == -ENOENT && missing_dir_ok)
                return r;
        if (r < 0)
                return log_error_errno(r, "%s: cannot open the directory", dir);
        /* Metrics are rewritten at the next scan: not worth an fsync. */
        return atomic_install_full(dir_fd, name, path, PROM_TEXT_MARK, "sockkeeper", data, size, ATOMIC_NO_SYNC);
}
