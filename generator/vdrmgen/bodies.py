"""What the codec templates ask about a request or a response: its size
and encode parameters, the checks its decoder makes, its padding gaps."""

from . import cexpr
from .layout import ABIS
from .model import field_at, walk
from .text import c_type


class MessageBody:
    """What the codec templates need to know about a request or a response."""

    def __init__(self, protocol, msg, s, is_request, emit=True):
        self.emit = emit    # False for a shared response struct already emitted
        self.p = protocol
        self.msg = msg
        self.s = s
        self.is_request = is_request
        self.name = s.name
        self.tail = s.tail
        self.items = s.items
        self.framed_items = [i for i in self.items if not i.trailer]
        self.trailer_items = [i for i in self.items if i.trailer]
        self.framing = s.framing or (protocol.req_framing if is_request else protocol.rsp_framing)
        self.data_offset = s.tail_offset["lp64"] if s.tail else s.size()
        self.size = s.size()
        self.min_size = self._min_size()
        self.command = msg.name

    def _min_size(self):
        """Bytes a sender must send: everything before the first field a later
        revision added, else the whole fixed part."""
        later = [m for m in self.s.members if m.since > self.msg.since]
        if later:
            return later[0].offset["lp64"]
        return self.data_offset

    @property
    def struct(self):
        return f"struct {self.name}"

    def offsetof(self, path):
        return f"offsetof(struct {self.name}, {path})"

    @property
    def data_offset_c(self):
        """C expression of where the variable part starts (the end of the fixed part)."""
        return self.offsetof(self.tail.name) if self.tail else f"sizeof(struct {self.name})"

    @property
    def min_size_c(self):
        later = [m for m in self.s.members if m.since > self.msg.since]
        return self.offsetof(later[0].name) if later else self.data_offset_c

    @property
    def len_offset_c(self):
        return self.offsetof(self.len_path)

    @property
    def header_type(self):
        """The transport header the body starts with (vdrm_ccmd_req for requests)."""
        return self.s.members[0].type.name

    @property
    def checks_fixed_part(self):
        """Whether the decoder checks or clears anything beyond hdr.len."""
        return bool(self.padding_gaps() or self.zero_checks() or self.fixed_checks() or
                    self.enum_checks() or self.ioctl_checks() or self.s.exact or self.cleared_fields() or
                    self.reply_cmd is not None or self.s.max_length is not None)

    @property
    def pad_to(self):
        """What the encoded framed part is rounded up to when it has a tail: the
        tail's pad-to, the length's unit and, for a request, the framing's
        alignment (the ccmd stream rule)."""
        pad = self.tail.pad_to if self.tail else 1
        if self.tail:
            pad = max(pad, self.framing.unit, self.framing.align if self.is_request else 1)
        return pad

    @property
    def tail_exact_check(self):
        """Whether the decoder checks that the length frames exactly the content: a
        tail marked exact whose last item does not take the rest (which ends where
        the length does by construction)."""
        return bool(self.tail and self.tail.exact and
                    not (self.framed_items and self.framed_items[-1].length.op == "rest"))

    @property
    def framing_c(self):
        """The struct vdrm_framing of this body, as a C pointer."""
        return "&" + self.framing.c_name

    @property
    def cmd_c(self):
        """The command id the encoder stores in the header (0 when the header has none)."""
        if self.is_request:
            return self.p.msg_prefix + self.msg.name
        return self.reply_cmd or "0"

    @property
    def reply_cmd(self):
        """C name of the command id a response header must carry, or None."""
        if self.is_request or self.framing.cmd is None or self.msg.reply_name is None:
            return None
        return self.p.msg_prefix + self.msg.reply_name

    @property
    def cmd_path(self):
        return ("" if not self.is_request and self.msg.response_shared else "hdr.") + self.framing.cmd

    @property
    def max_bytes_c(self):
        """C expression (uint64_t) of the most bytes a request's framed part may have, or None."""
        if self.s.max_length is None:
            return None
        f = self.framing
        limit = self.s.max_length_ref or f"{self.s.max_length}u"
        extra = "" if f.counts_header else f" + sizeof(struct {f.header.name})"
        return f"((uint64_t){limit}{f' * {f.unit}u' if f.unit != 1 else ''}{extra})"

    @property
    def has_extent(self):
        """Whether a request has an extent function of its own: a trailer or a length limit."""
        return self.is_request and bool(self.trailer_items or self.s.max_length is not None)

    def item_limit(self, item):
        """The C variable bounding an item: the framed part's bytes, or the
        buffer's for an item of the trailer."""
        return "limit" if item.trailer else "msg_len"

    def trailer_bytes(self, prefix):
        """C expression (uint64_t) of the bytes the trailer occupies."""
        return " + ".join(self.item_bytes(i, prefix) for i in self.trailer_items) or "0"

    @property
    def size_macro_value(self):
        """The value of the request's size macro: its fixed part's length in the framing's unit."""
        f = self.framing
        counted = self.size - (0 if f.counts_header else f.header_size)
        return counted // f.unit

    @property
    def view(self):
        return f"{self.name}_view" if self.items else None

    # -- size and encode ---------------------------------------------------
    def _size_fields(self):
        """(C type, parameter name, field path) of the fields that size the message, in order."""
        out, seen = [], set()
        for item in self.items:
            exprs = [item.length] + ([item.stride] if item.stride is not None else [])
            if item.length.op == "rest":
                out.append(("uint32_t", f"{item.name}_{self.rest_param(item)}", None))
                exprs = exprs[1:]
            for e in exprs:
                for path in cexpr.fieldrefs(e):
                    if path in seen:
                        continue
                    seen.add(path)
                    f, _ = field_at(self.s, path)
                    out.append((f.type.c_type, path.replace(".", "_"), path))
        return out

    def size_params(self):
        """(C type, name) parameters of the size function."""
        return [(t, n) for t, n, _ in self._size_fields()]

    @staticmethod
    def rest_param(item):
        """What the parameter of an item taking the rest says: elements of an array, bytes else."""
        return "count" if item.kind == "array" else "size"

    def item_bytes(self, item, prefix):
        """C expression (uint64_t) of the bytes item occupies."""
        if item.length.op == "rest" and item.kind == "array":
            return f"(uint64_t){item.name}_count * sizeof({c_type(item.type)})"
        if item.length.op == "rest":
            return f"(uint64_t){item.name}_size"
        n = cexpr.render(item.length, prefix)
        if item.kind == "array" and item.stride is not None:
            return f"(uint64_t){n} * (uint64_t){cexpr.render(item.stride, prefix)}"
        if item.kind == "array":
            return f"(uint64_t){n} * sizeof({c_type(item.type)})"
        if item.unit == "dwords":
            return f"(uint64_t){n} * 4u"
        return f"(uint64_t){n}"

    def encode_params(self):
        out = []
        for item in self.items:
            if item.kind == "array":
                out.append(f"const {c_type(item.type)} *{item.name}")
            else:
                out.append(f"const void *{item.name}")
            if item.length.op == "rest":
                out.append(f"uint32_t {item.name}_{self.rest_param(item)}")
        return out

    def size_call(self, prefix):
        args = [n if path is None else f"{prefix}{path}" for _, n, path in self._size_fields()]
        return f"{self.name}_size({', '.join(args)})"

    @property
    def len_path(self):
        """C path of the message's length field (hdr.len, or deeper for amdgpu responses)."""
        if not self.is_request and self.msg.response_shared:
            return self.framing.length      # the response is the header struct itself
        return "hdr." + self.framing.length

    @property
    def cmd_name(self):
        return self.msg.name

    # -- decode ------------------------------------------------------------
    def zero_checks(self):
        """(C lvalue, field path, offset) of every must-be-zero fixed field, embedded structs descended."""
        return [(f"out->{path}", path, self.offsetof(path)) for path, off in zero_fields(self.s, skip_hdr=True)]

    def cleared_fields(self):
        """C paths of the fixed part's ignored fields: decoders and encoders zero them."""
        return ignored_fields(self.s, skip_hdr=True)

    def item_cleared(self, item):
        """Paths of the ignored fields of a struct array's elements."""
        return ignored_fields(item.type) if item.kind == "array" and item.type.kind == "struct" else []

    def padding_gaps(self):
        """(previous member, next member) around implicit padding in the fixed part on any ABI
        (an upstream defect): decoders require those bytes to be zero and encoders clear them."""
        out = []
        ms = [m for m in self.s.members if not (m.kind == "field" and m.bits)]
        for prev, nxt in zip(ms, ms[1:]):
            for abi in ABIS:
                if prev.offset[abi] + prev.size(abi) < nxt.offset[abi]:
                    out.append((prev.name, nxt.name))
                    break
        return out

    def fixed_checks(self):
        """Decoder checks of <check field=...> rules: dicts for the template."""
        return [c for c in (check_conditions(k, self.s, "out->") for k in self.s.checks if k.field) if c]

    def enum_checks(self):
        """Decoder checks of fixed fields whose closed enum or flag set is law (template dicts)."""
        return [enum_conditions(x.member, x.path, self.offsetof(x.path), "out->")
                for x in walk(self.s, into_types=True)
                if x.member.kind == "field" and x.member.enum and x.member.enum.closed and not x.in_union
                and not x.member.dims and not x.member.bits]

    def item_enum_checks(self, item):
        """The same for the scalar fields of a struct array's elements (prefix "e.")."""
        if item.kind != "array" or item.type.kind != "struct":
            return []
        return [enum_conditions(x.member, x.path, f"offsetof({c_type(item.type)}, {x.path})", "e.")
                for x in walk(item.type, into_types=True)
                if x.member.kind == "field" and x.member.enum and x.member.enum.closed and not x.in_union
                and not x.member.dims and not x.member.bits]

    def relation_checks(self):
        return [k for k in self.s.checks if k.le]

    def render_expr(self, e):
        return cexpr.render(e, "out->", sumof=lambda a, f: f"sum_{self.name}_{a}_{f.replace('.', '_')}(view)")

    def sums(self):
        """(array item, field path) of every sumof the relation checks use."""
        out = []

        def walk(e):
            if e.op == "sumof":
                item = next(i for i in self.items if i.name == e.name)
                out.append((item, e.field))
            for a in e.args:
                if hasattr(a, "op"):
                    walk(a)
        for k in self.relation_checks():
            for e in k.le:
                walk(e)
        return out

    def stride_expr(self, item):
        return cexpr.render(item.stride, "out->") if item.stride is not None else None

    def stride_site(self, item):
        """(field, C offset) an error about item's stride names: the field
        holding it, when it is one, else the item where it starts."""
        if item.stride.op == "fieldref" and item.stride.scope == "self":
            return item.stride.name, self.offsetof(item.stride.name)
        return item.name, "(uint32_t)off"

    def stride_may_overflow(self, item):
        """Whether item's stride can exceed 32 bits (it is not just a field of 32 bits or less)."""
        if item.stride.op != "fieldref" or item.stride.scope != "self":
            return True
        f, _ = field_at(self.s, item.stride.name)
        return f.type.size > 4

    def typed_payload(self):
        """(item, ioctl field, allow-list) when a bytes item is the argument of
        the ioctl a field names (its length is _IOC_SIZE of that field) and the
        allow-list types at least one argument; else None."""
        for item in self.items:
            e = item.length
            if item.kind == "bytes" and e.op == "ioc-size" and e.args[0].op == "fieldref":
                f, _ = field_at(self.s, e.args[0].name)
                if f is not None and f.ioctl_allow and any(io.type for io in f.ioctl_allow.ioctls):
                    return item, f, f.ioctl_allow
        return None

    def ioctl_selector(self, f, allow):
        """(C expression, value of an ioctl) that picks an allow-list entry in a switch."""
        if self.ioctl_full_numbers(allow):
            return f"out->{f.name}", lambda io: f"{io.number:#010x}u"
        return f"VDRM_IOC_NR(out->{f.name}) - {allow.base}u", lambda io: f"{io.nr:#04x}u"

    @staticmethod
    def argument_checks(io):
        """Checks of an ioctl argument's fields (prefix "a.")."""
        if io.type is None or io.type.kind != "struct":
            return []
        return struct_checks(io.type, io.checks, "a.")

    def argument_cases(self):
        """The typed ioctls whose argument the decoder must look at (a size to
        check or fields to check), for its switch."""
        tp = self.typed_payload()
        if not tp:
            return []
        return [io for io in tp[2].ioctls if io.type is not None and
                (not self.argument_size_implied(io, tp[2]) or self.argument_checks(io))]

    def argument_size_implied(self, io, allow):
        """Whether the ioctl's whole number, compared already, fixes the payload
        at exactly its argument's size (then the size needs no check)."""
        return (self.ioctl_full_numbers(allow) and io.number is not None and
                (io.number >> 16) & 0x3fff == (io.type.size() if io.type.kind == "struct" else io.type.size)
                and self.argument_min_size(io) is None)

    @staticmethod
    def argument_min_size(io):
        """C expression of the fewest bytes an ioctl argument may have: up to
        its first later-revision field (older kernels' and guests' struct)."""
        return type_min_size(io.type)

    def argument_types(self):
        """The distinct argument types of the typed payload, for its getters."""
        tp = self.typed_payload()
        out = []
        for io in (tp[2].ioctls if tp else []):
            if io.type is not None and io.type not in out:
                out.append(io.type)
        return out

    def chunk_table(self, item):
        """The descriptor of a chunk region: dict(table index, field offsets and
        sizes in a table element, length unit, kinds), or None."""
        if item.kind != "chunks":
            return None
        table = self.table_item(item)
        fields = {}
        for name in (item.id_field, item.offset_field, item.length_field):
            f, off = field_at(table.type, name)
            fields[name] = (off, f.type.size)
        return dict(table=self.items.index(table), id=fields[item.id_field], offset=fields[item.offset_field],
                    length=fields[item.length_field], unit=4 if item.chunk_unit == "dwords" else 1,
                    kinds=[(c.id, c.name, c.type, "VDRM_CHUNK_" + c.size.upper().replace("-", "_"))
                           for c in item.chunks])

    def item_variant_table(self, item, record=None):
        """The descriptor of what bytes item holds: dict(in_request, offset, size,
        select, base, rows=[(value, name, type, min_size)]), or None."""
        if item.variants is not None:
            v = item.variants
            owner = {"request": self.msg.request, "record": record}.get(v.scope, self.s)
            f, off = field_at(owner, v.selector)
            rows = [(c.value, c.name, c.type, type_min_size(c.type)) for c in v.cases]
            return dict(in_request=v.scope == "request", in_record=v.scope == "record", offset=off,
                        size=f.type.size, select="VDRM_SELECT_VALUE", base=0, rows=rows)
        e = item.host_length if not self.is_request else item.length
        if e is None or e.op not in ("ioc-size", "ioc-out-size") or e.args[0].op != "fieldref":
            return None
        owner = self.msg.request
        f, off = field_at(owner, e.args[0].name)
        if f is None or not f.ioctl_allow or not any(io.type for io in f.ioctl_allow.ioctls):
            return None
        allow = f.ioctl_allow
        full = self.ioctl_full_numbers(allow)
        rows = [(io.number if full else io.nr, io.name, io.type, self.argument_min_size(io))
                for io in allow.ioctls if io.type is not None]
        return dict(in_request=not self.is_request, in_record=False, offset=off, size=4,
                    select="VDRM_SELECT_VALUE" if full else "VDRM_SELECT_IOC_NR", base=allow.base, rows=rows)

    def item_variants(self):
        """(item, [types]) of every bytes item that holds structs: its <variants>,
        or for a response whose bytes the host sizes by _IOC_OUT_SIZE of a
        request's typed ioctl field, that ioctl's argument types (the argument
        after the call). Typed getters are generated for each."""
        out = []
        for item in self.items:
            types = []
            if item.variants is not None:
                types = [v.type for v in item.variants.cases]
            elif not self.is_request and item.host_length is not None and item.host_length.op == "ioc-out-size":
                e = item.host_length.args[0]
                f, _ = field_at(self.msg.request, e.name) if e.op == "fieldref" else (None, None)
                if f is not None and f.ioctl_allow:
                    types = [io.type for io in f.ioctl_allow.ioctls if io.type is not None]
            distinct = []
            for t in types:
                if t not in distinct:
                    distinct.append(t)
            if distinct:
                out.append((item, distinct))
        return out

    @staticmethod
    def ioctl_full_numbers(allow):
        """Whether the allow-list gives every ioctl's whole number, all within
        its size limit: comparing the numbers is then the whole check."""
        return len(allow.numbers) == len(allow.ioctls) and \
            all((n >> 16) & 0x3fff <= allow.max_size for n in allow.numbers.values())

    def item_limit_needed(self, item):
        """Whether item's max needs a check of its own: not when a <check> of
        the field counting it already bounds it as tightly."""
        if item.max is None or self.count_expr(item) is None:
            return False
        if item.length.op == "fieldref" and item.length.scope == "self":
            for k in self.s.checks:
                if k.field == item.length.name and k.max is not None and k.max <= item.max:
                    return False
        return True

    def table_item(self, item):
        return next(i for i in self.items if i.name == item.table)

    def ioctl_checks(self):
        return [(m, m.ioctl_allow) for m in self.s.members if m.kind == "field" and m.ioctl_allow]

    def item_checks(self, item):
        """Element must-be-zero checks for a struct array: (member path, offset in element)."""
        if item.kind != "array" or item.type.kind != "struct":
            return []
        return [(m.name, f"offsetof({c_type(item.type)}, {m.name})") for m in item.type.members
                if m.kind == "field" and m.checked_zero and m.type.kind == "scalar" and not m.dims]

    def count_expr(self, item, prefix="out->"):
        """C expression of the element count (for bytes: the byte or dword count)."""
        if item.length.op == "rest" and item.kind == "array":
            return f"(({self.item_limit(item)} - off) / sizeof({c_type(item.type)}))"
        if item.length.op == "rest":
            return None
        return cexpr.render(item.length, prefix)

    def host_terms(self):
        """C expressions (uint64_t) of the variable parts of the response the
        host builds for a request, from the request's fields; None when the
        response has a part the request does not size."""
        if self.is_request or not all(i.host_length is not None for i in self.items):
            return None
        return [(cexpr.render(i.host_length, "req->"), self._may_exceed_32(i.host_length))
                for i in self.items]

    def _may_exceed_32(self, e):
        """Whether a request-sized length can exceed 32 bits (then it is checked)."""
        if e.op in ("ioc-size", "ioc-out-size", "const"):
            return False
        if e.op == "fieldref" and e.scope == "request":
            f, _ = field_at(self.msg.request, e.name)
            return f.type.size > 4
        return True

    @staticmethod
    def elem_size(item):
        """C size of one unit of item: an array element (whatever its stride), a dword or a byte."""
        if item.kind == "array":
            return f"sizeof({c_type(item.type)})"
        return "4u" if item.unit == "dwords" else "1u"


