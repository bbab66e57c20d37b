# SPDX-License-Identifier: MIT
"""sockkeeper migrate on fixture units, each suggestion checked by the real
systemd 252: the drop-ins it writes must pass `systemd-analyze verify`
without a warning about them, and its tmpfiles.d lines must make the
compatibility symlink when systemd-tmpfiles runs them."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOCKKEEPER = os.environ.get("SOCKKEEPER")
ANALYZE = shutil.which("systemd-analyze")
TMPFILES = shutil.which("systemd-tmpfiles")
ETC = "etc/systemd/system"
DROPIN = "90-sockkeeper-migrate.conf"

pytestmark = [
    pytest.mark.skipif(not SOCKKEEPER, reason="SOCKKEEPER not set (run through meson test)"),
    pytest.mark.skipif(not ANALYZE, reason="systemd-analyze not installed"),
]

# Every ExecStart= binary exists (verify fails otherwise): /bin/true.
UNITS = {
    "plain.service": """[Unit]
Description=a daemon that listens in /tmp

[Service]
User=daemon
Environment=PLAIN_SOCKET=/tmp/plain.sock "GREETING=hello world"
ExecStart=/bin/true --listen /tmp/plain.sock --log /var/log/plain.log
""",
    "client.service": """[Service]
ExecStart=/bin/true --connect /tmp/plain.sock
""",
    "tmpl@.service": """[Service]
ExecStart=/bin/true --socket /tmp/tmpl-%i.sock
""",
    "act.socket": """[Socket]
ListenStream=/tmp/act.sock
ListenStream=127.0.0.1:8081
""",
    "act.service": """[Service]
ExecStart=/bin/true --activated
""",
    "ptmp.service": """[Service]
PrivateTmp=yes
ExecStart=/bin/true -s /tmp/ptmp.sock
""",
    "dyn.service": """[Service]
DynamicUser=yes
Group=users
ExecStart=/bin/true unix:/var/tmp/dyn/api.socket
""",
    "nosock.service": """[Service]
ExecStart=/bin/true --port 8080 --data /var/lib/nosock
""",
    "ann.service": """[Service]
ExecStart=/bin/true
[X-SockKeeper]
Socket=/tmp/gone.sock
Socket=
Socket=/tmp/ann.sock relative.sock
Socket=@abstract-ann
""",
    "bad.service": """[Service]
