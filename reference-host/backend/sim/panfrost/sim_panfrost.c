/* SPDX-License-Identifier: MIT */

/* The panfrost device of the sim backend; see sim_panfrost.h for what it models. */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../sim_internal.h"
#include "sim_panfrost.h"

#define SZ_2M (2ull << 20)
#define SZ_16M (16ull << 20)
#define SZ_32M (32ull << 20)
#define SZ_4G (4ull << 30)
/* DRM_FILE_PAGE_OFFSET_START on 64-bit: fake mmap offsets begin at 4 GiB. */
#define MMAP_OFFSET_START (1ull << 32)
#define NSLOTS 2u

/*
 * Representative values of a Mali-G57 MC5 (product 0x9093, Valhall with a
 * job manager, three job slots) as a panfrost kernel reports them.
 */
const struct vdrm_sim_panfrost_profile vdrm_sim_profile_mali_g57 = {
   .name = "Mali-G57 MC5 (sim)",
   .gpu_prod_id = 0x9093,
   .gpu_revision = 0x0010,
   .shader_present = 0x1f,
   .tiler_present = 0x1,
   .l2_present = 0x1,
   .stack_present = 0x7,
   .as_present = 0xff,
   .js_present = 0x7,
   .l2_features = 0x07110206,
   .core_features = 0x2,
   .tiler_features = 0x809,
   .mem_features = 0x1,
   .mmu_features = 0x2830,
   .thread_features = 0x4000400,
   .max_threads = 1024,
   .thread_max_workgroup_sz = 512,
   .thread_max_barrier_sz = 512,
   .coherency_features = 0x80000001,
   .texture_features = { 0xc1ffff9e, 0x00000000, 0x0000fe9b, 0x00000000 },
   .js_features = { 0x20e, 0x1fe, 0x7e },
   .nr_core_groups = 1,
   .thread_tls_alloc = 1024,
   .afbc_features = 0x0,
   .timestamp_hz = 13000000,
   .max_param = KPAN_PARAM_SYSTEM_TIMESTAMP_FREQUENCY,
   .wb_mmap = false,
   .version = { KPAN_VERSION_MAJOR, KPAN_VERSION_MINOR, KPAN_VERSION_PATCHLEVEL },
};

struct pan_device;

/* A panfrost buffer: the generic memfd object plus what panfrost keeps. */
struct pan_bo {
   struct sim_gem gem;       /* first: sim_gem_unref() frees the whole */
   bool heap;
   bool exec;
   uint32_t madv;
   bool purged;
   uint64_t mmap_offset;     /* 0 until MMAP_BO */
   uint64_t last_done;       /* completion time of the last job using it */
};

struct pan_job {
   struct vdrm_backend_fence base;
   uint32_t refcount;        /* the pending list while pending, every fence reference */
   uint64_t retire_at;
   bool retired;
   bool faulted;
   uint32_t nr_bos;
   struct pan_bo **bos;      /* referenced while pending */
   struct pan_job *next;     /* pending, in submission order */
};

struct pan_file {
   struct sim_file base;     /* first: the generic GEM operations take it */
   struct pan_file *prev, *next;
};

struct pan_device {
   struct sim_device sim;    /* first: the generic clock and objects */
   struct vdrm_sim_panfrost_profile profile;
   uint64_t job_ns;
   uint64_t slot_last[NSLOTS];
   uint64_t next_mmap_offset;
   struct pan_job *pending;
   struct pan_file *files;
   struct vdrm_sim_panfrost_stats stats;
};

static struct pan_device *
pdev(struct vdrm_backend *dev)
{
   return (struct pan_device *)dev;
}

static struct pan_file *
pfile(struct vdrm_backend_file *f)
{
   return (struct pan_file *)f;
}

static struct pan_device *
fdev(struct vdrm_backend_file *f)
{
   return pdev(f->dev);
}

static struct pan_bo *
bo_lookup(struct vdrm_backend_file *f, uint32_t handle)
{
   return (struct pan_bo *)sim_gem_lookup(&pfile(f)->base, handle);
}

