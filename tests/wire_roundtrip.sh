#!/bin/sh
# vdrm-wire contract: JSON -> bytes -> JSON -> bytes is exact, validate
# accepts the stream, and a corrupted stream is rejected with its offset.
set -eu
wire=$1
json=$2
ctx=$3
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
