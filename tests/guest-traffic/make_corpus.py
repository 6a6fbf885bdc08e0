#!/usr/bin/env python3
"""Packs the guest-traffic corpus tests/guest-traffic/NAME.json.

Each accept case is one request exactly as a Mesa guest driver builds it:
the fields the driver writes hold plausible values, and the bytes it leaves
uninitialised (a stack struct or array filled field by field, a VLA or a
malloc() buffer padded up to an alignment, implicit padding of Mesa's own copy
of the protocol header) hold the pattern 0xAA and are listed in "garbage".
Every case names the Mesa function it models and the copy of Mesa it was read
from (see README.md). Reject cases are unsafe requests a decoder must refuse,
with the exact status, field and offset.

The bytes are packed here with `struct` from the byte tables of
generated/doc/NAME.md and from what the Mesa functions write; nothing here
uses the generator or its encoders. The JSON files are the oracle: the test
(guest_traffic_test.c) reads them and never runs this script.

Layouts are LP64 (x86-64, aarch64) unless a case says i386.

usage: make_corpus.py [--check]   (--check: fail if a file would change)
"""

import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

GARBAGE = 0xAA   # what an uninitialised byte holds in this corpus

# Where each context's guest code was read (README.md has the details).
MSM_MESA = 'Mesa 24.3.0-devel, alexvorxx/Mesa-VirGL 79b71f0f'
AMD_MESA = 'Mesa main, upcliujie/mesa cdf7bf05'
ASAHI_MESA = 'Mesa main, bminor/mesa-mesa 1b7538c3'
I915_MESA = 'Mesa main, sailfishos-mirror/mesa b06d759a'

# _IOC() of the Linux UAPI: direction bits 30-31, size 16-29, type 'd', nr 0-7.
IOC_WRITE, IOC_READ = 1, 2


def ioc(direction, nr, size):
    return direction << 30 | size << 16 | 0x64 << 8 | nr


def iowr(nr, size):
    return ioc(IOC_READ | IOC_WRITE, 0x40 + nr, size)


def iow(nr, size):
    return ioc(IOC_WRITE, 0x40 + nr, size)


def ior(nr, size):
    return ioc(IOC_READ, 0x40 + nr, size)


def p(fmt, *values):
    return struct.pack('<' + fmt, *values)


class Msg:
    """A request under construction: its bytes and which of them are garbage."""

    def __init__(self, cmd, seqno, rsp_off=0):
        self.b = bytearray(p('IIII', cmd, 0, seqno, rsp_off))
        self.garbage = []

    def put(self, fmt, *values):
        self.b += p(fmt, *values)
        return self

    def raw(self, data):
        self.b += data
        return self

    def junk(self, n, why):
        """n bytes the guest never writes."""
        if n:
            self.garbage.append([len(self.b), n, why])
            self.b += bytes([GARBAGE]) * n
        return self

    def pad_to(self, align, why):
        return self.junk(-len(self.b) % align, why)

    def at(self):
        return len(self.b)

    def bytes(self, hdr_len=None):
        b = bytearray(self.b)
        struct.pack_into('<I', b, 4, len(b) if hdr_len is None else hdr_len)
        return bytes(b)


class Corpus:
    def __init__(self, context, note=None):
        self.context = context
        self.note = note
        self.accept = []
        self.reject = []

    def names(self):
        return [c['name'] for c in self.accept + self.reject]

    def ok(self, name, message, mesa, msg, why, fields=None, known_defect=None, size=None,
           note=None):
        """An accept case: msg is a Msg (or bytes without garbage)."""
        assert name not in self.names(), name
        data = msg.bytes() if isinstance(msg, Msg) else msg
        if size is not None:
            assert len(data) == size, (name, len(data), size)
        case = {'name': name, 'mesa': mesa, 'message': message, 'direction': 'request',
                'hex': data.hex(), 'garbage': msg.garbage if isinstance(msg, Msg) else [],
                'why': why}
        if fields:
            case['fields'] = fields
        if note:
            case['note'] = note
        if known_defect:
            case['known_defect'] = known_defect
        self.accept.append(case)

    def bad(self, name, message, data, status, field, offset, why, known_defect=None,
            note=None):
        assert name not in self.names(), name
        case = {'name': name, 'message': message, 'direction': 'request', 'hex': data.hex(),
                'status': status, 'field': field, 'offset': offset, 'why': why}
        if note:
            case['note'] = note
        if known_defect:
            case['known_defect'] = known_defect
        self.reject.append(case)

    def json(self):
        lines = ['{"context": %s,' % json.dumps(self.context)]
        if self.note:
            lines.append(' "note": %s,' % json.dumps(self.note))
        for key, cases in (('accept', self.accept), ('reject', self.reject)):
            lines.append(' "%s": [' % key)
            lines.append(',\n'.join('  ' + json.dumps(c) for c in cases))
            lines.append(' ]%s' % (',' if key == 'accept' else ''))
        lines.append('}')
        return '\n'.join(line for line in lines if line) + '\n'


# ---------------------------------------------------------------------------
# msm: freedreno gallium (src/freedreno/drm/virtio/) and Turnip
# (src/freedreno/vulkan/tu_knl_drm_virtio.cc). Requests are built with
# MSM_CCMD(), a compound literal that zeroes seqno and rsp_off; vdrm_send_req()
# / vdrm_bo_create() / vdrm_execbuf() then store seqno, vdrm_alloc_rsp() rsp_off.
# ---------------------------------------------------------------------------

MSM_NOP, MSM_IOCTL_SIMPLE, MSM_GEM_NEW, MSM_GEM_SET_IOVA, MSM_GEM_CPU_PREP = 1, 2, 3, 4, 5
MSM_GEM_SET_NAME, MSM_GEM_SUBMIT, MSM_GEM_UPLOAD, MSM_SUBMITQUEUE_QUERY = 6, 7, 8, 9
MSM_WAIT_FENCE, MSM_SET_DEBUGINFO = 10, 11

MSM_PIPE_3D0 = 0x10
MSM_PARAM_TIMESTAMP, MSM_PARAM_FAULTS, MSM_PARAM_SUSPENDS = 0x05, 0x09, 0x0a
MSM_PARAM_HIGHEST_BANK_BIT, MSM_PARAM_UBWC_SWIZZLE, MSM_PARAM_MACROTILE_MODE = 0x10, 0x12, 0x13
MSM_BO_SCANOUT, MSM_BO_GPU_READONLY = 0x1, 0x2
MSM_BO_CACHED, MSM_BO_WC, MSM_BO_CACHED_COHERENT = 0x10000, 0x20000, 0x80000
MSM_PREP_READ, MSM_PREP_WRITE = 1, 2
MSM_SUBMIT_CMD_BUF = 1
MSM_SUBMIT_BO_READ, MSM_SUBMIT_BO_WRITE, MSM_SUBMIT_BO_DUMP = 1, 2, 4
MSM_SUBMIT_NO_IMPLICIT, MSM_SUBMIT_SYNCOBJ_IN, MSM_SUBMIT_SYNCOBJ_OUT = 0x80000000, 0x08000000, 0x04000000
MSM_SUBMITQUEUE_ALLOW_PREEMPT = 1

DRM_IOCTL_MSM_GET_PARAM = iowr(0x00, 24)          # struct drm_msm_param
DRM_IOCTL_MSM_SUBMITQUEUE_NEW = iowr(0x0a, 12)    # struct drm_msm_submitqueue
DRM_IOCTL_MSM_SUBMITQUEUE_CLOSE = iow(0x0b, 4)    # __u32

SET_IOVA_PAD = ('implicit tail padding: Mesa\'s msm_proto.h declares no __pad, so the '
                'LP64 struct is 32 bytes with 4 bytes the designated initializer need not '
                'clear (GCC usually zeroes them, clang need not)')
RELOCS_GARBAGE = ('cmds[].relocs: flush_submit_list() builds cmds[] in a stack VLA and writes '
                  'type, submit_idx, submit_offset, size, pad and nr_relocs (= 0) only')


def msm_ioctl_simple(seqno, rsp_off, cmd, payload):
    m = Msg(MSM_IOCTL_SIMPLE, seqno, rsp_off).put('I', cmd).raw(payload)
    assert len(payload) == cmd >> 16 & 0x3fff
    return m


def msm_submit_cmd(m, submit_idx, submit_offset, size, relocs_garbage):
    """One struct drm_msm_gem_submit_cmd (32 bytes)."""
    m.put('IIIIII', MSM_SUBMIT_CMD_BUF, submit_idx, submit_offset, size, 0, 0)
    if relocs_garbage:
        m.junk(8, RELOCS_GARBAGE)
    else:
        m.put('Q', 0)


