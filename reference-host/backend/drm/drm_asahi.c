/* SPDX-License-Identifier: MIT */

/*
 * The asahi driver's ioctls (Apple AGX), one operation each. The argument
 * structs that travel on the wire come from the generated asahi_uapi.h; the
 * few that do not (GEM_CREATE, GEM_MMAP_OFFSET, VM_BIND, SUBMIT) are spelled
 * here as kasahi_*. Implicit synchronisation of a submit's external
 * resources goes through their dma-bufs (see submit_syncs below).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "asahi_kernel.h"
#include "drm_internal.h"

struct kasahi_gem_create {
   uint64_t size;
   uint32_t flags;
   uint32_t vm_id;
   uint32_t handle;       /* out */
   uint32_t pad;
};

struct kasahi_gem_mmap_offset {
   uint32_t handle;
   uint32_t flags;
   uint64_t offset;       /* out */
};

struct kasahi_vm_bind {
   uint32_t vm_id;
   uint32_t num_binds;
   uint32_t stride;       /* sizeof(struct drm_asahi_gem_bind_op) */
   uint32_t pad;
   uint64_t userptr;      /* pointer to the ops */
};

#define KASAHI_SYNC_SYNCOBJ 0u

struct kasahi_sync {
   uint32_t sync_type;
   uint32_t handle;
   uint64_t timeline_value;
};

struct kasahi_submit {
   uint64_t syncs;        /* pointer: in_sync_count waits, then out_sync_count signals */
   uint64_t cmdbuf;
   uint32_t flags;
   uint32_t queue_id;
   uint32_t in_sync_count;
   uint32_t out_sync_count;
   uint32_t cmdbuf_size;
   uint32_t pad;
};

#define KASAHI_IOCTL_GET_PARAMS DRM_IOW(DRM_COMMAND_BASE + 0x00, struct drm_asahi_get_params)
#define KASAHI_IOCTL_VM_BIND DRM_IOW(DRM_COMMAND_BASE + 0x04, struct kasahi_vm_bind)
#define KASAHI_IOCTL_GEM_CREATE DRM_IOWR(DRM_COMMAND_BASE + 0x05, struct kasahi_gem_create)
#define KASAHI_IOCTL_GEM_MMAP_OFFSET DRM_IOWR(DRM_COMMAND_BASE + 0x06, struct kasahi_gem_mmap_offset)
#define KASAHI_IOCTL_GEM_BIND_OBJECT DRM_IOWR(DRM_COMMAND_BASE + 0x07, struct drm_asahi_gem_bind_object)
#define KASAHI_IOCTL_SUBMIT DRM_IOW(DRM_COMMAND_BASE + 0x0a, struct kasahi_submit)

/* Per file: the syncobj every submit signals, exported as a sync_file right after. */
struct asahi_file {
   uint32_t out_sync;
};

static int
asahi_fd(struct vdrm_backend_file *f)
{
   return vdrm_drm_file(f)->fd;
}

static uint64_t
ptr(const void *p)
{
   return (uint64_t)(uintptr_t)p;
}

static int
asahi_file_init(struct vdrm_drm_file *f)
{
   struct asahi_file *a = calloc(1, sizeof(*a));
   int ret;

   if (!a)
      return -ENOMEM;
   ret = VDRM_DRM_CALL(drmSyncobjCreate(f->fd, 0, &a->out_sync));

   if (ret) {
      free(a);
      return ret;
   }
   f->priv = a;
   return 0;
}

static void
asahi_file_fini(struct vdrm_drm_file *f)
{
   struct asahi_file *a = f->priv;

   drmSyncobjDestroy(f->fd, a->out_sync);
   free(a);
}

static int
asahi_get_params(struct vdrm_backend_file *f, const struct drm_asahi_get_params *args, void *data)
{
   struct drm_asahi_get_params a = *args;

   a.pointer = ptr(data);
   return vdrm_drm_ioctl(asahi_fd(f), KASAHI_IOCTL_GET_PARAMS, &a);
}

static int
asahi_get_time(struct vdrm_backend_file *f, struct drm_asahi_get_time *args)
{
   return vdrm_drm_ioctl(asahi_fd(f), DRM_IOCTL_KASAHI_GET_TIME, args);
}

static int
asahi_vm_create(struct vdrm_backend_file *f, struct drm_asahi_vm_create *args)
{
   return vdrm_drm_ioctl(asahi_fd(f), DRM_IOCTL_KASAHI_VM_CREATE, args);
}

