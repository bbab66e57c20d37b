# SPDX-License-Identifier: MIT
"""Fixtures for the Python package's tests. The cleaners, the fixture root,
the aging, the one-shot client and the server fixture are the integration
suite's (tests/integration/conftest.py), loaded from there; its `serve`
starts pydaemon.py, the Python counterpart of sk-serve, here."""

import importlib.util
import os
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("sk_integration", HERE.parent / "integration/conftest.py")
sk_integration = importlib.util.module_from_spec(_spec)
sys.modules["sk_integration"] = sk_integration
_spec.loader.exec_module(sk_integration)

# Fixtures, re-exported so that pytest finds them here, and the helpers
# that the integration suite's tests import from "conftest".
from sk_integration import netns, root, serve, state_directory  # noqa: E402,F401
from sk_integration import DAY, TIMEOUT, age, ask, clean, fields  # noqa: E402,F401

PYDAEMON = HERE / "pydaemon.py"
os.environ["SK_SERVE"] = str(PYDAEMON)

# The sanitizer build preloads its runtime into this interpreter (meson.build);
# only Python processes get it again (pydaemon.py takes it from
# SK_TEST_PRELOAD). The tools of that build carry the runtime themselves and
# refuse a second one.
PRELOAD = os.environ.pop("LD_PRELOAD", "")
if PRELOAD:
    os.environ["SK_TEST_PRELOAD"] = PRELOAD


def python_argv(*args):
    """The command line of a Python that imports the package under test."""
    return [*(["env", f"LD_PRELOAD={PRELOAD}"] if PRELOAD else []), sys.executable, *map(str, args)]


def wait_for(predicate, timeout=TIMEOUT, what="the condition"):
    """Polls PREDICATE until it is true; fails after TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.001)
    return value


def threads():
    """The threads of this process, as the kernel lists them."""
    return sorted(int(t) for t in os.listdir("/proc/self/task"))


def open_fds():
    return sorted(int(fd) for fd in os.listdir("/proc/self/fd"))


@pytest.fixture(scope="session", autouse=True)
def package():
    """The package under test: the build tree's (PYTHONPATH), never one
    installed on the machine."""
    import sockkeeper
    where = os.environ.get("PYTHONPATH", "").split(os.pathsep)[0]
    if not where:
        pytest.fail("PYTHONPATH is not set; run this suite through `meson test --suite python`")
    assert Path(sockkeeper.__file__).resolve().is_relative_to(Path(where).resolve()), sockkeeper.__file__
    return sockkeeper


def integration_tests(name):
    """The test functions of tests/integration/NAME.py, to run here against
    the Python daemon as they are written."""
    spec = importlib.util.spec_from_file_location(f"sk_integration_{name}", HERE.parent / f"integration/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {k: v for k, v in vars(module).items() if k.startswith("test_") and callable(v)}
