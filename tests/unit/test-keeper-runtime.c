/* SPDX-License-Identifier: MIT */
/* The keeper at run time, driven in event-loop mode: relink of the same
 * inode, restoration of a removed directory, and attacks at each step
 * (a stranger's file, a symlink swapped in for the socket, the directory
 * or the anchor directory), which must be reported and never followed,
 * removed or filled. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "macro.h"
#include "tap.h"
#include "test-util.h"

#define WAIT_MS 3000

typedef struct fixture {
        char *dir;       /* scratch root */
        char *sock_dir;  /* the socket's directory */
        char *path;
        recorder rec;
        sk_keeper *k;
        ino_t ino;
} fixture;

static void setup(fixture *f) {
        f->dir = scratch_dir();
        f->sock_dir = scratch_path(f->dir, "sock");
        f->path = scratch_path(f->dir, "sock/s.sock");
        f->k = keeper_at(f->path, &f->rec);
}

static void start(fixture *f) {
        struct stat st;

        check_int(sk_keeper_bind(f->k), ==, 0);
        check(lstat(f->path, &st) >= 0);
        f->ino = st.st_ino;
        check(sk_keeper_get_anchor_path(f->k));
}

static void teardown(fixture *f) {
        sk_keeper_free(f->k);
        rm_rf(f->dir);
}

/* A file outside the test's socket directory whose every attribute we
 * can later compare. */
static char *bait(fixture *f, struct stat *ret) {
        char *t = scratch_path(f->dir, "bait");
        struct utimbuf old = { .actime = 1000, .modtime = 1000 };

        write_file(t, "bait");
        check(chmod(t, 0640) >= 0);
        check(utime(t, &old) >= 0);
        check(stat(t, ret) >= 0);
        return t;
}

static void check_bait_untouched(const char *t, const struct stat *before) {
        struct stat st;

        /* stat before reading: the read itself moves atime. */
        check(stat(t, &st) >= 0);
        check_int(st.st_mode, ==, before->st_mode);
        check_int(st.st_mtime, ==, before->st_mtime);
        check_int(st.st_atime, ==, before->st_atime);
        check_int(st.st_nlink, ==, 1); /* not hard-linked anywhere */
        check(file_has(t, "bait"));
}

TEST(relink_restores_same_inode_and_fd) {
        fixture f = {};
        struct stat st;
        struct utimbuf old = { .actime = 1000, .modtime = 1000 };

        setup(&f);
        start(&f);
        check(strncmp(sk_keeper_get_anchor_path(f.k), f.sock_dir, strlen(f.sock_dir)) != 0);

        check(utime(f.path, &old) >= 0); /* aged, as a cleaner found it */
        check(unlink(f.path) >= 0);
        check_int(try_connect(f.path), ==, -ENOENT);
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check(lstat(f.path, &st) >= 0);
        check_int(st.st_ino, ==, f.ino);
        check(st.st_mtime > time(NULL) - 60); /* freshened, or the cleaner takes it again */
        check(served_by(sk_keeper_get_fd(f.k), f.path));
        check_int(f.rec.mask & (SK_EVENT_REBOUND | SK_EVENT_ERROR | SK_EVENT_CONFLICT), ==, 0);
        teardown(&f);
}

TEST(rename_away_is_healed) {
        fixture f = {};
        char *moved;
        struct stat st;

        setup(&f);
        start(&f);
        moved = scratch_path(f.dir, "sock/moved.sock");
        check(rename(f.path, moved) >= 0);
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check(lstat(f.path, &st) >= 0 && st.st_ino == f.ino);
        check(served_by(sk_keeper_get_fd(f.k), f.path));
        teardown(&f);
}

TEST(sweep_of_socket_directory_spares_anchor) {
        fixture f = {};
        struct stat st;

        setup(&f);
        start(&f);
        /* rm -rf of the socket's whole directory. */
        rm_rf(f.sock_dir);
        check(lstat(sk_keeper_get_anchor_path(f.k), &st) >= 0);
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check(f.rec.mask & SK_EVENT_PARENT_RESTORED);
        check(lstat(f.path, &st) >= 0 && st.st_ino == f.ino);
        check(served_by(sk_keeper_get_fd(f.k), f.path));
        teardown(&f);
}

