/* SPDX-License-Identifier: MIT */

/* The panfrost context through the host on the drm backend (guest_base.h's guest, panfrost ccmds). */

#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "drm_test.h"
#include "panfrost_codec.h"
#include "panfrost_kernel.h"

static int
setup(void **state)
{
   return drm_test_setup(state, VIRTGPU_DRM_CONTEXT_PANFROST);
}

static void
create_bo(struct tguest *g, uint32_t blob_id, uint32_t size)
{
   struct panfrost_ccmd_create_bo_req req = { .hdr = tg_hdr(g, 0), .size = size, .blob_id = blob_id };
   size_t len;

   assert_int_equal(panfrost_ccmd_create_bo_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
}

static int
get_param(struct tguest *g, uint32_t param, uint64_t *value)
{
   struct panfrost_ccmd_get_param_req req = { .hdr = tg_hdr(g, 128), .param = param };
   struct panfrost_ccmd_get_param_rsp rsp;
   struct vdrm_error err;
   size_t len;

   tg_reserve(g, 128, sizeof(rsp));
   assert_int_equal(panfrost_ccmd_get_param_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(panfrost_ccmd_get_param_rsp_decode(tg_rsp(g, 128), sizeof(rsp), &rsp, &err), VDRM_OK);
   *value = rsp.value;
   return rsp.ret;
}

/* No panfrost part in the capset: the header, with the device's DRM version. */
static void
capset_has_the_device_version(void **state)
{
   struct tguest *g = TG(state);
   struct virgl_renderer_capset_drm caps;
   struct vdrm_backend_version v;

   drm_test_capset(g, VIRTGPU_DRM_CONTEXT_PANFROST, &caps, &v);
   if (drm_test_under_shim()) {
      assert_int_equal(v.major, 1);
      assert_int_equal(v.minor, 1);
   }
}

/* GET_PARAM is the kernel's: the shim's Mali-G52 (0x7212 unless PAN_GPU_ID says otherwise). */
static void
get_param_is_the_kernels(void **state)
{
   struct tguest *g = TG(state);
   uint64_t value = 0;

   assert_int_equal(get_param(g, KPAN_PARAM_GPU_PROD_ID, &value), 0);
   assert_true(value != 0);
   if (drm_test_under_shim() && !getenv("PAN_GPU_ID"))
      assert_int_equal(value, 0x7212);
   /* A parameter the kernel does not know: ret -1, the value zero. */
   assert_int_equal(get_param(g, 1000, &value), -1);
   assert_int_equal(value, 0);
}

/*
 * CREATE_BO, then a job whose out-fence the host waits on. Only under the
 * shim, which runs nothing: a real GPU would run the job chain at jc.
 */
static void
create_bo_submit_wait(void **state)
{
   struct tguest *g = TG(state);
   struct panfrost_ccmd_submit_req req;
   size_t len;

   create_bo(g, 1, 65536);
   if (!drm_test_under_shim())
      skip();
   req = (struct panfrost_ccmd_submit_req){ .hdr = tg_hdr(g, 0), .jc = 0x10000 };
   assert_int_equal(panfrost_ccmd_submit_req_encode(TG_ROOM(g), &req, NULL, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush_fence(g, 0, 3), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_fence_wait(g->client, 0, 3, 5000000000ll), VDRM_HOST_OK);
}

/* The shim cannot PRIME-export: the blob is refused with the kernel's errno, nothing crashes. */
static void
blob_is_a_prime_export(void **state)
{
   struct tguest *g = TG(state);

   create_bo(g, 2, 4096);
   drm_test_blob_is_a_prime_export(g, 2, 4096);
}

int
drm_test_panfrost(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(capset_has_the_device_version, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(get_param_is_the_kernels, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(create_bo_submit_wait, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(blob_is_a_prime_export, setup, drm_test_teardown),
   };

   return cmocka_run_group_tests_name("drm-panfrost", tests, NULL, NULL);
}
