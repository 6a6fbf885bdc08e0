/* SPDX-License-Identifier: MIT */

/*
 * The virtio-gpu transport, and the msm driver on it, against a fake
 * virtio_gpu kernel (struct vg_virtgpu_sys): every ioctl's arguments are
 * checked exactly, the fake "host" runs the ccmds it is given far enough to
 * publish seqnos and answer IOCTL_SIMPLE, and hostile answers (a bad
 * rsp_mem_offset, an oversized response, a seqno never sent, a wrong
 * context type, failing ioctls) become errors naming the command.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "driver.h"
#include "msm_codec.h"
#include "virtgpu_uapi.h"

#define SHMEM_SIZE 0x4000u
#define FAKE_FD 42
#define MAX_BOS 16

struct fake_bo {
   uint32_t handle, res_id, blob_id;
   uint64_t size;
   uint8_t *mem;
   bool closed;
};

struct fake {
   uint32_t context_type;
   uint32_t rsp_mem_offset;       /* what the fake host writes into the shmem */
   bool answer_oversized;         /* IOCTL_SIMPLE answers claim more than reserved */
   bool publish_seqno;            /* the host runs what it gets */
   uint32_t seqno_bias;           /* added to the seqno published */
   int fail_execbuf_errno;
   bool no_fence_fd;
   struct fake_bo bos[MAX_BOS];
   uint32_t nbos;
   uint8_t *shmem;
   uint32_t calls[64];            /* ioctl numbers in order */
   uint32_t ncalls;
   struct vg_virtgpu_execbuffer last_eb;
   uint32_t last_eb_handles[16];
   uint8_t last_cmd[8192];
   uint32_t last_cmd_size;
   bool closed_fd;
};

static struct fake_bo *
bo_by_handle(struct fake *f, uint32_t handle)
{
   for (uint32_t i = 0; i < f->nbos; i++) {
      if (f->bos[i].handle == handle)
         return &f->bos[i];
   }
   return NULL;
}

/* The fake host: each ccmd's seqno published; IOCTL_SIMPLE answered (SUBMITQUEUE_NEW gets id 7). */
static void
run_ccmds(struct fake *f, const uint8_t *p, uint32_t size)
{
   uint32_t off = 0;

   while (off + sizeof(struct vdrm_ccmd_req) <= size) {
      struct vdrm_ccmd_req hdr;

      memcpy(&hdr, p + off, sizeof(hdr));
      assert_true(hdr.len >= sizeof(hdr) && off + hdr.len <= size);
      if (hdr.cmd == MSM_CCMD_IOCTL_SIMPLE) {
         struct msm_ccmd_ioctl_simple_req req;
         struct msm_ccmd_ioctl_simple_req_view view;
         struct vdrm_error err;
         struct msm_ccmd_ioctl_simple_rsp rsp = { .ret = 0 };
         uint8_t payload[128] = { 0 };
         uint8_t *slot = f->shmem + f->rsp_mem_offset + hdr.rsp_off;
         uint32_t reserved, out;
         size_t len;

         assert_int_equal(msm_ccmd_ioctl_simple_req_decode(p + off, hdr.len, &req, &view, &err), 0);
         memcpy(payload, view.payload.data, view.payload.size);
         if (req.cmd == DRM_IOCTL_MSM_SUBMITQUEUE_NEW) {
            struct drm_msm_submitqueue q;

            memcpy(&q, payload, sizeof(q));
            q.id = 7;
            memcpy(payload, &q, sizeof(q));
         }
         memcpy(&reserved, slot, 4);
         /* The answer carries the ioctl's out part, as the host's does. */
         out = VDRM_IOC_OUT_SIZE(req.cmd) < view.payload.size ? VDRM_IOC_OUT_SIZE(req.cmd) : view.payload.size;
         assert_int_equal(msm_ccmd_ioctl_simple_rsp_encode(slot, reserved, &rsp, payload, out, &len), 0);
         if (f->answer_oversized)
            *(uint32_t *)(void *)slot = reserved + 8;
      }
      if (f->publish_seqno)
         __atomic_store_n((uint32_t *)(void *)f->shmem, hdr.seqno + f->seqno_bias, __ATOMIC_RELEASE);
      off += hdr.len;
   }
}

