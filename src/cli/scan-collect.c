/* SPDX-License-Identifier: MIT */
/* What scan and heal know of each listening AF_UNIX socket: every one of
 * every network namespace (sock_diag), who holds it (/proc), and whether
 * its path still leads to it. scan.c shows it, heal.c repairs from it. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "log.h"
#include "macro.h"
#include "path-util.h"
#include "scan-collect.h"
#include "socket-renamed.h"

/* A testing aid, not an interface: the classifier reads the cleaners'
 * configuration under this directory, and judges a socket bound below it
 * by its path inside it, as `systemd-tmpfiles --root` would. */
#define TEST_ROOT_ENV "SOCKKEEPER_SCAN_TEST_ROOT"

/* A directory's names by inode number (d_ino: no stat per entry), read
 * once however many of its sockets are orphaned. */
typedef struct dir_name {
        uint32_t ino;   /* low 32 bits, as sock_diag reports them */
        char *name;
} dir_name;

struct dir_listing {
        char *dir;
        dir_name *names; /* sorted by ino */
        size_t n;
};

static void dir_listing_done(dir_listing *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->names[i].name);
        free(l->names);
        free(l->dir);
}

void scan_context_done(scan_context *c) {
        for (size_t i = 0; i < c->n_entries; i++) {
                free(c->entries[i].renamed_to);
                risk_report_done(&c->entries[i].report);
        }
        free(c->entries);
        free(c->by_name);
        free(c->by_vfs);
        for (size_t i = 0; i < c->n_dirs; i++)
                dir_listing_done(&c->dirs[i]);
        free(c->dirs);
        free(c->scratch);
        unix_socket_info_free_many(c->sockets, c->n_sockets);
        risk_machine_done(&c->machine);
}

/* The servers: listening stream and seqpacket sockets, and datagram
 * sockets with a name (a bound datagram socket is how /dev/log and the
 * journal serve; ss -xl lists them too). */
static bool is_server(const unix_socket_info *s) {
        return s->name && (s->listening || s->type == SOCK_DGRAM);
}

/* By name, then by socket inode: the order in which scan lists them. */
static int cmp_name(const void *a, const void *b) {
        const unix_socket_info *x = *(const unix_socket_info *const *) a, *y = *(const unix_socket_info *const *) b;
        int d = strcmp(x->name, y->name);

        return d ? d : (x->sock_ino > y->sock_ino) - (x->sock_ino < y->sock_ino);
}

/* The sockets bound at NAME (any state: tmpfiles' liveness check counts
 * accepted connections too, which carry their listener's name). */
