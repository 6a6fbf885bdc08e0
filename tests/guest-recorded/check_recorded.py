#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The checked-in recordings (tests/guest-recorded/NAME.bin: the exact ccmd
stream `vdrm-guest --spawn-host --frames 4 --record` sends for each context,
seeds of the fuzz stream corpora) are what the current guest records, and
vdrm-wire decodes each cleanly. With --write, records them anew.

   check_recorded.py VDRM_GUEST VDRM_WIRE [--write]
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FRAMES = '4'


def record(guest, ctx, path):
    subprocess.run([guest, '--spawn-host', '--context', ctx, '--frames', FRAMES, '--record', path],
                   check=True, stdout=subprocess.DEVNULL)


def main():
    guest, wire = sys.argv[1], sys.argv[2]
    write = '--write' in sys.argv[3:]
    contexts = subprocess.run([guest, '--list-contexts'], check=True, capture_output=True,
                              text=True).stdout.split()
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for ctx in contexts:
            want = os.path.join(HERE, ctx + '.bin')
            got = os.path.join(tmp, ctx + '.bin')
            record(guest, ctx, got)
            subprocess.run([wire, 'validate', '--context', ctx, got], check=True,
                           stdout=subprocess.DEVNULL)
            with open(got, 'rb') as f:
                data = f.read()
            if write:
                with open(want, 'wb') as f:
                    f.write(data)
                continue
            if not os.path.exists(want) or open(want, 'rb').read() != data:
                stale.append(ctx)
    if stale:
        print('tests/guest-recorded: %s not what vdrm-guest records now (run %s %s %s --write, '
              'then fuzz/make_corpus.py)' % (', '.join(stale), sys.argv[0], guest, wire))
        return 1
    print('tests/guest-recorded: %d contexts current' % len(contexts))
    return 0


if __name__ == '__main__':
    sys.exit(main())
