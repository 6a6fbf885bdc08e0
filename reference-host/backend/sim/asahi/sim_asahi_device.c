/* SPDX-License-Identifier: MIT */

/*
 * The asahi sim device: profile, files, GET_PARAMS, GET_TIME, GEM_CREATE,
 * GEM_BIND_OBJECT and the operation tables.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_asahi_internal.h"

/*
 * Representative values of an Apple M1; a profile is what a kernel on that
 * part reports, not a claim about any particular machine.
 */
const struct vdrm_sim_asahi_profile vdrm_sim_asahi_profile_g13g = {
   .name = "Apple G13G (sim)",
   .params = {
      .features = KASAHI_FEATURE_SOFT_FAULTS,
      .gpu_generation = 13,
      .gpu_variant = 'G',
      .gpu_revision = 0x20,
      .chip_id = 0x8103,
      .num_dies = 1,
      .num_clusters_total = 1,
      .num_cores_per_cluster = 8,
      .max_frequency_khz = 1278000,
      .core_masks = { 0xff },
      .vm_start = 0x4000,
      .vm_end = 0x7fffffffffull,            /* the last user address (39-bit UAT) */
      .vm_kernel_min_size = 0x20000000ull,
      .max_commands_per_submission = 64,
      .max_attachments = 16,
      .command_timestamp_frequency_hz = 24000000,
   },
   .version = { KASAHI_VERSION_MAJOR, KASAHI_VERSION_MINOR, KASAHI_VERSION_PATCHLEVEL },
};

uint32_t
sa_alloc_id(struct vh_idmap *m, uint32_t *next)
{
   for (uint64_t tries = 0; tries <= UINT32_MAX; tries++) {
      uint32_t id = (*next)++;

      if (*next == 0)
         *next = 1;
      if (id && !vh_idmap_get(m, id))
         return id;
   }
   return 0;
}

static int
sa_get_version(struct vdrm_backend *dev, struct vdrm_backend_version *v)
{
   *v = sa_dev(dev)->profile.version;
   return 0;
}

static int
sa_open(struct vdrm_backend *dev, struct vdrm_backend_file **out)
{
   struct sa_device *d = sa_dev(dev);
   struct sa_file *f = calloc(1, sizeof(*f));

   if (!f)
      return -ENOMEM;
   f->base.base.dev = dev;
   f->base.dev = &d->base;
   f->base.next_handle = 1;
   f->base.next_queue = 1;
   f->next_vm = 1;
   f->next_object = 1;
   f->next = d->files;
   if (d->files)
      d->files->prev = f;
   d->files = f;
   d->base.stats.files++;
   *out = &f->base.base;
   return 0;
}

static void
object_free(struct sa_device *dev, struct sa_object *o)
{
   sim_gem_unref(o->gem);
   dev->astats.bound_objects--;
   free(o);
}

static void
sa_close(struct vdrm_backend_file *file)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d;
   struct sa_object *o;

   if (!f)
      return;
   d = sa_file_dev(f);
   sim_retire(&d->base);
   sa_file_close_queues(f);
   sa_file_close_vms(f);
   while ((o = vh_idmap_pop(&f->objects, NULL)))
      object_free(d, o);
   vh_idmap_fini(&f->objects);
   sim_file_close_gems(&f->base);
   vh_idmap_fini(&f->base.handles);
   vh_idmap_fini(&f->base.queues);
   if (f->prev)
      f->prev->next = f->next;
   else
      d->files = f->next;
   if (f->next)
      f->next->prev = f->prev;
   d->base.stats.files--;
   free(f);
}

static void
sa_destroy(struct vdrm_backend *dev)
{
   struct sa_device *d = sa_dev(dev);

   sim_retire_all(&d->base);
   free(d->base.timelines);
   free(d);
}

static int
sa_get_params(struct vdrm_backend_file *file, const struct drm_asahi_get_params *a, void *data)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   size_t n = sizeof(d->profile.params);

   d->base.stats.ioctls++;
   d->astats.get_params++;
   d->astats.get_params_size = a->size;
   if (a->param_group != 0 || a->pad != 0)
      return -EINVAL;
   /* copy_to_user() of at most what the kernel has; bytes beyond it are left alone. */
   if (a->size < n)
      n = (size_t)a->size;
   memcpy(data, &d->profile.params, n);
   return 0;
}

static int
sa_get_time(struct vdrm_backend_file *file, struct drm_asahi_get_time *a)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);

   d->base.stats.ioctls++;
   if (a->flags != 0)
      return -EINVAL;
   a->gpu_timestamp = sim_now(&d->base);
   return 0;
}

