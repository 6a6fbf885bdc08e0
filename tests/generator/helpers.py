"""Builds small specs in memory and runs them through the generator stages."""

import ast
import os
import re
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GENERATOR = os.path.join(ROOT, "generator")
sys.path.insert(0, GENERATOR)

from vdrmgen import layout, lint, model, relaxng  # noqa: E402
from vdrmgen.errors import SpecError  # noqa: E402

SPEC_DIR = os.path.join(ROOT, "spec")
SCHEMA = relaxng.Schema(os.path.join(SPEC_DIR, "vdrm-protocol.rng"))
BASE = model.load(os.path.join(SPEC_DIR, "vdrm.xml"), SCHEMA)
layout.compute(BASE)

HEAD = '<?xml version="1.0"?>\n<protocol name="t" file="t_proto.h" include-guard="T_H_" context="VIRTGPU_DRM_CONTEXT_MSM" alignment="{align}">\n<doc>t</doc>\n'
# The first line of the body: HEAD takes lines 1 to 3 of t.xml.
BODY_LINE = 4
MESSAGES = ('<messages enum="t_ccmd" prefix="T_CCMD_" last="T_CCMD_LAST" macro="T_CCMD" '
            'struct-prefix="t_ccmd_">')


def spec(body, align=4):
    """A test protocol around body (XML text).

    Unless body opens <messages> itself, its messages are wrapped in one,
    opened on the line of the first message (so no line moves)."""
    if "<message " in body and "<messages" not in body:
        # Declarations before the first message stay outside <messages>.
        i = body.index("<message ")
        body = body[:i] + MESSAGES + body[i:] + "</messages>"
    return (HEAD.format(align=align) + body + "\n</protocol>\n").encode()


def lines(*rows):
    """Body text with one row a line: row k (from 0) is line BODY_LINE + k of t.xml."""
    return "\n".join(rows)


def load(body, align=4):
    p = model.load("t.xml", SCHEMA, BASE, data=spec(body, align))
    layout.compute(p)
    return p


def findings(body, align=4):
    return lint.Linter(load(body, align)).run()


def diagnostics(body, align=4):
    """The lint findings of body as the CLI prints them: file:line: level: [rule] message."""
    return [str(x) for x in findings(body, align)]


def spec_error(body=None, data=None):
    """The SpecError text (file:line: message) of loading body, or of the raw t.xml text data."""
    raw = spec(body) if data is None else data.encode()
    try:
        model.load("t.xml", SCHEMA, BASE, data=raw)
    except SpecError as e:
        return str(e)
    return None


def custom_schema_error(rng, data):
    """The SpecError text of checking t.xml (text data) against the schema s.rng (text rng)."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "s.rng")
        with open(path, "w", encoding="utf-8") as f:
            f.write(rng)
        try:
            model.load("t.xml", relaxng.Schema(path), data=data.encode())
        except SpecError as e:
            return str(e).replace(d + os.sep, "")
    return None


# -- where the generator reports problems ------------------------------------
# A site is one call that reports a problem with a literal message: lint's
# self.report(line, rule, message), the validator's self._fail(node, message),
# SpecError(file, line, message) and node.error(message). Its message becomes
# a regular expression in which every {...} of the f-string matches any text.

MESSAGE_ARG = {"report": 2, "_fail": 1, "SpecError": 2, "error": 0}


class Site:
    def __init__(self, file, line, callee, rule, message, excusable):
        self.where = f"{os.path.relpath(file, ROOT)}:{line}"
        self.module = os.path.basename(file)
        self.line = line
        self.callee = callee
        self.rule = rule
        self.excusable = excusable
        parts = message.values if isinstance(message, ast.JoinedStr) else [message]
        self.literal = "".join(p.value for p in parts if isinstance(p, ast.Constant))
        self.template = "".join(p.value if isinstance(p, ast.Constant) else "{...}" for p in parts)
        text = "".join(re.escape(p.value) if isinstance(p, ast.Constant) else ".+?" for p in parts)
        if rule is not None:
            text = rf"(?:error|warning): \[{re.escape(rule)}\] " + text
        self.regex = re.compile(text)

    def __repr__(self):
        return f"{self.where}: {self.rule or ''} {self.template!r}"


def report_sites(*modules):
    """Every reporting site in the given generator modules (file names in generator/vdrmgen)."""
    sites = []
    for name in modules:
        path = os.path.join(GENERATOR, "vdrmgen", name)
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        seen = set()
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            for call in ast.walk(fn):
                if not isinstance(call, ast.Call) or id(call) in seen:
                    continue
                seen.add(id(call))
                callee = getattr(call.func, "attr", getattr(call.func, "id", None))
                if callee not in MESSAGE_ARG or len(call.args) <= MESSAGE_ARG[callee]:
                    continue
                message = call.args[MESSAGE_ARG[callee]]
                if isinstance(message, ast.Name) and fn.name == "error":
                    continue        # xmltree.Node.error passes its caller's message on
                if not (isinstance(message, ast.JoinedStr) or
                        (isinstance(message, ast.Constant) and isinstance(message.value, str))):
                    raise AssertionError(f"{name}:{call.lineno}: the message of {callee}() is not a literal "
                                         "(tests/generator/helpers.py cannot tell which test covers it)")
                rule = None
                if callee == "report":
                    if not isinstance(call.args[1], ast.Constant):
                        raise AssertionError(f"{name}:{call.lineno}: the rule of report() is not a literal")
                    rule = call.args[1].value
                excusable = any(k.arg == "excused" for k in call.keywords)
                sites.append(Site(path, call.lineno, callee, rule, message, excusable))
    return sorted(sites, key=lambda s: (s.module, s.line))


ORACLE = re.compile(r"[\w./-]+:\d+: (.+)")


def oracles(test_file):
    """The message part (after file:line: ) of every file:line: oracle string in a test module,
    but for those of tests expected to fail."""
    with open(test_file, encoding="utf-8") as f:
        tree = ast.parse(f.read(), test_file)
    out = []

    def visit(node):
        if isinstance(node, ast.FunctionDef) and any(
                getattr(d, "attr", getattr(d, "id", None)) == "expectedFailure" for d in node.decorator_list):
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            m = ORACLE.fullmatch(node.value)
            if m:
                out.append(m.group(1))
        for child in ast.iter_child_nodes(node):
            visit(child)
    visit(tree)
    return out


def covering_sites(sites, text):
    """The sites a reported text comes from: of the sites whose message matches it, the most
    literal ones; a schema complaint also credits the site that made the complaint."""
    hits = [s for s in sites if s.regex.fullmatch(text)]
    best = max((len(s.literal) for s in hits), default=0)
    out = [s for s in hits if len(s.literal) == best]
    if text.startswith("schema: "):
        out += covering_sites(sites, text[len("schema: "):])
    return out


def uncovered(sites, texts):
    """The sites no text comes from."""
    covered = {id(s) for t in texts for s in covering_sites(sites, t)}
    return [s for s in sites if id(s) not in covered]
