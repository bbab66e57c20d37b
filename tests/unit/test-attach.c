/* SPDX-License-Identifier: MIT */
/* Attach mode against the real kernel: the socket is bound by another
 * process (a forked child, under another uid where the test needs one), the
 * keeper holds no fd. It must relink the very socket that child accepts on,
 * refuse to bring back a dead one, follow a restart by the same owner, and
 * treat everything else at the path as a conflict: never followed, never
 * removed, never anchored. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include "macro.h"
#include "tap.h"
#include "test-util.h"

#define WAIT_MS 3000
#define NOBODY 65534

typedef struct fixture {
        char *dir;
        char *sock_dir;
        char *path;
        recorder rec;
        sk_event last_attached;
        sk_event last_lost;
        sk_keeper *k;
} fixture;

static void on_event(sk_keeper *k, const sk_event *ev, void *userdata) {
        fixture *f = userdata;

        record_event(k, ev, &f->rec);
        if (ev->type == SK_EVENT_ATTACHED)
                f->last_attached = *ev;
        else if (ev->type == SK_EVENT_LOST)
                f->last_lost = *ev;
}

static void setup(fixture *f) {
        *f = (fixture) {};
        f->dir = scratch_dir();
        f->sock_dir = scratch_path(f->dir, "sock");
        f->path = scratch_path(f->dir, "sock/s.sock");
        check_int(sk_keeper_new(&f->k, f->path), ==, 0);
        check_int(sk_keeper_set_event_callback(f->k, on_event, f), ==, 0);
}

static void teardown(fixture *f) {
        sk_keeper_free(f->k);
        rm_rf(f->dir);
}

/* A child that binds PATH as UID and answers each connection with its
 * pid: a daemon the keeper knows nothing about. */
static pid_t serve_as(const char *path, uid_t uid) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int p[2];
        pid_t pid;
        char c;

        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        check(pipe2(p, O_CLOEXEC) >= 0);
        pid = fork();
        check(pid >= 0);
        if (pid == 0) {
                int fd;

                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (uid != geteuid() && (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0))
                        _exit(2);
                fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
                        _exit(3);
                (void) write(p[1], "r", 1);
                for (;;) {
                        int c2 = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
                        pid_t me = getpid();

                        if (c2 < 0)
                                continue;
                        (void) write(c2, &me, sizeof(me));
                        close(c2);
                }
        }
        close(p[1]);
        check_int(read(p[0], &c, 1), ==, 1);
        close(p[0]);
        return pid;
}

static void stop(pid_t pid) {
        (void) kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
}

/* The pid of whoever accepts a connection at PATH, or -errno. */
static pid_t served_pid(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        pid_t pid = 0;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        check(fd >= 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                pid = -errno;
                close(fd);
                return pid;
        }
        check_int(read(fd, &pid, sizeof(pid)), ==, sizeof(pid));
        close(fd);
        return pid;
}

static ino_t ino_of(const char *path) {
        struct stat st;

        check(lstat(path, &st) >= 0);
        return st.st_ino;
}

static void require_root(void) {
        if (geteuid() != 0)
                skip("needs root, to bind as another user");
}

TEST(relinks_socket_of_another_process) {
        fixture f;
        pid_t server;
        ino_t ino;

        setup(&f);
        server = serve_as(f.path, geteuid());
        ino = ino_of(f.path);
        check_int(sk_keeper_attach(f.k), ==, 0);
        check(sk_keeper_is_attached(f.k));
        check_int(sk_keeper_get_fd(f.k), ==, -ENOTCONN);
        check_int(recorder_count(&f.rec, SK_EVENT_ATTACHED), ==, 1);
        check(!f.last_attached.attached.replaced);
        check_int(f.last_attached.attached.ino, ==, ino);
        check(sk_keeper_get_anchor_path(f.k));

        for (int i = 0; i < 3; i++) {
                check(unlink(f.path) >= 0);
                check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
                check_int(ino_of(f.path), ==, ino);
                check_int(served_pid(f.path), ==, server);
        }
        check_int(recorder_count(&f.rec, SK_EVENT_RELINKED), ==, 3);
        check_int(recorder_count(&f.rec, SK_EVENT_LOST), ==, 0);
        stop(server);
        teardown(&f);
}

