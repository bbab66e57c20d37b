/* SPDX-License-Identifier: MIT */
/* The process's shared directory fds, found by (dev, ino, kind) in a
 * hash table and by fd number in an array, and the set of directories
 * that something was done to once. One mutex: keepers may run in threads
 * of their own. */

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "alloc-util.h"
#include "dirhandles.h"
#include "inode-id.h"
#include "macro.h"

typedef struct handle {
        inode_id id;
        dirhandle_kind kind;
        int fd;
        unsigned refs;
        struct handle *next;    /* in the bucket */
} handle;

typedef struct done_entry {
        inode_id id;
        unsigned tags;          /* bits of dirhandle_once */
        char *note;
        struct done_entry *next;
} done_entry;

#define N_BUCKETS 1024

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static handle *buckets[N_BUCKETS];
static handle **by_fd;          /* by fd number */
static size_t n_by_fd;
static done_entry *done[N_BUCKETS];

static size_t bucket_of(inode_id id, unsigned salt) {
        uint64_t h = (uint64_t) id.dev * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t) id.ino * UINT64_C(0xc2b2ae3d27d4eb4f);

        return (size_t) ((h ^ (h >> 29) ^ salt) % N_BUCKETS);
}

/* Room in by_fd for FD, the new slots empty. */
static int grow_by_fd(size_t fd) {
        size_t old = n_by_fd;

        if (fd < n_by_fd)
                return 0;
        if (greedy_realloc((void **) &by_fd, &n_by_fd, fd + 1, sizeof(*by_fd), 64) < 0)
                return -ENOMEM;
        for (size_t i = old; i < n_by_fd; i++)
                by_fd[i] = NULL;
        return 0;
}

int dirhandle_share(int fd, dirhandle_kind kind) {
        struct stat st;
        size_t b;
        handle *h;

        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return fd; /* not sharable: the caller's own, released by close */

        pthread_mutex_lock(&lock);
        b = bucket_of(inode_id_of(&st), kind);
        for (h = buckets[b]; h; h = h->next)
                if (h->kind == kind && inode_id_eq(h->id, inode_id_of(&st)))
                        break;
        if (h) {
                h->refs++;
                pthread_mutex_unlock(&lock);
                if (h->fd != fd)
                        safe_close(fd);
                return h->fd;
        }

        h = calloc(1, sizeof(*h));
        if (!h || grow_by_fd((size_t) fd) < 0) {
                pthread_mutex_unlock(&lock);
                free(h);
                return fd; /* unshared, but usable */
        }
        *h = (handle) { .id = inode_id_of(&st), .kind = kind, .fd = fd, .refs = 1, .next = buckets[b] };
        buckets[b] = h;
        by_fd[fd] = h;
        pthread_mutex_unlock(&lock);

        /* systemd-tmpfiles skips a directory on which someone holds a
         * shared BSD lock, and the lock tells other processes' keepers
         * that the directory is in use. */
        if (kind == DIRHANDLE_ANCHORS)
                (void) flock(fd, LOCK_SH | LOCK_NB);
        return fd;
}

int dirhandle_release(int fd) {
        handle *h;

        if (fd < 0)
                return -EBADF;
        pthread_mutex_lock(&lock);
        h = (size_t) fd < n_by_fd ? by_fd[fd] : NULL;
        if (!h) {
                pthread_mutex_unlock(&lock);
                safe_close(fd); /* never shared */
                return -EBADF;
        }
        if (--h->refs > 0) {
                pthread_mutex_unlock(&lock);
                return -EBADF;
        }
        for (handle **p = &buckets[bucket_of(h->id, h->kind)]; *p; p = &(*p)->next)
                if (*p == h) {
                        *p = h->next;
                        break;
                }
        by_fd[fd] = NULL;
        pthread_mutex_unlock(&lock);
        safe_close(fd);
        free(h);
        return -EBADF;
}

unsigned dirhandle_refs(int fd) {
        unsigned refs;

        if (fd < 0)
                return 0;
        pthread_mutex_lock(&lock);
        refs = (size_t) fd < n_by_fd && by_fd[fd] ? by_fd[fd]->refs : 0;
        pthread_mutex_unlock(&lock);
        return refs;
}

/* The entry of ST, made if asked; under the lock. */
static done_entry *done_of(const struct stat *st, bool make) {
        size_t b = bucket_of(inode_id_of(st), 0);
        done_entry *e;

        for (e = done[b]; e; e = e->next)
                if (inode_id_eq(e->id, inode_id_of(st)))
                        return e;
        if (!make)
                return NULL;
        e = calloc(1, sizeof(*e));
        if (!e)
                return NULL;
        *e = (done_entry) { .id = inode_id_of(st), .next = done[b] };
        done[b] = e;
        return e;
}

void dirhandle_set_note(const struct stat *st, const char *name) {
        done_entry *e;
        char *copy = strdup(name);

        if (!copy)
                return;
        pthread_mutex_lock(&lock);
        e = done_of(st, true);
        if (e) {
                free(e->note);
                e->note = TAKE_PTR(copy);
        }
        pthread_mutex_unlock(&lock);
        free(copy);
}

char *dirhandle_note(const struct stat *st) {
        done_entry *e;
        char *copy = NULL;

        pthread_mutex_lock(&lock);
        e = done_of(st, false);
        if (e && e->note)
                copy = strdup(e->note);
        pthread_mutex_unlock(&lock);
        return copy;
}

bool dirhandle_first(const struct stat *st, dirhandle_once tag) {
        done_entry *e;
        bool first;

        pthread_mutex_lock(&lock);
        e = done_of(st, true);
        if (!e) {
                pthread_mutex_unlock(&lock);
                return true; /* do it again rather than never */
        }
        first = !(e->tags & (1u << tag));
        e->tags |= 1u << tag;
        pthread_mutex_unlock(&lock);
        return first;
}
