# SPDX-License-Identifier: MIT
"""Fixtures for the integration tests: a fixture root for the cleaners,
sk-serve processes (meson passes the binary in SK_SERVE) that are always
stopped and checked at teardown, a one-shot client and the real cleaners."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

TIMEOUT = 5.0
DAY = 24 * 3600

# Each cleaner as the admin or cron runs it against fixture root R.
CLEANERS = {
    "tmpfiles": lambda r: ["systemd-tmpfiles", f"--root={r}", "--clean"],
    # atime by default; --all takes sockets too, live ones included.
    "tmpreaper": lambda r: ["tmpreaper", "--all", "1d", str(r / "tmp")],
    "find": lambda r: ["find", str(r / "tmp"), "-mindepth", "1", "-mtime", "+1", "-delete"],
}


def fields(line):
    """'EVENT rebound old_ino=1 new_ino=2' -> {'old_ino': '1', 'new_ino': '2'}. Words
    before the first key=value name the line; only the last value may hold spaces."""
    out, key = {}, None
    for part in line.split(" "):
        if "=" in part:
            key, value = part.split("=", 1)
            out[key] = value
        elif key:
            out[key] += " " + part
    return out


@dataclass
class Reply:
    errno: int
    pid: int = None
    loop: str = None
    fd: int = None
    conn: int = None


def ask(path):
    """Connects once to PATH. Returns the server's reply, or the connect errno."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(TIMEOUT)
        try:
            s.connect(str(path))
        except OSError as e:
            return Reply(errno=e.errno)
        # Up to EOF: the server's end of the connection lives in OUR network
        # namespace and carries the listener's path, so until the server has
        # closed it, tmpfiles here sees the socket as live and spares it.
        data = b""
        while chunk := s.recv(256):
            data += chunk
    line = data.decode().strip()
    assert line.startswith("served "), line
    f = fields(line)
    return Reply(errno=0, pid=int(f["pid"]), loop=f["loop"], fd=int(f["fd"]), conn=int(f["conn"]))


def age(path, days=2):
    """Makes PATH look untouched for DAYS days (and an hour, to be clear of rounding)."""
    t = time.time() - days * DAY - 3600
    os.utime(path, (t, t), follow_symlinks=False)


def clean(cleaner, root):
    """Runs CLEANER on fixture root ROOT."""
    p = subprocess.run(CLEANERS[cleaner](root), capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"{cleaner} failed ({p.returncode}): {p.stdout}{p.stderr}"


class Server:
    """One sk-serve process. Its stdout lines are collected by a thread;
    expect() walks through them in order."""

    def __init__(self, argv, log):
        self.log = log
        with open(log, "w") as err:
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, text=True)
        self.pid = self.proc.pid
        self.lines = []
        self._eof = False
        self._cursor = 0
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def wait_ready(self):
        ready = fields(self.expect("READY"))
        self.fd = int(ready["fd"])
        self.anchor = None if ready["anchor"] == "-" else ready["anchor"]

    def _read(self):
        for line in self.proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def expect(self, prefix, timeout=TIMEOUT):
        """Returns the next line, after the last one expected, that starts with PREFIX."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i in range(self._cursor, len(self.lines)):
                    if self.lines[i].startswith(prefix):
                        self._cursor = i + 1
                        return self.lines[i]
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    pytest.fail(f"no {prefix!r} from sk-serve within {timeout}s; output: {self.lines}; "
                                f"stderr: {Path(self.log).read_text()}")
                self._cond.wait(left)

    def events(self):
        with self._cond:
            return [line for line in self.lines if line.startswith("EVENT")]

    def alive(self):
        return self.proc.poll() is None

    @contextlib.contextmanager
    def frozen(self):
        """Stops every thread of the server, so that whatever the body does
        to the filesystem happens before the keeper can look."""
        os.kill(self.pid, signal.SIGSTOP)
        try:
            deadline = time.monotonic() + TIMEOUT
            tasks = Path(f"/proc/{self.pid}/task")
            while not all(t.joinpath("stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
                          for t in tasks.iterdir()):
                assert time.monotonic() < deadline, "sk-serve did not stop"
                time.sleep(0.001)
            yield
        finally:
            os.kill(self.pid, signal.SIGCONT)

    def stop(self):
        """Stops the server; returns what went wrong, or None. A nonzero exit
        is how sanitizer findings and accept-loop failures surface."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return f"sk-serve {self.pid} ignored SIGTERM; stderr: {Path(self.log).read_text()}"
        if rc != 0:
            return f"sk-serve {self.pid} exited with {rc}; stderr: {Path(self.log).read_text()}"
        return None


