# SPDX-License-Identifier: MIT
"""The package's surface: exceptions of the standard classes with the
library's words, no fd or reference leaks, the asyncio helper,
sockkeeper.check(), and documentation on everything public."""

import asyncio
import errno
import gc
import inspect
import json
import os
import pydoc
import socket
import subprocess
import weakref

import pytest

import sockkeeper
from conftest import TIMEOUT, open_fds, python_argv, threads, wait_for
from sockkeeper import EventType, SockKeeper


def test_signature_is_the_original_one():
    params = inspect.signature(SockKeeper).parameters
    positional = [(p.name, p.default) for p in params.values() if p.kind == p.POSITIONAL_OR_KEYWORD]
    assert positional == [("path", inspect.Parameter.empty), ("mode", 0o660), ("backlog", 16),
                          ("watch", False), ("watch_interval", 60.0), ("on_rebind", None)]
    assert all(p.kind == p.KEYWORD_ONLY for p in params.values() if p.name not in dict(positional))


def test_live_socket_is_file_exists(tmp_path):
    path = tmp_path / "live.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        s.listen()
        fds = open_fds()
        with pytest.raises(FileExistsError) as e:
            SockKeeper(path)
        assert open_fds() == fds
    assert e.value.errno == errno.EADDRINUSE
    assert e.value.filename == str(path)
    assert "live socket at the path, left alone" in str(e.value)


@pytest.mark.parametrize("what,exc,err,words", [
    ("file", FileExistsError, errno.EEXIST, "regular file at the path"),
    ("symlink", OSError, errno.ELOOP, "symlink at the path"),
    ("directory", IsADirectoryError, errno.EISDIR, "directory at the path"),
])
def test_things_in_the_way_are_left_alone(tmp_path, what, exc, err, words):
    path = tmp_path / "taken.sock"
    target = tmp_path / "target"
    target.write_text("target\n")
    if what == "file":
        path.write_text("mine\n")
    elif what == "symlink":
        path.symlink_to(target)
    else:
        path.mkdir()
    with pytest.raises(exc) as e:
        SockKeeper(path)
    assert e.value.errno == err and words in str(e.value) and str(path) in str(e.value)
    assert target.read_text() == "target\n"
    assert os.path.lexists(path)


