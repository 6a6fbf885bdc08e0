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
from .lint import breaks
from .model import field_at
from .layout import ABIS, type_layout
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
            if m.kind == "field":
                inner.append(field_block(m, indent + "   "))
                continue
            inner.append(f"{indent}   struct {{")
            for mm in m.members:
                inner.append(field_block(mm, indent + "      "))
            inner.append(f"{indent}   }} {m.name};" + (f"  /* context_type == {m.when} */" if m.when else ""))
        return f"{indent}union {{\n" + "\n".join(inner) + f"\n{indent}}}" + (f" {f.name};" if f.name else ";")
    dims = "".join(f"[{d}]" for d in f.dims)
    bits = f" : {f.bits}" if f.bits else ""
    if f.type.kind == "struct" and f.type.anonymous:
        inner = "\n".join(field_block(mm, indent + "   ") for mm in f.type.members)
        return f"{indent}struct {{\n{inner}\n{indent}}} {f.name}{dims};"
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


def embeds_uapi(p):
    """Whether a wire struct of p embeds a UAPI or libdrm struct (the wire header then includes NAME_uapi.h)."""
    def walk(s):
        for m in s.members:
            members = m.members if m.kind == "union" else [m]
            for mm in members:
                t = mm.type if mm.kind == "field" else mm
                if t.kind == "struct" and (t.origin in ("uapi", "libdrm") or
                                           (t.origin == "inline" and walk(t))):
                    return True
        return False
    return any(walk(s) for s in p.all_structs() if s.origin == "wire")


def _meaning(m):
    text = "Header." if m.name == "hdr" else paragraph(m.doc)
    if getattr(m, "checked_zero", False):
        text += " **Must be zero.**"
    if getattr(m, "build_condition", None):
        text += f" Present only when built with `{m.build_condition}`."
    if getattr(m, "since", 1) > 1:
        text += f" Added in revision {m.since}; zero means absent."
    if getattr(m, "defect", None):
        text += f" **Upstream defect ({m.defect}).**"
    return text.strip()


def doc_rows(s):
    """Rows of a struct's byte table: groups and unions flattened into dotted
    paths, implicit padding shown. Each row: dict(off, off32, size, name, type, meaning)."""
    rows = []

    def size_of(m, abi="lp64"):
        if m.kind == "union":
            return m.layout[abi][0]
        return type_layout(m.type, abi)[0] * m.count

    def walk(struct, prefix, base, base32):
        end = {"lp64": base, "ilp32": base32}
        for m in struct.members:
            off, off32 = base + m.offset["lp64"], base32 + m.offset["ilp32"]
            if m.kind == "field" and m.bits:
                rows.append(dict(off=f"{off}:{m.bit_offset}", off32=None, size=f"{m.bits} bits",
                                 name=prefix + m.name, type=m.type.name, meaning=_meaning(m)))
                continue
            if off > end["lp64"] or off32 > end["ilp32"]:
                rows.append(dict(off=end["lp64"], off32=end["ilp32"] if end["ilp32"] != end["lp64"] else None,
                                 size=f"{off - end['lp64']} / {off32 - end['ilp32']}" if off - end["lp64"] != off32 - end["ilp32"] else off - end["lp64"],
                                 name="(implicit padding)", type="", meaning="Bytes the compiler inserts; not in the protocol's intent."))
            end = {"lp64": off + size_of(m), "ilp32": off32 + size_of(m, "ilp32")}
            if m.kind == "union":
                name = prefix + (m.name or "(anonymous union)")
                rows.append(dict(off=off, off32=off32 if off32 != off else None, size=size_of(m), name=name,
                                 type="union", meaning=paragraph(m.doc)))
                upre = f"{prefix}{m.name}." if m.name else prefix
                for u in m.members:
                    if u.kind == "field":
                        rows.append(dict(off=off, off32=off32 if off32 != off else None, size=size_of(u),
                                         name=upre + u.name, type=u.type.name, meaning=_meaning(u)))
                    else:
                        rows.append(dict(off=off, off32=off32 if off32 != off else None, size=u.layout["lp64"][0],
                                         name=upre + u.name, type="struct", meaning=paragraph(u.doc) +
                                         (f" (context_type == {u.when})" if u.when else "")))
                        walk(u, f"{upre}{u.name}.", off, off32)
                continue
            dims = ("[" + "][".join(str(d) for d in m.dims) + "]") if m.dims else ""
            if m.type.kind == "struct" and m.type.anonymous:
                rows.append(dict(off=off, off32=off32 if off32 != off else None, size=size_of(m),
                                 name=prefix + m.name, type="struct", meaning=_meaning(m)))
                walk(m.type, f"{prefix}{m.name}.", off, off32)
                continue
            rows.append(dict(off=off, off32=off32 if off32 != off else None, size=size_of(m),
                             name=prefix + m.name, type=m.type.name + dims, meaning=_meaning(m)))
        return end

    end = walk(s, "", 0, 0)
    total, total32 = s.layout["lp64"][0], s.layout["ilp32"][0]
    if s.tail is None and (total > end["lp64"] or total32 > end["ilp32"]):
        rows.append(dict(off=end["lp64"], off32=end["ilp32"] if end["ilp32"] != end["lp64"] else None,
                         size=f"{total - end['lp64']} / {total32 - end['ilp32']}", name="(implicit tail padding)",
                         type="", meaning="Bytes the compiler appends; not in the protocol's intent."))
    return rows


