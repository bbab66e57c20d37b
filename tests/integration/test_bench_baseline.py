# SPDX-License-Identifier: MIT
"""The benchmarks' --baseline (bench/check, bench/scan, bench/generator) and
bench/recovery-compare, with tiny settings: the baseline runs the same
commands as ours, as many times, gets its own rows, JSON fields and ratio,
and the output without --baseline has none of them."""

import json
import os
import shlex
import subprocess

import pytest

SOCKKEEPER = os.environ.get("SOCKKEEPER")
GENERATOR = os.environ.get("SOCKKEEPER_GENERATOR")
BENCH = {name: os.environ.get("BENCH_" + name.upper()) for name in ("check", "scan", "generator", "recovery")}
RECOVERY_COMPARE = os.environ.get("RECOVERY_COMPARE")

pytestmark = pytest.mark.skipif(not all(BENCH.values()) or not RECOVERY_COMPARE,
                                reason="run by meson, which passes the benchmarks' paths")

# name: (the tool's path, the size option, the baseline's rows, its JSON fields)
CASES = {
    "check": (SOCKKEEPER, "--paths=5", ["baseline check --json", "ratio check / baseline check"],
              ["baseline_check_median_us", "ratio_baseline"]),
    "scan": (SOCKKEEPER, "--sockets=5", ["baseline scan --json", "baseline scan ", "ratio --json / baseline",
                                         "ratio scan / baseline"],
             ["baseline_scan_json_median_us", "baseline_scan_table_median_us", "ratio_json_baseline",
              "ratio_table_baseline"]),
    "generator": (GENERATOR, "--units=5", ["baseline ", "ratio generator / baseline"], []),
}
RUNS = 2


def bench(name, *args):
    return subprocess.run([BENCH[name], *args], capture_output=True, text=True, timeout=120)


def wrapper(tmp_path, real, exit_status=None):
    """A baseline that logs each call (its arguments, and how many entries
    its first argument, a directory for the generator, holds) and runs REAL."""
    log = tmp_path / "calls"
    script = tmp_path / "baseline"
    run = f'exec {shlex.quote(real)} "$@"' if exit_status is None else f'{shlex.quote(real)} "$@"; exit {exit_status}'
    script.write_text("#!/bin/sh\n"
                      f'n=$( [ -d "$1" ] && ls -A "$1" | wc -l || echo -)\n'
                      f'echo "$n $*" >>{shlex.quote(str(log))}\n'
                      f"{run}\n")
    script.chmod(0o755)
    return script, log


@pytest.mark.parametrize("name", CASES)
def test_baseline_rows_and_runs(name, tmp_path):
    real, size, rows, _ = CASES[name]
    base, log = wrapper(tmp_path, real)
    r = bench(name, size, f"--runs={RUNS}", f"--baseline={base}")
    assert r.returncode == 0, r.stderr
    for row in rows:
        assert f"  {row}" in r.stdout, r.stdout
    assert f"  baseline: {base}\n" in r.stdout
    calls = log.read_text().splitlines()
    # One untimed round and RUNS timed ones, of each of ours' commands.
    per_tree = {"check": 1, "scan": 2, "generator": 2}[name]
    assert len(calls) == (RUNS + 1) * per_tree, calls
    if name == "check":
        assert all(c.split()[1:4] == ["check", "--json", "/tmp/bench-0.sock"] and len(c.split()) == 8 for c in calls)
    elif name == "scan":
        assert sorted(c.split(" ", 1)[1] for c in calls) == ["scan"] * 3 + ["scan --json"] * 3
    else:
        # A fresh, empty output directory for each run, given three times.
        dirs = set()
        for c in calls:
            n, *args = c.split()
            assert n == "0" and len(args) == 3 and len(set(args)) == 1, c
            dirs.add(args[0])
        assert len(dirs) == len(calls)


@pytest.mark.parametrize("name", CASES)
def test_baseline_json(name):
    real, size, _, fields = CASES[name]
    r = bench(name, size, "--runs=1", "--json", f"--baseline={real}")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["baseline"] == real
    objects = doc["trees"] if name == "generator" else [doc]
    fields = fields or ["baseline_median_us", "ratio_baseline"]
    for o in objects:
        for f in fields:
            assert f in o, (f, o)
        for f in fields:
            if f.startswith("ratio"):
                q = o[f + "_per_round"]
                assert o[f] > 0 and 0 < q["p25"] <= q["p50"] <= q["p75"], o


@pytest.mark.parametrize("name", CASES)
def test_without_baseline_unchanged(name):
    _, size, _, _ = CASES[name]
    r = bench(name, size, "--runs=1")
    assert r.returncode == 0, r.stderr
    assert "baseline" not in r.stdout
    r = bench(name, size, "--runs=1", "--json")
    assert "baseline" not in r.stdout
    assert "--baseline=" in bench(name, "--help").stdout


@pytest.mark.parametrize("bad", ["/nonexistent/sockkeeper", "/tmp"])
def test_bad_baseline_is_a_usage_error(bad):
    r = bench("check", "--paths=1", "--runs=1", f"--baseline={bad}")
    assert r.returncode == 64
    assert r.stdout == ""
    assert len(r.stderr.splitlines()) == 1 and bad in r.stderr, r.stderr


def test_baseline_with_another_exit_status_is_reported(tmp_path):
    # check exits 0-3 by what it finds: another status from the baseline
    # is not a failure, but the run says that the two builds disagree.
    ours = subprocess.run([SOCKKEEPER, "check", "--json", "/tmp/bench-0.sock"], capture_output=True).returncode
    other = 3 if ours != 3 else 2
    base, _ = wrapper(tmp_path, SOCKKEEPER, exit_status=other)
    r = bench("check", "--paths=1", "--runs=1", f"--baseline={base}")
    assert r.returncode == 0, r.stderr
    assert f"sockkeeper check exited with status {ours}, baseline check with {other}" in r.stderr, r.stderr
    r = bench("check", "--paths=1", "--runs=1", f"--baseline={SOCKKEEPER}")
    assert r.returncode == 0 and "exited with status" not in r.stderr, r.stderr


def test_recovery_compare():
    # Each run makes and removes its own directory in /tmp: a pytest
    # tmp_path is too long for a socket's path.
    r = subprocess.run([RECOVERY_COMPARE, f"--baseline={BENCH['recovery']}", "--rounds=1", "--json", "--",
                        "--only=latency", "--samples=5"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["baseline"] == BENCH["recovery"] and doc["rounds"] == 1
    rows = {(row["row"], row["metric"]): row for row in doc["rows"]}
    p50 = rows[("relink (inotify, default)", "client p50")]
    assert p50["ours_median"] > 0 and p50["baseline_median"] > 0 and p50["ratio"] > 0
    # ABBA: ours first, then the baseline.
    progress = [line for line in r.stderr.splitlines() if line.startswith("recovery-compare:")]
    assert progress == ["recovery-compare: round 1/1, ours", "recovery-compare: round 1/1, baseline"]
