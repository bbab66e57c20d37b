#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A man page keeps every backslash its scdoc source means.

scdoc takes a backslash as an escape of the next character everywhere,
code blocks included: "\\*" and "\\_" keep a "*" or "_" from starting
bold or underline, "\\\\" is one backslash, and any other "\\X" is printed
as "X" alone (a line continuation "\\" at the end of a line vanishes, and
"\\xNN" becomes "xNN"). So:

- in the source, a backslash is followed by "\\", "*" or "_", nothing else
  (FILE:LINE for each that is not);
- the rendered page (man -l, as text) has as many backslashes as the
  source's "\\\\" pairs, and every line of a code block, as it is meant.

Usage: check-man-backslashes.py SOURCE.scd RENDERED_PAGE"""

import os
import re
import subprocess
import sys

ESCAPED = "\\*_"


def meant(line):
    """LINE of the source as scdoc prints it."""
    return re.sub(r"\\(.)", r"\1", line)


def main(source, rendered):
    with open(source, encoding="utf-8") as f:
        lines = f.read().split("\n")
    errors = []
    pairs = 0
    for number, line in enumerate(lines, 1):
        i = 0
        while i < len(line):
            if line[i] == "\\":
                nxt = line[i + 1] if i + 1 < len(line) else ""
                if nxt not in ESCAPED or not nxt:
                    what = f"'{nxt}'" if nxt else "the end of the line"
                    errors.append(f"{source}:{number}: scdoc drops the backslash before {what}; "
                                  "write \\\\ for one backslash")
                pairs += nxt == "\\"
                i += 2
                continue
            i += 1
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1

    env = dict(os.environ, MANWIDTH="200", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
    p = subprocess.run(["man", "-l", rendered], capture_output=True, text=True, env=env, timeout=60)
    if p.returncode != 0:
        print(f"{rendered}: man -l failed: {p.stderr}", file=sys.stderr)
        return 1
    text = re.sub(r".\x08", "", p.stdout)  # overstrike bold and underline, if any
    if text.count("\\") != pairs:
        print(f"{rendered}: {text.count(chr(92))} backslashes rendered, {source} means {pairs}", file=sys.stderr)
        return 1

    rendered_lines = {line.strip() for line in text.split("\n")}
    in_code = False
    for number, line in enumerate(lines, 1):
        if line.strip() == "```":
            in_code = not in_code
            continue
        if in_code and line.strip() and meant(line).strip() not in rendered_lines:
            print(f"{source}:{number}: the code line is not in {rendered} as it is meant: {meant(line).strip()!r}",
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
