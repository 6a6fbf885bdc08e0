/* SPDX-License-Identifier: MIT */

/* amdgpu contexts, the reserved VMID, submissions, their fences and in-order retirement. */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_amdgpu_internal.h"

static struct sa_ctx *
ctx_lookup(struct sa_file *f, uint32_t id)
{
   return vh_idmap_get(&f->ctxs, id);
}

/* The entity of (ip, ring) of ctx, created on first use (amdgpu_ctx_get_entity()). */
static int
entity_get(struct sa_ctx *ctx, uint32_t ip, uint32_t instance, uint32_t ring, bool create,
           struct sa_entity **out)
{
   struct sa_device *d = sa_file_dev(ctx->file);

   *out = NULL;
   if (ip >= KAMDGPU_HW_IP_NUM || instance != 0 || ring >= KAMDGPU_RING_MAX ||
       !(d->profile.ip[ip].available_rings & (1u << ring)))
      return -EINVAL;
   if (!ctx->entities[ip][ring] && create) {
      struct sa_entity *e = calloc(1, sizeof(*e));

      if (!e)
         return -ENOMEM;
      e->next_seq = 1;
      ctx->entities[ip][ring] = e;
   }
   *out = ctx->entities[ip][ring];
   return 0;
}

static void
job_free(struct sa_job *j)
{
   j->dev->stats.fences--;
   free(j->bos);
   free(j);
}

void
sa_fence_ref(struct vdrm_backend_fence *fence)
{
   ((struct sa_job *)fence)->refcount++;
}

void
sa_fence_unref(struct vdrm_backend_fence *fence)
{
   struct sa_job *j = (struct sa_job *)fence;

   if (j && --j->refcount == 0)
      job_free(j);
}

/* The GPU is done with j: the user fence is written, buffers released, the fence signals. */
static void
retire_one(struct sa_device *d, struct sa_job *j)
{
   if (j->prev)
      j->prev->next = j->next;
   else
      d->jobs = j->next;
   if (j->next)
      j->next->prev = j->prev;
   j->prev = j->next = NULL;
   j->retired = true;
   if (j->faults) {
      d->stats.faults++;
      d->stats.last_fault_addr = j->fault_addr;
      d->last_fault.addr = j->fault_addr;
      d->last_fault.status = 0x00000b53;   /* a page-not-present read fault on the GFX hub */
      d->last_fault.vmhub = 0;
      if (j->ctx)
         j->ctx->reset = true;
   }
   if (j->fence_bo) {
      ssize_t n = pwrite(j->fence_bo->gem.memfd, &j->seq, sizeof(j->seq), (off_t)j->fence_offset);

      (void)n;
      sa_bo_unref_job(j->fence_bo);
      j->fence_bo = NULL;
   }
   for (uint32_t i = 0; i < j->nr_bos; i++)
      sa_bo_unref_job(j->bos[i]);
   j->nr_bos = 0;
   if (j->ctx) {
      struct sa_entity *e = j->ctx->entities[j->ip][j->ring];

      vh_idmap_remove(&e->pending, (uint32_t)j->seq);
   }
   d->stats.pending--;
   sa_fence_unref(&j->base);   /* the list's reference */
}

void
sa_retire(struct sa_device *d)
{
   uint64_t now = sim_now(&d->base);
   struct sa_job *j = d->jobs;

   while (j) {
      struct sa_job *next = j->next;

      if (j->retire_at <= now)
         retire_one(d, j);
      j = next;
   }
}

void
sa_retire_all(struct sa_device *d)
{
   while (d->jobs)
      retire_one(d, d->jobs);
}

int
sa_fence_signaled(struct vdrm_backend_fence *fence)
{
   struct sa_job *j = (struct sa_job *)fence;

   if (!j->retired)
      sa_retire(j->dev);
   return j->retired ? 1 : 0;
}

int
sa_fence_wait(struct vdrm_backend_fence *fence, int64_t timeout_ns)
{
   struct sa_job *j = (struct sa_job *)fence;

   if (sa_fence_signaled(fence))
      return 0;
   sim_sleep_until(&j->dev->base, j->retire_at, timeout_ns);
   return sa_fence_signaled(fence) ? 0 : -ETIME;
}