static bool
bo_busy(const struct pan_bo *bo)
{
   return bo->gem.busy_read || bo->gem.busy_write;
}

/* ---- jobs and fences ---- */

static void
job_unref(struct pan_job *job)
{
   if (!job || --job->refcount)
      return;
   pdev(job->base.dev)->stats.fences--;
   free(job->bos);
   free(job);
}

static void
job_retire(struct pan_device *d, struct pan_job *job)
{
   job->retired = true;
   if (job->faulted)
      d->stats.faults++;
   for (uint32_t i = 0; i < job->nr_bos; i++) {
      job->bos[i]->gem.busy_write--;
      sim_gem_unref(&job->bos[i]->gem);
   }
   job->nr_bos = 0;
   d->stats.pending--;
   job_unref(job);   /* the pending list's reference */
}

/* Retires every job whose time has come (all of them with force): slots finish out of order. */
static void
pan_retire(struct pan_device *d, bool force)
{
   uint64_t now = sim_now(&d->sim);
   struct pan_job **p = &d->pending;

   while (*p) {
      struct pan_job *job = *p;

      if (force || job->retire_at <= now) {
         *p = job->next;
         job->next = NULL;
         job_retire(d, job);
      } else {
         p = &job->next;
      }
   }
}

static void
pan_fence_ref(struct vdrm_backend_fence *fence)
{
   ((struct pan_job *)fence)->refcount++;
}

static void
pan_fence_unref(struct vdrm_backend_fence *fence)
{
   job_unref((struct pan_job *)fence);
}

static int
pan_fence_signaled(struct vdrm_backend_fence *fence)
{
   struct pan_job *job = (struct pan_job *)fence;

   if (!job->retired)
      pan_retire(pdev(fence->dev), false);
   return job->retired ? 1 : 0;
}

static int
pan_fence_wait(struct vdrm_backend_fence *fence, int64_t timeout_ns)
{
   struct pan_job *job = (struct pan_job *)fence;

   if (pan_fence_signaled(fence))
      return 0;
   sim_sleep_until(&pdev(fence->dev)->sim, job->retire_at, timeout_ns);
   return pan_fence_signaled(fence) ? 0 : -ETIME;
}

/* ---- the device and its files ---- */

static int
pan_get_version(struct vdrm_backend *dev, struct vdrm_backend_version *v)
{
   *v = pdev(dev)->profile.version;
   return 0;
}

static int
pan_open(struct vdrm_backend *dev, struct vdrm_backend_file **out)
{
   struct pan_device *d = pdev(dev);
   struct pan_file *f = calloc(1, sizeof(*f));

   if (!f)
      return -ENOMEM;
   f->base.base.dev = dev;
   f->base.dev = &d->sim;
   f->base.next_handle = 1;
   f->next = d->files;
   if (d->files)
      d->files->prev = f;
   d->files = f;
   d->sim.stats.files++;
   *out = &f->base.base;
   return 0;
}

static void
pan_close(struct vdrm_backend_file *file)
{
   struct pan_file *f = pfile(file);
   struct pan_device *d;

   if (!f)
      return;
   d = fdev(file);
   pan_retire(d, false);
   /* Pending jobs keep their buffers; the address space goes with the file. */
   sim_vm_fini(&f->base);
   sim_file_close_gems(&f->base);
   vh_idmap_fini(&f->base.handles);
   vh_idmap_fini(&f->base.queues);
   if (f->prev)
      f->prev->next = f->next;
   else
      d->files = f->next;
   if (f->next)
      f->next->prev = f->prev;
   d->sim.stats.files--;
   free(f);
}

static void
pan_destroy(struct vdrm_backend *dev)
{
   struct pan_device *d = pdev(dev);

   /* Whatever still runs completes now. */
   pan_retire(d, true);
   free(d);
}

/* ---- the ioctls ---- */

static uint64_t
timestamp(struct pan_device *d)
{
   uint64_t ns = sim_now(&d->sim);
   uint64_t hz = d->profile.timestamp_hz;

   return ns / 1000000000u * hz + ns % 1000000000u * hz / 1000000000u;
}

