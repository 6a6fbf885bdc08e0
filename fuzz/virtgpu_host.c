/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include "virtgpu_host.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend.h"
#include "fuzz.h"
#include "vdrm_host.h"
#include "virtgpu_uapi.h"

enum { EDITS_MASK = 0x0f, FAIL_IOCTL = 0x10, FENCE_NEVER = 0x20, MAP_FAILS = 0x40 };
#define EDIT_FROM_START 0x8000u

/* The control byte of an answer; then its edits over the shmem the guest sees (when it exists). */
static uint8_t
answer_shmem(struct fz_virtgpu *v)
{
   uint8_t control = fz_control(&v->in);

   for (unsigned i = 0; i < (control & EDITS_MASK); i++) {
      struct fz_virtgpu_bo *s = v->shmem;
      uint8_t hdr[3];
      uint16_t off;

      fz_take(&v->in, hdr, sizeof(hdr));
      off = (uint16_t)(hdr[0] | hdr[1] << 8);
      if (!s || !s->view)
         fz_edit(&v->in, NULL, 0, 0, hdr[2]);   /* no shmem yet: consumed, not written */
      else if (off & EDIT_FROM_START)
         fz_edit(&v->in, s->view, s->size, off & ~EDIT_FROM_START, hdr[2]);
      else
         fz_edit(&v->in, s->view, s->size, (size_t)v->rsp_mem_offset + off, hdr[2]);
   }
   return control;
}

/* The host's shmem and the guest's view in step: before a host call, and after. */
static void
to_host(struct fz_virtgpu *v)
{
   if (v->shmem && v->shmem->view)
      memcpy(v->shmem->host_map, v->shmem->view, v->shmem->size);
}

static void
from_host(struct fz_virtgpu *v)
{
   if (v->shmem && v->shmem->view)
      memcpy(v->shmem->view, v->shmem->host_map, v->shmem->size);
}

static struct fz_virtgpu_bo *
bo_of(struct fz_virtgpu *v, uint32_t handle)
{
   if (handle < 1 || handle > FZ_VIRTGPU_BOS || !v->bos[handle - 1].live)
      return NULL;
   return &v->bos[handle - 1];
}

static void
bo_release(struct fz_virtgpu *v, struct fz_virtgpu_bo *bo)
{
   if (bo == v->shmem) {
      munmap(bo->host_map, bo->size);
      free(bo->view);
      v->shmem = NULL;
   }
   vdrm_host_resource_unref(v->host.client, bo->res_id);
   close(bo->fd);
   memset(bo, 0, sizeof(*bo));
}

static int
fail(int err)
{
   errno = err;
   return -1;
}

/* A batch through the host as EXECBUFFER hands it over: from an exactly sized copy. */
static int
host_submit(struct fz_virtgpu *v, uint64_t cmd, uint32_t size, uint32_t flags, uint32_t ring, uint64_t fence_id)
{
   uint8_t *copy = malloc(size ? size : 1);
   int ret;

   FZ_CHECK(copy, "out of memory");
   memcpy(copy, (const void *)(uintptr_t)cmd, size);
   ret = vdrm_host_submit(v->host.client, copy, size, flags, ring, fence_id);
   free(copy);
   /* A refused request is the guest's news through async_error, not the ioctl's. */
   return ret == VDRM_HOST_OK || ret == VDRM_HOST_E_PROTOCOL ? 0 : -1;
}

static int
get_caps(struct fz_virtgpu *v, struct drm_virtgpu_get_caps *a)
{
   uint8_t caps[sizeof(struct virgl_renderer_capset_drm)] = { 0 };
   size_t size;
   uint8_t control;

   if (vdrm_host_get_capset(v->host.sim.host, a->cap_set_id, a->cap_set_ver, caps, sizeof(caps), &size) !=
       VDRM_HOST_OK)
      return fail(EINVAL);
   control = fz_control(&v->in);
   for (unsigned i = 0; i < (control & EDITS_MASK); i++) {
      uint8_t hdr[3];

      fz_take(&v->in, hdr, sizeof(hdr));
      fz_edit(&v->in, caps, sizeof(caps), (size_t)(hdr[0] | hdr[1] << 8) % sizeof(caps), hdr[2]);
   }
   if (control & FAIL_IOCTL)
      return fail(EIO);
   memcpy((void *)(uintptr_t)a->addr, caps, a->size < sizeof(caps) ? a->size : sizeof(caps));
   return 0;
}

