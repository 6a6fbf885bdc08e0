#!/usr/bin/env python3
"""Packs the decode-failure vectors tests/vectors/failures/NAME.json.

Every case starts from a valid message, packed here with `struct` from the
byte tables of generated/doc/NAME.md (or taken from the conformance vectors
tests/vectors/NAME.json), and breaks exactly one rule; it records the exact
bytes and the error a decoder must report: status, field and byte offset.
Nothing here uses the generator or its encoders. The JSON files are the
oracle: the tests read them and never run this script.

usage: make_failures.py [--check]   (--check: fail if a file would change)
"""

import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.dirname(HERE)

# _IOC() of the Linux UAPI: direction bits 30-31, size 16-29, type 8-15, nr 0-7.
IOC_WRITE, IOC_READ = 1, 2


def ioc(direction, nr, size, kind=0x64):
    return direction << 30 | size << 16 | kind << 8 | nr


def p(fmt, *values):
    return struct.pack('<' + fmt, *values)


def req(opcode, body, seqno=1, rsp_off=0):
    """A request: struct vdrm_ccmd_req {cmd, len, seqno, rsp_off} + body."""
    return p('IIII', opcode, 16 + len(body), seqno, rsp_off) + body


def rsp(body):
    """A response: struct vdrm_ccmd_rsp {len} + body."""
    return p('I', 4 + len(body)) + body


def put(msg, offset, fmt, value):
    """msg with value packed at offset."""
    b = bytearray(msg)
    struct.pack_into('<' + fmt, b, offset, value)
    return bytes(b)


def set_len(msg, direction, length):
    """msg with hdr.len (offset 4 in a request, 0 in a response) set."""
    return put(msg, 4 if direction == 'request' else 0, 'I', length)


def resized(msg, direction, length):
    """msg cut or zero-extended to length bytes, hdr.len saying so."""
    b = msg[:length] + bytes(max(0, length - len(msg)))
    return set_len(b, direction, length)


class Cases:
    def __init__(self, context):
        self.context = context
        self.cases = []

    def add(self, message, direction, name, base, bad, status, field, offset, why=None,
            known_defect=None, command=None):
        assert all(c['name'] != name for c in self.cases), name
        assert base != bad, name
        case = {'name': name, 'message': message, 'direction': direction,
                'hex': bad.hex(), 'status': status, 'field': field, 'offset': offset}
        if command:
            case['command'] = command
        if why:
            case['why'] = why
        if known_defect:
            case['known_defect'] = known_defect
        case['base'] = base.hex()
        self.cases.append(case)

    def req(self, message, name, base, bad, status, field, offset, **kw):
        self.add(message, 'request', name, base, bad, status, field, offset, **kw)

    def rsp(self, message, name, base, bad, status, field, offset, **kw):
        self.add(message, 'response', name, base, bad, status, field, offset, **kw)

    def nonzero(self, message, direction, base, field, offset, fmt, value):
        """A must-be-zero field at offset (packed as fmt) holding value."""
        self.add(message, direction, '%s %s: %s = %#x' % (message, direction, field, value),
                 base, put(base, offset, fmt, value), 'VDRM_E_NONZERO', field, offset,
                 why='%s must be zero' % field)

    def runtime(self, minimum, command_defect=None):
        """
        The checks every decoder makes before it reads a field: for each
        request and response of the conformance vectors, hdr.len below the
        command's minimum and hdr.len past the buffer; for responses also a
        buffer too short to hold hdr.len; for the context one request too
        short for struct vdrm_ccmd_req, which the request descriptor's
        dispatch rejects before it knows the command.
        """
        with open(os.path.join(VECTORS, self.context + '.json')) as f:
            vectors = json.load(f)['vectors']
        seen = set()
        first_request = None
        for v in vectors:
            key = (v['command'], v['direction'])
            if key in seen:
                continue
            seen.add(key)
            message, direction = key
            base = bytes.fromhex(v['hex'])
            at = 4 if direction == 'request' else 0
            defect = command_defect(message, direction) if command_defect else None
            kw = {'known_defect': defect} if defect else {}
            low = minimum[key] - 4
            self.add(message, direction, '%s %s: hdr.len %d, below the minimum %d'
                     % (message, direction, low, minimum[key]), base,
                     set_len(base, direction, low), 'VDRM_E_SHORT', 'hdr.len', at,
                     why='hdr.len below the minimum size of the command', **kw)
            self.add(message, direction, '%s %s: hdr.len %d, %d bytes in the buffer'
                     % (message, direction, len(base) + 4, len(base)), base,
                     set_len(base, direction, len(base) + 4), 'VDRM_E_TRUNCATED', 'hdr.len',
                     at, why='hdr.len past the bytes available', **kw)
            if direction == 'response':
                self.add(message, direction, '%s response: 3-byte buffer' % message, base,
                         base[:3], 'VDRM_E_SHORT', 'hdr', 0,
                         why='a buffer too short for hdr.len', **kw)
            elif first_request is None:
                first_request = (message, base)
        missing = set(minimum) - seen
        assert not missing, missing
        message, base = first_request
        self.add(message, 'request', '%s request: 15-byte buffer' % message, base, base[:15],
                 'VDRM_E_SHORT', 'hdr', 0, command=self.context,
                 why='a request too short for struct vdrm_ccmd_req: rejected before its '
                     'command is known, so the error names the context')

    def json(self):
        lines = ['{"context": "%s",' % self.context, ' "cases": [']
        for i, c in enumerate(self.cases):
            sep = ',' if i + 1 < len(self.cases) else ''
            lines.append('  ' + json.dumps(c) + sep)
        lines.append(' ]}')
        return '\n'.join(lines) + '\n'


# Offsets are those of the doc tables; "at" names the element of an array.
OFFSET_AT_ELEMENT = ('reports the offset of the descriptor (its chunk_id) instead of '
                     'the offset of the field it names')
OFFSET_AT_RECORD = ('reports the offset of the record instead of where its trailing '
                    'item starts (as vdrm_take reports for the items of a message)')


def nr_allow_list_cases(c, base, core_nr, other, allowed):
    """IOCTL_SIMPLE of a context whose allow-list checks _IOC_NR and a 128-byte
    size limit; base carries a 24-byte argument of the allowed ioctl."""
    m = 'IOCTL_SIMPLE'
    nr, name = allowed
    c.req(m, 'IOCTL_SIMPLE: ioctl nr 0x%02x, below DRM_COMMAND_BASE' % core_nr, base,
          put(base, 16, 'I', ioc(3, core_nr, 24)), 'VDRM_E_NOT_ALLOWED', 'cmd', 16,
          why='_IOC_NR(cmd) below 64 is a core DRM ioctl')
    c.req(m, 'IOCTL_SIMPLE: ' + other[1], base,
          put(base, 16, 'I', ioc(3, other[0], 24)), 'VDRM_E_NOT_ALLOWED', 'cmd', 16,
          why='_IOC_NR(cmd) - 64 not on the allow list')
    big = 132 if core_nr == 0 else 136
    c.req(m, 'IOCTL_SIMPLE: %s with _IOC_SIZE %d' % (name, big), base,
          put(base, 16, 'I', ioc(3, nr, big)), 'VDRM_E_LIMIT', 'cmd', 16,
          why='_IOC_SIZE(cmd) above 128')
    c.req(m, 'IOCTL_SIMPLE: hdr.len 40 for a 24-byte argument', base,
          resized(base, 'request', 40), 'VDRM_E_TRUNCATED', 'payload', 20,
          why='the argument runs past hdr.len')
    c.req(m, 'IOCTL_SIMPLE: hdr.len 48 for a 24-byte argument', base,
          resized(base, 'request', 48), 'VDRM_E_LENGTH', 'hdr.len', 4,
          why='hdr.len must be exactly 20 + _IOC_SIZE(cmd)')


