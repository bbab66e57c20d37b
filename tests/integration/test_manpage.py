# SPDX-License-Identifier: MIT
"""sockkeeper(1) against the code, so that neither drifts: its EXIT STATUS
table lists, per command, exactly the statuses that the command's --help,
its own section of the page and its exit-status constants name, and the
command really exits 0 for --help and 64 for an unknown option; its
ENVIRONMENT section names every variable that the code reads (getenv, and
through the libsystemd calls it makes), as sockkeeper-generator(8) does
for the generator's."""

import glob
import os
import re
import subprocess

import pytest

from guardlib import sockkeeper

SRC = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
COMMANDS = ["check", "demo", "guard", "heal", "migrate", "scan", "tmpfiles-snippet"]
# The command's own exit-status constants, where it names them.
CONSTANTS = {"check": "CHECK_EXIT_", "heal": "HEAL_EXIT_", "migrate": "MIGRATE_EXIT_", "scan": "SCAN_EXIT_"}
# What libsystemd reads for the functions the code calls.
LIBSYSTEMD_ENV = {
    "sd_notify": ["NOTIFY_SOCKET"],
    "sd_watchdog_enabled": ["WATCHDOG_USEC", "WATCHDOG_PID"],
    "sd_bus_open_system": ["DBUS_SYSTEM_BUS_ADDRESS"],
}



def page(name):
    with open(os.path.join(SRC, "man", name)) as f:
        return f.read()


def section(text, name):
    # Headings are in capitals; a "# ..." line of an example is not one.
    m = re.search(rf"^# {name}\n(.*?)(?=^# [A-Z][A-Z ]+\n|\Z)", text, re.M | re.S)
    assert m, f"no section {name}"
    return m.group(1)


def exit_table():
    """Command -> the statuses that the EXIT STATUS table lists for it."""
    rows = re.findall(r"^\|  (\d+)\n:  (\S+)\n:  .+$", section(page("sockkeeper.1.scd"), "EXIT STATUS"), re.M)
    assert rows
    table = {}
    for status, command in rows:
        table.setdefault(command, set()).add(int(status))
    return table


def statuses_in(paragraph):
    return {int(n) for n in re.findall(r"\b(\d+)\b", re.sub(r"\*", "", paragraph))}


def man_statuses(command):
    """The statuses in the "Exit status" paragraph of COMMAND's section."""
    commands = section(page("sockkeeper.1.scd"), "COMMANDS")
    m = re.search(rf"^\*{re.escape(command)}\*.*?^\t\*?Exit status\*?:(.*?)\n\n", commands, re.M | re.S)
    assert m, f"{command}: no exit status in its section of sockkeeper(1)"
    return statuses_in(m.group(1))


