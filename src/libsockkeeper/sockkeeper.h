/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * libsockkeeper: keep a listening AF_UNIX socket reachable at its path.
 *
 * A keeper binds (or adopts from socket activation) one socket and then
 * defends its path against cleaners in three layers: it keeps the file fresh
 * (prevention), links the same inode back when the path is deleted (relink,
 * invisible to the daemon), and as a last resort binds a new socket and
 * dup3()s it onto the same fd number (rebind).
 *
 * Every function returns 0 (or a non-negative count) on success and a
 * negative errno-style value on failure. Output pointers are set only on
 * success. The library never prints; it reports through the event callback.
 * Getters take a const keeper and change nothing. See libsockkeeper(3).
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sk_keeper sk_keeper;
typedef struct sk_watcher sk_watcher;

/* Event types double as bits in the mask returned by sk_keeper_process(). */
typedef enum sk_event_type {
        SK_EVENT_REFRESHED        = 1 << 0, /* timestamps (and sticky bit) renewed */
        SK_EVENT_RELINKED         = 1 << 1, /* same inode linked back at the path */
        SK_EVENT_REBOUND          = 1 << 2, /* new socket dup3()ed onto the same fd */
        SK_EVENT_CONFLICT         = 1 << 3, /* something else holds the path; left alone */
        SK_EVENT_ERROR            = 1 << 4, /* an operation failed; it will be retried */
        SK_EVENT_PARENT_RESTORED  = 1 << 5, /* the removed parent directory was re-created */
        SK_EVENT_ATTACHED         = 1 << 6, /* attach mode: now watching the socket at the path */
        SK_EVENT_LOST             = 1 << 7, /* attach mode: the path is gone and cannot be relinked */
} sk_event_type;

/* What was found at the path when it is not ours. */
typedef enum sk_conflict_kind {
        SK_CONFLICT_REGULAR_FILE,
        SK_CONFLICT_SYMLINK,
        SK_CONFLICT_DIRECTORY,
        SK_CONFLICT_LIVE_SOCKET,    /* a socket that accepts connections */
        SK_CONFLICT_FOREIGN_SOCKET, /* a socket owned by another user */
        SK_CONFLICT_OTHER_SOCKET,   /* a socket inode that is not ours (run time) */
        SK_CONFLICT_OTHER,          /* fifo, device node, ... */
} sk_conflict_kind;

typedef enum sk_detection {
        SK_DETECT_INOTIFY, /* inotify on the parent, plus a slow backstop check (default) */
        SK_DETECT_POLL,    /* lstat() every poll interval only */
} sk_detection;

typedef struct sk_event {
        sk_event_type type;
        const char *path;
        union {
                struct {
                        uint64_t usec;      /* from detection to the link being back */
                } relinked;
                struct {
                        int fd;             /* the stable fd number, now the new socket */
                        int old_fd;         /* a duplicate of the old, shut-down description;
                                             * valid only during the callback */
                        uint64_t old_ino;   /* socket inodes on the filesystem */
                        uint64_t new_ino;
                        uint64_t usec;      /* from detection to the new socket listening */
                } rebound;
                struct {
                        sk_conflict_kind kind;
                        mode_t mode;
                        uid_t uid;
                        gid_t gid;
                } conflict;
                struct {
                        int error;          /* positive errno */
                        const char *operation; /* e.g. "relink anchor", "bind new socket", "link anchor" */
                        uint64_t retry_usec;   /* how soon it will be tried again */
                } error;
                struct {
                        mode_t mode;        /* the directory mode that was restored */
                } parent_restored;
                struct {
                        uint64_t dev;       /* the socket file's inode, as lstat() gives it */
                        uint64_t ino;
                        uid_t uid;          /* its owner; the keeper follows only this owner now */
                        bool replaced;      /* a new socket took the place of the one watched before */
                } attached;
                struct {
                        uint64_t dev;       /* the inode that was watched */
                        uint64_t ino;
                        bool alive;         /* still bound by someone (its anchor was gone),
                                             * as opposed to closed by every holder */
                        bool removed;       /* the keeper had linked it back and has now
                                             * removed that name again: its holder closed it */
                } lost;
        };
} sk_event;

typedef void (*sk_event_fn)(sk_keeper *k, const sk_event *event, void *userdata);

/* Life cycle. sk_keeper_new() only records the path, in its canonical form
 * ("//" and "/./" collapsed; -EINVAL for a ".." or a directory);
 * sk_keeper_bind() binds or adopts. A path starting with '@' names an
 * abstract socket. */
int sk_keeper_new(sk_keeper **ret, const char *path);
sk_keeper *sk_keeper_free(sk_keeper *k);