def struct_defects(p):
    """(where, defect, doc) of every element of p that carries a defect."""
    out = []

    def walk(s, prefix):
        if s.defect:
            out.append((prefix or s.name, s.defect, s.doc))
        for m in s.members:
            members = m.members if m.kind == "union" else [m]
            for mm in members:
                if mm.kind == "field" and mm.defect:
                    out.append((f"{prefix or s.name}.{mm.name}", mm.defect, mm.doc))
                t = mm if mm.kind == "struct" else mm.type
                if t.kind == "struct" and t.origin == "inline":
                    walk(t, f"{prefix or s.name}.{mm.name}")
        for k in s.checks:
            if k.defect:
                out.append((f"{s.name} check {k.field or k.name}", k.defect, k.doc))
        for item in (s.tail.items if s.tail else []):
            for c in item.chunks:
                if c.defect:
                    out.append((f"{s.name}.{item.name} {c.name}", c.defect, c.doc))
            for r in item.records:
                if r.defect:
                    out.append((f"{s.name}.{item.name} {r.name}", r.defect, r.doc))
    for s in p.all_structs():
        walk(s, "")
    return out


def item_kind(item):
    """The enum vdrm_item_kind of a tail item, for the descriptors."""
    if item.kind == "array":
        return "VDRM_ITEM_ARRAY"
    if item.kind == "records":
        return "VDRM_ITEM_RECORDS"
    return "VDRM_ITEM_TEXT" if item.content == "text" else "VDRM_ITEM_DATA"


def item_content(item):
    """What a tail item holds, for the docs' item table."""
    if item.kind == "array":
        t = item.type
        return f"array of {'struct ' + t.name if t.kind == 'struct' else t.name} ({t.size() if t.kind == 'struct' else t.size} bytes each)"
    if item.kind == "chunks":
        return f"chunks located by `{item.table}`"
    if item.kind == "records":
        return f"records (struct {item.header.name} ...)"
    return f"{item.content} bytes"


def check_text(k):
    """A check as a sentence fragment with its error code."""
    if k.le:
        return f"{cexpr.describe(k.le[0])} must not exceed {cexpr.describe(k.le[1])}, else `VDRM_E_LIMIT`"
    parts = []
    if k.min is not None:
        parts.append(f"below {k.min}: `VDRM_E_LIMIT`")
    if k.max is not None:
        parts.append(f"above {k.max}: `VDRM_E_LIMIT`")
    if k.multiple_of:
        parts.append(f"not a multiple of {k.multiple_of}: `VDRM_E_ALIGN`")
    if k.one_of is not None:
        parts.append("not one of " + ", ".join(f"{v:#x}" for v in k.one_of) + ": `VDRM_E_NOT_ALLOWED`")
    if k.mask is not None:
        parts.append(f"bits outside {k.mask:#x}: `VDRM_E_NOT_ALLOWED`")
    return f"`{k.field}` " + "; ".join(parts)


