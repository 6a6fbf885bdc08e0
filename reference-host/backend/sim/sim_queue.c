/* SPDX-License-Identifier: MIT */

/* Submitqueues, submits, their fences and in-order retirement. */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_internal.h"

static void
queue_unref(struct sim_queue *q, struct sim_device *dev)
{
   if (--q->refcount)
      return;
   vh_idmap_fini(&q->pending);
   dev->stats.queues--;
   free(q);
}

static struct sim_timeline *
timeline_of(struct sim_device *dev, uint32_t prio)
{
   /* VDRM_SIM_QUIRK_ANY_PRIORITY lets prio exceed the levels; such queues share the last. */
   return &dev->timelines[prio < dev->ntimelines ? prio : dev->ntimelines - 1];
}

int
sim_submitqueue_new(struct vdrm_backend_file *file, struct drm_msm_submitqueue *q)
{
   struct sim_file *f = sim_file(file);
   struct sim_device *dev = f->dev;
   uint32_t allowed = dev->profile.preemption ? KMSM_SUBMITQUEUE_ALLOW_PREEMPT : 0;
   struct sim_queue *queue;
   uint32_t id;
   int ret;

   dev->stats.ioctls++;
   if (q->flags & ~allowed)
      return -EINVAL;
   if (q->prio >= dev->profile.priorities && !(dev->config.quirks & VDRM_SIM_QUIRK_ANY_PRIORITY))
      return -EINVAL;
   queue = calloc(1, sizeof(*queue));
   if (!queue)
      return -ENOMEM;
   do {
      id = f->next_queue++;
      if (f->next_queue == 0)
         f->next_queue = 1;
   } while (id == 0 || vh_idmap_get(&f->queues, id));
   queue->refcount = 1;
   queue->id = id;
   queue->prio = q->prio;
   queue->flags = q->flags;
   ret = vh_idmap_put(&f->queues, id, queue);
   if (ret) {
      free(queue);
      return ret;
   }
   dev->stats.queues++;
   q->id = id;
   return 0;
}

int
sim_submitqueue_close(struct vdrm_backend_file *file, uint32_t id)
{
   struct sim_file *f = sim_file(file);
   struct sim_queue *q;

   f->dev->stats.ioctls++;
   q = id ? vh_idmap_remove(&f->queues, id) : NULL;
   if (!q)
      return -ENOENT;
   queue_unref(q, f->dev);
   return 0;
}

void
sim_file_close_queues(struct sim_file *f)
{
   struct sim_queue *q;

   while ((q = vh_idmap_pop(&f->queues, NULL)))
      queue_unref(q, f->dev);
}

int
sim_submitqueue_query(struct vdrm_backend_file *file, uint32_t id, uint32_t param, void *data,
                      uint32_t *len)
{
   struct sim_file *f = sim_file(file);
   struct sim_queue *q = vh_idmap_get(&f->queues, id);
   uint32_t n;

   f->dev->stats.ioctls++;
   if (!q)
      return -ENOENT;
   if (param != KMSM_SUBMITQUEUE_PARAM_FAULTS)
      return -EINVAL;
   sim_retire(f->dev);
   /* msm_submitqueue_query_faults(): len 0 asks for the size. */
   if (*len == 0) {
      *len = sizeof(q->faults);
      return 0;
   }
   n = *len < sizeof(q->faults) ? *len : (uint32_t)sizeof(q->faults);
   memcpy(data, &q->faults, n);
   *len = n;
   return 0;
}

static void
submit_free(struct sim_submit *s)
{
   struct sim_device *dev = (struct sim_device *)s->base.dev;

   free(s->bos);
   free(s->bo_write);
   dev->stats.fences--;
   free(s);
}

void
sim_fence_ref(struct vdrm_backend_fence *fence)
{
   ((struct sim_submit *)fence)->refcount++;
}

void
sim_fence_unref(struct vdrm_backend_fence *fence)
{
   struct sim_submit *s = (struct sim_submit *)fence;

   if (s && --s->refcount == 0)
      submit_free(s);
}

/* The GPU is done with s: its buffers and queue are released, its fence signals. */
static void
retire_one(struct sim_device *dev, struct sim_timeline *t)
{
   struct sim_submit *s = t->head;

   t->head = s->next;
   if (!t->head)
      t->tail = NULL;
   s->next = NULL;
   s->retired = true;
   if (s->faulted) {
      s->queue->faults++;
      dev->stats.faults++;
   }
   for (uint32_t i = 0; i < s->nr_bos; i++) {
      struct sim_gem *gem = s->bos[i];

      if (s->bo_write[i])
         gem->busy_write--;
      else
         gem->busy_read--;
      sim_gem_idle_check(gem);
      sim_gem_unref(gem);
   }
   s->nr_bos = 0;
   vh_idmap_remove(&s->queue->pending, s->fence);
   queue_unref(s->queue, dev);
   s->queue = NULL;
   dev->stats.pending--;
   sim_fence_unref(&s->base);   /* the timeline's reference */
}

