#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Golden tests of sockkeeper-generator: each directory under cases/ holds
an input unit tree (in/etc/systemd/system, in/usr/lib/systemd/system, ...),
optionally root/ (the cleaners' configuration for the classifier; default:
../root-aged, where tmpfiles ages /tmp and its clean timer is enabled), and
the output expected: expected/ (absent: no output at all), stderr (absent:
no warnings), setup (a shell script run in the copied input tree first,
for what git cannot hold: modes, fifos) and root-setup (the same for the
root, which is then copied too). The generator runs for real, as systemd
runs it; the file list is compared first, then every file with diff -u.

Expected files spell the build's install paths @bindir@ and
@systemdsystemunitdir@, the output directory @OUT@ (the drop-ins name the
argument lists in it), and the input tree @IN@.

SK_GOLDEN_UPDATE=1 rewrites expected/ and stderr from what the generator
wrote, and then fails anyway: review the change with git diff, then run
the test again without it."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
UNIT_DIRS = ["etc/systemd/system", "run/systemd/system", "usr/local/lib/systemd/system", "usr/lib/systemd/system"]


def listing(top):
    """'path' for files, 'path -> target' for symlinks, sorted; directories implied."""
    out = []
    if not top.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(top):
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            rel = p.relative_to(top)
            if p.is_symlink():
                out.append(f"{rel} -> {os.readlink(p)}")
            elif p.is_file():
                out.append(str(rel))
    return sorted(out)


def substitute(text, subs):
    for a, b in subs:
        text = text.replace(a, b)
    return text


def run_case(case, generator, subs, update, scratch):
    work = scratch / case.name
    shutil.copytree(case / "in", work / "in", symlinks=True)
    out = work / "out"
    for d in ("out", "out-early", "out-late"):
        (work / d).mkdir()
        os.chmod(work / d, 0o777)
    root = case / "root" if (case / "root").exists() else HERE / "root-aged"
    if (case / "root-setup").exists():
        shutil.copytree(root, work / "root", symlinks=True)
        root = work / "root"
        p = subprocess.run(["sh", str(case / "root-setup")], cwd=root, capture_output=True, text=True)
        if p.returncode != 0:
            return [f"root-setup failed: {p.stderr}"]
    prefix = []
    if (case / "setup").exists():
        p = subprocess.run(["sh", str(case / "setup")], cwd=work / "in", capture_output=True, text=True)
        if p.returncode != 0:
            return [f"setup failed: {p.stderr}"]
        # setup may ask to run the generator as an unprivileged user, so
        # that modes mean something to it even when the tests run as root.
        if (work / "in" / ".unprivileged").exists():
            (work / "in" / ".unprivileged").unlink()
            if os.geteuid() == 0:
                prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
                os.chmod(work, 0o755)
                os.chmod(scratch, 0o755)
    path = ":".join(str(work / "in" / d) for d in UNIT_DIRS if (work / "in" / d).exists())
    env = dict(os.environ, SYSTEMD_UNIT_PATH=path, SOCKKEEPER_ROOT=str(root), SYSTEMD_LOG_TARGET="console",
               SYSTEMD_LOG_LEVEL="info")
    p = subprocess.run([*prefix, generator, str(out), str(work / "out-early"), str(work / "out-late")],
                       env=env, capture_output=True, text=True, timeout=60)
    file_subs = [(str(out), "@OUT@")] + subs
    # Not the install paths: "/lib/systemd/system" is also part of the
    # input tree's "@IN@/usr/lib/systemd/system".
    stderr = substitute(p.stderr, [(str(work / "in"), "@IN@"), (str(out), "@OUT@")])
    problems = []
    if p.returncode != 0:
        problems.append(f"exit status {p.returncode}, expected 0")
    if listing(work / "out-early") or listing(work / "out-late"):
        problems.append("wrote into the early or late directory")

    if update:
        shutil.rmtree(case / "expected", ignore_errors=True)
        if listing(out):
            shutil.copytree(out, case / "expected", symlinks=True)
            for f in (case / "expected").rglob("*"):
                if f.is_symlink():
                    target = substitute(os.readlink(f), file_subs)
                    f.unlink()
                    f.symlink_to(target)
                elif f.is_file():
                    f.write_text(substitute(f.read_text(), file_subs))
        if stderr:
            (case / "stderr").write_text(stderr)
        elif (case / "stderr").exists():
            (case / "stderr").unlink()
        return problems + ["expectations rewritten (SK_GOLDEN_UPDATE); review them with git diff"]

    expected_dir = case / "expected"
    back = [(b, a) for a, b in file_subs]
    want = [substitute(line, back) for line in listing(expected_dir)]
    got = listing(out)
    if want != got:
        problems.append("file lists differ:\n" + diff_text("\n".join(want) + "\n", "\n".join(got) + "\n",
                                                             "expected", "generated"))
    else:
        for line in got:
            if " -> " in line:
                continue
            w = substitute((expected_dir / line).read_text(), back)
            g = (out / line).read_text()
            if w != g:
                problems.append(diff_text(w, g, f"expected/{line}", f"generated/{line}"))
    want_err = (case / "stderr").read_text() if (case / "stderr").exists() else ""
    if want_err != stderr:
        problems.append("warnings differ:\n" + diff_text(want_err, stderr, "stderr expected", "stderr"))
    return problems


def diff_text(a, b, name_a, name_b):
    with tempfile.TemporaryDirectory() as d:
        pa, pb = Path(d) / "a", Path(d) / "b"
        pa.write_text(a)
        pb.write_text(b)
        p = subprocess.run(["diff", "-u", "--label", name_a, "--label", name_b, str(pa), str(pb)],
                           capture_output=True, text=True)
        return p.stdout


def main():
    generator = os.environ.get("SOCKKEEPER_GENERATOR") or (sys.argv[1] if len(sys.argv) > 1 else None)
    bindir, unitdir = os.environ.get("SK_BINDIR"), os.environ.get("SK_UNITDIR")
    if not generator or not bindir or not unitdir:
        print("Bail out! run through meson test --suite generator (needs SOCKKEEPER_GENERATOR, SK_BINDIR, "
              "SK_UNITDIR)")
        return 1
    update = os.environ.get("SK_GOLDEN_UPDATE") == "1"
    subs = [(bindir, "@bindir@"), (unitdir, "@systemdsystemunitdir@")]
    cases = sorted(p for p in (HERE / "cases").iterdir() if p.is_dir())
    only = sys.argv[2:]
    if only:
        cases = [c for c in cases if c.name in only]
    print(f"1..{len(cases)}")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="sk-golden-") as scratch:
        for i, case in enumerate(cases, 1):
            problems = run_case(case, generator, subs, update, Path(scratch))
            if problems:
                failed += 1
                print(f"not ok {i} - {case.name}")
                for p in problems:
                    print("# " + p.replace("\n", "\n# "))
            else:
                print(f"ok {i} - {case.name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