def msm():
    c = Cases('msm')
    c.runtime({
        ('NOP', 'request'): 16, ('IOCTL_SIMPLE', 'request'): 20,
        ('IOCTL_SIMPLE', 'response'): 8, ('GEM_NEW', 'request'): 40,
        ('GEM_SET_IOVA', 'request'): 28, ('GEM_CPU_PREP', 'request'): 24,
        ('GEM_CPU_PREP', 'response'): 8, ('GEM_SET_NAME', 'request'): 24,
        ('GEM_SUBMIT', 'request'): 36, ('GEM_UPLOAD', 'request'): 32,
        ('SUBMITQUEUE_QUERY', 'request'): 28, ('SUBMITQUEUE_QUERY', 'response'): 12,
        ('WAIT_FENCE', 'request'): 24, ('WAIT_FENCE', 'response'): 8,
        ('SET_DEBUGINFO', 'request'): 24,
    })

    # IOCTL_SIMPLE: cmd @16, payload _IOC_SIZE(cmd) bytes @20.
    get_param = ioc(IOC_READ | IOC_WRITE, 0x40, 24)     # DRM_IOCTL_MSM_GET_PARAM
    base = req(2, p('I', get_param) + p('IIQII', 0x10, 3, 0, 0, 0))
    nr_allow_list_cases(c, base, core_nr=0x00, other=(0x42, 'DRM_MSM_GEM_NEW (nr 0x42) is not forwarded'),
                        allowed=(0x40, 'GET_PARAM'))
    m = 'IOCTL_SIMPLE'
    c.req(m, 'IOCTL_SIMPLE: GET_PARAM with len 1', base, put(base, 36, 'I', 1), 'VDRM_E_NONZERO',
          'payload.len', 36, why='a read of a parameter takes no length')
    c.req(m, 'IOCTL_SIMPLE: GET_PARAM with pad 1', base, put(base, 40, 'I', 1), 'VDRM_E_NONZERO',
          'payload.pad', 40, why='padding of the argument')
    short = req(2, p('I', ioc(IOC_READ | IOC_WRITE, 0x40, 12)) + p('III', 0x10, 3, 0))
    c.req(m, 'IOCTL_SIMPLE: GET_PARAM with a 12-byte argument', base, short, 'VDRM_E_LENGTH',
          'payload', 20, why='drm_msm_param is 16 bytes (older kernels) to 24')
    new = req(2, p('I', ioc(IOC_READ | IOC_WRITE, 0x4a, 16)) + p('IIII', 0, 1, 0, 0))
    c.req(m, 'IOCTL_SIMPLE: SUBMITQUEUE_NEW with a 16-byte argument', base, new, 'VDRM_E_LENGTH',
          'payload', 20, why='drm_msm_submitqueue is 12 bytes')
    close = req(2, p('I', ioc(IOC_WRITE, 0x4b, 8)) + p('II', 1, 0))
    c.req(m, 'IOCTL_SIMPLE: SUBMITQUEUE_CLOSE with an 8-byte argument', base, close, 'VDRM_E_LENGTH',
          'payload', 20, why='the argument is a __u32 queue id')

    # GEM_NEW: iova u64 @16, size u64 @24, flags @32, blob_id @36.
    base = req(3, p('QQII', 0x100100000, 0x20000, 0x20000, 1))
    c.req('GEM_NEW', 'GEM_NEW: blob_id 0', base, put(base, 36, 'I', 0), 'VDRM_E_LIMIT', 'blob_id', 36,
          why='blob id 0 names the shmem blob')

    # GEM_SET_IOVA: iova u64 @16, res_id @24, __pad @28.
    base = req(4, p('QII', 0x123456000, 7, 0))
    # __pad is ignored (Mesa's header has none): tests/guest-traffic accepts garbage there.

    # GEM_SET_NAME: res_id @16, len @20, payload @24 padded to 4.
    base = req(6, p('II', 7, 9) + b'vertices\0' + bytes(3))
    c.req('GEM_SET_NAME', 'GEM_SET_NAME: len 13 in a 36-byte message', base,
          put(base, 20, 'I', 13), 'VDRM_E_TRUNCATED', 'payload', 24,
          why='the name runs past hdr.len')

    # GEM_SUBMIT: flags, queue_id, nr_bos @24, nr_cmds @28, fence; bos (16 bytes each)
    # then cmds (32 bytes each: type, submit_idx, submit_offset, size, pad @16,
    # nr_relocs @20, relocs u64 @24).
    bo = p('IIQ', 3, 5, 0)
    cmd = p('IIIIIIQ', 1, 0, 0x100, 0x200, 0, 0, 0)
    base = req(7, p('IIIII', 1, 3, 1, 2, 0x99) + bo + cmd + cmd)
    m = 'GEM_SUBMIT'
    c.req(m, 'GEM_SUBMIT: flags with MSM_SUBMIT_SUDO', base, put(base, 16, 'I', 0x10000010),
          'VDRM_E_NOT_ALLOWED', 'flags', 16, why='a guest never runs commands privileged')
    c.req(m, 'GEM_SUBMIT: nr_bos 8 in a 116-byte message', base, put(base, 24, 'I', 8),
          'VDRM_E_TRUNCATED', 'bos', 36, why='bos run past hdr.len')
    c.req(m, 'GEM_SUBMIT: nr_cmds 3 in a 116-byte message', base, put(base, 28, 'I', 3),
          'VDRM_E_TRUNCATED', 'cmds', 52, why='cmds run past hdr.len')
    c.req(m, 'GEM_SUBMIT: nr_bos 0xffffffff', base, put(base, 24, 'I', 0xffffffff),
          'VDRM_E_TRUNCATED', 'bos', 36, why='a count whose size overflows 32 bits')
    second = 36 + 16 + 32
    c.req(m, 'GEM_SUBMIT: cmds[1].pad = 1', base, put(base, second + 16, 'I', 1),
          'VDRM_E_NONZERO', 'cmds[].pad', second + 16, why='must be zero')
    c.req(m, 'GEM_SUBMIT: cmds[1].nr_relocs = 1', base, put(base, second + 20, 'I', 1),
          'VDRM_E_NONZERO', 'cmds[].nr_relocs', second + 20, why='no relocations')

    # GEM_UPLOAD: res_id, pad @20, off, len @28, payload @32 padded to 4.
    base = req(8, p('IIII', 7, 0, 0x1000, 8) + bytes(range(1, 9)))
    c.nonzero('GEM_UPLOAD', 'request', base, 'pad', 20, 'I', 0x01000000)
    c.req('GEM_UPLOAD', 'GEM_UPLOAD: len 9 in a 40-byte message', base, put(base, 28, 'I', 9),
          'VDRM_E_TRUNCATED', 'payload', 32, why='the data runs past hdr.len')

    # SET_DEBUGINFO: comm_len @16, cmdline_len @20, comm @24, cmdline after it.
    base = req(11, p('II', 4, 8) + b'deqp' + b'deqp-vk\0')
    c.req('SET_DEBUGINFO', 'SET_DEBUGINFO: comm_len 13 in a 36-byte message', base,
          put(base, 16, 'I', 13), 'VDRM_E_TRUNCATED', 'comm', 24,
          why='comm runs past hdr.len')
    c.req('SET_DEBUGINFO', 'SET_DEBUGINFO: cmdline_len 9 in a 36-byte message', base,
          put(base, 20, 'I', 9), 'VDRM_E_TRUNCATED', 'cmdline', 28,
          why='cmdline runs past hdr.len')
    return c


def amdgpu():
    c = Cases('amdgpu')
    c.runtime({
        ('QUERY_INFO', 'request'): 48, ('QUERY_INFO', 'response'): 8,
        ('GEM_NEW', 'request'): 56, ('BO_VA_OP', 'request'): 64,
        ('BO_VA_OP', 'response'): 8, ('CS_SUBMIT', 'request'): 32,
        ('CS_SUBMIT', 'response'): 8, ('SET_METADATA', 'request'): 40,
        ('SET_METADATA', 'response'): 8, ('BO_QUERY_INFO', 'request'): 24,
        ('BO_QUERY_INFO', 'response'): 320, ('CREATE_CTX', 'request'): 24,
        ('CREATE_CTX', 'response'): 16, ('RESERVE_VMID', 'request'): 24,
        ('RESERVE_VMID', 'response'): 8, ('SET_PSTATE', 'request'): 32,
        ('SET_PSTATE', 'response'): 16, ('CS_QUERY_FENCE_STATUS', 'request'): 56,
        ('CS_QUERY_FENCE_STATUS', 'response'): 16,
    })

    # GEM_NEW: blob_id u64 @16, r.alloc_size @24, r.phys_alignment @32,
    # r.preferred_heap @40, r.__pad @44, r.flags u64 @48.
    base = req(2, p('QQQIIQ', 1, 0x200000, 0x1000, 4, 0, 0x1))
    c.nonzero('GEM_NEW', 'request', base, 'r.__pad', 44, 'I', 1)
    c.req('GEM_NEW', 'GEM_NEW: blob_id 0', base, put(base, 16, 'Q', 0), 'VDRM_E_LIMIT',
          'blob_id', 16, why='blob_id below 1')
    c.req('GEM_NEW', 'GEM_NEW: blob_id 2^32', base, put(base, 16, 'Q', 1 << 32),
          'VDRM_E_LIMIT', 'blob_id', 16, why='blob_id above 4294967295')

    # BO_VA_OP: va, vm_map_size, flags, flags2 @40, offset (u64 each), res_id, op.
    base = req(3, p('QQQQQII', 0x800000000000, 0x200000, 0xe, 0, 0, 5, 1))
    c.req('BO_VA_OP', 'BO_VA_OP: flags2 = 0x2', base, put(base, 40, 'Q', 2),
          'VDRM_E_NOT_ALLOWED', 'flags2', 40, why='bits outside 0x1')
    c.req('BO_VA_OP', 'BO_VA_OP: flags2 = 1 << 40', base, put(base, 40, 'Q', 1 << 40),
          'VDRM_E_NOT_ALLOWED', 'flags2', 40, why='bits outside 0x1, in the upper word')

    cs_submit(c)

    # SET_METADATA: flags u64, tiling_info u64, res_id @32, size_metadata @36,
    # umd_metadata @40 padded to 8.
    base = req(5, p('QQII', 0, 0x1234, 5, 20) + bytes(range(20)) + bytes(4))
    c.req('SET_METADATA', 'SET_METADATA: size_metadata 257', base, put(base, 36, 'I', 257),
          'VDRM_E_LIMIT', 'size_metadata', 36, why='more than 64 dwords of metadata')
    c.req('SET_METADATA', 'SET_METADATA: size_metadata 28 in a 64-byte message', base,
          put(base, 36, 'I', 28), 'VDRM_E_TRUNCATED', 'umd_metadata', 40,
          why='the metadata runs past hdr.len')
    c.req('SET_METADATA', 'SET_METADATA: size_metadata 18', base, put(base, 36, 'I', 18),
          'VDRM_E_ALIGN', 'size_metadata', 36, why='the metadata is whole dwords')

    # BO_QUERY_INFO request: res_id, pad @20.
    base = req(6, p('II', 5, 0))
    c.nonzero('BO_QUERY_INFO', 'request', base, 'pad', 20, 'I', 0x80000000)
    # BO_QUERY_INFO response: ret @4; info: alloc_size @8, phys_alignment @16,
    # preferred_heap @24, __pad @28, alloc_flags @32, metadata @40: flags,
    # tiling_info, size_metadata @56, umd_metadata[64] @60, __pad @316.
    base = rsp(p('iQQIIQQQI', 0, 0x800000, 0x1000, 4, 0, 1, 0, 0x99, 24)
               + bytes(range(24)) + bytes(256 - 24) + p('I', 0))
    assert len(base) == 320
    c.nonzero('BO_QUERY_INFO', 'response', base, 'info.__pad', 28, 'I', 1)
    c.nonzero('BO_QUERY_INFO', 'response', base, 'info.metadata.__pad', 316, 'I', 0x10000)

    # CREATE_CTX request: priority / id @16, flags @20; response: ret, ctx_id, pad @12.
    base = req(7, p('iI', -512, 0))
    c.req('CREATE_CTX', 'CREATE_CTX: flags = 0x2', base, put(base, 20, 'I', 2),
          'VDRM_E_NOT_ALLOWED', 'flags', 20, why='bits outside 0x1')
    base = rsp(p('iII', 0, 3, 0))
    c.nonzero('CREATE_CTX', 'response', base, 'pad', 12, 'I', 1)

    # RESERVE_VMID: flags u64 @16.
    base = req(8, p('Q', 0))
    c.req('RESERVE_VMID', 'RESERVE_VMID: flags = 0x2', base, put(base, 16, 'Q', 2),
          'VDRM_E_NOT_ALLOWED', 'flags', 16, why='bits outside 0x1')

    # SET_PSTATE request: ctx_id, op @20, flags, pad @28; response: ret, out_flags, pad @12.
    base = req(9, p('IIII', 3, 6, 4, 0))
    c.nonzero('SET_PSTATE', 'request', base, 'pad', 28, 'I', 1)
    c.req('SET_PSTATE', 'SET_PSTATE: op 4 (AMDGPU_CTX_OP_QUERY_STATE2)', base,
          put(base, 20, 'I', 4), 'VDRM_E_NOT_ALLOWED', 'op', 20,
          why='op not one of 5, 6')
    base = rsp(p('iII', 0, 4, 0))
    c.nonzero('SET_PSTATE', 'response', base, 'pad', 12, 'I', 1)

    # CS_QUERY_FENCE_STATUS response: ret, expired, pad @12.
    base = rsp(p('iII', 0, 1, 0))
    c.nonzero('CS_QUERY_FENCE_STATUS', 'response', base, 'pad', 12, 'I', 0xffffffff)
    return c


