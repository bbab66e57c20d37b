# SPDX-License-Identifier: MIT
"""`sockkeeper check` against fixture roots: ratings with their sources, the
JSON schema, exit statuses, and bad input."""

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

SOCKKEEPER = os.environ.get("SOCKKEEPER", "sockkeeper")
NO_OPENAT2 = os.environ.get("NO_OPENAT2")
RATINGS = {"ok", "caution", "risky", "error"}


def check(*args, root=None):
    cmd = [SOCKKEEPER, "check"]
    if root is not None:
        cmd += ["--root", str(root)]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=20)


def check_json(*paths, root):
    r = check("--json", *paths, root=root)
    assert r.returncode in (0, 1, 2, 3), (r.returncode, r.stderr)
    doc = json.loads(r.stdout)
    validate(doc, paths)
    return r, {o["path"]: o for o in doc}


def validate(doc, paths):
    """The documented schema, strictly."""
    assert isinstance(doc, list) and [o["path"] for o in doc] == list(paths)
    for o in doc:
        assert o["rating"] in RATINGS
        assert isinstance(o["reasons"], list) and o["reasons"]
        for reason in o["reasons"]:
            assert set(reason) == {"rating", "kind", "text", "source"}
            assert reason["rating"] in RATINGS
            assert isinstance(reason["kind"], str) and reason["kind"]
            assert isinstance(reason["text"], str) and reason["text"]
            assert reason["source"] is None or isinstance(reason["source"], str)
        worst = max((r["rating"] for r in o["reasons"]), key=["ok", "caution", "risky", "error"].index)
        assert o["rating"] == worst
        assert all(isinstance(a, str) for a in o["advice"])
        if "tmpfiles" in o:
            assert o["tmpfiles"]["fate"] in {"uncovered", "protected", "aged"}


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


@pytest.fixture
def root(tmp_path):
    return make_machine(tmp_path / "root")


def make_machine(r):
    """A Fedora-like machine: /tmp aged at 10 days by the enabled daily timer,
    one exclusion, tmpreaper installed but off, as Debian ships it."""
    write(r / "usr/lib/tmpfiles.d/tmp.conf",
          "# aged like Fedora\n"
          "q /tmp 1777 root root 10d\n"
          "x /tmp/protected.sock\n")
    unit_dir = r / "usr/lib/systemd/system"
    write(unit_dir / "systemd-tmpfiles-clean.timer", "[Timer]\nOnUnitActiveSec=1d\n")
    os.makedirs(unit_dir / "timers.target.wants")
    os.symlink("../systemd-tmpfiles-clean.timer", unit_dir / "timers.target.wants/systemd-tmpfiles-clean.timer")
    os.makedirs(r / "tmp")
    os.chmod(r / "tmp", 0o1777)
    os.makedirs(r / "srv/app")
    return r


def reasons(obj, kind):
    return [x for x in obj["reasons"] if x["kind"] == kind]


def test_aged_tmp_is_risky_and_names_the_line(root):
    r, out = check_json("/tmp/app.sock", root=root)
    assert r.returncode == 2
    o = out["/tmp/app.sock"]
    assert o["rating"] == "risky"
    [age] = reasons(o, "tmpfiles-age")
    assert age["rating"] == "risky"
    assert age["source"] == "/usr/lib/tmpfiles.d/tmp.conf:2"
    assert "10d" in age["text"]
    assert o["tmpfiles"] == {"fate": "aged", "rule": "/usr/lib/tmpfiles.d/tmp.conf:2", "why": None,
                             "age_us": 10 * 86400 * 10**6, "expired": False}
    assert any("sockkeeper tmpfiles-snippet --install --name app /tmp/app.sock" in a for a in o["advice"])


def test_exclusion_protects_and_names_the_line(root):
    r, out = check_json("/tmp/protected.sock", root=root)
    o = out["/tmp/protected.sock"]
    [exc] = reasons(o, "tmpfiles-exclusion")
    assert exc["rating"] == "ok" and exc["source"] == "/usr/lib/tmpfiles.d/tmp.conf:3"
    # Still caution: /tmp is world-writable and the name is free for anyone.
    assert reasons(o, "squatting")[0]["rating"] == "caution"
    assert o["rating"] == "caution" and r.returncode == 1


