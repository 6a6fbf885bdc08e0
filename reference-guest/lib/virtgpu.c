/* SPDX-License-Identifier: MIT */

/*
 * The virtio-gpu transport: a DRM native context on a virtio_gpu render
 * node, as Mesa's vdrm_virtgpu.c drives it (capset, context init with it,
 * the shmem and buffers as HOST3D blobs, ccmds as execbuffers with
 * ring_idx). Every system call goes through struct vg_virtgpu_sys, so tests
 * run it against a fake kernel.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "device.h"
#include "virtgpu_uapi.h"

/* The caller's syncobjs go to the kernel as they are. */
static_assert(sizeof(struct vg_syncobj) == sizeof(struct vg_virtgpu_execbuffer_syncobj) &&
                 offsetof(struct vg_syncobj, point) == offsetof(struct vg_virtgpu_execbuffer_syncobj, point),
              "struct vg_syncobj has the kernel's layout");

#define NUM_RINGS 64   /* as Mesa asks: ring 0 plus one per queue priority, with room */

struct virtgpu {
   int fd;
   uint32_t shmem_handle;
   struct vg_virtgpu_sys sys;
};

static struct virtgpu *
vgpu(struct vg_device *dev)
{
   return dev->transport;
}

/* One ioctl through the table, counted; a failure names command and ioctl. */
static int
vioctl(struct vg_device *dev, unsigned long request, void *arg, size_t payload, const char *command,
       const char *ioctl_name)
{
   struct virtgpu *v = vgpu(dev);

   dev->stats.messages++;
   dev->stats.bytes += payload;
   if (v->sys.ioctl(v->sys.data, v->fd, request, arg))
      return vg_fail(dev, command, "%s failed: %s", ioctl_name, strerror(errno));
   return 0;
}

static void *
map_handle(struct vg_device *dev, uint32_t handle, uint64_t size, const char *command)
{
   struct virtgpu *v = vgpu(dev);
   struct drm_virtgpu_map req = { .handle = handle };
   void *map;

   if (vioctl(dev, DRM_IOCTL_VIRTGPU_MAP, &req, sizeof(req), command, "VIRTGPU_MAP"))
      return NULL;
   map = v->sys.mmap(v->sys.data, size, v->fd, req.offset);
   if (map == MAP_FAILED) {
      vg_fail(dev, command, "mapping %llu bytes at offset 0x%llx: %s", (unsigned long long)size,
              (unsigned long long)req.offset, strerror(errno));
      return NULL;
   }
   return map;
}

static void
gem_close(struct vg_device *dev, uint32_t handle)
{
   struct drm_gem_close req = { .handle = handle };
   struct virtgpu *v = vgpu(dev);

   /* Releasing cannot fail in a way the guest could act on. */
   dev->stats.messages++;
   v->sys.ioctl(v->sys.data, v->fd, DRM_IOCTL_GEM_CLOSE, &req);
}

static int
v_submit(struct vg_device *dev, const void *cmds, size_t len, const struct vg_execbuf *eb,
         struct vg_fence *fence)
{
   uint32_t handles[64];
   uint32_t nblobs = eb ? eb->num_blobs : 0;
   const char *command = eb ? eb->command : "EXECBUFFER";
   struct vg_virtgpu_execbuffer req = {
      .flags = VG_VIRTGPU_EXECBUF_RING_IDX | (fence ? VG_VIRTGPU_EXECBUF_FENCE_FD_OUT : 0),
      .size = (uint32_t)len,
      .command = (uintptr_t)cmds,
      .fence_fd = -1,
      .ring_idx = eb ? eb->ring_idx : 0,
      .syncobj_stride = sizeof(struct vg_virtgpu_execbuffer_syncobj),
   };

   if (len > UINT32_MAX)
      return vg_fail(dev, command, "a %zu-byte batch", len);
   if (nblobs > 64)
      return vg_fail(dev, command, "%u buffers, at most 64 here", nblobs);
   for (uint32_t i = 0; i < nblobs; i++)
      handles[i] = eb->blobs[i]->handle;
   if (nblobs) {
      req.bo_handles = (uintptr_t)handles;
      req.num_bo_handles = nblobs;
   }
   if (eb && eb->num_in_syncobjs) {
      req.num_in_syncobjs = eb->num_in_syncobjs;
      req.in_syncobjs = (uintptr_t)eb->in_syncobjs;
   }
   if (eb && eb->num_out_syncobjs) {
      req.num_out_syncobjs = eb->num_out_syncobjs;
      req.out_syncobjs = (uintptr_t)eb->out_syncobjs;
   }
   if (vioctl(dev, VG_IOCTL_VIRTGPU_EXECBUFFER, &req, sizeof(req) + len, command, "VIRTGPU_EXECBUFFER"))
      return -1;
   if (fence) {
      if (req.fence_fd < 0)
         return vg_fail(dev, command, "VIRTGPU_EXECBUFFER returned no out-fence");
      fence->fd = req.fence_fd;
   }
   return 0;
}

