#!/bin/bash -eu
# SPDX-License-Identifier: MIT
#
# OSS-Fuzz build of every fuzz harness (fuzz/README.md). Honours the
# variables OSS-Fuzz sets, exactly as it sets them:
#   CC CXX CFLAGS CXXFLAGS   compilers and flags (sanitizer and coverage included)
#   LIB_FUZZING_ENGINE       what a fuzzer links with (-fsanitize=fuzzer, libAFLDriver, ...)
#   SRC                      where the project was cloned ($SRC/vdrm-protocol)
#   OUT                      where each fuzzer goes, with <fuzzer>_seed_corpus.zip,
#                            <fuzzer>.dict and <fuzzer>.options
#   FUZZING_ENGINE           optional: the custom mutator only with libfuzzer
#   WORK                     optional: scratch directory for objects
# No meson or Python needed: plain compiler calls over the checked-in
# generated sources and corpora.

: "${CC:?}" "${CXX:?}" "${CFLAGS?}" "${CXXFLAGS?}" "${LIB_FUZZING_ENGINE:?}" "${OUT:?}" "${SRC:?}"
ROOT=${VDRM_ROOT:-$SRC/vdrm-protocol}
OBJ=${WORK:-/tmp}/vdrm-fuzz-obj
ENGINE=${FUZZING_ENGINE:-libfuzzer}

INC="-I$ROOT/generated/include -I$ROOT/runtime -I$ROOT/reference-host/include -I$ROOT/reference-host/core
     -I$ROOT/reference-host/backend -I$ROOT/reference-host/backend/sim -I$ROOT/reference-host/backend/sim/asahi
     -I$ROOT/reference-host/util -I$ROOT/reference-host/transport -I$ROOT/fuzz -I$ROOT/tests/common
     -I$ROOT/reference-guest/include -I$ROOT/reference-guest/lib -I$ROOT/reference-guest/drivers
     $(pkg-config --cflags libdrm 2>/dev/null || echo -I/usr/include/libdrm)"
STD="-std=c11 -D_FILE_OFFSET_BITS=64"

# Everything but the harnesses: codecs, runtime, the host on its sim backends,
# the vtest transport, the reference guest (libdrm's headers only), the
# harnesses' shared code and the generated mutators.
shopt -s nullglob
LIB_SOURCES=(
  "$ROOT"/generated/src/*_codec.c "$ROOT"/generated/src/*_reflect.c "$ROOT"/generated/src/vdrm_contexts.c
  "$ROOT"/runtime/vdrm_codec.c
  "$ROOT"/reference-host/util/*.c "$ROOT"/reference-host/core/*.c "$ROOT"/reference-host/handlers/*.c
  "$ROOT"/reference-host/backend/sim/*.c "$ROOT"/reference-host/backend/sim/*/*.c
  "$ROOT"/reference-host/transport/*.c
  "$ROOT"/fuzz/contexts.c "$ROOT"/fuzz/guest.c "$ROOT"/fuzz/input.c "$ROOT"/fuzz/views.c "$ROOT"/fuzz/vtest_server.c "$ROOT"/tests/common/reencode.c
  "$ROOT"/reference-guest/lib/*.c "$ROOT"/reference-guest/drivers/*.c "$ROOT"/fuzz/virtgpu_host.c "$ROOT"/fuzz/vtest_host.c
)
MUTATOR_SOURCES=("$ROOT"/runtime/vdrm_mutate.c "$ROOT"/generated/src/*_mutator.c)
if [ "$ENGINE" = libfuzzer ] && [ -e "$ROOT/runtime/vdrm_mutate.c" ]; then
  LIB_SOURCES+=("${MUTATOR_SOURCES[@]}")
  MUTATE=1
else
  MUTATE=0
fi

rm -rf "$OBJ"
mkdir -p "$OBJ" "$OUT"
objs=()
for src in "${LIB_SOURCES[@]}"; do
  o=$OBJ/$(echo "${src#$ROOT/}" | tr / _).o
  # shellcheck disable=SC2086
  $CC $CFLAGS $STD $INC -c "$src" -o "$o"
  objs+=("$o")
done
ar rcs "$OBJ/libvdrm-fuzz.a" "${objs[@]}"

# fuzz/harnesses.txt: name, harness source, protocol, the custom mutator's protocol (- for none), bytes before its stream
while read -r name source proto mutator skip; do
  defs="-DFUZZ_CONTEXT=\"$proto\""
  srcs=("$ROOT/fuzz/$source")
  if [ "$MUTATE" = 1 ] && [ "$mutator" != - ]; then
    srcs+=("$ROOT/fuzz/mutator.c")
    defs="$defs -DFUZZ_MUTATOR=\"$mutator\" -DFUZZ_SKIP=$skip"
  fi
  hobjs=()
  for src in "${srcs[@]}"; do
    o=$OBJ/$name-$(basename "$src" .c).o
    # shellcheck disable=SC2086
    $CC $CFLAGS $STD $INC $defs -c "$src" -o "$o"
    hobjs+=("$o")
  done
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "${hobjs[@]}" "$OBJ/libvdrm-fuzz.a" $LIB_FUZZING_ENGINE -o "$OUT/vdrm-$name"

  ctx=${proto}
  rm -f "$OUT/vdrm-${name}_seed_corpus.zip"
  (cd "$ROOT/fuzz/corpus/$name" && zip -q -j "$OUT/vdrm-${name}_seed_corpus.zip" ./*)
  if [ -d "$ROOT/fuzz/regressions/$name" ]; then
    (cd "$ROOT/fuzz/regressions/$name" && zip -q -j "$OUT/vdrm-${name}_seed_corpus.zip" ./*)
  fi
  cp "$ROOT/generated/fuzz/$ctx.dict" "$OUT/vdrm-$name.dict"
  cat > "$OUT/vdrm-$name.options" <<OPTIONS
[libfuzzer]
dict = vdrm-$name.dict
max_len = 65536
OPTIONS
done < <(grep -v '^#' "$ROOT/fuzz/harnesses.txt")
