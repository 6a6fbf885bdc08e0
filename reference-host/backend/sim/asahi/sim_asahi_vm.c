/* SPDX-License-Identifier: MIT */

/* VMs: VM_CREATE, VM_DESTROY and VM_BIND's range bookkeeping. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_asahi_internal.h"

struct sa_vm *
sa_vm_lookup(struct sa_file *f, uint32_t id)
{
   return id ? vh_idmap_get(&f->vms, id) : NULL;
}

static void
mapping_drop(struct sa_device *dev, struct sa_mapping *m)
{
   sim_gem_unref(m->gem);
   dev->base.stats.mappings--;
}

void
sa_vm_unref(struct sa_device *dev, struct sa_vm *vm)
{
   if (--vm->refcount)
      return;
   for (uint32_t i = 0; i < vm->count; i++)
      mapping_drop(dev, &vm->maps[i]);
   free(vm->maps);
   dev->astats.vms--;
   free(vm);
}

static bool
page_aligned(uint64_t v)
{
   return (v % KASAHI_PAGE_SIZE) == 0;
}

int
sa_vm_create(struct vdrm_backend_file *file, struct drm_asahi_vm_create *a)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   const struct drm_asahi_params_global *p = &d->profile.params;
   struct sa_vm *vm;
   uint32_t id;
   int ret;

   d->base.stats.ioctls++;
   if (a->pad != 0)
      return -EINVAL;
   /* The kernel's window: page aligned, inside the user range, at least the minimum size. */
   if (!page_aligned(a->kernel_start) || !page_aligned(a->kernel_end) || a->kernel_end <= a->kernel_start ||
       a->kernel_start < p->vm_start || a->kernel_end - 1 > p->vm_end ||
       a->kernel_end - a->kernel_start < p->vm_kernel_min_size)
      return -EINVAL;
   vm = calloc(1, sizeof(*vm));
   if (!vm)
      return -ENOMEM;
   id = sa_alloc_id(&f->vms, &f->next_vm);
   ret = id ? vh_idmap_put(&f->vms, id, vm) : -ENOSPC;
   if (ret) {
      free(vm);
      return ret;
   }
   vm->refcount = 1;
   vm->id = id;
   vm->kernel_start = a->kernel_start;
   vm->kernel_end = a->kernel_end;
   d->astats.vms++;
   a->vm_id = id;
   return 0;
}

int
sa_vm_destroy(struct vdrm_backend_file *file, const struct drm_asahi_vm_destroy *a)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   struct sa_vm *vm;

   d->base.stats.ioctls++;
   if (a->pad != 0)
      return -EINVAL;
   vm = a->vm_id ? vh_idmap_remove(&f->vms, a->vm_id) : NULL;
   if (!vm)
      return -ENOENT;
   sa_vm_unref(d, vm);
   return 0;
}

void
sa_file_close_vms(struct sa_file *f)
{
   struct sa_vm *vm;

   while ((vm = vh_idmap_pop(&f->vms, NULL)))
      sa_vm_unref(sa_file_dev(f), vm);
   vh_idmap_fini(&f->vms);
}

static int
reserve(struct sa_vm *vm, uint32_t more)
{
   uint32_t cap;
   struct sa_mapping *maps;

   if (vm->count + more <= vm->cap)
      return 0;
   cap = vm->cap ? vm->cap : 16;
   while (cap < vm->count + more)
      cap *= 2;
   maps = realloc(vm->maps, (size_t)cap * sizeof(*maps));
   if (!maps)
      return -ENOMEM;
   vm->maps = maps;
   vm->cap = cap;
   return 0;
}

/* Removes [start, end) from the VM, trimming and splitting mappings (room for one more reserved). */
static void
vm_clear(struct sa_device *dev, struct sa_vm *vm, uint64_t start, uint64_t end)
{
   uint32_t i = 0;

   while (i < vm->count) {
      struct sa_mapping *m = &vm->maps[i];

      if (m->end <= start || m->start >= end) {
         i++;
         continue;
      }
      if (m->start < start && m->end > end) {
         /* Split: the tail becomes a mapping of its own. */
         struct sa_mapping tail = *m;

         tail.start = end;
         if (!(m->flags & KASAHI_BIND_SINGLE_PAGE))
            tail.offset += end - m->start;
         sim_gem_ref(tail.gem);
         dev->base.stats.mappings++;
         m->end = start;
         memmove(&vm->maps[i + 2], &vm->maps[i + 1], (size_t)(vm->count - i - 1) * sizeof(*m));
         vm->maps[i + 1] = tail;
         vm->count++;
         return;
      }
      if (m->start < start) {
         m->end = start;
         i++;
      } else if (m->end > end) {
         if (!(m->flags & KASAHI_BIND_SINGLE_PAGE))
            m->offset += end - m->start;
         m->start = end;
         i++;
      } else {
         mapping_drop(dev, m);
         memmove(m, m + 1, (size_t)(vm->count - i - 1) * sizeof(*m));
         vm->count--;
      }
   }
}

