/* SPDX-License-Identifier: MIT */

/*
 * The i915 driver on a real render node: each operation of
 * vdrm_backend_i915_ops is its DRM_IOCTL_I915_* ioctl with the UAPI struct
 * filled from the interface's arguments (the handlers built every host
 * pointer in them). A submission's completion is the sync_file that
 * EXECBUFFER2_WR returns for I915_EXEC_FENCE_OUT.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <i915_drm.h>
#include <xf86drm.h>

#include "drm_hw.h"
#include "drm_internal.h"
#include "i915_kernel.h"

/* How the host maps a buffer to write into it (gem_write). */
struct di_file {
   uint32_t mmap_mode;   /* I915_MMAP_OFFSET_* */
};

/* True when the device has local (device-class) memory: GEM_MMAP_OFFSET then takes only FIXED. */
static bool
has_local_memory(int fd)
{
   struct drm_i915_query_item item = { .query_id = DRM_I915_QUERY_MEMORY_REGIONS };
   struct drm_i915_query query = { .num_items = 1, .items_ptr = (uint64_t)(uintptr_t)&item };
   struct drm_i915_query_memory_regions *regions;
   bool found = false;

   if (vdrm_drm_ioctl(fd, DRM_IOCTL_I915_QUERY, &query) || item.length <= 0 ||
       (size_t)item.length < sizeof(*regions))
      return false;
   regions = calloc(1, (size_t)item.length);
   if (!regions)
      return false;
   item.data_ptr = (uint64_t)(uintptr_t)regions;
   if (vdrm_drm_ioctl(fd, DRM_IOCTL_I915_QUERY, &query) == 0 && item.length > 0) {
      /* The count is the driver's: believe only what fits the bytes it wrote. */
      size_t fit = ((size_t)item.length - sizeof(*regions)) / sizeof(regions->regions[0]);

      for (uint32_t i = 0; i < regions->num_regions && i < fit; i++)
         if (regions->regions[i].region.memory_class == I915_MEMORY_CLASS_DEVICE)
            found = true;
   }
   free(regions);
   return found;
}

static int
di_file_init(struct vdrm_drm_file *f)
{
   struct di_file *p = calloc(1, sizeof(*p));
   int llc = 0;

   if (!p)
      return -ENOMEM;
   /*
    * Local memory maps only FIXED; system memory write-back where the LLC
    * keeps the CPU coherent with the GPU, write-combined where nothing does.
    */
   if (has_local_memory(f->fd)) {
      p->mmap_mode = I915_MMAP_OFFSET_FIXED;
   } else {
      struct drm_i915_getparam gp = { .param = I915_PARAM_HAS_LLC, .value = &llc };

      if (vdrm_drm_ioctl(f->fd, DRM_IOCTL_I915_GETPARAM, &gp))
         llc = 0;
      p->mmap_mode = llc ? I915_MMAP_OFFSET_WB : I915_MMAP_OFFSET_WC;
   }
   f->priv = p;
   return 0;
}

static void
di_file_fini(struct vdrm_drm_file *f)
{
   free(f->priv);
   f->priv = NULL;
}

static int
mmap_offset_of_kind(int fd, uint32_t handle, uint32_t flags, uint64_t *offset)
{
   struct drm_i915_gem_mmap_offset args = { .handle = handle, .flags = flags };
   int ret = vdrm_drm_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &args);

   if (ret == 0)
      *offset = args.offset;
   return ret;
}

static int
di_mmap_offset(struct vdrm_drm_file *f, uint32_t handle, uint64_t *offset)
{
   const struct di_file *p = f->priv;

   return mmap_offset_of_kind(f->fd, handle, p->mmap_mode, offset);
}

static int
fd_of(struct vdrm_backend_file *file)
{
   return vdrm_drm_file(file)->fd;
}

