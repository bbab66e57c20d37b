# SPDX-License-Identifier: MIT
"""sockkeeper heal against real broken sockets: a real tmux server whose
socket was deleted is signalled and binds it again, its sessions intact;
--dry-run, a "no" at the question and a missing --yes off a terminal
change nothing; a holder that is neither a unit nor tmux (one that calls
itself tmux included) gets its command printed and is left alone; a
hijacked path is not touched; a user's service whose manager cannot be
reached is said so; a holder that is no longer what the scan saw when the
answer comes (its PID runs another program) is not signalled; the JSON's
shape. Units are restarted in
the e2e suite, on a real systemd. Other tests may run at the same time:
heal is always given our own paths."""

import json
import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from guardlib import sockkeeper

TIMEOUT = 20

# Binds PATH, listens, unlinks it (orphaned) unless told to keep it, says
# READY and holds until stdin closes. SIGUSR1 is left at its default
# action: a signal that it should never get kills it.
HOLDER = r"""
import os, socket, sys
path, keep, comm = sys.argv[1], sys.argv[2] == "keep", sys.argv[3]
if comm:
    with open("/proc/self/comm", "w") as f:
        f.write(comm)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen()
if not keep:
    os.unlink(path)
print("READY", flush=True)
sys.stdin.read()
"""


def heal(*args, stdin=subprocess.DEVNULL):
    return subprocess.run([sockkeeper(), "heal", *args], capture_output=True, text=True, timeout=60, stdin=stdin)


def connects(path):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(path))
            return True
        except OSError:
            return False


class Holder:
    def __init__(self, path, keep=False, comm=""):
        self.path = str(path)
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, self.path, "keep" if keep else "", comm],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "READY"
        self.pid = self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.stdin.close()
            self.proc.wait(timeout=TIMEOUT)


class Tmux:
    """A real tmux server on its own socket, with one session."""

    def __init__(self, path):
        if not shutil.which("tmux"):
            pytest.fail("tmux is not installed (./dev.sh installs it)")
        self.path = str(path)
        self.tmux("new-session", "-d", "-s", "kept", "sleep 600")
        self.pid = int(self.tmux("display-message", "-p", "#{pid}").stdout.strip())

    def tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.path, *args], capture_output=True, text=True, timeout=TIMEOUT,
                              check=True)

    def sessions(self):
        p = subprocess.run(["tmux", "-S", self.path, "ls"], capture_output=True, text=True, timeout=TIMEOUT)
        return p.returncode, p.stdout

    def stop(self):
        if not os.path.exists(self.path):
            os.kill(self.pid, signal.SIGUSR1)  # to reach it for kill-server
            deadline = time.monotonic() + TIMEOUT
            while not os.path.exists(self.path) and time.monotonic() < deadline:
                time.sleep(0.05)
        subprocess.run(["tmux", "-S", self.path, "kill-server"], capture_output=True, timeout=TIMEOUT)


@pytest.fixture
def area(tmp_path):
    d = tmp_path / "heal"
    d.mkdir()
    return d


@pytest.fixture
def tmux(area):
    t = Tmux(area / "tmux.sock")
    yield t
    t.stop()


@pytest.fixture
def holders():
    made = []
    yield lambda *a, **kw: made.append(Holder(*a, **kw)) or made[-1]
    for h in made:
        h.stop()


