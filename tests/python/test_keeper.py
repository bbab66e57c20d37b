# SPDX-License-Identifier: MIT
"""SockKeeper in this process: rebind under a blocked accept(), on_rebind's
arguments and thread, watch=False, the GIL around blocking calls, callback
exceptions, the context manager, fork, socket activation."""

import errno
import os
import socket
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from conftest import TIMEOUT, python_argv, threads, wait_for
from in_accept import UNKNOWN_ARCH, thread_in_accept
from sockkeeper import Event, EventType, SockKeeper


def connect_and_read(path):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(TIMEOUT)
        s.connect(str(path))
        return s.recv(64)


class AcceptLoop:
    """keeper.sock.accept() in a Python thread, as a daemon does; each
    client gets b"hello N"."""

    def __init__(self, keeper):
        self.keeper = keeper
        self.errors = []
        self.count = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        sock = self.keeper.sock
        try:
            while True:
                conn, _ = sock.accept()
                self.count += 1
                with conn:
                    conn.sendall(b"hello %d" % self.count)
        except OSError as e:
            # The end: close() detached the socket under us.
            if not self.keeper.closed:
                self.errors.append(e)


@pytest.mark.skipif(UNKNOWN_ARCH is not None, reason=str(UNKNOWN_ARCH))
def test_rebind_same_sock_object_accepts_next_client(tmp_path):
    path = tmp_path / "rebind.sock"
    calls = []
    main = threading.get_native_id()

    def on_rebind(keeper, event):
        calls.append((keeper, event, threading.get_native_id()))

    with SockKeeper(path, watch=True, on_rebind=on_rebind) as keeper:
        sock = keeper.sock
        fd = sock.fileno()
        old_ino = os.lstat(path).st_ino
        loop = AcceptLoop(keeper)
        assert connect_and_read(path) == b"hello 1"
        acceptor = wait_for(lambda: loop.thread.native_id, what="the accept thread")
        wait_for(lambda: thread_in_accept(acceptor), what="the accept thread to block in accept()")

        # Path and anchor both go while the keeper thread is stopped, so
        # that it cannot make a new anchor from the path in between.
        keeper.stop()
        os.unlink(keeper.anchor_path)
        os.unlink(path)
        keeper.start()

        wait_for(lambda: calls, what="on_rebind")
        assert connect_and_read(path) == b"hello 2"
        new_ino = os.lstat(path).st_ino
        assert new_ino != old_ino
        assert keeper.sock is sock and sock.fileno() == fd
        assert loop.errors == []

    [(k, ev, tid)] = calls
    assert k is keeper and isinstance(ev, Event)
    assert (ev.type, ev.name, ev.path, ev.fd) == (EventType.REBOUND, "rebound", str(path), fd)
    assert (ev.old_ino, ev.new_ino) == (old_ino, new_ino)
    # The keeper thread: neither the caller's nor the accepting one, and
    # gone once the keeper is closed.
    assert tid not in (main, acceptor)
    assert tid not in threads()


@pytest.mark.skipif(UNKNOWN_ARCH is not None, reason=str(UNKNOWN_ARCH))
def test_accept_interrupted_by_rebind_without_thread(tmp_path):
    # check() on this thread heals while another is blocked in accept().
    path = tmp_path / "check.sock"
    with SockKeeper(path, relink=False) as keeper:
        loop = AcceptLoop(keeper)
        acceptor = wait_for(lambda: loop.thread.native_id)
        wait_for(lambda: thread_in_accept(acceptor), what="the accept thread to block in accept()")
        os.unlink(path)
        assert keeper.check() == EventType.REBOUND
        assert connect_and_read(path) == b"hello 1"
        assert loop.errors == []


def test_watch_false_starts_no_thread_and_check_heals(tmp_path):
    path = tmp_path / "nowatch.sock"
    events = []
    before = threads()
    with SockKeeper(path, watch=False, on_event=lambda k, e: events.append((e.type, threading.get_native_id()))) \
            as keeper:
        assert threads() == before
        assert not keeper.watching
        ino = os.lstat(path).st_ino
        os.unlink(path)
        assert not os.path.lexists(path)
        assert keeper.check() == EventType.RELINKED
        assert os.lstat(path).st_ino == ino
        assert events == [(EventType.RELINKED, threading.get_native_id())]
        assert keeper.check() == 0
        # check() may ask another network namespace through a thread that
        # it joins before it returns; the kernel lists a joined thread for
        # a moment more. None may stay.
        wait_for(lambda: threads() == before, what="no thread left after check()")
        with pytest.raises(OSError) as e:
            keeper.start()
            keeper.check()
        assert e.value.errno == errno.EBUSY


