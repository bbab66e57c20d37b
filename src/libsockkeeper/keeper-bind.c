/* SPDX-License-Identifier: MIT */
/* Creating a listening socket at the path: used at start and by rebind.
 * The file is created with the right mode from the first instant and its
 * identity is confirmed with the kernel before we call it ours. */

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keeper-internal.h"
#include "macro.h"
#include "unix-diag.h"

mode_t keeper_file_mode(sk_keeper *k) {
        return k->mode | (k->sticky ? S_ISVTX : 0);
}

int keeper_identify_bound_file(sk_keeper *k, int fd, inode_id *ret_id) {
        inode_id diag;
        struct stat st;
        int r;

        if (fstatat(k->dir_fd, k->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (!S_ISSOCK(st.st_mode))
                return -ESTALE;

        /* Someone with write access to the directory could have swapped
         * the file between bind() and fstatat(); the kernel knows. When it
         * cannot answer (no unix_diag, no fd for the query) the fstatat()
         * right after bind() is the best evidence there is. */
        r = unix_diag_vfs_id(fd, &diag);
        if (r >= 0 && !unix_diag_matches(diag, inode_id_of(&st)))
                return -ESTALE;

        *ret_id = inode_id_of(&st);
        return 0;
}

int keeper_open_socket(sk_keeper *k, int *ret_fd, inode_id *ret_id) {
        _cleanup_close_ int fd = -EBADF;
        inode_id id = {};
        int r;

        fd = socket(AF_UNIX, k->type | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();

        /* unix_bind() creates the file with the socket inode's mode minus
         * the umask, so setting it here means the file is never wider than
         * asked, without touching the process-wide umask. */
        if (!k->abstract && fchmod(fd, k->mode) < 0)
                return negative_errno();

        if (bind(fd, (struct sockaddr *) &k->addr, k->addr_len) < 0)
                return negative_errno();

        if (!k->abstract) {
                r = keeper_identify_bound_file(k, fd, &id);
                if (r < 0)
                        return r; /* not ours to remove */
                /* Add back what the umask took, on the verified inode. */
                r = fs_chmod_ours(k->dir_fd, k->name, id, keeper_file_mode(k));
                if (r < 0)
                        goto fail;
        }

        if (k->type != SOCK_DGRAM && listen(fd, k->backlog) < 0) {
                r = negative_errno();
                goto fail;
        }

        *ret_fd = TAKE_FD(fd);
        *ret_id = id;
        return 0;

fail:
        /* Leave no file behind that nobody listens on. */
        if (!k->abstract)
                (void) fs_unlink_ours(k->dir_fd, k->name, id);
        return r;
}
