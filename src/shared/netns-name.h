/* SPDX-License-Identifier: MIT */
#pragma once

/* What to call a network namespace for a person: "host" for the caller's
 * own, otherwise its nsfs inode number (as /proc/PID/ns/net shows it,
 * net:[N]) and the name `ip netns` gave it, if any. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct netns_name {
        uint64_t ino;
        char *name;
} netns_name;

/* The namespaces named under DIR ("/run/netns", where `ip netns add`
 * bind-mounts them). Each entry is looked at without following a
 * symlink, and counts only when it is a namespace file (on the same nsfs
 * as /proc/self/ns/net), not the empty file a failed mount leaves. A
 * missing DIR is no names, not an error. */
typedef struct netns_names {
        netns_name *v;  /* sorted by ino */
        size_t n;
} netns_names;

int netns_names_load(netns_names *ret, const char *dir);
void netns_names_done(netns_names *n);
/* The name of namespace INO, or NULL. */
const char *netns_names_find(const netns_names *n, uint64_t ino);

/* "host" for the caller's own (OTHER false), else "4026532891" or, with a
 * NAME, "4026532891:NAME": no spaces, for a table column. The caller
 * frees it; NULL when out of memory. */
char *netns_label(uint64_t ino, bool other, const char *name);
