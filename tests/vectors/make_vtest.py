#!/usr/bin/env python3
"""Packs the vtest conformance vectors tests/vectors/vtest.json.

Every message is packed here with `struct`, from the vtest protocol as Mesa's
vdrm (vdrm_vpipe.c) sends it and virglrenderer's vtest server reads and
answers it (protocol version 4), independently of the generator: a header of
two u32 (the length in dwords not counting the header, in bytes for
CREATE_RENDERER; the command id), then the command's dwords, then any trailer
the length does not count. "value" is the message in vdrm-wire's JSON form;
"fds" the file descriptors a request carries (after its bytes). It also
writes tests/data/vtest_session.json, every request in order: one client
stream for vdrm-wire's round trip.

usage: make_vtest.py [--check]   (--check: fail if the file would change)
"""

import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, 'vtest.json')

# Command ids (vtest_protocol.h).
CMD = dict(RESOURCE_UNREF=3, RESOURCE_BUSY_WAIT=7, CREATE_RENDERER=8, PING_PROTOCOL_VERSION=10,
           PROTOCOL_VERSION=11, GET_PARAM=15, GET_CAPSET=16, CONTEXT_INIT=17, RESOURCE_CREATE_BLOB=18,
           SYNC_CREATE=19, SYNC_UNREF=20, SYNC_READ=21, SYNC_WRITE=22, SYNC_WAIT=23, SUBMIT_CMD2=24,
           DRM_SYNC_CREATE=25, DRM_SYNC_DESTROY=26, DRM_SYNC_HANDLE_TO_FD=27, DRM_SYNC_FD_TO_HANDLE=28,
           DRM_SYNC_IMPORT_SYNC_FILE=29, DRM_SYNC_EXPORT_SYNC_FILE=30, DRM_SYNC_WAIT=31, DRM_SYNC_RESET=32,
           DRM_SYNC_SIGNAL=33, DRM_SYNC_TIMELINE_SIGNAL=34, DRM_SYNC_TIMELINE_WAIT=35, DRM_SYNC_QUERY=36,
           DRM_SYNC_TRANSFER=37, RESOURCE_EXPORT_FD=38)

WAIT_ALL, WAIT_FOR_SUBMIT, WAIT_FD = 1, 2, 0x80000000
RING_IDX, IN_FENCE_FD, OUT_FENCE_FD = 1, 2, 4


def dwords(*values):
    return struct.pack('<%dI' % len(values), *values)


def msg(cmd, body, trailer=b'', length=None):
    """A vtest message: {length, cmd} + body (length: body dwords unless given) + trailer."""
    if length is None:
        assert len(body) % 4 == 0
        length = len(body) // 4
    return struct.pack('<II', length, CMD[cmd]) + body + trailer


def hdr(length, cmd):
    return {'length': length, 'cmd': CMD[cmd]}


class Vectors:
    def __init__(self):
        self.vectors = []

    def add(self, name, command, direction, data, value, fds=None):
        assert all(v['name'] != name for v in self.vectors), name
        v = {'name': name, 'command': command, 'direction': direction, 'hex': data.hex(),
             'value': dict({'message': command}, **value)}
        if fds is not None:
            v['fds'] = fds
        self.vectors.append(v)

    def fixed(self, name, command, direction, fields, fds=None, reply=None):
        """A message of u32 fields only ([(name, value)]), answered with command id reply."""
        cmd = reply or command
        body = dwords(*[v for _, v in fields])
        value = {'hdr': hdr(len(fields), cmd)}
        value.update(fields)
        self.add(name, command, direction, msg(cmd, body), value, fds)

    def json(self):
        lines = ['{"context": "vtest",', ' "vectors": [']
        lines += ['  ' + json.dumps(v) + (',' if i + 1 < len(self.vectors) else '')
                  for i, v in enumerate(self.vectors)]
        return '\n'.join(lines + [' ]}']) + '\n'


def split64(v):
    return v & 0xffffffff, v >> 32


def capset_msm():
    """A 160-byte struct virgl_renderer_capset_drm (a server built without amdgpu): an msm device."""
    head = struct.pack('<6I', 1, 1, 12, 0, 1, 0)   # wire_format_version, major, minor, patchlevel, MSM, pad
    msm = struct.pack('<IIQQIIQQIIQQIIQ', 1, 3, 0x100000000, 0xfff00000, 730, 0x180000, 0x100000,
                      0x07030001, 585000000, 14, 6, 0, 0xffffffff, 1, 0x1fffffffff000)
    return head + msm + bytes(136 - len(msm))


