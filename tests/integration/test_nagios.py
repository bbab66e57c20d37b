# SPDX-License-Identifier: MIT
"""check and scan as monitoring plugins (--format=nagios): one line,
"SOCKKEEPER STATE - what | perfdata", the exit status 0/1/2/3 of
monitoring-plugins' guidelines (usage errors 3), names that cannot break
the line or start the performance data, and the line read by a real
monitoring-plugins tool's conventions where one is installed. Scans run
in namespaces of their own (metricslib.World)."""

import re
import subprocess

import pytest

from metricslib import TIMEOUT, World, fixture_root, sockkeeper, without_netlink

LINE = re.compile(r"^SOCKKEEPER (OK|WARNING|CRITICAL|UNKNOWN) - ([^|\n]*) \| ((?:[^ =']+=[^ ]+ ?)+)\n$")


def parse(stdout):
    m = LINE.match(stdout)
    assert m, f"not one plugin line: {stdout!r}"
    perf = {}
    for item in m.group(3).split():
        label, data = item.split("=", 1)
        # value[UOM];[warn];[crit];[min];[max]
        fields = data.split(";")
        assert re.fullmatch(r"\d+", fields[0]) and len(fields) <= 5, item
        perf[label] = (int(fields[0]), *fields[1:])
    return m.group(1), m.group(2), perf


