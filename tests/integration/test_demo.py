# SPDX-License-Identifier: MIT
"""`sockkeeper demo` and the command's front door, driven as a user would."""

import os
import re
import stat
import subprocess
import tempfile

import pytest

SOCKKEEPER = os.environ.get("SOCKKEEPER", "sockkeeper")


def run(*args, timeout=20):
    return subprocess.run([SOCKKEEPER, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def scratch():
    with tempfile.TemporaryDirectory(prefix="sk-demo-") as d:
        yield d


def test_demo_shows_relink_then_rebind(scratch):
    path = os.path.join(scratch, "demo.sock")
    r = run("demo", path)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert re.search(r"relinked: the same inode is back; client connected after \d+ us", out)
    assert re.search(r"rebound: a new socket on the same fd \d+", out)
    assert "the blocked accept() woke up 1 time(s)" in out
    assert "Summary: 1 relink(s), 1 rebind(s), 3 connection(s) served by one accept loop" in out
    # The relink kept the inode, the rebind changed it; both on one fd.
    replies = re.findall(r"client: served by fd (\d+), connection (\d), socket inode (\d+)", out)
    assert [c for _, c, _ in replies] == ["1", "2", "3"]
    assert len({fd for fd, _, _ in replies}) == 1
    assert replies[0][2] == replies[1][2] != replies[2][2]
    # It gives back what it took: no socket, no anchor left behind.
    assert not os.path.lexists(path)
    anchor = re.search(r"Anchor: (\S+)", out).group(1)
    assert not os.path.lexists(anchor)


def test_demo_binds_the_canonical_path(scratch):
    r = run("demo", f"{scratch}/.//demo.sock")
    assert r.returncode == 0, r.stderr
    assert f"Listening on {scratch}/demo.sock (fd" in r.stdout
    assert "Summary: 1 relink(s), 1 rebind(s)" in r.stdout


def test_demo_names_what_is_wrong_with_a_path():
    r = run("demo", "/tmp/a/../demo.sock")
    assert r.returncode == 64
    assert r.stderr == "sockkeeper demo: /tmp/a/../demo.sock has a '..' component, which only the filesystem can " \
                       "resolve (through symlinks); write the path without it\nTry 'sockkeeper demo --help'.\n"


def test_demo_default_path_is_under_tmp():
    r = run("demo")
    assert r.returncode == 0, r.stderr
    path = re.search(r"Listening on (\S+) ", r.stdout).group(1)
    assert path.startswith("/tmp/sockkeeper-demo-")
    assert not os.path.lexists(path)


def test_demo_leaves_a_strangers_file_alone(scratch):
    path = os.path.join(scratch, "taken.sock")
    with open(path, "w") as f:
        f.write("precious")
    r = run("demo", path)
    assert r.returncode == 1
    assert r.stderr.strip() == f"sockkeeper demo: {path}: a file that is not a socket is there; not touching it"
    assert open(path).read() == "precious"


def test_demo_refuses_a_symlink(scratch):
    target = os.path.join(scratch, "target")
    open(target, "w").close()
    os.chmod(target, 0o600)
    path = os.path.join(scratch, "link.sock")
    os.symlink(target, path)
    r = run("demo", path)
    assert r.returncode == 1
    assert "a symlink is there; not following or removing it" in r.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert os.path.islink(path)


def test_demo_names_the_length_limit(scratch):
    path = "/tmp/" + "x" * 120 + ".sock"
    r = run("demo", path)
    assert r.returncode == 64
    assert "too long for an AF_UNIX socket (limit 107 bytes)" in r.stderr


def test_demo_refuses_a_relative_path():
    """A usage error, as the guard's, heal's and tmpfiles-snippet's."""
    r = run("demo", "relative.sock")
    assert r.returncode == 64
    assert r.stderr == ("sockkeeper demo: relative.sock is not an absolute socket path or @abstract name\n"
                        "Try 'sockkeeper demo --help'.\n")


def test_help_and_usage_errors():
    r = run("--help")
    assert r.returncode == 0 and "Usage: sockkeeper" in r.stdout and "demo" in r.stdout
    r = run("demo", "--help")
    assert r.returncode == 0 and "Usage: sockkeeper demo [PATH]" in r.stdout
    r = run("--version")
    assert r.returncode == 0 and re.match(r"sockkeeper \d+\.\d+\.\d+", r.stdout)
    r = run("no-such-command")
    assert r.returncode == 64 and "unknown command 'no-such-command'" in r.stderr
    r = run("demo", "/tmp/a.sock", "/tmp/b.sock")
    assert r.returncode == 64
    r = run()
    assert r.returncode == 64


def test_ctrl_c_ends_the_demo_cleanly(scratch):
    """SIGINT at many points of a run, once it is under way: every run ends
    finished (0) or interrupted (130, "Interrupted."), and leaves no socket
    or anchor behind."""
    import signal
    import time

    sock_dir = os.path.join(scratch, "sock")  # anchors then go to scratch/
    os.mkdir(sock_dir)
    outcomes = {}
    for i in range(120):
        path = os.path.join(sock_dir, f"d{i}.sock")
        p = subprocess.Popen([SOCKKEEPER, "demo", path], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        first = p.stdout.readline()  # the keeper is up, the handler installed
        assert first.startswith("1. Listening on"), first
        time.sleep((i % 40) * 0.00005)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        out = first + out
        assert p.returncode in (0, 130), (p.returncode, out, err)
        if p.returncode == 130:
            assert out.rstrip().endswith("Interrupted."), out
            assert err == ""
        outcomes[p.returncode] = outcomes.get(p.returncode, 0) + 1
        assert os.listdir(sock_dir) == []
        assert [e for e in os.listdir(scratch) if e != "sock"] == [], "anchor left behind"
    # The signal really landed mid-run often enough for this to mean something.
    assert outcomes.get(130, 0) >= 10, outcomes
