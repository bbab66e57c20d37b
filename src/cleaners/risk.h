/* SPDX-License-Identifier: MIT */
#pragma once

/* The path risk classifier behind `sockkeeper check` and `scan`, the
 * generator and the guard: will something on this machine delete this
 * socket path, when, and because of which rule? Every reason names its
 * source. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "cleaners.h"
#include "cron.h"
#include "netns-name.h"
#include "socket-owners.h"
#include "source-ref.h"
#include "tmpfiles.h"
#include "tmpreaper.h"
#include "unix-diag.h"

typedef enum risk_rating {
        RISK_OK,
        RISK_CAUTION,
        RISK_RISKY,
        RISK_ERROR,             /* the path cannot work at all */
} risk_rating;

typedef struct risk_reason {
        risk_rating rating;     /* what this finding alone means */
        const char *kind;       /* a stable key: "tmpfiles-age", "tmpreaper", ... (see sockkeeper(1)) */
        char *text;             /* NULL (and no source) below the machine's texts_from */
        char *source;           /* "file:line", "/proc/self/mountinfo", ... or NULL */
} risk_reason;

typedef struct risk_report {
        char *path;
        risk_rating rating;     /* the worst of the reasons */
        risk_reason *reasons;
        size_t n_reasons;
        char **advice;          /* what to do about it, most useful first */
        size_t n_advice;

        /* The cleaners' verdicts, for machines (--json). */
        bool tmpfiles_evaluated;
        tmpfiles_verdict tmpfiles;      /* rule points into the machine's config */
        bool tmpreaper_evaluated;
        tmpreaper_verdict tmpreaper;
        bool tmpreaper_runs;
        /* The youngest age at which a cleaner found deletes it (a tmpfiles.d
         * line even while its timer is off, tmpreaper, find -mtime in cron);
         * 0 when none goes by age. A keeper refreshes well within it. */
        uint64_t shortest_age_usec;
        /* "Nothing listens" was said without every network namespace seen. */
        bool netns_incomplete;
} risk_report;

/* Where a socket's file is when its name leads elsewhere here (or
 * nowhere): risk_machine_socket_place(). */
typedef enum socket_place {
        SOCKET_PLACE_GONE,      /* in no mount namespace or root that could be looked into */
        SOCKET_PLACE_ELSEWHERE, /* at its name in another mount namespace or root (PrivateTmp=, a container) */
        SOCKET_PLACE_UNKNOWN,   /* not where we could look, and its holder's view is out of reach */
} socket_place;

/* What was found out of one socket, kept for the next to ask. */
typedef struct socket_place_memo {
        uint32_t sock_ino;
        socket_place place;
        pid_t pid;              /* ELSEWHERE: a process that sees the file at the name */
        bool holder;            /* ... which holds the socket */
} socket_place_memo;

/* A directory that holds checked paths (filled in as paths come). */
typedef struct dir_facts {
        char *path;             /* root-relative */
        bool exists;
        struct stat st;
        int fd;                 /* O_PATH, for statx() of its entries by name; -1 when not kept */
        unsigned looked_up;     /* entries asked about so far (risk_machine_dir_may_have()) */
        bool listed;            /* names holds every entry it had then */
        char **names;           /* sorted */
        size_t n_names;
        char *mount_root;       /* the deepest mount at or above it, root-relative */
        tmpfiles_plan *tmpfiles; /* what tmpfiles --clean makes of its entries; NULL without memory */
        int tmpfs;              /* tmpfs_table_lookup() of it: what holds for its entries but mount points */
        source_ref tmpfs_source;
} dir_facts;

/* Everything read once per run and shared by all paths, and what is
 * learnt of directories as paths come: classifying a path adds to that,
 * so a machine is not const while it classifies. */
typedef struct risk_machine {
        char *root;             /* "/" or the --root directory */
        tmpfiles_config tmpfiles;
        tmpreaper_config tmpreaper;
        cron_cleaner *cron;
        size_t n_cron;
        timer_state timer;
        source_ref timer_source;
        tmpfs_table mounts;
        bool mounts_known;
        unix_socket_info *sockets; /* bound sockets: of this network namespace, then of the others once loaded */
        size_t n_sockets;
        bool sockets_known;
        bool other_netns_loaded;   /* risk_machine_load_other_netns() was called */
        bool netns_complete;       /* ... and saw every network namespace */
        bool owners_loaded;
        int owners_error;          /* why they could not be read */
        socket_owners owners;      /* who holds which socket, read when first asked for */
        process_cache processes;   /* the holders' commands and units, each read once */
        bool netns_names_loaded;
        netns_names netns_names;   /* /run/netns, read when first asked for */
        const unix_socket_info **sockets_by_name, **sockets_by_vfs; /* risk_machine_sockets()' index */
        size_t n_sockets_by_name, n_sockets_by_vfs;
        /* What reports are for: reasons rated below TEXTS_FROM keep their
         * kind and rating but get no text or source, and without ADVICE no
         * advice is written. scan, which shows only caution and worse,
         * sets RISK_CAUTION and false: the words of 10,000 reasons nobody
         * reads are most of a classification. Loading sets RISK_OK and
         * true. */
        risk_rating texts_from;
        bool advice;
        char *runtime_dir;      /* $XDG_RUNTIME_DIR, only for the live root */
        uid_t uid;              /* who asks: "ours" means owned by this user */
        uint64_t now_usec;      /* CLOCK_REALTIME */
        dir_facts *dirs;        /* looked at once per directory */
        size_t n_dirs, last_dir;
        tmpreaper_stat_memo tmpreaper_stats; /* the directories tmpreaper walks through, looked at once */
        /* The other mount namespaces and roots (one process each), read the
         * first time a socket's file is not at its name, and the answers. */
        bool views_loaded;
        pid_t *views;
        size_t n_views;
        socket_place_memo *places;
        size_t n_places, allocated_places;
} risk_machine;