void
sim_retire(struct sim_device *dev)
{
   uint64_t now = sim_now(dev);

   for (uint32_t i = 0; i < dev->ntimelines; i++) {
      struct sim_timeline *t = &dev->timelines[i];

      while (t->head && t->head->retire_at <= now)
         retire_one(dev, t);
   }
}

void
sim_retire_all(struct sim_device *dev)
{
   for (uint32_t i = 0; i < dev->ntimelines; i++) {
      while (dev->timelines[i].head)
         retire_one(dev, &dev->timelines[i]);
   }
}

int
sim_fence_signaled(struct vdrm_backend_fence *fence)
{
   struct sim_submit *s = (struct sim_submit *)fence;

   if (!s->retired)
      sim_retire((struct sim_device *)s->base.dev);
   return s->retired ? 1 : 0;
}

int
sim_fence_wait(struct vdrm_backend_fence *fence, int64_t timeout_ns)
{
   struct sim_submit *s = (struct sim_submit *)fence;
   struct sim_device *dev = (struct sim_device *)s->base.dev;

   if (sim_fence_signaled(fence))
      return 0;
   sim_sleep_until(dev, s->retire_at, timeout_ns);
   return sim_fence_signaled(fence) ? 0 : -ETIME;
}

/* True if a after b in 32-bit sequence space. */
static bool
fence_after(uint32_t a, uint32_t b)
{
   return (int32_t)(a - b) > 0;
}

static bool
cmd_hangs(struct sim_gem *gem, uint32_t offset)
{
   uint32_t dword = 0;

   return pread(gem->memfd, &dword, sizeof(dword), (off_t)offset) == (ssize_t)sizeof(dword) &&
          dword == VDRM_SIM_HANG_MAGIC;
}

int
sim_gem_submit(struct vdrm_backend_file *file, const struct vdrm_backend_msm_submit *a,
               struct vdrm_backend_fence **fence_out)
{
   struct sim_file *f = sim_file(file);
   struct sim_device *dev = f->dev;
   struct sim_queue *q;
   struct sim_submit *s;
   struct sim_timeline *t;
   bool relocs = false;
   bool hang = false;
   uint64_t now;
   int ret;

   dev->stats.ioctls++;
   dev->stats.last_submit_flags = a->flags;
   for (uint32_t i = 0; i < a->nr_cmds; i++) {
      if (a->cmds[i].nr_relocs || a->cmds[i].relocs)
         relocs = true;
   }
   if (relocs)
      dev->stats.relocs_seen++;
   if (a->flags & KMSM_SUBMIT_SUDO)
      dev->stats.sudo_seen++;

   /* msm_ioctl_gem_submit(), in the kernel's order. */
   if ((a->flags & ~(KMSM_SUBMIT_FLAGS | KMSM_PIPE_ID_MASK)) ||
       (a->flags & KMSM_PIPE_ID_MASK) != KMSM_PIPE_3D0)
      return -EINVAL;
   if ((a->flags & KMSM_SUBMIT_SUDO) && !dev->config.privileged)
      return -EINVAL;
   q = vh_idmap_get(&f->queues, a->queue_id);
   if (!q)
      return -ENOENT;
   /* An in-fence fd the host never passes: fd -1 is no sync_file. */
   if (a->flags & KMSM_SUBMIT_FENCE_FD_IN)
      return -EINVAL;
   sim_retire(dev);
   if ((a->flags & KMSM_SUBMIT_FENCE_SN_IN) && (a->fence == 0 || vh_idmap_get(&q->pending, a->fence)))
      return -EINVAL;
   if (!(a->flags & KMSM_SUBMIT_FENCE_SN_IN))
      return -EINVAL;   /* the sim only implements userspace-chosen seqnos */