def make_msm():
    c = Corpus('msm')
    gallium = 'src/freedreno/drm/virtio/'
    turnip = 'src/freedreno/vulkan/tu_knl_drm_virtio.cc:'

    # GEM_NEW: designated initializer, then flags, blob_id and iova.
    for name, fn, flags, size, blob, iova, why in (
            ('gallium GEM_NEW, write-combined buffer', 'virtio_bo.c:virtio_bo_new()',
             MSM_BO_WC, 0x8000, 5, 0x100120000, 'an ordinary buffer'),
            ('gallium GEM_NEW, scanout buffer', 'virtio_bo.c:virtio_bo_new()',
             MSM_BO_SCANOUT | MSM_BO_WC, 0x7f8000, 6, 0x100200000, 'FD_BO_SCANOUT'),
            ('gallium GEM_NEW, cached-coherent read-only buffer', 'virtio_bo.c:virtio_bo_new()',
             MSM_BO_GPU_READONLY | MSM_BO_CACHED_COHERENT, 0x1000, 7, 0x100a00000,
             'FD_BO_GPUREADONLY | FD_BO_CACHED_COHERENT'),
    ):
        m = Msg(MSM_GEM_NEW, 40 + blob).put('QQII', iova, size, flags, blob)
        c.ok(name, 'GEM_NEW', gallium + fn + ' (' + MSM_MESA + ')', m,
             'GEM_NEW as the cmd of RESOURCE_CREATE_BLOB (vdrm_bo_create sets seqno, rsp_off '
             'stays 0): ' + why, size=40,
             fields={'iova': iova, 'size': size, 'flags': flags, 'blob_id': blob})
    for name, flags, size, blob, iova, why in (
            ('Turnip GEM_NEW, device-local write-combined memory', MSM_BO_WC, 0x40000, 12,
             0x101000000, 'memory without HOST_CACHED'),
            ('Turnip GEM_NEW, cached non-coherent read-only memory',
             MSM_BO_CACHED | MSM_BO_GPU_READONLY, 0x10000, 13, 0x101040000,
             'HOST_CACHED without HOST_COHERENT, TU_BO_ALLOC_GPU_READ_ONLY'),
    ):
        m = Msg(MSM_GEM_NEW, 90 + blob).put('QQII', iova, size, flags, blob)
        c.ok(name, 'GEM_NEW', turnip + 'virtio_bo_init() (' + MSM_MESA + ')', m,
             'GEM_NEW as the cmd of RESOURCE_CREATE_BLOB: ' + why, size=40,
             fields={'iova': iova, 'size': size, 'flags': flags, 'blob_id': blob})

    # GEM_SET_IOVA: designated initializer of a struct that has implicit tail padding on LP64.
    for name, mesa, iova, res_id, why in (
            ('gallium GEM_SET_IOVA of an imported buffer', gallium +
             'virtio_bo.c:set_iova() from virtio_bo_from_handle()', 0x100400000, 31,
             'an imported buffer gets its iova'),
            ('gallium GEM_SET_IOVA releasing an iova', gallium +
             'virtio_bo.c:set_iova() from virtio_bo_finalize()', 0, 31,
             'iova 0 releases it before the buffer is freed'),
            ('Turnip GEM_SET_IOVA of a new buffer', turnip + 'set_iova() from tu_bo_init()',
             0x101000000, 44, 'every buffer Turnip initialises'),
            ('Turnip GEM_SET_IOVA releasing a zombie VMA', turnip +
             'set_iova() from tu_free_zombie_vma_locked()', 0, 44, 'iova 0 releases it'),
    ):
        m = Msg(MSM_GEM_SET_IOVA, 60 + res_id).put('QI', iova, res_id).junk(4, SET_IOVA_PAD)
        c.ok(name, 'GEM_SET_IOVA', mesa + ' (' + MSM_MESA + ')', m,
             'LP64 guest: hdr.len = sizeof(req) = 32, its last 4 bytes padding: ' + why,
             size=32, fields={'iova': iova, 'res_id': res_id})
    m = Msg(MSM_GEM_SET_IOVA, 80).put('QI', 0x100400000, 32)
    c.ok('gallium GEM_SET_IOVA from an i386 guest', 'GEM_SET_IOVA', gallium +
         'virtio_bo.c:set_iova() (' + MSM_MESA + ', built for i386)', m,
         'i386 aligns uint64_t to 4: sizeof(req) = 28, no __pad at all', size=28,
         fields={'iova': 0x100400000, 'res_id': 32})

    # GEM_CPU_PREP: designated initializer.
    m = Msg(MSM_GEM_CPU_PREP, 90, rsp_off=0x48).put('II', 31, MSM_PREP_READ | MSM_PREP_WRITE)
    c.ok('gallium GEM_CPU_PREP of a shared buffer', 'GEM_CPU_PREP', gallium +
         'virtio_bo.c:virtio_bo_cpu_prep() (' + MSM_MESA + ')', m,
         'polled with a response slot from vdrm_alloc_rsp()', size=24,
         fields={'res_id': 31, 'op': 3})

    # GEM_SET_NAME: VLA of 24 + align(sz, 4) bytes; only sz bytes of the name are copied.
    name_pad = 'GEM_SET_NAME: the request is a stack VLA of 24 + align(len, 4) bytes; only len bytes of the name are copied'
    for name, mesa, res_id, text, why in (
            ('gallium GEM_SET_NAME, 4-byte name', gallium + 'virtio_bo.c:virtio_bo_set_name()',
             31, b'ring', 'a name whose length is a multiple of 4: no padding'),
            ('gallium GEM_SET_NAME, 7-byte name', gallium + 'virtio_bo.c:virtio_bo_set_name()',
             33, b'vbuf:17', 'one byte of padding left uninitialised'),
            ('gallium GEM_SET_NAME, truncated 32-byte name', gallium +
             'virtio_bo.c:virtio_bo_set_name()', 34,
             b'resource:0x1234 fmt=R8G8B8A8_UN\0',
             'vsnprintf() into char[32] truncates; sz = MIN2(sz, 32) so the terminating NUL '
             'is copied as the 32nd byte'),
            ('Turnip GEM_SET_NAME, 10-byte name', turnip + 'tu_bo_set_kernel_name()', 44,
             b'cmd_buffer', 'debug builds name every buffer: strlen() bytes, 2 bytes of padding'),
            ('Turnip GEM_SET_NAME, 41-byte name', turnip + 'tu_bo_set_kernel_name()', 45,
             b'VkDeviceMemory(user, size=0x40000, idx=2)', 'Turnip does not limit the length'),
    ):
        assert len(text) <= 32 or mesa.startswith(turnip), name
        m = Msg(MSM_GEM_SET_NAME, 100 + res_id).put('II', res_id, len(text)).raw(text)
        m.pad_to(4, name_pad)
        c.ok(name, 'GEM_SET_NAME', mesa + ' (' + MSM_MESA + ')', m, why,
             fields={'res_id': res_id, 'len': len(text)})

    # GEM_UPLOAD: VLA of 32 + align(len, 4); pad is written (= 0).
    up_pad = 'GEM_UPLOAD: the request is a stack VLA of 32 + align(len, 4) bytes; only len bytes of data are copied'
    for name, off, data, why in (
            ('gallium GEM_UPLOAD, 13 bytes', 0x40, bytes(range(1, 14)),
             'a small upload to a fresh buffer: 3 bytes of padding left uninitialised'),
            ('gallium GEM_UPLOAD, full 4096-byte chunk', 0x1000, bytes((i * 7 + 3) & 0xff for i in range(0x1000)),
             'virtio_bo_upload() splits uploads into chunks of 0x1000 bytes: no padding'),
    ):
        m = Msg(MSM_GEM_UPLOAD, 120).put('IIII', 35, 0, off, len(data)).raw(data)
        m.pad_to(4, up_pad)
        c.ok(name, 'GEM_UPLOAD', gallium + 'virtio_bo.c:bo_upload() (' + MSM_MESA + ')', m, why,
             fields={'res_id': 35, 'pad': 0, 'off': off, 'len': len(data)})

    # IOCTL_SIMPLE: VLA, header, cmd and the caller's argument (designated initializers).
    for name, mesa, seqno, rsp_off, cmd, payload, why in (
            ('gallium IOCTL_SIMPLE GET_PARAM(TIMESTAMP)', gallium + 'virtio_pipe.c:query_param()',
             130, 0x60, DRM_IOCTL_MSM_GET_PARAM, p('IIQII', MSM_PIPE_3D0, MSM_PARAM_TIMESTAMP, 0, 0, 0),
             'struct drm_msm_param = { .pipe, .param }'),
            ('gallium IOCTL_SIMPLE GET_PARAM(FAULTS)', gallium + 'virtio_pipe.c:query_faults()',
             131, 0x80, DRM_IOCTL_MSM_GET_PARAM, p('IIQII', MSM_PIPE_3D0, MSM_PARAM_FAULTS, 0, 0, 0),
             'asked when the host\'s shmem has no global_faults'),
            ('Turnip IOCTL_SIMPLE GET_PARAM(HIGHEST_BANK_BIT)', turnip + 'tu_drm_get_param()',
             132, 0xa0, DRM_IOCTL_MSM_GET_PARAM,
             p('IIQII', MSM_PIPE_3D0, MSM_PARAM_HIGHEST_BANK_BIT, 0, 0, 0), 'device probing'),
            ('Turnip IOCTL_SIMPLE GET_PARAM(SUSPENDS)', turnip + 'tu_drm_get_param()',
             133, 0xc0, DRM_IOCTL_MSM_GET_PARAM,
             p('IIQII', MSM_PIPE_3D0, MSM_PARAM_SUSPENDS, 0, 0, 0), 'suspend count'),
            ('gallium IOCTL_SIMPLE SUBMITQUEUE_NEW allowing preemption', gallium +
             'virtio_pipe.c:__open_submitqueue()', 134, 0xe0, DRM_IOCTL_MSM_SUBMITQUEUE_NEW,
             p('III', MSM_SUBMITQUEUE_ALLOW_PREEMPT, 1, 0), 'a7xx tries ALLOW_PREEMPT first'),
            ('gallium IOCTL_SIMPLE SUBMITQUEUE_NEW', gallium + 'virtio_pipe.c:__open_submitqueue()',
             135, 0x100, DRM_IOCTL_MSM_SUBMITQUEUE_NEW, p('III', 0, 1, 0), 'the retry without flags'),
            ('Turnip IOCTL_SIMPLE SUBMITQUEUE_NEW probing preemption', turnip +
             'virtio_has_preemption()', 136, 0x120, DRM_IOCTL_MSM_SUBMITQUEUE_NEW,
             p('III', MSM_SUBMITQUEUE_ALLOW_PREEMPT, 2, 0), 'prio = priorities / 2'),
            ('Turnip IOCTL_SIMPLE SUBMITQUEUE_NEW', turnip + 'virtio_submitqueue_new()',
             137, 0x140, DRM_IOCTL_MSM_SUBMITQUEUE_NEW, p('III', 0, 0, 0), 'one queue per VkQueue'),
            ('gallium IOCTL_SIMPLE SUBMITQUEUE_CLOSE', gallium + 'virtio_pipe.c:close_submitqueue()',
             138, 0x160, DRM_IOCTL_MSM_SUBMITQUEUE_CLOSE, p('I', 3),
             'the argument is the __u32 queue id'),
            ('Turnip IOCTL_SIMPLE SUBMITQUEUE_CLOSE', turnip + 'virtio_submitqueue_close()',
             139, 0x170, DRM_IOCTL_MSM_SUBMITQUEUE_CLOSE, p('I', 4), 'the argument is the queue id'),
    ):
        m = msm_ioctl_simple(seqno, rsp_off, cmd, payload)
        c.ok(name, 'IOCTL_SIMPLE', mesa + ' (' + MSM_MESA + ')', m,
             'always waited for (vdrm_send_req sync): ' + why, size=20 + len(payload),
             fields={'cmd': cmd})

    # WAIT_FENCE: designated initializer.
    for name, mesa, queue, fence, why in (
            ('gallium WAIT_FENCE', gallium + 'virtio_pipe.c:virtio_pipe_wait()', 3, 812,
             'the wait-boost request and the polling loop build the same bytes'),
            ('Turnip WAIT_FENCE', turnip + 'tu_wait_fence()', 4, 77, 'polled until signaled'),
    ):
        m = Msg(MSM_WAIT_FENCE, 150, rsp_off=0x180).put('II', queue, fence)
        c.ok(name, 'WAIT_FENCE', mesa + ' (' + MSM_MESA + ')', m, why, size=24,
             fields={'queue_id': queue, 'fence': fence})

    # SET_DEBUGINFO: malloc(align(24 + comm_len + cmdline_len, 4)); the tail is never written.
    dbg_pad = ('SET_DEBUGINFO: malloc(align(24 + comm_len + cmdline_len, 4)) and only the two '
               'strings are copied')
    for name, mesa, comm, cmdline, why in (
            ('gallium SET_DEBUGINFO', gallium + 'virtio_device.c:set_debuginfo()',
             b'glmark2\0', b'glmark2 --fullscreen \0',
             'comm and cmdline (NULs turned into spaces) each with their NUL: 2 bytes of padding'),
            ('Turnip SET_DEBUGINFO', turnip + 'set_debuginfo()', b'vkcube\0',
             b'vkcube --c 100 \0', 'at device creation, before the shmem exists: 1 byte of padding'),
    ):
        m = Msg(MSM_SET_DEBUGINFO, 1).put('II', len(comm), len(cmdline)).raw(comm + cmdline)
        m.pad_to(4, dbg_pad)
        c.ok(name, 'SET_DEBUGINFO', mesa + ' (' + MSM_MESA + ')', m, why,
             fields={'comm_len': len(comm), 'cmdline_len': len(cmdline)})

    # GEM_SUBMIT, gallium: bos fully written (presumed 0), cmds[] with garbage relocs.
    m = Msg(MSM_GEM_SUBMIT, 160).put('IIIII', MSM_PIPE_3D0 | MSM_SUBMIT_NO_IMPLICIT, 3, 2, 1, 812)
    m.put('IIQ', MSM_SUBMIT_BO_READ, 40, 0).put('IIQ', MSM_SUBMIT_BO_READ | MSM_SUBMIT_BO_WRITE, 41, 0)
    msm_submit_cmd(m, 0, 0x200, 0x1a0, True)
    c.ok('gallium GEM_SUBMIT, one cmd, two bos', 'GEM_SUBMIT', gallium +
         'virtio_ringbuffer.c:flush_submit_list() (' + MSM_MESA + ')', m,
         'explicit-sync pipe; the message is malloc()ed and the cmds copied from the stack VLA',
         size=36 + 2 * 16 + 32,
         fields={'flags': MSM_PIPE_3D0 | MSM_SUBMIT_NO_IMPLICIT, 'queue_id': 3, 'nr_bos': 2,
                 'nr_cmds': 1, 'fence': 812})
    m = Msg(MSM_GEM_SUBMIT, 161).put('IIIII', MSM_PIPE_3D0, 3, 3, 2, 813)
    for flags, handle in ((MSM_SUBMIT_BO_READ, 40), (MSM_SUBMIT_BO_READ | MSM_SUBMIT_BO_DUMP, 42),
                          (MSM_SUBMIT_BO_READ | MSM_SUBMIT_BO_WRITE, 41)):
        m.put('IIQ', flags, handle, 0)
    msm_submit_cmd(m, 0, 0x200, 0x1a0, True)
    msm_submit_cmd(m, 1, 0x0, 0x60, True)
    c.ok('gallium GEM_SUBMIT, two merged cmds, three bos', 'GEM_SUBMIT', gallium +
         'virtio_ringbuffer.c:flush_submit_list() (' + MSM_MESA + ')', m,
         'deferred submits merged into one: every cmd has uninitialised relocs; implicit sync',
         size=36 + 3 * 16 + 2 * 32,
         fields={'flags': MSM_PIPE_3D0, 'nr_bos': 3, 'nr_cmds': 2, 'fence': 813})
    m = Msg(MSM_GEM_SUBMIT, 162).put('IIIII', MSM_PIPE_3D0, 3, 0, 0, 814)
    c.ok('gallium GEM_SUBMIT without bos or cmds', 'GEM_SUBMIT', gallium +
         'virtio_ringbuffer.c:flush_submit_list() (' + MSM_MESA + ')', m,
         'a flush whose submits hold no cmds: nr_bos = nr_cmds = 0, so no garbage at all',
         size=36, fields={'nr_bos': 0, 'nr_cmds': 0, 'fence': 814})

    # GEM_SUBMIT, Turnip: bo_list entries are compound literals, cmds vk_zalloc()ed and relocs = 0.
    tflags = MSM_PIPE_3D0 | MSM_SUBMIT_SYNCOBJ_IN | MSM_SUBMIT_SYNCOBJ_OUT | MSM_SUBMIT_NO_IMPLICIT
    m = Msg(MSM_GEM_SUBMIT, 170).put('IIIII', tflags, 4, 3, 2, 78)
    for flags, handle, iova in ((3, 50, 0x101000000), (3 | MSM_SUBMIT_BO_DUMP, 51, 0x101040000),
                                (3, 52, 0x101080000)):
        m.put('IIQ', flags, handle, iova)
    msm_submit_cmd(m, 1, 0x0, 0x400, False)
    msm_submit_cmd(m, 2, 0x14 * 3, 5 * 4, False)
    c.ok('Turnip GEM_SUBMIT, command buffer and userspace fence cmd', 'GEM_SUBMIT', turnip +
         'virtio_queue_submit() with tu_queue_build_msm_gem_submit_cmds() (' + MSM_MESA + ')', m,
         'presumed is the iova; the last cmd writes the userspace fence; nothing uninitialised',
         size=36 + 3 * 16 + 2 * 32,
         fields={'flags': tflags, 'queue_id': 4, 'nr_bos': 3, 'nr_cmds': 2, 'fence': 78})
    m = Msg(MSM_GEM_SUBMIT, 171).put('IIIII', MSM_PIPE_3D0, 4, 1, 1, 79)
    m.put('IIQ', 3, 51, 0x101040000)
    msm_submit_cmd(m, 0, 0x14 * 4, 5 * 4, False)
    c.ok('Turnip GEM_SUBMIT with only the fence cmd', 'GEM_SUBMIT', turnip +
         'virtio_queue_submit() (' + MSM_MESA + ')', m,
         'an empty vkQueueSubmit still carries the userspace fence cmd', size=36 + 16 + 32,
         fields={'nr_bos': 1, 'nr_cmds': 1, 'fence': 79})

    # Rejects.
    c.bad('GEM_NEW with blob_id 0', 'GEM_NEW',
          Msg(MSM_GEM_NEW, 5).put('QQII', 0x100120000, 0x1000, MSM_BO_WC, 0).bytes(),
          'VDRM_E_LIMIT', 'blob_id', 36,
          'blob_id 0 names the shared-memory buffer; every guest counts blob ids up from 1',
          note='status VDRM_E_LIMIT and field "blob_id" chosen to match the "blob_id below 1" '
          'checks of amdgpu GEM_NEW, i915 GEM_CREATE and panfrost CREATE_BO')
    m = Msg(MSM_GEM_SUBMIT, 6).put('IIIII', MSM_PIPE_3D0, 3, 1, 1, 9)
    m.put('IIQ', 1, 40, 0).put('IIIIII', MSM_SUBMIT_CMD_BUF, 0, 0, 0x40, 0, 1).put('Q', 0x7ffd00001000)
    c.bad('GEM_SUBMIT whose cmd carries relocations', 'GEM_SUBMIT', m.bytes(),
          'VDRM_E_NONZERO', 'cmds[].nr_relocs', 36 + 16 + 20,
          'nr_relocs 1 makes the host kernel read relocs, a guest address, in the host '
          'process; ignoring garbage relocs must not extend to nr_relocs')
    return c


