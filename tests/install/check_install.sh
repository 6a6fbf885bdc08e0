#!/bin/sh
# Installs the build into a scratch DESTDIR and builds a consumer from the
# installed headers, library and vdrm-protocol.pc alone (no source tree).
# Usage: CC=compiler check_install.sh BUILD_DIR CODEC_CONSUMER_C HOST_CONSUMER_C [CFLAGS...]
set -eu
build=$1 consumer=$2 host_consumer=$3
shift 3
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --no-rebuild --destdir "$dest" --quiet
pc=$(find "$dest" -name vdrm-protocol.pc)
[ -n "$pc" ] || { echo "vdrm-protocol.pc not installed" >&2; exit 1; }
# vdrm-host.pc requires libdrm when the build has the drm backend: the system's libdrm.pc stays visible.
libdrm_pc=$(pkg-config --variable=pcfiledir libdrm 2>/dev/null || true)
export PKG_CONFIG_PATH="$(dirname "$pc")${libdrm_pc:+:$libdrm_pc}" PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_LIBDIR=
for f in vdrm-wire vdrm-host msm_proto.h vdrm_codec.h msm.md; do
  find "$dest" -name "$f" | grep -q . || { echo "$f not installed" >&2; exit 1; }
done
# shellcheck disable=SC2046,SC2086
${CC:-cc} -std=c11 -Wall -Wextra -Werror "$@" -o "$dest/consumer" "$consumer" \
  $(pkg-config --cflags --libs vdrm-protocol)
"$dest/consumer"
# shellcheck disable=SC2046,SC2086
${CC:-cc} -std=c11 -Wall -Wextra -Werror "$@" -o "$dest/host_consumer" "$host_consumer" \
  $(pkg-config --cflags --libs vdrm-host)
"$dest/host_consumer"
