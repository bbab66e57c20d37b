/* SPDX-License-Identifier: MIT */
/* Whether tmpreaper, as its daily job runs it, deletes a path: judged the
 * way it walks each cleaned directory, by rules measured on the real
 * binary (1.6.17). Files (and sockets) age by atime and ctime together
 * under the job's --ctime, directories by mtime alone (--mtime-dir); a
 * root-owned entry without u+w is skipped unless --force, and a skipped
 * directory is not entered; it stays on the cleaned directory's file
 * system and never follows a symlink; --protect patterns are globbed once
 * with braces, and what they match is protected by inode, contents of a
 * protected directory included; without --all only regular files,
 * symlinks and directories go. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "path-util.h"
#include "tmpreaper-args.h"
#include "tmpreaper.h"

void tmpreaper_stat_memo_done(tmpreaper_stat_memo *m) {
        for (size_t i = 0; i < TMPREAPER_STAT_MEMO_SIZE; i++) {
                free(m->e[i].root);
                free(m->e[i].path);
        }
        free(m->way.root);
        free(m->way.parent);
        *m = (tmpreaper_stat_memo) {};
}

static int stat_followed(const char *root, const char *dir, struct stat *ret) {
        _cleanup_close_ int fd = root_open(root, dir, O_PATH | O_DIRECTORY);

        if (fd < 0)
                return fd;
        return fstat(fd, ret) < 0 ? negative_errno() : 0;
}

/* root_lstat() (KIND 'l') or a stat that follows DIR itself ('f'),
 * remembered in M when there is one. */
static int memo_stat(tmpreaper_stat_memo *m, char kind, const char *root, const char *path, struct stat *ret) {
        _cleanup_free_ char *root_copy = NULL, *path_copy = NULL;
        int r;

        for (size_t i = 0; m && i < TMPREAPER_STAT_MEMO_SIZE; i++)
                if (m->e[i].kind == kind && m->e[i].path && streq(m->e[i].path, path) && streq(m->e[i].root, root)) {
                        *ret = m->e[i].st;
                        return m->e[i].r;
                }
        r = kind == 'l' ? root_lstat(root, path, ret) : stat_followed(root, path, ret);
        if (m && (root_copy = strdup(root)) && (path_copy = strdup(path))) {
                unsigned i = m->next++ % TMPREAPER_STAT_MEMO_SIZE;

                free(m->e[i].root);
                free(m->e[i].path);
                m->e[i].kind = kind;
                m->e[i].root = TAKE_PTR(root_copy);
                m->e[i].path = TAKE_PTR(path_copy);
                m->e[i].r = r;
                if (r >= 0)
                        m->e[i].st = *ret;
        }
        return r;
}

/* What tmpreaper does with one directory entry of the given type, owner
 * and mode, in its order: other device, owner without u+w, --protect. The
 * type comes last, for the entry itself only. */
static const char *entry_kept(const tmpreaper_config *c, const struct stat *st) {
        if (st && !c->force && st->st_uid == 0 && !(st->st_mode & S_IWUSR) && !S_ISLNK(st->st_mode))
                return "owned by root without write permission for its owner: tmpreaper skips it unless --force";
        return NULL;
}

static const char *type_kept(const tmpreaper_config *c, mode_t mode) {
        if (S_ISREG(mode) || S_ISDIR(mode) || c->all)
                return NULL;
        if (S_ISLNK(mode))
                return c->symlinks ? NULL : "a symlink, and the job does not pass --symlinks";
        return "not a regular file, symlink or directory, and the job does not pass --all";
}

static bool protected_by(const tmpreaper_config *c, const char *dir, const char *p, bool is_dir, size_t *ret) {
        for (size_t i = 0; i < c->n_protect; i++) {
                const char *pat = c->protect[i];
                const tmpreaper_pattern *compiled = &c->protect_compiled[i];
                bool m;

                if (pat[0] == '/')
                        m = tmpreaper_pattern_match(compiled, pat, p, is_dir);
                else {
                        /* Relative patterns are globbed after chdir(dir). */
                        size_t dl = streq(dir, "/") ? 0 : strlen(dir);
                        m = tmpreaper_pattern_match(compiled, pat, p + dl + 1, is_dir);
                }
                if (m) {
                        *ret = i;
                        return true;
                }
        }
        return false;
}