def cs_submit(c):
    """
    CS_SUBMIT: ctx_id, num_chunks @20, pad @24, ring_idx @28; descs @32, 8
    bytes each (chunk_id u16, length_dw u16, offset u32 from the start of
    chunks); chunks after the descriptors.
    """
    def desc(chunk_id, length_dw, offset):
        return p('HHI', chunk_id, length_dw, offset)

    ib = p('IIQIIII', 0, 0, 0xffff800000100000, 0x40, 0, 0, 0)       # 32 bytes
    fence = p('II', 9, 8)                                            # 8 bytes
    bo_list = p('II', 9, 0)                                          # 8 bytes
    dep = p('IIIIQ', 0, 0, 0, 3, 0x11)                               # 24 bytes
    descs = [desc(1, 8, 0), desc(2, 2, 32), desc(6, 2, 40), desc(3, 6, 48)]

    def submit(descs, num_chunks=None, pad=0, ring_idx=1):
        n = len(descs) if num_chunks is None else num_chunks
        return req(4, p('IIII', 3, n, pad, ring_idx) + b''.join(descs)
                   + ib + fence + bo_list + dep)

    def with_desc(i, d):
        return submit(descs[:i] + [d] + descs[i + 1:])

    base = submit(descs)
    assert len(base) == 136
    m = 'CS_SUBMIT'
    at = [32 + 8 * i for i in range(4)]
    c.req(m, 'CS_SUBMIT: pad = 1', base, submit(descs, pad=1), 'VDRM_E_NONZERO', 'pad', 24,
          why='must be zero')
    c.req(m, 'CS_SUBMIT: num_chunks 129', base, submit(descs, num_chunks=129), 'VDRM_E_LIMIT',
          'num_chunks', 20, why='at most 128 descriptors')
    c.req(m, 'CS_SUBMIT: ring_idx 0', base, submit(descs, ring_idx=0), 'VDRM_E_LIMIT',
          'ring_idx', 28, why='ring 0 is the CPU timeline')
    c.req(m, 'CS_SUBMIT: num_chunks 14 in a 136-byte message', base,
          submit(descs, num_chunks=14), 'VDRM_E_TRUNCATED', 'descs', 32,
          why='the descriptor table runs past hdr.len')
    c.req(m, 'CS_SUBMIT: DEPENDENCIES chunk at offset 72, the end of chunks', base,
          with_desc(3, desc(3, 6, 72)), 'VDRM_E_TRUNCATED', 'descs[]', at[3],
          why='the chunk runs past the chunk data')
    c.req(m, 'CS_SUBMIT: DEPENDENCIES chunk at offset 0x1000', base,
          with_desc(3, desc(3, 6, 0x1000)), 'VDRM_E_TRUNCATED', 'descs[]', at[3],
          why='the chunk starts past the chunk data')
    c.req(m, 'CS_SUBMIT: DEPENDENCIES chunk of 7 dwords at offset 48', base,
          with_desc(3, desc(3, 7, 48)), 'VDRM_E_TRUNCATED', 'descs[]', at[3],
          why='the chunk ends past the chunk data')
    c.req(m, 'CS_SUBMIT: IB chunk of 7 dwords', base, with_desc(0, desc(1, 7, 0)),
          'VDRM_E_LENGTH', 'descs[].length_dw', at[0] + 2,
          why='an IB chunk is exactly one drm_amdgpu_cs_chunk_ib')
    c.req(m, 'CS_SUBMIT: IB chunk of 9 dwords', base, with_desc(0, desc(1, 9, 0)),
          'VDRM_E_LENGTH', 'descs[].length_dw', at[0] + 2,
          why='an IB chunk is exactly one drm_amdgpu_cs_chunk_ib')
    c.req(m, 'CS_SUBMIT: FENCE chunk of 1 dword', base, with_desc(1, desc(2, 1, 32)),
          'VDRM_E_LENGTH', 'descs[].length_dw', at[1] + 2,
          why='a FENCE chunk holds at least one drm_amdgpu_cs_chunk_fence')
    c.req(m, 'CS_SUBMIT: FENCE chunk at offset 34', base, with_desc(1, desc(2, 2, 34)),
          'VDRM_E_ALIGN', 'descs[].offset', at[1] + 4,
          why='a FENCE chunk is 4-byte aligned')
    c.req(m, 'CS_SUBMIT: FENCE at offset 4 of its buffer', base,
          submit(descs)[:32 + 32 + 32] + p('II', 9, 4) + submit(descs)[32 + 32 + 40:],
          'VDRM_E_ALIGN', 'chunks[FENCE].offset', 32 + 32 + 32 + 4,
          why='the user fence is a 64-bit value: its offset in the buffer is a multiple of 8')
    c.req(m, 'CS_SUBMIT: BO_HANDLES chunk at offset 42', base, with_desc(2, desc(6, 2, 42)),
          'VDRM_E_ALIGN', 'descs[].offset', at[2] + 4,
          why='a BO_HANDLES chunk is 4-byte aligned')
    c.req(m, 'CS_SUBMIT: two BO_HANDLES chunks', base, with_desc(3, desc(6, 2, 48)),
          'VDRM_E_LIMIT', 'descs[].chunk_id', at[3],
          why='at most one BO_HANDLES chunk')
    c.req(m, 'CS_SUBMIT: chunk kind 4 (SYNCOBJ_IN)', base, with_desc(3, desc(4, 6, 48)),
          'VDRM_E_NOT_ALLOWED', 'descs[].chunk_id', at[3],
          why='only IB, FENCE, DEPENDENCIES and BO_HANDLES are accepted')


