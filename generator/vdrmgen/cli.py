"""Command line of vdrm-gen."""

import argparse
import os
import sys

from . import emit, layout, lint, model, relaxng
from .errors import SpecError

VERSION = "1.0"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BASE_SPEC = "vdrm.xml"


def load_all(spec_dir, names=None):
    """Model, lay out and lint the transport spec and every context spec.

    Returns (protocols, findings); raises SpecError on the first fatal one."""
    schema = relaxng.Schema(os.path.join(spec_dir, "vdrm-protocol.rng"))
    base = model.load(os.path.join(spec_dir, BASE_SPEC), schema)
    layout.compute(base)
    protocols = [base]
    if names is None:
        names = sorted(f for f in os.listdir(spec_dir) if f.endswith(".xml") and f != BASE_SPEC)
    for name in names:
        p = model.load(os.path.join(spec_dir, name), schema, base)
        layout.compute(p)
        protocols.append(p)
    findings = []
    for p in protocols:
        findings += lint.Linter(p).run()
    return protocols, findings


def render(protocols):
    out = {}
    for p in protocols:
        spec_name = "spec/" + os.path.basename(p.path)
        out.update(emit.render_all(p, spec_name, VERSION))
    out.update(emit.render_contexts(sorted(protocols[1:], key=lambda p: p.name), VERSION))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="vdrm-gen",
        description="Generate the wire headers, codecs, descriptors and documentation of the "
                    "virtio-gpu DRM native context protocols from their XML specs. "
                    "Every spec is checked against spec/vdrm-protocol.rng and linted first; "
                    "errors are reported as file:line: message and stop generation.",
        epilog="Output (under --out): include/drm_hw.h, include/vdrm_codec.h, src/vdrm_codec.c, "
               "doc/vdrm.md and, per context NAME: include/<wire header>, include/NAME_uapi.h, "
               "include/NAME_codec.h, src/NAME_codec.c, src/NAME_reflect.c, doc/NAME.md, "
               "and for fuzzing include/NAME_mutator.h, src/NAME_mutator.c, fuzz/NAME.dict. "
               "The output is a pure function of the specs.")
    ap.add_argument("--spec-dir", default=os.path.join(ROOT, "spec"),
                    help="directory holding vdrm.xml, the context specs and the schema (default: %(default)s)")
    ap.add_argument("--out", default=os.path.join(ROOT, "generated"),
                    help="output directory (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if any output file differs from a fresh generation")
    ap.add_argument("--lint", action="store_true",
                    help="only parse and lint; write nothing; also print the warnings for defects the specs mark")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print the warnings for defects the specs mark (they never stop generation)")
    ap.add_argument("--flat", action="store_true",
                    help="write every file directly into --out, without include/ src/ doc/ (for build systems)")
    ap.add_argument("--stamp", help="touch this file after a successful run (for build systems)")
    ap.add_argument("specs", nargs="*",
                    help="context spec file names inside --spec-dir (default: all *.xml)")
    args = ap.parse_args(argv)

    try:
        protocols, findings = load_all(args.spec_dir, args.specs or None)
    except SpecError as e:
        print(e, file=sys.stderr)
        return 1
    errors = [f for f in findings if f.level == "error"]
    # Warnings are defects the specs already mark: shown when linting, not on every run.
    for f in findings:
        if f.level == "error" or args.lint or args.verbose:
            print(f, file=sys.stderr)
    if errors:
        return 1
    if args.lint:
        return 0

    files = render(protocols)
    stale = []
    for rel, text in sorted(files.items()):
        path = os.path.join(args.out, os.path.basename(rel) if args.flat else rel)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old == text:
            continue
        if args.check:
            stale.append(rel)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    if stale:
        print("stale generated files (run generator/vdrm-gen): " + ", ".join(stale), file=sys.stderr)
        return 1
    if args.stamp:
        with open(args.stamp, "w", encoding="utf-8") as f:
            f.write("")
    return 0
