# SPDX-License-Identifier: MIT
"""sockkeeper scan against real sockets of real processes: healthy, orphaned
(unlinked while listening), hijacked (unlinked, then another process binds
the same path; or a regular file put there), renamed after bind within its
directory (reachable, not broken; and a real haproxy, which does so with
its stats socket), abstract, datagram, and at-risk under a fixture root
whose cron job deletes /tmp; and sockets of another network namespace,
listed with it, orphaned there, or at risk because systemd-tmpfiles cannot
see them. Each socket is held by its own process, so attribution is
checked by PID. Other tests may run at the same time: only our own paths
are looked at."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid

import pytest

from guardlib import sockkeeper

TIMEOUT = 10

# One holder process: binds as told, says READY, and holds until stdin closes.
HOLDER = r"""
import os, socket, sys
role, path = sys.argv[1], sys.argv[2]
kind = socket.SOCK_DGRAM if role == "dgram" else socket.SOCK_STREAM
s = socket.socket(socket.AF_UNIX, kind)
s.bind("\0" + path[1:] if path.startswith("@") else path)
if kind == socket.SOCK_STREAM:
    s.listen()
if role in ("orphan", "hijacked", "file"):
    os.unlink(path)
if role == "file":
    open(path, "w").close()
if role == "renamed":
    os.rename(path, path + ".new")
print("READY", flush=True)
sys.stdin.read()
"""


class Holder:
    def __init__(self, role, path, prefix=()):
        self.role, self.path = role, str(path)
        # `unshare -n` execs the holder: the PID is the holder's.
        self.proc = subprocess.Popen([*prefix, sys.executable, "-c", HOLDER, role, self.path],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        line = self.proc.stdout.readline()
        assert line.strip() == "READY", f"holder {role} {path} did not start: {line!r}"
        with open(f"/proc/{self.pid}/comm") as f:
            self.comm = f.read().strip()

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=TIMEOUT)


def scan(*args, env=None):
    return subprocess.run([sockkeeper(), "scan", *args], capture_output=True, text=True, timeout=TIMEOUT,
                          env=env)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Every kind of socket, each in a holder of its own; and a fixture root
    whose cron job deletes everything under /tmp, with a socket in it."""
    base = tmp_path_factory.mktemp("scan")
    d = base / "sock"
    d.mkdir()
    os.chmod(d, 0o755)
    root = base / "root"
    (root / "etc/cron.d").mkdir(parents=True)
    (root / "etc/cron.d/cleanup").write_text("# nightly\n0 3 * * * root find /tmp -mtime +1 -delete\n")
    (root / "tmp").mkdir()
    (root / "srv").mkdir()

    holders = {}
    try:
        for role, path in [("healthy", d / "healthy.sock"), ("orphan", d / "orphan.sock"),
                           ("hijacked", d / "hijacked.sock"), ("file", d / "file.sock"),
                           ("renamed", d / "renamed.sock"), ("dgram", d / "dgram.sock"),
                           ("abstract", f"@sk-scan-test-{uuid.uuid4().hex}"),
                           ("risky", root / "tmp/risky.sock"), ("safe", root / "srv/safe.sock")]:
            holders[role] = Holder(role, path)
        # The hijacker: another process binds the orphaned path of the first.
        holders["hijacker"] = Holder("healthy", d / "hijacked.sock")
        yield {"dir": d, "root": root, "holders": holders}
    finally:
        for h in holders.values():
            h.stop()


def ours(entries, world):
    paths = {h.path for h in world["holders"].values()}
    return [e for e in entries if e["path"] in paths]


def by_role(entries, world):
    """role -> the entry of the socket that role's holder holds (by PID)."""
    out = {}
    for role, h in world["holders"].items():
        mine = [e for e in entries if e["path"] == h.path and h.pid in e["pids"]]
        assert len(mine) <= 1, mine
        if mine:
            out[role] = mine[0]
    return out