static int
asahi_vm_destroy(struct vdrm_backend_file *f, const struct drm_asahi_vm_destroy *args)
{
   struct drm_asahi_vm_destroy a = *args;

   return vdrm_drm_ioctl(asahi_fd(f), DRM_IOCTL_KASAHI_VM_DESTROY, &a);
}

static int
asahi_gem_create(struct vdrm_backend_file *f, uint64_t size, uint32_t flags, uint32_t vm_id, uint32_t *handle)
{
   struct kasahi_gem_create args = { .size = size, .flags = flags, .vm_id = vm_id };
   int ret = vdrm_drm_ioctl(asahi_fd(f), KASAHI_IOCTL_GEM_CREATE, &args);

   if (!ret)
      *handle = args.handle;
   return ret;
}

static int
asahi_mmap_offset(struct vdrm_drm_file *f, uint32_t handle, uint64_t *offset)
{
   struct kasahi_gem_mmap_offset args = { .handle = handle };
   int ret = vdrm_drm_ioctl(f->fd, KASAHI_IOCTL_GEM_MMAP_OFFSET, &args);

   if (!ret)
      *offset = args.offset;
   return ret;
}

static int
asahi_vm_bind(struct vdrm_backend_file *f, uint32_t vm_id, const struct drm_asahi_gem_bind_op *ops, uint32_t count)
{
   struct kasahi_vm_bind args = {
      .vm_id = vm_id,
      .num_binds = count,
      .stride = sizeof(*ops),
      .userptr = ptr(ops),
   };

   return vdrm_drm_ioctl(asahi_fd(f), KASAHI_IOCTL_VM_BIND, &args);
}

static int
asahi_gem_bind_object(struct vdrm_backend_file *f, struct drm_asahi_gem_bind_object *args)
{
   return vdrm_drm_ioctl(asahi_fd(f), KASAHI_IOCTL_GEM_BIND_OBJECT, args);
}

static int
asahi_queue_create(struct vdrm_backend_file *f, struct drm_asahi_queue_create *args)
{
   return vdrm_drm_ioctl(asahi_fd(f), DRM_IOCTL_KASAHI_QUEUE_CREATE, args);
}

static int
asahi_queue_destroy(struct vdrm_backend_file *f, const struct drm_asahi_queue_destroy *args)
{
   struct drm_asahi_queue_destroy a = *args;

   return vdrm_drm_ioctl(asahi_fd(f), DRM_IOCTL_KASAHI_QUEUE_DESTROY, &a);
}

/*
 * Implicit synchronisation as the kernel's own exec ioctls do it, through
 * each resource's dma-buf: before the submit, a syncobj per resource holding
 * the fences it must wait for (a reader waits for writers, a writer for
 * everyone); after it, the submit's fence added to the dma-buf as a read or
 * a write. A buffer that cannot be exported (VM_PRIVATE) has no implicit
 * fences and is skipped.
 */
struct asahi_implicit {
   uint32_t count;
   int *dmabufs;            /* -1: skipped */
   struct kasahi_sync *syncs;   /* the in-syncs, then room for the out-sync */
   uint32_t nr_in;
};

static void
implicit_fini(struct vdrm_drm_file *f, struct asahi_implicit *im)
{
   for (uint32_t i = 0; i < im->nr_in; i++)
      drmSyncobjDestroy(f->fd, im->syncs[i].handle);
   for (uint32_t i = 0; i < im->count; i++) {
      if (im->dmabufs[i] >= 0)
         close(im->dmabufs[i]);
   }
   free(im->dmabufs);
   free(im->syncs);
}

/* One resource's wait: its dma-buf's current fences as a new syncobj. */
static int
implicit_wait(struct vdrm_drm_file *f, struct asahi_implicit *im, int dmabuf, uint32_t flags)
{
   struct dma_buf_export_sync_file exp = {
      .flags = (flags & KASAHI_SYNC_WRITE) ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_READ,
      .fd = -1,
   };
   uint32_t syncobj;
   int ret;

   ret = vdrm_drm_ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp);
   if (ret)
      return ret;
   ret = VDRM_DRM_CALL(drmSyncobjCreate(f->fd, 0, &syncobj));
   if (ret) {
      close(exp.fd);
      return ret;
   }
   ret = VDRM_DRM_CALL(drmSyncobjImportSyncFile(f->fd, syncobj, exp.fd));
   close(exp.fd);
   if (ret) {
      drmSyncobjDestroy(f->fd, syncobj);
      return ret;
   }
   im->syncs[im->nr_in++] = (struct kasahi_sync){ .sync_type = KASAHI_SYNC_SYNCOBJ, .handle = syncobj };
   return 0;
}