def zero_fields(s, skip_hdr=False):
    """(path, lp64 offset) of every scalar padding or must-be-zero field of s,
    embedded structs descended (union members overlap others: never checked)."""
    return [(x.path, x.offset["lp64"]) for x in walk(s, into_types=True)
            if x.member.kind == "field" and x.member.checked_zero and x.member.type.kind == "scalar"
            and not x.member.dims and not x.member.bits and not x.in_union
            and not (skip_hdr and x.path.split(".")[0] == "hdr")]


def type_min_size(t):
    """C expression of the fewest bytes a struct may come in, up to its first
    later-revision field (an older kernel's or guest's struct); None when it
    has none (its whole size)."""
    later = [m for m in t.members if m.since > 1] if t.kind == "struct" else []
    return f"offsetof({c_type(t)}, {later[0].name})" if later else None


def struct_checks(t, checks, prefix, settled=None):
    """Decoder checks of the fields of a struct read whole from a message (an
    ioctl argument, a record): must-be-zero and padding fields, closed enums
    (but not the enum settled already: a record chain's tag), and the given
    <check>s; dicts as check_conditions gives, read through prefix."""
    out = [dict(path=path, offset=f"offsetof({c_type(t)}, {path})", value=f"{prefix}{path}",
                conds=[(f"{prefix}{path} != 0", "VDRM_E_NONZERO", "must be zero, is %llu")])
           for path, _ in zero_fields(t)]
    out += [enum_conditions(x.member, x.path, f"offsetof({c_type(t)}, {x.path})", prefix)
            for x in walk(t, into_types=True)
            if x.member.kind == "field" and x.member.enum and x.member.enum.closed and not x.in_union
            and not x.member.dims and not x.member.bits and x.member.enum is not settled]
    out += [c for c in (check_conditions(k, t, prefix) for k in checks) if c]
    return out


