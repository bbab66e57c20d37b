# SPDX-License-Identifier: MIT
"""The unit-file reader (src/units/unit-file.c, driven through the
unit-read helper) against the real systemd 252 on a fixture tree.

systemctl cat refuses --root in 252, so the files systemd reads, and their
order, are taken from `systemd-analyze verify`: every fixture file carries
an unknown key, and systemd warns "FILE:LINE: Unknown key 'Mark'" for each
file as it parses it, fragment first, then the drop-ins in order."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNIT_READ = os.environ.get("UNIT_READ")
ANALYZE = shutil.which("systemd-analyze")

pytestmark = [
    pytest.mark.skipif(not UNIT_READ, reason="UNIT_READ not set (run through meson test)"),
    pytest.mark.skipif(not ANALYZE, reason="systemd-analyze not installed"),
]

MARK = "[Unit]\nMark=1\n"
DIRS = ["etc/systemd/system", "run/systemd/system", "usr/lib/systemd/system"]


def put(root, rel, text=MARK):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def link(root, rel, target):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, p)


@pytest.fixture
def tree(tmp_path):
    r = tmp_path
    etc, run, usr = DIRS
    put(r, f"{usr}/over.service")
    put(r, f"{etc}/over.service")
    put(r, f"{usr}/masked.service")
    link(r, f"{etc}/masked.service", "/dev/null")
    put(r, f"{usr}/c.service")
    link(r, f"{usr}/b.service", str(r / usr / "c.service"))
    link(r, f"{etc}/a.service", "../../../usr/lib/systemd/system/b.service")
    put(r, f"{etc}/b.service.d/10-b.conf")
    put(r, f"{usr}/c.service.d/20-c.conf")
    put(r, "opt/linked.service")
    link(r, f"{etc}/linked.service", str(r / "opt/linked.service"))
    put(r, f"{usr}/getty@.service")
    put(r, f"{etc}/getty@.service.d/10-all.conf")
    put(r, f"{run}/getty@tty1.service.d/20-one.conf")
    link(r, f"{etc}/tty@.service", "getty@.service")
    put(r, f"{usr}/foo-bar-baz.service")
    put(r, f"{usr}/foo-.service.d/10.conf")
    put(r, f"{etc}/foo-bar-.service.d/20.conf")
    put(r, f"{run}/foo-bar-baz.service.d/30.conf")
    put(r, f"{usr}/service.d/05.conf")
    put(r, f"{etc}/service.d/06.conf")
    put(r, f"{usr}/foo-bar-baz.service.d/06.conf")  # name-specific beats type-wide /etc
    put(r, f"{usr}/over.service.d/a.conf")
    put(r, f"{etc}/over.service.d/a.conf")
    put(r, f"{usr}/over.service.d/b.conf")
    link(r, f"{run}/over.service.d/b.conf", "/dev/null")
    put(r, f"{usr}/foo-x@.service")
    put(r, f"{etc}/foo-@.service.d/50.conf")
    put(r, f"{usr}/foo-@y.service.d/60.conf")
    put(r, f"{usr}/t.target")
    put(r, f"{usr}/target.d/t.conf")
    # Dash prefixes at their edges: doubled, trailing and leading dashes,
    # dashes in an instance, and one name in several prefix directories
    # (the template's prefix comes first).
    for unit in ["a--b.service", "a-b-.service", "x-.service", "-x.service", "a-b@.service", "a.b-c.service"]:
        put(r, f"{usr}/{unit}")
    for conf in ["a--b.service.d/A", "a--.service.d/B", "a-.service.d/C", "a-b-.service.d/D", "x-.service.d/E",
                 "-x.service.d/F", "-.service.d/Z", "a-b@c-d.service.d/G", "a-b@.service.d/H",
                 "a-@c-d.service.d/I", "a-@.service.d/J", "a-b@c-.service.d/Y", "a.b-.service.d/K",
                 "a-@.service.d/W", "a-@c-d.service.d/W", "a-.service.d/W"]:
        put(r, f"{usr}/{conf}.conf")
    put(r, f"{usr}/service.d/not-a-conf.txt")
    return r


def env_for(root):
    env = dict(os.environ)
    env["SYSTEMD_UNIT_PATH"] = ":".join(str(root / d) for d in DIRS)
    env["SYSTEMD_LOG_COLOR"] = "0"
    return env


def systemd_files(root, unit):
    """The files systemd parses for UNIT, in order; None when masked."""
    p = subprocess.run([ANALYZE, "verify", "--man=no", "--generators=no", "--", unit],
                       env=env_for(root), capture_output=True, text=True, timeout=60)
    out = p.stdout + p.stderr
    if re.search(r"Unit \S+ is masked", out):
        return None
    files = []
    for m in re.finditer(r"^(/\S+):(\d+): Unknown key '?Mark'?", out, re.M):
        if m.group(1) not in files:
            files.append(m.group(1))
    return files


def reader(root, *args):
    p = subprocess.run([UNIT_READ, *args], env=env_for(root), capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.splitlines()


def reader_files(root, unit):
    lines = reader(root, unit)
    _, _, state, fragment = lines[0].split(" ", 3)
    if state == "masked":
        return None
    files = [fragment] if state == "found" else []
    files += [line.split(" ", 1)[1] for line in lines if line.startswith("dropin ")]
    return files


UNITS = ["over.service", "masked.service", "a.service", "b.service", "c.service", "linked.service",
         "getty@tty1.service", "tty@tty1.service", "foo-bar-baz.service", "foo-x@y.service",
         "foo-x@z.service", "t.target", "a--b.service", "a-b-.service", "x-.service", "-x.service",
         "a-b@c-d.service", "a.b-c.service"]


@pytest.mark.parametrize("unit", UNITS)
def test_same_files_in_same_order(tree, unit):
    want = systemd_files(tree, unit)
    got = reader_files(tree, unit)
    assert got == want


def test_fixture_is_not_vacuous(tree):
    # Each scenario really exercises what it claims, on systemd's side.
    assert systemd_files(tree, "masked.service") is None
    files = systemd_files(tree, "foo-bar-baz.service")
    assert len(files) == 6 and files[-1].endswith("foo-bar-baz.service.d/30.conf")
    assert any(f.endswith("etc/systemd/system/over.service.d/a.conf") for f in systemd_files(tree, "over.service"))


@pytest.mark.parametrize("value", [None, "/a:/b", "/a:/b:", "/x//y/:"])
def test_unit_paths(value):
    env = dict(os.environ)
    env.pop("SYSTEMD_UNIT_PATH", None)
    if value is not None:
        env["SYSTEMD_UNIT_PATH"] = value
    want = subprocess.run([ANALYZE, "unit-paths"], env=env, capture_output=True, text=True,
                          check=True).stdout.split()
    got = subprocess.run([UNIT_READ, "--paths"], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert got == want


def test_real_tree_loads_without_failure():
    """Every unit of this machine loads; nothing is warned about that systemd would accept."""
    env = dict(os.environ)
    env.pop("SYSTEMD_UNIT_PATH", None)
    names = subprocess.run([UNIT_READ, "--enumerate"], env=env, capture_output=True, text=True,
                           check=True).stdout.split()
    assert "getty@tty1.service" in names or "getty@.service" in names
    p = subprocess.run([UNIT_READ, *names], env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("\nunit ") + 1 == len(names)


def test_real_tree_matches_list_unit_files():
    """On this machine's units: the same names as `systemctl list-unit-files`
    (plus the instances enabled through .wants/.requires), and the same masked ones."""
    env = dict(os.environ)
    env.pop("SYSTEMD_UNIT_PATH", None)
    p = subprocess.run(["systemctl", "list-unit-files", "--no-legend", "--no-pager"], env=env,
                       capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip(f"systemctl list-unit-files failed: {p.stderr.strip()}")
    states = dict(line.split()[:2] for line in p.stdout.splitlines() if line.strip())
    names = subprocess.run([UNIT_READ, "--enumerate"], env=env, capture_output=True, text=True,
                           check=True).stdout.split()
    extra = set(names) - set(states)
    assert set(states) <= set(names)
    assert all("@" in n and not n.split("@", 1)[1].startswith(".") for n in extra), extra
    out = subprocess.run([UNIT_READ, *states], env=env, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    masked = {line.split()[1] for line in out if line.startswith("unit ") and line.split()[2] == "masked"}
    assert masked == {n for n, s in states.items() if s == "masked"}
