"""What the documentation templates ask: a struct's byte table with groups
and unions flattened, defects, check sentences, the meaning of ret fields."""

from . import cexpr
from .model import walk
from .text import paragraph


def _meaning(m):
    text = "Header." if m.name == "hdr" else paragraph(m.doc)
    if getattr(m, "checked_zero", False):
        text += " **Must be zero.**"
    e = getattr(m, "enum", None)
    if e is not None:
        entries = ", ".join(f"`{n}` ({v:#x})" for n, v, _ in e.entries)
        text += (f" {'Bits' if e.kind == 'flags' else 'Values'} ({e.name}): {entries}"
                 + ("; anything else is rejected." if e.closed else "; others pass unchecked."))
    if getattr(m, "ignored", False):
        text += " **Ignored: the host accepts any value and clears it before the kernel sees it.**"
    if getattr(m, "guest", None):
        text += f" Guests: {m.guest}."
    if getattr(m, "build_condition", None):
        text += f" Present only when built with `{m.build_condition}`."
    if getattr(m, "since", 1) > 1:
        text += f" Added in revision {m.since}; zero means absent."
    if m.defect:
        text += f" **Upstream defect ({m.defect}).**"
    return text.strip()


def doc_rows(s):
    """Rows of a struct's byte table: groups and unions flattened into dotted
    paths, implicit padding shown. Each row: dict(off, off32, size, name, type, meaning)."""
    rows = []
    ends = {id(s): {"lp64": 0, "ilp32": 0}}     # struct level -> where its last member ended

    def row(x, size, name, type_, meaning):
        off, off32 = x.offset["lp64"], x.offset["ilp32"]
        rows.append(dict(off=off, off32=off32 if off32 != off else None, size=size, name=name,
                         type=type_, meaning=meaning))

    def padding(off, off32, end, what, meaning):
        gap, gap32 = off - end["lp64"], off32 - end["ilp32"]
        if gap > 0 or gap32 > 0:
            rows.append(dict(off=end["lp64"], off32=end["ilp32"] if end["ilp32"] != end["lp64"] else None,
                             size=gap if gap == gap32 else f"{gap} / {gap32}", name=what, type="",
                             meaning=meaning))

    for x in walk(s):
        m = x.member
        if m.bits:
            rows.append(dict(off=f"{x.offset['lp64']}:{m.bit_offset}", off32=None, size=f"{m.bits} bits",
                             name=x.path, type=m.type.name, meaning=_meaning(m)))
            continue
        if x.parent.kind == "struct":
            end = ends[id(x.parent)]
            padding(x.offset["lp64"], x.offset["ilp32"], end, "(implicit padding)",
                    "Bytes the compiler inserts; not in the protocol's intent.")
            ends[id(x.parent)] = {abi: x.offset[abi] + m.size(abi) for abi in end}
        if m.kind == "union":
            row(x, m.size(), x.path if m.name else (x.path + "." if x.path else "") + "(anonymous union)",
                "union", paragraph(m.doc))
        elif m.kind == "struct":
            ends[id(m)] = dict(x.offset)
            row(x, m.size(), x.path, "struct",
                paragraph(m.doc) + (f" (context_type == {m.when})" if m.when else ""))
        elif m.is_group:
            ends[id(m.type)] = dict(x.offset)
            row(x, m.size(), x.path, "struct", _meaning(m))
        else:
            dims = ("[" + "][".join(str(d) for d in m.dims) + "]") if m.dims else ""
            row(x, m.size(), x.path, m.type.name + dims, _meaning(m))
    if s.tail is None:
        padding(s.size("lp64"), s.size("ilp32"), ends[id(s)], "(implicit tail padding)",
                "Bytes the compiler appends; not in the protocol's intent.")
    return rows


def struct_defects(p):
    """(where, defect, doc) of every element of p that carries a defect."""
    out = []
    for s in p.all_structs():
        if s.defect:
            out.append((s.name, s.defect, s.doc))
        out += [(f"{s.name}.{x.path}", x.member.defect, x.member.doc) for x in walk(s) if x.member.defect]
        out += [(f"{s.name} check {k.field or k.name}", k.upstream, k.doc) for k in s.checks if k.upstream]
        for item in (s.tail.items if s.tail else []):
            out += [(f"{s.name}.{item.name} {c.name}", c.upstream, c.doc) for c in item.chunks if c.upstream]
            out += [(f"{s.name}.{item.name} {r.name}", r.upstream, r.doc) for r in item.records if r.upstream]
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
