#!/bin/sh
# The whole test suite, from a fresh checkout: installs dependencies, builds
# under ASan+UBSan and runs `meson test`.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
# Debian's python3 (with python3-jinja2) rather than any other on PATH.
export PATH="/usr/bin:$PATH"
rm -rf build-test
meson setup build-test -Db_sanitize=address,undefined -Db_lundef=false
ninja -C build-test
status=0
meson test -C build-test --print-errorlogs > build-test/test-summary.txt 2>&1 || status=$?
cat build-test/test-summary.txt
ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' build-test/test-summary.txt)
failed=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' build-test/test-summary.txt)
echo "${ok:-0} passed, ${failed:-0} failed"
exit "$status"
