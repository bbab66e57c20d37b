#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end test: the project's Debian packages installed into a Debian
root, booted with a real systemd in systemd-nspawn.

1. A debootstrap minbase root (bookworm, systemd + dbus), cached in
   tests/e2e/cache/ under a key made of the suite, variant and package list
   (tests/helpers/debroot.py). The cache is never written to by a run: each
   run gets an overlayfs on top of it (or, where overlayfs cannot be
   mounted, a `cp -a --reflink=auto`).
2. The .debs (tools/build-debs into --debs: the packaging suite's, or
   built here when missing or older than the tree) installed with
   `chroot ROOT dpkg -i`, maintainer scripts and all (deb-systemd-helper
   enables the guard; nothing runs systemctl start, PID 1 is not up yet),
   and a first run of the installed binary (chroot).
3. rootfs/ is copied in: sk-e2e.service (runs /usr/local/lib/sk-e2e/run-checks
   after the boot, then powers off), fixtures, and sk-e2e-connect.
4. `script -qc "systemd-nspawn --register=no --keep-unit -D ROOT -b" LOG`
   (nspawn needs a terminal; --console=pipe prints nothing), with a timeout.
5. The markers (see rootfs/usr/local/lib/sk-e2e/run-checks) are read from
   ROOT/var/lib/sk-e2e/markers, or from LOG when the file is missing, and
   host-side checks run on the data the checks saved. Exit 0 only when DONE
   was seen, at least one check ran and nothing failed.

--case boot runs every check; --case purge boots the same way, checks that
the packages are at work, purges them with the system running, checks
that nothing of theirs is left, and installs them again (run-checks,
checks purge and reinstall).

Exit 77 (skip) when it cannot run here at all: not root, no debootstrap or
systemd-nspawn, or no cached root and the mirror cannot be reached. With
SK_E2E_REQUIRE=1 those are failures instead. SK_E2E_KEEP=1 keeps the per-run
root for inspection; SK_E2E_MIRROR overrides the mirror.
"""

import argparse
import contextlib
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'helpers'))
import debroot  # noqa: E402
from debroot import ANSI_RE, Skip, run, say, tail  # noqa: E402

debroot.prefix = 'e2e'
VARIANT = 'minbase'
# tmux: a real daemon that --auto keeps with nothing configured; python3:
# what python3-sockkeeper depends on.
PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'tmux', 'python3']
# What each case runs of run-checks' checks (boot: all).
CASE_CHECKS = {
    'boot': '',
    'purge': 'pid1-systemd sockkeeper-version python-import generator-ran tmpfiles-conf guard-active enablement '
             'guard-metrics-absent guard-metrics purge reinstall',
}
SKIP = 77

MARKER_RE = re.compile(r'SK-E2E: (PASS|FAIL|INFO|DONE)\b(.*)')
FAILURE_RE = re.compile(r'run-checks|sk-e2e|FAILED|Failed|[Ee]rror|[Tt]imed out|[Tt]imeout')


def install(args, root):
    run([args.build_debs, args.debs])
    debs = sorted(d for d in glob.glob(os.path.join(args.debs, '*.deb')) if '-dbgsym_' not in d)
    if not debs:
        raise RuntimeError(f'no .deb in {args.debs}')
    inside = '/var/cache/sk-e2e/debs'
    os.makedirs(root + inside)
    for d in debs:
        shutil.copy2(d, root + inside)
    names = [os.path.basename(d) for d in debs]
    say(f'chroot {root} dpkg -i {" ".join(names)}')
    run(['chroot', root, 'dpkg', '-i'] + [f'{inside}/{n}' for n in names])
    packages = [n.split('_')[0] for n in names]
    # Tell the checks which tmpfiles.d files the packages installed.
    tmpfiles = [f for f in run(['chroot', root, 'dpkg', '-L'] + packages).split()
                if os.path.dirname(f) in ('/usr/lib/tmpfiles.d', '/lib/tmpfiles.d', '/etc/tmpfiles.d')]
    shutil.copytree(args.rootfs, root, symlinks=True, dirs_exist_ok=True)
    helper_dir = os.path.join(root, 'usr/local/lib/sk-e2e')
    shutil.copy2(args.connect, os.path.join(helper_dir, 'sk-e2e-connect'))
    # The test server links the installed libsockkeeper (ldconfig finds it).
    shutil.copy2(args.serve, os.path.join(helper_dir, 'sk-serve'))
    with open(os.path.join(helper_dir, 'expected.env'), 'w') as f:
        f.write(f"SK_VERSION='{args.version}'\nSK_TMPFILES='{' '.join(sorted(set(tmpfiles)))}'\n"
                f"SK_PACKAGES='{' '.join(packages)}'\nSK_CHECKS='{CASE_CHECKS[args.case]}'\n")
    for target, unit in (('multi-user.target.wants', 'sk-e2e.service'),
                         ('multi-user.target.wants', 'legacy.service'),
                         ('sockets.target.wants', 'act.socket'),
                         ('sockets.target.wants', 'plain.socket'),
                         ('sockets.target.wants', 'vartmp.socket')):
        d = os.path.join(root, 'etc/systemd/system', target)
        os.makedirs(d, exist_ok=True)
        os.symlink(f'../{unit}', os.path.join(d, unit))
    version = run(['chroot', root, 'sockkeeper', '--version']).strip()
    say(f'installed: {", ".join(packages)}; chroot {root} sockkeeper --version: {version}')


def container_pids(script_pid):
    """The script process's children (systemd-nspawn)."""
    with contextlib.suppress(OSError), open(f'/proc/{script_pid}/task/{script_pid}/children') as f:
        return [int(p) for p in f.read().split()]
    return []


