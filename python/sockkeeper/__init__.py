# SPDX-License-Identifier: MIT
"""Keep a listening AF_UNIX socket reachable at its path.

A tmp cleaner (``systemd-tmpfiles --clean``, ``tmpreaper --all``, a cron
``find -delete``) deletes a socket file that looks old; the daemon keeps
listening on its fd and nobody can connect any more. A SockKeeper binds the
socket for you and defends its path: it keeps the file's timestamps fresh,
links the very same inode back within microseconds when the path is
deleted, and, if its hidden second link (the anchor) is gone too, binds a
new socket onto the same fd number. Built on libsockkeeper(3).

    from sockkeeper import SockKeeper

    with SockKeeper("/tmp/myservice.sock", watch=True) as keeper:
        while True:
            conn, _ = keeper.sock.accept()
            handle(conn)

See help(SockKeeper), and sockkeeper(1) for the command-line tool.
"""

import atexit
import enum
import errno
import json
import os
import socket
import subprocess
import threading
import weakref

from . import _sockkeeper
from ._config import BINDIR as _BINDIR, VERSION as __version__

__all__ = ["SockKeeper", "Event", "EventType", "check"]


class EventType(enum.IntFlag):
    """What the keeper did. The values are libsockkeeper's sk_event_type
    bits, so check() and process() return them ORed together."""

    REFRESHED = _sockkeeper.EVENT_REFRESHED
    """The file's timestamps (and sticky bit) were renewed."""
    RELINKED = _sockkeeper.EVENT_RELINKED
    """The deleted path was linked back to the same socket inode."""
    REBOUND = _sockkeeper.EVENT_REBOUND
    """A new socket now sits on the same fd number."""
    CONFLICT = _sockkeeper.EVENT_CONFLICT
    """Something that is not ours stands at the path; left alone."""
    ERROR = _sockkeeper.EVENT_ERROR
    """An operation failed; it is retried."""
    PARENT_RESTORED = _sockkeeper.EVENT_PARENT_RESTORED
    """The removed directory of the socket was re-created."""
    ATTACHED = _sockkeeper.EVENT_ATTACHED
    LOST = _sockkeeper.EVENT_LOST


class Event:
    """One event of a keeper, as handed to on_event and on_rebind.

    Always: ``type`` (an EventType member), ``name`` (the library's name
    for it, such as ``"rebound"``) and ``path``. The rest depends on the
    type, with the names of libsockkeeper's ``sk_event`` union:

    RELINKED
        ``usec``: microseconds from noticing the loss to the link being back.
    REBOUND
        ``fd`` (the stable fd, now the new socket), ``old_ino`` and
        ``new_ino`` (the inode numbers of the old and the new socket file),
        ``usec``, and ``old_fd``: a duplicate of the old, shut-down socket,
        valid only during the callback (connections still queued on it can
        be accepted from it there: ``socket.socket(fileno=os.dup(ev.old_fd))``).
    CONFLICT
        ``kind`` (such as ``"regular file"``, ``"symlink"``, ``"another
        socket"``), ``mode`` (its st_mode), ``uid``, ``gid``.
    ERROR
        ``error`` (an errno), ``strerror``, ``operation`` (what failed, in
        words meant for a log), ``retry_usec``.
    PARENT_RESTORED
        ``mode``: the mode the re-created directory got.
    """

    def __init__(self, type, path, fields):
        self.type = EventType(type)
        self.name = _sockkeeper.event_type_name(type)
        self.path = path
        self.__dict__.update(fields)

    def __repr__(self):
        extra = "".join(f", {k}={v!r}" for k, v in self.__dict__.items() if k not in ("type", "name", "path"))
        return f"<sockkeeper.Event {self.name} path={self.path!r}{extra}>"


