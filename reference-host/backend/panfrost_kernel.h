/* SPDX-License-Identifier: MIT */

/*
 * The panfrost kernel driver as the handlers use it: the values of its UAPI
 * (include/uapi/drm/panfrost_drm.h facts, under KPAN_ names so that this
 * header never collides with the real one) and one backend operation per
 * ioctl, each with the kernel's arguments and semantics: 0, or the negative
 * errno where the ioctl fails.
 */

#ifndef VDRM_PANFROST_KERNEL_H_
#define VDRM_PANFROST_KERNEL_H_

#include <stdint.h>

struct vdrm_backend_file;
struct vdrm_backend_fence;

/* The driver's version this interface describes (1.3: CYCLE_COUNT, timestamps). */
#define KPAN_VERSION_MAJOR 1
#define KPAN_VERSION_MINOR 3
#define KPAN_VERSION_PATCHLEVEL 0

/* DRM_IOCTL_PANFROST_CREATE_BO flags. */
#define KPAN_BO_NOEXEC 0x1u
#define KPAN_BO_HEAP 0x2u
#define KPAN_BO_WB_MMAP 0x4u   /* newer kernels (1.5) only */

/* DRM_IOCTL_PANFROST_SUBMIT requirements. */
#define KPAN_JD_REQ_FS 0x1u            /* fragment chain: job slot 0; otherwise slot 1 */
#define KPAN_JD_REQ_CYCLE_COUNT 0x2u   /* 1.3 */

/* DRM_IOCTL_PANFROST_MADVISE. */
#define KPAN_MADV_WILLNEED 0u
#define KPAN_MADV_DONTNEED 1u

/* enum drm_panfrost_param. */
enum kpan_param {
   KPAN_PARAM_GPU_PROD_ID = 0,
   KPAN_PARAM_GPU_REVISION = 1,
   KPAN_PARAM_SHADER_PRESENT = 2,
   KPAN_PARAM_TILER_PRESENT = 3,
   KPAN_PARAM_L2_PRESENT = 4,
   KPAN_PARAM_STACK_PRESENT = 5,
   KPAN_PARAM_AS_PRESENT = 6,
   KPAN_PARAM_JS_PRESENT = 7,
   KPAN_PARAM_L2_FEATURES = 8,
   KPAN_PARAM_CORE_FEATURES = 9,
   KPAN_PARAM_TILER_FEATURES = 10,
   KPAN_PARAM_MEM_FEATURES = 11,
   KPAN_PARAM_MMU_FEATURES = 12,
   KPAN_PARAM_THREAD_FEATURES = 13,
   KPAN_PARAM_MAX_THREADS = 14,
   KPAN_PARAM_THREAD_MAX_WORKGROUP_SZ = 15,
   KPAN_PARAM_THREAD_MAX_BARRIER_SZ = 16,
   KPAN_PARAM_COHERENCY_FEATURES = 17,
   KPAN_PARAM_TEXTURE_FEATURES0 = 18,   /* ... 3 = 21 */
   KPAN_PARAM_JS_FEATURES0 = 22,        /* ... 15 = 37 */
   KPAN_PARAM_NR_CORE_GROUPS = 38,
   KPAN_PARAM_THREAD_TLS_ALLOC = 39,
   KPAN_PARAM_AFBC_FEATURES = 40,
   KPAN_PARAM_SYSTEM_TIMESTAMP = 41,
   KPAN_PARAM_SYSTEM_TIMESTAMP_FREQUENCY = 42,
   KPAN_PARAM_ALLOWED_JM_CTX_PRIORITIES = 43,
};

/*
 * DRM_IOCTL_PANFROST_SUBMIT as the host issues it: bo_handles are backend
 * GEM handles (translated from res_ids), no in-syncobjs, the default
 * job-manager context; the out-syncobj is the fence returned.
 */
struct vdrm_backend_panfrost_submit {
   uint64_t jc;
   uint32_t requirements;
   uint32_t bo_handle_count;
   const uint32_t *bo_handles;
};

/* The panfrost driver's ioctls, one operation each. */
struct vdrm_backend_panfrost_ops {
   /* DRM_IOCTL_PANFROST_GET_PARAM (pad 0): -EINVAL for a parameter the kernel does not know. */
   int (*get_param)(struct vdrm_backend_file *f, uint32_t param, uint64_t *value);
   /*
    * DRM_IOCTL_PANFROST_CREATE_BO (pad 0): a new handle and the buffer's GPU
    * address, which the kernel chooses in the file's address space.
    */
   int (*create_bo)(struct vdrm_backend_file *f, uint32_t size, uint32_t flags, uint32_t *handle,
                    uint64_t *offset);
   /* DRM_IOCTL_PANFROST_MMAP_BO: the fake offset for mmap() on the DRM file. */
   int (*mmap_bo)(struct vdrm_backend_file *f, uint32_t handle, uint32_t flags, uint64_t *offset);
   /* DRM_IOCTL_PANFROST_GET_BO_OFFSET: the buffer's GPU address. */
   int (*get_bo_offset)(struct vdrm_backend_file *f, uint32_t handle, uint64_t *offset);
   /*
    * DRM_IOCTL_PANFROST_WAIT_BO (pad 0): timeout_ns is an absolute deadline
    * on the backend's clock (CLOCK_MONOTONIC for a kernel); 0 polls. -EBUSY
    * when busy and the deadline had passed, -ETIMEDOUT when it passed while
    * waiting.
    */
   int (*wait_bo)(struct vdrm_backend_file *f, uint32_t handle, int64_t timeout_ns);
   /* DRM_IOCTL_PANFROST_SUBMIT; on success *fence is a new reference to the job's out-fence. */
   int (*submit)(struct vdrm_backend_file *f, const struct vdrm_backend_panfrost_submit *submit,
                 struct vdrm_backend_fence **fence);
   /* DRM_IOCTL_PANFROST_MADVISE: *retained is 1 unless the memory was reclaimed. */
   int (*madvise)(struct vdrm_backend_file *f, uint32_t handle, uint32_t madv, uint32_t *retained);
};

#endif /* VDRM_PANFROST_KERNEL_H_ */
