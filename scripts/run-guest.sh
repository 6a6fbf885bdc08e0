#!/bin/sh
# The reference guest's main job: installs dependencies, builds, and runs
# vdrm-guest's frame loop for every context it supports against a private
# vdrm-host (--spawn-host), printing each summary. FRAMES=N changes the
# number of frames (default 100); the exit status is 1 if any context failed.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
export PATH="/usr/bin:$PATH"
meson setup build --reconfigure >/dev/null 2>&1 || meson setup build
ninja -C build
guest=./build/reference-guest/vdrm-guest
status=0
for ctx in $("$guest" --list-contexts); do
  "$guest" --spawn-host --context "$ctx" --frames "${FRAMES:-100}" || status=1
done
exit "$status"