def make():
    v = Vectors()

    # CREATE_RENDERER: the length counts the name's bytes (Mesa: strlen + 1).
    for name, text in (('deqp-vk', b'deqp-vk\0'), ('glxgears', b'glxgears\0')):
        v.add(f'CREATE_RENDERER request: "{name}" with its NUL ({len(text)} bytes, length in bytes)',
              'CREATE_RENDERER', 'request', msg('CREATE_RENDERER', text, length=len(text)),
              {'hdr': hdr(len(text), 'CREATE_RENDERER'), 'name': text.decode()}, fds=0)
    v.add('CREATE_RENDERER request: a name without NUL', 'CREATE_RENDERER', 'request',
          msg('CREATE_RENDERER', b'fdperf', length=6),
          {'hdr': hdr(6, 'CREATE_RENDERER'), 'name': 'fdperf'})

    # Version negotiation: PING + BUSY_WAIT(0, 0), then PROTOCOL_VERSION 4.
    v.fixed('PING_PROTOCOL_VERSION request', 'PING_PROTOCOL_VERSION', 'request', [], fds=0)
    v.fixed('PING_PROTOCOL_VERSION response', 'PING_PROTOCOL_VERSION', 'response', [])
    v.fixed('RESOURCE_BUSY_WAIT request: the version probe (handle 0, flags 0)', 'RESOURCE_BUSY_WAIT',
            'request', [('handle', 0), ('flags', 0)], fds=0)
    v.fixed('RESOURCE_BUSY_WAIT request: wait for resource 5', 'RESOURCE_BUSY_WAIT', 'request',
            [('handle', 5), ('flags', 1)])
    v.fixed('RESOURCE_BUSY_WAIT response: idle', 'RESOURCE_BUSY_WAIT', 'response', [('busy', 0)])
    v.fixed('RESOURCE_BUSY_WAIT response: busy', 'RESOURCE_BUSY_WAIT', 'response', [('busy', 1)])
    v.fixed('PROTOCOL_VERSION request: Mesa main asks for 4', 'PROTOCOL_VERSION', 'request',
            [('version', 4)], fds=0)
    v.fixed('PROTOCOL_VERSION response: 4', 'PROTOCOL_VERSION', 'response', [('version', 4)])
    v.fixed('PROTOCOL_VERSION response: an old server, 0', 'PROTOCOL_VERSION', 'response', [('version', 0)])

    # Capset, context, parameters.
    v.fixed('GET_CAPSET request: VIRTGPU_DRM_CAPSET_DRM version 0', 'GET_CAPSET', 'request',
            [('id', 6), ('version', 0)], fds=0)
    caps = capset_msm()
    v.add('GET_CAPSET response: a 160-byte DRM capset (msm)', 'GET_CAPSET', 'response',
          msg('GET_CAPSET', dwords(1) + caps),
          {'hdr': hdr(1 + len(caps) // 4, 'GET_CAPSET'), 'valid': 1, 'caps': caps.hex()})
    v.add('GET_CAPSET response: unknown capset', 'GET_CAPSET', 'response', msg('GET_CAPSET', dwords(0)),
          {'hdr': hdr(1, 'GET_CAPSET'), 'valid': 0, 'caps': ''})
    v.fixed('CONTEXT_INIT request: VIRTGPU_DRM_CAPSET_DRM', 'CONTEXT_INIT', 'request', [('capset_id', 6)], fds=0)
    v.fixed('GET_PARAM request: VCMD_PARAM_HAS_TIMELINE_SYNCOBJ', 'GET_PARAM', 'request', [('param', 2)], fds=0)
    v.fixed('GET_PARAM request: VCMD_PARAM_MAX_TIMELINE_COUNT', 'GET_PARAM', 'request', [('param', 1)])
    v.fixed('GET_PARAM response: syncobjs and timeline syncobjs', 'GET_PARAM', 'response',
            [('valid', 1), ('value', 1)])
    v.fixed('GET_PARAM response: 64 timelines', 'GET_PARAM', 'response', [('valid', 1), ('value', 64)])
    v.fixed('GET_PARAM response: unknown parameter', 'GET_PARAM', 'response', [('valid', 0), ('value', 0)])

    # Resources: Mesa's shmem (16 KiB, blob_id 0, HOST3D, MAPPABLE), a buffer, a 4 GiB+ blob.
    for name, typ, flags, size, blob_id in (
            ("Mesa's shared buffer (HOST3D, MAPPABLE, 16 KiB, blob_id 0)", 2, 1, 0x4000, 0),
            ('a buffer (HOST3D, MAPPABLE | CROSS_DEVICE, 1 MiB + 64 KiB, blob_id 7)', 2, 5, 0x110000, 7),
            ('guest memory over 4 GiB (GUEST, MAPPABLE | SHAREABLE, blob_id 2^32 + 3)', 1, 3,
             0x100002000, 0x100000003),
            ('HOST3D_GUEST, no flags', 3, 0, 0x1000, 9)):
        s_lo, s_hi = split64(size)
        i_lo, i_hi = split64(blob_id)
        v.fixed('RESOURCE_CREATE_BLOB request: ' + name, 'RESOURCE_CREATE_BLOB', 'request',
                [('type', typ), ('flags', flags), ('size_lo', s_lo), ('size_hi', s_hi), ('id_lo', i_lo),
                 ('id_hi', i_hi)], fds=0)
    v.fixed('RESOURCE_CREATE_BLOB response: res_id 1 (the descriptor follows)', 'RESOURCE_CREATE_BLOB',
            'response', [('res_id', 1)])
    v.fixed('RESOURCE_CREATE_BLOB response: res_id 0x10000', 'RESOURCE_CREATE_BLOB', 'response',
            [('res_id', 0x10000)])
    v.fixed('RESOURCE_EXPORT_FD request: res_id 3', 'RESOURCE_EXPORT_FD', 'request', [('res_handle', 3)], fds=0)
    v.fixed('RESOURCE_EXPORT_FD response (the descriptor follows)', 'RESOURCE_EXPORT_FD', 'response', [])
    v.fixed('RESOURCE_UNREF request: res_id 3', 'RESOURCE_UNREF', 'request', [('res_handle', 3)], fds=0)

    # SUBMIT_CMD2: one batch, command data at dword 9.
    nop = struct.pack('<IIII', 1, 16, 5, 0)          # an msm NOP ccmd: cmd, len, seqno, rsp_off
    gem = struct.pack('<IIII', 3, 32, 6, 8) + bytes(range(16))   # 32 bytes of another ccmd
    for name, cmd, flags, ring, syncs, ins, outs, fds in (
            ("Mesa's flush: an msm NOP ccmd on ring 0", nop, RING_IDX, 0, [], [], [], 0),
            ('an execbuffer on ring 1 with in- and out-fence, 1 in-syncobj (RESET), 2 out-syncobjs (one a '
             'timeline point)', nop + gem, RING_IDX | IN_FENCE_FD | OUT_FENCE_FD, 1, [],
             [(3, 1, 0)], [(4, 0, 0), (5, 0, 12)], 1),
            ('a batch that sets a version-3 sync to 2^32 + 1 on ring 63', gem, RING_IDX, 63,
             [(1, 1, 1)], [], [], 0),
            ('an empty batch without ring', b'', 0, 0, [], [], [], 0)):
        data = cmd + b''.join(dwords(*s) for s in syncs)
        sync_offset = 9 + len(cmd) // 4 if syncs else 0
        batch = dict(flags=flags, cmd_offset=9, cmd_size=len(cmd) // 4, sync_offset=sync_offset,
                     sync_count=len(syncs), ring_idx=ring, num_in_syncobj=len(ins), num_out_syncobj=len(outs))
        body = dwords(1, *batch.values()) + data
        trailer = b''.join(struct.pack('<IIQ', *o) for o in ins + outs)
        so = lambda objs: [{'handle': h, 'flags': f, 'point': pt} for h, f, pt in objs]  # noqa: E731
        v.add('SUBMIT_CMD2 request: ' + name, 'SUBMIT_CMD2', 'request', msg('SUBMIT_CMD2', body, trailer),
              {'hdr': hdr(len(body) // 4, 'SUBMIT_CMD2'), 'batch_count': 1, 'batch': batch, 'data': data.hex(),
               'in_syncobjs': so(ins), 'out_syncobjs': so(outs)}, fds=fds)

    # Version-3 syncs.
    v.fixed('SYNC_CREATE request: initial value 0', 'SYNC_CREATE', 'request', [('value_lo', 0), ('value_hi', 0)],
            fds=0)
    v.fixed('SYNC_CREATE request: initial value 2^32 + 7', 'SYNC_CREATE', 'request',
            [('value_lo', 7), ('value_hi', 1)])
    v.fixed('SYNC_CREATE response: sync 1', 'SYNC_CREATE', 'response', [('sync_id', 1)])
    v.fixed('SYNC_UNREF request: sync 1', 'SYNC_UNREF', 'request', [('id', 1)], fds=0)
    v.fixed('SYNC_READ request: sync 1', 'SYNC_READ', 'request', [('id', 1)], fds=0)
    v.fixed('SYNC_READ response: 2^32 + 2', 'SYNC_READ', 'response', [('value_lo', 2), ('value_hi', 1)])
    v.fixed('SYNC_WRITE request: sync 1 to 5', 'SYNC_WRITE', 'request',
            [('id', 1), ('value_lo', 5), ('value_hi', 0)], fds=0)
    for name, flags, timeout, syncs in (('any of two syncs, 100 ms', 1, 100, [(1, 5, 0), (2, 1, 1)]),
                                        ('poll without syncs', 0, 0, [])):
        body = dwords(flags, timeout) + b''.join(dwords(*s) for s in syncs)
        v.add('SYNC_WAIT request: ' + name, 'SYNC_WAIT', 'request', msg('SYNC_WAIT', body),
              {'hdr': hdr(2 + 3 * len(syncs), 'SYNC_WAIT'), 'flags': flags, 'timeout': timeout,
               'syncs': [{'sync_id': i, 'value_lo': lo, 'value_hi': hi} for i, lo, hi in syncs]}, fds=0)
    v.fixed('SYNC_WAIT response (the eventfd follows)', 'SYNC_WAIT', 'response', [])

    # DRM syncobjs (version 4).
    v.fixed('DRM_SYNC_CREATE request: unsignalled', 'DRM_SYNC_CREATE', 'request', [('flags', 0)], fds=0)
    v.fixed('DRM_SYNC_CREATE request: DRM_SYNCOBJ_CREATE_SIGNALED', 'DRM_SYNC_CREATE', 'request', [('flags', 1)])
    v.fixed('DRM_SYNC_CREATE response: handle 7', 'DRM_SYNC_CREATE', 'response', [('handle', 7)])
    v.fixed('DRM_SYNC_DESTROY request: handle 7', 'DRM_SYNC_DESTROY', 'request', [('handle', 7)], fds=0)
    v.fixed('DRM_SYNC_HANDLE_TO_FD request: handle 7', 'DRM_SYNC_HANDLE_TO_FD', 'request', [('handle', 7)], fds=0)
    v.fixed('DRM_SYNC_HANDLE_TO_FD response (the descriptor follows)', 'DRM_SYNC_HANDLE_TO_FD', 'response', [])
    v.fixed('DRM_SYNC_FD_TO_HANDLE request: an empty header, the descriptor follows', 'DRM_SYNC_FD_TO_HANDLE',
            'request', [], fds=1)
    v.fixed('DRM_SYNC_FD_TO_HANDLE response: handle 8, under the id of DRM_SYNC_HANDLE_TO_FD',
            'DRM_SYNC_FD_TO_HANDLE', 'response', [('handle', 8)], reply='DRM_SYNC_HANDLE_TO_FD')
    v.fixed('DRM_SYNC_IMPORT_SYNC_FILE request: into handle 8 (the sync file follows)', 'DRM_SYNC_IMPORT_SYNC_FILE',
            'request', [('handle', 8)], fds=1)
    v.fixed('DRM_SYNC_EXPORT_SYNC_FILE request: handle 8', 'DRM_SYNC_EXPORT_SYNC_FILE', 'request',
            [('handle', 8)], fds=0)
    v.fixed('DRM_SYNC_EXPORT_SYNC_FILE response (the sync file follows)', 'DRM_SYNC_EXPORT_SYNC_FILE',
            'response', [])

    deadline = 0x0000012345678000
    for command, timeline in (('DRM_SYNC_WAIT', False), ('DRM_SYNC_TIMELINE_WAIT', True)):
        for name, handles, points, timeout, flags, fds in (
                ('two handles, WAIT_ALL | WAIT_FD, a deadline ahead', [7, 8], [3, 0x100000000], deadline,
                 WAIT_ALL | WAIT_FD, 0),
                ('one handle, WAIT_FOR_SUBMIT, deadline 0 (poll)', [9], [1], 0, WAIT_FOR_SUBMIT, 0)):
            t_lo, t_hi = split64(timeout)
            trailer = (struct.pack('<%dQ' % len(handles), *points[:len(handles)]) if timeline else b'') + \
                dwords(*handles)
            value = {'hdr': hdr(4, command), 'num_handles': len(handles), 'timeout_lo': t_lo, 'timeout_hi': t_hi,
                     'flags': flags}
            if timeline:
                value['points'] = points[:len(handles)]
            value['handles'] = handles
            v.add(f'{command} request: {name}', command, 'request',
                  msg(command, dwords(len(handles), t_lo, t_hi, flags), trailer), value, fds=fds)
        v.add(f'{command} response: with WAIT_FD, empty (the pipe follows)', command, 'response',
              msg('DRM_SYNC_WAIT', b''), {'hdr': hdr(0, 'DRM_SYNC_WAIT'), 'result': []})
        for name, first, status in (('first signalled 1, status 0', 1, 0), ('timed out: status -ETIME', 0xffffffff, -62)):
            v.add(f'{command} response: {name}', command, 'response',
                  msg('DRM_SYNC_WAIT', struct.pack('<Ii', first, status)),
                  {'hdr': hdr(2, 'DRM_SYNC_WAIT'), 'result': [{'first_signaled': first, 'status': status}]})

    for command in ('DRM_SYNC_RESET', 'DRM_SYNC_SIGNAL'):
        for handles in ([7, 8], []):
            v.add(f'{command} request: {len(handles)} handles', command, 'request',
                  msg(command, dwords(len(handles)), dwords(*handles)),
                  {'hdr': hdr(1, command), 'num_handles': len(handles), 'handles': handles},
                  fds=0)
    points = [5, 0x100000000]
    v.add('DRM_SYNC_TIMELINE_SIGNAL request: two points', 'DRM_SYNC_TIMELINE_SIGNAL', 'request',
          msg('DRM_SYNC_TIMELINE_SIGNAL', dwords(2), struct.pack('<2Q', *points) + dwords(7, 8)),
          {'hdr': hdr(1, 'DRM_SYNC_TIMELINE_SIGNAL'), 'num_handles': 2, 'points': points, 'handles': [7, 8]},
          fds=0)
    v.add('DRM_SYNC_QUERY request: two handles, last submitted', 'DRM_SYNC_QUERY', 'request',
          msg('DRM_SYNC_QUERY', dwords(2, 1), dwords(7, 8)),
          {'hdr': hdr(2, 'DRM_SYNC_QUERY'), 'num_handles': 2, 'flags': 1, 'handles': [7, 8]}, fds=0)
    points = [3, 0x200000001]
    v.add('DRM_SYNC_QUERY response: two points after an empty header', 'DRM_SYNC_QUERY', 'response',
          msg('DRM_SYNC_QUERY', b'', struct.pack('<2Q', *points)),
          {'hdr': hdr(0, 'DRM_SYNC_QUERY'), 'points': points})
    v.fixed('DRM_SYNC_TRANSFER request: 8 (binary) to point 2 of 7', 'DRM_SYNC_TRANSFER', 'request',
            [('dst_handle', 7), ('dst_point_lo', 2), ('dst_point_hi', 0), ('src_handle', 8), ('src_point_lo', 0),
             ('src_point_hi', 0), ('flags', 0)], fds=0)
    v.fixed('DRM_SYNC_TRANSFER request: point 2^32 of 9 to point 2^32 + 1 of 7, WAIT_FOR_SUBMIT',
            'DRM_SYNC_TRANSFER', 'request',
            [('dst_handle', 7), ('dst_point_lo', 1), ('dst_point_hi', 1), ('src_handle', 9), ('src_point_lo', 0),
             ('src_point_hi', 1), ('flags', 2)])
    return v


SESSION = os.path.join(os.path.dirname(HERE), 'data', 'vtest_session.json')


def session(v):
    """Every request vector's value in order, as one client stream for vdrm-wire (tests/wire_roundtrip.sh)."""
    values = [x['value'] for x in v.vectors if x['direction'] == 'request']
    return '[\n' + ',\n'.join(' ' + json.dumps(x) for x in values) + '\n]\n'


def main():
    v = make()
    stale = []
    for path, text in ((PATH, v.json()), (SESSION, session(v))):
        old = open(path).read() if os.path.exists(path) else None
        if old == text:
            continue
        if '--check' in sys.argv[1:]:
            stale.append(path)
            continue
        with open(path, 'w') as f:
            f.write(text)
        print('wrote', path)
    if stale:
        sys.exit('out of date: ' + ' '.join(stale))


if __name__ == '__main__':
    main()