static int
pan_get_param(struct vdrm_backend_file *f, uint32_t param, uint64_t *value)
{
   struct pan_device *d = fdev(f);
   const struct vdrm_sim_panfrost_profile *p = &d->profile;

   d->stats.ioctls++;
   d->stats.get_params++;
   /* panfrost_ioctl_get_param(): parameters this kernel does not know are -EINVAL. */
   if (param > p->max_param)
      return -EINVAL;
   if (param >= KPAN_PARAM_TEXTURE_FEATURES0 && param < KPAN_PARAM_TEXTURE_FEATURES0 + 4) {
      *value = p->texture_features[param - KPAN_PARAM_TEXTURE_FEATURES0];
      return 0;
   }
   if (param >= KPAN_PARAM_JS_FEATURES0 && param < KPAN_PARAM_JS_FEATURES0 + 16) {
      *value = p->js_features[param - KPAN_PARAM_JS_FEATURES0];
      return 0;
   }
   switch (param) {
   case KPAN_PARAM_GPU_PROD_ID: *value = p->gpu_prod_id; break;
   case KPAN_PARAM_GPU_REVISION: *value = p->gpu_revision; break;
   case KPAN_PARAM_SHADER_PRESENT: *value = p->shader_present; break;
   case KPAN_PARAM_TILER_PRESENT: *value = p->tiler_present; break;
   case KPAN_PARAM_L2_PRESENT: *value = p->l2_present; break;
   case KPAN_PARAM_STACK_PRESENT: *value = p->stack_present; break;
   case KPAN_PARAM_AS_PRESENT: *value = p->as_present; break;
   case KPAN_PARAM_JS_PRESENT: *value = p->js_present; break;
   case KPAN_PARAM_L2_FEATURES: *value = p->l2_features; break;
   case KPAN_PARAM_CORE_FEATURES: *value = p->core_features; break;
   case KPAN_PARAM_TILER_FEATURES: *value = p->tiler_features; break;
   case KPAN_PARAM_MEM_FEATURES: *value = p->mem_features; break;
   case KPAN_PARAM_MMU_FEATURES: *value = p->mmu_features; break;
   case KPAN_PARAM_THREAD_FEATURES: *value = p->thread_features; break;
   case KPAN_PARAM_MAX_THREADS: *value = p->max_threads; break;
   case KPAN_PARAM_THREAD_MAX_WORKGROUP_SZ: *value = p->thread_max_workgroup_sz; break;
   case KPAN_PARAM_THREAD_MAX_BARRIER_SZ: *value = p->thread_max_barrier_sz; break;
   case KPAN_PARAM_COHERENCY_FEATURES: *value = p->coherency_features; break;
   case KPAN_PARAM_NR_CORE_GROUPS: *value = p->nr_core_groups; break;
   case KPAN_PARAM_THREAD_TLS_ALLOC: *value = p->thread_tls_alloc; break;
   case KPAN_PARAM_AFBC_FEATURES: *value = p->afbc_features; break;
   case KPAN_PARAM_SYSTEM_TIMESTAMP: *value = timestamp(d); break;
   case KPAN_PARAM_SYSTEM_TIMESTAMP_FREQUENCY: *value = p->timestamp_hz; break;
   case KPAN_PARAM_ALLOWED_JM_CTX_PRIORITIES: *value = 0x3; break;   /* LOW, MEDIUM */
   default: return -EINVAL;
   }
   return 0;
}

static uint64_t
align_up(uint64_t v, uint64_t a)
{
   return (v + a - 1) / a * a;
}

