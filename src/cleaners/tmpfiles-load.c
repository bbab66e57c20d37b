/* SPDX-License-Identifier: MIT */
/* Which tmpfiles.d files systemd-tmpfiles 252 reads, and in what order:
 * the same directories (resolved inside the root, each once), a file name
 * in an earlier directory hiding the same name in a later one, the files
 * sorted by name, symlinks to /dev/null masking. Each is parsed by
 * tmpfiles-parse.c. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "path-util.h"
#include "strv.h"
#include "tmpfiles-lookups.h"
#include "tmpfiles.h"

/* The order systemd-tmpfiles reads them in; Debian builds 252 with
 * split-usr, so /lib/tmpfiles.d is the last one. */
static const char *const config_dirs[] = {
        "/etc/tmpfiles.d", "/run/tmpfiles.d", "/usr/local/lib/tmpfiles.d", "/usr/lib/tmpfiles.d", "/lib/tmpfiles.d",
};

int tmpfiles_config_set_root(tmpfiles_config *c, const char *root) {
        char *copy = NULL;

        if (!root_is_live(root)) {
                copy = strdup(root);
                if (!copy)
                        return -ENOMEM;
                /* "ROOT/" + "/etc" would differ from what tmpfiles opens only
                 * in a doubled slash; drop it all the same. */
                for (size_t n = strlen(copy); n > 1 && copy[n - 1] == '/'; n--)
                        copy[n - 1] = 0;
        }
        free(c->root);
        c->root = copy;
        /* What was looked up was for the other root. */
        tmpfiles_lookups_free(c->lookups);
        c->lookups = NULL;
        return 0;
}

typedef struct conf_file {
        char *name;
        char *dir; /* root-relative */
} conf_file;

static int conf_file_compare(const void *a, const void *b) {
        return strcmp(((const conf_file *) a)->name, ((const conf_file *) b)->name);
}

static bool name_taken(const conf_file *files, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(files[i].name, name))
                        return true;
        return false;
}

/* files_add(): every "*.conf" entry that is not hidden, of any type, unless
 * an earlier directory had the name. */
static int list_dir(const tmpfiles_config *c, const char *dir, conf_file **files, size_t *n,
                    tmpfiles_warn_fn warn, void *userdata) {
        DIR *d;
        struct dirent *de;
        int r = root_opendir(c->root, dir, &d);

        if (r < 0) {
                if (r != -ENOENT && r != -ENOTDIR && warn)
                        warn(dir, 0, strerror(-r), userdata);
                return r == -ENOMEM ? r : 0;
        }
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                conf_file *bigger, *f;

                if (de->d_name[0] == '.' || len < 5 || !streq(de->d_name + len - 5, ".conf") ||
                    name_taken(*files, *n, de->d_name))
                        continue;
                bigger = reallocarray(*files, *n + 1, sizeof(**files));
                if (!bigger) {
                        r = -ENOMEM;
                        break;
                }
                *files = bigger;
                f = *files + (*n)++; /* counted at once, so that the caller frees it */
                *f = (conf_file) { .name = strdup(de->d_name), .dir = strdup(dir) };
                if (!f->name || !f->dir) {
                        r = -ENOMEM;
                        break;
                }
        }
        closedir(d);
        return r;
}

/* path_strv_resolve_uniq(): each directory with its symlinks resolved in
 * the root (kept as it is when missing), and each read only once. */
static int resolve_dirs(const tmpfiles_config *c, char *ret[static ELEMENTSOF(config_dirs)], size_t *ret_n) {
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(config_dirs); i++) {
                char *resolved = NULL;
                bool dup = false;
                int r = root_resolve(c->root, config_dirs[i], &resolved);

                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        if (r != -ENOENT)
                                continue;
                        resolved = strdup(config_dirs[i]);
                        if (!resolved)
                                return -ENOMEM;
                }
                for (size_t k = 0; k < n && !dup; k++)
                        dup = streq(ret[k], resolved);
                if (dup)
                        free(resolved);
                else
                        ret[n++] = resolved;
        }
        *ret_n = n;
        return 0;
}

static int read_conf_file(tmpfiles_config *c, const char *path, tmpfiles_warn_fn warn, void *userdata) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int r;

        /* Symlinks resolve inside the root: one to /dev/null masks, a
         * dangling one is passed over in silence, as tmpfiles does. A FIFO
         * or a file too big to be configuration is reported and skipped,
         * and the other files are read. */
        r = root_read_file(c->root, path, &text, &size);
        if (r == -ENOMEM)
                return r;
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                _cleanup_free_ char *msg = NULL;

                if (warn && asprintf(&msg, "cannot read: %s, ignoring", root_read_strerror(r)) >= 0)
                        warn(path, 0, msg, userdata);
                return 0;
        }
        if (strv_extend(&c->files, &c->n_files, path) < 0)
                return -ENOMEM;
        return tmpfiles_config_parse(c, path, text, size, warn, userdata);
}

int tmpfiles_config_load(tmpfiles_config *c, const char *root, tmpfiles_warn_fn warn, void *userdata) {
        char *dirs[ELEMENTSOF(config_dirs)];
        conf_file *files = NULL;
        size_t n_dirs = 0, n_files = 0;
        int r;

        r = tmpfiles_config_set_root(c, root);
        if (r < 0)
                return r;
        r = resolve_dirs(c, dirs, &n_dirs);
        for (size_t i = 0; r >= 0 && i < n_dirs; i++)
                r = list_dir(c, dirs[i], &files, &n_files, warn, userdata);
        if (r >= 0 && n_files > 0)
                qsort(files, n_files, sizeof(*files), conf_file_compare);
        for (size_t i = 0; r >= 0 && i < n_files; i++) {
                _cleanup_free_ char *path = NULL;

                if (asprintf(&path, "%s/%s", streq(files[i].dir, "/") ? "" : files[i].dir, files[i].name) < 0)
                        r = -ENOMEM;
                else
                        r = read_conf_file(c, path, warn, userdata);
        }
        for (size_t i = 0; i < n_files; i++) {
                free(files[i].name);
                free(files[i].dir);
        }
        free(files);
        for (size_t i = 0; i < n_dirs; i++)
                free(dirs[i]);
        return r < 0 ? r : 0;
}
