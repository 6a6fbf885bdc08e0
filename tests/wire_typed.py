#!/usr/bin/env python3
"""vdrm-wire's typed bytes items (README.md, "vdrm-wire"): the cases the
conformance vectors do not reach. A payload of an older, shorter revision is
typed only when it ends where a field ends; a longer one keeps the rest as
"trailing"; a response is typed only with --request, by the type the request
picks; encode takes the typed form (checked against the selector) and hex,
and refuses a typed value that does not fit its type. amdgpu CS_SUBMIT's
chunks: "chunks_typed" for chunks longer than one struct, with a remainder,
out of order or overlapping, and encode ignoring it.

usage: wire_typed.py VDRM_WIRE
"""

import json
import subprocess
import sys

WIRE = None
FAILURES = []


def run(args, data):
    return subprocess.run([WIRE] + args, input=data, capture_output=True, check=False)


def hexmsg(*words):
    """Little-endian u32 words (ints) and hex strings, concatenated."""
    out = b""
    for w in words:
        out += w.to_bytes(4, "little") if isinstance(w, int) else bytes.fromhex(w)
    return out


def check(name, ok, detail=""):
    if not ok:
        FAILURES.append(f"{name}: {detail}")
    print(f"{'ok' if ok else 'FAIL'}: {name}")


def decode(context, raw, response=None, request=None):
    args = ["decode", "--context", context]
    if response:
        args += ["--response", response]
    if request is not None:
        args += ["--request", request.hex()]
    r = run(args, raw)
    if r.returncode != 0:
        raise AssertionError(f"decode failed: {r.stderr.decode().strip()}")
    return json.loads(r.stdout)[0]


def encode(context, value, response=None, request=None):
    args = ["encode", "--context", context]
    if response:
        args += ["--response", response]
    if request is not None:
        args += ["--request", request.hex()]
    return run(args, json.dumps([value]).encode())


def both_ways(name, context, raw, payload, response=None, request=None):
    """raw decodes with payload as its "payload", and encodes back to raw."""
    try:
        got = decode(context, raw, response, request)
        if got.get("payload") != payload:
            raise AssertionError(f"payload decodes to {json.dumps(got.get('payload'))}")
        r = encode(context, got, response, request)
        if r.returncode != 0 or r.stdout != raw:
            raise AssertionError(f"encodes to {r.stdout.hex()} {r.stderr.decode().strip()}")
        check(name, True)
    except AssertionError as e:
        check(name, False, str(e))


def refused(name, context, value, want, response=None, request=None):
    r = encode(context, value, response, request)
    err = r.stderr.decode()
    check(name, r.returncode == 1 and want in err, f"rc {r.returncode}: {err.strip()}")


