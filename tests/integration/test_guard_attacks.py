# SPDX-License-Identifier: MIT
"""The root guard against another user's moves and against real daemons
under real cleaners: the sticky bit never re-widens a mode, a squatter's
socket is never adopted, a guard killed and started again relinks from the
anchor it left, a sweep of the socket's whole tree (find, tmpreaper) never
takes the anchor with it, a daemon's clean stop (socat) is not undone, and
php-fpm's bind-then-chown is followed at once. alice (root here) owns the
sockets, bob (nobody) attacks; they meet in a root-owned sticky directory
that both can reach."""

import os
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import TIMEOUT, age, ask
from guardlib import wait_for

BOB = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


@pytest.fixture
def skt():
    """/tmp/sk-it-*/skt: a root-owned mode-1777 directory that user nobody
    can reach (pytest's own tmp_path is private to root)."""
    if os.geteuid() != 0:
        pytest.skip("needs root, to act as two users")
    top = Path(tempfile.mkdtemp(prefix="sk-it-", dir="/tmp"))
    os.chmod(top, 0o755)
    d = top / "skt"
    d.mkdir()
    os.chmod(d, 0o1777)
    try:
        yield d
    finally:
        shutil.rmtree(top, ignore_errors=True)


def connect_as_bob(path):
    """The errno of a connect() by user nobody, 0 when it got through."""
    code = ("import socket,sys\n"
            "s=socket.socket(socket.AF_UNIX)\n"
            "try: s.connect(sys.argv[1])\n"
            "except OSError as e: print(e.errno)\n"
            "else: print(0)\n")
    p = subprocess.run([*BOB, "/usr/bin/python3", "-c", code, str(path)], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert p.returncode == 0, p.stderr
    return int(p.stdout)


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_sticky_refresh_never_rewidens_the_mode(skt, serve, guard):
    path = skt / "a.sock"
    srv = serve(path, "--mode", "none")
    os.chmod(path, 0o777)
    assert connect_as_bob(path) == 0
    g = guard("--sticky", "--refresh-interval=0.05", path)
    g.expect("attached")
    wait_for(lambda: mode_of(path) == 0o1777)

    # alice closes her socket to others. chmod drops the sticky bit; the
    # next refreshes add it back, and nothing else.
    os.chmod(path, 0o600)
    wait_for(lambda: mode_of(path) == 0o1600)
    time.sleep(0.3)  # six more refresh periods
    assert mode_of(path) == 0o1600
    assert connect_as_bob(path) == 13  # EACCES
    assert ask(path).pid == srv.pid

    # Stopping takes away the sticky bit it added, and only that.
    assert g.stop() == 0
    assert mode_of(path) == 0o600


def test_squatters_socket_is_not_adopted(skt, serve, guard):
    path = skt / "b.sock"
    g = guard("--refresh-interval=0.05", path)
    g.expect("start")
    # bob binds the name first, in the world-writable directory.
    bob = serve(path, "--mode", "none", prefix=BOB)
    before = os.lstat(path)
    assert before.st_uid == 65534
    line = g.expect("conflict")
    assert "uid 65534" in line and "--owner=" in line
    time.sleep(0.3)
    after = os.lstat(path)
    assert after.st_nlink == 1, "bob's socket was anchored"
    assert after.st_mtime_ns == before.st_mtime_ns, "bob's socket was refreshed"
    assert "attached" not in g.actions()

    # alice's own socket, once bob is gone, is kept.
    assert bob.stop() is None
    os.unlink(path)
    srv = serve(path, "--mode", "none")
    g.expect("attached")
    os.unlink(path)
    g.expect("relinked")
    assert ask(path).pid == srv.pid


def test_explicit_owner_keeps_that_users_socket(skt, serve, guard):
    path = skt / "c.sock"
    g = guard("--owner=nobody", path)
    g.expect("start")
    bob = serve(path, "--mode", "none", prefix=BOB)
    assert "uid 65534" in g.expect("attached")
    os.unlink(path)
    g.expect("relinked")
    assert ask(path).pid == bob.pid


def test_owner_that_does_not_exist_is_said_and_the_guard_goes_on(tmp_path, serve, guard):
    """A unit's User= may name a user that does not exist (yet): said, and
    that group keeps the default owner; the other paths are not affected."""
    path = tmp_path / "o.sock"
    srv = serve(path, "--mode", "none")
    g = guard("--owner=no-such-user-here", path)
    g.expect("attached")
    assert any("'no-such-user-here' is no user of this machine" in line for line in g.lines)
    os.unlink(path)
    g.expect("relinked")
    assert ask(path).pid == srv.pid


def test_bad_owner_is_a_usage_error(tmp_path):
    from guardlib import sockkeeper
    p = subprocess.run([sockkeeper(), "guard", "--owner=", str(tmp_path / "x.sock")],
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 64
    error, hint = p.stderr.splitlines()
    assert "not a user name or uid" in error and hint == "Try 'sockkeeper guard --help'."


def test_killed_guard_relinks_from_its_anchor_when_started_again(tmp_path, serve, guard):
    path = tmp_path / "sock/k.sock"
    path.parent.mkdir()
    srv = serve(path, "--mode", "none")
    ino = os.lstat(path).st_ino
    first = guard(path)
    anchor = first.expect("attached").rsplit("; anchor ", 1)[1].split(" [action=")[0]
    first.kill()
    # A cleaner strikes while no guard runs; the anchor pins the inode.
    os.unlink(path)
    assert os.lstat(anchor).st_ino == ino

    second = guard(path)
    second.expect("relinked")
    assert os.lstat(path).st_ino == ino
    assert ask(path).pid == srv.pid
    assert second.stop() == 0
    assert not os.path.lexists(anchor)
    assert os.lstat(path).st_ino == ino


def listening(path):
    """Whether a socket listens at PATH: its file appears at bind(), a
    moment before listen(), when a client is still refused."""
    with open("/proc/net/unix") as f:
        next(f)
        for line in f:
            fields = line.split()
            # Num RefCount Protocol Flags Type St Inode Path; __SO_ACCEPTCON
            if len(fields) >= 8 and fields[7] == str(path) and int(fields[3], 16) & 0x10000:
                return True
    return False


def socat(path, *prefix):
    """A real socat daemon listening on PATH: each client gets a line
    naming this very daemon (its .tag)."""
    tag = os.urandom(6).hex()
    p = subprocess.Popen([*prefix, "socat", f"UNIX-LISTEN:{path},fork", f"SYSTEM:echo served {tag}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    p.tag = tag
    wait_for(lambda: listening(path) or p.poll() is not None)
    return p


def socat_answer(path):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(TIMEOUT)
        try:
            s.connect(str(path))
        except OSError as e:
            return e.errno
        return s.recv(100).decode().strip()


@pytest.fixture
def daemons():
    procs = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.mark.parametrize("cleaner", ["find", "tmpreaper"])
def test_whole_tree_sweep_spares_the_anchor(tmp_path, guard, daemons, state_directory, cleaner):
    """The socket and the anchor were the same inode in the same tree: an
    age-based sweep of the tree took both. The anchor now lives in the
    state directory, out of the sweep's reach, and every socket comes back."""
    if not shutil.which("socat"):
        pytest.skip("socat is not installed")
    tree = tmp_path / "tree"
    paths = [tree / f"app{i % 3}" / f"s{i}.sock" for i in range(10)]
    for p in paths:
        p.parent.mkdir(parents=True, exist_ok=True)
        daemons.append(socat(p))
    answers = [socat_answer(p) for p in paths]
    inodes = [os.lstat(p).st_ino for p in paths]
    g = guard(*paths)
    for _ in paths:
        g.expect("attached")

    for p in paths:
        age(p)  # untouched for two days, as far as the cleaners can tell
    if cleaner == "find":
        argv = ["find", str(tree), "-type", "s", "-mmin", "+1440", "-delete"]
    else:
        argv = ["tmpreaper", "--all", "1d", str(tree)]
    subprocess.run(argv, check=True, capture_output=True, timeout=60)
    for _ in paths:
        g.expect("relinked")
    assert [os.lstat(p).st_ino for p in paths] == inodes
    assert [socat_answer(p) for p in paths] == answers
    # The anchors were never in the swept tree.
    assert not list(tree.rglob(".sockkeeper-anchors-*"))
    assert "lost" not in g.actions()


def test_daemons_clean_stop_is_not_undone(tmp_path, guard, daemons):
    """socat unlinks its socket when it stops, then exits. A guard that
    links the socket back meanwhile (here, exit is held back 300 ms, as a
    daemon finishing its requests would) removes that name again once
    socat has closed the socket, so the next socat binds."""
    if not shutil.which("socat") or not shutil.which("strace"):
        pytest.skip("socat or strace is not installed")
    path = tmp_path / "sock/s.sock"
    path.parent.mkdir()
    slow_exit = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=exit_group",
                 "-e", "inject=exit_group:delay_enter=300000"]
    first = socat(path, *slow_exit)
    daemons.append(first)
    g = guard(path)
    g.expect("attached")

    # socat itself, under strace: strace's only child.
    socat_pid = int(Path(f"/proc/{first.pid}/task/{first.pid}/children").read_text().split()[0])
    os.kill(socat_pid, signal.SIGTERM)
    g.expect("relinked")
    line = g.expect("lost")
    assert "removed that name again" in line
    first.wait(timeout=TIMEOUT)
    assert not os.path.lexists(path)

    second = socat(path)
    daemons.append(second)
    assert second.poll() is None, second.stderr.read()
    assert socat_answer(path) == f"served {second.tag}"
    g.expect("attached")


PHP_FPM = shutil.which("php-fpm8.2") or shutil.which("php-fpm")


@pytest.mark.skipif(not PHP_FPM, reason="php-fpm is not installed")
@pytest.mark.parametrize("owner", ["root", "nobody"])
def test_php_fpm_bind_then_chown_is_followed(skt, guard, daemons, owner):
    """php-fpm binds its socket as root and chowns it to listen.owner. Kept
    for root (the service's user): the socket is root's, whoever the file
    is chowned to. Kept for nobody: the chown is seen at once."""
    path = skt / "php/www.sock"
    path.parent.mkdir()
    conf = skt / "php-fpm.conf"
    conf.write_text(f"[global]\npid = {skt}/php-fpm.pid\nerror_log = {skt}/php-fpm.log\ndaemonize = no\n"
                    f"[www]\nuser = nobody\ngroup = nogroup\nlisten = {path}\nlisten.owner = nobody\n"
                    "listen.group = nogroup\nlisten.mode = 0660\npm = static\npm.max_children = 1\n")
    g = guard(f"--owner={owner}", path)
    g.expect("start")
    fpm = subprocess.Popen([PHP_FPM, "--nodaemonize", "--fpm-config", str(conf)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    daemons.append(fpm)
    g.expect("attached", timeout=10)
    # php-fpm chowns a moment after its bind, and a guard keeping root's
    # sockets may attach in between.
    wait_for(lambda: os.lstat(path).st_uid == 65534)
    if owner == "root":
        time.sleep(0.1)  # the chown's IN_ATTRIB has been looked at: still kept, no conflict
        assert "conflict" not in g.actions()
    ino = os.lstat(path).st_ino
    os.unlink(path)
    g.expect("relinked")
    assert os.lstat(path).st_ino == ino
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(TIMEOUT)
        s.connect(str(path))


def test_refresh_stays_within_the_shortest_cleaner_age(tmp_path, serve, guard):
    """Where socket and anchor lie in one swept tree, only a socket kept
    younger than the cleaner's age survives an age-based sweep: the guard
    refreshes each path within the shortest age that check finds for it.
    (A tmpfiles.d line of this machine ages the test's directory at 1 h.)"""
    if os.geteuid() != 0:
        pytest.skip("needs root, to add a line to /etc/tmpfiles.d")
    aged = tmp_path / "aged"
    aged.mkdir()
    plain = tmp_path / "plain"
    plain.mkdir()
    conf = Path(f"/etc/tmpfiles.d/zz-sockkeeper-test-{os.getpid()}.conf")
    conf.write_text(f"d {aged} 0755 root root 1h\n")
    try:
        serve(aged / "a.sock", "--mode", "none")
        serve(plain / "p.sock", "--mode", "none")
        g = guard(aged / "a.sock", plain / "p.sock")
        line = g.expect("refresh-interval")
        assert str(aged / "a.sock") in line
        assert "every 900 s" in line and "once it is 3600 s old" in line
        g.expect("start")
        assert g.actions().count("refresh-interval") == 1  # not for the path nothing ages
    finally:
        conf.unlink()
