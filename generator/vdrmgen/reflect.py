"""Descriptors for tools (NAME_reflect.c): every struct a message touches,
as tables of named fields with offsets, kinds and nested types."""

from .text import c_type


def scalar_kind(t):
    return "VDRM_KIND_" + t.name.upper() if t.kind == "scalar" else "VDRM_KIND_STRUCT"


def item_kind(item):
    """The enum vdrm_item_kind of a tail item."""
    if item.kind == "array":
        return "VDRM_ITEM_ARRAY"
    if item.kind == "records":
        return "VDRM_ITEM_RECORDS"
    return "VDRM_ITEM_TEXT" if item.content == "text" else "VDRM_ITEM_DATA"


def reflect_structs(protocol):
    """Descriptor records for every struct a message of protocol touches, dependencies first.

    Members of an anonymous union appear as fields of the struct holding it
    (their offsets overlap), as they do in C."""
    out = []
    seen = set()

    def rel(root, sub, path):
        return f"offsetof({root}, {sub})" + (f" - offsetof({root}, {path[:-1]})" if path else "")

    def field_desc(m, ident, root, path, sub):
        """The descriptor of field m (C path sub inside root), adding its type first."""
        type_id = None
        if m.is_group:
            type_id = f"{ident}__{m.name}"
            add(m.type, type_id, root, f"{sub}.")
        elif m.type.kind == "struct":
            type_id = m.type.name
            add(m.type, m.type.name, c_type(m.type), "")
        off_expr = f"{m.offset['lp64']}" if m.bits else rel(root, sub, path)
        return dict(name=m.name, offset=off_expr, count=m.count, kind=scalar_kind(m.type),
                    size=m.type.size if m.type.kind == "scalar" else 0,
                    bit_offset=m.bit_offset if m.bits else 0,
                    bit_width=m.bits or 0, type=type_id,
                    flags="VDRM_FIELD_IGNORED" if m.ignored else "0")

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
        # ioctl arguments, which request and response payloads hold
        for f in msg.request.fields():
            for io in (f.ioctl_allow.ioctls if f.ioctl_allow else []):
                if io.type is not None and io.type.kind == "struct":
                    add(io.type, io.type.name, f"struct {io.type.name}", "")
        for s in (msg.request, msg.response):
            if s is None:
                continue
            add(s, s.name, f"struct {s.name}", "")
            for item in s.items:
                # Descriptors of what tools print: elements, record kinds and their items.
                types = [item.type] + [r.type for r in item.records] + \
                    [r.item.type for r in item.records if r.item is not None] + \
                    ([v.type for v in item.variants.cases] if item.variants else []) + \
                    [c.type for c in item.chunks] + \
                    [v.type for r in item.records if r.item is not None and r.item.variants
                     for v in r.item.variants.cases]
                for t in types:
                    if t.kind == "struct":
                        add(t, t.name, c_type(t), "")
    return out
