"""The protocol model: what the templates and the layout engine work on.

The parser turns a schema-valid spec tree into these objects and resolves
every type name; it does not compute layouts (layout.py) or judge them
(lint.py).
"""

import hashlib
import textwrap
from dataclasses import dataclass, field as dc_field
from typing import List, Optional

from . import xmltree
from .errors import SpecError


@dataclass
class Scalar:
    name: str
    c_type: str
    size: int
    signed: bool
    lp64_align: int
    ilp32_align: int
    kind = "scalar"

    def align(self, abi):
        return self.lp64_align if abi == "lp64" else self.ilp32_align


SCALARS = {
    "u8": Scalar("u8", "uint8_t", 1, False, 1, 1),
    "u16": Scalar("u16", "uint16_t", 2, False, 2, 2),
    "u32": Scalar("u32", "uint32_t", 4, False, 4, 4),
    "u64": Scalar("u64", "uint64_t", 8, False, 8, 4),
    "i8": Scalar("i8", "int8_t", 1, True, 1, 1),
    "i16": Scalar("i16", "int16_t", 2, True, 2, 2),
    "i32": Scalar("i32", "int32_t", 4, True, 4, 4),
    "i64": Scalar("i64", "int64_t", 8, True, 8, 4),
    "char": Scalar("char", "char", 1, True, 1, 1),
    # A plain int on the wire: 4 bytes on every ABI the protocol runs on,
    # but not by the language's promise; lint.py flags it.
    "int": Scalar("int", "int", 4, True, 4, 4),
}


def doc_text(node):
    """The normalized text of node's <doc>: paragraphs kept, lines rewrapped later."""
    doc = node.find("doc") if node is not None else None
    if doc is None:
        return ""
    return textwrap.dedent(doc.text).strip()


@dataclass
class Expr:
    op: str                 # fieldref const sizeof rest add mul ioc-size ioc-out-size sumof
    args: list
    name: Optional[str] = None      # fieldref: field path; sumof: array item name
    scope: str = "self"             # fieldref: self | request | record
    value: int = 0
    line: int = 0
    field: Optional[str] = None     # sumof: field path inside the array's element


@dataclass
class Check:
    """A rule a decoder enforces on a fixed field, or a relation (le) of two expressions."""
    field: Optional[str]
    name: Optional[str]
    min: Optional[int]
    max: Optional[int]
    max_ref: Optional[str]      # the <define> naming max, when it is one
    multiple_of: Optional[int]
    one_of: Optional[list]
    mask: Optional[int]
    le: Optional[tuple]
    upstream: Optional[str]     # the deployed host does not make this check
    doc: str
    line: int


@dataclass
class Enum:
    """Named values (kind values) or bits (kind flags) a field takes. A closed
    one is law: decoders reject anything else."""
    name: str
    kind: str               # values | flags
    emit: str               # enum | defines | none (the UAPI header defines the names)
    closed: bool
    doc: str
    entries: list           # (name, value, doc)
    line: int

    @property
    def mask(self):
        m = 0
        for _, v, _ in self.entries:
            m |= v
        return m


@dataclass
class Ioctl:
    """An ioctl an allow-list forwards: its number relative to the list's base,
    its full number when the host compares all 32 bits, and the type of its
    argument (the payload a decoder checks and returns typed)."""
    name: str
    nr: int
    number: Optional[int]
    doc: str
    type: object = None     # Struct or Scalar
    checks: list = dc_field(default_factory=list)   # rules on the argument's fields


@dataclass
class IoctlAllow:
    base: int
    max_size: int
    doc: str
    ioctls: list            # Ioctl

    @property
    def numbers(self):
        """name -> full ioctl number, for the ioctls that give one."""
        return {i.name: i.number for i in self.ioctls if i.number is not None}


