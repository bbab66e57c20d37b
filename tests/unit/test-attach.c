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
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
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
        stop_server(server);
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
        stop_server(server);
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
        stop_server(first);
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
        stop_server(second);
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
        stop_server(ours);
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
        stop_server(squatter);
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
        stop_server(server);
        stop_server(other);
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
        stop_server(server);
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
        stop_server(server);
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
        stop_server(server);
        teardown(&f);
}

TEST(sticky_refresh_never_widens_the_mode) {
        struct stat st;
        fixture f;
        pid_t server;

        setup(&f);
        server = serve_as(f.path, geteuid());
        check(chmod(f.path, 0777) >= 0);
        check_int(sk_keeper_set_refresh_interval(f.k, 20 * USEC_PER_MSEC), ==, 0);
        check_int(sk_keeper_set_sticky(f.k, true), ==, 0);
        check_int(sk_keeper_attach(f.k), ==, 0);
        check(pump(f.k, SK_EVENT_REFRESHED, WAIT_MS) & SK_EVENT_REFRESHED);
        check(lstat(f.path, &st) >= 0);
        check_int(st.st_mode & 07777, ==, 0777 | S_ISVTX);

        /* The owner narrows it: refreshes add the sticky bit to what it
         * is now, and never give the other bits back. */
        check(chmod(f.path, 0600) >= 0);
        for (int seen = recorder_count(&f.rec, SK_EVENT_REFRESHED); recorder_count(&f.rec, SK_EVENT_REFRESHED) < seen + 3;)
                check(pump(f.k, SK_EVENT_REFRESHED, WAIT_MS) & SK_EVENT_REFRESHED);
        check(lstat(f.path, &st) >= 0);
        check_int(st.st_mode & 07777, ==, 0600 | S_ISVTX);

        /* A relink does not widen it either. */
        check(unlink(f.path) >= 0);
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check(lstat(f.path, &st) >= 0);
        check_int(st.st_mode & 07777, ==, 0600 | S_ISVTX);

        /* At the end the sticky bit we added goes, and only that. */
        sk_keeper_free(f.k);
        f.k = NULL;
        check(lstat(f.path, &st) >= 0);
        check_int(st.st_mode & 07777, ==, 0600);
        stop_server(server);
        teardown(&f);
}

TEST(owners_own_sticky_bit_stays) {
        struct stat st;
        fixture f;
        pid_t server;

        setup(&f);
        server = serve_as(f.path, geteuid());
        check(chmod(f.path, 01660) >= 0);
        check_int(sk_keeper_set_sticky(f.k, true), ==, 0);
        check_int(sk_keeper_attach(f.k), ==, 0);
        sk_keeper_free(f.k);
        f.k = NULL;
        check(lstat(f.path, &st) >= 0);
        check_int(st.st_mode & 07777, ==, 01660);
        stop_server(server);
        teardown(&f);
}

TEST(missing_path_is_kept_for_our_own_user) {
        fixture f;
        pid_t squatter, ours;

        require_root();
        setup(&f);
        check(chmod(f.dir, 0755) >= 0);
        check(chmod(f.sock_dir, 01777) >= 0);
        check_int(sk_keeper_attach(f.k), ==, 0); /* nothing there yet */

        /* Another user binds the name first: not adopted. */
        squatter = serve_as(f.path, NOBODY);
        check(pump(f.k, SK_EVENT_CONFLICT, WAIT_MS) & SK_EVENT_CONFLICT);
        check_int(f.rec.conflict_kind, ==, SK_CONFLICT_FOREIGN_SOCKET);
        check_int(recorder_count(&f.rec, SK_EVENT_ATTACHED), ==, 0);
        check(!sk_keeper_get_anchor_path(f.k));
        check_int(sk_keeper_check_now(f.k) & SK_EVENT_ATTACHED, ==, 0);
        stop_server(squatter);
        check(unlink(f.path) >= 0);

        /* Ours is, when it comes. */
        ours = serve_as(f.path, geteuid());
        check(pump(f.k, SK_EVENT_ATTACHED, WAIT_MS) & SK_EVENT_ATTACHED);
        check(sk_keeper_get_anchor_path(f.k));
        stop_server(ours);
        teardown(&f);
}

