# SPDX-License-Identifier: MIT
"""`meson install` puts the package into the interpreter's own site
directory under the prefix (one that is on its sys.path), where it imports
and finds the installed tool."""

import os
import site
import subprocess

import pytest

from conftest import python_argv


def test_installed_package_is_on_sys_path_and_imports(tmp_path):
    build = os.environ.get("SK_BUILD_ROOT")
    if not build:
        pytest.skip("SK_BUILD_ROOT is not set")
    dest = tmp_path / "dest"
    p = subprocess.run(["meson", "install", "-C", build, "--no-rebuild", "--quiet", "--destdir", str(dest)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    inits = sorted(dest.rglob("sockkeeper/__init__.py"))
    assert len(inits) == 1, inits
    site_dir = "/" + str(inits[0].parent.parent.relative_to(dest))
    assert site_dir in site.getsitepackages(), f"{site_dir} is not a site directory of this interpreter"
    [lib] = {so.parent for so in dest.rglob("libsockkeeper.so.0")}
    [bindir] = {exe.parent for exe in dest.rglob("bin/sockkeeper")}

    code = ("import sockkeeper, sockkeeper._config as c, os\n"
            "print(sockkeeper.__file__, c.BINDIR)\n"
            "with sockkeeper.SockKeeper('@sockkeeper-install-%d' % os.getpid()) as k:\n"
            "    print(k.sock.fileno() >= 0)\n")
    env = {**os.environ, "PYTHONPATH": str(dest) + site_dir, "LD_LIBRARY_PATH": str(lib)}
    p = subprocess.run(python_argv("-c", code), capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    where, installed_bindir, works = p.stdout.split()
    assert where == str(inits[0]) and works == "True"
    assert str(dest) + installed_bindir == str(bindir)