def test_another_users_socket_is_permission_error(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("making a socket of another user needs root")
    path = tmp_path / "theirs.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
    os.lchown(path, 65534, 65534)
    with pytest.raises(PermissionError) as e:
        SockKeeper(path)
    assert e.value.errno == errno.EPERM and "socket owned by another user" in str(e.value)
    assert os.lstat(path).st_uid == 65534


def test_path_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        SockKeeper(tmp_path / "missing/dir.sock")
    with pytest.raises(ValueError, match="is not an absolute socket path"):
        SockKeeper("relative.sock")
    with pytest.raises(ValueError, match="'..' component"):
        SockKeeper(tmp_path / ".." / "x.sock")
    with pytest.raises(OSError) as e:
        SockKeeper("/tmp/" + "x" * 200)
    assert e.value.errno == errno.ENAMETOOLONG and "limit 107 bytes" in str(e.value)
    with pytest.raises(ValueError, match="mode"):
        SockKeeper(tmp_path / "m.sock", mode=0o10000)
    with pytest.raises(ValueError, match="watch_interval"):
        SockKeeper(tmp_path / "w.sock", watch_interval=0)
    with pytest.raises(TypeError):
        SockKeeper(tmp_path / "c.sock", on_rebind=42)
    assert not os.path.lexists(tmp_path / "m.sock")


def test_abstract_socket(tmp_path):
    name = f"@sockkeeper-test-{os.getpid()}"
    with SockKeeper(name) as keeper:
        assert keeper.anchor_path is None
        with socket.socket(socket.AF_UNIX) as c:
            c.connect("\0" + name[1:])


def test_no_fd_or_reference_leaks_over_1000_cycles(tmp_path):
    path = tmp_path / "cycle.sock"

    def cycle(i):
        events = []
        with SockKeeper(path, watch=(i % 10 == 0), on_event=lambda k, e: events.append(e)) as keeper:
            if i % 50 == 0:
                os.unlink(path)
                if not keeper.watching:
                    keeper.check()
                wait_for(lambda: os.path.exists(path), what="the path back")
            with socket.socket(socket.AF_UNIX) as c:
                c.connect(str(path))
                conn, _ = keeper.sock.accept()
                conn.close()
        # Dropped without close(): collected, and closed, at once.
        SockKeeper(path, on_rebind=lambda k, e: None)

    for i in range(20):  # warm-up: caches, interned strings, the enum
        cycle(i)
    gc.collect()
    fds, task_count, objects = open_fds(), len(threads()), len(gc.get_objects())
    for i in range(1000):
        cycle(i)
    gc.collect()
    assert open_fds() == fds
    assert len(threads()) == task_count
    # A leak per cycle would show as a thousand objects or more.
    assert len(gc.get_objects()) - objects < 100
    assert not os.path.lexists(path)


def test_dropped_keeper_is_freed_and_closes(tmp_path):
    path = tmp_path / "dropped.sock"
    keeper = SockKeeper(path, watch=True, on_rebind=lambda k, e: None)
    ref = weakref.ref(keeper)
    del keeper
    # No reference cycle: freed without the collector.
    assert ref() is None
    assert not os.path.lexists(path)


def test_asyncio_server_survives_rebind(tmp_path):
    path = tmp_path / "aio.sock"
    rebinds = []

    async def client(reader, writer):
        writer.write(b"hello from asyncio\n")
        await writer.drain()
        writer.close()

    async def ask():
        reader, writer = await asyncio.open_unix_connection(str(path))
        line = await reader.readline()
        writer.close()
        return line

    async def main():
        with SockKeeper(path, on_rebind=lambda k, e: rebinds.append(e)) as keeper:
            server = await asyncio.start_unix_server(client, sock=keeper.sock)
            keeper.add_reader()
            assert await ask() == b"hello from asyncio\n"
            os.unlink(keeper.anchor_path)
            os.unlink(path)
            # Healed by the loop's reader, on this thread.
            deadline = asyncio.get_running_loop().time() + TIMEOUT
            while not rebinds:
                assert asyncio.get_running_loop().time() < deadline, "no rebind"
                await asyncio.sleep(0.001)
            assert await asyncio.wait_for(ask(), TIMEOUT) == b"hello from asyncio\n"
            keeper.remove_reader()
            server.close()
            await server.wait_closed()

    asyncio.run(main())
    assert len(rebinds) == 1

    loop = asyncio.new_event_loop()
    try:
        with SockKeeper(path, watch=True) as keeper, pytest.raises(RuntimeError, match="watch=True"):
            keeper.add_reader(loop)
    finally:
        loop.close()


def test_event_loop_mode_with_fileno_and_process(tmp_path):
    import selectors

    path = tmp_path / "loop.sock"
    with SockKeeper(path) as keeper, selectors.DefaultSelector() as sel:
        sel.register(keeper, selectors.EVENT_READ)
        os.unlink(path)
        assert sel.select(TIMEOUT)
        assert keeper.process() == EventType.RELINKED
        assert os.path.exists(path)


def test_check_returns_the_tools_json(tmp_path, root):
    path = root / "tmp/checked.sock"
    result = sockkeeper.check(path, root=root)
    cli = subprocess.run([os.environ["SOCKKEEPER"], "check", "--json", f"--root={root}", str(path)],
                         capture_output=True, text=True)
    assert result == json.loads(cli.stdout)[0]
    assert result["path"] == str(path) and result["rating"] in ("ok", "caution", "risky", "error")
    with pytest.raises(ValueError, match="'..'"):
        sockkeeper.check("/tmp/../x.sock")


def test_everything_public_is_documented():
    text = pydoc.render_doc(SockKeeper, renderer=pydoc.plaintext)
    for words in ("watch_interval=60.0", "on_rebind", "keeper thread", "FileExistsError",
                  "sys.unraisablehook", "accept()"):
        assert words in text, words
    for name in sockkeeper.__all__:
        obj = getattr(sockkeeper, name)
        assert inspect.getdoc(obj), name
    for name, member in inspect.getmembers(SockKeeper):
        if not name.startswith("_"):
            assert inspect.getdoc(member), name
    assert inspect.getdoc(sockkeeper.SockKeeper(
        "@sockkeeper-doc-%d" % os.getpid()).sock.accept).startswith("accept()")


def test_help_in_a_fresh_interpreter():
    p = subprocess.run(python_argv("-c", "import sockkeeper; help(sockkeeper.SockKeeper)"),
                       capture_output=True, text=True, env={**os.environ, "PAGER": "cat"}, timeout=TIMEOUT)
    assert p.returncode == 0 and "class SockKeeper" in p.stdout and "on_rebind" in p.stdout
