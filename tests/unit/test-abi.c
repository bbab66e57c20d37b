/* SPDX-License-Identifier: MIT */
/* Linked against the shared library alone: every public symbol is used
 * here, so one missing from the version script fails the link (or the
 * run, with -z now). It also checks the library is usable as documented,
 * end to end, through the exported API only, and that the public header is
 * what a caller should see. */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sockkeeper.h>

static int events;

static void on_event(sk_keeper *k, const sk_event *ev, void *userdata) {
        events |= ev->type;
}

#define CHECK(x)                                                                 \
        do {                                                                     \
                if (!(x)) {                                                      \
                        fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #x);  \
                        return 1;                                                \
                }                                                                \
        } while (0)

/* The header as a caller reads it: plain prototypes, without the
 * library's own visibility macro, and getters that take a const keeper
 * (a type that does not match fails here, at run time, not the build). */
static int header_is_plain(void) {
#ifdef SK_EXPORT
        CHECK(!"the public header defines SK_EXPORT");
#endif
        CHECK(__builtin_types_compatible_p(__typeof__(sk_keeper_get_fd), int(const sk_keeper *)));
        CHECK(__builtin_types_compatible_p(__typeof__(sk_keeper_get_path), const char *(const sk_keeper *)));
        CHECK(__builtin_types_compatible_p(__typeof__(sk_keeper_get_anchor_path), const char *(const sk_keeper *)));
        CHECK(__builtin_types_compatible_p(__typeof__(sk_keeper_is_adopted), bool(const sk_keeper *)));
        CHECK(__builtin_types_compatible_p(__typeof__(sk_keeper_is_attached), bool(const sk_keeper *)));
        CHECK(__builtin_types_compatible_p(__typeof__(sk_keeper_get_event_fd), int(const sk_keeper *)));
        return 0;
}

static int exported_api_works(void) {
        char dir[] = "/tmp/sk-abi-XXXXXX", path[64], anchors[80];
        const sk_keeper *view;
        sk_keeper *k = NULL, *k2 = NULL;
        sk_watcher *w = NULL;

        CHECK(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/abi.sock", dir);
        snprintf(anchors, sizeof(anchors), "%s/sockkeeper-anchors", dir);
        /* Anchors in the scratch directory, never the machine's. */
        CHECK(setenv("STATE_DIRECTORY", dir, 1) == 0);

        CHECK(sk_keeper_new(&k, path) == 0);
        CHECK(sk_keeper_set_type(k, SOCK_STREAM) == 0);
        CHECK(sk_keeper_set_mode(k, 0600) == 0);
        CHECK(sk_keeper_set_backlog(k, 8) == 0);
        CHECK(sk_keeper_set_sticky(k, false) == 0);
        CHECK(sk_keeper_set_refresh_interval(k, 3600000000ULL) == 0);
        CHECK(sk_keeper_set_detection(k, SK_DETECT_INOTIFY, 0) == 0);
        CHECK(sk_keeper_set_relink(k, true) == 0);
        CHECK(sk_keeper_set_anchor_dir(k, NULL) == 0);
        CHECK(sk_keeper_set_event_callback(k, on_event, NULL) == 0);
        CHECK(sk_keeper_bind(k) == 0);
        view = k;
        CHECK(sk_keeper_get_fd(view) >= 0);
        CHECK(strcmp(sk_keeper_get_path(view), path) == 0);
        CHECK(sk_keeper_get_anchor_path(view) != NULL);
        CHECK(!sk_keeper_is_adopted(view));
        CHECK(sk_keeper_get_event_fd(view) >= 0);
        CHECK(sk_keeper_process(k) >= 0);

        CHECK(unlink(path) == 0);
        CHECK(sk_keeper_check_now(k) & SK_EVENT_RELINKED);
        CHECK(events & SK_EVENT_RELINKED);
        CHECK(access(path, F_OK) == 0);

        CHECK(sk_keeper_start(k) == 0);
        CHECK(sk_keeper_stop(k) == 0);
        CHECK(strcmp(sk_event_type_to_string(SK_EVENT_REBOUND), "rebound") == 0);
        CHECK(strcmp(sk_conflict_kind_to_string(SK_CONFLICT_SYMLINK), "symlink") == 0);
        CHECK(!sk_keeper_is_attached(k));
        CHECK(sk_keeper_free(k) == NULL);
        CHECK(access(path, F_OK) < 0 && errno == ENOENT);

        /* Attach mode, in a watcher shared with a bound keeper: nothing at
         * the path yet is fine; it waits. */
        CHECK(sk_watcher_new(&w) == 0);
        CHECK(sk_watcher_get_fd(w) >= 0);
        CHECK(sk_keeper_new(&k, path) == 0);
        CHECK(sk_keeper_set_owner(k, getuid()) == 0);
        CHECK(sk_keeper_set_watcher(k, w) == 0);
        CHECK(sk_keeper_attach(k) == 0);
        CHECK(sk_keeper_is_attached(k));
        CHECK(sk_keeper_get_fd(k) == -ENOTCONN);
        snprintf(path, sizeof(path), "%s/abi2.sock", dir);
        CHECK(sk_keeper_new(&k2, path) == 0);
        CHECK(sk_keeper_set_watcher(k2, w) == 0);
        CHECK(sk_keeper_set_event_callback(k2, on_event, NULL) == 0);
        CHECK(sk_keeper_bind(k2) == 0);
        CHECK(sk_keeper_process(k2) == -EBUSY);
        CHECK(unlink(path) == 0);
        events = 0;
        for (int i = 0; i < 100 && !(events & SK_EVENT_RELINKED); i++) {
                struct pollfd p = { .fd = sk_watcher_get_fd(w), .events = POLLIN };
                CHECK(poll(&p, 1, 50) >= 0);
                CHECK(sk_watcher_process(w) >= 0);
        }
        CHECK(events & SK_EVENT_RELINKED);
        CHECK(strcmp(sk_event_type_to_string(SK_EVENT_LOST), "lost") == 0);
        CHECK(strcmp(sk_event_type_to_string(SK_EVENT_ATTACHED), "attached") == 0);
        CHECK(sk_keeper_free(k) == NULL);
        CHECK(sk_keeper_free(k2) == NULL);
        CHECK(sk_watcher_free(w) == NULL);
        (void) rmdir(anchors);
        CHECK(rmdir(dir) == 0);
        return 0;
}

int main(void) {
        int failed = 0;

        printf("1..2\n");
        if (exported_api_works() != 0)
                failed++, printf("not ");
        printf("ok 1 - every exported symbol links and works\n");
        if (header_is_plain() != 0)
                failed++, printf("not ");
        printf("ok 2 - the public header declares plain prototypes, getters take a const keeper\n");
        return failed ? 1 : 0;
}