TEST(removed_parent_is_restored_with_mode_and_owner) {
        fixture f = {};
        struct stat st;
        uid_t uid = geteuid() == 0 ? 65534 : geteuid();

        setup(&f);
        check(chmod(f.sock_dir, 02751) >= 0);
        if (geteuid() == 0)
                check(chown(f.sock_dir, uid, 65534) >= 0);
        start(&f);
        rm_rf(f.sock_dir);
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check(stat(f.sock_dir, &st) >= 0);
        check_int(st.st_mode & 07777, ==, 02751);
        check_int(st.st_uid, ==, uid);
        check(served_by(sk_keeper_get_fd(f.k), f.path));
        teardown(&f);
}

TEST(parent_replaced_by_symlink_is_not_followed) {
        fixture f = {};
        char *elsewhere;
        struct stat st;

        setup(&f);
        start(&f);
        elsewhere = scratch_path(f.dir, "elsewhere");
        check(mkdir(elsewhere, 0755) >= 0);
        rm_rf(f.sock_dir);
        check(symlink(elsewhere, f.sock_dir) >= 0);

        check(pump(f.k, SK_EVENT_ERROR, WAIT_MS) & SK_EVENT_ERROR);
        check_streq(f.rec.error_op, "parent directory replaced");
        /* Give the retries time to go wrong, then look. */
        check_int(pump(f.k, SK_EVENT_RELINKED | SK_EVENT_REBOUND, 300) & (SK_EVENT_RELINKED | SK_EVENT_REBOUND), ==, 0);
        check(rmdir(elsewhere) >= 0); /* still empty: nothing linked or bound there */

        /* Once the symlink is gone, the keeper restores the directory. */
        check(unlink(f.sock_dir) >= 0);
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check(lstat(f.sock_dir, &st) >= 0 && S_ISDIR(st.st_mode));
        check(served_by(sk_keeper_get_fd(f.k), f.path));
        teardown(&f);
}

TEST(stranger_file_is_reported_once_and_kept) {
        fixture f = {};

        setup(&f);
        start(&f);
        check(unlink(f.path) >= 0);
        write_file(f.path, "stranger"); /* takes the name before the keeper looks */
        check(pump(f.k, SK_EVENT_CONFLICT, WAIT_MS) & SK_EVENT_CONFLICT);
        check_int(f.rec.conflict_kind, ==, SK_CONFLICT_REGULAR_FILE);
        check_int(sk_keeper_check_now(f.k) & SK_EVENT_CONFLICT, ==, 0); /* once per intruder */
        check_int(recorder_count(&f.rec, SK_EVENT_CONFLICT), ==, 1);
        check(file_has(f.path, "stranger"));

        /* The keeper takes the path back once it is free again. */
        check(unlink(f.path) >= 0);
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check(served_by(sk_keeper_get_fd(f.k), f.path));
        teardown(&f);
}

TEST(foreign_socket_at_path_is_left_serving) {
        fixture f = {};
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int other;

        setup(&f);
        start(&f);
        check(unlink(f.path) >= 0);
        other = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f.path);
        check(bind(other, (struct sockaddr *) &sa, sizeof(sa)) >= 0);
        check(listen(other, 4) >= 0);

        check(pump(f.k, SK_EVENT_CONFLICT, WAIT_MS) & SK_EVENT_CONFLICT);
        check_int(f.rec.conflict_kind, ==, SK_CONFLICT_OTHER_SOCKET);
        check(served_by(other, f.path));
        teardown(&f);
}

TEST(symlink_at_path_is_not_followed_by_relink) {
        fixture f = {};
        struct stat bst;
        char *t;

        setup(&f);
        start(&f);
        t = bait(&f, &bst);
        check(unlink(f.path) >= 0);
        check(symlink(t, f.path) >= 0);
        check(pump(f.k, SK_EVENT_CONFLICT, WAIT_MS) & SK_EVENT_CONFLICT);
        check_int(f.rec.conflict_kind, ==, SK_CONFLICT_SYMLINK);
        check_bait_untouched(t, &bst);
        check(stat(t, &bst) >= 0);
        f.k = sk_keeper_free(f.k); /* must not unlink the symlink or its target */
        check_bait_untouched(t, &bst);
        teardown(&f);
}

