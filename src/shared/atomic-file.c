/* SPDX-License-Identifier: MIT */
/* Configuration files written so that a reader sees the old file or the
 * new one, never a part, and a file the tool did not write is never
 * replaced: tmpfiles-snippet --install, migrate --write and the
 * generator's output all go through here. */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-file.h"
#include "log.h"
#include "macro.h"

static int write_all(int fd, const char *data, size_t size) {
        while (size > 0) {
                ssize_t n = write(fd, data, size);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                data += n;
                size -= n;
        }
        return 0;
}

/* A hidden name beside NAME, not ending in ".conf", so that tmpfiles would
 * ignore it even if it were left behind. */
static char *temp_name(const char *name) {
        unsigned rnd;
        char *s;

        if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
                rnd = (unsigned) (now_usec(CLOCK_MONOTONIC) ^ (uint64_t) getpid());
        if (asprintf(&s, ".#%s.%08x", name, rnd) < 0)
                return NULL;
        return s;
}

/* Gives the unnamed file FD the name TARGET in DIR_FD; -EEXIST when
 * something is there already. */
static int link_tmpfile(int fd, int dir_fd, const char *target) {
        char proc[64];

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        if (linkat(AT_FDCWD, proc, dir_fd, target, AT_SYMLINK_FOLLOW) >= 0)
                return 0;
        if (errno != ENOENT)
                return negative_errno();
        /* No /proc: AT_EMPTY_PATH works with CAP_DAC_READ_SEARCH. */
        if (linkat(fd, "", dir_fd, target, AT_EMPTY_PATH) >= 0)
                return 0;
        return negative_errno();
}

/* Writes DATA as NAME in DIR_FD, mode 0644. The data goes to an unnamed
 * O_TMPFILE (a hidden named one where the filesystem lacks it), is synced
 * (unless ATOMIC_NO_SYNC), and only then takes the name: a failure or a
 * kill on the way leaves the old file as it was. Without ATOMIC_REPLACE,
 * a file that appeared at NAME meanwhile is not replaced (-EEXIST). */
int atomic_write_at(int dir_fd, const char *name, const char *data, size_t size, atomic_flags flags) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *tmp = NULL;
        bool named = false; /* tmp exists in the directory and must go on failure */
        bool replace = flags & ATOMIC_REPLACE, sync = !(flags & ATOMIC_NO_SYNC);
        int r;

        fd = openat(dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0) {
                if (errno != EOPNOTSUPP && errno != EISDIR)
                        return negative_errno();
                for (int i = 0; i < 100 && fd < 0; i++) {
                        free(tmp);
                        tmp = temp_name(name);
                        if (!tmp)
                                return -ENOMEM;
                        fd = openat(dir_fd, tmp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                        if (fd < 0 && errno != EEXIST)
                                return negative_errno();
                }
                if (fd < 0)
                        return -EEXIST;
                named = true;
        }

        r = write_all(fd, data, size);
        if (r >= 0 && fchmod(fd, 0644) < 0) /* whatever the umask */
                r = negative_errno();
        if (r >= 0 && sync && fsync(fd) < 0)
                r = negative_errno();
        if (r < 0)
                goto fail;

        if (!named && !replace) {
                /* linkat() never replaces: the no-clobber case in one step. */
                r = link_tmpfile(fd, dir_fd, name);
                if (r < 0)
                        goto fail;
                goto synced;
        }
        if (!named) {
                for (int i = 0; i < 100; i++) {
                        free(tmp);
                        tmp = temp_name(name);
                        if (!tmp) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        r = link_tmpfile(fd, dir_fd, tmp);
                        if (r != -EEXIST)
                                break;
                }
                if (r < 0)
                        goto fail;
                named = true;
        }
        if (replace)
                r = renameat(dir_fd, tmp, dir_fd, name) < 0 ? negative_errno() : 0;
        else {
                r = renameat2(dir_fd, tmp, dir_fd, name, RENAME_NOREPLACE) < 0 ? negative_errno() : 0;
                if (r == -EINVAL) /* filesystems without RENAME_NOREPLACE */
                        r = linkat(dir_fd, tmp, dir_fd, name, 0) < 0 ? negative_errno() : 0;
        }
        if (r < 0)
                goto fail;
        if (!replace) /* the linkat() fallback left the temporary name too */
                (void) unlinkat(dir_fd, tmp, 0);

synced:
        if (sync && fsync(dir_fd) < 0)
                return negative_errno();
        return 0;

fail:
        if (named)
                (void) unlinkat(dir_fd, tmp, 0);
        return r;
}

