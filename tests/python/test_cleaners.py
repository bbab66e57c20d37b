# SPDX-License-Identifier: MIT
"""The real cleaners against a Python daemon (pydaemon.py): without
sockkeeper the socket file goes and the daemon is stranded; with
SockKeeper(..., watch=True) its original accept loop serves the next
client on the same fd, through the same inode."""

import errno
import os
import stat
import time

import pytest

from sk_integration import age, ask, clean

# tmpfiles spares a socket whose bind path it finds in /proc/net/unix, so it
# strikes a daemon in another network namespace (as the C suite's matrix).
CLEANERS = [
    pytest.param("tmpfiles", True, id="tmpfiles-netns"),
    pytest.param("tmpreaper", False, id="tmpreaper"),
    pytest.param("find", False, id="find"),
]


def prefix_for(request, in_netns):
    return request.getfixturevalue("netns") if in_netns else ()


@pytest.mark.parametrize("cleaner,in_netns", CLEANERS)
def test_cleaner_strands_plain_python_daemon(root, pyserve, request, cleaner, in_netns):
    path = root / "tmp/plain.sock"
    srv = pyserve(path, "--plain", prefix=prefix_for(request, in_netns))
    assert ask(path).errno == 0

    age(path)
    clean(cleaner, root)

    assert not os.path.lexists(path)
    assert ask(path).errno == errno.ENOENT
    assert srv.alive(), "the daemon should look healthy while nobody can reach it"


@pytest.mark.parametrize("cleaner,in_netns", CLEANERS)
def test_sockkeeper_keeps_python_daemon_reachable(root, pyserve, request, cleaner, in_netns):
    path = root / "tmp/kept.sock"
    srv = pyserve(path, prefix=prefix_for(request, in_netns))
    first = ask(path)
    assert (first.errno, first.pid, first.fd, first.conn) == (0, srv.pid, srv.fd, 1)
    ino = os.lstat(path).st_ino

    age(path)
    clean(cleaner, root)

    srv.expect("EVENT relinked")
    st = os.lstat(path)
    assert stat.S_ISSOCK(st.st_mode) and st.st_ino == ino
    assert st.st_mtime > time.time() - 60, "a relinked socket must look fresh to the next cleaner run"
    again = ask(path)
    assert (again.errno, again.pid, again.fd, again.conn) == (0, first.pid, srv.fd, 2)
    assert not [e for e in srv.events() if not e.startswith("EVENT relinked")]
