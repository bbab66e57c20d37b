# SPDX-License-Identifier: MIT
"""Prints the site directory of this interpreter that lies under PREFIX
(argv[1]), the nearest one if several do; nothing if none does."""

import os
import site
import sys

prefix = os.path.normpath(sys.argv[1])
under = [d for d in site.getsitepackages() if os.path.commonpath([prefix, d]) == prefix]
print(min(under, key=lambda d: len(os.path.relpath(d, prefix).split(os.sep)), default=""))