@dataclass(kw_only=True)
class Member:
    """What every member of a struct has: fields (scalars, arrays, groups),
    unions and the inline structs of a union. The layout engine fills offset,
    layout and abi_align; nothing else is set after construction."""
    name: Optional[str]
    doc: str
    line: int
    since: int = 1
    build_condition: Optional[str] = None
    lint_exempt: tuple = ()                         # lint rules the deployed bytes break on purpose
    upstream: tuple = ()                            # what the deployed host or declaration does that is not law
    offset: dict = dc_field(default_factory=dict)   # abi -> byte offset in the enclosing struct
    layout: dict = dc_field(default_factory=dict)   # abi -> (size, align), arrays whole
    bits: Optional[int] = None
    bit_offset: int = 0                             # bitfields: position in the storage unit
    abi_align: Optional[int] = None                 # layout: the LP64 alignment the declaration states (ILP32 would place it elsewhere)
    dims = ()
    is_group = False

    def size(self, abi="lp64"):
        return self.layout[abi][0]

    @property
    def defect(self):
        """The upstream defects the element carries, for the docs ("" if none)."""
        return " ".join(self.lint_exempt + self.upstream)

    @property
    def checked_zero(self):
        return False


@dataclass(kw_only=True)
class Field(Member):
    """A scalar, an array of scalars or structs, or a group (an anonymous struct type)."""
    type: object            # Scalar or Struct
    dims: List[int] = dc_field(default_factory=list)
    must_be_zero: bool = False
    padding: bool = False
    ignored: bool = False           # the host ignores the value and clears it: decoders accept any
    guest: Optional[str] = None     # the guest code that decides how the field is filled
    enum: Optional[Enum] = None
    ret: Optional[str] = None
    ioctl_allow: Optional[IoctlAllow] = None
    kind = "field"

    @property
    def count(self):
        n = 1
        for d in self.dims:
            n *= d
        return n

    @property
    def checked_zero(self):
        """Whether decoders reject a non-zero value (an ignored field is cleared instead)."""
        return (self.must_be_zero or self.padding) and not self.ignored

    @property
    def is_group(self):
        return self.type.kind == "struct" and self.type.anonymous


@dataclass(kw_only=True)
class Union(Member):
    selector: Optional[str] = None
    members: list = dc_field(default_factory=list)  # inline Structs or Fields
    kind = "union"


@dataclass(kw_only=True)
class Struct(Member):
    """A named struct (a type), an inline struct inside a union (a member), or
    the anonymous struct of a <group>."""
    origin: str             # wire uapi libdrm inline
    members: list
    file: str
    header: Optional[str] = None
    align_attr: Optional[int] = None
    when: Optional[str] = None
    tail: Optional["Tail"] = None
    guard: Optional[str] = None
    defined_by: Optional[str] = None
    anonymous: bool = False         # a <group>: declared inline, used once
    checks: list = dc_field(default_factory=list)
    exact: bool = False             # a body without a tail whose hdr.len must equal its size
    message: Optional["Message"] = None     # the message whose request or response this is
    macros: list = dc_field(default_factory=list)   # Macros declared inside the struct
    tail_offset: dict = dc_field(default_factory=dict)  # abi -> where the tail starts
    trailer: list = dc_field(default_factory=list)  # Items after the framed part, outside its length
    framing: Optional["Framing"] = None     # a message body: how its header frames it
    size_macro: Optional[str] = None        # a request: the macro giving its length (upstream's *_SIZE)
    max_length: Optional[int] = None        # a request: the largest length its header may give (framing units)
    max_length_ref: Optional[str] = None    # the <define> naming it
    kind = "struct"

    def fields(self):
        return [m for m in self.members if m.kind == "field"]

    @property
    def items(self):
        """The variable parts in order: the tail's items, then the trailer's."""
        return (self.tail.items if self.tail else []) + self.trailer

    @property
    def has_zero_checks(self):
        return any(m.kind == "field" and (m.checked_zero or
                   (m.type.kind == "struct" and m.type.has_zero_checks)) for m in self.members)


@dataclass
class Slot:
    """One member reached by walk(): its C path from the walked struct (an
    anonymous union has none of its own: its path is its parent's), the
    member, the struct or union holding it, its offset from the walked
    struct on each ABI, the build condition it depends on, and whether it
    overlaps others in a union."""
    path: str
    member: Member
    parent: Member
    offset: dict
    condition: Optional[str]
    in_union: bool