def test_tmux_healed_sessions_kept(tmux):
    assert tmux.sessions()[0] == 0
    os.unlink(tmux.path)
    assert tmux.sessions()[0] != 0 and not connects(tmux.path)

    p = heal("--yes", tmux.path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"kill -USR1 {tmux.pid}" in p.stdout
    assert f"{tmux.path}: sent SIGUSR1 to tmux (PID {tmux.pid}); reachable again." in p.stdout
    assert "1 of 1 broken socket reachable again." in p.stdout
    rc, out = tmux.sessions()
    assert rc == 0 and out.startswith("kept: 1 windows"), out
    # Nothing broken is left: a second run has nothing to do.
    p = heal("--yes", tmux.path)
    assert p.returncode == 0 and "No broken sockets." in p.stdout, p.stdout + p.stderr


def test_json_shape(tmux):
    os.unlink(tmux.path)
    p = heal("--yes", "--json", tmux.path)
    assert p.returncode == 0, p.stderr
    items = json.loads(p.stdout)
    assert len(items) == 1
    it = items[0]
    assert set(it) == {"path", "status", "holder", "action", "unit", "user", "stop_first", "command", "reason",
                       "result", "error", "reachable"}
    assert it["path"] == tmux.path and it["status"] == "orphaned"
    assert it["holder"]["pid"] == tmux.pid and it["holder"]["comm"].startswith("tmux")
    assert it["action"] == "signal" and it["unit"] is None and it["stop_first"] == []
    assert it["command"] == f"kill -USR1 {tmux.pid}"
    assert it["result"] == "done" and it["error"] is None and it["reachable"] is True
    assert tmux.sessions()[0] == 0
    # --json=short: the same on one line; --json=off: the lines for people.
    os.unlink(tmux.path)
    p = heal("--yes", "--json=short", tmux.path)
    assert p.returncode == 0 and p.stdout.count("\n") == 1 and json.loads(p.stdout)[0]["result"] == "done"
    os.unlink(tmux.path)
    p = heal("--yes", "--json=off", tmux.path)
    assert p.returncode == 0 and "reachable again." in p.stdout


def test_dry_run_changes_nothing(tmux):
    os.unlink(tmux.path)
    p = heal("--dry-run", tmux.path)
    assert p.returncode == 1, p.stdout + p.stderr
    assert f"{tmux.path}: orphaned, held by PID {tmux.pid}" in p.stdout
    assert f"kill -USR1 {tmux.pid}" in p.stdout
    p = heal("--dry-run", "--json", tmux.path)
    assert p.returncode == 1
    it, = json.loads(p.stdout)
    assert it["result"] == "planned" and it["reachable"] is False and it["action"] == "signal"
    # Still gone, and tmux is still running.
    time.sleep(0.3)  # a signal sent would have made tmux bind within this
    assert not os.path.exists(tmux.path)
    os.kill(tmux.pid, 0)


def test_not_a_terminal_without_yes_refuses(tmux):
    os.unlink(tmux.path)
    p = heal(tmux.path)
    assert p.returncode == 64, p.stdout + p.stderr
    msg, hint = p.stderr.splitlines()
    assert msg.startswith("sockkeeper heal: standard input is not a terminal") and "--yes" in msg, p.stderr
    assert hint == "Try 'sockkeeper heal --help'."
    assert p.stdout == ""
    time.sleep(0.3)
    assert not os.path.exists(tmux.path)


def test_not_a_terminal_with_nothing_to_do_prints_the_plan(area, holders):
    """Nothing to restart or signal: nothing to ask, so no usage error;
    the plan and the result, and 1 as the socket stays unreachable."""
    path = area / "plain.sock"
    h = holders(path)
    p = heal(str(path))
    assert p.returncode == 1, p.stdout + p.stderr
    assert "neither a service heal can restart nor tmux" in p.stdout and "command: " in p.stdout
    assert p.stdout.endswith("0 of 1 broken socket reachable again.\n") and p.stderr == ""
    assert h.alive()


def run_on_terminal(args, answer, before_answer=None):
    """heal with a pty for stdin and stdout; ANSWER typed at the question,
    after BEFORE_ANSWER() has run."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sockkeeper(), "heal", *args], stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 60
    answered = False
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        if not answered and b"[y/N]" in out:
            if before_answer:
                before_answer()
            os.write(master, answer.encode() + b"\n")
            answered = True
        if proc.poll() is not None and not r:
            break
    proc.wait(timeout=60)
    os.close(master)
    return proc.returncode, out.decode(errors="replace"), answered


def test_terminal_asks_once(tmux):
    os.unlink(tmux.path)
    rc, out, asked = run_on_terminal([tmux.path], "n")
    assert asked and out.count("[y/N]") == 1, out
    assert rc == 1 and "declined" in out, out
    time.sleep(0.3)
    assert not os.path.exists(tmux.path)

    rc, out, asked = run_on_terminal([tmux.path], "y")
    assert asked and rc == 0, out
    assert tmux.sessions()[0] == 0


def test_other_holder_gets_the_command_and_is_left_alone(area, holders):
    # One that calls itself tmux is not taken for tmux: its executable is
    # python's. SIGUSR1 would kill it.
    for comm in ("", "tmux"):
        path = area / f"other-{comm or 'plain'}.sock"
        h = holders(path, comm=comm)
        p = heal("--yes", str(path))
        assert p.returncode == 1, p.stdout + p.stderr
        assert f"held by PID {h.pid}" in p.stdout
        assert "neither a service heal can restart nor tmux" in p.stdout
        # No file named by the program's arguments is relative: no "cd".
        assert f"command: {sys.executable} -c $'\\nimport os" in p.stdout, p.stdout
        assert "nothing done; not reachable." in p.stdout
        p = heal("--yes", "--json", str(path))
        it, = json.loads(p.stdout)
        assert it["action"] == "none" and it["result"] == "nothing" and it["reachable"] is False
        assert it["command"].startswith(sys.executable) and it["holder"]["pid"] == h.pid
        time.sleep(0.3)
        assert h.alive() and not os.path.exists(path)


def shell_words(command):
    """The words a shell makes of COMMAND (after "cd DIR && "): bash, which
    reads $'...' too, prints them."""
    p = subprocess.run(["bash", "-c", 'eval "set -- ${CMD#cd * && }"; printf "%s\\0" "$@"'],
                       env=dict(os.environ, CMD=command), capture_output=True, timeout=TIMEOUT)
    assert p.returncode == 0, p.stderr
    return p.stdout.split(b"\0")[:-1]


def test_other_holder_command_can_be_pasted(area):
    """Every word quoted as the shell needs it, and the holder's working
    directory first when an argument is relative to it."""
    (area / "listen.py").write_text(HOLDER)
    path = area / "pi|pe it's.sock"
    argv = [sys.executable, "listen.py", str(path), "", "", "sp ace", "tab\there"]
    proc = subprocess.Popen(argv, cwd=area, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "READY"
        p = heal("--dry-run", str(path))
        assert p.returncode == 1, p.stdout + p.stderr
        [command] = [line.split("command: ", 1)[1] for line in p.stdout.splitlines() if "  command: " in line]
        assert command.startswith(f"cd {area} && "), command
        assert shell_words(command) == [os.fsencode(a) for a in argv], command
        assert "$'tab\\there'" in command and "/pi|pe it'\"'\"'s.sock'" in command
        p = heal("--dry-run", "--json", str(path))
        it, = json.loads(p.stdout)
        assert it["command"] == command
    finally:
        proc.stdin.close()
        proc.wait(timeout=TIMEOUT)


def test_hijacked_is_not_touched(tmux, holders):
    os.unlink(tmux.path)
    other = holders(tmux.path, keep=True)  # another socket at tmux's path
    p = heal("--yes", "--json", tmux.path)
    assert p.returncode == 1, p.stdout + p.stderr
    items = {it["status"]: it for it in json.loads(p.stdout)}
    assert set(items) == {"hijacked"}, items
    it = items["hijacked"]
    assert it["action"] == "none" and it["holder"]["pid"] == tmux.pid
    assert "does not remove it" in it["reason"] and f"kill -USR1 {tmux.pid}" in it["reason"]
    # The other socket is still what the path leads to, and tmux got nothing.
    assert connects(tmux.path) and other.alive()
    other.stop()
    os.unlink(tmux.path)


def test_usage_and_paths_without_socket(area):
    p = heal("--yes", "relative.sock")
    assert p.returncode == 64 and p.stderr == ("sockkeeper heal: relative.sock: a socket path must be absolute\n"
                                               "Try 'sockkeeper heal --help'.\n"), p.stderr
    p = heal("--timeout=soon")
    assert p.returncode == 64 and "--timeout" in p.stderr
    p = heal("--no-such-option")
    assert p.returncode == 64
    p = heal("--json=loud")
    assert p.returncode == 64 and "--json=loud" in p.stderr
    # Nothing bound at the path: nothing to heal, and it is not reachable.
    p = heal("--yes", str(area / "nothing.sock"))
    assert p.returncode == 1 and "no socket is bound there" in p.stderr, p.stderr


def test_stale_listener_beside_a_healed_one(tmux):
    # A listener bound at tmux's path that no process holds an fd of (in
    # flight in a socketpair here; in a daemon, one an accept() in progress
    # still holds after a rebind), its file gone: heal cannot act on it,
    # but once tmux binds again the path answers, and that is what counts.
    os.unlink(tmux.path)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(tmux.path)
    stale.listen()
    a, b = socket.socketpair()
    socket.send_fds(a, [b"x"], [stale.fileno()])
    stale.close()
    os.unlink(tmux.path)
    try:
        p = heal("--yes", "--json", tmux.path)
        items = json.loads(p.stdout)
        assert sorted(it["action"] for it in items) == ["none", "signal"], items
        assert all(it["status"] == "orphaned" and it["reachable"] for it in items), items
        none, = [it for it in items if it["action"] == "none"]
        assert none["holder"] is None and none["result"] == "nothing"
        assert p.returncode == 0, p.stderr
        assert tmux.sessions()[0] == 0
    finally:
        a.close()
        b.close()


def free_uid():
    import pwd
    for uid in range(42420, 42520):
        try:
            pwd.getpwuid(uid)
        except KeyError:
            if not os.path.exists(f"/run/user/{uid}"):
                return uid
    pytest.skip("no free uid without a /run/user directory")


@pytest.fixture
def user_service_cgroup():
    """A cgroup in systemd's named hierarchy that reads as a user's service
    (SLICE/user@UID.service/app.slice/NAME.service), for a process moved
    there; only where systemd is not PID 1, so no real manager is
    disturbed."""
    base = "/sys/fs/cgroup/systemd"
    if os.geteuid() != 0:
        pytest.skip("moving a process between cgroups needs root")
    with open("/proc/1/comm") as f:
        pid1 = f.read().strip()
    if pid1 == "systemd":
        pytest.skip("systemd is PID 1 here: its cgroup tree is not ours to write into")
    if not os.path.isfile(f"{base}/cgroup.procs"):
        pytest.skip("no name=systemd cgroup hierarchy to write into")
    uid = free_uid()
    top = f"{base}/sk-heal-{os.getpid()}.slice"
    leaf = f"{top}/user@{uid}.service/app.slice/sk-heal-test.service"
    try:
        os.makedirs(leaf)
    except OSError as e:
        pytest.skip(f"cannot make a cgroup: {e}")
    moved = []

    def move(pid):
        with open(f"{leaf}/cgroup.procs", "w") as f:
            f.write(str(pid))
        moved.append(pid)

    yield uid, move
    for pid in moved:
        with open(f"{base}/cgroup.procs", "w") as f:
            try:
                f.write(str(pid))
            except OSError:
                pass  # gone
    for d in (leaf, os.path.dirname(leaf), os.path.dirname(os.path.dirname(leaf)), top):
        os.rmdir(d)


def test_user_service_without_a_reachable_manager(area, holders, user_service_cgroup):
    uid, move = user_service_cgroup
    path = area / "user.sock"
    h = holders(path)
    move(h.pid)
    p = heal("--yes", "--json", str(path))
    assert p.returncode == 1, p.stdout + p.stderr
    it, = json.loads(p.stdout)
    assert it["holder"]["unit"] == "sk-heal-test.service" and it["holder"]["manager"] == f"user@{uid}.service"
    assert it["action"] == "restart" and it["unit"] == "sk-heal-test.service" and it["user"] == str(uid)
    assert it["command"] == f"systemctl --user -M {uid}@ restart sk-heal-test.service"
    # Said so, and nothing else tried: the holder lives on, the path is gone.
    assert it["result"] == "failed" and it["reachable"] is False
    assert it["error"] == (f"no service manager of user {uid} is reachable (neither /run/user/{uid}/bus "
                           f"nor /run/user/{uid}/systemd/private)"), it["error"]
    assert h.alive() and not os.path.exists(path)


# Bound, orphaned, READY; on a line "exec" it becomes sleep, keeping its PID
# and closing the socket (Python's fds are close-on-exec).
BECOMES_SLEEP = r"""
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen()
os.unlink(sys.argv[1])
print("READY", flush=True)
sys.stdin.readline()
os.execv("/bin/sleep", ["sleep", "600"])
"""


def test_holder_checked_again_before_the_signal(area):
    # What the scan saw: a "tmux" (its executable is named so) holding the
    # socket. Between the question and the answer, that PID runs another
    # program and no longer holds the socket, as a reused PID would: it
    # must not be signalled (SIGUSR1 would kill sleep).
    fake = area / "tmux"
    shutil.copy(os.path.realpath(sys.executable), fake)
    path = area / "fake-tmux.sock"
    proc = subprocess.Popen([str(fake), "-c", BECOMES_SLEEP, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "READY"

        def become_sleep():
            proc.stdin.write("exec\n")
            proc.stdin.flush()
            deadline = time.monotonic() + TIMEOUT
            while os.path.basename(os.readlink(f"/proc/{proc.pid}/exe")) != "sleep":
                assert time.monotonic() < deadline, "the holder did not become sleep"
                time.sleep(0.02)

        rc, out, asked = run_on_terminal([str(path)], "y", become_sleep)
        assert asked and f"kill -USR1 {proc.pid}" in out, out
        assert rc == 1, out
        assert f"PID {proc.pid} no longer holds the socket as tmux; not signalled" in out, out
        time.sleep(0.3)
        assert proc.poll() is None, "the process that took over the PID was signalled"
    finally:
        proc.kill()
        proc.wait(timeout=TIMEOUT)


def test_odd_path_is_escaped(area, holders):
    # A newline and a byte that is no UTF-8: one line per thing said, and
    # the bytes recoverable from the JSON.
    raw = os.fsencode(area) + b"/odd\nname\xff.sock"
    h = holders(os.fsdecode(raw))
    shown = os.fsencode(area).decode() + "/odd\\nname\\xff.sock"
    p = subprocess.run([sockkeeper(), "heal", "--yes", raw], capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    out = p.stdout.decode()
    assert p.returncode == 1, out
    assert out.startswith(f"{shown}: orphaned, held by PID {h.pid}"), out
    assert f"it must bind {shown} again" in out
    # The plan (holder, why nothing, the command), the result, the count.
    assert out.count("\n") == 5, out
    p = subprocess.run([sockkeeper(), "heal", "--yes", "--json", raw], capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    it, = json.loads(p.stdout)
    assert it["path_escaped"] == shown and it["path"] == os.fsencode(area).decode() + "/odd\nname\ufffd.sock"
    assert h.alive()
