# SPDX-License-Identifier: MIT
"""The C library's cleaner matrix and keeper tests (tests/integration's
test_cleaners.py and test_keeper.py), run as they are written against a
Python daemon (pydaemon.py, the serve fixture here): systemd-tmpfiles
--clean on an aged root, tmpreaper --all and find -delete strand a plain
Python daemon (ENOENT); with SockKeeper(..., watch=True), or in a selectors
loop, its original accept loop serves the next client through the same
inode; rebind, conflicts, polling, no relink, refresh."""

from conftest import integration_tests

globals().update(integration_tests("test_cleaners"))
globals().update(integration_tests("test_keeper"))