def walk(s, into_types=False):
    """Every member of s, depth first, with its path and offsets: through
    groups, unions (named ones add their name to the path) and the inline
    structs of unions; into named struct types too when into_types. A member
    after a build-conditional one moves with that condition."""
    def visit(struct, prefix, base, cond, in_union):
        for m in struct.members:
            cond = m.build_condition or cond
            off = {abi: base[abi] + m.offset[abi] for abi in base}
            yield Slot(prefix + m.name if m.name else prefix.rstrip("."), m, struct, off, cond, in_union)
            if m.kind == "union":
                uprefix = f"{prefix}{m.name}." if m.name else prefix
                for u in m.members:
                    uoff = {abi: off[abi] + u.offset.get(abi, 0) for abi in off}
                    yield Slot(uprefix + u.name, u, m, uoff, cond, True)
                    inner = u if u.kind == "struct" else (u.type if u.is_group else None)
                    if inner is not None:
                        yield from visit(inner, f"{uprefix}{u.name}.", uoff, cond, True)
            elif m.is_group or (into_types and m.type.kind == "struct" and not m.dims):
                yield from visit(m.type, f"{prefix}{m.name}.", off, cond, in_union)

    return visit(s, "", {"lp64": 0, "ilp32": 0}, None, False)


def struct_levels(s):
    """s and every struct declared inside it: group types and the inline
    structs of its unions (not named struct types), outermost first."""
    return [s] + [x.member.type if x.member.kind == "field" else x.member for x in walk(s)
                  if x.member.kind == "struct" or x.member.is_group]


def field_at(s, path):
    """(member, lp64 offset) of a dotted C path in s, through groups, unions
    and embedded structs; (None, None) when s has no such member."""
    for slot in walk(s, into_types=True):
        if slot.member.name and slot.path == path:
            return slot.member, slot.offset["lp64"]
    return None, None


@dataclass
class Macro:
    name: str
    kind: str               # shmem-has-field | define-cast
    doc: str
    member: Optional[str] = None    # shmem-has-field: the member holding the base struct


@dataclass
class Chunk:
    name: str
    id: int
    type: object
    size: str               # exact | at-least | array | any
    align: int
    max_count: Optional[int]
    upstream: Optional[str]
    doc: str
    checks: list = dc_field(default_factory=list)  # rules on the first struct of the chunk (exact, at-least)

    @property
    def defect(self):
        return self.upstream or ""


@dataclass
class Record:
    name: str
    tag: Optional[int]
    type: object
    checks: list
    item: Optional["Item"]
    upstream: Optional[str]
    doc: str

    @property
    def defect(self):
        return self.upstream or ""


@dataclass
class Variant:
    """What a bytes item holds when its selector has a value."""
    value: int
    name: Optional[str]     # the value's name (an enum entry)
    type: object
    doc: str


@dataclass
class Variants:
    selector: str           # field path
    scope: str              # self | request | record
    doc: str
    cases: list             # Variant
    line: int


@dataclass
class Item:
    kind: str               # array | bytes | chunks | records
    name: str
    type: object            # element type for arrays, u8 for bytes
    content: Optional[str]
    length: Expr            # count (arrays, elements) or length (bytes, in `unit`)
    unit: str
    host_length: Optional[Expr]
    stride: Optional[Expr]
    max: Optional[int]
    doc: str
    line: int
    max_ref: Optional[str] = None   # the <define> naming max, when it is one
    stride_min: Optional[int] = None
    # chunks: table item name, descriptor field names, length unit, kinds
    table: Optional[str] = None
    id_field: Optional[str] = None
    offset_field: Optional[str] = None
    length_field: Optional[str] = None
    chunk_unit: str = "bytes"
    chunks: list = dc_field(default_factory=list)
    # records: header struct, tag path, kinds
    header: object = None
    tag: Optional[str] = None
    records: list = dc_field(default_factory=list)
    # bytes: the structs they hold, chosen by a field
    variants: Optional[Variants] = None
    trailer: bool = False           # after the framed part: the header's length does not count it