static int
create_blob(struct fz_virtgpu *v, struct vg_virtgpu_resource_create_blob *a)
{
   struct fz_virtgpu_bo *bo = NULL;
   uint32_t flags = a->blob_flags & VG_VIRTGPU_BLOB_FLAG_USE_MAPPABLE ? VDRM_HOST_BLOB_MAPPABLE : 0;
   uint8_t control;
   int ret = 0;

   for (uint32_t i = 0; i < FZ_VIRTGPU_BOS && !bo; i++)
      bo = v->bos[i].live ? NULL : &v->bos[i];
   to_host(v);
   if (a->cmd_size && host_submit(v, a->cmd, a->cmd_size, 0, 0, 0))
      ret = fail(EINVAL);
   if (!ret && !bo)
      ret = fail(ENOSPC);
   if (!ret && vdrm_host_blob_create(v->host.client, (uint32_t)a->blob_id, a->size, flags, &bo->res_id,
                                     &bo->fd) != VDRM_HOST_OK)
      ret = fail(EINVAL);
   if (!ret) {
      bo->live = true;
      bo->size = a->size;
      a->bo_handle = (uint32_t)(bo - v->bos) + 1;
      a->res_handle = bo->res_id;
   }
   if (!ret && a->blob_id == 0) {
      /* The shmem: the honest host has written its header; the guest's view starts as a copy. */
      bo->host_map = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, bo->fd, 0);
      FZ_CHECK(bo->host_map != MAP_FAILED, "shmem mmap");
      bo->view = malloc(bo->size);
      FZ_CHECK(bo->view, "out of memory");
      memcpy(&v->rsp_mem_offset, bo->host_map + offsetof(struct vdrm_shmem, rsp_mem_offset), 4);
      v->shmem = bo;
   }
   from_host(v);
   control = answer_shmem(v);
   if ((control & FAIL_IOCTL) && !ret) {
      bo_release(v, bo);   /* a failed ioctl leaves no handle behind */
      ret = fail(EIO);
   }
   if (!ret)
      bo->map_fails = control & MAP_FAILS;
   return ret;
}

static int
execbuffer(struct fz_virtgpu *v, struct vg_virtgpu_execbuffer *a)
{
   bool out = a->flags & VG_VIRTGPU_EXECBUF_FENCE_FD_OUT;
   uint8_t control;
   int ret;

   to_host(v);
   ret = host_submit(v, a->command, a->size, out ? VDRM_HOST_SUBMIT_FENCE : 0, a->ring_idx, ++v->fence_id);
   fz_guest_retire(&v->host, 1000000000ull);   /* the GPU work done before the guest looks */
   from_host(v);
   control = answer_shmem(v);
   if (ret || (control & FAIL_IOCTL))
      return fail(ret ? EINVAL : EIO);
   if (out) {
      a->fence_fd = eventfd(control & FENCE_NEVER ? 0 : 1, EFD_CLOEXEC);
      FZ_CHECK(a->fence_fd >= 0, "eventfd");
   }
   return 0;
}

static int
fake_ioctl(void *data, int fd, unsigned long request, void *arg)
{
   struct fz_virtgpu *v = data;

   FZ_CHECK(fd == FZ_VIRTGPU_FD, "ioctl on fd %d", fd);
   if (request == DRM_IOCTL_VIRTGPU_GET_CAPS)
      return get_caps(v, arg);
   if (request == VG_IOCTL_VIRTGPU_CONTEXT_INIT)
      return 0;   /* fz_guest_init() created the context */
   if (request == VG_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB)
      return create_blob(v, arg);
   if (request == VG_IOCTL_VIRTGPU_EXECBUFFER)
      return execbuffer(v, arg);
   if (request == DRM_IOCTL_VIRTGPU_MAP) {
      struct drm_virtgpu_map *a = arg;

      if (!bo_of(v, a->handle))
         return fail(ENOENT);
      a->offset = (uint64_t)a->handle << 20;
      return 0;
   }
   if (request == DRM_IOCTL_GEM_CLOSE) {
      struct drm_gem_close *a = arg;
      struct fz_virtgpu_bo *bo = bo_of(v, a->handle);

      if (!bo)
         return fail(ENOENT);
      bo_release(v, bo);
      return 0;
   }
   return fail(ENOTTY);
}

static void *
fake_mmap(void *data, size_t len, int fd, uint64_t offset)
{
   struct fz_virtgpu *v = data;
   struct fz_virtgpu_bo *bo = bo_of(v, (uint32_t)(offset >> 20));

   FZ_CHECK(fd == FZ_VIRTGPU_FD, "mmap of fd %d", fd);
   if (!bo || len != bo->size || offset % (1u << 20) || bo->map_fails) {
      errno = bo && bo->map_fails ? ENOMEM : EINVAL;
      return MAP_FAILED;
   }
   if (bo == v->shmem)
      return bo->view;
   return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bo->fd, 0);
}

static int
fake_munmap(void *data, void *addr, size_t len)
{
   struct fz_virtgpu *v = data;

   if (v->shmem && addr == v->shmem->view) {
      FZ_CHECK(len == v->shmem->size, "shmem unmapped with %zu bytes", len);
      free(v->shmem->view);
      v->shmem->view = NULL;
      return 0;
   }
   return munmap(addr, len);
}

static int
fake_close(void *data, int fd)
{
   (void)data;
   FZ_CHECK(fd == FZ_VIRTGPU_FD, "close of fd %d", fd);
   return 0;
}

void
fz_virtgpu_init(struct fz_virtgpu *v, const struct fz_context *ctx, const uint8_t *data, size_t size)
{
   memset(v, 0, sizeof(*v));
   fz_guest_init(&v->host, ctx);
   v->in = (struct fz_input){ data, size, false };
}

struct vg_virtgpu_sys
fz_virtgpu_sys(struct fz_virtgpu *v)
{
   return (struct vg_virtgpu_sys){ fake_ioctl, fake_mmap, fake_munmap, fake_close, v };
}

void
fz_virtgpu_fini(struct fz_virtgpu *v)
{
   for (uint32_t i = 0; i < FZ_VIRTGPU_BOS; i++)
      FZ_CHECK(!v->bos[i].live, "%s: the guest left GEM handle %u (resource %u) open", v->host.sim.ctx->name, i + 1,
               v->bos[i].res_id);
   fz_guest_fini(&v->host);
}
