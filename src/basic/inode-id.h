/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The identity of an inode: what "ours" means, and what a socket is bound to. */
typedef struct inode_id {
        dev_t dev;
        ino_t ino;
} inode_id;

static inline bool inode_id_eq(inode_id a, inode_id b) {
        return a.dev == b.dev && a.ino == b.ino;
}

static inline inode_id inode_id_of(const struct stat *st) {
        return (inode_id) { .dev = st->st_dev, .ino = st->st_ino };
}