TEST(owner_change_after_bind_is_seen_at_once) {
        fixture f;
        pid_t first, second;

        require_root();
        setup(&f);
        check(chmod(f.dir, 0755) >= 0);
        /* php-fpm with listen.owner: bound by root, then chowned. */
        first = serve_as(f.path, 0);
        check(chown(f.path, NOBODY, NOBODY) >= 0);
        check_int(sk_keeper_attach(f.k), ==, 0); /* kept for nobody, the owner found */
        check_int(recorder_count(&f.rec, SK_EVENT_ATTACHED), ==, 1);

        /* Restarted: until the chown the new socket is root's, which is
         * not whom we keep the path for. */
        stop_server(first);
        check(unlink(f.path) >= 0);
        second = serve_as(f.path, 0);
        check(pump(f.k, SK_EVENT_CONFLICT, WAIT_MS) & SK_EVENT_CONFLICT);
        check_int(recorder_count(&f.rec, SK_EVENT_ATTACHED), ==, 1);
        /* The chown is seen at once (the backstop is an hour away). */
        check(chown(f.path, NOBODY, NOBODY) >= 0);
        check(pump(f.k, SK_EVENT_ATTACHED, 1000) & SK_EVENT_ATTACHED);
        check(unlink(f.path) >= 0);
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check_int(served_pid(f.path), ==, second);
        stop_server(second);
        teardown(&f);
}

TEST(explicit_owner) {
        struct stat st;
        fixture f;
        pid_t server;

        require_root();
        setup(&f);
        check(chmod(f.dir, 0755) >= 0);
        check_int(sk_keeper_set_owner(f.k, (uid_t) -1), ==, -EINVAL);
        check_int(sk_keeper_set_owner(f.k, NOBODY), ==, 0);
        server = serve_as(f.path, 0);
        check_int(sk_keeper_attach(f.k), ==, 0);
        check(f.rec.mask & SK_EVENT_CONFLICT);
        check_int(recorder_count(&f.rec, SK_EVENT_ATTACHED), ==, 0);
        check(chown(f.path, NOBODY, NOBODY) >= 0);
        check(pump(f.k, SK_EVENT_ATTACHED, 1000) & SK_EVENT_ATTACHED);
        check(lstat(sk_keeper_get_anchor_path(f.k), &st) >= 0);
        check_int(st.st_ino, ==, ino_of(f.path));
        check_int(sk_keeper_set_owner(f.k, 0), ==, -EBUSY);
        stop_server(server);
        teardown(&f);
}

TEST(socket_made_by_the_owner_stays_kept_after_a_chown) {
        fixture f;
        pid_t server;

        require_root();
        setup(&f);
        server = serve_as(f.path, 0);
        check_int(sk_keeper_attach(f.k), ==, 0); /* root's: kept for root */
        check(chown(f.path, NOBODY, NOBODY) >= 0);
        /* The file is nobody's now, the socket still root's. */
        check_int(pump(f.k, SK_EVENT_CONFLICT, 300) & SK_EVENT_CONFLICT, ==, 0);
        check(unlink(f.path) >= 0);
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check_int(served_pid(f.path), ==, server);
        stop_server(server);
        teardown(&f);
}

