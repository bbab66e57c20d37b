# SPDX-License-Identifier: MIT
"""Whether a thread sleeps in accept(): /proc/self/task/TID/syscall names
the system call it is in by number, and the numbers differ between
architectures. An architecture not listed here makes the tests that need
this skip, with the reason."""

import os
import platform
from pathlib import Path

# accept and accept4 by architecture, from the kernel's syscall tables.
ACCEPT_SYSCALLS = {
    "x86_64": {"43", "288"},
    "aarch64": {"202", "242"},  # the generic table
    "riscv64": {"202", "242"},
}

SYSCALLS = ACCEPT_SYSCALLS.get(platform.machine())
UNKNOWN_ARCH = None if SYSCALLS else f"accept()'s syscall numbers on {platform.machine()} are not in in_accept.py"


def thread_in_accept(task):
    """Whether the thread TASK (a native thread id) of this process is
    blocked in accept() or accept4() now."""
    try:
        return Path(f"/proc/self/task/{task}/syscall").read_text().split()[0] in SYSCALLS
    except (OSError, IndexError):
        return False


def any_thread_in_accept():
    """Whether some thread of this process is blocked in accept()."""
    return any(thread_in_accept(task) for task in os.listdir("/proc/self/task"))
