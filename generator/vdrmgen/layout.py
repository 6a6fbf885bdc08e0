"""The layout engine: offsets, sizes and alignments as GCC computes them.

Two ABIs matter to the protocol: LP64 (x86-64, aarch64) and ILP32 as on
i386, where 64-bit integers are only 4-byte aligned inside structs. A struct
with align="4" is __attribute__((packed, aligned(4))) (DRM_ALIGN_4): members
are packed and the struct as a whole is 4-byte aligned.
"""

import copy

ABIS = ("lp64", "ilp32")


def round_up(value, align):
    return (value + align - 1) // align * align


def type_layout(t, abi):
    """(size, align) of a scalar or a struct whose layout is computed."""
    if t.kind == "scalar":
        return t.size, t.align(abi)
    return t.layout[abi]


def _struct(s, abi, done):
    if id(s) in done.setdefault(abi, set()) and s.layout.get(abi):
        return s.layout[abi]
    packed = s.align_attr is not None
    offset = 0
    max_align = 1
    bit_unit = None             # (type, start offset, bits used) of the open bitfield unit
    for m in s.members:
        size, align = _member(m, abi, done)
        if m.bits:
            if bit_unit and bit_unit[0] is m.type and bit_unit[2] + m.bits <= size * 8:
                m.offset[abi] = bit_unit[1]
                m.bit_offset = bit_unit[2]
                bit_unit = (bit_unit[0], bit_unit[1], bit_unit[2] + m.bits)
                continue
            offset = round_up(offset, 1 if packed else align)
            m.offset[abi] = offset
            m.bit_offset = 0
            bit_unit = (m.type, offset, m.bits)
        else:
            bit_unit = None
            if not packed:
                offset = round_up(offset, align)
            m.offset[abi] = offset
        offset += size
        max_align = max(max_align, align)
    if s.tail is not None:
        t_size, t_align = type_layout(s.tail.type, abi)
        if not packed:
            offset = round_up(offset, t_align)
        max_align = max(max_align, t_align)
        s.tail_offset[abi] = offset
    if packed:
        max_align = s.align_attr
    s.layout[abi] = (round_up(offset, max_align), max_align)
    done[abi].add(id(s))
    return s.layout[abi]


def _member(m, abi, done):
    """(size, align) of a member, arrays whole; stored in m.layout."""
    if m.kind == "struct":
        return _struct(m, abi, done)
    if m.kind == "union":
        size, align = 0, 1
        for u in m.members:
            usize, ualign = _member(u, abi, done)
            u.offset[abi] = 0
            size, align = max(size, usize), max(align, ualign)
        m.layout[abi] = (round_up(size, align), align)
        return m.layout[abi]
    if m.type.kind == "struct":
        _struct(m.type, abi, done)
    size, align = type_layout(m.type, abi)
    m.layout[abi] = (size * m.count, align)
    return m.layout[abi]


def natural_align(s, abi):
    """The alignment s would have without align= (what -Wpadded and DRM_ALIGN_4 are about)."""
    a = 1
    for m in s.members:
        a = max(a, m.layout[abi][1])
    if s.tail is not None:
        a = max(a, type_layout(s.tail.type, abi)[1])
    return a


def compute(protocol):
    """Lay out every struct of protocol (and its base) for both ABIs."""
    done = {}
    protos = [protocol.base, protocol] if protocol.base else [protocol]
    for p in protos:
        for abi in ABIS:
            for s in p.all_structs():
                _struct(s, abi, done)
            for m in p.messages:
                for s in (m.request, m.response):
                    if s is None or s.tail is None:
                        continue
                    for item in s.tail.items:
                        for t in item_types(item):
                            if t.kind == "struct":
                                _struct(t, abi, done)


def item_types(item):
    """Every type a tail item refers to (element, chunk and record types)."""
    out = [item.type]
    out += [c.type for c in item.chunks]
    if item.header is not None:
        out.append(item.header)
    for r in item.records:
        out.append(r.type)
        if r.item is not None:
            out.append(r.item.type)
    return out


def size_without(s, condition, abi="lp64"):
    """sizeof(s) in a build where condition is off (its members absent)."""
    clone = copy.deepcopy(s)

    def strip(struct):
        struct.members = [m for m in struct.members if m.build_condition != condition]
        struct.layout = {}
        for m in struct.members:
            m.layout = {}
            for u in getattr(m, "members", []):
                if u.kind == "struct":
                    strip(u)

    strip(clone)
    return _struct(clone, abi, {})[0]
