#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every defect a context doc lists under "Upstream defects" has a cmocka test.

usage: check_defects.py DOC.md TEST.c

A defect "- `NAME` (kind): ..." needs a test function
upstream_defect_<NAME, lower case, non-alphanumerics as _> that TEST.c defines
and registers with cmocka_unit_test*().
"""

import re
import sys


def defects(doc):
    text = open(doc, encoding="utf-8").read()
    m = re.search(r"^## Upstream defects\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        return []
    return re.findall(r"^- `([^`]+)` \(([^)]+)\):", m.group(1), re.M)


def ident(name):
    return "upstream_defect_" + re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def main():
    doc, test = sys.argv[1], sys.argv[2]
    src = open(test, encoding="utf-8").read()
    found = defects(doc)
    if not found:
        print(f"{doc}: no upstream defects listed (is the section there?)")
        return 1
    missing = []
    for name, kind in found:
        fn = ident(name)
        defined = re.search(r"^" + fn + r"\(void \*\*state\)", src, re.M)
        registered = re.search(r"cmocka_unit_test\w*\(" + fn + r"\b", src)
        status = "ok" if defined and registered else "MISSING"
        print(f"{status}: {name} ({kind}) -> {fn}")
        if status != "ok":
            missing.append(name)
    if missing:
        print(f"{len(missing)} upstream defect(s) without a test in {test}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
