/* SPDX-License-Identifier: MIT */

/*
 * The sim backend's i915 device (see sim_i915.h): the sim's memfd GEM
 * objects and clock, and i915's own state on top: objects' tiling and PAT,
 * GEM contexts, VMs with their bindings, requests on engine timelines.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim_i915.h"
#include "sim_internal.h"

#define SI_MAX_CHAIN 512u          /* extension records the kernel walks before E2BIG */
#define SI_MAX_MAP 64u             /* engine-map entries (I915_EXEC_RING_MASK + 1) */
#define SI_VA_START 0x100000ull    /* where the kernel places unpinned objects first */
#define SI_4G (1ull << 32)

struct si_device;

struct si_gem {
   struct sim_gem base;            /* first: sim_gem_alloc() allocates the whole */
   uint32_t tiling;
   uint32_t stride;
   int32_t pat;                    /* -1: the platform default */
   bool protected_content;
   uint32_t mmap_modes;            /* bit per I915_MMAP_OFFSET_* offset created */
};

struct si_binding {
   struct si_gem *gem;
   uint32_t handle;
   uint64_t start, end;            /* end exclusive */
};

struct si_vm {
   uint32_t refcount;              /* ids, contexts */
   uint64_t size;
   uint64_t next_va;
   struct si_binding *b;
   uint32_t count, cap;
   struct si_device *dev;
   struct si_vm *prev, *next;      /* the file's VMs */
};

struct si_ctx {
   uint32_t id;
   struct si_vm *vm;
   int32_t priority;
   bool bannable, recoverable, persistence, no_error_capture, single_timeline, protected_content;
   bool banned;
   bool has_map;
   uint32_t nmap;
   struct i915_engine_class_instance map[SI_MAX_MAP];
   uint32_t guilty, innocent;
};

struct si_request {
   struct vdrm_backend_fence base;
   struct si_device *dev;
   uint32_t refcount;              /* the timeline while pending, every fence reference */
   uint64_t retire_at;
   bool retired;
   uint32_t engine_class;
   uint32_t n;
   struct si_gem **gems;           /* referenced while pending */
   uint8_t *write;
   struct si_request *next;
};

struct si_timeline {
   struct si_request *head, *tail;
   uint64_t last;
};

struct si_device {
   struct sim_device sd;           /* first: the sim's clock and GEM accounting */
   struct vdrm_sim_i915_profile prof;
   struct vdrm_sim_i915_config cfg;
   struct vdrm_sim_i915_stats st;
   struct si_timeline tl[VDRM_SIM_I915_MAX_ENGINES];
   uint32_t resets;
};

struct si_file {
   struct sim_file sf;             /* first: handles to sim_gem */
   struct si_ctx ctx0;
   struct vh_idmap ctxs;           /* id -> struct si_ctx */
   uint32_t next_ctx;
   struct vh_idmap vms;            /* id -> struct si_vm (one reference each) */
   uint32_t next_vm;
   struct si_vm *vm_list;
};

static struct si_device *
sdev(struct vdrm_backend *dev)
{
   return (struct si_device *)dev;
}

static struct si_file *
sfile(struct vdrm_backend_file *f)
{
   return (struct si_file *)f;
}

static struct si_device *
fdev(struct si_file *f)
{
   return (struct si_device *)f->sf.dev;
}

static struct si_gem *
gem_lookup(struct si_file *f, uint32_t handle)
{
   return (struct si_gem *)sim_gem_lookup(&f->sf, handle);
}

static uint64_t
now_ns(struct si_device *d)
{
   return sim_now(&d->sd);
}

/* ---- requests and their fences ---- */

static void
request_unref(struct si_request *r)
{
   if (--r->refcount)
      return;
   free(r->gems);
   free(r->write);
   r->dev->st.fences--;
   free(r);
}

static void
retire_one(struct si_device *d, struct si_timeline *t)
{
   struct si_request *r = t->head;

   t->head = r->next;
   if (!t->head)
      t->tail = NULL;
   for (uint32_t i = 0; i < r->n; i++) {
      struct sim_gem *g = &r->gems[i]->base;

      if (r->write[i])
         g->busy_write--;
      else
         g->busy_read--;
      sim_gem_unref(g);
   }
   r->n = 0;
   r->retired = true;
   d->st.pending--;
   request_unref(r);
}

static void
si_retire(struct si_device *d, bool all)
{
   uint64_t now = now_ns(d);

   for (uint32_t e = 0; e < VDRM_SIM_I915_MAX_ENGINES; e++)
      while (d->tl[e].head && (all || d->tl[e].head->retire_at <= now))
         retire_one(d, &d->tl[e]);
}

static void
si_fence_ref(struct vdrm_backend_fence *fence)
{
   ((struct si_request *)fence)->refcount++;
}

static void
si_fence_unref(struct vdrm_backend_fence *fence)
{
   request_unref((struct si_request *)fence);
}

static int
si_fence_signaled(struct vdrm_backend_fence *fence)
{
   struct si_request *r = (struct si_request *)fence;

   si_retire(r->dev, false);
   return r->retired;
}

static int
si_fence_wait(struct vdrm_backend_fence *fence, int64_t timeout_ns)
{
   struct si_request *r = (struct si_request *)fence;

   if (si_fence_signaled(fence))
      return 0;
   sim_sleep_until(&r->dev->sd, r->retire_at, timeout_ns);
   return si_fence_signaled(fence) ? 0 : -ETIME;
}

/* ---- VMs ---- */

static struct si_vm *
vm_new(struct si_file *f)
{
   struct si_vm *vm = calloc(1, sizeof(*vm));

   if (!vm)
      return NULL;
   vm->refcount = 1;
   vm->dev = fdev(f);
   vm->size = fdev(f)->prof.gtt_size;
   vm->next_va = SI_VA_START;
   vm->next = f->vm_list;
   if (f->vm_list)
      f->vm_list->prev = vm;
   f->vm_list = vm;
   return vm;
}

static void
vm_unref(struct si_file *f, struct si_vm *vm)
{
   if (!vm || --vm->refcount)
      return;
   vm->dev->st.bindings -= vm->count;
   free(vm->b);
   if (vm->prev)
      vm->prev->next = vm->next;
   else
      f->vm_list = vm->next;
   if (vm->next)
      vm->next->prev = vm->prev;
   free(vm);
}

static struct si_binding *
vm_find(struct si_vm *vm, uint32_t handle)
{
   for (uint32_t i = 0; i < vm->count; i++)
      if (vm->b[i].handle == handle)
         return &vm->b[i];
   return NULL;
}

static void
vm_unbind(struct si_vm *vm, struct si_binding *b)
{
   *b = vm->b[--vm->count];
   vm->dev->st.bindings--;
}

/* Another object's binding overlapping [start, end), or NULL. */
static struct si_binding *
vm_overlap(struct si_vm *vm, uint32_t handle, uint64_t start, uint64_t end)
{
   for (uint32_t i = 0; i < vm->count; i++)
      if (vm->b[i].handle != handle && start < vm->b[i].end && vm->b[i].start < end)
         return &vm->b[i];
   return NULL;
}

static int
vm_bind(struct si_vm *vm, struct si_gem *g, uint32_t handle, uint64_t start)
{
   struct si_binding *b;

   if (vm->count == vm->cap) {
      uint32_t cap = vm->cap ? vm->cap * 2 : 8;
      struct si_binding *nb = realloc(vm->b, cap * sizeof(*nb));

      if (!nb)
         return -ENOMEM;
      vm->b = nb;
      vm->cap = cap;
   }
   b = &vm->b[vm->count++];
   *b = (struct si_binding){ .gem = g, .handle = handle, .start = start, .end = start + g->base.size };
   vm->dev->st.bindings++;
   return 0;
}

