#!/bin/sh
# vdrm-host on the drm backend under the noop drm-shim of the context it is
# asked for (`--context NAME` first, as host-cli-test passes it), for
# host-cli-test as VDRM_HOST. Other invocations (usage errors) go through
# unchanged; a context without a shim exits 77. Env: VDRM_HOST_EXE (the real
# vdrm-host), VDRM_DRM_SHIM_DIR.
set -eu
exe=$VDRM_HOST_EXE
[ "${1:-}" = --context ] || exec "$exe" "$@"
case ${2:-} in
msm) lib=libfreedreno_noop_drm_shim.so; export FD_GPU_ID=630 ;;
amdgpu) lib=libamdgpu_noop_drm_shim.so; export AMDGPU_GPU_ID=renoir ;;
i915) lib=libintel_noop_drm_shim.so; export INTEL_STUB_GPU_PLATFORM=skl ;;
asahi) lib=libasahi_noop_drm_shim.so ;;
panfrost) lib=libpanfrost_noop_drm_shim.so ;;
*) exec "$exe" "$@" ;;
esac
# No shim for this context: exit 77, which host-cli-test takes as a skip.
if [ ! -r "$VDRM_DRM_SHIM_DIR/$lib" ]; then
  echo "drm_shim_host.sh: no $VDRM_DRM_SHIM_DIR/$lib: context $2 not run" >&2
  exit 77
fi
# A sanitized vdrm-host needs its ASan runtime first in the preload list.
asan=$(ldd "$exe" | sed -n 's/^[[:space:]]*libasan\.so[^ ]* => \([^ ]*\).*/\1/p')
LD_PRELOAD="${asan:+$asan }$VDRM_DRM_SHIM_DIR/$lib" exec "$exe" "$@" --backend drm
