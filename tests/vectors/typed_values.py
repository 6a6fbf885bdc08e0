#!/usr/bin/env python3
"""Typed payload values of the conformance vectors, derived without vdrm-wire.

A bytes item that holds a struct (an IOCTL_SIMPLE argument, chosen by the
ioctl number cmd; msm SUBMITQUEUE_QUERY, amdgpu QUERY_INFO and asahi
GET_PARAMS answers, chosen by a field of the request; the data trailing an
i915 GEM_CONTEXT_CREATE setparam record, chosen by a field of the record)
has, in a vector's "value", vdrm-wire's typed form: {"type": NAME, <fields>, ["trailing": hex]}
or {"type": "u32", "value": N}. This script computes that form from the
vector's "hex" on its own:

- struct layouts (field offsets, sizes, types, the revision a field was added
  in) are read from the byte tables of generated/doc/NAME.md;
- which struct a selector value names is written below from the kernel UAPI
  headers (ioctl numbers, AMDGPU_INFO_*, MSM_SUBMITQUEUE_PARAM_* and
  I915_CONTEXT_PARAM_* values), not taken from the spec or the generated
  descriptors;
- a record chain's records are walked in the vector's bytes (RECORDS_TYPED:
  each record's struct, then as many bytes as a field of it says);
- a chunk region (amdgpu CS_SUBMIT's chunks, CHUNKS_TYPED) keeps its hex and
  gets the decode-only "chunks_typed": each element of the descriptor table
  is read from the vector's bytes, and the chunk it locates is shown as the
  struct its id names (AMDGPU_CHUNK_ID_* from amdgpu_drm.h, and how many of
  it the host and kernel take), written out below;
- a response whose type the request chooses is typed only when its vector
  gives that request ("request", hex). PAIRS below names, for each such
  response, the request vector it answers, by name; the script copies that
  vector's bytes into "request" and checks that the response is as long as
  the host makes the answer to that request. Responses paired with no
  request keep their payload as hex.

The typed form of a chunk: {"desc": I, "chunk": KIND, "offset": O, "length":
BYTES} and, for a kind of one struct (exactly or at least), "value": its
fields; for a kind of several (whole structs, or any length), "elements": the
whole structs that fit; then "trailing" (hex) for the chunk's other bytes.
A struct with a non-zero byte no field holds is not shown: the whole chunk is
"trailing" then.

The typed form of a payload (README.md, "vdrm-wire"): the fields that lie whole within the
payload, in order; a payload longer than the type has the rest as
"trailing"; one shorter than the type (at least the oldest revision's size)
lists the fields it holds and must end where its last field ends. Anything
else, or a byte the shown fields leave out that is not zero, stays hex.

usage: typed_values.py [--write | --check] [FILE.json...]
  --check (default): fail if a vector's value or request differs from the
           derived one; --write: rewrite those vectors' lines in place (only
           those lines change).
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DOC = os.path.join(ROOT, "generated", "doc")

SCALARS = {"u8": (1, False), "u16": (2, False), "u32": (4, False), "u64": (8, False),
           "i8": (1, True), "i16": (2, True), "i32": (4, True), "i64": (8, True)}

# ---- selectors, from the kernel UAPI headers ----

DRM_COMMAND_BASE = 0x40
IOC_WRITE, IOC_READ = 1, 2


def drm_ioc(direction, nr, size):
    """DRM_IOC(direction, 'd', DRM_COMMAND_BASE + nr, size) as <asm-generic/ioctl.h> builds it."""
    return (direction << 30) | (size << 16) | (ord("d") << 8) | (DRM_COMMAND_BASE + nr)


def ioc_nr(cmd):
    return cmd & 0xFF


def ioc_size(cmd):
    return (cmd >> 16) & 0x3FFF


def by_nr(table):
    """A selector on an ioctl number: its _IOC_NR less DRM_COMMAND_BASE."""
    return lambda cmd: table.get(ioc_nr(cmd) - DRM_COMMAND_BASE)


# msm_drm.h: DRM_MSM_GET_PARAM 0x00, DRM_MSM_SUBMITQUEUE_NEW 0x0A, DRM_MSM_SUBMITQUEUE_CLOSE 0x0B
# (a __u32 queue id); struct drm_msm_param is described as msm_ioctl_param.
MSM_IOCTLS = by_nr({0x00: "msm_ioctl_param", 0x0A: "drm_msm_submitqueue", 0x0B: "u32"})
# MSM_SUBMITQUEUE_PARAM_FAULTS 0: the queue's fault counter.
MSM_QUERY = {0: "msm_submitqueue_query_faults"}.get
# asahi_drm.h: GET_TIME 0x01, VM_CREATE 0x02, VM_DESTROY 0x03, QUEUE_CREATE 0x08, QUEUE_DESTROY 0x09.
ASAHI_IOCTLS = by_nr({0x01: "drm_asahi_get_time", 0x02: "drm_asahi_vm_create",
                      0x03: "drm_asahi_vm_destroy", 0x08: "drm_asahi_queue_create",
                      0x09: "drm_asahi_queue_destroy"})
# DRM_ASAHI_GET_PARAMS param_group 0: struct drm_asahi_params_global.
ASAHI_PARAMS = {0: "drm_asahi_params_global"}.get
# i915_drm.h: the host compares the whole DRM_IOCTL_I915_* number.
I915_IOCTLS = {
    drm_ioc(IOC_WRITE, 0x1F, 12): "drm_i915_gem_set_domain",
    drm_ioc(IOC_READ | IOC_WRITE, 0x21, 16): "drm_i915_gem_set_tiling",
    drm_ioc(IOC_READ | IOC_WRITE, 0x22, 16): "drm_i915_gem_get_tiling",
    drm_ioc(IOC_READ, 0x23, 16): "drm_i915_gem_get_aperture",
    drm_ioc(IOC_READ | IOC_WRITE, 0x2D, 8): "drm_i915_gem_context_create",
    drm_ioc(IOC_WRITE, 0x2E, 8): "drm_i915_gem_context_destroy",
    drm_ioc(IOC_READ | IOC_WRITE, 0x31, 16): "drm_i915_reg_read",
    drm_ioc(IOC_READ | IOC_WRITE, 0x32, 24): "drm_i915_reset_stats",
    drm_ioc(IOC_READ | IOC_WRITE, 0x34, 24): "drm_i915_gem_context_param",
    drm_ioc(IOC_READ | IOC_WRITE, 0x35, 24): "drm_i915_gem_context_param",
    drm_ioc(IOC_READ | IOC_WRITE, 0x3A, 16): "drm_i915_gem_vm_control",
    drm_ioc(IOC_WRITE, 0x3B, 16): "drm_i915_gem_vm_control",
}.get
# amdgpu_drm.h AMDGPU_INFO_*: what the kernel writes for each query with a fixed answer
# (VBIOS, whose answer depends on vbios_info.type too, and MAX_IBS, an array, are not
# described: their payload stays hex). READ_MMR_REG writes read_mmr_reg.count u32
# registers: the first is the u32, the others trail it.
AMDGPU_QUERIES = {
    0x00: "u32",   # ACCEL_WORKING
    0x01: "u32",   # CRTC_FROM_ID
    0x02: "amdgpu_info_hw_ip",   # HW_IP_INFO: struct drm_amdgpu_info_hw_ip (wire twin)
    0x03: "u32",   # HW_IP_COUNT
    0x05: "u64",   # TIMESTAMP
    0x0E: "drm_amdgpu_info_firmware",   # FW_VERSION
    0x0F: "u64",   # NUM_BYTES_MOVED
    0x10: "u64",   # VRAM_USAGE
    0x11: "u64",   # GTT_USAGE
    0x13: "drm_amdgpu_info_gds",   # GDS_CONFIG
    0x14: "drm_amdgpu_info_vram_gtt",   # VRAM_GTT
    0x15: "u32",   # READ_MMR_REG: the first register
    0x16: "amdgpu_info_device",   # DEV_INFO: struct drm_amdgpu_info_device up to csa_alignment
    0x17: "u64",   # VIS_VRAM_USAGE
    0x18: "u64",   # NUM_EVICTIONS
    0x19: "drm_amdgpu_memory_info",   # MEMORY
    0x1A: "drm_amdgpu_info_vce_clock_table",   # VCE_CLOCK_TABLE
    0x1C: "drm_amdgpu_info_num_handles",   # NUM_HANDLES
    0x1D: "u32",   # SENSOR
    0x1E: "u64",   # NUM_VRAM_CPU_PAGE_FAULTS
    0x1F: "u32",   # VRAM_LOST_COUNTER
    0x20: "u64",   # RAS_ENABLED_FEATURES
    0x21: "drm_amdgpu_info_video_caps",   # VIDEO_CAPS
    0x23: "drm_amdgpu_info_gpuvm_fault",   # GPUVM_FAULT
}.get


# i915_drm.h I915_CONTEXT_PARAM_*: the data of a context-creation setparam record, by
# param.param (the parameters whose data is a struct; the others carry no data).
I915_SETPARAM_DATA = {0x7: "drm_i915_gem_context_param_sseu",   # SSEU
                      0xA: "i915_context_param_engines"}.get    # ENGINES, then the engine map


class Typed:
    """A typed bytes item: the selector (a u32 at offset `at` of this body's
    fixed part or of the request's) and what its value names."""

    def __init__(self, scope, at, pick, rsp_len=None):
        self.scope, self.at, self.pick, self.rsp_len = scope, at, pick, rsp_len


def u32(b, at):
    return int.from_bytes(b[at:at + 4], "little")


def u64(b, at):
    return int.from_bytes(b[at:at + 8], "little")


def ioctl_rsp_len(req):
    """IOCTL_SIMPLE: the host answers with the argument when cmd has _IOC_READ."""
    cmd = u32(req, 16)
    return ioc_size(cmd) if cmd >> 30 & IOC_READ else 0


# (context, command, direction) -> where the selector is; rsp_len: the payload length the
# host gives the answer to a request (checks a pairing). Offsets are those of the request
# structs: hdr is 16 bytes; i915/msm/asahi IOCTL_SIMPLE cmd at 16; msm SUBMITQUEUE_QUERY
# queue_id 16, param 20, len 24; amdgpu QUERY_INFO info.return_size 24, info.query 28;
# asahi GET_PARAMS params.param_group 16, params.size 32.
TYPED = {
    ("msm", "IOCTL_SIMPLE", "request"): Typed("self", 16, MSM_IOCTLS),
    ("msm", "IOCTL_SIMPLE", "response"): Typed("request", 16, MSM_IOCTLS, ioctl_rsp_len),
    ("msm", "SUBMITQUEUE_QUERY", "response"): Typed("request", 20, MSM_QUERY,
                                                    lambda r: u32(r, 24)),
    ("amdgpu", "QUERY_INFO", "response"): Typed("request", 28, AMDGPU_QUERIES,
                                                lambda r: u32(r, 24)),
    ("asahi", "IOCTL_SIMPLE", "request"): Typed("self", 16, ASAHI_IOCTLS),
    ("asahi", "IOCTL_SIMPLE", "response"): Typed("request", 16, ASAHI_IOCTLS, ioctl_rsp_len),
    ("asahi", "GET_PARAMS", "response"): Typed("request", 16, ASAHI_PARAMS,
                                               lambda r: u64(r, 32)),
    ("i915", "IOCTL_SIMPLE", "request"): Typed("self", 16, I915_IOCTLS),
    ("i915", "IOCTL_SIMPLE", "response"): Typed("request", 16, I915_IOCTLS, ioctl_rsp_len),
}

class RecordsTyped:
    """A record chain whose records' trailing bytes hold a struct a field of the
    record chooses: the chain is `length_at` (a u32 of the fixed part) bytes from
    the variable part's start, each record a struct `record` followed by
    `data_len` (a field path of it) bytes, typed by `selector` (another)."""

    def __init__(self, item, length_at, record, data_len, data, selector, pick):
        self.item, self.length_at, self.record = item, length_at, record
        self.data_len, self.data, self.selector, self.pick = data_len, data, selector, pick


# GEM_CONTEXT_CREATE: params_size at 20, the records from 24.
RECORDS_TYPED = {
    ("i915", "GEM_CONTEXT_CREATE", "request"): RecordsTyped(
        "params", 20, "drm_i915_gem_context_create_ext_setparam", "param.size", "value",
        "param.param", I915_SETPARAM_DATA),
}

class ChunksTyped:
    """A chunk region: a table of `count_at` (a u32 of the fixed part) elements of
    struct `table` right after the fixed part, each locating one chunk by its `id`,
    `offset` (bytes from the table's end) and `length` (in `unit` bytes) fields; the
    chunks are the bytes from the table's end to hdr.len (a u32 at 4). `kinds`: id
    -> (name, struct, how many: "exact" one, "at-least" one, an "array" of whole
    ones, "any" length of them)."""

    def __init__(self, item, count_at, table, id_field, offset_field, length_field, unit,
                 kinds):
        self.item, self.count_at, self.table = item, count_at, table
        self.id_field, self.offset_field, self.length_field = id_field, offset_field, length_field
        self.unit, self.kinds = unit, kinds


# amdgpu_drm.h AMDGPU_CHUNK_ID_*: the chunks the host takes (amdgpu_ccmd_cs_submit). IB
# holds exactly one drm_amdgpu_cs_chunk_ib (length_dw 8); FENCE a drm_amdgpu_cs_chunk_fence,
# of which the host reads the first 8 bytes; DEPENDENCIES drm_amdgpu_cs_chunk_dep elements,
# of which the kernel uses as many whole ones as fit; BO_HANDLES an array of
# drm_amdgpu_bo_list_entry (the host rebuilds drm_amdgpu_bo_list_in around them).
AMDGPU_CHUNKS = {
    0x01: ("IB", "drm_amdgpu_cs_chunk_ib", "exact"),
    0x02: ("FENCE", "drm_amdgpu_cs_chunk_fence", "at-least"),
    0x03: ("DEPENDENCIES", "drm_amdgpu_cs_chunk_dep", "any"),
    0x06: ("BO_HANDLES", "drm_amdgpu_bo_list_entry", "array"),
}

# CS_SUBMIT: num_chunks at 20; the table of 8-byte descriptors (chunk_id, length_dw in
# dwords, offset) from 32, the chunks after it.
CHUNKS_TYPED = {
    ("amdgpu", "CS_SUBMIT", "request"): ChunksTyped(
        "chunks", 20, "amdgpu_ccmd_cs_submit_chunk", "chunk_id", "offset", "length_dw", 4,
        AMDGPU_CHUNKS),
}

# Response vector -> the request vector it answers (by name). Chosen by hand: the request's
# selector and size give the response's length, and what the kernel echoes back unchanged
# (msm GET_PARAM pipe and param, tiling modes, asahi VM/queue arguments) agrees. Responses
# left out have no request vector they can answer (a GET_PARAM of another parameter, a
# QUEUE_CREATE on another VM) and keep hex.
PAIRS = {
    "msm": {
        "IOCTL_SIMPLE response: GET_PARAM MSM_PARAM_CHIP_ID = 0x06060001":
            "IOCTL_SIMPLE request: DRM_IOCTL_MSM_GET_PARAM MSM_PARAM_CHIP_ID (24-byte drm_msm_param)",
        "IOCTL_SIMPLE response: GET_PARAM MSM_PARAM_VA_SIZE = 0xfffffff00000 (64-bit value)":
            "IOCTL_SIMPLE request: DRM_IOCTL_MSM_GET_PARAM MSM_PARAM_VA_SIZE",
        "IOCTL_SIMPLE response: GET_PARAM, 16-byte drm_msm_param, MSM_PARAM_GPU_ID = 660":
            "IOCTL_SIMPLE request: DRM_IOCTL_MSM_GET_PARAM MSM_PARAM_GPU_ID, pre-len 16-byte "
            "drm_msm_param (libdrm 2.4.114 msm_drm.h)",
        "IOCTL_SIMPLE response: SUBMITQUEUE_NEW, id 3 filled in":
            "IOCTL_SIMPLE request: DRM_IOCTL_MSM_SUBMITQUEUE_NEW, prio 1, allow preempt",
        "IOCTL_SIMPLE response: SUBMITQUEUE_CLOSE (no _IOC_READ, empty payload)":
            "IOCTL_SIMPLE request: DRM_IOCTL_MSM_SUBMITQUEUE_CLOSE queue 3 (write-only)",
        "SUBMITQUEUE_QUERY response: 8 payload bytes, 4 written (faults = 3)":
            "SUBMITQUEUE_QUERY request: MSM_SUBMITQUEUE_PARAM_FAULTS, 8-byte buffer",
        "SUBMITQUEUE_QUERY response: 8 payload bytes, all meaningful":
            "SUBMITQUEUE_QUERY request: MSM_SUBMITQUEUE_PARAM_FAULTS, 8-byte buffer",
        "SUBMITQUEUE_QUERY response: 4 payload bytes, faults = 0":
            "SUBMITQUEUE_QUERY request: faults, 4-byte buffer",
        "SUBMITQUEUE_QUERY response: -ENOENT (no such queue), len unchanged, zero payload":
            "SUBMITQUEUE_QUERY request: MSM_SUBMITQUEUE_PARAM_FAULTS, 8-byte buffer",
    },
    "amdgpu": {
        "QUERY_INFO response: drm_amdgpu_info_hw_ip of GFX 10.3 (one ring)":
            "QUERY_INFO request: HW_IP_INFO for GFX instance 0 (query_hw_ip)",
        "QUERY_INFO response: drm_amdgpu_info_hw_ip of COMPUTE (four rings)":
            "QUERY_INFO request: HW_IP_INFO for COMPUTE, uninitialized union tail",
        "QUERY_INFO response: HW_IP_INFO refused, -EINVAL, zero payload":
            "QUERY_INFO request: HW_IP_INFO for GFX instance 0 (query_hw_ip)",
        "QUERY_INFO response: HW_IP_COUNT 2 (4-byte payload, unaligned length)":
            "QUERY_INFO request: HW_IP_COUNT for VCN_DEC, stack garbage in ip_instance",
        "QUERY_INFO response: READ_MMR_REG one register":
            "QUERY_INFO request: READ_MMR_REG GB_ADDR_CONFIG, broadcast instance",
        "QUERY_INFO response: drm_amdgpu_info_firmware of MEC":
            "QUERY_INFO request: FW_VERSION of MEC pipe 1 (query_fw)",
        "QUERY_INFO response: drm_amdgpu_info_device prefix (192 bytes, Navi 21)":
            "QUERY_INFO request: DEV_INFO, 192-byte drm_amdgpu_info_device prefix",
        "QUERY_INFO response: drm_amdgpu_info_device of a Navi 21 (440 bytes)":
            "QUERY_INFO request: DEV_INFO, the whole 440-byte drm_amdgpu_info_device",
        "QUERY_INFO response: drm_amdgpu_info_device of a Navi 31 and a newer header's 8 bytes":
            "QUERY_INFO request: DEV_INFO from a guest with a newer amdgpu_drm.h (448 bytes)",
        "QUERY_INFO response: READ_MMR_REG 4 registers":
            "QUERY_INFO request: READ_MMR_REG 4 registers on SE 1 SH 0",
        "QUERY_INFO response: SENSOR timed out, -ETIMEDOUT":
            "QUERY_INFO request: SENSOR GFX_SCLK (sensor_info)",
        "QUERY_INFO response: VRAM_USAGE 64-bit":
            "QUERY_INFO request: VRAM_USAGE from an i386 guest, union ignored",
    },
    "asahi": {
        "IOCTL_SIMPLE response: QUEUE_CREATE argument after the call":
            "IOCTL_SIMPLE request: DRM_IOCTL_ASAHI_QUEUE_CREATE (medium priority)",
        "IOCTL_SIMPLE response: VM_CREATE with vm_id":
            "IOCTL_SIMPLE request: DRM_IOCTL_ASAHI_VM_CREATE",
        "IOCTL_SIMPLE response: GET_TIME with 64-bit timestamp":
            "IOCTL_SIMPLE request: DRM_IOCTL_ASAHI_GET_TIME",
        "IOCTL_SIMPLE response: write-only ioctl, no payload":
            "IOCTL_SIMPLE request: DRM_IOCTL_ASAHI_QUEUE_DESTROY (write-only)",
        "IOCTL_SIMPLE response: failed ioctl, ret -1":
            "IOCTL_SIMPLE request: DRM_IOCTL_ASAHI_VM_DESTROY (write-only)",
        "GET_PARAMS response: drm_asahi_params_global of a G13C (T6001)":
            "GET_PARAMS request: full drm_asahi_params_global (592 bytes)",
        "GET_PARAMS response: 64-byte prefix":
            "GET_PARAMS request: 64-byte prefix, stale pointer",
        "GET_PARAMS response: -EINVAL, zero payload":
            "GET_PARAMS request: full drm_asahi_params_global (592 bytes)",
    },
    "i915": {
        "IOCTL_SIMPLE response: DRM_IOCTL_I915_GEM_SET_TILING (host GEM handle written back)":
            "IOCTL_SIMPLE request: DRM_IOCTL_I915_GEM_SET_TILING (Y-tiled, res_id 42)",
        "IOCTL_SIMPLE response: DRM_IOCTL_I915_GEM_GET_TILING (X-tiled, bit-6 swizzle 9_10)":
            "IOCTL_SIMPLE request: DRM_IOCTL_I915_GEM_GET_TILING (res_id 43, stale pad)",
        "IOCTL_SIMPLE response: DRM_IOCTL_I915_GEM_GET_TILING refused: unknown res_id "
        "(EINVAL, zeroed argument)":
            "IOCTL_SIMPLE request: DRM_IOCTL_I915_GEM_GET_TILING (res_id 43, stale pad)",
        "IOCTL_SIMPLE response: DRM_IOCTL_I915_GET_RESET_STATS (1 active, 2 pending batches lost)":
            "IOCTL_SIMPLE request: DRM_IOCTL_I915_GET_RESET_STATS (ctx 3)",
        "IOCTL_SIMPLE response: write-only ioctl (SET_DOMAIN): ret only":
            "IOCTL_SIMPLE request: DRM_IOCTL_I915_GEM_SET_DOMAIN (write-only, 36-byte message)",
        "IOCTL_SIMPLE response: DRM_IOCTL_I915_GEM_GET_APERTURE (4 GiB GGTT)":
            "IOCTL_SIMPLE request: DRM_IOCTL_I915_GEM_GET_APERTURE (read-only)",
        "IOCTL_SIMPLE response: DRM_IOCTL_I915_REG_READ (64-bit timestamp)":
            "IOCTL_SIMPLE request: DRM_IOCTL_I915_REG_READ (render timestamp, 8B_WA)",
        "IOCTL_SIMPLE response: DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM (vm_id 1)":
            "IOCTL_SIMPLE request: DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM (VM)",
        "IOCTL_SIMPLE response: DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM refused: priority "
        "(EPERM, zeroed argument)":
            "IOCTL_SIMPLE request: DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM (PRIORITY -512, lowered)",
        "IOCTL_SIMPLE response: DRM_IOCTL_I915_GEM_CONTEXT_CREATE (ctx_id 4)":
            "IOCTL_SIMPLE request: DRM_IOCTL_I915_GEM_CONTEXT_CREATE (no extensions)",
        "IOCTL_SIMPLE response: write-only ioctl (CONTEXT_DESTROY) failed: ENOENT":
            "IOCTL_SIMPLE request: DRM_IOCTL_I915_GEM_CONTEXT_DESTROY (ctx 5, write-only)",
        "IOCTL_SIMPLE response: DRM_IOCTL_I915_GEM_VM_CREATE (vm_id 2)":
            "IOCTL_SIMPLE request: DRM_IOCTL_I915_GEM_VM_CREATE",
    },
}

# ---- layouts, from the byte tables of generated/doc/NAME.md ----


class Field:
    def __init__(self, offset, size, name, base, count, since):
        self.offset, self.size, self.name = offset, size, name
        self.base, self.count, self.since = base, count, since


class Struct:
    def __init__(self, name, size, fields):
        self.name, self.size, self.fields = name, size, fields
        # An older revision ends where the first field added later begins.
        later = [f.offset for f in fields if f.since]
        self.min_size = min(later) if later else size


ROW = re.compile(r"^\| (\d+) \| (\d+) \| `([^`]+)` \| ([^|]*?) \| (.*) \|$")
TYPE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$")


def parse_doc(path):
    """Every '## struct NAME' of a doc: its size and its fields' rows."""
    structs = {}
    name = size = None
    fields = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for line in lines + ["## end"]:
        if line.startswith("#"):
            if name is not None:
                structs[name] = Struct(name, size, fields)
            m = re.match(r"^## struct (\w+)$", line)
            name, size, fields = (m.group(1), None, []) if m else (None, None, [])
            continue
        if name is None:
            continue
        m = re.search(r"; (\d+) bytes\.$", line)
        if size is None and m and not line.startswith("|"):
            size = int(m.group(1))
        m = ROW.match(line)
        # Implicit padding has a row of its own but is no field: its bytes must be zero.
        if m and m.group(3) not in ("(implicit padding)", "(implicit tail padding)"):
            t = TYPE.match(m.group(4).strip())
            since = re.search(r"Added in revision (\d+)", m.group(5))
            # An array of several dimensions (u32[4][4]) is its elements in order.
            count = 1
            for d in re.findall(r"\[(\d+)\]", t.group(2) if t else ""):
                count *= int(d)
            fields.append(Field(int(m.group(1)), int(m.group(2)), m.group(3),
                                t.group(1) if t else None, count,
                                int(since.group(1)) if since else 0))
    return structs


def parse_data_offsets(path):
    """(struct name of a message body) -> the offset its variable part starts at."""
    offsets = {}
    body = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^### (?:Request|Response): struct (\w+)", line)
            if m:
                body = m.group(1)
            m = re.match(r"^Variable part, from offset (\d+)", line)
            if m and body:
                offsets[body] = int(m.group(1))
    return offsets


class Layouts:
    def __init__(self, context):
        self.context = context
        self.structs = parse_doc(os.path.join(DOC, context + ".md"))
        self.data_offsets = parse_data_offsets(os.path.join(DOC, context + ".md"))

    def elem_size(self, f):
        if f.base in SCALARS:
            return SCALARS[f.base][0]
        if f.base in self.structs:
            return self.structs[f.base].size
        raise ValueError(f"field {f.name}: type {f.base!r} not understood")

    def check(self, s):
        for f in s.fields:
            if f.base is None or self.elem_size(f) * f.count != f.size:
                raise ValueError(f"{s.name}.{f.name}: its size disagrees with its type")

    def value(self, base, data):
        """The JSON value of one element of type base at data."""
        if base in SCALARS:
            size, signed = SCALARS[base]
            return int.from_bytes(data[:size], "little", signed=signed)
        s = self.structs[base]
        self.check(s)
        return {f.name: self.field_value(f, data) for f in s.fields}

    def field_value(self, f, data):
        each = self.elem_size(f)
        vals = [self.value(f.base, data[f.offset + j * each:]) for j in range(f.count)]
        return vals[0] if f.count == 1 else vals

    def mark(self, base, at, covered):
        """Marks the bytes the scalars of one element of type base at `at` describe."""
        if base in SCALARS:
            for k in range(at, at + SCALARS[base][0]):
                covered[k] = True
            return
        for f in self.structs[base].fields:
            for j in range(f.count):
                self.mark(f.base, at + f.offset + j * self.elem_size(f), covered)

    def path(self, struct, path):
        """(offset, size) of a dotted field path of struct, through embedded structs."""
        s, off = self.structs[struct], 0
        parts = path.split(".")
        for k, part in enumerate(parts):
            f = next(f for f in s.fields if f.name == part)
            off += f.offset
            if k + 1 < len(parts):
                s = self.structs[f.base]
        return off, f.size

    def read(self, struct, path, data):
        off, size = self.path(struct, path)
        return int.from_bytes(data[off:off + size], "little")

    def typed(self, name, data):
        """vdrm-wire's typed form of payload data as type name, or None (hex)."""
        n = len(data)
        if name in SCALARS:
            size = SCALARS[name][0]
            if n < size:
                return None
            obj = {"type": name, "value": self.value(name, data)}
        else:
            s = self.structs[name]
            self.check(s)
            size = s.size
            if n == 0 or n < s.min_size:
                return None
            limit = min(n, size)
            covered = [False] * size
            obj = {"type": name}
            ends = []
            for f in s.fields:
                if f.offset + f.size > limit:
                    continue
                obj[f.name] = self.field_value(f, data)
                ends.append(f.offset + f.size)
                for j in range(f.count):
                    self.mark(f.base, f.offset + j * self.elem_size(f), covered)
            if any(data[i] and not covered[i] for i in range(limit)):
                return None
            if n < size and (size if len(ends) == len(s.fields) else max(ends, default=0)) != n:
                return None
        if n > size:
            obj["trailing"] = data[size:].hex()
        return obj


# ---- the vectors ----


def body_struct(context, command, direction):
    return f"{context}_ccmd_{command.lower()}_{'req' if direction == 'request' else 'rsp'}"


def payload_of(context, lay, v, raw):
    """The payload bytes of vector v: after the fixed part, _IOC_SIZE(cmd) of a request,
    the rest of a response."""
    start = lay.data_offsets[body_struct(context, v["command"], v["direction"])]
    if v["direction"] == "request":
        return raw[start:start + ioc_size(u32(raw, 16))]
    return raw[start:u32(raw, 0)]


def derive_records(lay, t, v):
    """Vector v with the trailing bytes of its records typed by t (RecordsTyped), or None
    when nothing changes."""
    raw = bytes.fromhex(v["hex"])
    start = lay.data_offsets[body_struct(lay.context, v["command"], v["direction"])]
    region = raw[start:start + u32(raw, t.length_at)]
    rsize = lay.structs[t.record].size
    records = v["value"][t.item]
    new = [dict(r) for r in records]
    at = 0
    for r in new:
        if len(region) - at < rsize:
            raise ValueError(f"{v['name']}: a {t.record} runs past the records")
        n = lay.read(t.record, t.data_len, region[at:])
        data = region[at + rsize:at + rsize + n]
        old = r[t.data]
        if isinstance(old, str) and old != data.hex():
            raise ValueError(f"{v['name']}: a record's {t.data} is {data.hex()}, its value says {old}")
        type_name = t.pick(lay.read(t.record, t.selector, region[at:]))
        typed = lay.typed(type_name, data) if type_name else None
        r[t.data] = typed if typed is not None else data.hex()
        at += rsize + n
    if at != len(region) or len(new) != len(records):
        raise ValueError(f"{v['name']}: the records do not fill the chain")
    return dict(v, value=dict(v["value"], **{t.item: new}))


def chunk_typed(lay, kinds, j, chunk_id, offset, data):
    """The typed form of one chunk (table element j): where it is, then its structs."""
    kind = kinds.get(chunk_id)
    entry = {"desc": j, "chunk": kind[0] if kind else chunk_id, "offset": offset,
             "length": len(data)}
    done = 0
    if kind:
        _, struct, rule = kind
        s = lay.structs[struct]
        lay.check(s)
        covered = [False] * s.size
        lay.mark(struct, 0, covered)

        def clean(at):
            return not any(data[at + i] and not covered[i] for i in range(s.size))

        if rule in ("exact", "at-least"):
            if len(data) >= s.size and clean(0):
                entry["value"] = lay.value(struct, data)
                done = s.size
        elif rule in ("array", "any"):
            count = len(data) // s.size
            if all(clean(k * s.size) for k in range(count)):
                entry["elements"] = [lay.value(struct, data[k * s.size:]) for k in range(count)]
                done = count * s.size
        else:
            raise ValueError(f"chunk kind {kind[0]}: rule {rule!r} not understood")
    if done < len(data):
        entry["trailing"] = data[done:].hex()
    return entry


def derive_chunks(lay, t, v):
    """Vector v with t.item + "_typed" (ChunksTyped) after its chunk region's hex."""
    raw = bytes.fromhex(v["hex"])
    start = lay.data_offsets[body_struct(lay.context, v["command"], v["direction"])]
    tsize = lay.structs[t.table].size
    count = u32(raw, t.count_at)
    table = raw[start:start + count * tsize]
    region = raw[start + count * tsize:u32(raw, 4)]
    if len(table) != count * tsize:
        raise ValueError(f"{v['name']}: the chunk table runs past the message")
    if v["value"][t.item] != region.hex():
        raise ValueError(f"{v['name']}: the chunks are {region.hex()}, its value says "
                         f"{v['value'][t.item]}")
    entries = []
    for j in range(count):
        elem = table[j * tsize:(j + 1) * tsize]
        offset = lay.read(t.table, t.offset_field, elem)
        length = lay.read(t.table, t.length_field, elem) * t.unit
        if offset + length > len(region):
            raise ValueError(f"{v['name']}: chunk {j} runs past the chunks")
        entries.append(chunk_typed(lay, t.kinds, j, lay.read(t.table, t.id_field, elem), offset,
                                   region[offset:offset + length]))
    # "<item>_typed" follows the item.
    value = {}
    for k, x in v["value"].items():
        if k != t.item + "_typed":
            value[k] = x
        if k == t.item:
            value[t.item + "_typed"] = entries
    return dict(v, value=value)


def derive(context, doc):
    """The vectors of doc with their typed values and requests; yields (index, new vector)."""
    lay = Layouts(context)
    for i, v in enumerate(doc["vectors"]):
        rt = RECORDS_TYPED.get((context, v["command"], v["direction"]))
        if rt:
            yield i, derive_records(lay, rt, v)
        ct = CHUNKS_TYPED.get((context, v["command"], v["direction"]))
        if ct:
            yield i, derive_chunks(lay, ct, v)
    by_name = {v["name"]: v for v in doc["vectors"]}
    pairs = PAIRS.get(context, {})
    for name in pairs:
        if name not in by_name or pairs[name] not in by_name:
            raise ValueError(f"{context}: PAIRS names a missing vector: {name!r}")
    for i, v in enumerate(doc["vectors"]):
        t = TYPED.get((context, v["command"], v["direction"]))
        if not t:
            continue
        raw = bytes.fromhex(v["hex"])
        payload = payload_of(context, lay, v, raw)
        old = v["value"].get("payload")
        if isinstance(old, str) and old != payload.hex():
            raise ValueError(f"{v['name']}: the payload at its offset is {payload.hex()}, "
                             f"its value says {old}")
        new = {k: x for k, x in v.items() if k != "request"}
        new["value"] = dict(v["value"], payload=payload.hex())
        request = None
        if v["direction"] == "response" and v["name"] in pairs:
            r = by_name[pairs[v["name"]]]
            if r["command"] != v["command"] or r["direction"] != "request":
                raise ValueError(f"{v['name']}: paired with {r['name']}, not its request")
            request = bytes.fromhex(r["hex"])
            if t.rsp_len(request) != len(payload):
                raise ValueError(f"{v['name']}: {len(payload)} payload bytes, but the host "
                                 f"answers {r['name']} with {t.rsp_len(request)}")
            # "request" follows "hex", before "value".
            new = {}
            for k, x in v.items():
                if k != "request":
                    new[k] = x
                if k == "hex":
                    new["request"] = r["hex"]
            new["value"] = dict(v["value"], payload=payload.hex())
        selector_bytes = raw if t.scope == "self" else request
        if selector_bytes is not None:
            type_name = t.pick(u32(selector_bytes, t.at))
            typed = lay.typed(type_name, payload) if type_name else None
            if typed is not None:
                new["value"]["payload"] = typed
        yield i, new


def count_typed(context, v):
    """How many typed items vector v holds: its payload, its records' data, or its chunks."""
    rt = RECORDS_TYPED.get((context, v["command"], v["direction"]))
    if rt:
        return sum(isinstance(r[rt.data], dict) for r in v["value"][rt.item])
    ct = CHUNKS_TYPED.get((context, v["command"], v["direction"]))
    if ct:
        return sum("value" in e or "elements" in e for e in v["value"][ct.item + "_typed"])
    return int(isinstance(v["value"].get("payload"), dict))


def process(path, write):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text)
    context = doc["context"]
    lines = text.split("\n")
    # Each vector is one line '  {...},' (the last without the comma), in order.
    at = [k for k, line in enumerate(lines) if line.startswith("  {")]
    if len(at) != len(doc["vectors"]):
        raise ValueError(f"{path}: expected one vector per line")
    changed = []
    typed = 0
    for i, new in derive(context, doc):
        typed += count_typed(context, new)
        line = lines[at[i]]
        comma = "," if line.endswith(",") else ""
        if json.loads(line.rstrip(",")) != doc["vectors"][i]:
            raise ValueError(f"{path}: line {at[i] + 1} is not vector {i}")
        fresh = "  " + json.dumps(new) + comma
        if new != doc["vectors"][i]:
            changed.append(new["name"])
            lines[at[i]] = fresh
    if write and changed:
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
    print(f"{path}: {typed} typed items, {len(changed)} vectors "
          f"{'rewritten' if write else 'out of date'}")
    if not write:
        for name in changed:
            print(f"  differs: {name}")
    return changed


def main(argv):
    write = "--write" in argv
    files = [a for a in argv if not a.startswith("--")]
    if not files:
        files = [os.path.join(HERE, c + ".json") for c in ("msm", "amdgpu", "asahi", "i915")]
    stale = [n for p in files for n in process(p, write)]
    return 0 if write or not stale else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