static int
fake_ioctl(void *data, int fd, unsigned long request, void *arg)
{
   struct fake *f = data;

   assert_int_equal(fd, FAKE_FD);
   assert_true(f->ncalls < 64);
   f->calls[f->ncalls++] = (uint32_t)request;
   if (request == DRM_IOCTL_VIRTGPU_GET_CAPS) {
      struct drm_virtgpu_get_caps *a = arg;
      struct virgl_renderer_capset_drm caps = { .wire_format_version = 2, .context_type = f->context_type };

      assert_int_equal(a->cap_set_id, 6);
      assert_int_equal(a->cap_set_ver, 0);
      assert_int_equal(a->size, sizeof(caps));
      caps.u.msm.priorities = 3;
      caps.u.msm.va_start = 0x100000000ull;
      caps.u.msm.va_size = 0x100000000ull;
      caps.u.msm.gpu_id = 630;
      memcpy((void *)(uintptr_t)a->addr, &caps, sizeof(caps));
      return 0;
   }
   if (request == VG_IOCTL_VIRTGPU_CONTEXT_INIT) {
      struct vg_virtgpu_context_init *a = arg;
      const struct vg_virtgpu_context_set_param *p = (const void *)(uintptr_t)a->ctx_set_params;

      assert_int_equal(a->num_params, 2);
      assert_int_equal(a->pad, 0);
      assert_int_equal(p[0].param, VG_VIRTGPU_CONTEXT_PARAM_CAPSET_ID);
      assert_int_equal(p[0].value, 6);
      assert_int_equal(p[1].param, VG_VIRTGPU_CONTEXT_PARAM_NUM_RINGS);
      assert_int_equal(p[1].value, 64);
      return 0;
   }
   if (request == VG_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB) {
      struct vg_virtgpu_resource_create_blob *a = arg;
      struct fake_bo *bo = &f->bos[f->nbos];

      assert_true(f->nbos < MAX_BOS);
      assert_int_equal(a->blob_mem, VG_VIRTGPU_BLOB_MEM_HOST3D);
      assert_int_equal(a->blob_flags, VG_VIRTGPU_BLOB_FLAG_USE_MAPPABLE);
      assert_int_equal(a->pad, 0);
      assert_true(a->size > 0);
      *bo = (struct fake_bo){ .handle = 10 + f->nbos, .res_id = 100 + f->nbos, .blob_id = (uint32_t)a->blob_id,
                              .size = a->size };
      if (a->blob_id == 0) {
         assert_int_equal(a->size, SHMEM_SIZE);
         assert_int_equal(a->cmd_size, 0);
         bo->mem = f->shmem;
         memcpy(f->shmem + 4, &f->rsp_mem_offset, 4);
      } else {
         bo->mem = calloc(1, a->size);
         assert_true(a->cmd_size <= sizeof(f->last_cmd));
         memcpy(f->last_cmd, (const void *)(uintptr_t)a->cmd, a->cmd_size);
         f->last_cmd_size = a->cmd_size;
         run_ccmds(f, f->last_cmd, a->cmd_size);
      }
      a->bo_handle = bo->handle;
      a->res_handle = bo->res_id;
      f->nbos++;
      return 0;
   }
   if (request == DRM_IOCTL_VIRTGPU_MAP) {
      struct drm_virtgpu_map *a = arg;

      assert_non_null(bo_by_handle(f, a->handle));
      a->offset = (uint64_t)a->handle << 20;
      return 0;
   }
   if (request == VG_IOCTL_VIRTGPU_EXECBUFFER) {
      struct vg_virtgpu_execbuffer *a = arg;

      if (f->fail_execbuf_errno) {
         errno = f->fail_execbuf_errno;
         return -1;
      }
      f->last_eb = *a;
      assert_true(a->num_bo_handles <= 16);
      if (a->num_bo_handles)
         memcpy(f->last_eb_handles, (const void *)(uintptr_t)a->bo_handles, a->num_bo_handles * 4);
      assert_true(a->size <= sizeof(f->last_cmd));
      memcpy(f->last_cmd, (const void *)(uintptr_t)a->command, a->size);
      f->last_cmd_size = a->size;
      run_ccmds(f, f->last_cmd, a->size);
      if ((a->flags & VG_VIRTGPU_EXECBUF_FENCE_FD_OUT) && !f->no_fence_fd) {
         a->fence_fd = eventfd(1, EFD_CLOEXEC);   /* already signalled */
         assert_true(a->fence_fd >= 0);
      }
      return 0;
   }
   if (request == DRM_IOCTL_GEM_CLOSE) {
      struct drm_gem_close *a = arg;
      struct fake_bo *bo = bo_by_handle(f, a->handle);

      assert_non_null(bo);
      assert_false(bo->closed);
      bo->closed = true;
      if (bo->mem != f->shmem)
         free(bo->mem);
      bo->mem = NULL;
      return 0;
   }
   fail_msg("unexpected ioctl 0x%08lx", request);
   return -1;
}

