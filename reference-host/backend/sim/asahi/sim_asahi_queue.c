/* SPDX-License-Identifier: MIT */

/* Queues and DRM_ASAHI_SUBMIT: the command buffer walk, implicit sync, fences on the sim clock. */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_asahi_internal.h"

int
sa_queue_create(struct vdrm_backend_file *file, struct drm_asahi_queue_create *a)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   struct sa_queue *q;
   struct sa_vm *vm;
   uint32_t id;
   int ret;

   d->base.stats.ioctls++;
   if (a->flags != 0 || a->priority >= KASAHI_PRIORITIES)
      return -EINVAL;
   /* HIGH and REALTIME are for privileged callers (CAP_SYS_NICE). */
   if (a->priority >= KASAHI_PRIORITY_HIGH && !d->base.config.privileged)
      return -EPERM;
   vm = sa_vm_lookup(f, a->vm_id);
   if (!vm)
      return -ENOENT;
   q = calloc(1, sizeof(*q));
   if (!q)
      return -ENOMEM;
   id = sa_alloc_id(&f->base.queues, &f->base.next_queue);
   ret = id ? vh_idmap_put(&f->base.queues, id, q) : -ENOSPC;
   if (ret) {
      free(q);
      return ret;
   }
   q->base.refcount = 1;
   q->base.id = id;
   q->base.prio = a->priority;
   q->vm = vm;
   vm->refcount++;
   q->usc_exec_base = a->usc_exec_base;
   q->next_seqno = 1;
   d->base.stats.queues++;
   a->queue_id = id;
   return 0;
}

static void
queue_release(struct sa_device *d, struct sa_queue *q)
{
   /* The generic queue goes with its last pending submit; its VM reference goes now. */
   if (q->vm) {
      sa_vm_unref(d, q->vm);
      q->vm = NULL;
   }
}

int
sa_queue_destroy(struct vdrm_backend_file *file, const struct drm_asahi_queue_destroy *a)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   struct sa_queue *q;

   if (a->pad != 0) {
      d->base.stats.ioctls++;
      return -EINVAL;
   }
   q = a->queue_id ? vh_idmap_get(&f->base.queues, a->queue_id) : NULL;
   if (!q) {
      d->base.stats.ioctls++;
      return -ENOENT;
   }
   queue_release(d, q);
   return sim_submitqueue_close(file, a->queue_id);
}

void
sa_file_close_queues(struct sa_file *f)
{
   struct sa_device *d = sa_file_dev(f);

   for (uint32_t i = 0; i < f->base.queues.cap; i++) {
      if (f->base.queues.keys[i])
         queue_release(d, f->base.queues.vals[i]);
   }
   sim_file_close_queues(&f->base);
}

/* The kernel's walk of the command buffer; counts its render and compute commands. */
static int
walk_cmdbuf(struct sa_device *d, const uint8_t *buf, uint32_t size, uint32_t *commands, bool *hang)
{
   const struct drm_asahi_params_global *p = &d->profile.params;
   uint32_t off = 0, render = 0, compute = 0;

   *hang = false;
   while (off < size) {
      struct kasahi_cmd_header h;
      uint32_t word = 0;

      if (size - off < sizeof(h))
         return -EINVAL;
      memcpy(&h, buf + off, sizeof(h));
      off += sizeof(h);
      if (h.size > size - off)
         return -EINVAL;
      switch (h.cmd_type) {
      case KASAHI_CMD_RENDER:
      case KASAHI_CMD_COMPUTE:
         /* Barriers name earlier commands of their kind (or none). */
         if ((h.vdm_barrier != KASAHI_BARRIER_NONE && h.vdm_barrier > render) ||
             (h.cdm_barrier != KASAHI_BARRIER_NONE && h.cdm_barrier > compute))
            return -EINVAL;
         if (h.size < sizeof(word) || h.size % 8)
            return -EINVAL;
         if (render + compute >= p->max_commands_per_submission)
            return -EINVAL;
         memcpy(&word, buf + off, sizeof(word));
         if (word == VDRM_SIM_HANG_MAGIC)
            *hang = true;
         if (h.cmd_type == KASAHI_CMD_RENDER)
            render++;
         else
            compute++;
         break;
      case KASAHI_SET_VERTEX_ATTACHMENTS:
      case KASAHI_SET_FRAGMENT_ATTACHMENTS:
      case KASAHI_SET_COMPUTE_ATTACHMENTS:
         if (h.size % KASAHI_ATTACHMENT_SIZE || h.size / KASAHI_ATTACHMENT_SIZE > p->max_attachments)
            return -EINVAL;
         break;
      default:
         return -EINVAL;
      }
      off += h.size;
   }
   *commands = render + compute;
   return 0;
}

