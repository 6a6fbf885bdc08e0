#!/bin/sh
# The whole test suite, from a fresh checkout: installs dependencies, builds
# under ASan+UBSan and runs `meson test`.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
# Debian's python3 (with python3-jinja2) rather than any other on PATH.
export PATH="/usr/bin:$PATH"
rm -rf build-test
# Mesa's noop drm-shims, so the drm backend's tests run (SKIP_DRM_SHIMS=1: not).
# A failed shim build (no network, no deb-src) only costs those tests.
set --
if [ "${SKIP_DRM_SHIMS:-0}" = 1 ]; then
  echo "WARNING: SKIP_DRM_SHIMS=1: the drm backend is NOT tested (host-drm-backend skips)"
elif bash scripts/build-drm-shims.sh build-test-shims; then
  set -- "-Ddrm-shim-dir=$(pwd)/build-test-shims"
else
  echo "WARNING: the drm-shims could not be built (see above):"
  echo "WARNING: the drm backend is NOT tested (host-drm-backend skips)"
fi
meson setup build-test -Db_sanitize=address,undefined -Db_lundef=false "$@"
ninja -C build-test
status=0
meson test -C build-test --print-errorlogs > build-test/test-summary.txt 2>&1 || status=$?
cat build-test/test-summary.txt
ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' build-test/test-summary.txt)
failed=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' build-test/test-summary.txt)
echo "${ok:-0} passed, ${failed:-0} failed"
[ $# -gt 0 ] || echo "WARNING: the drm backend was NOT tested (no drm-shims)"
exit "$status"