/* The kernel's choice of GPU address (first fit in [32M, 4G)); 0 when nothing fits. */
static uint64_t
va_find(struct sim_file *f, uint64_t size, bool exec)
{
   /*
    * Executable buffers (at most 16 MiB) are aligned to their size, rounded
    * up to a power of two, so that they never cross a 16 MiB boundary.
    */
   uint64_t align = size >= SZ_2M ? SZ_2M : SIM_PAGE_SIZE;
   uint64_t cand = SZ_32M;

   if (exec) {
      align = SIM_PAGE_SIZE;
      while (align < size)
         align *= 2;
   }

   for (uint32_t i = 0; i <= f->vm.count; i++) {
      uint64_t start = align_up(cand, align);
      uint64_t limit = i < f->vm.count ? f->vm.maps[i].start : SZ_4G;

      if (start >= cand && start <= limit && size <= limit - start)
         return start;
      if (i < f->vm.count && f->vm.maps[i].end > cand)
         cand = f->vm.maps[i].end;
   }
   return 0;
}

static int
pan_create_bo(struct vdrm_backend_file *file, uint32_t size, uint32_t flags, uint32_t *handle,
              uint64_t *offset)
{
   struct pan_device *d = fdev(file);
   uint32_t known = KPAN_BO_NOEXEC | KPAN_BO_HEAP | (d->profile.wb_mmap ? KPAN_BO_WB_MMAP : 0);
   struct sim_gem *gem;
   struct pan_bo *bo;
   uint64_t bytes, va;
   uint32_t h;
   int ret;

   d->stats.ioctls++;
   /* panfrost_ioctl_create_bo(), in the kernel's order. */
   if (size == 0 || (flags & ~known))
      return -EINVAL;
   if ((flags & KPAN_BO_HEAP) && !(flags & KPAN_BO_NOEXEC))
      return -EINVAL;
   if ((flags & KPAN_BO_HEAP) && (flags & KPAN_BO_WB_MMAP))
      return -EINVAL;
   bytes = (flags & KPAN_BO_HEAP) ? align_up(size, SZ_2M) : align_up(size, SIM_PAGE_SIZE);
   /* An executable buffer larger than 16 MiB could not avoid crossing a 16 MiB boundary. */
   if (!(flags & KPAN_BO_NOEXEC) && bytes > SZ_16M)
      return -ENOSPC;
   va = va_find(&pfile(file)->base, bytes, !(flags & KPAN_BO_NOEXEC));
   if (!va)
      return -ENOSPC;
   ret = sim_gem_alloc(&pfile(file)->base, bytes, flags, sizeof(*bo), &gem, &h);
   if (ret)
      return ret;
   bo = (struct pan_bo *)gem;
   bo->heap = (flags & KPAN_BO_HEAP) != 0;
   bo->exec = !(flags & KPAN_BO_NOEXEC);
   bo->madv = KPAN_MADV_WILLNEED;
   ret = sim_vm_set_iova(file, h, va);
   if (ret) {
      sim_gem_close(file, h);
      return ret;
   }
   d->stats.bos_created++;
   *handle = h;
   *offset = va;
   return 0;
}

static int
pan_mmap_bo(struct vdrm_backend_file *f, uint32_t handle, uint32_t flags, uint64_t *offset)
{
   struct pan_device *d = fdev(f);
   struct pan_bo *bo;

   d->stats.ioctls++;
   if (flags != 0)
      return -EINVAL;
   bo = bo_lookup(f, handle);
   if (!bo)
      return -ENOENT;
   /* Heap pages are not pinned: no CPU mapping. */
   if (bo->heap)
      return -EINVAL;
   if (!bo->mmap_offset) {
      bo->mmap_offset = d->next_mmap_offset;
      d->next_mmap_offset += bo->gem.size;
      d->stats.mmap_offsets++;
   }
   d->stats.last_mmap_offset = bo->mmap_offset;
   *offset = bo->mmap_offset;
   return 0;
}

static int
pan_get_bo_offset(struct vdrm_backend_file *f, uint32_t handle, uint64_t *offset)
{
   struct pan_device *d = fdev(f);
   struct pan_bo *bo;

   d->stats.ioctls++;
   bo = bo_lookup(f, handle);
   if (!bo)
      return -ENOENT;
   *offset = bo->gem.iova;
   return 0;
}

