"""The layout engine: offsets, sizes and alignments as GCC computes them.

Two ABIs matter to the protocol: LP64 (x86-64, aarch64) and ILP32 as on
i386, where 64-bit integers are only 4-byte aligned inside structs. A struct
with align="4" is __attribute__((packed, aligned(4))) (DRM_ALIGN_4): members
are packed and the struct as a whole is 4-byte aligned.

One wire on every ABI: a message's bytes are its LP64 layout, whatever the
ABI of the guest or host. The "ilp32" layout is that of the declarations the
generator emits, which give every struct carried in messages its LP64 layout
on ILP32 too: where i386 would place a member elsewhere (a 64-bit member
after an odd number of 32-bit words) or end a struct or union sooner (not
rounding its size up to 8), that member, struct or union is declared with
the alignment it has on LP64 (abi_align, VDRM_LP64_ALIGN in the headers),
and nowhere else. A kernel or
libdrm struct cannot be redeclared, so when its own i386 layout differs the
wire uses a twin with the same members (wire_name(): vdrm_wire_NAME).

UPSTREAM is the ILP32 layout of the declarations as upstream and the kernel
write them, without those alignments: the kernel's structs keep it (their
asserts check it), and the docs use it to say where upstream's i386 builds
differ.
"""

import copy

ABIS = ("lp64", "ilp32")
UPSTREAM = "ilp32-upstream"
TWIN_PREFIX = "vdrm_wire_"


def round_up(value, align):
    return (value + align - 1) // align * align


def type_layout(t, abi):
    """(size, align) of a scalar or a struct whose layout is computed."""
    if t.kind == "scalar":
        return t.size, t.align(abi)
    return t.layout[abi]


def _lp64_place(m, offset, align):
    """The alignment member m needs on ILP32 to start where it does on LP64
    (offset: where the members before it end, the same on both): its own, or
    its LP64 one, which abi_align then records."""
    a64 = m.layout["lp64"][1]
    want = m.offset["lp64"]
    if round_up(offset, align) != want and align < a64 and round_up(offset, a64) == want:
        m.abi_align = max(m.abi_align or 0, a64)
        m.layout["ilp32"] = (m.layout["ilp32"][0], a64)
        return a64
    return align


def _lp64_size(s, end, align, lp64):
    """The alignment that makes a struct or union ending at end as long as on
    LP64 (lp64: its (size, align) there); abi_align records a raised one."""
    if round_up(end, align) != lp64[0] and align < lp64[1] and round_up(end, lp64[1]) == lp64[0]:
        s.abi_align = lp64[1]
        return lp64[1]
    return align


def _struct(s, abi, done):
    if id(s) in done.setdefault(abi, set()) and s.layout.get(abi):
        return s.layout[abi]
    wire = abi == "ilp32"       # the generated declarations: LP64's placement
    if wire:
        _struct(s, "lp64", done)
        s.abi_align = None
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
                if wire:
                    align = _lp64_place(m, offset, align)
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
    elif wire:
        max_align = _lp64_size(s, offset, max_align, s.layout["lp64"])
    s.layout[abi] = (round_up(offset, max_align), max_align)
    done[abi].add(id(s))
    return s.layout[abi]


def _member(m, abi, done):
    """(size, align) of a member, arrays whole; stored in m.layout."""
    if m.kind == "struct":
        return _struct(m, abi, done)
    if abi == "ilp32":
        m.abi_align = None
    if m.kind == "union":
        size, align = 0, 1
        for u in m.members:
            usize, ualign = _member(u, abi, done)
            u.offset[abi] = 0
            size, align = max(size, usize), max(align, ualign)
        if abi == "ilp32":
            align = _lp64_size(m, size, align, m.layout["lp64"])
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
    """Lay out every struct of protocol (and its base) for both ABIs, and as upstream declares it on ILP32."""
    done = {}
    protos = [protocol.base, protocol] if protocol.base else [protocol]
    for p in protos:
        for abi in ABIS + (UPSTREAM,):
            for s in p.all_structs():
                _struct(s, abi, done)
            for m in p.messages:
                for s in (m.request, m.response):
                    if s is None:
                        continue
                    for item in s.items:
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


def lp64_aligned(s):
    """Whether the ILP32 declaration of s states an LP64 alignment anywhere:
    on s, on one of its members at any level, or inside a struct type it
    embeds (a kernel struct then needs a wire twin)."""
    if s.abi_align:
        return True
    for m in s.members:
        if m.abi_align:
            return True
        if m.kind == "union":
            if any(u.abi_align or (u.kind == "struct" and lp64_aligned(u)) or
                   (u.kind == "field" and u.type.kind == "struct" and lp64_aligned(u.type)) for u in m.members):
                return True
        elif m.kind == "field" and m.type.kind == "struct" and lp64_aligned(m.type):
            return True
    return False


def has_twin(s):
    """Whether the wire carries kernel or libdrm struct s as a twin: its own
    i386 layout differs from LP64's, and it cannot be redeclared."""
    return s.kind == "struct" and s.origin in ("uapi", "libdrm") and lp64_aligned(s)


def wire_name(s):
    """The name of the struct the wire uses for s: s's own, or its twin's."""
    return TWIN_PREFIX + s.name if has_twin(s) else s.name


def offsets(s, abi, base=0):
    """(member, offset from s) on abi of every member model.walk(s) reaches,
    in walk's order (walk's slots carry the two ABIS only)."""
    for m in s.members:
        off = base + m.offset[abi]
        yield m, off
        if m.kind == "union":
            for u in m.members:
                uoff = off + u.offset.get(abi, 0)
                yield u, uoff
                inner = u if u.kind == "struct" else (u.type if u.is_group else None)
                if inner is not None:
                    yield from offsets(inner, abi, uoff)
        elif m.is_group:
            yield from offsets(m.type, abi, off)


def size_without(s, condition, abi="lp64"):
    """sizeof(s) in a build where condition is off (its members absent)."""
    return without(s, condition).size(abi)


def without(s, condition):
    """A copy of s laid out as in a build where condition is off (its members absent)."""
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
    done = {}
    for abi in ABIS + (UPSTREAM,):
        _struct(clone, abi, done)
    return clone
