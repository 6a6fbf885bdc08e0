"""What the documentation templates ask: a struct's byte table with groups
and unions flattened, defects, check sentences, the meaning of ret fields."""

from . import cexpr
from .layout import UPSTREAM, has_twin, offsets, wire_name
from .lint import tagged
from .model import walk
from .text import paragraph


def _meaning(m):
    text = "Header." if m.name == "hdr" and not m.doc else paragraph(m.doc)
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
    paths, implicit padding shown. Each row: dict(off, size, name, type, meaning).

    One column of offsets: the wire has one layout, LP64's, on every ABI
    (layout.py; lint reports a struct whose ILP32 layout the generator could
    not make the same as an error). Upstream's own i386 layout, where it
    differs, is told in the upstream-defects section (upstream_i386())."""
    rows = []
    ends = {id(s): 0}     # struct level -> where its last member ended

    def row(x, size, name, type_, meaning):
        rows.append(dict(off=x.offset["lp64"], size=size, name=name, type=type_, meaning=meaning))

    def padding(off, end, what, meaning):
        if off > end:
            rows.append(dict(off=end, size=off - end, name=what, type="", meaning=meaning))

    for x in walk(s):
        m = x.member
        if m.bits:
            rows.append(dict(off=f"{x.offset['lp64']}:{m.bit_offset}", size=f"{m.bits} bits",
                             name=x.path, type=m.type.name, meaning=_meaning(m)))
            continue
        if x.parent.kind == "struct":
            padding(x.offset["lp64"], ends[id(x.parent)], "(implicit padding)",
                    "Bytes the compiler inserts; not in the protocol's intent.")
            ends[id(x.parent)] = x.offset["lp64"] + m.size()
        if m.kind == "union":
            row(x, m.size(), x.path if m.name else (x.path + "." if x.path else "") + "(anonymous union)",
                "union", paragraph(m.doc))
        elif m.kind == "struct":
            ends[id(m)] = x.offset["lp64"]
            row(x, m.size(), x.path, "struct",
                paragraph(m.doc) + (f" (context_type == {m.when})" if m.when else ""))
        elif m.is_group:
            ends[id(m.type)] = x.offset["lp64"]
            row(x, m.size(), x.path, "struct", _meaning(m))
        else:
            dims = ("[" + "][".join(str(d) for d in m.dims) + "]") if m.dims else ""
            row(x, m.size(), x.path, m.type.name + dims, _meaning(m))
    if s.tail is None:
        padding(s.size(), ends[id(s)], "(implicit tail padding)",
                "Bytes the compiler appends; not in the protocol's intent.")
    return rows


def upstream_i386(s):
    """Where upstream's own declaration of s lays it out differently on i386
    than the wire does (layout.UPSTREAM): a sentence, or "" when it does not."""
    moved = [(x.path, x.offset["lp64"], off32) for x, (m, off32) in zip(walk(s), offsets(s, UPSTREAM))
             if m is x.member and m.name and not m.bits and off32 != x.offset["lp64"]]

    def layout(size, upstream):
        where = [f"`{path}` at offset {off32 if upstream else off}" for path, off, off32 in moved]
        return f"{size} bytes" + (" with " + ", ".join(where) if where else "")

    if s.size(UPSTREAM) == s.size() and not moved:
        return ""
    text = (f"Upstream's i386 builds differ: there struct {s.name} is {layout(s.size(UPSTREAM), True)}. "
            f"The wire has the LP64 layout on every ABI ({layout(s.size(), False)})")
    if has_twin(s):
        return text + (f"; the generated headers keep the kernel's struct as it is and carry it in messages as "
                       f"struct {wire_name(s)}, a twin with the LP64 layout (VDRM_LP64_ALIGN).")
    aligned = [f"`{x.path}`" for x in walk(s) if x.member.abi_align]
    how = ("declaring " + ", ".join(aligned) + " with " + ("its" if len(aligned) == 1 else "their") +
           " LP64 alignment") if aligned else "declaring the struct with its LP64 alignment"
    return text + f"; the generated header gives it on i386 too, by {how} (VDRM_LP64_ALIGN)."


def struct_defects(p):
    """(where, defect, doc) of every element of p that carries a defect; an
    abi-dependent-layout defect adds how upstream's i386 builds differ."""
    out = []

    def add(where, element, doc, s):
        if element.defect:
            note = upstream_i386(s) if s is not None and tagged(element, "abi-dependent-layout") else ""
            out.append((where, element.defect, doc + ("\n\n" + note if note else "")))

    for s in p.all_structs():
        add(s.name, s, s.doc, s)
        for x in walk(s):
            m = x.member
            inner = m if m.kind == "struct" else (m.type if m.kind == "field" and m.type.kind == "struct" else None)
            add(f"{s.name}.{x.path}", m, m.doc, inner if inner is not None else s)
        out += [(f"{s.name} check {k.field or k.name}", k.upstream, k.doc) for k in s.checks if k.upstream]
        for item in (s.tail.items if s.tail else []):
            # A kind whose struct carries the defect itself is told there.
            for c in item.chunks:
                add(f"{s.name}.{item.name} {c.name}", c, c.doc,
                    None if tagged(c.type, "abi-dependent-layout") else c.type)
            for r in item.records:
                add(f"{s.name}.{item.name} {r.name}", r, r.doc,
                    None if tagged(r.type, "abi-dependent-layout") else r.type)
    return out


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


def framing_text(f):
    """How a framing frames a message, for the docs."""
    text = (f"struct {f.header.name} ({f.header_size} bytes); `{f.length}` (offset {f.length_offset}) "
            f"counts {f.unit_name}, {'the header included' if f.counts_header else 'the header not counted'}")
    return text + (f"; `{f.cmd}` (offset {f.cmd_offset}) is the command id" if f.cmd else "")


def _in_units(b, size):
    """A byte count of a body as the value of its length field."""
    f = b.framing
    return (size - (0 if f.counts_header else f.header_size)) // f.unit


def _plain(f):
    return f.counts_header and f.unit == 1


def length_rule(b):
    """The sentence on the length a body's header gives."""
    f = b.framing
    if _plain(f):
        return f"Minimum {f.length_name}: {b.min_size}."
    what = f"{f.unit_name}, the {f.header_size}-byte header not counted" if not f.counts_header else f.unit_name
    if b.s.exact and not b.tail:
        return f"`{b.len_path}`: exactly {_in_units(b, b.size)} ({what})."
    return f"Minimum `{b.len_path}`: {_in_units(b, b.min_size)} ({what})."


def length_check_text(b):
    """The validation line of the runtime's length checks."""
    f = b.framing
    if _plain(f):
        return (f"{f.length_name} below {b.min_size}: `VDRM_E_SHORT`; above the bytes available: "
                "`VDRM_E_TRUNCATED`.")
    short = (f"{f.length_name} below {_in_units(b, b.min_size)}: `VDRM_E_SHORT`; "
             if b.min_size > (0 if f.counts_header else f.header_size) else "")
    return f"{short}{f.length_name} framing more than the bytes available: `VDRM_E_TRUNCATED`."


def exact_text(b):
    f = b.framing
    if _plain(f):
        return f"{f.length_name} different from {b.size}"
    return f"{f.length_name} other than {_in_units(b, b.size)}"
