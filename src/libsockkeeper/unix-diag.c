/* SPDX-License-Identifier: MIT */
/* One sock_diag query: "which file is this socket bound to?". lstat() after
 * bind() could be raced by anyone who can write the directory; the kernel's
 * answer cannot. */

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "macro.h"
#include "unix-diag.h"

int unix_diag_vfs_id(int fd, inode_id *ret) {
        _cleanup_close_ int nl = -EBADF;
        struct {
                struct nlmsghdr nlh;
                struct unix_diag_req req;
        } request = {
                .nlh = {
                        .nlmsg_len = sizeof(request),
                        .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                        .nlmsg_flags = NLM_F_REQUEST,
                        .nlmsg_seq = 1,
                },
                .req = {
                        .sdiag_family = AF_UNIX,
                        .udiag_states = UINT32_MAX,
                        .udiag_show = UDIAG_SHOW_VFS,
                        .udiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE },
                },
        };
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        union {
                struct nlmsghdr nlh;
                uint8_t buf[1024];
        } reply;
        struct stat st;
        ssize_t n;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISSOCK(st.st_mode))
                return -ENOTSOCK;
        request.req.udiag_ino = (uint32_t) st.st_ino;

        nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (nl < 0)
                return errno == EPROTONOSUPPORT ? -EOPNOTSUPP : negative_errno();
        if (sendto(nl, &request, sizeof(request), 0, (struct sockaddr *) &kernel, sizeof(kernel)) < 0)
                return negative_errno();

        n = recv(nl, &reply, sizeof(reply), 0);
        if (n < 0)
                return negative_errno();

        for (struct nlmsghdr *h = &reply.nlh; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
                struct unix_diag_msg *msg;
                struct rtattr *attr;
                int len;

                if (h->nlmsg_type == NLMSG_ERROR) {
                        struct nlmsgerr *err = NLMSG_DATA(h);
                        /* ENOENT here means no such socket id; EINVAL or
                         * EOPNOTSUPP, that the kernel cannot answer. */
                        return err->error == -ENOENT ? -ENOENT : -EOPNOTSUPP;
                }
                if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
                        continue;

                msg = NLMSG_DATA(h);
                len = (int) (h->nlmsg_len - NLMSG_LENGTH(sizeof(*msg)));
                for (attr = (struct rtattr *) (msg + 1); RTA_OK(attr, len); attr = RTA_NEXT(attr, len)) {
                        struct unix_diag_vfs vfs;

                        if (attr->rta_type != UNIX_DIAG_VFS || RTA_PAYLOAD(attr) < (int) sizeof(vfs))
                                continue;
                        memcpy(&vfs, RTA_DATA(attr), sizeof(vfs));
                        /* The kernel's internal dev_t: 12-bit major, 20-bit minor. */
                        *ret = (inode_id) {
                                .dev = makedev(vfs.udiag_vfs_dev >> 20, vfs.udiag_vfs_dev & 0xfffff),
                                .ino = vfs.udiag_vfs_ino,
                        };
                        return 0;
                }
                return -ENOENT; /* abstract or unbound */
        }
        return -EBADMSG;
}
