"""Length expressions rendered as C, evaluated in 64 bits so that no sum or
single product of 32-bit fields can wrap."""

from .text import c_type


def render(e, prefix, request_prefix="req->", rest=None, sumof=None, record_prefix="rec."):
    """C text of e. prefix names where the body's own fields live ("out->",
    "req->" or "" for parameters); rest is the C text of "bytes left";
    sumof(array, field) the C text of a sum over an array."""
    op = e.op
    if op == "fieldref":
        base = {"request": request_prefix, "record": record_prefix}.get(e.scope, prefix)
        if prefix == "" and e.scope == "self":
            return e.name.replace(".", "_")
        return f"{base}{e.name}"
    if op == "sumof":
        if sumof is None:
            raise ValueError("sumof has no meaning here")
        return sumof(e.name, e.field)
    if op == "const":
        return f"{e.value}u"
    if op == "sizeof":
        t = e.args[0]
        return f"sizeof({c_type(t)})"
    if op == "rest":
        if rest is None:
            raise ValueError("rest has no meaning here")
        return rest
    if op == "add":
        return "(" + " + ".join(f"(uint64_t){render(a, prefix, request_prefix, rest, sumof, record_prefix)}" for a in e.args) + ")"
    if op == "mul":
        return "(" + " * ".join(f"(uint64_t){render(a, prefix, request_prefix, rest, sumof, record_prefix)}" for a in e.args) + ")"
    if op == "div":
        return f"((uint64_t){render(e.args[0], prefix, request_prefix, rest, sumof, record_prefix)} / {e.args[1].value}u)"
    if op == "ioc-size":
        return f"VDRM_IOC_SIZE({render(e.args[0], prefix, request_prefix, rest, sumof, record_prefix)})"
    if op == "ioc-out-size":
        return f"VDRM_IOC_OUT_SIZE({render(e.args[0], prefix, request_prefix, rest, sumof, record_prefix)})"
    raise ValueError(op)


def fieldrefs(e, scope="self"):
    """Names of the fields of the given scope that e reads, in order."""
    out = []
    if e.op == "fieldref" and e.scope == scope:
        out.append(e.name)
    for a in e.args:
        if hasattr(a, "op"):
            for n in fieldrefs(a, scope):
                if n not in out:
                    out.append(n)
    return out


def describe(e):
    """Human-readable form for the documentation."""
    op = e.op
    if op == "fieldref":
        return {"request": f"request.{e.name}", "record": f"record.{e.name}"}.get(e.scope, e.name)
    if op == "sumof":
        return f"Σ {e.name}[].{e.field}"
    if op == "const":
        return str(e.value)
    if op == "sizeof":
        return f"sizeof({e.args[0].name})"
    if op == "rest":
        return "the rest of the message"
    if op == "add":
        return " + ".join(describe(a) for a in e.args)
    if op == "mul":
        return " × ".join(describe(a) for a in e.args)
    if op == "div":
        return f"{describe(e.args[0])} / {e.args[1].value}"
    if op == "ioc-size":
        return f"_IOC_SIZE({describe(e.args[0])})"
    if op == "ioc-out-size":
        return f"(_IOC_SIZE({describe(e.args[0])}) if _IOC_READ is set in {describe(e.args[0])}, else 0)"
    raise ValueError(op)
