# SPDX-License-Identifier: MIT
"""The conventions every command follows, as systemd's tools do: one form
for errors ("sockkeeper COMMAND: message", then "Try ... --help" and exit
64 for usage errors), --version everywhere, --json=pretty|short|off, -q,
scan's --no-legend and count line, --no-pager accepted, a unit name
without a type taken as a .service, and the generator's --help and
--version."""

import json
import os
import pty
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from conftest import TIMEOUT
from guardlib import sockkeeper

VERBS = ["check", "demo", "guard", "heal", "migrate", "scan", "tmpfiles-snippet"]


def run(*args, cwd=None):
    return subprocess.run([sockkeeper(), *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT * 4,
                          cwd=cwd)


def usage_error(p, verb, message):
    """P failed as a usage error of VERB: exit 64, nothing on stdout, the
    message in the one form, then where to read more."""
    assert p.returncode == 64, (p.returncode, p.stderr)
    assert p.stdout == ""
    assert p.stderr == f"sockkeeper {verb}: {message}\nTry 'sockkeeper {verb} --help'.\n"


@pytest.mark.parametrize("verb", VERBS)
def test_every_command_has_version(verb):
    top = run("--version")
    assert top.returncode == 0 and top.stdout.startswith("sockkeeper ")
    p = run(verb, "--version")
    assert (p.returncode, p.stdout, p.stderr) == (0, top.stdout, "")
    # -V as well, as sockkeeper -V itself.
    assert run("-V").stdout == top.stdout
    p = run(verb, "-V")
    assert (p.returncode, p.stdout, p.stderr) == (0, top.stdout, "")


@pytest.mark.parametrize("verb", VERBS)
def test_unknown_option_is_a_usage_error_in_one_form(verb):
    usage_error(run(verb, "--frobnicate", "/tmp/x.sock"), verb, "unknown option '--frobnicate'")
    usage_error(run(verb, "--frobnicate=3", "/tmp/x.sock"), verb, "unknown option '--frobnicate'")
    usage_error(run(verb, "-Z", "/tmp/x.sock"), verb, "unknown option '-Z'")


@pytest.mark.parametrize("verb,args,message", [
    ("check", ["--root"], "option '--root' needs a value"),
    ("check", [], "at least one PATH is needed"),
    ("check", ["--json=yaml", "/tmp/x.sock"], "--json=yaml: use pretty, short or off"),
    ("scan", ["--unit"], "option '--unit' needs a value"),
    ("scan", ["extra"], "no arguments are taken, only options"),
    ("scan", ["--json=yaml"], "--json=yaml: use pretty, short or off"),
    ("migrate", [], "exactly one UNIT is needed"),
    ("migrate", ["--json=", "x"], "--json=: use pretty, short or off"),
    ("migrate", ["--diff", "--json", "x"], "--diff and --json exclude each other"),
    ("demo", ["/tmp/a.sock", "/tmp/b.sock"], "at most one PATH is taken"),
    ("guard", ["--unit"], "option '--unit' needs a value"),
    ("guard", ["--refresh-interval=soon", "/tmp/x.sock"],
     "--refresh-interval: invalid number of seconds or time span 'soon' (6h, 1d 2h, 500ms)"),
    ("tmpfiles-snippet", ["-o"], "option '-o' needs a value"),
    ("tmpfiles-snippet", [], "no PATH given"),
    ("scan", ["--unit", "foo bar"], "--unit: 'foo bar' is not a unit name (NAME.socket, NAME.service, ...)"),
    ("scan", ["--unit", "foo@"],
     "--unit: 'foo@' is not a unit name that runs: a template needs an instance (NAME@INSTANCE.service)"),
    ("scan", ["--format=prometheus", "--output=/tmp/x/tf/"], "--output: '/tmp/x/tf/' names a directory, not a file"),
    ("scan", ["--format=prometheus", "--output=/tmp/x/.."], "--output: '/tmp/x/..' is not an absolute file name"),
    ("guard", ["--metrics-file=/tmp/x/", "/tmp/x.sock"], "--metrics-file: '/tmp/x/' names a directory, not a file"),
    ("demo", ["relative.sock"], "relative.sock is not an absolute socket path or @abstract name"),
    ("guard", ["relative.sock"], "relative.sock is not an absolute socket path"),
    ("guard", ["--refresh-interval=1us", "/tmp/x.sock"], "--refresh-interval: '1us' is too short (at least 10ms, or 0)"),
    ("guard", ["--check-interval=9ms", "/tmp/x.sock"], "--check-interval: '9ms' is too short (at least 10ms, or 0)"),
    ("guard", ["--discover-interval=99ms", "--auto"], "--discover-interval: '99ms' is too short (at least 100ms)"),
    ("guard", ["--discover-interval=0", "--auto"], "--discover-interval: '0' is too short (at least 100ms)"),
])
def test_usage_errors(verb, args, message):
    usage_error(run(verb, *args), verb, message)


def test_top_level_errors():
    # No command: the error, and where to read more, not the whole help.
    p = run()
    assert (p.returncode, p.stdout) == (64, "")
    assert p.stderr == "sockkeeper: no command given\nTry 'sockkeeper --help'.\n"
    p = run("no-such-command")
    assert (p.returncode, p.stdout) == (64, "")
    assert p.stderr == "sockkeeper: unknown command 'no-such-command'\nTry 'sockkeeper --help'.\n"
    p = run("--frobnicate")
    assert (p.returncode, p.stdout) == (64, "")
    assert p.stderr == "sockkeeper: unknown option '--frobnicate'\nTry 'sockkeeper --help'.\n"


def test_guard_takes_time_spans():
    """Every duration is a time span; a bad one is refused before the guard
    starts, a good one is taken (--help after it: nothing runs)."""
    for span in ("6h", "1d 2h", "500ms", "90", "1.5min", "2 weeks"):
        p = run("guard", f"--refresh-interval={span}", f"--check-interval={span}", f"--restart-delay={span}",
                f"--restart-interval={span}", f"--discover-interval={span}", "--help")
        assert p.returncode == 0, (span, p.stderr)
    # The shortest intervals, and 0 where it has a meaning.
    p = run("guard", "--refresh-interval=10ms", "--check-interval=10ms", "--discover-interval=100ms", "--help")
    assert p.returncode == 0, p.stderr
    p = run("guard", "--refresh-interval=0", "--check-interval=0", "--help")
    assert p.returncode == 0, p.stderr


@pytest.fixture
def socket_path(serve, tmp_path):
    """A listener of ours, and its path."""
    os.chmod(tmp_path, 0o755)
    path = tmp_path / "cli.sock"
    serve(path, "--mode", "none")
    return path


@pytest.fixture
def orphan(serve, tmp_path):
    """A listener whose path a cleaner deleted: scan calls it broken."""
    os.chmod(tmp_path, 0o755)
    path = tmp_path / "orphan.sock"
    serve(path, "--mode", "none")
    path.unlink()
    return path


def test_check_json_modes(socket_path):
    default = run("check", socket_path)
    pretty = run("check", "--json", socket_path)
    assert pretty.stdout.count("\n") > 3 and pretty.stdout.startswith("[\n")
    assert run("check", "--json=pretty", socket_path).stdout == pretty.stdout
    short = run("check", "--json=short", socket_path)
    assert short.stdout.count("\n") == 1 and short.stdout.endswith("\n")
    assert json.loads(short.stdout) == json.loads(pretty.stdout)
    off = run("check", "--json", "--json=off", socket_path)
    assert (off.stdout, off.returncode) == (default.stdout, default.returncode)
    assert pretty.returncode == short.returncode == default.returncode


def ours(entries, path):
    return [e for e in entries if e["path"] == str(path)]


def test_scan_json_modes(orphan):
    pretty = run("scan", "--json")
    short = run("scan", "--json=short")
    assert pretty.returncode == short.returncode == 1
    assert pretty.stdout.count("\n") > 3
    assert short.stdout.count("\n") == 1
    mine = ours(json.loads(short.stdout), orphan)
    assert len(mine) == 1 and mine == ours(json.loads(pretty.stdout), orphan)
    assert mine[0]["status"] == "orphaned"
    assert run("scan", "--json=off").stdout.splitlines()[0].split()[0] == "STATUS"


def test_quiet_prints_nothing_and_exits_alike(orphan, socket_path):
    for args in (["check", socket_path], ["check", "--json", socket_path], ["check", "relative.sock"]):
        loud, quiet = run(*args), run(args[0], "-q", *args[1:])
        assert quiet.stdout == "" and quiet.returncode == loud.returncode, args
        assert run(args[0], "--quiet", *args[1:]).returncode == loud.returncode
    # Broken, found and said only by the exit status.
    loud, quiet = run("scan"), run("scan", "-q")
    assert (quiet.stdout, quiet.returncode) == ("", 1) and loud.returncode == 1
    assert run("scan", "--quiet", "--json").stdout == ""


def test_scan_no_legend(orphan):
    full = run("scan").stdout.splitlines()
    bare = run("scan", "--no-legend").stdout.splitlines()
    assert full[0].split()[0] == "STATUS" and full[-2] == "" and full[-1].endswith(" listed.")
    n = int(full[-1].split()[0])
    assert n == len(full) - 3 and n >= 1
    assert bare and bare[0].split()[0] != "STATUS" and not any(line.endswith(" listed.") for line in bare)
    assert any(str(orphan) in line and line.startswith("orphaned") for line in bare)


@pytest.mark.parametrize("args", [
    # scan limited to a unit that holds nothing: the machine's other sockets
    # come and go between two scans while other tests run.
    ["scan", "--unit", "sk-test-holds-nothing"], ["check", "/tmp/x.sock"], ["tmpfiles-snippet", "/tmp/x.sock"],
    ["migrate", "--json", "x"],
])
def test_no_pager_is_accepted(args):
    with_, without = run(args[0], "--no-pager", *args[1:]), run(*args)
    assert with_.returncode == without.returncode and "--no-pager" not in with_.stderr
    assert with_.stdout == without.stdout


def test_migrate_takes_a_name_without_type_as_service(tmp_path):
    units = tmp_path / "etc/systemd/system"
    units.mkdir(parents=True)
    (units / "legacy.service").write_text("[Service]\nExecStart=/bin/true --listen /tmp/legacy.sock\n")
    full = run("migrate", "--json", "--root", tmp_path, "legacy.service")
    bare = run("migrate", "--json", "--root", tmp_path, "legacy")
    assert full.returncode == 0, full.stderr
    assert (bare.returncode, bare.stdout, bare.stderr) == (full.returncode, full.stdout, full.stderr)
    assert json.loads(bare.stdout)["unit"] == "legacy.service"
    short = run("migrate", "--json=short", "--root", tmp_path, "legacy")
    assert short.stdout.count("\n") == 1 and json.loads(short.stdout) == json.loads(full.stdout)


def test_guard_takes_a_name_without_type_as_service(tmp_path, serve, guard):
    path = tmp_path / "named.sock"
    serve(path, "--mode", "none")
    g = guard("--unit=sk-named", path)
    assert "unit=sk-named.service" in g.expect("attached")
    assert g.stop() == 0


CGROUP_ROOT = Path("/sys/fs/cgroup/systemd")


@pytest.fixture
def unit_cgroup():
    """A cgroup named like a service of PID 1's, in the name=systemd
    hierarchy that scan reads units from; a process moved in belongs to
    that unit as far as /proc/PID/cgroup says."""
    name = f"sk-cli-{uuid.uuid4().hex[:8]}.app.service"
    group = CGROUP_ROOT / "system.slice" / name
    try:
        group.mkdir(parents=True)
    except OSError as e:
        pytest.skip(f"cannot make a cgroup in {CGROUP_ROOT}: {e}")
    yield name, group
    # The test moved its process out; removal may wait for the kernel.
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            group.rmdir()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_scan_unit_without_type_is_a_service(tmp_path, serve, unit_cgroup):
    name, group = unit_cgroup
    os.chmod(tmp_path, 0o755)
    path = tmp_path / "unit.sock"
    srv = serve(path, "--mode", "none")
    (group / "cgroup.procs").write_text(str(srv.pid))
    try:
        for given in (name, name.removesuffix(".service")):
            p = run("scan", "--json", "--unit", given)
            assert p.returncode == 0, p.stderr
            entries = json.loads(p.stdout)
            assert [e["path"] for e in entries] == [str(path)], (given, entries)
    finally:
        # Back to where the tests run, so that the group can go.
        (CGROUP_ROOT / "cgroup.procs").write_text(str(srv.pid))


def test_generator_help_and_version_are_no_directories(tmp_path):
    gen = os.environ["SOCKKEEPER_GENERATOR"]
    version = subprocess.run([gen, "--version"], capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path)
    assert (version.returncode, version.stdout) == (0, run("--version").stdout.replace("sockkeeper ",
                                                                                    "sockkeeper-generator ", 1))
    for flag in ("--help", "-h"):
        p = subprocess.run([gen, flag], capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path)
        assert p.returncode == 0 and p.stdout.startswith("Usage: sockkeeper-generator"), p
    p = subprocess.run([gen, "--frobnicate"], capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path)
    assert p.returncode == 64
    assert p.stderr == "sockkeeper-generator: unknown option '--frobnicate'\nTry 'sockkeeper-generator --help'.\n"
    assert list(tmp_path.iterdir()) == []  # nothing written where it was run


def on_terminal(argv, cwd):
    """ARGV run with a terminal for its standard streams: its exit status
    and what it wrote there."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd)
        os.close(slave)
        slave = -1
        out = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the other side is closed
                break
            if not chunk:
                break
            out += chunk
        return proc.wait(timeout=TIMEOUT), out.decode().replace("\r\n", "\n")
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)


@pytest.mark.parametrize("args", [[], ["a", "b"], ["a", "b", "c", "d"]])
def test_generator_wrong_count_on_a_terminal_is_a_usage_error(tmp_path, args):
    gen = os.environ["SOCKKEEPER_GENERATOR"]
    status, out = on_terminal([gen, *[str(tmp_path / a) for a in args]], tmp_path)
    assert status == 64, out
    assert out == (f"sockkeeper-generator: takes one or three directories, not {len(args)} arguments\n"
                   "Try 'sockkeeper-generator --help'.\n")
    assert list(tmp_path.iterdir()) == []
    # Without a terminal, as under systemd: logged (here to the console,
    # as SYSTEMD_LOG_TARGET says), and 1.
    p = subprocess.run([gen, *[str(tmp_path / a) for a in args]], capture_output=True, text=True, timeout=TIMEOUT,
                       env=dict(os.environ, SYSTEMD_LOG_TARGET="console"), stdin=subprocess.DEVNULL)
    assert (p.returncode, p.stdout, p.stderr) == (1, "", "This program takes one or three arguments.\n")
