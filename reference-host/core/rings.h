/* SPDX-License-Identifier: MIT */

/*
 * Fence rings of a context. Ring 0 is the CPU timeline: its fences signal
 * once the batch before them has run (batches run synchronously). Ring N > 0
 * is the GPU timeline of submitqueue priority N - 1: a fence created on it
 * signals when every submit made on it before the fence has completed.
 * The rings hold the backend fences of submits that have not completed (to
 * count them against max_pending_fences) and the ring fences not delivered.
 */

#ifndef VH_RINGS_H_
#define VH_RINGS_H_

#include <stdint.h>

#include "backend.h"
#include "vdrm_host.h"

struct vh_fence_slot {
   uint64_t id;                          /* ring fences: the fence id */
   struct vdrm_backend_fence *fence;     /* a reference, or NULL (nothing to wait for) */
};

struct vh_fifo {
   struct vh_fence_slot *items;
   uint32_t head;
   uint32_t count;
   uint32_t cap;
};

struct vh_ring {
   struct vh_fifo gpu;      /* submits on this timeline, oldest first */
   struct vh_fifo fences;   /* ring fences, oldest first */
};

struct vh_rings {
   const struct vdrm_backend_ops *ops;
   uint32_t count;
   struct vh_ring *ring;
};

int vh_rings_init(struct vh_rings *r, const struct vdrm_backend_ops *ops, uint32_t count);
void vh_rings_fini(struct vh_rings *r);
/* Submits not completed plus ring fences not delivered. */
uint32_t vh_rings_pending(struct vh_rings *r);
/* Makes room for one submit on ring (so that vh_rings_add_submit() cannot fail). */
int vh_rings_reserve(struct vh_rings *r, uint32_t ring);
/* Takes over the reference to a submit's fence. */
void vh_rings_add_submit(struct vh_rings *r, uint32_t ring, struct vdrm_backend_fence *fence);
int vh_rings_fence_create(struct vh_rings *r, uint32_t ring, uint64_t fence_id);
uint32_t vh_rings_poll(struct vh_rings *r, vdrm_host_fence_fn fn, void *data);
int vh_rings_wait(struct vh_rings *r, uint32_t ring, uint64_t fence_id, int64_t timeout_ns);
uint64_t vh_rings_heap_bytes(const struct vh_rings *r);

#endif /* VH_RINGS_H_ */
