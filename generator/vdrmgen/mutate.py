"""What the fuzzing outputs ask (NAME_mutator.c, NAME.dict): which fixed
field of a request plays which part (sizes an item, takes an enum's
values, must be zero, names an object), and the byte strings worth a
fuzzer's dictionary (header prefixes, sizes, enum values, limits)."""

import re

from . import cexpr
from .model import field_at, walk

# What the engine (runtime/vdrm_mutate.h) does with a field, most specific first.
ZERO, VALUES, FLAGS, SIZE, RANGE, ID, PLAIN = (
    "VDRM_MUT_ZERO", "VDRM_MUT_VALUES", "VDRM_MUT_FLAGS", "VDRM_MUT_SIZE", "VDRM_MUT_RANGE",
    "VDRM_MUT_ID", "VDRM_MUT_PLAIN")

# Fields naming an object the host keeps (GEM handles, resource, queue and context ids):
# small numbers are the ones a host is likely to know.
ID_NAME = re.compile(r"(^|_)(res_id|handle|handles|bo|bo_handle|id|ctx_id|queue_id|vm_id|syncobj|"
                     r"context|ctx|queue|vm|fence|seqno|blob_id|engine)$|_id$|_handle$")


def type_size(t):
    return t.size if t.kind == "scalar" else t.size()


def _bitvalues(mask):
    return [1 << i for i in range(64) if mask >> i & 1]


class FieldRole:
    """One fixed scalar field of a request and what a mutator may put in it."""

    def __init__(self, path, size, role, values=(), lo=0, hi=None, closed=False, labels=None):
        self.path = path
        self.size = size
        self.role = role
        self.values = list(dict.fromkeys(values))   # in order, without repeats
        # a name for each value (enum entries, ioctls), for the dictionary
        names = dict(zip(values, labels)) if labels else {}
        self.labels = [names.get(v, f"{v:#x}") for v in self.values]
        self.min = lo
        self.max = hi                               # None: no limit
        self.closed = closed

    @property
    def max_c(self):
        return "VDRM_MUT_NO_MAX" if self.max is None else f"{self.max}u"


def _sizing(body):
    """{field path: (largest value or 0, element bytes of what it sizes)} of
    the fields an item's count, length or stride reads."""
    out = {}
    for item in body.items:
        if item.length.op != "rest":
            for path in cexpr.fieldrefs(item.length):
                direct = item.length.op == "fieldref"
                out.setdefault(path, ((item.max or 0) if direct else 0, item))
        if item.stride is not None:
            for path in cexpr.fieldrefs(item.stride):
                out.setdefault(path, (0, item))
    return out


def field_roles(body):
    """FieldRole of every scalar field of a request's fixed part (the header
    left to the engine, bitfields and arrays left to byte mutation)."""
    strides = {p for item in body.items if item.stride is not None for p in cexpr.fieldrefs(item.stride)}
    return _roles(body.s, _sizing(body), {k.field: k for k in body.s.checks if k.field}, strides)


def element_items(body):
    """(index in the body's items, item, FieldRoles of its element) of every
    array of structs a request carries."""
    out = []
    for i, item in enumerate(body.items):
        if item.kind != "array" or item.type.kind != "struct":
            continue
        # A chunk table's id field names one of the chunk kinds (amdgpu CS_SUBMIT's descs).
        kinds = {c.id_field: ([k.id for k in c.chunks], [k.name for k in c.chunks])
                 for c in body.items if c.kind == "chunks" and c.table == item.name}
        out.append((i, item, _roles(item.type, {}, {}, set(), kinds)))
    return out


class RecordChain:
    """A record chain a mutator can build whole: the first item of a request,
    sized in bytes by one fixed field; each kind a zeroed record of its
    struct with its tag and its checked fields set, its own item empty."""

    def __init__(self, body, item):
        self.item = item
        self.length_path = item.length.name
        self.length_size = field_at(body.s, self.length_path)[0].type.size
        self.tag_path = item.tag
        self.tag_size = field_at(item.header, item.tag)[0].type.size if item.tag else 0
        tag_offset = field_at(item.header, item.tag)[1] if item.tag else None
        self.kinds = []
        for r in item.records:
            # The fields sizing the record's own item stay zero: the record is just its struct.
            sizing = {p: (0, r.item) for p in cexpr.fieldrefs(r.item.length, "record")} if r.item else {}
            roles = [x for x in _roles(r.type, sizing, {k.field: k for k in r.checks if k.field}, set(),
                                       skip_hdr=False)
                     if field_at(r.type, x.path)[1] != tag_offset]
            self.kinds.append((r, roles))


