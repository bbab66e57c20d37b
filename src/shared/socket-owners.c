/* SPDX-License-Identifier: MIT */
/* Which processes hold which sockets (for `scan`): sock_diag says what is
 * bound, but only /proc says who holds it. One pass over every
 * /proc/PID/fd directory, a readlink per fd and nothing else, then one sort
 * by socket inode: the same work `ss -p` does, without its per-socket
 * lookups. Commands and units are read later, only for the processes that
 * turn out to matter. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-util.h"
#include "macro.h"
#include "parse-util.h"
#include "path-util.h"
#include "socket-owners.h"
#include "strv.h"

int parse_socket_link(const char *target, uint32_t *ret) {
        unsigned long long v = 0;
        const char *p;

        if (strncmp(target, "socket:[", 8) != 0)
                return -EINVAL;
        p = target + 8;
        if (*p < '0' || *p > '9')
                return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
                v = v * 10 + (unsigned) (*p - '0');
                if (v > UINT32_MAX)
                        return -ERANGE; /* socket inodes are 32-bit (get_next_ino) */
        }
        if (p[0] != ']' || p[1] != '\0')
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

int process_holds_socket(const char *proc, pid_t pid, uint32_t ino) {
        _cleanup_free_ char *fd_dir = NULL;
        struct dirent *de;
        int r = 0, dfd;
        DIR *d;

        if (asprintf(&fd_dir, "%s/%d/fd", proc, (int) pid) < 0)
                return -ENOMEM;
        d = opendir(fd_dir);
        if (!d)
                return errno == ENOENT ? -ESRCH : -errno;
        dfd = dirfd(d);
        while (r == 0 && (de = readdir(d))) {
                char target[64];
                uint32_t found;
                ssize_t n;

                if (de->d_name[0] == '.')
                        continue;
                n = readlinkat(dfd, de->d_name, target, sizeof(target) - 1);
                if (n < 0)
                        continue; /* closed meanwhile */
                target[n] = '\0';
                if (parse_socket_link(target, &found) >= 0 && found == ino)
                        r = 1;
        }
        closedir(d);
        return r;
}

/* A decimal name of /proc (a pid) or of /proc/PID/fd (an fd, 0 too). */
static bool parse_number(const char *s, int *ret) {
        unsigned long v;

        if (parse_unsigned(s, INT32_MAX, &v) < 0)
                return false;
        *ret = (int) v;
        return true;
}

typedef struct holder_list {
        socket_holder *v;
        size_t n, allocated;
} holder_list;

static int holder_push(holder_list *l, socket_holder h) {
        if (l->n == l->allocated) {
                size_t more = l->allocated ? l->allocated * 2 : 256;
                socket_holder *p = reallocarray(l->v, more, sizeof(*p));

                if (!p)
                        return -ENOMEM;
                l->v = p;
                l->allocated = more;
        }
        l->v[l->n++] = h;
        return 0;
}

