/* SPDX-License-Identifier: MIT */
#pragma once

/* What systemd itself contributes to cleaning, read from a root directory
 * ("/" or --root): systemd-tmpfiles-clean.timer, and tmpfs mounts. Each
 * finding names its source (file and line). */

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/stat.h>

#include "source-ref.h"
#include "tmpfiles.h"

typedef enum timer_state {
        TIMER_ABSENT,           /* no systemd-tmpfiles-clean.timer unit */
        TIMER_DISABLED,         /* present, not pulled in by timers.target */
        TIMER_ENABLED,
        TIMER_MASKED,           /* a symlink to /dev/null in /etc or /run */
} timer_state;

/* systemd-tmpfiles-clean.timer under ROOT: the unit search path and the
 * .wants/ symlinks, as systemctl is-enabled would see them. SOURCE names the
 * deciding file. */
timer_state tmpfiles_clean_timer_state(const char *root, source_ref *source);

/* Reports through WARN each directory of that search path under ROOT that
 * is there but cannot be listed or searched (EACCES, as an unprivileged
 * user): a unit there may enable or mask the timer or tmp.mount, so what
 * is said of them may be wrong. Returns how many were reported. */
unsigned unit_dirs_warn_unreadable(const char *root, tmpfiles_warn_fn warn, void *userdata);

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
} tmpfs_table;

int tmpfs_table_load(tmpfs_table *t, const char *root);
int tmpfs_table_lookup(const tmpfs_table *t, const char *path, source_ref *source);
void tmpfs_table_done(tmpfs_table *t);

/* ---- helpers shared by the cleaner readers (systemd-state.c) ---- */

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

