# SPDX-License-Identifier: MIT
"""Debian roots for the tests that need a whole system: a debootstrap root
of SUITE, cached under a key made of the suite, variant and package list
and never written to by a run, and a throwaway writable root on top of it
for each run. The e2e suite boots one; the packaging suite builds the
package in one."""

import contextlib
import fcntl
import glob
import hashlib
import os
import re
import shutil
import subprocess
import time
import urllib.request

SUITE = 'bookworm'
DEFAULT_MIRROR = 'http://deb.debian.org/debian'
ANSI_RE = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|[\x00\r]')

# What say() prints first; each program sets its own.
prefix = 'debroot'
_T0 = time.monotonic()


def say(msg):
    print(f'{prefix}: [{time.monotonic() - _T0:5.1f}s] {msg}', flush=True)


class Skip(Exception):
    pass


def run(cmd, **kw):
    """Runs a command; on failure raises with its output."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, **kw)
    if p.returncode != 0:
        raise RuntimeError(f'{" ".join(cmd)}: exit {p.returncode}\n{p.stdout}')
    return p.stdout


def apt_mirror():
    """The Debian mirror apt uses here, for SUITE."""
    if os.environ.get('SK_E2E_MIRROR'):
        return os.environ['SK_E2E_MIRROR'].rstrip('/')
    found = []
    for path in sorted(glob.glob('/etc/apt/sources.list.d/*.sources')):
        with open(path) as f:
            for stanza in f.read().split('\n\n'):
                fields = {}
                for line in stanza.splitlines():
                    if line.startswith('#') or ':' not in line:
                        continue
                    k, v = line.split(':', 1)
                    fields[k.strip().lower()] = v.split()
                if fields.get('enabled', ['yes'])[0] == 'no':
                    continue
                if 'deb' in fields.get('types', []) and SUITE in fields.get('suites', []):
                    found += fields.get('uris', [])
    for path in ['/etc/apt/sources.list'] + sorted(glob.glob('/etc/apt/sources.list.d/*.list')):
        with contextlib.suppress(OSError), open(path) as f:
            for line in f:
                w = re.sub(r'\[[^]]*\]', '', line).split()
                if len(w) >= 3 and w[0] == 'deb' and w[2] == SUITE:
                    found.append(w[1])
    return (found[0] if found else DEFAULT_MIRROR).rstrip('/')


def mirror_reachable(mirror):
    """None when the mirror answers for SUITE, else why not."""
    url = f'{mirror}/dists/{SUITE}/Release'
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method='HEAD'), timeout=15):
            return None
    except Exception as e:  # noqa: BLE001 - any failure means "cannot reach"
        return f'{url}: {e}'


def cached_base(cache_dir, variant, packages):
    """Path of the cached debootstrap root of SUITE with `variant` and
    `packages` included, creating it when missing (Skip when it cannot)."""
    key = hashlib.sha256(f'{SUITE} {variant} {" ".join(sorted(packages))}'.encode()).hexdigest()[:12]
    base = os.path.join(cache_dir, f'{SUITE}-{variant}-{key}')
    root = os.path.join(base, 'root')
    stamp = os.path.join(base, 'complete')
    what = f'{SUITE} {variant} {",".join(packages) or "(nothing more)"}'
    os.makedirs(cache_dir, exist_ok=True)
    with open(os.path.join(cache_dir, '.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(stamp):
            say(f'cached root {base} (key: {what})')
            return root
        mirror = apt_mirror()
        why = mirror_reachable(mirror)
        if why:
            raise Skip(f'no cached root and the Debian mirror cannot be reached: {why} '
                       f'(set SK_E2E_MIRROR to another mirror)')
        shutil.rmtree(base, ignore_errors=True)
        os.makedirs(base)
        tmp = os.path.join(base, 'root.tmp')
        log_path = os.path.join(base, 'debootstrap.log')
        cmd = ['debootstrap', f'--variant={variant}'] + \
            ([f'--include={",".join(packages)}'] if packages else []) + [SUITE, tmp, mirror]
        say(f'debootstrap (about 35 s): {" ".join(cmd)}')
        start = time.monotonic()
        with open(log_path, 'w') as log:
            p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
            while True:
                try:
                    p.wait(timeout=10)
                    break
                except subprocess.TimeoutExpired:
                    say(f'debootstrap still running ({time.monotonic() - start:.0f} s): {last_line(log_path)}')
        if p.returncode != 0:
            raise RuntimeError(f'debootstrap failed (exit {p.returncode}); the end of {log_path}:\n'
                               + tail(log_path, 30))
        # Each boot should get its own transient machine id, as a fresh image does.
        with open(os.path.join(tmp, 'etc/machine-id'), 'w'):
            pass
        os.rename(tmp, root)
        with open(stamp, 'w') as f:
            f.write(f'{" ".join(cmd)}\n')
        say(f'debootstrap done in {time.monotonic() - start:.0f} s, cached in {base}')
        return root


def last_line(path):
    with contextlib.suppress(OSError), open(path, errors='replace') as f:
        lines = [line.strip() for line in f if line.strip()]
        return lines[-1] if lines else ''
    return ''


def tail(path, n):
    """The last n non-blank lines, without colours and carriage returns."""
    with open(path, errors='replace') as f:
        lines = [ANSI_RE.sub('', line).rstrip() for line in f]
    return '\n'.join([line for line in lines if line][-n:])


@contextlib.contextmanager
def run_root(base, work, keep, name='sk-e2e'):
    """A fresh writable root on top of the cached base, removed afterwards
    (kept, unmounted, with `keep`)."""
    if os.path.ismount(os.path.join(work, 'root')):
        run(['umount', os.path.join(work, 'root')])
    shutil.rmtree(work, ignore_errors=True)
    root = os.path.join(work, 'root')
    for d in ('upper', 'ovlwork', 'root'):
        os.makedirs(os.path.join(work, d))
    mounted = subprocess.run(
        ['mount', '-t', 'overlay', name, '-o',
         f'lowerdir={base},upperdir={work}/upper,workdir={work}/ovlwork', root],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if mounted.returncode == 0:
        say(f'per-run root: overlayfs on the cache at {root}')
    else:
        say(f'overlayfs failed ({mounted.stdout.strip()}); copying the cached root instead')
        os.rmdir(root)
        run(['cp', '-a', '--reflink=auto', base, root])
    try:
        yield root
    finally:
        if mounted.returncode == 0:
            subprocess.run(['umount', root], check=False)
        if keep:
            say(f'per-run root kept in {work}')
        else:
            shutil.rmtree(os.path.join(work, 'upper'), ignore_errors=True)
            shutil.rmtree(os.path.join(work, 'ovlwork'), ignore_errors=True)
            shutil.rmtree(root, ignore_errors=True)