def record_chains(body):
    """The RecordChain of a request whose first item is a record chain its
    fixed part sizes in bytes (asahi SUBMIT, i915 GEM_CREATE_EXT), or None."""
    items = body.framed_items
    if not items or items[0].kind != "records":
        return None
    item = items[0]
    if item.length.op != "fieldref" or item.length.scope != "self" or item.unit != "bytes":
        return None
    return RecordChain(body, item)


class ChunkRegion:
    """A chunk table and the region it locates, the first two items of a
    request (amdgpu CS_SUBMIT's descs and chunks): the fixed fields giving
    the table's count and, unless the region takes the rest, its bytes."""

    def __init__(self, body, table, region):
        self.count_path = table.length.name
        self.count_size = field_at(body.s, self.count_path)[0].type.size
        self.length_path = None if region.length.op == "rest" else region.length.name
        self.length_size = field_at(body.s, self.length_path)[0].type.size if self.length_path else 0


def chunk_regions(body):
    """The ChunkRegion of a request that begins with a chunk table and its
    chunks, both sized by fixed fields (or the chunks by the rest), or None."""
    items = body.framed_items
    if len(items) < 2 or items[0].kind != "array" or items[1].kind != "chunks" or items[1].table != items[0].name:
        return None
    table, region = items[0], items[1]
    if table.length.op != "fieldref" or table.length.scope != "self":
        return None
    if region.length.op != "rest" and (region.length.op != "fieldref" or region.length.scope != "self"
                                       or region.unit != "bytes"):
        return None
    return ChunkRegion(body, table, region)


def _roles(s, sizing, checks, strides, kinds=None, skip_hdr=True):
    """FieldRoles of the scalar fields of s (its hdr left to the engine when
    skip_hdr); kinds: {path: (values, names)} a field must take."""
    kinds = kinds or {}
    out = []
    for x in walk(s, into_types=True):
        m = x.member
        if (m.kind != "field" or m.type.kind != "scalar" or m.dims or m.bits or x.condition
                or (skip_hdr and x.path.split(".")[0] == "hdr")):
            continue
        size = m.type.size
        k = checks.get(x.path)
        if m.checked_zero or m.ignored:
            out.append(FieldRole(x.path, size, ZERO))
        elif x.path in kinds:
            out.append(FieldRole(x.path, size, VALUES, kinds[x.path][0], closed=True, labels=kinds[x.path][1]))
        elif m.ioctl_allow is not None:
            allow = m.ioctl_allow
            out.append(FieldRole(x.path, size, VALUES, [ioctl_number(allow, io) for io in allow.ioctls],
                                 closed=True, labels=[io.name for io in allow.ioctls]))
        elif k is not None and k.one_of is not None:
            # a one-of check is law even where the field's enum is open
            names = {v: n for n, v, _ in m.enum.entries} if m.enum is not None else {}
            out.append(FieldRole(x.path, size, VALUES, k.one_of, closed=True,
                                 labels=[names.get(v, f"{v:#x}") for v in k.one_of]))
        elif m.enum is not None and m.enum.kind == "values":
            out.append(FieldRole(x.path, size, VALUES, [v for _, v, _ in m.enum.entries], closed=m.enum.closed,
                                 labels=[n for n, _, _ in m.enum.entries]))
        elif m.enum is not None or (k is not None and k.mask is not None):
            # a mask check is law too: only its bits, named after the enum's entries
            mask = k.mask if k is not None and k.mask is not None else m.enum.mask
            closed = (m.enum is not None and m.enum.closed) or (k is not None and k.mask is not None)
            bits = _bitvalues(mask)
            labels = None
            if m.enum is not None:
                labels = [next((n for n, v, _ in m.enum.entries if v == b), f"{b:#x}") for b in bits]
            out.append(FieldRole(x.path, size, FLAGS, bits, closed=closed, labels=labels))
        elif x.path in strides:
            item = sizing[x.path][1]
            sizes = [type_size(item.type)] + ([item.stride_min] if item.stride_min else [])
            out.append(FieldRole(x.path, size, VALUES, sizes, closed=True))
        elif x.path in sizing:
            limit, item = sizing[x.path]
            hi = limit or (k.max if k is not None else None)
            lo = k.min if k is not None and k.min is not None else 0
            # the grain of a length: a multiple the spec asks for, or a record chain's header
            grain = (k.multiple_of if k is not None and k.multiple_of else
                     type_size(item.header) if item.kind == "records" else 0)
            out.append(FieldRole(x.path, size, SIZE, [grain] if grain > 1 else [], lo, hi))
        elif k is not None and (k.min is not None or k.max is not None or k.multiple_of):
            lo = k.min or 0
            out.append(FieldRole(x.path, size, RANGE, [k.multiple_of] if k.multiple_of else [], lo, k.max))
        elif ID_NAME.search(x.path.split(".")[-1]):
            out.append(FieldRole(x.path, size, ID))
        else:
            out.append(FieldRole(x.path, size, PLAIN))
    return out