/* ---- GEM ---- */

static int
si_gem_close(struct vdrm_backend_file *file, uint32_t handle)
{
   struct si_file *f = sfile(file);

   /* Closing the handle unbinds the object from every address space of the file. */
   if (gem_lookup(f, handle)) {
      for (struct si_vm *vm = f->vm_list; vm; vm = vm->next) {
         struct si_binding *b = vm_find(vm, handle);

         if (b)
            vm_unbind(vm, b);
      }
   }
   fdev(f)->st.ioctls++;
   return sim_gem_close(file, handle);
}

static int
gem_new(struct si_file *f, uint64_t *size, uint32_t *handle, struct si_gem **out)
{
   struct si_device *d = fdev(f);
   struct sim_gem *g;
   uint64_t sz = *size;
   int ret;

   /* i915_gem_create(): page-rounded, non-zero, within what the region holds. */
   if (sz == 0 || sz > UINT64_MAX - (SIM_PAGE_SIZE - 1))
      return -EINVAL;
   sz = (sz + SIM_PAGE_SIZE - 1) & ~(uint64_t)(SIM_PAGE_SIZE - 1);
   if (sz > d->prof.system_memory)
      return -E2BIG;
   ret = sim_gem_alloc(&f->sf, sz, 0, sizeof(struct si_gem), &g, handle);
   if (ret)
      return ret;
   ((struct si_gem *)g)->pat = -1;
   *size = sz;
   *out = (struct si_gem *)g;
   d->st.objects = d->sd.stats.objects;
   return 0;
}

static int
si_gem_create(struct vdrm_backend_file *file, uint64_t *size, uint32_t *handle)
{
   struct si_file *f = sfile(file);
   struct si_gem *g;

   fdev(f)->st.ioctls++;
   return gem_new(f, size, handle, &g);
}

static int
si_gem_create_ext(struct vdrm_backend_file *file, struct ki915_gem_create_ext *a)
{
   struct si_file *f = sfile(file);
   struct si_device *d = fdev(f);
   const struct vdrm_sim_i915_profile *p = &d->prof;
   bool seen[3] = { false, false, false };
   int32_t pat = -1;
   bool prot = false;
   uint32_t regions = 0, n = 0;
   struct si_gem *g;
   uint64_t size = a->size;
   int ret;

   d->st.ioctls++;
   d->st.create_ext_calls++;
   if (a->flags & ~KI915_GEM_CREATE_EXT_FLAG_NEEDS_CPU_ACCESS)
      return -EINVAL;
   for (uint64_t at = a->extensions; at; n++) {
      const struct i915_user_extension *e = (const void *)(uintptr_t)at;

      if (n == SI_MAX_CHAIN)
         return -E2BIG;
      d->st.chain_records++;
      if (e->flags || e->rsvd[0] || e->rsvd[1] || e->rsvd[2] || e->rsvd[3])
         return -EINVAL;
      if (e->name > KI915_GEM_CREATE_EXT_SET_PAT)
         return -EINVAL;
      if (seen[e->name])
         return -EINVAL;   /* each extension at most once */
      seen[e->name] = true;
      switch (e->name) {
      case KI915_GEM_CREATE_EXT_MEMORY_REGIONS: {
         const struct drm_i915_gem_create_ext_memory_regions *m = (const void *)e;
         const struct drm_i915_gem_memory_class_instance *r = (const void *)(uintptr_t)m->regions;

         /* One system region on an integrated GPU: it is the only placement there is. */
         if (m->pad || m->num_regions == 0 || m->num_regions > 1)
            return -EINVAL;
         for (uint32_t i = 0; i < m->num_regions; i++)
            if (r[i].memory_class != KI915_MEMORY_CLASS_SYSTEM || r[i].memory_instance != 0)
               return -EINVAL;
         regions = m->num_regions;
         break;
      }
      case KI915_GEM_CREATE_EXT_PROTECTED_CONTENT: {
         const struct drm_i915_gem_create_ext_protected_content *pc = (const void *)e;

         if (pc->flags)
            return -EINVAL;
         if (!p->pxp)
            return -ENODEV;
         prot = true;
         break;
      }
      case KI915_GEM_CREATE_EXT_SET_PAT: {
         const struct drm_i915_gem_create_ext_set_pat *sp = (const void *)e;

         if (sp->rsvd || sp->pat_index >= p->num_pat)
            return -EINVAL;
         pat = (int32_t)sp->pat_index;
         break;
      }
      }
      at = e->next_extension;
   }
   /* NEEDS_CPU_ACCESS only means something for device-local placements. */
   if (a->flags & KI915_GEM_CREATE_EXT_FLAG_NEEDS_CPU_ACCESS)
      return -EINVAL;
   ret = gem_new(f, &size, &a->handle, &g);
   if (ret)
      return ret;
   g->pat = pat;
   g->protected_content = prot;
   a->size = size;
   d->st.last_create_pat = pat;
   d->st.last_create_protected = prot;
   d->st.last_create_regions = regions;
   d->st.last_create_size = size;
   return 0;
}

static bool
gpu_busy(struct si_device *d, struct si_gem *g, bool *writing)
{
   si_retire(d, false);
   *writing = g->base.busy_write != 0;
   return g->base.busy_read || g->base.busy_write;
}

static int
si_gem_set_domain(struct vdrm_backend_file *file, const struct drm_i915_gem_set_domain *a)
{
   struct si_file *f = sfile(file);
   struct si_device *d = fdev(f);
   const uint32_t cpu_domains = 0x1u | 0x40u | 0x80u;   /* CPU, GTT, WC */
   struct si_gem *g;
   bool w;

   d->st.ioctls++;
   if ((a->read_domains | a->write_domain) & ~cpu_domains)
      return -EINVAL;
   if (a->write_domain && a->read_domains != a->write_domain)
      return -EINVAL;
   g = gem_lookup(f, a->handle);
   if (!g)
      return -ENOENT;
   /* Waits for the GPU; on the manual clock no time passes while the host waits. */
   while (gpu_busy(d, g, &w)) {
      if (d->sd.config.clock != VDRM_SIM_CLOCK_MONOTONIC)
         return -ETIME;
      sim_sleep_until(&d->sd, now_ns(d) + 1000000, 1000000);
   }
   return 0;
}

static int
si_gem_set_tiling(struct vdrm_backend_file *file, struct drm_i915_gem_set_tiling *a)
{
   struct si_file *f = sfile(file);
   struct si_gem *g;

   fdev(f)->st.ioctls++;
   g = gem_lookup(f, a->handle);
   if (!g)
      return -ENOENT;
   if (a->tiling_mode > KI915_TILING_Y)
      return -EINVAL;
   if (a->tiling_mode != KI915_TILING_NONE) {
      uint32_t tile_width = a->tiling_mode == KI915_TILING_X ? 512 : 128;

      if (a->stride == 0 || a->stride % tile_width || a->stride > 256 * 1024)
         return -EINVAL;
   } else {
      a->stride = 0;
   }
   g->tiling = a->tiling_mode;
   g->stride = a->stride;
   a->swizzle_mode = KI915_BIT_6_SWIZZLE_NONE;
   return 0;
}