/* The socket fds of one process. 1 when its fd directory was unreadable. */
static int scan_process(int proc_fd, const char *pid_name, pid_t pid, holder_list *l) {
        _cleanup_free_ char *fd_dir = NULL;
        struct dirent *de;
        DIR *d;
        int dfd, r = 0;

        if (asprintf(&fd_dir, "%s/fd", pid_name) < 0)
                return -ENOMEM;
        dfd = openat(proc_fd, fd_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errno == EACCES || errno == EPERM ? 1 : 0; /* gone, or a kernel thread */
        d = fdopendir(dfd);
        if (!d) {
                /* fdopendir() fstat()s the directory, which fails with
                 * ENOENT once the process has exited: gone, as above. */
                int e = errno;

                safe_close(dfd);
                return e == ENOMEM ? -ENOMEM : 0;
        }
        while ((de = readdir(d))) {
                char target[64];
                ssize_t n;
                uint32_t ino;
                int fd;

                if (!parse_number(de->d_name, &fd))
                        continue;
                /* 'socket:[4294967295]' fits; anything longer is no socket. */
                n = readlinkat(dfd, de->d_name, target, sizeof(target) - 1);
                if (n < 0)
                        continue; /* closed meanwhile */
                target[n] = '\0';
                if (parse_socket_link(target, &ino) < 0)
                        continue;
                r = holder_push(l, (socket_holder) { .sock_ino = ino, .pid = pid, .fd = fd });
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}

static int cmp_holder(const void *a, const void *b) {
        const socket_holder *x = a, *y = b;

        if (x->sock_ino != y->sock_ino)
                return x->sock_ino < y->sock_ino ? -1 : 1;
        if (x->pid != y->pid)
                return x->pid < y->pid ? -1 : 1;
        return (x->fd > y->fd) - (x->fd < y->fd);
}

int socket_owners_load(socket_owners *ret, const char *proc) {
        holder_list l = {};
        unsigned unreadable = 0;
        struct dirent *de;
        size_t k = 0;
        DIR *d;
        int r = 0;

        d = opendir(proc);
        if (!d)
                return negative_errno();
        while ((de = readdir(d))) {
                int pid;

                if (!parse_number(de->d_name, &pid) || pid <= 0)
                        continue;
                r = scan_process(dirfd(d), de->d_name, pid, &l);
                if (r < 0)
                        break;
                unreadable += r;
                r = 0;
        }
        closedir(d);
        if (r < 0) {
                free(l.v);
                return r;
        }

        /* One entry per (socket, process), with the lowest fd. */
        if (l.n > 0) {
                qsort(l.v, l.n, sizeof(*l.v), cmp_holder);
                for (size_t i = 1; i < l.n; i++)
                        if (l.v[i].sock_ino != l.v[k].sock_ino || l.v[i].pid != l.v[k].pid)
                                l.v[++k] = l.v[i];
                k++;
        }
        *ret = (socket_owners) { .holders = l.v, .n = k, .n_unreadable = unreadable };
        return 0;
}

void socket_owners_done(socket_owners *o) {
        free(o->holders);
        *o = (socket_owners) {};
}

const socket_holder *socket_owners_find(const socket_owners *o, uint32_t ino, size_t *ret_n) {
        size_t lo = 0, hi = o->n, end;

        /* The first entry with sock_ino >= INO. */
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (o->holders[mid].sock_ino < ino)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (end = lo; end < o->n && o->holders[end].sock_ino == ino; end++)
                ;
        *ret_n = end - lo;
        return end > lo ? &o->holders[lo] : NULL;
}

/* The unit types that hold processes; anything else below the slices
 * (a container's own hierarchy, "payload") is no unit of ours. */
static bool is_process_unit(const char *s, size_t len) {
        return has_suffix_n(s, len, ".service") || has_suffix_n(s, len, ".scope") || has_suffix_n(s, len, ".socket") ||
               has_suffix_n(s, len, ".mount") || has_suffix_n(s, len, ".swap");
}

/* The first unit below PATH's leading slices: its name and what follows
 * it, or NULL. */
static const char *first_unit(const char *path, size_t *ret_len) {
        const char *p = path;

        for (;;) {
                size_t len;

                while (*p == '/')
                        p++;
                if (!*p)
                        return NULL;
                len = strcspn(p, "/");
                if (has_suffix_n(p, len, ".slice")) {
                        p += len;
                        continue;
                }
                if (!is_process_unit(p, len))
                        return NULL;
                *ret_len = len;
                return p;
        }
}

int cgroup_path_unit(const char *path, char **ret_unit, char **ret_manager) {
        _cleanup_free_ char *unit = NULL, *manager = NULL;
        const char *u, *inner;
        size_t len, inner_len;

        u = first_unit(path, &len);
        if (!u)
                return -ENOENT;
        unit = strndup(u, len);
        if (!unit)
                return -ENOMEM;

        /* A user's manager: the unit that matters is the one inside it.
         * Its own processes (systemd --user) sit in init.scope there. */
        if (strncmp(unit, "user@", 5) == 0 && has_suffix_n(unit, len, ".service") &&
            (inner = first_unit(u + len, &inner_len))) {
                manager = TAKE_PTR(unit);
                unit = strndup(inner, inner_len);
                if (!unit)
                        return -ENOMEM;
        }
        *ret_unit = TAKE_PTR(unit);
        *ret_manager = TAKE_PTR(manager);
        return 0;
}

int cgroup_file_path(const char *text, char **ret) {
        const char *unified = NULL, *named = NULL;
        size_t unified_len = 0, named_len = 0;

        for (const char *line = text; line && *line;) {
                const char *end = strchrnul(line, '\n');
                const char *c1 = memchr(line, ':', (size_t) (end - line)), *c2;

                if (c1 && (c2 = memchr(c1 + 1, ':', (size_t) (end - c1 - 1)))) {
                        if (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1) {
                                unified = c2 + 1;
                                unified_len = (size_t) (end - unified);
                        } else if (c2 - c1 - 1 == 12 && memcmp(c1 + 1, "name=systemd", 12) == 0) {
                                named = c2 + 1;
                                named_len = (size_t) (end - named);
                        }
                }
                line = *end ? end + 1 : NULL;
        }
        /* Hybrid hierarchies keep units in name=systemd; the unified line
         * is then "/" or a mirror of it. */
        if (unified && !(named && unified_len == 1 && unified[0] == '/'))
                *ret = strndup(unified, unified_len);
        else if (named)
                *ret = strndup(named, named_len);
        else
                return -ENOENT;
        return *ret ? 0 : -ENOMEM;
}

/* /proc/PID/NAME, whole. */
static int read_proc(const char *proc, pid_t pid, const char *name, char **ret, size_t *ret_len) {
        char rel[64];

        snprintf(rel, sizeof(rel), "/%d/%s", (int) pid, name);
        return root_read_file(proc, rel, ret, ret_len);
}

/* The target of the link /proc/PID/NAME. */
static int read_proc_link(const char *proc, pid_t pid, const char *name, char **ret) {
        char path[PATH_MAX], target[PATH_MAX];
        ssize_t n;

        snprintf(path, sizeof(path), "%s/%d/%s", proc, (int) pid, name);
        n = readlink(path, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        *ret = strdup(target);
        return *ret ? 0 : -ENOMEM;
}

int process_info_load(process_info *ret, const char *proc, pid_t pid) {
        process_info p = { .pid = pid };
        _cleanup_free_ char *cgroup = NULL;
        char *s;
        size_t len;
        int r;

        if (read_proc(proc, pid, "comm", &s, &len) >= 0) {
                if (len > 0 && s[len - 1] == '\n')
                        s[len - 1] = '\0';
                p.comm = s;
        }
        if (read_proc(proc, pid, "cmdline", &s, &len) >= 0) {
                /* NUL-separated arguments: kept one by one, and joined by
                 * spaces, as ps shows them. */
                while (len > 0 && s[len - 1] == '\0')
                        len--;
                for (size_t i = 0; i < len; i += strlen(s + i) + 1)
                        if (strv_extend(&p.argv, &p.n_argv, s + i) < 0) {
                                free(s);
                                process_info_done(&p);
                                return -ENOMEM;
                        }
                for (size_t i = 0; i < len; i++)
                        if (s[i] == '\0')
                                s[i] = ' ';
                s[len] = '\0';
                if (len > 0)
                        p.cmdline = s;
                else
                        free(s);
        }
        r = read_proc_link(proc, pid, "cwd", &p.cwd);
        if (r == -ENOMEM) {
                process_info_done(&p);
                return r;
        }
        if (read_proc(proc, pid, "cgroup", &cgroup, NULL) >= 0 && cgroup_file_path(cgroup, &p.cgroup) >= 0) {
                r = cgroup_path_unit(p.cgroup, &p.unit, &p.manager);
                if (r < 0 && r != -ENOENT) {
                        process_info_done(&p);
                        return r;
                }
        }
        *ret = p;
        return 0;
}

void process_info_done(process_info *p) {
        free(p->comm);
        free(p->cmdline);
        strv_free_n(p->argv, p->n_argv);
        free(p->cwd);
        free(p->cgroup);
        free(p->unit);
        free(p->manager);
        *p = (process_info) { .pid = p->pid };
}

bool process_is_manager(const process_info *p) {
        return p->comm && streq(p->comm, "systemd");
}

int process_cache_get(process_cache *c, pid_t pid, const process_info **ret) {
        process_info *p;
        size_t lo = 0, hi = c->n;
        int r;

        if (c->last < c->n && c->v[c->last]->pid == pid) {
                *ret = c->v[c->last];
                return 0;
        }
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (c->v[mid]->pid < pid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo < c->n && c->v[lo]->pid == pid) {
                *ret = c->v[c->last = lo];
                return 0;
        }
        if (GREEDY_REALLOC(c->v, c->allocated, c->n + 1, 16) < 0)
                return -ENOMEM;
        p = malloc(sizeof(*p));
        if (!p)
                return -ENOMEM;
        r = process_info_load(p, c->proc, pid);
        if (r < 0) {
                free(p);
                return r;
        }
        memmove(c->v + lo + 1, c->v + lo, (c->n - lo) * sizeof(*c->v));
        c->v[lo] = p;
        c->n++;
        *ret = c->v[c->last = lo];
        return 0;
}

void process_cache_done(process_cache *c) {
        for (size_t i = 0; i < c->n; i++) {
                process_info_done(c->v[i]);
                free(c->v[i]);
        }
        free(c->v);
        *c = (process_cache) { .proc = c->proc };
}

int socket_owners_service(const socket_owners *o, process_cache *c, uint32_t ino, const process_info **ret) {
        const process_info *first = NULL;
        const socket_holder *h;
        size_t n;

        h = socket_owners_find(o, ino, &n);
        for (size_t i = 0; i < n; i++) {
                const process_info *p;
                int r = process_cache_get(c, h[i].pid, &p);

                if (r < 0)
                        return r;
                if (!process_is_manager(p)) {
                        *ret = p;
                        return 0;
                }
                if (!first)
                        first = p;
        }
        if (!first)
                return -ENOENT;
        *ret = first;
        return 0;
}

int socket_owners_system_unit(const socket_owners *o, const char *proc, uint32_t ino, pid_t self, pid_t *ret_pid,
                              char **ret_unit) {
        const socket_holder *h;
        bool elsewhere = false;
        size_t n;

        h = socket_owners_find(o, ino, &n);
        for (size_t i = 0; i < n; i++) {
                _cleanup_(process_info_done) process_info p = {};
                int r;

                if (h[i].pid <= 1 || h[i].pid == self)
                        continue;
                r = process_info_load(&p, proc, h[i].pid);
                if (r < 0)
                        return r;
                if (!p.cgroup)
                        continue; /* gone meanwhile */
                if (!p.unit || p.manager || streq(p.unit, "init.scope") || path_is_under("/user.slice", p.cgroup)) {
                        elsewhere = true;
                        continue;
                }
                *ret_pid = h[i].pid;
                *ret_unit = TAKE_PTR(p.unit);
                return 0;
        }
        return elsewhere ? -ENXIO : -ENOENT;
}
