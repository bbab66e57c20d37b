# SPDX-License-Identifier: MIT
"""The tmpreaper reader against the real tmpreaper, run by Debian's real
cron job. Each case is a fixture root R with etc/tmpreaper.conf, a copy of
this machine's /etc/cron.daily/tmpreaper and a tmp/ full of aged and fresh
files, directories, symlinks, FIFOs and sockets (listening ones held by a
helper process, and stale ones), some matching the job's --protect patterns
or TMPREAPER_PROTECT_EXTRA. cleaners-predict (meson passes it in
CLEANERS_PREDICT) says for every path whether the job deletes it once it is
old and how "old" is measured; then the real job runs, and for every path
"predicted to delete, and old enough" (for a directory: and everything in it
went) must equal "was deleted".

Two ways to run the real thing:
- cron-job: the job itself, unmodified, in a private mount namespace where
  R's tmp/, tmpreaper.conf, default/ and the job are bind-mounted over the
  real ones; TMPREAPER_DELAY=0 from the environment, which the job honours,
  removes the random sleep. This also checks the job's shell logic
  (SHOWWARNING, the rcS and conf reading, the --protect loop).
- command: tmpreaper started directly with the command line the reader
  says the job builds, its paths prefixed by R and without --delay, for
  machines where `unshare -m` is not allowed.

tmpreaper ages files by atime and ctime (the job passes --ctime), and ctime
cannot be set back, so the grace period is a few seconds (TMPREAPER_TIME=3s)
and the aged files are really a few seconds old."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

JOB = Path("/etc/cron.daily/tmpreaper")
CONF = Path("/etc/tmpreaper.conf")
BINARY = Path("/usr/sbin/tmpreaper")
GRACE = 3.0          # TMPREAPER_TIME=3s
AGE_WAIT = 5.5       # how old the aged files are when the cleaners run
MARGIN = 1.0         # closer than this to GRACE is too close to call

COMMON = ("SHOWWARNING=false\n"
          "RUNFROMCRON=true\n"
          "TMPREAPER_TIME=3s\n"
          "TMPREAPER_PROTECT_EXTRA='/tmp/keep* /tmp/{a,b}.sock'\n"
          "TMPREAPER_DIRS='/tmp/.'\n"
          "TMPREAPER_DELAY='256'\n")

CONFIGS = {
    "plain": COMMON + "TMPREAPER_ADDITIONALOPTIONS=''\n",
    "all": COMMON + "TMPREAPER_ADDITIONALOPTIONS='--all'\n",
    # Debian's own conf (SHOWWARNING=true) with --all: the job must still do nothing.
    "debian-warning": None,
}

CASES = [
    pytest.param("plain", "cron-job", id="plain-cron-job"),
    pytest.param("all", "cron-job", id="all-cron-job"),
    pytest.param("debian-warning", "cron-job", id="debian-warning-cron-job"),
    pytest.param("plain", "command", id="plain-command"),
    pytest.param("all", "command", id="all-command"),
]

# The helper that keeps sockets listening: "PATH\n" on stdin binds and
# listens there and answers "ok"; EOF ends it.
LISTENER = r"""
import socket, sys
held = []
for line in sys.stdin:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(line.rstrip("\n"))
    s.listen(8)
    held.append(s)
    print("ok", flush=True)