/* Settings; call before sk_keeper_bind(). */
int sk_keeper_set_type(sk_keeper *k, int sock_type);      /* SOCK_STREAM (default), SOCK_SEQPACKET, SOCK_DGRAM */
int sk_keeper_set_mode(sk_keeper *k, mode_t mode);        /* default 0660 */
int sk_keeper_set_backlog(sk_keeper *k, int backlog);     /* default 16 */
int sk_keeper_set_sticky(sk_keeper *k, bool sticky);      /* default off */
int sk_keeper_set_refresh_interval(sk_keeper *k, uint64_t usec); /* default 6 h; 0 disables */
/* interval 0 picks the default: 1 h backstop (inotify) or 60 s (poll). */
int sk_keeper_set_detection(sk_keeper *k, sk_detection detection, uint64_t interval_usec);
int sk_keeper_set_relink(sk_keeper *k, bool relink);      /* default on */
int sk_keeper_set_anchor_dir(sk_keeper *k, const char *dir);
int sk_keeper_set_event_callback(sk_keeper *k, sk_event_fn fn, void *userdata);

/* Bind and listen, or adopt a matching fd passed through LISTEN_FDS. */
int sk_keeper_bind(sk_keeper *k);

/* Attach mode: keep the path of a socket that somebody else bound. The
 * keeper holds no fd and never binds. It refreshes and anchors the socket
 * found at the path, relinks it when the path is deleted while the socket
 * is still bound, reports SK_EVENT_LOST when it cannot, and follows a new
 * socket of the same owner (SK_EVENT_ATTACHED). A missing path is waited
 * for; anything else at the path is a conflict. Call instead of
 * sk_keeper_bind(); the settings of sk_keeper_set_type(), _mode() and
 * _backlog() do not apply. See libsockkeeper(3). */
int sk_keeper_attach(sk_keeper *k);
bool sk_keeper_is_attached(const sk_keeper *k);
/* Attach mode: keep only sockets of UID at the path: those whose file or
 * whose socket (the user that created it, which a chown of the file does
 * not change) belongs to UID. Without it, the owner of the socket found
 * at the path by sk_keeper_attach(), or, when the path is missing then,
 * the keeper's own effective uid. Call before sk_keeper_attach(). */
int sk_keeper_set_owner(sk_keeper *k, uid_t uid);

/* The listening fd; its number never changes for the keeper's lifetime.
 * -ENOTCONN before bind and in attach mode. */
int sk_keeper_get_fd(const sk_keeper *k);
/* The canonical path: what is bound and watched. */
const char *sk_keeper_get_path(const sk_keeper *k);
/* The anchor hard link, or NULL when there is none (abstract socket,
 * relink off, or no usable anchor directory). The keeper replaces the
 * string when it makes a new anchor: in thread mode, read it from the
 * callback or while the thread is stopped. */
const char *sk_keeper_get_anchor_path(const sk_keeper *k);
bool sk_keeper_is_adopted(const sk_keeper *k);

/* Mode 1: a background thread. Callbacks run on that thread; while it
 * runs, sk_keeper_process() and sk_keeper_check_now() return -EBUSY. */
int sk_keeper_start(sk_keeper *k);
int sk_keeper_stop(sk_keeper *k);

/* Mode 2: an event loop. Poll the event fd for POLLIN (it carries the
 * keeper's timers too), then call sk_keeper_process(). It returns the mask
 * of sk_event_type bits that happened. */
int sk_keeper_get_event_fd(const sk_keeper *k);
int sk_keeper_process(sk_keeper *k);

/* Many keepers, one event source: keepers given the same watcher share
 * one inotify instance, one timer and one pollable fd, however many they
 * are (a guard of 10,000 paths, a daemon of many sockets). Give it with
 * sk_keeper_set_watcher() before sk_keeper_bind() or sk_keeper_attach();
 * poll sk_watcher_get_fd() for POLLIN and call sk_watcher_process(),
 * which returns the sk_event_type bits of all its keepers. Such a keeper
 * has no thread of its own (sk_keeper_start() gives -EBUSY) and is
 * processed only through its watcher (sk_keeper_process() gives -EBUSY;
 * sk_keeper_check_now() still looks at that one keeper). Free the keepers
 * before the watcher; callbacks must not free keepers. */
int sk_watcher_new(sk_watcher **ret);
sk_watcher *sk_watcher_free(sk_watcher *w);
int sk_keeper_set_watcher(sk_keeper *k, sk_watcher *w);
int sk_watcher_get_fd(const sk_watcher *w);
int sk_watcher_process(sk_watcher *w);

/* Check the path now, as if a change had been seen. Same return as process. */
int sk_keeper_check_now(sk_keeper *k);

const char *sk_event_type_to_string(sk_event_type type);
const char *sk_conflict_kind_to_string(sk_conflict_kind kind);

#ifdef __cplusplus
}
#endif
