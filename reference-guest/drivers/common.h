/* SPDX-License-Identifier: MIT */

/* What the driver layers share: small steps every context takes the same way. */

#ifndef VG_DRIVER_COMMON_H_
#define VG_DRIVER_COMMON_H_

#include <stddef.h>
#include <stdint.h>

#include "driver.h"
#include "vdrm_codec.h"

/*
 * Every driver's struct vg_driver starts with its device, so that the
 * shared steps below, shaped as operations of struct vg_driver_ops, find it;
 * each driver states it once after its struct with this.
 */
#define VG_DRIVER_DEVICE_FIRST                                                                                     \
   _Static_assert(offsetof(struct vg_driver, dev) == 0, "struct vg_driver starts with its struct vg_device *")

/* A driver's state of size bytes, zeroed, on dev (name: the context, in errors); NULL on failure. */
void *vg_driver_alloc(struct vg_device *dev, size_t size, const char *name);
/* Sends what is still queued (requests whose answers nobody reads), then frees drv. */
void vg_driver_destroy(struct vg_driver *drv);

/* Reports that command did not encode (a generated encoder's status); returns -1. */
int vg_encode_failed(struct vg_device *dev, const char *command, int status);
/* Reports the host kernel's non-zero ret for command; returns -1. */
int vg_kernel_failed(struct vg_device *dev, const char *command, int32_t ret);
/*
 * Copies an answer's payload to out, out_size bytes zero-extended from a
 * shorter one (an older kernel's argument); fails, naming command, when it
 * holds fewer than need bytes.
 */
int vg_payload_copy(struct vg_device *dev, const char *command, const struct vdrm_span *payload, void *out,
                    size_t out_size, size_t need);

/*
 * The GPU address range a guest hands out bottom-up from *next to end:
 * rounds *size up to align (a power of two) and checks it fits; 0, or -1
 * with vg_fail() naming command. The caller moves *next once the buffer exists.
 */
int vg_va_fit(struct vg_device *dev, uint64_t next, uint64_t end, uint64_t *size, uint64_t align,
              const char *command);
/* A buffer's struct of size bytes (a struct vg_bo first), zeroed; NULL with vg_fail() naming command. */
void *vg_bo_alloc(struct vg_device *dev, size_t size, const char *command);

/*
 * The res_id ccmds name bo by, cached in bo->id; the first call may wait
 * for the blob's answer. 0 on failure (vg_error() says why).
 */
uint32_t vg_bo_res_id(struct vg_device *dev, struct vg_bo *bo);

/* bo_map of every context: the blob's mapping. */
void *vg_bo_map(struct vg_driver *drv, struct vg_bo *bo);
/*
 * bo_upload where the protocol has no upload command: the CPU writes len
 * bytes at off through the blob's mapping (mapped on first use), as the
 * context's Mesa driver writes host-visible memory.
 */
int vg_bo_upload_mapped(struct vg_driver *drv, struct vg_bo *bo, uint64_t off, const void *data, uint32_t len);
/*
 * bo_free where the host's closing of the resource releases all the buffer
 * holds (its GEM handle, its GPU mapping); also a context's last step of its own.
 */
void vg_bo_free(struct vg_driver *drv, struct vg_bo *bo);
/* wait where the fence is all there is to wait for. */
int vg_driver_wait(struct vg_driver *drv, struct vg_fence *fence, int timeout_ms);

#endif