TEST(socketpair_end_bound_by_another_user_is_not_adopted) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int sv[2], ready[2];
        fixture f;
        pid_t child;
        char c;

        require_root();
        setup(&f);
        check(chmod(f.dir, 0755) >= 0);
        check(chmod(f.sock_dir, 01777) >= 0);
        check_int(sk_keeper_set_owner(f.k, 0), ==, 0);
        check_int(sk_keeper_attach(f.k), ==, 0);

        /* A root daemon's worker, running as nobody, holds one end of a
         * socketpair that root made: it can bind it, not listen on it. */
        check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) >= 0);
        check(pipe2(ready, O_CLOEXEC) >= 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f.path);
        child = fork();
        check(child >= 0);
        if (child == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (setresgid(NOBODY, NOBODY, NOBODY) < 0 || setresuid(NOBODY, NOBODY, NOBODY) < 0 ||
                    bind(sv[0], (struct sockaddr *) &sa, sizeof(sa)) < 0)
                        _exit(1);
                (void) write(ready[1], "r", 1);
                pause();
                _exit(0);
        }
        close(ready[1]);
        check_int(read(ready[0], &c, 1), ==, 1);
        check(pump(f.k, SK_EVENT_CONFLICT, WAIT_MS) & SK_EVENT_CONFLICT);
        check_int(f.rec.conflict_kind, ==, SK_CONFLICT_FOREIGN_SOCKET);
        check_int(recorder_count(&f.rec, SK_EVENT_ATTACHED), ==, 0);
        check(!sk_keeper_get_anchor_path(f.k));
        stop_server(child);
        close(sv[0]);
        close(sv[1]);
        close(ready[0]);
        teardown(&f);
}

TEST(first_socket_in_a_world_writable_directory_does_not_decide_the_owner) {
        fixture f;
        pid_t squatter;

        require_root();
        setup(&f);
        check(chmod(f.dir, 0755) >= 0);
        check(chmod(f.sock_dir, 01777) >= 0);
        /* bob was there before the keeper started. */
        squatter = serve_as(f.path, NOBODY);
        check_int(sk_keeper_attach(f.k), ==, 0);
        check(f.rec.mask & SK_EVENT_CONFLICT);
        check_int(recorder_count(&f.rec, SK_EVENT_ATTACHED), ==, 0);
        check(!sk_keeper_get_anchor_path(f.k));
        stop_server(squatter);
        teardown(&f);
}

TEST(socket_linked_back_and_then_closed_is_removed) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        fixture f;
        pid_t server;
        int fd;

        setup(&f);
        server = serve_as(f.path, geteuid());
        check_int(sk_keeper_attach(f.k), ==, 0);

        /* A clean stop: the daemon unlinks its socket, and the keeper links
         * it back while the daemon still holds it... */
        check(kill(server, SIGUSR1) >= 0);
        check(wait_gone(f.path, WAIT_MS));
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        check(access(f.path, F_OK) >= 0);
        /* ...then it closes the socket and exits. The dead name goes. */
        stop_server(server);
        check(pump(f.k, SK_EVENT_LOST, WAIT_MS) & SK_EVENT_LOST);
        check(!f.last_lost.lost.alive);
        check(access(f.path, F_OK) < 0 && errno == ENOENT);
        check(!sk_keeper_get_anchor_path(f.k));

        /* So the next start binds without EADDRINUSE. */
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f.path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        check(fd >= 0);
        check(bind(fd, (struct sockaddr *) &sa, sizeof(sa)) >= 0);
        check(listen(fd, 4) >= 0);
        check(pump(f.k, SK_EVENT_ATTACHED, WAIT_MS) & SK_EVENT_ATTACHED);
        close(fd);
        teardown(&f);
}

/* As a unit without CAP_SYS_ADMIN runs: setns() into other network
 * namespaces is refused. */
static void drop_cap_sys_admin(void) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2] = {};
        unsigned bit = CAP_SYS_ADMIN % 32;

        check(syscall(SYS_capget, &h, d) >= 0);
        d[CAP_SYS_ADMIN / 32].effective &= ~(1u << bit);
        d[CAP_SYS_ADMIN / 32].permitted &= ~(1u << bit);
        check(syscall(SYS_capset, &h, d) >= 0);
}

