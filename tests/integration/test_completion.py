# SPDX-License-Identifier: MIT
"""The shell completions: the bash one loaded by a real bash with the real
bash-completion, completing commands, options and their values; and both
offering exactly the options that each command's --help lists, so that the
two cannot drift apart."""

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from conftest import TIMEOUT
from guardlib import sockkeeper

SOURCE = Path(__file__).resolve().parents[2]
BASH_COMPLETION = SOURCE / "shell-completion" / "bash" / "sockkeeper"
ZSH_COMPLETION = SOURCE / "shell-completion" / "zsh" / "_sockkeeper"
BASH_COMPLETION_LIB = Path("/usr/share/bash-completion/bash_completion")

# An option at the start of a --help line: "  -h --help", "     --root DIR",
# "  --unit=UNIT", "  -o --output=FILE".
HELP_OPTION = re.compile(r"^\s+(?:(-[A-Za-z])\s+)?(--[a-z][a-z-]*)")


def commands():
    """The commands that `sockkeeper --help` lists."""
    text = subprocess.run([sockkeeper(), "--help"], capture_output=True, text=True, timeout=TIMEOUT).stdout
    listed = text.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in listed.splitlines()]


def help_options(verb):
    text = subprocess.run([sockkeeper(), verb, "--help"], capture_output=True, text=True, timeout=TIMEOUT).stdout
    found = set()
    for line in text.splitlines():
        m = HELP_OPTION.match(line)
        if m:
            found.update(o for o in m.groups() if o)
    assert "--help" in found and "--version" in found, (verb, text)
    return found


def complete(line, cwd=None):
    """What bash offers at the end of LINE, as an interactive bash would
    after loading bash-completion and our completion."""
    if not BASH_COMPLETION_LIB.exists():
        pytest.skip("bash-completion is not installed (dev.sh installs it)")
    script = f"""
source {shlex.quote(str(BASH_COMPLETION_LIB))}
source {shlex.quote(str(BASH_COMPLETION))}
COMP_LINE={shlex.quote(line)}
COMP_POINT=${{#COMP_LINE}}
COMP_WORDS=({' '.join(shlex.quote(w) for w in line.split())})
[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
spec=$(complete -p sockkeeper) || exit 3
[[ $spec == *'-F _sockkeeper'* ]] || exit 4
_sockkeeper sockkeeper "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD - 1]}}"
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True, text=True,
                       timeout=TIMEOUT * 4, cwd=cwd)
    assert p.returncode == 0, p.stderr
    return [w for w in p.stdout.splitlines() if w]


def test_bash_completes_a_command_and_an_option(tmp_path):
    assert complete("sockkeeper tmpf") == ["tmpfiles-snippet"]
    assert complete("sockkeeper sc") == ["scan"]
    assert sorted(complete("sockkeeper ")) == sorted(commands())
    assert complete("sockkeeper scan --no-l") == ["--no-legend"]
    assert complete("sockkeeper check --ro") == ["--root"]
    assert sorted(complete("sockkeeper -")) == ["--help", "--version", "-V", "-h"]


def test_bash_completes_values(tmp_path):
    (tmp_path / "somedir").mkdir()
    (tmp_path / "somefile.sock").write_text("")
    assert complete("sockkeeper check --json=s") == ["short"]
    assert sorted(complete("sockkeeper scan --json=")) == ["off", "pretty", "short"]
    assert sorted(complete("sockkeeper guard --on-loss=")) == ["relink-only", "restart"]
    assert complete("sockkeeper check --root so", cwd=tmp_path) == ["somedir"]
    assert sorted(complete("sockkeeper check --json so", cwd=tmp_path)) == ["somedir", "somefile.sock"]
    assert complete("sockkeeper guard --owner=roo") == ["root"]
    assert sorted(complete("sockkeeper scan --format=")) == ["json", "nagios", "prometheus", "table"]
    assert sorted(complete("sockkeeper check --format=")) == ["json", "nagios", "text"]


@pytest.mark.parametrize("verb", ["check", "demo", "guard", "migrate", "scan", "tmpfiles-snippet"])
def test_bash_offers_exactly_the_options_of_help(verb):
    assert verb in commands()
    offered = {o.rstrip("=") for o in complete(f"sockkeeper {verb} -")}
    assert offered == help_options(verb)


def zsh_block(verb):
    """The _arguments of VERB in the zsh completion: its case branch."""
    text = ZSH_COMPLETION.read_text()
    m = re.search(rf"^\s+{re.escape(verb)}\)\n(.*?)^\s+;;", text, re.S | re.M)
    assert m, f"no branch for {verb} in {ZSH_COMPLETION}"
    return m.group(1)


@pytest.mark.parametrize("verb", ["check", "demo", "guard", "migrate", "scan", "tmpfiles-snippet"])
def test_zsh_offers_exactly_the_options_of_help(verb):
    block = zsh_block(verb)
    # $common: -h, --help, -V and --version, as every command has them.
    offered = {"-h", "--help", "-V", "--version"} if "$common" in block else set()
    offered |= set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[A-Za-z])(?=[\[=+,}'\]])", block))
    assert offered == help_options(verb)


def test_zsh_lists_every_command():
    text = ZSH_COMPLETION.read_text()
    listed = re.findall(r"^\s+[\"']([a-z-]+):", text, re.M)
    assert sorted(listed) == sorted(commands())
    for verb in commands():
        zsh_block(verb)


def test_zsh_completion_parses():
    zsh = subprocess.run(["sh", "-c", "command -v zsh"], capture_output=True, text=True).stdout.strip()
    if not zsh:
        pytest.skip("zsh is not installed")
    p = subprocess.run([zsh, "-n", str(ZSH_COMPLETION)], capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode == 0, p.stderr