static int
implicit_init(struct vdrm_drm_file *f, const struct vdrm_backend_asahi_submit *submit, struct asahi_implicit *im)
{
   *im = (struct asahi_implicit){ .count = submit->nr_syncs };
   im->dmabufs = malloc(((size_t)submit->nr_syncs + 1) * sizeof(*im->dmabufs));
   im->syncs = calloc((size_t)submit->nr_syncs + 1, sizeof(*im->syncs));
   if (!im->dmabufs || !im->syncs) {
      im->count = 0;
      implicit_fini(f, im);
      return -ENOMEM;
   }
   for (uint32_t i = 0; i < submit->nr_syncs; i++)
      im->dmabufs[i] = -1;
   for (uint32_t i = 0; i < submit->nr_syncs; i++) {
      int ret;

      if (VDRM_DRM_CALL(drmPrimeHandleToFD(f->fd, submit->syncs[i].handle, DRM_CLOEXEC, &im->dmabufs[i]))) {
         im->dmabufs[i] = -1;
         continue;
      }
      ret = implicit_wait(f, im, im->dmabufs[i], submit->syncs[i].flags);
      if (ret) {
         implicit_fini(f, im);
         return ret;
      }
   }
   return 0;
}

/* The submit's fence into every exported resource's dma-buf, as a write or a read. */
static void
implicit_signal(const struct vdrm_backend_asahi_submit *submit, struct asahi_implicit *im, int fence_fd)
{
   if (fence_fd < 0)
      return;
   for (uint32_t i = 0; i < im->count; i++) {
      struct dma_buf_import_sync_file imp = {
         .flags = (submit->syncs[i].flags & KASAHI_SYNC_WRITE) ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_READ,
         .fd = fence_fd,
      };

      if (im->dmabufs[i] >= 0)
         vdrm_drm_ioctl(im->dmabufs[i], DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &imp);
   }
}

static int
asahi_submit(struct vdrm_backend_file *file, const struct vdrm_backend_asahi_submit *submit,
             struct vdrm_backend_fence **fence)
{
   struct vdrm_drm_file *f = vdrm_drm_file(file);
   struct asahi_file *a = f->priv;
   struct asahi_implicit im;
   struct kasahi_submit args;
   int fence_fd = -1;
   int ret = implicit_init(f, submit, &im);

   if (ret)
      return ret;
   im.syncs[im.nr_in] = (struct kasahi_sync){ .sync_type = KASAHI_SYNC_SYNCOBJ, .handle = a->out_sync };
   args = (struct kasahi_submit){
      .syncs = ptr(im.syncs),
      .cmdbuf = ptr(submit->cmdbuf),
      .flags = submit->flags,
      .queue_id = submit->queue_id,
      .in_sync_count = im.nr_in,
      .out_sync_count = 1,
      .cmdbuf_size = submit->cmdbuf_size,
   };
   ret = vdrm_drm_ioctl(f->fd, KASAHI_IOCTL_SUBMIT, &args);
   if (!ret)
      ret = VDRM_DRM_CALL(drmSyncobjExportSyncFile(f->fd, a->out_sync, &fence_fd));
   if (!ret)
      implicit_signal(submit, &im, fence_fd);
   implicit_fini(f, &im);
   if (ret)
      return ret;
   return vdrm_drm_fence_from_fd(f->dev, fence_fd, fence);
}

static const struct vdrm_backend_asahi_ops drm_asahi_ops = {
   .get_params = asahi_get_params,
   .get_time = asahi_get_time,
   .vm_create = asahi_vm_create,
   .vm_destroy = asahi_vm_destroy,
   .gem_create = asahi_gem_create,
   .vm_bind = asahi_vm_bind,
   .gem_bind_object = asahi_gem_bind_object,
   .queue_create = asahi_queue_create,
   .queue_destroy = asahi_queue_destroy,
   .submit = asahi_submit,
};

const struct vdrm_drm_driver vdrm_drm_asahi_driver = {
   .name = "asahi",
   .context_type = VIRTGPU_DRM_CONTEXT_ASAHI,
   .file_init = asahi_file_init,
   .file_fini = asahi_file_fini,
   .mmap_offset = asahi_mmap_offset,
   .asahi = &drm_asahi_ops,
};
