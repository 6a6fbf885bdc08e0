#!/bin/sh
# The main job end to end: install dependencies, regenerate generated/ from
# spec/, build the codecs and vdrm-wire, and round-trip every conformance
# vector of every context (and a stream of every msm message) through vdrm-wire.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
export PATH="/usr/bin:$PATH"
python3 generator/vdrm-gen
meson setup build --reconfigure >/dev/null 2>&1 || meson setup build
ninja -C build
wire=./build/tools/vdrm-wire/vdrm-wire
"$wire" encode --context msm tests/data/msm_all.json > build/msm_all.bin
"$wire" validate --context msm build/msm_all.bin
"$wire" decode --context msm build/msm_all.bin
python3 tests/vectors/check_wire.py "$wire" tests/vectors/*.json
