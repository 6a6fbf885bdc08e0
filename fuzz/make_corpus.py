#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpora of the fuzz harnesses (fuzz/corpus/HARNESS/) from
the conformance vectors (tests/vectors/NAME.json), the decode-failure vectors
(tests/vectors/failures/NAME.json), Mesa's guest traffic
(tests/guest-traffic/NAME.json) and the reference guest's recorded streams
(tests/guest-recorded/NAME.bin, `vdrm-guest --record`), in each harness's input format
(fuzz/README.md). The files are checked in, so that OSS-Fuzz's build.sh and
AFL++ need neither Python nor json-c; --check tells whether they are current
(test fuzz-corpus-current). Inputs the fuzzers find go to fuzz/regressions/,
never here.
"""

import argparse
import hashlib
import json
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, '..', 'tests')
CONTEXTS = ['msm', 'amdgpu', 'i915', 'asahi', 'panfrost']   # the vtest harness's byte 0 indexes this
# Where each context's host puts the response region: the size of its shmem struct.
RSP_MEM_OFFSET = {'msm': 16, 'amdgpu': 88, 'i915': 16, 'asahi': 16, 'panfrost': 8}
# Stream harness control byte: 1 request per batch, a fence with each, the clock moved after each.
ONE_PER_BATCH_FENCED = 0x01 | 0x08 | 0x10


def load(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def messages(ctx):
    """(name, direction, bytes) of every vector, failure case and guest-traffic case of ctx."""
    out = []
    doc = load(os.path.join(TESTS, 'vectors', ctx + '.json'))
    for v in (doc or {}).get('vectors', []):
        out.append(('vector ' + v['name'], v['direction'], bytes.fromhex(v['hex'])))
    doc = load(os.path.join(TESTS, 'vectors', 'failures', ctx + '.json'))
    for v in (doc or {}).get('cases', []):
        if 'hex' in v:
            out.append(('failure ' + v['name'], v.get('direction', 'request'), bytes.fromhex(v['hex'])))
    doc = load(os.path.join(TESTS, 'guest-traffic', ctx + '.json'))
    for key in ('accept', 'reject'):
        for v in (doc or {}).get(key, []):
            out.append(('mesa ' + v['name'], 'request', bytes.fromhex(v['hex'])))
    return out


def mesa_session(ctx):
    """Every request Mesa's guest sends, in order: one realistic stream."""
    doc = load(os.path.join(TESTS, 'guest-traffic', ctx + '.json'))
    return b''.join(bytes.fromhex(v['hex']) for v in (doc or {}).get('accept', []))


def recorded_session(ctx):
    """The ccmd stream vdrm-guest --record wrote for ctx (4 frames of its workload), or b''."""
    path = os.path.join(TESTS, 'guest-recorded', ctx + '.bin')
    if not os.path.exists(path):
        return b''
    with open(path, 'rb') as f:
        return f.read()


# Guest harness (fuzz/virtgpu_host.h): per answer a control byte (bits 0-3 edits, bit 4 the
# ioctl fails, bit 5 the out-fence never signals, bit 6 the blob's mmap fails), each edit u16 offset (bit 15: from the shmem's
# start, else from the response region), u8 length, bytes. Answer 0 is GET_CAPS, 1 the shmem's
# RESOURCE_CREATE_BLOB, then every EXECBUFFER and RESOURCE_CREATE_BLOB.
HONEST = (0, [])
FAIL_IOCTL, FENCE_NEVER, MAP_FAILS, FROM_START = 0x10, 0x20, 0x40, 0x8000
CAPSET_CONTEXT_TYPE = 16


def guest_input(answers):
    out = b''
    for flags, edits in answers:
        pieces = [(off + i, data[i:i + 255]) for off, data in edits for i in range(0, len(data), 255)]
        assert len(pieces) <= 15
        out += bytes([flags | len(pieces)])
        out += b''.join(struct.pack('<HB', off, len(d)) + d for off, d in pieces)
    return out