TEST(symlink_at_path_is_not_followed_by_refresh) {
        fixture f = {};
        struct stat bst, st;
        char *t;

        setup(&f);
        check_int(sk_keeper_set_refresh_interval(f.k, 50 * USEC_PER_MSEC), ==, 0);
        check_int(sk_keeper_set_sticky(f.k, true), ==, 0);
        start(&f);
        t = bait(&f, &bst);
        check(pump(f.k, SK_EVENT_REFRESHED, WAIT_MS) & SK_EVENT_REFRESHED);

        /* Swap a symlink in without an inotify event reaching the keeper
         * first: rename over is atomic. */
        {
                char *tmp = scratch_path(f.dir, "sock/.tmp-link");
                check(symlink(t, tmp) >= 0);
                check(rename(tmp, f.path) >= 0);
        }
        pump(f.k, SK_EVENT_CONFLICT, WAIT_MS);
        check(f.rec.mask & SK_EVENT_CONFLICT);
        check_bait_untouched(t, &bst);
        check(lstat(f.path, &st) >= 0 && S_ISLNK(st.st_mode));
        check(stat(t, &bst) >= 0);
        f.k = sk_keeper_free(f.k);
        check_bait_untouched(t, &bst);
        teardown(&f);
}

TEST(refresh_freshens_timestamps) {
        fixture f = {};
        struct utimbuf old = { .actime = 1000, .modtime = 1000 };
        struct stat st;

        setup(&f);
        check_int(sk_keeper_set_refresh_interval(f.k, 100 * USEC_PER_MSEC), ==, 0);
        start(&f);
        check(utime(f.path, &old) >= 0);
        check(pump(f.k, SK_EVENT_REFRESHED, WAIT_MS) & SK_EVENT_REFRESHED);
        check(lstat(f.path, &st) >= 0);
        check(st.st_mtime > time(NULL) - 60);
        check(st.st_atime > time(NULL) - 60);
        check_int(st.st_ino, ==, f.ino);
        teardown(&f);
}

TEST(deleted_anchor_is_recreated) {
        fixture f = {};
        char anchor[4096];
        struct stat st;

        setup(&f);
        start(&f);
        snprintf(anchor, sizeof(anchor), "%s", sk_keeper_get_anchor_path(f.k));
        check(unlink(anchor) >= 0);
        pump(f.k, SK_EVENT_ERROR, 500);
        check(lstat(anchor, &st) >= 0);
        check_int(st.st_ino, ==, f.ino);
        teardown(&f);
        check(lstat(anchor, &st) < 0 && errno == ENOENT);
}

TEST(anchor_directory_swapped_for_symlink_is_not_followed) {
        fixture f = {};
        char anchor_dir[4096], *slash, *elsewhere;
        struct stat st;

        setup(&f);
        start(&f);
        snprintf(anchor_dir, sizeof(anchor_dir), "%s", sk_keeper_get_anchor_path(f.k));
        slash = strrchr(anchor_dir, '/');
        *slash = '\0';
        elsewhere = scratch_path(f.dir, "elsewhere");
        check(mkdir(elsewhere, 0700) >= 0);
        rm_rf(anchor_dir);
        check(symlink(elsewhere, anchor_dir) >= 0);
        pump(f.k, SK_EVENT_ERROR, 500);
        check(rmdir(elsewhere) >= 0); /* nothing was linked into it */
        /* The keeper found another private place for its anchor. */
        check(sk_keeper_get_anchor_path(f.k));
        check(lstat(sk_keeper_get_anchor_path(f.k), &st) >= 0 && st.st_ino == f.ino);
        check(unlink(f.path) >= 0);
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        teardown(&f);
}

