# SPDX-License-Identifier: MIT
"""`sockkeeper tmpfiles-snippet`: the snippet it writes, read back by the
real systemd-tmpfiles against a fixture root; atomic --output; --install's
refusals; and bad input, which must leave nothing written."""

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import TIMEOUT, age

SOCKKEEPER = os.environ.get("SOCKKEEPER", "sockkeeper")
if os.sep in SOCKKEEPER:  # some tests run it from another directory
    SOCKKEEPER = os.path.abspath(SOCKKEEPER)
MARK = "# Written by sockkeeper tmpfiles-snippet "

# What systemd-tmpfiles prints about a line it could not use, or had to
# fix up; none of it may ever be about our snippet.
TMPFILES_COMPLAINTS = ["Failed to parse", "Unknown", "Failed to replace", "Syntax error", "not absolute",
                       "legacy directory", "Duplicate line", "Invalid", "ignoring"]


def run(*args, preexec_fn=None, prefix=()):
    return subprocess.run([*prefix, SOCKKEEPER, *args], capture_output=True, text=True, timeout=20,
                          preexec_fn=preexec_fn)


def tmpfiles(root, *args, prefix=()):
    p = subprocess.run([*prefix, "systemd-tmpfiles", f"--root={root}", *args],
                       capture_output=True, text=True, timeout=60)
    complaints = [w for w in TMPFILES_COMPLAINTS if w in p.stderr]
    assert p.returncode == 0 and not complaints, \
        f"systemd-tmpfiles {' '.join(args)} ({p.returncode}) complained: {p.stderr}"
    return p


def install(root, name, *paths, options=()):
    r = run("tmpfiles-snippet", "--install", f"--root={root}", f"--name={name}", *options, *paths)
    assert r.returncode == 0, r.stderr
    conf = root / f"etc/tmpfiles.d/sockkeeper-{name}.conf"
    # Says what it wrote, as migrate --write does.
    assert r.stdout == f"# wrote {conf}\n" and r.stderr == ""
    assert stat.S_IMODE(conf.stat().st_mode) == 0o644
    return conf


