/* SPDX-License-Identifier: MIT */

/*
 * The panfrost driver's ioctls (Mali Midgard/Bifrost), one operation each.
 * Neither libdrm nor Debian 12's kernel headers ship panfrost_drm.h, so the
 * argument structs (kernel UAPI 1.x) are spelled here as kpan_*.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>

#include <xf86drm.h>

#include "drm_internal.h"
#include "panfrost_kernel.h"

struct kpan_submit {
   uint64_t jc;
   uint64_t in_syncs;         /* pointer to uint32_t syncobj handles */
   uint32_t in_sync_count;
   uint32_t out_sync;         /* syncobj that receives the job's fence */
   uint64_t bo_handles;       /* pointer to uint32_t GEM handles */
   uint32_t bo_handle_count;
   uint32_t requirements;
};

struct kpan_wait_bo {
   uint32_t handle;
   uint32_t pad;
   int64_t timeout_ns;        /* absolute, CLOCK_MONOTONIC */
};

struct kpan_create_bo {
   uint32_t size;
   uint32_t flags;
   uint32_t handle;           /* out */
   uint32_t pad;
   uint64_t offset;           /* out: the GPU address */
};

struct kpan_mmap_bo {
   uint32_t handle;
   uint32_t flags;
   uint64_t offset;           /* out: the fake mmap offset */
};

struct kpan_get_param {
   uint32_t param;
   uint32_t pad;
   uint64_t value;
};

struct kpan_get_bo_offset {
   uint32_t handle;
   uint32_t pad;
   uint64_t offset;
};

struct kpan_madvise {
   uint32_t handle;
   uint32_t madv;
   uint32_t retained;         /* out */
};

#define KPAN_IOCTL_SUBMIT DRM_IOW(DRM_COMMAND_BASE + 0x00, struct kpan_submit)
#define KPAN_IOCTL_WAIT_BO DRM_IOW(DRM_COMMAND_BASE + 0x01, struct kpan_wait_bo)
#define KPAN_IOCTL_CREATE_BO DRM_IOWR(DRM_COMMAND_BASE + 0x02, struct kpan_create_bo)
#define KPAN_IOCTL_MMAP_BO DRM_IOWR(DRM_COMMAND_BASE + 0x03, struct kpan_mmap_bo)
#define KPAN_IOCTL_GET_PARAM DRM_IOWR(DRM_COMMAND_BASE + 0x04, struct kpan_get_param)
#define KPAN_IOCTL_GET_BO_OFFSET DRM_IOWR(DRM_COMMAND_BASE + 0x05, struct kpan_get_bo_offset)
#define KPAN_IOCTL_MADVISE DRM_IOWR(DRM_COMMAND_BASE + 0x08, struct kpan_madvise)

/* Per file: the syncobj every submit signals, exported as a sync_file right after. */
struct pan_file {
   uint32_t out_sync;
};

static int
pan_fd(struct vdrm_backend_file *f)
{
   return vdrm_drm_file(f)->fd;
}

static int
pan_file_init(struct vdrm_drm_file *f)
{
   struct pan_file *p = calloc(1, sizeof(*p));
   int ret;

   if (!p)
      return -ENOMEM;
   ret = VDRM_DRM_CALL(drmSyncobjCreate(f->fd, 0, &p->out_sync));
   if (ret) {
      free(p);
      return ret;
   }
   f->priv = p;
   return 0;
}

static void
pan_file_fini(struct vdrm_drm_file *f)
{
   struct pan_file *p = f->priv;

   drmSyncobjDestroy(f->fd, p->out_sync);
   free(p);
}

static int
pan_get_param(struct vdrm_backend_file *f, uint32_t param, uint64_t *value)
{
   struct kpan_get_param args = { .param = param };
   int ret = vdrm_drm_ioctl(pan_fd(f), KPAN_IOCTL_GET_PARAM, &args);

   if (!ret)
      *value = args.value;
   return ret;
}

static int
pan_create_bo(struct vdrm_backend_file *f, uint32_t size, uint32_t flags, uint32_t *handle, uint64_t *offset)
{
   struct kpan_create_bo args = { .size = size, .flags = flags };
   int ret = vdrm_drm_ioctl(pan_fd(f), KPAN_IOCTL_CREATE_BO, &args);

   if (!ret) {
      *handle = args.handle;
      *offset = args.offset;
   }
   return ret;
}

static int
pan_mmap_bo(struct vdrm_backend_file *f, uint32_t handle, uint32_t flags, uint64_t *offset)
{
   struct kpan_mmap_bo args = { .handle = handle, .flags = flags };
   int ret = vdrm_drm_ioctl(pan_fd(f), KPAN_IOCTL_MMAP_BO, &args);

   if (!ret)
      *offset = args.offset;
   return ret;
}

static int
pan_mmap_offset(struct vdrm_drm_file *f, uint32_t handle, uint64_t *offset)
{
   return pan_mmap_bo(&f->base, handle, 0, offset);
}

static int
pan_get_bo_offset(struct vdrm_backend_file *f, uint32_t handle, uint64_t *offset)
{
   struct kpan_get_bo_offset args = { .handle = handle };
   int ret = vdrm_drm_ioctl(pan_fd(f), KPAN_IOCTL_GET_BO_OFFSET, &args);

   if (!ret)
      *offset = args.offset;
   return ret;
}

static int
pan_wait_bo(struct vdrm_backend_file *f, uint32_t handle, int64_t timeout_ns)
{
   struct kpan_wait_bo args = { .handle = handle, .timeout_ns = timeout_ns };

   return vdrm_drm_ioctl(pan_fd(f), KPAN_IOCTL_WAIT_BO, &args);
}

static int
pan_submit(struct vdrm_backend_file *file, const struct vdrm_backend_panfrost_submit *submit,
           struct vdrm_backend_fence **fence)
{
   struct vdrm_drm_file *f = vdrm_drm_file(file);
   struct pan_file *p = f->priv;
   struct kpan_submit args = {
      .jc = submit->jc,
      .out_sync = p->out_sync,
      .bo_handles = (uint64_t)(uintptr_t)submit->bo_handles,
      .bo_handle_count = submit->bo_handle_count,
      .requirements = submit->requirements,
   };
   int ret = vdrm_drm_ioctl(f->fd, KPAN_IOCTL_SUBMIT, &args);

   if (ret)
      return ret;
   return vdrm_drm_fence_from_syncobj(f, p->out_sync, fence);
}

static int
pan_madvise(struct vdrm_backend_file *f, uint32_t handle, uint32_t madv, uint32_t *retained)
{
   struct kpan_madvise args = { .handle = handle, .madv = madv };
   int ret = vdrm_drm_ioctl(pan_fd(f), KPAN_IOCTL_MADVISE, &args);

   if (!ret)
      *retained = args.retained;
   return ret;
}

static const struct vdrm_backend_panfrost_ops drm_panfrost_ops = {
   .get_param = pan_get_param,
   .create_bo = pan_create_bo,
   .mmap_bo = pan_mmap_bo,
   .get_bo_offset = pan_get_bo_offset,
   .wait_bo = pan_wait_bo,
   .submit = pan_submit,
   .madvise = pan_madvise,
};

const struct vdrm_drm_driver vdrm_drm_panfrost_driver = {
   .name = "panfrost",
   .context_type = VIRTGPU_DRM_CONTEXT_PANFROST,
   .file_init = pan_file_init,
   .file_fini = pan_file_fini,
   .mmap_offset = pan_mmap_offset,
   .panfrost = &drm_panfrost_ops,
};
