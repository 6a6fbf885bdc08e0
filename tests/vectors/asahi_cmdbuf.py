#!/usr/bin/env python3
"""The values of the asahi SUBMIT conformance vectors' command buffers.

SUBMIT's cmdbuf is a sequence of records (generated/doc/asahi.md, SUBMIT):
each a struct drm_asahi_cmd_header (cmd_type u16, size u16, vdm_barrier u16,
cdm_barrier u16) and the body its cmd_type selects: RENDER (0) a 240-byte
drm_asahi_cmd_render, COMPUTE (1) a 64-byte drm_asahi_cmd_compute, the three
SET_*_ATTACHMENTS (2, 3, 4) size / 24 drm_asahi_attachment entries (pointer
u64, size u64, pad u32, flags u32). This script unpacks them with `struct`
from the byte tables of the doc, written out below by hand, never through
the generator or vdrm-wire, and gives the value vdrm-wire must print for
them: RENDER and COMPUTE as {"record", "hdr", "cmd"} (the wire structs
asahi_cmdbuf_render and asahi_cmdbuf_compute), an attachment command as the
header's fields and "attachments" as the list of its entries' fields.

It also packs the SUBMIT vectors this script adds (NEW below) from field
values, the same way.

usage: asahi_cmdbuf.py [--check]
  without --check: rewrite the "cmdbuf" value of every SUBMIT vector of
  asahi.json from its hex, drop the vectors of REMOVED and add those of NEW
  that are missing; other lines of the file are left byte for byte as they
  are.
  --check: fail if the file would change.
"""

import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, 'asahi.json')

# Struct layouts (LP64 and i386 alike; no implicit padding): lists of
# (name, format or nested layout), in offset order.
HEADER = [('cmd_type', 'H'), ('size', 'H'), ('vdm_barrier', 'H'), ('cdm_barrier', 'H')]
HELPER = [('binary', 'I'), ('cfg', 'I'), ('data', 'Q')]
BG_EOT = [('usc', 'I'), ('rsrc_spec', 'I')]
ZLS = [('base', 'Q'), ('comp_base', 'Q'), ('stride', 'I'), ('comp_stride', 'I')]
TIMESTAMP = [('handle', 'I'), ('offset', 'I')]
TIMESTAMPS = [('start', TIMESTAMP), ('end', TIMESTAMP)]
RENDER = [
    ('flags', 'I'), ('isp_zls_pixels', 'I'), ('vdm_ctrl_stream_base', 'Q'),
    ('vertex_helper', HELPER), ('fragment_helper', HELPER),
    ('isp_scissor_base', 'Q'), ('isp_dbias_base', 'Q'), ('isp_oclqry_base', 'Q'),
    ('depth', ZLS), ('stencil', ZLS), ('zls_ctrl', 'Q'), ('ppp_multisamplectl', 'Q'),
    ('sampler_heap', 'Q'), ('ppp_ctrl', 'I'), ('width_px', 'H'), ('height_px', 'H'),
    ('layers', 'H'), ('sampler_count', 'H'), ('utile_width_px', 'B'), ('utile_height_px', 'B'),
    ('samples', 'B'), ('sample_size_B', 'B'), ('isp_merge_upper_x', 'I'),
    ('isp_merge_upper_y', 'I'), ('bg', BG_EOT), ('eot', BG_EOT), ('partial_bg', BG_EOT),
    ('partial_eot', BG_EOT), ('isp_bgobjdepth', 'I'), ('isp_bgobjvals', 'I'),
    ('ts_vtx', TIMESTAMPS), ('ts_frag', TIMESTAMPS),
]
COMPUTE = [
    ('flags', 'I'), ('sampler_count', 'I'), ('cdm_ctrl_stream_base', 'Q'),
    ('cdm_ctrl_stream_end', 'Q'), ('sampler_heap', 'Q'), ('helper', HELPER), ('ts', TIMESTAMPS),
]
ATTACHMENT = [('pointer', 'Q'), ('size', 'Q'), ('pad', 'I'), ('flags', 'I')]

KINDS = {0: 'RENDER', 1: 'COMPUTE', 2: 'SET_VERTEX_ATTACHMENTS',
         3: 'SET_FRAGMENT_ATTACHMENTS', 4: 'SET_COMPUTE_ATTACHMENTS'}
