/* SPDX-License-Identifier: MIT */

/* amdgpu GEM objects (on the generic memfd objects), metadata, and the GPU VA space of a file. */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_amdgpu_internal.h"

/* What DRM_AMDGPU_GEM_CREATE accepts from userspace. */
#define SA_CREATE_FLAGS                                                                            \
   (KAMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED | KAMDGPU_GEM_CREATE_NO_CPU_ACCESS |                      \
    KAMDGPU_GEM_CREATE_CPU_GTT_USWC | KAMDGPU_GEM_CREATE_VRAM_CLEARED |                              \
    KAMDGPU_GEM_CREATE_VRAM_CONTIGUOUS | KAMDGPU_GEM_CREATE_VM_ALWAYS_VALID |                        \
    KAMDGPU_GEM_CREATE_EXPLICIT_SYNC | KAMDGPU_GEM_CREATE_ENCRYPTED |                                \
    KAMDGPU_GEM_CREATE_DISCARDABLE | KAMDGPU_GEM_CREATE_COHERENT | KAMDGPU_GEM_CREATE_UNCACHED |     \
    KAMDGPU_GEM_CREATE_EXT_COHERENT | KAMDGPU_GEM_CREATE_GFX12_DCC)
/* GEM_VA: ordinary mappings, or PRT ones. */
#define SA_VA_FLAGS                                                                                \
   (KAMDGPU_VM_DELAY_UPDATE | KAMDGPU_VM_PAGE_READABLE | KAMDGPU_VM_PAGE_WRITEABLE |                 \
    KAMDGPU_VM_PAGE_EXECUTABLE | KAMDGPU_VM_MTYPE_MASK | KAMDGPU_VM_PAGE_NOALLOC)
#define SA_PRT_FLAGS (KAMDGPU_VM_DELAY_UPDATE | KAMDGPU_VM_PAGE_PRT)

struct sa_bo *
sa_bo_lookup(struct sa_file *f, uint32_t handle)
{
   return (struct sa_bo *)sim_gem_lookup(&f->base, handle);
}

static void
bo_ref(struct sa_bo *bo)
{
   sim_gem_ref(&bo->gem);
}

/* The last reference gives the memory back to its heaps. */
static void
bo_unref(struct sa_bo *bo)
{
   if (bo->gem.refcount == 1) {
      struct sa_device *d = (struct sa_device *)bo->gem.dev;

      d->stats.vram_usage -= bo->charged_vram;
      d->stats.vis_vram_usage -= bo->charged_vis;
      d->stats.gtt_usage -= bo->charged_gtt;
   }
   sim_gem_unref(&bo->gem);
}

void
sa_bo_ref_job(struct sa_bo *bo)
{
   bo_ref(bo);
}

void
sa_bo_unref_job(struct sa_bo *bo)
{
   bo_unref(bo);
}

