/* SPDX-License-Identifier: MIT */
#pragma once

#include "fs-safe.h"

/* The anchor is a second hard link to the socket inode, kept in a private
 * directory on the same filesystem but outside the socket's directory, so
 * that a sweep of that directory leaves it. Linking it back restores the
 * very socket the daemon is accepting on. */
typedef struct anchor {
        char *dir_path;  /* the private directory */
        char *path;      /* dir_path/name, for reports */
        char name[64];
        int dir_fd;      /* O_RDONLY, holds a shared flock: tmpfiles skips locked dirs */
        inode_id id;     /* the socket inode it links to */
        bool present;
        bool owns_dir;   /* we chose and created it, so we may rmdir it */
} anchor;

#define ANCHOR_NULL ((anchor) { .dir_fd = -EBADF })

/* Picks the anchor directory for the socket SOCKET_NAME (inode ID) in
 * SOCKET_DIR_PATH (whose fd is SOCKET_DIR_FD), sweeps the dead anchors
 * there and links the anchor: the first candidate in which the link
 * actually works, since a directory on the same filesystem may still be
 * another mount or read-only in this mount namespace. OVERRIDE, if set, is
 * the only candidate. Fails with -EXDEV when no private directory on the
 * same filesystem can be had. */
int anchor_place(anchor *a, const char *socket_dir_path, int socket_dir_fd,
                 const char *socket_name, inode_id id, const char *override);

/* Removes the anchors that no bound socket uses any more: what daemons that
 * crashed or were killed left behind, each keeping a dead inode alive. The
 * kernel's list of bound sockets tells, so nobody is connected to. (A
 * keeper in another network namespace looks dead from here; it re-creates
 * its anchor as soon as it sees it go.) */
void anchor_sweep_dead(anchor *a);

/* Links the socket NAME in DIR_FD (inode ID) into the anchor directory. */
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

void anchor_done(anchor *a);
