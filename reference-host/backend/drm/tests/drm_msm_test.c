/* SPDX-License-Identifier: MIT */

/* The msm context through the host on the drm backend (harness.h's guest, on a render node). */

#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "drm_internal.h"
#include "drm_msm_uapi.h"
#include "drm_test.h"
#include "harness.h"

static int
setup(void **state)
{
   return drm_test_setup(state, VIRTGPU_DRM_CONTEXT_MSM);
}

/* The capset comes from the device's GET_PARAMs (the shim: an Adreno 630, FD_GPU_ID=630). */
static void
capset_from_the_device(void **state)
{
   struct tguest *g = TG(state);
   struct virgl_renderer_capset_drm caps;
   struct vdrm_backend_version v;

   drm_test_capset(g, VIRTGPU_DRM_CONTEXT_MSM, &caps, &v);
   assert_true(caps.u.msm.gpu_id != 0 || caps.u.msm.chip_id != 0);
   if (drm_test_under_shim()) {
      assert_int_equal(caps.u.msm.gpu_id, 630);
      assert_int_equal(caps.u.msm.chip_id, 0x060300ffu);
      assert_int_equal(caps.u.msm.gmem_size, 1024 * 1024);
      assert_int_equal(caps.u.msm.va_start, 0x100000000ull);
      assert_int_equal(caps.u.msm.va_size, 0x100000000ull);
   }
}

static void
get_param_is_the_kernels(void **state)
{
   struct tguest *g = TG(state);
   struct virgl_renderer_capset_drm caps;
   uint64_t value = 0;
   size_t size;

   assert_int_equal(vdrm_host_get_capset(g->host, VDRM_HOST_CAPSET_DRM, 0, &caps, sizeof(caps), &size),
                    VDRM_HOST_OK);
   assert_int_equal(tg_get_param(g, KMSM_PARAM_GPU_ID, &value), 0);
   assert_int_equal(value, caps.u.msm.gpu_id);
   assert_int_equal(tg_get_param(g, KMSM_PARAM_CHIP_ID, &value), 0);
   assert_int_equal(value, caps.u.msm.chip_id);
}

/*
 * GEM_NEW, then a submit on a new queue whose out-fence the host waits on.
 * The noop shim's SUBMITQUEUE_NEW does nothing, so the queue id it answers
 * is 0 (the kernel's default queue, never a new one's): the host refuses to
 * record it, and the batch stops there, cleanly.
 */