int
sa_gem_create(struct vdrm_backend_file *file, const struct kamdgpu_gem_create_in *in, uint32_t *handle)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   const struct vdrm_sim_amdgpu_profile *p = &d->profile;
   uint64_t size, vram = 0, vis = 0, gtt = 0;
   struct sim_gem *gem;
   struct sa_bo *bo;
   int ret;

   d->stats.ioctls++;
   if (in->domain_flags & ~SA_CREATE_FLAGS)
      return -EINVAL;
   if (in->domains & ~(uint64_t)KAMDGPU_GEM_DOMAIN_MASK)
      return -EINVAL;
   if ((in->domain_flags & KAMDGPU_GEM_CREATE_ENCRYPTED) && !p->tmz)
      return -EINVAL;
   /* Doorbells belong to user queues, which this kernel does not offer. */
   if (in->domains & KAMDGPU_GEM_DOMAIN_DOORBELL)
      return -EINVAL;
   if (in->bo_size == 0 || in->bo_size > UINT64_MAX - (SIM_PAGE_SIZE - 1) || in->bo_size > (uint64_t)INT64_MAX)
      return -EINVAL;
   size = (in->bo_size + SIM_PAGE_SIZE - 1) & ~(uint64_t)(SIM_PAGE_SIZE - 1);
   if (in->domains & (KAMDGPU_GEM_DOMAIN_GDS | KAMDGPU_GEM_DOMAIN_GWS | KAMDGPU_GEM_DOMAIN_OA)) {
      /* On-chip resources: one kind at a time, within what the chip has. */
      uint64_t on_chip = in->domains & (KAMDGPU_GEM_DOMAIN_GDS | KAMDGPU_GEM_DOMAIN_GWS | KAMDGPU_GEM_DOMAIN_OA);

      if (on_chip & (on_chip - 1))
         return -EINVAL;
      if ((on_chip == KAMDGPU_GEM_DOMAIN_GDS && in->bo_size > p->gds.gds_total_size) ||
          (on_chip == KAMDGPU_GEM_DOMAIN_GWS && in->bo_size > p->gds.gws_per_gfx_partition) ||
          (on_chip == KAMDGPU_GEM_DOMAIN_OA && in->bo_size > p->gds.oa_per_gfx_partition))
         return -EINVAL;
   } else if (in->domains & KAMDGPU_GEM_DOMAIN_VRAM) {
      /* Placed in VRAM while it fits (the sim never evicts), else in GTT if allowed. */
      uint64_t usable = p->vram_size - p->reserved_vram;
      bool cpu = (in->domain_flags & KAMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED) != 0;

      if (size <= usable - d->stats.vram_usage && (!cpu || size <= p->vis_vram_size - d->stats.vis_vram_usage)) {
         vram = size;
         vis = cpu ? size : 0;
      } else if ((in->domains & KAMDGPU_GEM_DOMAIN_GTT) && size <= p->gtt_size - d->stats.gtt_usage) {
         gtt = size;
      } else {
         return -ENOMEM;
      }
   } else if (in->domains & KAMDGPU_GEM_DOMAIN_GTT) {
      if (size > p->gtt_size - d->stats.gtt_usage)
         return -ENOMEM;
      gtt = size;
   }
   ret = sim_gem_alloc(&f->base, size, 0, sizeof(*bo), &gem, handle);
   if (ret)
      return ret;
   bo = (struct sa_bo *)gem;
   bo->alignment = in->alignment;
   bo->domains = in->domains;
   bo->create_flags = in->domain_flags;
   bo->charged_vram = vram;
   bo->charged_vis = vis;
   bo->charged_gtt = gtt;
   d->stats.vram_usage += vram;
   d->stats.vis_vram_usage += vis;
   d->stats.gtt_usage += gtt;
   return 0;
}

/* Every mapping of bo in f goes (amdgpu_gem_object_close() removes the bo_va). */
static void
unmap_bo(struct sa_file *f, struct sa_bo *bo)
{
   struct sa_device *d = sa_file_dev(f);
   uint32_t j = 0;

   for (uint32_t i = 0; i < f->nmaps; i++) {
      if (f->maps[i].bo == bo) {
         bo_unref(bo);
         d->stats.mappings--;
         continue;
      }
      f->maps[j++] = f->maps[i];
   }
   f->nmaps = j;
}

int
sa_gem_close(struct vdrm_backend_file *file, uint32_t handle)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   struct sa_bo *bo;

   d->stats.ioctls++;
   bo = (struct sa_bo *)vh_idmap_remove(&f->base.handles, handle);
   if (!bo)
      return -EINVAL;
   unmap_bo(f, bo);
   bo_unref(bo);
   return 0;
}

void
sa_file_close_gems(struct sa_file *f)
{
   struct sa_bo *bo;

   for (uint32_t i = 0; i < f->nmaps; i++) {
      if (f->maps[i].bo)
         bo_unref(f->maps[i].bo);
      sa_file_dev(f)->stats.mappings--;
   }
   free(f->maps);
   f->maps = NULL;
   f->nmaps = f->capmaps = 0;
   while ((bo = vh_idmap_pop(&f->base.handles, NULL)))
      bo_unref(bo);
}

int
sa_gem_export(struct vdrm_backend_file *file, uint32_t handle, int *fd)
{
   struct sa_file *f = sa_file(file);
   struct sa_bo *bo = sa_bo_lookup(f, handle);

   /* amdgpu_gem_prime_export(): per-VM buffers never leave their VM. */
   if (bo && (bo->create_flags & KAMDGPU_GEM_CREATE_VM_ALWAYS_VALID)) {
      sa_file_dev(f)->stats.ioctls++;
      return -EINVAL;
   }
   return sim_gem_export(file, handle, fd);
}

