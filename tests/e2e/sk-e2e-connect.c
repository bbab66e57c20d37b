/* SPDX-License-Identifier: MIT */
/* The e2e root image (debootstrap minbase) has no AF_UNIX client: no socat,
 * nc or python. This is one, linked statically so that it runs inside the
 * container whatever the host's libc is. It connects to PATH, writes MESSAGE
 * if given, half-closes, and copies the reply to stdout. Exit 0 on success,
 * 1 with the failing call and errno on stderr otherwise. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char buf[4096];
        ssize_t n;
        int fd;

        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: sk-e2e-connect PATH [MESSAGE]\n");
                return 64;
        }
        if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "sk-e2e-connect: %s: path too long\n", argv[1]);
                return 64;
        }
        strcpy(sa.sun_path, argv[1]);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                fprintf(stderr, "sk-e2e-connect: socket: %s\n", strerror(errno));
                return 1;
        }
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                fprintf(stderr, "sk-e2e-connect: connect %s: %s\n", argv[1], strerror(errno));
                return 1;
        }
        if (argc == 3 && write(fd, argv[2], strlen(argv[2])) < 0) {
                fprintf(stderr, "sk-e2e-connect: write: %s\n", strerror(errno));
                return 1;
        }
        (void) shutdown(fd, SHUT_WR);
        while ((n = read(fd, buf, sizeof(buf))) > 0)
                if (fwrite(buf, 1, (size_t) n, stdout) != (size_t) n)
                        return 1;
        if (n < 0) {
                fprintf(stderr, "sk-e2e-connect: read: %s\n", strerror(errno));
                return 1;
        }
        return 0;
}
