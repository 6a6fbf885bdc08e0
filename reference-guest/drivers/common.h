/* SPDX-License-Identifier: MIT */

/* What the driver layers share: small steps every context takes the same way. */

#ifndef VG_DRIVER_COMMON_H_
#define VG_DRIVER_COMMON_H_

#include <stdint.h>

#include "driver.h"

/* Reports that command did not encode (a generated encoder's status); returns -1. */
int vg_encode_failed(struct vg_device *dev, const char *command, int status);

/*
 * The res_id ccmds name bo by, cached in bo->id; the first call may wait
 * for the blob's answer. 0 on failure (vg_error() says why).
 */
uint32_t vg_bo_res_id(struct vg_device *dev, struct vg_bo *bo);

/*
 * An upload where the protocol has no upload command: the CPU writes len
 * bytes at off through the blob's mapping (mapped on first use), as the
 * context's Mesa driver writes host-visible memory. command names it in errors.
 */
int vg_bo_write_mapped(struct vg_device *dev, struct vg_bo *bo, uint64_t off, const void *data, uint32_t len,
                       const char *command);

#endif