static int
pan_wait_bo(struct vdrm_backend_file *f, uint32_t handle, int64_t timeout_ns)
{
   struct pan_device *d = fdev(f);
   struct pan_bo *bo;
   uint64_t now;

   d->stats.ioctls++;
   d->stats.waits++;
   bo = bo_lookup(f, handle);
   if (!bo)
      return -ENOENT;
   pan_retire(d, false);
   now = sim_now(&d->sim);
   if (!bo_busy(bo))
      return 0;
   /* An absolute deadline already past polls. */
   if (timeout_ns <= 0 || (uint64_t)timeout_ns <= now)
      return -EBUSY;
   d->stats.blocking_waits++;
   sim_sleep_until(&d->sim, bo->last_done, (int64_t)((uint64_t)timeout_ns - now));
   pan_retire(d, false);
   return bo_busy(bo) ? -ETIMEDOUT : 0;
}

/* True if addr lies in a GPU address range of the file. */
static bool
va_mapped(struct sim_file *f, uint64_t addr)
{
   for (uint32_t i = 0; i < f->vm.count; i++) {
      if (addr >= f->vm.maps[i].start && addr < f->vm.maps[i].end)
         return true;
   }
   return false;
}

static int
pan_submit(struct vdrm_backend_file *file, const struct vdrm_backend_panfrost_submit *s,
           struct vdrm_backend_fence **fence)
{
   struct pan_device *d = fdev(file);
   uint32_t known = KPAN_JD_REQ_FS | (d->profile.version.minor >= 3 ? KPAN_JD_REQ_CYCLE_COUNT : 0);
   uint32_t slot = (s->requirements & KPAN_JD_REQ_FS) ? 0 : 1;
   struct pan_job *job;
   uint64_t start;

   d->stats.ioctls++;
   d->stats.submit_calls++;
   d->stats.last_bo_count = s->bo_handle_count;
   d->stats.last_requirements = s->requirements;
   d->stats.last_jc = s->jc;
   /* panfrost_ioctl_submit(), in the kernel's order. */
   if (s->jc == 0)
      return -EINVAL;
   if (s->requirements & ~known)
      return -EINVAL;
   pan_retire(d, false);
   job = calloc(1, sizeof(*job));
   if (!job)
      return -ENOMEM;
   job->bos = calloc(s->bo_handle_count ? s->bo_handle_count : 1, sizeof(*job->bos));
   if (!job->bos) {
      free(job);
      return -ENOMEM;
   }
   /* panfrost_lookup_bos(): every handle must name an object of the file. */
   for (uint32_t i = 0; i < s->bo_handle_count; i++) {
      job->bos[i] = bo_lookup(file, s->bo_handles[i]);
      if (!job->bos[i]) {
         free(job->bos);
         free(job);
         return -ENOENT;
      }
   }
   job->base.dev = &d->sim.base;
   job->refcount = 2;   /* the pending list's and the caller's */
   job->nr_bos = s->bo_handle_count;
   job->faulted = !va_mapped(&pfile(file)->base, s->jc);
   /* After its slot's previous job and every pending user of its buffers (implicit sync). */
   start = sim_now(&d->sim);
   if (d->slot_last[slot] > start)
      start = d->slot_last[slot];
   for (uint32_t i = 0; i < job->nr_bos; i++) {
      struct pan_bo *bo = job->bos[i];

      if (bo->purged)
         job->faulted = true;
      if (bo_busy(bo) && bo->last_done > start)
         start = bo->last_done;
   }
   job->retire_at = start + d->job_ns;
   d->slot_last[slot] = job->retire_at;
   for (uint32_t i = 0; i < job->nr_bos; i++) {
      struct pan_bo *bo = job->bos[i];

      /* The kernel adds the job's fence to every buffer as a writer. */
      sim_gem_ref(&bo->gem);
      bo->gem.busy_write++;
      if (bo->last_done < job->retire_at)
         bo->last_done = job->retire_at;
   }
   /* Appended: the pending list keeps submission order. */
   {
      struct pan_job **p = &d->pending;

      while (*p)
         p = &(*p)->next;
      *p = job;
   }
   d->stats.submits++;
   d->stats.pending++;
   d->stats.fences++;
   *fence = &job->base;
   pan_retire(d, false);
   return 0;
}

