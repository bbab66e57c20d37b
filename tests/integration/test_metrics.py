# SPDX-License-Identifier: MIT
"""Metrics for Prometheus, checked by the real tools: `sockkeeper scan
--format=prometheus` read by `promtool check metrics` and by the real
node_exporter's textfile collector (from the scan service's own ExecStart
line), --output written atomically and never over another's file, the
guard's --metrics-file, and the alert rules under `promtool test rules`.
Each scan runs in namespaces of its own (metricslib.World), so that the
sockets of other tests running meanwhile do not count."""

import os
import re
import shlex
import socket
import stat
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from guardlib import Guard, anchor_of
from metricslib import TIMEOUT, World, fixture_root, need, sockkeeper, wait_for, without_netlink

HERE = Path(__file__).resolve().parent
STATUSES = ("healthy", "at-risk", "orphaned", "hijacked", "renamed", "abstract", "unknown")
# Bytes that the exposition format must escape (backslash, quote, newline),
# a tab it may keep, and one that is not UTF-8, which it cannot carry.
ODD = b'odd "q" back\\slash\nnl\ttab\xff.sock'
ODD_LABEL = 'odd \\"q\\" back\\\\slash\\nnl\ttab\\\\xff.sock'


def promtool(*args, stdin=None):
    need("promtool")
    return subprocess.run(["promtool", *args], input=stdin, capture_output=True, text=True, timeout=TIMEOUT)


def samples(text, name):
    """NAME's samples: [(label text, value)]."""
    out = []
    for line in text.splitlines():
        m = re.match(re.escape(name) + r"(\{.*\})? (\S+)$", line)
        if m:
            out.append((m.group(1) or "", float(m.group(2))))
    return out


@pytest.fixture
def world(tmp_path):
    d = tmp_path / "s"
    d.mkdir()
    root = fixture_root(tmp_path)
    w = World([("healthy", root / "srv/healthy.sock"), ("orphan", d / "orphan.sock"),
               ("orphan", d / "twice.sock"), ("orphan", d / "twice.sock"),   # one series, value 2
               ("hijacked", d / "hijacked.sock"), ("orphan", bytes(d) + b"/" + ODD),
               ("healthy", root / "tmp/risky.sock")],
              env={"SOCKKEEPER_SCAN_TEST_ROOT": str(root)})
    w.dir = d
    yield w
    w.stop()


def test_scan_prometheus_passes_promtool(world):
    p = world.scan("--format=prometheus")
    assert p.returncode == 1, p.stderr          # broken sockets found
    check = promtool("check", "metrics", stdin=p.stdout)
    assert check.returncode == 0, check.stdout + check.stderr + p.stdout
    assert p.stdout.startswith("# sockkeeper metrics")

    # Every status, zeros included.
    by_status = dict(samples(p.stdout, "sockkeeper_scan_sockets"))
    assert sorted(by_status) == sorted(f'{{status="{s}"}}' for s in STATUSES)
    assert by_status['{status="orphaned"}'] == 4
    assert by_status['{status="hijacked"}'] == 1
    assert by_status['{status="at-risk"}'] == 1
    assert by_status['{status="renamed"}'] == 0

    broken = dict(samples(p.stdout, "sockkeeper_scan_broken_sockets"))
    d = str(world.dir)
    assert broken == {
        f'{{path="{d}/hijacked.sock",status="hijacked",unit="",netns="host"}}': 1,
        f'{{path="{d}/{ODD_LABEL}",status="orphaned",unit="",netns="host"}}': 1,
        f'{{path="{d}/orphan.sock",status="orphaned",unit="",netns="host"}}': 1,
        f'{{path="{d}/twice.sock",status="orphaned",unit="",netns="host"}}': 2,
    }, p.stdout
    assert samples(p.stdout, "sockkeeper_scan_success") == [("", 1)]
    assert samples(p.stdout, "sockkeeper_scan_netns_complete") == [("", 1)]
    (ts, ), (dur, ) = [v for _, v in samples(p.stdout, "sockkeeper_scan_timestamp_seconds")], \
        [v for _, v in samples(p.stdout, "sockkeeper_scan_duration_seconds")]
    assert abs(ts - time.time()) < 60 and 0 < dur < 30