@pytest.fixture(scope="session", autouse=True)
def state_directory(tmp_path_factory):
    """The keepers' state directory ($STATE_DIRECTORY, as systemd sets it
    for StateDirectory=), where their anchors go when it is on the socket's
    filesystem: a scratch one, never the machine's /var/lib/sockkeeper."""
    d = tmp_path_factory.mktemp("state")
    os.environ["STATE_DIRECTORY"] = str(d)
    return d


@pytest.fixture(scope="session")
def netns():
    """The command prefix that runs a server in a new network namespace,
    where /proc/net/unix no longer shows its socket to systemd-tmpfiles."""
    try:
        ok = subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=TIMEOUT).returncode == 0
    except FileNotFoundError:
        ok = False
    if not ok:
        pytest.skip("`unshare -n` is not permitted here (needs root or user namespaces)")
    return ["unshare", "-n"]


@pytest.fixture(scope="session")
def named_netns(netns):
    """A network namespace named by `ip netns add` (under /run/netns), and
    the command prefix that runs a process in it; deleted at the end."""
    name = f"sk-test-{os.getpid()}"
    try:
        ok = subprocess.run(["ip", "netns", "add", name], capture_output=True, timeout=TIMEOUT).returncode == 0
    except FileNotFoundError:
        ok = False
    if not ok:
        pytest.skip("`ip netns add` is not permitted here")
    try:
        yield name, ["ip", "netns", "exec", name]
    finally:
        subprocess.run(["ip", "netns", "delete", name], capture_output=True, timeout=TIMEOUT)


@pytest.fixture
def root(tmp_path):
    """Fixture root R for the cleaners: R/etc/tmpfiles.d/tmp.conf ages R/tmp
    by atime and mtime only, since ctime and btime cannot be set back."""
    r = tmp_path / "root"
    (r / "etc/tmpfiles.d").mkdir(parents=True)
    (r / "etc/tmpfiles.d/tmp.conf").write_text("d /tmp 1777 root root am:1d\n")
    (r / "tmp").mkdir()
    os.chmod(r / "tmp", 0o1777)
    return r


@pytest.fixture
def area():
    """A directory below /tmp that user nobody can look into too (pytest's
    tmp_path is root's alone): a miss there is ENOENT for nobody as well."""
    top = Path(tempfile.mkdtemp(prefix="sk-area-", dir="/tmp"))
    os.chmod(top, 0o755)
    try:
        yield top
    finally:
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def serve(tmp_path):
    """serve(path, *options, prefix=[]) starts sk-serve and waits for READY.
    Every server is stopped at teardown, and must exit with status 0."""
    exe = os.environ.get("SK_SERVE")
    if not exe:
        pytest.fail("SK_SERVE is not set; run this suite through `meson test --suite integration`")
    servers = []

    def start(path, *options, prefix=()):
        server = Server([*prefix, exe, "--path", str(path), *options], tmp_path / f"sk-serve-{len(servers)}.stderr")
        servers.append(server)
        server.wait_ready()
        return server

    yield start
    problems = [p for p in (s.stop() for s in servers) if p]
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture
def guard():
    """guard(*args) starts `sockkeeper guard`; every guard is stopped at teardown."""
    from guardlib import Guard
    guards = []

    def start(*args, prefix=()):
        g = Guard(*args, prefix=prefix)
        guards.append(g)
        return g

    yield start
    for g in guards:
        g.stop()