static int
si_gem_get_tiling(struct vdrm_backend_file *file, struct drm_i915_gem_get_tiling *a)
{
   struct si_file *f = sfile(file);
   struct si_gem *g;

   fdev(f)->st.ioctls++;
   g = gem_lookup(f, a->handle);
   if (!g)
      return -ENOENT;
   a->tiling_mode = g->tiling;
   a->swizzle_mode = KI915_BIT_6_SWIZZLE_NONE;
   a->phys_swizzle_mode = KI915_BIT_6_SWIZZLE_NONE;
   return 0;
}

static int
si_gem_get_aperture(struct vdrm_backend_file *file, struct drm_i915_gem_get_aperture *a)
{
   struct si_device *d = fdev(sfile(file));

   d->st.ioctls++;
   a->aper_size = d->prof.aperture;
   a->aper_available_size = d->prof.aperture - (8u << 20);   /* what the kernel keeps pinned */
   return 0;
}

static int
si_gem_busy(struct vdrm_backend_file *file, uint32_t handle, uint32_t *busy)
{
   struct si_file *f = sfile(file);
   struct si_device *d = fdev(f);
   struct si_gem *g;
   uint32_t word = 0;

   d->st.ioctls++;
   g = gem_lookup(f, handle);
   if (!g)
      return -ENOENT;
   si_retire(d, false);
   /* High half: a bit per engine class reading it; low half: the writer's class + 1. */
   for (uint32_t e = 0; e < VDRM_SIM_I915_MAX_ENGINES; e++)
      for (struct si_request *r = d->tl[e].head; r; r = r->next)
         for (uint32_t i = 0; i < r->n; i++)
            if (r->gems[i] == g) {
               word |= 1u << (16 + r->engine_class);
               if (r->write[i])
                  word = (word & 0xffff0000u) | (r->engine_class + 1);
            }
   *busy = word;
   return 0;
}

static int
si_gem_mmap_offset(struct vdrm_backend_file *file, uint32_t handle, uint32_t flags, uint64_t *offset)
{
   struct si_file *f = sfile(file);
   struct si_device *d = fdev(f);
   struct si_gem *g;

   d->st.ioctls++;
   g = gem_lookup(f, handle);
   if (!g)
      return -ENOENT;
   if (flags > KI915_MMAP_OFFSET_FIXED)
      return -EINVAL;
   /* FIXED is for devices with local memory only. */
   if (flags == KI915_MMAP_OFFSET_FIXED)
      return -ENODEV;
   g->mmap_modes |= 1u << flags;
   d->st.last_mmap_mode = flags;
   *offset = ((uint64_t)handle << 24 | (uint64_t)flags << 20) << 12;
   return 0;
}

/* ---- parameters and queries ---- */

static int
si_get_pci_info(struct vdrm_backend_file *file, struct ki915_pci_info *info)
{
   *info = fdev(sfile(file))->prof.pci;
   return 0;
}

static int
si_getparam(struct vdrm_backend_file *file, int32_t param, int32_t *value)
{
   struct si_device *d = fdev(sfile(file));
   const struct vdrm_sim_i915_profile *p = &d->prof;

   d->st.ioctls++;
   if (param < 0 || param >= VDRM_SIM_I915_MAX_PARAM || !p->known[param])
      return -EINVAL;
   if (p->param_err[param])
      return p->param_err[param];
   if (param == KI915_PARAM_HAS_SECURE_BATCHES) {
      *value = d->cfg.privileged;
      return 0;
   }
   if (param == KI915_PARAM_PXP_STATUS && !p->pxp)
      return -ENODEV;
   *value = p->param[param];
   return 0;
}

static int32_t
query_topology(const struct vdrm_sim_i915_profile *p, uint8_t *buf, int32_t cap)
{
   struct drm_i915_query_topology_info t = { 0 };
   uint16_t ss_stride = (uint16_t)((p->max_subslices + 7) / 8);
   uint16_t eu_stride = (uint16_t)((p->max_eus_per_subslice + 7) / 8);
   uint16_t slice_bytes = (uint16_t)((p->max_slices + 7) / 8);
   int32_t len;

   t.max_slices = p->max_slices;
   t.max_subslices = p->max_subslices;
   t.max_eus_per_subslice = p->max_eus_per_subslice;
   t.subslice_offset = slice_bytes;
   t.subslice_stride = ss_stride;
   t.eu_offset = (uint16_t)(slice_bytes + p->max_slices * ss_stride);
   t.eu_stride = eu_stride;
   len = (int32_t)(sizeof(t) + t.eu_offset + p->max_slices * p->max_subslices * eu_stride);
   if (cap == 0)
      return len;
   if (cap < len)
      return -EINVAL;
   memcpy(buf, &t, sizeof(t));
   buf += sizeof(t);
   buf[0] = p->slice_mask;
   for (uint16_t s = 0; s < p->max_slices; s++) {
      buf[t.subslice_offset + s * ss_stride] = (uint8_t)(p->slice_mask >> s & 1 ? p->subslice_mask : 0);
      for (uint16_t ss = 0; ss < p->max_subslices; ss++) {
         uint8_t *eu = buf + t.eu_offset + (s * p->max_subslices + ss) * eu_stride;
         bool on = (p->slice_mask >> s & 1) && (p->subslice_mask >> ss & 1);

         for (uint16_t b = 0; b < eu_stride; b++)
            eu[b] = on ? (uint8_t)(p->eu_mask >> (8 * b)) : 0;
      }
   }
   return len;
}

static int32_t
query_engines(const struct vdrm_sim_i915_profile *p, uint8_t *buf, int32_t cap)
{
   struct drm_i915_query_engine_info h = { .num_engines = p->num_engines };
   int32_t len = (int32_t)(sizeof(h) + p->num_engines * sizeof(struct drm_i915_engine_info));

   if (cap == 0)
      return len;
   if (cap < len)
      return -EINVAL;
   /* The kernel wants the caller's head zeroed. */
   if (memcmp(buf, &(struct drm_i915_query_engine_info){ 0 }, sizeof(h)))
      return -EINVAL;
   memcpy(buf, &h, sizeof(h));
   for (uint32_t i = 0; i < p->num_engines; i++) {
      struct drm_i915_engine_info e = {
         .engine = p->engines[i],
         .flags = 1,   /* I915_ENGINE_INFO_HAS_LOGICAL_INSTANCE */
         .capabilities = p->engine_caps[i],
         .logical_instance = p->engines[i].engine_instance,
      };

      memcpy(buf + sizeof(h) + i * sizeof(e), &e, sizeof(e));
   }
   return len;
}

static int32_t
query_regions(const struct vdrm_sim_i915_profile *p, uint8_t *buf, int32_t cap)
{
   struct drm_i915_query_memory_regions h = { .num_regions = 1 };
   struct drm_i915_memory_region_info r = {
      .region = { .memory_class = KI915_MEMORY_CLASS_SYSTEM, .memory_instance = 0 },
      .probed_size = p->system_memory,
      .unallocated_size = p->system_memory,   /* the real figure needs CAP_PERFMON */
   };
   int32_t len = (int32_t)(sizeof(h) + sizeof(r));

   if (cap == 0)
      return len;
   if (cap < len)
      return -EINVAL;
   if (memcmp(buf, &(struct drm_i915_query_memory_regions){ 0 }, sizeof(h)))
      return -EINVAL;
   memcpy(buf, &h, sizeof(h));
   memcpy(buf + sizeof(h), &r, sizeof(r));
   return len;
}

