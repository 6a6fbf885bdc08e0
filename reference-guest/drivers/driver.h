/* SPDX-License-Identifier: MIT */

/*
 * The driver layer: one table of operations per context (msm, amdgpu, i915,
 * asahi, panfrost), each a few lines over the generated encoders and
 * libvdrm-guest, shaped like the virtio backend of that context's Mesa
 * driver. The workload (cli/) knows only this interface, so a context plugs
 * in with one line in drivers/registry.c.
 *
 * Asynchrony: bo_new, bo_upload, submit and query_begin never wait for the
 * host; create may (it reads parameters and creates a queue or context
 * once); wait blocks on a fence; query_end reads an answer, which costs no
 * round trip when the host has already run the query (e.g. after waiting
 * for a fence submitted after it).
 */

#ifndef VG_DRIVER_H_
#define VG_DRIVER_H_

#include <stddef.h>
#include <stdint.h>

#include "vdrm_guest.h"

struct vg_driver;   /* a context's state on a device (each driver's own struct) */

/* A buffer: the blob plus what the context knows of it. Drivers embed it. */
struct vg_bo {
   struct vg_blob *blob;
   uint64_t size;
   uint64_t iova;     /* GPU address, when the context assigns them in the guest */
   uint32_t id;       /* the context's name for it in ccmds (msm, asahi: res_id) */
};

/* A query in flight: begun in one frame, its answer read later. */
struct vg_query {
   uint32_t index;         /* which of the driver's queries */
   const char *name;       /* e.g. "GET_PARAM(GPU_ID)" */
   struct vg_rsp rsp;
   uint64_t value;         /* query_end: the answer */
};

struct vg_driver_ops {
   const char *name;              /* the --context name */
   struct vg_options options;     /* context_type, shmem and async_error layout */

   /* After vg_open_*(): checks the capset, creates a queue/context. May wait. */
   int (*create)(struct vg_device *dev, struct vg_driver **out);
   void (*destroy)(struct vg_driver *drv);

   /* A CPU-mappable buffer of at least size bytes; does not wait. */
   struct vg_bo *(*bo_new)(struct vg_driver *drv, uint64_t size);
   /* The guest's mapping of it, or NULL. */
   void *(*bo_map)(struct vg_driver *drv, struct vg_bo *bo);
   /* Writes len bytes at off through the host (a ccmd); does not wait. */
   int (*bo_upload)(struct vg_driver *drv, struct vg_bo *bo, uint64_t off, const void *data, uint32_t len);
   void (*bo_free)(struct vg_driver *drv, struct vg_bo *bo);

   /* Writes a minimal valid command buffer for frame into map; its size in bytes, 0 on failure. */
   uint32_t (*emit_cmds)(struct vg_driver *drv, void *map, uint32_t cap, uint32_t frame);
   /*
    * Submits cmd_size bytes of cmd (written through its mapping) using bos,
    * on the driver's queue, with a fence the caller waits for; does not wait.
    */
   int (*submit)(struct vg_driver *drv, struct vg_bo *cmd, uint32_t cmd_size, struct vg_bo *const *bos,
                 uint32_t nbos, struct vg_fence *fence);
   /* 0 once signalled, 1 on timeout, -1 on failure. */
   int (*wait)(struct vg_driver *drv, struct vg_fence *fence, int timeout_ms);

   /* Queries the driver asks every frame (parameters a driver re-reads). */
   uint32_t nqueries;
   /* Sends query index; does not wait. */
   int (*query_begin)(struct vg_driver *drv, uint32_t index, struct vg_query *q);
   /* Reads its answer into q->value and checks it (against the capset where it says the same). */
   int (*query_end)(struct vg_driver *drv, struct vg_query *q);
};

/* Every context the CLI can run, NULL-terminated, in the order they are listed. */
extern const struct vg_driver_ops *const vg_drivers[];
const struct vg_driver_ops *vg_driver_find(const char *name);

extern const struct vg_driver_ops vg_msm_driver;
extern const struct vg_driver_ops vg_amdgpu_driver;
extern const struct vg_driver_ops vg_i915_driver;
extern const struct vg_driver_ops vg_asahi_driver;
extern const struct vg_driver_ops vg_panfrost_driver;

#endif