@dataclass
class Tail:
    name: str
    type: Scalar
    pad_to: int
    exact: bool
    items: List[Item]
    line: int


@dataclass
class Framing:
    """How a header frames a message: the header struct a body begins with
    (its member hdr), the header's fields holding the length and the command
    id, the length's unit, whether it counts the header, and the multiple the
    length is padded to (the ccmd stream's request alignment)."""
    header: Struct
    length: str                 # path of the length field in the header
    cmd: Optional[str]          # path of the command id in the header; None when it has none
    unit: int                   # 1 (bytes) or 4 (dwords)
    counts_header: bool
    align: int
    c_name: str = ""            # the generated struct vdrm_framing describing it

    @property
    def header_size(self):
        return self.header.size()

    @property
    def length_offset(self):
        return field_at(self.header, self.length)[1]

    @property
    def cmd_offset(self):
        return field_at(self.header, self.cmd)[1] if self.cmd else -1

    @property
    def length_name(self):
        """The length field as errors name it: hdr and the field's own name."""
        return "hdr." + self.length.split(".")[-1]

    @property
    def unit_name(self):
        return "bytes" if self.unit == 1 else "dwords"

    def same(self, other):
        return (self.header is other.header and self.length == other.length and self.cmd == other.cmd and
                self.unit == other.unit and self.counts_header == other.counts_header and
                self.align == other.align)


@dataclass
class Fd:
    """A file descriptor that travels with a message (SCM_RIGHTS on a one-byte
    carrier after the message's bytes), always or when a field of the request
    has a bit of mask set."""
    name: str
    direction: str              # request | response
    when: Optional[str]         # field path of the request
    mask: Optional[int]
    mask_ref: Optional[str]     # the enum entry or define naming mask
    doc: str
    line: int


@dataclass
class Message:
    name: str
    opcode: int
    response_kind: str
    since: int
    doc: str
    line: int
    request: Struct = None
    response: Optional[Struct] = None
    response_shared: bool = False   # the response is an existing wire struct
    reply_cmd: Optional[int] = None  # the command id the response header carries
    reply_name: Optional[str] = None  # the message whose opcode that is
    fds: list = dc_field(default_factory=list)   # Fd

    def fds_of(self, direction):
        return [f for f in self.fds if f.direction == direction]

    @property
    def lower(self):
        return self.name.lower()


@dataclass
class Protocol:
    name: str
    path: str
    file: str
    guard: str
    context: Optional[str]
    alignment: int
    doc: str
    summary: str
    digest: str
    defines: list = dc_field(default_factory=list)
    enums: list = dc_field(default_factory=list)
    structs: list = dc_field(default_factory=list)
    shmem: Optional[Struct] = None
    macros: list = dc_field(default_factory=list)
    rules: list = dc_field(default_factory=list)
    messages: list = dc_field(default_factory=list)
    msg_enum: Optional[str] = None
    msg_prefix: str = ""
    msg_last: str = ""
    msg_macro: str = ""
    struct_prefix: str = ""
    req_header: str = "vdrm_ccmd_req"     # the header every request starts with
    rsp_header: str = "vdrm_ccmd_rsp"
    req_framing: Optional[Framing] = None
    rsp_framing: Optional[Framing] = None
    size_assert: Optional[str] = None
    cast_macro: Optional[str] = None
    base: Optional["Protocol"] = None

    @property
    def ccmd(self):
        """Whether the requests ride the vdrm ccmd stream (EXECBUFFER payloads): a DRM native context."""
        return self.context is not None

    def framings(self):
        """The distinct framings of the protocol's bodies, the request and response framings first."""
        out = [f for f in (self.req_framing, self.rsp_framing) if f is not None]
        for m in self.messages:
            for s in (m.request, m.response):
                if s is not None and s.framing is not None and all(s.framing is not f for f in out):
                    out.append(s.framing)
        return out

    @property
    def msg_count(self):
        """Rows of the dispatch table: the largest opcode plus one."""
        return max(m.opcode for m in self.messages) + 1 if self.messages else 0

    def transport_macro(self, kind):
        """The transport's macro of a kind (e.g. define-cast), which every context uses."""
        return next(m for m in (self.base or self).macros if m.kind == kind)

    def all_structs(self):
        """Named structs in dependency order, base protocol's excluded."""
        out = list(self.structs)
        if self.shmem:
            out.append(self.shmem)
        for m in self.messages:
            out.append(m.request)
            if m.response and not m.response_shared:
                out.append(m.response)
        return out


