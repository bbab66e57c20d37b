# SPDX-License-Identifier: MIT
"""Real tmp cleaners against real servers: without a keeper the socket file
goes and the daemon is stranded; with a keeper (thread or event loop) the
original accept loop keeps serving on the same fd."""

import errno
import os
import stat
import time

import pytest

from conftest import DAY, age, ask, clean

MODES = ["thread", "loop"]

# tmpfiles spares a socket whose absolute bind path it finds in
# /proc/net/unix, so it strikes only when that table does not show it: the
# listener sits in another network namespace, or bound a relative name.
BASELINES = [
    pytest.param("tmpfiles", True, False, id="tmpfiles-netns"),
    pytest.param("tmpfiles", False, True, id="tmpfiles-relative"),
    pytest.param("tmpreaper", False, False, id="tmpreaper"),
    pytest.param("find", False, False, id="find"),
]
KEPT = [
    pytest.param("tmpfiles", True, id="tmpfiles-netns"),
    pytest.param("tmpreaper", False, id="tmpreaper"),
    pytest.param("find", False, id="find"),
]


@pytest.mark.parametrize("cleaner,in_netns,relative", BASELINES)
def test_cleaner_strands_plain_daemon(root, serve, request, cleaner, in_netns, relative):
    path = root / "tmp/plain.sock"
    prefix = request.getfixturevalue("netns") if in_netns else ()
    srv = serve(path, "--mode", "none", *(["--relative"] if relative else []), prefix=prefix)
    assert ask(path).errno == 0

    age(path)
    clean(cleaner, root)

    assert not os.path.lexists(path)
    assert ask(path).errno == errno.ENOENT
    assert srv.alive(), "the daemon should look healthy while nobody can reach it"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cleaner,in_netns", KEPT)
def test_keeper_survives_cleaner(root, serve, request, cleaner, in_netns, mode):
    path = root / "tmp/kept.sock"
    prefix = request.getfixturevalue("netns") if in_netns else ()
    srv = serve(path, "--mode", mode, prefix=prefix)
    first = ask(path)
    assert (first.errno, first.pid, first.fd) == (0, srv.pid, srv.fd)
    ino = os.lstat(path).st_ino

    age(path)
    clean(cleaner, root)

    # A relink happens only after the keeper found the path gone.
    srv.expect("EVENT relinked")
    st = os.lstat(path)
    assert stat.S_ISSOCK(st.st_mode) and st.st_ino == ino
    assert st.st_mtime > time.time() - 60, "a relinked socket must look fresh to the next cleaner run"
    again = ask(path)
    assert (again.errno, again.pid, again.loop, again.fd, again.conn) == (0, first.pid, first.loop, srv.fd, 2)
    assert not [e for e in srv.events() if not e.startswith("EVENT relinked")]


@pytest.mark.parametrize("mode", ["none", *MODES])
def test_tmpfiles_spares_absolute_bind(root, serve, mode):
    path = root / "tmp/live.sock"
    srv = serve(path, "--mode", mode)
    first = ask(path)
    ino = os.lstat(path).st_ino

    age(path)
    clean("tmpfiles", root)

    st = os.lstat(path)
    # Still aged: a delete and relink would have refreshed the timestamps.
    assert st.st_ino == ino and st.st_mtime < time.time() - DAY
    assert srv.events() == []
    again = ask(path)
    assert (again.errno, again.loop, again.fd, again.conn) == (0, first.loop, srv.fd, 2)