def table(*args):
    """scan's table: the header and the rows, with the closing count checked
    against them."""
    p = scan(*args)
    *lines, blank, count = p.stdout.splitlines()
    n = len(lines) - 1
    assert blank == "" and count == f"{n} socket{'' if n == 1 else 's'} listed.", p.stdout
    return p, lines


def scan_json(*args, env=None):
    p = scan("--json", *args, env=env)
    assert p.returncode in (0, 1), p.stderr
    return p, json.loads(p.stdout)


def test_every_kind_is_classified_and_attributed(world):
    p, entries = scan_json()
    got = by_role(entries, world)
    assert set(got) == set(world["holders"]), f"missing: {set(world['holders']) - set(got)}"
    want = {"healthy": "healthy", "orphan": "orphaned", "hijacked": "hijacked", "file": "hijacked",
            "renamed": "renamed", "dgram": "healthy", "abstract": "abstract", "hijacker": "healthy",
            "safe": "healthy"}
    for role, status in want.items():
        assert got[role]["status"] == status, (role, got[role])
    for role, e in got.items():
        h = world["holders"][role]
        assert e["pid"] == h.pid and e["pids"] == [h.pid], (role, e)
        assert e["command"] == h.comm, (role, e)
        assert f" -c " in e["cmdline"] and e["cmdline"].endswith(f"{h.role} {h.path}"), (role, e)
        for key in ("path", "status", "inode", "pid", "command", "unit", "type", "sock_ino", "rating", "reasons"):
            assert key in e, (role, key)
    # Something shown is broken.
    assert p.returncode == 1


def test_inodes_and_types(world):
    _, entries = scan_json()
    got = by_role(entries, world)
    healthy = got["healthy"]
    assert healthy["inode"] == os.lstat(world["holders"]["healthy"].path).st_ino
    assert healthy["type"] == "stream" and got["dgram"]["type"] == "dgram"
    assert got["abstract"]["inode"] is None and got["abstract"]["rating"] is None
    # Two sockets bound at one path: each has its own file.
    assert got["hijacked"]["inode"] != got["hijacker"]["inode"]
    assert got["hijacker"]["inode"] == os.lstat(world["holders"]["hijacker"].path).st_ino
    assert got["hijacked"]["found"] == "socket"
    assert got["hijacked"]["found_sock_ino"] == got["hijacker"]["sock_ino"]
    assert got["file"]["found"] == "regular file" and got["file"]["found_sock_ino"] is None
    assert "renamed_to" not in got["orphan"]
    assert got["renamed"]["renamed_to"] == world["holders"]["renamed"].path + ".new"
    # The file it was renamed to is the socket's own.
    assert got["renamed"]["inode"] == os.lstat(got["renamed"]["renamed_to"]).st_ino


def test_at_risk_under_a_fixture_root(world):
    env = dict(os.environ, SOCKKEEPER_SCAN_TEST_ROOT=str(world["root"]))
    _, entries = scan_json(env=env)
    got = by_role(entries, world)
    risky = got["risky"]
    assert risky["status"] == "at-risk" and risky["rating"] == "risky", risky
    cron = [r for r in risky["reasons"] if r["kind"] == "cron"]
    assert cron and cron[0]["source"] == "/etc/cron.d/cleanup:2", risky["reasons"]
    assert got["safe"]["status"] == "healthy" and got["safe"]["rating"] == "ok"
    # Outside the fixture root nothing is rated, and broken stays broken.
    assert got["healthy"]["rating"] is None and got["healthy"]["status"] == "healthy"
    assert got["orphan"]["status"] == "orphaned"

    p, only = scan_json("--risky", env=env)
    assert [e["path"] for e in ours(only, world)] == [world["holders"]["risky"].path]
    assert all(e["status"] == "at-risk" for e in only)
    assert p.returncode == 0  # nothing shown is broken

    # Without the fixture, the live machine (Debian 12: nothing ages /tmp
    # or /srv) does not rate it risky.
    _, live = scan_json()
    assert by_role(live, world)["risky"]["status"] != "at-risk"


