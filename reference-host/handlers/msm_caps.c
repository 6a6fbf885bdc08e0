/* SPDX-License-Identifier: MIT */

/* The msm part of the capability set, read from the device like a guest would. */

#include <errno.h>

#include "backend.h"
#include "drm_hw.h"
#include "msm_kernel.h"

int vh_msm_fill_capset(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps);

/* 0 and the value, or the kernel's error (a parameter an older kernel lacks is -EINVAL). */
static int
param(struct vdrm_backend_file *f, uint32_t which, uint64_t *value)
{
   struct msm_ioctl_param p = { .pipe = KMSM_PIPE_3D0, .param = which };
   int ret = f->dev->ops->msm->get_param(f, &p);

   *value = ret ? 0 : p.value;
   return ret;
}

int
vh_msm_fill_capset(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps)
{
   const struct vdrm_backend_msm_ops *k = f->dev->ops->msm;
   struct drm_msm_submitqueue q = { .flags = KMSM_SUBMITQUEUE_ALLOW_PREEMPT, .prio = 0 };
   uint64_t v;
   uint32_t handle;

   if (!k)
      return -EINVAL;
   /* What a guest cannot run without. */
   if (param(f, KMSM_PARAM_CHIP_ID, &v))
      return -EINVAL;
   caps->u.msm.chip_id = v;
   if (param(f, KMSM_PARAM_PRIORITIES, &v) || v == 0 || v > UINT32_MAX)
      return -EINVAL;
   caps->u.msm.priorities = (uint32_t)v;
   if (param(f, KMSM_PARAM_VA_START, &v))
      return -EINVAL;
   caps->u.msm.va_start = v;
   if (param(f, KMSM_PARAM_VA_SIZE, &v))
      return -EINVAL;
   caps->u.msm.va_size = v;

   /* The rest reads as zero (absent) from a kernel that lacks it. */
   param(f, KMSM_PARAM_GPU_ID, &v);
   caps->u.msm.gpu_id = (uint32_t)v;
   param(f, KMSM_PARAM_GMEM_SIZE, &v);
   caps->u.msm.gmem_size = (uint32_t)v;
   param(f, KMSM_PARAM_GMEM_BASE, &v);
   caps->u.msm.gmem_base = v;
   param(f, KMSM_PARAM_MAX_FREQ, &v);
   caps->u.msm.max_freq = (uint32_t)v;
   param(f, KMSM_PARAM_HIGHEST_BANK_BIT, &v);
   caps->u.msm.highest_bank_bit = (uint32_t)v;
   param(f, KMSM_PARAM_UBWC_SWIZZLE, &v);
   caps->u.msm.ubwc_swizzle = v;
   param(f, KMSM_PARAM_MACROTILE_MODE, &v);
   caps->u.msm.macrotile_mode = v;
   param(f, KMSM_PARAM_UCHE_TRAP_BASE, &v);
   caps->u.msm.uche_trap_base = v;
   /* Booleans this host knows: TRUE or FALSE, never "unknown". */
   caps->u.msm.has_raytracing = (param(f, KMSM_PARAM_RAYTRACING, &v) == 0 && v) ?
                                VIRTGPU_CAP_BOOL_TRUE : (uint32_t)VIRTGPU_CAP_BOOL_FALSE;
   if (k->submitqueue_new(f, &q) == 0) {
      k->submitqueue_close(f, q.id);
      caps->u.msm.has_preemption = VIRTGPU_CAP_BOOL_TRUE;
   } else {
      caps->u.msm.has_preemption = (uint32_t)VIRTGPU_CAP_BOOL_FALSE;
   }
   if (k->gem_new(f, 4096, KMSM_BO_CACHED_COHERENT, &handle) == 0) {
      f->dev->ops->gem_close(f, handle);
      caps->u.msm.has_cached_coherent = 1;
   }
   return 0;
}
