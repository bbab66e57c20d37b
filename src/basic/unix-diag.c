/* SPDX-License-Identifier: MIT */
/* Asking the kernel (sock_diag, UNIX_DIAG_VFS) which file an AF_UNIX socket
 * is bound to. lstat() after bind() could be raced by anyone who can write
 * the directory; the kernel's answer cannot. The same query as a dump lists
 * every bound socket, which tells live anchors from dead ones without
 * connecting to anybody; with the names and states added, it is what
 * `check` needs to say whether something listens at a path. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "alloc-util.h"
#include "macro.h"
#include "unix-diag-dump.h"
#include "unix-diag.h"


int unix_diag_vfs_id(int fd, inode_id *ret) {
        _cleanup_close_ int nl = -EBADF;
        struct stat st;
        int r;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISSOCK(st.st_mode))
                return -ENOTSOCK;
        nl = diag_socket();
        if (nl < 0)
                return nl;
        r = diag_ask_one(nl, (uint32_t) st.st_ino, NULL, ret);
        return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

/* The socket's owner, as UNIX_DIAG_UID tells it: the user that created
 * the socket, whoever the file was chowned to later. */
static bool parse_socket_uid(struct nlmsghdr *h, uid_t *ret) {
        struct unix_diag_msg *msg = NLMSG_DATA(h);
        int len = (int) (h->nlmsg_len - NLMSG_LENGTH(sizeof(*msg)));

        for (struct rtattr *attr = (struct rtattr *) (msg + 1); RTA_OK(attr, len); attr = RTA_NEXT(attr, len))
                if (attr->rta_type == UNIX_DIAG_UID && RTA_PAYLOAD(attr) >= (int) sizeof(uid_t)) {
                        memcpy(ret, RTA_DATA(attr), sizeof(uid_t));
                        return true;
                }
        return false;
}

/* A connection accepted on a listener carries the listener's file and
 * name too (the kernel copies them), and lives on after the listener is
 * closed: the socket that holds a file is the listener, or a datagram or
 * unconnected one bound to it. */
static bool holds_its_file(const struct unix_diag_msg *msg) {
        return msg->udiag_type == SOCK_DGRAM || msg->udiag_state != 1 /* TCP_ESTABLISHED */;
}

static unix_bound bound_of(struct nlmsghdr *h, const inode_id *vfs) {
        unix_bound b = { .vfs = *vfs, .uid = (uid_t) -1 };

        (void) parse_socket_uid(h, &b.uid);
        return b;
}

typedef struct bound_list {
        unix_bound *b;
        size_t n, allocated;
} bound_list;

static int collect_bound(struct nlmsghdr *h, const diag_netns *ns, void *userdata) {
        bound_list *l = userdata;
        inode_id id;

        if (!holds_its_file(NLMSG_DATA(h)) || parse_vfs(h, &id) <= 0)
                return 0;
        if (GREEDY_REALLOC(l->b, l->allocated, l->n + 1, 64) < 0)
                return -ENOMEM;
        l->b[l->n++] = bound_of(h, &id);
        return 0;
}

/* A dump comes in batches, and the kernel resumes each by the position
 * in a hash bucket: a socket closed meanwhile ahead of that position
 * makes the next batch skip one that lives. No dump says when it
 * skipped, so a miss is believed only when every look misses: two for a
 * list, which callers confirm socket by socket before they act on a
 * miss, and three for one file, which is that confirmation. With 1,500
 * bound sockets and two processes churning, 40 listings of two looks
 * still missed a live socket in about one run of 13. */
#define BOUND_ALL_LOOKS 2
#define FIND_BOUND_LOOKS 3

#define BOUND_SHOW (UDIAG_SHOW_VFS | UDIAG_SHOW_UID)

int unix_diag_bound_all(unix_bound **ret, size_t *ret_n, bool *ret_complete) {
        bound_list l = {};
        int r = 0;

        /* Only the files and owners: no names, so the dumps stay small.
         * Two of them, listed together: a socket one skipped (see
         * FIND_BOUND_LOOKS) the other has. */
        for (unsigned look = 0; look < BOUND_ALL_LOOKS && r >= 0; look++) {
                r = diag_dump(&(diag_netns) {}, BOUND_SHOW, collect_bound, &l);
                if (r >= 0)
                        r = diag_dump_other_netns(BOUND_SHOW, collect_bound, &l);
        }
        if (r < 0) {
                free(l.b);
                return r;
        }
        *ret = l.b;
        *ret_n = l.n;
        if (ret_complete)
                *ret_complete = r > 0;
        return 0;
}

typedef struct bound_search {
        inode_id file;
        const char *path;
        bool found;
        unix_bound result;
} bound_search;