static void
vm_insert(struct sa_device *dev, struct sa_vm *vm, const struct sa_mapping *m)
{
   uint32_t i = 0;

   while (i < vm->count && vm->maps[i].start < m->start)
      i++;
   memmove(&vm->maps[i + 1], &vm->maps[i], (size_t)(vm->count - i) * sizeof(*m));
   vm->maps[i] = *m;
   vm->count++;
   sim_gem_ref(m->gem);
   dev->base.stats.mappings++;
}

/* What the kernel checks of one op before it changes anything. */
static int
check_op(struct sa_file *f, struct sa_vm *vm, const struct drm_asahi_gem_bind_op *op, struct sim_gem **gem_out)
{
   const struct drm_asahi_params_global *p = &sa_file_dev(f)->profile.params;
   struct sim_gem *gem;

   if (op->flags & ~KASAHI_BIND_FLAGS)
      return -EINVAL;
   if (op->range == 0 || !page_aligned(op->addr) || !page_aligned(op->range) || op->addr > UINT64_MAX - op->range)
      return -EINVAL;
   /* Inside the user range and outside the kernel's window. */
   if (op->addr < p->vm_start || op->addr + op->range - 1 > p->vm_end)
      return -EINVAL;
   if (op->addr < vm->kernel_end && op->addr + op->range > vm->kernel_start)
      return -EINVAL;
   if (op->flags & KASAHI_BIND_UNBIND) {
      if (op->flags != KASAHI_BIND_UNBIND)
         return -EINVAL;
      *gem_out = NULL;
      return 0;
   }
   if (!(op->flags & (KASAHI_BIND_READ | KASAHI_BIND_WRITE)))
      return -EINVAL;
   gem = sim_gem_lookup(&f->base, op->handle);
   if (!gem)
      return -ENOENT;
   if (((struct sa_gem *)gem)->private_vm && ((struct sa_gem *)gem)->private_vm != vm->id)
      return -EINVAL;
   if (!page_aligned(op->offset) || op->offset > gem->size)
      return -EINVAL;
   if (op->flags & KASAHI_BIND_SINGLE_PAGE) {
      if (gem->size - op->offset < KASAHI_PAGE_SIZE)
         return -EINVAL;
   } else if (op->range > gem->size - op->offset) {
      return -EINVAL;
   }
   *gem_out = gem;
   return 0;
}

int
sa_vm_bind(struct vdrm_backend_file *file, uint32_t vm_id, const struct drm_asahi_gem_bind_op *ops,
           uint32_t count)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   struct sa_vm *vm;
   int ret;

   d->base.stats.ioctls++;
   vm = sa_vm_lookup(f, vm_id);
   if (!vm)
      return -ENOENT;
   if (count == 0)
      return -EINVAL;
   /* Every op is checked before the first changes the VM. */
   for (uint32_t i = 0; i < count; i++) {
      struct sim_gem *gem;

      ret = check_op(f, vm, &ops[i], &gem);
      if (ret)
         return ret;
   }
   for (uint32_t i = 0; i < count; i++) {
      const struct drm_asahi_gem_bind_op *op = &ops[i];
      struct sim_gem *gem = NULL;

      check_op(f, vm, op, &gem);
      /* A clear splits at most one mapping, an insert adds one. */
      ret = reserve(vm, 2);
      if (ret)
         return ret;
      vm_clear(d, vm, op->addr, op->addr + op->range);
      if (gem) {
         struct sa_mapping m = {
            .start = op->addr, .end = op->addr + op->range, .offset = op->offset,
            .flags = op->flags, .gem = gem,
         };

         vm_insert(d, vm, &m);
      }
      d->astats.bind_ops++;
   }
   d->astats.vm_binds++;
   return 0;
}

static struct sa_vm *
find_vm(struct sa_device *d, uint32_t vm_id)
{
   for (struct sa_file *f = d->files; f; f = f->next) {
      struct sa_vm *vm = sa_vm_lookup(f, vm_id);

      if (vm)
         return vm;
   }
   return NULL;
}

int
vdrm_sim_asahi_find_mapping(struct vdrm_backend *dev, uint32_t vm_id, uint64_t addr,
                            struct vdrm_sim_asahi_mapping *out)
{
   struct sa_vm *vm = find_vm(sa_dev(dev), vm_id);

   for (uint32_t i = 0; vm && i < vm->count; i++) {
      const struct sa_mapping *m = &vm->maps[i];

      if (addr >= m->start && addr < m->end) {
         *out = (struct vdrm_sim_asahi_mapping){
            .start = m->start, .end = m->end, .offset = m->offset, .flags = m->flags,
            .object_size = m->gem->size,
         };
         return 0;
      }
   }
   return -ENOENT;
}

uint32_t
vdrm_sim_asahi_mapping_count(struct vdrm_backend *dev, uint32_t vm_id)
{
   struct sa_vm *vm = find_vm(sa_dev(dev), vm_id);

   return vm ? vm->count : 0;
}
