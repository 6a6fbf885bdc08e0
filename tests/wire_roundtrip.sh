#!/bin/sh
# vdrm-wire contract: JSON -> bytes -> JSON -> bytes is exact, validate
# accepts the stream, and a corrupted stream is rejected with its offset.
# TEXT_HEX, if given, is a stream (as hex) whose text items are not UTF-8:
# they must decode to {"hex": ...} and encode back to the same bytes.
# usage: wire_roundtrip.sh VDRM_WIRE FILE.json CONTEXT [TEXT_HEX]
set -eu
wire=$1
json=$2
ctx=$3
text_hex=${4:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$wire" encode --context "$ctx" "$json" > "$out/a.bin"
"$wire" validate --context "$ctx" "$out/a.bin"
"$wire" decode --context "$ctx" < "$out/a.bin" > "$out/a.json"
"$wire" encode --context "$ctx" "$out/a.json" > "$out/b.bin"
cmp "$out/a.bin" "$out/b.bin"
"$wire" decode --context "$ctx" "$out/b.bin" > "$out/b.json"
cmp "$out/a.json" "$out/b.json"
echo "ok: $(wc -c < "$out/a.bin") bytes round-trip"
# Truncate the stream by 4 bytes: the last message must be reported.
head -c $(( $(wc -c < "$out/a.bin") - 4 )) "$out/a.bin" > "$out/c.bin"
if "$wire" validate --context "$ctx" "$out/c.bin" 2> "$out/err"; then
  echo "truncated stream was accepted"; exit 1
fi
grep -q "offset" "$out/err"
echo "ok: truncated stream rejected: $(cat "$out/err")"
if [ -n "$text_hex" ]; then
  python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(open(sys.argv[1]).read()))' \
    "$text_hex" > "$out/t.bin"
  "$wire" decode --context "$ctx" "$out/t.bin" > "$out/t.json"
  # Hex form only for bytes that are not UTF-8, and at least once.
  python3 - "$out/t.json" <<'PY'
import json, sys
def hexed(v):
    if isinstance(v, dict):
        if set(v) == {"hex"}:
            yield bytes.fromhex(v["hex"])
        else:
            for x in v.values():
                yield from hexed(x)
    elif isinstance(v, list):
        for x in v:
            yield from hexed(x)
found = list(hexed(json.load(open(sys.argv[1], encoding="utf-8"))))
assert found, "no text item shown as {\"hex\": ...}"
for b in found:
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        continue
    raise AssertionError(f"valid UTF-8 {b!r} shown as hex")
PY
  "$wire" encode --context "$ctx" "$out/t.json" > "$out/t2.bin"
  cmp "$out/t.bin" "$out/t2.bin"
  echo "ok: non-UTF-8 text round-trips as hex: $(grep -o '"[a-z_]*": {"hex": "[0-9a-f]*"}' "$out/t.json" | tr '\n' ' ')"
fi
