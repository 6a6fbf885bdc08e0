/* SPDX-License-Identifier: MIT */

/*
 * What the core needs from a protocol's handlers (one per VIRTGPU_DRM_CONTEXT_*):
 * its transport parameters, the capset, and the dispatch of one request.
 */

#ifndef VH_CONTEXT_TYPE_H_
#define VH_CONTEXT_TYPE_H_

#include <stdint.h>

#include "backend.h"
#include "vdrm_codec.h"

struct vh_context;

struct vh_context_type {
   const char *name;
   uint32_t context_type;           /* VIRTGPU_DRM_CONTEXT_* */
   uint32_t wire_format_version;
   uint32_t alignment;              /* request alignment (vdrm_stream_next) */
   uint32_t shmem_size;             /* sizeof its shmem struct: rsp_mem_offset */
   uint32_t async_error_offset;     /* of the u32 counter in the shmem; 0: none (panfrost) */
   /* The dispatch table (names, which commands answer). */
   const struct vdrm_ccmd_info *table;
   uint32_t table_count;
   /* Fills the context-specific part of the capset from an open of the device. */
   int (*fill_capset)(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps);
   /* Sets up the type's state (ctx->type_data) and the ring count; 0 or a vdrm_host_status. */
   int (*init)(struct vh_context *ctx);
   void (*fini)(struct vh_context *ctx);
   /* Decodes and runs one request: VDRM_OK or the vdrm_status of the rejection. */
   int (*dispatch)(struct vh_context *ctx, const uint8_t *msg, size_t len, struct vdrm_error *err);
   /* After each batch, rejected or not (e.g. refresh counters in the shmem). */
   void (*batch_done)(struct vh_context *ctx);
   /* Bytes of heap the type's state holds. */
   uint64_t (*heap_bytes)(const struct vh_context *ctx);
};

extern const struct vh_context_type vh_msm_context_type;
extern const struct vh_context_type vh_amdgpu_context_type;
extern const struct vh_context_type vh_i915_context_type;
extern const struct vh_context_type vh_asahi_context_type;
extern const struct vh_context_type vh_panfrost_context_type;

#endif /* VH_CONTEXT_TYPE_H_ */
