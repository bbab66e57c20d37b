/* SPDX-License-Identifier: MIT */
/* Attacks on the keeper at start: whatever already sits at the path is left
 * exactly as it was, except a stale socket of our own. Also names, modes
 * and abstract sockets. */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "macro.h"
#include "tap.h"
#include "test-util.h"

/* A socket file at PATH, listening or (closed) stale. Returns the fd. */
static int plain_socket(const char *path, bool listening) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        check(fd >= 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        check(bind(fd, (struct sockaddr *) &sa, sizeof(sa)) >= 0);
        if (!listening) {
                close(fd);
                return -1;
        }
        check(listen(fd, 4) >= 0);
        return fd;
}

TEST(binds_listens_with_default_mode) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/a.sock");
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec);
        struct stat st;

        umask(0077); /* the mode must not depend on the caller's umask */
        check_int(sk_keeper_bind(k), ==, 0);
        check(lstat(path, &st) >= 0);
        check(S_ISSOCK(st.st_mode));
        check_int(st.st_mode & 07777, ==, 0660);
        check(served_by(sk_keeper_get_fd(k), path));
        check(!sk_keeper_is_adopted(k));
        sk_keeper_free(k);
        check(lstat(path, &st) < 0 && errno == ENOENT); /* ours: removed at free */
        rm_rf(dir);
}

TEST(sticky_and_custom_mode) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/a.sock");
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec);
        struct stat st;

        check_int(sk_keeper_set_mode(k, 0600), ==, 0);
        check_int(sk_keeper_set_sticky(k, true), ==, 0);
        check_int(sk_keeper_set_mode(k, 01777), ==, -EINVAL);
        check_int(sk_keeper_bind(k), ==, 0);
        check_int(sk_keeper_set_mode(k, 0600), ==, -EBUSY);
        check(lstat(path, &st) >= 0);
        check_int(st.st_mode & 07777, ==, 01600);
        sk_keeper_free(k);
        rm_rf(dir);
}

TEST(stale_socket_of_ours_is_replaced) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/a.sock"), *pin = scratch_path(dir, "pin");
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec);
        struct stat before, after;

        plain_socket(path, false);
        check(link(path, pin) >= 0); /* keeps the inode number from being reused */
        check(lstat(path, &before) >= 0);
        check_int(try_connect(path), ==, -ECONNREFUSED);
        check_int(sk_keeper_bind(k), ==, 0);
        check(lstat(path, &after) >= 0);
        check(before.st_ino != after.st_ino);
        check(served_by(sk_keeper_get_fd(k), path));
        sk_keeper_free(k);
        rm_rf(dir);
}

TEST(live_socket_is_left_alone) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/a.sock");
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec);
        int other = plain_socket(path, true);

        check_int(sk_keeper_bind(k), ==, -EADDRINUSE);
        check_int(rec.conflict_kind, ==, SK_CONFLICT_LIVE_SOCKET);
        check(served_by(other, path)); /* still the other listener's */
        sk_keeper_free(k);
        check(served_by(other, path)); /* free did not remove it either */
        rm_rf(dir);
}

/* Bound and not listening yet refuses connect() exactly like a dead
 * socket does; the kernel's list of bound sockets tells them apart. */
static void bound_socket_is_left_alone(int flags) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/a.sock");
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec);
        pid_t holder = serve_with(path, geteuid(), flags);
        ino_t ino = ino_of(path);

        check_int(try_connect(path), ==, -ECONNREFUSED);
        check_int(sk_keeper_bind(k), ==, -EADDRINUSE);
        check(rec.mask & SK_EVENT_CONFLICT);
        check_int(rec.conflict_kind, ==, SK_CONFLICT_LIVE_SOCKET);
        check_int(ino_of(path), ==, ino);
        sk_keeper_free(k);
        check_int(ino_of(path), ==, ino);
        stop_server(holder);
        rm_rf(dir);
}

TEST(bound_but_not_listening_socket_is_left_alone) {
        bound_socket_is_left_alone(SERVE_NO_LISTEN);
}

TEST(socket_bound_in_another_network_namespace_is_left_alone) {
        require_root();
        bound_socket_is_left_alone(SERVE_NO_LISTEN | SERVE_NETNS);
}

TEST(regular_file_is_left_alone) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/a.sock");
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec);

        write_file(path, "precious");
        check_int(sk_keeper_bind(k), ==, -EEXIST);
        check_int(rec.conflict_kind, ==, SK_CONFLICT_REGULAR_FILE);
        sk_keeper_free(k);
        check(file_has(path, "precious"));
        rm_rf(dir);
}