TEST(free_gives_back_only_what_is_ours) {
        fixture f = {};
        char anchor[4096];
        struct stat st;

        setup(&f);
        start(&f);
        snprintf(anchor, sizeof(anchor), "%s", sk_keeper_get_anchor_path(f.k));
        check(unlink(f.path) >= 0);
        write_file(f.path, "stranger");
        sk_keeper_free(f.k);
        f.k = NULL;
        check(file_has(f.path, "stranger"));
        check(lstat(anchor, &st) < 0 && errno == ENOENT); /* our anchor: gone */
        rm_rf(f.dir);
}

TEST(dead_anchors_are_swept_live_ones_kept) {
        fixture f = {};
        char *anchors, *other_path, *dead_path, *dead_anchor, live_anchor[4096];
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        recorder other_rec = {};
        sk_keeper *other;
        struct stat st;
        int fd;

        setup(&f);
        anchors = scratch_path(f.dir, "anchors");
        check(mkdir(anchors, 0700) >= 0);

        /* The anchor of a daemon that died ... */
        dead_path = scratch_path(f.dir, "sock/dead.sock");
        dead_anchor = scratch_path(anchors, "fe00.1234.sock");
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", dead_path);
        check(bind(fd, (struct sockaddr *) &sa, sizeof(sa)) >= 0);
        check(link(dead_path, dead_anchor) >= 0);
        close(fd);

        /* ... and a live keeper sharing the directory: the first of this
         * process to use it sweeps it, once. */
        other_path = scratch_path(f.dir, "sock/other.sock");
        other = keeper_at(other_path, &other_rec);
        check_int(sk_keeper_set_anchor_dir(other, anchors), ==, 0);
        check_int(sk_keeper_bind(other), ==, 0);
        snprintf(live_anchor, sizeof(live_anchor), "%s", sk_keeper_get_anchor_path(other));

        check_int(sk_keeper_set_anchor_dir(f.k, anchors), ==, 0);
        start(&f);
        check(lstat(dead_anchor, &st) < 0 && errno == ENOENT);
        check(lstat(live_anchor, &st) >= 0 && S_ISSOCK(st.st_mode));
        check(lstat(dead_path, &st) >= 0); /* only the anchor directory is swept */
        check(lstat(sk_keeper_get_anchor_path(f.k), &st) >= 0 && st.st_ino == f.ino);
        check_int(other_rec.mask & SK_EVENT_ERROR, ==, 0);
        sk_keeper_free(other);
        teardown(&f);
}

TEST(poll_mode_rebinds_without_inotify) {
        fixture f = {};
        struct stat st;

        setup(&f);
        check_int(sk_keeper_set_detection(f.k, SK_DETECT_POLL, 100 * USEC_PER_MSEC), ==, 0);
        check_int(sk_keeper_set_relink(f.k, false), ==, 0);
        check_int(sk_keeper_bind(f.k), ==, 0);
        check(sk_keeper_get_anchor_path(f.k) == NULL);
        check(unlink(f.path) >= 0);
        check(pump(f.k, SK_EVENT_REBOUND, WAIT_MS) & SK_EVENT_REBOUND);
        check(lstat(f.path, &st) >= 0 && S_ISSOCK(st.st_mode));
        check(served_by(sk_keeper_get_fd(f.k), f.path));
        teardown(&f);
}

TAP_MAIN(T(relink_restores_same_inode_and_fd),
         T(rename_away_is_healed),
         T(sweep_of_socket_directory_spares_anchor),
         T(removed_parent_is_restored_with_mode_and_owner),
         T(parent_replaced_by_symlink_is_not_followed),
         T(stranger_file_is_reported_once_and_kept),
         T(foreign_socket_at_path_is_left_serving),
         T(symlink_at_path_is_not_followed_by_relink),
         T(symlink_at_path_is_not_followed_by_refresh),
         T(refresh_freshens_timestamps),
         T(deleted_anchor_is_recreated),
         T(anchor_directory_swapped_for_symlink_is_not_followed),
         T(free_gives_back_only_what_is_ours),
         T(dead_anchors_are_swept_live_ones_kept),
         T(poll_mode_rebinds_without_inotify))