def ret_fields(s, prefix=""):
    """(path, field) of every field with ret semantics in s, embedded structs descended."""
    out = []
    for m in s.members:
        if m.kind != "field":
            continue
        if m.ret:
            out.append((prefix + m.name, m))
        elif m.type.kind == "struct":
            out += ret_fields(m.type, f"{prefix}{m.name}.")
    return out


def has_padding_defect(s):
    """Whether s keeps upstream's implicit padding (the header then lets -Wpadded pass for it)."""
    return breaks(s, "implicit-padding") or any(breaks(m, "implicit-padding") for m in s.members)


def uses_align4(p):
    """Whether a struct of p is declared DRM_ALIGN_4 (the header then defines it)."""
    return any(s.align_attr == 4 for s in p.all_structs())


def size_assertable(s):
    """Whether upstream's multiple-of-8 size assert may be applied to s: not to
    a struct whose size is not a multiple of 8 (it would not compile), such as
    panfrost's WAIT_BO request on i386, which upstream's header fails on."""
    return all(s.layout[abi][0] % 8 == 0 for abi in ABIS)


def asserted_structs(p):
    """Structs whose layout the wire header asserts: its own wire structs, and
    for the transport also the libdrm structs of the capset (context specs
    assert theirs in NAME_uapi.h)."""
    return [s for s in p.all_structs()
            if s.origin == "wire" or (s.origin == "libdrm" and p.base is None)]


def offset_asserts(s):
    """(offsetof path, LP64 offset, build condition, ILP32 offset) of every non-bitfield member."""
    a = _offset_asserts(s, "lp64")
    b = _offset_asserts(s, "ilp32")
    return [(path, off, cond, off32) for (path, off, cond), (_, off32, _) in zip(a, b)]