int
sa_gem_metadata(struct vdrm_backend_file *file, uint32_t handle, uint32_t op, struct kamdgpu_gem_metadata *md)
{
   struct sa_file *f = sa_file(file);
   struct sa_bo *bo = sa_bo_lookup(f, handle);

   sa_file_dev(f)->stats.ioctls++;
   if (!bo)
      return -ENOENT;
   if (op == KAMDGPU_GEM_METADATA_OP_SET_METADATA) {
      if (md->data_size_bytes > sizeof(md->data))
         return -EINVAL;
      bo->md.flags = md->flags;
      bo->md.tiling_info = md->tiling_info;
      bo->md.data_size_bytes = md->data_size_bytes;
      memset(bo->md.data, 0, sizeof(bo->md.data));
      memcpy(bo->md.data, md->data, md->data_size_bytes);
      return 0;
   }
   if (op == KAMDGPU_GEM_METADATA_OP_GET_METADATA) {
      *md = bo->md;
      return 0;
   }
   return -EINVAL;
}

int
sa_gem_op(struct vdrm_backend_file *file, uint32_t handle, uint32_t op, struct kamdgpu_gem_create_in *info)
{
   struct sa_file *f = sa_file(file);
   struct sa_bo *bo = sa_bo_lookup(f, handle);

   sa_file_dev(f)->stats.ioctls++;
   if (!bo)
      return -ENOENT;
   switch (op) {
   case KAMDGPU_GEM_OP_GET_GEM_CREATE_INFO:
      info->bo_size = bo->gem.size;
      info->alignment = bo->alignment;
      info->domains = bo->domains;
      info->domain_flags = bo->create_flags;
      return 0;
   case KAMDGPU_GEM_OP_SET_PLACEMENT:
      if (info->domains & ~(uint64_t)(KAMDGPU_GEM_DOMAIN_CPU | KAMDGPU_GEM_DOMAIN_GTT | KAMDGPU_GEM_DOMAIN_VRAM))
         return -EINVAL;
      bo->domains = info->domains;
      return 0;
   default:
      return -EINVAL;
   }
}

/* Index of the first mapping whose end is above addr. */
static uint32_t
first_after(const struct sa_file *f, uint64_t addr)
{
   uint32_t lo = 0, hi = f->nmaps;

   while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;

      if (f->maps[mid].end <= addr)
         lo = mid + 1;
      else
         hi = mid;
   }
   return lo;
}

static int
maps_reserve(struct sa_file *f, uint32_t extra)
{
   if (f->nmaps + extra > f->capmaps) {
      uint32_t cap = f->capmaps ? f->capmaps : 16;
      struct sa_mapping *m;

      while (cap < f->nmaps + extra)
         cap *= 2;
      m = realloc(f->maps, (size_t)cap * sizeof(*m));
      if (!m)
         return -ENOMEM;
      f->maps = m;
      f->capmaps = cap;
   }
   return 0;
}

/* Removes [start, end) from every mapping, splitting those it cuts (room for one more reserved). */
static void
clear_range(struct sa_file *f, uint64_t start, uint64_t end)
{
   struct sa_device *d = sa_file_dev(f);
   uint32_t i = first_after(f, start);

   while (i < f->nmaps && f->maps[i].start < end) {
      struct sa_mapping *m = &f->maps[i];

      if (m->start < start && m->end > end) {
         /* Cut in the middle: a head and a tail. */
         struct sa_mapping tail = *m;

         tail.offset += end - m->start;
         tail.start = end;
         m->end = start;
         if (tail.bo)
            bo_ref(tail.bo);
         memmove(&f->maps[i + 2], &f->maps[i + 1], (size_t)(f->nmaps - i - 1) * sizeof(*f->maps));
         f->maps[i + 1] = tail;
         f->nmaps++;
         d->stats.mappings++;
         return;
      }
      if (m->start < start) {
         m->end = start;
         i++;
      } else if (m->end > end) {
         m->offset += end - m->start;
         m->start = end;
         i++;
      } else {
         if (m->bo)
            bo_unref(m->bo);
         memmove(&f->maps[i], &f->maps[i + 1], (size_t)(f->nmaps - i - 1) * sizeof(*f->maps));
         f->nmaps--;
         d->stats.mappings--;
      }
   }
}

bool
sa_va_backed(struct sa_file *f, uint64_t va, uint64_t size)
{
   uint64_t end = va + size;
   uint32_t i;

   if (size == 0 || end < va)
      return false;
   i = first_after(f, va);
   while (va < end) {
      if (i >= f->nmaps || f->maps[i].start > va || !f->maps[i].bo)
         return false;
      va = f->maps[i].end;
      i++;
   }
   return true;
}

