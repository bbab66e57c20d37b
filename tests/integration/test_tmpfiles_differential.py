# SPDX-License-Identifier: MIT
"""The tmpfiles.d evaluator against the real systemd-tmpfiles: a fixture
root with a Fedora-like aged /tmp and many kinds of files and lines, a
prediction for every file from tmpfiles-predict (meson passes it in
TMPFILES_PREDICT), then one real `systemd-tmpfiles --root=R --clean`. Every
prediction must match what happened: a path predicted aged and expired is
gone, every other path is still there, and a directory goes only when it is
expired and everything in it went too (tmpfiles removes only empty ones).

Files are aged with utime(), so the aging lines use am: age-by (ctime and
btime cannot be set back); a few lines keep the default age-by on purpose,
to show that a fresh ctime or btime holds a file back."""

import json
import os
import re
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

H = 3600
D = 24 * H
MACHINE_ID = "0123456789abcdef0123456789abcdef"

# Config files, root-relative. The same name in /etc, /run, /usr/local/lib,
# /usr/lib and /lib: the earliest directory wins. Line numbers of
# fixture.conf are checked against the predictor's warnings below.
CONFIG = {
    # Fedora-like, and overridden by /etc: a 10d /tmp would age nothing here.
    "usr/lib/tmpfiles.d/tmp.conf": "q /tmp 1777 root root 10d\n",
    "etc/tmpfiles.d/tmp.conf": "q /tmp 1777 root root am:1d\n"
                               "q /var/tmp 1777 root root 1d\n"
                               "d /run/sk 0755 root root am:1d\n",
    "usr/lib/tmpfiles.d/over.conf": "x /tmp/ovr-*\n",
    "etc/tmpfiles.d/over.conf": "x /tmp/ovr-etc\n",
    "usr/lib/tmpfiles.d/run.conf": "x /tmp/hidden-by-run\n",
    "run/tmpfiles.d/run.conf": "x /tmp/from-run\n",
    "usr/local/lib/tmpfiles.d/local.conf": "x /tmp/from-local\n",
    # Debian's systemd 252 is built with split-usr: /lib/tmpfiles.d counts.
    "lib/tmpfiles.d/lib.conf": "x /tmp/from-lib\n",
    "usr/lib/tmpfiles.d/masked.conf": "x /tmp/masked-x\n",
    "etc/tmpfiles.d/fixture.conf": """\
# exclusions
x /tmp/x-excluded
x /tmp/xdir
x /tmp/glob-*
x /tmp/gdir/*.keep
x /tmp/brace{1,2}
X /tmp/Xdir-plain
X /tmp/Xdir-am - - - am:5h
x /tmp/xage - - - am:1h
# any other line for the exact path
f /tmp/own-file
L /tmp/own-link - - - - /dev/null
r /tmp/own-r
z /tmp/own-z*
d /tmp/noage 0755 root root -
e /tmp/ecache - - - am:1h
# nested aging lines, age-by and "~"
d /tmp/nest 0755 root root am:1h
d /tmp/tilde 0755 root root ~am:1h
d /tmp/abya 0755 root root a:1h
d /tmp/dirs 0755 root root amAM:1h
d /tmp/quoted 0755 root root "am:1h 30min"
# boot-only lines are not read by a plain --clean
D! /tmp/bootD 0755 root root -
x! /tmp/boot-x
e! /tmp/boot-e - - - 0
# quoting, escapes, specifiers
x /tmp/esc\\x41
x "/tmp/sp ace"
x /tmp/%m.sock
x /tmp/boot-%b
x /tmp/host-%H
x %T/tspec
x /tmp/unk-%A-*
x /var/run/sk/keep
d %t/tdir 0755 root root am:1h
# lines that tmpfiles rejects or skips, so they protect nothing
f /tmp/baduser 0644 nosuchuser - -
f /tmp/badmode 0999
x "/tmp/unbalanced
f~ /tmp/b64bad - - - - !!!
f~ /tmp/b64ok - - - - aGVsbG8=
f^ /tmp/cred - - - - mycred
C /tmp/csrc - - - - /nonexistent
C /tmp/cexist - - - - /etc/machine-id
d /tmp/dup 0755 root root -
d /tmp/dup 0700 root root am:1h
""",
}

