# SPDX-License-Identifier: MIT
"""bench/guard with tiny settings: it takes its options, refuses bad ones
with a usage error, measures a real guard over a few sockets with and
without unrelated ones, and leaves nothing behind: no scratch directory,
no child process. (The numbers are the benchmark's business, not a test's.)"""

import json
import os
import subprocess

import pytest

BENCH_GUARD = os.environ.get("BENCH_GUARD")

pytestmark = pytest.mark.skipif(not BENCH_GUARD, reason="run by meson, which passes the benchmark's path")


def run(*args, timeout=120):
    return subprocess.run([BENCH_GUARD, *args], capture_output=True, text=True, timeout=timeout)


def test_help():
    r = run("--help")
    assert r.returncode == 0, r.stderr
    for option in ("--sizes=", "--quick", "--deletions=", "--idle-seconds=", "--nofile=", "--json"):
        assert option in r.stdout


@pytest.mark.parametrize("args", [["--sizes=0"], ["--sizes=10,x"], ["--deletions=-1"], ["--bogus"], ["extra"]])
def test_usage_errors(args):
    r = run(*args)
    assert r.returncode == 64
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def processes_mentioning(text):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    found.append(pid)
        except OSError:
            pass
    return found


@pytest.mark.skipif(os.geteuid() != 0, reason="the guard keeps sockets for the uid that bound them: needs root")
def test_tiny_run_measures_and_cleans_up():
    # No discovery sample: each waits for the guard's next pass, up to 10 s.
    r = run("--sizes=3", "--unrelated=4", "--deletions=5", "--idle-seconds=1", "--discovery-samples=0",
            "--scan-runs=1", "--json", timeout=200)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert [run["unrelated_sockets"] for run in report["runs"]] == [0, 4]
    for half in report["runs"]:
        (size,) = half["sizes"]
        assert size["n"] == 3 and size["attached"] == 3 and size["nofile"] == 1024
        assert size["fds"]["inotify_instances"] == 1
        assert size["latency"]["n"] == 5 and size["reference_in_process_keeper"]["n"] == 5
        assert size["scan_json_cpu_us"] > 0
    assert not os.path.lexists(report["scratch"])
    # The guards name the scratch directory; the holders and spinners are forks of the benchmark.
    assert not processes_mentioning(report["scratch"]), "a guard was left running"
    assert not processes_mentioning(BENCH_GUARD), "a holder or a spinner was left running"