"""


class Listener:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", LISTENER], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def bind(self, path):
        self.proc.stdin.write(f"{path}\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "ok", f"listener could not bind {path}"

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def stale_socket(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    s.close()


def aged_tree(t, listener):
    """What is there before the wait: it will be AGE_WAIT seconds old."""
    def f(rel, mode=0o644, uid=None):
        p = t / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
        os.chmod(p, mode)
        if uid is not None:
            os.chown(p, uid, uid)

    def d(rel):
        (t / rel).mkdir(parents=True, exist_ok=True)

    for rel in ["old_file", "old_read", "old_chmod", "old_utime_back", ".hidden_old", "sp ace",
                "deep/a/b/c/file", "old_dir_with_old_file/f", "sub/keep2", "keepA", "keepdir/inner",
                ".X0-lock", ".ICE-unix/1", "quota.user", "quota.group", "quota.other", "journal.dat",
                "systemd-private-abc/x", "systemd-private-abc/.y", "link_target_dir/f", "ro_dir/f"]:
        f(rel)
    f("old_ro_root", 0o444)
    f("old_ro_other", 0o444, uid=1000)
    f("old_write_only", 0o244)
    for rel in ["old_empty_dir", "dir_chmod", "lost+found", ".X11-unix", "old_dir_with_socket"]:
        d(rel)
    os.chmod(t / "ro_dir", 0o555)
    os.symlink("nonexistent", t / "old_link")
    os.symlink("link_target_dir", t / "link_dir")
    os.mkfifo(t / "old_fifo")
    for rel in ["stale_old.sock", "a.sock", "c.sock", "old_dir_with_socket/stale.sock"]:
        stale_socket(t / rel)
    for rel in ["live_old.sock", ".X11-unix/X0", "sub/live_in_dir.sock"]:
        listener.bind(t / rel)


def fresh_tree(t, listener):
    """What changes after the wait."""
    (t / "fresh_file").write_text("x")
    (t / "fresh_empty_dir").mkdir()
    os.symlink("nonexistent", t / "fresh_link")
    stale_socket(t / "stale_fresh.sock")
    listener.bind(t / "live_fresh.sock")
    (t / "old_read").read_text()                      # atime fresh, ctime old
    os.chmod(t / "old_chmod", 0o600)                  # ctime fresh, atime old
    os.utime(t / "old_utime_back", (time.time() - 10 * 86400,) * 2)  # a and m old, ctime fresh
    os.chmod(t / "dir_chmod", 0o700)                  # a directory goes by mtime alone
    # A directory made now but with its mtime set back: old, for tmpreaper.
    (t / "dir_mtime_back").mkdir()
    os.utime(t / "dir_mtime_back", (time.time() - 3600,) * 2)


def all_paths(t):
    out = []
    for dirpath, dirnames, filenames in os.walk(t, followlinks=False):
        for name in dirnames + filenames:
            out.append(Path(dirpath) / name)
    return sorted(out)


def build_root(r, config):
    (r / "etc/cron.daily").mkdir(parents=True)
    (r / "etc/default").mkdir(parents=True)
    (r / "usr/sbin").mkdir(parents=True)
    shutil.copy2(JOB, r / "etc/cron.daily/tmpreaper")
    shutil.copy2(BINARY, r / "usr/sbin/tmpreaper")
    text = CONFIGS[config]
    if text is None:
        text = CONF.read_text() + "TMPREAPER_TIME=3s\nTMPREAPER_ADDITIONALOPTIONS='--all'\n"
    (r / "etc/tmpreaper.conf").write_text(text)
    (r / "tmp").mkdir()
    os.chmod(r / "tmp", 0o1777)


@pytest.fixture(scope="module")
def roots(tmp_path_factory):
    """Every case's root, built together so that one wait ages them all."""
    for p in (JOB, CONF, BINARY):
        if not p.exists():
            pytest.skip(f"{p} is missing: the tmpreaper package is not installed")
    if not os.environ.get("CLEANERS_PREDICT"):
        pytest.fail("CLEANERS_PREDICT is not set; run this suite through `meson test --suite integration`")
    if os.geteuid() != 0:
        pytest.skip("needs root: tmpreaper's owner rules and chown")

    base = tmp_path_factory.mktemp("reaper")
    listener = Listener()
    made = {}
    try:
        for param in CASES:
            config, mode = param.values
            r = base / f"{config}-{mode}"
            build_root(r, config)
            aged_tree(r / "tmp", listener)
            made[(config, mode)] = r
        time.sleep(AGE_WAIT)
        for r in made.values():
            fresh_tree(r / "tmp", listener)
        yield made
    finally:
        listener.stop()


def predict(r, rel_paths, *extra):
    p = subprocess.run([os.environ["CLEANERS_PREDICT"], "--root", str(r), *extra, *rel_paths],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines()]


def check_agrees(r, rel_paths, preds):
    """`sockkeeper check --root --json`, what admins run, must say what the
    predictor says about tmpreaper for every path it can rate."""
    p = subprocess.run([os.environ["SOCKKEEPER"], "check", "--root", str(r), "--json", *rel_paths],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode in (0, 1, 2, 3), p.stderr
    compared = 0
    for o, v in zip(json.loads(p.stdout), preds):
        t = o.get("tmpreaper")
        if t is None:  # a name that cannot be a socket at all (too long)
            assert o["rating"] == "error", o
            continue
        assert (t["reaches"], t["deletes"], t["protected_by"], t["age_us"]) == \
            (v["reaches"], v["deletes"] and v.get("runs", True), v["protected_by"], v["age_us"]), (o["path"], t, v)
        compared += 1
    return compared


def namespace_ok():
    try:
        return subprocess.run(["unshare", "-m", "true"], capture_output=True, timeout=10).returncode == 0
    except FileNotFoundError:
        return False


def run_cron_job(r):
    """The real job, unmodified, with R's files where it looks for them."""
    if not namespace_ok():
        pytest.skip("`unshare -m` is not permitted here; the command cases still run")
    script = (
        'set -e\n'
        'mount --bind "$1/etc/tmpreaper.conf" /etc/tmpreaper.conf\n'
        'mount --bind "$1/etc/default" /etc/default\n'
        'mount --bind "$1/etc/cron.daily/tmpreaper" /etc/cron.daily/tmpreaper\n'
        # Last: R lives under /tmp and is out of sight once this is done.
        'mount --bind "$1/tmp" /tmp\n'
        'cd /\n'
        'exec /etc/cron.daily/tmpreaper\n')
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TMPREAPER_DELAY": "0"}
    return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", str(r)],
                          capture_output=True, text=True, timeout=120, env=env)


