"""Renders a linted protocol model through the jinja2 templates.

The functions here answer the questions templates ask (a field's C
declaration, a message's size-function parameters, the checks its decoder
makes) so that the templates only lay out text.
"""

import copy
import os
import textwrap

import jinja2

from . import cexpr
from .layout import ABIS
from .layout import _struct as layout_struct

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(os.path.dirname(HERE), "templates")


def comment(text, indent="", width=78):
    """A C block comment holding text, paragraphs kept."""
    if not text:
        return ""
    lines = []
    for para in text.split("\n\n"):
        flat = " ".join(para.split())
        lines.extend(textwrap.wrap(flat, width - len(indent) - 3) or [""])
        lines.append("")
    lines.pop()
    if len(lines) == 1 and len(lines[0]) + len(indent) + 6 <= width:
        return f"{indent}/* {lines[0]} */"
    body = "\n".join(f"{indent} *{(' ' + l) if l else ''}" for l in lines)
    return f"{indent}/*\n{body}\n{indent} */"


def paragraph(text):
    """Doc text as Markdown paragraphs."""
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n")) if text else ""


def c_type(t):
    return f"struct {t.name}" if t.kind == "struct" else t.c_type


def c_decl(f, indent="   "):
    """The C declaration of a field (or union, rendered recursively)."""
    if f.kind == "union":
        inner = []
        for m in f.members:
            inner.append(f"{indent}   struct {{")
            for mm in m.members:
                inner.append(field_block(mm, indent + "      "))
            inner.append(f"{indent}   }} {m.name};" + (f"  /* context_type == {m.when} */" if m.when else ""))
        return f"{indent}union {{\n" + "\n".join(inner) + f"\n{indent}}} {f.name};"
    dims = "".join(f"[{d}]" for d in f.dims)
    bits = f" : {f.bits}" if f.bits else ""
    return f"{indent}{c_type(f.type)} {f.name}{dims}{bits};"


def field_block(f, indent="   "):
    parts = []
    doc = f.doc
    if getattr(f, "defect", None):
        doc = (doc + "\n\n" if doc else "") + f"Upstream defect: {f.defect}."
    if doc and f.name != "hdr":
        parts.append(comment(doc, indent))
    decl = c_decl(f, indent)
    if f.build_condition:
        decl = f"#ifdef {f.build_condition}\n{decl}\n#endif"
    parts.append(decl)
    return "\n".join(parts)


def offset_asserts(s, abi="lp64"):
    """(offsetof path, offset) of every non-bitfield member, unions descended."""
    out = []

    def walk(struct, prefix, base):
        # A member after a build-conditional one moves with the condition too.
        cond = None
        for m in struct.members:
            cond = m.build_condition or cond
            if m.kind == "union":
                out.append((prefix + m.name, base + m.offset[abi], cond))
                for member in m.members:
                    walk(member, f"{prefix}{m.name}.{member.name}.", base + m.offset[abi])
            elif not m.bits:
                out.append((prefix + m.name, base + m.offset[abi], cond))

    walk(s, "", 0)
    return out


def conditions(s):
    """Build conditions any member of s (unions descended) depends on."""
    out = []
    for m in s.members:
        if m.build_condition and m.build_condition not in out:
            out.append(m.build_condition)
        if m.kind == "union":
            for member in m.members:
                out += [c for c in conditions(member) if c not in out]
    return out


def size_without(s, condition, abi="lp64"):
    """sizeof(s) when the build condition is off (the layout of an unconfigured build)."""
    clone = copy.deepcopy(s)

    def strip(struct):
        struct.members = [m for m in struct.members if m.build_condition != condition]
        for m in struct.members:
            if m.kind == "union":
                for member in m.members:
                    strip(member)
                m.layout = {}
        struct.layout = {}

    strip(clone)
    return layout_struct(clone, abi, {})[0]


def scalar_kind(t):
    return "VDRM_KIND_" + t.name.upper() if t.kind == "scalar" else "VDRM_KIND_STRUCT"


