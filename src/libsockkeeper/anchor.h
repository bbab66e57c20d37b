/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "fs-safe.h"

/* The anchor is a second hard link to the socket inode. Being the same
 * inode, it is exactly as old as the socket, so a cleaner that sweeps a
 * tree holding both takes both: it lives where a sweep of the socket's
 * tree does not reach whenever the filesystem allows (the state
 * directory), and otherwise in a private directory that the keeper made
 * itself under an unpredictable name. Linking it back restores the very
 * socket the daemon is accepting on. */
typedef struct anchor {
        int dir_fd;       /* O_RDONLY, holds a shared flock: tmpfiles skips locked
                           * directories, and a locked one is in use */
        int parent_fd;    /* O_PATH, where the keeper found or made dir_fd; -EBADF
                           * for the state directory, which is not ours to remove */
        char *dir_name;   /* dir_fd's name in parent_fd */
        inode_id dir_id;  /* what dir_name must still be for it to be removed */
        char *dir_path;   /* for reports */
        char *path;       /* dir_path/name, for reports */
        char name[80];
        uint64_t key;     /* which socket path it is for: the first part of NAME */
        inode_id id;      /* the socket inode it links to */
        bool present;
} anchor;

#define ANCHOR_NULL ((anchor) { .dir_fd = -EBADF, .parent_fd = -EBADF })

/* What placing an anchor needs to know of the socket. */
typedef struct anchor_site {
        const char *socket_path;     /* names the anchor, so that it is found again */
        int socket_dir_fd;
        const char *socket_name;
        const char *override;        /* the only candidate directory, if set */
} anchor_site;

/* Links the socket (inode ID) into the first candidate directory where
 * that works: OVERRIDE alone if set; else the state directory when it is
 * on the socket's filesystem; else a private directory of ours in the
 * nearest safe ancestor on that filesystem (never "/"), or in the socket's
 * own directory. Sweeps dead anchors in what it looks at on the way.
 * -EXDEV when no safe directory on that filesystem can be had. */
int anchor_place(anchor *a, const anchor_site *site, inode_id id);

/* For a path that is gone: finds an anchor of ours for SITE's path whose
 * socket is still bound and that ACCEPT (may be NULL) accepts, and links
 * it back at the path. 1 and its inode when it did, 0 when there is none. */
typedef bool (*anchor_accept_fn)(const struct stat *st, void *userdata);
int anchor_recover(const anchor_site *site, anchor_accept_fn accept, void *userdata, inode_id *ret_id);

/* Links the socket NAME in DIR_FD (inode ID) into the anchor directory
 * that anchor_place() chose. */
int anchor_create(anchor *a, int dir_fd, const char *name, inode_id id);

/* Checks that the anchor still exists and is the same inode. */
bool anchor_is_intact(anchor *a);

/* Links the anchor back at NAME in DIR_FD. */
int anchor_restore(anchor *a, int dir_fd, const char *name);

/* Removes the anchor link if it is still ours. */
void anchor_remove(anchor *a);

/* Closes the directory without touching it, so that it can be chosen
 * again (after it was removed under us). */
void anchor_forget_dir(anchor *a);

/* Removes the anchor, and the directory when the keeper made it, nobody
 * else uses it and it is still the very directory (dev, ino) it made. */
void anchor_done(anchor *a);