# ---------------------------------------------------------------------------
# amdgpu: src/amd/common/virtio/ (amdgpu_virtio.c, _bo.c, _device.c).
# ---------------------------------------------------------------------------

AMD_QUERY_INFO, AMD_GEM_NEW, AMD_BO_VA_OP, AMD_CS_SUBMIT, AMD_SET_METADATA = 1, 2, 3, 4, 5
AMD_BO_QUERY_INFO, AMD_CREATE_CTX, AMD_RESERVE_VMID, AMD_SET_PSTATE = 6, 7, 8, 9
AMD_CS_QUERY_FENCE_STATUS = 10

AMDGPU_INFO_HW_IP_INFO, AMDGPU_INFO_HW_IP_COUNT, AMDGPU_INFO_FW_VERSION = 0x02, 0x03, 0x0e
AMDGPU_INFO_DEV_INFO, AMDGPU_INFO_MEMORY, AMDGPU_INFO_VIDEO_CAPS = 0x16, 0x19, 0x21
AMDGPU_INFO_FW_GFX_ME, AMDGPU_INFO_VIDEO_CAPS_DECODE = 0x04, 0
AMDGPU_HW_IP_GFX, AMDGPU_HW_IP_COMPUTE = 0, 1
AMDGPU_IB_FLAG_PREAMBLE = 2
AMDGPU_CHUNK_ID_IB, AMDGPU_CHUNK_ID_FENCE, AMDGPU_CHUNK_ID_DEPENDENCIES = 1, 2, 3
AMDGPU_CHUNK_ID_BO_HANDLES = 6
AMDGPU_GEM_DOMAIN_GTT, AMDGPU_GEM_DOMAIN_VRAM = 2, 4
AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED, AMDGPU_GEM_CREATE_CPU_GTT_USWC = 1, 4
AMDGPU_GEM_CREATE_VRAM_CLEARED = 8
AMDGPU_VA_OP_MAP, AMDGPU_VA_OP_UNMAP = 1, 2
AMDGPU_VM_PAGE_READABLE, AMDGPU_VM_PAGE_WRITEABLE, AMDGPU_VM_PAGE_EXECUTABLE = 2, 4, 8
AMDGPU_VM_PAGE_PRT = 0x10
AMDGPU_CTX_OP_GET_STABLE_PSTATE, AMDGPU_CTX_OP_SET_STABLE_PSTATE = 5, 6
AMDGPU_CTX_STABLE_PSTATE_PEAK = 4

UNION_GARBAGE = ('drm_amdgpu_info union: the caller\'s struct drm_amdgpu_info is a plain stack '
                 'struct and only return_pointer, return_size, query and the union member the '
                 'query uses are written')


def amd_query(seqno, rsp_off, ret_ptr, ret_size, query, member, garbage_from):
    """QUERY_INFO: 48 bytes; member = bytes written into the 16-byte union, the rest garbage."""
    m = Msg(AMD_QUERY_INFO, seqno, rsp_off).put('QII', ret_ptr, ret_size, query).raw(member)
    m.junk(16 - len(member), UNION_GARBAGE + ' (' + garbage_from + ')')
    return m