static int
si_query(struct vdrm_backend_file *file, struct ki915_query_item *item)
{
   struct si_device *d = fdev(sfile(file));
   const struct vdrm_sim_i915_profile *p = &d->prof;
   uint8_t *buf = (uint8_t *)(uintptr_t)item->data_ptr;
   int32_t cap = item->length;

   d->st.ioctls++;
   if (cap < 0) {
      item->length = -EINVAL;
      return 0;
   }
   /* An item's failure is its length; the ioctl itself succeeds. */
   switch (item->query_id) {
   case KI915_QUERY_TOPOLOGY_INFO:
      item->length = item->flags ? -EINVAL : query_topology(p, buf, cap);
      break;
   case KI915_QUERY_GEOMETRY_SUBSLICES: {
      /* flags name the engine: render class only. */
      uint16_t cls = (uint16_t)(item->flags & 0xffff), inst = (uint16_t)(item->flags >> 16);

      item->length = (cls == KI915_ENGINE_CLASS_RENDER && inst == 0) ? query_topology(p, buf, cap) : -EINVAL;
      break;
   }
   case KI915_QUERY_ENGINE_INFO:
      item->length = item->flags ? -EINVAL : query_engines(p, buf, cap);
      break;
   case KI915_QUERY_MEMORY_REGIONS:
      item->length = item->flags ? -EINVAL : query_regions(p, buf, cap);
      break;
   case KI915_QUERY_HWCONFIG_BLOB:
   case KI915_QUERY_GUC_SUBMISSION_VERSION:
      /* Tiger Lake runs execlists: no GuC submission, no hwconfig table. */
      item->length = -ENODEV;
      break;
   case KI915_QUERY_PERF_CONFIG:
   default:
      item->length = -EINVAL;
      break;
   }
   return 0;
}

static int
si_reg_read(struct vdrm_backend_file *file, struct drm_i915_reg_read *a)
{
   struct si_device *d = fdev(sfile(file));
   unsigned __int128 ticks;

   d->st.ioctls++;
   if ((a->offset & ~(uint64_t)KI915_REG_READ_8B_WA) != KI915_REG_RENDER_RING_TIMESTAMP)
      return -EINVAL;
   ticks = (unsigned __int128)now_ns(d) * d->prof.timestamp_hz / 1000000000u;
   a->val = (uint64_t)ticks;
   return 0;
}

/* ---- GEM contexts ---- */

static void
ctx_defaults(struct si_ctx *c)
{
   c->bannable = true;
   c->recoverable = true;
   c->persistence = true;
}

static struct si_ctx *
ctx_lookup(struct si_file *f, uint32_t id)
{
   return id == 0 ? &f->ctx0 : vh_idmap_get(&f->ctxs, id);
}

static bool
engine_exists(const struct vdrm_sim_i915_profile *p, struct i915_engine_class_instance e)
{
   for (uint32_t i = 0; i < p->num_engines; i++)
      if (p->engines[i].engine_class == e.engine_class && p->engines[i].engine_instance == e.engine_instance)
         return true;
   return false;
}

static int
check_priority(struct si_device *d, uint64_t value)
{
   int64_t v = (int64_t)value;

   if (v > KI915_CONTEXT_MAX_USER_PRIORITY || v < KI915_CONTEXT_MIN_USER_PRIORITY)
      return -EINVAL;
   if (v > 0 && !d->cfg.privileged)
      return -EPERM;   /* above the default needs CAP_SYS_NICE */
   return 0;
}

/* One parameter of a context being created (set_proto_ctx_param()). */
static int
create_param(struct si_file *f, struct si_ctx *c, const struct drm_i915_gem_context_param *a)
{
   struct si_device *d = fdev(f);
   const struct vdrm_sim_i915_profile *p = &d->prof;
   const void *data = (const void *)(uintptr_t)a->value;
   int ret;

   switch (a->param) {
   case KI915_CONTEXT_PARAM_NO_ERROR_CAPTURE:
   case KI915_CONTEXT_PARAM_BANNABLE:
   case KI915_CONTEXT_PARAM_RECOVERABLE:
   case KI915_CONTEXT_PARAM_PERSISTENCE:
   case KI915_CONTEXT_PARAM_PRIORITY:
   case KI915_CONTEXT_PARAM_VM:
   case KI915_CONTEXT_PARAM_PROTECTED_CONTENT:
      if (a->size)
         return -EINVAL;
      break;
   default:
      break;
   }
   switch (a->param) {
   case KI915_CONTEXT_PARAM_NO_ERROR_CAPTURE:
      c->no_error_capture = a->value != 0;
      return 0;
   case KI915_CONTEXT_PARAM_BANNABLE:
      if (!a->value && !d->cfg.privileged)
         return -EPERM;
      c->bannable = a->value != 0;
      return 0;
   case KI915_CONTEXT_PARAM_RECOVERABLE:
      c->recoverable = a->value != 0;
      return 0;
   case KI915_CONTEXT_PARAM_PERSISTENCE:
      c->persistence = a->value != 0;
      return 0;
   case KI915_CONTEXT_PARAM_PRIORITY:
      ret = check_priority(d, a->value);
      if (!ret)
         c->priority = (int32_t)(int64_t)a->value;
      return ret;
   case KI915_CONTEXT_PARAM_VM: {
      struct si_vm *vm = a->value <= UINT32_MAX ? vh_idmap_get(&f->vms, (uint32_t)a->value) : NULL;

      if (!vm)
         return -ENOENT;
      vm->refcount++;
      vm_unref(f, c->vm);
      c->vm = vm;
      return 0;
   }
   case KI915_CONTEXT_PARAM_PROTECTED_CONTENT:
      if (!p->pxp)
         return -ENODEV;
      if (a->value && (!c->bannable || c->recoverable))
         return -EPERM;
      c->protected_content = a->value != 0;
      return 0;
   case KI915_CONTEXT_PARAM_SSEU: {
      struct drm_i915_gem_context_param_sseu s;

      if (a->size != sizeof(s))
         return -EINVAL;
      memcpy(&s, data, sizeof(s));
      if (s.rsvd || (s.flags & ~KI915_CONTEXT_SSEU_FLAG_ENGINE_INDEX))
         return -EINVAL;
      if (s.flags & KI915_CONTEXT_SSEU_FLAG_ENGINE_INDEX) {
         if (!c->has_map || s.engine.engine_instance >= c->nmap)
            return -EINVAL;
         s.engine = c->map[s.engine.engine_instance];
      }
      if (s.engine.engine_class != KI915_ENGINE_CLASS_RENDER || s.engine.engine_instance != 0)
         return -ENODEV;
      if (!s.slice_mask || (s.slice_mask & ~(uint64_t)p->slice_mask) || !s.subslice_mask ||
          (s.subslice_mask & ~(uint64_t)p->subslice_mask) || s.min_eus_per_subslice > s.max_eus_per_subslice ||
          s.max_eus_per_subslice > p->max_eus_per_subslice)
         return -EINVAL;
      return 0;
   }
   case KI915_CONTEXT_PARAM_ENGINES: {
      struct i915_context_param_engines h;
      uint32_t n;

      if (a->size < sizeof(h) || (a->size - sizeof(h)) % sizeof(struct i915_engine_class_instance))
         return -EINVAL;
      n = (uint32_t)((a->size - sizeof(h)) / sizeof(struct i915_engine_class_instance));
      if (n > SI_MAX_MAP)
         return -EINVAL;
      memcpy(&h, data, sizeof(h));
      if (h.extensions) {
         /* The kernel would now read an extension chain at that address of the host process. */
         d->st.host_pointers_read++;
         return -EFAULT;
      }
      for (uint32_t i = 0; i < n; i++) {
         struct i915_engine_class_instance e;

         memcpy(&e, (const uint8_t *)data + sizeof(h) + i * sizeof(e), sizeof(e));
         if (e.engine_class == KI915_ENGINE_CLASS_INVALID &&
             (e.engine_instance == KI915_ENGINE_CLASS_INVALID_NONE ||
              e.engine_instance == KI915_ENGINE_CLASS_INVALID_VIRTUAL)) {
            c->map[i] = e;
            continue;
         }
         if (!engine_exists(p, e))
            return -EINVAL;
         c->map[i] = e;
      }
      c->has_map = true;
      c->nmap = n;
      return 0;
   }
   default:
      return -EINVAL;
   }
}