TEST(dead_socket_is_not_relinked) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        fixture f;
        pid_t server;
        ino_t ino;
        int fd;

        setup(&f);
        server = serve_as(f.path, geteuid());
        ino = ino_of(f.path);
        check_int(sk_keeper_attach(f.k), ==, 0);
        check(sk_keeper_get_anchor_path(f.k));

        /* The holder went away (a socket unit stopped): the file stays,
         * dead. Then the service manager unlinks it to bind anew. */
        stop(server);
        check(unlink(f.path) >= 0);
        check(pump(f.k, SK_EVENT_LOST, WAIT_MS) & SK_EVENT_LOST);
        check(!f.last_lost.lost.alive);
        check_int(f.last_lost.lost.ino, ==, ino);
        check(access(f.path, F_OK) < 0 && errno == ENOENT);
        /* The anchor of a dead inode goes too: it would only pin it. */
        check(!sk_keeper_get_anchor_path(f.k));
        check(!(pump(f.k, SK_EVENT_RELINKED, 200) & SK_EVENT_RELINKED));

        /* So the owner's next bind() succeeds. */
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f.path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        check(fd >= 0);
        check(bind(fd, (struct sockaddr *) &sa, sizeof(sa)) >= 0);
        check(listen(fd, 4) >= 0);
        check(pump(f.k, SK_EVENT_ATTACHED, WAIT_MS) & SK_EVENT_ATTACHED);
        check(f.last_attached.attached.replaced);
        check_int(recorder_count(&f.rec, SK_EVENT_LOST), ==, 1);
        close(fd);
        teardown(&f);
}

TEST(follows_restarted_socket_of_same_owner) {
        fixture f;
        pid_t first, second;
        ino_t ino;

        setup(&f);
        first = serve_as(f.path, geteuid());
        check_int(sk_keeper_attach(f.k), ==, 0);

        /* A restart the way systemd does it: the old holder closes, the
         * file is unlinked and a new socket bound, faster than we look. */
        stop(first);
        check(unlink(f.path) >= 0);
        second = serve_as(f.path, geteuid());
        ino = ino_of(f.path);
        check(pump(f.k, SK_EVENT_ATTACHED, WAIT_MS) & SK_EVENT_ATTACHED);
        check_int(f.last_attached.attached.ino, ==, ino);
        check(f.last_attached.attached.replaced);

        /* And the new socket is the one kept now. */
        check(unlink(f.path) >= 0);
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check_int(ino_of(f.path), ==, ino);
        check_int(served_pid(f.path), ==, second);
        stop(second);
        teardown(&f);
}

