# SPDX-License-Identifier: MIT
"""Sockets whose file is at their name only in another mount namespace or
root, where their clients reach them: a listener behind a private tmpfs
(`unshare -m`, as PrivateTmp= does it), a chrooted one, and one bound in
another mount namespace whose fd was passed out to a holder in ours (what
systemd-nspawn does with the container's /run/host/notify). scan, check
and their monitoring plugin lines must not call them orphaned; without
root, where the holder cannot be looked into, they are unknown, never
broken. guard --auto must not take another socket at the same name for
hijacked."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from conftest import TIMEOUT
from guardlib import sockkeeper

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: mount namespaces, chroot, user nobody")

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

# Binds each PATH (after a chroot to CHROOT unless it is "-") and listens;
# with SEND_FD (an inherited fd number, else "-") it passes the listening
# fds there and closes its own. Says READY and holds until stdin closes.
BINDER = r"""
import os, socket, sys
chroot, send_fd, *paths = sys.argv[1:]
if chroot != "-":
    os.chroot(chroot)
    os.chdir("/")
held = []
for path in paths:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen()
    held.append(s)
if send_fd != "-":
    with socket.socket(fileno=int(send_fd)) as out:
        socket.send_fds(out, [b"x"], [s.fileno() for s in held])
    for s in held:
        s.close()