def _offset_asserts(s, abi):
    out = []

    def walk(struct, prefix, base):
        # A member after a build-conditional one moves with the condition too.
        cond = None
        for m in struct.members:
            cond = m.build_condition or cond
            if m.kind == "union":
                uprefix = f"{prefix}{m.name}." if m.name else prefix
                if m.name:
                    out.append((prefix + m.name, base + m.offset[abi], cond))
                for member in m.members:
                    out.append((uprefix + member.name, base + m.offset[abi], cond))
                    if member.kind == "struct":
                        walk(member, f"{uprefix}{member.name}.", base + m.offset[abi])
                    elif member.type.kind == "struct" and member.type.anonymous:
                        walk(member.type, f"{uprefix}{member.name}.", base + m.offset[abi])
            elif not m.bits:
                out.append((prefix + m.name, base + m.offset[abi], cond))
                if m.type.kind == "struct" and m.type.anonymous:
                    walk(m.type, f"{prefix}{m.name}.", base + m.offset[abi])

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
                if member.kind == "struct":
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
                    if member.kind == "struct":
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
    def pad_to(self):
        """What the encoded size is rounded up to: the tail's pad-to and, for a
        request with a variable part, the context's alignment (the stream rule)."""
        pad = self.tail.pad_to if self.tail else 1
        if self.is_request and self.tail:
            pad = max(pad, self.p.alignment)
        return pad

    @property
    def view(self):
        return f"{self.name}_view" if self.items else None

    # -- size and encode ---------------------------------------------------
    def _size_fields(self):
        """(C type, parameter name, field path) of the fields that size the message, in order."""
        out, seen = [], set()
        for item in self.items:
            exprs = [item.length] + ([item.stride] if item.stride is not None else [])
            if item.length.op == "rest":
                out.append(("uint32_t", f"{item.name}_size", None))
                exprs = exprs[1:]
            for e in exprs:
                for path in cexpr.fieldrefs(e):
                    if path in seen:
                        continue
                    seen.add(path)
                    f, _ = field_at(self.s, path)
                    out.append((f.type.c_type, path.replace(".", "_"), path))
        return out

    def size_params(self):
        """(C type, name) parameters of the size function."""
        return [(t, n) for t, n, _ in self._size_fields()]

    def item_bytes(self, item, prefix):
        """C expression (uint64_t) of the bytes item occupies."""
        if item.length.op == "rest":
            return f"(uint64_t){item.name}_size"
        n = cexpr.render(item.length, prefix)
        if item.kind == "array" and item.stride is not None:
            return f"(uint64_t){n} * (uint64_t){cexpr.render(item.stride, prefix)}"
        if item.kind == "array":
            return f"(uint64_t){n} * sizeof({c_type(item.type)})"
        if item.unit == "dwords":
            return f"(uint64_t){n} * 4u"
        return f"(uint64_t){n}"

    def encode_params(self):
        out = []
        for item in self.items:
            if item.kind == "array" and item.stride is not None:
                out.append(f"const {c_type(item.type)} *{item.name}")
            elif item.kind == "array":
                out.append(f"const {c_type(item.type)} *{item.name}")
            else:
                out.append(f"const void *{item.name}")
            if item.length.op == "rest":
                out.append(f"uint32_t {item.name}_size")
        return out

    def size_call(self, prefix):
        args = [n if path is None else f"{prefix}{path}" for _, n, path in self._size_fields()]
        return f"{self.name}_size({', '.join(args)})"

    @property
    def len_path(self):
        """C path of the message's length field (hdr.len, or deeper for amdgpu responses)."""
        path, s = [], self.s
        while s.name not in ("vdrm_ccmd_req", "vdrm_ccmd_rsp"):
            first = s.members[0]
            path.append(first.name)
            s = first.type
        return ".".join(path + ["len"])

    @property
    def cmd_name(self):
        return self.msg.name

    # -- decode ------------------------------------------------------------
    def zero_checks(self):
        """(C lvalue, field path, offset) of every must-be-zero fixed field, embedded structs descended."""
        return [(f"out->{path}", path, off) for path, off in zero_fields(self.s, skip_hdr=True)]

    def padding_gaps(self):
        """(previous member, next member) around implicit padding in the fixed part on any ABI
        (an upstream defect): decoders require those bytes to be zero and encoders clear them."""
        out = []
        ms = [m for m in self.s.members if not (m.kind == "field" and m.bits)]
        for prev, nxt in zip(ms, ms[1:]):
            for abi in ABIS:
                size = prev.layout[abi][0] if prev.kind == "union" else type_layout(prev.type, abi)[0] * prev.count
                if prev.offset[abi] + size < nxt.offset[abi]:
                    out.append((prev.name, nxt.name))
                    break
        return out

    def fixed_checks(self):
        """Decoder checks of <check field=...> rules: dicts for the template."""
        return [c for c in (check_conditions(k, self.s, "out->") for k in self.s.checks if k.field) if c]

    def relation_checks(self):
        return [k for k in self.s.checks if k.le]

    def render_expr(self, e):
        return cexpr.render(e, "out->", sumof=lambda a, f: f"sum_{self.name}_{a}_{f.replace('.', '_')}(view)")

    def sums(self):
        """(array item, field path) of every sumof the relation checks use."""
        out = []

        def walk(e):
            if e.op == "sumof":
                item = next(i for i in self.items if i.name == e.name)
                out.append((item, e.field))
            for a in e.args:
                if hasattr(a, "op"):
                    walk(a)
        for k in self.relation_checks():
            for e in k.le:
                walk(e)
        return out

    def stride_expr(self, item):
        return cexpr.render(item.stride, "out->") if item.stride is not None else None

    def table_item(self, item):
        return next(i for i in self.items if i.name == item.table)

    def ioctl_checks(self):
        return [(m, m.ioctl_allow) for m in self.s.members if m.kind == "field" and m.ioctl_allow]

    def item_checks(self, item):
        """Element must-be-zero checks for a struct array: (member path, offset in element)."""
        if item.kind != "array" or item.type.kind != "struct":
            return []
        return [(m.name, m.offset["lp64"]) for m in item.type.members
                if m.kind == "field" and m.checked_zero and m.type.kind == "scalar" and not m.dims]

    def count_expr(self, item, prefix="out->"):
        """C expression of the element count (for bytes: the byte or dword count)."""
        if item.length.op == "rest":
            return None
        return cexpr.render(item.length, prefix)

    def host_size_expr(self):
        """C expression (uint64_t) of the size the host gives this response, from the request."""
        if self.is_request or not all(i.host_length is not None for i in self.items):
            return None
        parts = [f"(uint64_t)sizeof(struct {self.name})"]
        for item in self.items:
            parts.append(cexpr.render(item.host_length, "req->"))
        return " + ".join(parts)

    def elem_size(self, item):
        if item.kind == "array" and item.stride is not None:
            return f"sizeof({c_type(item.type)})"
        if item.kind == "array":
            return f"sizeof({c_type(item.type)})"
        return "4u" if item.unit == "dwords" else "1u"