def msm_get_param(size, payload):
    """msm IOCTL_SIMPLE request of DRM_IOCTL_MSM_GET_PARAM with an argument of size bytes
    (zero-padded to the stream's 4-byte alignment)."""
    cmd = 0xC0006440 | size << 16
    pad = "00" * (-size % 4)
    return hexmsg(2, 20 + size + len(pad) // 2, 1, 0, cmd, payload, pad), cmd


def main():
    global WIRE
    WIRE = sys.argv[1]

    # msm_ioctl_param: 24 bytes, 16 in its first revision (len and pad added later).
    raw, _ = msm_get_param(20, "10000000030000000000000000000000" "00000000")
    both_ways("a 20-byte msm_ioctl_param ends with len: typed up to len", "msm", raw,
              {"type": "msm_ioctl_param", "pipe": 16, "param": 3, "value": 0, "len": 0})
    raw, _ = msm_get_param(18, "10000000030000000000000000000000" "0000")
    both_ways("an 18-byte msm_ioctl_param cuts len in two: hex", "msm", raw,
              "10000000030000000000000000000000" "0000")

    # A response: typed by the request, hex without it.
    req, _ = msm_get_param(24, "1000000005000000" + "00" * 16)
    rsp = hexmsg(32, 0, "1000000005000000efcdab8967452301" + "00" * 8)
    typed = {"type": "msm_ioctl_param", "pipe": 16, "param": 5, "value": 0x0123456789ABCDEF,
             "len": 0, "pad": 0}
    both_ways("GET_PARAM response with --request: typed", "msm", rsp, typed, "IOCTL_SIMPLE", req)
    both_ways("GET_PARAM response without --request: hex", "msm", rsp, rsp[8:].hex(),
              "IOCTL_SIMPLE")
    r = encode("msm", {"message": "IOCTL_SIMPLE", "hdr": {"len": 32}, "ret": 0, "payload": typed},
               "IOCTL_SIMPLE")
    check("encode without --request takes a type by its name", r.returncode == 0 and r.stdout == rsp,
          r.stdout.hex() + r.stderr.decode())
    sq_close = hexmsg(2, 24, 1, 0, 0x4004644B, 3)
    refused("encode with --request refuses another type", "msm",
            {"message": "IOCTL_SIMPLE", "hdr": {"len": 32}, "ret": 0, "payload": typed},
            "picks \"u32\" for DRM_MSM_SUBMITQUEUE_CLOSE, not \"msm_ioctl_param\"",
            "IOCTL_SIMPLE", sq_close)

    # amdgpu QUERY_INFO: the guest's return_size, not the type, sizes the answer.
    def query(q, size):
        return hexmsg(1, 48, 1, 0, "0000000000000000", size, q, "00" * 16)

    rsp = hexmsg(16, 0, 2, 0)
    both_ways("HW_IP_COUNT in 8 bytes: u32 and 4 trailing bytes", "amdgpu", rsp,
              {"type": "u32", "value": 2, "trailing": "00000000"}, "QUERY_INFO", query(3, 8))
    both_ways("HW_IP_COUNT in 2 bytes: shorter than a u32, hex", "amdgpu", hexmsg(10, 0, "0200"),
              "0200", "QUERY_INFO", query(3, 2))
    both_ways("READ_MMR_REG of 2 registers: the first a u32, the second trailing", "amdgpu", rsp,
              {"type": "u32", "value": 2, "trailing": "00000000"}, "QUERY_INFO", query(0x15, 8))
    both_ways("MAX_IBS picks no type: hex", "amdgpu", rsp, "0200000000000000", "QUERY_INFO",
              query(0x22, 8))
    refused("a typed payload for a query with no type is refused", "amdgpu",
            {"message": "QUERY_INFO", "hdr": {"base": {"len": 16}, "ret": 0},
             "payload": {"type": "u64", "value": 2}},
            "the request's selector picks no type", "QUERY_INFO", query(0x22, 8))
    both_ways("VRAM_GTT, signed and 64-bit fields in order", "amdgpu",
              hexmsg(32, 0, "0100000000000000" "0200000000000000" "ffffffffffffffff"),
              {"type": "drm_amdgpu_info_vram_gtt", "vram_size": 1, "vram_cpu_accessible_size": 2,
               "gtt_size": 2**64 - 1}, "QUERY_INFO", query(0x14, 24))

    # Typed values encode only when they fit their type.
    def ioctl(payload, size=24):
        return {"message": "IOCTL_SIMPLE", "hdr": {"cmd": 2, "len": 20 + size, "seqno": 1,
                                                   "rsp_off": 0},
                "cmd": 0xC0006440 | size << 16, "payload": payload}

    refused("a field missing before the last given one", "msm",
            ioctl({"type": "msm_ioctl_param", "pipe": 16, "value": 0}),
            "missing field 'param'")
    refused("fewer bytes than the oldest revision", "msm",
            ioctl({"type": "msm_ioctl_param", "pipe": 16, "param": 1}),
            "8 bytes of msm_ioctl_param, fewer than its oldest revision (16)")
    refused("\"trailing\" after a shorter revision", "msm",
            ioctl({"type": "msm_ioctl_param", "pipe": 16, "param": 1, "value": 0,
                   "trailing": "00"}), "\"trailing\" follows only a whole msm_ioctl_param")
    refused("a field the type does not have", "msm",
            ioctl({"type": "msm_ioctl_param", "pipe": 16, "param": 1, "value": 0, "x": 1}),
            "msm_ioctl_param has no field 'x'")
    refused("the selector of the message picks the type", "msm",
            ioctl({"type": "drm_msm_submitqueue", "flags": 0, "prio": 0, "id": 0}),
            "the message's selector picks \"msm_ioctl_param\"")
    refused("a scalar out of range", "msm",
            {"message": "IOCTL_SIMPLE", "hdr": {"cmd": 2, "len": 24, "seqno": 1, "rsp_off": 0},
             "cmd": 0x4004644B, "payload": {"type": "u32", "value": 2**32}},
            "value: 4294967296 is out of range")
    refused("an object without \"type\"", "msm", ioctl({"pipe": 16}),
            "expected a hex string or an object with \"type\"")

    # A record's trailing bytes, typed by a field of the record (i915 GEM_CONTEXT_CREATE's
    # setparam data, by param.param: SSEU 7, ENGINES 0xa).
    def setparam(param, data):
        rec = (hexmsg("00" * 32) + hexmsg(0, len(data)) + param.to_bytes(8, "little")
               + bytes(8) + data)
        body = hexmsg(1, len(rec)) + rec
        return hexmsg(6, 16 + len(body), 1, 0) + body

    def context_create(param, value):
        return {"message": "GEM_CONTEXT_CREATE", "hdr": {"cmd": 6, "len": 112, "seqno": 1, "rsp_off": 0},
                "flags": 1, "params_size": 88,
                "params": [{"record": "SETPARAM",
                            "base": {"next_extension": 0, "name": 0, "flags": 0, "rsvd": [0, 0, 0, 0]},
                            "param": {"ctx_id": 0, "size": 32, "param": param, "value": 0},
                            "value": value}]}

    sseu = {"type": "drm_i915_gem_context_param_sseu",
            "engine": {"engine_class": 0, "engine_instance": 0}, "flags": 0, "slice_mask": 1,
            "subslice_mask": 7, "min_eus_per_subslice": 8, "max_eus_per_subslice": 8, "rsvd": 0}
    raw = setparam(7, hexmsg(0, 0, "0100000000000000" "0700000000000000", 0x00080008, 0))
    try:
        got = decode("i915", raw)["params"][0]["value"]
        r = encode("i915", decode("i915", raw))
        check("a record's data typed by the record's selector, both ways",
              got == sseu and r.returncode == 0 and r.stdout == raw,
              json.dumps(got) + r.stderr.decode())
    except AssertionError as e:
        check("a record's data typed by the record's selector, both ways", False, str(e))
    raw = setparam(7, hexmsg("0100000000000000" "0700000000000000"))
    try:
        got = decode("i915", raw)["params"][0]["value"]
        check("record data shorter than its type: hex", got == raw[-16:].hex(), json.dumps(got))
    except AssertionError as e:
        check("record data shorter than its type: hex", False, str(e))
    refused("the record's selector picks the type", "i915",
            context_create(7, {"type": "i915_context_param_engines", "extensions": 0}),
            "the record's selector picks \"drm_i915_gem_context_param_sseu\" for "
            "I915_CONTEXT_PARAM_SSEU, not \"i915_context_param_engines\"")
    refused("a record whose selector picks no type takes hex only", "i915",
            context_create(8, sseu), "the record's selector picks no type")

    # amdgpu CS_SUBMIT: the chunks stay hex (what encode reads) and are typed, decode only,
    # under "chunks_typed", one entry per descriptor.
    def cs_submit(descs, chunks):
        table = b"".join(i.to_bytes(2, "little") + n.to_bytes(2, "little")
                         + o.to_bytes(4, "little") for i, n, o in descs)
        body = table + chunks + bytes(-(len(table) + len(chunks)) % 8)
        return hexmsg(4, 32 + len(body), 1, 0, 1, len(descs), 0, 1) + body

    def chunks_both_ways(name, raw, want):
        try:
            got = decode("amdgpu", raw)
            if got.get("chunks") != raw[32 + 8 * got["num_chunks"]:].hex():
                raise AssertionError(f"chunks decode to {got.get('chunks')}")
            if got.get("chunks_typed") != want:
                raise AssertionError(f"chunks_typed decodes to {json.dumps(got.get('chunks_typed'))}")
            r = encode("amdgpu", got)
            if r.returncode != 0 or r.stdout != raw:
                raise AssertionError(f"encodes to {r.stdout.hex()} {r.stderr.decode().strip()}")
            check(name, True)
        except AssertionError as e:
            check(name, False, str(e))

    fence = hexmsg(7, 64)
    chunks_both_ways("an at-least chunk longer than its struct: the struct, then trailing",
                     cs_submit([(2, 4, 0)], fence + hexmsg(0xAABBCCDD, 0)),
                     [{"desc": 0, "chunk": "FENCE", "offset": 0, "length": 16,
                       "value": {"handle": 7, "offset": 64}, "trailing": "ddccbbaa00000000"}])
    chunks_both_ways("an array chunk with a remainder: whole elements, then trailing",
                     cs_submit([(6, 3, 0)], hexmsg(5, 2, 0x11223344)),
                     [{"desc": 0, "chunk": "BO_HANDLES", "offset": 0, "length": 12,
                       "elements": [{"bo_handle": 5, "bo_priority": 2}], "trailing": "44332211"}])
    dep = hexmsg(1, 0, 2, 3, "0900000000000000")
    chunks_both_ways("a chunk of any length: the whole elements that fit, then trailing",
                     cs_submit([(3, 7, 0)], dep + hexmsg(0xFFFFFFFF)),
                     [{"desc": 0, "chunk": "DEPENDENCIES", "offset": 0, "length": 28,
                       "elements": [{"ip_type": 1, "ip_instance": 0, "ring": 2, "ctx_id": 3,
                                     "handle": 9}], "trailing": "ffffffff"}])
    chunks_both_ways("an array chunk shorter than one element: no elements, all trailing",
                     cs_submit([(6, 1, 0)], hexmsg(5)),
                     [{"desc": 0, "chunk": "BO_HANDLES", "offset": 0, "length": 4,
                       "elements": [], "trailing": "05000000"}])
    # The FENCE chunk is the IB's first 8 bytes (_pad 5, flags 8 read as handle 5, offset 8).
    ib = hexmsg(5, 8, "0000100080ffff00", 64, 0, 0, 0)
    chunks_both_ways("chunks out of order, overlapping, a gap only in the hex",
                     cs_submit([(1, 8, 8), (2, 2, 8), (6, 0, 0)], hexmsg(0xDEAD, 0xBEEF) + ib),
                     [{"desc": 0, "chunk": "IB", "offset": 8, "length": 32,
                       "value": {"_pad": 5, "flags": 8, "va_start": 0x00FFFF8000100000,
                                 "ib_bytes": 64, "ip_type": 0, "ip_instance": 0, "ring": 0}},
                      {"desc": 1, "chunk": "FENCE", "offset": 8, "length": 8,
                       "value": {"handle": 5, "offset": 8}},
                      {"desc": 2, "chunk": "BO_HANDLES", "offset": 0, "length": 0,
                       "elements": []}])
    r = run(["decode", "--context", "amdgpu"], cs_submit([(2, 1, 0)], fence))
    check("a chunk shorter than its struct does not decode",
          r.returncode == 1 and "needs at least 8" in r.stderr.decode(), r.stderr.decode())

    raw = cs_submit([(2, 4, 0)], fence + hexmsg(0xAABBCCDD, 0))
    try:
        got = decode("amdgpu", raw)
        stale = dict(got, chunks_typed=[{"desc": 0, "chunk": "IB", "anything": [1, 2]}])
        edited = dict(stale, chunks=fence.hex() + "00" * 8)
        bare = {k: x for k, x in got.items() if k != "chunks_typed"}
        outs = [encode("amdgpu", x) for x in (stale, bare, edited)]
        ok = ([o.returncode for o in outs] == [0, 0, 0] and outs[0].stdout == raw
              and outs[1].stdout == raw and outs[2].stdout == raw[:-8] + bytes(8))
        check("encode ignores chunks_typed: the hex gives the bytes", ok,
              " ".join(o.stdout.hex() + o.stderr.decode() for o in outs))
    except AssertionError as e:
        check("encode ignores chunks_typed: the hex gives the bytes", False, str(e))

    # --request itself.
    def bad_request(name, args, want):
        r = run(["decode", "--context", "msm"] + args, rsp)
        err = r.stderr.decode()
        check(name, r.returncode == 2 and want in err, f"rc {r.returncode}: {err.strip()}")

    bad_request("--request needs --response", ["--request", req.hex()], "usage")
    bad_request("--request of another command", ["--response", "SUBMITQUEUE_QUERY", "--request",
                                                 req.hex()], "not a SUBMITQUEUE_QUERY request")
    bad_request("--request that is not hex", ["--response", "IOCTL_SIMPLE", "--request", "zz"],
                "is not hex")
    bad_request("--request that does not decode", ["--response", "IOCTL_SIMPLE", "--request",
                                                   req[:30].hex()], "--request: offset")

    # A stream of requests types what the requests' own fields select.
    stream = msm_get_param(24, "1000000001000000" + "00" * 16)[0] + sq_close
    r = run(["decode", "--context", "msm"], stream)
    got = [m["payload"] for m in json.loads(r.stdout)] if r.returncode == 0 else None
    check("a stream's requests are typed", got == [
        {"type": "msm_ioctl_param", "pipe": 16, "param": 1, "value": 0, "len": 0, "pad": 0},
        {"type": "u32", "value": 3}], json.dumps(got))

    print(f"{len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
