# SPDX-License-Identifier: MIT
"""The example of the README and of the package's docstring, verbatim: it
serves clients before and after a cleaner deletes its socket."""

import json
import subprocess
from pathlib import Path

import pytest

import sockkeeper
from conftest import HERE, python_argv

EXAMPLE = '''\
from sockkeeper import SockKeeper

with SockKeeper("/tmp/myservice.sock", watch=True) as keeper:
    while True:
        conn, _ = keeper.sock.accept()
        handle(conn)
'''

README = HERE.parent.parent / "README.md"


def indented(text, by):
    return "".join(by + line if line.strip() else line for line in text.splitlines(keepends=True))


def test_docs_show_the_example_verbatim():
    assert "```python\n" + EXAMPLE + "```\n" in README.read_text()
    assert indented(EXAMPLE, "    ") in sockkeeper.__doc__


def test_example_serves_before_and_after_a_cleaner():
    # /tmp/myservice.sock, as written: in a /tmp of its own, which the
    # driver makes once the package is loaded (the checkout may be below
    # /tmp).
    p = subprocess.run(python_argv(HERE / "example_driver.py", EXAMPLE), capture_output=True, text=True,
                       timeout=60)
    if p.returncode == 77:
        pytest.skip(f"the example cannot be driven here: {p.stderr.strip()}")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["before"] == "served 1" and out["blocked"]
    assert out["find"] == [0, ""]
    assert out["healed"]
    # find took the anchor too (same inode, same age, in /tmp, since this
    # /tmp is a filesystem of its own): rebound on the same fd, and the
    # example's blocked accept() went on with the new socket.
    assert out["after"] == "served 2"
    assert len(out["accept_threads"]) == 1
