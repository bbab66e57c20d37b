/* SPDX-License-Identifier: MIT */
/* Reporting: the library never prints, it hands events to the callback. */

#include <sys/stat.h>

#include "keeper-internal.h"
#include "macro.h"

void keeper_emit(sk_keeper *k, const sk_event *ev) {
        k->emitted |= ev->type;
        if (k->callback)
                k->callback(k, ev, k->userdata);
}

void keeper_emit_error(sk_keeper *k, int error, const char *operation, uint64_t retry_usec) {
        sk_event ev = {
                .type = SK_EVENT_ERROR,
                .path = k->path,
                .error = {
                        .error = error,
                        .operation = operation,
                        .retry_usec = retry_usec,
                },
        };

        keeper_emit(k, &ev);
}

sk_conflict_kind keeper_classify(const struct stat *st) {
        switch (st->st_mode & S_IFMT) {
        case S_IFREG:
                return SK_CONFLICT_REGULAR_FILE;
        case S_IFLNK:
                return SK_CONFLICT_SYMLINK;
        case S_IFDIR:
                return SK_CONFLICT_DIRECTORY;
        case S_IFSOCK:
                return SK_CONFLICT_OTHER_SOCKET;
        default:
                return SK_CONFLICT_OTHER;
        }
}

void keeper_emit_conflict(sk_keeper *k, const struct stat *st, sk_conflict_kind kind) {
        sk_event ev = {
                .type = SK_EVENT_CONFLICT,
                .path = k->path,
                .conflict = {
                        .kind = kind,
                        .mode = st->st_mode,
                        .uid = st->st_uid,
                        .gid = st->st_gid,
                },
        };

        keeper_emit(k, &ev);
}

SK_EXPORT const char *sk_event_type_to_string(sk_event_type type) {
        switch (type) {
        case SK_EVENT_REFRESHED:
                return "refreshed";
        case SK_EVENT_RELINKED:
                return "relinked";
        case SK_EVENT_REBOUND:
                return "rebound";
        case SK_EVENT_CONFLICT:
                return "conflict";
        case SK_EVENT_ERROR:
                return "error";
        case SK_EVENT_PARENT_RESTORED:
                return "parent-restored";
        case SK_EVENT_ATTACHED:
                return "attached";
        case SK_EVENT_LOST:
                return "lost";
        }
        return NULL;
}

SK_EXPORT const char *sk_conflict_kind_to_string(sk_conflict_kind kind) {
        switch (kind) {
        case SK_CONFLICT_REGULAR_FILE:
                return "regular file";
        case SK_CONFLICT_SYMLINK:
                return "symlink";
        case SK_CONFLICT_DIRECTORY:
                return "directory";
        case SK_CONFLICT_LIVE_SOCKET:
                return "live socket";
        case SK_CONFLICT_FOREIGN_SOCKET:
                return "socket owned by another user";
        case SK_CONFLICT_OTHER_SOCKET:
                return "another socket";
        case SK_CONFLICT_OTHER:
                return "special file";
        }
        return NULL;
}