class _KeptSocket(socket.socket):
    """A socket.socket on the keeper's own fd. It never closes that fd:
    close() only lets go of it, and the keeper closes it. accept() retries
    once the keeper has rebound, since the same fd number then names the
    new socket."""

    __slots__ = ()

    def accept(self):
        """accept() -> (socket object, address info)

        As socket.socket.accept(); an accept that a rebind interrupts (the
        old socket is shut down and the call fails with EINVAL) is retried
        on the new socket behind the same fd, without an exception."""
        while True:
            before = os.fstat(self.fileno()).st_ino
            try:
                return super().accept()
            except OSError as e:
                # Another socket inode behind the fd: ours was rebound.
                if e.errno != errno.EINVAL or os.fstat(self.fileno()).st_ino == before:
                    raise

    def dup(self):
        """dup() -> socket object

        A plain socket.socket on a duplicate of the fd. Beware: after a
        rebind it still names the old, shut-down socket; use the keeper's
        ``sock`` itself to go on serving."""
        return socket.socket(self.family, self.type, self.proto, fileno=os.dup(self.fileno()))

    def _real_close(self, _ss=socket._socket.socket):
        _ss.detach(self)

    def __del__(self):
        if self.fileno() >= 0:
            socket._socket.socket.detach(self)


_live = weakref.WeakSet()


@atexit.register
def _close_all():
    # Before the interpreter finalizes: a keeper thread that calls back
    # into Python after that could never return.
    for keeper in list(_live):
        keeper.close()


def _dispatch(ref, type, path, fields):
    keeper = ref()
    if keeper is None:
        return
    ev = Event(type, path, fields)
    callbacks = [keeper._on_event]
    if ev.type == EventType.REBOUND:
        callbacks.append(keeper._on_rebind)
    for fn in callbacks:
        if fn is None:
            continue
        try:
            fn(keeper, ev)
        except BaseException as e:
            # Reported like an exception in __del__, and the keeper goes on.
            _sockkeeper.write_unraisable(e, fn)


class _Mode(int):
    """A mode that help() shows in octal."""

    def __repr__(self):
        return oct(self)