def test_watch_interval_is_the_backstop_in_poll_mode(tmp_path):
    path = tmp_path / "poll.sock"
    relinked = threading.Event()
    with SockKeeper(path, watch=True, watch_interval=0.05, poll=True,
                    on_event=lambda k, e: e.type == EventType.RELINKED and relinked.set()):
        os.unlink(path)
        assert relinked.wait(TIMEOUT)
        assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_stop_releases_the_gil_while_a_callback_waits(tmp_path):
    # The keeper thread sits in a callback that waits for another Python
    # thread; stop() must wait for the keeper thread without the GIL, or
    # neither could ever move. A subprocess, so that a deadlock is a
    # timeout here rather than a hung suite.
    code = textwrap.dedent(f"""
        import os, sys, threading
        from sockkeeper import SockKeeper
        entered, go = threading.Event(), threading.Event()
        def on_event(keeper, ev):
            entered.set()
            go.wait()
        path = {str(tmp_path / "gil.sock")!r}
        keeper = SockKeeper(path, watch=True, on_event=on_event)
        os.unlink(path)
        assert entered.wait(5)
        counted = []
        def other():
            for i in range(100000):
                counted.append(i)
            go.set()
        threading.Thread(target=other).start()
        keeper.stop()
        assert len(counted) == 100000
        keeper.close()
        print("ok")
    """)
    p = subprocess.run(python_argv("-c", code), capture_output=True, text=True, timeout=30)
    assert (p.returncode, p.stdout.strip()) == (0, "ok"), p.stderr


def test_other_threads_run_while_the_keeper_heals(tmp_path):
    path = tmp_path / "busy.sock"
    in_callback, release = threading.Event(), threading.Event()
    progress = []

    def on_event(keeper, ev):
        in_callback.set()
        assert release.wait(TIMEOUT)

    with SockKeeper(path, watch=True, on_event=on_event):
        os.unlink(path)
        assert in_callback.wait(TIMEOUT)
        # The keeper thread is inside its callback: this thread still runs.
        for i in range(1000):
            progress.append(i)
        release.set()
    assert len(progress) == 1000


def test_callback_exception_is_reported_and_keeper_goes_on(tmp_path, monkeypatch):
    path = tmp_path / "raise.sock"
    reported = []
    relinks = []

    def on_event(keeper, ev):
        if ev.type == EventType.RELINKED:
            relinks.append(ev)
            raise RuntimeError(f"callback failure {len(relinks)}")

    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append((u.exc_value, u.object)))
    with SockKeeper(path, watch=True, on_event=on_event):
        ino = os.lstat(path).st_ino
        for n in (1, 2, 3):
            os.unlink(path)
            wait_for(lambda: len(reported) == n, what=f"report {n}")
            assert os.lstat(path).st_ino == ino
    assert [str(e) for e, _ in reported] == ["callback failure 1", "callback failure 2", "callback failure 3"]
    assert all(obj is on_event for _, obj in reported)


def test_on_rebind_exception_does_not_stop_on_event(tmp_path, monkeypatch):
    path = tmp_path / "both.sock"
    seen = []
    reported = []

    def on_rebind(keeper, ev):
        raise ValueError("on_rebind failed")

    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_value))
    with SockKeeper(path, relink=False, on_rebind=on_rebind, on_event=lambda k, e: seen.append(e.type)) as keeper:
        os.unlink(path)
        assert keeper.check() == EventType.REBOUND
        os.unlink(path)
        assert keeper.check() == EventType.REBOUND
    assert seen == [EventType.REBOUND, EventType.REBOUND]
    assert [str(e) for e in reported] == ["on_rebind failed", "on_rebind failed"]