static void
ctx_free(struct si_file *f, struct si_ctx *c)
{
   vm_unref(f, c->vm);
   free(c);
}

static int
si_gem_context_create_ext(struct vdrm_backend_file *file, struct ki915_gem_context_create_ext *a)
{
   struct si_file *f = sfile(file);
   struct si_device *d = fdev(f);
   struct si_ctx *c;
   uint32_t n = 0;
   int ret;

   d->st.ioctls++;
   d->st.context_create_calls++;
   d->st.last_context_extensions = a->extensions;
   if (a->flags & ~(KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS | KI915_CONTEXT_CREATE_FLAGS_SINGLE_TIMELINE))
      return -EINVAL;
   c = calloc(1, sizeof(*c));
   if (!c)
      return -ENOMEM;
   ctx_defaults(c);
   c->single_timeline = a->flags & KI915_CONTEXT_CREATE_FLAGS_SINGLE_TIMELINE;
   if (a->flags & KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS) {
      for (uint64_t at = a->extensions; at; n++) {
         const struct drm_i915_gem_context_create_ext_setparam *e = (const void *)(uintptr_t)at;

         ret = -E2BIG;
         if (n == SI_MAX_CHAIN)
            goto fail;
         d->st.chain_records++;
         ret = -EINVAL;
         if (e->base.name != KI915_CONTEXT_CREATE_EXT_SETPARAM || e->base.flags || e->base.rsvd[0] ||
             e->base.rsvd[1] || e->base.rsvd[2] || e->base.rsvd[3] || e->param.ctx_id)
            goto fail;
         ret = create_param(f, c, &e->param);
         if (ret)
            goto fail;
         at = e->base.next_extension;
      }
   }
   if (!c->vm) {
      c->vm = vm_new(f);
      ret = -ENOMEM;
      if (!c->vm)
         goto fail;
   }
   /* Context ids count up from 1. */
   do {
      c->id = f->next_ctx++;
      if (f->next_ctx == 0)
         f->next_ctx = 1;
   } while (c->id == 0 || vh_idmap_get(&f->ctxs, c->id));
   ret = vh_idmap_put(&f->ctxs, c->id, c);
   if (ret)
      goto fail;
   d->st.contexts++;
   a->ctx_id = c->id;
   return 0;
fail:
   ctx_free(f, c);
   return ret;
}

static int
si_gem_context_destroy(struct vdrm_backend_file *file, const struct drm_i915_gem_context_destroy *a)
{
   struct si_file *f = sfile(file);
   struct si_device *d = fdev(f);
   struct si_ctx *c;

   d->st.ioctls++;
   if (a->pad)
      return -EINVAL;
   if (a->ctx_id == 0)
      return -ENOENT;
   c = vh_idmap_remove(&f->ctxs, a->ctx_id);
   if (!c)
      return -ENOENT;
   d->st.contexts--;
   ctx_free(f, c);
   return 0;
}

static int
si_get_reset_stats(struct vdrm_backend_file *file, struct drm_i915_reset_stats *a)
{
   struct si_file *f = sfile(file);
   struct si_device *d = fdev(f);
   struct si_ctx *c;

   d->st.ioctls++;
   d->st.reset_stats_calls++;
   if (a->flags || a->pad)
      return -EINVAL;
   if (a->ctx_id == 0 && !d->cfg.privileged)
      return -EPERM;
   c = ctx_lookup(f, a->ctx_id);
   if (!c)
      return -ENOENT;
   a->reset_count = d->cfg.privileged ? d->resets : 0;
   a->batch_active = c->guilty;
   a->batch_pending = c->innocent;
   return 0;
}

static int
vm_id_new(struct si_file *f, struct si_vm *vm, uint32_t *id)
{
   int ret;

   do {
      *id = f->next_vm++;
      if (f->next_vm == 0)
         f->next_vm = 1;
   } while (*id == 0 || vh_idmap_get(&f->vms, *id));
   ret = vh_idmap_put(&f->vms, *id, vm);
   if (ret)
      return ret;
   vm->refcount++;
   fdev(f)->st.vms++;
   return 0;
}

static int
si_gem_context_getparam(struct vdrm_backend_file *file, struct drm_i915_gem_context_param *a)
{
   struct si_file *f = sfile(file);
   struct si_ctx *c;

   fdev(f)->st.ioctls++;
   c = ctx_lookup(f, a->ctx_id);
   if (!c)
      return -ENOENT;
   a->size = 0;
   switch (a->param) {
   case KI915_CONTEXT_PARAM_GTT_SIZE:
      a->value = c->vm ? c->vm->size : fdev(f)->prof.gtt_size;
      return 0;
   case KI915_CONTEXT_PARAM_PRIORITY:
      a->value = (uint64_t)(int64_t)c->priority;
      return 0;
   case KI915_CONTEXT_PARAM_RECOVERABLE:
      a->value = c->recoverable;
      return 0;
   case KI915_CONTEXT_PARAM_BANNABLE:
      a->value = c->bannable;
      return 0;
   case KI915_CONTEXT_PARAM_NO_ERROR_CAPTURE:
      a->value = c->no_error_capture;
      return 0;
   case KI915_CONTEXT_PARAM_PERSISTENCE:
      a->value = c->persistence;
      return 0;
   case KI915_CONTEXT_PARAM_VM: {
      /* A new id for the context's address space. */
      uint32_t id;
      int ret;

      if (!c->vm)
         return -ENODEV;
      ret = vm_id_new(f, c->vm, &id);
      if (ret)
         return ret;
      a->value = id;
      return 0;
   }
   default:
      return -EINVAL;
   }
}

static int
si_gem_context_setparam(struct vdrm_backend_file *file, const struct drm_i915_gem_context_param *a)
{
   struct si_file *f = sfile(file);
   struct si_device *d = fdev(f);
   struct si_ctx *c;
   int ret;

   d->st.ioctls++;
   c = ctx_lookup(f, a->ctx_id);
   if (!c)
      return -ENOENT;
   switch (a->param) {
   case KI915_CONTEXT_PARAM_PRIORITY:
      if (a->size)
         return -EINVAL;
      ret = check_priority(d, a->value);
      if (!ret)
         c->priority = (int32_t)(int64_t)a->value;
      return ret;
   case KI915_CONTEXT_PARAM_RECOVERABLE:
      if (a->size)
         return -EINVAL;
      c->recoverable = a->value != 0;
      return 0;
   case KI915_CONTEXT_PARAM_NO_ERROR_CAPTURE:
      if (a->size)
         return -EINVAL;
      c->no_error_capture = a->value != 0;
      return 0;
   case KI915_CONTEXT_PARAM_BANNABLE:
      if (a->size)
         return -EINVAL;
      if (!a->value && !d->cfg.privileged)
         return -EPERM;
      c->bannable = a->value != 0;
      return 0;
   default:
      /* GTT_SIZE is read-only; VM and ENGINES only at creation. */
      return -EINVAL;
   }
}