/*
 * The kernel gives no answer to a plain execbuffer: like Mesa's
 * vdrm_host_sync(), poll the shmem's seqno, here with a deadline and
 * watching async_error (a refused request stops the seqno).
 */
static int
v_sync(struct vg_device *dev)
{
   uint64_t deadline = vg_now_ms() + (uint64_t)dev->opt.timeout_ms;
   uint32_t ae = dev->async_error;

   while (!vg_seqno_passed(dev, dev->next_seqno)) {
      if (dev->opt.async_error_offset) {
         uint32_t v;

         memcpy(&v, dev->shmem + dev->opt.async_error_offset, sizeof(v));
         if (v != ae)
            return 0;   /* vg_check_host() names the refused request */
      }
      if (vg_now_ms() > deadline)
         return vg_fail(dev, "seqno", "the host did not run seqno %u within %d ms (at %u)", dev->next_seqno,
                        dev->opt.timeout_ms, vg_shmem_seqno(dev));
      sched_yield();
   }
   return 0;
}

static int
create_blob(struct vg_device *dev, struct vg_blob *blob, const void *ccmd, size_t len, const char *command)
{
   struct vg_virtgpu_resource_create_blob req = {
      .blob_mem = VG_VIRTGPU_BLOB_MEM_HOST3D,
      .blob_flags = (blob->flags & VG_BLOB_MAPPABLE ? VG_VIRTGPU_BLOB_FLAG_USE_MAPPABLE : 0) |
                    (blob->flags & VG_BLOB_SHAREABLE ? VG_VIRTGPU_BLOB_FLAG_USE_SHAREABLE : 0),
      .size = blob->size,
      .cmd_size = (uint32_t)len,
      .cmd = (uintptr_t)ccmd,
      .blob_id = blob->blob_id,
   };

   if (vioctl(dev, VG_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB, &req, sizeof(req) + len, command,
              "VIRTGPU_RESOURCE_CREATE_BLOB"))
      return -1;
   if (!req.bo_handle || !req.res_handle)
      return vg_fail(dev, command, "VIRTGPU_RESOURCE_CREATE_BLOB gave handle %u, resource %u", req.bo_handle,
                     req.res_handle);
   blob->handle = req.bo_handle;
   blob->res_id = req.res_handle;
   return 0;
}

static int
v_blob_create(struct vg_device *dev, struct vg_blob *blob, const void *ccmd, size_t len)
{
   return create_blob(dev, blob, ccmd, len, "RESOURCE_CREATE_BLOB");
}

static int
v_blob_resolve(struct vg_device *dev, struct vg_blob *blob)
{
   return vg_fail(dev, "RESOURCE_CREATE_BLOB", "blob %u has no resource", blob->blob_id);
}

static void *
v_blob_map(struct vg_device *dev, struct vg_blob *blob)
{
   return map_handle(dev, blob->handle, blob->size, "VIRTGPU_MAP");
}

static void
v_blob_destroy(struct vg_device *dev, struct vg_blob *blob)
{
   struct virtgpu *v = vgpu(dev);

   if (blob->map)
      v->sys.munmap(v->sys.data, blob->map, blob->size);
   if (blob->handle)
      gem_close(dev, blob->handle);
}

static int
v_fence_resolve(struct vg_device *dev, struct vg_fence *fence)
{
   return vg_fail(dev, "fence", "the fence of ring %u has no descriptor", fence->ring);
}

static void
v_fence_forget(struct vg_device *dev, struct vg_fence *fence)
{
   (void)dev;
   (void)fence;
}

static int
v_syncobj_create(struct vg_device *dev, uint32_t *handle)
{
   struct drm_syncobj_create req = { .flags = 0 };

   if (vioctl(dev, DRM_IOCTL_SYNCOBJ_CREATE, &req, sizeof(req), "SYNCOBJ_CREATE", "DRM_IOCTL_SYNCOBJ_CREATE"))
      return -1;
   *handle = req.handle;
   return 0;
}

static void
v_syncobj_destroy(struct vg_device *dev, uint32_t handle)
{
   struct drm_syncobj_destroy req = { .handle = handle };

   vioctl(dev, DRM_IOCTL_SYNCOBJ_DESTROY, &req, sizeof(req), "SYNCOBJ_DESTROY", "DRM_IOCTL_SYNCOBJ_DESTROY");
}