def i915():
    c = Cases('i915')
    c.runtime({
        ('IOCTL_SIMPLE', 'request'): 24, ('IOCTL_SIMPLE', 'response'): 8,
        ('GETPARAM', 'request'): 24, ('GETPARAM', 'response'): 16,
        ('QUERYPARAM', 'request'): 32, ('QUERYPARAM', 'response'): 16,
        ('GEM_CREATE', 'request'): 32, ('GEM_CREATE_EXT', 'request'): 40,
        ('GEM_CONTEXT_CREATE', 'request'): 24, ('GEM_CONTEXT_CREATE', 'response'): 16,
        ('GEM_EXECBUFFER2', 'request'): 48, ('GEM_EXECBUFFER2', 'response'): 8,
        ('GEM_SET_MMAP_MODE', 'request'): 24, ('GEM_BUSY', 'request'): 24,
        ('GEM_BUSY', 'response'): 16,
    })

    # IOCTL_SIMPLE: cmd @16, pad @20, payload @24.
    set_tiling = 0xc0106461                # DRM_IOCTL_I915_GEM_SET_TILING
    assert set_tiling == ioc(3, 0x61, 16)
    base = req(1, p('II', set_tiling, 0) + p('IIII', 42, 2, 4096, 0))
    m = 'IOCTL_SIMPLE'
    c.req(m, 'IOCTL_SIMPLE: SET_TILING number with write-only direction', base,
          put(base, 16, 'I', ioc(IOC_WRITE, 0x61, 16)), 'VDRM_E_NOT_ALLOWED', 'cmd', 16,
          why='the whole 32-bit number must match')
    c.req(m, 'IOCTL_SIMPLE: SET_TILING number with size 24', base,
          put(base, 16, 'I', ioc(3, 0x61, 24)), 'VDRM_E_NOT_ALLOWED', 'cmd', 16,
          why='the whole 32-bit number must match')
    c.req(m, 'IOCTL_SIMPLE: DRM_I915_GEM_PREAD (nr 0x5c)', base,
          put(base, 16, 'I', ioc(IOC_WRITE, 0x5c, 32)), 'VDRM_E_NOT_ALLOWED', 'cmd', 16,
          why='not on the allow list')
    c.req(m, 'IOCTL_SIMPLE: hdr.len 36 for a 16-byte argument', base,
          resized(base, 'request', 36), 'VDRM_E_TRUNCATED', 'payload', 24,
          why='the argument runs past hdr.len')
    c.req(m, 'IOCTL_SIMPLE: hdr.len 44 for a 16-byte argument', base,
          resized(base, 'request', 44), 'VDRM_E_LENGTH', 'hdr.len', 4,
          why='hdr.len must be exactly 24 + _IOC_SIZE(cmd)')

    # Typed arguments: a valid one, then one field broken (the argument starts at 24).
    def simple(number, arg):
        return req(1, p('II', number, 0) + arg)
    for name, number in (('GETPARAM', 0xc0186474), ('SETPARAM', 0xc0186475)):
        ok = simple(number, p('IIQ', 1, 0, 6) + p('Q', 0))   # ctx 1, size 0, PRIORITY, value 0
        c.req(m, 'IOCTL_SIMPLE: CONTEXT_%s of ENGINES (10)' % name, ok, put(ok, 24 + 8, 'Q', 10),
              'VDRM_E_NOT_ALLOWED', 'payload.param', 24 + 8,
              why='ENGINES carries a guest pointer; only GTT_SIZE, PRIORITY, RECOVERABLE and VM pass')
    for name, number in (('VM_CREATE', 0xc010647a), ('VM_DESTROY', 0x4010647b)):
        ok = simple(number, p('QII', 0, 0, 1))
        c.req(m, 'IOCTL_SIMPLE: %s with extensions' % name, ok, put(ok, 24, 'Q', 0x7fff0000),
              'VDRM_E_NONZERO', 'payload.extensions', 24,
              why='an extension chain is a guest pointer the host kernel would follow')
        c.req(m, 'IOCTL_SIMPLE: %s with flags 1' % name, ok, put(ok, 24 + 8, 'I', 1),
              'VDRM_E_NONZERO', 'payload.flags', 24 + 8, why='no flags are defined')
    ok = simple(0xc0186472, p('IIIIII', 1, 0, 0, 0, 0, 0))              # GET_RESET_STATS
    c.req(m, 'IOCTL_SIMPLE: GET_RESET_STATS with flags 1', ok, put(ok, 24 + 4, 'I', 1),
          'VDRM_E_NONZERO', 'payload.flags', 24 + 4, why='no flags are defined')
    c.req(m, 'IOCTL_SIMPLE: GET_RESET_STATS with pad 1', ok, put(ok, 24 + 20, 'I', 1),
          'VDRM_E_NONZERO', 'payload.pad', 24 + 20, why='padding of the argument')
    ok = simple(0x4008646e, p('II', 2, 0))                              # GEM_CONTEXT_DESTROY
    c.req(m, 'IOCTL_SIMPLE: GEM_CONTEXT_DESTROY with pad 1', ok, put(ok, 24 + 4, 'I', 1),
          'VDRM_E_NONZERO', 'payload.pad', 24 + 4, why='padding of the argument')

    # Responses with pad @4 (then ret, value / length / ctx_id / busy).
    for message in ('GETPARAM', 'QUERYPARAM', 'GEM_CONTEXT_CREATE', 'GEM_BUSY'):
        c.nonzero(message, 'response', rsp(p('IiI', 0, 0, 1)), 'pad', 4, 'I', 1)

    # GEM_CREATE: size u64 @16, blob_id @24, pad @28.
    base = req(4, p('QII', 0x10000, 1, 0))
    c.nonzero('GEM_CREATE', 'request', base, 'pad', 28, 'I', 0x10)
    c.req('GEM_CREATE', 'GEM_CREATE: blob_id 0', base, put(base, 24, 'I', 0), 'VDRM_E_LIMIT',
          'blob_id', 24, why='blob_id below 1')

    gem_create_ext(c)
    gem_context_create(c)
    gem_execbuffer2(c)

    # GEM_SET_MMAP_MODE: res_id, flags @20.
    base = req(8, p('II', 42, 1))
    c.req('GEM_SET_MMAP_MODE', 'GEM_SET_MMAP_MODE: flags 5', base, put(base, 20, 'I', 5),
          'VDRM_E_NOT_ALLOWED', 'flags', 20, why='not one of GTT, WC, WB, UC, FIXED')
    return c


def user_extension(name):
    """struct i915_user_extension: next_extension u64, name @8, flags, rsvd[4]."""
    return p('QII16x', 0, name, 0)


def gem_create_ext(c):
    """
    GEM_CREATE_EXT: size u64, blob_id @24, gem_flags, ext_size @32, pad;
    extension records @40, each beginning with i915_user_extension (32 bytes).
    """
    set_pat = user_extension(2) + p('II', 1, 0)                      # 40 bytes
    protected = user_extension(1) + p('I4x', 0)                      # 40 bytes (LP64)

    def memory_regions(num_regions, regions):
        return user_extension(0) + p('IIQ', 0, num_regions, 0) + regions   # 48 + regions

    def create_ext(ext, blob_id=1):
        return req(5, p('QIIII', 0x10000, blob_id, 1, len(ext), 0) + ext)

    regions = p('HH', 1, 0) + p('HH', 0, 0)
    base = create_ext(set_pat + memory_regions(2, regions))
    assert len(base) == 136
    m = 'GEM_CREATE_EXT'
    second = 40 + 40                       # the second record, after SET_PAT
    c.req(m, 'GEM_CREATE_EXT: blob_id 0', base, create_ext(set_pat + memory_regions(2, regions),
          blob_id=0), 'VDRM_E_LIMIT', 'blob_id', 24, why='blob_id below 1')
    c.req(m, 'GEM_CREATE_EXT: ext_size 100 in a 136-byte message', base,
          put(base, 32, 'I', 100), 'VDRM_E_TRUNCATED', 'extensions', 40,
          why='the records run past hdr.len')
    two = create_ext(set_pat + set_pat)
    c.req(m, 'GEM_CREATE_EXT: second record 16 bytes, too short for its header', two,
          create_ext(set_pat + set_pat[:16]), 'VDRM_E_TRUNCATED', 'extensions', second,
          why='a record header runs past the end of the records')
    c.req(m, 'GEM_CREATE_EXT: MEMORY_REGIONS record cut to 40 bytes', base,
          create_ext(set_pat + memory_regions(0, b'')[:40]), 'VDRM_E_TRUNCATED', 'extensions',
          second, why='a 48-byte MEMORY_REGIONS record runs past the end of the records')
    c.req(m, 'GEM_CREATE_EXT: PROTECTED_CONTENT record of 36 bytes (i386 sizeof)',
          create_ext(set_pat + protected), create_ext(set_pat + protected[:36]),
          'VDRM_E_TRUNCATED', 'extensions', second,
          why='the record is 40 bytes on the wire (LP64 host)')
    c.req(m, 'GEM_CREATE_EXT: SET_PAT record cut to 36 bytes', two,
          create_ext(set_pat + set_pat[:36]), 'VDRM_E_TRUNCATED', 'extensions', second,
          why='a 40-byte SET_PAT record runs past the end of the records')
    c.req(m, 'GEM_CREATE_EXT: num_regions 3 with room for 2', base,
          create_ext(set_pat + memory_regions(3, regions)), 'VDRM_E_TRUNCATED',
          'extensions[].region_list', second + 48,
          why='the region list runs past the end of the records')
    c.req(m, 'GEM_CREATE_EXT: record name 3', two,
          create_ext(set_pat + user_extension(3) + p('II', 1, 0)), 'VDRM_E_NOT_ALLOWED',
          'extensions[].name', second + 8, why='no extension of that name')
    c.req(m, 'GEM_CREATE_EXT: hdr.len 4 bytes beyond the records', base,
          resized(base, 'request', 140), 'VDRM_E_LENGTH', 'hdr.len', 4,
          why='hdr.len must be exactly 40 + ext_size')