/* What stops tmpreaper on its way from the cleaned directory DIR down to
 * the directory PARENT (both normalized, PARENT at or below DIR), one
 * directory at a time from the top: each must be entered. */
typedef struct way {
        bool have_dir_st;
        struct stat dir_st;     /* of DIR: the device it stays on */
        const char *kept_because;
        size_t protected_idx;   /* the --protect pattern that stopped it, SIZE_MAX if none */
} way;

static int walk_way(const tmpreaper_config *c, tmpreaper_stat_memo *memo, const char *dir, const char *parent,
                    const char *root, way *ret) {
        _cleanup_free_ char *p = strdup(parent);
        way w = { .protected_idx = SIZE_MAX };
        size_t idx;

        if (!p)
                return -ENOMEM;
        /* "/tmp/." is followed; the device is the directory's own. */
        if (root && memo_stat(memo, 'l', root, dir, &w.dir_st) >= 0)
                w.have_dir_st = memo_stat(memo, 'f', root, dir, &w.dir_st) >= 0;

        if (!streq(dir, parent))
                for (char *s = p + (streq(dir, "/") ? 0 : strlen(dir)) + 1;; s++) {
                        struct stat ast;
                        bool last;

                        s = strchrnul(s, '/');
                        last = *s == '\0';
                        *s = '\0';
                        for (size_t m = 0; m < c->n_skip_mounts; m++)
                                if (streq(c->skip_mounts[m], p)) {
                                        w.kept_because = "below a mount point, which tmpreaper does not enter";
                                        goto done;
                                }
                        if (root && memo_stat(memo, 'l', root, p, &ast) >= 0) {
                                if (S_ISLNK(ast.st_mode)) {
                                        w.kept_because = "behind a symlink, which tmpreaper does not follow";
                                        goto done;
                                }
                                if (w.have_dir_st && ast.st_dev != w.dir_st.st_dev) {
                                        w.kept_because = "on another file system than the cleaned directory";
                                        goto done;
                                }
                                if (entry_kept(c, &ast)) {
                                        w.kept_because = "in a directory owned by root without write permission for "
                                                         "its owner, which tmpreaper does not enter unless --force";
                                        goto done;
                                }
                        }
                        if (protected_by(c, dir, p, true, &idx)) {
                                w.protected_idx = idx;
                                goto done;
                        }
                        if (last)
                                break;
                        *s = '/';
                }
done:
        *ret = w;
        return 0;
}

/* The way to PARENT, from MEMO when the latest evaluation took it too. */
static int way_to(const tmpreaper_config *c, tmpreaper_stat_memo *memo, const char *dir, const char *parent,
                  const char *root, way *ret) {
        _cleanup_free_ char *root_copy = NULL, *parent_copy = NULL;
        int r;

        if (!memo)
                return walk_way(c, NULL, dir, parent, root, ret);
        if (memo->way.dir == dir && streq(memo->way.parent, parent) &&
            streq(strempty(memo->way.root), strempty(root))) {
                *ret = (way) {
                        .have_dir_st = memo->way.have_dir_st,
                        .dir_st = memo->way.dir_st,
                        .kept_because = memo->way.kept_because,
                        .protected_idx = memo->way.protected_idx,
                };
                return 0;
        }
        r = walk_way(c, memo, dir, parent, root, ret);
        if (r < 0)
                return r;
        if ((!root || (root_copy = strdup(root))) && (parent_copy = strdup(parent))) {
                free(memo->way.root);
                free(memo->way.parent);
                memo->way.dir = dir;
                memo->way.root = TAKE_PTR(root_copy);
                memo->way.parent = TAKE_PTR(parent_copy);
                memo->way.have_dir_st = ret->have_dir_st;
                memo->way.dir_st = ret->dir_st;
                memo->way.kept_because = ret->kept_because;
                memo->way.protected_idx = ret->protected_idx;
        }
        return 0;
}