static void
ctx_free(struct sa_device *d, struct sa_ctx *ctx)
{
   /* Its jobs still complete (the scheduler entity is flushed), without it. */
   for (struct sa_job *j = d->jobs; j; j = j->next) {
      if (j->ctx == ctx)
         j->ctx = NULL;
   }
   if (d->pstate_owner == ctx) {
      d->pstate_owner = NULL;
      d->stats.pstate = KAMDGPU_CTX_STABLE_PSTATE_NONE;
   }
   for (uint32_t ip = 0; ip < KAMDGPU_HW_IP_NUM; ip++) {
      for (uint32_t r = 0; r < KAMDGPU_RING_MAX; r++) {
         if (ctx->entities[ip][r]) {
            vh_idmap_fini(&ctx->entities[ip][r]->pending);
            free(ctx->entities[ip][r]);
         }
      }
   }
   d->stats.contexts--;
   free(ctx);
}

void
sa_file_close_ctxs(struct sa_file *f)
{
   struct sa_ctx *ctx;

   while ((ctx = vh_idmap_pop(&f->ctxs, NULL)))
      ctx_free(sa_file_dev(f), ctx);
}

int
sa_ctx_ioctl(struct vdrm_backend_file *file, struct kamdgpu_ctx *a)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   struct sa_ctx *ctx;
   uint32_t id;
   int ret;

   d->stats.ioctls++;
   if (a->op < sizeof(d->stats.ctx_ops) / sizeof(d->stats.ctx_ops[0]))
      d->stats.ctx_ops[a->op]++;
   sa_retire(d);
   switch (a->op) {
   case KAMDGPU_CTX_OP_ALLOC_CTX:
      /* amdgpu_ctx_priority_permit(): above NORMAL needs CAP_SYS_NICE (or DRM master). */
      if (a->priority < KAMDGPU_CTX_PRIORITY_VERY_LOW || a->priority > KAMDGPU_CTX_PRIORITY_VERY_HIGH)
         return -EINVAL;
      if (a->priority > KAMDGPU_CTX_PRIORITY_NORMAL && !d->config.privileged)
         return -EACCES;
      ctx = calloc(1, sizeof(*ctx));
      if (!ctx)
         return -ENOMEM;
      do {
         id = f->next_ctx++;
         if (f->next_ctx == 0)
            f->next_ctx = 1;
      } while (id == 0 || ctx_lookup(f, id));
      ctx->id = id;
      ctx->priority = a->priority;
      ctx->file = f;
      ctx->stable_pstate = d->stats.pstate;
      ret = vh_idmap_put(&f->ctxs, id, ctx);
      if (ret) {
         free(ctx);
         return ret;
      }
      d->stats.contexts++;
      a->out_ctx_id = id;
      return 0;
   case KAMDGPU_CTX_OP_FREE_CTX:
      ctx = vh_idmap_remove(&f->ctxs, a->ctx_id);
      if (!ctx)
         return -EINVAL;
      ctx_free(d, ctx);
      return 0;
   case KAMDGPU_CTX_OP_QUERY_STATE:
   case KAMDGPU_CTX_OP_QUERY_STATE2:
      ctx = ctx_lookup(f, a->ctx_id);
      if (!ctx)
         return -EINVAL;
      if (a->op == KAMDGPU_CTX_OP_QUERY_STATE) {
         a->out_hangs = 0;
         a->out_reset_status = ctx->reset ? 1u : 0u;   /* AMDGPU_CTX_GUILTY_RESET */
      } else {
         a->out_flags = ctx->reset ? (KAMDGPU_CTX_QUERY2_FLAGS_RESET | KAMDGPU_CTX_QUERY2_FLAGS_GUILTY) : 0;
      }
      return 0;
   case KAMDGPU_CTX_OP_GET_STABLE_PSTATE:
      ctx = ctx_lookup(f, a->ctx_id);
      if (!ctx)
         return -EINVAL;
      a->out_flags = ctx->stable_pstate;
      return 0;
   case KAMDGPU_CTX_OP_SET_STABLE_PSTATE:
      if (a->flags & ~KAMDGPU_CTX_STABLE_PSTATE_FLAGS_MASK)
         return -EINVAL;
      ctx = ctx_lookup(f, a->ctx_id);
      if (!ctx)
         return -EINVAL;
      if (a->flags > KAMDGPU_CTX_STABLE_PSTATE_PEAK)
         return -EINVAL;
      /* One context of the device holds the stable power state at a time. */
      if (d->pstate_owner && d->pstate_owner != ctx)
         return -EBUSY;
      ctx->stable_pstate = a->flags;
      d->stats.pstate = a->flags;
      d->pstate_owner = a->flags == KAMDGPU_CTX_STABLE_PSTATE_NONE ? NULL : ctx;
      a->out_flags = a->flags;
      return 0;
   default:
      return -EINVAL;
   }
}