def test_broken_filter(world):
    p, entries = scan_json("--broken")
    assert p.returncode == 1
    assert all(e["status"] in ("orphaned", "hijacked") for e in entries)
    # Renamed within its directory, the socket is reachable: not broken.
    assert {r for r, e in by_role(entries, world).items()} == {"orphan", "hijacked", "file"}


def test_unit_filter_and_usage(world):
    p, entries = scan_json("--unit", f"no-such-{uuid.uuid4().hex}.service")
    assert entries == [] and p.returncode == 0
    for bad in (["extra"], ["--bogus"], ["--unit="]):
        p = scan(*bad)
        assert p.returncode == 64, (bad, p.returncode, p.stderr)
        assert p.stdout == ""
        error, hint = p.stderr.splitlines()
        assert error.startswith("sockkeeper scan: ") and hint == "Try 'sockkeeper scan --help'.", p.stderr
    p = scan("--help")
    assert p.returncode == 0 and "--broken" in p.stdout


def test_human_table(world):
    p, lines = table()
    assert p.returncode == 1, p.stderr
    header = lines[0].split()
    assert header == ["STATUS", "RISK", "PATH", "INODE", "PID", "COMMAND", "UNIT", "NETNS", "NOTE"]
    # Columns are aligned: every row's PATH starts where the header's does.
    col = lines[0].index("PATH")
    h = world["holders"]
    rows = {}
    for line in lines[1:]:
        assert line[col - 1] == " " and line[col] != " ", line
        fields = line.split(None, 8)
        rows.setdefault(fields[2], []).append(fields)
    healthy = rows[h["healthy"].path][0]
    assert healthy[0] == "healthy" and healthy[4] == str(h["healthy"].pid) and healthy[5] == h["healthy"].comm
    assert healthy[7] == "host"
    orphan = rows[h["orphan"].path][0]
    assert orphan[0] == "orphaned" and orphan[4] == str(h["orphan"].pid) and "ENOENT" in orphan[8]
    renamed = rows[h["renamed"].path][0]
    assert renamed[0] == "renamed" and f"renamed after bind to {h['renamed'].path}.new" in renamed[8]
    assert sorted(r[0] for r in rows[h["hijacked"].path]) == ["healthy", "hijacked"]
    assert rows[h["abstract"].path][0][0] == "abstract"


def netns_inode(pid):
    return os.stat(f"/proc/{pid}/ns/net").st_ino


@pytest.fixture(scope="module")
def ns_world(tmp_path_factory, netns):
    """Holders in network namespaces of their own (`unshare -n`), in a
    directory of ours and under a fixture root whose tmpfiles.d ages /tmp
    with the clean timer enabled; and one in ours, under that root too."""
    base = tmp_path_factory.mktemp("scan-ns")
    d = base / "sock"
    d.mkdir()
    root = base / "root"
    (root / "usr/lib/tmpfiles.d").mkdir(parents=True)
    (root / "usr/lib/tmpfiles.d/tmp.conf").write_text("q /tmp 1777 root root 10d\n")
    units = root / "usr/lib/systemd/system"
    (units / "timers.target.wants").mkdir(parents=True)
    (units / "systemd-tmpfiles-clean.timer").write_text("[Timer]\nOnUnitActiveSec=1d\n")
    os.symlink("../systemd-tmpfiles-clean.timer", units / "timers.target.wants/systemd-tmpfiles-clean.timer")
    (root / "tmp").mkdir()

    holders = {}
    try:
        for role, path, prefix in [("ns-healthy", d / "ns.sock", netns), ("ns-orphan", d / "ns-orphan.sock", netns),
                                   ("ns-aged", root / "tmp/ns.sock", netns),
                                   ("host-aged", root / "tmp/host.sock", ())]:
            holders[role] = Holder(role.split("-")[1].replace("aged", "healthy"), path, prefix=prefix)
        yield {"dir": d, "root": root, "holders": holders}
    finally:
        for h in holders.values():
            h.stop()


