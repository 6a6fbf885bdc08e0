/* SPDX-License-Identifier: MIT */

/*
 * The kernel backend interface: what the handlers call instead of ioctls.
 *
 * A backend is one GPU device as its kernel driver shows it. The host opens
 * it once per guest context (vdrm_backend_file, like an open of the render
 * node: it owns GEM handles, submitqueues and a GPU address space) and calls
 * the operations below with the kernel's own arguments and semantics: each
 * returns 0 or a negative errno exactly where the kernel ioctl would. The
 * handlers never learn which backend runs them (the software fake in sim/,
 * later a real device through libdrm).
 *
 * Nothing here checks what the guest sent: the handlers have done that (ids
 * translated, offsets bounded). A backend validates only what a kernel does.
 */

#ifndef VDRM_BACKEND_H_
#define VDRM_BACKEND_H_

#include <stddef.h>
#include <stdint.h>

#include "msm_codec.h"

struct vdrm_backend;
struct vdrm_backend_file;
struct vdrm_backend_fence;

/* The DRM driver's version (drmGetVersion()). */
struct vdrm_backend_version {
   uint32_t major;
   uint32_t minor;
   uint32_t patchlevel;
};

/*
 * DRM_MSM_GEM_SUBMIT as the host issues it: bos[].handle are backend GEM
 * handles (translated from res_ids), cmds[].relocs are zero.
 */
struct vdrm_backend_msm_submit {
   uint32_t flags;       /* MSM_PIPE_* | MSM_SUBMIT_*, including KMSM_SUBMIT_FENCE_SN_IN */
   uint32_t queue_id;
   uint32_t fence;       /* the fence seqno (FENCE_SN_IN) */
   uint32_t nr_bos;
   uint32_t nr_cmds;
   const struct drm_msm_gem_submit_bo *bos;
   const struct drm_msm_gem_submit_cmd *cmds;
};

/* The msm driver's ioctls, one operation each. */
struct vdrm_backend_msm_ops {
   /* DRM_MSM_GET_PARAM: in/out like the ioctl's struct. */
   int (*get_param)(struct vdrm_backend_file *f, struct msm_ioctl_param *param);
   /* DRM_MSM_SET_PARAM with a string parameter (COMM, CMDLINE): len bytes at data. */
   int (*set_param)(struct vdrm_backend_file *f, uint32_t param, const void *data, uint32_t len);
   /* DRM_MSM_GEM_NEW: size in bytes (rounded up to pages by the kernel). */
   int (*gem_new)(struct vdrm_backend_file *f, uint64_t size, uint32_t flags, uint32_t *handle);
   /* DRM_MSM_GEM_INFO(MSM_INFO_SET_IOVA); iova 0 releases the address. */
   int (*gem_set_iova)(struct vdrm_backend_file *f, uint32_t handle, uint64_t iova);
   /* DRM_MSM_GEM_INFO(MSM_INFO_SET_NAME): len bytes, not NUL-terminated. */
   int (*gem_set_name)(struct vdrm_backend_file *f, uint32_t handle, const char *name, uint32_t len);
   /* DRM_MSM_GEM_CPU_PREP with a relative timeout. */
   int (*gem_cpu_prep)(struct vdrm_backend_file *f, uint32_t handle, uint32_t op, int64_t timeout_ns);
   /*
    * DRM_MSM_GEM_SUBMIT. On success *fence is a new reference to the
    * submit's completion (what MSM_SUBMIT_FENCE_FD_OUT gives).
    */
   int (*gem_submit)(struct vdrm_backend_file *f, const struct vdrm_backend_msm_submit *submit,
                     struct vdrm_backend_fence **fence);
   /* DRM_MSM_WAIT_FENCE with a relative timeout (0: just ask). */
   int (*wait_fence)(struct vdrm_backend_file *f, uint32_t queue_id, uint32_t fence, int64_t timeout_ns);
   /* DRM_MSM_SUBMITQUEUE_NEW: fills q->id. */
   int (*submitqueue_new)(struct vdrm_backend_file *f, struct drm_msm_submitqueue *q);
   /* DRM_MSM_SUBMITQUEUE_CLOSE. */
   int (*submitqueue_close)(struct vdrm_backend_file *f, uint32_t queue_id);
   /* DRM_MSM_SUBMITQUEUE_QUERY: *len in: bytes at data; out: what the kernel set. */
   int (*submitqueue_query)(struct vdrm_backend_file *f, uint32_t queue_id, uint32_t param, void *data,
                            uint32_t *len);
};

struct vdrm_backend_ops {
   const char *name;
   uint32_t context_type;    /* VIRTGPU_DRM_CONTEXT_* this device's driver serves */
   void (*destroy)(struct vdrm_backend *dev);
   int (*get_version)(struct vdrm_backend *dev, struct vdrm_backend_version *version);
   int (*open)(struct vdrm_backend *dev, struct vdrm_backend_file **file);
   /* Closes every handle and queue of the file; pending work still completes. */
   void (*close)(struct vdrm_backend_file *file);

   /* DRM_IOCTL_GEM_CLOSE. */
   int (*gem_close)(struct vdrm_backend_file *f, uint32_t handle);
   /* PRIME export: a new file descriptor the caller owns and closes. */
   int (*gem_export)(struct vdrm_backend_file *f, uint32_t handle, int *fd);
   /* Writes len bytes at offset through the host's mapping of the object. */
   int (*gem_write)(struct vdrm_backend_file *f, uint32_t handle, uint64_t offset, const void *data,
                    size_t len);

   /* Fences (the sync_file of a submit): references, state, waiting. */
   void (*fence_ref)(struct vdrm_backend_fence *fence);
   void (*fence_unref)(struct vdrm_backend_fence *fence);
   /* 1 signaled, 0 pending. */
   int (*fence_signaled)(struct vdrm_backend_fence *fence);
   /* 0 when signaled within timeout_ns, -ETIME otherwise. */
   int (*fence_wait)(struct vdrm_backend_fence *fence, int64_t timeout_ns);

   const struct vdrm_backend_msm_ops *msm;   /* context_type VIRTGPU_DRM_CONTEXT_MSM */
   const struct vdrm_backend_i915_ops *i915;   /* context_type VIRTGPU_DRM_CONTEXT_I915 (i915_kernel.h) */
   const struct vdrm_backend_amdgpu_ops *amdgpu;   /* context_type VIRTGPU_DRM_CONTEXT_AMDGPU (amdgpu_kernel.h) */
   const struct vdrm_backend_asahi_ops *asahi;   /* context_type VIRTGPU_DRM_CONTEXT_ASAHI (asahi_kernel.h) */
   const struct vdrm_backend_panfrost_ops *panfrost;   /* VIRTGPU_DRM_CONTEXT_PANFROST (panfrost_kernel.h) */
};

/* Every backend object starts with one of these. */
struct vdrm_backend {
   const struct vdrm_backend_ops *ops;
};

struct vdrm_backend_file {
   struct vdrm_backend *dev;
};

struct vdrm_backend_fence {
   struct vdrm_backend *dev;
};

static inline void
vdrm_backend_destroy(struct vdrm_backend *dev)
{
   if (dev)
      dev->ops->destroy(dev);
}

#endif /* VDRM_BACKEND_H_ */