int
sa_vm(struct vdrm_backend_file *file, uint32_t op, uint32_t flags)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);

   (void)flags;   /* not looked at by the kernel */
   d->stats.ioctls++;
   switch (op) {
   case KAMDGPU_VM_OP_RESERVE_VMID:
      if (!f->vmid_reserved) {
         f->vmid_reserved = true;
         d->stats.reserved_vmids++;
      }
      return 0;
   case KAMDGPU_VM_OP_UNRESERVE_VMID:
      if (f->vmid_reserved) {
         f->vmid_reserved = false;
         d->stats.reserved_vmids--;
      }
      return 0;
   default:
      return -EINVAL;
   }
}

/* When the dependency (ctx_id, ip, ring, seq) completes: 0 if already done; -EINVAL if invalid. */
static int
dep_time(struct sa_file *f, const struct drm_amdgpu_cs_chunk_dep *dep, uint64_t *t)
{
   struct sa_ctx *ctx = ctx_lookup(f, dep->ctx_id);
   struct sa_entity *e;
   struct sa_job *j;
   int ret;

   *t = 0;
   if (!ctx)
      return -EINVAL;
   ret = entity_get(ctx, dep->ip_type, dep->ip_instance, dep->ring, false, &e);
   if (ret)
      return ret;
   if (!e)
      return dep->handle == 0 ? 0 : -EINVAL;
   if (dep->handle >= e->next_seq)
      return -EINVAL;
   j = dep->handle ? vh_idmap_get(&e->pending, (uint32_t)dep->handle) : NULL;
   if (j && j->seq == dep->handle)
      *t = j->retire_at;
   return 0;
}