def test_other_netns_is_listed_with_its_namespace(ns_world):
    p, entries = scan_json()
    got = by_role(entries, ns_world)
    ns, host = got["ns-healthy"], got["host-aged"]
    h = ns_world["holders"]["ns-healthy"]
    assert ns["status"] == "healthy" and ns["pid"] == h.pid and ns["command"] == h.comm, ns
    assert ns["inode"] == os.lstat(h.path).st_ino
    assert ns["netns"] == netns_inode(h.pid) != netns_inode(os.getpid())
    assert ns["netns_host"] is False and ns["netns_name"] is None
    assert host["netns"] == netns_inode(os.getpid()) and host["netns_host"] is True
    assert all("netns_complete" not in e for e in entries), "root sees every namespace"
    assert "network namespaces" not in p.stderr


def test_orphan_in_other_netns_is_found(ns_world):
    p, entries = scan_json("--broken")
    assert p.returncode == 1
    got = by_role(entries, ns_world)
    assert set(got) == {"ns-orphan"}, got
    o = got["ns-orphan"]
    assert o["status"] == "orphaned" and o["netns_host"] is False
    assert o["netns"] == netns_inode(ns_world["holders"]["ns-orphan"].pid)


def test_other_netns_listener_is_at_risk_where_tmpfiles_ages(ns_world):
    """Under an aging line, a listener in our namespace is spared by
    tmpfiles' liveness check (caution); one in another namespace is not."""
    env = dict(os.environ, SOCKKEEPER_SCAN_TEST_ROOT=str(ns_world["root"]))
    _, entries = scan_json(env=env)
    got = by_role(entries, ns_world)
    ns, host = got["ns-aged"], got["host-aged"]
    assert ns["status"] == "at-risk" and ns["rating"] == "risky", ns
    [why] = [r for r in ns["reasons"] if r["kind"] == "netns"]
    assert why["rating"] == "risky" and f"PID {ns['pid']} (python3" in why["text"], why
    assert str(ns["netns"]) in why["text"] and "cannot see this listener" in why["text"]
    assert host["status"] == "healthy" and host["rating"] == "caution", host
    assert [r["kind"] for r in host["reasons"] if r["rating"] == "caution"].count("tmpfiles-live") == 1


def test_table_names_the_namespace(ns_world):
    p, lines = table()
    assert lines[0].split()[7] == "NETNS"
    rows = {line.split(None, 8)[2]: line.split(None, 8) for line in lines[1:]}
    h = ns_world["holders"]
    assert rows[h["ns-healthy"].path][7] == str(netns_inode(h["ns-healthy"].pid))
    assert rows[h["host-aged"].path][7] == "host"


def test_unprivileged_scan_says_what_it_could_not_see(ns_world):
    """Without root no other namespace can be entered: scan says so, once,
    and each JSON object carries it."""
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    for args in (["--json"], []):
        p = subprocess.run([*nobody, sockkeeper(), "scan", *args], capture_output=True, text=True,
                           timeout=TIMEOUT)
        assert p.returncode in (0, 1), p.stderr
        assert p.stderr.count("some network namespaces could not be looked into") == 1, p.stderr
        if args:
            entries = json.loads(p.stdout)
            assert entries and all(e["netns_complete"] is False for e in entries)
            assert ns_world["holders"]["ns-healthy"].path not in {e["path"] for e in entries}


