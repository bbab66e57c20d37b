/* SPDX-License-Identifier: MIT */
/* The conversation with sock_diag behind unix-diag.c: one socket asked
 * about by number, or a dump of every socket, in this network namespace
 * or, through a short-lived thread that enters it, in each other one
 * that a process of the machine is in. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* netlink_dump() fills at most 32 KiB per read; MSG_TRUNC would tell. */
#define DUMP_BUFFER_SIZE 32768

int diag_socket(void) {
        int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

        if (nl < 0)
                return errno == EPROTONOSUPPORT ? -EOPNOTSUPP : negative_errno();
        return nl;
}

/* Sends one request on NL; a netlink socket answers for the network
 * namespace it was created in. COOKIE, when given, is the socket's
 * cookie, which the kernel checks for a socket asked about by number. */
static int diag_send(int nl, uint32_t ino, const uint32_t *cookie, uint16_t flags, uint32_t show) {
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

        if (cookie)
                memcpy(request.req.udiag_cookie, cookie, sizeof(request.req.udiag_cookie));
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

        if (sendto(nl, &request, sizeof(request), 0, (struct sockaddr *) &kernel, sizeof(kernel)) < 0)
                return negative_errno();
        return 0;
}

/* The file a diag message says its socket is bound to: 1 and the id, or 0
 * for a socket without one (abstract, unbound). */
int parse_vfs(struct nlmsghdr *h, inode_id *ret) {
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

int diag_ask_one(int nl, uint32_t ino, const uint32_t *cookie, inode_id *ret_vfs) {
        union {
                struct nlmsghdr nlh;
                uint8_t buf[1024];
        } reply;
        ssize_t n;
        int r;

        r = diag_send(nl, ino, cookie, 0, UDIAG_SHOW_VFS);
        if (r < 0)
                return r;
        n = recv(nl, &reply, sizeof(reply), 0);
        if (n < 0)
                return negative_errno();
        for (struct nlmsghdr *h = &reply.nlh; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
                if (h->nlmsg_type == NLMSG_ERROR) {
                        r = diag_error(h);
                        return r == -ENOENT ? 0 : r; /* no such socket (any more) */
                }
                if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY)
                        return parse_vfs(h, ret_vfs);
        }
        return -EBADMSG;
}

/* Calls FN for each socket of a dump with the attributes SHOW, asked on
 * the netlink socket NL in namespace NS; stops at the first negative
 * return. */
int diag_dump_on(int nl, const diag_netns *ns, uint32_t show, diag_fn fn, void *userdata) {
        _cleanup_free_ void *buf = NULL;
        int r;

        buf = malloc(DUMP_BUFFER_SIZE);
        if (!buf)
                return -ENOMEM;
        r = diag_send(nl, 0, NULL, NLM_F_DUMP, show);
        if (r < 0)
                return r;

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
                        if (h->nlmsg_type == NLMSG_DONE)
                                return 0;
                        if (h->nlmsg_type == NLMSG_ERROR)
                                return diag_error(h);
                        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
                            h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
                                continue;
                        r = fn(h, ns, userdata);
                        if (r < 0)
                                return r;
                }
        }
}

/* Our own network namespace's nsfs inode, 0 when /proc cannot say. */
uint64_t own_netns(void) {
        struct stat st;

        return stat("/proc/self/ns/net", &st) < 0 ? 0 : (uint64_t) st.st_ino;
}

/* The same in this thread's network namespace, which is NS (its inode
 * may be left 0 by a caller that does not need it). */
int diag_dump(const diag_netns *ns, uint32_t show, diag_fn fn, void *userdata) {
        _cleanup_close_ int nl = diag_socket();

        if (nl < 0)
                return nl;
        return diag_dump_on(nl, ns, show, fn, userdata);
}

typedef struct netns_socket {
        int ns_fd;
        int result;     /* the netlink socket, or -errno */
} netns_socket;

/* A thread of its own enters the namespace, so that the caller's threads
 * never leave theirs; the socket keeps answering for the namespace it was
 * made in after the thread is gone. */
static void *open_in_netns(void *userdata) {
        netns_socket *s = userdata;

        s->result = setns(s->ns_fd, CLONE_NEWNET) < 0 ? negative_errno() : diag_socket();
        return NULL;
}

int diag_socket_in(int ns_fd) {
        netns_socket s = { .ns_fd = ns_fd, .result = -EIO };
        sigset_t all, saved;
        pthread_t t;
        int r;

        /* The process's signals are for its own threads, never for this
         * one, which runs in another namespace. */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved);
        r = -pthread_create(&t, NULL, open_in_netns, &s);
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        if (r < 0)
                return r;
        (void) pthread_join(t, NULL);
        return s.result;
}

/* Whether this process has CAP_SYS_PTRACE in effect. */
static bool may_ptrace_anyone(void) {
        _cleanup_free_ char *line = NULL;
        unsigned long long caps = 0;
        size_t size = 0;
        bool found = false;
        FILE *f = fopen("/proc/self/status", "re");

        if (!f)
                return false;
        while (!found && getline(&line, &size, f) > 0)
                found = sscanf(line, "CapEff: %llx", &caps) == 1;
        fclose(f);
        return found && (caps & (1ULL << CAP_SYS_PTRACE));
}