TEST(symlink_is_not_followed) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/a.sock"), *target = scratch_path(dir, "target");
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec);
        struct stat st, tst;

        write_file(target, "outside");
        check(chmod(target, 0644) >= 0);
        check(stat(target, &tst) >= 0);
        check(symlink(target, path) >= 0);
        check_int(sk_keeper_bind(k), ==, -ELOOP);
        check_int(rec.conflict_kind, ==, SK_CONFLICT_SYMLINK);
        sk_keeper_free(k);
        check(lstat(path, &st) >= 0 && S_ISLNK(st.st_mode));
        check(file_has(target, "outside"));
        check(stat(target, &st) >= 0);
        check_int(st.st_mode & 07777, ==, 0644);
        check_int(st.st_mtime, ==, tst.st_mtime);
        rm_rf(dir);
}

TEST(dangling_symlink_is_not_followed) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/a.sock"), *target = scratch_path(dir, "nothing");
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec);
        struct stat st;

        /* bind() through a dangling symlink would create the target. */
        check(symlink(target, path) >= 0);
        check(sk_keeper_bind(k) < 0);
        sk_keeper_free(k);
        check(lstat(target, &st) < 0 && errno == ENOENT);
        check(lstat(path, &st) >= 0 && S_ISLNK(st.st_mode));
        rm_rf(dir);
}

TEST(directory_is_left_alone) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/a.sock"), *inner = scratch_path(dir, "sock/a.sock/f");
        recorder rec = {};
        sk_keeper *k = keeper_at(path, &rec);

        check(mkdir(path, 0755) >= 0);
        write_file(inner, "x");
        check_int(sk_keeper_bind(k), ==, -EISDIR);
        check_int(rec.conflict_kind, ==, SK_CONFLICT_DIRECTORY);
        sk_keeper_free(k);
        check(file_has(inner, "x"));
        rm_rf(dir);
}

TEST(stale_socket_of_another_user_is_left_alone) {
        char *dir = scratch_dir(), *path = scratch_path(dir, "sock/a.sock");
        recorder rec = {};
        sk_keeper *k;
        struct stat before, after;

        if (geteuid() != 0)
                skip("needs root to make a file owned by another user");
        plain_socket(path, false);
        check(lchown(path, 65534, 65534) >= 0);
        check(lstat(path, &before) >= 0);
        k = keeper_at(path, &rec);
        check_int(sk_keeper_bind(k), ==, -EPERM);
        check_int(rec.conflict_kind, ==, SK_CONFLICT_FOREIGN_SOCKET);
        sk_keeper_free(k);
        check(lstat(path, &after) >= 0);
        check_int(after.st_ino, ==, before.st_ino);
        check_int(after.st_uid, ==, 65534);
        rm_rf(dir);
}

TEST(overlong_relative_and_bad_names) {
        char longpath[200];
        sk_keeper *k = NULL;

        memset(longpath, 'a', sizeof(longpath) - 1);
        longpath[0] = '/';
        longpath[sizeof(longpath) - 1] = '\0';
        check_int(sk_keeper_new(&k, longpath), ==, -ENAMETOOLONG);
        check(k == NULL);

        /* Exactly at the limit: 107 bytes plus NUL fits. */
        longpath[107] = '\0';
        check_int(sk_keeper_new(&k, longpath), ==, 0);
        k = sk_keeper_free(k);
        longpath[107] = 'a';
        longpath[108] = '\0';
        check_int(sk_keeper_new(&k, longpath), ==, -ENAMETOOLONG);

        check_int(sk_keeper_new(&k, "relative.sock"), ==, -EINVAL);
        check_int(sk_keeper_new(&k, "/tmp/dir/"), ==, -EINVAL);
        check_int(sk_keeper_new(&k, "/tmp/a\nb.sock"), ==, -EINVAL);
        check_int(sk_keeper_new(&k, "@"), ==, -EINVAL);
        check_int(sk_keeper_new(&k, ""), ==, -EINVAL);
        check_int(sk_keeper_new(NULL, "/tmp/x"), ==, -EINVAL);
}

/* Whether /proc/net/unix lists a socket bound to exactly NAME. */
static bool proc_net_unix_lists(const char *name) {
        FILE *f = fopen("/proc/net/unix", "re");
        char line[4096];
        bool found = false;

        check(f);
        while (!found && fgets(line, sizeof(line), f)) {
                char *sp = strrchr(line, ' ');

                line[strcspn(line, "\n")] = '\0';
                found = sp && streq(sp + 1, name);
        }
        fclose(f);
        return found;
}

