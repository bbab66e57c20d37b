/* SPDX-License-Identifier: MIT */
#pragma once

/* sockkeeper scan: what scan.c finds out about each listening socket, and
 * how scan-render.c shows it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "risk.h"
#include "socket-owners.h"
#include "unix-diag.h"

typedef enum scan_status {
        STATUS_HEALTHY,
        STATUS_AT_RISK,
        STATUS_ORPHANED,
        STATUS_HIJACKED,
        STATUS_RENAMED,         /* renamed after bind within its directory: reachable there, and at risk */
        STATUS_ABSTRACT,
        STATUS_UNKNOWN,         /* the path could not be looked at (EACCES as non-root) */
} scan_status;

/* One listening socket, examined. */
typedef struct scan_entry {
        const unix_socket_info *s;
        scan_status status;
        bool has_inode;
        uint64_t inode;                 /* of the socket's file: lstat's when it matches, else sock_diag's 32 bits */
        const char *found;              /* hijacked: what the path leads to now */
        uint32_t found_sock;            /* hijacked by this socket's file, 0 if none we know */
        char *renamed_to;               /* renamed: where its file is now, in the same directory */
        bool private_mount;             /* reachable only in the holder's mount namespace */
        int stat_error;                 /* unknown: why */
        bool file_found;                /* stx is what is at the path now (renamed: at renamed_to) */
        struct statx stx;
        bool rated;
        risk_report report;
        const socket_holder *holders;
        size_t n_holders;
        const process_info *proc;       /* the holder that names the service, NULL if none visible */
        const char *netns_name;         /* another network namespace's name in /run/netns, or NULL */
} scan_entry;

/* The entries as a JSON array, one object per socket (schema in
 * sockkeeper(1)), on stdout, indented when PRETTY, else on one line;
 * NETNS_COMPLETE false adds that each object may miss sockets of other
 * network namespaces. */
void scan_print_json(const scan_entry *shown, size_t n, bool netns_complete, bool pretty);
/* The entries as a table, ss-style, on stdout; with LEGEND, under a
 * header line and above a closing "N sockets listed.". -ENOMEM when it
 * could not be built. */
int scan_print_table(const scan_entry *shown, size_t n, bool legend);