def test_callback_may_not_reenter_the_keeper(tmp_path, monkeypatch):
    path = tmp_path / "reenter.sock"
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_value))

    def on_event(keeper, ev):
        assert keeper.anchor_path  # getters are fine
        keeper.close()

    with SockKeeper(path, on_event=on_event) as keeper:
        os.unlink(path)
        assert keeper.check() == EventType.RELINKED
        assert not keeper.closed and keeper.sock.fileno() >= 0
        # From the keeper thread as well.
        keeper.start()
        os.unlink(path)
        wait_for(lambda: len(reported) == 2, what="the second report")
        assert not keeper.closed and keeper.sock.fileno() >= 0
        assert os.path.exists(path)
    assert len(reported) == 2 and all(isinstance(e, RuntimeError) for e in reported)


def test_close_removes_path_and_anchor(tmp_path):
    path = tmp_path / "ctx.sock"
    with SockKeeper(path, watch=True) as keeper:
        anchor = keeper.anchor_path
        assert os.lstat(anchor).st_ino == os.lstat(path).st_ino
        sock = keeper.sock
    assert not os.path.lexists(path) and not os.path.lexists(anchor)
    assert keeper.closed and sock.fileno() == -1
    with pytest.raises(ValueError):
        keeper.sock
    keeper.close()


def test_close_leaves_a_file_that_is_not_ours(tmp_path):
    path = tmp_path / "taken.sock"
    with SockKeeper(path) as keeper:
        anchor = keeper.anchor_path
        os.unlink(path)
        path.write_text("not a socket\n")
        assert keeper.check() == EventType.CONFLICT
    assert path.read_text() == "not a socket\n"
    assert not os.path.lexists(anchor)


def test_closing_sock_leaves_the_keepers_fd(tmp_path):
    path = tmp_path / "sockclose.sock"
    with SockKeeper(path) as keeper:
        fd = keeper.sock.fileno()
        keeper.sock.close()
        # The fd is the keeper's, still open and listening.
        s = socket.socket(fileno=os.dup(fd))
        assert s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1
        s.close()


def test_forked_child_leaves_the_path_to_the_parent(tmp_path):
    path = tmp_path / "fork.sock"
    with SockKeeper(path) as keeper:
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                try:
                    keeper.check()
                except RuntimeError as e:
                    status = 0 if "forked child may only close() it" in str(e) else 3
                keeper.close()
                keeper.close()
            finally:
                os._exit(status)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
        assert os.path.lexists(keeper.anchor_path)
        with socket.socket(socket.AF_UNIX) as c:
            c.connect(str(path))
            conn, _ = keeper.sock.accept()
            conn.close()


@pytest.mark.parametrize("socktype", [socket.SOCK_STREAM, socket.SOCK_SEQPACKET, socket.SOCK_DGRAM])
def test_socket_types(tmp_path, socktype):
    path = tmp_path / "typed.sock"
    with SockKeeper(path, type=socktype, mode=0o600, sticky=True) as keeper:
        assert keeper.sock.type == socktype
        st = os.lstat(path)
        assert stat.S_IMODE(st.st_mode) == 0o600 | stat.S_ISVTX


def test_socket_activation_adopts(tmp_path):
    path = tmp_path / "activated.sock"
    code = textwrap.dedent(f"""
        from sockkeeper import SockKeeper
        keeper = SockKeeper({str(path)!r})
        conn, _ = keeper.sock.accept()
        conn.sendall(f"adopted={{keeper.adopted}} fd={{keeper.sock.fileno()}}".encode())
        conn.close()
        keeper.close()
    """)
    try:
        proc = subprocess.Popen(["systemd-socket-activate", "-l", str(path), "-E", "PYTHONPATH",
                                 "-E", "STATE_DIRECTORY", *python_argv("-c", code)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except FileNotFoundError:
        pytest.skip("systemd-socket-activate is not installed")
    def activated():
        assert proc.poll() is None, proc.stderr.read()
        try:
            return connect_and_read(path)
        except (FileNotFoundError, ConnectionRefusedError):
            return None  # not listening yet

    try:
        assert wait_for(activated, what="systemd-socket-activate") == b"adopted=True fd=3"
        # The file is systemd's: close() leaves it.
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        proc.terminate()
        proc.communicate(timeout=TIMEOUT)