static void
gem_new_queue_submit_wait(void **state)
{
   struct tguest *g = TG(state);
   struct msm_ccmd_wait_fence_rsp rsp;
   struct vdrm_error err;
   uint32_t q;

   tg_gem_new(g, 1, 65536, KMSM_BO_WC, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   if (drm_test_under_shim()) {
      struct drm_msm_submitqueue sq = { .prio = 0 };

      tg_reserve(g, 512, 8 + sizeof(sq));
      tg_ioctl(g, tg_ioc_submitqueue_new(), &sq, 512);
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
      assert_true(tg_line_has(g, "IOCTL_SIMPLE", "payload.id", "the kernel answered queue id 0", NULL));
      return;
   }
   q = tg_queue(g, 0);
   tg_submit(g, KMSM_PIPE_3D0, q, 1, NULL, 0, NULL, 0);
   assert_int_equal(tg_flush_fence(g, 1, 7), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_fence_wait(g->client, 1, 7, 5000000000ll), VDRM_HOST_OK);
   assert_int_equal(tg_stats(g).pending_fences, 0);
   /* WAIT_FENCE of the submit's seqno: the kernel's answer, 0. */
   tg_reserve(g, 96, 8);
   tg_wait_fence(g, q, 1, 96);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(msm_ccmd_wait_fence_rsp_decode(tg_rsp(g, 96), 8, &rsp, &err), VDRM_OK);
   assert_int_equal(rsp.ret, 0);
}

/* The backend's own queue, submit and fence operations, below the host (so they run under the shim too). */
static void
backend_queue_submit_fence(void **state)
{
   struct vdrm_backend *dev = TG(state)->sim;
   struct vdrm_backend_file *file;
   struct drm_msm_submitqueue q = { .prio = 0 };
   struct vdrm_backend_msm_submit submit = { .flags = KMSM_PIPE_3D0 | KMSM_SUBMIT_FENCE_SN_IN, .fence = 1 };
   struct vdrm_backend_fence *fence = NULL;

   assert_int_equal(dev->ops->open(dev, &file), 0);
   assert_int_equal(dev->ops->msm->submitqueue_new(file, &q), 0);
   submit.queue_id = q.id;
   assert_int_equal(dev->ops->msm->gem_submit(file, &submit, &fence), 0);
   assert_non_null(fence);
   assert_int_equal(dev->ops->fence_wait(fence, 5000000000ll), 0);
   dev->ops->fence_ref(fence);
   dev->ops->fence_unref(fence);
   assert_int_equal(dev->ops->fence_signaled(fence), 1);
   dev->ops->fence_unref(fence);
   assert_int_equal(dev->ops->msm->wait_fence(file, q.id, 1, 0), 0);
   assert_int_equal(dev->ops->msm->submitqueue_close(file, q.id), 0);
   dev->ops->close(file);
}

/*
 * A blob is the buffer's PRIME fd. The noop shim cannot export: the host
 * refuses the blob with the kernel's errno, logs why, and the buffer stays
 * waiting for a blob; a real kernel gives an fd.
 */
static void
blob_is_a_prime_export(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res_id = 0;
   int fd = -1;
   int ret;

   tg_gem_new(g, 2, 4096, KMSM_BO_WC, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   ret = vdrm_host_blob_create(g->client, 2, 4096, VDRM_HOST_BLOB_MAPPABLE, &res_id, &fd);
   if (drm_test_under_shim()) {
      assert_int_equal(ret, VDRM_HOST_E_BACKEND);
      assert_int_equal(fd, -1);
      assert_true(tg_line_has(g, "export failed", "-22", NULL));
      /* Refused again, the same way: nothing was half made. */
      assert_int_equal(vdrm_host_blob_create(g->client, 2, 4096, VDRM_HOST_BLOB_MAPPABLE, &res_id, &fd),
                       VDRM_HOST_E_BACKEND);
      return;
   }
   assert_int_equal(ret, VDRM_HOST_OK);
   assert_true(fd >= 0);
   close(fd);
}

/* GEM_UPLOAD writes through a mapping of the render node at the buffer's fake offset. */
static void
upload_maps_the_buffer(void **state)
{
   struct tguest *g = TG(state);
   static const char text[] = "written through the fake offset";

   tg_gem_new(g, 3, 8192, KMSM_BO_WC, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   if (drm_test_under_shim()) {
      /* Without a blob there is no res_id to upload to: the shim's export fails first. */
      skip();
   }
   {
      uint32_t res_id;
      int fd;

      assert_int_equal(vdrm_host_blob_create(g->client, 3, 8192, VDRM_HOST_BLOB_MAPPABLE, &res_id, &fd),
                       VDRM_HOST_OK);
      tg_upload(g, res_id, 4000, text, sizeof(text));
      assert_int_equal(tg_flush(g), VDRM_HOST_OK);
      close(fd);
   }
}

/* The backend's gem_write, read back through a mapping of the node the test makes itself. */
static void
gem_write_lands_in_the_buffer(void **state)
{
   static const char text[] = "written through the fake offset";
   struct vdrm_backend *dev = TG(state)->sim;
   struct vdrm_backend_file *file;
   struct kmsm_gem_info info = { .info = KMSM_INFO_GET_OFFSET };
   uint32_t handle = 0;
   char *map;

   assert_int_equal(dev->ops->open(dev, &file), 0);
   assert_int_equal(dev->ops->msm->gem_new(file, 8192, KMSM_BO_WC, &handle), 0);
   assert_int_equal(dev->ops->gem_write(file, handle, 4000, text, sizeof(text)), 0);
   info.handle = handle;
   assert_int_equal(vdrm_drm_ioctl(vdrm_drm_file(file)->fd, KMSM_IOCTL_GEM_INFO_NR, &info), 0);
   map = mmap(NULL, 8192, PROT_READ, MAP_SHARED, vdrm_drm_file(file)->fd, (off_t)info.value);
   assert_true(map != MAP_FAILED);
   assert_memory_equal(map + 4000, text, sizeof(text));
   munmap(map, 8192);
   /* An unknown handle: the mmap-offset ioctl's -ENOENT. */
   assert_int_equal(dev->ops->gem_write(file, handle + 100, 0, text, 1), -ENOENT);
   assert_int_equal(dev->ops->gem_close(file, handle), 0);
   dev->ops->close(file);
}

int
drm_test_msm(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(capset_from_the_device, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(get_param_is_the_kernels, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(gem_new_queue_submit_wait, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(backend_queue_submit_fence, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(blob_is_a_prime_export, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(upload_maps_the_buffer, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(gem_write_lands_in_the_buffer, setup, drm_test_teardown),
   };

   return cmocka_run_group_tests_name("drm-msm", tests, NULL, NULL);
}
