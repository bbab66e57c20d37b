# SPDX-License-Identifier: MIT
"""The guard started by systemd knows it by itself: it sends journal
entries when stderr is the journal's stream ($JOURNAL_STREAM), and says
READY=1 and STATUS= when $NOTIFY_SOCKET is set; --no-systemd and
--systemd override both. The entries of a relink, a loss and a give-up
carry a MESSAGE_ID= that sockkeeper.catalog explains, and journalctl
accepts that catalog. The journal here is a fake journald on
/run/systemd/journal/socket, in a mount namespace of the test's own."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys

import pytest

from guardlib import sockkeeper, wait_for

TIMEOUT = 10
SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CATALOG = os.path.join(SRC, "units", "sockkeeper.catalog")
GUARD_H = os.path.join(SRC, "src", "cli", "guard.h")



def message_ids():
    """GUARD_MESSAGE_* of the source: name -> id."""
    with open(GUARD_H) as f:
        return dict(re.findall(r'#define GUARD_MESSAGE_(\w+) "([0-9a-f]{32})"', f.read()))


# Runs in its own mount namespace: a tmpfs on /run/systemd, a fake
# journald on its journal socket, the guard with stderr as the "journal
# stream"; a socket relinked, then lost for good (--restart-burst=0: the
# restart that is due is given up at once). Prints the entries as JSON.
JOURNAL_HARNESS = r"""
import json, os, select, signal, socket, struct, subprocess, sys, time
exe, d = sys.argv[1], sys.argv[2]
subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run/systemd"], check=True)
os.makedirs("/run/systemd/journal")
j = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
j.bind("/run/systemd/journal/socket")

def parse(data):
    e = {}
    while data:
        nl = data.index(b"\n")
        line, data = data[:nl], data[nl + 1:]
        if b"=" in line:
            k, v = line.split(b"=", 1)
        else:
            n = struct.unpack("<Q", data[:8])[0]
            k, v, data = line, data[8:8 + n], data[8 + n + 1:]
        e[k.decode()] = v.decode(errors="replace")
    return e

entries = []
def read_until(pred, timeout=10):
    deadline = time.monotonic() + timeout
    while not any(pred(e) for e in entries):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([j], [], [], left)[0]:
            raise SystemExit("timed out; entries: " + json.dumps(entries))
        entries.append(parse(j.recv(65536)))

path = os.path.join(d, "s.sock")
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen()
err = open(os.path.join(d, "stderr"), "wb")
st = os.fstat(err.fileno())
env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
env.pop("NOTIFY_SOCKET", None)
g = subprocess.Popen([exe, "guard", "--unit=sk-test.service", "--on-loss=restart", "--restart-burst=0",
                      "--restart-delay=0", path], stdout=err, stderr=err, env=env)
