# SPDX-License-Identifier: MIT
"""`sockkeeper guard --auto`: every socket at risk is found and kept with
nothing to configure, whoever bound it, and let go once it is closed.
Scoped to the test's directory with --auto-only-under, so that the guard
leaves the machine's and the other tests' sockets alone; below /tmp, a
world-writable sticky directory, every socket is at risk."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import TIMEOUT, ask
from guardlib import wait_for


def auto_guard(guard, area, *args):
    return guard("--auto", f"--auto-only-under={area}", "--discover-interval=0.2", *args)


def test_unannotated_daemon_and_a_later_one_are_kept(area, serve, guard):
    first = area / "app" / "first.sock"
    first.parent.mkdir()
    srv1 = serve(first, "--mode", "none")
    g = auto_guard(guard, area)
    assert str(first) in g.expect("discovered")
    g.expect("start")
    ino = os.lstat(first).st_ino
    os.unlink(first)
    g.expect("relinked")
    assert os.lstat(first).st_ino == ino
    assert ask(first).pid == srv1.pid

    # Bound after the guard started: found within a discovery interval.
    later = area / "later.sock"
    srv2 = serve(later, "--mode", "none")
    assert str(later) in g.expect("discovered")
    os.unlink(later)
    g.expect("relinked")
    assert ask(later).pid == srv2.pid


def test_closed_socket_is_let_go(area, serve, guard):
    path = area / "gone.sock"
    srv = serve(path, "--mode", "none")
    g = auto_guard(guard, area)
    g.expect("discovered")
    attached = next(l for l in g.lines if "[action=attached" in l)
    anchor = attached.rsplit("; anchor ", 1)[1].split(" [action=")[0]
    assert srv.stop() is None
    line = g.expect("released")
    assert str(path) in line
    assert not os.path.lexists(anchor), "a keeper (and its anchor) was left behind"


def test_real_tmux_server_is_kept(area, guard):
    if not shutil.which("tmux"):
        pytest.skip("tmux is not installed")
    env = dict(os.environ, TMUX_TMPDIR=str(area))
    subprocess.run(["tmux", "new-session", "-d", "-s", "kept", "sleep 600"], env=env, check=True, timeout=TIMEOUT)
    sock = area / f"tmux-{os.getuid()}" / "default"
    try:
        wait_for(lambda: sock.exists())
        g = auto_guard(guard, area)
        assert str(sock) in g.expect("discovered")
        os.unlink(sock)
        g.expect("relinked")
        p = subprocess.run(["tmux", "list-sessions"], env=env, capture_output=True, text=True, timeout=TIMEOUT)
        assert p.returncode == 0 and p.stdout.startswith("kept:"), p.stderr
    finally:
        subprocess.run(["tmux", "kill-server"], env=env, capture_output=True, timeout=TIMEOUT)


def test_not_kept_abstract_run_and_anchored(area, serve, guard, tmp_path):
    # A socket that a keeper of its own process keeps has an anchor: a
    # second link. (sk-serve --mode loop keeps its socket with the library.)
    kept = area / "kept-by-itself.sock"
    serve(kept, "--mode", "loop")
    plain = area / "plain.sock"
    serve(plain, "--mode", "none")
    g = auto_guard(guard, area)
    g.expect("start")
    discovered = [l for l in g.lines if "[action=discovered" in l]
    assert any(str(plain) in l for l in discovered)
    assert not any(str(kept) in l for l in discovered)


def test_auto_is_scoped_and_combines_with_paths(area, serve, guard, tmp_path):
    outside = tmp_path / "outside.sock"  # below /tmp too, but not under the scope
    serve(outside, "--mode", "none")
    named = area / "named.sock"
    serve(named, "--mode", "none")
    g = auto_guard(guard, area, named)
    g.expect("start")
    assert not any("[action=discovered" in l for l in g.lines), "a path given by name is not found again"
    assert any(str(named) in l and "[action=attached" in l for l in g.lines)


def test_listener_in_another_network_namespace_is_kept(area, serve, guard, netns):
    """A daemon under `unshare -n` (as PrivateNetwork=yes, bwrap
    --unshare-net) is invisible in our /proc/net/unix: --auto finds it all
    the same, and the guard links its live socket back."""
    path = area / "ns.sock"
    srv = serve(path, "--mode", "none", prefix=netns)
    g = auto_guard(guard, area)
    assert str(path) in g.expect("discovered")
    ino = os.lstat(path).st_ino
    os.unlink(path)
    g.expect("relinked")
    assert os.lstat(path).st_ino == ino
    assert ask(path).pid == srv.pid


RENAMING_SERVER = r"""
import os, socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX)
tmp = f"{path}.{os.getpid()}.tmp"
s.bind(tmp)
s.listen()
os.rename(tmp, path)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    c.sendall(f"served pid={os.getpid()} loop=none fd={s.fileno()} conn=0\n".encode())
    c.close()