def hostile_hosts(ctx):
    """(name, answers): a host lying once in each way a guest must notice."""
    other = (CONTEXTS.index(ctx) + 1) % len(CONTEXTS) + 1   # the next context's VIRTGPU_DRM_CONTEXT_*
    word = lambda v: struct.pack('<I', v)
    return [
        ('capset of another context', [(0, [(CAPSET_CONTEXT_TYPE, word(other))])]),
        ('GET_CAPS fails', [(FAIL_IOCTL, [])]),
        ('shmem blob fails', [HONEST, (FAIL_IOCTL, [])]),
        ('rsp_mem_offset past the shmem', [HONEST, (0, [(FROM_START | 4, word(0xfffffff0))])]),
        ('rsp_mem_offset unaligned', [HONEST, (0, [(FROM_START | 4, word(RSP_MEM_OFFSET[ctx] + 4))])]),
        ('seqno from the future', [HONEST, HONEST, (0, [(FROM_START, word(0x40000000))])]),
        ('seqno back to 0', [HONEST, HONEST, HONEST, (0, [(FROM_START, word(0))])]),
        ('shmem word 8 (async_error) bumped', [HONEST, HONEST, (0, [(FROM_START | 8, word(1))])]),
        ('first execbuffer fails', [HONEST, HONEST, (FAIL_IOCTL, [])]),
        ('response slot 0 claims 4 KiB', [HONEST, HONEST, (0, [(0, word(4096))])]),
        ('fences never signal', [HONEST, HONEST] + [(FENCE_NEVER, [])] * 16),
        ('shmem mapping fails', [HONEST, (MAP_FAILS, [])]),
        ('every buffer mapping fails', [HONEST, HONEST] + [(MAP_FAILS, [])] * 16),
    ]


# Guest harness over vtest (fuzz/vtest_host.h): byte 0 the context, then per read of the guest a
# control byte (bits 0-3 edits, bit 4 the server hangs up, bit 5 no answer in time, bit 6 no
# descriptor, bit 7 an empty memfd for it), each edit u8 target (0 the bytes read, 1 the shmem from
# its start, 2 from its response region), u16 offset, u8 length, bytes. Reads 0-2 are the answers of
# PING, RESOURCE_BUSY_WAIT and PROTOCOL_VERSION, 3-4 GET_CAPSET's header and body, 5-6 the shmem's
# RESOURCE_CREATE_BLOB and its descriptor, 7 GET_PARAM; the driver's own follow.
HANG_UP, STALL, NO_FD, EMPTY_FD = 0x10, 0x20, 0x40, 0x80
READ, SHMEM, RESPONSES = 0, 1, 2
VTEST_HDR = 8


def vtest_guest_input(ctx, reads):
    out = bytes([CONTEXTS.index(ctx)])
    for flags, edits in reads:
        assert len(edits) <= 15
        out += bytes([flags | len(edits)])
        out += b''.join(struct.pack('<BHB', target, off, len(d)) + d for target, off, d in edits)
    return out


def hostile_vtest_hosts(ctx):
    """(name, reads): a vtest server lying once in each way a guest must notice."""
    other = (CONTEXTS.index(ctx) + 1) % len(CONTEXTS) + 1
    word = lambda v: struct.pack('<I', v)
    honest = lambda n: [HONEST] * n
    return [
        ('honest', []),
        ('ping answered as another command', [(0, [(READ, 4, word(99))])]),
        ('protocol version 2', honest(2) + [(0, [(READ, VTEST_HDR, word(2))])]),
        ('capset of 1 GiB', honest(3) + [(0, [(READ, 0, word(1 << 28))])]),
        ('capset valid 0', honest(4) + [(0, [(READ, 0, word(0))])]),
        ('capset of another context', honest(4) + [(0, [(READ, 4 + CAPSET_CONTEXT_TYPE, word(other))])]),
        ('shmem resource id 0', honest(5) + [(0, [(READ, VTEST_HDR, word(0))])]),
        ('shmem without a descriptor', honest(6) + [(NO_FD, [])]),
        ('shmem descriptor empty', honest(6) + [(EMPTY_FD, [])]),
        ('rsp_mem_offset past the shmem', honest(6) + [(0, [(SHMEM, 4, word(0xfffffff0))])]),
        ('seqno from the future', honest(8) + [(0, [(SHMEM, 0, word(0x40000000))])]),
        ('shmem word 8 (async_error) bumped', honest(8) + [(0, [(SHMEM, 8, word(1))])]),
        ('response slot 0 claims 4 KiB', honest(8) + [(0, [(RESPONSES, 0, word(4096))])] * 8),
        ('every later descriptor empty', honest(8) + [(EMPTY_FD, [])] * 48),
        ('every later descriptor withheld', honest(8) + [(NO_FD, [])] * 48),
    ] + [('hangs up at read %d' % n, honest(n) + [(HANG_UP, [])]) for n in (0, 3, 6, 8, 12, 20)] \
      + [('no answer at read %d' % n, honest(n) + [(STALL, [])]) for n in (1, 4, 7, 10, 16)]


