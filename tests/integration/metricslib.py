# SPDX-License-Identifier: MIT
"""A world of sockets of its own for the metrics and plugin tests: the
holder runs in new PID, mount and network namespaces (`unshare`), and
scan runs there too (`nsenter`), so it sees exactly the test's sockets
however many other tests run on the machine."""

import json
import os
import subprocess
import sys
import time

import pytest

from guardlib import sockkeeper

TIMEOUT = 20

# Binds each (role, path-as-hex) as told, says READY, holds until stdin closes.
HOLDER = r"""
import json, os, socket, sys
socks = []
for role, hexpath in json.loads(sys.argv[1]):
    path = bytes.fromhex(hexpath)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen()
    socks.append(s)
    if role in ("orphan", "hijacked"):
        os.unlink(path)
    if role == "hijacked":
        h = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        h.bind(path)
        h.listen()
        socks.append(h)
print("READY", flush=True)
sys.stdin.read()
"""


def need(*programs):
    for p in programs:
        if not any(os.access(os.path.join(d, p), os.X_OK) for d in os.environ.get("PATH", "").split(":") + ["/usr/bin"]):
            pytest.skip(f"{p} is not installed (./dev.sh installs it)")


class World:
    """SOCKETS: (role, path) with role healthy, orphan or hijacked; path
    str or bytes. run() runs a command in the world's namespaces."""

    def __init__(self, sockets, env=None):
        if os.geteuid() != 0:
            pytest.skip("new PID and network namespaces need root")
        spec = json.dumps([(role, os.fsencode(path).hex()) for role, path in sockets])
        self.env = env
        self.proc = subprocess.Popen(["unshare", "--fork", "--pid", "--mount-proc", "--net", sys.executable, "-c",
                                      HOLDER, spec], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.strip() == "READY", f"the holder did not start: {line!r}"
        with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
            self.pid = int(f.read().split()[0])   # the holder: PID 1 inside

    def run(self, *args, env=None):
        e = dict(os.environ, **(self.env or {}), **(env or {}))
        return subprocess.run(["nsenter", "-t", str(self.pid), "-p", "-n", "-m", *map(str, args)],
                              capture_output=True, text=True, errors="surrogateescape", env=e, timeout=TIMEOUT)

    def scan(self, *args, **kw):
        return self.run(sockkeeper(), "scan", *args, **kw)

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=TIMEOUT)


def fixture_root(base):
    """A cleaners' configuration whose cron job deletes everything in /tmp:
    a socket under ROOT/tmp is at risk, one under ROOT/srv is not."""
    root = base / "root"
    (root / "etc/cron.d").mkdir(parents=True)
    (root / "etc/cron.d/cleanup").write_text("0 3 * * * root find /tmp -mtime +1 -delete\n")
    (root / "tmp").mkdir()
    (root / "srv").mkdir()
    return root


def wait_for(predicate, timeout=TIMEOUT, what="condition"):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    return value


# Runs argv[1:] with socket(AF_NETLINK, ...) failing with EPERM (a seccomp
# filter, as a sandbox without AF_NETLINK has it): sock_diag is then out of
# reach and scan fails. x86_64 only.
NO_NETLINK = r"""
import ctypes, os, platform, struct, sys
if platform.machine() != "x86_64":
    sys.exit(77)
LD, JEQ, RET, ALLOW, ERRNO = 0x20, 0x15, 0x06, 0x7fff0000, 0x00050000
def stmt(code, k): return struct.pack("HBBI", code, 0, 0, k)
def jump(k, jt, jf): return struct.pack("HBBI", JEQ, jt, jf, k)
prog = b"".join([stmt(LD, 4), jump(0xc000003e, 1, 0), stmt(RET, ALLOW),    # AUDIT_ARCH_X86_64
                 stmt(LD, 0), jump(41, 0, 3),                               # socket()
                 stmt(LD, 16), jump(16, 0, 1),                              # AF_NETLINK
                 stmt(RET, ERRNO | 1), stmt(RET, ALLOW)])
buf = ctypes.create_string_buffer(prog)
fprog = struct.pack("HxxxxxxQ", len(prog) // 8, ctypes.addressof(buf))
libc = ctypes.CDLL(None, use_errno=True)
fp = ctypes.create_string_buffer(fprog)
if libc.prctl(38, 1, 0, 0, 0) or libc.prctl(22, 2, fp, 0, 0):   # NO_NEW_PRIVS, SECCOMP_MODE_FILTER
    sys.exit(77)
os.execv(sys.argv[1], sys.argv[1:])
"""


def without_netlink(*argv):
    """ARGV as a command that runs with AF_NETLINK sockets refused."""
    return [sys.executable, "-c", NO_NETLINK, *map(str, argv)]
