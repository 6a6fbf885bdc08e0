/* SPDX-License-Identifier: MIT */

/*
 * The drm backend's pieces: the device and its open files (drm_device.c),
 * the operations every driver shares (drm_gem.c, drm_fence.c) and one table
 * entry per kernel driver (drm_<driver>.c, listed in drm_drivers.c).
 */

#ifndef VDRM_DRM_INTERNAL_H_
#define VDRM_DRM_INTERNAL_H_

#include <errno.h>
#include <stdint.h>

#include "backend.h"
#include "vdrm_drm.h"

struct vdrm_drm_file;

/* One kernel driver: what it serves and the ioctls that differ per driver. */
struct vdrm_drm_driver {
   const char *name;          /* drmGetVersion()->name */
   uint32_t context_type;     /* VIRTGPU_DRM_CONTEXT_* */
   /* Per-file state after the node is opened (f->priv); both may be NULL. */
   int (*file_init)(struct vdrm_drm_file *f);
   void (*file_fini)(struct vdrm_drm_file *f);
   /* The fake offset to mmap() an object at on f->fd (the driver's mmap-offset ioctl). */
   int (*mmap_offset)(struct vdrm_drm_file *f, uint32_t handle, uint64_t *offset);
   /* The driver's own operations: exactly the one of its context type is set. */
   const struct vdrm_backend_msm_ops *msm;
   const struct vdrm_backend_i915_ops *i915;
   const struct vdrm_backend_amdgpu_ops *amdgpu;
   const struct vdrm_backend_asahi_ops *asahi;
   const struct vdrm_backend_panfrost_ops *panfrost;
};

/* Every driver this backend drives, NULL-terminated (drm_drivers.c). */
extern const struct vdrm_drm_driver *const vdrm_drm_drivers[];

struct vdrm_drm_device {
   struct vdrm_backend base;
   struct vdrm_backend_ops ops;    /* the common operations plus the driver's */
   const struct vdrm_drm_driver *driver;
   struct vdrm_backend_version version;
   char *node;                     /* the render node's path */
};

/* One guest context's open file of the render node. */
struct vdrm_drm_file {
   struct vdrm_backend_file base;
   struct vdrm_drm_device *dev;
   int fd;
   void *priv;                     /* the driver's (file_init) */
};

/* A sync_file: a submit's completion. */
struct vdrm_drm_fence {
   struct vdrm_backend_fence base;
   int refcount;                   /* atomic */
   int fd;
};

static inline struct vdrm_drm_file *
vdrm_drm_file(struct vdrm_backend_file *f)
{
   return (struct vdrm_drm_file *)f;
}

/*
 * A libdrm call's status as 0 or a negative errno. The kernel's ioctl()
 * fails with -1 and errno; Mesa's drm-shim returns the negative errno from
 * ioctl() itself and leaves errno alone. errno is cleared before the call
 * so that both read right (and a stale errno never reads as success).
 */
static inline int
vdrm_drm_status(int ret)
{
   if (ret >= 0)
      return 0;
   if (ret == -1 && errno)
      return -errno;
   return ret;
}
#define VDRM_DRM_CALL(call) (errno = 0, vdrm_drm_status(call))

/* drmIoctl (restarted on EINTR/EAGAIN): 0 or the negative errno. */
int vdrm_drm_ioctl(int fd, unsigned long request, void *arg);

/* An absolute CLOCK_MONOTONIC time timeout_ns from now, as the kernel's timespecs take it. */
void vdrm_drm_deadline(int64_t timeout_ns, int64_t *tv_sec, int64_t *tv_nsec);

/* drm_gem.c */
int vdrm_drm_gem_close(struct vdrm_backend_file *f, uint32_t handle);
int vdrm_drm_gem_export(struct vdrm_backend_file *f, uint32_t handle, int *fd);
int vdrm_drm_gem_write(struct vdrm_backend_file *f, uint32_t handle, uint64_t offset, const void *data,
                       size_t len);

/* drm_fence.c */
/* A fence owning sync_file fd (closed on failure too); -1: already signaled. */
int vdrm_drm_fence_from_fd(struct vdrm_drm_device *dev, int fd, struct vdrm_backend_fence **fence);
/* A fence of the sync_file a syncobj's current fence exports to. */
int vdrm_drm_fence_from_syncobj(struct vdrm_drm_file *f, uint32_t syncobj, struct vdrm_backend_fence **fence);
void vdrm_drm_fence_ref(struct vdrm_backend_fence *fence);
void vdrm_drm_fence_unref(struct vdrm_backend_fence *fence);
int vdrm_drm_fence_signaled(struct vdrm_backend_fence *fence);
int vdrm_drm_fence_wait(struct vdrm_backend_fence *fence, int64_t timeout_ns);

#endif /* VDRM_DRM_INTERNAL_H_ */
