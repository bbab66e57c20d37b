/* SPDX-License-Identifier: MIT */
/* "Bound at one name, renamed to another in the same directory" (haproxy's
 * PATH.PID.tmp renamed to PATH): only the very file the socket is bound
 * to, only within one directory, only by absolute names. */

#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "socket-renamed.h"
#include "tap.h"

static const struct stat file = { .st_dev = 8, .st_ino = 0x100000042, .st_mode = S_IFSOCK | 0600 };

static unix_socket_info bound(const char *name) {
        return (unix_socket_info) {
                .name = (char *) name,
                .has_vfs = true,
                /* sock_diag reports 32 bits of the inode number */
                .vfs = { .dev = 8, .ino = 0x42 },
        };
}

TEST(haproxy_pattern) {
        unix_socket_info s = bound("/run/haproxy/admin.sock.4242.tmp");

        check(socket_renamed_in_dir(&s, "/run/haproxy/admin.sock", &file));
        s.name = (char *) "/x.sock.1.tmp";
        check(socket_renamed_in_dir(&s, "/x.sock", &file));
}

TEST(not_a_rename_within_the_directory) {
        static const char *const names[] = {
                "/run/haproxy/admin.sock",      /* the same name: not renamed */
                "/run/haproxy-old/admin.sock",  /* another directory, or one whose name only starts the same */
                "/run/haproxy/sub/admin.sock",
                "/run/admin.sock",
                "admin.sock.1.tmp",             /* a relative bind, an abstract or unnamed socket */
                "@admin",
                NULL,
        };
        unix_socket_info s = bound("/run/haproxy/admin.sock.4242.tmp");
        struct stat other = file, not_socket = file;

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                s.name = (char *) names[i];
                check(!socket_renamed_in_dir(&s, "/run/haproxy/admin.sock", &file));
        }

        /* Another file: another inode, another device, no file, not a socket. */
        s = bound("/run/haproxy/admin.sock.4242.tmp");
        other.st_ino = 0x43;
        check(!socket_renamed_in_dir(&s, "/run/haproxy/admin.sock", &other));
        other = file;
        other.st_dev = 9;
        check(!socket_renamed_in_dir(&s, "/run/haproxy/admin.sock", &other));
        not_socket.st_mode = S_IFREG | 0600;
        check(!socket_renamed_in_dir(&s, "/run/haproxy/admin.sock", &not_socket));
        s.has_vfs = false;
        check(!socket_renamed_in_dir(&s, "/run/haproxy/admin.sock", &file));
}

TAP_MAIN(T(haproxy_pattern), T(not_a_rename_within_the_directory))