static int
pan_madvise(struct vdrm_backend_file *f, uint32_t handle, uint32_t madv, uint32_t *retained)
{
   struct pan_device *d = fdev(f);
   struct pan_bo *bo;

   d->stats.ioctls++;
   if (madv != KPAN_MADV_WILLNEED && madv != KPAN_MADV_DONTNEED)
      return -EINVAL;
   bo = bo_lookup(f, handle);
   if (!bo)
      return -ENOENT;
   /* Once purged, a buffer stays purged. */
   if (!bo->purged)
      bo->madv = madv;
   *retained = bo->purged ? 0 : 1;
   return 0;
}

uint32_t
vdrm_sim_panfrost_reclaim(struct vdrm_backend *dev)
{
   struct pan_device *d = pdev(dev);
   uint32_t n = 0;

   pan_retire(d, false);
   for (struct pan_file *f = d->files; f; f = f->next) {
      struct vh_idmap *m = &f->base.handles;

      for (uint32_t i = 0; i < m->cap; i++) {
         struct pan_bo *bo = m->keys[i] ? m->vals[i] : NULL;

         if (!bo || bo->purged || bo->madv != KPAN_MADV_DONTNEED || bo_busy(bo))
            continue;
         /* The pages go: what is read later is zero. */
         if (ftruncate(bo->gem.memfd, 0) != 0 || ftruncate(bo->gem.memfd, (off_t)bo->gem.size) != 0)
            continue;
         bo->purged = true;
         d->stats.purged++;
         n++;
      }
   }
   return n;
}

void
vdrm_sim_panfrost_get_stats(struct vdrm_backend *dev, struct vdrm_sim_panfrost_stats *stats)
{
   struct pan_device *d = pdev(dev);

   pan_retire(d, false);
   *stats = d->stats;
   stats->files = d->sim.stats.files;
   stats->objects = d->sim.stats.objects;
   stats->mappings = d->sim.stats.mappings;
}

static const struct vdrm_backend_panfrost_ops pan_kernel_ops = {
   .get_param = pan_get_param,
   .create_bo = pan_create_bo,
   .mmap_bo = pan_mmap_bo,
   .get_bo_offset = pan_get_bo_offset,
   .wait_bo = pan_wait_bo,
   .submit = pan_submit,
   .madvise = pan_madvise,
};

static const struct vdrm_backend_ops pan_ops = {
   .name = "sim-panfrost",
   .context_type = VIRTGPU_DRM_CONTEXT_PANFROST,
   .destroy = pan_destroy,
   .get_version = pan_get_version,
   .open = pan_open,
   .close = pan_close,
   .gem_close = sim_gem_close,
   .gem_export = sim_gem_export,
   .gem_write = sim_gem_write,
   .fence_ref = pan_fence_ref,
   .fence_unref = pan_fence_unref,
   .fence_signaled = pan_fence_signaled,
   .fence_wait = pan_fence_wait,
   .panfrost = &pan_kernel_ops,
};

int
vdrm_sim_panfrost_create(const struct vdrm_sim_panfrost_config *config, struct vdrm_backend **out)
{
   struct pan_device *d = calloc(1, sizeof(*d));
   struct timespec ts;

   if (!d)
      return -ENOMEM;
   d->profile = config && config->profile ? *config->profile : vdrm_sim_profile_mali_g57;
   d->job_ns = config ? config->job_ns : 0;
   d->sim.config.clock = config ? config->clock : VDRM_SIM_CLOCK_MONOTONIC;
   d->sim.config.profile = &d->sim.profile;
   /* The generic parts read the address range from the sim profile. */
   d->sim.profile.name = d->profile.name;
   d->sim.profile.va_start = SZ_32M;
   d->sim.profile.va_size = SZ_4G - SZ_32M;
   d->sim.profile.version = d->profile.version;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   d->sim.clock_base = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
   d->sim.base.ops = &pan_ops;
   d->next_mmap_offset = MMAP_OFFSET_START;
   *out = &d->sim.base;
   return 0;
}
