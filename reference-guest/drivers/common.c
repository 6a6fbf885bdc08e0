/* SPDX-License-Identifier: MIT */

#include <stdlib.h>
#include <string.h>

#include "common.h"

/* The device of any driver's state: its first member (VG_DRIVER_DEVICE_FIRST). */
static struct vg_device *
device_of(struct vg_driver *drv)
{
   return *(struct vg_device **)(void *)drv;
}

void *
vg_driver_alloc(struct vg_device *dev, size_t size, const char *name)
{
   struct vg_device **drv = calloc(1, size);

   if (!drv) {
      vg_fail(dev, name, "out of memory");
      return NULL;
   }
   *drv = dev;
   return drv;
}

void
vg_driver_destroy(struct vg_driver *drv)
{
   if (!drv)
      return;
   vg_flush(device_of(drv));
   free(drv);
}

int
vg_encode_failed(struct vg_device *dev, const char *command, int status)
{
   return vg_fail(dev, command, "does not encode: %s", vdrm_status_name(status));
}

int
vg_kernel_failed(struct vg_device *dev, const char *command, int32_t ret)
{
   return vg_fail(dev, command, "the host kernel failed it (ret %d)", ret);
}

int
vg_payload_copy(struct vg_device *dev, const char *command, const struct vdrm_span *payload, void *out,
                size_t out_size, size_t need)
{
   if (payload->size < need)
      return vg_fail(dev, command, "response payload of %u bytes, at least %zu expected", payload->size, need);
   memset(out, 0, out_size);
   memcpy(out, payload->data, payload->size < out_size ? payload->size : out_size);
   return 0;
}

int
vg_va_fit(struct vg_device *dev, uint64_t next, uint64_t end, uint64_t *size, uint64_t align, const char *command)
{
   *size = (*size + align - 1) & ~(align - 1);
   if (!*size || *size > end - next)
      return vg_fail(dev, command, "no GPU address range left for %llu bytes", (unsigned long long)*size);
   return 0;
}

void *
vg_bo_alloc(struct vg_device *dev, size_t size, const char *command)
{
   void *bo = calloc(1, size);

   if (!bo)
      vg_fail(dev, command, "out of memory");
   return bo;
}

uint32_t
vg_bo_res_id(struct vg_device *dev, struct vg_bo *bo)
{
   if (!bo->id)
      bo->id = vg_blob_res_id(dev, bo->blob);
   return bo->id;
}

void *
vg_bo_map(struct vg_driver *drv, struct vg_bo *bo)
{
   return vg_blob_map(device_of(drv), bo->blob);
}

int
vg_bo_upload_mapped(struct vg_driver *drv, struct vg_bo *bo, uint64_t off, const void *data, uint32_t len)
{
   struct vg_device *dev = device_of(drv);
   uint8_t *map;

   if (off > bo->size || len > bo->size - off)
      return vg_fail(dev, "upload", "%u bytes at %llu run past the %llu-byte buffer", len, (unsigned long long)off,
                     (unsigned long long)bo->size);
   if (!(map = vg_blob_map(dev, bo->blob)))
      return -1;
   memcpy(map + off, data, len);
   return 0;
}

void
vg_bo_free(struct vg_driver *drv, struct vg_bo *bo)
{
   if (!bo)
      return;
   vg_blob_destroy(device_of(drv), bo->blob);
   free(bo);
}

int
vg_driver_wait(struct vg_driver *drv, struct vg_fence *fence, int timeout_ms)
{
   return vg_fence_wait(device_of(drv), fence, timeout_ms);
}
