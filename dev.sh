#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The developer entry point: installs what is missing, configures, builds,
# and runs the demo, the tests or the benchmarks. Idempotent; a second run
# only rebuilds what changed.
#
#   ./dev.sh demo [PATH]   build and run `sockkeeper demo`
#   ./dev.sh test          every suite, in a normal and an ASan+UBSan build
#   ./dev.sh build         build only
#   ./dev.sh package       the Debian packages, into build-deb/
#   ./dev.sh bench [NAME]  build and run the benchmarks in bench/
#   ./dev.sh deps          install what the build, the tests and the packages need
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

BUILD=build
BUILD_SAN=build-san
# clang + libclang-rt-14-dev: the sanitizer build (the runtime is not in the
# base image); man-db: the man pages' render test; the rest: what the tests
# drive for real (tmpfiles, tmpreaper, find, unshare, systemd-socket-activate,
# and the daemons the guard keeps: socat, php-fpm; strace holds socat's exit;
# haproxy, which renames its stats socket after bind, for scan and check;
# tmux, which heal makes bind again);
# python3-dev: the Python package's C extension; bash-completion (its .pc
# says where completions go) and zsh: the shell completions, loaded for real;
# prometheus (for promtool) and prometheus-node-exporter: the metrics and
# alert rules, read by the real tools (their daemons are not started; see
# install_deps); dpkg-dev, debhelper, dh-python, lintian: the Debian packages;
# git and xz-utils: `meson dist`. debian/control's Build-Depends are
# among these, and install_deps installs them first with
# `apt-get build-dep ./`, as a packager does.
APT_PACKAGES=(meson ninja-build pkg-config gcc clang libclang-rt-14-dev libsystemd-dev
              python3-dev python3-pytest scdoc man-db groff-base tmpreaper systemd iproute2
              util-linux findutils faketime systemd-container debootstrap
              socat php8.2-fpm strace haproxy tmux bash-completion zsh prometheus prometheus-node-exporter
              dpkg-dev debhelper dh-python lintian git xz-utils)
# Packages whose daemon (of the same name) the tests never want running:
# they start their own node_exporter on 127.0.0.1 and a free port.
NO_START_SERVICES=(prometheus prometheus-node-exporter)

step() { printf '==> %s\n' "$*"; }

install_deps() {
        local missing=() builddep=
        for p in "${APT_PACKAGES[@]}"; do
                dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
        done
        # dpkg-checkbuilddeps (dpkg-dev) answers in a tenth of a second
        # when everything is there.
        if [[ " ${missing[*]} " == *" dpkg-dev "* ]] || ! dpkg-checkbuilddeps >/dev/null 2>&1; then
                builddep=1
        fi
        [ ${#missing[@]} -eq 0 ] && [ -z "$builddep" ] && return 0
        if [ "$(id -u)" -ne 0 ]; then
                [ ${#missing[@]} -eq 0 ] || echo "dev.sh: missing packages: ${missing[*]}" >&2
                [ -z "$builddep" ] || echo "dev.sh: debian/control's Build-Depends are not all installed" >&2
                echo "dev.sh: run as root, or install them (apt-get build-dep ./; apt-get install ...)" >&2
                exit 1
        fi
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # No daemon starts on install (a CI machine would otherwise serve
        # Prometheus on :9090 and node_exporter on :9100 to its network):
        # a policy-rc.d for the time of the install, where none is there.
        local policy=/usr/sbin/policy-rc.d own_policy= rc=0
        if [ ! -e "$policy" ]; then
                printf '#!/bin/sh\nexit 101\n' >"$policy"
                chmod 755 "$policy"
                own_policy=1
        fi
        if [ -n "$builddep" ]; then
                step "apt-get build-dep -y ./"
                apt-get build-dep -y -qq ./ >/dev/null || rc=$?
        fi
        if [ $rc -eq 0 ] && [ ${#missing[@]} -gt 0 ]; then
                step "installing ${missing[*]}"
                apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
        fi
        [ -z "$own_policy" ] || rm -f "$policy"
        [ $rc -eq 0 ] || exit 1
        # ... nor at the next boot, for the packages installed just now.
        local p q
        for p in "${missing[@]}"; do
                for q in "${NO_START_SERVICES[@]}"; do
                        [ "$p" != "$q" ] || systemctl disable --quiet "$q.service" 2>/dev/null || true
                done
        done
}

# Runs a command quietly; on failure shows its output and stops.
quietly() {
        local log
        log=$(mktemp)
        if ! "$@" >"$log" 2>&1; then
                cat "$log" >&2
                rm -f "$log"
                echo "dev.sh: failed: $*" >&2
                exit 1
        fi
        rm -f "$log"
}

configure() {
        local dir=$1; shift
        if [ ! -f "$dir/build.ninja" ]; then
                step "configuring $dir"
                quietly meson setup -Dwerror=true "$dir" "$@"
        fi
}

build() {
        install_deps
        configure "$BUILD"
        step "building $BUILD"
        quietly ninja -C "$BUILD"
}

build_san() {
        # clang for the sanitizer build: the same compiler the fuzz targets need.
        CC=clang configure "$BUILD_SAN" -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
        step "building $BUILD_SAN"
        quietly ninja -C "$BUILD_SAN"
}

# Runs one build dir's suites and prints the per-suite summary line.
run_suites() {
        local dir=$1 rc=0
        step "testing $dir"
        meson test -C "$dir" --print-errorlogs --num-processes 2 "${@:2}" || rc=$?
        /usr/bin/python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, sys
ok = fail = skip = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): ok += 1
    elif r == "SKIP": skip += 1
    else: fail += 1
print(f"{sys.argv[1].split('/')[0]}: {ok} passed, {fail} failed, {skip} skipped")
PY
        return $rc
}

cmd=${1:-help}
[ $# -gt 0 ] && shift
case "$cmd" in
demo)
        build
        exec "$BUILD/src/cli/sockkeeper" demo "$@"
        ;;
build)
        build
        ;;
test)
        build
        build_san
        rc=0
        run_suites "$BUILD" "$@" || rc=1
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
                run_suites "$BUILD_SAN" "$@" || rc=1
        exit $rc
        ;;
package)
        install_deps
        exec tools/build-debs "$@"
        ;;
deps)
        install_deps
        ;;
bench)
        build
        exec "$BUILD/bench/run" "$@"
        ;;
*)
        sed -n '3,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'
        [ "$cmd" = help ] || exit 64
        ;;
esac