# Lines of fixture.conf that must be reported, found by a piece of them.
BAD_LINES = ["nosuchuser", "0999", '"/tmp/unbalanced', "!!!", "0700 root root am:1h", "%A"]


def line_of(piece):
    lines = CONFIG["etc/tmpfiles.d/fixture.conf"].splitlines()
    return next(n for n, text in enumerate(lines, 1) if piece in text)


@dataclass
class Entry:
    path: str                   # root-relative
    kind: str = "file"          # file dir link fifo sock-stale sock-sticky sticky-file chardev
    atime_age: float = None     # seconds back from now; None: fresh
    mtime_age: float = None
    expect: str = "kept"        # what 252 does, as read in its source: "gone" or "kept"


def old(path, kind="file", age=2 * D, expect="gone"):
    return Entry(path, kind, age, age, expect)


def fresh(path, kind="file"):
    return Entry(path, kind)


def kept(path, kind="file", age=2 * D):
    return Entry(path, kind, age, age, "kept")


ENTRIES = [
    # plain /tmp: aged and fresh, every kind of file
    old("/tmp/old-file"),
    fresh("/tmp/fresh-file"),
    old("/tmp/old-link", "link"),
    old("/tmp/old-fifo", "fifo"),
    old("/tmp/sock-stale", "sock-stale"),
    kept("/tmp/sock-sticky", "sock-sticky"),
    kept("/tmp/sticky-file", "sticky-file"),
    kept("/tmp/chardev", "chardev"),
    # directories age by ABM by default: btime is fresh, so they stay
    kept("/tmp/old-dir-empty", "dir"),
    kept("/tmp/old-dir-full", "dir"),
    old("/tmp/old-dir-full/old"),
    # amAM: an old empty directory goes, and so does one emptied in the same run
    old("/tmp/dirs/empty", "dir"),
    kept("/tmp/dirs/with-fresh", "dir"),
    fresh("/tmp/dirs/with-fresh/f"),
    old("/tmp/dirs/emptied", "dir"),
    old("/tmp/dirs/emptied/old", age=2 * H),
    # overrides between directories
    old("/tmp/ovr-lib"),
    kept("/tmp/ovr-etc"),
    kept("/tmp/from-run"),
    old("/tmp/hidden-by-run"),
    kept("/tmp/from-local"),
    kept("/tmp/from-lib"),
    old("/tmp/masked-x"),
    # x, X and globs
    kept("/tmp/x-excluded"),
    kept("/tmp/xdir", "dir"),
    kept("/tmp/xdir/inner"),
    kept("/tmp/glob-a"),
    kept("/tmp/gdir", "dir"),
    kept("/tmp/gdir/a.keep"),
    old("/tmp/gdir/.b.keep"),           # FNM_PERIOD: * does not match a leading dot
    old("/tmp/gdir/c.txt"),
    old("/tmp/brace1"),                 # fnmatch() knows no braces
    kept("/tmp/Xdir-plain", "dir"),
    kept("/tmp/Xdir-plain/old"),        # X inherits 1d from /tmp, but keeps abcm: ctime is fresh
    kept("/tmp/Xdir-am", "dir"),
    old("/tmp/Xdir-am/old2d"),
    kept("/tmp/Xdir-am/old6h", age=6 * H),  # its own 5h is overwritten by /tmp's 1d
    kept("/tmp/xage", "dir"),
    old("/tmp/xage/old2h", age=2 * H),  # an x line with an age cleans what is inside
    fresh("/tmp/xage/fresh"),
    # another line for the exact path
    kept("/tmp/own-file"),
    kept("/tmp/own-link", "link"),
    kept("/tmp/own-r"),
    kept("/tmp/own-zz"),
    kept("/tmp/noage", "dir"),
    kept("/tmp/noage/old"),
    kept("/tmp/ecache", "dir"),
    old("/tmp/ecache/old2h", age=2 * H),
    # nested lines
    kept("/tmp/nest", "dir"),
    old("/tmp/nest/old2h", age=2 * H),
    fresh("/tmp/nest/fresh"),
    kept("/tmp/tilde", "dir"),
    kept("/tmp/tilde/top-old", age=2 * H),
    kept("/tmp/tilde/sub", "dir", age=2 * H),
    old("/tmp/tilde/sub/deep-old", age=2 * H),
    kept("/tmp/abya", "dir"),
    Entry("/tmp/abya/old-atime", atime_age=2 * H, expect="gone"),
    Entry("/tmp/abya/old-mtime", mtime_age=2 * H, expect="kept"),
    kept("/tmp/quoted", "dir"),
    old("/tmp/quoted/old2h", age=2 * H),
    kept("/tmp/quoted/old1h", age=1 * H),
    # boot-only lines
    kept("/tmp/bootD", "dir"),
    old("/tmp/bootD/old"),
    old("/tmp/boot-x"),
    kept("/tmp/boot-e", "dir"),
    old("/tmp/boot-e/old"),
    # quoting, escapes, specifiers
    kept("/tmp/escx41"),
    old("/tmp/escA"),
    kept("/tmp/sp ace"),
    kept(f"/tmp/{MACHINE_ID}.sock"),
    kept("/tmp/tspec"),
    old("/tmp/unk--a"),
    kept("/run/sk", "dir"),
    kept("/run/sk/keep"),
    old("/run/sk/other"),
    # rejected and skipped lines
    old("/tmp/baduser"),
    old("/tmp/badmode"),
    old("/tmp/unbalanced"),
    old("/tmp/b64bad"),
    kept("/tmp/b64ok"),
    old("/tmp/cred"),
    old("/tmp/csrc"),
    kept("/tmp/cexist"),
    kept("/tmp/dup", "dir"),
    kept("/tmp/dup/old2h", age=2 * H),
    # default age-by: ctime is fresh, so nothing in /var/tmp is old
    kept("/var/tmp/old"),
]