   s = calloc(1, sizeof(*s));
   if (!s)
      return -ENOMEM;
   s->bos = calloc(a->nr_bos ? a->nr_bos : 1, sizeof(*s->bos));
   s->bo_write = calloc(a->nr_bos ? a->nr_bos : 1, 1);
   if (!s->bos || !s->bo_write) {
      ret = -ENOMEM;
      goto fail;
   }
   /* submit_lookup_objects(): flags, handles, no buffer twice. */
   for (uint32_t i = 0; i < a->nr_bos; i++) {
      struct sim_gem *gem;

      if (a->bos[i].flags & ~KMSM_SUBMIT_BO_FLAGS) {
         ret = -EINVAL;
         goto fail;
      }
      gem = sim_gem_lookup(f, a->bos[i].handle);
      if (!gem) {
         ret = -EINVAL;
         goto fail;
      }
      for (uint32_t j = 0; j < i; j++) {
         if (s->bos[j] == gem) {
            ret = -EINVAL;
            goto fail;
         }
      }
      s->bos[i] = gem;
      s->bo_write[i] = (a->bos[i].flags & KMSM_SUBMIT_BO_WRITE) != 0;
   }
   /* submit_lookup_cmds() and the cmdstream checks. */
   for (uint32_t i = 0; i < a->nr_cmds; i++) {
      const struct drm_msm_gem_submit_cmd *c = &a->cmds[i];
      struct sim_gem *gem;

      if (c->type != KMSM_SUBMIT_CMD_BUF && c->type != KMSM_SUBMIT_CMD_IB_TARGET_BUF &&
          c->type != KMSM_SUBMIT_CMD_CTX_RESTORE_BUF) {
         ret = -EINVAL;
         goto fail;
      }
      if (c->nr_relocs) {
         ret = -EINVAL;   /* no relocations on these GPUs */
         goto fail;
      }
      if (c->submit_idx >= a->nr_bos) {
         ret = -EINVAL;
         goto fail;
      }
      gem = s->bos[c->submit_idx];
      if (c->size == 0 || c->size % 4 || c->submit_offset % 4 ||
          (uint64_t)c->submit_offset + c->size > gem->size) {
         ret = -EINVAL;
         goto fail;
      }
      if (c->type == KMSM_SUBMIT_CMD_BUF && cmd_hangs(gem, c->submit_offset))
         hang = true;
   }

   s->base.dev = &dev->base;
   s->refcount = 2;   /* the timeline's and the caller's */
   s->queue = q;
   q->refcount++;
   s->fence = a->fence;
   s->faulted = hang;
   s->nr_bos = a->nr_bos;
   for (uint32_t i = 0; i < a->nr_bos; i++) {
      sim_gem_ref(s->bos[i]);
      if (s->bo_write[i])
         s->bos[i]->busy_write++;
      else
         s->bos[i]->busy_read++;
   }
   ret = vh_idmap_put(&q->pending, a->fence, s);
   if (ret) {
      /* Undo exactly what was taken above. */
      for (uint32_t i = 0; i < a->nr_bos; i++) {
         if (s->bo_write[i])
            s->bos[i]->busy_write--;
         else
            s->bos[i]->busy_read--;
         sim_gem_unref(s->bos[i]);
      }
      q->refcount--;
      goto fail;
   }
   if (!q->has_fence || fence_after(a->fence, q->last_fence))
      q->last_fence = a->fence;
   q->has_fence = true;

   t = timeline_of(dev, q->prio);
   now = sim_now(dev);
   s->retire_at = (t->last_retire_at > now ? t->last_retire_at : now) + dev->config.submit_ns;
   t->last_retire_at = s->retire_at;
   if (t->tail)
      t->tail->next = s;
   else
      t->head = s;
   t->tail = s;
   dev->stats.submits++;
   dev->stats.pending++;
   dev->stats.fences++;
   if (a->flags & KMSM_SUBMIT_SUDO)
      dev->stats.privileged_submits++;
   *fence_out = &s->base;
   sim_retire(dev);
   return 0;

fail:
   free(s->bos);
   free(s->bo_write);
   free(s);
   return ret;
}

int
sim_wait_fence(struct vdrm_backend_file *file, uint32_t queue_id, uint32_t fence, int64_t timeout_ns)
{
   struct sim_file *f = sim_file(file);
   struct sim_device *dev = f->dev;
   struct sim_queue *q = vh_idmap_get(&f->queues, queue_id);
   struct sim_submit *s;
   int ret;

   dev->stats.ioctls++;
   if (!q)
      return -ENOENT;
   /* msm_wait_fence(): a fence never submitted on the queue is invalid. */
   if (!q->has_fence || fence_after(fence, q->last_fence))
      return -EINVAL;
   sim_retire(dev);
   s = vh_idmap_get(&q->pending, fence);
   if (!s)
      return 0;
   sim_fence_ref(&s->base);   /* retiring drops the timeline's reference */
   ret = sim_fence_wait(&s->base, timeout_ns);
   sim_fence_unref(&s->base);
   return ret ? -ETIMEDOUT : 0;
}
