/* SPDX-License-Identifier: MIT */
/* Asking the kernel (sock_diag, UNIX_DIAG_VFS) which file an AF_UNIX socket
 * is bound to. lstat() after bind() could be raced by anyone who can write
 * the directory; the kernel's answer cannot. The same query as a dump lists
 * every bound socket, which tells live anchors from dead ones without
 * connecting to anybody; with the names and states added, it is what
 * `check` needs to say whether something listens at a path. */

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

/* netlink_dump() fills at most 32 KiB per read; MSG_TRUNC would tell. */
#define DUMP_BUFFER_SIZE 32768

/* Sends one request; returns the netlink socket to read the answer from. */
static int diag_request(uint32_t ino, uint16_t flags, uint32_t show) {
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
                        .udiag_show = show,
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

        nl = diag_request((uint32_t) st.st_ino, 0, UDIAG_SHOW_VFS);
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

/* Calls FN for each socket of a dump with the attributes SHOW; stops at
 * the first negative return. */
static int diag_dump(uint32_t show, int (*fn)(struct nlmsghdr *h, void *userdata), void *userdata) {
        _cleanup_close_ int nl = -EBADF;
        _cleanup_free_ void *buf = NULL;

        buf = malloc(DUMP_BUFFER_SIZE);
        if (!buf)
                return -ENOMEM;
        nl = diag_request(0, NLM_F_DUMP, show);
        if (nl < 0)
                return nl;

        for (;;) {
                ssize_t n = recv(nl, buf, DUMP_BUFFER_SIZE, MSG_TRUNC);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n > DUMP_BUFFER_SIZE)
                        return -EMSGSIZE;
                for (struct nlmsghdr *h = buf; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
                        int r;

                        if (h->nlmsg_type == NLMSG_DONE)
                                return 0;
                        if (h->nlmsg_type == NLMSG_ERROR)
                                return diag_error(h);
                        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
                            h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
                                continue;
                        r = fn(h, userdata);
                        if (r < 0)
                                return r;
                }
        }
}

typedef struct id_list {
        inode_id *ids;
        size_t n, allocated;
} id_list;

static int collect_id(struct nlmsghdr *h, void *userdata) {
        id_list *l = userdata;
        inode_id id;

        if (parse_vfs(h, &id) <= 0)
                return 0;
        if (l->n == l->allocated) {
                size_t more = l->allocated ? l->allocated * 2 : 64;
                inode_id *p = reallocarray(l->ids, more, sizeof(*p));

                if (!p)
                        return -ENOMEM;
                l->ids = p;
                l->allocated = more;
        }
        l->ids[l->n++] = id;
        return 0;
}

int unix_diag_bound_ids(inode_id **ret, size_t *ret_n) {
        id_list l = {};
        int r;

        /* Only the files: no names, so the dump stays small. */
        r = diag_dump(UDIAG_SHOW_VFS, collect_id, &l);
        if (r < 0) {
                free(l.ids);
                return r;
        }
        *ret = l.ids;
        *ret_n = l.n;
        return 0;
}

typedef struct info_list {
        unix_socket_info *s;
        size_t n, allocated;
} info_list;

/* The bind address as the kernel keeps it: a path (NUL-terminated within
 * the attribute), or an abstract name that starts with a NUL byte and may
 * hold more; those print as '@', the way ss shows them. */
static char *render_name(const char *data, size_t len) {
        char *s;

        if (len == 0)
                return NULL;
        if (data[0] != '\0')
                return strndup(data, strnlen(data, len));
        s = malloc(len + 1);
        if (!s)
                return NULL;
        for (size_t i = 0; i < len; i++)
                s[i] = data[i] == '\0' ? '@' : data[i];
        s[len] = '\0';
        return s;
}

static int collect_info(struct nlmsghdr *h, void *userdata) {
        info_list *l = userdata;
        struct unix_diag_msg *msg = NLMSG_DATA(h);
        int len = (int) (h->nlmsg_len - NLMSG_LENGTH(sizeof(*msg)));
        unix_socket_info info = {
                .sock_ino = msg->udiag_ino,
                .type = msg->udiag_type,
                .listening = msg->udiag_state == 10, /* TCP_LISTEN */
        };

        for (struct rtattr *attr = (struct rtattr *) (msg + 1); RTA_OK(attr, len); attr = RTA_NEXT(attr, len))
                if (attr->rta_type == UNIX_DIAG_NAME && !info.name) {
                        info.name = render_name(RTA_DATA(attr), RTA_PAYLOAD(attr));
                        if (!info.name && RTA_PAYLOAD(attr) > 0)
                                return -ENOMEM;
                }
        if (!info.name)
                return 0; /* unnamed: nothing anybody can connect to by name */
        info.has_vfs = parse_vfs(h, &info.vfs) > 0;

        if (l->n == l->allocated) {
                size_t more = l->allocated ? l->allocated * 2 : 64;
                unix_socket_info *p = reallocarray(l->s, more, sizeof(*p));

                if (!p) {
                        free(info.name);
                        return -ENOMEM;
                }
                l->s = p;
                l->allocated = more;
        }
        l->s[l->n++] = info;
        return 0;
}

int unix_diag_list(unix_socket_info **ret, size_t *ret_n) {
        info_list l = {};
        int r;

        r = diag_dump(UDIAG_SHOW_NAME | UDIAG_SHOW_VFS, collect_info, &l);
        if (r < 0) {
                unix_socket_info_free_many(l.s, l.n);
                return r;
        }
        *ret = l.s;
        *ret_n = l.n;
        return 0;
}

void unix_socket_info_free_many(unix_socket_info *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(s[i].name);
        free(s);
}
