/* SPDX-License-Identifier: MIT */

/* The GEM operations every DRM driver shares: close, PRIME export, a CPU write. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include <xf86drm.h>

#include "drm_internal.h"

/* The kernel's DRM_RDWR is O_RDWR; older libdrm headers lack the name. */
#ifndef DRM_RDWR
#define DRM_RDWR O_RDWR
#endif

int
vdrm_drm_gem_close(struct vdrm_backend_file *file, uint32_t handle)
{
   struct drm_gem_close args = { .handle = handle };

   return vdrm_drm_ioctl(vdrm_drm_file(file)->fd, DRM_IOCTL_GEM_CLOSE, &args);
}

int
vdrm_drm_gem_export(struct vdrm_backend_file *file, uint32_t handle, int *fd)
{
   int nfd = -1;
   int ret = VDRM_DRM_CALL(drmPrimeHandleToFD(vdrm_drm_file(file)->fd, handle, DRM_CLOEXEC | DRM_RDWR, &nfd));

   if (ret)
      return ret;
   *fd = nfd;
   return 0;
}

/*
 * Maps the object through its fake offset for this one write and unmaps it
 * again: writes are rare (GEM_UPLOAD), and no mapping outlives its handle.
 * A DRM fake offset maps only from the object's start, so the mapping
 * covers [0, offset + len); the kernel refuses one larger than the object.
 */
int
vdrm_drm_gem_write(struct vdrm_backend_file *file, uint32_t handle, uint64_t offset, const void *data,
                   size_t len)
{
   struct vdrm_drm_file *f = vdrm_drm_file(file);
   uint64_t fake_offset;
   uint64_t end;
   void *map;
   int ret;

   if (!f->dev->driver->mmap_offset)
      return -ENODEV;
   if (__builtin_add_overflow(offset, (uint64_t)len, &end) || end > SIZE_MAX)
      return -EINVAL;
   if (len == 0)
      return 0;
   ret = f->dev->driver->mmap_offset(f, handle, &fake_offset);
   if (ret)
      return ret;
   map = mmap(NULL, (size_t)end, PROT_WRITE, MAP_SHARED, f->fd, (off_t)fake_offset);
   if (map == MAP_FAILED)
      return -errno;
   memcpy((char *)map + offset, data, len);
   munmap(map, (size_t)end);
   return 0;
}