static int
si_gem_vm_create(struct vdrm_backend_file *file, struct drm_i915_gem_vm_control *a)
{
   struct si_file *f = sfile(file);
   struct si_device *d = fdev(f);
   struct si_vm *vm;
   int ret;

   d->st.ioctls++;
   d->st.vm_calls++;
   if (a->extensions) {
      d->st.host_pointers_read++;
      return -EFAULT;
   }
   if (a->flags)
      return -EINVAL;
   vm = vm_new(f);
   if (!vm)
      return -ENOMEM;
   ret = vm_id_new(f, vm, &a->vm_id);
   vm_unref(f, vm);   /* the id holds it now (or nothing does) */
   return ret;
}

static int
si_gem_vm_destroy(struct vdrm_backend_file *file, const struct drm_i915_gem_vm_control *a)
{
   struct si_file *f = sfile(file);
   struct si_device *d = fdev(f);
   struct si_vm *vm;

   d->st.ioctls++;
   d->st.vm_calls++;
   if (a->extensions || a->flags)
      return -EINVAL;
   vm = vh_idmap_remove(&f->vms, a->vm_id);
   if (!vm)
      return -ENOENT;
   d->st.vms--;
   vm_unref(f, vm);
   return 0;
}

/* ---- execbuffer ---- */

/* The profile engine a submission runs on, or -EINVAL. */
static int
select_engine(const struct vdrm_sim_i915_profile *p, const struct si_ctx *c, uint64_t flags)
{
   uint32_t ring = (uint32_t)(flags & KI915_EXEC_RING_MASK);
   uint32_t bsd = (uint32_t)((flags & KI915_EXEC_BSD_MASK) >> KI915_EXEC_BSD_SHIFT);
   struct i915_engine_class_instance e;

   if (c->has_map) {
      if (bsd || ring >= c->nmap || c->map[ring].engine_class == KI915_ENGINE_CLASS_INVALID)
         return -EINVAL;
      e = c->map[ring];
   } else {
      if (bsd && ring != KI915_EXEC_BSD)
         return -EINVAL;
      switch (ring) {
      case KI915_EXEC_DEFAULT:
      case KI915_EXEC_RENDER:
         e = (struct i915_engine_class_instance){ KI915_ENGINE_CLASS_RENDER, 0 };
         break;
      case KI915_EXEC_BSD:
         if (bsd == 3)
            return -EINVAL;
         e = (struct i915_engine_class_instance){ KI915_ENGINE_CLASS_VIDEO, (uint16_t)(bsd == 2 ? 1 : 0) };
         break;
      case KI915_EXEC_BLT:
         e = (struct i915_engine_class_instance){ KI915_ENGINE_CLASS_COPY, 0 };
         break;
      case KI915_EXEC_VEBOX:
         e = (struct i915_engine_class_instance){ KI915_ENGINE_CLASS_VIDEO_ENHANCE, 0 };
         break;
      default:
         return -EINVAL;
      }
   }
   for (uint32_t i = 0; i < p->num_engines; i++)
      if (p->engines[i].engine_class == e.engine_class && p->engines[i].engine_instance == e.engine_instance)
         return (int)i;
   return -EINVAL;
}

static bool
is_pow2(uint64_t v)
{
   return v && !(v & (v - 1));
}

/* Places object i in the VM (softpinned or by the kernel); its address in *addr. */
static int
place(struct si_vm *vm, struct si_gem *g, uint32_t handle, const struct drm_i915_gem_exec_object2 *o,
      uint64_t *addr)
{
   uint64_t limit = (o->flags & KI915_EXEC_OBJECT_SUPPORTS_48B_ADDRESS) ? vm->size : SI_4G;
   uint64_t align = o->alignment > SIM_PAGE_SIZE ? o->alignment : SIM_PAGE_SIZE;
   struct si_binding *b = vm_find(vm, handle);
   uint64_t start;

   if (o->flags & KI915_EXEC_OBJECT_PINNED) {
      start = o->offset;
      if (start & (SIM_PAGE_SIZE - 1) || (o->alignment && start & (o->alignment - 1)))
         return -EINVAL;
      if (start > limit || g->base.size > limit - start)
         return -EINVAL;
      if (b && b->start == start) {
         *addr = start;
         return 0;
      }
      if (vm_overlap(vm, handle, start, start + g->base.size))
         return -ENOSPC;
   } else {
      if (b && !(b->start & (align - 1)) && b->end <= limit) {
         *addr = b->start;
         return 0;
      }
      start = (vm->next_va + align - 1) & ~(align - 1);
      for (;;) {
         struct si_binding *ov;

         if (start > limit || g->base.size > limit - start)
            return -ENOSPC;
         ov = vm_overlap(vm, handle, start, start + g->base.size);
         if (!ov)
            break;
         start = (ov->end + align - 1) & ~(align - 1);
      }
      vm->next_va = start + g->base.size;
   }
   if (b)
      vm_unbind(vm, b);
   *addr = start;
   return vm_bind(vm, g, handle, start);
}

static int
write_u64(struct si_gem *g, uint64_t offset, uint64_t value)
{
   uint8_t bytes[8];

   for (int i = 0; i < 8; i++)
      bytes[i] = (uint8_t)(value >> (8 * i));
   return pwrite(g->base.memfd, bytes, sizeof(bytes), (off_t)offset) == (ssize_t)sizeof(bytes) ? 0 : -EFAULT;
}

static int
si_gem_execbuffer2(struct vdrm_backend_file *file, struct ki915_execbuffer2 *a,
                   struct vdrm_backend_fence **fence_out)
{
   struct si_file *f = sfile(file);
   struct si_device *d = fdev(f);
   const struct vdrm_sim_i915_profile *p = &d->prof;
   struct drm_i915_gem_exec_object2 *objs = (void *)(uintptr_t)a->buffers_ptr;
   const uint64_t unsafe = KI915_EXEC_SECURE | KI915_EXEC_FENCE_IN | KI915_EXEC_FENCE_SUBMIT |
                           KI915_EXEC_FENCE_ARRAY | KI915_EXEC_USE_EXTENSIONS;
   struct si_gem **gems = NULL;
   uint64_t *addr = NULL;
   struct si_request *r = NULL;
   struct si_ctx *c;
   struct si_gem *batch;
   uint64_t blen;
   uint32_t n = a->buffer_count, first_dword = 0;
   int engine, ret;

   d->st.ioctls++;
   d->st.execbuffer_calls++;
   d->st.last_exec_flags = a->flags;
   if (a->flags & unsafe)
      d->st.unsafe_flags_seen++;
   si_retire(d, false);
   if (a->flags & KI915_EXEC_UNKNOWN_FLAGS)
      return -EINVAL;
   if (n < 1 || n > 1u << 20)
      return -EINVAL;
   if ((a->flags & KI915_EXEC_SECURE) && !d->cfg.privileged)
      return -EPERM;
   /* No sync_file descriptor reaches the sim: an in-fence is never valid. */
   if (a->flags & (KI915_EXEC_FENCE_IN | KI915_EXEC_FENCE_SUBMIT))
      return -EINVAL;
   if (a->flags & (KI915_EXEC_FENCE_ARRAY | KI915_EXEC_USE_EXTENSIONS)) {
      if (a->cliprects_ptr) {
         d->st.host_pointers_read++;
         return -EFAULT;
      }
   } else if (a->cliprects_ptr) {
      return -EINVAL;
   }
   if (a->num_cliprects || a->DR1 || a->DR4)
      return -EINVAL;
   if ((a->batch_start_offset | a->batch_len) & 7)
      return -EINVAL;
   if (a->rsvd1 > UINT32_MAX)
      return -EINVAL;
   c = ctx_lookup(f, (uint32_t)a->rsvd1);
   if (!c)
      return -ENOENT;
   if (c->banned)
      return -EIO;
   engine = select_engine(p, c, a->flags);
   if (engine < 0)
      return engine;