TEST(listener_in_a_namespace_we_cannot_look_into_is_alive) {
        fixture f;
        pid_t server;
        ino_t ino;

        require_root();
        setup(&f);
        server = serve_with(f.path, geteuid(), SERVE_NETNS);
        ino = ino_of(f.path);
        drop_cap_sys_admin();
        check_int(sk_keeper_attach(f.k), ==, 0);
        check(sk_keeper_get_anchor_path(f.k));
        check(unlink(f.path) >= 0);
        check(pump(f.k, SK_EVENT_RELINKED | SK_EVENT_LOST, WAIT_MS) & SK_EVENT_RELINKED);
        check_int(recorder_count(&f.rec, SK_EVENT_LOST), ==, 0);
        check_int(ino_of(f.path), ==, ino);
        check_int(served_pid(f.path), ==, server);
        /* And not taken for dead by the looks that follow a relink. */
        check_int(pump(f.k, SK_EVENT_LOST, 300) & SK_EVENT_LOST, ==, 0);
        check(access(f.path, F_OK) >= 0);
        stop_server(server);
        teardown(&f);
}

TEST(socket_linked_back_and_still_held_stays) {
        fixture f;
        pid_t server;

        setup(&f);
        server = serve_as(f.path, geteuid());
        check_int(sk_keeper_attach(f.k), ==, 0);
        check(unlink(f.path) >= 0);
        check(pump(f.k, SK_EVENT_RELINKED, WAIT_MS) & SK_EVENT_RELINKED);
        /* Several liveness looks later, still there and served. */
        check_int(pump(f.k, SK_EVENT_LOST, 800) & SK_EVENT_LOST, ==, 0);
        check_int(served_pid(f.path), ==, server);
        stop_server(server);
        teardown(&f);
}

TEST(restarted_keeper_relinks_from_the_anchor_it_left) {
        char anchor[4096] = {};
        fixture f;
        pid_t server, keeper;
        ino_t ino;
        int p[2];

        setup(&f);
        server = serve_as(f.path, geteuid());
        ino = ino_of(f.path);
        check(pipe2(p, O_CLOEXEC) >= 0);
        keeper = fork();
        check(keeper >= 0);
        if (keeper == 0) {
                const char *a;

                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (sk_keeper_attach(f.k) < 0 || !(a = sk_keeper_get_anchor_path(f.k)))
                        _exit(1);
                (void) write(p[1], a, strlen(a));
                close(p[1]);
                pause();
                _exit(0);
        }
        close(p[1]);
        check(read(p[0], anchor, sizeof(anchor) - 1) > 0);
        close(p[0]);
        /* Killed: no chance to clean up. Then a cleaner takes the path. */
        stop_server(keeper);
        check_int(ino_of(anchor), ==, ino);
        check(unlink(f.path) >= 0);

        check_int(sk_keeper_attach(f.k), ==, 0);
        check(f.rec.mask & SK_EVENT_RELINKED);
        check(f.rec.mask & SK_EVENT_ATTACHED);
        check_int(ino_of(f.path), ==, ino);
        check_int(served_pid(f.path), ==, server);
        /* One anchor, the one it had. */
        check_streq(sk_keeper_get_anchor_path(f.k), anchor);
        stop_server(server);
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
        stop_server(server);
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
         T(sticky_refresh_never_widens_the_mode),
         T(owners_own_sticky_bit_stays),
         T(missing_path_is_kept_for_our_own_user),
         T(owner_change_after_bind_is_seen_at_once),
         T(explicit_owner),
         T(socket_made_by_the_owner_stays_kept_after_a_chown),
         T(socketpair_end_bound_by_another_user_is_not_adopted),
         T(first_socket_in_a_world_writable_directory_does_not_decide_the_owner),
         T(socket_linked_back_and_then_closed_is_removed),
         T(socket_linked_back_and_still_held_stays),
         T(listener_in_a_namespace_we_cannot_look_into_is_alive),
         T(restarted_keeper_relinks_from_the_anchor_it_left),
         T(free_removes_anchor_and_leaves_path),
         T(attach_arguments))