static const unix_socket_info *const *name_group(const scan_context *c, const char *name, size_t *ret_n) {
        size_t lo = 0, hi = c->n_sockets, end;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (strcmp(c->by_name[mid]->name, name) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (end = lo; end < c->n_sockets && streq(c->by_name[end]->name, name); end++)
                ;
        *ret_n = end - lo;
        return &c->by_name[lo];
}

/* The holder that names each service: systemd (PID 1, or a user's
 * manager) keeps the fds of socket units, and a socket-activated service
 * holds the same socket, so systemd counts last. Each process is read
 * once, for the classifier too. */
static int load_processes(scan_context *c) {
        for (size_t i = 0; i < c->n_entries; i++) {
                scan_entry *e = &c->entries[i];
                int r = socket_owners_service(c->owners, &c->machine.processes, e->s->sock_ino, &e->proc);

                if (r < 0 && r != -ENOENT)
                        return r;
        }
        return 0;
}

bool scan_unit_matches(const scan_entry *e, char **units, size_t n_units) {
        const process_info *p = e->proc;

        if (!p || !p->unit)
                return false;
        /* The names are complete: "foo" became foo.service when read. */
        for (size_t i = 0; i < n_units; i++)
                if (streq(p->unit, units[i]) || (p->manager && streq(p->manager, units[i])))
                        return true;
        return false;
}

static const char *file_kind(mode_t mode) {
        switch (mode & S_IFMT) {
        case S_IFSOCK:
                return "socket";
        case S_IFLNK:
                return "symlink";
        case S_IFREG:
                return "regular file";
        case S_IFDIR:
                return "directory";
        default:
                return "special file";
        }
}

static int cmp_dir_name(const void *a, const void *b) {
        const dir_name *x = a, *y = b;
        return (x->ino > y->ino) - (x->ino < y->ino);
}

static int read_listing(const char *dir, dir_listing *ret) {
        dir_listing l = { .dir = strdup(dir) };
        size_t allocated = 0;
        struct dirent *de;
        DIR *d;

        if (!l.dir)
                return -ENOMEM;
        d = opendir(dir);
        while (d && (de = readdir(d))) {
                if (l.n == allocated) {
                        size_t more = allocated ? allocated * 2 : 64;
                        dir_name *p = reallocarray(l.names, more, sizeof(*p));

                        if (!p)
                                goto oom;
                        l.names = p;
                        allocated = more;
                }
                l.names[l.n].ino = (uint32_t) de->d_ino;
                l.names[l.n].name = strdup(de->d_name);
                if (!l.names[l.n].name)
                        goto oom;
                l.n++;
        }
        if (d)
                closedir(d);
        if (l.n > 0)
                qsort(l.names, l.n, sizeof(*l.names), cmp_dir_name);
        *ret = l;
        return 0;
oom:
        closedir(d);
        dir_listing_done(&l);
        return -ENOMEM;
}

static int listing_of(scan_context *c, const char *dir, const dir_listing **ret) {
        dir_listing *p;
        int r;

        for (size_t i = c->n_dirs; i > 0; i--) /* the last one first: orphans come in groups */
                if (streq(c->dirs[i - 1].dir, dir)) {
                        *ret = &c->dirs[i - 1];
                        return 0;
                }
        p = reallocarray(c->dirs, c->n_dirs + 1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        c->dirs = p;
        r = read_listing(dir, &c->dirs[c->n_dirs]);
        if (r < 0)
                return r;
        *ret = &c->dirs[c->n_dirs++];
        return 0;
}

/* A socket renamed after bind keeps its bind-time name in sock_diag; the
 * usual pattern renames within the directory, so only that one is read.
 * Never a cost for healthy sockets. Found, its file is what the entry is
 * rated by. */
static int find_renamed(scan_context *c, scan_entry *e) {
        _cleanup_free_ char *dir = path_parent(e->s->name);
        const dir_listing *l;
        dir_name key = { .ino = (uint32_t) e->s->vfs.ino };
        const dir_name *m;
        int r;

        if (!dir || !e->s->has_vfs)
                return 0;
        r = listing_of(c, dir, &l);
        if (r < 0)
                return r;
        m = l->n ? bsearch(&key, l->names, l->n, sizeof(*l->names), cmp_dir_name) : NULL;
        if (!m)
                return 0;
        while (m > l->names && m[-1].ino == key.ino)
                m--;
        for (; m < l->names + l->n && m->ino == key.ino; m++) {
                _cleanup_free_ char *full = NULL;
                struct statx stx;
                struct stat st;

                if (asprintf(&full, "%s%s%s", dir, streq(dir, "/") ? "" : "/", m->name) < 0)
                        return -ENOMEM;
                if (statx(AT_FDCWD, full, AT_SYMLINK_NOFOLLOW, RISK_STATX_MASK, &stx) < 0)
                        continue;
                stat_from_statx(&stx, &st);
                if (socket_renamed_in_dir(e->s, full, &st)) {
                        e->status = STATUS_RENAMED;
                        e->renamed_to = TAKE_PTR(full);
                        e->stx = stx;
                        e->file_found = true;
                        e->inode = st.st_ino;
                        return 0;
                }
        }
        return 0;
}

static int cmp_vfs(const void *a, const void *b) {
        const unix_socket_info *x = *(const unix_socket_info *const *) a, *y = *(const unix_socket_info *const *) b;
        uint32_t i = (uint32_t) x->vfs.ino, j = (uint32_t) y->vfs.ino;

        return (i > j) - (i < j);
}

/* The named socket, other than E's, whose file the path leads to now
 * (the index by file is built on the first hijacking seen). */
static int file_owner(scan_context *c, const scan_entry *e, const struct stat *st, uint32_t *ret) {
        const unix_socket_info *key_s, *const *m;
        unix_socket_info key = { .vfs = inode_id_of(st) };

        if (!c->by_vfs) {
                c->by_vfs = malloc((c->n_sockets ? c->n_sockets : 1) * sizeof(*c->by_vfs));
                if (!c->by_vfs)
                        return -ENOMEM;
                for (size_t i = 0; i < c->n_sockets; i++)
                        if (c->sockets[i].has_vfs)
                                c->by_vfs[c->n_by_vfs++] = &c->sockets[i];
                qsort(c->by_vfs, c->n_by_vfs, sizeof(*c->by_vfs), cmp_vfs);
        }
        *ret = 0;
        key_s = &key;
        m = c->n_by_vfs ? bsearch(&key_s, c->by_vfs, c->n_by_vfs, sizeof(*c->by_vfs), cmp_vfs) : NULL;
        if (!m)
                return 0;
        while (m > c->by_vfs && cmp_vfs(&m[-1], &key_s) == 0)
                m--;
        for (; m < c->by_vfs + c->n_by_vfs && cmp_vfs(m, &key_s) == 0; m++)
                if (*m != e->s && unix_diag_matches((*m)->vfs, inode_id_of(st))) {
                        *ret = (*m)->sock_ino;
                        break;
                }
        return 0;
}

/* statx() of a socket's name, not following a symlink at it: by its last
 * component from the directory's fd, which the classifier keeps anyway,
 * where the name is canonical (a path walk of one component instead of
 * all of them); else by the whole name. */
static int statx_name(scan_context *c, const char *name, struct statx *ret) {
        const char *slash = strrchr(name, '/');
        char parent[sizeof(((struct sockaddr_un *) NULL)->sun_path) + 1];
        const dir_facts *d;

        if (!c->test_root && name[0] == '/' && slash && slash[1] && (size_t) (slash - name) < sizeof(parent) &&
            !strstr(name, "//") && !strstr(name, "/./") && !strstr(name, "/../") && !streq(slash, "/..") &&
            !streq(slash, "/.")) {
                memcpy(parent, name, slash == name ? 1 : (size_t) (slash - name));
                parent[slash == name ? 1 : slash - name] = '\0';
                d = risk_machine_dir_facts(&c->machine, parent);
                if (d && d->fd >= 0)
                        return statx(d->fd, slash + 1, AT_SYMLINK_NOFOLLOW, RISK_STATX_MASK, ret);
        }
        return statx(AT_FDCWD, name, AT_SYMLINK_NOFOLLOW, RISK_STATX_MASK, ret);
}

/* Where the file is, never following a symlink at the path. One statx()
 * serves the classifier too (risk_classify_found()). */
static int examine_file(scan_context *c, scan_entry *e) {
        const unix_socket_info *s = e->s;
        socket_place_memo place;
        struct stat st;
        int r;

        if (s->has_vfs) {
                e->has_inode = true;
                e->inode = (uint32_t) s->vfs.ino;
        }
        if (statx_name(c, s->name, &e->stx) >= 0) {
                e->file_found = true;
                stat_from_statx(&e->stx, &st);
                /* Without UNIX_DIAG_VFS any socket there has to do. */
                if (S_ISSOCK(st.st_mode) && (!s->has_vfs || unix_diag_matches(s->vfs, inode_id_of(&st)))) {
                        e->has_inode = true;
                        e->inode = st.st_ino;
                        e->status = STATUS_HEALTHY;
                        return 0;
                }
        } else if (errno != ENOENT && errno != ENOTDIR) {
                e->status = STATUS_UNKNOWN;
                e->stat_error = errno;
                return 0;
        }
        /* Not here, or something else is: where it was bound, its holder
         * may see it still (PrivateTmp=, a chroot, a container). */
        r = risk_machine_socket_place(&c->machine, s, &place);
        if (r < 0)
                return r;
        if (place.place == SOCKET_PLACE_ELSEWHERE) {
                e->private_mount = true;
                e->private_pid = place.holder ? 0 : place.pid;
                e->status = STATUS_HEALTHY;
                return 0;
        }
        if (!e->file_found) {
                r = find_renamed(c, e);
                if (r < 0 || e->status == STATUS_RENAMED)
                        return r;
        }
        if (place.place == SOCKET_PLACE_UNKNOWN) {
                e->status = STATUS_UNKNOWN;
                e->holder_hidden = true;
                return 0;
        }
        if (!e->file_found) {
                e->status = STATUS_ORPHANED;
                return 0;
        }
        e->status = STATUS_HIJACKED;
        e->found = file_kind(st.st_mode);
        return S_ISSOCK(st.st_mode) ? file_owner(c, e, &st, &e->found_sock) : 0;
}

/* The classifier's rating of E's path (of the name it was renamed to, for
 * a renamed socket: the one clients use). It looks at the listener list
 * once per path, which for thousands of sockets is quadratic: it is shown
 * only the sockets bound at this name, E last so that E is the listener
 * it judges. */
static int rate(scan_context *c, scan_entry *e) {
        const unix_socket_info *const *group;
        const char *name = e->renamed_to ?: e->s->name, *path = name;
        size_t n, k = 0;
        int r;

        if (c->test_root) {
                if (!path_below(c->test_root, path))
                        return 0; /* not rated: outside the fixture */
                path += strlen(c->test_root);
        }
        group = name_group(c, name, &n);
        if (n > c->n_scratch) {
                unix_socket_info *p = reallocarray(c->scratch, n, sizeof(*p));

                if (!p)
                        return -ENOMEM;
                c->scratch = p;
                c->n_scratch = n;
        }
        for (size_t i = 0; i < n; i++)
                if (group[i] != e->s)
                        c->scratch[k++] = *group[i];
        c->scratch[k++] = *e->s;

        r = risk_classify_found(&c->machine, path, e->file_found ? &e->stx : NULL,
                                &(risk_sockets) { .list = c->scratch, .n = k, .known = true }, &e->report);
        if (r < 0)
                return r;
        e->rated = true;
        return 0;
}

int scan_examine(scan_context *c, scan_entry *e) {
        int r;

        if (e->s->name[0] == '@') {
                e->status = STATUS_ABSTRACT; /* no file: nothing to clean */
                return 0;
        }
        if (e->s->name[0] == '/') {
                r = examine_file(c, e);
                if (r < 0)
                        return r;
        } else {
                /* A relative bind: the name resolves against the binder's
                 * directory at bind time, which nobody can know now; the
                 * classifier says why that is risky in itself. */
                e->status = STATUS_HEALTHY;
                if (e->s->has_vfs) {
                        e->has_inode = true;
                        e->inode = (uint32_t) e->s->vfs.ino;
                }
        }
        r = rate(c, e);
        if (r < 0)
                return r;
        if (e->status == STATUS_HEALTHY && e->rated && e->report.rating >= RISK_RISKY)
                e->status = STATUS_AT_RISK;
        return 0;
}

int scan_gather(scan_context *c) {
        int r;

        c->test_root = getenv(TEST_ROOT_ENV);
        if (c->test_root && (c->test_root[0] != '/' || root_is_live(c->test_root)))
                c->test_root = NULL;

        /* The classifier's machine lists the sockets already; one dump. */
        r = risk_machine_load(&c->machine, c->test_root ?: "/", log_file_warning, NULL);
        if (r < 0)
                return log_error_errno(r, "reading the cleaners' configuration");
        if (!c->machine.sockets_known) {
                unix_socket_info *s = NULL;
                size_t n = 0;

                r = unix_diag_list(UNIX_DIAG_OWN_NETNS, &s, &n, NULL); /* again, for the reason */
                unix_socket_info_free_many(s, n);
                return log_error_errno(r < 0 ? r : -EIO, "listing AF_UNIX sockets through sock_diag");
        }
        /* Only reasons of caution and worse are shown, and no advice. */
        c->machine.texts_from = RISK_CAUTION;
        c->machine.advice = false;
        r = risk_machine_load_other_netns(&c->machine);
        if (r < 0)
                return log_error_errno(r, "listing AF_UNIX sockets through sock_diag");
        c->sockets = TAKE_PTR(c->machine.sockets);
        c->n_sockets = c->machine.n_sockets;
        c->machine.n_sockets = 0;

        c->by_name = malloc((c->n_sockets ? c->n_sockets : 1) * sizeof(*c->by_name));
        c->entries = calloc(c->n_sockets ? c->n_sockets : 1, sizeof(*c->entries));
        if (!c->by_name || !c->entries)
                return log_error_errno(-ENOMEM, "scan");
        for (size_t i = 0; i < c->n_sockets; i++)
                c->by_name[i] = &c->sockets[i];
        qsort(c->by_name, c->n_sockets, sizeof(*c->by_name), cmp_name);

        c->owners = risk_machine_owners(&c->machine);
        if (!c->owners)
                return log_error_errno(c->machine.owners_error, "reading /proc");
        /* In the order of the listing: by name, then socket inode. */
        for (size_t i = 0; i < c->n_sockets; i++) {
                scan_entry *e;

                if (!is_server(c->by_name[i]))
                        continue;
                e = &c->entries[c->n_entries++];
                e->s = c->by_name[i];
                e->holders = socket_owners_find(c->owners, e->s->sock_ino, &e->n_holders);
                if (e->s->other_netns)
                        e->netns_name = netns_names_find(risk_machine_netns_names(&c->machine), e->s->netns);
        }
        r = load_processes(c);
        if (r < 0)
                return log_error_errno(r, "reading /proc");
        return 0;
}
