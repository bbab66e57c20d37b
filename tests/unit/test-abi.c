/* SPDX-License-Identifier: MIT */
/* Linked against the shared library alone: every public symbol is used
 * here, so one missing from the version script fails the link (or the
 * run, with -z now). It also checks the library is usable as documented,
 * end to end, through the exported API only. */

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

int main(void) {
        char dir[] = "/tmp/sk-abi-XXXXXX", path[64];
        sk_keeper *k = NULL;

        CHECK(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/abi.sock", dir);

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
        CHECK(sk_keeper_get_fd(k) >= 0);
        CHECK(strcmp(sk_keeper_get_path(k), path) == 0);
        CHECK(sk_keeper_get_anchor_path(k) != NULL);
        CHECK(!sk_keeper_is_adopted(k));
        CHECK(sk_keeper_get_event_fd(k) >= 0);
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

        /* Attach mode: nothing at the path yet is fine; it waits. */
        CHECK(sk_keeper_new(&k, path) == 0);
        CHECK(sk_keeper_attach(k) == 0);
        CHECK(sk_keeper_is_attached(k));
        CHECK(sk_keeper_get_fd(k) == -ENOTCONN);
        CHECK(strcmp(sk_event_type_to_string(SK_EVENT_LOST), "lost") == 0);
        CHECK(strcmp(sk_event_type_to_string(SK_EVENT_ATTACHED), "attached") == 0);
        CHECK(sk_keeper_free(k) == NULL);
        CHECK(rmdir(dir) == 0);
        printf("1..1\nok 1 - every exported symbol links and works\n");
        return 0;
}