def test_named_namespace_is_called_by_its_name(named_netns, tmp_path):
    """`ip netns add NAME` names a namespace: scan says NAME beside its
    inode, and check names it in its reason."""
    name, prefix = named_netns
    os.chmod(tmp_path, 0o755)
    h = Holder("healthy", tmp_path / "named.sock", prefix=prefix)
    try:
        ino = netns_inode(h.pid)
        _, entries = scan_json()
        [e] = [e for e in entries if e["path"] == h.path]
        assert e["netns"] == ino and e["netns_name"] == name and e["netns_host"] is False
        rows = [line.split(None, 8) for line in table()[1][1:]]
        assert [r[7] for r in rows if r[2] == h.path] == [f"{ino}:{name}"]
        p = subprocess.run([sockkeeper(), "check", "--json", h.path], capture_output=True, text=True,
                           timeout=TIMEOUT)
        [why] = [r for r in json.loads(p.stdout)[0]["reasons"] if r["kind"] == "netns"]
        assert f"network namespace {ino}, '{name}' in /run/netns" in why["text"], why
    finally:
        h.stop()


def test_renamed_is_rated_by_the_name_clients_use(world):
    _, entries = scan_json()
    renamed = by_role(entries, world)["renamed"]
    # The holder's directory is below /tmp, which every user shares.
    assert renamed["rating"] == "risky", renamed
    [why] = [r for r in renamed["reasons"] if r["kind"] == "renamed"]
    assert why["rating"] == "risky" and "20635" in why["text"], why
    assert "reachable" in renamed["note"], renamed
    _, risky = scan_json("--risky")
    assert "renamed" in by_role(risky, world)


HAPROXY_CFG = """global
    stats socket {sock} mode 600 level admin
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 5s
"""


@pytest.fixture
def haproxy(tmp_path):
    """A real haproxy with its stats socket in a directory of its own."""
    exe = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else None)
    if not exe:
        pytest.skip("haproxy is not installed (apt-get install haproxy; ./dev.sh installs it)")
    d = tmp_path / "haproxy"
    d.mkdir()
    os.chmod(d, 0o755)
    sock = d / "admin.sock"
    (d / "haproxy.cfg").write_text(HAPROXY_CFG.format(sock=sock))
    proc = subprocess.Popen([exe, "-db", "-f", str(d / "haproxy.cfg")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + TIMEOUT
        while not sock.is_socket():
            if proc.poll() is not None:
                pytest.fail(f"haproxy exited {proc.returncode}: {proc.stdout.read()}")
            assert time.monotonic() < deadline, "haproxy's stats socket did not appear"
            time.sleep(0.05)
        yield proc, sock
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_haproxy_stats_socket_is_renamed_and_at_risk(haproxy):
    proc, sock = haproxy
    bound = f"{sock}.{proc.pid}.tmp"
    # It answers at the name it was renamed to.
    with socket.socket(socket.AF_UNIX) as c:
        c.settimeout(TIMEOUT)
        c.connect(str(sock))
        c.sendall(b"show info\n")
        assert b"Name: HAProxy" in c.recv(65536)

    _, entries = scan_json()
    [e] = [e for e in entries if proc.pid in e["pids"]]
    assert e["path"] == bound, e  # sock_diag keeps the bind-time name
    assert e["status"] == "renamed" and e["renamed_to"] == str(sock), e
    assert e["inode"] == os.lstat(sock).st_ino and e["command"] == "haproxy", e
    assert e["rating"] == "risky" and [r["kind"] for r in e["reasons"]] == ["renamed"], e

    # Not broken, and at risk.
    p, broken = scan_json("--broken")
    assert not [x for x in broken if proc.pid in x["pids"]], broken
    _, risky = scan_json("--risky")
    assert [x["path"] for x in risky if proc.pid in x["pids"]] == [bound]

    # check says the same of the path clients use.
    c = subprocess.run([sockkeeper(), "check", "--json", str(sock)], capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert c.returncode == 2, c.stderr
    [o] = json.loads(c.stdout)
    [ren] = [r for r in o["reasons"] if r["kind"] == "renamed"]
    assert o["rating"] == "risky" and ren["rating"] == "risky" and bound in ren["text"], o
