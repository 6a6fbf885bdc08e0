#!/bin/sh
# An unmodified Turnip (Mesa >= 25.1, vtest mode) against vdrm-host.
#
#   scripts/turnip-vulkaninfo.sh TURNIP_DIR [BUILD_DIR] [PROFILE]
#
# TURNIP_DIR is a tree built by ../shared/interop/build-turnip.sh (it holds
# turnip_icd.json and, under build/, Mesa's freedreno noop drm-shim, which
# fakes the render node Turnip enumerates before it talks vtest). BUILD_DIR
# (default build) holds vdrm-host; PROFILE (default a630) is its msm profile
# and picks FD_GPU_ID. Starts `vdrm-host --context msm` on vtest's default
# socket, /tmp/.virgl_test (Mesa hard-codes it), runs `vulkaninfo --summary`
# with FD_FORCE_VTEST=1, stops the host with SIGTERM and prints what the host
# logged. Exits with vulkaninfo's status. Not part of CI: building Turnip
# takes minutes.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 TURNIP_DIR [BUILD_DIR] [a630|a740]" >&2; exit 2; }
turnip=$(cd "$1" && pwd)
build=${2:-build}
profile=${3:-a630}
socket=/tmp/.virgl_test
host="$build/reference-host/vdrm-host"

icd="$turnip/turnip_icd.json"
shim=$(find "$turnip/build" -name libfreedreno_noop_drm_shim.so 2>/dev/null | head -n 1)
if [ ! -f "$icd" ] || [ -z "$shim" ]; then
  echo "$turnip: no turnip_icd.json or noop drm-shim (build it first)" >&2
  exit 2
fi
[ -x "$host" ] || { echo "$host missing: build the project first (meson setup $build && ninja -C $build)" >&2; exit 2; }
command -v vulkaninfo >/dev/null || { echo "vulkaninfo missing (apt-get install vulkan-tools)" >&2; exit 2; }
[ ! -S "$socket" ] || { echo "$socket exists: another vtest server is running" >&2; exit 2; }
case $profile in
  a630) gpu_id=630 ;;
  a740) gpu_id=740 ;;
  *) echo "unknown profile $profile" >&2; exit 2 ;;
esac

log=$(mktemp)
"$host" --context msm --profile "$profile" --verbose --socket "$socket" 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
i=0
while [ ! -S "$socket" ]; do
  i=$((i + 1))
  if [ $i -gt 50 ] || ! kill -0 "$pid" 2>/dev/null; then
    cat "$log" >&2
    echo "vdrm-host did not start" >&2
    exit 1
  fi
  sleep 0.1
done

status=0
env LD_PRELOAD="$shim" FD_GPU_ID="$gpu_id" FD_FORCE_VTEST=1 TU_DEBUG=startup \
    VK_ICD_FILENAMES="$icd" VK_DRIVER_FILES="$icd" vulkaninfo --summary || status=$?

kill -TERM "$pid"
wait "$pid" || echo "vdrm-host exited with status $?" >&2
[ ! -S "$socket" ] || echo "warning: vdrm-host left $socket behind" >&2
echo "--- vdrm-host log ---"
cat "$log"
exit "$status"