TEST(another_owners_socket_is_a_conflict) {
        struct stat before, after;
        fixture f;
        pid_t ours, squatter;

        require_root();
        setup(&f);
        check(chmod(f.dir, 0755) >= 0);
        check(chmod(f.sock_dir, 01777) >= 0);
        ours = serve_as(f.path, geteuid());
        check_int(sk_keeper_attach(f.k), ==, 0);
        stop(ours);
        check(unlink(f.path) >= 0);
        check(pump(f.k, SK_EVENT_LOST, WAIT_MS) & SK_EVENT_LOST);

        /* Somebody else binds the name in the world-writable directory. */
        squatter = serve_as(f.path, NOBODY);
        check(lstat(f.path, &before) >= 0);
        check_int(before.st_uid, ==, NOBODY);
        check(pump(f.k, SK_EVENT_CONFLICT, WAIT_MS) & SK_EVENT_CONFLICT);
        check_int(f.rec.conflict_kind, ==, SK_CONFLICT_FOREIGN_SOCKET);
        check_int(recorder_count(&f.rec, SK_EVENT_ATTACHED), ==, 1); /* the first one only */
        check(!sk_keeper_get_anchor_path(f.k));

        /* Not ours: its removal is not healed, and nothing of it is kept. */
        check_int(sk_keeper_check_now(f.k) & (SK_EVENT_ATTACHED | SK_EVENT_RELINKED), ==, 0);
        check(lstat(f.path, &after) >= 0);
        check_int(after.st_ino, ==, before.st_ino);
        check(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
        check_int(after.st_nlink, ==, 1);
        check(unlink(f.path) >= 0);
        check(!(pump(f.k, SK_EVENT_RELINKED, 200) & SK_EVENT_RELINKED));
        check(access(f.path, F_OK) < 0);
        stop(squatter);
        teardown(&f);
}

TEST(planted_symlink_and_file_are_left_alone) {
        struct stat tst, lst, fst;
        struct utimbuf old = { .actime = 1000, .modtime = 1000 };
        fixture f;
        char *target, *decoy, *anchor_dir;
        pid_t server, other;

        setup(&f);
        /* A live socket elsewhere is the richest target: the attack wants
         * it anchored, touched or linked at the watched path. */
        decoy = scratch_path(f.dir, "decoy.sock");
        target = scratch_path(f.dir, "target");
        other = serve_as(decoy, geteuid());
        write_file(target, "target");
        check(utime(target, &old) >= 0);

        check_int(sk_keeper_attach(f.k), ==, 0); /* nothing there yet */
        check_int(f.rec.mask, ==, 0);

        check(symlink(decoy, f.path) >= 0);
        check(pump(f.k, SK_EVENT_CONFLICT, WAIT_MS) & SK_EVENT_CONFLICT);
        check_int(f.rec.conflict_kind, ==, SK_CONFLICT_SYMLINK);
        check(lstat(f.path, &lst) >= 0 && S_ISLNK(lst.st_mode));
        check(lstat(decoy, &tst) >= 0);
        check_int(tst.st_nlink, ==, 1); /* never anchored through the link */
        check(!sk_keeper_get_anchor_path(f.k));
        anchor_dir = scratch_path(f.dir, ".sockkeeper-anchors-0");
        check(access(anchor_dir, F_OK) < 0 || rmdir(anchor_dir) >= 0); /* empty if there */

        /* Another link, renamed over the first (no delete is seen). */
        check(symlink(target, scratch_path(f.dir, "sock/tmp-link")) >= 0);
        check(rename(scratch_path(f.dir, "sock/tmp-link"), f.path) >= 0);
        check(pump(f.k, SK_EVENT_CONFLICT, WAIT_MS) & SK_EVENT_CONFLICT);
        check_int(recorder_count(&f.rec, SK_EVENT_CONFLICT), ==, 2);
        check(unlink(f.path) >= 0);
        write_file(f.path, "planted");
        check(pump(f.k, SK_EVENT_CONFLICT, WAIT_MS) & SK_EVENT_CONFLICT);
        check_int(f.rec.conflict_kind, ==, SK_CONFLICT_REGULAR_FILE);
        check(file_has(f.path, "planted"));
        check(lstat(target, &fst) >= 0);
        check_int(fst.st_mtime, ==, 1000); /* never touched through the link */
        check(file_has(target, "target"));
        check_int(recorder_count(&f.rec, SK_EVENT_ATTACHED), ==, 0);

        /* Once the path is clear, a real socket is followed again. */
        check(unlink(f.path) >= 0);
        server = serve_as(f.path, geteuid());
        check(pump(f.k, SK_EVENT_ATTACHED, WAIT_MS) & SK_EVENT_ATTACHED);
        check_int(served_pid(f.path), ==, server);
        stop(server);
        stop(other);
        teardown(&f);
}

TEST(missing_path_is_waited_for) {
        fixture f;
        pid_t server;

        setup(&f);
        check_int(sk_keeper_attach(f.k), ==, 0);
        check_int(f.rec.mask, ==, 0);
        check(!sk_keeper_get_anchor_path(f.k));
        check(!(pump(f.k, ~0, 100)));

        server = serve_as(f.path, geteuid());
        check(pump(f.k, SK_EVENT_ATTACHED, WAIT_MS) & SK_EVENT_ATTACHED);
        check(!f.last_attached.attached.replaced);
        check(sk_keeper_get_anchor_path(f.k));
        check(unlink(f.path) >= 0);
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check_int(served_pid(f.path), ==, server);
        stop(server);
        teardown(&f);
}

TEST(lost_when_anchor_is_gone_too) {
        fixture f;
        pid_t server;
        char *anchor;

        setup(&f);
        server = serve_as(f.path, geteuid());
        check_int(sk_keeper_attach(f.k), ==, 0);
        anchor = strdup(sk_keeper_get_anchor_path(f.k));
        check(anchor);
        /* Both go before the keeper looks (a cleaner's rm -rf, say). */
        check(unlink(anchor) >= 0);
        check(unlink(f.path) >= 0);
        check(pump(f.k, SK_EVENT_LOST, WAIT_MS) & SK_EVENT_LOST);
        check(f.last_lost.lost.alive);
        check(access(f.path, F_OK) < 0);
        /* Reported once, however often it looks. */
        check_int(sk_keeper_check_now(f.k) & SK_EVENT_LOST, ==, 0);
        check_int(recorder_count(&f.rec, SK_EVENT_LOST), ==, 1);
        /* The holder never learns: it is alive and unreachable, which is
         * what the guard's restart is for. */
        check(kill(server, 0) >= 0);
        free(anchor);
        stop(server);
        teardown(&f);
}

TEST(refresh_touches_the_foreign_socket_only) {
        struct utimbuf old = { .actime = 1000, .modtime = 1000 };
        struct stat st;
        fixture f;
        pid_t server;

        setup(&f);
        server = serve_as(f.path, geteuid());
        check(chmod(f.path, 0604) >= 0);
        check(utime(f.path, &old) >= 0);
        check_int(sk_keeper_set_refresh_interval(f.k, 20 * USEC_PER_MSEC), ==, 0);
        check_int(sk_keeper_set_sticky(f.k, true), ==, 0);
        check_int(sk_keeper_attach(f.k), ==, 0);
        check(pump(f.k, SK_EVENT_REFRESHED, WAIT_MS) & SK_EVENT_REFRESHED);
        check(lstat(f.path, &st) >= 0);
        check(st.st_mtime > 1000 && st.st_atime > 1000);
        /* The owner's mode stays, with the sticky bit added. */
        check_int(st.st_mode & 07777, ==, 0604 | S_ISVTX);
        stop(server);
        teardown(&f);
}

TEST(free_removes_anchor_and_leaves_path) {
        fixture f;
        pid_t server;
        char *anchor;
        ino_t ino;

        setup(&f);
        server = serve_as(f.path, geteuid());
        ino = ino_of(f.path);
        check_int(sk_keeper_attach(f.k), ==, 0);
        anchor = strdup(sk_keeper_get_anchor_path(f.k));
        check(anchor && access(anchor, F_OK) >= 0);
        sk_keeper_free(f.k);
        f.k = NULL;
        check(access(anchor, F_OK) < 0 && errno == ENOENT);
        check_int(ino_of(f.path), ==, ino); /* the path is its owner's */
        check_int(served_pid(f.path), ==, server);
        free(anchor);
        stop(server);
        teardown(&f);
}

TEST(attach_arguments) {
        sk_keeper *k = NULL;
        fixture f;

        check_int(sk_keeper_attach(NULL), ==, -EINVAL);
        check(!sk_keeper_is_attached(NULL));
        check_int(sk_keeper_new(&k, "@abstract-sk-test"), ==, 0);
        check_int(sk_keeper_attach(k), ==, -EOPNOTSUPP);
        sk_keeper_free(k);

        setup(&f);
        check_int(sk_keeper_attach(f.k), ==, 0);
        check_int(sk_keeper_attach(f.k), ==, -EALREADY);
        check_int(sk_keeper_bind(f.k), ==, -EALREADY);
        check_int(sk_keeper_set_sticky(f.k, true), ==, -EBUSY);
        teardown(&f);

        /* No parent directory: an error, nothing created. */
        check_int(sk_keeper_new(&k, "/nonexistent-sk-dir/x.sock"), ==, 0);
        check_int(sk_keeper_attach(k), ==, -ENOENT);
        check(!sk_keeper_is_attached(k));
        sk_keeper_free(k);
}

TAP_MAIN(T(relinks_socket_of_another_process),
         T(dead_socket_is_not_relinked),
         T(follows_restarted_socket_of_same_owner),
         T(another_owners_socket_is_a_conflict),
         T(planted_symlink_and_file_are_left_alone),
         T(missing_path_is_waited_for),
         T(lost_when_anchor_is_gone_too),
         T(refresh_touches_the_foreign_socket_only),
         T(free_removes_anchor_and_leaves_path),
         T(attach_arguments))