static void *
fake_mmap(void *data, size_t len, int fd, uint64_t offset)
{
   struct fake *f = data;
   struct fake_bo *bo = bo_by_handle(f, (uint32_t)(offset >> 20));

   assert_int_equal(fd, FAKE_FD);
   assert_non_null(bo);
   assert_int_equal(len, bo->size);
   return bo->mem;
}

static int
fake_munmap(void *data, void *addr, size_t len)
{
   (void)data;
   (void)addr;
   (void)len;
   return 0;
}

static int
fake_close(void *data, int fd)
{
   struct fake *f = data;

   assert_int_equal(fd, FAKE_FD);
   f->closed_fd = true;
   return 0;
}

static struct vg_virtgpu_sys
sys_of(struct fake *f)
{
   return (struct vg_virtgpu_sys){ fake_ioctl, fake_mmap, fake_munmap, fake_close, f };
}

static int
setup(void **state)
{
   struct fake *f = calloc(1, sizeof(*f));

   f->context_type = VIRTGPU_DRM_CONTEXT_MSM;
   f->rsp_mem_offset = 16;
   f->publish_seqno = true;
   f->shmem = aligned_alloc(64, SHMEM_SIZE);
   memset(f->shmem, 0, SHMEM_SIZE);
   *state = f;
   return 0;
}

static int
teardown(void **state)
{
   struct fake *f = *state;

   for (uint32_t i = 0; i < f->nbos; i++) {
      if (f->bos[i].mem != f->shmem)
         free(f->bos[i].mem);
   }
   free(f->shmem);
   free(f);
   return 0;
}

static struct vg_device *
open_dev(struct fake *f, int timeout_ms)
{
   struct vg_virtgpu_sys sys = sys_of(f);
   struct vg_options o = vg_msm_driver.options;

   o.record_fd = -1;
   o.timeout_ms = timeout_ms;
   return vg_open_virtgpu(FAKE_FD, &sys, &o);
}

/* Capset, context init with it and 64 rings, the shmem blob 0 mapped; everything released. */
static void
open_makes_mesas_ioctls(void **state)
{
   struct fake *f = *state;
   struct vg_device *dev = open_dev(f, 1000);
   const uint32_t expect[] = { DRM_IOCTL_VIRTGPU_GET_CAPS, VG_IOCTL_VIRTGPU_CONTEXT_INIT,
                               VG_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB, DRM_IOCTL_VIRTGPU_MAP };

   assert_null(vg_error(dev));
   assert_string_equal(vg_transport_name(dev), "virtgpu");
   assert_int_equal(f->ncalls, 4);
   assert_memory_equal(f->calls, expect, sizeof(expect));
   assert_int_equal(vg_caps(dev)->u.msm.gpu_id, 630);
   assert_int_equal(f->bos[0].blob_id, 0);
   vg_close(dev);
   assert_true(f->bos[0].closed);
   assert_true(f->closed_fd);
}

