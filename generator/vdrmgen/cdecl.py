"""What the header templates ask: C declarations of members, the layout
asserts of a struct, and which build conditions, packing and upstream
macros a struct's declaration needs."""

from .cexpr import describe
from .errors import SpecError
from .layout import ABIS, UPSTREAM, has_twin, offsets, wire_name
from .lint import breaks
from .model import walk
from .text import c_type, comment

LP64_ALIGN = "VDRM_LP64_ALIGN"


def lp64_align(align, wire=True):
    """The attribute stating an LP64 alignment (abi_align) in a wire declaration, with its leading space."""
    return f" {LP64_ALIGN}({align})" if wire and align else ""


def c_decl(f, indent="   ", wire=True):
    """The C declaration of a member (unions and groups rendered recursively).

    wire: as the wire declares it (LP64 alignments stated where ILP32 would
    place a member elsewhere, kernel structs by their wire twins); otherwise
    as upstream and the kernel declare it (a kernel struct's own definition)."""
    if f.kind == "union":
        inner = []
        for m in f.members:
            if m.kind == "field":
                inner.append(field_block(m, indent + "   ", wire))
                continue
            inner.append(f"{indent}   struct {{")
            inner += [field_block(mm, indent + "      ", wire) for mm in m.members]
            inner.append(f"{indent}   }}{lp64_align(m.abi_align, wire)} {m.name};" +
                         (f"  /* context_type == {m.when} */" if m.when else ""))
        return (f"{indent}union {{\n" + "\n".join(inner) + f"\n{indent}}}{lp64_align(f.abi_align, wire)}" +
                (f" {f.name};" if f.name else ";"))
    dims = "".join(f"[{d}]" for d in f.dims)
    if f.is_group:
        inner = "\n".join(field_block(mm, indent + "   ", wire) for mm in f.type.members)
        align = max(f.abi_align or 0, f.type.abi_align or 0)
        return f"{indent}struct {{\n{inner}\n{indent}}}{lp64_align(align, wire)} {f.name}{dims};"
    bits = f" : {f.bits}" if f.bits else ""
    type_ = c_type(f.type) if wire or f.type.kind != "struct" else f"struct {f.type.name}"
    return f"{indent}{type_} {f.name}{dims}{bits}{lp64_align(f.abi_align, wire)};"


def field_block(f, indent="   ", wire=True):
    """A member's doc comment (with its defect) and declaration."""
    doc = f.doc
    if f.defect:
        doc = (doc + "\n\n" if doc else "") + f"Upstream defect: {f.defect}."
    decl = c_decl(f, indent, wire)
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
    a struct whose size is not a multiple of 8 (it would not compile). With
    one layout on every ABI this is the LP64 size; upstream's own panfrost
    header fails it on i386 (WAIT_BO is 28 bytes there), the generated one
    does not."""
    return all(s.size(abi) % 8 == 0 for abi in ABIS)


def twins(p):
    """The kernel and libdrm structs of p that the wire carries as twins
    (layout.has_twin), each declared after the real struct with its LP64
    layout: (struct, twin name)."""
    return [(s, wire_name(s)) for s in p.structs if has_twin(s)]


def declares_lp64_align(structs):
    """Whether a wire declaration of one of structs states an LP64 alignment
    (the header then defines VDRM_LP64_ALIGN). Kernel structs count through
    their twins only, wire structs embedding them do not."""
    def own(s):
        if s.abi_align:
            return True
        for x in walk(s):
            m = x.member
            if m.abi_align or (m.kind == "field" and m.is_group and m.type.abi_align):
                return True
        return False
    return any(own(s) for s in structs)


def assert_abi(s):
    """The layout key the 32-bit side of s's asserts checks: the wire's ILP32
    layout (LP64's) for what the generator declares, upstream's i386 one
    for a kernel or libdrm struct, which the real header may define."""
    return UPSTREAM if s.origin in ("uapi", "libdrm") else "ilp32"


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
    out = [(s, struct_condition(p, s) if s.origin == "libdrm" else None) for s in p.all_structs()
           if s.origin == "wire" or (s.origin == "libdrm" and p.base is None)]
    for s, _ in out:
        if s.origin == "libdrm" and has_twin(s):
            # The transport header has no place for wire twins (NAME_uapi.h does).
            raise SpecError(p.path, s.line, f"{s.name}: libdrm's layout differs on i386 and the transport "
                                            "cannot carry a wire twin of it; make the capset's copy a wire struct")
    return out


def offset_asserts(s, abi32="ilp32"):
    """(path, LP64 offset, build condition, 32-bit offset) of every member
    offsetof() can name (bitfields have none); abi32 is the layout key of
    the 32-bit side (assert_abi)."""
    out = []
    for x, (m, off32) in zip(walk(s), offsets(s, abi32)):
        assert m is x.member, s.name
        if m.name and not m.bits:
            out.append((x.path, x.offset["lp64"], x.condition, off32))
    return out


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
