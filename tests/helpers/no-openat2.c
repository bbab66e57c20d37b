/* SPDX-License-Identifier: MIT */
/* no-openat2 ENOSYS|EPERM COMMAND [ARG...]: runs COMMAND with openat2()
 * failing as ERRNO, the way an old seccomp filter or kernel has it, so
 * that an integration test drives the tools' fallback for real. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "block-openat2.h"

int main(int argc, char *argv[]) {
        int error, r;

        if (argc < 3 || (strcmp(argv[1], "ENOSYS") != 0 && strcmp(argv[1], "EPERM") != 0)) {
                fprintf(stderr, "usage: no-openat2 ENOSYS|EPERM COMMAND [ARG...]\n");
                return 64;
        }
        error = strcmp(argv[1], "ENOSYS") == 0 ? ENOSYS : EPERM;
        r = block_openat2(error);
        if (r < 0) {
                fprintf(stderr, "no-openat2: cannot install the filter: %s\n", strerror(-r));
                return r == -EOPNOTSUPP ? 77 : 1;
        }
        execvp(argv[2], argv + 2);
        fprintf(stderr, "no-openat2: %s: %s\n", argv[2], strerror(errno));
        return 127;
}