def help_statuses(command):
    p = subprocess.run([sockkeeper(), command, "--help"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 0, p.stderr
    m = re.search(r"^Exit status:(.*?)(?:\n\n|\Z)", p.stdout, re.M | re.S)
    assert m, f"{command} --help names no exit status:\n{p.stdout}"
    return statuses_in(m.group(1))


def constant_statuses(command):
    with open(os.path.join(SRC, "src", "cli", command + ".c")) as f:
        # CLI_EXIT_USAGE is the one usage status of every command (cli.h).
        return {64 if n == "CLI_EXIT_USAGE" else int(n)
                for n in re.findall(rf"\b{CONSTANTS[command]}\w+ = (\d+|CLI_EXIT_USAGE)\b", f.read())}


@pytest.mark.parametrize("command", COMMANDS)
def test_exit_status_table_agrees(command):
    table = exit_table()
    assert table[command] == help_statuses(command), "the table and --help"
    assert table[command] == man_statuses(command), "the table and the command's section"
    if command in CONSTANTS:
        assert table[command] == constant_statuses(command), "the table and the code"
    assert {0, 64} <= table[command]


def test_exit_status_table_has_nothing_else():
    assert set(exit_table()) == set(COMMANDS) | {"sockkeeper"}
    assert exit_table()["sockkeeper"] == {0, 64}


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_and_help_statuses_are_real(command):
    assert subprocess.run([sockkeeper(), command, "--help"], capture_output=True, timeout=10).returncode == 0
    p = subprocess.run([sockkeeper(), command, "--no-such-option"], capture_output=True, timeout=10)
    assert p.returncode == 64, p.stderr


def test_main_statuses_are_real():
    assert subprocess.run([sockkeeper(), "--help"], capture_output=True, timeout=10).returncode == 0
    assert subprocess.run([sockkeeper(), "--version"], capture_output=True, timeout=10).returncode == 0
    assert subprocess.run([sockkeeper()], capture_output=True, timeout=10).returncode == 64
    assert subprocess.run([sockkeeper(), "no-such-command"], capture_output=True, timeout=10).returncode == 64


SPAN_UNITS = {"ms": 0.001, "s": 1, "sec": 1, "min": 60, "h": 3600, "hour": 3600, "hours": 3600}


def test_guard_span_defaults_agree():
    """Each default time span of the guard, in its --help and in the page,
    is the same span, and written with its unit ("2s", not "2")."""
    help_text = subprocess.run([sockkeeper(), "guard", "--help"], capture_output=True, text=True,
                               timeout=10).stdout
    commands = section(page("sockkeeper.1.scd"), "COMMANDS")
    compared = 0
    for option in re.findall(r"^  (--[a-z-]+)=SPAN", help_text, re.M):
        in_help = re.search(rf"^  {option}=SPAN[^(]*\(default (\d+)(\w*)", help_text, re.M)
        in_man = re.search(rf"^\t\*{option}=\*_SPAN_\n((?:\t\t.*\n)+)", commands, re.M)
        if not in_help or not in_man:
            continue
        m = re.search(r"\(default (\d+) ?([a-z]*)", in_man.group(1))
        if not m:
            continue
        assert in_help.group(2) and m.group(2), (option, in_help.group(0), m.group(0))
        assert int(in_help.group(1)) * SPAN_UNITS[in_help.group(2)] == int(m.group(1)) * SPAN_UNITS[m.group(2)], \
            (option, in_help.group(0), m.group(0))
        compared += 1
    assert compared >= 4


def variables_read(paths):
    """The environment variables that the C sources PATHS read."""
    names = set()
    for path in paths:
        with open(path) as f:
            text = f.read()
        defines = dict(re.findall(r'#define (\w+) "([A-Za-z_][A-Za-z0-9_]*)"', text))
        # getenv("X"), secure_getenv("X") and helpers such as abs_env("X").
        names |= set(re.findall(r'\b\w*env\s*\(\s*"([A-Za-z_][A-Za-z0-9_]*)"', text))
        names |= {defines[m] for m in re.findall(r"\b\w*getenv\s*\(\s*([A-Z_][A-Z0-9_]*)\s*\)", text)
                  if m in defines}
        for function, variables in LIBSYSTEMD_ENV.items():
            if re.search(rf"\b{function}\s*\(", text):
                names |= set(variables)
    return names


def documented(page_name):
    """The variables that the ENVIRONMENT section has an entry for."""
    names = set()
    for line in section(page(page_name), "ENVIRONMENT").splitlines():
        if line.startswith("_"):
            names |= set(re.findall(r"_\$?([A-Z][A-Z0-9_]*)_", line))
    return names


def test_environment_of_the_tools_documented():
    sources = [p for p in glob.glob(os.path.join(SRC, "src", "**", "*.c"), recursive=True)
               if os.sep + "generator" + os.sep not in p]
    read = variables_read(sources)
    # The parser must see what it is meant to see.
    assert {"XDG_RUNTIME_DIR", "STATE_DIRECTORY", "LISTEN_FDS", "SOCKKEEPER_SCAN_TEST_ROOT",
            "NOTIFY_SOCKET", "JOURNAL_STREAM"} <= read
    missing = read - documented("sockkeeper.1.scd")
    assert not missing, f"read by the code, not in ENVIRONMENT of sockkeeper(1): {sorted(missing)}"


def test_environment_of_the_generator_documented():
    read = variables_read(glob.glob(os.path.join(SRC, "src", "generator", "*.c")))
    assert "SOCKKEEPER_ROOT" in read
    # It logs, and reads units, with the shared code: what that reads for it.
    read |= {"SYSTEMD_LOG_LEVEL", "SYSTEMD_LOG_TARGET", "SYSTEMD_UNIT_PATH"}
    missing = read - documented("sockkeeper-generator.8.scd")
    assert not missing, f"read by the generator, not in ENVIRONMENT of sockkeeper-generator(8): {sorted(missing)}"


def test_every_unit_has_its_page():
    """As systemd names its own: UNIT(8) for each unit shipped, and every
    Documentation= of a unit names a page that is shipped."""
    units = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(SRC, "units", "*.in")))
    assert "sockkeeper-guard.service" in units
    shipped = {os.path.basename(p).removesuffix(".scd") for p in glob.glob(os.path.join(SRC, "man", "*.[0-9]*"))}
    for unit in units:
        assert f"{unit}.8" in shipped, f"no man page {unit}(8)"
        with open(os.path.join(SRC, "units", unit + ".in")) as f:
            docs = re.findall(r"^Documentation=(.*)$", f.read(), re.M)
        assert docs, unit
        pages = re.findall(r"man:([\w.@-]+)\((\d)\)", " ".join(docs))
        assert pages[0] == (unit, "8"), f"{unit}: its own page first"
        for name, sec in pages:
            assert f"{name}.{sec}" in shipped, f"{unit}: Documentation= names {name}({sec}), which is not shipped"
