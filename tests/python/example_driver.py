# SPDX-License-Identifier: MIT
"""Runs the README's example verbatim, in a private /tmp (a tmpfs in a
mount namespace of its own, since the example's path is
/tmp/myservice.sock), serves a client, lets a real cleaner delete the aged
socket, serves the next client, and prints what it saw as JSON on stdout.
The example is argv[1]. The package is imported, and this file read,
before /tmp is replaced: the checkout may well be below /tmp. Exit status
77 with a line on stderr: no private /tmp could be made here."""

import ctypes
import errno
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import sockkeeper  # noqa: F401 (loaded before /tmp is replaced)
from in_accept import UNKNOWN_ARCH, any_thread_in_accept

PATH = "/tmp/myservice.sock"
CLONE_NEWNS = 0x00020000
MS_REC, MS_PRIVATE = 0x4000, 0x40000


def private_tmp():
    """A mount namespace of our own with a fresh tmpfs on /tmp. Made while
    this process has one thread: unshare() refuses otherwise."""
    libc = ctypes.CDLL(None, use_errno=True)
    for what, ok in (("unshare", lambda: libc.unshare(CLONE_NEWNS) == 0),
                     ("mount --make-rprivate /", lambda: libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) == 0),
                     ("mount tmpfs /tmp", lambda: libc.mount(b"sockkeeper-example", b"/tmp", b"tmpfs", 0,
                                                             b"mode=1777") == 0)):
        if not ok():
            print(f"{what}: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
            sys.exit(77)
DAY = 24 * 3600
served = []


def handle(conn):
    with conn:
        served.append(threading.get_native_id())
        conn.sendall(b"served %d\n" % len(served))


def ask():
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        try:
            s.connect(PATH)
        except OSError as e:
            return e.errno
        return s.recv(64).decode().strip()


def ask_until_up(out):
    out["before"] = ask()
    return out["before"] not in (errno.ENOENT, errno.ECONNREFUSED)


def ask_after(out):
    out["after"] = ask()
    return out["after"] not in (errno.ENOENT, errno.ECONNREFUSED)


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


def main():
    example = sys.argv[1]
    if UNKNOWN_ARCH:
        print(UNKNOWN_ARCH, file=sys.stderr)
        sys.exit(77)
    private_tmp()
    scope = {"handle": handle, "__name__": "example"}
    threading.Thread(target=exec, args=(example, scope), daemon=True).start()
    out = {}
    # Bound before it listens: refused until then.
    wait_for(lambda: ask_until_up(out))
    out["ino"] = os.lstat(PATH).st_ino
    # The cleaner strikes while the example waits in accept(), as a daemon
    # between clients does.
    out["blocked"] = wait_for(any_thread_in_accept)
    # The cleaner of a cron job: everything in /tmp untouched for a day.
    t = time.time() - 2 * DAY
    os.utime(PATH, (t, t), follow_symlinks=False)
    p = subprocess.run(["find", "/tmp", "-mindepth", "1", "-mtime", "+1", "-delete"], capture_output=True, text=True)
    out["find"] = [p.returncode, p.stderr]
    out["healed"] = wait_for(lambda: os.path.exists(PATH))
    # A rebound socket is bound a moment before it listens, as at start:
    # a client in between is refused, and asks again.
    wait_for(lambda: ask_after(out))
    out["ino_after"] = os.lstat(PATH).st_ino
    out["accept_threads"] = sorted(set(served))
    print(json.dumps(out), flush=True)
    # The example loops for ever: leave without waiting for it.
    os._exit(0)


main()