class MessageBody:
    """What the codec templates need to know about a request or a response."""

    def __init__(self, protocol, msg, s, is_request):
        self.p = protocol
        self.msg = msg
        self.s = s
        self.is_request = is_request
        self.name = s.name
        self.tail = s.tail
        self.items = s.tail.items if s.tail else []
        self.data_offset = s.tail_offset["lp64"] if s.tail else s.size()
        self.size = s.size()
        self.min_size = self._min_size()
        self.command = msg.name

    def _min_size(self):
        """Bytes a sender must send: everything up to the last field of the first revision."""
        end = 0
        for m in self.s.members:
            if m.since <= self.msg.since:
                size = m.layout["lp64"][0] if m.kind == "union" else m.type.size * m.count \
                    if m.type.kind == "scalar" else m.type.size() * m.count
                end = max(end, m.offset["lp64"] + size)
        if self.tail is None:
            return max(end, self.size) if all(m.since <= self.msg.since for m in self.s.members) else end
        return self.data_offset if all(m.since <= self.msg.since for m in self.s.members) else end

    @property
    def view(self):
        return f"{self.name}_view" if self.items else None

    # -- size and encode ---------------------------------------------------
    def size_params(self):
        """(C type, name) parameters of the size function."""
        params = []
        for item in self.items:
            if item.length.op == "rest":
                params.append(("uint32_t", f"{item.name}_size"))
                continue
            for name in cexpr.fieldrefs(item.length):
                f = next(m for m in self.s.members if m.name == name)
                if ("", name) not in [(None, n) for _, n in params]:
                    params.append((f.type.c_type, name))
        seen, out = set(), []
        for t, n in params:
            if n not in seen:
                seen.add(n)
                out.append((t, n))
        return out

    def item_bytes(self, item, prefix):
        """C expression (uint64_t) of the bytes item occupies."""
        if item.length.op == "rest":
            return f"(uint64_t){prefix}{item.name}_size" if prefix == "" else f"(uint64_t){item.name}_size"
        n = cexpr.render(item.length, prefix)
        if item.kind == "array":
            return f"(uint64_t){n} * sizeof({c_type(item.type)})"
        if item.unit == "dwords":
            return f"(uint64_t){n} * 4u"
        return f"(uint64_t){n}"

    def encode_params(self):
        out = []
        for item in self.items:
            if item.kind == "array":
                out.append(f"const {c_type(item.type)} *{item.name}")
            else:
                out.append(f"const void *{item.name}")
            if item.length.op == "rest":
                out.append(f"uint32_t {item.name}_size")
        return out

    def size_call(self, prefix):
        args = []
        for t, n in self.size_params():
            args.append(n if n.endswith("_size") and n[:-5] in [i.name for i in self.items] else f"{prefix}{n}")
        return f"{self.name}_size({', '.join(args)})"

    # -- decode ------------------------------------------------------------
    def zero_checks(self):
        """(C lvalue, field path, offset) of every must-be-zero fixed field."""
        out = []
        for m in self.s.members:
            if m.kind == "field" and m.checked_zero and m.type.kind == "scalar" and not m.bits:
                if m.dims:
                    continue
                out.append((f"out->{m.name}", m.name, m.offset["lp64"]))
        return out

    def ioctl_checks(self):
        return [(m, m.ioctl_allow) for m in self.s.members if m.kind == "field" and m.ioctl_allow]

    def item_checks(self, item):
        """Element must-be-zero checks for a struct array: (member path, offset in element)."""
        if item.kind != "array" or item.type.kind != "struct":
            return []
        return [(m.name, m.offset["lp64"]) for m in item.type.members
                if m.kind == "field" and m.checked_zero and m.type.kind == "scalar" and not m.dims]

    def count_expr(self, item):
        """C expression of the element count (for bytes: the byte or dword count)."""
        if item.length.op == "rest":
            return None
        return cexpr.render(item.length, "out->")

    def host_size_expr(self):
        """C expression (uint64_t) of the size the host gives this response, from the request."""
        if self.is_request or not all(i.host_length is not None for i in self.items):
            return None
        parts = [f"(uint64_t)sizeof(struct {self.name})"]
        for item in self.items:
            parts.append(cexpr.render(item.host_length, "req->"))
        return " + ".join(parts)

    def elem_size(self, item):
        if item.kind == "array":
            return f"sizeof({c_type(item.type)})"
        return "4u" if item.unit == "dwords" else "1u"