static void
v_close(struct vg_device *dev)
{
   struct virtgpu *v = vgpu(dev);

   if (!v)
      return;
   if (dev->shmem)
      v->sys.munmap(v->sys.data, dev->shmem, dev->opt.shmem_size);
   if (v->shmem_handle)
      gem_close(dev, v->shmem_handle);
   if (v->fd >= 0)
      v->sys.close(v->sys.data, v->fd);
   free(v);
   dev->transport = NULL;
}

static const struct vg_transport_ops virtgpu_ops = {
   .name = "virtgpu",
   .submit = v_submit,
   .sync = v_sync,
   .blob_create = v_blob_create,
   .blob_resolve = v_blob_resolve,
   .blob_map = v_blob_map,
   .blob_destroy = v_blob_destroy,
   .fence_resolve = v_fence_resolve,
   .fence_forget = v_fence_forget,
   .syncobj_create = v_syncobj_create,
   .syncobj_destroy = v_syncobj_destroy,
   .close = v_close,
};

/* ---- opening ---- */

static int
open_context(struct vg_device *dev)
{
   struct virtgpu *v = vgpu(dev);
   struct drm_virtgpu_get_caps caps = {
      .cap_set_id = VG_CAPSET_DRM,
      .cap_set_ver = 0,
      .addr = (uintptr_t)&dev->caps,
      .size = sizeof(dev->caps),
   };
   struct vg_virtgpu_context_set_param params[] = {
      { VG_VIRTGPU_CONTEXT_PARAM_CAPSET_ID, VG_CAPSET_DRM },
      { VG_VIRTGPU_CONTEXT_PARAM_NUM_RINGS, NUM_RINGS },
   };
   struct vg_virtgpu_context_init init = { .num_params = 2, .ctx_set_params = (uintptr_t)params };
   struct vg_blob shmem = { .size = dev->opt.shmem_size, .flags = VG_BLOB_MAPPABLE, .blob_id = 0, .fd = -1 };
   void *map;

   memset(&dev->caps, 0, sizeof(dev->caps));
   dev->stats.round_trips++;   /* the kernel asks the host for the capset */
   if (vioctl(dev, DRM_IOCTL_VIRTGPU_GET_CAPS, &caps, sizeof(caps), "GET_CAPS", "VIRTGPU_GET_CAPS"))
      return -1;
   if (dev->caps.context_type != dev->opt.context_type)
      return vg_fail(dev, "GET_CAPS", "the host serves context type %u, not %u", dev->caps.context_type,
                     dev->opt.context_type);
   if (vioctl(dev, VG_IOCTL_VIRTGPU_CONTEXT_INIT, &init, sizeof(init) + sizeof(params), "CONTEXT_INIT",
              "VIRTGPU_CONTEXT_INIT"))
      return -1;
   if (create_blob(dev, &shmem, NULL, 0, "RESOURCE_CREATE_BLOB(shmem)"))
      return -1;
   v->shmem_handle = shmem.handle;
   map = map_handle(dev, shmem.handle, shmem.size, "RESOURCE_CREATE_BLOB(shmem)");
   if (!map)
      return -1;
   return vg_shmem_attach(dev, map);
}

struct vg_device *
vg_open_virtgpu(int fd, const struct vg_virtgpu_sys *sys, const struct vg_options *opt)
{
   struct vg_device *dev = vg_device_alloc(opt, &virtgpu_ops);
   struct virtgpu *v;

   if (!dev) {
      sys->close(sys->data, fd);
      return NULL;
   }
   v = calloc(1, sizeof(*v));
   if (!v) {
      sys->close(sys->data, fd);
      vg_fail(dev, "virtgpu", "out of memory");
      return dev;
   }
   v->fd = fd;
   v->sys = *sys;
   dev->transport = v;
   open_context(dev);
   return dev;
}

/* ---- the real system calls ---- */

static int
sys_ioctl(void *data, int fd, unsigned long request, void *arg)
{
   int ret;

   (void)data;
   do
      ret = ioctl(fd, request, arg);
   while (ret == -1 && (errno == EINTR || errno == EAGAIN));
   return ret;
}

static void *
sys_mmap(void *data, size_t len, int fd, uint64_t offset)
{
   (void)data;
   return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);
}

static int
sys_munmap(void *data, void *addr, size_t len)
{
   (void)data;
   return munmap(addr, len);
}

static int
sys_close(void *data, int fd)
{
   (void)data;
   return close(fd);
}

const struct vg_virtgpu_sys vg_virtgpu_sys_default = {
   .ioctl = sys_ioctl,
   .mmap = sys_mmap,
   .munmap = sys_munmap,
   .close = sys_close,
};