int atomic_check_target(int dir_fd, const char *name, const char *display, const char *mark, const char *writer) {
        _cleanup_close_ int path_fd = -EBADF, fd = -EBADF;
        _cleanup_free_ char *head = NULL;
        size_t got = 0, want = mark ? strlen(mark) : 0;
        struct stat st, st2;

        path_fd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (path_fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return log_error_errno(errno, "%s", display);
        }
        if (fstat(path_fd, &st) < 0)
                return log_error_errno(errno, "%s", display);
        if (S_ISLNK(st.st_mode)) {
                log_error("%s: a symlink is there; not following or replacing it", display);
                return -ELOOP;
        }
        if (!S_ISREG(st.st_mode)) {
                log_error("%s: something other than a regular file is there; not replacing it", display);
                return -EEXIST;
        }
        if (!mark)
                return 1;

        /* Reading through a new fd: check it is the inode looked at. */
        fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "%s", display);
        if (fstat(fd, &st2) < 0)
                return log_error_errno(errno, "%s", display);
        if (st.st_dev != st2.st_dev || st.st_ino != st2.st_ino) {
                log_error("%s: changed while being read; not replacing it", display);
                return -EBUSY;
        }
        head = malloc(want + 1);
        if (!head)
                return log_error_errno(ENOMEM, "%s", display);
        while (got < want) {
                ssize_t n = read(fd, head + got, want - got);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "%s", display);
                }
                if (n == 0)
                        break;
                got += (size_t) n;
        }
        if (got < want || memcmp(head, mark, want) != 0) {
                log_error("%s: exists and was not written by %s; not replacing it (move it away first)", display,
                          writer);
                return -EEXIST;
        }
        return 1;
}

int atomic_install_full(int dir_fd, const char *name, const char *display, const char *mark, const char *writer,
                        const char *data, size_t size, atomic_flags flags) {
        int r;

        r = atomic_check_target(dir_fd, name, display, mark, writer);
        if (r < 0)
                return r;
        r = atomic_write_at(dir_fd, name, data, size, (flags & ~ATOMIC_REPLACE) | (r > 0 ? ATOMIC_REPLACE : 0));
        if (r == -EEXIST)
                log_error("%s: a file appeared there while writing; not replacing it", display);
        else if (r < 0)
                log_error_errno(r, "%s: cannot write", display);
        return r;
}

int atomic_install_at(int dir_fd, const char *name, const char *display, const char *mark, const char *writer,
                      const char *data, size_t size) {
        return atomic_install_full(dir_fd, name, display, mark, writer, data, size, 0);
}

/* Opens directory NAME in PARENT_FD, creating it (0755, as the umask
 * allows) when missing, without following a symlink at NAME. */
int atomic_open_or_make_dir(int parent_fd, const char *name, const char *display, int *ret_fd) {
        int fd;

        if (mkdirat(parent_fd, name, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "%s: cannot create the directory", display);
        fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ELOOP || errno == ENOTDIR) {
                        log_error("%s: a symlink or a file that is not a directory is there; not following it",
                                  display);
                        return -ENOTDIR;
                }
                return log_error_errno(errno, "%s", display);
        }
        *ret_fd = fd;
        return 0;
}

int atomic_open_dir_under_root(const char *root, const char *dir, bool create, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *shown = NULL;
        const char *p = dir;
        size_t shown_len;

        root = root && *root ? root : "/";
        /* The root itself is the admin's choice and may be a symlink;
         * nothing below it is followed. */
        fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "%s: cannot open the root directory", root);
        shown = malloc(strlen(root) + strlen(dir) + 2);
        if (!shown)
                return log_error_errno(ENOMEM, "%s", dir);
        strcpy(shown, streq(root, "/") ? "" : root);
        shown_len = strlen(shown);
        while (*p) {
                size_t len;
                int sub;

                p += strspn(p, "/");
                len = strcspn(p, "/");
                if (len == 0)
                        break;
                shown[shown_len++] = '/';
                memcpy(shown + shown_len, p, len);
                shown_len += len;
                shown[shown_len] = 0;
                {
                        _cleanup_free_ char *name = strndup(p, len);

                        if (!name)
                                return log_error_errno(ENOMEM, "%s", shown);
                        if (streq(name, "..")) {
                                log_error("%s: a '..' component; not writing there", shown);
                                return -EINVAL;
                        }
                        if (create) {
                                int r = atomic_open_or_make_dir(fd, name, shown, &sub);
                                if (r < 0)
                                        return r;
                        } else {
                                sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                                if (sub < 0)
                                        return negative_errno();
                        }
                }
                safe_close(fd);
                fd = sub;
                p += len;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}
