/* SPDX-License-Identifier: MIT */

/*
 * The i915 context on the drm backend: the capset read from the device,
 * GETPARAM and QUERY answers through the guest, a buffer, a GEM context, an
 * execbuffer whose out-fence the host delivers, and every i915 op reaching
 * the driver. Under Mesa's noop shim (INTEL_STUB_GPU_PLATFORM=skl) the
 * answers are a Skylake GT2's; the shim runs nothing, so a submission
 * completes at once, and it cannot PRIME-export, so no buffer becomes a blob
 * resource (and no execbuffer can name one). On a real GPU only what holds
 * on any device is checked, and nothing is submitted.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drm_test.h"
#include "i915_codec.h"
#include "i915_kernel.h"

/* Skylake GT2 as the shim describes it. */
#define SKL_DEVICE_ID 0x1912u
#define SKL_GTT_SIZE (1ull << 48)

static int
setup(void **state)
{
   return drm_test_setup(state, VIRTGPU_DRM_CONTEXT_I915);
}

/* GETPARAM through the guest: ret (a positive errno); the value in *value. */
static int
getparam(struct tguest *g, uint32_t param, uint32_t *value)
{
   struct i915_ccmd_getparam_req req = { .hdr = drm_test_hdr(g, 0, 64), .param = param };
   struct i915_ccmd_getparam_rsp rsp;
   size_t len;

   assert_int_equal(i915_ccmd_getparam_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(i915_ccmd_getparam_rsp_decode(g->rsp, g->rsp_size, &rsp, NULL), VDRM_OK);
   *value = rsp.value;
   return rsp.ret;
}

/* QUERYPARAM of one item: ret; the item's length in *out_len, the payload (length bytes) in data. */
static int
query(struct tguest *g, uint32_t id, uint32_t length, int32_t *out_len, void *data)
{
   struct i915_ccmd_queryparam_req req = { .hdr = drm_test_hdr(g, 0, 16 + length), .query_id = id,
                                           .length = length };
   struct i915_ccmd_queryparam_rsp rsp;
   struct i915_ccmd_queryparam_rsp_view view;
   size_t len;

   assert_int_equal(i915_ccmd_queryparam_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(i915_ccmd_queryparam_rsp_decode(g->rsp, g->rsp_size, &rsp, &view, NULL), VDRM_OK);
   assert_int_equal(view.payload.size, length);
   if (data)
      memcpy(data, view.payload.data, view.payload.size);
   *out_len = rsp.length;
   return rsp.ret;
}

static void
capset_from_the_device(void **state)
{
   struct tguest *g = TG(state);
   struct virgl_renderer_capset_drm caps;
   size_t size = 0;
   uint32_t chipset = 0;

   memset(&caps, 0xa5, sizeof(caps));
   assert_int_equal(vdrm_host_get_capset(g->host, VDRM_HOST_CAPSET_DRM, 0, &caps, sizeof(caps), &size),
                    VDRM_HOST_OK);
   assert_int_equal(caps.context_type, VIRTGPU_DRM_CONTEXT_I915);
   assert_int_equal(getparam(g, KI915_PARAM_CHIPSET_ID, &chipset), 0);
   assert_int_equal(caps.u.intel.pci_device_id, chipset);
   if (!drm_test_under_shim())
      return;
   /* The shim's sysfs: 0000:00:02.0, revision 0x0. */
   assert_int_equal(caps.u.intel.pci_domain, 0);
   assert_int_equal(caps.u.intel.pci_bus, 0);
   assert_int_equal(caps.u.intel.pci_dev, 2);
   assert_int_equal(caps.u.intel.pci_func, 0);
   assert_int_equal(caps.u.intel.pci_device_id, SKL_DEVICE_ID);
   assert_int_equal(caps.u.intel.pci_revision_id, 0);
}

static void
getparam_and_query_through_the_guest(void **state)
{
   struct tguest *g = TG(state);
   uint8_t engines[128];
   struct drm_i915_query_engine_info head;
   struct drm_i915_engine_info e[2];
   uint32_t value = 0;
   int32_t length = 0;

   assert_int_equal(getparam(g, KI915_PARAM_HAS_EXEC_FENCE, &value), 0);
   assert_int_equal(value, 1);
   assert_int_equal(getparam(g, KI915_PARAM_MMAP_GTT_VERSION, &value), 0);
   assert_true(value >= 1 && value <= KI915_MMAP_GTT_VERSION_MAX_VIRTIO);
   /* Asking for the size, then the engines. */
   assert_int_equal(query(g, KI915_QUERY_ENGINE_INFO, 0, &length, NULL), 0);
   assert_true(length >= (int32_t)(sizeof(head) + sizeof(e[0])));
   if (!drm_test_under_shim())
      return;
   assert_int_equal(getparam(g, KI915_PARAM_CHIPSET_ID, &value), 0);
   assert_int_equal(value, SKL_DEVICE_ID);
   assert_int_equal(getparam(g, KI915_PARAM_MMAP_GTT_VERSION, &value), 0);
   assert_int_equal(value, 4);
   assert_int_equal(length, sizeof(head) + 2 * sizeof(e[0]));
   assert_int_equal(query(g, KI915_QUERY_ENGINE_INFO, sizeof(engines), &length, engines), 0);
   assert_int_equal(length, sizeof(head) + 2 * sizeof(e[0]));
   memcpy(&head, engines, sizeof(head));
   memcpy(e, engines + sizeof(head), sizeof(e));
   assert_int_equal(head.num_engines, 2);
   assert_int_equal(e[0].engine.engine_class, KI915_ENGINE_CLASS_RENDER);
   assert_int_equal(e[1].engine.engine_class, KI915_ENGINE_CLASS_COPY);
   /* An item the shim does not know fails in its length, the ioctl not. */
   assert_int_equal(query(g, KI915_QUERY_HWCONFIG_BLOB, 0, &length, NULL), 0);
   assert_int_equal(length, -EINVAL);
   /* A parameter it does not know fails the ioctl (its errno is whatever errno held). */
   assert_int_not_equal(getparam(g, KI915_PARAM_PXP_STATUS, &value), 0);
   assert_int_equal(value, 0xffffffffu);
}

static void
buffer_context_and_execbuffer(void **state)
{
   struct tguest *g = TG(state);
   struct i915_ccmd_gem_create_req gem = { .hdr = drm_test_hdr(g, 0, 8), .size = 8192, .blob_id = 1 };
   struct i915_ccmd_gem_context_create_req cc = { 0 };
   struct i915_ccmd_gem_context_create_rsp ccr;
   struct i915_ccmd_gem_execbuffer2_req eb = { .flags = KI915_EXEC_RENDER, .batch_len = 8 };
   struct i915_ccmd_gem_execbuffer2_rsp ebr;
   struct vdrm_host_stats st;
   uint32_t res;
   size_t len;
   int fd;

   assert_int_equal(i915_ccmd_gem_create_req_encode(TG_ROOM(g), &gem, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_get_stats(g->client, &st), VDRM_HOST_OK);
   assert_int_equal(st.objects, 1);
   assert_true(st.buffer_bytes >= 8192);
   if (drm_test_under_shim()) {
      /* DRM_IOCTL_PRIME_HANDLE_TO_FD is not the shim's: the blob is refused, the buffer stays. */
      assert_int_not_equal(vdrm_host_blob_create(g->client, 1, 8192, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                           VDRM_HOST_OK);
      assert_non_null(strstr(tg_last_line(g), "export failed"));
   }
   cc.hdr = drm_test_hdr(g, 0, 64);
   assert_int_equal(i915_ccmd_gem_context_create_req_encode(TG_ROOM(g), &cc, NULL, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(i915_ccmd_gem_context_create_rsp_decode(g->rsp, g->rsp_size, &ccr, NULL), VDRM_OK);
   assert_int_equal(ccr.ret, 0);
   assert_int_not_equal(ccr.ctx_id, 0);
   if (!drm_test_under_shim())
      return;
   /* No object (none can be a resource here): the shim takes it; the host's fence 5 on ring 2 (RENDER). */
   eb.hdr = drm_test_hdr(g, 0, 64);
   eb.context_id = ccr.ctx_id;
   assert_int_equal(i915_ccmd_gem_execbuffer2_req_encode(TG_ROOM(g), &eb, NULL, NULL, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush_fence(g, 1 + KI915_EXEC_RENDER, 5), VDRM_HOST_OK);
   assert_int_equal(i915_ccmd_gem_execbuffer2_rsp_decode(g->rsp, g->rsp_size, &ebr, NULL), VDRM_OK);
   assert_int_equal(ebr.ret, 0);
   assert_int_equal(vdrm_host_fence_wait(g->client, 1 + KI915_EXEC_RENDER, 5, 1000000000), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_fence_poll(g->client, NULL, NULL), 1);
}

/* Every op straight on the backend: each is its ioctl, which the driver answers. */
static void
every_op_reaches_the_driver(void **state)
{
   struct tguest *g = TG(state);
   const struct vdrm_backend_i915_ops *k = g->sim->ops->i915;
   const char data[] = "written through the GEM_MMAP_OFFSET offset";
   struct ki915_gem_create_ext ce = { .size = 16384 };
   struct ki915_gem_context_create_ext cc = { 0 };
   struct drm_i915_gem_context_param cp = { .param = KI915_CONTEXT_PARAM_GTT_SIZE };
   struct drm_i915_gem_get_aperture ap = { 0 };
   struct drm_i915_gem_vm_control vm = { 0 };
   struct drm_i915_gem_exec_object2 obj = { 0 };
   struct ki915_execbuffer2 eb = { .buffer_count = 1, .batch_len = 8,
                                   .flags = KI915_EXEC_RENDER | KI915_EXEC_FENCE_OUT };
   struct vdrm_backend_fence *fence = NULL;
   struct vdrm_backend_file *f;
   uint64_t size = 4096, offset = 0;
   uint32_t handle = 0, busy = 7;
   int vm_ret;

   assert_int_equal(g->sim->ops->open(g->sim, &f), 0);
   assert_int_equal(k->gem_create(f, &size, &handle), 0);
   assert_int_not_equal(handle, 0);
   assert_true(size >= 4096);
   assert_int_equal(k->gem_create_ext(f, &ce), 0);
   assert_int_not_equal(ce.handle, 0);
   assert_int_not_equal(ce.handle, handle);
   assert_int_equal(g->sim->ops->gem_write(f, handle, 64, data, sizeof(data)), 0);
   if (drm_test_under_shim()) {
      /* What a Skylake takes (a discrete GPU maps only FIXED, a Gen12 has no fences to tile with). */
      struct drm_i915_gem_set_tiling st = { .handle = ce.handle, .tiling_mode = KI915_TILING_X, .stride = 512 };
      struct drm_i915_gem_get_tiling gt = { .handle = ce.handle };

      assert_int_equal(k->gem_mmap_offset(f, ce.handle, KI915_MMAP_OFFSET_WC, &offset), 0);
      assert_int_not_equal(offset, 0);
      assert_int_equal(k->gem_set_domain(f, &(struct drm_i915_gem_set_domain){ .handle = handle,
                                                                               .read_domains = 0x80 /* WC */ }),
                       0);
      assert_int_equal(k->gem_set_tiling(f, &st), 0);
      assert_int_equal(k->gem_get_tiling(f, &gt), 0);
      assert_int_equal(gt.tiling_mode, KI915_TILING_X);
   }
   assert_int_equal(k->gem_get_aperture(f, &ap), 0);
   assert_int_not_equal(ap.aper_size, 0);
   assert_int_equal(k->gem_context_create_ext(f, &cc), 0);
   assert_int_not_equal(cc.ctx_id, 0);
   cp.ctx_id = cc.ctx_id;
   assert_int_equal(k->gem_context_getparam(f, &cp), 0);
   assert_int_not_equal(cp.value, 0);
   cp = (struct drm_i915_gem_context_param){ .ctx_id = cc.ctx_id, .param = KI915_CONTEXT_PARAM_RECOVERABLE };
   assert_int_equal(k->gem_context_setparam(f, &cp), 0);
   assert_int_equal(k->get_reset_stats(f, &(struct drm_i915_reset_stats){ .ctx_id = cc.ctx_id }), 0);
   vm_ret = k->gem_vm_create(f, &vm);
   if (vm_ret == 0)
      assert_int_equal(k->gem_vm_destroy(f, &vm), 0);
   if (drm_test_under_shim()) {
      assert_int_equal(ap.aper_size, SKL_GTT_SIZE);
      assert_int_equal(cc.ctx_id, 1);
      /* GTT_SIZE is the one context parameter the shim answers. */
      cp = (struct drm_i915_gem_context_param){ .ctx_id = cc.ctx_id, .param = KI915_CONTEXT_PARAM_GTT_SIZE };
      assert_int_equal(k->gem_context_getparam(f, &cp), 0);
      assert_int_equal(cp.value, SKL_GTT_SIZE);
      /* DRM_I915_GEM_VM_CREATE is not the shim's. */
      assert_int_not_equal(vm_ret, 0);
      /* A 1-object execbuffer (no GPU): the out-fence the shim never writes is a signaled one. */
      obj.handle = handle;
      eb.buffers_ptr = (uint64_t)(uintptr_t)&obj;
      eb.rsvd1 = cc.ctx_id;
      assert_int_equal(k->gem_execbuffer2(f, &eb, &fence), 0);
      assert_non_null(fence);
      assert_int_equal(eb.rsvd2 >> 32, 0);   /* the fd is the fence's, not handed back */
      assert_int_equal(g->sim->ops->fence_signaled(fence), 1);
      assert_int_equal(g->sim->ops->fence_wait(fence, 0), 0);
      g->sim->ops->fence_unref(fence);
      assert_int_equal(k->gem_busy(f, handle, &busy), 0);
      assert_int_equal(busy, 0);
   } else {
      assert_int_equal(k->gem_busy(f, handle, &busy), 0);
      assert_int_equal(busy, 0);
   }
   assert_int_equal(k->gem_context_destroy(f, &(struct drm_i915_gem_context_destroy){ .ctx_id = cc.ctx_id }), 0);
   assert_int_equal(g->sim->ops->gem_close(f, ce.handle), 0);
   assert_int_equal(g->sim->ops->gem_close(f, handle), 0);
   g->sim->ops->close(f);
}

int
drm_test_i915(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(capset_from_the_device, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(getparam_and_query_through_the_guest, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(buffer_context_and_execbuffer, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(every_op_reaches_the_driver, setup, drm_test_teardown),
   };

   return cmocka_run_group_tests_name("drm-i915", tests, NULL, NULL);
}