BODY = {0: (RENDER, 240), 1: (COMPUTE, 64)}
BARRIER_NONE = 0xffff


def size_of(layout):
    return sum(struct.calcsize('<' + t) if isinstance(t, str) else size_of(t) for _, t in layout)


assert (size_of(HEADER), size_of(RENDER), size_of(COMPUTE), size_of(ATTACHMENT)) == (8, 240, 64, 24)


def unpack(layout, data, at=0):
    """The dict of layout's fields at data[at:], nested structs as dicts."""
    out = {}
    for name, t in layout:
        if isinstance(t, str):
            out[name] = struct.unpack_from('<' + t, data, at)[0]
            at += struct.calcsize('<' + t)
        else:
            out[name] = unpack(t, data, at)
            at += size_of(t)
    return out


def pack(layout, value):
    """The bytes of layout with value's fields (missing ones zero)."""
    b = b''
    for name, t in layout:
        v = value.get(name, 0 if isinstance(t, str) else {})
        b += struct.pack('<' + t, v) if isinstance(t, str) else pack(t, v)
    return b


def records(cmdbuf):
    """The records of a command buffer, as vdrm-wire prints them."""
    out, at = [], 0
    while at < len(cmdbuf):
        assert len(cmdbuf) - at >= 8, 'a header runs past the buffer'
        head = unpack(HEADER, cmdbuf, at)
        kind = KINDS[head['cmd_type']]
        if head['cmd_type'] in BODY:
            layout, size = BODY[head['cmd_type']]
            assert head['size'] == size and at + 8 + size <= len(cmdbuf), kind
            out.append({'record': kind, 'hdr': head, 'cmd': unpack(layout, cmdbuf, at + 8)})
        else:
            assert head['size'] % 24 == 0 and at + 8 + head['size'] <= len(cmdbuf), kind
            entries = [unpack(ATTACHMENT, cmdbuf, at + 8 + 24 * i) for i in range(head['size'] // 24)]
            out.append(dict({'record': kind}, **head, attachments=entries))
        at += 8 + head['size']
    return out


def command(cmd_type, body, vdm_barrier, cdm_barrier):
    return pack(HEADER, {'cmd_type': cmd_type, 'size': len(body), 'vdm_barrier': vdm_barrier,
                         'cdm_barrier': cdm_barrier}) + body


def submit(seqno, queue_id, cmdbuf, extres):
    """A SUBMIT request: vdrm_ccmd_req {cmd 6, len, seqno, rsp_off 0}, flags 0,
    queue_id, cmdbuf_size, extres_count, the command buffer, the extres."""
    body = struct.pack('<IIII', 0, queue_id, len(cmdbuf), len(extres)) + cmdbuf
    body += b''.join(struct.pack('<II', res_id, flags) for res_id, flags in extres)
    return struct.pack('<IIII', 6, 16 + len(body), seqno, 0) + body


def value(data):
    """The value of a SUBMIT request's bytes: its fixed part, cmdbuf, extres."""
    cmd, length, seqno, rsp_off, flags, queue_id, cmdbuf_size, extres_count = \
        struct.unpack_from('<8I', data)
    cmdbuf = data[32:32 + cmdbuf_size]
    extres = [dict(zip(('res_id', 'flags'), struct.unpack_from('<II', data, 32 + cmdbuf_size + 8 * i)))
              for i in range(extres_count)]
    return {'message': 'SUBMIT', 'hdr': {'cmd': cmd, 'len': length, 'seqno': seqno, 'rsp_off': rsp_off},
            'flags': flags, 'queue_id': queue_id, 'cmdbuf_size': cmdbuf_size,
            'extres_count': extres_count, 'cmdbuf': records(cmdbuf), 'extres': extres}


def gallium_submit():
    """As the gallium driver's agx_batch_submit() lays a batch with compute
    and render work out: COMPUTE (barriers 0, 0), the fragment attachments
    (here a colour and a depth buffer), RENDER waiting on the compute command
    (vdm_barrier NONE, cdm_barrier 1); a SET_VERTEX_ATTACHMENTS command,
    which no Mesa driver sends but the kernel takes, before them. Bodies are
    cleared and then filled, as agx_flush_compute() and agx_cmdbuf() do."""
    compute = pack(COMPUTE, {
        'sampler_count': 1, 'cdm_ctrl_stream_base': 0xffe0a00000,
        'cdm_ctrl_stream_end': 0xffe0a00140, 'sampler_heap': 0xffe0b00000,
        'ts': {'start': {'handle': 2, 'offset': 0x100}, 'end': {'handle': 2, 'offset': 0x100}}})
    colour = pack(ATTACHMENT, {'pointer': 0xffe1000000, 'size': 0x7e9000})
    depth = pack(ATTACHMENT, {'pointer': 0xffe1800000, 'size': 0x7e9000})
    vertex = pack(ATTACHMENT, {'pointer': 0xffe0c00000, 'size': 0x10000})
    render = pack(RENDER, {
        'flags': 0x2, 'isp_zls_pixels': 0x21b877f, 'vdm_ctrl_stream_base': 0xffe0d00000,
        'isp_scissor_base': 0xffe0e00000, 'isp_dbias_base': 0xffe0e00040,
        'isp_oclqry_base': 0xffe0f00000,
        'depth': {'base': 0xffe1800000, 'stride': 1},
        'zls_ctrl': 0x30001, 'ppp_multisamplectl': 0x88, 'ppp_ctrl': 0x202,
        'width_px': 1920, 'height_px': 1080, 'layers': 1, 'utile_width_px': 32,
        'utile_height_px': 32, 'samples': 1, 'sample_size_B': 8,
        'isp_merge_upper_x': 0x3a6c7b92, 'isp_merge_upper_y': 0x3ad234f4,
        'bg': {'usc': 0x20004, 'rsrc_spec': 0x10005}, 'eot': {'usc': 0x20104, 'rsrc_spec': 0x10006},
        'partial_bg': {'usc': 0x20204, 'rsrc_spec': 0x10007},
        'partial_eot': {'usc': 0x20104, 'rsrc_spec': 0x10006},
        'isp_bgobjdepth': 0x3f800000, 'isp_bgobjvals': 0x300,
        'ts_vtx': {'start': {'handle': 2, 'offset': 0x108}},
        'ts_frag': {'end': {'handle': 2, 'offset': 0x118}}})
    cmdbuf = (command(1, compute, 0, 0) +
              command(2, vertex, BARRIER_NONE, BARRIER_NONE) +
              command(3, colour + depth, BARRIER_NONE, BARRIER_NONE) +
              command(0, render, BARRIER_NONE, 1))
    return submit(15, 3, cmdbuf, [(21, 3)])


# Vectors whose bytes no longer decode: a COMPUTE header in a 10-byte command
# buffer is a failure vector now (failures/make_failures.py).
REMOVED = {'SUBMIT request: 10-byte cmdbuf, misaligned extres, 2 pad bytes'}

# Vectors this script adds after the existing SUBMIT vectors: (name, bytes).
NEW = [
    ('SUBMIT request: compute, vertex and fragment attachments, render waiting on the compute',
     gallium_submit()),
]


def vector_line(name, data):
    v = {'name': name, 'command': 'SUBMIT', 'direction': 'request', 'hex': data.hex(),
         'value': value(data)}
    return '  ' + json.dumps(v)


def rewrite(text):
    lines = text.split('\n')
    out, names, last_submit = [], set(), None
    for line in lines:
        stripped = line.strip().rstrip(',')
        if stripped.startswith('{"name"'):
            v = json.loads(stripped)
            names.add(v['name'])
            if v['name'] in REMOVED:
                continue
            if v['command'] == 'SUBMIT' and v['direction'] == 'request':
                comma = line.rstrip().endswith(',')
                v['value'] = value(bytes.fromhex(v['hex']))
                line = '  ' + json.dumps(v) + (',' if comma else '')
                last_submit = len(out)
        out.append(line)
    assert last_submit is not None
    added = [vector_line(n, d) + ',' for n, d in NEW if n not in names]
    if added:
        if not out[last_submit].endswith(','):
            out[last_submit] += ','
            added[-1] = added[-1][:-1]
        out[last_submit + 1:last_submit + 1] = added
    return '\n'.join(out)


def main():
    with open(PATH) as f:
        old = f.read()
    new = rewrite(old)
    json.loads(new)
    if '--check' in sys.argv[1:]:
        if new != old:
            sys.exit('out of date: ' + PATH)
        return
    if new != old:
        with open(PATH, 'w') as f:
            f.write(new)
        print('wrote ' + PATH)


if __name__ == '__main__':
    main()
