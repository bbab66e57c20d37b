/* SPDX-License-Identifier: MIT */
/* Asking the kernel (sock_diag, UNIX_DIAG_VFS) which file an AF_UNIX socket
 * is bound to. lstat() after bind() could be raced by anyone who can write
 * the directory; the kernel's answer cannot. The same query as a dump lists
 * every bound socket, which tells live anchors from dead ones without
 * connecting to anybody. */

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "macro.h"
#include "unix-diag.h"

/* Sends one request; returns the netlink socket to read the answer from. */
static int diag_request(uint32_t ino, uint16_t flags) {
        _cleanup_close_ int nl = -EBADF;
        struct {
                struct nlmsghdr nlh;
                struct unix_diag_req req;
        } request = {
                .nlh = {
                        .nlmsg_len = sizeof(request),
                        .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                        .nlmsg_flags = NLM_F_REQUEST | flags,
                        .nlmsg_seq = 1,
                },
                .req = {
                        .sdiag_family = AF_UNIX,
                        .udiag_states = UINT32_MAX,
                        .udiag_ino = ino,
                        .udiag_show = UDIAG_SHOW_VFS,
                        .udiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE },
                },
        };
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

        nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (nl < 0)
                return errno == EPROTONOSUPPORT ? -EOPNOTSUPP : negative_errno();
        if (sendto(nl, &request, sizeof(request), 0, (struct sockaddr *) &kernel, sizeof(kernel)) < 0)
                return negative_errno();
        return TAKE_FD(nl);
}

/* The file a diag message says its socket is bound to: 1 and the id, or 0
 * for a socket without one (abstract, unbound). */
static int parse_vfs(struct nlmsghdr *h, inode_id *ret) {
        struct unix_diag_msg *msg = NLMSG_DATA(h);
        int len = (int) (h->nlmsg_len - NLMSG_LENGTH(sizeof(*msg)));

        for (struct rtattr *attr = (struct rtattr *) (msg + 1); RTA_OK(attr, len); attr = RTA_NEXT(attr, len)) {
                struct unix_diag_vfs vfs;

                if (attr->rta_type != UNIX_DIAG_VFS || RTA_PAYLOAD(attr) < (int) sizeof(vfs))
                        continue;
                memcpy(&vfs, RTA_DATA(attr), sizeof(vfs));
                /* The kernel's internal dev_t: 12-bit major, 20-bit minor. */
                *ret = (inode_id) {
                        .dev = makedev(vfs.udiag_vfs_dev >> 20, vfs.udiag_vfs_dev & 0xfffff),
                        .ino = vfs.udiag_vfs_ino,
                };
                return 1;
        }
        return 0;
}

static int diag_error(struct nlmsghdr *h) {
        struct nlmsgerr *err = NLMSG_DATA(h);

        /* ENOENT: no such socket. EINVAL, EOPNOTSUPP: the kernel cannot
         * answer this question at all. */
        return err->error == -ENOENT ? -ENOENT : -EOPNOTSUPP;
}

int unix_diag_vfs_id(int fd, inode_id *ret) {
        _cleanup_close_ int nl = -EBADF;
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

        nl = diag_request((uint32_t) st.st_ino, 0);
        if (nl < 0)
                return nl;
        n = recv(nl, &reply, sizeof(reply), 0);
        if (n < 0)
                return negative_errno();

        for (struct nlmsghdr *h = &reply.nlh; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
                if (h->nlmsg_type == NLMSG_ERROR)
                        return diag_error(h);
                if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY)
                        return parse_vfs(h, ret) > 0 ? 0 : -ENOENT;
        }
        return -EBADMSG;
}

int unix_diag_bound_ids(inode_id **ret, size_t *ret_n) {
        _cleanup_close_ int nl = -EBADF;
        _cleanup_free_ inode_id *ids = NULL;
        size_t n_ids = 0, allocated = 0;
        union {
                struct nlmsghdr nlh;
                uint8_t buf[32768];
        } reply;

        nl = diag_request(0, NLM_F_DUMP);
        if (nl < 0)
                return nl;

        for (;;) {
                ssize_t n = recv(nl, &reply, sizeof(reply), 0);

                if (n < 0)
                        return negative_errno();
                for (struct nlmsghdr *h = &reply.nlh; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
                        inode_id id;

                        if (h->nlmsg_type == NLMSG_DONE) {
                                *ret = TAKE_PTR(ids);
                                *ret_n = n_ids;
                                return 0;
                        }
                        if (h->nlmsg_type == NLMSG_ERROR)
                                return diag_error(h);
                        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || parse_vfs(h, &id) <= 0)
                                continue;
                        if (n_ids == allocated) {
                                size_t more = allocated ? allocated * 2 : 64;
                                inode_id *p = reallocarray(ids, more, sizeof(*ids));
                                if (!p)
                                        return -ENOMEM;
                                ids = p;
                                allocated = more;
                        }
                        ids[n_ids++] = id;
                }
        }
}