def gem_context_create(c):
    """
    GEM_CONTEXT_CREATE: flags @16, params_size @20; setparam records @24: 56
    bytes (i915_user_extension, then ctx_id @32, size @36, param u64 @40,
    value u64 @48), each followed by param.size bytes.
    """
    def setparam(param, size, value=0, name=0):
        return user_extension(name) + p('IIQQ', 0, size, param, value)

    def create(params):
        return req(6, p('II', 1, len(params)) + params)

    recoverable = setparam(8, 0)
    engines = setparam(0xa, 8) + bytes(8)
    base = create(recoverable + engines)
    assert len(base) == 144
    m = 'GEM_CONTEXT_CREATE'
    second = 24 + 56
    c.req(m, 'GEM_CONTEXT_CREATE: params_size 124 in a 144-byte message', base,
          put(base, 20, 'I', 124), 'VDRM_E_TRUNCATED', 'params', 24,
          why='the records run past hdr.len')
    c.req(m, 'GEM_CONTEXT_CREATE: second record cut to 48 bytes', base,
          create(recoverable + engines[:48]), 'VDRM_E_TRUNCATED', 'params', second,
          why='a 56-byte setparam record runs past the end of the records')
    c.req(m, 'GEM_CONTEXT_CREATE: param.size 132', base,
          create(recoverable + setparam(0xa, 132) + bytes(8)), 'VDRM_E_LIMIT',
          'params[].param.size', second + 36, why='param.size above 128')
    c.req(m, 'GEM_CONTEXT_CREATE: param.size 6', base,
          create(recoverable + setparam(0xa, 6) + bytes(8)), 'VDRM_E_ALIGN',
          'params[].param.size', second + 36, why='param.size not a multiple of 4')
    c.req(m, 'GEM_CONTEXT_CREATE: param.param 1 (BAN_PERIOD)', base,
          create(recoverable + setparam(1, 8) + bytes(8)), 'VDRM_E_NOT_ALLOWED',
          'params[].param.param', second + 40, why='a parameter the host refuses')
    c.req(m, 'GEM_CONTEXT_CREATE: base.name 1', base,
          create(recoverable + setparam(0xa, 8, name=1) + bytes(8)), 'VDRM_E_NOT_ALLOWED',
          'params[].base.name', second + 8, why='every record is a SETPARAM (0)')
    c.req(m, 'GEM_CONTEXT_CREATE: param.size 12 with 8 data bytes left', base,
          create(recoverable + setparam(0xa, 12) + bytes(8)), 'VDRM_E_TRUNCATED',
          'params[].value', second + 56, why='the data runs past the end of the records')
    c.req(m, 'GEM_CONTEXT_CREATE: hdr.len 4 bytes beyond the records', base,
          resized(base, 'request', 148), 'VDRM_E_LENGTH', 'hdr.len', 4,
          why='hdr.len must be exactly 24 + params_size')


def gem_execbuffer2(c):
    """
    GEM_EXECBUFFER2: flags u64 @16, context_id u64, buffer_count @32,
    batch_start_offset, batch_len, relocs_count @44; objects @48 (56 bytes
    each: handle, relocation_count @4, ...), then relocs (32 bytes each).
    """
    def obj(handle, relocation_count):
        return p('IIQQQQQQ', handle, relocation_count, 0, 0, 0x100000, 0, 0, 0)

    reloc = p('IIQQII', 0, 0, 0x40, 0, 2, 0)
    flags = 0x1 | 0x1000 | 0x40000            # RENDER | HANDLE_LUT | BATCH_FIRST

    def execbuffer(objects, relocs, flags=flags):
        return req(7, p('QQIIII', flags, 1, len(objects), 0, 0, len(relocs))
                   + b''.join(objects) + b''.join(relocs))

    base = execbuffer([obj(5, 1), obj(6, 0)], [reloc])
    assert len(base) == 192
    m = 'GEM_EXECBUFFER2'
    c.req(m, 'GEM_EXECBUFFER2: flags | I915_EXEC_FENCE_ARRAY', base,
          execbuffer([obj(5, 1), obj(6, 0)], [reloc], flags | 1 << 19), 'VDRM_E_NOT_ALLOWED',
          'flags', 16, why='bits outside 0x479ff')
    c.req(m, 'GEM_EXECBUFFER2: flags | 1 << 48', base,
          execbuffer([obj(5, 1), obj(6, 0)], [reloc], flags | 1 << 48), 'VDRM_E_NOT_ALLOWED',
          'flags', 16, why='bits outside 0x479ff, in the upper word')
    c.req(m, 'GEM_EXECBUFFER2: buffer_count 4 in a 192-byte message', base,
          put(base, 32, 'I', 4), 'VDRM_E_TRUNCATED', 'objects', 48,
          why='the objects run past hdr.len')
    c.req(m, 'GEM_EXECBUFFER2: relocs_count 2 in a 192-byte message', base,
          put(base, 44, 'I', 2), 'VDRM_E_TRUNCATED', 'relocs', 48 + 2 * 56,
          why='the relocations run past hdr.len')
    c.req(m, 'GEM_EXECBUFFER2: objects take 2 relocations, 1 sent', base,
          execbuffer([obj(5, 1), obj(6, 1)], [reloc]), 'VDRM_E_LIMIT', 'relocations', 48,
          why='the sum of objects[].relocation_count exceeds relocs_count')
    c.req(m, 'GEM_EXECBUFFER2: hdr.len 8 bytes beyond the relocations', base,
          resized(base, 'request', 200), 'VDRM_E_LENGTH', 'hdr.len', 4,
          why='hdr.len must be exactly 48 + 56 x buffer_count + 32 x relocs_count')


def submit_cases(c):
    """
    SUBMIT: flags, queue_id, cmdbuf_size @24, extres_count @28, cmdbuf @32,
    extres after it (res_id, flags: 8 bytes each). The command buffer is a
    sequence of records: a drm_asahi_cmd_header (cmd_type u16, size u16 @2,
    vdm_barrier u16, cdm_barrier u16) and its body, RENDER (0) a 240-byte
    drm_asahi_cmd_render, COMPUTE (1) a 64-byte drm_asahi_cmd_compute, the
    SET_*_ATTACHMENTS kinds (2, 3, 4) size bytes of 24-byte entries.
    """
    none = 0xffff

    def command(cmd_type, body, vdm=none, cdm=none, size=None):
        return p('HHHH', cmd_type, len(body) if size is None else size, vdm, cdm) + body

    def submit(cmdbuf, extres=((3, 1), (4, 2)), seqno=1):
        body = p('IIII', 0, 5, len(cmdbuf), len(extres)) + cmdbuf
        return req(6, body + b''.join(p('II', *e) for e in extres), seqno)

    compute = p('IIQQQ', 0, 0, 0xffe0a00000, 0xffe0a00100, 0) + p('IIQ', 0, 0, 0) + bytes(16)
    render = (p('IIQ', 0, 0, 0xffe0d00000) + bytes(128) + p('IHHHHBBBB', 0x202, 64, 64, 1, 0,
                                                              32, 32, 1, 4) + bytes(80))
    attachment = p('QQII', 0xffe1000000, 0x4000, 0, 0)
    assert (len(compute), len(render), len(attachment)) == (64, 240, 24)
    m = 'SUBMIT'

    base = submit(command(1, compute, 0, 0))
    assert len(base) == 32 + 72 + 16
    c.req(m, 'SUBMIT: cmdbuf_size 112 in a 120-byte message', base,
          put(base, 24, 'I', 112), 'VDRM_E_TRUNCATED', 'cmdbuf', 32,
          why='the command buffer runs past hdr.len')
    c.req(m, 'SUBMIT: extres_count 3 in a 120-byte message', base,
          put(base, 28, 'I', 3), 'VDRM_E_TRUNCATED', 'extres', 104,
          why='the external resources run past hdr.len')
    c.req(m, 'SUBMIT: 4 bytes after a COMPUTE command', base,
          submit(command(1, compute, 0, 0) + p('HH', 1, 64)), 'VDRM_E_TRUNCATED', 'cmdbuf', 32 + 72,
          why='the commands must fill cmdbuf_size exactly: 4 bytes cannot hold a header')
    c.req(m, 'SUBMIT: COMPUTE header in a 10-byte command buffer', base,
          bytes.fromhex('0600000034000000140000000000000000000000020000000a000000010000000100'
                        '4000ffff0000dead09000000010000000000'),
          'VDRM_E_TRUNCATED', 'cmdbuf', 32,
          why='a COMPUTE command is 72 bytes (formerly the conformance vector "SUBMIT request: '
              '10-byte cmdbuf, misaligned extres, 2 pad bytes")')
    ok = submit(command(0, render, 0, 0))
    c.req(m, 'SUBMIT: RENDER command cut to 108 bytes', ok,
          submit(command(0, render[:100], 0, 0, size=240)), 'VDRM_E_TRUNCATED', 'cmdbuf', 32,
          why='a RENDER command is 248 bytes')
    c.req(m, 'SUBMIT: RENDER with hdr.size 232', ok, put(ok, 32 + 2, 'H', 232),
          'VDRM_E_NOT_ALLOWED', 'cmdbuf[].hdr.size', 34,
          why='the body is the whole 240-byte drm_asahi_cmd_render (the kernel would read the '
              'next header 8 bytes early)')
    c.req(m, 'SUBMIT: COMPUTE with hdr.size 72', base, put(base, 32 + 2, 'H', 72),
          'VDRM_E_NOT_ALLOWED', 'cmdbuf[].hdr.size', 34,
          why='the body is the whole 64-byte drm_asahi_cmd_compute')
    for kind, name in ((2, 'SET_VERTEX_ATTACHMENTS'), (3, 'SET_FRAGMENT_ATTACHMENTS'),
                       (4, 'SET_COMPUTE_ATTACHMENTS')):
        ok = submit(command(kind, attachment + attachment) + command(1, compute, 0, 0))
        c.req(m, 'SUBMIT: %s with size 44' % name, ok,
              submit(command(kind, attachment + attachment[:20]) + command(1, compute, 0, 0)),
              'VDRM_E_ALIGN', 'cmdbuf[].size', 34,
              why='a whole number of 24-byte drm_asahi_attachment entries')
        c.req(m, 'SUBMIT: %s of 48 bytes with 24 left' % name, ok,
              submit(command(kind, attachment, size=48)), 'VDRM_E_TRUNCATED',
              'cmdbuf[].attachments', 40, why='the entries run past the end of the command buffer')
        c.req(m, 'SUBMIT: %s whose second entry has pad 1' % name, ok, put(ok, 40 + 24 + 16, 'I', 1),
              'VDRM_E_NONZERO', 'cmdbuf[].attachments[].pad', 40 + 24 + 16,
              why='padding of drm_asahi_attachment (Mesa builds entries as compound literals)')
    c.req(m, 'SUBMIT: cmd_type 5', base, submit(command(1, compute, 0, 0) + command(5, b'')),
          'VDRM_E_NOT_ALLOWED', 'cmdbuf[].cmd_type', 32 + 72,
          why='no command of that kind (DRM_ASAHI_SET_COMPUTE_ATTACHMENTS, 4, is the last)')


