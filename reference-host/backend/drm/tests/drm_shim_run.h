/* SPDX-License-Identifier: MIT */

/*
 * The drm backend test runs where a DRM device is: either a real GPU
 * (`drm-backend-test CONTEXT`) or Mesa's noop drm-shims. Without arguments
 * it runs itself once per context whose shim library is in
 * $VDRM_DRM_SHIM_DIR, with that shim preloaded and VDRM_DRM_TEST_SHIM_ENV
 * set; with no shim directory it exits 77 (meson's SKIP).
 */

#ifndef VDRM_DRM_SHIM_RUN_H_
#define VDRM_DRM_SHIM_RUN_H_

/* Set in a run under a noop shim: it cannot PRIME-export and runs no GPU work. */
#define VDRM_DRM_TEST_SHIM_ENV "VDRM_DRM_TEST_UNDER_SHIM"

/* 0 every shim run passed, 1 one failed, 77 none could run. self: this executable. */
int vdrm_drm_test_run_shims(const char *self);

#endif /* VDRM_DRM_SHIM_RUN_H_ */
