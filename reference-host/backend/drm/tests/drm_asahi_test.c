/* SPDX-License-Identifier: MIT */

/* The asahi context through the host on the drm backend (guest_base.h's guest, asahi ccmds). */

#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "asahi_codec.h"
#include "asahi_kernel.h"
#include "drm_test.h"

static int
setup(void **state)
{
   return drm_test_setup(state, VIRTGPU_DRM_CONTEXT_ASAHI);
}

/* One IOCTL_SIMPLE at offset 256: ret, and the argument after the call in *out. */
static int32_t
ioctl_ret(struct tguest *g, uint32_t cmd, void *arg, size_t arg_size)
{
   struct asahi_ccmd_ioctl_simple_req req = { .hdr = tg_hdr(g, 256), .cmd = cmd };
   struct asahi_ccmd_ioctl_simple_rsp rsp;
   struct asahi_ccmd_ioctl_simple_rsp_view view;
   struct vdrm_error err;
   uint32_t size = 8 + VDRM_IOC_OUT_SIZE(cmd);
   size_t len;

   tg_reserve(g, 256, size);
   assert_int_equal(asahi_ccmd_ioctl_simple_req_encode(TG_ROOM(g), &req, arg, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(asahi_ccmd_ioctl_simple_rsp_decode(tg_rsp(g, 256), size, &rsp, &view, &err), VDRM_OK);
   memcpy(arg, view.payload.data, arg_size < view.payload.size ? arg_size : view.payload.size);
   return rsp.ret;
}

static void
capset_has_the_device_version(void **state)
{
   struct tguest *g = TG(state);
   struct virgl_renderer_capset_drm caps;
   struct vdrm_backend_version v;

   drm_test_capset(g, VIRTGPU_DRM_CONTEXT_ASAHI, &caps, &v);
}

/* GET_PARAMS fills the response from the kernel (the shim: a G13G, VA from 0x4000). */
static void
get_params_is_the_kernels(void **state)
{
   struct tguest *g = TG(state);
   struct asahi_ccmd_get_params_req req = {
      .hdr = tg_hdr(g, 512), .params = { .param_group = 0, .size = sizeof(struct drm_asahi_params_global) },
   };
   struct asahi_ccmd_get_params_rsp rsp;
   struct asahi_ccmd_get_params_rsp_view view;
   struct drm_asahi_params_global params;
   struct vdrm_error err;
   uint32_t size = 16 + sizeof(params);
   size_t len;

   tg_reserve(g, 512, size);
   assert_int_equal(asahi_ccmd_get_params_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(asahi_ccmd_get_params_rsp_decode(tg_rsp(g, 512), size, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.ret, 0);
   assert_int_equal(view.payload.size, sizeof(params));
   memcpy(&params, view.payload.data, sizeof(params));
   assert_true(params.gpu_generation != 0);
   if (drm_test_under_shim()) {
      assert_int_equal(params.gpu_generation, 13);
      assert_int_equal(params.gpu_variant, 'G');
      assert_int_equal(params.vm_start, 0x4000);
   }
}

/*
 * VM_CREATE through IOCTL_SIMPLE. The noop shim's does nothing, so the VM
 * id it answers is 0, which no VM has: the host refuses to record it.
 */
static void
vm_create_is_the_kernels(void **state)
{
   struct tguest *g = TG(state);
   struct drm_asahi_vm_create vm = { .kernel_start = 0x7f0000000000ull, .kernel_end = 0x7f0100000000ull };
   struct asahi_ccmd_ioctl_simple_req req = { .hdr = tg_hdr(g, 256), .cmd = DRM_IOCTL_KASAHI_VM_CREATE };
   size_t len;

   if (!drm_test_under_shim()) {
      assert_int_equal(ioctl_ret(g, DRM_IOCTL_KASAHI_VM_CREATE, &vm, sizeof(vm)), 0);
      assert_int_not_equal(vm.vm_id, 0);
      return;
   }
   tg_reserve(g, 256, 8 + sizeof(vm));
   assert_int_equal(asahi_ccmd_ioctl_simple_req_encode(TG_ROOM(g), &req, &vm, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "cannot record VM 0", NULL));
}

/* GEM_NEW, then its blob: a PRIME export, which the shim cannot do (refused, logged, no crash). */
static void
gem_new_blob(void **state)
{
   struct tguest *g = TG(state);
   struct asahi_ccmd_gem_new_req gem = { .hdr = tg_hdr(g, 0), .blob_id = 1, .size = KASAHI_PAGE_SIZE };
   size_t len;

   assert_int_equal(asahi_ccmd_gem_new_req_encode(TG_ROOM(g), &gem, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   drm_test_blob_is_a_prime_export(g, 1, KASAHI_PAGE_SIZE);
}

/*
 * The backend's VM, queue, submit and fence below the host. The submit
 * only under the shim, which runs nothing: a real GPU would run the bytes.
 */
static void
backend_vm_queue_submit_fence(void **state)
{
   struct vdrm_backend *dev = TG(state)->sim;
   const struct vdrm_backend_asahi_ops *k = dev->ops->asahi;
   struct vdrm_backend_file *file;
   struct drm_asahi_vm_create vm = { .kernel_start = 0x7f0000000000ull, .kernel_end = 0x7f0100000000ull };
   struct drm_asahi_queue_create q = { .priority = KASAHI_PRIORITY_MEDIUM };
   struct drm_asahi_queue_destroy qd;
   struct drm_asahi_vm_destroy vd;
   struct kasahi_cmd_header cmd = { .cmd_type = KASAHI_CMD_COMPUTE, .vdm_barrier = KASAHI_BARRIER_NONE,
                                    .cdm_barrier = KASAHI_BARRIER_NONE };
   struct vdrm_backend_asahi_sync sync;
   struct vdrm_backend_asahi_submit submit = { .cmdbuf = &cmd, .cmdbuf_size = sizeof(cmd), .syncs = &sync,
                                               .nr_syncs = 1 };
   struct vdrm_backend_fence *fence = NULL;
   uint32_t handle = 0;

   assert_int_equal(dev->ops->open(dev, &file), 0);
   assert_int_equal(k->vm_create(file, &vm), 0);
   assert_int_equal(k->gem_create(file, KASAHI_PAGE_SIZE, 0, 0, &handle), 0);
   q.vm_id = vm.vm_id;
   assert_int_equal(k->queue_create(file, &q), 0);
   if (drm_test_under_shim()) {
      /* One external resource: its dma-buf export fails under the shim, so it is skipped. */
      sync = (struct vdrm_backend_asahi_sync){ .handle = handle, .flags = KASAHI_SYNC_READ | KASAHI_SYNC_WRITE };
      submit.queue_id = q.queue_id;
      assert_int_equal(k->submit(file, &submit, &fence), 0);
      assert_int_equal(dev->ops->fence_wait(fence, 5000000000ll), 0);
      assert_int_equal(dev->ops->fence_signaled(fence), 1);
      dev->ops->fence_unref(fence);
   }
   qd = (struct drm_asahi_queue_destroy){ .queue_id = q.queue_id };
   assert_int_equal(k->queue_destroy(file, &qd), 0);
   vd = (struct drm_asahi_vm_destroy){ .vm_id = vm.vm_id };
   assert_int_equal(k->vm_destroy(file, &vd), 0);
   assert_int_equal(dev->ops->gem_close(file, handle), 0);
   dev->ops->close(file);
}

int
drm_test_asahi(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(capset_has_the_device_version, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(get_params_is_the_kernels, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(vm_create_is_the_kernels, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(gem_new_blob, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(backend_vm_queue_submit_fence, setup, drm_test_teardown),
   };

   return cmocka_run_group_tests_name("drm-asahi", tests, NULL, NULL);
}