UNITS = {"bytes": 1, "dwords": 4}


def default_length(header):
    """The length field of a header that names none: its field len, else that of
    the struct it begins with (amdgpu_ccmd_rsp begins with vdrm_ccmd_rsp hdr)."""
    if any(m.kind == "field" and m.name == "len" for m in header.members):
        return "len"
    first = header.members[0] if header.members else None
    if first is not None and first.kind == "field" and first.type.kind == "struct" and not first.dims:
        inner = default_length(first.type)
        return f"{first.name}.{inner}" if inner else None
    return None


def walk_fields(s):
    """walk() into named struct types, before layout (offsets not needed)."""
    def visit(struct, prefix):
        for m in struct.members:
            if m.kind != "field":
                continue
            yield Slot(prefix + m.name, m, struct, {}, None, False)
            if m.type.kind == "struct" and not m.dims:
                yield from visit(m.type, f"{prefix}{m.name}.")
    return visit(s, "")


def _defects(node):
    """The lint-exempt and upstream attributes of an element, as model fields."""
    return dict(lint_exempt=tuple(node.get("lint-exempt", "").split()),
                upstream=tuple(node.get("upstream", "").split()))


def _defect_text(node):
    """Both defect attributes of an element only documented (chunks, records), as one text."""
    return " ".join(filter(None, (node.get("lint-exempt"), node.get("upstream")))) or None


def _int(text):
    return int(text, 0)


def _opt_int(node, name):
    """An optional numeric attribute: its value, or None when absent."""
    return _int(node.get(name)) if node is not None and node.get(name) else None


