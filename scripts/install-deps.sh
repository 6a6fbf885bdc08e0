#!/bin/sh
# Installs the Debian 12 packages the build and the tests need (idempotent).
set -eu
pkgs="meson ninja-build python3 python3-jinja2 gcc gcc-multilib libc6-dev-i386 libcmocka-dev libjson-c-dev libdrm-dev libxml2-utils pkg-config"
# fuzz/run-all.sh (in .ci/run): the libFuzzer binaries are built with clang.
pkgs="$pkgs clang libclang-rt-14-dev"
missing=""
for p in $pkgs; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