def ignored_fields(s, skip_hdr=False):
    """Paths of the fields of s (embedded structs descended, not union members) the host ignores and clears."""
    return [x.path for x in walk(s, into_types=True)
            if x.member.kind == "field" and x.member.ignored and not x.in_union
            and not (skip_hdr and x.path.split(".")[0] == "hdr")]


def enum_conditions(f, path, offset, prefix):
    """Failure condition of a field with a closed enum or flag set, as check_conditions gives."""
    e, v = f.enum, f"{prefix}{path}"
    if e.kind == "flags":
        cond = (f"({v} & ~(uint64_t)({' | '.join(n for n, _, _ in e.entries)})) != 0" if e.emit != "none"
                else f"({v} & ~(uint64_t){e.mask:#x}u) != 0")
        fmt = f"0x%llx has bits outside {e.name}"
    else:
        names = [n if e.emit != "none" else f"{x:#x}u" for n, x, _ in e.entries]
        cond = "!(" + " || ".join(f"{v} == {n}" for n in names) + ")"
        fmt = f"%llu is not a {e.name} value"
    return dict(path=path, offset=offset, value=v, conds=[(cond, "VDRM_E_NOT_ALLOWED", fmt)])


def check_conditions(k, s, prefix):
    """C failure conditions of a field check: dict(path, offset, conds=[(cond, status, fmt)])."""
    f, off = field_at(s, k.field)
    if f is None:
        return None
    v = f"{prefix}{k.field}"
    conds = []
    if k.min is not None:
        conds.append((f"{v} < {k.min}u", "VDRM_E_LIMIT", f"%llu is below the minimum {k.min}"))
    if k.max is not None:
        conds.append((f"{v} > {k.max_ref or f'{k.max}u'}", "VDRM_E_LIMIT", f"%llu exceeds the limit of {k.max}"))
    if k.multiple_of:
        conds.append((f"{v} % {k.multiple_of}u != 0", "VDRM_E_ALIGN", f"%llu is not a multiple of {k.multiple_of}"))
    if k.one_of is not None:
        conds.append(("!(" + " || ".join(f"{v} == {x:#x}u" for x in k.one_of) + ")", "VDRM_E_NOT_ALLOWED",
                      "%llu is not an allowed value"))
    if k.mask is not None:
        conds.append((f"({v} & ~(uint64_t){k.mask:#x}u) != 0", "VDRM_E_NOT_ALLOWED",
                      f"0x%llx has bits outside 0x{k.mask:x}"))
    return dict(path=k.field, offset=f"offsetof({c_type(s)}, {k.field})", value=v, conds=conds)


def bodies(protocol):
    """(message, request body, response body) of every message; a response
    struct shared by several messages is emitted (emit=True) only once."""
    out = []
    seen = set()
    for msg in protocol.messages:
        req = MessageBody(protocol, msg, msg.request, True)
        rsp = None
        if msg.response:
            rsp = MessageBody(protocol, msg, msg.response, False, emit=msg.response.name not in seen)
            seen.add(msg.response.name)
        out.append((msg, req, rsp))
    return out


def framing_doc(f):
    """A sentence on how a framing's header frames a message, for comments."""
    where = f"{f.length} at offset {f.length_offset}, in {f.unit_name}, " + \
        ("counting the header" if f.counts_header else "not counting the header")
    cmd = f"; command id {f.cmd} at offset {f.cmd_offset}" if f.cmd else "; no command id"
    return f"Messages framed by struct {f.header.name}: {where}{cmd}."


def fd_condition(p, msg, fd, prefix="req->"):
    """C condition under which fd travels (None: always)."""
    if fd.when is None:
        return None
    mask = fd.mask_ref or f"{fd.mask:#x}u"
    return f"({prefix}{fd.when} & {mask}) != 0"