static int
sa_gem_create(struct vdrm_backend_file *file, uint64_t size, uint32_t flags, uint32_t vm_id,
              uint32_t *handle)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   struct sim_gem *gem;
   int ret;

   d->base.stats.ioctls++;
   if (flags & ~KASAHI_GEM_FLAGS)
      return -EINVAL;
   if (flags & KASAHI_GEM_VM_PRIVATE) {
      if (!sa_vm_lookup(f, vm_id))
         return -ENOENT;
   } else if (vm_id != 0) {
      return -EINVAL;
   }
   if (size == 0 || size > (uint64_t)INT64_MAX - (KASAHI_PAGE_SIZE - 1))
      return -EINVAL;
   size = (size + KASAHI_PAGE_SIZE - 1) & ~(uint64_t)(KASAHI_PAGE_SIZE - 1);
   ret = sim_gem_alloc(&f->base, size, flags, sizeof(struct sa_gem), &gem, handle);
   if (ret)
      return ret;
   if (flags & KASAHI_GEM_VM_PRIVATE)
      ((struct sa_gem *)gem)->private_vm = vm_id;
   return 0;
}

static int
sa_gem_bind_object(struct vdrm_backend_file *file, struct drm_asahi_gem_bind_object *a)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   struct sa_object *o;
   struct sim_gem *gem;
   uint32_t id;
   int ret;

   d->base.stats.ioctls++;
   if (a->pad != 0)
      return -EINVAL;
   switch (a->op) {
   case KASAHI_BIND_OBJECT_OP_BIND:
      if (a->flags != KASAHI_BIND_OBJECT_USAGE_TIMESTAMPS || a->vm_id != 0 || a->object_handle != 0)
         return -EINVAL;
      gem = sim_gem_lookup(&f->base, a->handle);
      if (!gem)
         return -ENOENT;
      if (a->range == 0 || a->offset > gem->size || a->range > gem->size - a->offset)
         return -EINVAL;
      o = calloc(1, sizeof(*o));
      if (!o)
         return -ENOMEM;
      id = sa_alloc_id(&f->objects, &f->next_object);
      ret = id ? vh_idmap_put(&f->objects, id, o) : -ENOSPC;
      if (ret) {
         free(o);
         return ret;
      }
      sim_gem_ref(gem);
      *o = (struct sa_object){ .gem = gem, .offset = a->offset, .range = a->range, .flags = a->flags };
      d->astats.bound_objects++;
      a->object_handle = id;
      return 0;
   case KASAHI_BIND_OBJECT_OP_UNBIND:
      if (a->flags != 0 || a->handle != 0 || a->offset != 0 || a->range != 0 || a->vm_id != 0)
         return -EINVAL;
      o = a->object_handle ? vh_idmap_remove(&f->objects, a->object_handle) : NULL;
      if (!o)
         return -ENOENT;
      object_free(d, o);
      return 0;
   default:
      return -EINVAL;
   }
}

static const struct vdrm_backend_asahi_ops sa_asahi_ops = {
   .get_params = sa_get_params,
   .get_time = sa_get_time,
   .vm_create = sa_vm_create,
   .vm_destroy = sa_vm_destroy,
   .gem_create = sa_gem_create,
   .vm_bind = sa_vm_bind,
   .gem_bind_object = sa_gem_bind_object,
   .queue_create = sa_queue_create,
   .queue_destroy = sa_queue_destroy,
   .submit = sa_submit,
};

static const struct vdrm_backend_ops sa_ops = {
   .name = "sim-asahi",
   .context_type = VIRTGPU_DRM_CONTEXT_ASAHI,
   .destroy = sa_destroy,
   .get_version = sa_get_version,
   .open = sa_open,
   .close = sa_close,
   .gem_close = sim_gem_close,
   .gem_export = sim_gem_export,
   .gem_write = sim_gem_write,
   .fence_ref = sim_fence_ref,
   .fence_unref = sim_fence_unref,
   .fence_signaled = sim_fence_signaled,
   .fence_wait = sim_fence_wait,
   .asahi = &sa_asahi_ops,
};

int
vdrm_sim_asahi_create(const struct vdrm_sim_config *config, const struct vdrm_sim_asahi_profile *profile,
                      struct vdrm_backend **out)
{
   struct sa_device *d = calloc(1, sizeof(*d));
   struct timespec ts;

   if (!d)
      return -ENOMEM;
   if (config)
      d->base.config = *config;
   d->base.config.profile = NULL;
   d->profile = profile ? *profile : vdrm_sim_asahi_profile_g13g;
   d->base.ntimelines = KASAHI_PRIORITIES;
   d->base.timelines = calloc(d->base.ntimelines, sizeof(*d->base.timelines));
   if (!d->base.timelines) {
      free(d);
      return -ENOMEM;
   }
   d->base.base.ops = &sa_ops;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   d->base.clock_base = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
   *out = &d->base.base;
   return 0;
}

void
vdrm_sim_asahi_get_stats(struct vdrm_backend *dev, struct vdrm_sim_asahi_stats *stats)
{
   sim_retire(&sa_dev(dev)->base);
   *stats = sa_dev(dev)->astats;
}
