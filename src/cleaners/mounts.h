/* SPDX-License-Identifier: MIT */
#pragma once

/* Mount tables, and which paths lie on a tmpfs that every boot empties. */

#include <stdbool.h>
#include <stddef.h>

#include "source-ref.h"

/* Whether PATH is on a tmpfs (emptied at every boot). For ROOT "/" from
 * /proc/self/mountinfo; for another root from its /etc/fstab and an
 * enabled tmp.mount. SOURCE names where that was seen. Returns 1 for tmpfs,
 * 0 for not, negative when it cannot tell. */
int path_on_tmpfs(const char *root, const char *path, source_ref *source);

/* The same for many paths: the mount table (and, offline, tmp.mount's
 * state) read once. */
typedef struct mount_entry mount_entry;
typedef struct tmpfs_table {
        bool live;
        mount_entry *mounts;    /* mountinfo (live) or fstab (offline) */
        size_t n_mounts;
        bool tmp_mount;         /* offline: an enabled tmp.mount ... */
        bool tmp_mount_in_etc;  /* ... whose unit file is in /etc ... */
        bool tmp_mount_tmpfs;   /* ... and mounts a tmpfs */
        source_ref tmp_mount_source;
        const char **points;    /* the mounts' where, sorted: tmpfs_table_is_point() */
        size_t n_points;
} tmpfs_table;

int tmpfs_table_load(tmpfs_table *t, const char *root);
int tmpfs_table_lookup(const tmpfs_table *t, const char *path, source_ref *source);
/* Whether PATH (normalized) may be a mount point of T's: only then can
 * tmpfs_table_lookup() answer for it otherwise than for its directory. */
bool tmpfs_table_is_point(const tmpfs_table *t, const char *path);
void tmpfs_table_done(tmpfs_table *t);

/* One line of /proc/self/mountinfo or of an fstab. */
struct mount_entry {
        char *where;            /* the mount point, unescaped (\040 is a space) */
        char *fstype;
        unsigned line;
        int id, parent_id;      /* mountinfo's; -1 for fstab */
};

/* Parse mountinfo or fstab text (fstab: comments and noauto lines skipped). */
int mountinfo_parse(const char *text, mount_entry **ret, size_t *ret_n);
int fstab_parse(const char *text, mount_entry **ret, size_t *ret_n);
void mount_entries_free(mount_entry *m, size_t n);
/* The mount that holds PATH. mountinfo: walked down from the root mount
 * through the children whose mount point leads to PATH, the last one
 * listed on top; fstab: the longest mount point, the last line on a tie.
 * NULL when none. */
const mount_entry *mount_entries_find(const mount_entry *m, size_t n, const char *path);