def boot(root, log_path, timeout):
    cmd = f'systemd-nspawn --register=no --keep-unit -D {root} -b'
    say(f'booting (timeout {timeout} s): script -qc "{cmd}" {log_path}')
    start = time.monotonic()
    p = subprocess.Popen(['script', '-qec', cmd, log_path], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        rc = p.wait(timeout=timeout)
        say(f'container exited {rc} after {time.monotonic() - start:.1f} s')
        return True
    except subprocess.TimeoutExpired:
        say(f'TIMEOUT after {timeout} s: stopping the container')
        # SIGTERM makes nspawn ask the container to shut down; then force it.
        for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            for pid in container_pids(p.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            try:
                p.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        return False


def read_markers(root, log_path):
    path = os.path.join(root, 'var/lib/sk-e2e/markers')
    if os.path.exists(path):
        source, lines = path, open(path, errors='replace').read().splitlines()
    else:
        source, lines = f'{log_path} (no markers file)', []
        if os.path.exists(log_path):
            lines = [ANSI_RE.sub('', line) for line in open(log_path, errors='replace')]
    markers = []
    for line in lines:
        m = MARKER_RE.search(line)
        if m:
            markers.append((m.group(1), m.group(2).strip()))
    return source, markers


def check_json_parses(data):
    doc = data.json('check-json')
    assert isinstance(doc, list) and len(doc) == 1, f'want one object, got {doc!r:.200}'
    assert doc[0].get('path') == '/tmp/x.sock', f'path is {doc[0].get("path")!r}'
    assert doc[0].get('rating') in ('ok', 'caution', 'risky'), f'rating is {doc[0].get("rating")!r}'


def check_scan_units_json(data):
    doc, pid = data.json('scan-json'), data.int('legacy-pid')
    # A path can appear twice: the socket at it now, and an older
    # listener that still holds the name (see run-checks).
    # Another container's (a parallel run's) has no holder visible here.
    healthy = {}
    for e in doc:
        if e.get('status') == 'healthy' and healthy.get(e.get('path'), {}).get('pid') is None:
            healthy[e.get('path')] = e
    legacy, plain = healthy.get('/tmp/legacy.sock'), healthy.get('/tmp/plain.sock')
    assert legacy, 'no healthy /tmp/legacy.sock'
    assert legacy.get('unit') == 'legacy.service', f'legacy unit {legacy.get("unit")!r}'
    assert legacy.get('pid') == pid, f'legacy pid {legacy.get("pid")!r}, MainPID {pid}'
    assert plain, 'no healthy /tmp/plain.sock'
    assert 1 in plain.get('pids', [plain.get('pid')]), f'plain.sock not held by PID 1: {plain!r:.200}'


def check_scan_orphaned_json(data):
    doc, pid = data.json('scan-broken'), data.int('legacy-pid-orphaned')
    hits = [e for e in doc if e.get('path') == '/tmp/legacy.sock']
    assert hits, f'/tmp/legacy.sock not in {doc!r:.200}'
    # The container shares the host's network namespace: another run's
    # container on the same machine has a /tmp/legacy.sock too, which
    # sock_diag lists without a holder that this one can see.
    ours = [e for e in hits if e.get('pid') == pid]
    assert ours, f'none held by {pid}: ' + ', '.join(f'{e.get("pid")!r} {e.get("unit")!r}' for e in hits)
    e = ours[0]
    assert e.get('status') == 'orphaned', f'status {e.get("status")!r}'
    assert e.get('unit') == 'legacy.service', f'held by {e.get("pid")!r} {e.get("unit")!r}, want {pid} legacy.service'
    assert all(x.get('status') in ('orphaned', 'hijacked') for x in doc), 'a healthy socket among --broken'


def promtool_check_metrics(data, name):
    """NAME in the saved data, read by the real promtool (when installed)."""
    promtool = shutil.which('promtool')
    if not promtool:
        return
    with open(os.path.join(data.dir, name)) as f:
        p = subprocess.run([promtool, 'check', 'metrics'], stdin=f, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f'promtool check metrics: {p.stdout}{p.stderr}'


def check_scan_service_promtool(data):
    """The scan service's file."""
    promtool_check_metrics(data, 'scan-service.prom')


def check_guard_metrics_promtool(data):
    """The guard's file."""
    promtool_check_metrics(data, 'guard-metrics.prom')


# (the in-container check whose data it reads, its name, the check)
HOST_CHECKS = [
    ('check-json', 'check-json-parses', check_json_parses),
    ('scan-units', 'scan-units-json', check_scan_units_json),
    ('scan-orphaned', 'scan-orphaned-json', check_scan_orphaned_json),
    ('scan-service', 'scan-service-promtool', check_scan_service_promtool),
    ('guard-metrics', 'guard-metrics-promtool', check_guard_metrics_promtool),
]


class SavedData:
    """What the in-container checks saved in /var/lib/sk-e2e/data."""

    def __init__(self, root):
        self.dir = os.path.join(root, 'var/lib/sk-e2e/data')

    def json(self, name):
        with open(os.path.join(self.dir, name)) as f:
            return json.load(f)

    def int(self, name):
        with open(os.path.join(self.dir, name)) as f:
            return int(f.read())


def host_checks(root, markers):
    """Checks of what the in-container checks saved, parsed here with
    Python's json (the root has python3 only for python3-sockkeeper), each
    on the data of an in-container check that passed."""
    data = SavedData(root)
    results = []
    for after, name, check in HOST_CHECKS:
        if ('PASS', after) not in markers:
            continue
        try:
            check(data)
            results.append(('PASS', name))
        except (OSError, ValueError, AssertionError) as e:
            results.append(('FAIL', f'{name}: {e}'))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build-dir', required=True)
    ap.add_argument('--case', choices=sorted(CASE_CHECKS), default='boot')
    ap.add_argument('--build-debs', required=True, help='tools/build-debs')
    ap.add_argument('--debs', required=True, help='where the .debs are, or are built')
    ap.add_argument('--connect', required=True, help='the built sk-e2e-connect')
    ap.add_argument('--serve', required=True, help='the built sk-serve (tests/helpers)')
    ap.add_argument('--version', required=True, help='the project version --version must print')
    ap.add_argument('--rootfs', required=True, help='files copied into the root')
    ap.add_argument('--cache', required=True)
    ap.add_argument('--work', required=True, help='per-run directory')
    ap.add_argument('--boot-timeout', type=int, default=480)
    args = ap.parse_args()
    args.work = os.path.abspath(args.work)
    # meson passes built targets relative to the build dir.
    for attr in ('connect', 'serve'):
        if not os.path.isabs(getattr(args, attr)):
            setattr(args, attr, os.path.join(args.build_dir, getattr(args, attr)))

    try:
        if os.geteuid() != 0:
            raise Skip('needs root (debootstrap, overlayfs, systemd-nspawn)')
        for tool, pkg in (('debootstrap', 'debootstrap'), ('systemd-nspawn', 'systemd-container'),
                          ('script', 'util-linux'), ('dpkg-buildpackage', 'dpkg-dev'),
                          ('dh', 'debhelper'), ('dh_python3', 'dh-python')):
            if not shutil.which(tool):
                raise Skip(f'{tool} is not installed (apt-get install {pkg})')
        base = debroot.cached_base(args.cache, VARIANT, PACKAGES)
    except Skip as e:
        print(f'e2e: SKIP: {e}', flush=True)
        if os.environ.get('SK_E2E_REQUIRE') == '1':
            print('e2e: SK_E2E_REQUIRE=1, so a skip is a failure', flush=True)
            return 1
        return SKIP

    keep = os.environ.get('SK_E2E_KEEP') == '1'
    os.makedirs(os.path.dirname(args.work), exist_ok=True)
    log_path = args.work + '.log'
    with contextlib.suppress(FileNotFoundError):
        os.unlink(log_path)
    with debroot.run_root(base, args.work, keep) as root:
        install(args, root)
        finished = boot(root, log_path, args.boot_timeout)
        source, markers = read_markers(root, log_path)
        markers += host_checks(root, markers)

    print(f'e2e: markers from {source}:', flush=True)
    for kind, rest in markers:
        print(f'SK-E2E: {kind} {rest}'.rstrip())
    passed = [r for k, r in markers if k == 'PASS']
    failed = [r for k, r in markers if k == 'FAIL']
    done = any(k == 'DONE' for k, _ in markers)
    problems = []
    if not finished:
        problems.append('the boot timed out')
    if not done:
        problems.append('no DONE marker: the checks did not finish')
    if not passed and not failed:
        problems.append('no check ran')
    if failed:
        problems.append(f'{len(failed)} check(s) failed: ' + ', '.join(r.split(':')[0] for r in failed))
    if problems:
        if os.path.exists(log_path):
            print(f'e2e: lines of {log_path} about the checks or a failure:')
            print('\n'.join([line for line in tail(log_path, 100000).splitlines()
                             if FAILURE_RE.search(line)][-40:]))
            print(f'e2e: the last 60 lines of {log_path}:')
            print(tail(log_path, 60))
        print(f'e2e: FAILED: {"; ".join(problems)} (full boot log: {log_path})', flush=True)
        return 1
    say(f'OK: {len(passed)} checks passed (boot log: {log_path})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