/* Whether the socket's bind name (UNIX_DIAG_NAME) is exactly PATH. */
static bool name_is(struct nlmsghdr *h, const char *path) {
        struct unix_diag_msg *msg = NLMSG_DATA(h);
        int len = (int) (h->nlmsg_len - NLMSG_LENGTH(sizeof(*msg)));
        size_t n = strlen(path);

        for (struct rtattr *attr = (struct rtattr *) (msg + 1); RTA_OK(attr, len); attr = RTA_NEXT(attr, len))
                if (attr->rta_type == UNIX_DIAG_NAME)
                        return (size_t) RTA_PAYLOAD(attr) >= n && memcmp(RTA_DATA(attr), path, n) == 0 &&
                               ((size_t) RTA_PAYLOAD(attr) == n || ((const char *) RTA_DATA(attr))[n] == '\0');
        return false;
}

static int match_bound(struct nlmsghdr *h, const diag_netns *ns, void *userdata) {
        bound_search *s = userdata;
        struct unix_diag_msg *msg = NLMSG_DATA(h);
        inode_id id;

        if (!holds_its_file(msg) || parse_vfs(h, &id) <= 0 || !unix_diag_matches(id, s->file))
                return 0;
        s->found = true;
        s->result = bound_of(h, &id);
        s->result.listening = msg->udiag_state == 10; /* TCP_LISTEN */
        s->result.name_is_path = s->path && name_is(h, s->path);
        return -ECANCELED; /* found: stop the dump */
}