/* The msm driver on virtio-gpu: each ioctl carries exactly the ccmds and handles it should. */
static void
msm_driver_over_virtgpu(void **state)
{
   struct fake *f = *state;
   struct vg_device *dev = open_dev(f, 1000);
   struct vg_driver *drv;
   struct vg_bo *cmd, *data;
   struct vg_fence fence;
   struct msm_ccmd_gem_new_req gem_new;
   struct msm_ccmd_gem_submit_req submit;
   struct msm_ccmd_gem_submit_req_view view;
   struct drm_msm_gem_submit_bo sbo;
   struct vdrm_error err;
   uint32_t words[4];

   assert_int_equal(vg_msm_driver.create(dev, &drv), 0);
   /* SUBMITQUEUE_NEW went as an execbuffer on ring 0 without a fence, and was answered. */
   assert_int_equal(f->last_eb.flags, VG_VIRTGPU_EXECBUF_RING_IDX);
   assert_int_equal(f->last_eb.ring_idx, 0);
   assert_int_equal(f->last_eb.num_bo_handles, 0);

   data = vg_msm_driver.bo_new(drv, 5000);
   assert_non_null(data);
   /* GEM_NEW rides in the blob ioctl, naming the blob's blob_id and a page-rounded size. */
   assert_int_equal(msm_ccmd_gem_new_req_decode(f->last_cmd, f->last_cmd_size, &gem_new, &err), 0);
   assert_int_equal(gem_new.blob_id, f->bos[f->nbos - 1].blob_id);
   assert_int_equal(gem_new.size, 8192);
   assert_int_equal(f->bos[f->nbos - 1].size, 8192);
   assert_int_equal(gem_new.iova, 0x100000000ull);
   cmd = vg_msm_driver.bo_new(drv, 4096);
   assert_non_null(cmd);
   assert_int_equal(vg_msm_driver.emit_cmds(drv, vg_msm_driver.bo_map(drv, cmd), 4096, 5), 16);
   memcpy(words, f->bos[f->nbos - 1].mem, sizeof(words));
   assert_int_equal(words[2], 5);

   assert_int_equal(vg_msm_driver.submit(drv, cmd, 16, &data, 1, &fence), 0);
   /* Ring priority + 1 (the capset has 3 priorities, the queue took 1), an out-fence, both handles. */
   assert_int_equal(f->last_eb.flags, VG_VIRTGPU_EXECBUF_RING_IDX | VG_VIRTGPU_EXECBUF_FENCE_FD_OUT);
   assert_int_equal(f->last_eb.ring_idx, 2);
   assert_int_equal(f->last_eb.num_bo_handles, 2);
   assert_int_equal(f->last_eb_handles[0], data->blob ? vg_blob_handle(data->blob) : 0);
   assert_int_equal(f->last_eb_handles[1], vg_blob_handle(cmd->blob));
   assert_int_equal(f->last_eb.syncobj_stride, 16);
   assert_int_equal(msm_ccmd_gem_submit_req_decode(f->last_cmd, f->last_cmd_size, &submit, &view, &err), 0);
   assert_int_equal(submit.queue_id, 7);
   assert_int_equal(submit.nr_bos, 2);
   assert_int_equal(submit.fence, 1);
   msm_ccmd_gem_submit_req_bos_get(&view, 1, &sbo);
   assert_int_equal(sbo.handle, f->bos[f->nbos - 1].res_id);
   assert_int_equal(vg_msm_driver.wait(drv, &fence, 1000), 0);
   vg_fence_release(dev, &fence);

   vg_msm_driver.bo_free(drv, data);
   vg_msm_driver.bo_free(drv, cmd);
   vg_msm_driver.destroy(drv);
   assert_null(vg_error(dev));
   assert_true(f->bos[1].closed && f->bos[2].closed);
   vg_close(dev);
}

static void
expect_open_error(struct fake *f, const char *error)
{
   struct vg_device *dev = open_dev(f, 1000);

   assert_non_null(vg_error(dev));
   assert_string_equal(vg_error(dev), error);
   vg_close(dev);
}

static void
hostile_rsp_mem_offset(void **state)
{
   struct fake *f = *state;

   f->rsp_mem_offset = SHMEM_SIZE;
   expect_open_error(f, "shmem: the host's rsp_mem_offset 16384 is outside [12, 16376] or not 8-aligned");
   f->rsp_mem_offset = 8;   /* no room for msm's async_error */
   expect_open_error(f, "shmem: the host's rsp_mem_offset 8 is outside [12, 16376] or not 8-aligned");
}

