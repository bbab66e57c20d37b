# SPDX-License-Identifier: MIT
"""A Python daemon as its authors write one, for the tests: --plain binds
with the socket module alone; --keeper uses SockKeeper(..., watch=True)
around the same accept loop. Each client gets one line,
"served pid=P loop=py fd=F conn=N", the reply that tests/integration's
ask() reads. Events go to stdout as "EVENT name key=value ..." lines, and
"READY fd=F anchor=A" once it listens. SIGTERM ends it with status 0."""

import argparse
import os
import signal
import socket
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--path", required=True)
    ap.add_argument("--plain", action="store_true")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    def say(line):
        print(line, flush=True)

    def on_event(keeper, ev):
        extra = "".join(f" {k}={v}" for k, v in vars(ev).items() if k not in ("type", "name", "path"))
        say(f"EVENT {ev.name}{extra}")

    def serve(sock):
        conn_no = 0
        while True:
            conn, _ = sock.accept()
            conn_no += 1
            with conn:
                conn.sendall(f"served pid={os.getpid()} loop=py fd={sock.fileno()} conn={conn_no}\n".encode())

    if args.plain:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.bind(args.path)
            sock.listen(16)
            say(f"READY fd={sock.fileno()} anchor=-")
            serve(sock)
    else:
        from sockkeeper import SockKeeper
        with SockKeeper(args.path, watch=True, on_event=on_event) as keeper:
            say(f"READY fd={keeper.sock.fileno()} anchor={keeper.anchor_path or '-'}")
            serve(keeper.sock)


if __name__ == "__main__":
    main()