int unix_diag_find_bound(inode_id file, const char *path, unix_bound *ret, bool *ret_complete) {
        bound_search s = { .file = file, .path = path };
        uint32_t show = BOUND_SHOW | (path ? UDIAG_SHOW_NAME : 0);
        int r = 0;

        for (unsigned look = 0; look < FIND_BOUND_LOOKS && !s.found && r >= 0; look++) {
                /* Our own namespace first: where a socket usually is,
                 * and the only one that needs no thread per namespace. */
                r = diag_dump(&(diag_netns) {}, show, match_bound, &s);
                if (r >= 0 && !s.found)
                        r = diag_dump_other_netns(show, match_bound, &s);
        }
        if (r < 0 && r != -ECANCELED)
                return r;
        if (ret_complete)
                *ret_complete = s.found || r > 0;
        if (!s.found)
                return 0;
        if (ret)
                *ret = s.result;
        return 1;
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

static int collect_info(struct nlmsghdr *h, const diag_netns *ns, void *userdata) {
        info_list *l = userdata;
        struct unix_diag_msg *msg = NLMSG_DATA(h);
        int len = (int) (h->nlmsg_len - NLMSG_LENGTH(sizeof(*msg)));
        unix_socket_info info = {
                .sock_ino = msg->udiag_ino,
                .type = msg->udiag_type,
                .listening = msg->udiag_state == 10, /* TCP_LISTEN */
                .netns = ns->ino,
                .other_netns = ns->other,
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

        if (GREEDY_REALLOC(l->s, l->allocated, l->n + 1, 64) < 0) {
                free(info.name);
                return -ENOMEM;
        }
        l->s[l->n++] = info;
        return 0;
}

int unix_diag_list(unix_diag_netns which, unix_socket_info **ret, size_t *ret_n, bool *ret_complete) {
        info_list l = {};
        int r = 1;

        if (which & UNIX_DIAG_OWN_NETNS)
                r = diag_dump(&(diag_netns) { .ino = own_netns() }, UDIAG_SHOW_NAME | UDIAG_SHOW_VFS, collect_info, &l);
        if (r >= 0 && (which & UNIX_DIAG_OTHER_NETNS))
                r = diag_dump_other_netns(UDIAG_SHOW_NAME | UDIAG_SHOW_VFS, collect_info, &l);
        if (r < 0) {
                unix_socket_info_free_many(l.s, l.n);
                return r;
        }
        *ret = l.s;
        *ret_n = l.n;
        if (ret_complete)
                *ret_complete = !(which & UNIX_DIAG_OTHER_NETNS) || r > 0;
        return 0;
}

void unix_socket_info_free_many(unix_socket_info *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(s[i].name);
        free(s);
}

/* ---- one socket, asked about again by number ---- */

typedef struct ref_entry {
        inode_id vfs;           /* 32-bit inode number, as above */
        unix_sock_ref ref;
} ref_entry;

/* The sockets of every namespace by file, from one dump that the keepers
 * starting together share (a guard attaching 10,000 paths dumps once, not
 * 10,000 times). Only identities come from it, never liveness: a socket's
 * cookie is unique for its lifetime, so asking by it later is exact. */
static pthread_mutex_t ref_lock = PTHREAD_MUTEX_INITIALIZER;
static ref_entry *ref_table;
static size_t n_ref_table, allocated_ref_table;
static uint64_t ref_table_time;
static uint64_t ref_table_started;     /* CLOCK_REALTIME when its dump began */
#define REF_TABLE_FRESH_USEC (1 * USEC_PER_SEC)
/* File timestamps come from a coarse clock, a tick or so behind. */
#define FILE_CLOCK_SLACK_USEC (20 * USEC_PER_MSEC)

static int collect_ref(struct nlmsghdr *h, const diag_netns *ns, void *userdata) {
        struct unix_diag_msg *msg = NLMSG_DATA(h);
        inode_id vfs;

        if (!holds_its_file(msg) || parse_vfs(h, &vfs) <= 0)
                return 0;
        if (GREEDY_REALLOC(ref_table, allocated_ref_table, n_ref_table + 1, 256) < 0)
                return -ENOMEM;
        ref_table[n_ref_table++] = (ref_entry) {
                .vfs = vfs,
                .ref = {
                        .ino = msg->udiag_ino,
                        .cookie = { msg->udiag_cookie[0], msg->udiag_cookie[1] },
                        .netns = ns->other ? ns->ino : 0,
                        .pid = ns->other ? ns->pid : 0,
                },
        };
        return 0;
}

static int ref_compare(const void *a, const void *b) {
        const ref_entry *x = a, *y = b;

        if (x->vfs.dev != y->vfs.dev)
                return x->vfs.dev < y->vfs.dev ? -1 : 1;
        if ((uint32_t) x->vfs.ino != (uint32_t) y->vfs.ino)
                return (uint32_t) x->vfs.ino < (uint32_t) y->vfs.ino ? -1 : 1;
        return 0;
}

static int refresh_ref_table(void) {
        int r;

        n_ref_table = 0;
        ref_table_started = now_usec(CLOCK_REALTIME);
        r = diag_dump(&(diag_netns) {}, UDIAG_SHOW_VFS, collect_ref, NULL);
        /* And the others: a guard under PrivateNetwork=yes has every
         * socket it keeps in another namespace than its own. */
        if (r >= 0)
                r = diag_dump_other_netns(UDIAG_SHOW_VFS, collect_ref, NULL);
        if (r < 0)
                return r;
        if (n_ref_table > 0)
                qsort(ref_table, n_ref_table, sizeof(*ref_table), ref_compare);
        ref_table_time = now_usec(CLOCK_MONOTONIC);
        return 0;
}

static const ref_entry *lookup_ref(inode_id file) {
        ref_entry key = { .vfs = { .dev = file.dev, .ino = (uint32_t) file.ino } };

        return n_ref_table ? bsearch(&key, ref_table, n_ref_table, sizeof(*ref_table), ref_compare) : NULL;
}

int unix_diag_identify(inode_id file, uint64_t file_changed_usec, unix_sock_ref *ret) {
        const ref_entry *e;
        bool fresh = false;
        int r = 0;

        pthread_mutex_lock(&ref_lock);
        if (!ref_table_time || now_usec(CLOCK_MONOTONIC) - ref_table_time > REF_TABLE_FRESH_USEC) {
                r = refresh_ref_table();
                fresh = true;
        }
        e = r >= 0 ? lookup_ref(file) : NULL;
        /* Bound since the table was made, or bound to a file whose inode
         * number a socket closed since had (a daemon restarted, and its new
         * file got the old number): once more, fresh. A file older than
         * the table is the one the table saw; only a newer one is asked
         * about, so that 10,000 keepers starting together cost one dump. */
        if (r >= 0 && !fresh && file_changed_usec + FILE_CLOCK_SLACK_USEC >= ref_table_started &&
            (!e || unix_diag_ref_bound(&e->ref, file) == 0)) {
                r = refresh_ref_table();
                e = r >= 0 ? lookup_ref(file) : NULL;
        }
        if (e)
                *ret = e->ref;
        pthread_mutex_unlock(&ref_lock);
        return r < 0 ? r : e != NULL;
}

/* A sock_diag socket in the network namespace of REF: ours, or the one
 * that its process was in, if it still is (-ESRCH when not). */
static int diag_socket_for(const unix_sock_ref *ref) {
        _cleanup_close_ int ns_fd = -EBADF;
        char p[64];
        struct stat st;

        if (!ref->pid)
                return diag_socket();
        snprintf(p, sizeof(p), "/proc/%d/ns/net", (int) ref->pid);
        ns_fd = open(p, O_RDONLY | O_CLOEXEC);
        if (ns_fd < 0 || fstat(ns_fd, &st) < 0 || (uint64_t) st.st_ino != ref->netns)
                return -ESRCH;
        return diag_socket_in(ns_fd);
}

int unix_diag_ref_bound(const unix_sock_ref *ref, inode_id file) {
        _cleanup_close_ int nl = diag_socket_for(ref);
        inode_id vfs;
        int r;

        if (nl < 0)
                return nl;
        r = diag_ask_one(nl, ref->ino, ref->cookie, &vfs);
        if (r <= 0)
                return r; /* 0: that socket is gone */
        /* The same socket, still bound to that file. */
        return unix_diag_matches(vfs, file);
}