def make_amdgpu():
    c = Corpus('amdgpu')
    virtio = 'src/amd/common/virtio/'
    src = ' (' + AMD_MESA + ')'

    for name, fn, ret_size, query, member, what, why in (
            ('QUERY_INFO DEV_INFO at device creation', 'amdgpu_virtio_device.c:amdvgpu_device_initialize()',
             440, AMDGPU_INFO_DEV_INFO, b'', 'all 16 bytes',
             'the one DEV_INFO query, cached afterwards; return_size is sizeof(struct '
             'drm_amdgpu_info_device), 440 with the kernel header Mesa ships'),
            ('QUERY_INFO HW_IP_INFO', 'amdgpu_virtio.c:amdvgpu_query_hw_ip_info()',
             32, AMDGPU_INFO_HW_IP_INFO, p('II', AMDGPU_HW_IP_GFX, 0), 'bytes 8..16',
             'asked for every IP type at device creation to number the rings'),
            ('QUERY_INFO HW_IP_COUNT', 'amdgpu_virtio.c:amdvgpu_query_hw_ip_count()',
             4, AMDGPU_INFO_HW_IP_COUNT, p('I', AMDGPU_HW_IP_COMPUTE), 'bytes 4..16 (ip_instance included)',
             'query_hw_ip.ip_instance is never written'),
            ('QUERY_INFO VIDEO_CAPS', 'amdgpu_virtio.c:amdvgpu_query_video_caps_info()',
             192, AMDGPU_INFO_VIDEO_CAPS, p('I', AMDGPU_INFO_VIDEO_CAPS_DECODE), 'bytes 4..16',
             'the type goes into sensor_info.type, which overlays video_cap.type'),
            ('QUERY_INFO MEMORY through the generic query', 'amdgpu_virtio.c:amdvgpu_query_info_simple()',
             96, AMDGPU_INFO_MEMORY, b'', 'all 16 bytes',
             'libdrm_amdgpu->query_info for any query but DEV_INFO'),
    ):
        m = amd_query(20, 0x100, 0x7ffd4a3c1e90, ret_size, query, member, what)
        c.ok(name, 'QUERY_INFO', virtio + fn + src, m, why, size=48,
             fields={'info.return_pointer': 0x7ffd4a3c1e90, 'info.return_size': ret_size,
                     'info.query': query})
    m = Msg(AMD_QUERY_INFO, 21, 0x110).put('QII', 0x7ffd4a3c1f00, 8, AMDGPU_INFO_FW_VERSION)
    m.put('IIII', AMDGPU_INFO_FW_GFX_ME, 0, 0, 0)
    c.ok('QUERY_INFO FW_VERSION', 'QUERY_INFO', virtio +
         'amdgpu_virtio.c:amdvgpu_query_firmware_version()' + src, m,
         'memset() first: the whole union is initialised, query_fw._pad included', size=48,
         fields={'info.return_size': 8, 'info.query': AMDGPU_INFO_FW_VERSION,
                 'info.query_fw.fw_type': AMDGPU_INFO_FW_GFX_ME})

    for name, blob, size, align, heap, flags, why in (
            ('GEM_NEW in VRAM', 3, 0x200000, 0x10000, AMDGPU_GEM_DOMAIN_VRAM,
             AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED | AMDGPU_GEM_CREATE_VRAM_CLEARED,
             'a mappable VRAM buffer'),
            ('GEM_NEW in GTT, shared', 4, 0x3000, 0x1000, AMDGPU_GEM_DOMAIN_GTT,
             AMDGPU_GEM_CREATE_CPU_GTT_USWC,
             'AMDGPU_GEM_CREATE_VIRTIO_SHARED is stripped from r.flags before sending'),
    ):
        m = Msg(AMD_GEM_NEW, 30 + blob).put('QQQIIQ', blob, size, align, heap, 0, flags)
        c.ok(name, 'GEM_NEW', virtio + 'amdgpu_virtio_bo.c:amdvgpu_bo_alloc()' + src, m,
             'designated initializer plus every r field (r.__pad = 0), sent as the cmd of '
             'RESOURCE_CREATE_BLOB with rsp_off 0: ' + why, size=56,
             fields={'blob_id': blob, 'r.alloc_size': size, 'r.preferred_heap': heap,
                     'r.__pad': 0, 'r.flags': flags})

    rw = AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_WRITEABLE | AMDGPU_VM_PAGE_EXECUTABLE
    for name, va, size, flags, flags2, off, res, op, why in (
            ('BO_VA_OP map', 0x800100000, 0x200000, rw, 0, 0, 17, AMDGPU_VA_OP_MAP, 'map a buffer'),
            ('BO_VA_OP unmap', 0x800100000, 0x200000, rw, 0, 0, 17, AMDGPU_VA_OP_UNMAP,
             'unmap it again'),
            ('BO_VA_OP sparse PRT map', 0x900000000, 0x10000, AMDGPU_VM_PAGE_PRT, 1, 0, 0,
             AMDGPU_VA_OP_MAP, 'bo NULL: res_id 0 and AMDGPU_CCMD_BO_VA_OP_SPARSE_BO'),
    ):
        m = Msg(AMD_BO_VA_OP, 40, 0x120).put('QQQQQII', va, size, flags, flags2, off, res, op)
        c.ok(name, 'BO_VA_OP', virtio + 'amdgpu_virtio_bo.c:amdvgpu_bo_va_op_raw()' + src, m,
             'designated initializer naming every field; not waited for: ' + why, size=64,
             fields={'va': va, 'flags2': flags2, 'res_id': res, 'op': op})

    # CS_SUBMIT: malloc(), every fixed field written, descriptors {id, length_dw, offset},
    # chunk data copied from the caller's chunks (radeonsi / radv fill them completely).
    def submit(seqno, rsp_off, ctx_id, ring_idx, chunks):
        descs, data = b'', b''
        for kind, body in chunks:
            descs += p('HHI', kind, len(body) // 4, len(data))
            data += body
        m = Msg(AMD_CS_SUBMIT, seqno, rsp_off).put('IIII', ctx_id, len(chunks), 0, ring_idx)
        return m.raw(descs + data)

    ib_gfx = p('IIQIIII', 0, 0, 0x800400000, 0x400, AMDGPU_HW_IP_GFX, 0, 0)
    ib_preamble = p('IIQIIII', 0, AMDGPU_IB_FLAG_PREAMBLE, 0x800380000, 0x40, AMDGPU_HW_IP_GFX, 0, 0)
    m = submit(50, 0x130, 1, 1, [
        (AMDGPU_CHUNK_ID_BO_HANDLES, p('II', 17, 0) + p('II', 18, 1) + p('II', 19, 0)),
        (AMDGPU_CHUNK_ID_FENCE, p('II', 19, 2 * 8)),
        (AMDGPU_CHUNK_ID_IB, ib_preamble),
        (AMDGPU_CHUNK_ID_IB, ib_gfx)])
    c.ok('CS_SUBMIT with bo list, user fence, preamble and main IB', 'CS_SUBMIT', virtio +
         'amdgpu_virtio.c:amdvgpu_cs_submit_raw2() from radeonsi amdgpu_cs_submit_ib()' + src, m,
         'radeonsi\'s chunks in its order; its SYNCOBJ_IN/OUT chunks become execbuffer syncobjs '
         'and CP_GFX_SHADOW is dropped by the guest; ring_idx 1 is GFX ring 0 (the last '
         'IB\'s); the fence offset is fence_info->offset * 8',
         size=32 + 4 * 8 + 24 + 8 + 32 + 32,
         fields={'ctx_id': 1, 'num_chunks': 4, 'pad': 0, 'ring_idx': 1})
    m = submit(51, 0x138, 1, 3, [
        (AMDGPU_CHUNK_ID_IB, p('IIQIIII', 0, 0, 0x800500000, 0x100, AMDGPU_HW_IP_COMPUTE, 0, 1)),
        (AMDGPU_CHUNK_ID_FENCE, p('II', 21, (1 * 4) * 8)),
        (AMDGPU_CHUNK_ID_BO_HANDLES, p('II', 17, 0) + p('II', 20, 0))])
    c.ok('CS_SUBMIT of one compute IB', 'CS_SUBMIT', virtio +
         'amdgpu_virtio.c:amdvgpu_cs_submit_raw2() from radv radv_amdgpu_cs_submit()' + src, m,
         'radv\'s order: IBs, user fence, bo list last; compute ring 1 is timeline 3 (GFX has '
         'one ring, so the COMPUTE rings are timelines 2 and up)', size=32 + 3 * 8 + 32 + 8 + 16,
         fields={'num_chunks': 3, 'ring_idx': 3})

    md = [1, 0x1002 << 16 | 0x73bf] + [0x11110000 + i for i in range(8)]
    m = Msg(AMD_SET_METADATA, 60, 0x140).put('QQII', 0, 0x0000000000400001, 17, 40)
    m.raw(p('10I', *md))
    c.ok('SET_METADATA, GFX9+ image (40 bytes)', 'SET_METADATA', virtio +
         'amdgpu_virtio.c:amdvgpu_bo_set_metadata()' + src, m,
         'a VLA of exactly 40 + size_metadata bytes; ac_surface_compute_umd_metadata() gives '
         '10 dwords on GFX9+', size=80, fields={'res_id': 17, 'size_metadata': 40})
    m = Msg(AMD_SET_METADATA, 61, 0x148).put('QQII', 0, 0x14, 18, 44)
    m.raw(p('11I', 1, 0x1002 << 16 | 0x67df, *([0x22220000 + i for i in range(8)] + [0x40])))
    c.ok('SET_METADATA, GFX8 image with one mip level (44 bytes)', 'SET_METADATA', virtio +
         'amdgpu_virtio.c:amdvgpu_bo_set_metadata()' + src, m,
         'GFX6-8 add one dword per mip level: 10 + 1 dwords, so hdr.len = 84 and the guest '
         'does not pad the request to a multiple of 8', size=84,
         fields={'res_id': 18, 'size_metadata': 44},
         note='Mesa sends hdr.len = 40 + size_metadata unpadded; the transport\'s length rule '
         'accepts any multiple of 4 for that reason (the deployed host requires 8 and drops it)')

    m = Msg(AMD_BO_QUERY_INFO, 62, 0x150).put('II', 17, 0)
    c.ok('BO_QUERY_INFO', 'BO_QUERY_INFO', virtio + 'amdgpu_virtio.c:amdvgpu_bo_query_info()' + src,
         m, 'a VLA; res_id and pad (= 0) written', size=24, fields={'res_id': 17, 'pad': 0})

    m = Msg(AMD_CREATE_CTX, 63, 0x290).put('iI', 0, 0)
    c.ok('CREATE_CTX create', 'CREATE_CTX', virtio + 'amdgpu_virtio.c:amdvgpu_cs_ctx_create2()' + src,
         m, 'designated initializer: priority NORMAL, flags 0', size=24,
         fields={'priority': 0, 'flags': 0})
    m = Msg(AMD_CREATE_CTX, 64, 0x2a0).put('II', 1, 1)
    c.ok('CREATE_CTX destroy', 'CREATE_CTX', virtio + 'amdgpu_virtio.c:amdvgpu_cs_ctx_free()' + src,
         m, 'designated initializer: id and AMDGPU_CCMD_CREATE_CTX_DESTROY; not waited for',
         size=24, fields={'id': 1, 'flags': 1})

    for name, flags, seqno in (('RESERVE_VMID reserve', 0, 65), ('RESERVE_VMID unreserve', 1, 66)):
        m = Msg(AMD_RESERVE_VMID, seqno, 0).put('Q', flags)
        c.ok(name, 'RESERVE_VMID', virtio + 'amdgpu_virtio.c:amdvgpu_vm_reserve_vmid_helper()' + src,
             m, 'vdrm_alloc_rsp() runs before the header is assigned, so rsp_off ends up 0',
             size=24, fields={'hdr.rsp_off': 0, 'flags': flags})

    for name, op, flags, seqno in (('SET_PSTATE get', AMDGPU_CTX_OP_GET_STABLE_PSTATE, 0, 67),
                                   ('SET_PSTATE set PEAK', AMDGPU_CTX_OP_SET_STABLE_PSTATE,
                                    AMDGPU_CTX_STABLE_PSTATE_PEAK, 68)):
        m = Msg(AMD_SET_PSTATE, seqno, 0x2b0).put('IIII', 1, op, flags, 0)
        c.ok(name, 'SET_PSTATE', virtio + 'amdgpu_virtio.c:amdvgpu_cs_ctx_stable_pstate()' + src, m,
             'a VLA; ctx_id, op, flags and pad (= 0) written', size=32,
             fields={'ctx_id': 1, 'op': op, 'flags': flags, 'pad': 0})

    m = Msg(AMD_CS_QUERY_FENCE_STATUS, 69, 0x2c0).put('IIIIQQQ', 1, AMDGPU_HW_IP_GFX, 0, 0, 12,
                                                      1000000, 0)
    c.ok('CS_QUERY_FENCE_STATUS', 'CS_QUERY_FENCE_STATUS', virtio +
         'amdgpu_virtio.c:amdvgpu_cs_query_fence_status()' + src, m,
         'a VLA; all seven fields written', size=56,
         fields={'ctx_id': 1, 'fence': 12, 'timeout_ns': 1000000})

    # Rejects.
    m = Msg(AMD_CS_SUBMIT, 9, 0x10).put('IIII', 1, 2, 0, 1)
    m.put('HHI', AMDGPU_CHUNK_ID_FENCE, 2, 0).put('HHI', AMDGPU_CHUNK_ID_IB, 8, 16)
    m.put('II', 19, 4).put('II', 0, 0).raw(ib_gfx)
    c.bad('CS_SUBMIT with a user fence at offset 4 of its buffer', 'CS_SUBMIT', m.bytes(), 'VDRM_E_ALIGN',
          'chunks[FENCE].offset', 32 + 16 + 4,
          'the user fence is a 64-bit value: drm_amdgpu_cs_chunk_fence.offset must be a multiple '
          'of 8, which the deployed host also requires (it fails the submit)',
          note='offset 52: the chunk data starts after the two descriptors, at 48; offset is its second u32')
    return c


# ---------------------------------------------------------------------------
# asahi: src/asahi/lib/agx_device_virtio.c; callers in src/asahi/lib/agx_device.c.
# ---------------------------------------------------------------------------

ASAHI_IOCTL_SIMPLE, ASAHI_GET_PARAMS, ASAHI_GEM_NEW, ASAHI_VM_BIND = 2, 3, 4, 5
ASAHI_SUBMIT, ASAHI_GEM_BIND_OBJECT = 6, 7
DRM_IOCTL_ASAHI_GET_TIME = iowr(0x01, 16)
DRM_IOCTL_ASAHI_VM_CREATE = iowr(0x02, 24)
DRM_IOCTL_ASAHI_QUEUE_CREATE = iowr(0x08, 24)
DRM_IOCTL_ASAHI_QUEUE_DESTROY = iow(0x09, 8)
DRM_ASAHI_GEM_WRITEBACK = 1
DRM_ASAHI_BIND_UNBIND, DRM_ASAHI_BIND_READ, DRM_ASAHI_BIND_WRITE = 1, 2, 4
DRM_ASAHI_BIND_OBJECT_OP_BIND, DRM_ASAHI_BIND_OBJECT_OP_UNBIND = 0, 1
DRM_ASAHI_BIND_OBJECT_USAGE_TIMESTAMPS = 1
ASAHI_EXTRES_READ, ASAHI_EXTRES_WRITE = 1, 2
DRM_ASAHI_CMD_RENDER, DRM_ASAHI_CMD_COMPUTE, DRM_ASAHI_SET_FRAGMENT_ATTACHMENTS = 0, 1, 3
DRM_ASAHI_BARRIER_NONE = 0xffff
DRM_ASAHI_RENDER_PROCESS_EMPTY_TILES, DRM_ASAHI_RENDER_DBIAS_IS_INT = 0x2, 0x40000
ASAHI_SUBMIT_CALLERS = {
    'gallium': 'src/gallium/drivers/asahi/agx_batch.c:agx_batch_submit() (bminor/mesa-mesa 2eb45daa), '
               'bodies from agx_pipe.c:agx_flush_compute() and agx_cmdbuf() (349e802e), headers from '
               'src/asahi/lib/agx_device.h:agx_cmd_header() (db2891ec)',
    'vulkan': 'src/asahi/vulkan/hk_queue.c:queue_submit() (bminor/mesa-mesa 130c1b0b), bodies from '
              'asahi_fill_cdm_command() and asahi_fill_vdm_command(), headers from agx_cmd_header()',
}


def asahi_command(cmd_type, body, vdm_barrier, cdm_barrier):
    """A command of the SUBMIT command buffer: struct drm_asahi_cmd_header
    (cmd_type u16, size u16, vdm_barrier u16, cdm_barrier u16), then its body."""
    return p('HHHH', cmd_type, len(body), vdm_barrier, cdm_barrier) + body


def asahi_compute(base, length, sampler_heap=0, sampler_count=0, ts_handle=0, ts_offset=0):
    """struct drm_asahi_cmd_compute (64 bytes), as a compound literal: flags 0,
    sampler_count @4, cdm_ctrl_stream_base @8, _end @16, sampler_heap @24,
    helper {binary, cfg, data} @32 (no scratch: 0), ts {start, end} @48."""
    return (p('IIQQQ', 0, sampler_count, base, base + length, sampler_heap) + p('IIQ', 0, 0, 0) +
            p('IIII', ts_handle, ts_offset, ts_handle, ts_offset))


def asahi_render(vdm, width, height, flags=0, depth=0, zls_ctrl=0, bgobjdepth=0,
                 bgobjvals=0x300, scissor=0, dbias=0, oclqry=0, ts_handle=0):
    """struct drm_asahi_cmd_render (240 bytes), cleared and then filled as Mesa
    does (offsets of generated/doc/asahi.md): flags, isp_zls_pixels @4,
    vdm_ctrl_stream_base @8, two helper programs @16 (no scratch: 0),
    isp_scissor_base @48, isp_dbias_base @56, isp_oclqry_base @64, depth @72
    and stencil @96 (base, comp_base, stride, comp_stride), zls_ctrl @120,
    ppp_multisamplectl @128, sampler_heap @136, ppp_ctrl @144, width_px,
    height_px, layers, sampler_count, utile 32 x 32, samples 1, sample_size_B
    @159, isp_merge_upper_x/y @160 (fui(tan 60 / width), as Mesa computes),
    bg, eot, partial_bg, partial_eot @168, isp_bgobjdepth @200, isp_bgobjvals,
    ts_vtx @208, ts_frag @224 (gallium writes ts_vtx.start and ts_frag.end)."""
    def fui(x):
        return struct.unpack('<I', struct.pack('<f', x))[0]
    zls_pixels = (width - 1) | (height - 1) << 15 if depth else 0
    b = p('IIQ', flags, zls_pixels, vdm) + bytes(32) + p('QQQ', scissor, dbias, oclqry)
    b += p('QQII', depth, 0, 1 if depth else 0, 0) + p('QQII', 0, 0, 0, 0)
    b += p('QQQ', zls_ctrl, 0x88, 0) + p('IHHHH', 0x202, width, height, 1, 0)
    b += p('BBBB', 32, 32, 1, 8) + p('II', fui(1.732051 / width), fui(1.732051 / height))
    b += p('IIIIIIII', 0x30004, 0x10005, 0x30104, 0x10006, 0x30204, 0x10007, 0x30104, 0x10006)
    b += p('II', bgobjdepth, bgobjvals)
    b += p('IIIIIIII', ts_handle, 0x40 if ts_handle else 0, 0, 0, 0, 0, ts_handle,
           0x58 if ts_handle else 0)
    assert len(b) == 240
    return b


def asahi_attachment(pointer, size):
    """struct drm_asahi_attachment (24 bytes), a compound literal: pad and flags 0."""
    return p('QQII', pointer, size, 0, 0)


def make_asahi():
    c = Corpus('asahi')
    virt = 'src/asahi/lib/agx_device_virtio.c:'
    dev = 'src/asahi/lib/agx_device.c:'
    src = ' (' + ASAHI_MESA + ')'
    callers = (' (' + ASAHI_MESA + '; the caller\'s initializer as in the agx_device.c copy '
               'described in README.md)')

    m = Msg(ASAHI_GET_PARAMS, 1, 0).put('IIQQ', 0, 0, 0, 592)
    c.ok('GET_PARAMS at device open', 'GET_PARAMS', virt + 'agx_virtio_get_params()' + src, m,
         'designated initializer: param_group, pad and pointer 0, size = '
         'sizeof(struct drm_asahi_params_global)', size=40,
         fields={'params.param_group': 0, 'params.pad': 0, 'params.size': 592})

    for name, fn, seqno, rsp_off, cmd, payload, why in (
            ('IOCTL_SIMPLE VM_CREATE', 'agx_open_device()', 2, 0x260, DRM_IOCTL_ASAHI_VM_CREATE,
             p('QQII', 0xfff800000000, 0x1000000000000, 0, 0),
             'kernel_start and kernel_end; vm_id and pad zero'),
            ('IOCTL_SIMPLE QUEUE_CREATE', 'agx_create_command_queue()', 3, 0x288,
             DRM_IOCTL_ASAHI_QUEUE_CREATE, p('IIIIQ', 0, 1, 0, 0, 0x100000000),
             'vm_id, priority LOW and usc_exec_base'),
            ('IOCTL_SIMPLE QUEUE_CREATE, medium priority', 'agx_create_command_queue()', 4, 0x2a8,
             DRM_IOCTL_ASAHI_QUEUE_CREATE, p('IIIIQ', 0, 1, 1, 0, 0x100000000),
             'priority MEDIUM, the highest the host allows'),
            ('IOCTL_SIMPLE QUEUE_DESTROY', 'agx_destroy_command_queue()', 5, 0x2c8,
             DRM_IOCTL_ASAHI_QUEUE_DESTROY, p('II', 2, 0), 'write-only, still waited for'),
            ('IOCTL_SIMPLE GET_TIME', 'agx_get_gpu_timestamp()', 6, 0x2d0,
             DRM_IOCTL_ASAHI_GET_TIME, p('QQ', 0, 0), 'designated initializer, flags 0'),
    ):
        m = Msg(ASAHI_IOCTL_SIMPLE, seqno, rsp_off).put('I', cmd).raw(payload)
        c.ok(name, 'IOCTL_SIMPLE', virt + 'agx_virtio_simple_ioctl() from ' + dev + fn + callers,
             m, 'a VLA: header, cmd and the caller\'s argument: ' + why, size=20 + len(payload),
             fields={'cmd': cmd})

    for name, flags, bind, blob, size, addr, why in (
            ('GEM_NEW, writeback read-write buffer', DRM_ASAHI_GEM_WRITEBACK,
             DRM_ASAHI_BIND_READ | DRM_ASAHI_BIND_WRITE, 1, 0x4000, 0x1500000000, 'AGX_BO_WRITEBACK'),
            ('GEM_NEW, read-only write-combined buffer', 0, DRM_ASAHI_BIND_READ, 2, 0x10000,
             0x1500004000, 'AGX_BO_READONLY'),
    ):
        m = Msg(ASAHI_GEM_NEW, 10 + blob).put('IIIIQQ', flags, bind, 1, blob, size, addr)
        c.ok(name, 'GEM_NEW', virt + 'agx_virtio_bo_alloc()' + src, m,
             'designated initializer plus flags, bind_flags, addr, blob_id and vm_id, sent as '
             'the cmd of RESOURCE_CREATE_BLOB: ' + why, size=48,
             fields={'flags': flags, 'bind_flags': bind, 'vm_id': 1, 'blob_id': blob,
                     'size': size, 'addr': addr})

    for name, op_flags, handle, rng, addr, why in (
            ('VM_BIND mapping an imported buffer', DRM_ASAHI_BIND_READ | DRM_ASAHI_BIND_WRITE, 9,
             0x8000, 0x1500100000, 'agx_bo_import() binds the whole buffer'),
            ('VM_BIND unbinding a range', DRM_ASAHI_BIND_UNBIND, 0, 0x4000, 0x1500004000,
             'bo NULL: handle 0'),
    ):
        m = Msg(ASAHI_VM_BIND, 20).put('III', 1, 32, 1).put('IIQQQ', op_flags, handle, 0, rng, addr)
        c.ok(name, 'VM_BIND', virt + 'agx_virtio_bo_bind() from ' + dev + 'agx_bo_bind()' + callers,
             m, 'calloc()ed, stride 32, hdr.len = 28 + 32 * count; the op is a designated '
             'initializer: ' + why, size=60,
             fields={'vm_id': 1, 'stride': 32, 'count': 1})

    # SUBMIT: agx_virtio_submit() calloc()s the request and copies the command
    # buffer and the extres list the callers built into it.
    submit = virt + 'agx_virtio_submit()' + src + ', from '
    render = asahi_render(0xffe0d00000, 1920, 1080, flags=DRM_ASAHI_RENDER_PROCESS_EMPTY_TILES,
                          depth=0xffe1800000, zls_ctrl=0x30001, bgobjdepth=0x3f800000,
                          scissor=0xffe0e00000, dbias=0xffe0e00040, oclqry=0xffe0f00000,
                          ts_handle=4)
    cmdbuf = (asahi_command(DRM_ASAHI_SET_FRAGMENT_ATTACHMENTS,
                            asahi_attachment(0xffe1000000, 0x7e9000) +
                            asahi_attachment(0xffe1800000, 0x7e9000),
                            DRM_ASAHI_BARRIER_NONE, DRM_ASAHI_BARRIER_NONE) +
              asahi_command(DRM_ASAHI_CMD_RENDER, render, 0, 0))
    m = Msg(ASAHI_SUBMIT, 30).put('IIII', 0, 2, len(cmdbuf), 1).raw(cmdbuf)
    m.put('II', 9, ASAHI_EXTRES_READ | ASAHI_EXTRES_WRITE)
    c.ok('SUBMIT with one external resource', 'SUBMIT', submit + ASAHI_SUBMIT_CALLERS['gallium'], m,
         'a render pass into a shared colour buffer with depth: SET_FRAGMENT_ATTACHMENTS (two '
         'entries, barriers NONE), then RENDER (size 240, barriers 0 after no compute); every '
         'body cleared before it is filled', size=32 + 56 + 248 + 8,
         fields={'flags': 0, 'queue_id': 2, 'cmdbuf_size': 56 + 248, 'extres_count': 1})
    cmdbuf = asahi_command(DRM_ASAHI_CMD_COMPUTE, asahi_compute(0xffe0a00000, 0x140), 0, 0)
    m = Msg(ASAHI_SUBMIT, 31).put('IIII', 0, 2, len(cmdbuf), 0).raw(cmdbuf)
    c.ok('SUBMIT without external resources', 'SUBMIT', submit + ASAHI_SUBMIT_CALLERS['gallium'], m,
         'a compute-only batch: one COMPUTE (size 64, barriers 0); no shared buffers',
         size=32 + 72, fields={'queue_id': 2, 'cmdbuf_size': 72, 'extres_count': 0})
    cmdbuf = (asahi_command(DRM_ASAHI_CMD_COMPUTE,
                            asahi_compute(0xffe0a00000, 0x80, 0xffe0b00000, 2, 4, 0x100), 0, 0) +
              asahi_command(DRM_ASAHI_SET_FRAGMENT_ATTACHMENTS, asahi_attachment(0xffe1000000, 0x1000),
                            DRM_ASAHI_BARRIER_NONE, DRM_ASAHI_BARRIER_NONE) +
              asahi_command(DRM_ASAHI_CMD_RENDER, asahi_render(0xffe0d00000, 32, 32, ts_handle=4),
                            DRM_ASAHI_BARRIER_NONE, 1))
    m = Msg(ASAHI_SUBMIT, 32).put('IIII', 0, 3, len(cmdbuf), 0).raw(cmdbuf)
    c.ok('SUBMIT of a batch with compute and render work', 'SUBMIT',
         submit + ASAHI_SUBMIT_CALLERS['gallium'], m,
         'COMPUTE (barriers 0), SET_FRAGMENT_ATTACHMENTS, RENDER waiting on the compute '
         '(vdm_barrier NONE, cdm_barrier 1); timestamps on', size=32 + 72 + 32 + 248,
         fields={'queue_id': 3, 'cmdbuf_size': 72 + 32 + 248, 'extres_count': 0})
    cmdbuf = (asahi_command(DRM_ASAHI_CMD_RENDER,
                            asahi_render(0xffe2000000, 256, 256, flags=DRM_ASAHI_RENDER_DBIAS_IS_INT,
                                         depth=0xffe2400000, zls_ctrl=0x30001, bgobjdepth=0xffff,
                                         oclqry=0xffe2800000), 0, 0) +
              asahi_command(DRM_ASAHI_CMD_COMPUTE, asahi_compute(0xffe2100000, 0x40), 1, 0))
    m = Msg(ASAHI_SUBMIT, 33).put('IIII', 0, 4, len(cmdbuf), 1).raw(cmdbuf)
    m.put('II', 12, ASAHI_EXTRES_READ | ASAHI_EXTRES_WRITE)
    c.ok('SUBMIT of two Vulkan control streams', 'SUBMIT', submit + ASAHI_SUBMIT_CALLERS['vulkan'], m,
         'one command per control stream, each header waiting on the commands before it '
         '(RENDER 0, 0; COMPUTE vdm_barrier 1, cdm_barrier 0); no attachment commands; '
         'the device\'s external buffers as extres', size=32 + 248 + 72 + 8,
         fields={'queue_id': 4, 'cmdbuf_size': 248 + 72, 'extres_count': 1})

    m = Msg(ASAHI_GEM_BIND_OBJECT, 40, 0x2e0).put('IIIIQQII', DRM_ASAHI_BIND_OBJECT_OP_BIND,
                                                  DRM_ASAHI_BIND_OBJECT_USAGE_TIMESTAMPS, 9, 0,
                                                  0, 0x4000, 0, 0)
    c.ok('GEM_BIND_OBJECT binding a timestamp buffer', 'GEM_BIND_OBJECT',
         virt + 'agx_virtio_bo_bind_object() from ' + dev + 'agx_bind_timestamps()' + callers, m,
         '.bind = *bind, itself a designated initializer', size=56,
         fields={'bind.op': 0, 'bind.flags': 1, 'bind.handle': 9, 'bind.range': 0x4000})
    m = Msg(ASAHI_GEM_BIND_OBJECT, 41, 0).put('IIIIQQII', DRM_ASAHI_BIND_OBJECT_OP_UNBIND, 0, 0, 0,
                                              0, 0, 5, 0)
    c.ok('GEM_BIND_OBJECT unbinding', 'GEM_BIND_OBJECT', virt + 'agx_virtio_bo_unbind_object()' + src,
         m, 'designated initializer with op and object_handle; no response, rsp_off 0', size=56,
         fields={'bind.op': 1, 'bind.object_handle': 5})

    # Rejects.
    c.bad('GEM_NEW with blob_id 0', 'GEM_NEW',
          Msg(ASAHI_GEM_NEW, 9).put('IIIIQQ', 0, 6, 1, 0, 0x4000, 0x1500000000).bytes(),
          'VDRM_E_LIMIT', 'blob_id', 28,
          'blob_id 0 names the shared-memory buffer; Mesa counts blob ids up from 1',
          note='status and field chosen to match the other contexts\' "blob_id below 1" checks')
    base = Msg(ASAHI_GET_PARAMS, 1, 0).put('IIQQ', 0, 0, 0, 592).put('I', 0)
    c.bad('GET_PARAMS with hdr.len 44', 'GET_PARAMS', base.bytes(), 'VDRM_E_LENGTH', 'hdr.len', 4,
          'the host refuses any GET_PARAMS whose hdr.len is not exactly 40')
    m = Msg(ASAHI_VM_BIND, 22).put('III', 1, 16, 2)
    m.put('IIQ', DRM_ASAHI_BIND_READ, 9, 0).put('IIQ', DRM_ASAHI_BIND_READ, 9, 0x4000)
    c.bad('VM_BIND with stride 16', 'VM_BIND', m.bytes(), 'VDRM_E_LIMIT', 'stride', 20,
          'the deployed host places op i at 32 * i in a count * stride allocation: a stride '
          'below 32 with two ops overflows its heap; every guest sends stride 32',
          note='minimum chosen as sizeof(struct drm_asahi_gem_bind_op) = 32, as the spec\'s '
          'VM_BIND defect text asks; status VDRM_E_LIMIT as the existing "stride below 8" check')
    return c


# ---------------------------------------------------------------------------
# i915: src/intel/dev/virtio/i915_virtio_ccmd.c and i915_virtio_ccmd_execbuf.c.
# ---------------------------------------------------------------------------

I915_IOCTL_SIMPLE, I915_GETPARAM, I915_QUERYPARAM, I915_GEM_CREATE = 1, 2, 3, 4
I915_GEM_CREATE_EXT, I915_GEM_CONTEXT_CREATE, I915_GEM_EXECBUFFER2 = 5, 6, 7
I915_GEM_SET_MMAP_MODE, I915_GEM_BUSY = 8, 9

DRM_IOCTL_I915_GEM_SET_DOMAIN = 0x400c645f
DRM_IOCTL_I915_GEM_SET_TILING = 0xc0106461
DRM_IOCTL_I915_GEM_GET_TILING = 0xc0106462
DRM_IOCTL_I915_GEM_GET_APERTURE = 0x80106463
DRM_IOCTL_I915_GEM_CONTEXT_CREATE = 0xc008646d
DRM_IOCTL_I915_GEM_CONTEXT_DESTROY = 0x4008646e
DRM_IOCTL_I915_REG_READ = 0xc0106471
DRM_IOCTL_I915_GET_RESET_STATS = 0xc0186472
DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM = 0xc0186474
DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM = 0xc0186475
DRM_IOCTL_I915_GEM_VM_CREATE = 0xc010647a
DRM_IOCTL_I915_GEM_VM_DESTROY = 0x4010647b

I915_PARAM_CHIPSET_ID, I915_PARAM_REVISION, I915_PARAM_MMAP_GTT_VERSION = 4, 32, 40
DRM_I915_QUERY_ENGINE_INFO = 2
I915_CONTEXT_PARAM_BAN_PERIOD, I915_CONTEXT_PARAM_GTT_SIZE = 1, 3
I915_CONTEXT_PARAM_PRIORITY, I915_CONTEXT_PARAM_RECOVERABLE, I915_CONTEXT_PARAM_VM = 6, 8, 9
I915_CONTEXT_PARAM_ENGINES, I915_CONTEXT_PARAM_PROTECTED_CONTENT = 0xa, 0xd
I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS = 1
I915_GEM_CREATE_EXT_MEMORY_REGIONS, I915_GEM_CREATE_EXT_PROTECTED_CONTENT = 0, 1
I915_GEM_CREATE_EXT_SET_PAT = 2
I915_GEM_CREATE_EXT_FLAG_NEEDS_CPU_ACCESS = 1
I915_MEMORY_CLASS_SYSTEM, I915_MEMORY_CLASS_DEVICE = 0, 1
I915_ENGINE_CLASS_RENDER, I915_ENGINE_CLASS_COPY = 0, 1
I915_EXEC_RENDER, I915_EXEC_BLT, I915_EXEC_NO_RELOC, I915_EXEC_HANDLE_LUT = 1, 3, 0x800, 0x1000
I915_EXEC_BATCH_FIRST = 0x40000
EXEC_OBJECT_WRITE, EXEC_OBJECT_SUPPORTS_48B_ADDRESS, EXEC_OBJECT_PINNED = 0x4, 0x8, 0x10
EXEC_OBJECT_ASYNC = 0x40
I915_GEM_DOMAIN_CPU, I915_GEM_DOMAIN_GTT = 1, 0x40
I915_TILING_X = 1
I915_MMAP_OFFSET_WC, I915_MMAP_OFFSET_WB = 1, 2
I915_GEM_BUSY_PAD = 'GEM_BUSY: a plain stack struct; only the header and res_id are written'

SIMPLE_PAD = ('IOCTL_SIMPLE: the request is a stack VLA; the header, cmd and payload are '
              'written, pad never')


def i915_simple(seqno, rsp_off, cmd, payload):
    assert len(payload) == cmd >> 16 & 0x3fff
    return Msg(I915_IOCTL_SIMPLE, seqno, rsp_off).put('I', cmd).junk(4, SIMPLE_PAD).raw(payload)


def context_param(ctx_id, size, param, value):
    """struct drm_i915_gem_context_param (24 bytes)."""
    return p('IIQQ', ctx_id, size, param, value & 0xffffffffffffffff)


def user_ext(next_ext, name):
    """struct i915_user_extension (32 bytes): next_extension, name, flags, rsvd[4]."""
    return p('QII4I', next_ext, name, 0, 0, 0, 0, 0)


def make_i915():
    c = Corpus('i915')
    ccmd = 'src/intel/dev/virtio/i915_virtio_ccmd.c:'
    src = ' (' + I915_MESA + ')'

    simple = [
        ('IOCTL_SIMPLE GEM_CONTEXT_CREATE without extensions', 'i915_virtio_gem_context_create_ext()',
         DRM_IOCTL_I915_GEM_CONTEXT_CREATE, p('II', 0, 0), 2, 0x40,
         'a context created without USE_EXTENSIONS: the first 8 bytes (ctx_id, flags) of '
         'struct drm_i915_gem_context_create_ext'),
        ('IOCTL_SIMPLE GEM_CONTEXT_DESTROY', 'i915_virtio_simple_ioctl()',
         DRM_IOCTL_I915_GEM_CONTEXT_DESTROY, p('II', 2, 0), 3, 0x50,
         'write-only: queued with a response slot it never reads'),
        ('IOCTL_SIMPLE GEM_CONTEXT_GETPARAM(GTT_SIZE)', 'i915_virtio_gem_context_param()',
         DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, context_param(2, 0, I915_CONTEXT_PARAM_GTT_SIZE, 0),
         4, 0x58, 'one of the four parameters the guest forwards'),
        ('IOCTL_SIMPLE GEM_CONTEXT_GETPARAM(VM)', 'i915_virtio_gem_context_param()',
         DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, context_param(2, 0, I915_CONTEXT_PARAM_VM, 0),
         5, 0x78, 'the VM id of a context'),
        ('IOCTL_SIMPLE GEM_CONTEXT_SETPARAM(PRIORITY) default', 'i915_virtio_gem_context_param()',
         DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM, context_param(2, 0, I915_CONTEXT_PARAM_PRIORITY, 0),
         6, 0x98, 'I915_CONTEXT_DEFAULT_PRIORITY'),
        ('IOCTL_SIMPLE GEM_CONTEXT_SETPARAM(PRIORITY) low', 'i915_virtio_gem_context_param()',
         DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM, context_param(2, 0, I915_CONTEXT_PARAM_PRIORITY, -512),
         7, 0xb8, 'a negative priority: the host answers EPERM, the message is well formed'),
        ('IOCTL_SIMPLE GEM_CONTEXT_SETPARAM(RECOVERABLE)', 'i915_virtio_gem_context_param()',
         DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM, context_param(2, 0, I915_CONTEXT_PARAM_RECOVERABLE, 0),
         8, 0xd8, 'non-recoverable context'),
        ('IOCTL_SIMPLE GEM_VM_CREATE', 'i915_virtio_gem_vm_control()', DRM_IOCTL_I915_GEM_VM_CREATE,
         p('QII', 0, 0, 0), 9, 0xf8, 'the guest forwards only extensions = flags = 0'),
        ('IOCTL_SIMPLE GEM_VM_DESTROY', 'i915_virtio_gem_vm_control()', DRM_IOCTL_I915_GEM_VM_DESTROY,
         p('QII', 0, 0, 1), 10, 0x118, 'write-only'),
        ('IOCTL_SIMPLE GEM_SET_DOMAIN', 'i915_virtio_simple_ioctl_gem_patched()',
         DRM_IOCTL_I915_GEM_SET_DOMAIN, p('III', 21, I915_GEM_DOMAIN_CPU, I915_GEM_DOMAIN_CPU),
         11, 0x120, 'the handle replaced by the res_id before sending'),
        ('IOCTL_SIMPLE GEM_SET_TILING', 'i915_virtio_simple_ioctl_gem_patched()',
         DRM_IOCTL_I915_GEM_SET_TILING, p('IIII', 21, I915_TILING_X, 0x2000, 0), 12, 0x128,
         'res_id, tiling mode and stride'),
        ('IOCTL_SIMPLE GEM_GET_TILING', 'i915_virtio_simple_ioctl_gem_patched()',
         DRM_IOCTL_I915_GEM_GET_TILING, p('IIII', 22, 0, 0, 0), 13, 0x140, 'res_id only'),
        ('IOCTL_SIMPLE GEM_GET_APERTURE', 'i915_virtio_simple_ioctl()',
         DRM_IOCTL_I915_GEM_GET_APERTURE, p('QQ', 0, 0), 14, 0x158, 'read-only argument'),
        ('IOCTL_SIMPLE REG_READ of the render timestamp', 'i915_virtio_simple_ioctl()',
         DRM_IOCTL_I915_REG_READ, p('QQ', 0x2358 | 1, 0), 15, 0x170,
         'RCS_TIMESTAMP | I915_REG_READ_8B_WA'),
        ('IOCTL_SIMPLE GET_RESET_STATS of a banned context', 'i915_virtio_get_reset_stats()',
         DRM_IOCTL_I915_GET_RESET_STATS, p('IIIIII', 2, 0, 0, 0, 0, 0), 16, 0x188,
         'sent only when the context\'s banned_ctx_mask bit is set'),
    ]
    for name, fn, cmd, payload, seqno, rsp_off, why in simple:
        m = i915_simple(seqno, rsp_off, cmd, payload)
        c.ok(name, 'IOCTL_SIMPLE', ccmd + fn + src, m, why + '; pad is left uninitialised',
             size=24 + len(payload), fields={'cmd': cmd})

    for name, param, seqno in (('GETPARAM(CHIPSET_ID)', I915_PARAM_CHIPSET_ID, 20),
                               ('GETPARAM(REVISION)', I915_PARAM_REVISION, 21),
                               ('GETPARAM(MMAP_GTT_VERSION)', I915_PARAM_MMAP_GTT_VERSION, 22)):
        m = Msg(I915_GETPARAM, seqno, 0x1a8).put('I', param)
        m.junk(4, 'GETPARAM: a plain stack struct; only the header and param are written')
        c.ok(name, 'GETPARAM', ccmd + 'i915_virtio_getparam()' + src, m,
             'value is never written', size=24, fields={'param': param})

    for name, length, seqno, rsp_off, why in (
            ('QUERYPARAM ENGINE_INFO, asking the size', 0, 23, 0x1b8, 'length 0 asks for the size'),
            ('QUERYPARAM ENGINE_INFO, fetching the data', 0x110, 24, 0x1c8,
             'length is what the first step returned'),
    ):
        m = Msg(I915_QUERYPARAM, seqno, rsp_off).put('III', DRM_I915_QUERY_ENGINE_INFO, length, 0)
        m.junk(4, 'QUERYPARAM: a plain stack struct; query_id, length and flags written, pad never')
        c.ok(name, 'QUERYPARAM', ccmd + 'i915_virtio_queryparam()' + src, m, why, size=32,
             fields={'query_id': DRM_I915_QUERY_ENGINE_INFO, 'length': length, 'flags': 0})

    m = Msg(I915_GEM_CREATE, 25).put('QII', 0x10000, 1, 0)
    c.ok('GEM_CREATE', 'GEM_CREATE', ccmd + 'i915_virtio_gem_create()' + src, m,
         'designated initializer (pad 0), sent as the cmd of RESOURCE_CREATE_BLOB', size=32,
         fields={'size': 0x10000, 'blob_id': 1, 'pad': 0})

    # GEM_CREATE_EXT: a VLA; extension records are memcpy()s of iris' designated initializers,
    # next_extension and regions still holding guest addresses.
    ext_pad = ('GEM_CREATE_EXT: the request is a stack VLA; hdr, gem_flags, ext_size, size and '
               'blob_id are written, pad never')
    pc_pad = ('drm_i915_gem_create_ext_protected_content: 4 bytes of implicit tail padding on LP64 '
              'copied from iris\' designated initializer (not guaranteed zero)')
    regions_ptr, pat_ptr, pc_ptr = 0x7ffc8e1d3a40, 0x7ffc8e1d3b10, 0x7ffc8e1d3ae0
    ext = user_ext(pat_ptr, I915_GEM_CREATE_EXT_MEMORY_REGIONS) + p('IIQ', 0, 1, regions_ptr)
    ext += p('HH', I915_MEMORY_CLASS_SYSTEM, 0)
    ext += user_ext(0, I915_GEM_CREATE_EXT_SET_PAT) + p('II', 3, 0)
    m = Msg(I915_GEM_CREATE_EXT, 26).put('QIII', 0x200000, 2, 0, len(ext)).junk(4, ext_pad).raw(ext)
    c.ok('GEM_CREATE_EXT with one region and SET_PAT', 'GEM_CREATE_EXT',
         ccmd + 'i915_virtio_gem_create_ext() from iris i915_gem_create()' + src, m,
         'integrated GPU with set_pat: one system region (so SET_PAT starts 4-byte aligned)',
         size=40 + 48 + 4 + 40, fields={'size': 0x200000, 'blob_id': 2, 'ext_size': 92})
    m = Msg(I915_GEM_CREATE_EXT, 27).put('QIII', 0x400000, 3,
                                         I915_GEM_CREATE_EXT_FLAG_NEEDS_CPU_ACCESS, 96)
    m.junk(4, ext_pad)
    m.raw(user_ext(pc_ptr, I915_GEM_CREATE_EXT_MEMORY_REGIONS) + p('IIQ', 0, 2, regions_ptr))
    m.put('HHHH', I915_MEMORY_CLASS_DEVICE, 0, I915_MEMORY_CLASS_SYSTEM, 0)
    m.raw(user_ext(0, I915_GEM_CREATE_EXT_PROTECTED_CONTENT) + p('I', 0)).junk(4, pc_pad)
    c.ok('GEM_CREATE_EXT with two regions and PROTECTED_CONTENT', 'GEM_CREATE_EXT',
         ccmd + 'i915_virtio_gem_create_ext() from iris i915_gem_create()' + src, m,
         'discrete GPU, device-local preferred with CPU access, protected buffer',
         size=40 + 48 + 8 + 40, fields={'blob_id': 3, 'gem_flags': 1, 'ext_size': 96})

    # GEM_CONTEXT_CREATE: a VLA; records are memcpy()s of intel_gem.c's designated initializers
    # chained by intel_i915_gem_add_ext(), ENGINES followed by its data.
    rec_ptr, vm_ptr, eng_ptr, pc2_ptr = 0x7ffc8e1d3900, 0x7ffc8e1d3940, 0x7ffc8e1d3600, 0x7ffc8e1d3980
    params = user_ext(rec_ptr, 0) + context_param(0, 16, I915_CONTEXT_PARAM_ENGINES, eng_ptr)
    params += p('QHHHH', 0, I915_ENGINE_CLASS_RENDER, 0, I915_ENGINE_CLASS_COPY, 0)
    params += user_ext(vm_ptr, 0) + context_param(0, 0, I915_CONTEXT_PARAM_RECOVERABLE, 0)
    params += user_ext(0, 0) + context_param(0, 0, I915_CONTEXT_PARAM_VM, 1)
    m = Msg(I915_GEM_CONTEXT_CREATE, 28, 0x1e0).put('II', I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
                                                    len(params)).raw(params)
    c.ok('GEM_CONTEXT_CREATE with ENGINES, RECOVERABLE and VM', 'GEM_CONTEXT_CREATE',
         ccmd + 'i915_virtio_gem_context_create_ext() from i915_gem_create_context_engines()' + src,
         m, 'render + copy engines (ENGINES data: extensions 0 and two class/instance pairs), '
         'not recoverable, shared VM 1', size=24 + 56 + 16 + 56 + 56,
         fields={'flags': 1, 'params_size': 184})
    params = user_ext(pc2_ptr, 0) + context_param(0, 0, I915_CONTEXT_PARAM_RECOVERABLE, 0)
    params += user_ext(0, 0) + context_param(0, 0, I915_CONTEXT_PARAM_PROTECTED_CONTENT, 1)
    m = Msg(I915_GEM_CONTEXT_CREATE, 29, 0x1f0).put('II', I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
                                                    len(params)).raw(params)
    c.ok('GEM_CONTEXT_CREATE with RECOVERABLE and PROTECTED_CONTENT', 'GEM_CONTEXT_CREATE',
         ccmd + 'i915_virtio_gem_context_create_ext() from i915_gem_create_context_ext()' + src, m,
         'the protected-context probe', size=24 + 56 + 56, fields={'flags': 1, 'params_size': 112})

    # GEM_EXECBUFFER2: a VLA; every fixed field written, exec objects copied from iris.
    def exec_object(handle, offset, flags):
        return p('IIQQQQQQ', handle, 0, 0, 0, offset, flags, 0, 0)

    base_flags = EXEC_OBJECT_SUPPORTS_48B_ADDRESS | EXEC_OBJECT_PINNED | EXEC_OBJECT_ASYNC
    for name, ring, objs, seqno, why in (
            ('GEM_EXECBUFFER2 on the render ring', I915_EXEC_RENDER,
             [(30, 0x100000000, base_flags), (31, 0x100200000, base_flags | EXEC_OBJECT_WRITE)], 30,
             'iris: batch first, no relocations'),
            ('GEM_EXECBUFFER2 on the blitter ring', I915_EXEC_BLT,
             [(32, 0x100400000, base_flags), (31, 0x100200000, base_flags),
              (33, 0x100600000, base_flags | EXEC_OBJECT_WRITE)], 31,
             'the blitter batch: ring_idx 1 + 3 on the virtio side'),
    ):
        flags = ring | I915_EXEC_NO_RELOC | I915_EXEC_BATCH_FIRST | I915_EXEC_HANDLE_LUT
        m = Msg(I915_GEM_EXECBUFFER2, seqno, 0x200).put('QQIIII', flags, 2, len(objs), 0, 0x1a8, 0)
        for o in objs:
            m.raw(exec_object(*o))
        c.ok(name, 'GEM_EXECBUFFER2',
             'src/intel/dev/virtio/i915_virtio_ccmd_execbuf.c:i915_virtio_gem_execbuffer2_submit() '
             'from iris i915_batch_submit()' + src, m,
             why + '; I915_EXEC_FENCE_ARRAY is masked off by the guest', size=48 + 56 * len(objs),
             fields={'flags': flags, 'context_id': 2, 'buffer_count': len(objs), 'relocs_count': 0})

    for name, flags, seqno in (('GEM_SET_MMAP_MODE WB', I915_MMAP_OFFSET_WB, 40),
                               ('GEM_SET_MMAP_MODE WC', I915_MMAP_OFFSET_WC, 41)):
        m = Msg(I915_GEM_SET_MMAP_MODE, seqno).put('II', 21, flags)
        c.ok(name, 'GEM_SET_MMAP_MODE', ccmd + 'i915_virtio_gem_mmap_offset()' + src, m,
             'a plain stack struct whose every field is written; queued, no response', size=24,
             fields={'res_id': 21, 'flags': flags})

    m = Msg(I915_GEM_BUSY, 42, 0x210).put('I', 21).junk(4, I915_GEM_BUSY_PAD)
    c.ok('GEM_BUSY over vtest', 'GEM_BUSY', ccmd + 'i915_virtio_gem_busy_vpipe()' + src, m,
         'only with the vtest transport (vpipe); pad is never written', size=24,
         fields={'res_id': 21})

    # Rejects: context parameters the host does not allow, VM_CREATE extensions.
    host = ('virglrenderer src/drm/i915/i915_ccmd.c:i915_ccmd_ioctl_simple() allows only '
            'PRIORITY, RECOVERABLE, GTT_SIZE and VM and fails the request otherwise')
    param_note = ('field "payload.param" (the u64 param of struct drm_i915_gem_context_param at '
                  'payload offset 8) and status VDRM_E_NOT_ALLOWED are this corpus\'s choice')
    for name, cmd, param, size, value, why in (
            ('IOCTL_SIMPLE GEM_CONTEXT_GETPARAM(ENGINES)', DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM,
             I915_CONTEXT_PARAM_ENGINES, 0, 0, 'a get of ENGINES copies engine data through value'),
            ('IOCTL_SIMPLE GEM_CONTEXT_SETPARAM(ENGINES)', DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM,
             I915_CONTEXT_PARAM_ENGINES, 16, 0x7ffc8e1d3600,
             'value is a guest address the host kernel would read in the host process'),
            ('IOCTL_SIMPLE GEM_CONTEXT_SETPARAM(BAN_PERIOD)', DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM,
             I915_CONTEXT_PARAM_BAN_PERIOD, 0, 0, 'not a parameter the host forwards'),
    ):
        m = Msg(I915_IOCTL_SIMPLE, 50, 0x40).put('II', cmd, 0).raw(context_param(2, size, param, value))
        c.bad(name, 'IOCTL_SIMPLE', m.bytes(), 'VDRM_E_NOT_ALLOWED', 'payload.param', 24 + 8,
              why + '; ' + host, note=param_note)
    m = Msg(I915_IOCTL_SIMPLE, 51, 0x40).put('II', DRM_IOCTL_I915_GEM_VM_CREATE, 0)
    m.put('QII', 0x7ffc8e1d3700, 0, 0)
    c.bad('IOCTL_SIMPLE GEM_VM_CREATE with extensions', 'IOCTL_SIMPLE', m.bytes(), 'VDRM_E_NONZERO',
          'payload.extensions', 24,
          'extensions is an address the host kernel reads in the host process; the guest '
          'never forwards a non-zero one',
          note='field "payload.extensions" (struct drm_i915_gem_vm_control.extensions at payload '
          'offset 0) and status VDRM_E_NONZERO are this corpus\'s choice')
    return c


def make_panfrost():
    c = Corpus('panfrost', note='No Mesa guest implementation of the panfrost native context '
               'was found (the code index holds only virglrenderer\'s host side), so there is no '
               'guest traffic to replay.')
    m = Msg(3, 2).put('IIII', 0, 0x4000, 0, 1)
    c.bad('CREATE_BO with blob_id 0', 'CREATE_BO', m.bytes(), 'VDRM_E_LIMIT', 'blob_id', 24,
          'blob_id 0 names the shared-memory buffer')
    return c


def main(argv):
    check = argv[1:] == ['--check']
    if argv[1:] and not check:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    stale = []
    for corpus in (make_msm(), make_amdgpu(), make_asahi(), make_i915(), make_panfrost()):
        path = os.path.join(HERE, corpus.context + '.json')
        text = corpus.json()
        json.loads(text)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            if check:
                stale.append(path)
            else:
                with open(path, 'w') as f:
                    f.write(text)
    if stale:
        print('out of date (run make_corpus.py): ' + ', '.join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
