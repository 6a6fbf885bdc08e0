#!/bin/sh
# Compiles the generated wire headers for x86-64 and i386 with -Wpadded, and
# with ENABLE_DRM_AMDGPU against libdrm's amdgpu.h, so the static asserts of
# both ABIs and both capset variants are checked.
set -eu
cc=${CC:-cc}
inc=$1
src=$2
runtime=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for abi in -m64 -m32; do
  $cc $abi -std=c11 -Wall -Wextra -Werror -Wpadded -I"$inc" -c "$src" -o "$out/h.o"
  echo "ok: wire headers $abi"
  # Mesa's natural-alignment declarations: the same offsets and sizes (asserted).
  $cc $abi -std=c11 -Wall -Wextra -Werror -Wpadded -DVDRM_NATURAL_ALIGNMENT -I"$inc" -c "$src" -o "$out/h.o"
  echo "ok: wire headers $abi with VDRM_NATURAL_ALIGNMENT"
done
if [ -f /usr/include/libdrm/amdgpu.h ]; then
  $cc -std=c11 -Wall -Wextra -Werror -DENABLE_DRM_AMDGPU -I/usr/include/libdrm -I"$inc" -c "$src" -o "$out/h.o"
  echo "ok: wire headers with ENABLE_DRM_AMDGPU"
fi
for f in "$inc"/*_codec.h; do
  printf '#include "%s"\n' "$(basename "$f")" > "$out/c.c"
  $cc -m32 -std=c11 -Wall -Wextra -Werror -I"$inc" -I"$runtime" -c "$out/c.c" -o "$out/c.o"
  $cc -m64 -std=c11 -Wall -Wextra -Werror -I/usr/include/libdrm -I"$inc" -I"$runtime" -c "$out/c.c" -o "$out/c.o"
  echo "ok: $(basename "$f") on i386, and x86-64 against the system UAPI headers"
done