def asahi():
    c = Cases('asahi')
    c.runtime({
        ('NOP', 'request'): 16, ('IOCTL_SIMPLE', 'request'): 20,
        ('IOCTL_SIMPLE', 'response'): 8, ('GET_PARAMS', 'request'): 40,
        ('GET_PARAMS', 'response'): 8, ('GEM_NEW', 'request'): 48,
        ('VM_BIND', 'request'): 28, ('SUBMIT', 'request'): 32,
        ('GEM_BIND_OBJECT', 'request'): 56, ('GEM_BIND_OBJECT', 'response'): 12,
    })

    # IOCTL_SIMPLE: cmd @16, payload @20.
    vm_create = ioc(3, 0x42, 24)                     # DRM_IOCTL_ASAHI_VM_CREATE
    base = req(2, p('I', vm_create) + p('QQII', 0x10000000, 0x20000000, 0, 0))
    nr_allow_list_cases(c, base, core_nr=0x02, other=(0x44, 'nr 0x44 (0x04 is not on the allow list)'),
                        allowed=(0x42, 'VM_CREATE'))
    m = 'IOCTL_SIMPLE'

    def simple(nr, size, arg):
        return req(2, p('I', ioc(IOC_READ | IOC_WRITE, nr, size)) + arg)
    for name, nr, size in (('GET_TIME', 0x41, 16), ('VM_CREATE', 0x42, 24), ('VM_DESTROY', 0x43, 8),
                           ('QUEUE_CREATE', 0x48, 24), ('QUEUE_DESTROY', 0x49, 8)):
        bad = simple(nr, size + 4, bytes(size + 4))
        c.req(m, 'IOCTL_SIMPLE: %s with a %d-byte argument' % (name, size + 4), base, bad, 'VDRM_E_LENGTH',
              'payload', 20, why='the argument of %s is %d bytes' % (name, size))
    ok = simple(0x42, 24, p('QQII', 0x10000000, 0x20000000, 0, 0))
    c.req(m, 'IOCTL_SIMPLE: VM_CREATE with pad 1', ok, put(ok, 20 + 20, 'I', 1), 'VDRM_E_NONZERO',
          'payload.pad', 40, why='padding of the argument')
    for name, nr in (('VM_DESTROY', 0x43), ('QUEUE_DESTROY', 0x49)):
        ok = simple(nr, 8, p('II', 1, 0))
        c.req(m, 'IOCTL_SIMPLE: %s with pad 1' % name, ok, put(ok, 24, 'I', 1), 'VDRM_E_NONZERO',
              'payload.pad', 24, why='padding of the argument')
    ok = simple(0x48, 24, p('IIIIQ', 0, 1, 1, 0, 0x100000000))
    c.req(m, 'IOCTL_SIMPLE: QUEUE_CREATE at priority HIGH', ok, put(ok, 20 + 8, 'I', 2), 'VDRM_E_LIMIT',
          'payload.priority', 28, why='the deployed host refuses priorities above MEDIUM')

    # GEM_NEW: flags @16, bind_flags @20, vm_id @24, blob_id @28, size u64 @32, addr u64 @40.
    base = req(4, p('IIIIQQ', 1, 6, 1, 0x11, 0x40000, 0xffe1234000))
    c.req('GEM_NEW', 'GEM_NEW: blob_id 0', base, put(base, 28, 'I', 0), 'VDRM_E_LIMIT', 'blob_id', 28,
          why='blob id 0 names the shmem blob')

    # GET_PARAMS: params: param_group @16, pad @20, pointer u64 @24, size u64 @32.
    base = req(3, p('IIQQ', 0, 0, 0, 592))
    c.nonzero('GET_PARAMS', 'request', base, 'params.pad', 20, 'I', 1)
    c.req('GET_PARAMS', 'GET_PARAMS: params.param_group 1', base, put(base, 16, 'I', 1),
          'VDRM_E_LIMIT', 'params.param_group', 16, why='only group 0 exists')
    c.req('GET_PARAMS', 'GET_PARAMS: hdr.len 48', base, resized(base, 'request', 48),
          'VDRM_E_LENGTH', 'hdr.len', 4,
          why='the doc: hdr.len must be exactly 40; the host rejects any other length')

    # VM_BIND: vm_id, stride @20, count @24, ops @28 (drm_asahi_gem_bind_op, 32
    # bytes, then stride - 32 zero bytes).
    def op(flags, handle):
        return p('IIQQQ', flags, handle, 0, 0x4000, 0x1000000)

    base = req(5, p('III', 1, 40, 2) + op(6, 12) + bytes(8) + op(1, 0) + bytes(8))
    assert len(base) == 108
    m = 'VM_BIND'
    c.req(m, 'VM_BIND: stride 4', base, put(base, 20, 'I', 4), 'VDRM_E_LIMIT', 'stride', 20,
          why='stride below the minimum 8')
    c.req(m, 'VM_BIND: count 3 in a 108-byte message', base, put(base, 24, 'I', 3),
          'VDRM_E_TRUNCATED', 'ops', 28, why='the ops run past hdr.len')
    c.req(m, 'VM_BIND: ops[0] byte 32 (beyond the struct) = 1', base,
          put(base, 28 + 32, 'B', 1), 'VDRM_E_NONZERO', 'ops', 28 + 32,
          why='the bytes of a longer stride beyond the struct must be zero')
    c.req(m, 'VM_BIND: ops[1] byte 39 (beyond the struct) = 0x80', base,
          put(base, 28 + 40 + 39, 'B', 0x80), 'VDRM_E_NONZERO', 'ops', 28 + 40 + 39,
          why='the bytes of a longer stride beyond the struct must be zero')
    c.req(m, 'VM_BIND: hdr.len 4 bytes beyond the ops', base, resized(base, 'request', 112),
          'VDRM_E_LENGTH', 'hdr.len', 4, why='hdr.len must be exactly 28 + stride x count')

    submit_cases(c)

    # GEM_BIND_OBJECT: bind: op, flags, handle, vm_id, offset u64, range u64,
    # object_handle @48, pad @52.
    base = req(7, p('IIIIQQII', 0, 1, 12, 0, 0, 0x4000, 0, 0))
    c.nonzero('GEM_BIND_OBJECT', 'request', base, 'bind.pad', 52, 'I', 1)
    return c


def panfrost():
    c = Cases('panfrost')
    c.runtime({
        ('SUBMIT', 'request'): 32, ('WAIT_BO', 'request'): 32, ('WAIT_BO', 'response'): 8,
        ('CREATE_BO', 'request'): 32, ('MMAP_BO', 'request'): 24,
        ('MMAP_BO', 'response'): 16, ('GET_PARAM', 'request'): 24,
        ('GET_PARAM', 'response'): 16, ('GET_BO_OFFSET', 'request'): 24,
        ('GET_BO_OFFSET', 'response'): 16, ('MADVISE', 'request'): 24,
        ('MADVISE', 'response'): 16,
    })

    # SUBMIT: jc u64 @16, requirements @24, res_id_count @28, res_ids @32.
    base = req(1, p('QII', 0x1000a0000, 1, 3) + p('III', 3, 4, 5))
    c.req('SUBMIT', 'SUBMIT: res_id_count 4 in a 44-byte message', base,
          put(base, 28, 'I', 4), 'VDRM_E_TRUNCATED', 'res_ids', 32,
          why='the resource ids run past hdr.len')
    c.req('SUBMIT', 'SUBMIT: res_id_count 0xffffffff', base, put(base, 28, 'I', 0xffffffff),
          'VDRM_E_TRUNCATED', 'res_ids', 32, why='a count whose size overflows 32 bits')

    # WAIT_BO: res_id @16, 4 bytes of implicit padding @20 (LP64), timeout_ns i64 @24.
    base = req(2, p('I4xq', 7, 0))
    c.req('WAIT_BO', 'WAIT_BO: padding byte 20 = 1', base, put(base, 20, 'B', 1),
          'VDRM_E_NONZERO', 'timeout_ns', 20,
          why='the implicit padding before timeout_ns must be zero')
    c.req('WAIT_BO', 'WAIT_BO: padding byte 23 = 0x80', base, put(base, 23, 'B', 0x80),
          'VDRM_E_NONZERO', 'timeout_ns', 23,
          why='the implicit padding before timeout_ns must be zero')

    # CREATE_BO: pad @16, size, blob_id @24, flags.
    base = req(3, p('IIII', 0, 0x10000, 1, 0))
    c.nonzero('CREATE_BO', 'request', base, 'pad', 16, 'I', 1)
    c.req('CREATE_BO', 'CREATE_BO: blob_id 0', base, put(base, 24, 'I', 0), 'VDRM_E_LIMIT',
          'blob_id', 24, why='blob id 0 names the shared-memory buffer')

    # GET_PARAM and GET_BO_OFFSET: pad @16.
    c.nonzero('GET_PARAM', 'request', req(5, p('II', 0, 0)), 'pad', 16, 'I', 1)
    c.nonzero('GET_BO_OFFSET', 'request', req(6, p('II', 0, 7)), 'pad', 16, 'I', 0x100)

    # MADVISE response: pad @4, ret, retained.
    c.nonzero('MADVISE', 'response', rsp(p('IiI', 0, 0, 1)), 'pad', 4, 'I', 1)
    return c


