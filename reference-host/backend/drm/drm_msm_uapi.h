/* SPDX-License-Identifier: MIT */

/*
 * The msm ioctls as current kernels define them (include/uapi/drm/msm_drm.h).
 * Debian 12's libdrm ships a msm_drm.h from before SET_IOVA, SET_NAME,
 * SUBMITQUEUE_QUERY and the string parameters, so the argument structs the
 * backend needs are spelled here as kmsm_*; the kernel accepts a shorter
 * struct from an older caller and this layout from every caller since 5.x.
 */

#ifndef VDRM_DRM_MSM_UAPI_H_
#define VDRM_DRM_MSM_UAPI_H_

#include <stdint.h>

#include <xf86drm.h>

#include "msm_codec.h"

struct kmsm_timespec {
   int64_t tv_sec;
   int64_t tv_nsec;
};

struct kmsm_gem_new {
   uint64_t size;
   uint32_t flags;
   uint32_t handle;     /* out */
};

/* DRM_MSM_GEM_INFO's info. */
#define KMSM_INFO_GET_OFFSET 0x00u
#define KMSM_INFO_SET_NAME 0x02u
#define KMSM_INFO_SET_IOVA 0x04u

struct kmsm_gem_info {
   uint32_t handle;
   uint32_t info;
   uint64_t value;      /* in or out, by info; a pointer for SET_NAME */
   uint32_t len;        /* SET_NAME's byte count */
   uint32_t pad;
};

struct kmsm_gem_cpu_prep {
   uint32_t handle;
   uint32_t op;
   struct kmsm_timespec timeout;   /* absolute, CLOCK_MONOTONIC */
};

struct kmsm_gem_submit {
   uint32_t flags;
   uint32_t fence;      /* in with FENCE_SN_IN, out otherwise */
   uint32_t nr_bos;
   uint32_t nr_cmds;
   uint64_t bos;        /* pointer to struct drm_msm_gem_submit_bo[] */
   uint64_t cmds;       /* pointer to struct drm_msm_gem_submit_cmd[] */
   int32_t fence_fd;    /* out with FENCE_FD_OUT */
   uint32_t queueid;
   uint64_t in_syncobjs;
   uint64_t out_syncobjs;
   uint32_t nr_in_syncobjs;
   uint32_t nr_out_syncobjs;
   uint32_t syncobj_stride;
   uint32_t pad;
};

struct kmsm_wait_fence {
   uint32_t fence;
   uint32_t flags;
   struct kmsm_timespec timeout;   /* absolute, CLOCK_MONOTONIC */
   uint32_t queueid;
};

struct kmsm_submitqueue_query {
   uint64_t data;       /* pointer */
   uint32_t id;
   uint32_t param;
   uint32_t len;        /* in: bytes at data; out: what the kernel has */
   uint32_t pad;
};

#define KMSM_IOWR(nr, type) DRM_IOWR(DRM_COMMAND_BASE + (nr), type)
#define KMSM_IOW(nr, type) DRM_IOW(DRM_COMMAND_BASE + (nr), type)

#define KMSM_IOCTL_GET_PARAM_NR KMSM_IOWR(0x00, struct msm_ioctl_param)
#define KMSM_IOCTL_SET_PARAM_NR KMSM_IOW(0x01, struct msm_ioctl_param)
#define KMSM_IOCTL_GEM_NEW_NR KMSM_IOWR(0x02, struct kmsm_gem_new)
#define KMSM_IOCTL_GEM_INFO_NR KMSM_IOWR(0x03, struct kmsm_gem_info)
#define KMSM_IOCTL_GEM_CPU_PREP_NR KMSM_IOW(0x04, struct kmsm_gem_cpu_prep)
#define KMSM_IOCTL_GEM_SUBMIT_NR KMSM_IOWR(0x06, struct kmsm_gem_submit)
#define KMSM_IOCTL_WAIT_FENCE_NR KMSM_IOW(0x07, struct kmsm_wait_fence)
#define KMSM_IOCTL_SUBMITQUEUE_NEW_NR KMSM_IOWR(0x0a, struct drm_msm_submitqueue)
#define KMSM_IOCTL_SUBMITQUEUE_CLOSE_NR KMSM_IOW(0x0b, uint32_t)
#define KMSM_IOCTL_SUBMITQUEUE_QUERY_NR KMSM_IOW(0x0c, struct kmsm_submitqueue_query)

#endif /* VDRM_DRM_MSM_UAPI_H_ */
