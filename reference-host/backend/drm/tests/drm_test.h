/* SPDX-License-Identifier: MIT */

/* The drm backend tests: one cmocka group per context, run on whatever DRM device is there. */

#ifndef VDRM_DRM_TEST_H_
#define VDRM_DRM_TEST_H_

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"

/* True when running under a noop drm-shim (drm_shim_run.h). */
bool drm_test_under_shim(void);
/* The drm backend for a context, on $VDRM_DRM_RENDER_NODE or the first node of its driver. */
struct vdrm_backend *drm_test_backend(uint32_t context_type);

int drm_test_msm(void);
int drm_test_panfrost(void);
int drm_test_asahi(void);
int drm_test_amdgpu(void);
int drm_test_i915(void);

#endif /* VDRM_DRM_TEST_H_ */
