"""Renders a linted protocol model through the jinja2 templates.

The functions here answer the questions templates ask (a field's C
declaration, a message's size-function parameters, the checks its decoder
makes) so that the templates only lay out text.
"""

import copy
import os

import jinja2

from . import cexpr, docs
from .bodies import bodies, check_conditions
from .lint import breaks
from .text import c_type, comment, paragraph
from .layout import ABIS
from .layout import _struct as layout_struct

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(os.path.dirname(HERE), "templates")


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


def item_kind(item):
    """The enum vdrm_item_kind of a tail item, for the descriptors."""
    if item.kind == "array":
        return "VDRM_ITEM_ARRAY"
    if item.kind == "records":
        return "VDRM_ITEM_RECORDS"
    return "VDRM_ITEM_TEXT" if item.content == "text" else "VDRM_ITEM_DATA"


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
    e.globals.update(item_kind=item_kind, uses_align4=uses_align4, size_assertable=size_assertable, has_padding_defect=has_padding_defect, item_content=docs.item_content, check_text=docs.check_text, ret_fields=docs.ret_fields, doc_rows=docs.doc_rows, struct_defects=docs.struct_defects, embeds_uapi=embeds_uapi, asserted_structs=asserted_structs, record_checks=lambda r: [c for c in (check_conditions(k, r.type, "r.") for k in r.checks) if c],
                     render_record=lambda ex: cexpr.render(ex, "r.", record_prefix="r."),
                     cexpr_render=lambda ex, prefix: cexpr.render(ex, prefix),
                     c_decl=c_decl, field_block=field_block, scalar_kind=scalar_kind,
                     describe=cexpr.describe, ABIS=ABIS,
                     offset_asserts=offset_asserts,
                     conditions=conditions, size_without=size_without,
                     reflect_structs=reflect_structs)
    return e


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
