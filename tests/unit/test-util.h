/* SPDX-License-Identifier: MIT */
#pragma once

/* Helpers for the keeper's unit tests: scratch directories, clients, and
 * an event recorder that drives a keeper in event-loop mode. */

#include <stdbool.h>
#include <sys/types.h>
#include <sys/stat.h>

#include "sockkeeper.h"

typedef struct recorder {
        int mask;                 /* every sk_event_type seen */
        int counts[8];            /* per bit */
        sk_conflict_kind conflict_kind;
        int error;
        char error_op[64];
        uint64_t old_ino, new_ino;
} recorder;

void record_event(sk_keeper *k, const sk_event *ev, void *userdata);
int recorder_count(const recorder *r, sk_event_type type);

/* A fresh directory under /tmp; sockets go in its "sock" subdirectory.
 * Its "state" subdirectory becomes the keepers' state directory
 * ($STATE_DIRECTORY), so that anchors land inside the scratch tree. */
char *scratch_dir(void);
char *scratch_path(const char *dir, const char *rel);
void rm_rf(const char *path);

/* Runs the keeper's event loop until one of WANT happened or TIMEOUT_MS
 * passed; returns every event bit seen. */
int pump(sk_keeper *k, int want, int timeout_ms);

/* 0 when a stream connect to PATH works, else -errno. */
int try_connect(const char *path);
/* Connects to PATH and accepts on LISTEN_FD: true only if this very fd
 * received the connection. */
bool served_by(int listen_fd, const char *path);

/* Collects the warnings of the configuration readers (tmpfiles.d, units):
 * pass collect_warning and a warnings as the warn callback and userdata. */
typedef struct warnings {
        char text[8192];
        unsigned count;
} warnings;

void collect_warning(const char *file, unsigned line, const char *message, void *userdata);

int count_open_fds(void);
/* PATH and the directories above it, as "mkdir -p". */
void mkdir_p(const char *path);
void write_file(const char *path, const char *content);
/* Fixture roots: ROOT/REL (root-relative, "/etc/x") with CONTENT (mode
 * 0644, or MODE), or as a symlink to TARGET, creating the directories
 * above it. */
void put_file(const char *root, const char *rel, const char *content);
void put_file_mode(const char *root, const char *rel, const char *content, mode_t mode);
void put_symlink(const char *root, const char *rel, const char *target);
/* The whole of the file PATH, or NULL when it cannot be read. */
char *read_text(const char *path);
/* A scratch_dir() for a tree of units, with SYSTEMD_UNIT_PATH unset so
 * that the default search path applies under it. */
char *scratch_unit_root(void);
/* A file of SIZE bytes that takes no room on disk. */
void sparse_file(const char *path, off_t size);
bool file_has(const char *path, const char *content);

/* A keeper on PATH in event-loop mode with a recorder attached. */
sk_keeper *keeper_at(const char *path, recorder *rec);

#define NOBODY 65534

/* A child process that binds PATH as UID and answers each connection with
 * its pid: a daemon the keeper knows nothing about. SERVE_NO_LISTEN binds
 * only; SERVE_NETNS binds in a network namespace of its own (root). On
 * SIGUSR1 it unlinks PATH, as daemons do when they stop cleanly, and
 * goes on holding the socket until it is killed. */
#define SERVE_NO_LISTEN (1 << 0)
#define SERVE_NETNS (1 << 1)
pid_t serve_with(const char *path, uid_t uid, int flags);
pid_t serve_as(const char *path, uid_t uid);
void stop_server(pid_t pid);
/* A socket of TYPE bound to NAME (a path, or with ABSTRACT an abstract
 * name without its leading NUL), listening if LISTENING. */
int bind_unix(int type, const char *name, bool abstract, bool listening);
/* The pid of whoever accepts a connection at PATH, or -errno. */
pid_t served_pid(const char *path);
ino_t ino_of(const char *path);
void require_root(void);
/* Polls until PATH is absent (true) or TIMEOUT_MS passed (false). */
bool wait_gone(const char *path, int timeout_ms);
