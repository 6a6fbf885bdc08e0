#!/bin/sh
# Builds tests/consumer against this source tree as a meson subproject.
set -eu
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$src/tests/consumer/meson.build" "$src/tests/consumer/consumer.c" "$work/"
mkdir "$work/subprojects"
ln -s "$src" "$work/subprojects/vdrm-protocol"
meson setup "$work/build" "$work" >/dev/null
ninja -C "$work/build" >/dev/null
"$work/build/consumer"
echo "ok: consumer built and ran against vdrm-protocol as a subproject"
