/* SPDX-License-Identifier: MIT */

/*
 * Fences: a sync_file fd, readable (POLLIN) once every fence in it has
 * signaled. A submit that succeeded without giving one (fd -1: Mesa's noop
 * drm-shims, which run nothing and leave the out-fence untouched) has
 * nothing to wait for, so its fence is signaled from the start.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "drm_internal.h"

int
vdrm_drm_fence_from_fd(struct vdrm_drm_device *dev, int fd, struct vdrm_backend_fence **out)
{
   struct vdrm_drm_fence *fence = calloc(1, sizeof(*fence));

   if (!fence) {
      if (fd >= 0)
         close(fd);
      return -ENOMEM;
   }
   fence->base.dev = &dev->base;
   fence->refcount = 1;
   fence->fd = fd;
   *out = &fence->base;
   return 0;
}

int
vdrm_drm_fence_from_syncobj(struct vdrm_drm_file *f, uint32_t syncobj, struct vdrm_backend_fence **out)
{
   int fd = -1;
   int ret = VDRM_DRM_CALL(drmSyncobjExportSyncFile(f->fd, syncobj, &fd));

   if (ret)
      return ret;
   return vdrm_drm_fence_from_fd(f->dev, fd, out);
}

void
vdrm_drm_fence_ref(struct vdrm_backend_fence *base)
{
   __atomic_add_fetch(&((struct vdrm_drm_fence *)base)->refcount, 1, __ATOMIC_RELAXED);
}

void
vdrm_drm_fence_unref(struct vdrm_backend_fence *base)
{
   struct vdrm_drm_fence *fence = (struct vdrm_drm_fence *)base;

   if (!fence || __atomic_sub_fetch(&fence->refcount, 1, __ATOMIC_ACQ_REL))
      return;
   if (fence->fd >= 0)
      close(fence->fd);
   free(fence);
}

/* 1 readable within timeout_ns (0: just ask), 0 not. */
static int
poll_fence(struct vdrm_drm_fence *fence, int64_t timeout_ns)
{
   struct pollfd p = { .fd = fence->fd, .events = POLLIN };
   struct timespec ts;

   if (fence->fd < 0)
      return 1;
   if (timeout_ns < 0)
      timeout_ns = 0;
   ts.tv_sec = (time_t)(timeout_ns / 1000000000);
   ts.tv_nsec = (long)(timeout_ns % 1000000000);
   for (;;) {
      int n = ppoll(&p, 1, &ts, NULL);

      if (n > 0)
         return (p.revents & POLLIN) ? 1 : 0;
      /* EINTR: ppoll does not report what is left, so restart with the whole timeout. */
      if (n == 0 || errno != EINTR)
         return 0;
   }
}

int
vdrm_drm_fence_signaled(struct vdrm_backend_fence *base)
{
   return poll_fence((struct vdrm_drm_fence *)base, 0);
}

int
vdrm_drm_fence_wait(struct vdrm_backend_fence *base, int64_t timeout_ns)
{
   return poll_fence((struct vdrm_drm_fence *)base, timeout_ns) ? 0 : -ETIME;
}
