/* SPDX-License-Identifier: MIT */
#pragma once

/* A seccomp filter that makes openat2() fail with a chosen errno, as the
 * filters of older container runtimes (EPERM) and kernels before 5.6 or
 * valgrind (ENOSYS) do, so that tests take the readers' own walk under a
 * root. Shared by the unit tests and the no-openat2 wrapper. */

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define BLOCK_OPENAT2_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define BLOCK_OPENAT2_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define BLOCK_OPENAT2_ARCH AUDIT_ARCH_I386
#endif

/* Installs the filter in this process and what it executes. Returns 0, or
 * -EOPNOTSUPP where this architecture is not known here, or -errno. */
static inline int block_openat2(int error) {
#ifdef BLOCK_OPENAT2_ARCH
        struct sock_filter filter[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BLOCK_OPENAT2_ARCH, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned) error & SECCOMP_RET_DATA)),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
                return errno > 0 ? -errno : -EIO;
        return 0;
#else
        return -EOPNOTSUPP;
#endif
}