/* One cleaned directory DIR against PATH; fills V when DIR reaches it. */
static void evaluate_dir(const tmpreaper_config *c, tmpreaper_stat_memo *memo, const char *dir, const char *path,
                         mode_t mode, const struct stat *st, const char *root, tmpreaper_verdict *v) {
        _cleanup_free_ char *parent = path_parent(path);
        way w;
        size_t idx;

        if (!parent || way_to(c, memo, dir, parent, root, &w) < 0)
                return;
        v->reaches = true;
        if (w.kept_because) {
                v->kept_because = w.kept_because;
                return;
        }
        if (w.protected_idx != SIZE_MAX) {
                v->protected_by = c->protect[w.protected_idx];
                v->protected_source = &c->protect_sources[w.protected_idx];
                return;
        }

        for (size_t m = 0; m < c->n_skip_mounts; m++)
                if (streq(c->skip_mounts[m], path)) {
                        v->kept_because = "a mount point, which tmpreaper does not enter";
                        return;
                }
        if (st && w.have_dir_st && st->st_dev != w.dir_st.st_dev) {
                v->kept_because = "on another file system than the cleaned directory";
                return;
        }
        if ((v->kept_because = entry_kept(c, st)))
                return;
        if (protected_by(c, dir, path, S_ISDIR(mode), &idx)) {
                v->protected_by = c->protect[idx];
                v->protected_source = &c->protect_sources[idx];
                return;
        }
        if ((v->kept_because = type_kept(c, mode)))
                return;
        v->deletes = c->runs;
}

static void evaluate(const tmpreaper_config *c, tmpreaper_stat_memo *memo, const char *path, mode_t mode,
                     const struct stat *st, const char *root, tmpreaper_verdict *ret) {
        tmpreaper_verdict base = {}, first;
        bool have_first = false;

        /* Measured: --ctime adds ctime for files only; directories go by
         * mtime with --mtime-dir, else by atime. */
        if (S_ISDIR(mode))
                base.age_by = c->mtime || c->mtime_dir ? "mtime" : "atime";
        else
                base.age_by = c->mtime ? "mtime" : c->ctime ? "atime and ctime" : "atime";
        base.age_usec = c->age_usec;
        first = base;

        for (size_t i = 0; i < c->n_dirs; i++) {
                const char *d = c->resolved_dirs[i];
                tmpreaper_verdict v = base;

                if (!path_below(d, path))
                        continue;
                evaluate_dir(c, memo, d, path, mode, st, root, &v);
                if (v.deletes || !have_first) {
                        /* tmpreaper cleans the dirs one after another: any
                         * that deletes it is the one that matters. */
                        first = v;
                        have_first = true;
                }
                if (v.deletes)
                        break;
        }
        *ret = first;
}

void tmpreaper_evaluate(const tmpreaper_config *c, const char *path, bool is_socket, tmpreaper_verdict *ret) {
        evaluate(c, NULL, path, is_socket ? S_IFSOCK : S_IFREG, NULL, NULL, ret);
}

void tmpreaper_evaluate_stat(const tmpreaper_config *c, const char *path, const struct stat *st,
                             tmpreaper_verdict *ret) {
        evaluate(c, NULL, path, st ? st->st_mode & S_IFMT : S_IFSOCK, st, NULL, ret);
}

int tmpreaper_evaluate_at(const tmpreaper_config *c, const char *root, const char *path, tmpreaper_verdict *ret) {
        _cleanup_free_ char *norm = NULL;
        struct stat st;
        int r;

        if (!path || path[0] != '/')
                return -EINVAL;
        norm = path_normalize(path);
        if (!norm)
                return -ENOMEM;
        r = root_lstat(root, norm, &st);
        if (r < 0 && r != -ENOENT)
                return r;
        evaluate(c, NULL, norm, r >= 0 ? st.st_mode & S_IFMT : S_IFSOCK, r >= 0 ? &st : NULL, root ?: "/", ret);
        return 0;
}

void tmpreaper_evaluate_found(const tmpreaper_config *c, tmpreaper_stat_memo *memo, const char *root,
                              const char *path, const struct stat *st, tmpreaper_verdict *ret) {
        evaluate(c, memo, path, st->st_mode & S_IFMT, st, root ?: "/", ret);
}