static void
wrong_context_type(void **state)
{
   struct fake *f = *state;

   f->context_type = VIRTGPU_DRM_CONTEXT_I915;
   expect_open_error(f, "GET_CAPS: the host serves context type 3, not 1");
}

/* A response claiming more bytes than its slot holds is refused, naming the request. */
static void
oversized_response(void **state)
{
   struct fake *f = *state;
   struct vg_device *dev = open_dev(f, 1000);
   struct vg_driver *drv = NULL;

   f->answer_oversized = true;
   assert_int_equal(vg_msm_driver.create(dev, &drv), -1);
   assert_string_equal(vg_error(dev),
                       "IOCTL_SIMPLE(SUBMITQUEUE_NEW): seqno 1: the host says it wrote 32 response bytes into a 24-byte slot");
   vg_close(dev);
}

/* A seqno the guest never sent is a lying host. */
static void
seqno_from_the_future(void **state)
{
   struct fake *f = *state;
   struct vg_device *dev = open_dev(f, 1000);
   struct vg_driver *drv = NULL;

   f->seqno_bias = 5;
   assert_int_equal(vg_msm_driver.create(dev, &drv), -1);
   assert_string_equal(vg_error(dev), "shmem: the host reports seqno 6, but the last request sent is 1");
   vg_close(dev);
}

/* A host that never runs the request: the wait ends at the deadline with an error. */
static void
seqno_never_passes(void **state)
{
   struct fake *f = *state;
   struct vg_device *dev = open_dev(f, 50);
   struct vg_driver *drv = NULL;

   f->publish_seqno = false;
   assert_int_equal(vg_msm_driver.create(dev, &drv), -1);
   assert_string_equal(vg_error(dev), "seqno: the host did not run seqno 1 within 50 ms (at 0)");
   vg_close(dev);
}

/* A submission the fake kernel then spoils (twist sets how) fails with error. */
static void
expect_submit_error(struct fake *f, void (*twist)(struct fake *f), const char *error)
{
   struct vg_device *dev = open_dev(f, 1000);
   struct vg_driver *drv;
   struct vg_bo *cmd;
   struct vg_fence fence;

   assert_int_equal(vg_msm_driver.create(dev, &drv), 0);
   cmd = vg_msm_driver.bo_new(drv, 4096);
   twist(f);
   assert_int_equal(vg_msm_driver.submit(drv, cmd, 16, NULL, 0, &fence), -1);
   assert_string_equal(vg_error(dev), error);
   vg_msm_driver.bo_free(drv, cmd);
   vg_msm_driver.destroy(drv);
   vg_close(dev);
}

static void
execbuffer_einval(struct fake *f)
{
   f->fail_execbuf_errno = EINVAL;
}

static void
execbuffer_no_fence(struct fake *f)
{
   f->no_fence_fd = true;
}

static void
failing_execbuffer(void **state)
{
   expect_submit_error(*state, execbuffer_einval, "GEM_SUBMIT: VIRTGPU_EXECBUFFER failed: Invalid argument");
}

static void
execbuffer_without_fence(void **state)
{
   expect_submit_error(*state, execbuffer_no_fence, "GEM_SUBMIT: VIRTGPU_EXECBUFFER returned no out-fence");
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(open_makes_mesas_ioctls, setup, teardown),
      cmocka_unit_test_setup_teardown(msm_driver_over_virtgpu, setup, teardown),
      cmocka_unit_test_setup_teardown(hostile_rsp_mem_offset, setup, teardown),
      cmocka_unit_test_setup_teardown(wrong_context_type, setup, teardown),
      cmocka_unit_test_setup_teardown(oversized_response, setup, teardown),
      cmocka_unit_test_setup_teardown(seqno_from_the_future, setup, teardown),
      cmocka_unit_test_setup_teardown(seqno_never_passes, setup, teardown),
      cmocka_unit_test_setup_teardown(failing_execbuffer, setup, teardown),
      cmocka_unit_test_setup_teardown(execbuffer_without_fence, setup, teardown),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