action = lambda a: lambda e: e.get("SOCKKEEPER_ACTION") == a
read_until(action("start"))
os.unlink(path)
read_until(action("relinked"))
s.close()
os.unlink(path)
read_until(action("give-up"))
g.send_signal(signal.SIGTERM)
g.wait(timeout=10)
read_until(action("stop"))
print(json.dumps(entries))
"""


@pytest.fixture
def journal_entries(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root: a mount namespace with a fake journald")
    if not shutil.which("unshare"):
        pytest.skip("needs unshare (util-linux)")
    p = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, "-c", JOURNAL_HARNESS,
                        sockkeeper(), str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    # The journal took everything: nothing on the stream itself.
    assert (tmp_path / "stderr").read_bytes() == b""
    return json.loads(p.stdout)


def test_journal_detected_with_message_ids(journal_entries, tmp_path):
    ids = message_ids()
    by_action = {}
    for e in journal_entries:
        by_action.setdefault(e.get("SOCKKEEPER_ACTION"), []).append(e)
    path = str(tmp_path / "s.sock")

    relinked = by_action["relinked"][0]
    assert relinked["MESSAGE_ID"] == ids["RELINKED"]
    assert relinked["PRIORITY"] == "5"
    assert relinked["SOCKKEEPER_PATH"] == path

    lost = by_action["lost"][0]
    assert lost["MESSAGE_ID"] == ids["LOST"]
    assert lost["PRIORITY"] == "4"
    assert lost["SOCKKEEPER_UNIT"] == "sk-test.service"

    give_up = by_action["give-up"][0]
    assert give_up["MESSAGE_ID"] == ids["GIVE_UP"]
    assert give_up["PRIORITY"] == "3"
    assert give_up["SOCKKEEPER_PATH"] == path

    # Entries without an explanation have no id.
    assert "MESSAGE_ID" not in by_action["start"][0]
    assert all(e["SYSLOG_IDENTIFIER"] == "sockkeeper" for e in journal_entries)

    # The stop message is a sentence, with the signal's name.
    assert by_action["stop"][0]["MESSAGE"] == "received SIGTERM, stopping: 1 path is no longer guarded"


def test_catalog_matches_the_source():
    """Every id of the source has its entry, and the catalog none other."""
    with open(CATALOG) as f:
        text = f.read()
    entries = re.findall(r"^-- ([0-9a-f]{32})\n((?:.+\n)+)", text, re.M)
    assert sorted(i for i, _ in entries) == sorted(message_ids().values())
    for _, header in entries:
        assert re.search(r"^Subject: .+", header, re.M), header
        assert "Defined-By: sockkeeper" in header


@pytest.mark.skipif(not shutil.which("journalctl"), reason="needs journalctl")
def test_journalctl_takes_the_catalog(tmp_path):
    catalog_dir = tmp_path / "usr/lib/systemd/catalog"
    catalog_dir.mkdir(parents=True)
    shutil.copy(CATALOG, catalog_dir)
    p = subprocess.run(["journalctl", f"--root={tmp_path}", "--update-catalog"], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    p = subprocess.run(["journalctl", f"--root={tmp_path}", "--list-catalog"], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert p.returncode == 0, p.stderr
    listed = dict(line.split(" ", 1) for line in p.stdout.splitlines())
    ids = message_ids()
    assert set(listed) == set(ids.values()), p.stdout
    assert listed[ids["GIVE_UP"]] == "sockkeeper: The guard gave up restarting @SOCKKEEPER_UNIT@"


@pytest.fixture
def listening(tmp_path):
    path = str(tmp_path / "s.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen()
    yield path
    s.close()


@pytest.fixture
def notify_socket(tmp_path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(str(tmp_path / "notify"))
    s.settimeout(TIMEOUT)
    yield s
    s.close()


def notified(notify_socket, prefix):
    """The messages received until one starts with PREFIX."""
    got = []
    while not any(m.startswith(prefix) for m in got):
        got += notify_socket.recv(4096).decode().split("\n")
    return got


def start_guard(args, env, log):
    out = open(log, "wb")
    g = subprocess.Popen([sockkeeper(), "guard", *args], stdout=out, stderr=out, env=env)
    out.close()
    return g


def stop_guard(g):
    g.send_signal(signal.SIGTERM)
    assert g.wait(timeout=TIMEOUT) == 0


def test_notify_socket_detected(listening, notify_socket, tmp_path):
    env = dict(os.environ, NOTIFY_SOCKET=str(tmp_path / "notify"))
    env.pop("JOURNAL_STREAM", None)
    g = start_guard([listening], env, tmp_path / "log")
    try:
        got = notified(notify_socket, "READY=1")
        got += notified(notify_socket, "STATUS=")
        assert "STATUS=Guarding 1 path: 1 kept, 0 lost, 0 in conflict, 0 not attached; 0 restarts" in got
    finally:
        stop_guard(g)
    assert notify_socket.recv(4096) == b"STOPPING=1"
    # No journal stream: plain lines.
    log = (tmp_path / "log").read_text()
    assert "sockkeeper guard: guarding 1 path [action=start]\n" in log
    assert log.endswith("sockkeeper guard: received SIGTERM, stopping: 1 path is no longer guarded [action=stop]\n")


def test_no_systemd_overrides(listening, notify_socket, tmp_path):
    log = tmp_path / "log"
    out = open(log, "wb")
    st = os.fstat(out.fileno())
    env = dict(os.environ, NOTIFY_SOCKET=str(tmp_path / "notify"), JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
    g = subprocess.Popen([sockkeeper(), "guard", "--no-systemd", listening], stdout=out, stderr=out, env=env)
    out.close()
    try:
        wait_for(lambda: b"[action=start]" in log.read_bytes())
    finally:
        stop_guard(g)
    notify_socket.setblocking(False)
    with pytest.raises(BlockingIOError):
        notify_socket.recv(4096)
    assert log.read_text().startswith("sockkeeper guard: ")


def test_journal_stream_of_another_fd(listening, tmp_path):
    """$JOURNAL_STREAM inherited with stderr sent elsewhere (a script run by
    a service, redirecting): plain lines, not journal entries."""
    env = dict(os.environ, JOURNAL_STREAM="1:1")
    env.pop("NOTIFY_SOCKET", None)
    g = start_guard([listening], env, tmp_path / "log")
    try:
        wait_for(lambda: b"[action=start]" in (tmp_path / "log").read_bytes())
    finally:
        stop_guard(g)
    assert (tmp_path / "log").read_text().startswith("sockkeeper guard: ")


def test_log_level_from_the_environment(listening, notify_socket, tmp_path):
    """$SYSTEMD_LOG_LEVEL, as systemd's daemons read it: at warning, the
    guard's start and stop (info) are not logged."""
    env = dict(os.environ, NOTIFY_SOCKET=str(tmp_path / "notify"), SYSTEMD_LOG_LEVEL="warning")
    env.pop("JOURNAL_STREAM", None)
    env.pop("SYSTEMD_LOG_TARGET", None)
    g = start_guard([listening], env, tmp_path / "log")
    try:
        notified(notify_socket, "READY=1")
    finally:
        stop_guard(g)
    assert (tmp_path / "log").read_text() == ""