static int
di_get_pci_info(struct vdrm_backend_file *file, struct ki915_pci_info *info)
{
   drmDevicePtr dev = NULL;
   /* The revision comes from sysfs; without this flag libdrm reports 0xff. */
   int ret = drmGetDevice2(fd_of(file), DRM_DEVICE_GET_PCI_REVISION, &dev);

   if (ret)
      return ret < 0 ? ret : -ENODEV;
   if (dev->bustype != DRM_BUS_PCI) {
      drmFreeDevice(&dev);
      return -ENODEV;
   }
   *info = (struct ki915_pci_info){
      .domain = dev->businfo.pci->domain,
      .bus = dev->businfo.pci->bus,
      .dev = dev->businfo.pci->dev,
      .func = dev->businfo.pci->func,
      .device_id = dev->deviceinfo.pci->device_id,
      .revision_id = dev->deviceinfo.pci->revision_id,
   };
   drmFreeDevice(&dev);
   return 0;
}

static int
di_getparam(struct vdrm_backend_file *file, int32_t param, int32_t *value)
{
   int v = 0;
   struct drm_i915_getparam gp = { .param = param, .value = &v };
   int ret = vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GETPARAM, &gp);

   if (ret == 0)
      *value = v;
   return ret;
}

static int
di_query(struct vdrm_backend_file *file, struct ki915_query_item *item)
{
   struct drm_i915_query_item k = {
      .query_id = item->query_id,
      .length = item->length,
      .flags = item->flags,
      .data_ptr = item->data_ptr,
   };
   struct drm_i915_query query = { .num_items = 1, .items_ptr = (uint64_t)(uintptr_t)&k };
   int ret = vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_QUERY, &query);

   /* An item's own failure is its length (a negative errno); the ioctl succeeds. */
   if (ret == 0)
      item->length = k.length;
   return ret;
}

static int
di_gem_create(struct vdrm_backend_file *file, uint64_t *size, uint32_t *handle)
{
   struct drm_i915_gem_create args = { .size = *size };
   int ret = vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GEM_CREATE, &args);

   if (ret == 0) {
      *size = args.size;
      *handle = args.handle;
   }
   return ret;
}

static int
di_gem_create_ext(struct vdrm_backend_file *file, struct ki915_gem_create_ext *a)
{
   struct drm_i915_gem_create_ext args = { .size = a->size, .flags = a->flags, .extensions = a->extensions };
   int ret = vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GEM_CREATE_EXT, &args);

   if (ret == 0) {
      a->size = args.size;
      a->handle = args.handle;
   }
   return ret;
}

static int
di_gem_set_domain(struct vdrm_backend_file *file, const struct drm_i915_gem_set_domain *a)
{
   struct drm_i915_gem_set_domain args = *a;

   return vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GEM_SET_DOMAIN, &args);
}

static int
di_gem_set_tiling(struct vdrm_backend_file *file, struct drm_i915_gem_set_tiling *a)
{
   return vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GEM_SET_TILING, a);
}

static int
di_gem_get_tiling(struct vdrm_backend_file *file, struct drm_i915_gem_get_tiling *a)
{
   return vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GEM_GET_TILING, a);
}

static int
di_gem_get_aperture(struct vdrm_backend_file *file, struct drm_i915_gem_get_aperture *a)
{
   return vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GEM_GET_APERTURE, a);
}

static int
di_gem_context_create_ext(struct vdrm_backend_file *file, struct ki915_gem_context_create_ext *a)
{
   struct drm_i915_gem_context_create_ext args = { .flags = a->flags, .extensions = a->extensions };
   int ret = vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GEM_CONTEXT_CREATE_EXT, &args);

   if (ret == 0)
      a->ctx_id = args.ctx_id;
   return ret;
}

static int
di_gem_context_destroy(struct vdrm_backend_file *file, const struct drm_i915_gem_context_destroy *a)
{
   struct drm_i915_gem_context_destroy args = *a;

   return vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GEM_CONTEXT_DESTROY, &args);
}

static int
di_reg_read(struct vdrm_backend_file *file, struct drm_i915_reg_read *a)
{
   return vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_REG_READ, a);
}

static int
di_get_reset_stats(struct vdrm_backend_file *file, struct drm_i915_reset_stats *a)
{
   return vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GET_RESET_STATS, a);
}

static int
di_gem_context_getparam(struct vdrm_backend_file *file, struct drm_i915_gem_context_param *a)
{
   return vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, a);
}

static int
di_gem_context_setparam(struct vdrm_backend_file *file, const struct drm_i915_gem_context_param *a)
{
   struct drm_i915_gem_context_param args = *a;

   return vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM, &args);
}

