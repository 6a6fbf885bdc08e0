"""Enforces the RelaxNG schema (spec/vdrm-protocol.rng) with file:line errors.

Implements the subset of RelaxNG the schema uses: element, attribute, group,
choice, optional, zeroOrMore, oneOrMore, ref/define, text, empty, value and
data (string with pattern, boolean, positiveInteger). Matching backtracks
over child elements and attributes, so ordering and choices behave as in
xmllint; of all the failures seen, the one furthest into the file is
reported.
"""

import re

from . import xmltree
from .errors import SpecError

RNG_NS = "http://relaxng.org/ns/structure/1.0"


class Schema:
    def __init__(self, path):
        self.path = path
        root = xmltree.parse(path)
        self.defines = {}
        start = None
        for child in root.children:
            if child.tag == "start":
                start = child.children[0]
            elif child.tag == "define":
                self.defines[child.get("name")] = child.children
        self.start = start

    # -- datatypes ---------------------------------------------------------
    def _data_ok(self, pat, value):
        kind = pat.get("type")
        if kind == "boolean":
            return value in ("true", "false", "1", "0")
        if kind == "positiveInteger":
            return re.fullmatch(r"[0-9]+", value) is not None and int(value) > 0
        for param in pat.findall("param"):
            if param.get("name") == "pattern" and not re.fullmatch(param.text, value):
                return False
        return True

    def _value_ok(self, pat, value):
        if pat.tag == "value":
            return value.strip() == pat.text.strip()
        if pat.tag == "data":
            return self._data_ok(pat, value)
        if pat.tag == "text":
            return True
        if pat.tag == "choice":
            return any(self._value_ok(p, value) for p in pat.children)
        if pat.tag == "ref":
            return all(self._value_ok(p, value) for p in self.defines[pat.get("name")])
        return False

    # -- matching ----------------------------------------------------------
    # How much of a node a failure had matched, for ties on one line: the
    # parent's complaint about the node, a missing part, the node's own
    # content; and, first whatever the line, an attribute the element never has.
    PARENT, MISSING, OWN, ALL_BUT_ATTRIBUTE = range(4)

    def _fail(self, node, message, attr=None, rank=OWN):
        self.failures.append((node, attr, message, rank))

    def _best_failure(self):
        # A bad attribute value is the most specific complaint, unless another
        # alternative accepted that attribute; otherwise the failure furthest
        # into the file is the one that broke the match.
        def key(failure):
            node, attr, _, rank = failure
            accepted = attr is not None and (id(node), attr) in self.accepted
            # A value another alternative accepted was not what broke the match;
            # an attribute no alternative knows outranks what the children's
            # alternatives ran into further on.
            return (attr is not None and not accepted, rank == self.ALL_BUT_ATTRIBUTE, node.line,
                    self.PARENT if accepted else rank)
        node, _, message, _ = max(self.failures, key=key)
        return node, message

    def _seq(self, pats, node, state):
        if not pats:
            yield state
            return
        for mid in self._match(pats[0], node, state):
            yield from self._seq(pats[1:], node, mid)

    def _match(self, pat, node, state):
        pos, used = state
        tag = pat.tag
        if tag in ("group",):
            yield from self._seq(pat.children, node, state)
        elif tag == "ref":
            yield from self._seq(self.defines[pat.get("name")], node, state)
        elif tag == "choice":
            for alt in pat.children:
                yield from self._match(alt, node, state)
        elif tag == "optional":
            absent = all(c.tag == "attribute" and c.get("name") not in node.attrib for c in pat.children)
            if not absent:
                n = len(self.failures)
                yield from self._seq(pat.children, node, state)
                # What an optional part lacks when it is left out is no failure.
                self.failures[n:] = [f for f in self.failures[n:] if not (f[0] is node and f[3] == self.MISSING)]
            yield state
        elif tag in ("zeroOrMore", "oneOrMore"):
            yield from self._repeat(pat, node, state, tag == "oneOrMore")
        elif tag in ("text", "empty", "value", "data"):
            yield state
        elif tag == "attribute":
            name = pat.get("name")
            if name in node.attrib and name not in used:
                value = node.attrib[name]
                content = pat.children[0] if pat.children else None
                if content is None or self._value_ok(content, value):
                    self.accepted.add((id(node), name))
                    yield (pos, used | {name})
                else:
                    self._fail(node, f"<{node.tag}> attribute {name}=\"{value}\" is not allowed here", attr=name)
            elif name not in node.attrib:
                self._fail(node, f"<{node.tag}> lacks the required attribute {name}")
        elif tag == "element":
            children = node.children
            if pos < len(children) and children[pos].tag == pat.get("name"):
                if self._element(pat, children[pos]):
                    yield (pos + 1, used)
            elif pos < len(children):
                self._fail(children[pos], f"<{children[pos].tag}> is not allowed here in <{node.tag}> "
                           f"(expected <{pat.get('name')}>)", rank=self.PARENT)
            else:
                self._fail(node, f"<{node.tag}> lacks a required <{pat.get('name')}>", rank=self.MISSING)
        else:
            raise SpecError(self.path, pat.line, f"unsupported RelaxNG pattern <{tag}>")

    def _repeat(self, pat, node, state, at_least_one):
        # Greedy: longer matches first, so the error names the element that broke.
        for mid in self._seq(pat.children, node, state):
            if mid != state:
                yield from self._repeat(pat, node, mid, False)
        if not at_least_one:
            yield state

    def _allows_text(self, pats):
        for p in pats:
            if p.tag in ("text", "value", "data"):
                return True
            if p.tag in ("group", "optional", "choice", "zeroOrMore", "oneOrMore"):
                if self._allows_text(p.children):
                    return True
            if p.tag == "ref" and self._allows_text(self.defines[p.get("name")]):
                return True
        return False

    def _attribute_names(self, pats):
        """Every attribute name an element's content could accept, in any alternative."""
        out = set()
        for p in pats:
            if p.tag == "attribute":
                out.add(p.get("name"))
            elif p.tag == "ref":
                out |= self._attribute_names(self.defines[p.get("name")])
            elif p.tag != "element":
                out |= self._attribute_names(p.children)
        return out

    def _element(self, pat, node):
        content = pat.children
        if not self._allows_text(content) and node.text.strip():
            self._fail(node, f"<{node.tag}> may not contain text")
            return False
        for pos, used in self._seq(content, node, (0, frozenset())):
            extra = set(node.attrib) - used
            if pos == len(node.children) and not extra:
                return True
            if extra:
                unknown = sorted(extra - self._attribute_names(content))
                self._fail(node, f"<{node.tag}> has an unknown or misplaced attribute {(unknown or sorted(extra))[0]}",
                           rank=self.ALL_BUT_ATTRIBUTE if unknown else self.OWN)
            elif pos < len(node.children):
                child = node.children[pos]
                self._fail(child, f"<{child.tag}> is not allowed here in <{node.tag}>", rank=self.PARENT)
        if not self.failures:
            self._fail(node, f"<{node.tag}> does not match the schema")
        return False

    def validate(self, root):
        """Raise SpecError at the furthest failing line unless root is valid."""
        self.failures = []
        self.accepted = set()
        if root.tag != self.start.get("name"):
            raise SpecError(root.file, root.line, f"root element must be <{self.start.get('name')}>, not <{root.tag}>")
        if not self._element(self.start, root):
            node, message = self._best_failure()
            raise SpecError(node.file, node.line, f"schema: {message}")