class Parser:
    def __init__(self, path, base=None, digest=""):
        self.path = path
        self.digest = digest
        self.base = base
        self.types = dict(SCALARS)
        self.enums = {e.name: e for e in base.enums} if base else {}
        self.defines = {name: value for name, value, _ in base.defines} if base else {}
        if base:
            for s in base.structs:
                self.types[s.name] = s
            if base.shmem:
                self.types[base.shmem.name] = base.shmem

    def resolve(self, node, name):
        t = self.types.get(name)
        if t is None:
            raise node.error(f"unknown type '{name}'")
        return t

    def limit(self, node, name):
        """(value, define name or None) of a numeric attribute that may name a <define>."""
        text = node.get(name)
        if text is None or text[0].isdigit():
            return (_int(text) if text is not None else None), None
        if text not in self.defines:
            raise node.error(f"{name}=\"{text}\" names no <define>")
        try:
            return _int(self.defines[text]), text
        except ValueError:
            raise node.error(f"{name}=\"{text}\": the define's value {self.defines[text]} is not a number")

    def enum_ref(self, node):
        name = node.get("enum")
        if name is None:
            return None
        if name not in self.enums:
            raise node.error(f"unknown enum '{name}'")
        return self.enums[name]

    def expr(self, node):
        op = node.tag
        e = Expr(op, [], line=node.line)
        if op == "fieldref":
            e.name = node.get("name")
            e.scope = node.get("scope", "self")
        elif op == "sumof":
            e.name = node.get("array")
            e.field = node.get("field")
        elif op == "const":
            e.value = _int(node.get("value"))
        elif op == "sizeof":
            t = self.resolve(node, node.get("type"))
            e.name = t.name
            e.value = t.size if t.kind == "scalar" else None
            e.args = [t]
        else:
            e.args = [self.expr(c) for c in node.children]
        return e

    def field(self, node):
        allow = None
        an = node.find("ioctl-allow")
        if an is not None:
            allow = IoctlAllow(_int(an.get("base")), _int(an.get("max-size")), doc_text(an),
                               [Ioctl(i.get("name"), _int(i.get("nr")), _opt_int(i, "number"), doc_text(i),
                                      self.resolve(i, i.get("type")) if i.get("type") else None,
                                      [self.check(k) for k in i.findall("check")])
                                for i in an.findall("ioctl")])
        dims = [int(d) for d in node.get("count", "").split()] if node.get("count") else []
        return Field(
            name=node.get("name"), type=self.resolve(node, node.get("type")), dims=dims,
            bits=_opt_int(node, "bits"),
            must_be_zero=node.get("must-be-zero") in ("true", "1"),
            padding=node.get("padding") in ("true", "1"),
            ignored=node.get("ignored") in ("true", "1"), guest=node.get("guest"),
            since=int(node.get("since", "1")), enum=self.enum_ref(node), ret=node.get("ret"),
            build_condition=node.get("build-condition"), **_defects(node),
            doc=doc_text(node), line=node.line, ioctl_allow=allow)

    def members(self, node):
        out = []
        for c in node.children:
            if c.tag == "field":
                out.append(self.field(c))
            elif c.tag == "union":
                members = [self.struct(m, origin="inline") if m.tag == "struct" else self.field(m)
                           for m in c.children if m.tag in ("struct", "field")]
                out.append(Union(name=c.get("name"), selector=c.get("selector"), members=members,
                                 doc=doc_text(c), line=c.line))
            elif c.tag == "group":
                inner = self.struct(c, origin="inline", anonymous=True)
                out.append(Field(name=c.get("name"), type=inner, doc=doc_text(c), line=c.line))
        return out

    def check(self, node):
        le = node.find("le")
        one_of = node.get("one-of")
        max_value, max_ref = self.limit(node, "max")
        return Check(field=node.get("field"), name=node.get("name"), min=_opt_int(node, "min"),
                     max=max_value, max_ref=max_ref,
                     multiple_of=_opt_int(node, "multiple-of"),
                     one_of=[_int(v) for v in one_of.split()] if one_of else None, mask=_opt_int(node, "mask"),
                     le=tuple(self.expr(c) for c in le.children) if le is not None else None,
                     upstream=node.get("upstream"), doc=doc_text(node), line=node.line)

    def struct(self, node, origin=None, anonymous=False):
        return Struct(name=node.get("name"), origin=origin or node.get("origin"),
                      header=node.get("header"), align_attr=_opt_int(node, "align"),
                      **_defects(node), doc=doc_text(node), members=self.members(node),
                      line=node.line, file=self.path, when=node.get("when"), guard=node.get("guard"),
                      defined_by=node.get("defined-by"), anonymous=anonymous)

    def item(self, c):
        length = c.find("count") if c.tag == "array" else c.find("length")
        host = c.find("host-length")
        stride = c.find("stride")
        elem = self.resolve(c, c.get("type")) if c.tag == "array" else SCALARS["u8"]
        it = Item(
            kind=c.tag, name=c.get("name"), type=elem, content=c.get("content", "data"),
            length=self.expr(length.children[0]),
            unit="elements" if c.tag == "array" else length.get("unit"),
            host_length=self.expr(host.children[0]) if host is not None else None,
            stride=self.expr(stride.children[0]) if stride is not None else None,
            max=self.limit(c, "max")[0], max_ref=self.limit(c, "max")[1],
            doc=doc_text(c), line=c.line,
            stride_min=_opt_int(stride, "min"))
        v = c.find("variants")
        if v is not None:
            it.variants = Variants(v.get("selector"), v.get("scope", "self"), doc_text(v),
                                   [Variant(_int(x.get("value")), x.get("name"), self.resolve(x, x.get("type")),
                                            doc_text(x)) for x in v.findall("variant")], v.line)
        if c.tag == "chunks":
            it.table = c.get("table")
            it.id_field = c.get("id-field")
            it.offset_field = c.get("offset-field")
            it.length_field = c.get("length-field")
            it.chunk_unit = c.get("length-unit")
            it.chunks = [Chunk(k.get("name"), _int(k.get("id")), self.resolve(k, k.get("type")), k.get("size"),
                               _int(k.get("align", "1")),
                               _opt_int(k, "max-count"),
                               _defect_text(k), doc_text(k), [self.check(x) for x in k.findall("check")])
                         for k in c.findall("chunk")]
        elif c.tag == "records":
            it.header = self.resolve(c, c.get("header"))
            it.tag = c.get("tag")
            for r in c.findall("record"):
                sub = [x for x in r.children if x.tag in ("array", "bytes")]
                it.records.append(Record(r.get("name"), _opt_int(r, "tag"),
                                         self.resolve(r, r.get("type")),
                                         [self.check(k) for k in r.findall("check")],
                                         self.item(sub[0]) if sub else None, _defect_text(r), doc_text(r)))
        return it

    def tail(self, node):
        items = [self.item(c) for c in node.children]
        return Tail(node.get("name"), SCALARS[node.get("type")], int(node.get("pad-to", "1")),
                    node.get("exact") in ("true", "1"), items, node.line)

    def trailer(self, node):
        items = [self.item(c) for c in node.children] if node is not None else []
        for it in items:
            it.trailer = True
        return items

    def body(self, node, name, framing, doc, msg):
        hdr = Field(name="hdr", type=framing.header, doc="", line=node.line)
        t = node.find("tail")
        unit = node.get("length-unit")
        if unit is not None and UNITS[unit] != framing.unit:
            framing = Framing(framing.header, framing.length, framing.cmd, UNITS[unit], framing.counts_header,
                              framing.align, c_name=f"{name}_framing")
        return Struct(name=name, origin="wire", align_attr=_opt_int(node, "align"),
                      **_defects(node), doc=doc, members=[hdr] + self.members(node),
                      line=node.line, file=self.path, checks=[self.check(c) for c in node.findall("check")],
                      exact=node.get("exact") in ("true", "1"), tail=self.tail(t) if t is not None else None,
                      message=msg, trailer=self.trailer(node.find("trailer")), framing=framing,
                      size_macro=node.get("size-macro"), max_length=self.limit(node, "max-length")[0],
                      max_length_ref=self.limit(node, "max-length")[1])

    def header_field(self, node, attr, header, path, required):
        """The path of a u32 field of header that an attribute of <messages> names
        (or that the default path gives), checked; None when absent and not required."""
        if path is None:
            if required:
                raise node.error(f"struct {header.name} has no field len; name its length with length-field")
            return None
        f = next((x.member for x in walk_fields(header) if x.path == path), None)
        if f is None or f.type.name != "u32" or f.dims:
            raise node.error(f"{attr}=\"{path}\" is not a u32 field of struct {header.name}")
        return path

    def framing(self, node, header, align):
        """The framing of one direction's messages, from the attributes of <messages>."""
        length = node.get("length-field") or default_length(header)
        cmd = node.get("cmd-field") or ("cmd" if any(m.name == "cmd" for m in header.members) else None)
        length = self.header_field(node, "length-field", header, length, True)
        cmd = self.header_field(node, "cmd-field", header, cmd, False)
        return Framing(header, length, cmd, UNITS[node.get("length-unit", "bytes")],
                       node.get("length-counts-header", "true") in ("true", "1"), align)

    def fd(self, node):
        mask, ref = None, None
        text = node.get("mask")
        if text is not None:
            entries = {n: v for e in self.enums.values() for n, v, _ in e.entries}
            if text in entries:
                mask, ref = entries[text], text
            else:
                mask, ref = self.limit(node, "mask")
        return Fd(node.get("name"), node.get("direction"), node.get("when"), mask, ref, doc_text(node), node.line)

    def parse(self, root):
        doc = root.find("doc")
        p = Protocol(name=root.get("name"), path=self.path, file=root.get("file"),
                     guard=root.get("include-guard"), context=root.get("context"),
                     alignment=int(root.get("alignment", "8")), doc=doc_text(root),
                     summary=doc.get("summary", "") if doc is not None else "",
                     digest=self.digest, base=self.base)
        for c in root.children:
            if c.tag == "define":
                p.defines.append((c.get("name"), c.get("value"), doc_text(c)))
                self.defines[c.get("name")] = c.get("value")
            elif c.tag == "enum":
                e = Enum(c.get("name"), c.get("kind", "values"), c.get("c-emit", "enum"),
                         c.get("closed") in ("true", "1"), doc_text(c),
                         [(x.get("name"), _int(x.get("value")), doc_text(x)) for x in c.findall("entry")],
                         c.line)
                self.enums[e.name] = e
                p.enums.append(e)
            elif c.tag == "struct":
                s = self.struct(c)
                self.types[s.name] = s
                p.structs.append(s)
            elif c.tag == "shmem":
                s = Struct(name=c.get("name"), origin="wire", doc=doc_text(c), members=self.members(c),
                           line=c.line, file=self.path)
                self.types[s.name] = s
                p.shmem = s
            elif c.tag == "macro":
                macro = Macro(c.get("name"), c.get("kind"), doc_text(c), c.get("member"))
                if c.get("struct"):
                    self.resolve(c, c.get("struct")).macros.append(macro)
                else:
                    p.macros.append(macro)
            elif c.tag == "transport":
                p.rules = [(r.get("id"), doc_text(r)) for r in c.findall("rule")]
            elif c.tag == "messages":
                p.msg_enum = c.get("enum")
                p.msg_prefix = c.get("prefix")
                p.msg_last = c.get("last")
                p.msg_macro = c.get("macro")
                p.struct_prefix = c.get("struct-prefix")
                p.req_header = c.get("req-header", "vdrm_ccmd_req")
                p.rsp_header = c.get("rsp-header", "vdrm_ccmd_rsp")
                req_hdr = self.header(c, p.req_header)
                rsp_hdr = self.header(c, p.rsp_header)
                p.size_assert = c.get("size-assert")
                p.cast_macro = c.get("cast-macro")
                p.req_framing = self.framing(c, req_hdr, int(c.get("length-align", p.alignment)))
                p.req_framing.c_name = f"{p.name}_request_framing"
                # Responses are not padded to the stream's alignment; only a
                # header of their own has a command id.
                p.rsp_framing = self.framing(c, rsp_hdr, 1)
                p.rsp_framing.c_name = f"{p.name}_response_framing"
                replies = []
                for m in c.findall("message"):
                    msg = Message(m.get("name"), _int(m.get("opcode")), m.get("response"),
                                  int(m.get("since", "1")), doc_text(m), m.line)
                    lower = msg.name.lower()
                    msg.request = self.body(m.find("request"), f"{p.struct_prefix}{lower}_req",
                                            p.req_framing, msg.doc, msg)
                    rsp = m.find("response")
                    if rsp is not None and rsp.get("type"):
                        msg.response = self.resolve(rsp, rsp.get("type"))
                        if msg.response.kind != "struct":
                            raise rsp.error(f"response type '{msg.response.name}' is not a struct")
                        msg.response_shared = True
                    elif rsp is not None:
                        msg.response = self.body(rsp, f"{p.struct_prefix}{lower}_rsp",
                                                 p.rsp_framing, "", msg)
                        replies.append((msg, rsp))
                    msg.fds = [self.fd(x) for x in m.findall("fd")]
                    p.messages.append(msg)
                opcodes = {m.name: m.opcode for m in p.messages}
                for msg, rsp in replies:
                    if p.rsp_framing.cmd is None:
                        if rsp.get("cmd"):
                            raise rsp.error(f"cmd=\"{rsp.get('cmd')}\": struct {p.rsp_header} has no command id")
                        continue
                    name = rsp.get("cmd", msg.name)
                    if name not in opcodes:
                        raise rsp.error(f"cmd=\"{name}\" names no message")
                    msg.reply_cmd = opcodes[name]
                    msg.reply_name = name
        return p

    def header(self, node, name):
        t = self.resolve(node, name)
        if t.kind != "struct":
            raise node.error(f"header '{name}' is not a struct")
        return t


def load(path, schema, base=None, data=None):
    """Parse, schema-check and model one spec file."""
    if data is None:
        with open(path, "rb") as f:
            data = f.read()
    root = xmltree.parse(path, data)
    schema.validate(root)
    return Parser(path, base, hashlib.sha256(data).hexdigest()).parse(root)