   gems = calloc(n, sizeof(*gems));
   addr = calloc(n, sizeof(*addr));
   if (!gems || !addr) {
      ret = -ENOMEM;
      goto out;
   }
   for (uint32_t i = 0; i < n; i++) {
      const struct drm_i915_gem_exec_object2 *o = &objs[i];

      gems[i] = gem_lookup(f, o->handle);
      ret = -ENOENT;
      if (!gems[i])
         goto out;
      ret = -EINVAL;
      for (uint32_t j = 0; j < i; j++)
         if (gems[j] == gems[i])
            goto out;
      if ((o->flags & KI915_EXEC_OBJECT_UNKNOWN_FLAGS) || o->rsvd2 ||
          (o->rsvd1 && !(o->flags & KI915_EXEC_OBJECT_PAD_TO_SIZE)) ||
          (o->alignment && !is_pow2(o->alignment)))
         goto out;
   }
   /* Relocation targets, checked before anything is placed or written. */
   for (uint32_t i = 0; i < n; i++) {
      const struct drm_i915_gem_relocation_entry *rl = (const void *)(uintptr_t)objs[i].relocs_ptr;

      for (uint32_t k = 0; k < objs[i].relocation_count; k++) {
         bool found = false;

         if (a->flags & KI915_EXEC_HANDLE_LUT) {
            found = rl[k].target_handle < n;
         } else {
            for (uint32_t j = 0; j < n; j++)
               found |= objs[j].handle == rl[k].target_handle;
         }
         ret = -ENOENT;
         if (!found)
            goto out;
         ret = -EINVAL;
         if ((rl[k].offset & 3) || rl[k].offset > gems[i]->base.size - 8 ||
             (rl[k].write_domain & (rl[k].write_domain - 1)))
            goto out;
      }
   }
   batch = gems[(a->flags & KI915_EXEC_BATCH_FIRST) ? 0 : n - 1];
   blen = a->batch_len ? a->batch_len : batch->base.size - a->batch_start_offset;
   ret = -EINVAL;
   if (a->batch_start_offset >= batch->base.size || blen > batch->base.size - a->batch_start_offset)
      goto out;

   for (uint32_t i = 0; i < n; i++) {
      ret = place(c->vm, gems[i], objs[i].handle, &objs[i], &addr[i]);
      if (ret)
         goto out;
      objs[i].offset = addr[i];   /* written back to the caller's objects */
   }
   for (uint32_t i = 0; i < n; i++) {
      const struct drm_i915_gem_relocation_entry *rl = (const void *)(uintptr_t)objs[i].relocs_ptr;

      for (uint32_t k = 0; k < objs[i].relocation_count; k++) {
         uint32_t t = 0;

         if (a->flags & KI915_EXEC_HANDLE_LUT) {
            t = rl[k].target_handle;
         } else {
            while (objs[t].handle != rl[k].target_handle)
               t++;
         }
         if ((a->flags & KI915_EXEC_NO_RELOC) && rl[k].presumed_offset == addr[t])
            continue;
         ret = write_u64(gems[i], rl[k].offset, addr[t] + rl[k].delta);
         if (ret)
            goto out;
         d->st.relocs_applied++;
      }
   }

   r = calloc(1, sizeof(*r));
   ret = -ENOMEM;
   if (!r)
      goto out;
   r->write = calloc(n, 1);
   if (!r->write)
      goto out;
   r->base.dev = &d->sd.base;
   r->dev = d;
   r->refcount = 1;
   r->engine_class = p->engines[engine].engine_class;
   r->n = n;
   r->gems = gems;
   gems = NULL;
   for (uint32_t i = 0; i < n; i++) {
      r->write[i] = (objs[i].flags & KI915_EXEC_OBJECT_WRITE) != 0;
      sim_gem_ref(&r->gems[i]->base);
      if (r->write[i])
         r->gems[i]->base.busy_write++;
      else
         r->gems[i]->base.busy_read++;
   }
   {
      struct si_timeline *t = &d->tl[engine];
      uint64_t start = now_ns(d) > t->last ? now_ns(d) : t->last;

      r->retire_at = start + d->cfg.submit_ns;
      t->last = r->retire_at;
      if (t->tail)
         t->tail->next = r;
      else
         t->head = r;
      t->tail = r;
   }
   d->st.pending++;
   d->st.fences++;
   d->st.execbuffers++;
   /* A hanging batch: the context is found guilty and, if bannable, banned. */
   if (pread(batch->base.memfd, &first_dword, sizeof(first_dword), (off_t)a->batch_start_offset) ==
          (ssize_t)sizeof(first_dword) && first_dword == VDRM_SIM_HANG_MAGIC) {
      d->st.hangs++;
      d->resets++;
      c->guilty++;
      if (c->bannable)
         c->banned = true;
   }
   if ((a->flags & KI915_EXEC_FENCE_OUT) && fence_out) {
      r->refcount++;
      *fence_out = &r->base;
   }
   ret = 0;
   r = NULL;
out:
   if (r) {
      free(r->write);
      free(r);
   }
   free(gems);
   free(addr);
   return ret;
}

/* ---- device and files ---- */

static int
si_get_version(struct vdrm_backend *dev, struct vdrm_backend_version *v)
{
   *v = sdev(dev)->prof.version;
   return 0;
}

static int
si_open(struct vdrm_backend *dev, struct vdrm_backend_file **out)
{
   struct si_device *d = sdev(dev);
   struct si_file *f = calloc(1, sizeof(*f));

   if (!f)
      return -ENOMEM;
   f->sf.base.dev = dev;
   f->sf.dev = &d->sd;
   f->sf.next_handle = 1;
   f->next_ctx = 1;
   f->next_vm = 1;
   ctx_defaults(&f->ctx0);
   f->ctx0.vm = vm_new(f);
   if (!f->ctx0.vm) {
      free(f);
      return -ENOMEM;
   }
   d->sd.stats.files++;
   d->st.files++;
   *out = &f->sf.base;
   return 0;
}

static void
si_close(struct vdrm_backend_file *file)
{
   struct si_file *f = sfile(file);
   struct si_device *d;
   struct si_ctx *c;
   struct si_vm *vm;

   if (!f)
      return;
   d = fdev(f);
   si_retire(d, false);
   while ((c = vh_idmap_pop(&f->ctxs, NULL))) {
      d->st.contexts--;
      ctx_free(f, c);
   }
   while ((vm = vh_idmap_pop(&f->vms, NULL))) {
      d->st.vms--;
      vm_unref(f, vm);
   }
   vm_unref(f, f->ctx0.vm);
   vh_idmap_fini(&f->ctxs);
   vh_idmap_fini(&f->vms);
   /* Pending requests keep their objects until they complete. */
   sim_file_close_gems(&f->sf);
   vh_idmap_fini(&f->sf.handles);
   d->st.objects = d->sd.stats.objects;
   d->sd.stats.files--;
   d->st.files--;
   free(f);
}

