"""Rules every spec must satisfy; each has a name and its own message.

A rule that deployed bytes break (upstream defects) is downgraded to a
warning when the offending element carries lint-exempt="<rule>": the spec then
describes the bytes as they are and says what is wrong.
"""

from dataclasses import dataclass

from .layout import ABIS, natural_align
from .model import field_at, struct_levels, walk

UNSIGNED = ("u8", "u16", "u32", "u64")


@dataclass
class Finding:
    level: str      # error | warning
    file: str
    line: int
    rule: str
    message: str

    def __str__(self):
        return f"{self.file}:{self.line}: {self.level}: [{self.rule}] {self.message}"


def request_structs(p):
    """The structs of p a guest sends: request bodies, the element, chunk and
    record types of their items, and ioctl argument types."""
    out = []

    def add(t):
        if t is not None and t.kind == "struct" and t not in out:
            out.append(t)
            for x in walk(t):
                if x.member.kind == "field" and x.member.type.kind == "struct":
                    add(x.member.type)
                for io in (x.member.ioctl_allow.ioctls if x.member.kind == "field" and x.member.ioctl_allow else []):
                    add(io.type)

    for m in p.messages:
        add(m.request)
        for item in m.request.items:
            for t in [item.type] + [c.type for c in item.chunks] + [r.type for r in item.records] + \
                    [r.item.type for r in item.records if r.item is not None] + \
                    [item.header] + ([v.type for v in item.variants.cases] if item.variants else []):
                add(t)
    return out


def tagged(element, tag):
    """Whether element's upstream attribute names tag (what the deployed host or declaration does)."""
    up = getattr(element, "upstream", None) or ()
    return tag in (up.split() if isinstance(up, str) else up)


def breaks(element, rule):
    """Whether element's lint-exempt attribute names rule (the deployed bytes break it on purpose)."""
    return rule in getattr(element, "lint_exempt", ())


