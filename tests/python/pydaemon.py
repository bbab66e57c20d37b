#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pydaemon: tests/helpers/sk-serve written in Python on the sockkeeper
package, with sk-serve's options and output, so that the integration
suite's cleaner tests run against a Python daemon as they stand.

--mode none binds with the socket module alone, as a plain Python daemon
does; --mode thread is SockKeeper(watch=True) under a blocking
keeper.sock.accept() loop; --mode loop runs the keeper in a selectors loop
(keeper.fileno(), keeper.process()). Each client gets one line, "served
pid=P loop=ID fd=F conn=N"; events go to stdout as "EVENT ..." lines, and
"READY fd=F anchor=A" once it listens. SIGTERM ends it with status 0."""

import argparse
import os
import secrets
import selectors
import signal
import socket
import sys

# The sanitizer build's runtime, which the test process took out of the
# environment so that the build's own tools do not get it twice.
_preload = os.environ.get("SK_TEST_PRELOAD")
if _preload and _preload not in os.environ.get("LD_PRELOAD", ""):
    os.execve(sys.executable, [sys.executable, __file__, *sys.argv[1:]], {**os.environ, "LD_PRELOAD": _preload})


def say(line):
    print(line, flush=True)


def on_event(keeper, ev):
    if ev.name == "rebound":
        say(f"EVENT rebound old_ino={ev.old_ino} new_ino={ev.new_ino} fd={ev.fd}")
    elif ev.name == "conflict":
        say(f"EVENT conflict kind={ev.kind}")
    elif ev.name == "error":
        say(f"EVENT error op={ev.operation} errno={ev.error}")
    else:
        say(f"EVENT {ev.name}")


class Replies:
    def __init__(self, sock):
        self.sock = sock
        self.loop_id = secrets.token_hex(8)
        self.conn = 0

    def reply(self, conn):
        self.conn += 1
        with conn:
            try:
                conn.sendall(f"served pid={os.getpid()} loop={self.loop_id} fd={self.sock.fileno()} "
                             f"conn={self.conn}\n".encode())
            except OSError:
                pass  # a client that hung up early


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--path", required=True)
    ap.add_argument("--mode", choices=["thread", "loop", "none"], default="thread")
    ap.add_argument("--relative", action="store_true")
    ap.add_argument("--anchor-dir")
    ap.add_argument("--no-relink", action="store_true")
    ap.add_argument("--poll", type=int, help="microseconds")
    ap.add_argument("--refresh", type=int, help="microseconds")
    args = ap.parse_args()
    if args.relative and args.mode != "none":
        ap.error("--relative needs --mode none")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    if args.mode == "none":
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            if args.relative:
                os.chdir(os.path.dirname(args.path))
            sock.bind(os.path.basename(args.path) if args.relative else args.path)
            sock.listen(16)
            say(f"READY fd={sock.fileno()} anchor=-")
            r = Replies(sock)
            while True:
                r.reply(sock.accept()[0])

    from sockkeeper import EventType, SockKeeper

    options = {}
    if args.anchor_dir:
        options["anchor_dir"] = args.anchor_dir
    if args.poll:
        options.update(poll=True, watch_interval=args.poll / 1e6)
    if args.refresh is not None:
        options["refresh_interval"] = args.refresh / 1e6
    with SockKeeper(args.path, watch=(args.mode == "thread"), relink=not args.no_relink, on_event=on_event,
                    **options) as keeper:
        r = Replies(keeper.sock)
        say(f"READY fd={keeper.sock.fileno()} anchor={keeper.anchor_path or '-'}")
        if args.mode == "thread":
            while True:
                r.reply(keeper.sock.accept()[0])
        keeper.sock.setblocking(False)
        with selectors.DefaultSelector() as sel:
            sel.register(keeper, selectors.EVENT_READ)
            sel.register(keeper.sock, selectors.EVENT_READ)
            while True:
                for key, _ in sel.select():
                    if key.fileobj is keeper:
                        if keeper.process() & EventType.REBOUND:
                            # The registration belonged to the old socket.
                            sel.unregister(keeper.sock)
                            sel.register(keeper.sock, selectors.EVENT_READ)
                        continue
                    try:
                        r.reply(keeper.sock.accept()[0])
                    except BlockingIOError:
                        pass


if __name__ == "__main__":
    main()