print("READY", flush=True)
sys.stdin.read()
"""


class Binder:
    def __init__(self, *paths, prefix=(), chroot="-", send_fd=None):
        self.path = str(paths[0])
        argv = [*prefix, sys.executable, "-c", BINDER, str(chroot), str(send_fd) if send_fd is not None else "-",
                *map(str, paths)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     pass_fds=[send_fd] if send_fd is not None else [])
        # `unshare` and `sh -c "... && exec"` exec the binder: the PID is its.
        self.pid = self.proc.pid
        line = self.proc.stdout.readline()
        assert line.strip() == "READY", f"binder of {paths} did not start: {line!r}"

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=TIMEOUT)


def private_tmpfs(directory):
    """The prefix that runs a command in a mount namespace of its own with a
    tmpfs on DIRECTORY: the socket bound there is in no other."""
    if not shutil.which("unshare") or subprocess.run(["unshare", "-m", "true"], capture_output=True,
                                                     timeout=TIMEOUT).returncode != 0:
        pytest.skip("`unshare -m` is not permitted here (needs root)")
    return ["unshare", "-m", "--propagation", "private", "sh", "-c",
            f'mount -t tmpfs none "$0" && exec "$@"', str(directory)]


@pytest.fixture
def private(area):
    """A listener on a tmpfs in a mount namespace of its own."""
    pm = area / "pm"
    pm.mkdir()
    b = Binder(pm / "priv.sock", prefix=private_tmpfs(pm))
    assert not os.path.lexists(b.path)
    yield b
    b.stop()


@pytest.fixture
def chrooted(area):
    """A listener chrooted into AREA/root, bound at /NAME there: no such file in ours."""
    root = area / "root"
    root.mkdir()
    b = Binder(f"/sk-mntns-{uuid.uuid4().hex}.sock", chroot=root)
    assert not os.path.lexists(b.path) and (root / b.path[1:]).is_socket()
    yield b
    b.stop()


@pytest.fixture
def passed_out(area):
    """Bound in a mount namespace of its own, held here: the binder passes its
    fd to this process and closes it (systemd-nspawn's notify socket)."""
    pm = area / "nspawn"
    pm.mkdir()
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        b = Binder(pm / "notify", prefix=private_tmpfs(pm), send_fd=theirs.fileno())
        theirs.close()
        _, fds, _, _ = socket.recv_fds(ours, 16, 1)
        held = socket.socket(fileno=fds[0])
    finally:
        ours.close()
        theirs.close()
    b.holder = os.getpid()
    yield b
    held.close()
    b.stop()


def scan_entry(path, prefix=()):
    p = subprocess.run([*prefix, sockkeeper(), "scan", "--json"], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert p.returncode in (0, 1), p.stderr
    [e] = [e for e in json.loads(p.stdout) if e["path"] == path]
    return e


def check(path, *args, prefix=()):
    return subprocess.run([*prefix, sockkeeper(), "check", *args, path], capture_output=True, text=True,
                          timeout=TIMEOUT)


def kinds(reasons):
    return [r["kind"] for r in reasons]


CASES = ["private", "chrooted", "passed_out"]


@pytest.mark.parametrize("case", CASES)
def test_scan_calls_it_healthy_with_a_note(case, request):
    b = request.getfixturevalue(case)
    e = scan_entry(b.path)
    assert e["status"] == "healthy" and e["private_mount"] is True, e
    assert e["rating"] != "risky" and "orphaned" not in kinds(e["reasons"]), e
    if case == "passed_out":
        assert e["pids"] == [b.holder]
        assert e["note"] == f"the file is only in the mount namespace of PID {b.pid}", e
    else:
        assert e["pid"] == b.pid and e["note"] == "the file is only in the holder's mount namespace", e


@pytest.mark.parametrize("case", CASES)
def test_check_finds_it_where_it_is(case, request):
    b = request.getfixturevalue(case)
    p = check(b.path, "--json")
    assert p.returncode == 0, p.stdout + p.stderr
    [r] = json.loads(p.stdout)
    assert r["rating"] == "ok" and "orphaned" not in kinds(r["reasons"]), r
    [why] = [x for x in r["reasons"] if x["kind"] == "private-mount"]
    who = f"the process PID {b.pid} (" if case == "passed_out" else f"its holder PID {b.pid} ("
    assert who in why["text"] and "another mount namespace or root" in why["text"], why
    assert not any("restart" in a for a in r["advice"]), r
    p = check(b.path, "--format=nagios")
    assert p.returncode == 0 and p.stdout.startswith("SOCKKEEPER OK"), p.stdout


@pytest.mark.parametrize("case", CASES)
def test_scan_plugin_and_broken_leave_it_out(case, request):
    b = request.getfixturevalue(case)
    p = subprocess.run([sockkeeper(), "scan", "--format=nagios"], capture_output=True, text=True, timeout=TIMEOUT)
    assert b.path not in p.stdout, p.stdout
    p = subprocess.run([sockkeeper(), "scan", "--json", "--broken"], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert b.path not in {e["path"] for e in json.loads(p.stdout)}
    p = subprocess.run([sockkeeper(), "scan", "--json", "--risky"], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert b.path not in {e["path"] for e in json.loads(p.stdout)}


@pytest.mark.parametrize("case", CASES)
def test_unprivileged_it_is_unknown_not_orphaned(case, request):
    """User nobody can look into neither the holder's fds nor its mount
    namespace: the socket is unknown, a caution for check, never broken."""
    b = request.getfixturevalue(case)
    e = scan_entry(b.path, prefix=NOBODY)
    assert e["status"] == "unknown", e
    assert "mount namespace is out of reach" in e["note"], e
    assert "orphaned" not in kinds(e["reasons"]) and e["rating"] == "caution", e

    p = subprocess.run([*NOBODY, sockkeeper(), "scan", "--format=nagios"], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert b.path not in p.stdout and " unknown=" in p.stdout, p.stdout
    assert int(p.stdout.rsplit(" unknown=", 1)[1].split(";")[0]) >= 1, p.stdout

    p = check(b.path, "--json", prefix=NOBODY)
    assert p.returncode == 1, p.stdout + p.stderr
    [r] = json.loads(p.stdout)
    assert r["rating"] == "caution" and "orphaned" not in kinds(r["reasons"]), r
    [why] = [x for x in r["reasons"] if x["kind"] == "holder-hidden"]
    assert why["rating"] == "caution" and "only root can" in why["text"], why
    assert r["advice"] and r["advice"][0].startswith("run this as root"), r
    p = check(b.path, "--format=nagios", prefix=NOBODY)
    assert p.returncode == 1 and p.stdout.startswith("SOCKKEEPER WARNING"), p.stdout


def test_unprivileged_own_orphan_is_still_orphaned(area):
    """A socket of nobody's own, deleted: its holder is readable and sees no
    file either, so it is orphaned, as before."""
    path = area / "own.sock"
    os.chmod(area, 0o1777)
    b = Binder(path, prefix=NOBODY)
    try:
        os.unlink(path)
        e = scan_entry(str(path), prefix=NOBODY)
        assert e["status"] == "orphaned" and e["pid"] == b.pid, e
    finally:
        b.stop()


def test_guard_auto_keeps_no_socket_for_a_namesake_elsewhere(guard):
    """Listeners here and in a private mount namespace at the same names,
    outside any shared directory: those here are healthy, not hijacked,
    and --auto (which keeps risky ones) leaves them alone. Eight names: the
    kernel lists the sockets of one name in an order of its own, and each
    order must come out the same. At a ninth name only a stale socket file
    is here: the private listener has not hijacked it either."""
    top = Path(tempfile.mkdtemp(prefix="sk-mntns-", dir="/var/lib"))
    d = top / "d"
    d.mkdir()
    paths = [str(d / f"app{i}.sock") for i in range(8)]
    stale = str(d / "stale.sock")
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(stale)
    binders = []
    try:
        binders.append(Binder(*paths))
        binders.append(Binder(*paths, stale, prefix=private_tmpfs(d)))
        p = check(stale, "--json", *paths)
        for r in json.loads(p.stdout):
            assert "hijacked" not in kinds(r["reasons"]), r
            if r["path"] == stale:
                assert {"stale", "private-mount"} <= set(kinds(r["reasons"])), r
            else:
                assert "listener" in kinds(r["reasons"]), r
        assert p.returncode == 0, p.stdout
        g = guard("--auto", f"--auto-only-under={top}", "--discover-interval=0.2")
        g.expect("start")
        assert not any("[action=discovered" in l for l in g.lines), g.lines
    finally:
        for b in binders:
            b.stop()
        shutil.rmtree(top, ignore_errors=True)