class Linter:
    def __init__(self, protocol):
        self.p = protocol
        self.findings = []

    def report(self, line, rule, message, excused=False):
        level = "warning" if excused else "error"
        self.findings.append(Finding(level, self.p.path, line, rule, message))

    # -- layout rules ------------------------------------------------------
    def struct_layout(self, s):
        # One wire on every ABI: the layout engine gives every struct carried in
        # messages its LP64 layout on ILP32 too (layout.py). A layout it could
        # not make one (a bitfield it does not align) is an error no defect
        # excuses: the generated headers assert a single layout for every ABI
        # and would not compile. upstream="abi-dependent-layout" says that
        # upstream's own declaration differs on i386 (the docs tell how).
        for level in struct_levels(s):
            self.padding(level)
            if level.size("lp64") != level.size("ilp32"):
                self.report(level.line, "abi-dependent-layout",
                            f"{level.name}: size differs between LP64 ({level.size('lp64')}) and ILP32 "
                            f"({level.size('ilp32')})")
            for m in level.members:
                if m.offset["lp64"] != m.offset["ilp32"]:
                    self.report(m.line, "abi-dependent-layout",
                                f"{level.name}.{m.name}: offset {m.offset['lp64']} on LP64 but "
                                f"{m.offset['ilp32']} on ILP32")
        for x in walk(s):
            if x.member.kind == "field":
                self.field(x.parent if x.parent.kind == "struct" else s, x.member)

    def padding(self, s):
        """Implicit padding between the members of one struct level, before its tail and after its end."""
        for abi in ABIS:
            expected = 0
            for m in s.members:
                if m.bits and m.bit_offset:
                    continue
                off = m.offset[abi]
                if off > expected:
                    self.report(m.line, "implicit-padding",
                                f"{s.name}: {off - expected} bytes of implicit padding before '{m.name}' "
                                f"on {abi}; declare them as a padding field",
                                excused=breaks(s, "implicit-padding") or breaks(m, "implicit-padding"))
                expected = off + m.size(abi)
            end = s.tail_offset[abi] if s.tail is not None else expected
            if s.tail is not None and end > expected:
                self.report(s.tail.line, "implicit-padding",
                            f"{s.name}: {end - expected} bytes of implicit padding before '{s.tail.name}' on {abi}",
                            excused=breaks(s, "implicit-padding"))
            if s.tail is None and s.size(abi) > expected:
                self.report(s.line, "implicit-padding",
                            f"{s.name}: {s.size(abi) - expected} bytes of implicit tail padding on {abi}",
                            excused=breaks(s, "implicit-padding"))

    def field(self, s, m):
        if m.type.kind == "scalar" and m.type.size == 8 and m.offset["lp64"] % 8:
            self.report(m.line, "misaligned-64bit",
                        f"{s.name}.{m.name}: 64-bit field at offset {m.offset['lp64']}; the protocol allows "
                        "64-bit fields only at 8-byte offsets", excused=breaks(m, "misaligned-64bit"))
        if m.type.name == "int":
            self.report(m.line, "plain-int",
                        f"{s.name}.{m.name}: plain int on the wire; use i32", excused=breaks(m, "plain-int"))
        if m.must_be_zero and m.type.kind != "scalar":
            self.report(m.line, "must-be-zero-type", f"{s.name}.{m.name}: must-be-zero needs an integer field")
        if m.ioctl_allow and m.type.name != "u32":
            self.report(m.line, "ioctl-type", f"{s.name}.{m.name}: an ioctl number is a u32")
        for io in (m.ioctl_allow.ioctls if m.ioctl_allow else []):
            if io.number is None or io.type is None:
                continue
            size = io.type.size() if io.type.kind == "struct" else io.type.size
            if (io.number >> 16) & 0x3fff != size:
                self.report(m.line, "ioctl-argument-size",
                            f"{s.name}.{m.name}: {io.name} ({io.number:#010x}) has an argument of "
                            f"{(io.number >> 16) & 0x3fff} bytes, but {io.type.name} is {size}")

    def message_alignment(self, msg, s):
        for abi in ABIS:
            nat = natural_align(s, abi)
            if nat > self.p.alignment and s.align_attr is None:
                self.report(s.line, "message-alignment",
                            f"{msg.name}: {s.name} needs {nat}-byte alignment on {abi} but requests of this "
                            f"context are only {self.p.alignment}-byte aligned; declare align=\"{self.p.alignment}\"",
                            excused=breaks(s, "message-alignment"))
                break

    # -- expression rules --------------------------------------------------
    def expr(self, msg, s, item, e, seen, items_before, request, record=None):
        if e.op == "sumof":
            arrays = {i.name: i for i in (s.tail.items if s.tail else []) if i.kind == "array"}
            a = arrays.get(e.name)
            if a is None or a.type.kind != "struct" or field_at(a.type, e.field)[0] is None:
                self.report(e.line, "unknown-field", f"{msg.name}: sumof refers to unknown '{e.name}[].{e.field}'")
            return 1
        if e.op == "fieldref":
            scope = {"request": request, "record": record}.get(e.scope, s)
            if e.scope == "self" and (e.name in items_before or (item is not None and e.name == item.name)) or \
                    (e.scope == "self" and e.name in [i.name for i in (s.tail.items if s.tail else [])]):
                what = f"length of '{item.name}'" if item is not None else "a check"
                self.report(e.line, "length-order",
                            f"{msg.name}: {what} refers to '{e.name}', which is not a field before it")
                return 0
            f = field_at(scope, e.name)[0] if scope is not None else None
            if f is not None and f.kind != "field":
                f = None
            if f is None:
                self.report(e.line, "unknown-field", f"{msg.name}: length refers to unknown field '{e.name}'")
                return 0
            if f.type.name not in UNSIGNED or f.dims:
                self.report(e.line, "count-type",
                            f"{msg.name}: '{e.name}' is used as a length but is not an unsigned integer")
            return 1
        if e.op == "mul":
            variable = sum(self.expr(msg, s, item, a, seen, items_before, request, record) for a in e.args)
            if variable > 1:
                self.report(e.line, "length-overflow",
                            f"{msg.name}: a product of more than one field can exceed 64 bits")
            return variable
        return sum(self.expr(msg, s, item, a, seen, items_before, request, record) for a in e.args)

    def tail(self, msg, s, request):
        before = []
        for i, item in enumerate(s.tail.items):
            if field_at(s, item.name)[0] is not None:
                self.report(item.line, "duplicate-name",
                            f"{msg.name}: item '{item.name}' is also a field of {s.name}; tools name both "
                            "in one object")
            if item.length.op == "rest" and i != len(s.tail.items) - 1:
                self.report(item.line, "rest-last", f"{msg.name}: only the last item can take the rest")
            self.rest_array(msg, item)
            self.expr(msg, s, item, item.length, set(), before, request)
            if item.host_length is not None:
                self.expr(msg, s, item, item.host_length, set(), [], request)
            if item.stride is not None:
                self.expr(msg, s, item, item.stride, set(), before, request)
            for r in item.records:
                if r.item is not None and field_at(r.type, r.item.name)[0] is not None:
                    self.report(r.item.line, "duplicate-name",
                                f"{msg.name}: {item.name} {r.name}: '{r.item.name}' is also a field of "
                                f"{r.type.name}; tools name both in one object")
                if r.item is not None:
                    self.expr(msg, s, r.item, r.item.length, set(), [], request, record=r.type)
                for k in r.checks:
                    self.check(msg, r.type, k)
            if item.kind == "chunks":
                table = next((i for i in s.tail.items if i.name == item.table and i.kind == "array"), None)
                if table is None or item.table not in before:
                    self.report(item.line, "unknown-field", f"{msg.name}: chunks table '{item.table}' is not an "
                                "array before it")
                else:
                    for f in (item.id_field, item.offset_field, item.length_field):
                        if table.type.kind != "struct" or field_at(table.type, f)[0] is None:
                            self.report(item.line, "unknown-field",
                                        f"{msg.name}: chunks: '{f}' is not a field of {table.type.name}")
                for c in item.chunks:
                    for k in c.checks:
                        if c.size not in ("exact", "at-least"):
                            self.report(k.line, "chunk-check-size",
                                        f"{msg.name}: a check on {c.name} chunks needs size=\"exact\" or "
                                        "\"at-least\" (a whole struct to read)")
                        self.check(msg, c.type, k)
            before.append(item.name)
        for k in s.checks:
            if k.le:
                for e in k.le:
                    self.expr(msg, s, None, e, set(), [], request)

    def rest_array(self, msg, item):
        if item.kind == "array" and item.length.op == "rest" and item.stride is not None:
            self.report(item.line, "rest-stride",
                        f"{msg.name}: array '{item.name}' takes the rest of the message in whole elements; "
                        "it cannot have a stride")

    def trailer(self, msg, s, request):
        """The items after the framed part: arrays and bytes sized by the fixed part."""
        before = [i.name for i in (s.tail.items if s.tail else [])]
        for i, item in enumerate(s.trailer):
            if field_at(s, item.name)[0] is not None or item.name in before:
                self.report(item.line, "duplicate-name",
                            f"{msg.name}: item '{item.name}' is also a field or item of {s.name}; tools name "
                            "both in one object")
            if item.length.op == "rest" and i != len(s.trailer) - 1:
                self.report(item.line, "rest-last", f"{msg.name}: only the last item can take the rest")
            if item.length.op == "rest" and s is request:
                self.report(item.line, "trailer",
                            f"{msg.name}: the request's trailer item '{item.name}' takes the rest: a host "
                            "could not tell where the request ends")
            if item.stride is not None:
                self.report(item.line, "trailer",
                            f"{msg.name}: trailer item '{item.name}' has a stride; a trailer holds whole "
                            "elements")
            self.rest_array(msg, item)
            self.expr(msg, s, item, item.length, set(), before, request)
            if item.host_length is not None:
                self.expr(msg, s, item, item.host_length, set(), [], request)
            before.append(item.name)

    def fds(self, msg):
        for fd in msg.fds:
            if fd.when is not None and field_at(msg.request, fd.when)[0] is None:
                self.report(fd.line, "unknown-field",
                            f"{msg.name}: fd {fd.name}: when=\"{fd.when}\" is not a field of the request")

    def check(self, msg, s, k):
        if k.field and field_at(s, k.field)[0] is None:
            self.report(k.line, "unknown-field", f"{msg.name}: check on unknown field '{k.field}' of {s.name}")

    def run(self):
        p = self.p
        for s in p.structs + ([p.shmem] if p.shmem else []):
            self.struct_layout(s)
        opcodes = {}
        names = set()
        for msg in p.messages:
            if msg.opcode in opcodes:
                self.report(msg.line, "duplicate-opcode",
                            f"{msg.name}: opcode {msg.opcode} already used by {opcodes[msg.opcode]}")
            opcodes[msg.opcode] = msg.name
            if msg.name in names:
                self.report(msg.line, "duplicate-name", f"message {msg.name} is defined twice")
            names.add(msg.name)
            if msg.response_kind == "none" and msg.response is not None:
                self.report(msg.line, "response-kind", f"{msg.name}: response=\"none\" but a <response> is given")
            if msg.response_kind != "none" and msg.response is None:
                self.report(msg.line, "response-kind", f"{msg.name}: response=\"{msg.response_kind}\" needs a <response>")
            for s in (msg.request, msg.response):
                if s is None:
                    continue
                seen = set()
                for m in s.members:
                    if m.name in seen:
                        self.report(m.line, "duplicate-name", f"{s.name}: field '{m.name}' is defined twice")
                    seen.add(m.name)
                if msg.response_shared and s is msg.response:
                    continue
                self.struct_layout(s)
                self.message_alignment(msg, s)
                for k in s.checks:
                    self.check(msg, s, k)
                if s.tail is not None:
                    self.tail(msg, s, msg.request)
                if s.trailer:
                    self.trailer(msg, s, msg.request)
            self.fds(msg)
        self.guest_sources()
        return self.findings

    def guest_sources(self):
        """Every field of what a guest sends that a host rejects when non-zero
        or ignores must say how the guests fill it (guest=): real guests
        decide whether bytes are padding to require zero or garbage to ignore."""
        seen = set()
        for s in request_structs(self.p):
            for x in walk(s):
                f = x.member
                if f.kind == "field" and (f.padding or f.must_be_zero or f.ignored) and not f.guest \
                        and id(f) not in seen and not (x.path.split(".")[0] == "hdr" and s.message):
                    seen.add(id(f))
                    what = "ignored" if f.ignored else "padding" if f.padding else "must-be-zero"
                    self.report(f.line, "guest-source",
                                f"{s.name}.{x.path}: a {what} field of a request needs guest= naming the "
                                "guest code that decides how it is filled")