# vtest: a header {length, cmd}; length counts the dwords after the header (bytes
# for CREATE_RENDERER); the trailer follows, not counted.
VCMD = dict(RESOURCE_UNREF=3, RESOURCE_BUSY_WAIT=7, CREATE_RENDERER=8, PING_PROTOCOL_VERSION=10,
            PROTOCOL_VERSION=11, GET_PARAM=15, GET_CAPSET=16, CONTEXT_INIT=17, RESOURCE_CREATE_BLOB=18,
            SYNC_CREATE=19, SYNC_UNREF=20, SYNC_READ=21, SYNC_WRITE=22, SYNC_WAIT=23, SUBMIT_CMD2=24,
            DRM_SYNC_CREATE=25, DRM_SYNC_DESTROY=26, DRM_SYNC_HANDLE_TO_FD=27, DRM_SYNC_FD_TO_HANDLE=28,
            DRM_SYNC_IMPORT_SYNC_FILE=29, DRM_SYNC_EXPORT_SYNC_FILE=30, DRM_SYNC_WAIT=31, DRM_SYNC_RESET=32,
            DRM_SYNC_SIGNAL=33, DRM_SYNC_TIMELINE_SIGNAL=34, DRM_SYNC_TIMELINE_WAIT=35, DRM_SYNC_QUERY=36,
            DRM_SYNC_TRANSFER=37, RESOURCE_EXPORT_FD=38)


