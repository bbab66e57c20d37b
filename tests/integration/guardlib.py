# SPDX-License-Identifier: MIT
"""A `sockkeeper guard` run by hand, for the integration tests: its log
lines collected and waited for by action."""

import os
import signal
import subprocess
import threading
import time

import pytest

from conftest import TIMEOUT, fields


def sockkeeper():
    exe = os.environ.get("SOCKKEEPER")
    if not exe:
        pytest.fail("SOCKKEEPER is not set; run this suite through `meson test --suite integration`")
    return exe


class Guard:
    """A running `sockkeeper guard`; its stderr lines are collected by a thread."""

    def __init__(self, *args, prefix=()):
        self.proc = subprocess.Popen([*prefix, sockkeeper(), "guard", *map(str, args)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self._cursor = 0
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stderr:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def expect(self, action, timeout=TIMEOUT):
        """The next line, after the last one expected, with [action=ACTION ...]."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i in range(self._cursor, len(self.lines)):
                    if f"[action={action}" in self.lines[i]:
                        self._cursor = i + 1
                        return self.lines[i]
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    pytest.fail(f"no action={action} from the guard within {timeout}s; stderr: {self.lines}")
                self._cond.wait(left)

    def actions(self):
        with self._cond:
            return [fields(line.rsplit("[", 1)[1].rstrip("]"))["action"] for line in self.lines if "[action=" in line]

    def kill(self):
        """SIGKILL: no chance to clean anything up."""
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail("the guard ignored SIGTERM")


def anchor_of(line):
    return line.rsplit("; anchor ", 1)[1].split(" [action=")[0]


def wait_for(predicate, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)