def check(*args):
    return subprocess.run([sockkeeper(), "check", *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT)


@pytest.fixture
def root(tmp_path):
    return fixture_root(tmp_path)


def test_check_states(root):
    p = check("--format=nagios", "--root", root, "/srv/a.sock")
    assert p.returncode == 0, p.stderr
    state, text, perf = parse(p.stdout)
    assert state == "OK" and text == "1 path ok"
    assert perf["ok"][0] == 1 and perf["risky"] == (0, "", "0", "0")

    p = check("--format=nagios", "--root", root, "/srv/a.sock", "/tmp/a.sock", "/tmp/b.sock")
    assert p.returncode == 2, p.stderr
    state, text, perf = parse(p.stdout)
    assert state == "CRITICAL"
    # The rule that deletes them, by file and line.
    assert text == "2 risky: /tmp/a.sock (cron: /etc/cron.d/cleanup:1), /tmp/b.sock (cron: /etc/cron.d/cleanup:1)"
    assert perf["risky"][0] == 2 and perf["ok"][0] == 1

    # A path that cannot work is UNKNOWN, and CRITICAL still wins.
    p = check("--format=nagios", "--root", root, "relative.sock")
    assert p.returncode == 3 and parse(p.stdout)[0] == "UNKNOWN", p.stdout
    p = check("--format=nagios", "--root", root, "relative.sock", "/tmp/a.sock")
    assert p.returncode == 2 and parse(p.stdout)[0] == "CRITICAL", p.stdout


@pytest.mark.parametrize("args", [[], ["--bogus", "/tmp/a.sock"], ["--root", "/nonexistent", "/tmp/a.sock"],
                                  ["/tmp/../etc/a.sock"]])
def test_check_usage_errors_are_unknown(args):
    p = check("--format=nagios", *args)
    assert p.returncode == 3, p.stderr
    assert p.stdout.startswith("SOCKKEEPER UNKNOWN - ") and p.stdout.count("\n") == 1, p.stdout
    # Without --format=nagios the same error is 64.
    plain = check(*args)
    assert plain.returncode == 64
    # The line says why, as standard error does: NRPE keeps only the line.
    assert p.stdout == "SOCKKEEPER UNKNOWN - " + plain.stderr.splitlines()[0].split(": ", 1)[1] + "\n"


def test_check_usage_error_line_names_the_reason():
    p = check("--format=nagios", "--root", "/nonexistent", "/tmp/x")
    assert (p.returncode, p.stdout) == (3, "SOCKKEEPER UNKNOWN - --root /nonexistent: does not exist\n")


def test_check_json_still_works(root):
    p = check("--json", "--root", root, "/srv/a.sock")
    assert p.returncode == 0 and p.stdout.lstrip().startswith("[")
    assert check("--format=json", "--root", root, "/srv/a.sock").stdout == p.stdout


def world(sockets, root):
    return World(sockets, env={"SOCKKEEPER_SCAN_TEST_ROOT": str(root)})


def test_scan_ok_and_warning(root):
    w = world([("healthy", root / "srv/a.sock")], root)
    try:
        p = w.scan("--format=nagios")
        assert p.returncode == 0, p.stderr
        state, text, perf = parse(p.stdout)
        assert (state, text) == ("OK", "1 socket, none broken or at risk")
        assert perf["healthy"][0] == 1 and perf["orphaned"] == (0, "", "0", "0")
    finally:
        w.stop()

    w = world([("healthy", root / "srv/b.sock"), ("healthy", root / "tmp/risky.sock")], root)
    try:
        p = w.scan("--format=nagios")
        assert p.returncode == 1, p.stderr
        state, text, perf = parse(p.stdout)
        assert state == "WARNING"
        assert re.fullmatch(rf"1 at risk: {re.escape(str(root))}/tmp/risky\.sock \(python3[^)]*\)", text), text
        assert perf["at_risk"] == (1, "0", "", "0")
    finally:
        w.stop()


def test_scan_critical(root, tmp_path):
    d = tmp_path / "s"
    d.mkdir()
    orphans = [("orphan", d / f"o{i}.sock") for i in range(8)]
    w = world([("healthy", root / "tmp/risky.sock"), *orphans, ("hijacked", d / "h.sock")], root)
    try:
        p = w.scan("--format=nagios")
        assert p.returncode == 2, p.stderr
        state, text, perf = parse(p.stdout)
        assert state == "CRITICAL"
        # Broken beats at risk; at most 5 names per group.
        assert text.startswith("8 orphaned: ") and ", and 3 more; 1 hijacked: " in text, text
        assert f"{d}/h.sock (python3" in text
        assert perf["orphaned"] == (8, "", "0", "0") and perf["hijacked"][0] == 1 and perf["at_risk"][0] == 1
    finally:
        w.stop()


def test_scan_odd_names(tmp_path):
    """A '|' would start the performance data, a newline a second line:
    the name is escaped as everywhere (\\n), and '|' as \\x7c."""
    d = tmp_path / "s"
    d.mkdir()
    w = World([("orphan", bytes(d) + b"/pipe|and\nnewline.sock")])
    try:
        p = w.scan("--format=nagios")
        assert p.returncode == 2, p.stderr
        state, text, perf = parse(p.stdout)
        assert text == f"1 orphaned: {d}/pipe\\x7cand\\nnewline.sock (python3)", text
    finally:
        w.stop()


@pytest.mark.parametrize("args", [["--bogus"], ["--unit="], ["extra"], ["--format=nagios", "--output=/tmp/x"]])
def test_scan_usage_errors_are_unknown(args):
    p = subprocess.run([sockkeeper(), "scan", "--format=nagios", *args], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert p.returncode == 3, p.stderr
    assert p.stdout.startswith("SOCKKEEPER UNKNOWN - ") and p.stdout.count("\n") == 1, p.stdout
    # The reason, from standard error's first line; a '|' in it cannot
    # start the performance data.
    reason = p.stderr.splitlines()[0].split(": ", 1)[1].replace("|", "\\x7c")
    assert p.stdout == f"SOCKKEEPER UNKNOWN - {reason}\n"


def test_scan_usage_error_escapes_the_bar():
    p = subprocess.run([sockkeeper(), "scan", "--format=nagios", "--unit=a|b"], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert p.returncode == 3
    assert p.stdout == ("SOCKKEEPER UNKNOWN - --unit: 'a\\x7cb' is not a unit name (NAME.socket, NAME.service, "
                        "...)\n")


def test_scan_failed_is_unknown():
    p = subprocess.run(without_netlink(sockkeeper(), "scan", "--format=nagios"), capture_output=True, text=True,
                       timeout=TIMEOUT)
    if p.returncode == 77:
        pytest.skip("no seccomp filter for this architecture")
    assert p.returncode == 3, p.stderr
    assert p.stdout.startswith("SOCKKEEPER UNKNOWN - the scan failed") and p.stdout.count("\n") == 1, p.stdout
