/* SPDX-License-Identifier: MIT */

/* GEM objects: memfd-backed buffers, handles, names, CPU access. */

#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim_internal.h"

struct sim_gem *
sim_gem_lookup(struct sim_file *f, uint32_t handle)
{
   return vh_idmap_get(&f->handles, handle);
}

void
sim_gem_ref(struct sim_gem *gem)
{
   gem->refcount++;
}

void
sim_gem_unref(struct sim_gem *gem)
{
   if (--gem->refcount)
      return;
   sim_vm_release(gem);
   close(gem->memfd);
   gem->dev->stats.objects--;
   free(gem);
}

/* A released address is freed once no pending submit uses the object. */
void
sim_gem_idle_check(struct sim_gem *gem)
{
   if (gem->unmap_pending && !gem->busy_read && !gem->busy_write)
      sim_vm_release(gem);
}

int
sim_gem_alloc(struct sim_file *f, uint64_t size, uint32_t flags, size_t obj_size, struct sim_gem **out,
              uint32_t *handle)
{
   struct sim_device *dev = f->dev;
   struct sim_gem *gem;
   uint32_t h;
   int ret;

   gem = calloc(1, obj_size);
   if (!gem)
      return -ENOMEM;
   gem->memfd = memfd_create("vdrm-sim-gem", MFD_CLOEXEC);
   if (gem->memfd < 0) {
      free(gem);
      return -ENOMEM;
   }
   if (ftruncate(gem->memfd, (off_t)size) != 0) {
      close(gem->memfd);
      free(gem);
      return -ENOMEM;
   }
   gem->dev = dev;
   gem->refcount = 1;
   gem->size = size;
   gem->flags = flags;
   gem->vm_file = f;

   /* Handles count up from 1, skipping ones in use after a wrap. */
   for (uint32_t tries = 0;; tries++) {
      h = f->next_handle++;
      if (f->next_handle == 0)
         f->next_handle = 1;
      if (h && !vh_idmap_get(&f->handles, h))
         break;
      if (tries == UINT32_MAX) {
         close(gem->memfd);
         free(gem);
         return -ENOSPC;
      }
   }
   ret = vh_idmap_put(&f->handles, h, gem);
   if (ret) {
      close(gem->memfd);
      free(gem);
      return ret;
   }
   dev->stats.objects++;
   *out = gem;
   *handle = h;
   return 0;
}

int
sim_gem_new(struct vdrm_backend_file *file, uint64_t size, uint32_t flags, uint32_t *handle)
{
   struct sim_file *f = sim_file(file);
   struct sim_device *dev = f->dev;
   struct sim_gem *gem;
   uint32_t cache = flags & KMSM_BO_CACHE_MASK;

   dev->stats.ioctls++;
   if (flags & ~KMSM_BO_FLAGS)
      return -EINVAL;
   /* msm_gem_new_impl(): exactly one supported cache mode. */
   if (!(cache == KMSM_BO_CACHED || cache == KMSM_BO_WC || cache == KMSM_BO_UNCACHED ||
         (cache == KMSM_BO_CACHED_COHERENT && dev->profile.cached_coherent)))
      return -EINVAL;
   /* PAGE_ALIGN(size), refusing what does not fit. */
   if (size == 0 || size > UINT64_MAX - (SIM_PAGE_SIZE - 1) || size > (uint64_t)INT64_MAX)
      return -EINVAL;
   size = (size + SIM_PAGE_SIZE - 1) & ~(uint64_t)(SIM_PAGE_SIZE - 1);
   return sim_gem_alloc(f, size, flags, sizeof(*gem), &gem, handle);
}

int
sim_gem_close(struct vdrm_backend_file *file, uint32_t handle)
{
   struct sim_file *f = sim_file(file);
   struct sim_gem *gem = vh_idmap_remove(&f->handles, handle);

   f->dev->stats.ioctls++;
   if (!gem)
      return -EINVAL;
   sim_gem_unref(gem);
   return 0;
}

void
sim_file_close_gems(struct sim_file *f)
{
   struct sim_gem *gem;

   while ((gem = vh_idmap_pop(&f->handles, NULL)))
      sim_gem_unref(gem);
}

int
sim_gem_export(struct vdrm_backend_file *file, uint32_t handle, int *fd)
{
   struct sim_file *f = sim_file(file);
   struct sim_gem *gem = sim_gem_lookup(f, handle);
   int nfd;

   f->dev->stats.ioctls++;
   if (!gem)
      return -ENOENT;
   nfd = fcntl(gem->memfd, F_DUPFD_CLOEXEC, 0);
   if (nfd < 0)
      return -errno;
   *fd = nfd;
   return 0;
}

int
sim_gem_write(struct vdrm_backend_file *file, uint32_t handle, uint64_t offset, const void *data,
              size_t len)
{
   struct sim_file *f = sim_file(file);
   struct sim_gem *gem = sim_gem_lookup(f, handle);
   const uint8_t *p = data;

   f->dev->stats.ioctls++;
   if (!gem)
      return -ENOENT;
   if (offset > gem->size || len > gem->size - offset)
      return -EINVAL;
   while (len) {
      ssize_t n = pwrite(gem->memfd, p, len, (off_t)offset);

      if (n < 0) {
         if (errno == EINTR)
            continue;
         return -errno;
      }
      p += n;
      offset += (uint64_t)n;
      len -= (size_t)n;
   }
   return 0;
}

int
sim_gem_set_name(struct vdrm_backend_file *file, uint32_t handle, const char *name, uint32_t len)
{
   struct sim_file *f = sim_file(file);
   struct sim_gem *gem = sim_gem_lookup(f, handle);

   f->dev->stats.ioctls++;
   if (!gem)
      return -ENOENT;
   /* MSM_INFO_SET_NAME: shorter than the name buffer; stops at the first unprintable byte. */
   if (len >= sizeof(gem->name))
      return -EINVAL;
   memset(gem->name, 0, sizeof(gem->name));
   for (uint32_t i = 0; i < len && isprint((unsigned char)name[i]); i++)
      gem->name[i] = name[i];
   memcpy(f->dev->stats.last_name, gem->name, sizeof(gem->name));
   return 0;
}

int
sim_gem_cpu_prep(struct vdrm_backend_file *file, uint32_t handle, uint32_t op, int64_t timeout_ns)
{
   struct sim_file *f = sim_file(file);
   struct sim_device *dev = f->dev;
   struct sim_gem *gem = sim_gem_lookup(f, handle);

   dev->stats.ioctls++;
   if (op & ~KMSM_PREP_FLAGS)
      return -EINVAL;
   if (!gem)
      return -ENOENT;
   for (;;) {
      bool busy;

      sim_retire(dev);
      /* A CPU write waits for every GPU user, a read for GPU writers only. */
      busy = (op & KMSM_PREP_WRITE) ? (gem->busy_read || gem->busy_write) : gem->busy_write != 0;
      if (!busy)
         return 0;
      if (op & KMSM_PREP_NOSYNC)
         return -EBUSY;
      if (timeout_ns <= 0 || dev->config.clock != VDRM_SIM_CLOCK_MONOTONIC)
         return -ETIMEDOUT;
      /* Sleep a little and look again; a pending submit always finishes. */
      {
         int64_t step = timeout_ns < 1000000 ? timeout_ns : 1000000;

         sim_sleep_until(dev, sim_now(dev) + (uint64_t)step, step);
         timeout_ns -= step;
      }
   }
}