def stale_socket(path):
    """A socket file with nobody listening: what tmpfiles deletes once aged."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(str(path))
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def listing(d):
    return sorted(os.listdir(d))


def make_aged(tmp, names):
    """Stale sockets at NAMES (relative to TMP, directories made as
    needed), everything under TMP looking two days old."""
    for name in names:
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        stale_socket(tmp / name)
    for p in sorted(tmp.rglob("*"), reverse=True):
        age(p)


@pytest.fixture
def vroot(tmp_path):
    """Fixture root R whose vendor config ages R/tmp by atime and mtime, as
    Fedora ages /tmp; R/etc/tmpfiles.d is left for the snippet to create."""
    r = tmp_path / "root"
    (r / "usr/lib/tmpfiles.d").mkdir(parents=True)
    (r / "usr/lib/tmpfiles.d/tmp.conf").write_text("d /tmp 1777 root root am:1d\n")
    (r / "tmp").mkdir()
    os.chmod(r / "tmp", 0o1777)
    return r


@pytest.fixture
def scratch():
    """A directory that an unprivileged user can reach (pytest's is 0700)."""
    d = tempfile.mkdtemp(prefix="sk-snippet-")
    os.chmod(d, 0o755)
    yield Path(d)
    os.chmod(d, 0o755)
    shutil.rmtree(d)


# PATH arguments, the socket files they must keep, and aged neighbours
# that the same snippet must not keep. All are stale sockets.
KEEP_CASES = [
    pytest.param(["/tmp/app.sock"], ["app.sock"], ["app.sock.old", "app"], id="plain"),
    pytest.param(["/tmp/app-%i.sock"], ["app-foo.sock", "app-bar.sock"], ["app.sock", "other-foo.sock"],
                 id="template-%i"),
    pytest.param(["/tmp/%p-%I.sock"], ["web-a.sock"], ["web.sock"], id="template-%p-%I"),
    # Split at the space, the line would name /tmp/my and a bad mode.
    pytest.param(["/tmp/my app.sock"], ["my app.sock"], ["my", "app.sock"], id="space"),
    pytest.param(["/tmp/q\"u'o #;$&.sock"], ["q\"u'o #;$&.sock"], ["quo.sock"], id="quotes"),
    pytest.param(["/tmp/caf\u00e9 \u2603.sock"], ["caf\u00e9 \u2603.sock"], ["cafe.sock"], id="utf8"),
    pytest.param(["/tmp/100%%.sock"], ["100%.sock"], ["100.sock"], id="percent"),
    # A directory: x keeps it and everything inside.
    pytest.param(["/tmp/appdir"], ["appdir/in.sock", "appdir/sub/deep.sock"], ["plain/in.sock"],
                 id="directory"),
    pytest.param(["/tmp/a.sock", "/tmp//b.sock/", "/tmp/./a.sock"], ["a.sock", "b.sock"], ["c.sock"],
                 id="several"),
]


@pytest.mark.parametrize("paths,kept,gone", KEEP_CASES)
def test_installed_snippet_keeps_aged_sockets(vroot, paths, kept, gone):
    conf = install(vroot, "app", *paths)
    (vroot / "tmp/control").write_text("aged, and no line keeps it\n")
    make_aged(vroot / "tmp", kept + gone)

    shown = tmpfiles(vroot, "--cat-config").stdout
    assert conf.read_text() in shown
    assert f"# {conf}" in shown
    tmpfiles(vroot, "--clean")

    for name in kept:
        assert os.path.lexists(vroot / "tmp" / name), f"{name} was cleaned despite {conf.read_text()}"
    for name in gone:
        assert not os.path.lexists(vroot / "tmp" / name), f"{name} should not have been kept"
    assert not os.path.lexists(vroot / "tmp/control"), "the cleaner did not run"


@pytest.mark.parametrize("paths,kept,gone", KEEP_CASES)
def test_without_snippet_the_same_files_go(vroot, paths, kept, gone):
    """The baseline that makes the test above mean something: each socket
    it keeps is one that tmpfiles deletes without the snippet."""
    make_aged(vroot / "tmp", kept)
    tmpfiles(vroot, "--clean")
    assert [n for n in kept if os.path.lexists(vroot / "tmp" / n)] == []


LISTENER = r"""
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen()
print("ready", flush=True)
while True:
    c, _ = s.accept()
    c.sendall(b"hello\n")
    c.close()
"""


@pytest.mark.parametrize("with_snippet", [True, False], ids=["snippet", "baseline"])
def test_live_socket_in_other_netns(vroot, netns, with_snippet):
    """tmpfiles cannot see a listener in another network namespace in
    /proc/net/unix, so it deletes the live socket, unless the snippet says no."""
    path = vroot / "tmp/live.sock"
    srv = subprocess.Popen([*netns, sys.executable, "-c", LISTENER, str(path)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert srv.stdout.readline().strip() == "ready", srv.stderr.read()
        if with_snippet:
            install(vroot, "live", "/tmp/live.sock")
        age(path)
        tmpfiles(vroot, "--clean")
        assert os.path.lexists(path) == with_snippet
        if with_snippet:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
                c.settimeout(TIMEOUT)
                c.connect(str(path))
                assert c.recv(16) == b"hello\n"
    finally:
        srv.kill()
        srv.wait()


def test_contents_age_lets_a_directorys_contents_go(vroot):
    """X keeps the directory but not what is in it; x keeps both. tmpfiles
    gives an X directory its parent's age but the default age-by, ctime
    included, which cannot be set back: so time moves forward instead."""
    if not shutil.which("faketime"):
        pytest.skip("needs faketime (apt-get install faketime)")
    for d in ("keepdir", "agedir", "plain"):
        (vroot / "tmp" / d).mkdir()
        stale_socket(vroot / "tmp" / d / "in.sock")
    install(vroot, "keep", "/tmp/keepdir")
    conf = install(vroot, "age", "--contents-age", "/tmp/agedir")
    assert conf.read_text().splitlines()[-1] == "X /tmp/agedir"
    tmpfiles(vroot, "--cat-config")
    tmpfiles(vroot, "--clean", prefix=["faketime", "-f", "+3d"])
    t = vroot / "tmp"
    assert (t / "keepdir/in.sock").exists()
    assert (t / "agedir").is_dir() and not os.path.lexists(t / "agedir/in.sock")
    assert not os.path.lexists(t / "plain")


def test_every_specifier_tmpfiles_knows_parses(vroot):
    """Kept specifiers, globbed unit specifiers and /var/run: all lines read
    back without a complaint (tmpfiles exits 65 for a line it rejects)."""
    known = " ".join(f"%{c}" for c in "abBCgGhHlLmoStTuUvVwW%")
    unit = "-".join(f"%{c}" for c in "iIjJnNpPqAM")
    conf = install(vroot, "spec", f"/tmp/{known}", f"/tmp/{unit}.sock", "%t/app.sock", "%T/a", "%V/b", "%h/c",
                   "/var/run/legacy.sock", "/tmp/a[0-9]?.sock")
    text = conf.read_text()
    assert "x /run/legacy.sock\n" in text
    assert not [line for line in text.splitlines() if "/var/run" in line and not line.startswith("#")]
    assert f"x /tmp/{'-'.join('*' * 11)}.sock\n" in text
    tmpfiles(vroot, "--cat-config")
    tmpfiles(vroot, "--clean")


def test_stdout_snippet(tmp_path):
    r = run("tmpfiles-snippet", "/tmp/a.sock", "/tmp/app-%i.sock", "/tmp/my app.sock", "/tmp/a.sock",
            "/var/run/x.sock", "%t/y.sock", "/tmp/q\"\\b", "/tmp//n/./c/")
    assert r.returncode == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines[0] == MARK + "0.1.0. Keeps systemd-tmpfiles --clean away from these sockets; see sockkeeper(1)."
    assert all(line.startswith("# ") for line in lines[:3])
    assert [line for line in lines if not line.startswith("#")] == [
        "x /tmp/a.sock",
        "x /tmp/app-*.sock",
        'x "/tmp/my app.sock"',
        "x /run/x.sock",
        "x %t/y.sock",
        r'x "/tmp/q\"\\b"',
        "x /tmp/n/c",
    ]
    assert "# From /tmp/app-%i.sock: %i became *" in r.stdout
    assert not list(tmp_path.iterdir())


def test_from_file_reads_the_same_arguments(tmp_path):
    """--from-file=FILE: one argument per line, as if given in its place
    (how sockkeeper-tmpfiles.service gets the generator's list); blank and
    '#' lines are skipped, nothing else is trimmed or unquoted."""
    args = ["--dir=/tmp/my app", "/tmp/a.sock", "/tmp/app-%i.sock", "/tmp/my app/s.sock", "/tmp/q\"\\b",
            " /tmp/lead.sock", "-X"]
    listfile = tmp_path / "snippet.args"
    listfile.write_text("# written by hand\n\n" + "\n".join(args[1:]) + "\n  \n")
    direct = run("tmpfiles-snippet", args[0], *args[1:], "/tmp/last.sock")
    r = run("tmpfiles-snippet", args[0], f"--from-file={listfile}", "/tmp/last.sock")
    assert direct.returncode == 64 and '" /tmp/lead.sock" is not an absolute path' in direct.stderr
    assert (r.returncode, r.stdout, r.stderr) == (direct.returncode, direct.stdout, direct.stderr)
    listfile.write_text(listfile.read_text().replace(" /tmp/lead.sock\n", ""))
    direct = run("tmpfiles-snippet", *[a for a in args if a != " /tmp/lead.sock"], "/tmp/last.sock")
    r = run("tmpfiles-snippet", args[0], "--from-file", str(listfile), "/tmp/last.sock")
    assert direct.returncode == 0, direct.stderr
    assert (r.returncode, r.stdout, r.stderr) == (0, direct.stdout, "")
    assert 'X "/tmp/my app/s.sock"' in r.stdout and "X /tmp/last.sock" in r.stdout


@pytest.mark.parametrize("content,message", [
    pytest.param(None, ": No such file or directory", id="missing"),
    pytest.param(b"/tmp/a\n--from-file=/etc/hostname\n", ":2: --from-file cannot be nested", id="nested"),
    pytest.param(b"/tmp/a\n/tmp/b\0c\n", ":2: contains a NUL byte", id="nul"),
    pytest.param(b"/tmp/" + b"x" * 5000 + b"\n", ":1: longer than 4096 bytes", id="long-line"),
])
def test_bad_from_file_is_a_usage_error_and_nothing_written(tmp_path, content, message):
    listfile = tmp_path / "list.args"
    if content is not None:
        listfile.write_bytes(content)
    out = tmp_path / "out" / "x.conf"
    out.parent.mkdir()
    r = run("tmpfiles-snippet", f"--output={out}", f"--from-file={listfile}")
    assert r.returncode == 64
    assert r.stderr == f"sockkeeper tmpfiles-snippet: {listfile}{message}\nTry 'sockkeeper tmpfiles-snippet --help'.\n"
    assert r.stdout == "" and listing(out.parent) == []


def test_literal_takes_names_exactly(vroot):
    names = ["lit[1]*.sock", "back\\slash", "100%i", "it's \"here\""]
    conf = install(vroot, "lit", "--literal", *(f"/tmp/{n}" for n in names))
    for n in names + ["lit1x.sock", "backslash", "100foo"]:
        stale_socket(vroot / "tmp" / n)
        age(vroot / "tmp" / n)
    tmpfiles(vroot, "--cat-config")
    tmpfiles(vroot, "--clean")
    assert listing(vroot / "tmp") == sorted(names), conf.read_text()


def test_dir_keeps_the_directory_and_the_socket_but_not_the_rest(vroot):
    """--dir=/tmp/app writes an X line: the directory stays, the socket in it
    stays through its x line, and the rest of the directory ages as usual.
    The generator hands sockkeeper-tmpfiles.service exactly such a command."""
    if not shutil.which("faketime"):
        pytest.skip("needs faketime (apt-get install faketime)")
    (vroot / "tmp/app").mkdir()
    stale_socket(vroot / "tmp/app/s.sock")
    stale_socket(vroot / "tmp/app/other.sock")
    conf = install(vroot, "dir", "--dir=/tmp/app", "/tmp/app/s.sock")
    lines = [line for line in conf.read_text().splitlines() if not line.startswith("#")]
    assert lines == ["X /tmp/app", "x /tmp/app/s.sock"]
    tmpfiles(vroot, "--cat-config")
    tmpfiles(vroot, "--clean", prefix=["faketime", "-f", "+3d"])
    assert listing(vroot / "tmp/app") == ["s.sock"]


def test_dir_alone_and_bad_dir(tmp_path):
    r = run("tmpfiles-snippet", "--dir=/tmp/a", "--dir=/tmp/a", "--dir=/var/tmp/%i")
    assert r.returncode == 0 and r.stderr == ""
    assert [line for line in r.stdout.splitlines() if not line.startswith("#")] == ["X /tmp/a", "X /var/tmp/*"]
    r = run("tmpfiles-snippet", "--dir=rel", "/tmp/a")
    assert r.returncode == 64 and r.stdout == "" and '"rel" is not an absolute path' in r.stderr


def test_empty_snippet_with_output(scratch):
    """No PATH with --output: a header-only file, which tmpfiles reads as
    nothing. sockkeeper-tmpfiles.service runs so when nothing is protected."""
    out = scratch / "sockkeeper.conf"
    r = run("tmpfiles-snippet", f"--output={out}")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    text = out.read_text()
    assert text.startswith(MARK)
    assert all(line.startswith("#") for line in text.splitlines())
    root = scratch / "root"
    (root / "etc/tmpfiles.d").mkdir(parents=True)
    shutil.copy(out, root / "etc/tmpfiles.d/sockkeeper.conf")
    tmpfiles(root, "--cat-config")


# --output

def test_output_writes_0644_atomically(scratch):
    out = scratch / "snippet.conf"
    out.write_text("old\n")
    old_ino = out.stat().st_ino
    r = run("tmpfiles-snippet", "--output", str(out), "/tmp/a.sock",
            preexec_fn=lambda: os.umask(0o077))
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    assert out.read_text().startswith(MARK) and out.read_text().endswith("x /tmp/a.sock\n")
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert out.stat().st_ino != old_ino, "replaced by rename, not rewritten in place"
    assert listing(scratch) == ["snippet.conf"]


def _file_size_limit(ignore_signal):
    def set_limit():
        import resource
        if ignore_signal:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16, 16))
    return set_limit


@pytest.mark.parametrize("how", ["read-only-dir", "write-fails", "killed-mid-write"])
def test_output_failure_keeps_the_old_file(scratch, how):
    out = scratch / "snippet.conf"
    out.write_text("old content\n")
    args = ["tmpfiles-snippet", "-o", str(out), "/tmp/a.sock"]
    if how == "read-only-dir":
        os.chmod(scratch, 0o555)
        # Root writes anywhere: drop to nobody for the refusal.
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
        r = run(*args, prefix=prefix)
    else:
        r = run(*args, preexec_fn=_file_size_limit(ignore_signal=how == "write-fails"))
    if how == "killed-mid-write":
        assert r.returncode == -signal.SIGXFSZ
    else:
        assert r.returncode == 1
        assert r.stderr.startswith(f"sockkeeper tmpfiles-snippet: {out}: cannot write: ") and r.stderr.count("\n") == 1
    assert out.read_text() == "old content\n"
    assert listing(scratch) == ["snippet.conf"], "a temporary file was left behind"


def test_output_refuses_a_symlink(scratch):
    target = scratch / "target"
    target.write_text("precious\n")
    link = scratch / "link.conf"
    link.symlink_to(target)
    r = run("tmpfiles-snippet", "-o", str(link), "/tmp/a.sock")
    assert r.returncode == 1
    assert r.stderr == f"sockkeeper tmpfiles-snippet: {link}: a symlink is there; not following or replacing it\n"
    assert target.read_text() == "precious\n" and os.readlink(link) == str(target)
    assert listing(scratch) == ["link.conf", "target"]


# --install

def test_install_creates_the_directories_under_root(tmp_path):
    root = tmp_path / "empty"
    root.mkdir()
    conf = install(root, "app", "/tmp/app.sock")
    assert conf.read_text().startswith(MARK)
    assert listing(root / "etc/tmpfiles.d") == ["sockkeeper-app.conf"]


def test_install_without_name_derives_one(tmp_path):
    """The name comes from the path, and is said; the same paths give the
    same file again, other paths never another run's file."""
    def install_unnamed(*args):
        r = run("tmpfiles-snippet", "--install", f"--root={tmp_path}", *args)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        lines = r.stdout.splitlines()
        assert len(lines) == 2, r.stdout
        assert lines[0].startswith("# no --name given: named "), r.stdout
        name = lines[0].split()[5]
        conf = tmp_path / f"etc/tmpfiles.d/sockkeeper-{name}.conf"
        assert lines[1] == f"# wrote {conf}"
        assert conf.read_text().startswith(MARK)
        return name, lines[0]

    name, said = install_unnamed("/tmp/app.sock")
    assert name == "tmp-app.sock"
    assert said == "# no --name given: named tmp-app.sock after /tmp/app.sock"
    assert install_unnamed("/tmp//app.sock")[0] == "tmp-app.sock"

    # A '-' could be a '/': "/tmp/a-b" and "/tmp/a/b" must not share a file.
    dash, _ = install_unnamed("/tmp/a-b")
    slash, _ = install_unnamed("/tmp/a/b")
    assert dash.startswith("tmp-a-b-") and slash == "tmp-a-b" and dash != slash
    # Glob and specifier characters become '_', with a hash.
    assert install_unnamed("/run/user/%U/*.sock")[0].startswith("run-user-_U-_.sock-")

    # More paths: named after the first, with a hash of the lines, stable.
    both, said = install_unnamed("/tmp/one.sock", "/tmp/two.sock")
    assert both.startswith("tmp-one.sock-") and said.endswith(" after /tmp/one.sock and the other paths")
    assert install_unnamed("/tmp/one.sock", "/tmp/two.sock")[0] == both
    assert install_unnamed("/tmp/one.sock", "/tmp/three.sock")[0] != both
    # Only --dir: named after it.
    assert install_unnamed("--dir=/tmp/appdir")[0] == "tmp-appdir"
    text = (tmp_path / f"etc/tmpfiles.d/sockkeeper-{both}.conf").read_text()
    assert "x /tmp/one.sock\nx /tmp/two.sock\n" in text


def test_install_replaces_its_own_file(vroot):
    first = install(vroot, "app", "/tmp/one.sock")
    ino = first.stat().st_ino
    # Even one another version wrote: only the mark counts.
    first.write_text(MARK + "0.0.1. Keeps ...\nx /tmp/older.sock\n")
    second = install(vroot, "app", "/tmp/two.sock")
    assert second == first and "x /tmp/two.sock\n" in second.read_text()
    assert "one.sock" not in second.read_text() and "older" not in second.read_text()
    assert second.stat().st_ino != ino
    assert listing(vroot / "etc/tmpfiles.d") == ["sockkeeper-app.conf"]
    tmpfiles(vroot, "--cat-config")


def test_install_refuses_a_foreign_file(vroot):
    d = vroot / "etc/tmpfiles.d"
    d.mkdir(parents=True)
    foreign = d / "sockkeeper-app.conf"
    foreign.write_text("# the admin's own\nx /srv/keep\n")
    before = foreign.stat()
    r = run("tmpfiles-snippet", "--install", f"--root={vroot}", "--name=app", "/tmp/app.sock")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith(f"sockkeeper tmpfiles-snippet: {foreign}: exists and was not written by sockkeeper tmpfiles-snippet")
    assert r.stderr.count("\n") == 1
    after = foreign.stat()
    assert foreign.read_text() == "# the admin's own\nx /srv/keep\n"
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert listing(d) == ["sockkeeper-app.conf"]


@pytest.mark.parametrize("target_is_ours", [False, True])
def test_install_refuses_a_symlink(vroot, tmp_path, target_is_ours):
    d = vroot / "etc/tmpfiles.d"
    d.mkdir(parents=True)
    target = tmp_path / "elsewhere.conf"
    # A symlink to one of our own snippets is refused all the same.
    target.write_text(MARK + "0.1.0.\nx /tmp/x\n" if target_is_ours else "precious\n")
    before = target.read_text()
    link = d / "sockkeeper-app.conf"
    link.symlink_to(target)
    r = run("tmpfiles-snippet", "--install", f"--root={vroot}", "--name=app", "/tmp/app.sock")
    assert r.returncode == 1
    assert r.stderr == f"sockkeeper tmpfiles-snippet: {link}: a symlink is there; not following or replacing it\n"
    assert target.read_text() == before and os.readlink(link) == str(target)
    assert listing(d) == ["sockkeeper-app.conf"]


def test_install_does_not_follow_a_symlinked_etc(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "etc").symlink_to(elsewhere)
    r = run("tmpfiles-snippet", "--install", f"--root={root}", "--name=app", "/tmp/app.sock")
    assert r.returncode == 1 and f"sockkeeper tmpfiles-snippet: {root}/etc: " in r.stderr
    assert listing(elsewhere) == []


# Bad input: a one-line error naming the argument, status 64, nothing written.

BAD_PATHS = [
    pytest.param("app.sock", '"app.sock" is not an absolute path', id="relative"),
    pytest.param("./app.sock", '"./app.sock" is not an absolute path', id="dot-relative"),
    pytest.param("", '"" is empty', id="empty"),
    pytest.param("/tmp/a\nb.sock", r'"/tmp/a\nb.sock" contains a control character', id="newline"),
    pytest.param("/tmp/a\tb.sock", r'"/tmp/a\tb.sock" contains a control character', id="tab"),
    pytest.param("/tmp/\x1b[31mred", r'"/tmp/\x1b[31mred" contains a control character', id="escape"),
    pytest.param("/tmp/del\x7f", r'"/tmp/del\x7f" contains a control character', id="del"),
    pytest.param("/tmp/../etc/x", '"/tmp/../etc/x" has a \'..\' component', id="dotdot"),
    pytest.param("/tmp/%z.sock", '"/tmp/%z.sock" uses %z, which is not a specifier', id="unknown-specifier"),
    pytest.param("/tmp/50%", '"/tmp/50%" ends in a lone %', id="lone-percent"),
    pytest.param("%y.sock", '"%y.sock" uses %y, a unit specifier that expands to a path', id="path-specifier"),
    pytest.param("%H/app.sock", '"%H/app.sock" is not an absolute path', id="relative-specifier"),
]


@pytest.mark.parametrize("mode", ["stdout", "output", "install"])
@pytest.mark.parametrize("bad,message", BAD_PATHS)
def test_bad_path_is_refused_and_nothing_written(tmp_path, mode, bad, message):
    out = tmp_path / "out.conf"
    args = {"stdout": [], "output": ["-o", str(out)], "install": ["--install", f"--root={tmp_path}", "--name=x"]}
    # The good path beside it is not written either.
    r = run("tmpfiles-snippet", *args[mode], "/tmp/good.sock", bad)
    assert r.returncode == 64
    assert r.stdout == ""
    error, hint = r.stderr.splitlines()
    assert error.startswith(f"sockkeeper tmpfiles-snippet: {message}"), r.stderr
    assert hint == "Try 'sockkeeper tmpfiles-snippet --help'."
    assert listing(tmp_path) == []


def test_every_bad_path_is_named(tmp_path):
    r = run("tmpfiles-snippet", "rel", "/ok", "", "/a/../b")
    assert r.returncode == 64 and r.stdout == ""
    *errors, hint = r.stderr.splitlines()
    assert [line.split('"')[1] for line in errors] == ["rel", "", "/a/../b"]
    assert hint == "Try 'sockkeeper tmpfiles-snippet --help'."


@pytest.mark.parametrize("args,message", [
    pytest.param([], "no PATH given", id="no-paths"),
    pytest.param(["--install", "--name=a/b", "/tmp/a"], '--name "a/b": use 1 to 200', id="bad-name"),
    pytest.param(["--install", "--name=", "/tmp/a"], '--name "": use 1 to 200', id="empty-name"),
    pytest.param(["--name=a", "/tmp/a"], "--name only goes with --install", id="name-without-install"),
    pytest.param(["--root=/", "/tmp/a"], "--root only goes with --install", id="root-without-install"),
    pytest.param(["--install", "--name=a", "-o", "x", "/tmp/a"], "--install and --output exclude each other",
                 id="install-and-output"),
])
def test_usage_errors(tmp_path, args, message):
    r = subprocess.run([SOCKKEEPER, "tmpfiles-snippet", *args], capture_output=True, text=True, timeout=20,
                       cwd=tmp_path)
    assert r.returncode == 64
    assert r.stdout == ""
    error, hint = r.stderr.splitlines()
    assert error.startswith(f"sockkeeper tmpfiles-snippet: {message}"), r.stderr
    assert hint == "Try 'sockkeeper tmpfiles-snippet --help'."
    assert listing(tmp_path) == []


def test_unknown_option_is_a_usage_error():
    r = run("tmpfiles-snippet", "--bogus", "/tmp/a")
    assert r.returncode == 64 and r.stdout == "" and "--bogus" in r.stderr


def test_help():
    r = run("tmpfiles-snippet", "--help")
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.startswith("Usage: sockkeeper tmpfiles-snippet [OPTIONS] [--dir=DIR...] PATH...\n")
    for option in ("--output=FILE", "--install", "--name=NAME", "--root=DIR", "--contents-age", "--literal",
                   "--dir=DIR", "--from-file=FILE"):
        assert option in r.stdout
    main = run("--help")
    assert "tmpfiles-snippet" in main.stdout
