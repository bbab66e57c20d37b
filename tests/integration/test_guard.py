# SPDX-License-Identifier: MIT
"""`sockkeeper guard` run by hand against an sk-serve that knows nothing of
it (--mode none: a plain bind and accept loop): the same loop must serve
after the path is deleted; a dead socket must not come back; planted
symlinks and files are left alone; SIGTERM takes the guard's anchors away
and nothing else; bad arguments are usage errors."""

import os
import resource
import socket
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import TIMEOUT, ask, fields
from guardlib import Guard, anchor_of, sockkeeper, wait_for


def test_help():
    p = subprocess.run([sockkeeper(), "guard", "--help"], capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 0
    assert p.stdout.startswith("Usage: sockkeeper guard")
    for option in ("--unit=", "--on-loss=", "--systemd", "--restart-burst=", "--from-file="):
        assert option in p.stdout


@pytest.mark.parametrize("args,message", [
    (["--on-loss=sometimes", "/tmp/x.sock"], "neither relink-only nor restart"),
    (["relative.sock"], "not an absolute socket path"),
    (["/tmp/" + "x" * 120 + ".sock"], "too long"),
    (["@abstract"], "nothing to guard"),
    (["--unit=plain@", "/tmp/x.sock"], "is not a unit name"),
    (["--unit=a b.service", "/tmp/x.sock"], "is not a unit name"),
    (["--unit=a@b@c.socket", "/tmp/x.sock"], "is not a unit name"),
    (["--unit=getty@.service", "/tmp/x.sock"], "is not a unit name"),
    (["--unit=" + "x" * 250 + ".service", "/tmp/x.sock"], "is not a unit name"),
    (["--unit"], "needs a value"),
    (["--frobnicate"], "unknown option"),
    (["/tmp/x.sock", "/tmp/x.sock"], "given twice"),
    (["/tmp/x.sock", "/tmp//x.sock"], "given twice (both name /tmp/x.sock)"),
    (["/tmp/skt/../x.sock"], "/tmp/skt/../x.sock has a '..' component"),
    (["/tmp/skt/.."], "/tmp/skt/.. has a '..' component"),
    (["/tmp/x.sock/"], "/tmp/x.sock/ ends in '/' or '/.', which names a directory"),
    (["/tmp/skt/."], "/tmp/skt/. ends in '/' or '/.', which names a directory"),
    (["--restart-burst=-1"], "invalid count"),
    (["--restart-delay=soon"], "invalid number of seconds or time span"),
    (["--restart-delay=1e9"], "invalid number of seconds or time span"),
])
def test_bad_arguments(args, message):
    p = subprocess.run([sockkeeper(), "guard", *args], capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 64, p.stderr
    error, hint = p.stderr.splitlines()  # one line, and where to read more
    assert error.startswith("sockkeeper guard: ") and message in error
    assert hint == "Try 'sockkeeper guard --help'."
    assert p.stdout == ""


def test_from_file(tmp_path, serve, guard):
    """--from-file=FILE: the generator's list, one argument per line, read
    as if given in its place: groups, policies and odd paths included."""
    odd = tmp_path / 'we"ird $x %i \\ dir' / "s p.sock"
    odd.parent.mkdir()
    plain = tmp_path / "plain.sock"
    later = tmp_path / "later.sock"
    srv_odd = serve(odd, "--mode", "none")
    srv_plain = serve(plain, "--mode", "none")
    listfile = tmp_path / "guard.args"
    listfile.write_text(f"# Automatically generated\n\n--unit=odd.service\n--on-loss=relink-only\n{odd}\n"
                        f"--unit=plain.socket\n{plain}\n")
    g = guard(f"--from-file={listfile}", "--unit=later.service", later)
    attached = [g.expect("attached"), g.expect("attached")]
    assert "guarding 3 paths" in g.expect("start")
    # Messages show the path escaped: its backslash doubled.
    shown = str(odd).replace("\\", "\\\\")
    assert any("unit=odd.service" in line and shown in line for line in attached), attached
    assert any("unit=plain.socket" in line and str(plain) in line for line in attached), attached
    ino = os.lstat(odd).st_ino
    os.unlink(odd)
    assert shown in g.expect("relinked")
    assert os.lstat(odd).st_ino == ino and ask(odd).pid == srv_odd.pid
    assert ask(plain).pid == srv_plain.pid
    assert g.stop() == 0


@pytest.mark.parametrize("content,message", [
    pytest.param(None, ": No such file or directory", id="missing"),
    pytest.param("/tmp/a.sock\n--from-file=/etc/hostname\n", ":2: --from-file cannot be nested", id="nested"),
    pytest.param("/tmp/a.sock\n\n/tmp/b\0.sock\n", ":3: contains a NUL byte", id="nul"),
])
def test_bad_from_file(tmp_path, content, message):
    listfile = tmp_path / "guard.args"
    if content is not None:
        listfile.write_text(content)
    p = subprocess.run([sockkeeper(), "guard", f"--from-file={listfile}"], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert p.returncode == 64
    assert p.stderr == f"sockkeeper guard: {listfile}{message}\nTry 'sockkeeper guard --help'.\n"
    assert p.stdout == ""


def test_relink_keeps_the_same_server(tmp_path, serve, guard):
    path = tmp_path / "sock/g.sock"
    path.parent.mkdir()
    srv = serve(path, "--mode", "none")
    first = ask(path)
    g = guard(path)
    anchor = anchor_of(g.expect("attached"))
    ino = os.lstat(path).st_ino
    assert os.lstat(anchor).st_ino == ino

    for conn in (2, 3, 4):
        os.unlink(path)
        line = g.expect("relinked")
        assert str(path) in line
        assert os.lstat(path).st_ino == ino
        reply = ask(path)
        # The very accept loop the server started with: no new fd, no restart.
        assert (reply.errno, reply.pid, reply.loop, reply.fd, reply.conn) == (0, srv.pid, first.loop, first.fd, conn)

    assert g.stop() == 0
    assert not os.path.lexists(anchor), "SIGTERM must take the guard's anchor away"
    assert os.lstat(path).st_ino == ino, "...and leave the path to its owner"
    assert ask(path).pid == srv.pid
    assert g.actions()[-1] == "stop"


@pytest.mark.parametrize("form", ["sock//g.sock", "sock/./g.sock", "./sock/.//g.sock"])
def test_doubled_slash_and_dot_are_kept_by_the_canonical_name(tmp_path, serve, guard, form):
    """Such a path must attach and relink as the plain path does, and be
    logged by the name that /proc/net/unix shows."""
    path = tmp_path / "sock/g.sock"
    path.parent.mkdir()
    srv = serve(path, "--mode", "none")
    g = guard(f"{tmp_path}/{form}")
    line = g.expect("attached")
    assert line.startswith(f"sockkeeper guard: {path}: watching the socket"), line
    os.unlink(path)
    assert f"{path}:" in g.expect("relinked")
    assert ask(path).pid == srv.pid
    assert "error" not in g.actions()


def test_dead_socket_is_not_relinked(tmp_path, serve, guard):
    path = tmp_path / "sock/dead.sock"
    path.parent.mkdir()
    srv = serve(path, "--mode", "none")
    g = guard(path)
    anchor = anchor_of(g.expect("attached"))
    assert srv.stop() is None
    assert os.path.lexists(path)  # a plain daemon leaves its file behind

    os.unlink(path)
    line = g.expect("lost")
    assert "nobody holds the socket" in line
    assert not os.path.lexists(path)
    assert not os.path.lexists(anchor)
    time.sleep(0.2)
    assert not os.path.lexists(path)

    # The next daemon binds without EADDRINUSE, and is followed.
    srv2 = serve(path, "--mode", "none")
    g.expect("attached")
    os.unlink(path)
    g.expect("relinked")
    assert ask(path).pid == srv2.pid
    assert "restart" not in g.actions()


def test_symlink_and_file_attacks_are_left_alone(tmp_path, serve, guard):
    sock_dir = tmp_path / "sock"
    sock_dir.mkdir()
    path = sock_dir / "s.sock"
    victim = tmp_path / "victim.sock"
    bait = tmp_path / "bait"
    bait.write_text("bait")
    os.utime(bait, (1000, 1000))
    other = serve(victim, "--mode", "none")  # a live socket is the best target

    g = guard("--refresh-interval=0.05", path)
    g.expect("start")
    os.symlink(victim, path)
    line = g.expect("conflict")
    assert "symlink" in line
    time.sleep(0.2)  # several refresh periods
    assert os.path.islink(path)
    assert os.lstat(victim).st_nlink == 1, "the victim was anchored through the symlink"
    assert not any(p.name.endswith(".sock") for p in tmp_path.glob(".sockkeeper-anchors-*/*"))

    os.unlink(path)
    os.symlink(bait, path)
    g.expect("conflict")
    os.unlink(path)
    path.write_text("planted")
    assert "regular file" in g.expect("conflict")
    time.sleep(0.2)
    assert path.read_text() == "planted"
    assert os.stat(bait).st_mtime == 1000
    assert bait.read_text() == "bait"
    assert "attached" not in g.actions() and "relinked" not in g.actions()
    assert ask(victim).pid == other.pid
    assert g.stop() == 0
    assert path.read_text() == "planted"


def test_missing_path_and_zero_paths(tmp_path, serve, guard):
    idle = guard()
    idle.expect("start")
    path = tmp_path / "later.sock"
    g = guard("--unit=later.service", path)
    g.expect("start")
    srv = serve(path, "--mode", "none")
    assert "unit=later.service" in g.expect("attached")
    os.unlink(path)
    g.expect("relinked")
    assert ask(path).pid == srv.pid
    assert idle.stop() == 0


def test_unit_of_any_type_systemd_knows(tmp_path, serve, guard):
    """--unit= takes the names systemd takes, of every type: a timer that
    starts a job, an instance of a template."""
    timer, instance = tmp_path / "t.sock", tmp_path / "i.sock"
    serve(timer, "--mode", "none")
    serve(instance, "--mode", "none")
    g = guard("--unit=nightly-report.timer", timer, "--unit=worker@eth0.service", instance)
    lines = [g.expect("attached"), g.expect("attached")]
    assert any("unit=nightly-report.timer" in line for line in lines), lines
    assert any("unit=worker@eth0.service" in line for line in lines), lines


def test_lost_with_relink_only_restarts_nothing(tmp_path, serve, guard):
    path = tmp_path / "s.sock"
    srv = serve(path, "--mode", "none")
    g = guard("--on-loss=relink-only", "--restart-delay=0", path)
    anchor = anchor_of(g.expect("attached"))
    os.kill(g.proc.pid, signal.SIGSTOP)
    try:
        os.unlink(anchor)
        os.unlink(path)
    finally:
        os.kill(g.proc.pid, signal.SIGCONT)
    line = g.expect("lost")
    assert "still bound but unreachable" in line and "relink-only" in line
    time.sleep(0.2)
    assert "restart" not in g.actions()
    assert srv.alive()


def test_300_paths_one_inotify_instance(tmp_path, guard):
    """Every path of a guard shares one inotify instance (the default limit
    is 128 instances per user, shared with everything else the user runs),
    and a deletion among them is healed as for one."""
    paths = [tmp_path / f"d{i % 3}" / f"s{i}.sock" for i in range(300)]
    for d in {p.parent for p in paths}:
        d.mkdir()
    holder = subprocess.Popen(
        ["/usr/bin/python3", "-c",
         "import socket,sys\n"
         "socks=[]\n"
         "for p in sys.argv[1:]:\n"
         "    s=socket.socket(socket.AF_UNIX); s.bind(p); s.listen(); socks.append(s)\n"
         "print('ready', flush=True)\n"
         "sys.stdin.read()\n", *map(str, paths)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        g = guard(*paths)
        g.expect("start")
        inotify = [f for f in Path(f"/proc/{g.proc.pid}/fd").iterdir()
                   if os.readlink(f) == "anon_inode:inotify"]
        assert len(inotify) == 1, inotify
        # Directories are opened once for all the paths in them: the fds do
        # not grow with the number of paths (systemd's default soft limit is
        # 1,024).
        assert len(list(Path(f"/proc/{g.proc.pid}/fd").iterdir())) < 40
        ino = os.lstat(paths[123]).st_ino
        os.unlink(paths[123])
        line = g.expect("relinked")
        assert str(paths[123]) in line
        assert os.lstat(paths[123]).st_ino == ino
        assert g.actions().count("relinked") == 1
    finally:
        holder.stdin.close()
        holder.wait(timeout=TIMEOUT)


def test_reload_takes_the_new_list(tmp_path, serve, guard):
    """SIGHUP (systemctl reload; the generator's new list after
    daemon-reload): the list file is read again; a path still on it goes on
    undisturbed, one gone from it is let go (its anchor with it), a new one
    is kept from then on. No restart."""
    paths = {name: tmp_path / "s" / f"{name}.sock" for name in ("stay", "gone", "new")}
    paths["stay"].parent.mkdir()
    servers = {name: serve(p, "--mode", "none") for name, p in paths.items()}
    lst = tmp_path / "guard.args"
    lst.write_text(f"{paths['stay']}\n{paths['gone']}\n")
    g = guard(f"--from-file={lst}")
    anchors = {}
    for _ in range(2):
        line = g.expect("attached")
        name = next(n for n, p in paths.items() if str(p) in line)
        anchors[name] = anchor_of(line)

    new_list = tmp_path / "guard.args.new"
    new_list.write_text(f"{paths['stay']}\n{paths['new']}\n")
    os.rename(new_list, lst)
    g.proc.send_signal(signal.SIGHUP)
    line = g.expect("reload")
    assert "guarding 2 paths: 1 kept, 1 added, 1 let go" in line
    assert "released" in g.actions()
    assert any(str(paths["new"]) in l and "[action=attached" in l for l in g.lines)
    assert not os.path.lexists(anchors["gone"])
    assert os.path.lexists(anchors["stay"]), "a kept path's keeper was disturbed"

    for name in ("stay", "new"):
        os.unlink(paths[name])
        g.expect("relinked")
        assert ask(paths[name]).pid == servers[name].pid
    os.unlink(paths["gone"])
    time.sleep(0.2)
    assert not os.path.lexists(paths["gone"])
    assert g.actions().count("relinked") == 2


def test_reload_with_a_broken_list_keeps_everything(tmp_path, serve, guard):
    path = tmp_path / "k.sock"
    srv = serve(path, "--mode", "none")
    lst = tmp_path / "guard.args"
    lst.write_text(f"{path}\n")
    g = guard(f"--from-file={lst}")
    g.expect("attached")
    lst.write_text("--frobnicate\n")
    g.proc.send_signal(signal.SIGHUP)
    g.expect("reload-failed")
    os.unlink(path)
    g.expect("relinked")
    assert ask(path).pid == srv.pid


def test_out_of_fds_names_the_limit(tmp_path, guard):
    """Under a low open-file limit, the paths that cannot be watched say
    which limit was hit and what to raise."""
    paths = [tmp_path / f"d{i}" / "s.sock" for i in range(80)]
    for p in paths:
        p.parent.mkdir()
    g = guard(*paths, prefix=["prlimit", "--nofile=40:40", "--"])
    line = g.expect("error")
    assert "RLIMIT_NOFILE" in line and "LimitNOFILE=" in line, line


def test_out_of_fds_while_anchoring_names_the_limit(tmp_path):
    """Out of file descriptors while looking for an anchor place (about one
    fd per directory of kept paths, and a few more for the search), the
    first error is the limit, not "no anchor place on the filesystem"."""
    holders, paths = [], []
    for i in range(40):
        d = tmp_path / f"d{i}"
        d.mkdir()
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(d / "s.sock"))
        s.listen()
        holders.append(s)
        paths.append(d / "s.sock")
    proc = subprocess.Popen([sockkeeper(), "guard", *map(str, paths)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (24, 24)))
    try:
        line = ""
        deadline = time.monotonic() + TIMEOUT
        while "[action=error" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
            assert line, "the guard ended without an error line"
        assert "Too many open files" in line and "RLIMIT_NOFILE" in line and "LimitNOFILE=" in line, line
    finally:
        proc.terminate()
        proc.wait(timeout=TIMEOUT)
        for s in holders:
            s.close()


def test_path_whose_directory_comes_later_is_attached(tmp_path, serve, guard):
    """A directory made after the guard started (a RuntimeDirectory= of a
    service started later) is tried again every 10 seconds: the guard's
    own timers run, however rarely anything else happens."""
    path = tmp_path / "later" / "s.sock"
    g = guard(path)
    g.expect("error")
    path.parent.mkdir()
    srv = serve(path, "--mode", "none")
    g.expect("attached", timeout=25)
    os.unlink(path)
    g.expect("relinked")
    assert ask(path).pid == srv.pid
