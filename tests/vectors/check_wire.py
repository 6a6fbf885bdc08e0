#!/usr/bin/env python3
"""Conformance vectors through vdrm-wire: for every vector, decoding its bytes
gives its value, and encoding its value gives its bytes. A vector whose bytes
hold garbage in fields the host ignores lists them ("ignored"): decoding,
which shows what the host sees, gives them as zero; encoding writes what the
value says, garbage included.

A response whose vector gives the request it answers ("request", hex) is
decoded and encoded with --request, so its payload is typed by that request
(tests/vectors/typed_values.py derives those values).

usage: check_wire.py VDRM_WIRE FILE.json...
"""

import json
import subprocess
import sys


def run(wire, verb, context, command, response, data, request=None):
    args = [wire, verb, "--context", context]
    if response:
        args += ["--response", command]
    if request is not None:
        args += ["--request", request]
    r = subprocess.run(args, input=data, capture_output=True, check=False)
    if r.returncode != 0:
        raise AssertionError(f"vdrm-wire {verb} failed: {r.stderr.decode().strip()}")
    return r.stdout


def check(wire, path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    failures = 0
    for v in doc["vectors"]:
        response = v["direction"] == "response"
        request = v.get("request")
        raw = bytes.fromhex(v["hex"])
        where = f"{path}: {v['name']}"
        try:
            if request is not None and not response:
                raise AssertionError("only a response names its request")
            decoded = json.loads(run(wire, "decode", doc["context"], v["command"], response, raw,
                                     request))
            want = dict(v["value"], **{f: 0 for f in v.get("ignored", [])})
            if decoded != [want]:
                raise AssertionError(f"decodes to {json.dumps(decoded[0] if decoded else None)}")
            encoded = run(wire, "encode", doc["context"], v["command"], response,
                          json.dumps([v["value"]]).encode(), request)
            if encoded != raw:
                raise AssertionError(f"encodes to {encoded.hex()}")
        except AssertionError as e:
            print(f"FAIL {where}: {e}")
            failures += 1
    print(f"{path}: {len(doc['vectors']) - failures} of {len(doc['vectors'])} vectors round-trip")
    return failures


def main():
    wire = sys.argv[1]
    failures = sum(check(wire, p) for p in sys.argv[2:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