def zero_fields(s, skip_hdr=False, prefix="", base=0):
    """(path, offset) of every scalar padding or must-be-zero field of s, embedded structs descended."""
    out = []
    for m in s.members:
        if m.kind != "field" or (skip_hdr and m.name == "hdr") or m.dims or m.bits:
            continue
        if m.type.kind == "struct":
            out += zero_fields(m.type, False, f"{prefix}{m.name}.", base + m.offset["lp64"])
        elif m.checked_zero:
            out.append((prefix + m.name, base + m.offset["lp64"]))
    return out


def check_conditions(k, s, prefix):
    """C failure conditions of a field check: dict(path, offset, conds=[(cond, status, fmt)])."""
    f, off = field_at(s, k.field)
    if f is None:
        return None
    v = f"{prefix}{k.field}"
    conds = []
    if k.min is not None:
        conds.append((f"{v} < {k.min}u", "VDRM_E_LIMIT", f"%llu is below the minimum {k.min}"))
    if k.max is not None:
        conds.append((f"{v} > {k.max}u", "VDRM_E_LIMIT", f"%llu exceeds the limit of {k.max}"))
    if k.multiple_of:
        conds.append((f"{v} % {k.multiple_of}u != 0", "VDRM_E_ALIGN", f"%llu is not a multiple of {k.multiple_of}"))
    if k.one_of is not None:
        conds.append(("!(" + " || ".join(f"{v} == {x:#x}u" for x in k.one_of) + ")", "VDRM_E_NOT_ALLOWED",
                      "%llu is not an allowed value"))
    if k.mask is not None:
        conds.append((f"({v} & ~(uint64_t){k.mask:#x}u) != 0", "VDRM_E_NOT_ALLOWED",
                      f"0x%llx has bits outside 0x{k.mask:x}"))
    return dict(path=k.field, offset=off, value=v, conds=conds)


