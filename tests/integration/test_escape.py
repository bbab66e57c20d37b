# SPDX-License-Identifier: MIT
"""Socket paths that are any bytes: real sockets bound at paths with a
newline, an ESC, a byte that is not UTF-8 and a backslash, shown by scan,
check and the guard. The human output escapes them all one way (a newline
never makes a second row or record); JSON keeps the path and, when it is
not UTF-8, the escaped form under PATH_escaped, from which the bytes come
back."""

import codecs
import json
import os
import socket
import subprocess

import pytest

from guardlib import sockkeeper, wait_for

TIMEOUT = 10

NAMES = {
    # name bytes: escaped form
    b"nl\nrow.sock": "nl\\nrow.sock",
    b"esc\x1b[31m.sock": "esc\\x1b[31m.sock",
    b"bad\xff.sock": "bad\\xff.sock",
    b"back\\slash.sock": "back\\\\slash.sock",
}



def unescape(s):
    """The bytes back from cescape()'s form, as cunescape() gives them."""
    return codecs.escape_decode(s.encode())[0]


@pytest.fixture
def sockets(tmp_path):
    d = os.fsencode(tmp_path)
    socks = {}
    for name in NAMES:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(d + b"/" + name)
        s.listen()
        socks[d + b"/" + name] = s
    yield socks
    for s in socks.values():
        s.close()


def test_scan_table_escapes(sockets, tmp_path):
    p = subprocess.run([sockkeeper(), "scan"], capture_output=True, timeout=TIMEOUT)
    assert p.returncode in (0, 1), p.stderr
    lines = p.stdout.split(b"\n")
    for name, escaped in NAMES.items():
        want = (str(tmp_path) + "/" + escaped).encode()
        rows = [line for line in lines if want + b" " in line]
        assert len(rows) == 1, f"{want!r} not in one row of:\n{p.stdout.decode(errors='replace')}"
        assert b"\x1b" not in rows[0] and b"\xff" not in rows[0]
    # Every row of ours starts with a status: none was cut in two.
    ours = [line for line in lines if os.fsencode(tmp_path) in line]
    assert len(ours) == len(NAMES), ours
    assert all(line.split()[0] in (b"healthy", b"at-risk") for line in ours), ours


def test_scan_json_keeps_bytes(sockets, tmp_path):
    p = subprocess.run([sockkeeper(), "scan", "--json"], capture_output=True, timeout=TIMEOUT)
    assert p.returncode in (0, 1), p.stderr
    entries = json.loads(p.stdout)
    found = {}
    for e in entries:
        if e["path"].startswith(str(tmp_path) + "/"):
            raw = unescape(e["path_escaped"]) if "path_escaped" in e else e["path"].encode()
            found[raw] = e
    assert set(found) == set(sockets), found.keys()
    for raw, e in found.items():
        if raw.endswith(b"bad\xff.sock"):
            # Not UTF-8: JSON cannot hold the byte, the escaped form does.
            assert e["path"] == str(tmp_path) + "/bad\ufffd.sock"
            assert e["path_escaped"] == str(tmp_path) + "/bad\\xff.sock"
        else:
            # UTF-8, control characters too: JSON's own escapes keep them.
            assert e["path"].encode() == raw
            assert "path_escaped" not in e


def test_check_escapes(sockets, tmp_path):
    paths = list(sockets)
    p = subprocess.run([sockkeeper(), "check", *paths], capture_output=True, timeout=TIMEOUT)
    # A control character in a path is an error for check (3), shown
    # escaped as the others.
    assert p.returncode in (0, 1, 2, 3), p.stderr
    heads = [line for line in p.stdout.split(b"\n") if line.startswith(os.fsencode(tmp_path))]
    for escaped in NAMES.values():
        want = (str(tmp_path) + "/" + escaped + ": ").encode()
        assert any(line.startswith(want) for line in heads), (want, p.stdout)
    assert not any(b"\x1b" in line or b"\xff" in line for line in p.stdout.split(b"\n"))

    p = subprocess.run([sockkeeper(), "check", "--json", *paths], capture_output=True, timeout=TIMEOUT)
    assert p.returncode in (0, 1, 2, 3), p.stderr
    got = sorted(unescape(e["path_escaped"]) if "path_escaped" in e else e["path"].encode()
                 for e in json.loads(p.stdout))
    assert got == sorted(paths)


def test_guard_messages_escape(sockets, tmp_path):
    # Paths without a control character are kept; their messages name
    # them escaped.
    kept = [p for p in sockets if not any(c < 0x20 for c in p)]
    log = tmp_path / "guard.log"
    with open(log, "wb") as out:
        g = subprocess.Popen([sockkeeper(), "guard", *kept], stdout=out, stderr=out)
    try:
        wait_for(lambda: log.read_bytes().count(b"[action=attached") == len(kept), TIMEOUT)
    finally:
        g.terminate()
        g.wait(timeout=TIMEOUT)
    text = log.read_bytes()
    for raw in kept:
        escaped = NAMES[raw.rsplit(b"/", 1)[1]]
        want = (str(tmp_path) + "/" + escaped + ": ").encode()
        assert want in text, (want, text)
    assert b"\xff" not in text

    # A control character in a path is refused, in one line that shows it
    # escaped, and the usage errors' Try line.
    for raw in sockets:
        if raw in kept:
            continue
        p = subprocess.run([sockkeeper(), "guard", raw], capture_output=True, timeout=TIMEOUT)
        assert p.returncode == 64, p.stderr
        escaped = NAMES[raw.rsplit(b"/", 1)[1]]
        assert p.stderr == ("sockkeeper guard: " + str(tmp_path) + "/" + escaped +
                            " contains a control character\n"
                            "Try 'sockkeeper guard --help'.\n").encode(), p.stderr
