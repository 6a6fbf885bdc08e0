/* SPDX-License-Identifier: MIT */

#include <stdlib.h>

#include "rings.h"

static struct vh_fence_slot *
fifo_at(struct vh_fifo *q, uint32_t i)
{
   return &q->items[(q->head + i) % q->cap];
}

static int
fifo_reserve(struct vh_fifo *q)
{
   struct vh_fence_slot *items;
   uint32_t cap;

   if (q->count < q->cap)
      return 0;
   cap = q->cap ? q->cap * 2 : 8;
   if (cap < q->cap)
      return VDRM_HOST_E_NOMEM;
   items = malloc((size_t)cap * sizeof(*items));
   if (!items)
      return VDRM_HOST_E_NOMEM;
   for (uint32_t i = 0; i < q->count; i++)
      items[i] = *fifo_at(q, i);
   free(q->items);
   q->items = items;
   q->head = 0;
   q->cap = cap;
   return 0;
}

static void
fifo_push(struct vh_fifo *q, uint64_t id, struct vdrm_backend_fence *fence)
{
   *fifo_at(q, q->count) = (struct vh_fence_slot){ id, fence };
   q->count++;
}

static void
fifo_pop(struct vh_fifo *q)
{
   q->head = (q->head + 1) % q->cap;
   q->count--;
}

static void
fifo_fini(struct vh_fifo *q, const struct vdrm_backend_ops *ops)
{
   for (uint32_t i = 0; i < q->count; i++) {
      struct vh_fence_slot *s = fifo_at(q, i);

      if (s->fence)
         ops->fence_unref(s->fence);
   }
   free(q->items);
   *q = (struct vh_fifo){ 0 };
}

int
vh_rings_init(struct vh_rings *r, const struct vdrm_backend_ops *ops, uint32_t count)
{
   r->ops = ops;
   r->count = count;
   r->ring = calloc(count, sizeof(*r->ring));
   return r->ring ? 0 : VDRM_HOST_E_NOMEM;
}

void
vh_rings_fini(struct vh_rings *r)
{
   for (uint32_t i = 0; i < r->count && r->ring; i++) {
      fifo_fini(&r->ring[i].gpu, r->ops);
      fifo_fini(&r->ring[i].fences, r->ops);
   }
   free(r->ring);
   r->ring = NULL;
   r->count = 0;
}

/* Drops the completed submits at the head of a ring (they complete in order). */
static void
prune(struct vh_rings *r, struct vh_ring *ring)
{
   while (ring->gpu.count) {
      struct vh_fence_slot *s = fifo_at(&ring->gpu, 0);

      if (!r->ops->fence_signaled(s->fence))
         break;
      r->ops->fence_unref(s->fence);
      fifo_pop(&ring->gpu);
   }
}

uint32_t
vh_rings_pending(struct vh_rings *r)
{
   uint32_t n = 0;

   for (uint32_t i = 0; i < r->count; i++) {
      prune(r, &r->ring[i]);
      n += r->ring[i].gpu.count + r->ring[i].fences.count;
   }
   return n;
}

int
vh_rings_reserve(struct vh_rings *r, uint32_t ring)
{
   return fifo_reserve(&r->ring[ring].gpu);
}

void
vh_rings_add_submit(struct vh_rings *r, uint32_t ring, struct vdrm_backend_fence *fence)
{
   fifo_push(&r->ring[ring].gpu, 0, fence);
}

int
vh_rings_fence_create(struct vh_rings *r, uint32_t ring, uint64_t fence_id)
{
   struct vh_ring *q = &r->ring[ring];
   struct vdrm_backend_fence *last = NULL;
   int ret;

   prune(r, q);
   ret = fifo_reserve(&q->fences);
   if (ret)
      return ret;
   /* Wait for the newest submit of the ring; with none pending the fence is already done. */
   if (q->gpu.count) {
      last = fifo_at(&q->gpu, q->gpu.count - 1)->fence;
      r->ops->fence_ref(last);
   }
   fifo_push(&q->fences, fence_id, last);
   return 0;
}

static int
slot_signaled(struct vh_rings *r, const struct vh_fence_slot *s)
{
   return !s->fence || r->ops->fence_signaled(s->fence);
}

uint32_t
vh_rings_poll(struct vh_rings *r, vdrm_host_fence_fn fn, void *data)
{
   uint32_t n = 0;

   for (uint32_t i = 0; i < r->count; i++) {
      struct vh_fifo *q = &r->ring[i].fences;

      while (q->count && slot_signaled(r, fifo_at(q, 0))) {
         struct vh_fence_slot s = *fifo_at(q, 0);

         fifo_pop(q);
         if (s.fence)
            r->ops->fence_unref(s.fence);
         if (fn)
            fn(data, i, s.id);
         n++;
      }
      prune(r, &r->ring[i]);
   }
   return n;
}

int
vh_rings_wait(struct vh_rings *r, uint32_t ring, uint64_t fence_id, int64_t timeout_ns)
{
   struct vh_fifo *q = &r->ring[ring].fences;

   for (uint32_t i = 0; i < q->count; i++) {
      struct vh_fence_slot *s = fifo_at(q, i);

      if (s->id != fence_id)
         continue;
      if (!s->fence)
         return VDRM_HOST_OK;
      return r->ops->fence_wait(s->fence, timeout_ns) == 0 ? VDRM_HOST_OK : VDRM_HOST_E_TIMEOUT;
   }
   /* Not pending: delivered already. */
   return VDRM_HOST_OK;
}

uint64_t
vh_rings_heap_bytes(const struct vh_rings *r)
{
   uint64_t n = (uint64_t)r->count * sizeof(*r->ring);

   for (uint32_t i = 0; i < r->count; i++)
      n += ((uint64_t)r->ring[i].gpu.cap + r->ring[i].fences.cap) * sizeof(struct vh_fence_slot);
   return n;
}