static int
di_gem_vm_create(struct vdrm_backend_file *file, struct drm_i915_gem_vm_control *a)
{
   return vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GEM_VM_CREATE, a);
}

static int
di_gem_vm_destroy(struct vdrm_backend_file *file, const struct drm_i915_gem_vm_control *a)
{
   struct drm_i915_gem_vm_control args = *a;

   return vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GEM_VM_DESTROY, &args);
}

/* The out-fence fd a successful EXECBUFFER2_WR leaves in the upper half of rsvd2 (-1: none written). */
#define DI_NO_FENCE_FD 0xffffffff00000000ull

static int
di_gem_execbuffer2(struct vdrm_backend_file *file, struct ki915_execbuffer2 *a, struct vdrm_backend_fence **fence)
{
   struct vdrm_drm_file *f = vdrm_drm_file(file);
   bool fence_out = (a->flags & I915_EXEC_FENCE_OUT) != 0;
   struct drm_i915_gem_execbuffer2 args = {
      .buffers_ptr = a->buffers_ptr,
      .buffer_count = a->buffer_count,
      .batch_start_offset = a->batch_start_offset,
      .batch_len = a->batch_len,
      .DR1 = a->DR1,
      .DR4 = a->DR4,
      .num_cliprects = a->num_cliprects,
      .cliprects_ptr = a->cliprects_ptr,
      .flags = a->flags,
      .rsvd1 = a->rsvd1,
      /* The in-fence stays in the low half; the kernel writes the out-fence above it. */
      .rsvd2 = (a->rsvd2 & 0xffffffffull) | (fence_out ? DI_NO_FENCE_FD : 0),
   };
   int ret, fd;

   if (fence)
      *fence = NULL;
   ret = vdrm_drm_ioctl(f->fd, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &args);
   if (ret || !fence_out)
      return ret;
   /*
    * The fence owns the fd: it does not go back to the caller in rsvd2. A
    * driver that left the preset -1 (a noop drm-shim) ran nothing: signaled.
    */
   fd = (int)(int32_t)(uint32_t)(args.rsvd2 >> 32);
   if (fd < 0)
      fd = -1;
   if (!fence) {
      if (fd >= 0)
         close(fd);
      return 0;
   }
   return vdrm_drm_fence_from_fd(f->dev, fd, fence);
}

static int
di_gem_busy(struct vdrm_backend_file *file, uint32_t handle, uint32_t *busy)
{
   struct drm_i915_gem_busy args = { .handle = handle };
   int ret = vdrm_drm_ioctl(fd_of(file), DRM_IOCTL_I915_GEM_BUSY, &args);

   if (ret == 0)
      *busy = args.busy;
   return ret;
}

static int
di_gem_mmap_offset(struct vdrm_backend_file *file, uint32_t handle, uint32_t flags, uint64_t *offset)
{
   return mmap_offset_of_kind(fd_of(file), handle, flags, offset);
}

static const struct vdrm_backend_i915_ops di_ops = {
   .get_pci_info = di_get_pci_info,
   .getparam = di_getparam,
   .query = di_query,
   .gem_create = di_gem_create,
   .gem_create_ext = di_gem_create_ext,
   .gem_set_domain = di_gem_set_domain,
   .gem_set_tiling = di_gem_set_tiling,
   .gem_get_tiling = di_gem_get_tiling,
   .gem_get_aperture = di_gem_get_aperture,
   .gem_context_create_ext = di_gem_context_create_ext,
   .gem_context_destroy = di_gem_context_destroy,
   .reg_read = di_reg_read,
   .get_reset_stats = di_get_reset_stats,
   .gem_context_getparam = di_gem_context_getparam,
   .gem_context_setparam = di_gem_context_setparam,
   .gem_vm_create = di_gem_vm_create,
   .gem_vm_destroy = di_gem_vm_destroy,
   .gem_execbuffer2 = di_gem_execbuffer2,
   .gem_busy = di_gem_busy,
   .gem_mmap_offset = di_gem_mmap_offset,
};

const struct vdrm_drm_driver vdrm_drm_i915_driver = {
   .name = "i915",
   .context_type = VIRTGPU_DRM_CONTEXT_I915,
   .file_init = di_file_init,
   .file_fini = di_file_fini,
   .mmap_offset = di_mmap_offset,
   .i915 = &di_ops,
};