def reflect_structs(protocol):
    """Descriptor records for every struct a message of protocol touches, dependencies first.

    Members of an anonymous union appear as fields of the struct holding it
    (their offsets overlap), as they do in C."""
    out = []
    seen = set()

    def kind_of(t):
        return "VDRM_KIND_" + t.name.upper() if t.kind == "scalar" else "VDRM_KIND_STRUCT"

    def rel(root, sub, path):
        return f"offsetof({root}, {sub})" + (f" - offsetof({root}, {path[:-1]})" if path else "")

    def field_desc(m, ident, root, path, sub):
        """The descriptor of field m (C path sub inside root), adding its type first."""
        type_id = None
        if m.type.kind == "struct" and m.type.anonymous:
            type_id = f"{ident}__{m.name}"
            add(m.type, type_id, root, f"{sub}.")
        elif m.type.kind == "struct":
            type_id = m.type.name
            add(m.type, m.type.name, f"struct {m.type.name}", "")
        off_expr = f"{m.offset['lp64']}" if m.bits else rel(root, sub, path)
        return dict(name=m.name, offset=off_expr, count=m.count, kind=kind_of(m.type),
                    size=m.type.size if m.type.kind == "scalar" else 0,
                    bit_offset=getattr(m, "bit_offset", 0) if m.bits else 0,
                    bit_width=m.bits or 0, type=type_id)

    def add(s, ident, root, path):
        # root: the named struct whose offsetof() locates this one; path: member path inside it.
        if ident in seen:
            return
        fields = []
        for m in s.members:
            if m.kind == "union" and m.name:
                sub = f"{path}{m.name}"
                uid = f"{ident}__{m.name}"
                ufields = []
                for member in m.members:
                    if member.kind == "field":
                        ufields.append(field_desc(member, uid, root, f"{sub}.", f"{sub}.{member.name}"))
                        continue
                    mid = f"{uid}__{member.name}"
                    add(member, mid, root, f"{sub}.{member.name}.")
                    ufields.append(dict(name=member.name, offset=rel(root, f"{sub}.{member.name}", f"{sub}."),
                                        count=1, kind="VDRM_KIND_STRUCT", size=0, bit_offset=0, bit_width=0,
                                        type=mid))
                out.append(dict(id=uid, name=m.name, size=f"sizeof((({root} *)0)->{sub})", fields=ufields))
                seen.add(uid)
                fields.append(dict(name=m.name, offset=rel(root, sub, path),
                                   count=1, kind="VDRM_KIND_UNION", size=0, bit_offset=0, bit_width=0, type=uid))
                continue
            if m.kind == "union":
                for member in m.members:
                    sub = f"{path}{member.name}"
                    if member.kind == "field":
                        fields.append(field_desc(member, ident, root, path, sub))
                        continue
                    mid = f"{ident}__{member.name}"
                    add(member, mid, root, f"{sub}.")
                    fields.append(dict(name=member.name, offset=rel(root, sub, path), count=1,
                                       kind="VDRM_KIND_STRUCT", size=0, bit_offset=0, bit_width=0, type=mid))
                continue
            if m.build_condition:
                continue
            fields.append(field_desc(m, ident, root, path, f"{path}{m.name}"))
        size = f"sizeof({root})" if not path else f"sizeof((({root} *)0)->{path[:-1]})"
        out.append(dict(id=ident, name=s.name, size=size, fields=fields))
        seen.add(ident)

    for msg in protocol.messages:
        for s in (msg.request, msg.response):
            if s is None:
                continue
            add(s, s.name, f"struct {s.name}", "")
            for item in (s.tail.items if s.tail else []):
                # Descriptors of what tools print: elements, record kinds and their items.
                types = [item.type] + [r.type for r in item.records] + \
                    [r.item.type for r in item.records if r.item is not None]
                for t in types:
                    if t.kind == "struct":
                        add(t, t.name, f"struct {t.name}", "")
    return out


def env():
    e = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True,
                           trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    e.filters["comment"] = comment
    e.filters["paragraph"] = paragraph
    e.filters["c_type"] = c_type
    e.globals.update(item_kind=item_kind, uses_align4=uses_align4, size_assertable=size_assertable, has_padding_defect=has_padding_defect, item_content=item_content, check_text=check_text, ret_fields=ret_fields, doc_rows=doc_rows, struct_defects=struct_defects, embeds_uapi=embeds_uapi, asserted_structs=asserted_structs, record_checks=lambda r: [c for c in (check_conditions(k, r.type, "r.") for k in r.checks) if c],
                     render_record=lambda ex: cexpr.render(ex, "r.", record_prefix="r."),
                     cexpr_render=lambda ex, prefix: cexpr.render(ex, prefix),
                     c_decl=c_decl, field_block=field_block, scalar_kind=scalar_kind,
                     describe=cexpr.describe, ABIS=ABIS,
                     offset_asserts=offset_asserts,
                     conditions=conditions, size_without=size_without,
                     reflect_structs=reflect_structs)
    return e


def bodies(protocol):
    """(message, request body, response body) of every message; a response
    struct shared by several messages is emitted (emit=True) only once."""
    out = []
    seen = set()
    for msg in protocol.messages:
        req = MessageBody(protocol, msg, msg.request, True)
        rsp = MessageBody(protocol, msg, msg.response, False) if msg.response else None
        req.emit = True
        if rsp:
            rsp.emit = rsp.name not in seen
            seen.add(rsp.name)
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
