/* SPDX-License-Identifier: MIT */
#pragma once

/* sock_diag requests and dumps, for unix-diag.c only. */

#include <linux/netlink.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "inode-id.h"

/* The network namespace a dump answers for: its nsfs inode (0 when
 * /proc cannot say), and whether it is another one than ours. */
typedef struct diag_netns {
        uint64_t ino;
        bool other;
        pid_t pid;      /* other: a process that was in it */
} diag_netns;

typedef int (*diag_fn)(struct nlmsghdr *h, const diag_netns *ns, void *userdata);

/* A sock_diag socket in this thread's network namespace. */
int diag_socket(void);
/* The same in the namespace NS_FD names, entered by a thread of its own. */
int diag_socket_in(int ns_fd);

/* Asks NL about the socket number INO (and COOKIE, when given): 1 and the
 * file it is bound to in *RET_VFS, 0 when there is no such socket or it
 * is bound to no file, or a negative errno. */
int diag_ask_one(int nl, uint32_t ino, const uint32_t *cookie, inode_id *ret_vfs);

/* The file a dump's message says its socket is bound to: 1 and the id, or
 * 0 for a socket without one (abstract, unbound). */
int parse_vfs(struct nlmsghdr *h, inode_id *ret);

/* Calls FN for each socket of a dump with the attributes SHOW, asked on
 * the netlink socket NL in namespace NS; stops at the first negative
 * return. */
int diag_dump_on(int nl, const diag_netns *ns, uint32_t show, diag_fn fn, void *userdata);
/* The same in this thread's network namespace, which is NS. */
int diag_dump(const diag_netns *ns, uint32_t show, diag_fn fn, void *userdata);
/* Our own network namespace's nsfs inode, 0 when /proc cannot say. */
uint64_t own_netns(void);
/* Dumps every other network namespace of the machine's processes, each
 * once: 1 when every one was dumped, 0 when some could not be, or a
 * negative errno (or FN's). */
int diag_dump_other_netns(uint32_t show, diag_fn fn, void *userdata);