/* When the last pending submit that touches gem (writers only unless all) retires. */
static uint64_t
busy_until(struct sa_device *d, const struct sim_gem *gem, bool all)
{
   uint64_t t = 0;

   for (uint32_t i = 0; i < d->base.ntimelines; i++) {
      for (const struct sim_submit *s = d->base.timelines[i].head; s; s = s->next) {
         for (uint32_t j = 0; j < s->nr_bos; j++) {
            if (s->bos[j] == gem && (all || s->bo_write[j]) && s->retire_at > t)
               t = s->retire_at;
         }
      }
   }
   return t;
}

int
sa_submit(struct vdrm_backend_file *file, const struct vdrm_backend_asahi_submit *a,
          struct vdrm_backend_fence **fence_out)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   struct sim_timeline *t;
   struct sim_submit *s;
   struct sa_queue *q;
   uint32_t commands = 0, nbos = 0;
   uint64_t start;
   bool hang;
   int ret;

   d->base.stats.ioctls++;
   d->astats.last_submit_flags = a->flags;
   if (a->flags != 0)
      return -EINVAL;
   q = a->queue_id ? vh_idmap_get(&f->base.queues, a->queue_id) : NULL;
   if (!q)
      return -ENOENT;
   ret = walk_cmdbuf(d, a->cmdbuf, a->cmdbuf_size, &commands, &hang);
   if (ret)
      return ret;
   sim_retire(&d->base);

   s = calloc(1, sizeof(*s));
   if (!s)
      return -ENOMEM;
   s->bos = calloc(a->nr_syncs ? a->nr_syncs : 1, sizeof(*s->bos));
   s->bo_write = calloc(a->nr_syncs ? a->nr_syncs : 1, 1);
   if (!s->bos || !s->bo_write) {
      ret = -ENOMEM;
      goto fail;
   }
   start = sim_now(&d->base);
   for (uint32_t i = 0; i < a->nr_syncs; i++) {
      const struct vdrm_backend_asahi_sync *y = &a->syncs[i];
      struct sim_gem *gem;
      uint64_t until;

      if (y->flags & ~(KASAHI_SYNC_READ | KASAHI_SYNC_WRITE)) {
         ret = -EINVAL;
         goto fail;
      }
      gem = sim_gem_lookup(&f->base, y->handle);
      if (!gem) {
         ret = -ENOENT;
         goto fail;
      }
      if (((struct sa_gem *)gem)->private_vm || !y->flags)
         continue;   /* no dma-buf, no implicit fences */
      until = busy_until(d, gem, (y->flags & KASAHI_SYNC_WRITE) != 0);
      if (until > start)
         start = until;
      s->bos[nbos] = gem;
      s->bo_write[nbos] = (y->flags & KASAHI_SYNC_WRITE) != 0;
      nbos++;
   }
   ret = vh_idmap_put(&q->base.pending, q->next_seqno ? q->next_seqno : 1, s);
   if (ret)
      goto fail;

   s->base.dev = &d->base.base;
   s->refcount = 2;   /* the timeline's and the caller's */
   s->queue = &q->base;
   q->base.refcount++;
   s->fence = q->next_seqno ? q->next_seqno : 1;
   q->next_seqno = s->fence + 1;
   s->faulted = hang;
   s->nr_bos = nbos;
   for (uint32_t i = 0; i < nbos; i++) {
      sim_gem_ref(s->bos[i]);
      if (s->bo_write[i])
         s->bos[i]->busy_write++;
      else
         s->bos[i]->busy_read++;
   }
   t = &d->base.timelines[q->base.prio];
   if (t->last_retire_at > start)
      start = t->last_retire_at;
   s->retire_at = start + d->base.config.submit_ns;
   t->last_retire_at = s->retire_at;
   if (t->tail)
      t->tail->next = s;
   else
      t->head = s;
   t->tail = s;
   d->base.stats.submits++;
   d->base.stats.pending++;
   d->base.stats.fences++;
   d->astats.commands += commands;
   d->astats.syncs += a->nr_syncs;
   for (uint32_t i = 0; i < a->nr_syncs; i++) {
      const struct sim_gem *gem = sim_gem_lookup(&f->base, a->syncs[i].handle);

      if (((const struct sa_gem *)gem)->private_vm)
         d->astats.syncs_skipped++;
   }
   *fence_out = &s->base;
   sim_retire(&d->base);
   return 0;

fail:
   free(s->bos);
   free(s->bo_write);
   free(s);
   return ret;
}