int
sa_gem_va(struct vdrm_backend_file *file, const struct kamdgpu_gem_va *a)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   const struct kamdgpu_info_device *di = &d->profile.dev_info;
   struct sa_bo *bo = NULL;
   uint64_t va = a->va_address, end;
   int ret;

   d->stats.ioctls++;
   d->stats.va_ops++;
   /* amdgpu_gem_va_ioctl(), in the kernel's order. */
   if (va < di->virtual_address_offset)
      return -EINVAL;
   if (va >= KAMDGPU_GMC_HOLE_START && va < KAMDGPU_GMC_HOLE_END)
      return -EINVAL;
   if (a->map_size > UINT64_MAX - va)
      return -EINVAL;
   end = va + a->map_size;
   if (va < KAMDGPU_GMC_HOLE_START ? end > di->virtual_address_max : end > di->high_va_max)
      return -EINVAL;
   if ((a->flags & ~SA_VA_FLAGS) && (a->flags & ~SA_PRT_FLAGS))
      return -EINVAL;
   switch (a->operation) {
   case KAMDGPU_VA_OP_MAP:
   case KAMDGPU_VA_OP_UNMAP:
   case KAMDGPU_VA_OP_CLEAR:
   case KAMDGPU_VA_OP_REPLACE:
      break;
   default:
      return -EINVAL;
   }
   if (a->operation != KAMDGPU_VA_OP_CLEAR && !(a->flags & KAMDGPU_VM_PAGE_PRT)) {
      bo = sa_bo_lookup(f, a->handle);
      if (!bo)
         return -ENOENT;
   }
   /* amdgpu_vm_bo_map() and friends: GPU pages, non-empty, inside the buffer. */
   if ((va | a->offset_in_bo | a->map_size) & (SIM_PAGE_SIZE - 1))
      return -EINVAL;
   if (a->operation != KAMDGPU_VA_OP_UNMAP && a->map_size == 0)
      return -EINVAL;
   if (bo && (a->operation == KAMDGPU_VA_OP_MAP || a->operation == KAMDGPU_VA_OP_REPLACE) &&
       (a->offset_in_bo > bo->gem.size || a->map_size > bo->gem.size - a->offset_in_bo))
      return -EINVAL;

   switch (a->operation) {
   case KAMDGPU_VA_OP_MAP: {
      uint32_t i = first_after(f, va);

      if (i < f->nmaps && f->maps[i].start < end)
         return -EINVAL;   /* "conflict with" an existing mapping */
      ret = maps_reserve(f, 1);
      if (ret)
         return ret;
      memmove(&f->maps[i + 1], &f->maps[i], (size_t)(f->nmaps - i) * sizeof(*f->maps));
      f->maps[i] = (struct sa_mapping){ va, end, a->offset_in_bo, a->flags, a->handle, bo };
      f->nmaps++;
      if (bo)
         bo_ref(bo);
      d->stats.mappings++;
      return 0;
   }
   case KAMDGPU_VA_OP_UNMAP: {
      uint32_t i = first_after(f, va);

      /* The mapping of this buffer (or PRT range) that starts at va. */
      if (i >= f->nmaps || f->maps[i].start != va || f->maps[i].bo != bo)
         return -ENOENT;
      if (bo)
         bo_unref(bo);
      memmove(&f->maps[i], &f->maps[i + 1], (size_t)(f->nmaps - i - 1) * sizeof(*f->maps));
      f->nmaps--;
      d->stats.mappings--;
      return 0;
   }
   case KAMDGPU_VA_OP_CLEAR:
      ret = maps_reserve(f, 1);
      if (ret)
         return ret;
      clear_range(f, va, end);
      return 0;
   default: {   /* REPLACE */
      uint32_t i;

      ret = maps_reserve(f, 2);
      if (ret)
         return ret;
      clear_range(f, va, end);
      i = first_after(f, va);
      memmove(&f->maps[i + 1], &f->maps[i], (size_t)(f->nmaps - i) * sizeof(*f->maps));
      f->maps[i] = (struct sa_mapping){ va, end, a->offset_in_bo, a->flags, a->handle, bo };
      f->nmaps++;
      if (bo)
         bo_ref(bo);
      d->stats.mappings++;
      return 0;
   }
   }
}