def test_output_atomic_and_only_over_its_own(world, tmp_path):
    out = tmp_path / "textfile"
    out.mkdir()
    target = out / "sockkeeper.prom"
    p = world.scan("--format=prometheus", f"--output={target}")
    assert p.returncode == 1 and p.stdout == "", p.stderr
    first = target.stat()
    assert stat.S_IMODE(first.st_mode) == 0o644
    assert sorted(os.listdir(out)) == ["sockkeeper.prom"]      # no temporary file left
    assert promtool("check", "metrics", stdin=target.read_text(errors="surrogateescape")).returncode == 0

    # Replaced by a rename: a new inode, never the old one rewritten (a
    # scrape reading the old file meanwhile reads it whole).
    p = world.scan("--format=prometheus", f"--output={target}")
    assert p.returncode == 1, p.stderr
    assert target.stat().st_ino != first.st_ino
    assert sorted(os.listdir(out)) == ["sockkeeper.prom"]

    # Someone else's file, or a symlink, is left alone.
    other = out / "other.prom"
    other.write_text("node_something 1\n")
    p = world.scan("--format=prometheus", f"--output={other}")
    assert p.returncode == 3 and "not written by sockkeeper" in p.stderr, p.stderr
    assert other.read_text() == "node_something 1\n"
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    (out / "link.prom").symlink_to(victim)
    p = world.scan("--format=prometheus", f"--output={out / 'link.prom'}")
    assert p.returncode == 3 and "symlink" in p.stderr, p.stderr
    assert victim.read_text() == "precious\n"
    # Nor is a symlink on the way to the directory followed.
    (tmp_path / "via").symlink_to(out)
    p = world.scan("--format=prometheus", f"--output={tmp_path / 'via' / 'sockkeeper.prom'}")
    assert p.returncode == 3 and "symlink" in p.stderr, p.stderr


def test_failed_scan_says_so(tmp_path):
    """A scan that cannot list the sockets (sock_diag refused) still
    writes its file, with success 0 and nothing counted, over the last
    good one: an alert, not stale numbers."""
    target = tmp_path / "sockkeeper.prom"
    p = subprocess.run([sockkeeper(), "scan", "--format=prometheus", f"--output={target}"], capture_output=True,
                       text=True, timeout=TIMEOUT)
    assert p.returncode in (0, 1), p.stderr
    assert samples(target.read_text(errors="surrogateescape"), "sockkeeper_scan_success") == [("", 1)]
    p = subprocess.run(without_netlink(sockkeeper(), "scan", "--format=prometheus", f"--output={target}"),
                       capture_output=True, text=True, timeout=TIMEOUT)
    if p.returncode == 77:
        pytest.skip("no seccomp filter for this architecture")
    assert p.returncode == 3 and "sock_diag" in p.stderr, p.stderr
    text = target.read_text()
    assert samples(text, "sockkeeper_scan_success") == [("", 0)]
    assert samples(text, "sockkeeper_scan_sockets") == [] and samples(text, "sockkeeper_scan_broken_sockets") == []
    assert len(samples(text, "sockkeeper_scan_timestamp_seconds")) == 1
    check = promtool("check", "metrics", stdin=text)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("args", [["--format=prometheus", "--output=relative.prom"],
                                  ["--output=/tmp/x.prom"], ["--format=json", "--output=/tmp/x.prom"],
                                  ["--format=yaml"]])
