"""What the header templates ask: C declarations of members, the layout
asserts of a struct, and which build conditions, packing and upstream
macros a struct's declaration needs."""

from .cexpr import describe
from .layout import ABIS
from .lint import breaks
from .model import walk
from .text import c_type, comment


def c_decl(f, indent="   "):
    """The C declaration of a member (unions and groups rendered recursively)."""
    if f.kind == "union":
        inner = []
        for m in f.members:
            if m.kind == "field":
                inner.append(field_block(m, indent + "   "))
                continue
            inner.append(f"{indent}   struct {{")
            inner += [field_block(mm, indent + "      ") for mm in m.members]
            inner.append(f"{indent}   }} {m.name};" + (f"  /* context_type == {m.when} */" if m.when else ""))
        return f"{indent}union {{\n" + "\n".join(inner) + f"\n{indent}}}" + (f" {f.name};" if f.name else ";")
    dims = "".join(f"[{d}]" for d in f.dims)
    if f.is_group:
        inner = "\n".join(field_block(mm, indent + "   ") for mm in f.type.members)
        return f"{indent}struct {{\n{inner}\n{indent}}} {f.name}{dims};"
    bits = f" : {f.bits}" if f.bits else ""
    return f"{indent}{c_type(f.type)} {f.name}{dims}{bits};"


def field_block(f, indent="   "):
    """A member's doc comment (with its defect) and declaration."""
    doc = f.doc
    if f.defect:
        doc = (doc + "\n\n" if doc else "") + f"Upstream defect: {f.defect}."
    decl = c_decl(f, indent)
    if f.build_condition:
        decl = f"#ifdef {f.build_condition}\n{decl}\n#endif"
    return (comment(doc, indent) + "\n" if doc else "") + decl


def embeds_uapi(p):
    """Whether a wire struct of p embeds a UAPI or libdrm struct (the wire header then includes NAME_uapi.h)."""
    return any(slot.member.kind == "field" and slot.member.type.kind == "struct" and
               slot.member.type.origin in ("uapi", "libdrm")
               for s in p.all_structs() if s.origin == "wire" for slot in walk(s))


def has_padding_defect(s):
    """Whether s keeps upstream's implicit padding (its declaration then lets -Wpadded pass)."""
    return breaks(s, "implicit-padding") or any(breaks(m, "implicit-padding") for m in s.members)


def uses_align4(p):
    """Whether a struct of p is declared DRM_ALIGN_4 (the header then defines it)."""
    return any(s.align_attr == 4 for s in p.all_structs())


def size_assertable(s):
    """Whether upstream's multiple-of-8 size assert may be applied to s: not to
    a struct whose size is not a multiple of 8 (it would not compile), such as
    panfrost's WAIT_BO request on i386, which upstream's header fails on."""
    return all(s.size(abi) % 8 == 0 for abi in ABIS)


def struct_condition(p, s):
    """The build condition under which s exists: that of the members using it
    (libdrm structs of the capset exist only with ENABLE_DRM_AMDGPU)."""
    conds = {slot.member.build_condition for t in p.structs for slot in walk(t)
             if slot.member.kind == "field" and slot.member.type is s}
    return conds.pop() if len(conds) == 1 else None


def asserted_structs(p):
    """(struct, build condition) of every struct whose layout the wire header
    asserts: its wire structs and, for the transport, the libdrm structs of
    the capset (context specs assert theirs in NAME_uapi.h)."""
    return [(s, struct_condition(p, s) if s.origin == "libdrm" else None) for s in p.all_structs()
            if s.origin == "wire" or (s.origin == "libdrm" and p.base is None)]


def offset_asserts(s):
    """(path, LP64 offset, build condition, ILP32 offset) of every member
    offsetof() can name (bitfields have none)."""
    return [(x.path, x.offset["lp64"], x.condition, x.offset["ilp32"]) for x in walk(s)
            if x.member.name and not x.member.bits]


def conditions(s):
    """Build conditions any member of s depends on, in order."""
    out = []
    for x in walk(s):
        if x.member.build_condition and x.member.build_condition not in out:
            out.append(x.member.build_condition)
    return out


def tail_comment(item):
    """What a tail item holds, in the struct's comment: its length and content."""
    if item.kind == "array":
        return f"{describe(item.length)} × {c_type(item.type)}"
    content = item.kind if item.kind in ("chunks", "records") else item.content
    if item.length.op == "rest":
        return f"{content}, the rest of the message"
    return f"{describe(item.length)} {item.unit} of {content}"


def cast_lines(p, b):
    """Upstream's macro invocations after a message struct: its size assert
    and, for requests, the DEFINE_CAST from the request header."""
    assertable = p.size_assert and size_assertable(b.s)
    if b.is_request and p.cast_macro and assertable:
        return [f"{p.cast_macro}({b.header_type}, {b.name})"]
    out = [f"{p.size_assert}({b.name})"] if assertable else []
    if b.is_request:
        out.append(f"{p.transport_macro('define-cast').name}({b.header_type}, {b.name})")
    return out