int
sa_cs(struct vdrm_backend_file *file, const struct vdrm_backend_amdgpu_cs *cs, uint64_t *seq_out,
      struct vdrm_backend_fence **fence_out)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   struct sa_ctx *ctx;
   struct sa_entity *e = NULL;
   struct sa_bo *fence_bo = NULL;
   const struct drm_amdgpu_cs_chunk_ib *last;
   struct sa_job *j;
   uint64_t start, now;
   bool faults = false;
   uint64_t fault_addr = 0;
   int ret;

   d->stats.ioctls++;
   sa_retire(d);
   /* amdgpu_cs_parser_init(), amdgpu_cs_pass1(), amdgpu_cs_pass2(), in the kernel's order. */
   ctx = ctx_lookup(f, cs->ctx_id);
   if (!ctx)
      return -EINVAL;
   if (cs->nr_ibs == 0)
      return -EINVAL;
   for (uint32_t i = 0; i < cs->nr_ibs; i++) {
      const struct drm_amdgpu_cs_chunk_ib *ib = &cs->ibs[i];
      struct sa_entity *ie;

      ret = entity_get(ctx, ib->ip_type, ib->ip_instance, ib->ring, true, &ie);
      if (ret)
         return ret;
      if (cs->nr_ibs > d->profile.ip[ib->ip_type].max_ibs)
         return -EINVAL;
   }
   if (cs->has_fence) {
      fence_bo = sa_bo_lookup(f, cs->fence.handle);
      if (!fence_bo)
         return -EINVAL;
      /* The user fence lives in a one-page buffer, 8 bytes within it. */
      if (fence_bo->gem.size != SIM_PAGE_SIZE || cs->fence.offset > SIM_PAGE_SIZE - 8)
         return -EINVAL;
   }
   for (uint32_t i = 0; i < cs->nr_bos; i++) {
      if (!sa_bo_lookup(f, cs->bos[i].bo_handle))
         return -ENOENT;
   }
   start = 0;
   for (uint32_t i = 0; i < cs->nr_deps; i++) {
      uint64_t t;

      ret = dep_time(f, &cs->deps[i], &t);
      if (ret)
         return ret;
      if (t > start)
         start = t;
   }
   last = &cs->ibs[cs->nr_ibs - 1];
   e = ctx->entities[last->ip_type][last->ring];
   /* The GPU faults on an IB it cannot read through the file's page tables. */
   for (uint32_t i = 0; i < cs->nr_ibs; i++) {
      if (!sa_va_backed(f, cs->ibs[i].va_start, cs->ibs[i].ib_bytes)) {
         faults = true;
         fault_addr = cs->ibs[i].va_start;
         break;
      }
   }

   j = calloc(1, sizeof(*j));
   if (!j)
      return -ENOMEM;
   j->bos = calloc(cs->nr_bos ? cs->nr_bos : 1, sizeof(*j->bos));
   if (!j->bos) {
      free(j);
      return -ENOMEM;
   }
   j->seq = e->next_seq;
   if (vh_idmap_put(&e->pending, (uint32_t)j->seq, j)) {
      free(j->bos);
      free(j);
      return -ENOMEM;
   }
   e->next_seq++;
   j->base.dev = &d->base.base;
   j->refcount = 2;   /* the list's and the caller's */
   j->dev = d;
   j->ctx = ctx;
   j->ip = last->ip_type;
   j->ring = last->ring;
   j->faults = faults;
   j->fault_addr = fault_addr;
   j->nr_bos = cs->nr_bos;
   for (uint32_t i = 0; i < cs->nr_bos; i++) {
      j->bos[i] = sa_bo_lookup(f, cs->bos[i].bo_handle);
      sa_bo_ref_job(j->bos[i]);
   }
   if (fence_bo) {
      sa_bo_ref_job(fence_bo);
      j->fence_bo = fence_bo;
      j->fence_offset = cs->fence.offset;
   }
   /* After the previous job of its hardware ring and its dependencies. */
   now = sim_now(&d->base);
   if (d->ring_busy_until[j->ip][j->ring] > start)
      start = d->ring_busy_until[j->ip][j->ring];
   if (now > start)
      start = now;
   j->retire_at = start + d->config.submit_ns;
   d->ring_busy_until[j->ip][j->ring] = j->retire_at;
   j->next = d->jobs;
   if (d->jobs)
      d->jobs->prev = j;
   d->jobs = j;
   d->stats.submits++;
   d->stats.pending++;
   d->stats.fences++;
   *seq_out = j->seq;
   *fence_out = &j->base;
   sa_retire(d);
   return 0;
}

int
sa_wait_cs(struct vdrm_backend_file *file, uint32_t ctx_id, uint32_t ip_type, uint32_t ip_instance,
           uint32_t ring, uint64_t seq, int64_t timeout_ns, uint32_t *busy)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   struct sa_ctx *ctx = ctx_lookup(f, ctx_id);
   struct sa_entity *e;
   struct sa_job *j;
   int ret;

   d->stats.ioctls++;
   if (timeout_ns > 0 && (uint64_t)timeout_ns > d->stats.wait_cs_timeout_max)
      d->stats.wait_cs_timeout_max = (uint64_t)timeout_ns;
   if (!ctx)
      return -EINVAL;
   ret = entity_get(ctx, ip_type, ip_instance, ring, false, &e);
   if (ret)
      return ret;
   if (seq && (!e || seq >= e->next_seq))
      return -EINVAL;
   sa_retire(d);
   *busy = 0;
   j = (seq && e) ? vh_idmap_get(&e->pending, (uint32_t)seq) : NULL;
   if (!j || j->seq != seq)
      return 0;
   sa_fence_ref(&j->base);
   ret = sa_fence_wait(&j->base, timeout_ns);
   sa_fence_unref(&j->base);
   *busy = ret ? 1u : 0u;
   return 0;
}
