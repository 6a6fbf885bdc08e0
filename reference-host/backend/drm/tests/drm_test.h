/* SPDX-License-Identifier: MIT */

/*
 * The drm backend tests: one cmocka group per context, run on whatever DRM
 * device is there, each test on guest_base.h's test guest.
 */

#ifndef VDRM_DRM_TEST_H_
#define VDRM_DRM_TEST_H_

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "guest_base.h"

/* True when running under a noop drm-shim (drm_shim_run.h). */
bool drm_test_under_shim(void);
/* The drm backend for a context, on $VDRM_DRM_RENDER_NODE or the first node of its driver. */
struct vdrm_backend *drm_test_backend(uint32_t context_type);

/*
 * A context's cmocka setup: a test guest on drm_test_backend(context_type),
 * a 4 KiB shmem of any context's layout, requests at 4 mod 8. Its teardown
 * drm_test_teardown() checks the guest gave every descriptor back, then
 * destroys the backend, which the guest does not own.
 */
int drm_test_setup(void **state, uint32_t context_type);
int drm_test_teardown(void **state);
/*
 * Reads the capset into *caps: all of it, of context_type, with the
 * device's DRM version (which lands in *v).
 */
void drm_test_capset(struct tguest *g, uint32_t context_type, struct virgl_renderer_capset_drm *caps,
                     struct vdrm_backend_version *v);
/*
 * The blob of the buffer blob_id names (size bytes) is its PRIME export. The
 * noop shim cannot export: the host refuses the blob with the kernel's
 * errno and logs why; a real kernel gives an fd (closed here).
 */
void drm_test_blob_is_a_prime_export(struct tguest *g, uint32_t blob_id, uint64_t size);
/* The next request's header (tg_hdr()) with rsp_size bytes reserved at rsp_off for its answer. */
struct vdrm_ccmd_req drm_test_hdr(struct tguest *g, uint32_t rsp_off, uint32_t rsp_size);

int drm_test_msm(void);
int drm_test_panfrost(void);
int drm_test_asahi(void);
int drm_test_amdgpu(void);
int drm_test_i915(void);

#endif /* VDRM_DRM_TEST_H_ */
