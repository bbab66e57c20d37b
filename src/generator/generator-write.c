/* SPDX-License-Identifier: MIT */
/* Writes the generator's files into its output directory. Every generator
 * shares that directory and none may clobber another's file, so each file
 * is created exclusively, below a directory fd, never following a symlink.
 * Each file is written under no name (O_TMPFILE, through the shared
 * atomic-file helper) and linked into place complete: a full disk leaves
 * no drop-in that ends mid-path. What this run created is remembered by
 * inode, so that a failure can take all of it back and nothing else. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-file.h"
#include "generator-write.h"
#include "log.h"
#include "macro.h"

int gen_writer_open(gen_writer *w, const char *dest) {
        *w = (gen_writer) { .dest = dest, .dest_fd = -EBADF };
        w->dest_fd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (w->dest_fd < 0)
                return log_error_errno(errno, "Failed to open the output directory %s", dest);
        return 0;
}

static int remember(gen_writer *w, const char *dir, const char *name, const struct stat *st) {
        gen_created *c = reallocarray(w->created, w->n_created + 1, sizeof(*c));

        if (!c)
                return -ENOMEM;
        w->created = c;
        c[w->n_created] = (gen_created) {
                .dir = strdup(dir),
                .name = name ? strdup(name) : NULL,
                .dev = st->st_dev,
                .ino = st->st_ino,
        };
        if (!c[w->n_created].dir || (name && !c[w->n_created].name)) {
                free(c[w->n_created].dir);
                free(c[w->n_created].name);
                return -ENOMEM;
        }
        w->n_created++;
        return 0;
}

/* Opens DEST/DIR, creating it when missing (and remembering that). */
static int open_dir(gen_writer *w, const char *dir, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        bool made = true;
        struct stat st;

        if (mkdirat(w->dest_fd, dir, 0755) < 0) {
                if (errno != EEXIST)
                        return log_error_errno(errno, "Failed to create %s/%s", w->dest, dir);
                made = false;
        }
        fd = openat(w->dest_fd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open %s/%s", w->dest, dir);
        if (made) {
                if (fstat(fd, &st) < 0)
                        return log_error_errno(errno, "Failed to open %s/%s", w->dest, dir);
                if (remember(w, dir, NULL, &st) < 0)
                        return log_error_errno(ENOMEM, "Failed to create %s/%s", w->dest, dir);
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int remember_entry(gen_writer *w, int dir_fd, const char *dir, const char *name) {
        struct stat st;

        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return log_error_errno(errno, "Failed to check %s/%s/%s", w->dest, dir, name);
        if (remember(w, dir, name, &st) < 0)
                return log_error_errno(ENOMEM, "Failed to create %s/%s/%s", w->dest, dir, name);
        return 0;
}

int gen_writer_file(gen_writer *w, const char *dir, const char *name, const char *text) {
        _cleanup_close_ int dir_fd = -EBADF;
        int r;

        r = open_dir(w, dir, &dir_fd);
        if (r < 0)
                return r;
        /* The output directory is a tmpfs that a crash empties anyway. */
        r = atomic_write_at(dir_fd, name, text, strlen(text), ATOMIC_NO_SYNC);
        if (r < 0)
                return log_error_errno(r, "Failed to write %s/%s/%s", w->dest, dir, name);
        return remember_entry(w, dir_fd, dir, name);
}

int gen_writer_link(gen_writer *w, const char *dir, const char *name, const char *target) {
        _cleanup_close_ int dir_fd = -EBADF;
        int r;

        r = open_dir(w, dir, &dir_fd);
        if (r < 0)
                return r;
        /* A symlink appears whole: no temporary name needed. */
        if (symlinkat(target, dir_fd, name) < 0)
                return log_error_errno(errno, "Failed to create %s/%s/%s", w->dest, dir, name);
        return remember_entry(w, dir_fd, dir, name);
}

static bool same_inode(int dir_fd, const char *name, const gen_created *c) {
        struct stat st;

        return fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && st.st_dev == c->dev &&
               st.st_ino == c->ino;
}

void gen_writer_rollback(gen_writer *w) {
        for (size_t i = w->n_created; i > 0; i--) {
                const gen_created *c = &w->created[i - 1];
                _cleanup_close_ int dir_fd = -EBADF;

                if (!c->name) {
                        /* Only when empty: another generator may have put
                         * a file into a directory that this run made. */
                        if (same_inode(w->dest_fd, c->dir, c) && unlinkat(w->dest_fd, c->dir, AT_REMOVEDIR) < 0 &&
                            errno != ENOTEMPTY)
                                log_warning_errno(errno, "Failed to remove %s/%s", w->dest, c->dir);
                        continue;
                }
                dir_fd = openat(w->dest_fd, c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (dir_fd < 0 || !same_inode(dir_fd, c->name, c))
                        continue; /* not ours any more */
                if (unlinkat(dir_fd, c->name, 0) < 0)
                        log_warning_errno(errno, "Failed to remove %s/%s/%s", w->dest, c->dir, c->name);
        }
        gen_writer_done(w);
}

void gen_writer_done(gen_writer *w) {
        for (size_t i = 0; i < w->n_created; i++) {
                free(w->created[i].dir);
                free(w->created[i].name);
        }
        free(w->created);
        w->created = NULL;
        w->n_created = 0;
        w->dest_fd = safe_close(w->dest_fd);
}
