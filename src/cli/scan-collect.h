/* SPDX-License-Identifier: MIT */
#pragma once

/* sockkeeper scan: what scan-collect.c finds out about each listening
 * socket, how scan-render.c, scan-prometheus.c and nagios.c show it, and
 * what heal repairs from it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
        STATUS_UNKNOWN,         /* the path, or the holder's view of it, could not be looked at (not root) */
        _STATUS_MAX,
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
        bool private_mount;             /* reachable only in another mount namespace or root, */
        pid_t private_pid;              /* ... that of this process, or 0: its holder's */
        int stat_error;                 /* unknown: why (0: see holder_hidden) */
        bool holder_hidden;             /* unknown: not here, and its holder's view is out of reach */
        bool file_found;                /* stx is what is at the path now (renamed: at renamed_to) */
        struct statx stx;
        bool rated;
        risk_report report;
        const socket_holder *holders;
        size_t n_holders;
        const process_info *proc;       /* the holder that names the service, NULL if none visible */
        const char *netns_name;         /* another network namespace's name in /run/netns, or NULL */
} scan_entry;

typedef enum scan_format {
        SCAN_FORMAT_TABLE,
        SCAN_FORMAT_JSON,
        SCAN_FORMAT_PROMETHEUS, /* this one and those after it sum the scan up */
        SCAN_FORMAT_NAGIOS,
} scan_format;

/* What a scan found, for the renderings that sum it up (Prometheus,
 * monitoring plugins). OK false: it failed, and SHOWN is empty. */
typedef struct scan_result {
        const scan_entry *shown;
        size_t n;
        bool ok;
        bool netns_complete;
        uint64_t started_usec;          /* CLOCK_REALTIME */
        uint64_t duration_usec;
} scan_result;

/* Where the result goes, and in which form. */
typedef struct scan_output {
        scan_format format;
        const char *file;       /* --output, or NULL for stdout */
        scan_result res;
} scan_output;

/* --format's ARG; -EINVAL (logged) for none of the four. */
int scan_parse_format(const char *arg, scan_format *ret);
/* The result in O's summing format, to stdout or O->file. Returns the
 * plugin's state for nagios; for Prometheus 0, or a negative errno
 * (logged) when it could not be written. */
int scan_emit_summary(scan_output *o);

/* Clients cannot reach it. */
static inline bool status_broken(scan_status s) {
        return s == STATUS_ORPHANED || s == STATUS_HIJACKED;
}

/* What --risky shows: healthy sockets that a cleaner will break, and
 * renamed ones rated so. */
static inline bool entry_at_risk(const scan_entry *e) {
        return e->status == STATUS_AT_RISK ||
               (e->status == STATUS_RENAMED && e->rated && e->report.rating >= RISK_RISKY);
}

/* "healthy", "at-risk", "orphaned", ... as the table and JSON say it. */
const char *scan_status_to_string(scan_status s);

/* The entries as a JSON array, one object per socket (schema in
 * sockkeeper(1)), on stdout, indented when PRETTY, else on one line;
 * NETNS_COMPLETE false adds that each object may miss sockets of other
 * network namespaces. */
void scan_print_json(const scan_entry *shown, size_t n, bool netns_complete, bool pretty);
/* The entries as a table, ss-style, on stdout; with LEGEND, under a
 * header line and above a closing "N sockets listed.". -ENOMEM when it
 * could not be built. */
int scan_print_table(const scan_entry *shown, size_t n, bool legend);

typedef struct dir_listing dir_listing;

/* Everything scan_gather() reads of the machine once. */
typedef struct scan_context {
        risk_machine machine;
        const char *test_root;          /* SOCKKEEPER_SCAN_TEST_ROOT, or NULL */
        unix_socket_info *sockets;      /* every named socket, taken over from the machine */
        size_t n_sockets;
        const unix_socket_info **by_name;
        const unix_socket_info **by_vfs;  /* with a file, by its inode; built when first needed */
        size_t n_by_vfs;
        dir_listing *dirs;              /* directories read for renamed sockets */
        size_t n_dirs;
        const socket_owners *owners;    /* the machine's */
        unix_socket_info *scratch;      /* what the classifier sees of the sockets, per path */
        size_t n_scratch;
        scan_entry *entries;            /* the servers, by name, then socket inode */
        size_t n_entries;
} scan_context;

/* The sockets, their holders and the cleaners' configuration: one entry
 * per server socket, not yet examined. Logs why it failed. */
int scan_gather(scan_context *c);
/* Where E's file is, its status and its rating. */
int scan_examine(scan_context *c, scan_entry *e);
void scan_context_done(scan_context *c);

/* E is held by one of UNITS ("foo" meaning foo.service). */
bool scan_unit_matches(const scan_entry *e, char **units, size_t n_units);

/* scan-prometheus.c: the result in Prometheus' text format, on F.
 * -ENOMEM when it could not be built. */
int scan_print_prometheus(FILE *f, const scan_result *res);
/* nagios.c: one status line with performance data on stdout, as a
 * monitoring plugin prints it; returns the plugin's exit status. */
int scan_print_nagios(const scan_result *res);