"""


def test_renamed_socket_is_kept_at_the_name_clients_use(area, guard):
    """haproxy binds PATH.PID.tmp and renames it to PATH: sock_diag still
    names the first; the guard keeps the second, the one clients use."""
    path = area / "stats.sock"
    srv = subprocess.Popen(["/usr/bin/python3", "-c", RENAMING_SERVER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert srv.stdout.readline() == "ready\n"
        g = auto_guard(guard, area)
        line = g.expect("discovered")
        assert f"{path} " in line or line.rstrip().endswith(str(path)) or f"{path}:" in line, line
        ino = os.lstat(path).st_ino
        os.unlink(path)
        g.expect("relinked")
        assert os.lstat(path).st_ino == ino
        assert ask(path).pid == srv.pid
    finally:
        srv.kill()
        srv.wait()


@pytest.fixture
def cron_swept(tmp_path):
    """A directory outside any shared one that a cron job of the machine
    sweeps with find -delete: rated risky by the classifier, and nothing
    else makes it so. The cron.d file is removed at the end."""
    top = Path(tempfile.mkdtemp(prefix="sk-auto-cron-", dir="/var/lib"))
    os.chmod(top, 0o755)
    cron = Path(f"/etc/cron.d/sk-auto-test-{os.getpid()}")
    cron.write_text(f"17 3 * * * root find {top}/swept -type s -mtime +1 -delete\n")
    try:
        yield top
    finally:
        cron.unlink()
        shutil.rmtree(top, ignore_errors=True)


def test_rated_risky_is_kept_and_a_safe_place_is_not(cron_swept, serve, guard):
    if not Path("/etc/cron.d").is_dir():
        pytest.skip("no /etc/cron.d")
    swept = cron_swept / "swept" / "app.sock"
    safe = cron_swept / "safe" / "app.sock"
    swept.parent.mkdir()
    safe.parent.mkdir()
    srv = serve(swept, "--mode", "none")
    serve(safe, "--mode", "none")
    g = guard("--auto", f"--auto-only-under={cron_swept}", "--discover-interval=0.2")
    g.expect("start")
    discovered = [l for l in g.lines if "[action=discovered" in l]
    assert any(str(swept) in l for l in discovered), g.lines
    assert not any(str(safe) in l for l in discovered), "a socket no cleaner reaches was taken"
    os.unlink(swept)
    g.expect("relinked")
    assert ask(swept).pid == srv.pid


def test_run_is_left_alone_even_when_shared(serve, guard):
    """Sockets under /run (runtime directories, $XDG_RUNTIME_DIR) are not
    --auto's, even in a world-writable sticky directory there (/run/lock)."""
    top = Path(tempfile.mkdtemp(prefix="sk-auto-", dir="/run"))
    try:
        os.chmod(top, 0o1777)
        path = top / "app.sock"
        serve(path, "--mode", "none")
        g = auto_guard(guard, top)
        g.expect("start")
        assert not any("[action=discovered" in l for l in g.lines), g.lines
    finally:
        shutil.rmtree(top, ignore_errors=True)