def vmsg(cmd, body=b'', trailer=b'', length=None):
    """A vtest message: {length (body dwords unless given), id} + body + trailer."""
    return p('II', len(body) // 4 if length is None else length, VCMD[cmd]) + body + trailer


def vtest():
    c = Cases('vtest')
    with open(os.path.join(VECTORS, 'vtest.json')) as f:
        vectors = json.load(f)['vectors']
    # Fixed length of every body, in dwords (None: it has a variable part).
    fixed = {('PING_PROTOCOL_VERSION', 'request'): 0, ('PING_PROTOCOL_VERSION', 'response'): 0,
             ('RESOURCE_UNREF', 'request'): 1, ('RESOURCE_BUSY_WAIT', 'request'): 2,
             ('RESOURCE_BUSY_WAIT', 'response'): 1, ('PROTOCOL_VERSION', 'request'): 1,
             ('PROTOCOL_VERSION', 'response'): 1, ('GET_PARAM', 'request'): 1, ('GET_PARAM', 'response'): 2,
             ('GET_CAPSET', 'request'): 2, ('CONTEXT_INIT', 'request'): 1, ('RESOURCE_CREATE_BLOB', 'request'): 6,
             ('RESOURCE_CREATE_BLOB', 'response'): 1, ('SYNC_CREATE', 'request'): 2,
             ('SYNC_CREATE', 'response'): 1, ('SYNC_UNREF', 'request'): 1, ('SYNC_READ', 'request'): 1,
             ('SYNC_READ', 'response'): 2, ('SYNC_WRITE', 'request'): 3, ('SYNC_WAIT', 'response'): 0,
             ('DRM_SYNC_CREATE', 'request'): 1, ('DRM_SYNC_CREATE', 'response'): 1,
             ('DRM_SYNC_DESTROY', 'request'): 1, ('DRM_SYNC_HANDLE_TO_FD', 'request'): 1,
             ('DRM_SYNC_HANDLE_TO_FD', 'response'): 0, ('DRM_SYNC_FD_TO_HANDLE', 'request'): 0,
             ('DRM_SYNC_FD_TO_HANDLE', 'response'): 1, ('DRM_SYNC_IMPORT_SYNC_FILE', 'request'): 1,
             ('DRM_SYNC_EXPORT_SYNC_FILE', 'request'): 1, ('DRM_SYNC_EXPORT_SYNC_FILE', 'response'): 0,
             ('DRM_SYNC_WAIT', 'request'): 4, ('DRM_SYNC_RESET', 'request'): 1, ('DRM_SYNC_SIGNAL', 'request'): 1,
             ('DRM_SYNC_TIMELINE_SIGNAL', 'request'): 1, ('DRM_SYNC_TIMELINE_WAIT', 'request'): 4,
             ('DRM_SYNC_QUERY', 'request'): 2, ('DRM_SYNC_QUERY', 'response'): 0,
             ('DRM_SYNC_TRANSFER', 'request'): 7, ('RESOURCE_EXPORT_FD', 'request'): 1,
             ('RESOURCE_EXPORT_FD', 'response'): 0}
    # The least length of the bodies with a variable part: their fixed dwords.
    minimum = dict(fixed)
    minimum.update({('CREATE_RENDERER', 'request'): 0, ('GET_CAPSET', 'response'): 1,
                    ('SYNC_WAIT', 'request'): 2, ('SUBMIT_CMD2', 'request'): 9,
                    ('DRM_SYNC_WAIT', 'response'): 0, ('DRM_SYNC_TIMELINE_WAIT', 'response'): 0})
    # The command id each answer carries.
    replies = {'DRM_SYNC_FD_TO_HANDLE': 'DRM_SYNC_HANDLE_TO_FD', 'DRM_SYNC_TIMELINE_WAIT': 'DRM_SYNC_WAIT'}

    # The runtime's checks of the header, on the first vector of every body.
    seen, first_request = set(), None
    for v in vectors:
        key = (v['command'], v['direction'])
        if key in seen:
            continue
        seen.add(key)
        message, direction = key
        base = bytes.fromhex(v['hex'])
        unit = 1 if message == 'CREATE_RENDERER' else 4
        length = struct.unpack_from('<I', base)[0]
        if minimum[key]:
            low = minimum[key] - 1
            c.add(message, direction, '%s %s: length %d, below the minimum %d' % (message, direction, low, minimum[key]),
                  base, put(base, 0, 'I', low), 'VDRM_E_SHORT', 'hdr.length', 0,
                  why='the length frames less than the fixed part')
        over = (len(base) - 8) // unit + 1
        c.add(message, direction, '%s %s: length %d, %d bytes in the buffer' % (message, direction, over, len(base)),
              base, put(base, 0, 'I', over), 'VDRM_E_TRUNCATED', 'hdr.length', 0,
              why='the length frames more than the bytes available')
        if direction == 'response':
            c.add(message, direction, '%s response: 3-byte buffer' % message, base, base[:3], 'VDRM_E_SHORT', 'hdr',
                  0, why='a buffer too short for the length')
            reply = replies.get(message, message)
            c.add(message, direction, '%s response: cmd %d' % (message, VCMD[reply] + 1), base,
                  put(base, 4, 'I', VCMD[reply] + 1), 'VDRM_E_OPCODE', 'hdr.cmd', 4,
                  why='the answer carries another command id than %s\'s' % reply)
        elif first_request is None:
            first_request = (message, base)
        if key in fixed:
            c.add(message, direction, '%s %s: length %d, one dword too many' % (message, direction, length + 1),
                  base, put(base, 0, 'I', length + 1) + bytes(4), 'VDRM_E_LENGTH', 'hdr.length', 0,
                  why='a fixed-size command\'s length must be exact')
    assert seen == set(minimum), set(minimum) ^ seen
    message, base = first_request
    c.add(message, 'request', '%s request: 7-byte buffer' % message, base, base[:7], 'VDRM_E_SHORT', 'hdr', 0,
          command='vtest', why='a request too short for struct vtest_hdr: rejected before its command is known, '
                               'so the error names the context')

    # CREATE_RENDERER: the length (bytes) limit, from the header alone.
    base = vmsg('CREATE_RENDERER', b'abc\0')
    c.req('CREATE_RENDERER', 'CREATE_RENDERER: length 1 MiB + 1', base, put(base, 0, 'I', 0x100001),
          'VDRM_E_LIMIT', 'hdr.length', 0, why='names longer than VTEST_RENDERER_NAME_MAX, refused from the header')
    base = vmsg('RESOURCE_BUSY_WAIT', p('II', 0, 1))
    c.req('RESOURCE_BUSY_WAIT', 'RESOURCE_BUSY_WAIT: flags 3', base, put(base, 12, 'I', 3), 'VDRM_E_NOT_ALLOWED',
          'flags', 12, why='a bit outside vcmd_busy_wait_flag')
    base = vmsg('CONTEXT_INIT', p('I', 6))
    c.req('CONTEXT_INIT', 'CONTEXT_INIT: capset 0', base, put(base, 8, 'I', 0), 'VDRM_E_LIMIT', 'capset_id', 8,
          why='capset id 0 names no capset')
    base = vmsg('RESOURCE_CREATE_BLOB', p('6I', 2, 1, 0x4000, 0, 0, 0))
    c.req('RESOURCE_CREATE_BLOB', 'RESOURCE_CREATE_BLOB: type 0', base, put(base, 8, 'I', 0),
          'VDRM_E_NOT_ALLOWED', 'type', 8, why='not a vcmd_blob_type')
    c.req('RESOURCE_CREATE_BLOB', 'RESOURCE_CREATE_BLOB: type 4', base, put(base, 8, 'I', 4),
          'VDRM_E_NOT_ALLOWED', 'type', 8, why='not a vcmd_blob_type')
    c.req('RESOURCE_CREATE_BLOB', 'RESOURCE_CREATE_BLOB: flags 8', base, put(base, 12, 'I', 9),
          'VDRM_E_NOT_ALLOWED', 'flags', 12, why='a bit outside vcmd_blob_flag')

    # SYNC_WAIT: flags @8, timeout @12, 12-byte entries from 16.
    base = vmsg('SYNC_WAIT', p('II', 1, 100) + p('III', 1, 5, 0))
    c.req('SYNC_WAIT', 'SYNC_WAIT: flags 2', base, put(base, 8, 'I', 2), 'VDRM_E_NOT_ALLOWED', 'flags', 8,
          why='a bit outside vcmd_sync_wait_flag')
    c.req('SYNC_WAIT', 'SYNC_WAIT: length 3 (an entry of one dword)', base, put(base, 0, 'I', 3)[:20],
          'VDRM_E_LENGTH', 'syncs', 16, why='the entries are not whole (the deployed server takes length 1 for '
                                             '1.4 billion entries)')

    # SUBMIT_CMD2: batch_count @8, batch @12 (flags, cmd_offset @16, cmd_size @20, sync_offset @24,
    # sync_count @28, ring_idx @32, num_in_syncobj @36, num_out_syncobj @40), data from 44; trailer after.
    nop = p('IIII', 1, 16, 5, 0)
    base = vmsg('SUBMIT_CMD2', p('9I', 1, 7, 9, 4, 0, 0, 1, 1, 2) + nop,
                p('IIQ', 3, 1, 0) + p('IIQ', 4, 0, 0) + p('IIQ', 5, 0, 12))
    m = 'SUBMIT_CMD2'
    c.req(m, 'SUBMIT_CMD2: no batch', base, put(base, 8, 'I', 0), 'VDRM_E_LIMIT', 'batch_count', 8,
          why='exactly one batch')
    c.req(m, 'SUBMIT_CMD2: two batches', base, put(base, 8, 'I', 2), 'VDRM_E_LIMIT', 'batch_count', 8,
          why='exactly one batch (the trailers and fds of several would interleave)')
    c.req(m, 'SUBMIT_CMD2: ring 64', base, put(base, 32, 'I', 64), 'VDRM_E_LIMIT', 'batch.ring_idx', 32,
          why='ring_idx below VTEST_MAX_TIMELINE_COUNT')
    c.req(m, 'SUBMIT_CMD2: flags 8', base, put(base, 12, 'I', 15), 'VDRM_E_NOT_ALLOWED', 'batch.flags', 12,
          why='a bit outside vcmd_submit_cmd2_flag')
    c.req(m, 'SUBMIT_CMD2: cmd_offset 8 (inside the batch)', base, put(base, 16, 'I', 8), 'VDRM_E_LIMIT',
          'cmd_start', 44, why='the command data starts after the batch')
    c.req(m, 'SUBMIT_CMD2: cmd_size 5, past the length', base, put(base, 20, 'I', 5), 'VDRM_E_LIMIT', 'cmd_end', 44,
          why='cmd_offset + cmd_size within the length')
    c.req(m, 'SUBMIT_CMD2: cmd_offset 0xfffffff9, cmd_size 20 (wraps in 32 bits)', base,
          put(put(base, 16, 'I', 0xfffffff9), 20, 'I', 20), 'VDRM_E_LIMIT', 'cmd_end', 44,
          why='the sum in 64 bits: the deployed server\'s 32-bit sum wraps to 13')
    c.req(m, 'SUBMIT_CMD2: one sync entry at dword 12, past the length', base,
          put(put(base, 24, 'I', 12), 28, 'I', 1), 'VDRM_E_LIMIT', 'syncs_end', 44,
          why='sync_offset + 3 x sync_count within the length')
    c.req(m, 'SUBMIT_CMD2: 4 in-syncobjs, 3 in the trailer', base, put(base, 36, 'I', 4), 'VDRM_E_TRUNCATED',
          'in_syncobjs', 60, why='the in-syncobjs run past the bytes available')
    c.req(m, 'SUBMIT_CMD2: 3 out-syncobjs, 2 in the trailer', base, put(base, 40, 'I', 3), 'VDRM_E_TRUNCATED',
          'out_syncobjs', 76, why='the out-syncobjs run past the bytes available')
    c.req(m, 'SUBMIT_CMD2: in-syncobj flags 2', base, put(base, 64, 'I', 2), 'VDRM_E_NOT_ALLOWED',
          'in_syncobjs[].flags', 64, why='a bit outside virtgpu_execbuf_syncobj_flags')
    c.req(m, 'SUBMIT_CMD2: second out-syncobj flags 0x80', base, put(base, 96, 'I', 0x80), 'VDRM_E_NOT_ALLOWED',
          'out_syncobjs[].flags', 96, why='a bit outside virtgpu_execbuf_syncobj_flags')

    base = vmsg('DRM_SYNC_CREATE', p('I', 0))
    c.req('DRM_SYNC_CREATE', 'DRM_SYNC_CREATE: flags 2', base, put(base, 8, 'I', 2), 'VDRM_E_NOT_ALLOWED', 'flags',
          8, why='a bit outside drm_syncobj_create_flags')

    # The waits: num_handles @8, timeout @12, flags @20, trailer from 24.
    for m, timeline in (('DRM_SYNC_WAIT', False), ('DRM_SYNC_TIMELINE_WAIT', True)):
        for n in (1, 2):
            base = vmsg(m, p('IIII', n, 0, 0, 1), (p('%dQ' % n, *range(1, n + 1)) if timeline else b'') +
                        p('%dI' % n, *range(7, 7 + n)))
            if n == 1:
                c.req(m, m + ': flags 0x10', base, put(base, 20, 'I', 0x11), 'VDRM_E_NOT_ALLOWED', 'flags', 20,
                      why='a bit outside drm_syncobj_wait_flags')
                if timeline:
                    c.req(m, m + ': 2 handles, 1 point', base, put(base, 8, 'I', 2), 'VDRM_E_TRUNCATED', 'points',
                          24, why='the points run past the bytes available')
                else:
                    c.req(m, m + ': 2 handles, 1 in the trailer', base, put(base, 8, 'I', 2), 'VDRM_E_TRUNCATED',
                          'handles', 24, why='the handles run past the bytes available')
            elif timeline:
                c.req(m, m + ': 3 handles, the points filling the trailer', base, put(base, 8, 'I', 3),
                      'VDRM_E_TRUNCATED', 'handles', 48, why='the handles run past the bytes available')
        base = vmsg('DRM_SYNC_WAIT', p('Ii', 0, 0))
        c.rsp(m, m + ' response: length 1', base, put(base, 0, 'I', 1)[:12], 'VDRM_E_LENGTH', 'result', 8,
              why='half a result')
        c.rsp(m, m + ' response: two results', base, put(base, 0, 'I', 4) + p('Ii', 1, 0), 'VDRM_E_LIMIT',
              'result', 8, why='at most one result')
    for m in ('DRM_SYNC_RESET', 'DRM_SYNC_SIGNAL'):
        base = vmsg(m, p('I', 2), p('II', 7, 8))
        c.req(m, m + ': 3 handles, 2 in the trailer', base, put(base, 8, 'I', 3), 'VDRM_E_TRUNCATED', 'handles', 12,
              why='the handles run past the bytes available')
    m = 'DRM_SYNC_TIMELINE_SIGNAL'
    base = vmsg(m, p('I', 2), p('2Q', 5, 6) + p('II', 7, 8))
    c.req(m, m + ': 5 points, 2 in the trailer', base, put(base, 8, 'I', 5), 'VDRM_E_TRUNCATED', 'points', 12,
          why='the points run past the bytes available')
    c.req(m, m + ': 3 handles, the points filling the trailer', base, put(base, 8, 'I', 3), 'VDRM_E_TRUNCATED',
          'handles', 36, why='the handles run past the bytes available')
    m = 'DRM_SYNC_QUERY'
    base = vmsg(m, p('II', 2, 0), p('II', 7, 8))
    c.req(m, m + ': flags 2', base, put(base, 12, 'I', 2), 'VDRM_E_NOT_ALLOWED', 'flags', 12,
          why='a bit outside drm_syncobj_query_flags')
    c.req(m, m + ': 3 handles, 2 in the trailer', base, put(base, 8, 'I', 3), 'VDRM_E_TRUNCATED', 'handles', 16,
          why='the handles run past the bytes available')
    base = vmsg(m, b'', p('2Q', 3, 4))
    c.rsp(m, m + ' response: 12 bytes of points', base, base[:20], 'VDRM_E_LENGTH', 'points', 8,
          why='the points are not whole u64')
    return c


def main():
    check = '--check' in sys.argv[1:]
    stale = []
    for make in (msm, amdgpu, i915, asahi, panfrost, vtest):
        cases = make()
        path = os.path.join(HERE, cases.context + '.json')
        text = cases.json()
        old = open(path).read() if os.path.exists(path) else None
        if old == text:
            continue
        if check:
            stale.append(path)
        else:
            with open(path, 'w') as f:
                f.write(text)
            print('wrote %s (%d cases)' % (path, len(cases.cases)))
    if stale:
        sys.exit('out of date: ' + ' '.join(stale))


if __name__ == '__main__':
    main()
