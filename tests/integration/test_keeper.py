# SPDX-License-Identifier: MIT
"""The keeper's other layers through the built binaries: rebind when the
anchor is gone too, conflicts left alone, polling detection, refresh as
prevention."""

import errno
import os
import time

import pytest

from conftest import TIMEOUT, age, ask, clean, fields

MODES = ["thread", "loop"]


def assert_same_loop(reply, first, srv, conn):
    assert (reply.errno, reply.pid, reply.loop, reply.fd, reply.conn) == (0, first.pid, first.loop, srv.fd, conn)


@pytest.mark.parametrize("mode", MODES)
def test_rebind_keeps_fd_and_loop(root, serve, mode):
    path = root / "tmp/rebind.sock"
    anchors = root / "anchors"
    anchors.mkdir(mode=0o700)
    srv = serve(path, "--mode", mode, "--anchor-dir", str(anchors))
    assert os.path.dirname(srv.anchor) == str(anchors)
    old_ino = os.lstat(path).st_ino
    assert os.lstat(srv.anchor).st_ino == old_ino
    first = ask(path)
    assert first.errno == 0

    # Both go before the keeper looks; otherwise it re-creates the anchor
    # within microseconds and the second unlink is merely relinked.
    with srv.frozen():
        os.unlink(srv.anchor)
        os.unlink(path)

    ev = fields(srv.expect("EVENT rebound"))
    new_ino = os.lstat(path).st_ino
    assert (int(ev["old_ino"]), int(ev["new_ino"]), int(ev["fd"])) == (old_ino, new_ino, srv.fd)
    assert new_ino != old_ino
    assert_same_loop(ask(path), first, srv, 2)

    # The new socket is defended as well: a fresh anchor brings it back.
    os.unlink(path)
    srv.expect("EVENT relinked")
    assert os.lstat(path).st_ino == new_ino
    assert_same_loop(ask(path), first, srv, 3)


@pytest.mark.parametrize("mode", MODES)
def test_conflict_leaves_file_alone(root, serve, mode):
    path = root / "tmp/conflict.sock"
    srv = serve(path, "--mode", mode)
    first = ask(path)
    assert first.errno == 0

    with srv.frozen():
        os.unlink(path)
        path.write_text("somebody else's file\n")

    srv.expect("EVENT conflict kind=regular file")
    time.sleep(0.2)  # a keeper that took the path would have done so by now
    assert path.read_text() == "somebody else's file\n"
    assert ask(path).errno == errno.ECONNREFUSED

    path.unlink()
    srv.expect("EVENT relinked")
    assert_same_loop(ask(path), first, srv, 2)
    assert [e for e in srv.events() if e.startswith("EVENT conflict")] == ["EVENT conflict kind=regular file"]


@pytest.mark.parametrize("mode", MODES)
def test_poll_detection_relinks(root, serve, mode):
    path = root / "tmp/poll.sock"
    srv = serve(path, "--mode", mode, "--poll", "50000")
    first = ask(path)
    assert first.errno == 0

    with srv.frozen():
        age(path)
        clean("find", root)
        assert not os.path.lexists(path)

    srv.expect("EVENT relinked")
    assert_same_loop(ask(path), first, srv, 2)


@pytest.mark.parametrize("mode", MODES)
def test_no_relink_rebinds_after_cleaner(root, serve, mode):
    path = root / "tmp/norelink.sock"
    srv = serve(path, "--mode", mode, "--no-relink")
    assert srv.anchor is None
    first = ask(path)
    assert first.errno == 0

    age(path)
    clean("find", root)

    assert int(fields(srv.expect("EVENT rebound"))["fd"]) == srv.fd
    assert_same_loop(ask(path), first, srv, 2)


@pytest.mark.parametrize("mode", MODES)
def test_refresh_keeps_socket_young(root, serve, mode):
    path = root / "tmp/refresh.sock"
    srv = serve(path, "--mode", mode, "--refresh", "100000")
    first = ask(path)
    ino = os.lstat(path).st_ino

    age(path)
    deadline = time.monotonic() + TIMEOUT
    while os.lstat(path).st_mtime < time.time() - 60:
        assert time.monotonic() < deadline, "the keeper did not refresh the aged socket"
        time.sleep(0.02)
    srv.expect("EVENT refreshed")
    clean("find", root)

    assert os.lstat(path).st_ino == ino
    assert not [e for e in srv.events() if not e.startswith("EVENT refreshed")]
    assert_same_loop(ask(path), first, srv, 2)