/* Whether /proc shows every process to us: not when it is mounted with
 * hidepid= (ProtectProc=), unless we may see through it: hidepid hides
 * the processes that we may not ptrace, and CAP_SYS_PTRACE may ptrace
 * all. (subset=pid, ProcSubset=, hides no process.) Asked once per
 * process. */
static bool proc_shows_everything(void) {
        static int known = -1;
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        FILE *f;
        bool all = true;

        if (known >= 0)
                return known;
        f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return false;
        while (getline(&line, &size, f) > 0) {
                /* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - proc proc OPTIONS */
                char *sep = strstr(line, " - proc ");
                char mountpoint[16];

                if (!sep || sscanf(line, "%*s %*s %*s %*s %15s", mountpoint) != 1 || !streq(mountpoint, "/proc"))
                        continue;
                if (strstr(sep, "hidepid=") && !strstr(sep, "hidepid=0") && !strstr(sep, "hidepid=off"))
                        all = false;
        }
        fclose(f);
        if (!all)
                all = may_ptrace_anyone();
        known = all;
        return all;
}

typedef struct ns_seen {
        inode_id *ids;
        size_t n;
} ns_seen;

static void ns_seen_done(ns_seen *seen) {
        free(seen->ids);
}

static int ns_seen_add(ns_seen *seen, inode_id id) {
        inode_id *p;

        for (size_t i = 0; i < seen->n; i++)
                if (inode_id_eq(seen->ids[i], id))
                        return 0;
        p = reallocarray(seen->ids, seen->n + 1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        seen->ids = p;
        seen->ids[seen->n++] = id;
        return 1;
}

/* Whether the process whose /proc directory is PID_NAME is in our network
 * namespace, for one whose ns/net we may not open (a process with
 * capabilities we lack): /proc/PID/net/unix is an entry of its namespace's
 * own /proc/net, numbered apart from every other namespace's, and stat()
 * needs no access to the process. */
static bool shares_our_netns(int proc_fd, const char *pid_name, const struct stat *own_unix) {
        char p[NAME_MAX + sizeof("/net/unix")];
        struct stat st;

        snprintf(p, sizeof(p), "%s/net/unix", pid_name);
        return own_unix->st_ino != 0 && fstatat(proc_fd, p, &st, 0) >= 0 && st.st_dev == own_unix->st_dev &&
               st.st_ino == own_unix->st_ino;
}

/* Dumps the network namespaces of the machine's processes other than
 * our own, each once. A namespace this process may not enter (no
 * CAP_SYS_ADMIN, a seccomp filter) or cannot even see (a hidden /proc)
 * is skipped: its sockets stay unknown. Returns 1 when every namespace
 * was dumped, 0 when some were skipped, or a negative errno (or FN's). */
int diag_dump_other_netns(uint32_t show, diag_fn fn, void *userdata) {
        _cleanup_(ns_seen_done) ns_seen seen = {};
        bool complete = proc_shows_everything();
        struct stat st, own_unix = {};
        struct dirent *de;
        DIR *proc;
        int r = 0;

        if (stat("/proc/self/ns/net", &st) < 0)
                return 0;
        if (ns_seen_add(&seen, inode_id_of(&st)) < 0)
                return -ENOMEM;
        (void) stat("/proc/self/net/unix", &own_unix);

        proc = opendir("/proc");
        if (!proc)
                return 0;
        while (r >= 0 && (de = readdir(proc))) {
                _cleanup_close_ int ns_fd = -EBADF, nl = -EBADF;
                char p[sizeof(de->d_name) + sizeof("/ns/net")];

                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                snprintf(p, sizeof(p), "%s/ns/net", de->d_name);
                /* The namespace of the fd opened, not of a path that a
                 * reused PID may make another one meanwhile. */
                ns_fd = openat(dirfd(proc), p, O_RDONLY | O_CLOEXEC);
                if (ns_fd < 0) {
                        if (errno != ENOENT && !shares_our_netns(dirfd(proc), de->d_name, &own_unix))
                                complete = false; /* there, and not ours to see */
                        continue;
                }
                if (fstat(ns_fd, &st) < 0) {
                        complete = false;
                        continue;
                }
                r = ns_seen_add(&seen, inode_id_of(&st));
                if (r <= 0)
                        continue;
                nl = diag_socket_in(ns_fd);
                if (nl < 0) {
                        complete = false;
                        continue;
                }
                r = diag_dump_on(nl,
                                 &(diag_netns) { .ino = (uint64_t) st.st_ino, .other = true,
                                                 .pid = (pid_t) strtol(de->d_name, NULL, 10) },
                                 show, fn, userdata);
                if (r == -EOPNOTSUPP) {
                        complete = false;
                        r = 0;
                }
        }
        closedir(proc);
        return r < 0 ? r : complete;
}