int risk_machine_load(risk_machine *m, const char *root, tmpfiles_warn_fn warn, void *userdata);
/* The same without the machine's bound sockets: paths are judged as if
 * nothing listened (the generator's view at boot, when nothing does yet).
 * Listing the sockets is the costliest part of loading. */
int risk_machine_load_offline(risk_machine *m, const char *root, tmpfiles_warn_fn warn, void *userdata);
void risk_machine_done(risk_machine *m);

/* Adds the sockets of every other network namespace to the machine's
 * (risk_machine_load() lists only the caller's: enough for tmpfiles,
 * which sees no other, and the costly part is walking /proc for the
 * others). risk_classify() calls it for the first path that is a socket
 * file; scan calls it first. Once only; a namespace out of reach leaves
 * netns_complete false. -ENOMEM only. */
int risk_machine_load_other_netns(risk_machine *m);
/* Who holds which socket (socket_owners_load() of /proc), read once;
 * NULL when /proc cannot be read (owners_error says why). */
const socket_owners *risk_machine_owners(risk_machine *m);
/* Where the file of socket S (bound by a path, with a file) is, for a
 * caller that found no such file at S's name in our own mount namespace:
 * at that name as its holders see it (/proc/PID/root: PrivateTmp=, a
 * chroot), or as any other process does (systemd-nspawn binds the
 * container's /run/host/notify inside the container's namespace and holds
 * it outside). UNKNOWN when it is in none we could look into while a
 * holder's view, or the holder itself, is out of reach (not root).
 * *RET (may be NULL) tells which process sees it. A lookup of /proc only
 * for sockets whose file is not where it should be; each socket once.
 * -ENOMEM only. */
int risk_machine_socket_place(risk_machine *m, const unix_socket_info *s, socket_place_memo *ret);

/* The names of network namespaces (/run/netns), read once. */
const netns_names *risk_machine_netns_names(risk_machine *m);

/* What is known of DIR (root-relative, normalized), looked at the first
 * time it is asked for; NULL when out of memory. */
const dir_facts *risk_machine_dir_facts(risk_machine *m, const char *dir);
/* Whether D (one of M's) may have an entry NAME: false only when it
 * certainly has not. Once many of its entries were asked about, D is
 * read, and a name it does not list needs no statx() of its own. */
bool risk_machine_dir_may_have(risk_machine *m, const dir_facts *d, const char *name);

/* The bound sockets that a classification compares the path with: who
 * listens at the name, on the file, and whether tmpfiles sees it live. */
typedef struct risk_sockets {
        const unix_socket_info *list;
        size_t n;
        bool known;             /* false: what listens is unknown, and not judged */
        /* For a long list, so that a path costs a lookup and not a pass over
         * the machine's sockets: LIST's named entries sorted by name, and
         * those with a file by file, each run in list order. NULL: LIST is
         * searched from end to end. */
        const unix_socket_info *const *by_name;
        size_t n_by_name;
        const unix_socket_info *const *by_vfs;
        size_t n_by_vfs;
} risk_sockets;

/* The machine's own: every bound socket it has listed (risk_machine_load(),
 * risk_machine_load_other_netns()), indexed, or unknown
 * (risk_machine_load_offline()). */
risk_sockets risk_machine_sockets(risk_machine *m);

/* Classifies PATH as given ("/..." or "@abstract"); it is judged in its
 * canonical form, and the report names it as given. */
int risk_classify(risk_machine *m, const char *path, risk_report *ret);
/* The same, for a caller that has statx()ed the path under the root
 * already (AT_SYMLINK_NOFOLLOW, at least RISK_STATX_MASK; FOUND NULL when
 * nothing is there), so that a scan of thousands of sockets looks at each
 * file once, and that says which SOCKETS to compare it with. */
#define RISK_STATX_MASK (STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID)
int risk_classify_found(risk_machine *m, const char *path, const struct statx *found, const risk_sockets *sockets,
                        risk_report *ret);
void risk_report_done(risk_report *r);

const char *risk_rating_to_string(risk_rating r);