def reflect_structs(protocol):
    """Descriptor records for every struct a message of protocol touches, dependencies first."""
    out = []
    seen = set()

    def kind_of(t):
        return "VDRM_KIND_" + t.name.upper() if t.kind == "scalar" else "VDRM_KIND_STRUCT"

    def add(s, ident, root, path):
        # root: the named struct whose offsetof() locates this one; path: member path inside it.
        if ident in seen:
            return
        fields = []
        for m in s.members:
            sub = f"{path}{m.name}"
            if m.kind == "union":
                uid = f"{ident}__{m.name}"
                ufields = []
                for member in m.members:
                    mid = f"{uid}__{member.name}"
                    add(member, mid, root, f"{sub}.{member.name}.")
                    ufields.append(dict(name=member.name, offset=f"offsetof({root}, {sub}.{member.name}) - offsetof({root}, {sub})",
                                        count=1, kind="VDRM_KIND_STRUCT", size=0, bit_offset=0, bit_width=0, type=mid))
                out.append(dict(id=uid, name=m.name, size=f"sizeof((({root} *)0)->{sub})", fields=ufields))
                seen.add(uid)
                fields.append(dict(name=m.name, offset=f"offsetof({root}, {sub})" + (f" - offsetof({root}, {path[:-1]})" if path else ""),
                                   count=1, kind="VDRM_KIND_UNION", size=0, bit_offset=0, bit_width=0, type=uid))
                continue
            if m.build_condition:
                continue
            type_id = None
            if m.type.kind == "struct":
                type_id = m.type.name
                add(m.type, m.type.name, f"struct {m.type.name}", "")
            if m.bits:
                off_expr = f"{m.offset['lp64']}"
            else:
                off_expr = f"offsetof({root}, {sub})" + (f" - offsetof({root}, {path[:-1]})" if path else "")
            fields.append(dict(name=m.name, offset=off_expr, count=m.count, kind=kind_of(m.type),
                               size=m.type.size if m.type.kind == "scalar" else 0,
                               bit_offset=getattr(m, "bit_offset", 0) if m.bits else 0,
                               bit_width=m.bits or 0, type=type_id))
        size = f"sizeof({root})" if not path else f"sizeof((({root} *)0)->{path[:-1]})"
        out.append(dict(id=ident, name=s.name, size=size, fields=fields))
        seen.add(ident)

    for msg in protocol.messages:
        for s in (msg.request, msg.response):
            if s is None:
                continue
            add(s, s.name, f"struct {s.name}", "")
            for item in (s.tail.items if s.tail else []):
                if item.type.kind == "struct":
                    add(item.type, item.type.name, f"struct {item.type.name}", "")
    return out


def env():
    e = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True,
                           trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    e.filters["comment"] = comment
    e.filters["paragraph"] = paragraph
    e.filters["c_type"] = c_type
    e.globals.update(c_decl=c_decl, field_block=field_block, scalar_kind=scalar_kind,
                     describe=cexpr.describe, ABIS=ABIS,
                     offset_asserts=offset_asserts,
                     conditions=conditions, size_without=size_without,
                     reflect_structs=reflect_structs)
    return e


def bodies(protocol):
    out = []
    for msg in protocol.messages:
        req = MessageBody(protocol, msg, msg.request, True)
        rsp = MessageBody(protocol, msg, msg.response, False) if msg.response else None
        out.append((msg, req, rsp))
    return out


def render_all(protocol, spec_name, generator_version):
    """{relative output path: text} for one protocol."""
    e = env()
    ctx = dict(p=protocol, spec=spec_name, bodies=bodies(protocol), version=generator_version,
               base=protocol.base)
    out = {}
    if protocol.base is None:
        out[f"include/{protocol.file}"] = e.get_template("wire_header.h.j2").render(**ctx)
        out["include/vdrm_codec.h"] = e.get_template("runtime.h.j2").render(**ctx)
        out["src/vdrm_codec.c"] = e.get_template("runtime.c.j2").render(**ctx)
        out["doc/vdrm.md"] = e.get_template("transport.md.j2").render(**ctx)
        return out
    n = protocol.name
    out[f"include/{protocol.file}"] = e.get_template("wire_header.h.j2").render(**ctx)
    out[f"include/{n}_uapi.h"] = e.get_template("uapi.h.j2").render(**ctx)
    out[f"include/{n}_codec.h"] = e.get_template("codec.h.j2").render(**ctx)
    out[f"src/{n}_codec.c"] = e.get_template("codec.c.j2").render(**ctx)
    out[f"src/{n}_reflect.c"] = e.get_template("reflect.c.j2").render(**ctx)
    out[f"doc/{n}.md"] = e.get_template("protocol.md.j2").render(**ctx)
    return out


def render_contexts(protocols, generator_version):
    """The registry of every context, for tools."""
    e = env()
    ctx = dict(protocols=protocols, version=generator_version)
    return {"include/vdrm_contexts.h": e.get_template("contexts.h.j2").render(**ctx),
            "src/vdrm_contexts.c": e.get_template("contexts.c.j2").render(**ctx)}
