# SPDX-License-Identifier: MIT
"""--root, checked the same way by every command that takes it: what is
wrong with the directory is said in words, with status 64, and nothing is
read or written."""

import os
import subprocess

import pytest

SOCKKEEPER = os.environ.get("SOCKKEEPER", "sockkeeper")

COMMANDS = {
    "check": lambda root: ["check", "--root", root, "/tmp/a.sock"],
    "migrate": lambda root: ["migrate", "--root", root, "a.service"],
    "tmpfiles-snippet": lambda root: ["tmpfiles-snippet", "--install", "--name", "a", "--root", root, "/tmp/a.sock"],
}


@pytest.fixture
def trees(tmp_path):
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("not a directory\n")
    os.symlink("loop", tmp_path / "loop")
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    os.symlink("dir", tmp_path / "link-to-dir")
    return tmp_path


CASES = [
    ("missing", "does not exist"),
    ("loop", "too many levels of symbolic links"),
    ("file", "not a directory"),
    ("file/below", "not a directory"),
    ("dangling", "a dangling symlink"),
]


@pytest.mark.parametrize("verb", COMMANDS)
@pytest.mark.parametrize("name,problem", CASES, ids=[c[0] for c in CASES])
def test_what_is_wrong_is_said(trees, verb, name, problem):
    root = str(trees / name)
    before = sorted(os.listdir(trees))
    r = subprocess.run([SOCKKEEPER, *COMMANDS[verb](root)], capture_output=True, text=True, timeout=30)
    assert (r.returncode, r.stdout) == (64, "")
    assert r.stderr == f"sockkeeper {verb}: --root {root}: {problem}\nTry 'sockkeeper {verb} --help'.\n"
    assert sorted(os.listdir(trees)) == before


@pytest.mark.parametrize("verb", COMMANDS)
def test_relative_and_empty(verb):
    r = subprocess.run([SOCKKEEPER, *COMMANDS[verb]("relative/dir")], capture_output=True, text=True, timeout=30)
    hint = f"Try 'sockkeeper {verb} --help'.\n"
    assert r.returncode == 64 and r.stderr == f"sockkeeper {verb}: --root relative/dir: not an absolute path\n" + hint
    r = subprocess.run([SOCKKEEPER, *COMMANDS[verb]("")], capture_output=True, text=True, timeout=30)
    assert r.returncode == 64 and r.stderr == f"sockkeeper {verb}: --root needs a directory\n" + hint


@pytest.mark.parametrize("verb", COMMANDS)
def test_a_symlink_to_a_directory_is_a_root(trees, verb):
    r = subprocess.run([SOCKKEEPER, *COMMANDS[verb](str(trees / "link-to-dir") + "/")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 64, r.stderr
    assert "--root" not in r.stderr