# Depth: dir_cleanup() descends 256 levels below /tmp, so a file 257 deep
# is reached and one 258 deep is not.
DEEP = "/tmp/deep" + "/d" * 255
ENTRIES += [old(DEEP + "/f257"), kept(DEEP + "/d/f258")]


def boot_id():
    return Path("/proc/sys/kernel/random/boot_id").read_text().strip().replace("-", "")


def make(root, e):
    p = root / e.path.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    if e.kind == "dir":
        p.mkdir(exist_ok=True)
    elif e.kind == "link":
        os.symlink("/nonexistent", p)
    elif e.kind == "fifo":
        os.mkfifo(p)
    elif e.kind in ("sock-stale", "sock-sticky"):
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(p))
        if e.kind == "sock-sticky":
            os.chmod(p, 0o1755)
    elif e.kind == "chardev":
        try:
            os.mknod(p, stat.S_IFCHR | 0o600, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("mknod is not permitted here")
    else:
        p.touch()
        if e.kind == "sticky-file":
            os.chmod(p, 0o1644)


def set_age(root, e, now):
    if e.atime_age is None and e.mtime_age is None:
        return
    a = now - (e.atime_age or 0)
    m = now - (e.mtime_age or 0)
    os.utime(root / e.path.lstrip("/"), (a, m), follow_symlinks=False)


def write_config(root, extra=None):
    for rel, text in {**CONFIG, **(extra or {})}.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (root / "etc/machine-id").write_text(MACHINE_ID + "\n")
    os.symlink("/dev/null", root / "etc/tmpfiles.d/masked.conf")
    (root / "etc/tmpfiles.d/unreadable.conf").mkdir()   # a directory: read() fails


def predict(root, paths, extra_env=None):
    exe = os.environ.get("TMPFILES_PREDICT")
    if not exe:
        pytest.fail("TMPFILES_PREDICT is not set; run this through `meson test --suite integration`")
    p = subprocess.run([exe, "--root", str(root), *paths], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = [json.loads(line) for line in p.stdout.splitlines()]
    assert [o["path"] for o in out] == list(paths)
    return {o["path"]: o for o in out}, p.stderr


def check_agrees(root, paths, pred):
    """`sockkeeper check --root --json`, what admins run, must say what the
    predictor says for every path it can rate (a name too long for
    sun_path gets an error instead), so the real run below proves it too."""
    p = subprocess.run([os.environ["SOCKKEEPER"], "check", "--root", str(root), "--json", *paths],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode in (0, 1, 2, 3), p.stderr
    out = {o["path"]: o for o in json.loads(p.stdout)}
    compared = 0
    for path in paths:
        t, o = out[path].get("tmpfiles"), pred[path]
        if t is None:
            assert out[path]["rating"] == "error", out[path]
            continue
        assert (t["fate"], t["rule"], t.get("expired", False)) == \
            (o["fate"], o["rule"], o["expired"] if o["fate"] == "aged" else False), (path, t, o)
        if o["fate"] == "protected":
            assert t["why"] == o["why"], (path, t, o)
        compared += 1
    return compared


def run_tmpfiles(root, prefix=()):
    # The environment of systemd-tmpfiles-clean.service: no $HOME, $TMPDIR.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SYSTEMD_LOG_LEVEL": "debug"}
    p = subprocess.run([*prefix, "systemd-tmpfiles", f"--root={root}", "--clean"], capture_output=True,
                       text=True, timeout=120, env=env)
    # 65 (EX_DATAERR): the fixture has invalid lines on purpose.
    assert p.returncode in (0, 65), p.stderr[-4000:]
    return p.stderr


def expected_gone(pred, entries):
    """What the predictions say will be gone. A directory goes only when it
    is expired and all that is in it goes too."""
    by_path = {e.path: e for e in entries}
    children = {}
    for e in entries:
        parent = os.path.dirname(e.path)
        if parent in by_path:
            children.setdefault(parent, []).append(e.path)
    memo = {}

    def gone(path):
        if path not in memo:
            o = pred[path]
            memo[path] = o["fate"] == "aged" and o["expired"] and all(gone(c) for c in children.get(path, []))
        return memo[path]

    return {e.path for e in entries if gone(e.path)}


def compare(root, entries, pred, log):
    predicted = expected_gone(pred, entries)
    actual = {e.path for e in entries if not os.path.lexists(root / e.path.lstrip("/"))}
    wrong = sorted(predicted ^ actual)
    detail = "\n".join(f"{p}: predicted {'gone' if p in predicted else 'kept'}, "
                       f"really {'gone' if p in actual else 'kept'}: {json.dumps(pred[p])}" for p in wrong)
    assert not wrong, f"{len(wrong)} of {len(entries)} predictions wrong:\n{detail}\n--- tmpfiles log:\n{log[-6000:]}"
    return actual


def test_differential(tmp_path, serve):
    root = tmp_path / "root"
    root.mkdir()
    write_config(root)
    entries = list(ENTRIES) + [
        kept(f"/tmp/boot-{boot_id()}"),
        kept(f"/tmp/host-{os.uname().nodename}"),
        # %t is /run under the root, and tmpfiles 252 puts the root in front
        # once more: this line cleans ROOT/ROOT/run/tdir.
        kept(f"{root}/run/tdir", "dir"),
        old(f"{root}/run/tdir/old2h", age=2 * H),
    ]
    for e in entries:
        make(root, e)

    # Sockets with a listener, in another process (sk-serve): spared only
    # when the absolute name it bound is the path. A relative bind, a rename
    # after bind, and a hard link all lose that.
    live = [
        (kept("/tmp/sock-live", "sock"), ()),
        (old("/tmp/sock-relative", "sock"), ("--relative",)),
        (old("/tmp/sock-renamed", "sock"), ()),
    ]
    for e, opts in live:
        bound = root / ("tmp/sock-before-rename" if e.path.endswith("renamed") else e.path.lstrip("/"))
        serve(bound, "--mode", "none", *opts)
        if bound != root / e.path.lstrip("/"):
            os.rename(bound, root / e.path.lstrip("/"))
        entries.append(e)
    os.link(root / "tmp/sock-live", root / "tmp/sock-hardlink")
    entries.append(old("/tmp/sock-hardlink", "sock"))

    # Deepest first: making and aging a child changes its parent's times.
    now = time.time()
    for e in sorted(entries, key=lambda e: -e.path.count("/")):
        set_age(root, e, now)

    paths = [e.path for e in entries]
    pred, warnings = predict(root, paths)
    assert check_agrees(root, paths, pred) >= len(paths) - 5
    log = run_tmpfiles(root)
    gone = compare(root, entries, pred, log)

    # The fixture must keep testing something: both outcomes, and what 252
    # does according to its source.
    assert len(gone) >= 25 and len(entries) - len(gone) >= 40
    wrong = [f"{e.path}: expected {e.expect}" for e in entries
             if e.expect != ("gone" if e.path in gone else "kept")]
    assert not wrong, "\n".join(wrong)
    whys = {o["why"] for o in pred.values()}
    assert {"excluded by x", "excluded by X", "own entry", "sticky bit", "live socket", "device node",
            "first level spared by ~", "too deep", "aged"} <= whys, whys

    # Unusable lines and files are reported with file and line, and they are
    # the very lines systemd-tmpfiles complains about.
    for piece in BAD_LINES:
        assert f"/etc/tmpfiles.d/fixture.conf:{line_of(piece)}:" in warnings, (piece, warnings)
    assert "/etc/tmpfiles.d/unreadable.conf:0:" in warnings, warnings
    assert complaints(log, root) == {w.split(": ")[0] for w in warnings.splitlines() if ":0: " not in w}


# What systemd-tmpfiles logs about a line that are not complaints: debug
# notes on lines it passes over quietly, and Debian's notice about
# /var/run, a line it still uses.
NOT_COMPLAINTS = ("Ignoring entry", "skipping line", "legacy directory /var/run/")


def complaints(log, root):
    """The FILE:LINE places that systemd-tmpfiles complained about."""
    found = set()
    for line in log.splitlines():
        head, _, message = line.partition(": ")
        place = head[len(str(root)):] if head.startswith(str(root)) else None
        if place and re.fullmatch(r"/\S+:[1-9][0-9]*", place) and not any(n in message for n in NOT_COMPLAINTS):
            found.add(place)
    return found


def test_mount_points(tmp_path):
    """Run in a private mount namespace: a bind mount inside /tmp is never
    crossed, and at the top of a mount tmpfiles spares lost+found and
    root's .journal and quota files."""
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("`unshare -m` is not permitted here")
    root = tmp_path / "root"
    (root / "etc/tmpfiles.d").mkdir(parents=True)
    (root / "etc/tmpfiles.d/tmp.conf").write_text("d /tmp 1777 root root am:1d\n"
                                                  "d /tmp/mnt-top 0755 root root amAM:1h\n")
    entries = [
        kept("/tmp/mnt", "dir"),
        kept("/tmp/mnt/old"),               # across a mount: not reached
        kept("/tmp/mnt-top", "dir"),
        kept("/tmp/mnt-top/lost+found", "dir", age=2 * H),
        old("/tmp/mnt-top/old-dir", "dir", age=2 * H),
        kept("/tmp/mnt-top/.journal", age=2 * H),
        kept("/tmp/mnt-top/aquota.user", age=2 * H),
        old("/tmp/mnt-top/old", age=2 * H),
        old("/tmp/mnt-top/sub/.journal", age=2 * H),  # only at the top
        old("/tmp/plain"),
    ]
    for e in entries:
        make(root, e)
    now = time.time()
    for e in sorted(entries, key=lambda e: -e.path.count("/")):
        set_age(root, e, now)
    out = tmp_path / "pred.json"
    script = (f'mount --bind "{root}/tmp/mnt" "{root}/tmp/mnt" && '
              f'mount --bind "{root}/tmp/mnt-top" "{root}/tmp/mnt-top" && '
              f'"$TMPFILES_PREDICT" --root "{root}" ' + " ".join(f'"{e.path}"' for e in entries) +
              f' > "{out}" && SYSTEMD_LOG_LEVEL=debug systemd-tmpfiles --root="{root}" --clean')
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-4000:]
    pred = {o["path"]: o for o in map(json.loads, out.read_text().splitlines())}
    assert pred["/tmp/mnt"]["why"] == "mount point"
    gone = compare(root, entries, pred, p.stderr)
    assert gone == {e.path for e in entries if e.expect == "gone"}