TEST(canonical_name_is_bound) {
        /* systemd-tmpfiles spares a live socket only when /proc/net/unix
         * shows the very path it walks to: "//" and "/./" must not reach
         * bind(). */
        char *dir = scratch_dir(), *canonical = scratch_path(dir, "sock/a.sock");
        static const char *const forms[] = { "sock//a.sock", "sock/./a.sock", ".//sock/.//a.sock" };

        for (size_t i = 0; i < ELEMENTSOF(forms); i++) {
                char *given = scratch_path(dir, forms[i]);
                struct sockaddr_un sa = {};
                socklen_t len = sizeof(sa);
                recorder rec = {};
                sk_keeper *k = keeper_at(given, &rec);

                check_int(sk_keeper_bind(k), ==, 0);
                check(getsockname(sk_keeper_get_fd(k), (struct sockaddr *) &sa, &len) >= 0);
                check_streq(sa.sun_path, canonical);
                check(proc_net_unix_lists(canonical));
                check(!proc_net_unix_lists(given));
                check_streq(sk_keeper_get_path(k), canonical);
                check(served_by(sk_keeper_get_fd(k), canonical));
                /* The path is watched: a deleted name comes back. */
                check(unlink(canonical) >= 0);
                check(pump(k, SK_EVENT_RELINKED, 5000) & SK_EVENT_RELINKED);
                check(served_by(sk_keeper_get_fd(k), canonical));
                sk_keeper_free(k);
                free(given);
        }
        rm_rf(dir);
}

TEST(dotdot_and_directory_names_are_refused) {
        static const char *const bad[] = { "/tmp/../tmp/a.sock", "/tmp/a/..", "/tmp/a.sock/", "/tmp/a/.", "/" };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                sk_keeper *k = NULL;

                check_int(sk_keeper_new(&k, bad[i]), ==, -EINVAL);
                check(k == NULL);
        }
}

TEST(abstract_socket_needs_no_keeping) {
        char name[64];
        recorder rec = {};
        sk_keeper *k;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int c;

        snprintf(name, sizeof(name), "@sk-test-%d", (int) getpid());
        k = keeper_at(name, &rec);
        check_int(sk_keeper_bind(k), ==, 0);
        check(sk_keeper_get_anchor_path(k) == NULL);
        check_int(sk_keeper_process(k), ==, 0);
        check_int(sk_keeper_check_now(k), ==, 0);

        c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        memcpy(sa.sun_path + 1, name + 1, strlen(name) - 1);
        check(connect(c, (struct sockaddr *) &sa, (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(name))) >= 0);
        check(accept4(sk_keeper_get_fd(k), NULL, NULL, SOCK_NONBLOCK) >= 0);
        close(c);
        sk_keeper_free(k);
}

TEST(seqpacket_and_dgram) {
        char *dir = scratch_dir(), *p1 = scratch_path(dir, "sock/seq.sock"), *p2 = scratch_path(dir, "sock/dgram.sock");
        recorder rec = {};
        sk_keeper *k1 = keeper_at(p1, &rec), *k2 = keeper_at(p2, &rec);
        int type;
        socklen_t len = sizeof(type);

        check_int(sk_keeper_set_type(k1, SOCK_SEQPACKET), ==, 0);
        check_int(sk_keeper_set_type(k2, SOCK_DGRAM), ==, 0);
        check_int(sk_keeper_set_type(k2, SOCK_RAW), ==, -EINVAL);
        check_int(sk_keeper_bind(k1), ==, 0);
        check_int(sk_keeper_bind(k2), ==, 0);
        check(getsockopt(sk_keeper_get_fd(k1), SOL_SOCKET, SO_TYPE, &type, &len) >= 0);
        check_int(type, ==, SOCK_SEQPACKET);
        check(getsockopt(sk_keeper_get_fd(k2), SOL_SOCKET, SO_TYPE, &type, &len) >= 0);
        check_int(type, ==, SOCK_DGRAM);

        /* A dgram keeper relinks too: a datagram reaches the original fd. */
        check(unlink(p2) >= 0);
        check(pump(k2, SK_EVENT_RELINKED, 2000) & SK_EVENT_RELINKED);
        {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                int c = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                char buf[8];
                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p2);
                check(sendto(c, "ping", 4, 0, (struct sockaddr *) &sa, sizeof(sa)) == 4);
                check(recv(sk_keeper_get_fd(k2), buf, sizeof(buf), MSG_DONTWAIT) == 4);
                close(c);
        }
        sk_keeper_free(k1);
        sk_keeper_free(k2);
        rm_rf(dir);
}

TAP_MAIN(T(binds_listens_with_default_mode),
         T(sticky_and_custom_mode),
         T(stale_socket_of_ours_is_replaced),
         T(live_socket_is_left_alone),
         T(bound_but_not_listening_socket_is_left_alone),
         T(socket_bound_in_another_network_namespace_is_left_alone),
         T(regular_file_is_left_alone),
         T(symlink_is_not_followed),
         T(dangling_symlink_is_not_followed),
         T(directory_is_left_alone),
         T(stale_socket_of_another_user_is_left_alone),
         T(overlong_relative_and_bad_names),
         T(canonical_name_is_bound),
         T(dotdot_and_directory_names_are_refused),
         T(abstract_socket_needs_no_keeping),
         T(seqpacket_and_dgram))
