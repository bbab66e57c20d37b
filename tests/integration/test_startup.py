# SPDX-License-Identifier: MIT
"""What a command costs before it starts: only the guard needs libsystemd
(sd-bus, sd_notify, the journal), so neither the tool nor libsockkeeper
loads it at start; the guard loads it when it first needs it, and still
tells the service manager it is ready."""

import os
import socket
import subprocess

from guardlib import sockkeeper

TIMEOUT = 10


def loaded_libraries(exe, *args):
    """The shared objects the dynamic loader maps for EXE (ld.so's own list)."""
    p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=TIMEOUT,
                       env=dict(os.environ, LD_TRACE_LOADED_OBJECTS="1"))
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_commands_start_without_libsystemd():
    libs = loaded_libraries(sockkeeper(), "--version")
    assert "libsockkeeper.so" in libs, libs
    assert "libsystemd" not in libs, libs
    for lib in ("libgcrypt", "liblzma", "libzstd", "liblz4"):
        assert lib not in libs, libs


def test_guard_loads_libsystemd_to_notify(tmp_path):
    """READY=1 and STATUS= reach $NOTIFY_SOCKET through the libsystemd
    that the guard loads on its first call."""
    notify = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.bind(str(notify))
        s.settimeout(TIMEOUT)
        env = dict(os.environ, NOTIFY_SOCKET=str(notify))
        g = subprocess.Popen([sockkeeper(), "guard", "--systemd", str(tmp_path / "a.sock")], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            got = [s.recv(4096).decode(), s.recv(4096).decode()]
            with open(f"/proc/{g.pid}/maps") as f:
                maps = f.read()
        finally:
            g.terminate()
            g.wait(timeout=TIMEOUT)
    assert "READY=1" in got, got
    assert any(m.startswith("STATUS=Guarding 1 path") for m in got), got
    assert "libsystemd.so" in maps