def test_uncovered_private_directory_is_ok(root):
    r, out = check_json("/srv/app/app.sock", root=root)
    assert r.returncode == 0, out
    assert out["/srv/app/app.sock"]["rating"] == "ok"
    assert out["/srv/app/app.sock"]["tmpfiles"]["fate"] == "uncovered"
    assert out["/srv/app/app.sock"]["advice"] == []


def test_disabled_timer_lowers_the_risk_to_caution(root):
    os.unlink(root / "usr/lib/systemd/system/timers.target.wants/systemd-tmpfiles-clean.timer")
    r, out = check_json("/tmp/app.sock", root=root)
    [age] = reasons(out["/tmp/app.sock"], "tmpfiles-age")
    assert age["rating"] == "caution" and "not enabled" in age["text"]


@pytest.mark.parametrize("openat2", ["works", "ENOSYS", "EPERM"])
def test_symlinks_resolve_inside_the_root(root, openat2):
    """An absolute /lib -> /usr/lib in the tree leads to the tree's /usr/lib,
    also where openat2() is refused (an old seccomp filter, valgrind): this
    machine's own timers.target.wants must not enable the tree's timer."""
    host = [f"{d}/systemd/system/timers.target.wants/systemd-tmpfiles-clean.timer" for d in ("/usr/lib", "/lib")]
    if not any(os.path.lexists(p) for p in host):
        pytest.skip("this machine does not enable systemd-tmpfiles-clean.timer itself")
    if openat2 != "works" and not NO_OPENAT2:
        pytest.skip("NO_OPENAT2 is not set")
    os.unlink(root / "usr/lib/systemd/system/timers.target.wants/systemd-tmpfiles-clean.timer")
    os.symlink("/usr/lib", root / "lib")
    prefix = [] if openat2 == "works" else [NO_OPENAT2, openat2]
    r = subprocess.run([*prefix, SOCKKEEPER, "check", "--json", "--root", str(root), "/tmp/app.sock"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1, (r.returncode, r.stderr)
    [age] = reasons(json.loads(r.stdout)[0], "tmpfiles-age")
    assert age["rating"] == "caution" and "not enabled" in age["text"], age


def test_etc_overrides_usr_lib_by_file_name(root):
    write(root / "etc/tmpfiles.d/tmp.conf", "q /tmp 1777 root root 30d\n")
    _, out = check_json("/tmp/app.sock", root=root)
    [age] = reasons(out["/tmp/app.sock"], "tmpfiles-age")
    assert age["source"] == "/etc/tmpfiles.d/tmp.conf:1" and "30d" in age["text"]


def test_expired_file_is_flagged(root):
    path = root / "tmp/old.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
    old = 1_000_000_000
    os.utime(path, (old, old), follow_symlinks=False)
    _, out = check_json("/tmp/old.sock", root=root)
    o = out["/tmp/old.sock"]
    assert reasons(o, "owner")[0]["text"].startswith("a socket, owner")
    assert reasons(o, "stale")
    # btime cannot be set back, and "q ... 10d" ages by every timestamp
    # (abcmABM): not expired until the birth time is old too.
    assert o["tmpfiles"]["fate"] == "aged"


def test_live_listener_and_orphan(root, tmp_path):
    live = root / "tmp/live.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(live))
        s.listen()
        _, out = check_json("/tmp/live.sock", root=root)
        o = out["/tmp/live.sock"]
        assert reasons(o, "listener")
        # tmpfiles spares it only while the name matches: caution, not ok.
        [lv] = reasons(o, "tmpfiles-live")
        assert lv["rating"] == "caution" and lv["source"] == "/usr/lib/tmpfiles.d/tmp.conf:2"
        os.unlink(live)  # what a cleaner does
        r, out = check_json("/tmp/live.sock", root=root)
        [orphan] = reasons(out["/tmp/live.sock"], "orphaned")
        assert orphan["rating"] == "risky" and "ENOENT" in orphan["text"]
        assert r.returncode == 2


def renamed_listener(bound, moved):
    """A listener bound at BOUND and renamed to MOVED, as haproxy does."""
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(bound))
    s.listen()
    os.rename(bound, moved)
    return s


def test_renamed_listener_is_not_live_to_tmpfiles(root):
    bound, moved = root / "tmp/bound.sock", root / "tmp/moved.sock"
    with renamed_listener(bound, moved):
        r, out = check_json("/tmp/moved.sock", root=root)
        o = out["/tmp/moved.sock"]
        [ren] = reasons(o, "renamed")
        # systemd-tmpfiles deletes it although it listens (systemd issue
        # 20635), and the daily clean ages /tmp here.
        assert ren["rating"] == "risky" and str(bound) in ren["text"] and "20635" in ren["text"], ren
        assert "daily clean" in ren["text"]
        assert o["rating"] == "risky" and r.returncode == 2
        assert o["tmpfiles"]["fate"] == "aged"
        assert any("tmpfiles-snippet --install" in a for a in o["advice"]), o["advice"]


def test_renamed_listener_in_a_shared_directory_is_risky_unaged(root):
    # Nothing ages /srv/drop, but every user may write there (1777), as in
    # /tmp on Debian 12: a user's find reaches it.
    drop = root / "srv/drop"
    drop.mkdir()
    os.chmod(drop, 0o1777)
    with renamed_listener(drop / "admin.sock.42.tmp", drop / "admin.sock"):
        _, out = check_json("/srv/drop/admin.sock", root=root)
        o = out["/srv/drop/admin.sock"]
        [ren] = reasons(o, "renamed")
        assert ren["rating"] == "risky" and "in /srv/drop, which every user shares" in ren["text"], ren
        assert o["tmpfiles"]["fate"] == "uncovered" and o["rating"] == "risky"


def test_renamed_listener_elsewhere_is_a_caution(root):
    app = root / "srv/app"
    with renamed_listener(app / "admin.sock.42.tmp", app / "admin.sock"):
        _, out = check_json("/srv/app/admin.sock", root=root)
        o = out["/srv/app/admin.sock"]
        [ren] = reasons(o, "renamed")
        assert ren["rating"] == "caution" and "should a tmpfiles.d line ever age" in ren["text"], ren
        assert o["rating"] == "caution"
    # Renamed into another directory: not the haproxy pattern, said as before.
    with renamed_listener(root / "tmp/elsewhere.sock", app / "moved.sock"):
        _, out = check_json("/srv/app/moved.sock", root=root)
        [ren] = reasons(out["/srv/app/moved.sock"], "renamed")
        assert ren["rating"] == "caution" and "renamed after bind, or a relative path" in ren["text"], ren


REAL_TMPREAPER_JOB = "/etc/cron.daily/tmpreaper"  # dev.sh installs tmpreaper


def install_tmpreaper(root, conf):
    write(root / "usr/sbin/tmpreaper", "#!/bin/sh\n", 0o755)
    write(root / "etc/cron.daily/tmpreaper", open(REAL_TMPREAPER_JOB).read(), 0o755)
    write(root / "etc/tmpreaper.conf", conf)


def test_tmpreaper_off_as_debian_ships_it(root):
    install_tmpreaper(root, "SHOWWARNING=true\nTMPREAPER_DIRS='/tmp/.'\n")
    _, out = check_json("/tmp/app.sock", root=root)
    [tr] = reasons(out["/tmp/app.sock"], "tmpreaper")
    assert tr["rating"] == "ok" and tr["source"] == "/etc/tmpreaper.conf:1"
    assert "SHOWWARNING" in tr["text"]
    assert out["/tmp/app.sock"]["tmpreaper"]["deletes"] is False


def test_tmpreaper_with_all_is_risky(root):
    install_tmpreaper(root, "SHOWWARNING=false\nRUNFROMCRON=true\nTMPREAPER_TIME=2d\n"
                      "TMPREAPER_DIRS='/tmp/.'\nTMPREAPER_ADDITIONALOPTIONS='--all'\n")
    _, out = check_json("/tmp/app.sock", root=root)
    [tr] = reasons(out["/tmp/app.sock"], "tmpreaper")
    assert tr["rating"] == "risky" and tr["source"] == "/etc/tmpreaper.conf:5"
    assert out["/tmp/app.sock"]["tmpreaper"]["deletes"] is True
    assert out["/tmp/app.sock"]["tmpreaper"]["age_us"] == 2 * 86400 * 10**6


def test_cron_find_delete_is_risky(root):
    write(root / "etc/cron.d/cleanup", "# nightly\n0 3 * * * root find /tmp -mtime +1 -delete\n")
    _, out = check_json("/tmp/app.sock", root=root)
    [cr] = reasons(out["/tmp/app.sock"], "cron")
    assert cr["rating"] == "risky" and cr["source"] == "/etc/cron.d/cleanup:2"


def test_abstract_and_run_and_bad_names(root):
    long = "/tmp/" + "x" * 110
    r, out = check_json("@abstract", "/run/app.sock", "relative.sock", long, root=root)
    assert out["@abstract"]["rating"] == "ok" and reasons(out["@abstract"], "abstract")
    assert reasons(out["/run/app.sock"], "run")[0]["rating"] == "caution"
    assert out["relative.sock"]["rating"] == "error"
    [ln] = reasons(out[long], "length")
    assert ln["rating"] == "error" and "107" in ln["text"]
    assert r.returncode == 3


def test_exit_status_is_the_worst(root):
    assert check("/srv/app/a.sock", root=root).returncode == 0
    assert check("/srv/app/a.sock", "/tmp/protected.sock", root=root).returncode == 1
    assert check("/srv/app/a.sock", "/tmp/protected.sock", "/tmp/app.sock", root=root).returncode == 2
    assert check("/tmp/app.sock", "rel", root=root).returncode == 3


def test_garbled_and_unreadable_config_is_reported_and_the_rest_evaluated(root):
    write(root / "etc/tmpfiles.d/garbled.conf", "d /tmp/x 0755 root root 1q\n\x01 junk\nx /tmp/app.sock\n")
    # Unreadable: systemd-tmpfiles --clean says "Failed to read" for this
    # one (and, like it, nothing for a dangling symlink).
    os.makedirs(root / "etc/tmpfiles.d/unreadable.conf")
    r = check("--json", "/tmp/app.sock", "/tmp/other.sock", root=root)
    assert "/etc/tmpfiles.d/garbled.conf:1:" in r.stderr
    assert "/etc/tmpfiles.d/garbled.conf:2:" in r.stderr
    assert "sockkeeper check: /etc/tmpfiles.d/unreadable.conf: " in r.stderr
    out = {o["path"]: o for o in json.loads(r.stdout)}
    # Line 3 of the garbled file still counts; the other files too.
    assert out["/tmp/app.sock"]["tmpfiles"]["rule"] == "/etc/tmpfiles.d/garbled.conf:3"
    assert out["/tmp/other.sock"]["tmpfiles"]["rule"] == "/usr/lib/tmpfiles.d/tmp.conf:2"


def test_configuration_that_is_no_regular_file_is_named_and_skipped(root):
    """ln -s /dev/zero, a FIFO and a huge file in tmpfiles.d: each is named
    once, nothing waits or fills memory, and the other files still count."""
    conf = root / "etc/tmpfiles.d"
    os.makedirs(conf)
    os.mkfifo(conf / "fifo.conf")
    with open(conf / "big.conf", "wb") as f:
        f.truncate(17 << 20)
    zero = os.geteuid() == 0
    if zero:  # the tree's own /dev/zero: a link to / resolves inside the tree
        os.makedirs(root / "dev")
        os.mknod(root / "dev/zero", 0o666 | stat.S_IFCHR, os.makedev(1, 5))
        os.symlink("/dev/zero", conf / "zero.conf")
    write(conf / "z.conf", "x /tmp/app.sock\n")
    r = check("--json", "/tmp/app.sock", "/tmp/other.sock", root=root)
    lines = r.stderr.splitlines()
    assert "sockkeeper check: /etc/tmpfiles.d/fifo.conf: cannot read: not a regular file, ignoring" in lines
    assert "sockkeeper check: /etc/tmpfiles.d/big.conf: cannot read: larger than 16 MiB, ignoring" in lines
    if zero:
        assert "sockkeeper check: /etc/tmpfiles.d/zero.conf: cannot read: not a regular file, ignoring" in lines
    assert len(lines) == (3 if zero else 2), r.stderr
    out = {o["path"]: o for o in json.loads(r.stdout)}
    assert out["/tmp/app.sock"]["tmpfiles"]["rule"] == "/etc/tmpfiles.d/z.conf:1"
    assert out["/tmp/other.sock"]["tmpfiles"]["rule"] == "/usr/lib/tmpfiles.d/tmp.conf:2"


def test_advice_is_a_command_that_works(root):
    """The advised snippet command really protects the path."""
    _, out = check_json("/tmp/app.sock", root=root)
    [cmd] = [a.split(": ", 1)[1] for a in out["/tmp/app.sock"]["advice"] if "tmpfiles-snippet" in a]
    argv = cmd.split()
    assert argv[:3] == ["sockkeeper", "tmpfiles-snippet", "--install"]
    r = subprocess.run([SOCKKEEPER, *argv[1:3], "--root", str(root), *argv[3:]], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    _, out = check_json("/tmp/app.sock", root=root)
    assert out["/tmp/app.sock"]["tmpfiles"]["fate"] == "protected"
    assert out["/tmp/app.sock"]["tmpfiles"]["rule"].startswith("/etc/tmpfiles.d/sockkeeper-app.conf:")


def test_human_output_names_sources(root):
    r = check("/tmp/app.sock", root=root)
    assert r.returncode == 2
    lines = r.stdout.splitlines()
    assert lines[0] == "/tmp/app.sock: risky"
    assert any(line.strip() == "(/usr/lib/tmpfiles.d/tmp.conf:2)" for line in lines)
    assert any("what to do:" in line for line in lines)


@pytest.fixture
def reachable_root():
    """The machine in a directory that an unprivileged user can reach
    (pytest's is 0700)."""
    d = Path(tempfile.mkdtemp(prefix="sk-check-"))
    os.chmod(d, 0o755)
    yield make_machine(d / "root")
    for dirpath, _, _ in os.walk(d):
        os.chmod(dirpath, 0o755)
    shutil.rmtree(d)


def test_unreadable_unit_directory_is_said(reachable_root):
    """Run by a user who cannot read /etc/systemd/system, where the admin
    masked the timer: the answer may be wrong, and check says so."""
    units = reachable_root / "etc/systemd/system"
    os.makedirs(units)
    os.symlink("/dev/null", units / "systemd-tmpfiles-clean.timer")
    os.chmod(units, 0)
    # Root reads anything: drop to nobody for the refusal.
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    r = subprocess.run([*prefix, SOCKKEEPER, "check", "--root", str(reachable_root), "/srv/app/a.sock"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ("sockkeeper check: /etc/systemd/system: cannot read directory: Permission denied; units there "
                        "may enable or mask systemd-tmpfiles-clean.timer or tmp.mount, so the answer may be "
                        "incomplete\n")
    # Readable again: no warning, and the mask counts.
    os.chmod(units, 0o755)
    r = subprocess.run([*prefix, SOCKKEEPER, "check", "--json", "--root", str(reachable_root), "/tmp/app.sock"],
                       capture_output=True, text=True, timeout=20)
    assert r.stderr == ""
    [age] = reasons(json.loads(r.stdout)[0], "tmpfiles-age")
    assert age["rating"] == "caution", age


def test_usage_errors(root, tmp_path):
    r = check(root=root)
    assert r.returncode == 64 and "at least one PATH" in r.stderr
    r = check("/tmp/a.sock", root=tmp_path / "missing")
    assert r.returncode == 64 and r.stderr.endswith("/missing: does not exist\nTry 'sockkeeper check --help'.\n")
    r = check("--no-such-option", "/tmp/a.sock")
    assert r.returncode == 64
    r = subprocess.run([SOCKKEEPER, "check", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "Usage: sockkeeper check" in r.stdout


def test_live_machine_runs(tmp_path):
    """Against this machine's own configuration: it must work, whatever the rating."""
    r = check("--json", "/tmp/sockkeeper-check-test.sock")
    assert r.returncode in (0, 1, 2), r.stderr
    validate(json.loads(r.stdout), ["/tmp/sockkeeper-check-test.sock"])


def test_doubled_slashes_and_dots_are_rated_as_the_canonical_path(root):
    """The path is rated as the library binds it."""
    r = check("--json", "/tmp//app.sock", "/tmp/./app.sock", "/srv//app/./a.sock", root=root)
    assert r.returncode == 2, r.stderr
    doc = json.loads(r.stdout)
    validate(doc, ["/tmp/app.sock", "/tmp/app.sock", "/srv/app/a.sock"])
    for o in doc[:2]:
        assert o["tmpfiles"]["rule"] == "/usr/lib/tmpfiles.d/tmp.conf:2"
        assert any("--name app /tmp/app.sock" in a for a in o["advice"])
    assert doc[2]["rating"] == "ok"
    assert check("/tmp//app.sock", root=root).stdout.splitlines()[0] == "/tmp/app.sock: risky"


@pytest.mark.parametrize("path,why", [
    ("/tmp/../tmp/app.sock", "has a '..' component"),
    ("/tmp/app/..", "has a '..' component"),
    ("/tmp/app.sock/", "names a directory"),
    ("/tmp/app/.", "names a directory"),
])
def test_dotdot_and_directories_are_usage_errors(root, path, why):
    """A '..' depends on the symlinks on the way, a trailing '/' names a
    directory: neither is rated, and nothing is printed for the good paths."""
    r = check("--json", "/tmp/app.sock", path, root=root)
    assert r.returncode == 64, r.stdout
    assert r.stdout == ""
    error, hint = r.stderr.splitlines()
    assert error.startswith(f"sockkeeper check: {path} ") and why in error, r.stderr
    assert hint == "Try 'sockkeeper check --help'."


def test_every_bad_path_is_named(root):
    r = check("/tmp/a/../b.sock", "/tmp/ok.sock", "/tmp/dir/", root=root)
    assert r.returncode == 64 and r.stdout == ""
    *errors, hint = r.stderr.splitlines()
    assert [line.split(" ")[2] for line in errors] == ["/tmp/a/../b.sock", "/tmp/dir/"]
    assert hint == "Try 'sockkeeper check --help'."


@pytest.mark.parametrize("state", ["absent", "masked", "disabled"])
def test_timer_that_does_not_run_is_named_without_empty_parentheses(root, state):
    unit_dir = root / "usr/lib/systemd/system"
    os.unlink(unit_dir / "timers.target.wants/systemd-tmpfiles-clean.timer")
    if state != "disabled":
        os.unlink(unit_dir / "systemd-tmpfiles-clean.timer")
    if state == "masked":
        os.makedirs(root / "etc/systemd/system")
        os.symlink("/dev/null", root / "etc/systemd/system/systemd-tmpfiles-clean.timer")
    _, out = check_json("/tmp/app.sock", root=root)
    [age] = reasons(out["/tmp/app.sock"], "tmpfiles-age")
    assert age["rating"] == "caution"
    assert "()" not in age["text"], age["text"]
    assert {
        "absent": "but there is no systemd-tmpfiles-clean.timer in the system unit directories, so only a manual",
        "masked": "but systemd-tmpfiles-clean.timer is masked (/etc/systemd/system/systemd-tmpfiles-clean.timer), "
                  "so only a manual",
        "disabled": "but systemd-tmpfiles-clean.timer is not enabled "
                    "(/usr/lib/systemd/system/systemd-tmpfiles-clean.timer), so only a manual",
    }[state] in age["text"], age["text"]


def test_own_directory_under_run_is_ok(root):
    """A service's own runtime directory is where its socket belongs; a
    socket directly in /run or /run/user shares it with everything there."""
    os.makedirs(root / "run/lock")
    os.chmod(root / "run/lock", 0o1777)
    paths = ["/run/myapp/ok.sock", "/var/run/myapp/ok.sock", "/run/myapp/sub/ok.sock", "/run/user/1000/app.sock",
             "/run/x.sock", "/run/user/x.sock", "/run/lock/x.sock"]
    r, out = check_json(*paths, root=root)
    assert r.returncode == 1
    for p in paths[:4]:
        assert out[p]["rating"] == "ok", out[p]
        assert out[p]["advice"] == []
    assert reasons(out["/run/myapp/ok.sock"], "run")[0]["rating"] == "ok"
    assert "/run/myapp/" in reasons(out["/run/myapp/ok.sock"], "run")[0]["text"]
    assert reasons(out["/run/user/1000/app.sock"], "runtime-dir")[0]["rating"] == "ok"
    for p in paths[4:6]:
        assert out[p]["rating"] == "caution"
        assert reasons(out[p], "run")[0]["rating"] == "caution"
        assert any("/run/NAME/" in a for a in out[p]["advice"])
    # World-writable and shared: the name is anyone's, so moving is advised.
    assert reasons(out["/run/lock/x.sock"], "squatting")[0]["rating"] == "caution"
    assert any("/run/NAME/" in a for a in out["/run/lock/x.sock"]["advice"])


def test_aged_own_run_directory_is_not_advised_to_move(root):
    write(root / "etc/tmpfiles.d/myapp.conf", "d /run/myapp 0755 root root 1d\n")
    r, out = check_json("/run/myapp/ok.sock", root=root)
    o = out["/run/myapp/ok.sock"]
    assert r.returncode == 2 and reasons(o, "tmpfiles-age")[0]["source"] == "/etc/tmpfiles.d/myapp.conf:1"
    assert any("tmpfiles-snippet" in a for a in o["advice"])
    assert not any("move it" in a for a in o["advice"]), o["advice"]


NS_LISTENER = r"""
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen()
print("ready", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def ns_listener(netns):
    """ns_listener(path) starts a listener at PATH in a network namespace of
    its own (`unshare -n` execs it: same PID); all are stopped at teardown."""
    procs = []

    def start(path):
        p = subprocess.Popen([*netns, sys.executable, "-c", NS_LISTENER, str(path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
        procs.append(p)
        assert p.stdout.readline().strip() == "ready", f"no listener at {path}"
        return p

    yield start
    for p in procs:
        p.stdin.close()
        p.wait(timeout=10)


def netns_inode(pid):
    return os.stat(f"/proc/{pid}/ns/net").st_ino


@pytest.mark.parametrize("timer", ["enabled", "disabled"])
def test_listener_in_another_netns_is_live_but_tmpfiles_deletes_it(root, ns_listener, timer):
    """tmpfiles looks for live sockets in its own namespace's /proc/net/unix
    only: the socket is alive, and an aging line deletes it all the same."""
    if timer == "disabled":
        os.unlink(root / "usr/lib/systemd/system/timers.target.wants/systemd-tmpfiles-clean.timer")
    srv = ns_listener(root / "tmp/ns.sock")
    r, out = check_json("/tmp/ns.sock", root=root)
    o = out["/tmp/ns.sock"]
    [ns] = reasons(o, "netns")
    assert ns["rating"] == ("risky" if timer == "enabled" else "caution"), ns
    assert ns["source"] == "sock_diag"
    text = ns["text"]
    assert f"network namespace {netns_inode(srv.pid)}" in text, text
    assert f"PID {srv.pid} (python3" in text, text
    assert "systemd-tmpfiles" in text and "cannot see this listener and will delete the file" in text, text
    # Alive: neither stale nor a listener that tmpfiles would see.
    assert not reasons(o, "stale") and not reasons(o, "listener") and not reasons(o, "tmpfiles-live")
    assert o["tmpfiles"]["fate"] == "aged"
    assert "netns_complete" not in o
    assert r.returncode == (2 if timer == "enabled" else 1)
    # The human output says it too.
    h = check("/tmp/ns.sock", root=root)
    assert f"held by PID {srv.pid} (python3" in h.stdout, h.stdout


def test_listener_in_another_netns_where_nothing_ages_is_ok(root, ns_listener):
    srv = ns_listener(root / "srv/app/ns.sock")
    r, out = check_json("/srv/app/ns.sock", root=root)
    o = out["/srv/app/ns.sock"]
    [ns] = reasons(o, "netns")
    assert ns["rating"] == "ok" and f"PID {srv.pid} (python3" in ns["text"], ns
    assert o["rating"] == "ok" and r.returncode == 0


def test_unprivileged_check_says_what_it_could_not_see(reachable_root, ns_listener):
    """Without root, another namespace cannot be entered: a socket file with
    no listener in sight is said to be so only where we looked."""
    ns_listener(reachable_root / "srv/app/ns.sock")
    stale = reachable_root / "srv/app/stale.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(stale))
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    r = subprocess.run([*nobody, SOCKKEEPER, "check", "--json", "--root", str(reachable_root), "/srv/app/stale.sock",
                        "/srv/app/none.sock"], capture_output=True, text=True, timeout=20)
    doc = json.loads(r.stdout)
    [st] = reasons(doc[0], "stale")
    assert "out of reach" in st["text"], st
    assert doc[0]["netns_complete"] is False and "netns_complete" not in doc[1]
    assert r.stderr.count("network namespaces could not be looked into") == 1, r.stderr
    # Root sees them all: no such word.
    _, out = check_json("/srv/app/stale.sock", root=reachable_root)
    assert "out of reach" not in reasons(out["/srv/app/stale.sock"], "stale")[0]["text"]