def slug(name):
    return re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')[:60]


class Corpus:
    def __init__(self):
        self.files = {}   # harness -> {filename: bytes}

    def add(self, harness, name, data):
        files = self.files.setdefault(harness, {})
        if data in files.values():
            return
        digest = hashlib.sha1(data).hexdigest()[:8]
        files['%s-%s' % (slug(name), digest)] = data


def build():
    c = Corpus()
    for ctx in CONTEXTS:
        for name, direction, data in messages(ctx):
            c.add(ctx + '-decoder', name, data)
            if direction == 'request':
                c.add(ctx + '-stream', name, bytes([0]) + data)
            else:
                # Over the first response slot at the first answer after the shmem's.
                c.add(ctx + '-guest', name, guest_input([HONEST, HONEST, (0, [(0, data)])]))
        for name, answers in hostile_hosts(ctx):
            c.add(ctx + '-guest', name, guest_input(answers))
        session = mesa_session(ctx)
        if session:
            c.add(ctx + '-stream', 'mesa session', bytes([0]) + session)
            c.add(ctx + '-stream', 'mesa session one per batch', bytes([ONE_PER_BATCH_FENCED]) + session)
        recorded = recorded_session(ctx)
        if recorded:
            c.add(ctx + '-stream', 'vdrm-guest session', bytes([0]) + recorded)
            c.add(ctx + '-stream', 'vdrm-guest session one per batch', bytes([ONE_PER_BATCH_FENCED]) + recorded)
        for name, reads in hostile_vtest_hosts(ctx):
            c.add('vtest-guest', ctx + ' ' + name, vtest_guest_input(ctx, reads))
    vt = messages('vtest')
    for name, direction, data in vt:
        c.add('vtest-decoder', name, data)
    # vtest: Mesa's handshake (the first CREATE_RENDERER, PROTOCOL_VERSION, GET_CAPSET, CONTEXT_INIT,
    # the shared buffer, two syncobjs), then each other request, and all of them as one session.
    requests = [(n, d) for n, direction, d in vt if direction == 'request' and n.startswith('vector ')]
    def first(words):
        return next(d for n, d in requests if all(w in n for w in words))
    handshake = [first(['CREATE_RENDERER']), first(['PROTOCOL_VERSION request']), first(['GET_CAPSET']),
                 first(['CONTEXT_INIT']), first(['blob_id 0']), first(['DRM_SYNC_CREATE', 'unsignalled']),
                 first(['DRM_SYNC_CREATE', 'SIGNALED'])]
    rest = [(n, d) for n, d in requests if d not in handshake and 'CREATE_RENDERER' not in n]
    hello = b''.join(handshake)
    session = hello + b''.join(d for n, d in rest)
    for i, ctx in enumerate(CONTEXTS):
        c.add('vtest', 'session on ' + ctx, bytes([i]) + session)
        c.add('vtest', 'handshake on ' + ctx, bytes([i]) + hello)
    for name, data in rest:
        c.add('vtest', name, bytes([0]) + hello + data)
    return c.files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--check', action='store_true', help='fail unless fuzz/corpus/ is current')
    args = ap.parse_args()
    root = os.path.join(HERE, 'corpus')
    want = build()
    stale = []
    for harness, files in sorted(want.items()):
        d = os.path.join(root, harness)
        have = set(os.listdir(d)) if os.path.isdir(d) else set()
        for name, data in files.items():
            path = os.path.join(d, name)
            if name in have:
                with open(path, 'rb') as f:
                    if f.read() == data:
                        continue
            stale.append(path)
            if not args.check:
                os.makedirs(d, exist_ok=True)
                with open(path, 'wb') as f:
                    f.write(data)
        for name in sorted(have - set(files)):
            stale.append(os.path.join(d, name))
            if not args.check:
                os.remove(os.path.join(d, name))
    extra = set(os.listdir(root)) - set(want) if os.path.isdir(root) else set()
    stale += [os.path.join(root, e) for e in sorted(extra)]
    if args.check:
        if stale:
            print('fuzz/corpus is not current (run fuzz/make_corpus.py): %d file(s), e.g. %s'
                  % (len(stale), os.path.relpath(stale[0], HERE)))
            return 1
        print('fuzz/corpus: %d harnesses, %d files, current'
              % (len(want), sum(len(f) for f in want.values())))
        return 0
    print('fuzz/corpus: %d harnesses, %d files (%d written or removed)'
          % (len(want), sum(len(f) for f in want.values()), len(stale)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
