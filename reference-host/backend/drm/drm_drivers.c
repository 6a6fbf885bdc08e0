/* SPDX-License-Identifier: MIT */

/* The kernel drivers the drm backend drives: one line each (see drm_internal.h). */

#include <stddef.h>

#include "drm_internal.h"

extern const struct vdrm_drm_driver vdrm_drm_msm_driver;
extern const struct vdrm_drm_driver vdrm_drm_asahi_driver;
extern const struct vdrm_drm_driver vdrm_drm_panfrost_driver;
extern const struct vdrm_drm_driver vdrm_drm_amdgpu_driver;
extern const struct vdrm_drm_driver vdrm_drm_i915_driver;

const struct vdrm_drm_driver *const vdrm_drm_drivers[] = {
   &vdrm_drm_msm_driver,
   &vdrm_drm_asahi_driver,
   &vdrm_drm_panfrost_driver,
   &vdrm_drm_amdgpu_driver,
   &vdrm_drm_i915_driver,
   NULL,
};
