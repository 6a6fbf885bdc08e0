/* SPDX-License-Identifier: MIT */

/* A file's GPU address space: reserved ranges, sorted and disjoint. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

/* Index of the first mapping whose end is above addr. */
static uint32_t
first_after(const struct sim_vm *vm, uint64_t addr)
{
   uint32_t lo = 0, hi = vm->count;

   while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;

      if (vm->maps[mid].end <= addr)
         lo = mid + 1;
      else
         hi = mid;
   }
   return lo;
}

static int
vm_insert(struct sim_vm *vm, uint64_t start, uint64_t end, struct sim_gem *gem)
{
   uint32_t i = first_after(vm, start);

   /* The first range ending above start must begin at or after end. */
   if (i < vm->count && vm->maps[i].start < end)
      return -ENOSPC;
   if (vm->count == vm->cap) {
      uint32_t cap = vm->cap ? vm->cap * 2 : 16;
      struct sim_mapping *maps = realloc(vm->maps, (size_t)cap * sizeof(*maps));

      if (!maps)
         return -ENOMEM;
      vm->maps = maps;
      vm->cap = cap;
   }
   memmove(&vm->maps[i + 1], &vm->maps[i], (size_t)(vm->count - i) * sizeof(*vm->maps));
   vm->maps[i] = (struct sim_mapping){ start, end, gem };
   vm->count++;
   return 0;
}

static void
vm_remove(struct sim_vm *vm, uint64_t start)
{
   uint32_t i = first_after(vm, start);

   if (i < vm->count && vm->maps[i].start == start) {
      memmove(&vm->maps[i], &vm->maps[i + 1], (size_t)(vm->count - i - 1) * sizeof(*vm->maps));
      vm->count--;
   }
}

void
sim_vm_release(struct sim_gem *gem)
{
   if (!gem->mapped)
      return;
   if (gem->vm_file)
      vm_remove(&gem->vm_file->vm, gem->iova);
   gem->mapped = false;
   gem->unmap_pending = false;
   gem->iova = 0;
   gem->dev->stats.mappings--;
}

int
sim_vm_set_iova(struct vdrm_backend_file *file, uint32_t handle, uint64_t iova)
{
   struct sim_file *f = sim_file(file);
   struct sim_device *dev = f->dev;
   struct sim_gem *gem = sim_gem_lookup(f, handle);
   uint64_t va_end = dev->profile.va_start + dev->profile.va_size;
   int ret;

   dev->stats.ioctls++;
   if (!gem)
      return -ENOENT;
   sim_retire(dev);
   if (iova == 0) {
      /* msm_gem_clear_iova(): the range is freed once the GPU is done with it. */
      if (gem->mapped && !gem->unmap_pending) {
         gem->unmap_pending = true;
         sim_gem_idle_check(gem);
      }
      return 0;
   }
   if (gem->mapped)
      return gem->iova == iova && !gem->unmap_pending ? 0 : -EBUSY;
   if (iova % SIM_PAGE_SIZE)
      return -EINVAL;
   /* Inside [va_start, va_start + va_size), computed without wrapping. */
   if (iova < dev->profile.va_start || iova > va_end || gem->size > va_end - iova)
      return -ENOSPC;
   ret = vm_insert(&f->vm, iova, iova + gem->size, gem);
   if (ret)
      return ret;
   gem->iova = iova;
   gem->mapped = true;
   dev->stats.mappings++;
   return 0;
}

void
sim_vm_fini(struct sim_file *f)
{
   for (uint32_t i = 0; i < f->vm.count; i++) {
      struct sim_gem *gem = f->vm.maps[i].gem;

      gem->mapped = false;
      gem->unmap_pending = false;
      gem->iova = 0;
      gem->vm_file = NULL;
      f->dev->stats.mappings--;
   }
   free(f->vm.maps);
   f->vm = (struct sim_vm){ 0 };
}
