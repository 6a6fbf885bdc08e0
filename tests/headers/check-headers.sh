#!/bin/sh
# Compiles the generated wire headers for x86-64 and i386 with -Wpadded, and
# with ENABLE_DRM_AMDGPU against libdrm's amdgpu.h; every wire struct's
# static asserts state one layout, the LP64 one, so both ABIs must give it.
# Then abi_layout.py compares the size and every member offset of every wire
# struct on -m64 and -m32 with the LP64 layout of the spec (a table of
# sizeof/offsetof compiled for each ABI, not the headers' own asserts), the
# codecs are compiled for i386 too, and the conformance vectors go through
# the codecs of both ABIs.
#
# usage: check-headers.sh INCLUDE_DIR WIRE_HEADERS_C RUNTIME_DIR [PYTHON]
set -eu
cc=${CC:-cc}
inc=$1
src=$2
runtime=$3
python=${4:-python3}
here=$(dirname "$0")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for abi in -m64 -m32; do
  $cc $abi -std=c11 -Wall -Wextra -Werror -Wpadded -I"$inc" -c "$src" -o "$out/h.o"
  echo "ok: wire headers $abi"
  # Mesa's natural-alignment declarations: the same offsets and sizes (asserted).
  $cc $abi -std=c11 -Wall -Wextra -Werror -Wpadded -DVDRM_NATURAL_ALIGNMENT -I"$inc" -c "$src" -o "$out/h.o"
  echo "ok: wire headers $abi with VDRM_NATURAL_ALIGNMENT"
  if [ -f /usr/include/libdrm/amdgpu.h ]; then
    $cc $abi -std=c11 -Wall -Wextra -Werror -DENABLE_DRM_AMDGPU -I/usr/include/libdrm -I"$inc" -c "$src" -o "$out/h.o"
    echo "ok: wire headers $abi with ENABLE_DRM_AMDGPU"
  fi
done
for f in "$inc"/*_codec.h; do
  printf '#include "%s"\n' "$(basename "$f")" > "$out/c.c"
  for abi in -m32 -m64; do
    $cc $abi -std=c11 -Wall -Wextra -Werror -I"$inc" -I"$runtime" -c "$out/c.c" -o "$out/c.o"
    $cc $abi -std=c11 -Wall -Wextra -Werror -I/usr/include/libdrm -I"$inc" -I"$runtime" -c "$out/c.c" -o "$out/c.o"
  done
  echo "ok: $(basename "$f") on x86-64 and i386, with and without the system UAPI headers"
done
# The codecs read and write through sizeof/offsetof of these structs: compiled
# for i386 they handle the same bytes (abi_layout.py checks the layouts).
for f in "$inc"/../src/*_codec.c; do
  $cc -m32 -std=c11 -Wall -Wextra -Werror -I"$inc" -I"$runtime" -c "$f" -o "$out/c.o"
  $cc -m32 -std=c11 -Wall -Wextra -Werror -I/usr/include/libdrm -I"$inc" -I"$runtime" -c "$f" -o "$out/c.o"
done
echo "ok: codecs on i386, with and without the system UAPI headers"
CC=$cc "$python" "$here/abi_layout.py" "$inc" "$cc"
# Through the codecs: every conformance vector decoded and re-encoded by an
# x86-64 and an i386 build, which must read the same values and write the
# vectors' bytes (abi_vectors.c). Running the i386 build needs a kernel that
# runs i386 programs; without one this part is skipped (the layouts are
# still checked above).
"$python" "$here/abi_vectors.py" "$out/vectors.c" "$here"/../vectors/*.json
for abi in -m64 -m32; do
  $cc $abi -std=c11 -Wall -Wextra -Werror -I"$inc" -I"$runtime" -I"$here/../common" -o "$out/vectors$abi" \
    "$here/abi_vectors.c" "$out/vectors.c" "$inc"/../src/*.c "$runtime"/vdrm_codec.c "$here/../common/ignored.c"
done
if ! "$out/vectors-m64" > "$out/vectors-m64.txt"; then
  grep -B20 FAIL "$out/vectors-m64.txt" | head -60
  echo "FAIL: the x86-64 codecs do not round-trip the vectors"
  exit 1
fi
printf 'int main(void) { return 0; }\n' > "$out/probe.c"
$cc -m32 -o "$out/probe" "$out/probe.c"
if ! "$out/probe" 2>/dev/null; then
  echo "skip: this system does not run i386 programs; the codecs' i386 round trip is not checked"
  exit 0
fi
if ! "$out/vectors-m32" > "$out/vectors-m32.txt"; then
  grep -B20 FAIL "$out/vectors-m32.txt" | head -60
  echo "FAIL: the i386 codecs do not round-trip the vectors"
  exit 1
fi
if ! diff -u "$out/vectors-m64.txt" "$out/vectors-m32.txt"; then
  echo "FAIL: the i386 codecs read the vectors differently"
  exit 1
fi
echo "ok: $(tail -n 1 "$out/vectors-m32.txt") through the codecs, the same on x86-64 and i386"
