"""Builds small specs in memory and runs them through the generator stages."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "generator"))

from vdrmgen import layout, lint, model, relaxng  # noqa: E402

SPEC_DIR = os.path.join(ROOT, "spec")
SCHEMA = relaxng.Schema(os.path.join(SPEC_DIR, "vdrm-protocol.rng"))
BASE = model.load(os.path.join(SPEC_DIR, "vdrm.xml"), SCHEMA)
layout.compute(BASE)

HEAD = '<?xml version="1.0"?>\n<protocol name="t" file="t_proto.h" include-guard="T_H_" context="VIRTGPU_DRM_CONTEXT_MSM" alignment="{align}">\n<doc>t</doc>\n'


def spec(body, align=4):
    """A test protocol around body (XML text), messages wrapper included if body has <message>."""
    if "<message " in body:
        # Declarations before the first message stay outside <messages>.
        i = body.index("<message ")
        body = (body[:i] + '<messages enum="t_ccmd" prefix="T_CCMD_" last="T_CCMD_LAST" macro="T_CCMD" '
                f'struct-prefix="t_ccmd_">{body[i:]}</messages>')
    return (HEAD.format(align=align) + body + "\n</protocol>\n").encode()


def load(body, align=4):
    p = model.load("t.xml", SCHEMA, BASE, data=spec(body, align))
    layout.compute(p)
    return p


def findings(body, align=4):
    return lint.Linter(load(body, align)).run()
