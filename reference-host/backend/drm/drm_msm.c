/* SPDX-License-Identifier: MIT */

/* The msm driver's ioctls (Adreno), one operation each. */

#define _GNU_SOURCE
#include <errno.h>

#include "drm_internal.h"
#include "drm_msm_uapi.h"
#include "msm_kernel.h"

static int
msm_fd(struct vdrm_backend_file *f)
{
   return vdrm_drm_file(f)->fd;
}

static uint64_t
ptr(const void *p)
{
   return (uint64_t)(uintptr_t)p;
}

static int
msm_get_param(struct vdrm_backend_file *f, struct msm_ioctl_param *param)
{
   return vdrm_drm_ioctl(msm_fd(f), KMSM_IOCTL_GET_PARAM_NR, param);
}

static int
msm_set_param(struct vdrm_backend_file *f, uint32_t param, const void *data, uint32_t len)
{
   struct msm_ioctl_param args = {
      .pipe = KMSM_PIPE_3D0,
      .param = param,
      .value = ptr(data),
      .len = len,
   };

   return vdrm_drm_ioctl(msm_fd(f), KMSM_IOCTL_SET_PARAM_NR, &args);
}

static int
msm_gem_new(struct vdrm_backend_file *f, uint64_t size, uint32_t flags, uint32_t *handle)
{
   struct kmsm_gem_new args = { .size = size, .flags = flags };
   int ret = vdrm_drm_ioctl(msm_fd(f), KMSM_IOCTL_GEM_NEW_NR, &args);

   if (!ret)
      *handle = args.handle;
   return ret;
}

static int
gem_info(struct vdrm_backend_file *f, struct kmsm_gem_info *args)
{
   return vdrm_drm_ioctl(msm_fd(f), KMSM_IOCTL_GEM_INFO_NR, args);
}

static int
msm_gem_set_iova(struct vdrm_backend_file *f, uint32_t handle, uint64_t iova)
{
   struct kmsm_gem_info args = { .handle = handle, .info = KMSM_INFO_SET_IOVA, .value = iova };

   return gem_info(f, &args);
}

static int
msm_gem_set_name(struct vdrm_backend_file *f, uint32_t handle, const char *name, uint32_t len)
{
   struct kmsm_gem_info args = { .handle = handle, .info = KMSM_INFO_SET_NAME, .value = ptr(name), .len = len };

   return gem_info(f, &args);
}

static int
msm_mmap_offset(struct vdrm_drm_file *f, uint32_t handle, uint64_t *offset)
{
   struct kmsm_gem_info args = { .handle = handle, .info = KMSM_INFO_GET_OFFSET };
   int ret = gem_info(&f->base, &args);

   if (!ret)
      *offset = args.value;
   return ret;
}

static int
msm_gem_cpu_prep(struct vdrm_backend_file *f, uint32_t handle, uint32_t op, int64_t timeout_ns)
{
   struct kmsm_gem_cpu_prep args = { .handle = handle, .op = op };

   vdrm_drm_deadline(timeout_ns, &args.timeout.tv_sec, &args.timeout.tv_nsec);
   return vdrm_drm_ioctl(msm_fd(f), KMSM_IOCTL_GEM_CPU_PREP_NR, &args);
}

static int
msm_gem_submit(struct vdrm_backend_file *f, const struct vdrm_backend_msm_submit *submit,
               struct vdrm_backend_fence **fence)
{
   struct kmsm_gem_submit args = {
      .flags = submit->flags | KMSM_SUBMIT_FENCE_FD_OUT,
      .fence = submit->fence,
      .nr_bos = submit->nr_bos,
      .nr_cmds = submit->nr_cmds,
      .bos = ptr(submit->bos),
      .cmds = ptr(submit->cmds),
      .fence_fd = -1,
      .queueid = submit->queue_id,
   };
   int ret = vdrm_drm_ioctl(msm_fd(f), KMSM_IOCTL_GEM_SUBMIT_NR, &args);

   if (ret)
      return ret;
   return vdrm_drm_fence_from_fd(vdrm_drm_file(f)->dev, args.fence_fd, fence);
}

static int
msm_wait_fence(struct vdrm_backend_file *f, uint32_t queue_id, uint32_t fence, int64_t timeout_ns)
{
   struct kmsm_wait_fence args = { .fence = fence, .queueid = queue_id };

   vdrm_drm_deadline(timeout_ns, &args.timeout.tv_sec, &args.timeout.tv_nsec);
   return vdrm_drm_ioctl(msm_fd(f), KMSM_IOCTL_WAIT_FENCE_NR, &args);
}

static int
msm_submitqueue_new(struct vdrm_backend_file *f, struct drm_msm_submitqueue *q)
{
   return vdrm_drm_ioctl(msm_fd(f), KMSM_IOCTL_SUBMITQUEUE_NEW_NR, q);
}

static int
msm_submitqueue_close(struct vdrm_backend_file *f, uint32_t queue_id)
{
   return vdrm_drm_ioctl(msm_fd(f), KMSM_IOCTL_SUBMITQUEUE_CLOSE_NR, &queue_id);
}

static int
msm_submitqueue_query(struct vdrm_backend_file *f, uint32_t queue_id, uint32_t param, void *data,
                      uint32_t *len)
{
   struct kmsm_submitqueue_query args = { .data = ptr(data), .id = queue_id, .param = param, .len = *len };
   int ret = vdrm_drm_ioctl(msm_fd(f), KMSM_IOCTL_SUBMITQUEUE_QUERY_NR, &args);

   if (!ret)
      *len = args.len;
   return ret;
}

static const struct vdrm_backend_msm_ops drm_msm_ops = {
   .get_param = msm_get_param,
   .set_param = msm_set_param,
   .gem_new = msm_gem_new,
   .gem_set_iova = msm_gem_set_iova,
   .gem_set_name = msm_gem_set_name,
   .gem_cpu_prep = msm_gem_cpu_prep,
   .gem_submit = msm_gem_submit,
   .wait_fence = msm_wait_fence,
   .submitqueue_new = msm_submitqueue_new,
   .submitqueue_close = msm_submitqueue_close,
   .submitqueue_query = msm_submitqueue_query,
};

const struct vdrm_drm_driver vdrm_drm_msm_driver = {
   .name = "msm",
   .context_type = VIRTGPU_DRM_CONTEXT_MSM,
   .mmap_offset = msm_mmap_offset,
   .msm = &drm_msm_ops,
};