def ioctl_number(allow, io):
    """The 32-bit number of an allowed ioctl: the one the spec gives, else
    _IOWR('d', base + nr, sizeof(argument)) as the guests build it."""
    if io.number is not None:
        return io.number
    size = type_size(io.type) if io.type is not None else 0
    return (3 << 30) | ((size & 0x3fff) << 16) | (ord("d") << 8) | ((allow.base + io.nr) & 0xff)


def rest_item(body):
    """The framed item whose length is the rest of the message, or None."""
    items = [i for i in body.framed_items if i.length.op == "rest"]
    return items[0] if items else None


def rest_unit(body):
    """Bytes of one element of the item taking the rest (0: none)."""
    item = rest_item(body)
    if item is None:
        return 0
    return type_size(item.type) if item.kind == "array" else 1


def fixed_length(body):
    """Bytes of a request whose items are all empty: its fixed part, padded."""
    size = body.data_offset
    if body.items and body.pad_to > 1:
        size = (size + body.pad_to - 1) // body.pad_to * body.pad_to
    return size


# -- dictionaries -------------------------------------------------------------

def _le(value, size):
    return (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")


def header_prefix(framing, opcode, length):
    """The first bytes of a request's header: up to its command id and
    length, little-endian, the rest of the header left out."""
    counted = length if framing.counts_header else length - framing.header_size
    end = max(framing.length_offset, framing.cmd_offset) + 4
    b = bytearray(end)
    b[framing.length_offset:framing.length_offset + 4] = _le(counted // framing.unit, 4)
    b[framing.cmd_offset:framing.cmd_offset + 4] = _le(opcode, 4)
    return bytes(b)


def dict_entries(protocol, bodies):
    """(keyword, bytes) of the context's dictionary, each value once: request
    header prefixes and opcodes, request sizes, the values and bits of the
    enums, ioctl numbers, chunk ids, record tags and limits the requests
    use (in their fixed parts, array elements and records)."""
    out, seen = [], set()

    def add(name, data):
        if data not in seen:
            seen.add(data)
            out.append((name, data))

    for msg, req, _ in bodies:
        framing = req.framing
        add(f"hdr_{msg.name}", header_prefix(framing, msg.opcode, fixed_length(req)))
    for msg, req, _ in bodies:
        add(f"cmd_{msg.name}", _le(msg.opcode, 4))
    for msg, req, _ in bodies:
        add(f"size_{msg.name}", _le(fixed_length(req), 4))
    def add_values(prefix, roles):
        for r in roles:
            kind = {VALUES: "value", FLAGS: "bit"}.get(r.role)
            if kind is None:
                continue
            for v, label in zip(r.values, r.labels):
                add(f"{kind}_{prefix}_{_ident(r.path)}_{_ident(label)}", _le(v, r.size))

    for msg, req, _ in bodies:
        add_values(msg.name, field_roles(req))
        # inside the arrays of structs and the records the request carries
        for _, item, roles in element_items(req):
            add_values(f"{msg.name}_{item.name}", roles)
        chain = record_chains(req)
        for r, roles in (chain.kinds if chain else []):
            if chain.tag_size:
                add(f"tag_{msg.name}_{chain.item.name}_{r.name}", _le(r.tag or 0, chain.tag_size))
            add_values(f"{msg.name}_{chain.item.name}_{r.name}", roles)
        for item in req.items:
            if item.max:
                add(f"max_{msg.name}_{item.name}", _le(item.max, 4))
                add(f"over_{msg.name}_{item.name}", _le(item.max + 1, 4))
        for k in req.s.checks:
            f = field_at(req.s, k.field)[0] if k.field else None
            size = f.type.size if f is not None and f.type.kind == "scalar" else 4
            for bound, v in (("min", k.min), ("max", k.max)):
                if v is not None:
                    add(f"{bound}_{msg.name}_{k.field.replace('.', '_')}", _le(v, size))
    for name, value, _ in protocol.defines:
        try:
            v = int(value, 0)
        except ValueError:
            continue
        add(f"define_{name}", _le(v, 8 if v >> 32 else 4))
    return out


def _ident(text):
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def c_values(values):
    """A C initializer list of u64 values."""
    return ", ".join(f"{v:#x}u" for v in values)


def dict_line(name, data):
    """One line of a libFuzzer/AFL dictionary: name="\\xNN...", every byte escaped."""
    return f'{name}="' + "".join(f"\\x{b:02x}" for b in data) + '"'

