# SPDX-License-Identifier: MIT
"""bench/python runs and reports what it measured (a short run; the
numbers themselves are the README's, not a test's)."""

import json
import os
import subprocess

import pytest

from conftest import python_argv


def test_bench_python_short_run():
    bench = os.environ.get("BENCH_PYTHON")
    if not bench:
        pytest.skip("BENCH_PYTHON is not set")
    p = subprocess.run(python_argv(bench, "--only", "latency,storm", "--samples", "5", "--storm-seconds", "0.3",
                                   "--storm-clients", "1", "--json"),
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert set(out["latency"]) == {"relink", "rebind"}
    for row in out["latency"].values():
        assert row["samples"] == 5 and row["max_s"] < 5
    assert set(out["storm"]) == {"relink", "rebind", "poll:1", "poll:60"}
    for row in out["storm"].values():
        assert row["connects"] > 0 and row["deletions"] > 0
    p = subprocess.run(python_argv(bench, "--only", "nonsense"), capture_output=True, text=True, timeout=60)
    assert (p.returncode, p.stderr) == (64, "bench/python: unknown section(s): nonsense\n")
    p = subprocess.run(python_argv(bench, "--samples", "many"), capture_output=True, text=True, timeout=60)
    assert p.returncode == 64 and p.stderr.count("\n") == 1
