/* SPDX-License-Identifier: MIT */
/* Names of network namespaces for people: the names `ip netns` keeps as
 * bind mounts under /run/netns, matched to a socket's namespace by the
 * nsfs inode, the only identity a namespace has. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc-util.h"
#include "macro.h"
#include "netns-name.h"

static int cmp_name(const void *a, const void *b) {
        const netns_name *x = a, *y = b;
        return (x->ino > y->ino) - (x->ino < y->ino);
}

int netns_names_load(netns_names *ret, const char *dir) {
        netns_names l = {};
        size_t allocated = 0;
        struct stat nsfs;
        struct dirent *de;
        DIR *d;
        int r = 0;

        /* Every namespace file lives on the one nsfs; without it to compare
         * with, no entry can be told from a plain file. */
        if (stat("/proc/self/ns/net", &nsfs) < 0) {
                *ret = l;
                return 0;
        }
        d = opendir(dir);
        if (!d) {
                *ret = l;
                return errno == ENOENT || errno == ENOTDIR ? 0 : negative_errno();
        }
        while ((de = readdir(d))) {
                struct stat st;

                if (de->d_name[0] == '.')
                        continue;
                /* A mount point is crossed even without following symlinks. */
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != nsfs.st_dev)
                        continue;
                if (GREEDY_REALLOC(l.v, allocated, l.n + 1, 8) < 0) {
                        r = -ENOMEM;
                        break;
                }
                l.v[l.n].ino = (uint64_t) st.st_ino;
                l.v[l.n].name = strdup(de->d_name);
                if (!l.v[l.n].name) {
                        r = -ENOMEM;
                        break;
                }
                l.n++;
        }
        closedir(d);
        if (r < 0) {
                netns_names_done(&l);
                return r;
        }
        if (l.n > 1)
                qsort(l.v, l.n, sizeof(*l.v), cmp_name);
        *ret = l;
        return 0;
}

void netns_names_done(netns_names *n) {
        for (size_t i = 0; i < n->n; i++)
                free(n->v[i].name);
        free(n->v);
        *n = (netns_names) {};
}

const char *netns_names_find(const netns_names *n, uint64_t ino) {
        netns_name key = { .ino = ino };
        const netns_name *m = n->n ? bsearch(&key, n->v, n->n, sizeof(*n->v), cmp_name) : NULL;

        return m ? m->name : NULL;
}

char *netns_label(uint64_t ino, bool other, const char *name) {
        char *s;

        if (!other)
                return strdup("host");
        if (name ? asprintf(&s, "%" PRIu64 ":%s", ino, name) < 0 : asprintf(&s, "%" PRIu64, ino) < 0)
                return NULL;
        return s;
}
