#!/bin/sh
# SPDX-License-Identifier: MIT
#
# fuzz/coverage.sh [DIR...]: the line coverage the fuzz corpora reach, with
# clang's source-based coverage (-fprofile-instr-generate -fcoverage-mapping)
# in build-cov/. Every harness's replay program runs over fuzz/corpus,
# fuzz/regressions and the DIRs given (e.g. a corpus a long fuzzing run
# grew, build-fuzz/fuzz-corpus); llvm-cov then reports, over every harness
# together, the generated decoders (generated/src/*_codec.c), the runtime
# (runtime/vdrm_codec.c), the host handlers (reference-host/handlers/*.c)
# the vtest session (reference-host/transport/session.c), the reference
# guest's device, its virtio-gpu and vtest transports and its driver layers
# (the guest harnesses), and the decode functions alone (llvm-cov show -name-regex).
# The per-file table goes to build-cov/coverage.txt.
set -eu
cd "$(dirname "$0")/.."
export PATH="/usr/bin:$PATH"
cov=-fprofile-instr-generate\ -fcoverage-mapping
if [ ! -d build-cov ]; then
   CC=clang meson setup build-cov -Dtests=false -Dc_args="$cov" -Dc_link_args="$cov"
fi
replays=$(grep -v '^#' fuzz/harnesses.txt | while read -r name rest; do echo "fuzz/fuzz-$name-replay"; done)
# shellcheck disable=SC2086
ninja -C build-cov $replays
rm -rf build-cov/profiles
mkdir -p build-cov/profiles
inputs="fuzz/corpus"
[ -d fuzz/regressions ] && inputs="$inputs fuzz/regressions"
objects=""
for r in $replays; do
   name=$(basename "$r" -replay)
   # shellcheck disable=SC2086
   LLVM_PROFILE_FILE=build-cov/profiles/$name.profraw "build-cov/$r" $inputs "$@" > /dev/null
   # llvm-cov takes the first binary as is, the others after -object.
   objects="$objects${objects:+ -object} build-cov/$r"
done
llvm-profdata merge -sparse build-cov/profiles/*.profraw -o build-cov/profiles/all.profdata

# shellcheck disable=SC2086
llvm-cov report -instr-profile=build-cov/profiles/all.profdata -ignore-filename-regex='^/usr/' $objects > build-cov/coverage.txt

# The line total of the files of the per-file table whose name matches an ERE: "covered/lines (percent)".
group() {
   awk -v re="$1" '$1 ~ re { lines += $8; missed += $9 }
      END { printf "%d/%d lines (%.1f%%)\n", lines - missed, lines, lines ? 100 * (lines - missed) / lines : 0 }' \
      build-cov/coverage.txt
}
echo "generated decoders (generated/src/*_codec.c):        $(group '^generated/src/[a-z0-9]+_codec[.]c$')"
# The decode functions alone (the codec files also hold encoders, sizes and dispatch rows).
# shellcheck disable=SC2086
llvm-cov show -instr-profile=build-cov/profiles/all.profdata $objects -name-regex='_(req|rsp)_decode$' \
   > build-cov/coverage-decoders.txt
echo "  of which the decode functions:                   $(awk -F'|' 'NF >= 3 && $2 ~ /[0-9]/ { n++; gsub(/ /, "", $2); z += $2 == "0" }
   END { printf "%d/%d lines (%.1f%%)", n - z, n, n ? 100 * (n - z) / n : 0 }' build-cov/coverage-decoders.txt)"
echo "codec runtime (runtime/vdrm_codec.c):                $(group '^runtime/vdrm_codec[.]c$')"
echo "host handlers (reference-host/handlers/*.c):         $(group '^reference-host/handlers/')"
echo "vtest session (reference-host/transport/session.c):  $(group '^reference-host/transport/session[.]c$')"
echo "reference guest (reference-guest/lib/device.c, virtgpu.c): $(group '^reference-guest/lib/(device|virtgpu)[.]c$')"
echo "guest vtest transport (reference-guest/lib/vtest.c):  $(group '^reference-guest/lib/vtest[.]c$')"
echo "guest driver layers (reference-guest/drivers/*.c):   $(group '^reference-guest/drivers/')"
echo "per file: build-cov/coverage.txt; decode functions line by line: build-cov/coverage-decoders.txt"