ExecStart=/bin/true /tmp/bad.sock
this line has no equals sign
""",
}


def run(args, root=None, env=None, check=None):
    cmd = [SOCKKEEPER, "migrate", *([f"--root={root}"] if root else []), *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    if check is not None:
        assert p.returncode == check, f"{cmd}: rc {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p


def plan(unit, root=None, env=None, check=0):
    p = run(["--json", unit], root, env, check)
    return json.loads(p.stdout)


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "root"
    d = r / ETC
    d.mkdir(parents=True)
    for name, text in UNITS.items():
        (d / name).write_text(text)
    (r / "tmp").mkdir()
    return r


def verify(unit_dir, *units, user=False, env=None):
    """systemd-analyze verify, failing on any message about our drop-ins."""
    e = dict(os.environ if env is None else env)
    e["SYSTEMD_UNIT_PATH"] = f"{unit_dir}:"
    cmd = [ANALYZE, *(["--user"] if user else []), "verify", *units]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=e)
    assert p.returncode == 0, f"{cmd}: rc {p.returncode}: {p.stderr}"
    ours = [line for line in p.stderr.splitlines() if DROPIN in line]
    assert not ours, f"systemd-analyze warns about the suggestion: {ours}"
    return p


def files_of(result):
    return {f["path"]: f["content"] for f in result["files"]}


def test_plain_service(root):
    r = plan("plain.service", root)
    assert r["status"] == "migrate" and r["runtime_directory"] == "plain"
    [s] = r["sockets"]
    assert (s["path"], s["fate"], s["new_path"], s["new_path_shown"]) == \
        ("/tmp/plain.sock", "move", "%t/plain/plain.sock", "/run/plain/plain.sock")
    assert {x["key"] for x in s["sources"]} == {"ExecStart", "Environment"}
    f = files_of(r)
    dropin = f[f"/{ETC}/plain.service.d/{DROPIN}"]
    assert "RuntimeDirectory=plain\n" in dropin
    assert "RuntimeDirectoryMode=0755\n" in dropin  # User= without Group=
    # The reset comes first, the rest of the line stays as written.
    assert "ExecStart=\nExecStart=/bin/true --listen %t/plain/plain.sock --log /var/log/plain.log\n" in dropin
    assert "Environment=PLAIN_SOCKET=%t/plain/plain.sock\n" in dropin
    assert "GREETING" not in dropin
    tmpfiles = f["/etc/tmpfiles.d/sockkeeper-migrate-plain.service.conf"]
    assert "L /tmp/plain.sock - - - - %t/plain/plain.sock\nx /tmp/plain.sock\n" in tmpfiles
    # client.service connects to the same path.
    shared = [p for p in r["problems"] if p["kind"] == "shared-path"]
    assert shared and "client.service" in shared[0]["text"] and shared[0]["source"].endswith("client.service:2")

    run(["--write", "plain.service"], root, check=0)
    verify(root / ETC, "plain.service")
    if TMPFILES:
        conf = root / "etc/tmpfiles.d/sockkeeper-migrate-plain.service.conf"
        p = subprocess.run([TMPFILES, f"--root={root}", "--create", str(conf)], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        # Under --root, tmpfiles prefixes the symlink's target with the root too.
        assert os.readlink(root / "tmp/plain.sock") == f"{root}/run/plain/plain.sock"


def test_human_output_and_file_path(root, tmp_path):
    p = run(["plain.service"], root, check=0)
    assert "/tmp/plain.sock -> /run/plain/plain.sock" in p.stdout
    assert f"### /{ETC}/plain.service.d/{DROPIN}" in p.stdout
    # A unit file given by path reads the same.
    copy = tmp_path / "plain.service"
    copy.write_text(UNITS["plain.service"])
    r = plan(str(copy), root)
    assert r["sockets"][0]["new_path"] == "%t/plain/plain.sock"


def test_templated_service(root):
    r = plan("tmpl@.service", root)
    assert r["runtime_directory"] == "tmpl-%i"
    assert r["sockets"][0]["new_path"] == "%t/tmpl-%i/tmpl-%i.sock"
    f = files_of(r)
    assert f"/{ETC}/tmpl@.service.d/{DROPIN}" in f
    # tmpfiles knows no %i: a glob spares every instance's symlink.
    assert "x /tmp/tmpl-*.sock\n" in f["/etc/tmpfiles.d/sockkeeper-migrate-tmpl@.service.conf"]
    run(["--write", "tmpl@.service"], root, check=0)
    verify(root / ETC, "tmpl@.service", "tmpl@one.service")

    inst = plan("tmpl@two.service", root)
    f = files_of(inst)
    assert "L /tmp/tmpl-two.sock - - - - %t/tmpl-two/tmpl-two.sock\n" in \
        f["/etc/tmpfiles.d/sockkeeper-migrate-tmpl@two.service.conf"]


def test_socket_activated_pair(root):
    r = plan("act.service", root)
    [s] = r["sockets"]
    assert s["socket_unit"] == "act.socket" and s["new_path"] == "%t/act/act.sock"
    f = files_of(r)
    sock = f[f"/{ETC}/act.socket.d/{DROPIN}"]
    # The reset drops every port: the TCP one comes again, in order.
    assert "ListenStream=\nListenStream=%t/act/act.sock\nListenStream=127.0.0.1:8081\n" in sock
    assert "Symlinks=/tmp/act.sock\n" in sock
    assert "RuntimeDirectoryPreserve=yes\n" in f[f"/{ETC}/act.service.d/{DROPIN}"]
    tmpfiles = f["/etc/tmpfiles.d/sockkeeper-migrate-act.service.conf"]
    assert "L /tmp/act.sock" not in tmpfiles and "x /tmp/act.sock\n" in tmpfiles
    run(["--write", "act.service"], root, check=0)
    verify(root / ETC, "act.socket", "act.service")


def test_private_tmp(root):
    r = plan("ptmp.service", root)
    kinds = [p["kind"] for p in r["problems"]]
    assert "private-tmp" in kinds
    run(["--write", "ptmp.service"], root, check=0)
    verify(root / ETC, "ptmp.service")


def test_dynamic_user(root):
    r = plan("dyn.service", root)
    kinds = {p["kind"] for p in r["problems"]}
    assert {"dynamic-user", "private-tmp"} <= kinds
    [s] = r["sockets"]
    assert s["path"] == "/var/tmp/dyn/api.socket" and s["new_path"] == "%t/dyn/api.socket"
    dropin = files_of(r)[f"/{ETC}/dyn.service.d/{DROPIN}"]
    assert "RuntimeDirectoryMode=0750\n" in dropin  # Group= is set
    assert "ExecStart=/bin/true unix:%t/dyn/api.socket\n" in dropin
    run(["--write", "dyn.service"], root, check=0)
    verify(root / ETC, "dyn.service")


def test_booleans_in_any_case(root):
    """systemd reads booleans in any case: PrivateTmp=Yes and DynamicUser=YES
    are on (and found, with their line), PrivateTmp=OFF and DynamicUser=No
    are off."""
    d = root / ETC
    (d / "ptmp-caps.service").write_text("[Service]\nPrivateTmp=Yes\nExecStart=/bin/true -s /tmp/caps.sock\n")
    (d / "dyn-caps.service").write_text("[Service]\nDynamicUser=YES\nExecStart=/bin/true -s /var/tmp/dcaps.sock\n")
    (d / "off-caps.service").write_text(
        "[Service]\nPrivateTmp=OFF\nDynamicUser=No\nExecStart=/bin/true -s /tmp/off.sock\n")

    r = plan("ptmp-caps.service", root)
    problems = {p["kind"]: p for p in r["problems"]}
    assert "private-tmp" in problems, r["problems"]
    assert problems["private-tmp"]["source"] == f"/{ETC}/ptmp-caps.service:2"

    r = plan("dyn-caps.service", root)
    problems = {p["kind"]: p for p in r["problems"]}
    assert {"dynamic-user", "private-tmp"} <= set(problems), r["problems"]
    assert problems["dynamic-user"]["source"] == f"/{ETC}/dyn-caps.service:2"
    assert "implied by DynamicUser=yes" in problems["private-tmp"]["text"]
    # The dynamic user owns the directory; its clients must enter it.
    assert "RuntimeDirectoryMode=0755\n" in files_of(r)[f"/{ETC}/dyn-caps.service.d/{DROPIN}"]

    r = plan("off-caps.service", root)
    assert not {"dynamic-user", "private-tmp"} & {p["kind"] for p in r["problems"]}, r["problems"]
    assert "RuntimeDirectoryMode" not in files_of(r)[f"/{ETC}/off-caps.service.d/{DROPIN}"]

    run(["--write", "ptmp-caps.service"], root, check=0)
    run(["--write", "dyn-caps.service"], root, check=0)
    verify(root / ETC, "ptmp-caps.service", "dyn-caps.service")


def test_nothing_to_migrate(root):
    p = run(["nosock.service"], root, check=2)
    assert "nothing to migrate" in p.stdout
    r = plan("nosock.service", root, check=2)
    assert r["status"] == "nothing" and r["files"] == []
    p = run(["--write", "nosock.service"], root, check=2)
    assert not (root / ETC / "nosock.service.d").exists()


def test_unmappable_and_annotations(root):
    r = plan("ann.service", root, check=3)
    fates = {s["path"]: s["fate"] for s in r["sockets"]}
    # The reset dropped /tmp/gone.sock.
    assert fates == {"/tmp/ann.sock": "move", "relative.sock": "unmapped", "@abstract-ann": "keep"}
    assert any(p["kind"] == "unmapped" and "relative.sock" in p["text"] for p in r["problems"])
    dropin = files_of(r)[f"/{ETC}/ann.service.d/{DROPIN}"]
    # The moved path leaves the annotation; what stays is named again.
    assert "[X-SockKeeper]\nSocket=\nSocket=relative.sock\nSocket=@abstract-ann\n" in dropin
    assert "/tmp/ann.sock" not in dropin.split("[X-SockKeeper]")[1]
    p = run(["ann.service"], root, check=3)
    assert "relative.sock: unmapped" in p.stdout
    run(["--write", "ann.service"], root, check=3)
    verify(root / ETC, "ann.service")


def test_write_refuses_a_foreign_file(root):
    d = root / ETC / "plain.service.d"
    d.mkdir()
    (d / DROPIN).write_text("[Service]\nNice=5\n")
    p = run(["--write", "plain.service"], root, check=1)
    assert "not written by sockkeeper migrate" in p.stderr
    assert (d / DROPIN).read_text() == "[Service]\nNice=5\n"
    # Nothing of this run is left behind.
    assert not (root / "etc/tmpfiles.d").exists()
    assert sorted(os.listdir(d)) == [DROPIN]


def test_write_twice_is_idempotent(root):
    run(["--write", "plain.service"], root, check=0)
    first = {p: p.read_text() for p in root.rglob("*.conf")}
    # The second run reads the unit without its own drop-in: same plan.
    run(["--write", "plain.service"], root, check=0)
    assert {p: p.read_text() for p in root.rglob("*.conf")} == first
    assert run(["--diff", "plain.service"], root, check=0).stdout == ""


def test_diff_applies_with_patch(root, tmp_path):
    diff = run(["--diff", "act.service"], root, check=0).stdout
    assert diff.startswith("--- /dev/null\n+++ b/etc/systemd/system/act.service.d/")
    if shutil.which("patch"):
        p = subprocess.run(["patch", "-p1", "-d", str(root)], input=diff, capture_output=True, text=True)
        assert p.returncode == 0, p.stdout + p.stderr
        assert plan("act.service", root)["files"][0]["content"] == \
            (root / ETC / "act.service.d" / DROPIN).read_text()


def test_user_unit(tmp_path):
    units = tmp_path / "user"
    units.mkdir()
    (units / "chat.service").write_text("[Service]\nExecStart=/bin/true --socket /tmp/chat-user.sock\n")
    xdg = tmp_path / "xdg"
    xdg.mkdir(mode=0o700)
    env = dict(os.environ, SYSTEMD_UNIT_PATH=f"{units}:", XDG_RUNTIME_DIR=str(xdg), HOME=str(tmp_path))
    p = run(["--user", "--json", "chat.service"], env=env, check=0)
    r = json.loads(p.stdout)
    assert r["scope"] == "user"
    [s] = r["sockets"]
    assert s["new_path"] == "%t/chat/chat-user.sock" and s["new_path_shown"] == "$XDG_RUNTIME_DIR/chat/chat-user.sock"
    f = files_of(r)
    assert "/etc/xdg/user-tmpfiles.d/sockkeeper-migrate-chat.service.conf" in f
    text = f[f"/etc/systemd/user/chat.service.d/{DROPIN}"]
    d = units / "chat.service.d"
    d.mkdir()
    (d / DROPIN).write_text(text)
    verify(units, "chat.service", user=True, env=env)
    # Without --user the same name is not found in the system search path.
    env_sys = dict(env)
    del env_sys["SYSTEMD_UNIT_PATH"]
    run(["chat.service"], root=str(tmp_path), env=env_sys, check=1)


def test_missing_unit(root):
    p = run(["missing.service"], root, check=1)
    assert "missing.service: no such unit" in p.stderr
    run(["not a unit"], root, check=64)
    run([], root, check=64)
    run(["act.socket"], root, check=64)
    # The type before the lookup: a socket unit is a usage error whether
    # or not it exists.
    p = run(["nosuch.socket"], root, check=64)
    assert "nosuch.socket: migrate works on a service" in p.stderr and "Try 'sockkeeper migrate --help'" in p.stderr


def test_malformed_line_warns_with_file_and_line(root):
    p = run(["bad.service"], root, check=0)
    assert f"/{ETC}/bad.service:3:" in p.stderr
    assert "/tmp/bad.sock -> /run/bad/bad.sock" in p.stdout


def test_fifo_dropin_is_named_and_skipped(root):
    """A FIFO among the drop-ins is not waited on, and is called what it is."""
    (root / ETC / "plain.service.d").mkdir()
    os.mkfifo(root / ETC / "plain.service.d/fifo.conf")
    p = run(["plain.service"], root, check=0)
    assert f"/{ETC}/plain.service.d/fifo.conf: cannot read: not a regular file, ignoring\n" in p.stderr
    assert "/tmp/plain.sock -> /run/plain/plain.sock" in p.stdout


def test_unit_given_as_a_fifo(root, tmp_path):
    fifo = tmp_path / "fifo.service"
    os.mkfifo(fifo)
    p = run([str(fifo)], root, check=1)
    assert p.stderr == f"sockkeeper migrate: {fifo}: not a regular file\n"
