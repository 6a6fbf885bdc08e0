"""Renders the golden specs (golden/*.xml) with the real transport spec:
{file name: text} of each golden context's own outputs. Run as a script to
rewrite golden/expected/ after a deliberate change of the output; review
the diff, and the golden C is also compiled and exercised by golden-tiny."""

import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "generator"))

from vdrmgen import cli  # noqa: E402

EXPECTED = os.path.join(HERE, "expected")
SPECS = sorted(f for f in os.listdir(HERE) if f.endswith(".xml"))


def render():
    with tempfile.TemporaryDirectory() as spec_dir:
        for f in ("vdrm.xml", "vdrm-protocol.rng"):
            shutil.copy(os.path.join(ROOT, "spec", f), spec_dir)
        for f in SPECS:
            shutil.copy(os.path.join(HERE, f), spec_dir)
        protocols, findings = cli.load_all(spec_dir, SPECS)
        errors = [str(x) for x in findings if x.level == "error"]
        if errors:
            raise AssertionError("\n".join(errors))
        names = {p.name for p in protocols[1:]}
        files = cli.render(protocols)
    # Only the golden contexts' own files: the transport's have their own check.
    return {os.path.basename(rel): text for rel, text in files.items()
            if os.path.basename(rel).split("_")[0].split(".")[0] in names}


if __name__ == "__main__":
    os.makedirs(EXPECTED, exist_ok=True)
    for name, text in render().items():
        with open(os.path.join(EXPECTED, name), "w", encoding="utf-8") as f:
            f.write(text)