def run_command(r, config):
    """tmpreaper with the job's command line as the reader understood it."""
    if not config["runs"]:
        return None
    argv = ["tmpreaper"]
    take_pattern = False
    dirs = set(config["dirs"])
    for a in config["argv"]:
        if a.startswith("--delay"):
            continue
        if take_pattern and a.startswith("/"):
            a = f"{r}{a}"
        elif not take_pattern and a in dirs:
            a = f"{r}{a}"
        take_pattern = a == "--protect"
        argv.append(a)
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd="/")


def age_of(st, age_by, now):
    if age_by == "mtime":
        t = st.st_mtime
    elif age_by == "atime and ctime":
        t = max(st.st_atime, st.st_ctime)
    else:
        assert age_by == "atime", age_by
        t = st.st_atime
    return now - t


@pytest.mark.parametrize("config,mode", CASES)
def test_prediction_matches_real_tmpreaper(roots, config, mode):
    r = roots[(config, mode)]
    t = r / "tmp"
    paths = all_paths(t)
    rel = ["/" + str(p.relative_to(r)) for p in paths]
    predicted = predict(r, rel)
    preds = {p: v for p, v in zip(paths, predicted)}
    conf = predict(r, [], "--config")[0]
    for v in predicted:
        v["runs"] = conf["runs"]
    assert check_agrees(r, rel, predicted) >= len(rel) - 2

    # The job as read: the settings come from their lines.
    if config == "debian-warning":
        assert not conf["runs"]
        assert conf["disabled_by"]["file"] == "/etc/tmpreaper.conf"
        assert "SHOWWARNING" in conf["disabled_reason"]
    else:
        assert conf["runs"], conf
        assert conf["all"] == (config == "all")
        assert conf["age_source"] == {"file": "/etc/tmpreaper.conf", "line": 3}
        assert conf["protect"][-1] == {"pattern": "/tmp/{a,b}.sock",
                                       "source": {"file": "/etc/tmpreaper.conf", "line": 4}}
    assert conf["age_us"] == GRACE * 1e6
    assert conf["dirs"] == ["/tmp/."]

    now = time.time()
    expire = {}
    for p in paths:
        v = preds[p]
        assert v["reaches"], v
        assert v["age_us"] == GRACE * 1e6
        age = age_of(os.lstat(p), v["age_by"], now)
        assert abs(age - GRACE) > MARGIN, f"{p} is {age:.2f}s old by {v['age_by']}: too close to call"
        expire[p] = v["deletes"] and age > GRACE

    def expected_gone(p):
        if not expire[p]:
            return False
        if p.is_dir() and not p.is_symlink():
            # tmpreaper removes a directory only once it is empty.
            return all(expected_gone(c) for c in paths if c.parent == p)
        return True

    expected = {p: expected_gone(p) for p in paths}
    run = run_cron_job(r) if mode == "cron-job" else run_command(r, conf)
    if run is not None:
        assert run.returncode == 0, f"{run.args}: {run.stdout}{run.stderr}"

    gone = {p: not os.path.lexists(p) for p in paths}
    wrong = [f"{p.relative_to(r)}: predicted {'gone' if expected[p] else 'kept'}, was "
             f"{'gone' if gone[p] else 'kept'} ({preds[p]})" for p in paths if expected[p] != gone[p]]
    assert not wrong, "\n".join(wrong)

    # Not a vacuous pass: the cases that clean did clean, and kept things too.
    n_gone = sum(gone.values())
    if config == "debian-warning":
        assert n_gone == 0
    else:
        assert n_gone >= 10 and len(paths) - n_gone >= 10, (n_gone, len(paths))
    print(f"{config}-{mode}: {len(paths)} paths, {n_gone} gone")
    sockets_gone = [p for p in paths if p.suffix == ".sock" and gone[p]]
    assert bool(sockets_gone) == (config == "all"), sockets_gone
