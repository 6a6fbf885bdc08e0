#!/usr/bin/env bash
# Builds Mesa's noop drm-shims that the drm backend's tests run under
# (reference-host/README.md, "Running it without a GPU") from Debian 12's
# mesa source package, and copies them into DIR:
#
#   bash scripts/build-drm-shims.sh DIR
#
# Built: libfreedreno_, libintel_ and libpanfrost_noop_drm_shim.so. Not built:
# the amdgpu and asahi shims; Debian 12's Mesa (22.3.6) has no source for them.
# Needs apt (root or sudo) for the build dependencies and, when no mesa source
# package is offered, to enable bookworm's deb-src. Everything else is cached in
# ${XDG_CACHE_HOME:-$HOME/.cache}/vdrm-protocol/mesa-VERSION; a second run only
# copies. JOBS (default: nproc) sets ninja's parallelism. Exits non-zero, naming
# the step and its log, when a step fails.
set -euo pipefail

# Debian's python3 (with python3-mako) must be the one Mesa's meson finds.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export DEBIAN_FRONTEND=noninteractive

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
CACHE_ROOT=${XDG_CACHE_HOME:-$HOME/.cache}/vdrm-protocol
JOBS=${JOBS:-$(nproc)}
T0=$SECONDS

say() { echo "drm-shims: $*"; }
die() { echo "drm-shims: ERROR: $*" >&2; exit 1; }

# step NAME LOG CMD...: runs CMD with its output in LOG, one line with the time.
step() {
  local name=$1 log=$2 t=$SECONDS
  shift 2
  mkdir -p "$(dirname "$log")"
  if ! "$@" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "$name failed after $((SECONDS - t)) s (log: $log)"
  fi
  say "$name: done in $((SECONDS - t)) s"
}

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "not root and no sudo: cannot run apt-get"
  SUDO=(sudo -E)
fi
APT_OPTS=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=2 -o APT::Update::Error-Mode=any -q)

# 1. Build dependencies of the shim targets only: what Mesa's meson setup looks
#    for with everything else off (python3-mako, whose version check imports
#    distutils; expat; libdrm; bison and flex for the configured drivers'
#    parsers), and dpkg-dev for apt-get source.
PKGS="dpkg-dev meson ninja-build pkg-config gcc g++ python3 python3-mako python3-distutils
      bison flex libdrm-dev libexpat1-dev"
missing=()
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt: installing ${missing[*]}"
  step "apt-get update" "$CACHE_ROOT/logs/apt-update.log" "${SUDO[@]}" apt-get "${APT_OPTS[@]}" update
  step "apt-get install" "$CACHE_ROOT/logs/apt-install.log" \
    "${SUDO[@]}" apt-get "${APT_OPTS[@]}" -y install --no-install-recommends "${missing[@]}"
else
  say "apt: build dependencies already installed"
fi

# 2. The mesa source package: bookworm's (22.3.x; the newest offered below 23,
#    the Mesa the meson options below are written for).
bookworm_mesa() {
  apt-cache showsrc mesa 2>/dev/null | sed -n 's/^Version: //p' | sort -Vr |
    while read -r v; do
      if dpkg --compare-versions "$v" lt 23; then echo "$v"; break; fi
    done
}
MESA_DEB=$(bookworm_mesa)
if [ -z "$MESA_DEB" ]; then
  src_list=/etc/apt/sources.list.d/vdrm-protocol-deb-src.sources
  say "apt: no mesa source package offered; enabling bookworm deb-src in $src_list"
  "${SUDO[@]}" tee "$src_list" >/dev/null <<'EOF'
# Written by vdrm-protocol's scripts/build-drm-shims.sh (apt-get source mesa).
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  step "apt-get update (deb-src)" "$CACHE_ROOT/logs/apt-update-src.log" \
    "${SUDO[@]}" apt-get "${APT_OPTS[@]}" update
  MESA_DEB=$(bookworm_mesa)
  [ -n "$MESA_DEB" ] || die "apt-cache showsrc mesa offers no Mesa 22.x source package even with bookworm deb-src"
fi

CACHE=$CACHE_ROOT/mesa-$MESA_DEB
SRC_STAMP=$CACHE/.source-done
if [ -e "$SRC_STAMP" ]; then
  say "mesa source $MESA_DEB: cached in $CACHE"
else
  rm -rf "$CACHE"
  mkdir -p "$CACHE"
  say "mesa source $MESA_DEB: apt-get source into $CACHE"
  (cd "$CACHE" && step "apt-get source mesa=$MESA_DEB" "$CACHE/logs/source.log" \
    apt-get "${APT_OPTS[@]}" source "mesa=$MESA_DEB")
  touch "$SRC_STAMP"
fi
MESA_SRC=$(find "$CACHE" -mindepth 1 -maxdepth 1 -type d -name 'mesa-[0-9]*' | head -n 1)
[ -f "$MESA_SRC/meson.build" ] || die "no unpacked Mesa tree in $CACHE (remove it to fetch again)"

# 3. meson setup with only what the drm-shim targets need: the three gallium
#    drivers only make meson enter their directories; no API, platform, cache or
#    compression. Asserts off (-Db_ndebug=true), as in Debian's own packages.
MESA_ARGS="-Dtools=drm-shim,intel -Dgallium-drivers=freedreno,panfrost,iris -Dvulkan-drivers=
  -Dplatforms= -Dopengl=false -Dglx=disabled -Degl=disabled -Dgbm=disabled -Dgles1=disabled
  -Dgles2=disabled -Dshared-glapi=disabled -Dllvm=disabled -Dvalgrind=disabled -Dlibunwind=disabled
  -Dzstd=disabled -Dzlib=disabled -Dshader-cache=disabled -Dbuild-tests=false
  -Dbuildtype=debugoptimized -Db_ndebug=true"
BUILD=$CACHE/build
if [ -f "$BUILD/build.ninja" ] && [ "$(cat "$BUILD/.vdrm-args" 2>/dev/null)" = "$MESA_ARGS" ]; then
  say "meson setup: cached in $BUILD"
else
  rm -rf "$BUILD"
  # shellcheck disable=SC2086
  step "meson setup" "$CACHE/logs/setup.log" meson setup "$BUILD" "$MESA_SRC" $MESA_ARGS
  echo "$MESA_ARGS" >"$BUILD/.vdrm-args"
fi

# 4. The three shim targets (ninja itself skips what is up to date).
TARGETS="src/freedreno/drm-shim/libfreedreno_noop_drm_shim.so
  src/intel/tools/libintel_noop_drm_shim.so
  src/panfrost/drm-shim/libpanfrost_noop_drm_shim.so"
# shellcheck disable=SC2086
step "ninja -j$JOBS (freedreno, intel, panfrost shims)" "$CACHE/logs/ninja.log" \
  ninja -C "$BUILD" -j"$JOBS" $TARGETS

# 5. Into DIR.
for t in $TARGETS; do
  cp -f "$BUILD/$t" "$OUT/"
done
say "not built: libamdgpu_noop_drm_shim.so (Mesa $MESA_DEB has only a radeon shim in src/amd/drm-shim)"
say "not built: libasahi_noop_drm_shim.so (Mesa $MESA_DEB has no asahi drm-shim)"
say "done in $((SECONDS - T0)) s: $(cd "$OUT" && echo lib*_noop_drm_shim.so) in $OUT"