static void
si_destroy(struct vdrm_backend *dev)
{
   struct si_device *d = sdev(dev);

   si_retire(d, true);
   free(d);
}

static int
si_gem_export(struct vdrm_backend_file *f, uint32_t handle, int *fd)
{
   fdev(sfile(f))->st.ioctls++;
   return sim_gem_export(f, handle, fd);
}

static const struct vdrm_backend_i915_ops si_i915_ops = {
   .get_pci_info = si_get_pci_info,
   .getparam = si_getparam,
   .query = si_query,
   .gem_create = si_gem_create,
   .gem_create_ext = si_gem_create_ext,
   .gem_set_domain = si_gem_set_domain,
   .gem_set_tiling = si_gem_set_tiling,
   .gem_get_tiling = si_gem_get_tiling,
   .gem_get_aperture = si_gem_get_aperture,
   .gem_context_create_ext = si_gem_context_create_ext,
   .gem_context_destroy = si_gem_context_destroy,
   .reg_read = si_reg_read,
   .get_reset_stats = si_get_reset_stats,
   .gem_context_getparam = si_gem_context_getparam,
   .gem_context_setparam = si_gem_context_setparam,
   .gem_vm_create = si_gem_vm_create,
   .gem_vm_destroy = si_gem_vm_destroy,
   .gem_execbuffer2 = si_gem_execbuffer2,
   .gem_busy = si_gem_busy,
   .gem_mmap_offset = si_gem_mmap_offset,
};

static const struct vdrm_backend_ops si_ops = {
   .name = "sim-i915",
   .context_type = VIRTGPU_DRM_CONTEXT_I915,
   .destroy = si_destroy,
   .get_version = si_get_version,
   .open = si_open,
   .close = si_close,
   .gem_close = si_gem_close,
   .gem_export = si_gem_export,
   .gem_write = sim_gem_write,
   .fence_ref = si_fence_ref,
   .fence_unref = si_fence_unref,
   .fence_signaled = si_fence_signaled,
   .fence_wait = si_fence_wait,
   .i915 = &si_i915_ops,
};

#define P(name, v) [KI915_PARAM_##name] = (v)
#define K(name) [KI915_PARAM_##name] = true

/* Tiger Lake GT2 (Iris Xe, 96 EUs), as a 6.x kernel reports it under execlists. */
const struct vdrm_sim_i915_profile vdrm_sim_profile_tgl = {
   .name = "tgl-gt2",
   .pci = { .domain = 0, .bus = 0, .dev = 2, .func = 0, .device_id = 0x9a49, .revision_id = 1 },
   .known = {
      K(CHIPSET_ID), K(HAS_GEM), K(HAS_EXECBUF2), K(HAS_BSD), K(HAS_BLT), K(HAS_LLC),
      K(HAS_ALIASING_PPGTT), K(HAS_VEBOX), K(HAS_SECURE_BATCHES), K(HAS_EXEC_NO_RELOC),
      K(HAS_EXEC_HANDLE_LUT), K(REVISION), K(SUBSLICE_TOTAL), K(EU_TOTAL), K(HAS_EXEC_SOFTPIN),
      K(MMAP_GTT_VERSION), K(HAS_SCHEDULER), K(HAS_EXEC_ASYNC), K(HAS_EXEC_FENCE), K(HAS_EXEC_CAPTURE),
      K(SLICE_MASK), K(SUBSLICE_MASK), K(HAS_EXEC_BATCH_FIRST), K(HAS_EXEC_FENCE_ARRAY),
      K(CS_TIMESTAMP_FREQUENCY), K(HAS_EXEC_TIMELINE_FENCES), K(PXP_STATUS),
   },
   .param = {
      P(CHIPSET_ID, 0x9a49), P(HAS_GEM, 1), P(HAS_EXECBUF2, 1), P(HAS_BSD, 1), P(HAS_BLT, 1),
      P(HAS_LLC, 1), P(HAS_ALIASING_PPGTT, 2 /* full PPGTT */), P(HAS_VEBOX, 1),
      P(HAS_EXEC_NO_RELOC, 1), P(HAS_EXEC_HANDLE_LUT, 1), P(REVISION, 1), P(SUBSLICE_TOTAL, 6),
      P(EU_TOTAL, 96), P(HAS_EXEC_SOFTPIN, 1), P(MMAP_GTT_VERSION, 4),
      P(HAS_SCHEDULER, 0x1f /* enabled, priority, preemption, semaphores, busy stats */),
      P(HAS_EXEC_ASYNC, 1), P(HAS_EXEC_FENCE, 1), P(HAS_EXEC_CAPTURE, 1), P(SLICE_MASK, 0x1),
      P(SUBSLICE_MASK, 0x3f), P(HAS_EXEC_BATCH_FIRST, 1), P(HAS_EXEC_FENCE_ARRAY, 1),
      P(CS_TIMESTAMP_FREQUENCY, 19200000), P(HAS_EXEC_TIMELINE_FENCES, 1), P(PXP_STATUS, 1),
   },
   .num_engines = 5,
   .engines = {
      { KI915_ENGINE_CLASS_RENDER, 0 },
      { KI915_ENGINE_CLASS_COPY, 0 },
      { KI915_ENGINE_CLASS_VIDEO, 0 },
      { KI915_ENGINE_CLASS_VIDEO, 1 },
      { KI915_ENGINE_CLASS_VIDEO_ENHANCE, 0 },
   },
   .engine_caps = { 0, 0, 0x3 /* HEVC, SFC */, 0x1 /* HEVC */, 0x1 /* SFC */ },
   .system_memory = 16ull << 30,
   .max_slices = 1,
   .max_subslices = 6,
   .max_eus_per_subslice = 16,
   .slice_mask = 0x1,
   .subslice_mask = 0x3f,
   .eu_mask = 0xffff,
   .gtt_size = 1ull << 48,
   .aperture = 4ull << 30,
   .timestamp_hz = 19200000,
   .num_pat = 4,
   .pxp = true,
   .version = { KI915_VERSION_MAJOR, KI915_VERSION_MINOR, KI915_VERSION_PATCHLEVEL },
};

int
vdrm_sim_i915_create(const struct vdrm_sim_i915_config *config, struct vdrm_backend **out)
{
   struct si_device *d = calloc(1, sizeof(*d));
   struct timespec ts;

   if (!d)
      return -ENOMEM;
   if (config)
      d->cfg = *config;
   d->prof = d->cfg.profile ? *d->cfg.profile : vdrm_sim_profile_tgl;
   d->cfg.profile = &d->prof;
   if (d->prof.num_engines == 0 || d->prof.num_engines > VDRM_SIM_I915_MAX_ENGINES) {
      free(d);
      return -EINVAL;
   }
   /* The generic sim parts: its clock (no msm timelines) and GEM accounting. */
   d->sd.base.ops = &si_ops;
   d->sd.config.clock = d->cfg.clock;
   d->sd.config.submit_ns = d->cfg.submit_ns;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   d->sd.clock_base = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
   d->st.last_create_pat = -1;
   *out = &d->sd.base;
   return 0;
}

void
vdrm_sim_i915_get_stats(struct vdrm_backend *dev, struct vdrm_sim_i915_stats *stats)
{
   struct si_device *d = sdev(dev);

   si_retire(d, false);
   d->st.objects = d->sd.stats.objects;
   *stats = d->st;
}