class SockKeeper:
    """Bind a listening AF_UNIX socket at PATH (or adopt it from systemd
    socket activation) and keep the path reachable.

    path
        An absolute path of at most 107 bytes (str, bytes or os.PathLike),
        or "@name" for an abstract socket, which has no file to keep. "//"
        and "/./" are collapsed; ".." is refused (ValueError).
    mode
        The socket file's permission bits, set without a window in which
        they are wider.
    backlog
        The listen() backlog.
    watch
        True starts the keeper thread at once: it notices a deletion
        through inotify within microseconds and heals it. False starts
        nothing: call check() yourself, or run the keeper in your event
        loop with fileno() and process() (see add_reader()).
    watch_interval
        Seconds between backstop checks of the path, for what inotify
        cannot see (network filesystems, a renamed directory above). A
        deletion inotify sees is healed at once, whatever this is.
    on_rebind
        Called as ``on_rebind(keeper, event)`` after a rebind: the path and
        its anchor were both gone, and a new socket was bound at the path
        and put on the same fd number. ``event.old_ino`` and
        ``event.new_ino`` are the old and new socket inodes (see Event).
        With watch=True it runs on the keeper thread (a thread that the
        threading module does not know, with the GIL held); otherwise on
        the thread that called check() or process().

    Keyword-only:

    type
        socket.SOCK_STREAM, SOCK_SEQPACKET or SOCK_DGRAM.
    sticky
        Also set the sticky bit on the socket file, which systemd-tmpfiles
        honours as "never clean".
    relink
        False keeps no anchor: a deleted path is healed by a rebind.
    poll
        True uses no inotify: the path is looked at only every
        watch_interval seconds, as the original Python library did.
    refresh_interval
        Seconds between timestamp refreshes, so that age-based cleaners see
        a fresh file; 0 turns it off.
    anchor_dir
        An explicit directory for the anchor (see libsockkeeper(3)).
    on_event
        Called as ``on_event(keeper, event)`` for every event, on the same
        thread as on_rebind (and during the constructor, on its thread).

    An exception in a callback is reported through sys.unraisablehook
    (printed to stderr by default) and never stops the keeper. A callback
    must not call close(), stop(), check() or process() (RuntimeError).

    Errors at construction are exceptions of the standard classes, with
    the library's words and the path: FileExistsError when a live socket
    (EADDRINUSE) or a regular file (EEXIST) is at the path,
    PermissionError for another user's socket or an unwritable directory,
    IsADirectoryError, FileNotFoundError for a missing directory, OSError
    with errno ELOOP for a symlink (never followed) and ENAMETOOLONG for a
    path over 107 bytes, ValueError for a malformed path or argument.

    The context manager (or close()) stops the thread, removes the path and
    the anchor only if they are still this keeper's, and closes the socket.
    A keeper not closed is closed when it is garbage-collected or at
    interpreter exit; in a forked child, close() only closes the child's
    copy of the socket and leaves the path to the parent.
    """

    def __init__(self, path, mode=_Mode(0o660), backlog=16, watch=False, watch_interval=60.0, on_rebind=None, *,
                 type=socket.SOCK_STREAM, sticky=False, relink=True, poll=False, refresh_interval=6 * 3600.0,
                 anchor_dir=None, on_event=None):
        if not watch_interval > 0:
            raise ValueError("watch_interval must be more than 0 seconds")
        for name, fn in (("on_rebind", on_rebind), ("on_event", on_event)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{name} must be callable or None")
        self._on_rebind = on_rebind
        self._on_event = on_event
        self._sock = None
        self._lock = threading.Lock()
        self._pid = os.getpid()
        ref = weakref.ref(self)
        extra = {} if anchor_dir is None else {"anchor_dir": os.fspath(anchor_dir)}
        self._keeper = _sockkeeper.Keeper(
            os.fspath(path), type=type, mode=mode, backlog=backlog, sticky=sticky, relink=relink, poll=poll,
            interval=watch_interval, refresh_interval=refresh_interval,
            callback=lambda t, p, f: _dispatch(ref, t, p, f), **extra)
        try:
            self._sock = _KeptSocket(fileno=self._keeper.fd)
            if watch:
                self._keeper.start()
        except BaseException:
            self.close()
            raise
        _live.add(self)

    def __repr__(self):
        if self._keeper.closed:
            return "<sockkeeper.SockKeeper closed>"
        state = "watching" if self._keeper.running else "not watching"
        return f"<sockkeeper.SockKeeper {self.path!r} fd={self._keeper.fd} {state}>"

    @property
    def sock(self):
        """The listening socket, a socket.socket on the keeper's own fd.

        Its fd number never changes: after a rebind it names the new
        socket, so the same object goes on accepting. Its accept() retries
        by itself when a rebind interrupts it (the old socket's accept
        fails with EINVAL); no exception reaches the caller. Closing it
        only lets go of the fd; the keeper closes the fd. A dup() of it
        would keep the old, dead socket after a rebind: do not serve from
        one. An epoll or selectors user must register the fd again after a
        rebind (see process()); add_reader() does that for asyncio."""
        if self._sock is None or self._keeper.closed:
            raise ValueError("the keeper is closed")
        return self._sock

    @property
    def path(self):
        """The path as bound and watched: absolute, "//" and "/./" collapsed."""
        return self._keeper.path

    @property
    def anchor_path(self):
        """The anchor hard link, or None (abstract socket, relink=False, no
        usable directory). While the keeper thread runs, as of its last
        event."""
        return self._keeper.anchor_path

    @property
    def adopted(self):
        """True when the socket came from socket activation (LISTEN_FDS)
        and has not been rebound since. Such a socket's file belongs to the
        service manager, and close() leaves it."""
        return self._keeper.adopted

    @property
    def watching(self):
        """True while the keeper thread runs."""
        return self._keeper.running

    @property
    def closed(self):
        """True once close() was called."""
        return self._keeper.closed

    def start(self):
        """Start the keeper thread (what watch=True does)."""
        self._keeper.start()

    def stop(self):
        """Stop the keeper thread and wait for it; start() runs it again."""
        self._keeper.stop()

    def check(self):
        """Look at the path now and heal it if it is gone; return the
        EventType flags of what happened (0 when all is well). Callbacks run
        on this thread, inside the call. With watch=True the keeper thread
        does this by itself, and check() raises OSError(EBUSY)."""
        return EventType(self._keeper.check())

    def fileno(self):
        """The keeper's event fd (not the socket's): readable when the
        keeper has work. Poll it and call process(); with watch=False only."""
        return self._keeper.event_fd

    def process(self):
        """Handle what is pending on fileno(), without blocking; return the
        EventType flags of what happened. If REBOUND is among them, the
        socket's fd names a new socket: a selectors or epoll user must
        unregister and register ``sock`` again."""
        return EventType(self._keeper.process())

    def add_reader(self, loop=None):
        """Run the keeper in an asyncio event loop (the running one by
        default) instead of a thread: ``loop.add_reader(keeper.fileno(),
        ...)``, calling process() whenever the keeper has work. After a
        rebind, a reader that the loop has on ``sock`` (such as an
        asyncio.start_unix_server(sock=keeper.sock) server's) is registered
        again, since the old registration belongs to the old socket. Needs
        watch=False and a selector event loop (the default on Linux).

            keeper = SockKeeper(path)
            server = await asyncio.start_unix_server(client, sock=keeper.sock)
            keeper.add_reader()
        """
        import asyncio

        if self.watching:
            raise RuntimeError("the keeper thread runs (watch=True); add_reader() is for watch=False")
        if loop is None:
            loop = asyncio.get_running_loop()
        loop.add_reader(self.fileno(), self._loop_process, loop)

    def remove_reader(self, loop=None):
        """Undo add_reader()."""
        import asyncio

        if loop is None:
            loop = asyncio.get_running_loop()
        loop.remove_reader(self.fileno())

    def _loop_process(self, loop):
        if self.process() & EventType.REBOUND:
            selector = getattr(loop, "_selector", None)
            fd = self._keeper.fd
            try:
                key = selector.get_key(fd)
            except (AttributeError, KeyError):
                return
            # The kernel dropped the old socket's registration; the
            # selector still thinks it has it.
            selector.unregister(fd)
            selector.register(fd, key.events, key.data)

    def close(self):
        """Stop the thread, remove the path and the anchor if they are still
        this keeper's (never another file put at the path, never an adopted
        socket's), and close the socket. Idempotent."""
        if self._pid != os.getpid():
            # A forked child: the path is the parent's, and self._lock may
            # have been held at the fork. Only the child's copy goes.
            self._release()
            return
        with self._lock:
            if self._keeper.closed:
                return
            # Refused from a callback (RuntimeError) before anything changes.
            self._keeper.stop()
            self._release()

    def _release(self):
        if self._sock is not None:
            self._sock.detach()
        _live.discard(self)
        self._keeper.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        keeper = getattr(self, "_keeper", None)
        if keeper is not None and not keeper.closed:
            self.close()


def check(path, *, root=None, sockkeeper=None):
    """Rate PATH against this machine's cleaners, as
    ``sockkeeper check --json PATH`` does, and return its one JSON object
    as a dict: ``rating`` ("ok", "caution", "risky" or "error"),
    ``reasons`` (each with the file and line behind it), ``advice``, and
    what systemd-tmpfiles and tmpreaper would do. ROOT evaluates the
    configuration under another root directory. The tool is SOCKKEEPER,
    else $SOCKKEEPER, else the one installed beside this package. A
    malformed path raises ValueError with the tool's message."""
    exe = sockkeeper or os.environ.get("SOCKKEEPER") or os.path.join(_BINDIR, "sockkeeper")
    argv = [exe, "check", "--json", *([f"--root={os.fspath(root)}"] if root is not None else []), "--",
            os.fspath(path)]
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode == 64:
        raise ValueError(p.stderr.strip() or f"{exe}: usage error")
    try:
        result = json.loads(p.stdout)
    except ValueError:
        raise OSError(f"{exe} check failed ({p.returncode}): {p.stderr.strip()}") from None
    if len(result) != 1:
        raise OSError(f"{exe} check: {p.stderr.strip() or 'no result'}")
    return result[0]
