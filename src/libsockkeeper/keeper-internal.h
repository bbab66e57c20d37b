/* SPDX-License-Identifier: MIT */
#pragma once

/* The keeper engine's internals, shared by its files. Each file calls only
 * files below it in this list, so that none imports another in a circle:
 *
 *   keeper.c          life cycle: settings, bind or adopt, attach, free
 *   keeper-loop.c     the driver: process, check_now, the thread; the one
 *                     place that chooses between a bound and an attached look
 *   keeper-heal.c     a bound keeper's mode: relink, else rebind
 *   keeper-attach.c   an attached keeper's mode: relink while the socket
 *                     lives, liveness after a relink; its start
 *                     (keeper-heal.c and keeper-attach.c never call each other)
 *   keeper-look.c     one look at the path, in the mode it is given: it
 *                     reaches the mode's functions only through the
 *                     keeper_mode that its caller passes
 *   keeper-upkeep.c   what both keep up: anchor, sticky bit, timestamps,
 *                     conflicts reported once
 *   keeper-dir.c      the socket's directory and the chain above it
 *   keeper-watch.c    a keeper's watches and deadlines, retry backoff
 *   watcher.c         the inotify instance, timer and epoll fd that any
 *                     number of keepers share; calls the driver back only
 *                     through the function it was given
 *   keeper-bind.c     a listening socket made at the path
 *   keeper-event.c    events handed to the callback
 *   anchor.c          where anchors live, made, restored, removed
 *   socket-alive.c    is a socket file bound, in any network namespace
 *   fs-safe.c, then src/basic
 */

#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "anchor.h"
#include "fs-safe.h"
#include "sockkeeper.h"
#include "unix-diag.h"
#include "watcher.h"

/* Marks a definition as part of the ABI. The library is built with hidden
 * visibility, so only what carries this is exported, and only if
 * libsockkeeper.sym names it too; the public header stays plain
 * prototypes, which any compiler reads. */
#define SK_EXPORT __attribute__((visibility("default")))

#define SK_DEFAULT_MODE 0660
#define SK_DEFAULT_BACKLOG 16
/* Well under a day, the shortest age any common cleaner uses. */
#define SK_DEFAULT_REFRESH_USEC (6 * USEC_PER_HOUR)
/* The backstop for what inotify cannot see (renamed-away parents,
 * network filesystems); one wakeup an hour keeps idle cost negligible. */
#define SK_DEFAULT_BACKSTOP_USEC (1 * USEC_PER_HOUR)
#define SK_DEFAULT_POLL_USEC (60 * USEC_PER_SEC)
/* Healing retries: the path is unreachable meanwhile, so retry soon. */
#define SK_RETRY_MIN_USEC (10 * USEC_PER_MSEC)
#define SK_RETRY_MAX_USEC (30 * USEC_PER_SEC)
/* Anchor retries: the socket still works meanwhile; back off towards the
 * backstop interval rather than spin on a lasting failure. */
#define SK_ANCHOR_RETRY_MIN_USEC (1 * USEC_PER_SEC)
/* Attach mode, after a relink: how soon to look whether the socket that
 * was linked back is still bound (its daemon may have been stopping and
 * about to close it), backing off by 4x up to the backstop interval. */
#define SK_LIVENESS_FIRST_USEC (10 * USEC_PER_MSEC)

/* The clock of every deadline: it keeps counting in suspend, like the
 * cleaners' clocks. */
#define KEEPER_CLOCK CLOCK_BOOTTIME

/* One directory of the chain above the socket, as recorded at start. */
typedef struct dir_level {
        char *name;
        inode_id id;
        mode_t mode;
        uid_t uid;
        gid_t gid;
} dir_level;

/* The directories from BASE_PATH down to the socket's own (the last
 * level). BASE_PATH is "/" or where a symlink in the path led. */
typedef struct dir_chain {
        char *base_path;
        dir_level *levels;
        size_t n;
        int parent_fd;            /* O_PATH, the socket directory's parent */
} dir_chain;

struct sk_keeper {
        /* What the caller asked for. */
        char *path;
        char *dir_path;
        char *name;
        bool abstract;
        struct sockaddr_un addr;
        socklen_t addr_len;
        int type;
        mode_t mode;
        int backlog;
        bool sticky;
        bool relink;
        uint64_t refresh_usec;
        sk_detection detection;
        uint64_t check_usec;      /* backstop (inotify) or poll interval */
        char *anchor_override;
        sk_event_fn callback;
        void *userdata;