def test_bad_format_arguments(args):
    p = subprocess.run([sockkeeper(), "scan", *args], capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 64, p.stderr
    # The one error form: "sockkeeper scan: ...", then the Try line.
    assert p.stdout == "" and p.stderr.startswith("sockkeeper scan: "), p.stderr
    assert p.stderr.splitlines()[1:] == ["Try 'sockkeeper scan --help'."], p.stderr


def test_json_still_works(world):
    p = world.scan("--json")
    assert p.returncode == 1 and p.stdout.lstrip().startswith("["), p.stderr
    # --format=json is the same output.
    assert world.scan("--format=json").stdout.count('"path"') == p.stdout.count('"path"')


def exec_start(name):
    """The unit's ExecStart= line, as the installed unit says it, split."""
    text = (Path(os.environ["SK_UNITS_BUILD"]) / name).read_text()
    line = next(l.split("=", 1)[1] for l in text.splitlines() if l.startswith("ExecStart="))
    return shlex.split(line)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_node_exporter_reads_the_scan_service_output(world, tmp_path):
    """The scan service's own command line, then the real node_exporter,
    on 127.0.0.1 only, reading that directory: the orphaned socket is on
    its /metrics, and the file parsed without error."""
    need("prometheus-node-exporter")
    textfile = tmp_path / "node-exporter"
    textfile.mkdir()
    argv = exec_start("sockkeeper-scan.service")
    assert argv[0] == os.path.join(os.environ["SK_BINDIR"], "sockkeeper"), argv
    argv = [sockkeeper()] + [a.replace("${SOCKKEEPER_TEXTFILE_DIR}", str(textfile)) for a in argv[1:]]
    p = world.run(*argv)
    assert p.returncode == 1, p.stderr        # SuccessExitStatus=1 in the unit
    assert os.listdir(textfile) == ["sockkeeper.prom"]

    for attempt in range(5):                  # a port taken meanwhile: another one
        port = free_port()
        exporter = subprocess.Popen(["prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{port}",
                                     "--collector.disable-defaults", "--collector.textfile",
                                     f"--collector.textfile.directory={textfile}"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            def scrape():
                if exporter.poll() is not None:
                    return "exited"
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                        return r.read().decode()
                except OSError:
                    return None
            body = wait_for(scrape, what="node_exporter's /metrics")
            if body == "exited":
                continue
            break
        finally:
            exporter.terminate()
            err = exporter.communicate(timeout=TIMEOUT)[1]
    else:
        pytest.fail(f"node_exporter did not start: {err}")

    assert samples(body, "node_textfile_scrape_error") == [("", 0)], err
    d = str(world.dir)
    broken = dict(samples(body, "sockkeeper_scan_broken_sockets"))
    # node_exporter orders labels by name.
    assert broken[f'{{netns="host",path="{d}/orphan.sock",status="orphaned",unit=""}}'] == 1, body
    assert broken[f'{{netns="host",path="{d}/{ODD_LABEL}",status="orphaned",unit=""}}'] == 1, body
    assert dict(samples(body, "sockkeeper_scan_sockets"))['{status="orphaned"}'] == 4


@pytest.fixture
def listener(tmp_path):
    """A listening socket at TMP/s/kept.sock, for the guard to keep."""
    d = tmp_path / "s"
    d.mkdir()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(d / "kept.sock"))
    server.listen()
    yield d / "kept.sock"
    server.close()


def test_guard_metrics_file(tmp_path, listener):
    """The guard's counters and paths by state, in a file that promtool
    accepts, rewritten (by rename) when something happened, and not more
    than once in a few seconds however many relinks."""
    path = listener
    metrics = tmp_path / "guard.prom"
    guard = Guard(f"--metrics-file={metrics}", path)
    try:
        guard.expect("attached")
        text = wait_for(lambda: metrics.exists() and metrics.read_text(), what="the metrics file")
        check = promtool("check", "metrics", stdin=text)
        assert check.returncode == 0, check.stdout + check.stderr + text
        assert dict(samples(text, "sockkeeper_guard_paths")) == {
            '{state="kept"}': 1, '{state="lost"}': 0, '{state="conflict"}': 0, '{state="waiting"}': 0}
        assert samples(text, "sockkeeper_guard_relinks_total") == [("", 0)]
        assert stat.S_IMODE(metrics.stat().st_mode) == 0o644

        # A burst of removals: every one relinked, one file written for them.
        before = metrics.stat().st_ino
        for _ in range(10):
            os.unlink(path)
            guard.expect("relinked")
        inodes = {before}
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            inodes.add(metrics.stat().st_ino)
            time.sleep(0.02)
        assert len(inodes) <= 2, "written more than once within 3 s"

        def relinked_all():
            t = metrics.read_text()
            return t if samples(t, "sockkeeper_guard_relinks_total") == [("", 10)] else None
        text = wait_for(relinked_all, timeout=15, what="relinks_total 10")
        assert samples(text, "sockkeeper_guard_losses_total") == [("", 0)]
        assert sorted(os.listdir(tmp_path)) == ["guard.prom", "s"]
    finally:
        assert guard.stop() == 0


def test_guard_metrics_loss_and_give_up(tmp_path, listener):
    """A path lost with its anchor, for a unit whose restarts are used up
    (--restart-burst=0): a loss, a give-up, the path counted as lost."""
    path = listener
    metrics = tmp_path / "guard.prom"
    guard = Guard(f"--metrics-file={metrics}", "--unit=sk-metrics-test.service", "--on-loss=restart",
                  "--restart-burst=0", "--restart-delay=0", path)
    try:
        anchor = anchor_of(guard.expect("attached"))
        os.unlink(anchor)
        os.unlink(path)
        guard.expect("lost")
        guard.expect("give-up")

        def given_up():
            t = metrics.exists() and metrics.read_text()
            return t if t and samples(t, "sockkeeper_guard_give_ups_total") == [("", 1)] else None
        text = wait_for(given_up, timeout=15, what="give_ups_total 1")
        assert samples(text, "sockkeeper_guard_losses_total") == [("", 1)]
        assert samples(text, "sockkeeper_guard_restarts_total") == [("", 0)]
        assert dict(samples(text, "sockkeeper_guard_paths"))['{state="lost"}'] == 1
    finally:
        assert guard.stop() == 0


def test_guard_metrics_file_missing_directory(tmp_path, listener):
    """--metrics-file=-FILE, as the guard's unit has it: while FILE's
    directory (node_exporter's textfile directory) is missing, nothing is
    written, made or said, relinks go on; once it is there, the counts so
    far are written at the next change."""
    path = listener
    textfile = tmp_path / "textfile"
    metrics = textfile / "sockkeeper-guard.prom"
    guard = Guard(f"--metrics-file=-{metrics}", path)
    try:
        guard.expect("attached")
        os.unlink(path)
        guard.expect("relinked")
        # Tried at the start (the first file is written at once) and due
        # again after the relink: nothing made.
        assert not textfile.exists()
        textfile.mkdir()
        os.unlink(path)
        guard.expect("relinked")

        def relinked_twice():
            t = metrics.exists() and metrics.read_text()
            return t if t and samples(t, "sockkeeper_guard_relinks_total") == [("", 2)] else None
        text = wait_for(relinked_twice, timeout=15, what="relinks_total 2 once the directory is there")
        check = promtool("check", "metrics", stdin=text)
        assert check.returncode == 0, check.stdout + check.stderr + text
    finally:
        assert guard.stop() == 0
    said = [line for line in guard.lines if str(textfile) in line or "action=metrics" in line]
    assert said == [], said


@pytest.mark.parametrize("arg", ["--metrics-file=relative.prom", "--metrics-file=-relative.prom",
                                 "--metrics-file=-", "--metrics-file=/a/../b.prom"])
def test_guard_metrics_file_argument(arg):
    p = subprocess.run([sockkeeper(), "guard", arg, "/tmp/x.sock"],
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 64 and "--metrics-file" in p.stderr, p.stderr


def test_alert_rules():
    rules = HERE.parent.parent / "contrib/prometheus/sockkeeper.rules.yml"
    p = promtool("check", "rules", str(rules))
    assert p.returncode == 0, p.stdout + p.stderr
    p = promtool("test", "rules", str(HERE / "prometheus/sockkeeper.rules.test.yml"))
    assert p.returncode == 0, p.stdout + p.stderr
