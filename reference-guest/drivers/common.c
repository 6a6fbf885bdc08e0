/* SPDX-License-Identifier: MIT */

#include <string.h>

#include "common.h"
#include "vdrm_codec.h"

int
vg_encode_failed(struct vg_device *dev, const char *command, int status)
{
   return vg_fail(dev, command, "does not encode: %s", vdrm_status_name(status));
}

uint32_t
vg_bo_res_id(struct vg_device *dev, struct vg_bo *bo)
{
   if (!bo->id)
      bo->id = vg_blob_res_id(dev, bo->blob);
   return bo->id;
}

int
vg_bo_write_mapped(struct vg_device *dev, struct vg_bo *bo, uint64_t off, const void *data, uint32_t len,
                   const char *command)
{
   uint8_t *map;

   if (off > bo->size || len > bo->size - off)
      return vg_fail(dev, command, "%u bytes at %llu run past the %llu-byte buffer", len, (unsigned long long)off,
                     (unsigned long long)bo->size);
   if (!(map = vg_blob_map(dev, bo->blob)))
      return -1;
   memcpy(map + off, data, len);
   return 0;
}