        /* What we hold. */
        int fd;                   /* the stable listening fd number; none when attached */
        bool bound;               /* bound, adopted or attached: the keeper is running */
        bool adopted;
        bool attached;            /* watching somebody else's socket (sk_keeper_attach) */
        bool have_socket;         /* sock_id names the socket kept: always when bound, once found when attached */
        bool lost;                /* attached: the loss of sock_id was reported */
        uid_t owner_uid;          /* attached: whose sockets we follow at the path */
        bool have_owner;          /* set by sk_keeper_set_owner() or the first look */
        bool owner_explicit;      /* by sk_keeper_set_owner() */
        inode_id sock_id;         /* our socket's inode at the path */
        unix_sock_ref sock_ref;   /* attached: the socket bound to it, by number */
        bool have_ref;
        int dir_fd;               /* O_PATH, the socket's directory */
        inode_id dir_id;
        mode_t dir_mode;
        dir_chain chain;          /* to re-create removed directories */
        anchor anchor;
        int anchor_error;         /* the placement failure last reported, 0 = none */
        bool sticky_added;        /* we set S_ISVTX on sock_id; taken away at the end */
        bool relinked_back;       /* attach: the name at the path is one we linked back */

        /* Event sources: a watcher shared with other keepers, or one of
         * our own. */
        sk_watcher *watcher;
        bool watcher_given;       /* by sk_keeper_set_watcher(): kept across unbind */
        watch_sub dir_sub;        /* our name in the socket's directory */
        watch_sub anchor_sub;     /* the anchor's name in its directory */
        watch_slot slot;          /* deadlines, and what inotify said (dirty flags) */

        /* State of the watch. */
        uint64_t detected_at;     /* CLOCK_MONOTONIC, when the loss was seen */
        uint64_t next_check;      /* CLOCK_BOOTTIME deadlines, 0 = none */
        uint64_t next_refresh;
        uint64_t next_retry;
        uint64_t retry_delay;
        uint64_t next_anchor_retry;
        uint64_t anchor_retry_delay;
        uint64_t next_liveness;   /* attach: look whether a relinked socket still lives */
        uint64_t liveness_delay;
        bool in_conflict;
        inode_id conflict_id;     /* reported once per distinct intruder: */
        mode_t conflict_mode;     /* inode numbers are reused at once, so */
        struct timespec conflict_ctime; /* type and ctime tell a new one */
        int emitted;              /* sk_event_type bits reported since the last process() */

        /* Background thread mode. */
        pthread_t thread;
        bool thread_running;
        int stop_fd;
};

/* keeper.c */
void keeper_unbind(sk_keeper *k);

/* What differs between a keeper of its own socket and an attached one
 * when it looks at its path. */
typedef struct keeper_mode {
        /* Whether ST, found at the path, is the socket we keep. */
        bool (*is_ours)(sk_keeper *k, const struct stat *st);
        /* After the path was found leading to it, again; may be NULL. */
        void (*ours_again)(sk_keeper *k);
        /* Something else is at the path. */
        void (*stranger)(sk_keeper *k, const struct stat *st);
        /* The path is gone: 0 when that is settled, -EAGAIN when the path
         * changed meanwhile (look again), another negative errno when a
         * retry is scheduled. */
        int (*heal)(sk_keeper *k);
} keeper_mode;

/* keeper-heal.c */
extern const keeper_mode keeper_mode_bound;

/* keeper-attach.c */
extern const keeper_mode keeper_mode_attached;
void keeper_attach_start(sk_keeper *k);
void keeper_check_liveness(sk_keeper *k);

/* keeper-look.c */
void keeper_look(sk_keeper *k, const keeper_mode *mode);

/* keeper-upkeep.c */
void keeper_ensure_anchor(sk_keeper *k);
void keeper_renew_sticky(sk_keeper *k);
int keeper_refresh(sk_keeper *k);
void keeper_report_conflict(sk_keeper *k, const struct stat *st, sk_conflict_kind kind);

/* keeper-dir.c */
int keeper_open_directory(sk_keeper *k);
int keeper_ensure_directory(sk_keeper *k);
void dir_chain_done(dir_chain *c);

/* keeper-loop.c, for keeper.c */
int keeper_private_watcher(sk_watcher **ret);

/* keeper-watch.c */
int keeper_watch_setup(sk_keeper *k);
int keeper_watch_directory(sk_keeper *k);
int keeper_watch_anchor(sk_keeper *k);
void keeper_watch_done(sk_keeper *k);
int keeper_arm_timer(sk_keeper *k);
uint64_t keeper_next_period(sk_keeper *k, uint64_t now, uint64_t period);
void keeper_schedule_retry(sk_keeper *k);
void keeper_schedule_anchor_retry(sk_keeper *k);
void keeper_healed(sk_keeper *k);
void keeper_failed(sk_keeper *k, int r, const char *operation);
uint64_t keeper_since_detection(sk_keeper *k);

/* keeper-bind.c */
int keeper_open_socket(sk_keeper *k, int *ret_fd, inode_id *ret_id);
int keeper_identify_bound_file(sk_keeper *k, int fd, inode_id *ret_id);
mode_t keeper_file_mode(sk_keeper *k);

/* keeper-event.c */
void keeper_emit(sk_keeper *k, const sk_event *ev);
void keeper_emit_error(sk_keeper *k, int error, const char *operation, uint64_t retry_usec);
void keeper_emit_conflict(sk_keeper *k, const struct stat *st, sk_conflict_kind kind);
sk_conflict_kind keeper_classify(const struct stat *st);
